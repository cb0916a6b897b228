/**
 * SVG to PNG on Node (src/media/png with media/png-node): the bytes are a valid PNG (signature,
 * CRCs, IHDR, IDAT that inflates to the promised size), of the width asked for and the chart's
 * height, with many colours and dark text pixels, whether encoded with zlib (Node) or by resvg
 * (as on Workers); Vietnamese letters are drawn as themselves, not as the replacement glyph or
 * their bare letters; resvg is set up once, and a failed set-up can be retried.
 */
import { describe, expect, it } from 'vitest';
import { el, label, renderSvg } from '../../src/media/svg';
import { REPLACEMENT_CHAR } from '../../src/media/font';
import { kpiCardSvg } from '../../src/media/kpi-card';
import { kpiHistorySvg } from '../../src/media/kpi-history';
import { seriesChartSvg } from '../../src/media/series-chart';
import { encodePng, initResvg, svgToPng, type PngPlatform } from '../../src/media/png';
import { nodePng } from '../../src/media/png-node';
import { decodePng, differingPixels, pixelStats, PNG_SIGNATURE } from '../support/png-decode';
import { empty, falling, ranked, rising, texts, TODAY } from './fixtures';

const vi = { locale: 'vi' as const, texts };
let loads = 0;
const counting: PngPlatform = {
  ...nodePng,
  loadWasm: () => {
    loads++;
    return nodePng.loadWasm();
  },
};
/** Without a deflate of its own the PNG is resvg's, as on Workers. */
const resvgEncoder: PngPlatform = { loadWasm: counting.loadWasm };

function line(text: string): string {
  return renderSvg(el('svg', { width: 600, height: 80, viewBox: '0 0 600 80' }, label(text, 10, 56, { size: 40, fill: '#000' })));
}

async function png(svg: string, width = 600) {
  return decodePng(await svgToPng(svg, { width, platform: counting }));
}

describe('svgToPng', () => {
  // First in the file: resvg is set up once per process, by the first call that succeeds.
  it('forgets a failed set-up so that the next call can succeed', async () => {
    await expect(svgToPng(line('x'), { width: 600, platform: { loadWasm: () => Promise.reject(new Error('no wasm')) } })).rejects.toThrow('no wasm');
    await expect(initResvg(counting.loadWasm)).resolves.toBeUndefined();
    await png(line('x'));
    expect(loads).toBe(1);
  });

  it('sends the KPI card as a valid PNG, 1080 px wide and as tall as the chart says, with ink on it', async () => {
    const chart = kpiCardSvg([rising(), falling(), ranked(), empty()], { ...vi, today: TODAY });
    const images = [];
    for (const platform of [counting, resvgEncoder]) {
      const bytes = await svgToPng(chart.svg, { width: chart.width, platform });
      expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
      const img = decodePng(bytes);
      expect(img.width).toBeGreaterThanOrEqual(1080);
      expect([img.width, img.height]).toEqual([chart.width, chart.height]);
      const stats = pixelStats(img);
      expect(stats.colours).toBeGreaterThan(200);
      expect(stats.dark).toBeGreaterThan(10_000);
      images.push(img);
    }
    // Same pixels whichever encoder wrote them.
    expect(differingPixels(images[0]!, images[1]!)).toBe(0);
    expect(loads).toBe(1);
  });

  it('encodes pixels as given and refuses a buffer of the wrong size', () => {
    const rgba = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 10, 20, 30, 40]);
    const img = decodePng(encodePng(2, 2, rgba, nodePng.deflate!));
    expect([img.width, img.height, [...img.rgba]]).toEqual([2, 2, [...rgba]]);
    expect(() => encodePng(2, 3, rgba, nodePng.deflate!)).toThrow(RangeError);
  });

  it('renders history and console charts, and scales to another width keeping the aspect ratio', async () => {
    const history = kpiHistorySvg(rising(), vi);
    const full = decodePng(await svgToPng(history.svg, { width: 1080, platform: counting }));
    expect([full.width, full.height]).toEqual([1080, history.height]);
    expect(pixelStats(full).dark).toBeGreaterThan(5_000);
    const half = decodePng(await svgToPng(history.svg, { width: 540, platform: counting }));
    expect([half.width, half.height]).toEqual([540, Math.round(history.height / 2)]);
    const days = ['2026-11-19', '2026-11-20', '2026-11-21'];
    const series = seriesChartSvg({ title: 'Câu hỏi mỗi ngày', days, series: [{ name: 'Zalo', values: [3, 5, 2] }], unit: 'count', kind: 'bar' }, vi);
    expect(pixelStats(decodePng(await svgToPng(series.svg, { width: 1080, platform: counting }))).colours).toBeGreaterThan(50);
  });

  it('draws Vietnamese text: not blank, each marked letter unlike the replacement glyph and its bare letter', async () => {
    const blank = await png(line(''));
    const text = await png(line('Đạt chỉ tiêu ổn định'));
    expect(differingPixels(blank, text)).toBeGreaterThan(1_000);
    // Each letter with its marks is neither the replacement glyph nor its bare base letter.
    const replacement = await png(line(REPLACEMENT_CHAR));
    for (const [ch, base] of [['Đ', 'D'], ['đ', 'd'], ['ạ', 'a'], ['ỉ', 'i'], ['ổ', 'o'], ['ẫ', 'a'], ['ự', 'u'], ['ỹ', 'y'], ['Ỳ', 'Y'], ['Ở', 'O']]) {
      const drawn = await png(line(ch!));
      expect(differingPixels(replacement, drawn), ch).toBeGreaterThan(50);
      expect(differingPixels(await png(line(base!)), drawn), ch).toBeGreaterThan(20);
    }
  });

  it('refuses a width out of range, and throws on an SVG it cannot read (the caller sends text)', async () => {
    await expect(svgToPng(line('x'), { width: 0, platform: counting })).rejects.toThrow(RangeError);
    await expect(svgToPng(line('x'), { width: 5000, platform: counting })).rejects.toThrow(RangeError);
    await expect(svgToPng(line('x'), { width: 10.5, platform: counting })).rejects.toThrow(RangeError);
    await expect(svgToPng('<svg><rect></svg>', { width: 100, platform: counting })).rejects.toThrow();
  });
});
