import { describe, expect, it } from 'vitest';
import { ConfigError, describeServices, loadConfig, requireSharedStore } from '../src/config';

describe('loadConfig', () => {
  it('runs with embedded defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8787);
    expect(c.openai).toBeUndefined();
    expect(c.upstash).toBeUndefined();
    expect(c.telegram).toBeUndefined();
    expect(c.zalo).toBeUndefined();
    expect(c.admin).toBeUndefined();
    expect(describeServices(c)).toMatchObject({ store: 'memory', telegram: false, zalo: false, admin: false });
  });

  it('turns each service on when its variables are set', () => {
    const c = loadConfig({
      PORT: '9000',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: 'http://127.0.0.1:1234/v1',
      UPSTASH_REDIS_REST_URL: 'https://example.upstash.io',
      UPSTASH_REDIS_REST_TOKEN: 'tok',
      TELEGRAM_BOT_TOKEN: '123:abc',
      TELEGRAM_WEBHOOK_SECRET: 'secret_1',
      ZALO_BOT_TOKEN: '1:z',
      ZALO_WEBHOOK_SECRET: 'zalo-secret',
      ADMIN_TOKEN: 'a'.repeat(32),
    });
    expect(c.port).toBe(9000);
    expect(c.openai).toMatchObject({ apiKey: 'sk-test', baseUrl: 'http://127.0.0.1:1234/v1', model: 'gpt-4o-mini' });
    expect(c.upstash).toEqual({ url: 'https://example.upstash.io', token: 'tok' });
    expect(c.telegram).toEqual({ token: '123:abc', webhookSecret: 'secret_1', apiBase: 'https://api.telegram.org' });
    expect(c.zalo?.apiBase).toBe('https://bot-api.zaloplatforms.com');
    expect(describeServices(c)).toMatchObject({ store: 'upstash', model: 'gpt-4o-mini', telegram: true, zalo: true, admin: true });
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ OPENAI_API_KEY: '', UPSTASH_REDIS_REST_URL: '  ' }).openai).toBeUndefined();
  });

  it('stops with a message naming the variable when a URL is malformed, without echoing the value', () => {
    const bad = () => loadConfig({ UPSTASH_REDIS_REST_URL: 'not a url secret-ish', UPSTASH_REDIS_REST_TOKEN: 't' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/UPSTASH_REDIS_REST_URL/);
    expect(bad).not.toThrow(/secret-ish/);
  });

  it('refuses an operator named "citizen" in ADMIN_TOKENS (the handoff service names the citizen so)', () => {
    for (const name of ['citizen', 'Citizen']) {
      const bad = () => loadConfig({ ADMIN_TOKENS: `lan:lan-token-0123456789abc,${name}:citizen-token-0123456789` });
      expect(bad).toThrow(ConfigError);
      expect(bad).toThrow(/ADMIN_TOKENS: pair 2/);
      expect(bad).not.toThrow(/citizen-token/);
    }
    expect(loadConfig({ ADMIN_TOKENS: 'citizens:citizen-token-0123456789' }).admin?.operators.map((o) => o.name)).toEqual(['citizens']);
  });

  it('names a bad port and a missing half of the Upstash pair', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ UPSTASH_REDIS_REST_URL: 'https://x.io' })).toThrow(/UPSTASH_REDIS_REST_TOKEN/);
  });

  it('refuses a channel token without its webhook secret', () => {
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: '1:x' })).toThrow(/TELEGRAM_WEBHOOK_SECRET: required/);
    expect(() => loadConfig({ ZALO_BOT_TOKEN: '1:x' })).toThrow(/ZALO_WEBHOOK_SECRET: required/);
  });

  it('refuses a short admin token', () => {
    expect(() => loadConfig({ ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN/);
  });

  it('refuses an admin token with characters a bearer token cannot carry', () => {
    expect(() => loadConfig({ ADMIN_TOKEN: 'long enough but with spaces' })).toThrow(/ADMIN_TOKEN: may hold only/);
    expect(loadConfig({ ADMIN_TOKEN: 'aB3._~+/-aB3._~+/-==' }).admin?.token).toBe('aB3._~+/-aB3._~+/-==');
  });

  it('lets tests point the channels at loopback fakes', () => {
    const c = loadConfig({
      TELEGRAM_BOT_TOKEN: 't',
      TELEGRAM_WEBHOOK_SECRET: 'tg_secret',
      TELEGRAM_API_BASE: 'http://127.0.0.1:5555/',
      ZALO_BOT_TOKEN: 'z',
      ZALO_WEBHOOK_SECRET: 'zalo-secret',
      ZALO_API_BASE: 'http://127.0.0.1:5556',
    });
    expect(c.telegram?.apiBase).toBe('http://127.0.0.1:5555');
    expect(c.zalo?.apiBase).toBe('http://127.0.0.1:5556');
  });
});

describe('requireSharedStore (the Workers entry)', () => {
  it('refuses per-isolate memory unless ALLOW_MEMORY_STORE is set, naming the variables', () => {
    expect(() => requireSharedStore(loadConfig({}))).toThrow(/UPSTASH_REDIS_REST_URL.*ALLOW_MEMORY_STORE/s);
    expect(() => requireSharedStore(loadConfig({ ALLOW_MEMORY_STORE: '0' }))).toThrow(ConfigError);
    expect(() => requireSharedStore(loadConfig({ ALLOW_MEMORY_STORE: '1' }))).not.toThrow();
    expect(() =>
      requireSharedStore(loadConfig({ UPSTASH_REDIS_REST_URL: 'https://x.upstash.io', UPSTASH_REDIS_REST_TOKEN: 'tok' })),
    ).not.toThrow();
  });

  it('refuses a malformed ALLOW_MEMORY_STORE instead of guessing', () => {
    expect(() => loadConfig({ ALLOW_MEMORY_STORE: 'yes please' })).toThrow(/ALLOW_MEMORY_STORE/);
  });
});
