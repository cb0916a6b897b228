/**
 * The web chat page in Debian's headless Chromium, against the real Node server (in-memory store,
 * no model): asking by keyboard, the not-found answer, a 360 px phone and keyboard-only use, the
 * session the server issues in an HttpOnly cookie, and the CSP (no violation in use; anything
 * injected inline is refused).
 * Needs /usr/bin/chromium (apt-get install chromium); fails, never skips, without it.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startNodeServer, type NodeServer } from '../../src/node';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = '/tmp/webchat.png';

let server: NodeServer;
let browser: Browser;
/** Page errors and console errors seen on each page. */
const problems = new WeakMap<Page, string[]>();

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Debian's Chromium is not installed (${CHROMIUM} is missing): run \`apt-get install chromium\`, then run the browser tests again.`,
    );
  }
  server = await startNodeServer({ env: {}, port: 0, hostname: '127.0.0.1' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage(
  viewport = { width: 1024, height: 800 },
  reducedMotion: 'reduce' | 'no-preference' = 'no-preference',
): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'vi-VN', reducedMotion });
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
  await page.goto(server.url + '/');
  await page.locator('#q').waitFor();
  return page;
}

function problemsOf(page: Page): string[] {
  return problems.get(page) ?? [];
}

function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
}

/** Types a question with the keyboard, presses Enter and returns the newest assistant answer. */
async function askByKeyboard(page: Page, question: string) {
  const before = await page.locator('#log .msg.bot[data-intent]').count();
  await page.locator('#q').focus();
  await page.keyboard.type(question);
  await page.keyboard.press('Enter');
  const answer = page.locator('#log .msg.bot[data-intent]').nth(before);
  await answer.waitFor({ timeout: 20_000 });
  return answer;
}

async function hasNoHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      document.documentElement.scrollWidth <= document.documentElement.clientWidth &&
      document.body.scrollWidth <= document.documentElement.clientWidth,
  );
}

describe('web chat page', () => {
  it('answers a question typed with the keyboard, with its sources', async () => {
    const page = await openPage();
    expect(await page.title()).toBe('Trợ lý CCHC');
    expect(await page.getAttribute('html', 'lang')).toBe('vi');

    const answer = await askByKeyboard(page, 'Chỉ thị 22-CT/TU ban hành ngày nào?');
    expect(await page.locator('#q').inputValue()).toBe('');
    const text = await answer.locator('.text').innerText();
    expect(text).toContain('22/6/2022');
    expect(await answer.getAttribute('data-found')).toBe('true');

    const sources = answer.locator('.src li');
    expect(await sources.count()).toBeGreaterThan(0);
    expect(await answer.locator('.src h2').innerText()).toBe('Nguồn');
    const first = await sources.first().innerText();
    expect(first).toMatch(/^\[1\] .+ — .+, \d{1,2}\/\d{1,2}\/\d{4}$/);
    for (const link of await answer.locator('.src a').all()) {
      expect(await link.getAttribute('target')).toBe('_blank');
      expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    }
    // The user's own message is shown, and the waiting indicator is gone.
    expect(await page.locator('#log .msg.me').last().innerText()).toContain('Chỉ thị 22-CT/TU ban hành ngày nào?');
    expect(await page.locator('#log .wait').count()).toBe(0);
    expect(await page.locator('#err').innerText()).toBe('');
    // The server issued the session in an HttpOnly, SameSite=Strict cookie the page's script cannot read.
    const cookies = await page.context().cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'cchc_sid', httpOnly: true, sameSite: 'Strict', path: '/api' });
    expect(cookies[0]!.value).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    // A second question stays in the same session.
    await askByKeyboard(page, 'xin chào');
    expect((await page.context().cookies())[0]!.value).toBe(cookies[0]!.value);
    expect(await server.runtime.store.listRange(`conv:web:${cookies[0]!.value}`, 0, -1)).toHaveLength(4);
    expect(await cspViolations(page)).toEqual([]);
    expect(problemsOf(page)).toEqual([]);
  });

  it('runs only its own script and style: the CSP refuses anything injected inline, and framing', async () => {
    const page = await openPage();
    expect(await cspViolations(page)).toEqual([]);
    const ran = await page.evaluate(() => {
      const w = window as unknown as { injected?: number };
      const script = document.createElement('script');
      script.textContent = 'window.injected = 1';
      document.body.appendChild(script);
      const style = document.createElement('style');
      style.textContent = 'body { display: none }';
      document.head.appendChild(style);
      const button = document.createElement('button');
      button.setAttribute('onclick', 'window.injected = 2');
      document.body.appendChild(button);
      button.click();
      return w.injected ?? null;
    });
    expect(ran).toBeNull();
    expect(await page.locator('#q').isVisible()).toBe(true);
    const refused = await cspViolations(page);
    expect(refused.some((v) => v.startsWith('script-src-elem inline'))).toBe(true);
    expect(refused.some((v) => v.startsWith('style-src-elem inline'))).toBe(true);
    expect(refused.some((v) => v.startsWith('script-src-attr inline'))).toBe(true);

    // Another site (another origin on loopback, so Chromium's local-network checks let it try)
    // cannot frame the chat: frame-ancestors 'none'.
    const framer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<iframe src="${server.url}/"></iframe>`));
    await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
    try {
      const framing = await page.context().newPage();
      // goto waits for the load event, which waits for the frame, shown or refused.
      await framing.goto(`http://127.0.0.1:${(framer.address() as AddressInfo).port}/`);
      const frame = framing.frames().find((f) => f !== framing.mainFrame());
      expect(frame).toBeDefined();
      expect(await frame!.locator('#q').count()).toBe(0);
    } finally {
      await new Promise((resolve) => framer.close(resolve));
    }
  });

  it('says it found nothing, without sources, when nothing matches', async () => {
    const page = await openPage();
    const answer = await askByKeyboard(page, 'quy trình nuôi cá tra xuất khẩu');
    const text = await answer.locator('.text').innerText();
    expect(text).toContain('không tìm thấy');
    expect(await answer.getAttribute('data-found')).toBe('false');
    expect(await answer.locator('.src').count()).toBe(0);
    expect(await answer.locator('.src li').count()).toBe(0);
    expect(problemsOf(page)).toEqual([]);
  });

  it('fits a 360 px phone: input and send button visible, no horizontal scroll', async () => {
    const page = await openPage({ width: 360, height: 740 }, 'reduce');
    const check = async () => {
      for (const selector of ['#q', '#send']) {
        const el = page.locator(selector);
        expect(await el.isVisible(), `${selector} visible`).toBe(true);
        const box = await el.boundingBox();
        expect(box, `${selector} has a box`).not.toBeNull();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.y).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(360);
        expect(box!.y + box!.height).toBeLessThanOrEqual(740);
      }
      expect(await hasNoHorizontalScroll(page)).toBe(true);
    };
    await check();
    // Still true with a long answer and its sources on screen.
    const answer = await askByKeyboard(page, 'Chỉ thị 22-CT/TU ban hành ngày nào?');
    expect(await answer.isVisible()).toBe(true);
    await check();
    await page.screenshot({ path: SCREENSHOT });
  });

  it('shows errors in the alert region and never sends twice while waiting', async () => {
    const page = await openPage();
    let requests = 0;
    // The answer is held until the test has tried to send again, however slow the machine is.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/chat', async (route) => {
      requests++;
      await held;
      await route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: 'Tin nhắn quá dài (tối đa 2000 ký tự).' }) });
    });
    await page.locator('#q').focus();
    await page.keyboard.type('một câu hỏi');
    await page.keyboard.press('Enter');
    await page.locator('#log .wait').waitFor();
    expect(await page.locator('#log .wait').innerText()).toContain('Đang trả lời…');
    expect(await page.locator('#send').getAttribute('aria-disabled')).toBe('true');
    await page.keyboard.type('câu thứ hai');
    await page.keyboard.press('Enter');
    await page.locator('#send').click({ force: true }); // aria-disabled: Playwright would wait otherwise
    release();
    const alert = page.getByRole('alert');
    await page.waitForFunction(() => document.getElementById('err')?.textContent !== '');
    expect(await alert.innerText()).toBe('Tin nhắn quá dài (tối đa 2000 ký tự).');
    expect(requests).toBe(1);
    expect(await page.locator('#q').inputValue()).toBe('câu thứ hai');
    expect(await page.locator('#log .wait').count()).toBe(0);
    expect(await page.locator('#send').getAttribute('aria-disabled')).toBe('false');

    // A dropped connection gets a Vietnamese message too.
    await page.unroute('**/api/chat');
    await page.route('**/api/chat', (route) => route.abort('connectionrefused'));
    await page.locator('#q').fill('');
    await page.locator('#q').press('x');
    await page.locator('#q').press('Enter');
    await page.waitForFunction(() => /Không kết nối được/.test(document.getElementById('err')?.textContent ?? ''));
  });

  it('works by keyboard alone: Tab reaches the labelled textarea and the send button', async () => {
    const page = await openPage();
    // The textarea's accessible name comes from its label.
    const byLabel = page.getByRole('textbox', { name: 'Câu hỏi của bạn' });
    expect(await byLabel.count()).toBe(1);
    expect(await byLabel.getAttribute('id')).toBe('q');
    expect(await page.getByRole('log').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Gửi' }).count()).toBe(1);

    const reached: string[] = [];
    for (let i = 0; i < 15 && !reached.includes('send'); i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName || ''));
    }
    expect(reached).toContain('q');
    expect(reached).toContain('send');
    expect(reached.indexOf('q')).toBeLessThan(reached.indexOf('send'));
    // The focused send button shows a visible focus ring.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');

    // Shift+Enter adds a newline instead of sending.
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q');
    await page.keyboard.type('dòng một');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('dòng hai');
    expect(await page.locator('#q').inputValue()).toBe('dòng một\ndòng hai');
    expect(await page.locator('#log .msg.me').count()).toBe(0);
    expect(await page.locator('#count').innerText()).toContain('17/2000');
  });
});
