/**
 * The operator console in Debian's headless Chromium against the real Node server (in-memory
 * store, no model): signing in (a wrong token refused), every page with a screenshot under
 * test-results/console/ and an axe-core check, a DOCX uploaded, previewed and published, found by
 * the search tester and cited in a web chat answer, then retired and cited no more; creating and
 * revoking an invite, a KPI upload with
 * one bad row previewed as a dry run, closing a task, signing out; a form without its CSRF token
 * refused; a phone-sized viewport; no CSP violation anywhere.
 * Needs /usr/bin/chromium (apt-get install chromium); fails, never skips, without it.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startNodeServer, type NodeServer } from '../../src/node';
import { makeDocx, paragraphXml } from '../knowledge/support/docx';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TOKEN = 'browser-console-token-0123456789';
const LAN_TOKEN = 'browser-lan-token-0123456789';
const SHOTS = join(import.meta.dirname, '../../test-results/console');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PAGES = [
  ['overview', 'Tổng quan', '/console'],
  ['questions', 'Câu hỏi', '/console/questions'],
  ['knowledge', 'Tài liệu', '/console/knowledge'],
  ['kpis', 'Chỉ số', '/console/kpis'],
  ['tasks', 'Nhiệm vụ', '/console/tasks'],
  ['people', 'Người dùng', '/console/people'],
  ['audit', 'Nhật ký', '/console/audit'],
] as const;

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

async function openPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'vi-VN' });
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
  return page;
}

async function signIn(page: Page, token = TOKEN): Promise<void> {
  await page.goto(`${server.url}/console`);
  await page.getByLabel('Mã quản trị').fill(token);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(`${server.url}/console`);
}

/** axe-core's serious and critical violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline script) does not apply.
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
}

async function hasNoHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
}

describe('operator console', () => {
  it('refuses a wrong token, then signs in with an HttpOnly, SameSite=Strict session (Secure once served over https)', async () => {
    const page = await openPage();
    await page.goto(`${server.url}/console/people`);
    expect(page.url()).toContain('/console/signin?next=');
    await page.getByLabel('Mã quản trị').fill('not-the-token-at-all-0000');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await expect.poll(() => page.locator('.notice.error').innerText()).toContain('Mã quản trị không đúng.');
    expect((await page.context().cookies()).some((c) => c.name === 'cchc_console')).toBe(false);

    await page.getByLabel('Mã quản trị').fill(TOKEN);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL(`${server.url}/console/people`);
    const session = (await page.context().cookies()).find((c) => c.name === 'cchc_console')!;
    // Served over plain http on loopback (as `npm start`), so not Secure, as the web chat's cookie;
    // over https it is (test/console/console.test.ts).
    expect(session).toMatchObject({ httpOnly: true, secure: false, sameSite: 'Strict', path: '/console' });
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await cspViolations(page)).toEqual([]);
    // The refused sign-in is the one failed load (its 401).
    expect(problems.get(page)).toEqual(['Failed to load resource: the server responded with a status of 401 (Unauthorized)']);
  });

  it('shows each page from the navigation, accessible (axe-core), with a screenshot', async () => {
    const page = await openPage();
    await signIn(page);
    for (const [id, label, path] of PAGES) {
      await page.getByRole('navigation', { name: 'Các trang quản trị' }).getByRole('link', { name: label, exact: true }).click();
      await page.waitForURL(`${server.url}${path}`);
      expect(await page.locator('h1').innerText()).toBe(label);
      expect(await page.locator(`nav a[aria-current="page"]`).innerText()).toBe(label);
      await page.screenshot({ path: join(SHOTS, `${id}.png`), fullPage: true });
      expect(await seriousViolations(page), id).toEqual([]);
    }
    // Charts are server-drawn SVG in the page.
    await page.goto(`${server.url}/console`);
    expect(await page.locator('figure svg[role="img"]').count()).toBe(2);
    await page.goto(`${server.url}/console/knowledge?q=${encodeURIComponent('Chỉ thị 22-CT/TU ban hành ngày nào?')}`);
    expect(await page.locator('#tester .pass').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'search-tester.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
    expect(problems.get(page)).toEqual([]);
  });

  it('publishes a DOCX, finds it in the search tester and the web chat, and retires it', async () => {
    const lines = [
      'ỦY BAN NHÂN DÂN XÃ TÂN HÒA',
      'Số: 4321/KH-UBND',
      'Tân Hòa, ngày 10 tháng 11 năm 2026',
      'KẾ HOẠCH',
      'Về việc mở cửa Trung tâm Phục vụ hành chính công xã Tân Hòa sáng thứ Bảy',
      'I. MỤC ĐÍCH',
      '1. Trung tâm Phục vụ hành chính công xã Tân Hòa tiếp nhận hồ sơ cả sáng thứ Bảy, từ 7 giờ 45 đến 11 giờ 15.',
      'II. TỔ CHỨC THỰC HIỆN',
      'Văn phòng UBND xã Tân Hòa bố trí công chức trực tiếp nhận hồ sơ sáng thứ Bảy.',
    ];
    const docx = makeDocx(lines.map((l) => paragraphXml(l)).join(''));
    const question = 'Trung tâm Phục vụ hành chính công xã Tân Hòa có tiếp nhận hồ sơ sáng thứ Bảy không?';
    const ops = await openPage();
    await signIn(ops, LAN_TOKEN);
    await ops.goto(`${server.url}/console/knowledge`);
    await ops.getByLabel(/Tệp tài liệu/).setInputFiles({
      name: 'ke-hoach-4321.docx',
      mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      buffer: Buffer.from(docx),
    });
    await ops.getByRole('button', { name: 'Xem trước (chưa đăng)' }).click();
    await ops.locator('#preview-h').waitFor();
    expect(await ops.locator('#preview-h').innerText()).toBe('Xem trước: những gì đọc được từ tệp');
    expect(await ops.locator('#preview').innerText()).toContain('4321/KH-UBND');
    await ops.screenshot({ path: join(SHOTS, 'document-preview.png'), fullPage: true });
    expect(await seriousViolations(ops)).toEqual([]);
    await ops.getByRole('button', { name: 'Đăng tài liệu này' }).click();
    await expect.poll(() => ops.locator('#preview-h').innerText()).toMatch(/^Đã đăng: .+, phiên bản 1$/);
    const row = ops.locator('tr[data-doc]', { hasText: '4321/KH-UBND' });
    const docId = (await row.getAttribute('data-doc'))!;
    const title = (await row.locator('td').first().innerText()).split('\n')[0]!.trim();
    expect(title.length).toBeGreaterThan(0);

    // The search tester finds it.
    await ops.getByLabel('Câu hỏi', { exact: true }).fill(question);
    await ops.getByRole('button', { name: 'Thử', exact: true }).click();
    await ops.locator('#tester .pass').waitFor();
    expect(await ops.locator('#tester').innerText()).toContain('7 giờ 45');

    // A citizen in the web chat gets it, cited.
    const chat = await openPage();
    const ask = async () => {
      await chat.goto(`${server.url}/`);
      await chat.locator('#q').fill(question);
      await chat.keyboard.press('Enter');
      const answer = chat.locator('#log .msg.bot[data-intent]').first();
      await answer.waitFor({ timeout: 20_000 });
      return { text: await answer.locator('.text').innerText(), sources: await answer.locator('.src li').allInnerTexts() };
    };
    const cited = await ask();
    expect(cited.text).toContain('7 giờ 45');
    expect(cited.sources.some((s) => s.includes(title))).toBe(true);
    await chat.screenshot({ path: join(SHOTS, 'webchat-cites-document.png'), fullPage: true });

    // Retired in the console: no longer cited.
    await ops.goto(`${server.url}/console/knowledge`);
    await ops.locator(`tr[data-doc="${docId}"]`).getByRole('button', { name: /^Ngừng dùng tài liệu: / }).click();
    await expect.poll(() => ops.locator('.notice.ok').innerText()).toContain('Đã cho tài liệu ngừng hiệu lực');
    expect(await ops.locator(`tr[data-doc="${docId}"] .status`).innerText()).toBe('Ngừng dùng');
    const after = await ask();
    expect(after.sources.some((s) => s.includes(title))).toBe(false);
    expect(after.text).not.toContain('7 giờ 45');
    expect(await cspViolations(ops)).toEqual([]);
    expect(await cspViolations(chat)).toEqual([]);
    expect(problems.get(ops)).toEqual([]);
    expect(problems.get(chat)).toEqual([]);
  });

  it('creates an invite, shows its code once, and revokes it', async () => {
    const page = await openPage();
    await signIn(page, LAN_TOKEN);
    await page.goto(`${server.url}/console/people`);
    await page.getByLabel('Vai trò').selectOption('official');
    await page.getByLabel('Ghi chú (cấp cho ai)').fill('Chị Hoa, Sở Nội vụ');
    await page.getByRole('button', { name: 'Tạo mã' }).click();
    const code = page.locator('.code');
    await code.waitFor();
    expect(await code.innerText()).toMatch(/^[A-Z0-9]{5}-[A-Z0-9]{5}$/);
    const id = (await code.getAttribute('data-invite-code'))!;
    await page.screenshot({ path: join(SHOTS, 'invite-created.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: `Thu hồi mã mời ${id}` }).click();
    await expect.poll(() => page.locator('.notice.ok').innerText()).toContain('Đã thu hồi mã mời.');
    expect(await page.locator(`#invite-${id} .status`).innerText()).toBe('Đã thu hồi');
    expect(await page.locator('.code').count()).toBe(0);
    await page.goto(`${server.url}/console/audit`);
    expect(await page.locator('tbody').innerText()).toMatch(/Lan\s+invites\.revoke/);
  });

  it('previews a KPI upload with one bad row as a dry run', async () => {
    const page = await openPage();
    await signIn(page);
    await page.goto(`${server.url}/console/kpis`);
    await page.getByLabel(/Tệp CSV hoặc JSON/).setInputFiles({
      name: 'so-lieu.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('kpi,period,value\nbd-dvc-toan-trinh,2026-10,44\nkhong-co-chi-so-nay,2026-10,12\n'),
    });
    await page.getByRole('button', { name: 'Chạy thử (không ghi)' }).click();
    await page.locator('#report-h').waitFor();
    expect(await page.locator('#report-h').innerText()).toBe('Xem trước (chạy thử, chưa ghi)');
    expect(await page.locator('tr.accepted').count()).toBe(1);
    expect(await page.locator('tr.rejected').count()).toBe(1);
    expect(await page.locator('tr.rejected td').first().innerText()).toBe('3');
    await page.screenshot({ path: join(SHOTS, 'kpi-preview.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(await server.runtime.kpi.observations.history('bd-dvc-toan-trinh')).not.toContainEqual(expect.objectContaining({ period: '2026-10' }));
  });

  it('closes a task', async () => {
    const page = await openPage();
    await signIn(page);
    await page.goto(`${server.url}/console/tasks`);
    const row = page.locator('tbody tr').first();
    const id = (await row.getAttribute('id'))!.replace(/^task-/, '');
    await row.getByRole('button', { name: /^Đóng nhiệm vụ/ }).click();
    await expect.poll(() => page.locator('.notice.ok').innerText()).toContain('Đã đóng nhiệm vụ');
    expect(await page.locator(`#task-${id}`).count()).toBe(0);
    const res = await fetch(`${server.url}/admin/tasks/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(((await res.json()) as { task: { status: string } }).task.status).toBe('done');
  });

  it('refuses a form posted without its CSRF token', async () => {
    const page = await openPage();
    await signIn(page);
    // The same browser session (its cookie), but a post that does not carry the form's token.
    const res = await page.context().request.post(`${server.url}/console/people/invites`, { form: { role: 'staff', expiresInHours: '72', count: '1' } });
    expect(res.status()).toBe(403);
    expect(await res.text()).toContain('CSRF');
    expect(await server.runtime.invites.list()).not.toContainEqual(expect.objectContaining({ role: 'staff', createdBy: 'admin' }));
  });

  it('signs out: the console is closed again', async () => {
    const page = await openPage();
    await signIn(page);
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.waitForURL(/\/console\/signin/);
    expect(await page.locator('.notice.ok').innerText()).toContain('Bạn đã đăng xuất.');
    await page.goto(`${server.url}/console/audit`);
    expect(page.url()).toContain('/console/signin');
  });

  it('works on a phone-sized screen', async () => {
    const page = await openPage({ width: 360, height: 740 });
    await signIn(page);
    for (const [id, , path] of PAGES) {
      await page.goto(`${server.url}${path}`);
      expect(await hasNoHorizontalScroll(page), id).toBe(true);
      await page.screenshot({ path: join(SHOTS, `phone-${id}.png`), fullPage: true });
      expect(await seriousViolations(page), id).toEqual([]);
    }
    expect(await cspViolations(page)).toEqual([]);
    expect(problems.get(page)).toEqual([]);
  });
});
