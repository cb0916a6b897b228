/**
 * The chart modules (src/media/svg, font, chart-parts, kpi-card, kpi-history, series-chart):
 * well-formed SVG with every text from data escaped, chat-legible sizes, the KPI card's
 * content, the history chart's target line, deadline and status.ts's projection, the console's
 * per-day charts, and empty data.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { el, escapeXml, label, renderSvg } from '../../src/media/svg';
import { chartFont, drawableChars, fitText, textWidth, wrapText } from '../../src/media/font';
import { CHART_WIDTH, STATUS_COLOURS, type Chart } from '../../src/media/chart-parts';
import { kpiCardSvg } from '../../src/media/kpi-card';
import { kpiHistorySvg } from '../../src/media/kpi-history';
import { seriesChartSvg } from '../../src/media/series-chart';
import { buildFont, CHART_CHARSET } from '../../scripts/build-font';
import { allElements, parseXml, textOf, type XmlElement } from '../support/xml-parse';
import { definition, empty, falling, ranked, rising, texts, TODAY, view } from './fixtures';

const vi = { locale: 'vi' as const, texts };
const HOSTILE = '<script>alert("x")</script> & Co';

function elements(svg: string, name?: string): XmlElement[] {
  const all = allElements(parseXml(svg));
  return name ? all.filter((e) => e.name === name) : all;
}

function texts_(svg: string): string[] {
  return elements(svg, 'text').map(textOf);
}

/** Each outlined label's font size: its group is scaled by size / unitsPerEm. */
function outlineSizes(svg: string): number[] {
  return elements(svg, 'g')
    .map((g) => /scale\(([\d.]+) -[\d.]+\)/.exec(g.attrs.transform ?? ''))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]) * chartFont.unitsPerEm);
}

/** Where each native label starts and ends horizontally, measured with the chart font. */
function labelExtents(svg: string): Array<{ text: string; x0: number; x1: number }> {
  return elements(svg, 'text').map((t) => {
    const text = textOf(t);
    const w = textWidth(text, Number(t.attrs['font-size']), t.attrs['font-weight'] === '700' ? 'bold' : 'regular');
    const x = Number(t.attrs.x);
    const anchor = t.attrs['text-anchor'] ?? 'start';
    const x0 = anchor === 'middle' ? x - w / 2 : anchor === 'end' ? x - w : x;
    return { text, x0, x1: x0 + w };
  });
}

function expectInside(chart: Chart): void {
  for (const e of labelExtents(chart.svg)) {
    expect(e.x0, e.text).toBeGreaterThanOrEqual(0);
    expect(e.x1, e.text).toBeLessThanOrEqual(chart.width);
  }
}

describe('svg builder', () => {
  it('escapes markup in text and attribute values, so data reads back as the same text', () => {
    const svg = renderSvg(
      el('svg', { 'aria-label': HOSTILE }, el('title', {}, HOSTILE), label(HOSTILE, 10, 40, { size: 28 })),
      'native',
    );
    expect(svg).not.toContain('<script');
    const root = parseXml(svg);
    expect(root.attrs['aria-label']).toBe(HOSTILE);
    expect(textOf(elements(svg, 'title')[0]!)).toBe(HOSTILE);
    expect(texts_(svg)).toEqual([HOSTILE]);
    expect(escapeXml(`'"`)).toBe('&apos;&quot;');
  });

  it('drops characters XML cannot carry instead of writing an unreadable document', () => {
    const svg = renderSvg(el('svg', {}, el('title', {}, 'a\u0000b\u001bc\uD800d\uFFFF')), 'native');
    expect(textOf(elements(svg, 'title')[0]!)).toBe('abcd');
  });

  it('refuses tag and attribute names that are not names, and coordinates that are not numbers', () => {
    expect(() => el('svg onload', {})).toThrow(/tag name/);
    expect(() => renderSvg(el('svg', { 'x onload': '1' }))).toThrow(/attribute name/);
    expect(() => renderSvg(el('svg', {}, el('rect', { x: Number.NaN })))).toThrow(/finite/);
    expect(() => renderSvg(el('g', {}))).toThrow(/root/);
  });

  it('outlines text with each glyph defined once and placed as often as it is used', () => {
    const svg = renderSvg(el('svg', {}, label('ạạạ', 0, 40, { size: 40 }), label('ạ', 0, 80, { size: 40, weight: 'bold' })));
    const defs = elements(svg, 'path');
    expect(defs.map((p) => p.attrs.id)).toEqual([`r${chartFont.weights.regular.chars['ạ']![1]}`, `b${chartFont.weights.bold.chars['ạ']![1]}`]);
    expect(elements(svg, 'use')).toHaveLength(4);
    expect(elements(svg, 'use').every((u) => defs.some((p) => u.attrs.href === `#${p.attrs.id}`))).toBe(true);
  });
});

describe('chart font', () => {
  it('has an outline for every character charts write, in both weights', () => {
    for (const weight of ['regular', 'bold'] as const) {
      const data = chartFont.weights[weight];
      for (const ch of CHART_CHARSET) {
        const entry = data.chars[ch];
        expect(entry, `${weight} ${ch}`).toBeDefined();
        if (/\s/.test(ch)) continue;
        expect(data.outlines[entry![1]!], `${weight} ${ch}`).toMatch(/^m-?\d+[ -]-?\d+/);
      }
    }
  });

  it('is what scripts/build-font.ts makes from the font package (npm run build:font)', () => {
    const committed = readFileSync(join(import.meta.dirname, '../../src/generated/chart-font.json'), 'utf8');
    expect(committed === buildFont()).toBe(true);
  }, 30_000);

  it('draws decomposed Vietnamese as composed, other accented letters by their base, the rest as "?"', () => {
    expect(drawableChars('Đa\u0323t chi\u0309')).toEqual([...'Đạt chỉ']);
    expect(drawableChars('Señor 中\tx')).toEqual([...'Senor ? x']);
  });

  it('fits and wraps text within the width asked for', () => {
    const long = 'Tỷ lệ hồ sơ thủ tục hành chính được số hóa, ký số và lưu trữ điện tử cấp huyện';
    const fitted = fitText(long, 34, 400, 'bold');
    expect(fitted.endsWith('…')).toBe(true);
    expect(textWidth(fitted, 34, 'bold')).toBeLessThanOrEqual(400);
    expect(fitText('44%', 34, 400)).toBe('44%');
    const wrapped = wrapText(long, 34, 500, 2, 'bold');
    expect(wrapped).toHaveLength(2);
    for (const line of wrapped) expect(textWidth(line, 34, 'bold')).toBeLessThanOrEqual(500);
    expect(wrapped[1]!.endsWith('…')).toBe(true);
    expect(wrapText('Một dòng', 34, 500, 2)).toEqual(['Một dòng']);
  });
});

describe('KPI card', () => {
  const views = () => [rising(), falling(), ranked(), empty()];

  it('is 1080 px wide with no text under 28 px, outlined or native, as rows or as tiles', () => {
    for (const list of [[rising(), ranked()], views()]) {
      const outlined = kpiCardSvg(list, { ...vi, today: TODAY });
      const native = kpiCardSvg(list, { ...vi, today: TODAY, text: 'native' });
      for (const chart of [outlined, native]) {
        expect(chart.width).toBe(CHART_WIDTH);
        const root = parseXml(chart.svg);
        expect([root.attrs.width, root.attrs.viewBox]).toEqual(['1080', `0 0 1080 ${chart.height}`]);
      }
      const sizes = outlineSizes(outlined.svg);
      expect(sizes.length).toBeGreaterThan(10);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(28);
      expect(Math.min(...elements(native.svg, 'text').map((t) => Number(t.attrs['font-size'])))).toBeGreaterThanOrEqual(28);
      expectInside(native);
    }
  });

  it('shows each KPI: name, latest value and period, status, target and deadline, Vietnamese style', () => {
    const rows = texts_(kpiCardSvg([rising(), ranked()], { ...vi, today: TODAY, text: 'native' }).svg);
    expect(rows[0]).toBe('Các chỉ số cải cách hành chính (đến 21/11/2026)');
    for (const t of ['DVC trực tuyến toàn trình', '44%', 'mục tiêu ≥ 50%, hạn 30/6/2027', 'hạng 19/63', 'mục tiêu top 10, hạn 31/12/2026', 'Đúng tiến độ', 'Có nguy cơ']) {
      expect(rows).toContain(t);
    }
    // The period a value describes, whole, and that it is stale (older than the monthly cadence).
    expect(rows).toContain('tháng 9/2026, đến 28/9/2026 · số liệu cũ');
    expect(rows).toContain('năm 2025');
    // As tiles the target may wrap; the value is never cut.
    const tiles = texts_(kpiCardSvg(views(), { ...vi, today: TODAY, text: 'native' }).svg);
    expect(tiles).toEqual(expect.arrayContaining(['44%', '53%', 'hạng 19/63', 'Chệch hướng', 'Chưa có số liệu']));
    expect(tiles.join(' ')).toContain('mục tiêu ≥ 90%, hạn 30/6/2027');
    const en = texts_(kpiCardSvg([rising()], { locale: 'en', texts, today: TODAY, text: 'native' }).svg);
    expect(en).toEqual(expect.arrayContaining(['Fully online services', 'On track']));
  });

  it('draws at most six KPIs, or as many as asked, and counts the rest under them', () => {
    const eight = [...views(), ...views()];
    const six = kpiCardSvg(eight, { ...vi, today: TODAY, text: 'native' });
    expect(elements(six.svg, 'rect').filter((r) => r.attrs.width === '10')).toHaveLength(6);
    expect(texts_(six.svg).join(' ')).toContain('Còn 2 chỉ số khác');
    expect(six.height).toBeLessThanOrEqual(1400);
    const two = kpiCardSvg(eight, { ...vi, today: TODAY, maxItems: 2, text: 'native' });
    expect(elements(two.svg, 'rect').filter((r) => r.attrs.width === '10')).toHaveLength(2);
    expect(texts_(two.svg).join(' ')).toContain('Còn 6 chỉ số khác');
    expect(texts_(kpiCardSvg(views(), { ...vi, today: TODAY, text: 'native' }).svg).join(' ')).not.toContain('Còn');
  });

  it('colours each KPI by its status and draws its trend from its last values', () => {
    const list = views();
    const svg = kpiCardSvg(list, { ...vi, today: TODAY }).svg;
    const stripes = elements(svg, 'rect').filter((r) => r.attrs.width === '10');
    expect(stripes.map((r) => r.attrs.fill)).toEqual(list.map((v) => STATUS_COLOURS[v.evaluation.status]));
    expect(list.map((v) => v.evaluation.status)).toEqual(['on_track', 'off_track', 'at_risk', 'no_data']);
    const lines = elements(svg, 'polyline');
    expect(lines.map((l) => l.attrs.points!.split(' ').length)).toEqual([5, 4, 3]);
    // Lower is better for a rank: the line climbs as the rank falls from 22 to 19.
    const rankYs = lines[2]!.attrs.points!.split(' ').map((p) => Number(p.split(',')[1]));
    expect(rankYs[0]!).toBeGreaterThan(rankYs[2]!);
  });

  it('writes hostile names as text, never as markup', () => {
    const hostile = view(definition({ short: HOSTILE }), [['2026-09', 44]]);
    const native = kpiCardSvg([hostile], { ...vi, today: TODAY, title: HOSTILE, text: 'native' });
    const outlined = kpiCardSvg([hostile], { ...vi, today: TODAY, title: HOSTILE });
    for (const chart of [native, outlined]) {
      expect(chart.svg).not.toContain('<script');
      expect(textOf(elements(chart.svg, 'title')[0]!)).toBe(HOSTILE);
    }
    expect(texts_(native.svg).filter((t) => t === HOSTILE)).toHaveLength(2);
  });

  it('keeps a long name inside the card, on at most two lines', () => {
    const long = view(definition({ short: 'Số hóa hồ sơ, kết quả giải quyết TTHC cấp huyện' }), [['2026-09', 44]]);
    const chart = kpiCardSvg([long], { ...vi, today: TODAY, text: 'native' });
    expectInside(chart);
    const nameLines = elements(chart.svg, 'text').filter((t) => t.attrs['font-size'] === '34');
    expect(nameLines.length).toBeLessThanOrEqual(2);
  });

  it('says "chưa có số liệu" for a KPI without values and for an empty list', () => {
    const one = kpiCardSvg([empty()], { ...vi, today: TODAY, text: 'native' });
    expect(texts_(one.svg).map((t) => t.toLowerCase())).toContain('chưa có số liệu');
    expect(elements(one.svg, 'polyline')).toHaveLength(0);
    const none = kpiCardSvg([], { ...vi, today: TODAY, text: 'native' });
    expect(texts_(none.svg).map((t) => t.toLowerCase())).toContain('chưa có số liệu');
    expect(none.height).toBeGreaterThan(100);
  });

  it('draws the same input the same way', () => {
    expect(kpiCardSvg(views(), { ...vi, today: TODAY }).svg).toBe(kpiCardSvg(views(), { ...vi, today: TODAY }).svg);
  });
});

describe('KPI history chart', () => {
  function parts(svg: string) {
    const lines = elements(svg, 'line');
    return {
      target: lines.find((l) => l.attrs.class === 'target'),
      deadline: lines.find((l) => l.attrs.class === 'deadline'),
      projection: lines.find((l) => l.attrs.class === 'projection'),
      values: elements(svg, 'polyline').find((l) => l.attrs.class === 'values'),
      texts: texts_(svg),
    };
  }

  it('draws the values, the target line, the deadline and status.ts projection to it', () => {
    const v = rising();
    expect(v.evaluation).toMatchObject({ status: 'on_track', reason: 'projected_to_meet', projected: 76.240695 });
    const chart = kpiHistorySvg(v, { ...vi, text: 'native' });
    const p = parts(chart.svg);
    expect(p.values!.attrs.points!.split(' ')).toHaveLength(5);
    expect(p.target!.attrs.y1).toBe(p.target!.attrs.y2);
    expect(p.texts).toEqual(expect.arrayContaining(['mục tiêu 50%', 'hạn 30/6/2027', 'dự báo 76,24%', '44%']));
    // The projection runs from the latest value to the deadline, on the status rule's number:
    // on the value axis (44% at the last point, 50% at the target line) it ends at 76.24%.
    expect(Number(p.projection!.attrs.x2)).toBeCloseTo(Number(p.deadline!.attrs.x1), 1);
    const [x44, y44] = p.values!.attrs.points!.split(' ').at(-1)!.split(',').map(Number);
    expect(Number(p.projection!.attrs.x1)).toBeCloseTo(x44!, 1);
    const y50 = Number(p.target!.attrs.y1);
    const yProjected = y44! + ((76.240695 - 44) * (y50 - y44!)) / 6;
    expect(Number(p.projection!.attrs.y2)).toBeCloseTo(yProjected, 0);
    expectInside(chart);
  });

  it('stops a projection at what the unit allows and says so', () => {
    const v = view(definition({ target: 99.5 }), [['2026-05', 60], ['2026-06', 70], ['2026-07', 80], ['2026-08', 90], ['2026-09', 95]]);
    expect(v.evaluation.projected!).toBeGreaterThan(100);
    const p = parts(kpiHistorySvg(v, { ...vi, text: 'native' }).svg);
    expect(p.texts).toContain('dự báo 100%');
    expect(Number(p.projection!.attrs.x2)).toBeLessThan(Number(p.deadline!.attrs.x1));
  });

  it('draws no projection when the status rule made none (target met)', () => {
    const v = view(definition({ target: 40 }), [['2026-08', 41], ['2026-09', 44]]);
    expect(v.evaluation).toMatchObject({ reason: 'met', projected: null });
    const p = parts(kpiHistorySvg(v, { ...vi, text: 'native' }).svg);
    expect(p.projection).toBeUndefined();
    expect(p.target).toBeDefined();
  });

  it('turns the axis over when lower is better, so a better rank is higher', () => {
    const v = ranked();
    const p = parts(kpiHistorySvg(v, { ...vi, text: 'native' }).svg);
    const ys = p.values!.attrs.points!.split(' ').map((pt) => Number(pt.split(',')[1]));
    expect(ys[0]!).toBeGreaterThan(ys[2]!);
    expect(p.texts).toEqual(expect.arrayContaining(['mục tiêu hạng 10/63', 'hạng 19/63']));
  });

  it('handles one value and no values', () => {
    const one = kpiHistorySvg(view(definition(), [['2026-09', 44]]), { ...vi, text: 'native' });
    expect(parts(one.svg).values).toBeUndefined();
    expect(elements(one.svg, 'circle').length).toBeGreaterThanOrEqual(1);
    const none = kpiHistorySvg(empty(), { ...vi, text: 'native' });
    expect(parts(none.svg).texts.map((t) => t.toLowerCase())).toContain('chưa có số liệu');
    expect(elements(none.svg, 'circle')).toHaveLength(0);
    expect(kpiHistorySvg(empty(), vi).svg).toContain('<title>Tỷ lệ dịch vụ công trực tuyến toàn trình</title>');
  });

  it('writes dates the Vietnamese way on the time axis', () => {
    const t = parts(kpiHistorySvg(rising(), { ...vi, text: 'native' }).svg).texts;
    expect(t).toEqual(expect.arrayContaining(['7/2026', '1/2027']));
  });
});

describe('any KPI', () => {
  it('draws a well-formed history and card, whatever its unit, direction, target and values', () => {
    const months = fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { maxLength: 14 }).map((ms) => ms.sort((a, b) => a - b));
    fc.assert(
      fc.property(
        fc.constantFrom('percent', 'rank', 'points', 'count'),
        fc.constantFrom('up', 'down'),
        fc.option(fc.integer({ min: 1, max: 63 }), { nil: null }),
        months,
        fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 14, maxLength: 14 }),
        (unit, direction, target, ms, raw) => {
          const outOf = unit === 'rank' ? 63 : unit === 'points' ? 100 : undefined;
          const def = definition({ unit, direction, target, deadline: target === null ? null : '2026-12-31', ...(outOf ? { outOf } : {}) });
          const cap = unit === 'percent' || unit === 'points' ? 100 : unit === 'rank' ? 63 : 1000;
          const values = ms.map((m, i): [string, number] => [`${2022 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`, Math.max(unit === 'rank' ? 1 : 0, Math.min(cap, raw[i]!))]);
          const v = view(def, values);
          for (const chart of [kpiHistorySvg(v, { ...vi, text: 'native' }), kpiCardSvg([v], { ...vi, today: TODAY, text: 'native' })]) {
            parseXml(chart.svg);
            expectInside(chart);
          }
          kpiHistorySvg(v, vi);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('per-day series chart', () => {
  const days = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2026, 9, 23 + i)).toISOString().slice(0, 10));

  it('stacks questions per day by channel, one bar piece per non-zero value', () => {
    const series = [
      { name: 'Telegram', values: days.map((_, i) => i % 5) },
      { name: '<Zalo & co>', values: days.map(() => 3) },
    ];
    const chart = seriesChartSvg({ title: 'Câu hỏi mỗi ngày theo kênh', days, series, unit: 'count', kind: 'bar' }, { ...vi, text: 'native' });
    const pieces = elements(chart.svg, 'rect').filter((r) => r.attrs.fill === '#0969da' || r.attrs.fill === '#bf8700');
    const legendSwatches = 2;
    expect(pieces).toHaveLength(days.filter((_, i) => i % 5 !== 0).length + days.length + legendSwatches);
    const t = texts_(chart.svg);
    expect(t).toEqual(expect.arrayContaining(['<Zalo & co>', '21/11', '0']));
    expectInside(chart);
  });

  it('draws a share as a line on a 0–100% axis, broken where a day has no value', () => {
    const values = days.map((_, i) => (i === 10 ? null : 80 + (i % 3)));
    const chart = seriesChartSvg({ title: 'Tỉ lệ được trả lời', days, series: [{ name: 'Đã trả lời', values }], unit: 'percent', kind: 'line' }, { ...vi, text: 'native' });
    expect(elements(chart.svg, 'polyline')).toHaveLength(2);
    expect(texts_(chart.svg)).toEqual(expect.arrayContaining(['0%', '50%', '100%']));
  });

  it('says "chưa có số liệu" with no days or no values, and refuses series of the wrong length', () => {
    for (const input of [
      { days: [], series: [] },
      { days, series: [{ name: 'Web', values: days.map(() => null) }] },
    ]) {
      const chart = seriesChartSvg({ title: 'T', unit: 'count', kind: 'bar', ...input }, { ...vi, text: 'native' });
      expect(texts_(chart.svg).map((t) => t.toLowerCase())).toContain('chưa có số liệu');
    }
    expect(() => seriesChartSvg({ title: 'T', days, series: [{ name: 'Web', values: [1, 2] }], unit: 'count', kind: 'bar' }, vi)).toThrow(RangeError);
  });
});
