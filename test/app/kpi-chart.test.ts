/**
 * KPI charts in the web chat and in the KPI handler's replies: /kpi carries the card of the KPIs
 * listed, /kpi <name> the history chart of that one KPI, a list of matches the card of those;
 * each with a description in the reader's language; the web JSON carries the SVG inline.
 */
import { describe, expect, it } from 'vitest';
import { makeTestApp, postJson } from '../support/runtime';

interface ChatJson {
  intent: string;
  reply: string;
  image?: { svg: string; alt: string };
}

async function chat(message: string, locale?: 'vi' | 'en'): Promise<ChatJson> {
  const t = makeTestApp();
  const res = await t.request('/api/chat', postJson({ message, ...(locale ? { locale } : {}) }));
  expect(res.status).toBe(200);
  return (await res.json()) as ChatJson;
}

describe('KPI charts in the web chat', () => {
  it('returns the /kpi card as inline SVG with a Vietnamese description', async () => {
    const body = await chat('/kpi');
    expect(body.intent).toBe('kpi');
    expect(body.image!.svg).toMatch(/^<svg[^>]*width="1080"/);
    expect(body.image!.svg).toContain('aria-label="Các chỉ số cải cách hành chính');
    expect(body.image!.alt).toMatch(/^Biểu đồ \d+ chỉ số/);
  });

  it('returns the history chart of one KPI for /kpi <name>, described in English when asked in English', async () => {
    const body = await chat('/kpi bd-dvc-toan-trinh', 'en');
    expect(body.image!.svg).toMatch(/^<svg/);
    expect(body.image!.alt).toMatch(/^History chart of /);
    expect(body.image!.alt).not.toMatch(/\{\{|\}\}/);
  });

  it('carries no image where nothing is charted', async () => {
    const body = await chat('Chỉ thị 22-CT/TU ban hành ngày nào?');
    expect(body.image).toBeUndefined();
  });
});
