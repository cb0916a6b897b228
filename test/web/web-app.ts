/**
 * The composed app (createApp(createRuntime(loadConfig(env)))) as the Workers entry serves it:
 * the client's address is CF-Connecting-IP. The store and the clock are the test's, so a test
 * moves time instead of waiting.
 */
import { createApp, createRuntime, type Runtime } from '../../src/app';
import { loadConfig, type RawEnv } from '../../src/config';
import { cloudflareClientAddress } from '../../src/channels/web/address';
import { MemoryStore } from '../../src/store/memory';
import { createLogger } from '../../src/log';

export interface ChatBody {
  reply: string;
  intent: string;
  found: boolean;
  sessionId: string;
  citations: unknown[];
  error?: string;
}

export interface WebApp {
  rt: Runtime;
  store: MemoryStore;
  logs: string[];
  /** Moves the test clock. */
  advance(ms: number): void;
  request(path: string, init?: RequestInit): Promise<Response>;
  /** POSTs JSON to /api/chat from `from` (CF-Connecting-IP), with any extra headers. */
  chat(body: unknown, from?: string, headers?: Record<string, string>): Promise<Response>;
}

export const NOW = new Date('2026-11-21T08:00:00+07:00');

export function makeWebApp(env: RawEnv = {}): WebApp {
  let at = NOW.getTime();
  const now = () => new Date(at);
  const logs: string[] = [];
  const store = new MemoryStore({ now: () => at });
  const rt = createRuntime(loadConfig(env), { store, now, log: createLogger('debug', (l) => logs.push(l)) });
  const app = createApp(rt, { clientAddress: cloudflareClientAddress });
  const request = async (path: string, init?: RequestInit) => app.request(path, init);
  return {
    rt,
    store,
    logs,
    advance: (ms) => (at += ms),
    request,
    chat: (body, from = '203.0.113.7', headers = {}) =>
      request('/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': from, ...headers },
        body: JSON.stringify(body),
      }),
  };
}

/** The session cookie a response sets, as a Cookie header value ("name=value"). */
export function sessionCookie(res: Response): string | undefined {
  const set = res.headers.get('set-cookie');
  return set ? set.split(';')[0] : undefined;
}
