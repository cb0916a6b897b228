/**
 * A browser-like client for the console over the composed app (app.request): it keeps cookies
 * the way a browser would for /console, sends forms, and reads the CSRF token from a page.
 */
import { makeTestApp, type TestApp } from '../support/runtime';
import type { RawEnv } from '../../src/config';

export const TOKEN = 'console-admin-token-0123456789';
export const LAN_TOKEN = 'lan-operator-token-0123456789';
export const ENV: RawEnv = { ADMIN_TOKEN: TOKEN, ADMIN_TOKENS: `Lan:${LAN_TOKEN}` };

export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly t: TestApp,
    private readonly address = '203.0.113.7',
    /** Where the console is reached ('' is http://localhost; e.g. https://cchc.example). */
    private readonly base = '',
  ) {}

  static make(env: RawEnv = ENV, now?: () => Date, base = ''): ConsoleClient {
    return new ConsoleClient(makeTestApp(env, now), undefined, base);
  }

  private get origin(): string {
    return this.base ? new URL(this.base).origin : 'http://localhost';
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (!value || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await this.t.request(this.base + path, { headers: { cookie: this.cookieHeader(), 'x-test-address': this.address, ...headers } });
    this.keep(res);
    return res;
  }

  async post(path: string, form: Record<string, string> | FormData, headers: Record<string, string> = {}): Promise<Response> {
    const body = form instanceof FormData ? form : new URLSearchParams(form);
    const res = await this.t.request(this.base + path, {
      method: 'POST',
      body,
      headers: { cookie: this.cookieHeader(), origin: this.origin, 'x-test-address': this.address, ...headers },
    });
    this.keep(res);
    return res;
  }

  /** The CSRF token of the page at `path`. */
  async csrf(path = '/console'): Promise<string> {
    const html = await (await this.get(path)).text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no CSRF field on ${path}`);
    return m[1]!;
  }

  async signIn(token = TOKEN): Promise<Response> {
    const csrf = await this.csrf('/console/signin');
    return this.post('/console/signin', { _csrf: csrf, token });
  }
}
