/**
 * @module scripts/bench/charts-worker-entry
 * The Worker entry with the chart module in use (SVG card, resvg WebAssembly, chart font), for
 * `npm run bench:charts` to build with `wrangler deploy --dry-run` next to the plain entry: the
 * difference is what charts add to the bundle a deploy uploads. Not deployed.
 */
import worker from '../../src/worker';
import type { RawEnv } from '../../src/config';
import { kpiCardSvg } from '../../src/media/kpi-card';
import { svgToPng } from '../../src/media/png';
import { workerPng } from '../../src/media/png-worker';
import { Texts, type TextTable } from '../../src/core/texts';
import bundle from '../../src/generated/bundle.json';

const texts = new Texts((bundle as { prompts: TextTable }).prompts);

export default {
  ...worker,
  async fetch(request: Request, env: RawEnv, ctx: Parameters<typeof worker.fetch>[2]): Promise<Response> {
    if (new URL(request.url).pathname !== '/__bench/card.png') return worker.fetch(request, env, ctx);
    const chart = kpiCardSvg([], { locale: 'vi', texts, today: '2026-11-21' });
    const png = await svgToPng(chart.svg, { width: chart.width, platform: workerPng });
    return new Response(png, { headers: { 'content-type': 'image/png' } });
  },
};
