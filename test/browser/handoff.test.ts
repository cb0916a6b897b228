/**
 * A person instead of the assistant, in Debian's headless Chromium against the real Node server
 * (in-memory store, no model): a citizen asks for a person on the web chat page; an operator
 * sees the conversation on the console's Hỗ trợ page (axe-core, screenshots under
 * test-results/console/), takes it and replies from the console, another reply comes through
 * /admin/handoffs/:id/reply; the open web page shows both without the citizen typing anything
 * (its poll of /api/chat/updates), and the operator's close too. No CSP violation anywhere.
 * Needs /usr/bin/chromium (apt-get install chromium); fails, never skips, without it.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startNodeServer, type NodeServer } from '../../src/node';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TOKEN = 'browser-handoff-token-0123456789';
const LAN_TOKEN = 'browser-handoff-lan-0123456789';
const SHOTS = join(import.meta.dirname, '../../test-results/console');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** Generous: the page asks every 3 s; this only bounds a broken poll, it measures nothing. */
const SEEN_WITHIN = 20_000;

let server: NodeServer;
let browser: Browser;
const problems = new WeakMap<Page, string[]>();

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Debian's Chromium is not installed (${CHROMIUM} is missing): run \`apt-get install chromium\`, then run the browser tests again.`);
  }
  mkdirSync(SHOTS, { recursive: true });
  server = await startNodeServer({ env: { ADMIN_TOKEN: TOKEN, ADMIN_TOKENS: `Lan:${LAN_TOKEN}` }, port: 0, hostname: '127.0.0.1' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage(path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  const page = await context.newPage();
  // Init scripts run outside the page's CSP: this one only records what the CSP refused.
  await page.addInitScript(() => {
    const w = window as unknown as { cspViolations: string[] };
    w.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`));
  });
  const seen: string[] = [];
  problems.set(page, seen);
  page.on('pageerror', (e) => seen.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') seen.push(m.text());
  });
  await page.goto(server.url + path);
  return page;
}

function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'x-admin-actor': 'Minh', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('a person answers in the open web chat', () => {
  it('the console replies and closes; the web page shows it without the citizen typing', async () => {
    const chat = await openPage('/');
    await chat.locator('#q').focus();
    await chat.keyboard.type('gặp cán bộ');
    await chat.keyboard.press('Enter');
    const promise = chat.locator('#log .msg.bot[data-intent="handoff"]');
    await promise.waitFor({ timeout: 20_000 });
    expect(await promise.innerText()).toContain('trong cuộc trò chuyện này');
    // Said while waiting: it goes to the operator, masked; the assistant only says so.
    const before = await chat.locator('#log .msg.bot[data-intent]').count();
    await chat.keyboard.type('Số điện thoại của tôi là 0912 345 678');
    await chat.keyboard.press('Enter');
    const forwarded = chat.locator('#log .msg.bot[data-intent]').nth(before);
    await forwarded.waitFor({ timeout: 20_000 });
    expect(await forwarded.getAttribute('data-intent')).toBe('handoff-message');

    // The operator's console: the Hỗ trợ page from the navigation.
    const console = await openPage('/console');
    await console.getByLabel('Mã quản trị').fill(LAN_TOKEN);
    await console.getByRole('button', { name: 'Đăng nhập' }).click();
    await console.waitForURL(`${server.url}/console`);
    await console.getByRole('navigation', { name: 'Các trang quản trị' }).getByRole('link', { name: 'Hỗ trợ', exact: true }).click();
    await console.waitForURL(`${server.url}/console/support`);
    expect(await console.locator('h1').innerText()).toBe('Hỗ trợ');
    const card = console.locator('article[data-handoff]');
    expect(await card.count()).toBe(1);
    expect(await card.innerText()).toContain('Số điện thoại của tôi là [số điện thoại]');
    expect(await console.content()).not.toContain('0912 345 678');
    await console.screenshot({ path: join(SHOTS, 'support.png'), fullPage: true });
    expect(await seriousViolations(console), 'inbox').toEqual([]);
    const id = (await card.getAttribute('data-handoff'))!;

    await card.getByRole('link', { name: 'Xem và trả lời' }).click();
    await console.waitForURL(`${server.url}/console/support/${id}`);
    await console.getByRole('button', { name: /^Nhận cuộc trò chuyện/ }).click();
    await console.waitForURL(`${server.url}/console/support/${id}?ok=handoff-taken`);
    const fromConsole = 'Chào anh/chị, tôi là Lan ở bộ phận một cửa. Anh/chị cần hỗ trợ thủ tục nào?';
    await console.getByLabel('Câu trả lời').fill(fromConsole);
    await console.getByRole('button', { name: 'Gửi trả lời' }).click();
    await console.waitForURL(`${server.url}/console/support/${id}?ok=handoff-replied`);
    expect(await console.locator('[data-transcript] li[data-from="operator"]').innerText()).toContain(fromConsole);
    await console.screenshot({ path: join(SHOTS, 'support-conversation.png'), fullPage: true });
    expect(await seriousViolations(console), 'conversation').toEqual([]);

    // The citizen typed nothing since: the page shows the reply by itself.
    const staff = chat.locator('#log .msg.bot.staff');
    await staff.first().waitFor({ timeout: SEEN_WITHIN });
    expect(await staff.first().innerText()).toContain(fromConsole);

    // A script's reply through the admin API arrives the same way, once.
    const fromApi = 'Hồ sơ có thể nộp trực tuyến trên Cổng dịch vụ công.';
    expect((await admin('POST', `/handoffs/${id}/reply`, { text: fromApi })).status).toBe(409); // Lan has it
    expect((await admin('POST', `/handoffs/${id}/close`)).status).toBe(200);
    await staff.nth(1).waitFor({ timeout: SEEN_WITHIN });
    expect(await staff.nth(1).innerText()).toContain('Cán bộ đã kết thúc cuộc trò chuyện');
    expect(await staff.count()).toBe(2);
    expect(await chat.locator('#q').inputValue()).toBe('');

    expect(await seriousViolations(chat), 'web chat').toEqual([]);
    for (const page of [chat, console]) {
      expect(await cspViolations(page)).toEqual([]);
      expect(problems.get(page)).toEqual([]);
    }
  });

  it('a reply through /admin/handoffs/:id/reply reaches a page that is waiting', async () => {
    const chat = await openPage('/');
    await chat.locator('#q').focus();
    await chat.keyboard.type('tôi muốn nói chuyện với người thật');
    await chat.keyboard.press('Enter');
    await chat.locator('#log .msg.bot[data-intent="handoff"]').waitFor({ timeout: 20_000 });
    const open = ((await admin('GET', '/handoffs?status=open')).body.handoffs as Array<{ id: string; reason: string }>).slice(-1);
    expect(open).toHaveLength(1);
    const text = 'Chào anh/chị, cán bộ Minh đây.';
    expect((await admin('POST', `/handoffs/${open[0]!.id}/reply`, { text })).status).toBe(200);
    const staff = chat.locator('#log .msg.bot.staff');
    await staff.first().waitFor({ timeout: SEEN_WITHIN });
    expect(await staff.first().innerText()).toContain(text);
    expect(await cspViolations(chat)).toEqual([]);
    expect(problems.get(chat)).toEqual([]);
  });
});
