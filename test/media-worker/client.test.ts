/**
 * The companion Workers' handlers (src/media-worker/handler with the PDF route and the PNG
 * route, on the Node platform) and the assistant Worker's clients of them (media-worker/client),
 * joined by Fetchers that call each handler's fetch as the PDF_READER and CHART_RENDERER service
 * bindings would. A PDF comes back exactly as the in-process reader gives it, refusals as the
 * same DocumentError; a 5xx, a network failure, a garbled reply or a binding that never answers
 * becomes a polite 503 within the timeout; bad input to either Worker is a 4xx with a reason,
 * never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp, createRuntime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { extractPdf } from '../../src/knowledge/extract/pdf';
import { kpiHistorySvg } from '../../src/media/kpi-history';
import { nodePng } from '../../src/media/png-node';
import { mediaHandler, type MediaHandler } from '../../src/media-worker/handler';
import { pdfTextRoute } from '../../src/media-worker/pdf-route';
import { pngRoute } from '../../src/media-worker/png-route';
import { CHART_RENDERER_BINDING, mediaPdfReader, mediaPngRenderer, PDF_READER_BINDING, serviceBinding, type MediaFetcher } from '../../src/media-worker/client';
import { MemoryStore } from '../../src/store/memory';
import { decodePng, PNG_SIGNATURE } from '../support/png-decode';
import { rising, texts } from '../media/fixtures';
import { PLAN_V1, uploadForm } from '../knowledge/support/plan';
import { refusal } from '../support/refusal';

const DIR = join(import.meta.dirname, '../fixtures/documents');
const fixture = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));

/** The two companion Workers' handlers, as their entries compose them (src/media-worker/pdf, src/media-worker/png). */
const pdfReader = mediaHandler(pdfTextRoute(extractPdf));
const chartRenderer = mediaHandler(pngRoute(nodePng));
/** A service binding as the assistant Worker sees it: requests go to the companion's fetch. */
const bindingTo = (handler: MediaHandler): MediaFetcher => ({ fetch: (input, init) => handler.fetch(new Request(input, init)) });
const pdfBinding = bindingTo(pdfReader);
const pngBinding = bindingTo(chartRenderer);
const post = (handler: MediaHandler, path: string, body?: BodyInit, headers?: Record<string, string>) =>
  handler.fetch(new Request(`http://companion${path}`, { method: 'POST', body, headers }));


describe('reading PDFs through the PDF reader Worker', () => {
  const remote = mediaPdfReader(pdfBinding);

  it('gives the same text, pages and warnings as the in-process reader', async () => {
    for (const name of ['chi-thi-22-ct-tu.pdf', 'nghi-dinh-118-2025.pdf', 'owner-locked.pdf']) {
      expect(await remote(fixture(name), 500), name).toEqual(await extractPdf(fixture(name), 500));
    }
    expect((await remote(fixture('owner-locked.pdf'), 500)).warnings.map((w) => w.code)).toContain('pdf-owner-locked');
  });

  it('brings every refusal back as the same DocumentError: code, status and reason', async () => {
    const cases: Array<[string, Uint8Array, number, string]> = [
      ['scan', fixture('scan.pdf'), 500, 'pdf-no-text'],
      ['encrypted', fixture('encrypted.pdf'), 500, 'pdf-encrypted'],
      ['truncated', fixture('chi-thi-22-ct-tu.pdf').slice(0, 2000), 500, 'pdf-corrupt'],
      ['too many pages', fixture('nghi-dinh-118-2025.pdf'), 1, 'too-many-pages'],
    ];
    for (const [label, bytes, maxPages, code] of cases) {
      const local = await refusal(extractPdf(bytes, maxPages));
      const e = await refusal(remote(bytes, maxPages));
      expect(local.code, label).toBe(code);
      expect({ code: e.code, status: e.status, reason: e.reason }, label).toEqual({ code: local.code, status: local.status, reason: local.reason });
    }
  });

  it('turns a 5xx, a network failure or a garbled reply into a polite 503, never the raw failure', async () => {
    const failing: Array<[string, MediaFetcher]> = [
      ['500', { fetch: async () => Response.json({ code: 'internal', vi: 'lỗi', en: 'error' }, { status: 500 }) }],
      ['network', { fetch: () => Promise.reject(new TypeError('fetch failed: ECONNRESET')) }],
      ['garbled 200', { fetch: async () => new Response('<html>gateway</html>', { status: 200 }) }],
      ['200 of the wrong shape', { fetch: async () => Response.json({ text: 1 }) }],
      ['4xx that is no refusal', { fetch: async () => Response.json({ code: 'bad-request', vi: 'x', en: 'y' }, { status: 400 }) }],
    ];
    for (const [label, fetcher] of failing) {
      const e = await refusal(mediaPdfReader(fetcher)(fixture('chi-thi-22-ct-tu.pdf'), 500));
      expect({ code: e.code, status: e.status }, label).toEqual({ code: 'pdf-reader-failed', status: 503 });
      expect(e.reason, label).toMatch(/^Máy đọc PDF tạm thời không trả lời được/);
      expect(e.reason, label).not.toMatch(/ECONNRESET|gateway/);
    }
  });

  it('gives up on a binding that never answers within its timeout', async () => {
    let aborted = false;
    const stuck: MediaFetcher = {
      fetch: (_input, init) =>
        new Promise<Response>(() => {
          init?.signal?.addEventListener('abort', () => (aborted = true));
        }),
    };
    const started = performance.now();
    const e = await refusal(mediaPdfReader(stuck, { timeoutMs: 50 })(fixture('chi-thi-22-ct-tu.pdf'), 500));
    expect(e.code).toBe('pdf-reader-failed');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(aborted).toBe(true);
  });
});

describe('drawing charts through the chart renderer Worker', () => {
  it('returns a real PNG of the chart at its width', async () => {
    const chart = kpiHistorySvg(rising(), { locale: 'vi', texts });
    const png = await mediaPngRenderer(pngBinding)(chart);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(decodePng(png)).toMatchObject({ width: chart.width, height: chart.height });
  });

  it('throws (so the caller sends the text alone) on a refused SVG, a 5xx or a binding that never answers', async () => {
    await expect(mediaPngRenderer(pngBinding)({ svg: '<svg xmlns="http://www.w3.org/2000/svg"><g></svg', width: 300 })).rejects.toThrow(/422 \(svg-unreadable\)/);
    await expect(mediaPngRenderer({ fetch: async () => new Response('oops', { status: 502 }) })({ svg: '<svg/>', width: 10 })).rejects.toThrow(/502/);
    const stuck: MediaFetcher = { fetch: () => new Promise<Response>(() => undefined) };
    await expect(mediaPngRenderer(stuck, { timeoutMs: 50 })({ svg: '<svg/>', width: 10 })).rejects.toThrow(/no answer within 50 ms/);
  });
});

describe('the companion Workers refuse bad input with a 4xx and a reason', () => {
  const reasonOf = async (res: Response) => {
    const body = (await res.json()) as { code: string; vi: string; en: string };
    expect(Object.keys(body).sort()).toEqual(['code', 'en', 'vi']);
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at |\.ts:\d+/);
    return body;
  };

  it('checks parameters, methods, routes, sizes and the body', async () => {
    const svg = kpiHistorySvg(rising(), { locale: 'vi', texts }).svg;
    expect(await reasonOf(await post(pdfReader, '/pdf/text', fixture('chi-thi-22-ct-tu.pdf')))).toMatchObject({ code: 'bad-request', en: expect.stringContaining('maxPages') });
    expect((await post(pdfReader, '/pdf/text?maxPages=0', fixture('chi-thi-22-ct-tu.pdf'))).status).toBe(400);
    expect((await post(pdfReader, '/pdf/text?maxPages=abc', fixture('chi-thi-22-ct-tu.pdf'))).status).toBe(400);
    expect((await post(chartRenderer, '/png?width=4097', svg)).status).toBe(400);
    expect((await post(chartRenderer, '/png?width=1.5', svg)).status).toBe(400);
    expect((await post(chartRenderer, '/png', svg)).status).toBe(400);
    expect((await chartRenderer.fetch(new Request('http://companion/png?width=100'))).status).toBe(405);
    expect(await reasonOf(await post(pdfReader, '/etc/passwd', 'x'))).toMatchObject({ code: 'not-found' });
    // Each Worker serves only its own route.
    expect(await reasonOf(await post(pdfReader, '/png?width=100', svg))).toMatchObject({ code: 'not-found' });
    expect(await reasonOf(await post(chartRenderer, '/pdf/text?maxPages=5', fixture('chi-thi-22-ct-tu.pdf')))).toMatchObject({ code: 'not-found' });
    expect(await reasonOf(await post(pdfReader, '/pdf/text?maxPages=5', new Uint8Array(0)))).toMatchObject({ code: 'empty' });
    expect(await reasonOf(await post(chartRenderer, '/png?width=100', 'hello, not a picture'))).toMatchObject({ code: 'not-svg' });
    expect(await reasonOf(await post(chartRenderer, '/png?width=100', new Uint8Array([0x3c, 0x73, 0x76, 0x67, 0x20, 0xff, 0xfe])))).toMatchObject({ code: 'not-utf8' });
    // A body past the bound, declared or not.
    const big = new Uint8Array(4 * 1024 * 1024 + 1).fill(0x20);
    const tooBig = await post(chartRenderer, '/png?width=100', big);
    expect(tooBig.status).toBe(413);
    expect(await reasonOf(tooBig)).toMatchObject({ code: 'too-large' });
    const declared = await post(pdfReader, '/pdf/text?maxPages=5', 'x', { 'content-length': String(65 * 1024 * 1024) });
    expect(declared.status).toBe(413);
    expect(await reasonOf(declared)).toMatchObject({ code: 'too-large', vi: expect.stringContaining('máy đọc PDF') });
  });

  it('answers an unexpected failure with a 500 and a generic reason, never the error itself', async () => {
    const broken = mediaHandler(pdfTextRoute(() => Promise.reject(new Error('pdf.js exploded at /srv/pdf.worker.mjs:123 reading "Công văn mật"'))));
    const res = await broken.fetch(new Request('http://companion/pdf/text?maxPages=5', { method: 'POST', body: fixture('chi-thi-22-ct-tu.pdf') }));
    expect(res.status).toBe(500);
    const body = await reasonOf(res);
    expect(body.code).toBe('internal');
    expect(JSON.stringify(body)).not.toMatch(/exploded|Công văn|pdf\.worker/);
  });
});

describe('the composed app without a PDF reader (a Worker without PDF_READER)', () => {
  it('refuses a PDF upload with 503 and a Vietnamese-first reason, and still publishes a TXT', async () => {
    const token = 'media-worker-admin-token-0123456789';
    const rt = createRuntime(loadConfig({ ADMIN_TOKEN: token }), { store: new MemoryStore(), log: createLogger('error', () => undefined) });
    const app = createApp(rt);
    const upload = (body: FormData) => app.request('/admin/documents', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body });
    const pdf = await upload(uploadForm(readFileSync(join(DIR, 'chi-thi-22-ct-tu.pdf')), 'chi-thi.pdf', {}, 'application/pdf'));
    expect(pdf.status).toBe(503);
    const body = (await pdf.json()) as { code: string; error: string };
    expect(body.code).toBe('pdf-reader-missing');
    expect(body.error).toMatch(/^Máy đọc PDF chưa được cấu hình.* — The PDF reader is not configured/);
    expect((await upload(uploadForm(PLAN_V1, 'ke-hoach.txt'))).status).toBe(201);
  });

  it('finds each service binding in a Worker env only when it is a Fetcher, each apart from the other', () => {
    const env = { [PDF_READER_BINDING]: pdfBinding, [CHART_RENDERER_BINDING]: 'https://charts.example' };
    expect(serviceBinding(env, PDF_READER_BINDING)).toBe(pdfBinding);
    expect(serviceBinding(env, CHART_RENDERER_BINDING)).toBeUndefined();
    expect(serviceBinding({ [CHART_RENDERER_BINDING]: pngBinding }, CHART_RENDERER_BINDING)).toBe(pngBinding);
    expect(serviceBinding({ [CHART_RENDERER_BINDING]: pngBinding }, PDF_READER_BINDING)).toBeUndefined();
    expect(serviceBinding({}, PDF_READER_BINDING)).toBeUndefined();
  });
});
