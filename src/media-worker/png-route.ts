/**
 * @module media-worker/png-route
 * `POST /png?width=N` (body: SVG text), served by the chart renderer Worker: the SVG drawn by
 * resvg's WebAssembly on the PngPlatform passed in, answered as image/png. An SVG that is not
 * UTF-8, not an SVG or cannot be drawn is a 4xx with a reason; a wasm that fails to load, a 500.
 */
import { megabytes } from '../knowledge/extract/errors';
import { initResvg, svgToPng, type PngPlatform } from '../media/png';
import { BadRequest, query, readBody, type Routes } from './handler';
import { MAX_SVG_BYTES, PNG_PATH, PngQuerySchema } from './protocol';

export function pngRoute(platform: PngPlatform): Routes {
  return {
    [PNG_PATH]: async (request, url) => {
      const { width } = query(PngQuerySchema, url);
      const body = await readBody(
        request,
        MAX_SVG_BYTES,
        () => new BadRequest(413, { code: 'too-large', vi: `SVG lớn hơn ${megabytes(MAX_SVG_BYTES)}.`, en: `The SVG is larger than ${megabytes(MAX_SVG_BYTES)}.` }),
      );
      let svg: string;
      try {
        svg = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
      } catch {
        throw new BadRequest(415, { code: 'not-utf8', vi: 'SVG không phải văn bản UTF-8.', en: 'The SVG is not UTF-8 text.' });
      }
      if (!/<svg[\s>]/.test(svg)) throw new BadRequest(422, { code: 'not-svg', vi: 'Nội dung gửi lên không phải SVG.', en: 'The body is not an SVG document.' });
      // Set up first, outside the catch below: a wasm that fails to load is the service's fault (500).
      await initResvg(platform.loadWasm);
      let bytes: Uint8Array<ArrayBuffer>;
      try {
        bytes = await svgToPng(svg, { width, platform });
      } catch {
        throw new BadRequest(422, { code: 'svg-unreadable', vi: 'Không vẽ được SVG này.', en: 'The SVG could not be rendered.' });
      }
      return new Response(bytes, { status: 200, headers: { 'content-type': 'image/png' } });
    },
  };
}
