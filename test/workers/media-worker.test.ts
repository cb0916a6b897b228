/// <reference types="vite/client" />
/**
 * The companion Workers inside workerd (the PDF reader and the chart renderer), and the
 * assistant Worker using them through its PDF_READER and CHART_RENDERER service bindings. Each
 * companion runs twice here: imported (its entry's default export, in this isolate) and as an
 * auxiliary Worker built by wrangler in the global setup, which the bindings of wrangler.toml
 * reach as they would once deployed. Each binding is optional on its own: without one, only its
 * feature is missing. The PDFs come in as data: URLs (workerd has no file system).
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import chiThiPdf from '../fixtures/documents/chi-thi-22-ct-tu.pdf?inline';
import scanPdf from '../fixtures/documents/scan.pdf?inline';
import pdfReaderWorker from '../../src/media-worker/pdf/worker';
import chartRendererWorker from '../../src/media-worker/png/worker';
import worker from '../../src/worker';
import { kpiHistorySvg } from '../../src/media/kpi-history';
import { decodePng, PNG_SIGNATURE } from '../support/png-decode';
import { rising, texts } from '../media/fixtures';
import { makeDocx, paragraphXml, tableXml } from '../knowledge/support/docx';

const TOKEN = 'workers-media-worker-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const TELEGRAM_SECRET = 'workerd-media-secret_7';
const fakeTelegram = (env as unknown as Record<string, string>).FAKE_TELEGRAM_URL!;

function bytesOf(dataUrl: string): Uint8Array<ArrayBuffer> {
  const binary = atob(dataUrl.slice(dataUrl.indexOf(',') + 1));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const post = (target: { fetch(request: Request): Promise<Response> }, path: string, body: BodyInit) =>
  target.fetch(new Request(`http://companion${path}`, { method: 'POST', body }));

/**
 * One assistant deployment per call (the Worker keeps a runtime per env object), with the
 * companion bindings named in `companions` and a Telegram bot of its own on the fake Bot API.
 */
function deployment(companions: { pdf: boolean; charts: boolean }) {
  const { PDF_READER, CHART_RENDERER, ...rest } = env as Record<string, unknown>;
  const botToken = `4242:MEDIA-${crypto.randomUUID()}`;
  const bindings = {
    ...rest,
    ...(companions.pdf ? { PDF_READER } : {}),
    ...(companions.charts ? { CHART_RENDERER } : {}),
    ADMIN_TOKEN: TOKEN,
    TELEGRAM_BOT_TOKEN: botToken,
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    TELEGRAM_API_BASE: fakeTelegram,
  } as never;
  const call = (path: string, init?: RequestInit) => worker.fetch(new Request(`http://x${path}`, init), bindings, createExecutionContext());
  /** A Telegram message through the webhook, its background work awaited; then what the bot sent. */
  const telegram = async (text: string) => {
    const update = {
      update_id: 1,
      message: { message_id: 3, date: 1_790_000_000, chat: { id: 77, type: 'private' }, from: { id: 77, is_bot: false, first_name: 'Lan', language_code: 'vi' }, text },
    };
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request('http://x/webhooks/telegram', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
        body: JSON.stringify(update),
      }),
      bindings,
      ctx,
    );
    expect(res.status).toBe(200);
    await waitOnExecutionContext(ctx);
    const calls = (await (await fetch(`${fakeTelegram}/__calls?token=${encodeURIComponent(botToken)}`)).json()) as Array<{ method: string; params: Record<string, unknown> }>;
    return calls;
  };
  return { call, telegram };
}

/** The photo the fake Bot API received (recorded in base64). */
function photoBytes(params: Record<string, unknown>): Uint8Array {
  const file = params.photo as { base64: string };
  return Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
}

function form(bytes: Uint8Array<ArrayBuffer>, name: string, type: string): FormData {
  const fd = new FormData();
  fd.set('file', new File([bytes], name, { type }));
  return fd;
}

describe('the companion Workers in workerd', () => {
  it('the PDF reader reads a real PDF text layer', async () => {
    const res = await post(pdfReaderWorker, '/pdf/text?maxPages=500', bytesOf(chiThiPdf));
    expect(res.status).toBe(200);
    const body = await res.json<{ text: string; pages: number; warnings: unknown[] }>();
    expect(body.pages).toBe(1);
    expect(body.text).toContain('22-CT/TU');
    expect(body.text).toMatch(/Trần Quốc Hưng/);
  });

  it('refuses a scan with 422 pdf-no-text, and bytes that only start like a PDF with 422 pdf-corrupt, Vietnamese first', async () => {
    const scan = await post(pdfReaderWorker, '/pdf/text?maxPages=500', bytesOf(scanPdf));
    expect(scan.status).toBe(422);
    expect(await scan.json()).toMatchObject({ code: 'pdf-no-text', vi: expect.stringContaining('lớp chữ'), en: expect.stringContaining('text layer') });
    const garbage = await post(pdfReaderWorker, '/pdf/text?maxPages=500', new TextEncoder().encode('%PDF-1.7\nnot a PDF body at all\n%%EOF'));
    expect(garbage.status).toBe(422);
    expect(await garbage.json()).toMatchObject({ code: 'pdf-corrupt' });
  });

  it('the chart renderer renders a chart SVG to a real PNG of the asked width; refuses a width above 4096 with a reason', async () => {
    const chart = kpiHistorySvg(rising(), { locale: 'vi', texts });
    const res = await post(chartRendererWorker, `/png?width=${chart.width}`, chart.svg);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    // IHDR's width, right after the signature and the chunk's length and type.
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(16)).toBe(chart.width);
    expect(decodePng(bytes)).toMatchObject({ width: chart.width, height: chart.height });

    const wide = await post(chartRendererWorker, '/png?width=5000', chart.svg);
    expect(wide.status).toBe(400);
    const reason = await wide.json<{ code: string; vi: string; en: string }>();
    expect(reason.code).toBe('bad-request');
    expect(reason.en).toMatch(/width/);
    expect(JSON.stringify(reason)).not.toMatch(/\bat\s.*\(/);
  });

  it('each serves only its own route: the other one is a 404 with a reason', async () => {
    const chart = kpiHistorySvg(rising(), { locale: 'vi', texts });
    const png = await post(pdfReaderWorker, `/png?width=${chart.width}`, chart.svg);
    expect(png.status).toBe(404);
    expect(await png.json()).toMatchObject({ code: 'not-found' });
    const pdf = await post(chartRendererWorker, '/pdf/text?maxPages=500', bytesOf(chiThiPdf));
    expect(pdf.status).toBe(404);
    expect(await pdf.json()).toMatchObject({ code: 'not-found' });
  });
});

describe('the assistant Worker with its companion bindings', () => {
  it('publishes an uploaded PDF read by the PDF reader Worker, and refuses a scan with the same 422 as in process', async () => {
    const { call } = deployment({ pdf: true, charts: true });
    const ok = await call('/admin/documents?dryRun=1', { method: 'POST', headers: auth, body: form(bytesOf(chiThiPdf), 'chi-thi-22.pdf', 'application/pdf') });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ format: 'pdf', pages: 1, metadata: { number: '22-CT/TU', kind: 'directive', issuedAt: '2022-06-22' } });

    const scan = await call('/admin/documents', { method: 'POST', headers: auth, body: form(bytesOf(scanPdf), 'scan.pdf', 'application/pdf') });
    expect(scan.status).toBe(422);
    const body = await scan.json<{ code: string; error: string }>();
    expect(body.code).toBe('pdf-no-text');
    expect(body.error).toMatch(/^Tệp PDF không có lớp chữ.* — The PDF has no text layer/);
  });

  it('without PDF_READER refuses PDFs with 503 and a Vietnamese-first reason, still takes a DOCX, and still draws charts', async () => {
    const { call, telegram } = deployment({ pdf: false, charts: true });
    const pdf = await call('/admin/documents', { method: 'POST', headers: auth, body: form(bytesOf(chiThiPdf), 'chi-thi-22.pdf', 'application/pdf') });
    expect(pdf.status).toBe(503);
    const body = await pdf.json<{ code: string; error: string }>();
    expect(body.code).toBe('pdf-reader-missing');
    expect(body.error).toMatch(/^Máy đọc PDF chưa được cấu hình/);

    const docx = makeDocx(
      [
        tableXml([['UBND TỈNH BÌNH DƯƠNG', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'], ['Số: 1520/QĐ-UBND', 'Bình Dương, ngày 30 tháng 5 năm 2023']]),
        paragraphXml('QUYẾT ĐỊNH'),
        paragraphXml('Về việc công bố danh mục thủ tục hành chính'),
        paragraphXml('Điều 1. Công bố kèm theo Quyết định này danh mục thủ tục hành chính.'),
      ].join(''),
    ) as Uint8Array<ArrayBuffer>;
    const res = await call('/admin/documents?dryRun=1', {
      method: 'POST',
      headers: auth,
      body: form(docx, 'qd.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ format: 'docx', metadata: { number: '1520/QĐ-UBND' } });

    const photos = (await telegram('/kpi')).filter((c) => c.method === 'sendPhoto');
    expect(photos).toHaveLength(1);
    expect([...photoBytes(photos[0]!.params).subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  });

  it('sends /kpi on Telegram as a photo drawn by the chart renderer Worker: a real PNG', async () => {
    const { telegram } = deployment({ pdf: true, charts: true });
    const calls = await telegram('/kpi');
    const photos = calls.filter((c) => c.method === 'sendPhoto');
    expect(photos).toHaveLength(1);
    const png = photoBytes(photos[0]!.params);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(decodePng(png).width).toBeGreaterThanOrEqual(1080);
  });

  it('without CHART_RENDERER sends /kpi as text alone, and still reads PDFs', async () => {
    const { call, telegram } = deployment({ pdf: true, charts: false });
    const calls = await telegram('/kpi');
    expect(calls.filter((c) => c.method === 'sendPhoto')).toEqual([]);
    expect(calls.filter((c) => c.method === 'sendMessage').length).toBeGreaterThan(0);
    const ok = await call('/admin/documents?dryRun=1', { method: 'POST', headers: auth, body: form(bytesOf(chiThiPdf), 'chi-thi-22.pdf', 'application/pdf') });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ format: 'pdf', pages: 1 });
  });
});
