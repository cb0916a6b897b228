/**
 * Charts inside workerd: the KPI card is drawn as SVG and turned into PNG by resvg's
 * WebAssembly imported the way the Worker imports it (media/png-worker), and the PNG is a
 * valid image of the promised size with ink on it.
 */
import { describe, expect, it } from 'vitest';
import { kpiCardSvg } from '../../src/media/kpi-card';
import { kpiHistorySvg } from '../../src/media/kpi-history';
import { svgToPng } from '../../src/media/png';
import { workerPng } from '../../src/media/png-worker';
import { decodePng, pixelStats } from '../support/png-decode';
import { empty, falling, ranked, rising, texts, TODAY } from '../media/fixtures';

describe('charts in workerd', () => {
  it('renders the KPI card to a PNG of the promised size that is not blank', async () => {
    const chart = kpiCardSvg([rising(), falling(), ranked(), empty()], { locale: 'vi', texts, today: TODAY });
    const png = decodePng(await svgToPng(chart.svg, { width: chart.width, platform: workerPng }));
    expect([png.width, png.height]).toEqual([1080, chart.height]);
    const stats = pixelStats(png);
    expect(stats.colours).toBeGreaterThan(100);
    expect(stats.dark).toBeGreaterThan(5000);
  });

  it('renders a history chart again in the same isolate (resvg is set up once)', async () => {
    const chart = kpiHistorySvg(rising(), { locale: 'vi', texts });
    const png = decodePng(await svgToPng(chart.svg, { width: 1080, platform: workerPng }));
    expect([png.width, png.height]).toEqual([1080, chart.height]);
  });
});
