/**
 * @module media-worker/png/worker
 * The chart renderer Worker's entry (deployed from src/media-worker/png/wrangler.toml as
 * tro-ly-cchc-chart-renderer): resvg's WebAssembly, about 520 KiB gzipped, lives here so the
 * assistant Worker stays under its 1 MB gzipped target (issue #17); it is apart from the PDF
 * reader because the two together are over that target too. The assistant reaches it only
 * through its CHART_RENDERER service binding (media-worker/client); it has no public route.
 */
import { workerPng } from '../../media/png-worker';
import { mediaHandler } from '../handler';
import { pngRoute } from '../png-route';

const handler = mediaHandler(pngRoute(workerPng));

export default {
  fetch(request: Request): Promise<Response> {
    return handler.fetch(request);
  },
};
