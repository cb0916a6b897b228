/**
 * KPI charts on Zalo, through the whole app: /kpi sends one photo whose URL is on
 * PUBLIC_BASE_URL at /media/<id>.png, an id of at least 128 random bits; the app serves that PNG
 * until it expires after 24 h (store clock) and 404s after, or for a guessed id; nothing lists
 * the images. Without PUBLIC_BASE_URL there is no photo (text only) and one warning at start-up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createRuntime } from '../../src/app';
import { loadConfig, type RawEnv } from '../../src/config';
import { MemoryStore } from '../../src/store/memory';
import { createLogger } from '../../src/log';
import { BackgroundTracker } from '../../src/background';
import { ZALO_SECRET_HEADER } from '../../src/channels/zalo/webhook';
import { CHART_LINK_TTL_SECONDS } from '../../src/media/chart-links';
import { pngRenderer, type PngRenderer } from '../../src/media/png';
import { nodePng } from '../../src/media/png-node';
import { startFakeZalo, type FakeZalo } from '../support/fake-zalo';
import { decodePng, pixelStats } from '../support/png-decode';
import { NOW, SECRET, textEvent } from './harness';

let fake: FakeZalo;
beforeAll(async () => {
  fake = await startFakeZalo();
});
afterAll(async () => {
  await fake.close();
});

const BASE = 'https://cchc.example.gov.vn';

function makeApp(env: RawEnv = {}, renderPng: PngRenderer = pngRenderer(nodePng)) {
  fake.reset();
  const clock = { now: NOW.getTime() };
  const logs: string[] = [];
  const fullEnv: RawEnv = { ZALO_BOT_TOKEN: fake.token, ZALO_WEBHOOK_SECRET: SECRET, ZALO_API_BASE: fake.url, PUBLIC_BASE_URL: BASE, ...env };
  const store = new MemoryStore({ now: () => clock.now });
  const rt = createRuntime(loadConfig(fullEnv), { store, now: () => new Date(clock.now), log: createLogger('debug', (l) => logs.push(l)), renderPng });
  const app = createApp(rt);
  const background = new BackgroundTracker();
  return {
    clock,
    logs,
    get: (path: string) => app.request(path, {}, fullEnv, background.context),
    async ask(text: string) {
      const res = await app.request(
        '/webhooks/zalo',
        { method: 'POST', headers: { 'content-type': 'application/json', [ZALO_SECRET_HEADER]: SECRET }, body: JSON.stringify(textEvent(text)) },
        fullEnv,
        background.context,
      );
      expect(res.status).toBe(200);
      await background.drain();
    },
  };
}

describe('KPI charts on Zalo', () => {
  it('sends /kpi as one photo by URL, served as a valid PNG once issued, then the text', async () => {
    const t = makeApp();
    await t.ask('/kpi');
    const photos = fake.calls('sendPhoto');
    expect(photos).toHaveLength(1);
    expect(photos[0]!.status).toBe(200);
    const url = String(photos[0]!.params.photo);
    const m = new RegExp(`^${BASE.replace(/\./g, '\\.')}/media/([A-Za-z0-9_-]+)\\.png$`).exec(url);
    expect(m).not.toBeNull();
    expect(m![1]!.length * 6).toBeGreaterThanOrEqual(128); // base64url: 6 bits a character
    expect(String(photos[0]!.params.caption)).toMatch(/^Biểu đồ/);
    const texts = fake.calls('sendMessage').map((c) => String(c.params.text));
    expect(texts.join('\n')).toContain('Các chỉ số cải cách hành chính');

    const res = await t.get(new URL(url).pathname);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const img = decodePng(new Uint8Array(await res.arrayBuffer()));
    expect(img.width).toBeGreaterThanOrEqual(1080);
    expect(pixelStats(img).dark).toBeGreaterThan(10_000);
  });

  it('404s the image after 24 h, for a guessed id and for anything that would list images', async () => {
    const t = makeApp();
    await t.ask('/kpi');
    const path = new URL(String(fake.calls('sendPhoto')[0]!.params.photo)).pathname;
    const id = /\/media\/(.+)\.png$/.exec(path)![1]!;
    const guessed = `${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`;
    for (const p of [`/media/${guessed}.png`, '/media/', '/media', `/media/${id}`, `/media/${id}.jpg`, '/media/..%2F.png', '/media/*.png']) {
      expect((await t.get(p)).status, p).toBe(404);
    }
    t.clock.now += (CHART_LINK_TTL_SECONDS - 1) * 1000;
    expect((await t.get(path)).status).toBe(200);
    t.clock.now += 2000;
    expect((await t.get(path)).status).toBe(404);
  });

  it('sends no photo without PUBLIC_BASE_URL, and warns once at start-up', async () => {
    const t = makeApp({ PUBLIC_BASE_URL: undefined });
    expect(t.logs.filter((l) => l.includes('"level":"warn"') && l.includes('PUBLIC_BASE_URL'))).toHaveLength(1);
    await t.ask('/kpi');
    await t.ask('/kpi bd-dvc-toan-trinh');
    expect(fake.calls('sendPhoto')).toEqual([]);
    expect(fake.calls('sendMessage').length).toBeGreaterThanOrEqual(2);
    expect(t.logs.filter((l) => l.includes('PUBLIC_BASE_URL'))).toHaveLength(1);
  });

  it('sends the text alone when the chart cannot be drawn', async () => {
    const t = makeApp({}, () => Promise.reject(new Error('resvg failed')));
    await t.ask('/kpi');
    expect(fake.calls('sendPhoto')).toEqual([]);
    expect(fake.calls('sendMessage').map((c) => String(c.params.text)).join('\n')).toContain('Các chỉ số cải cách hành chính');
    expect(t.logs.some((l) => l.includes('"level":"warn"') && l.includes('zalo chart not sent'))).toBe(true);
  });

  it('refuses a PUBLIC_BASE_URL that is not an http(s) URL', () => {
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'ftp://cchc.example' })).toThrow(/PUBLIC_BASE_URL/);
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'not a url' })).toThrow(/PUBLIC_BASE_URL/);
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://cchc.example/' }).publicBaseUrl).toBe('https://cchc.example');
  });
});
