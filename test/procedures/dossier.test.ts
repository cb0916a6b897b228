/**
 * Dossier status: the code's format (Thông tư 01/2018/TT-VPCP, Điều 19) and the upstream lookup,
 * tested against a loopback fake of the lookup service.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { lookupDossier } from '../../src/procedures/dossier';
import { checkDossierCode, findDossierCode } from '../../src/text/dossier-code';
import { startFakeDossier, type FakeDossier } from '../support/fake-dossier';

const CODE = '000.00.12.H42-250701-0001';

describe('checkDossierCode', () => {
  it('accepts the circular\'s format, normalising case and stray punctuation, and reads the date', () => {
    expect(checkDossierCode(' 000.00.12.h42-250701-0001. ')).toEqual({ ok: true, code: CODE, strict: true, received: '2025-07-01' });
  });

  it('accepts the same tail with another unit code as loose', () => {
    expect(checkDossierCode('H42.22-250701-0012')).toMatchObject({ ok: true, strict: false, received: '2025-07-01' });
  });

  it.each(['000.00.12.H42-251301-0001', '000.00.12.H42-250230-0001', '000.00.12.H42-2507010001', 'abc', '22-CT/TU', ''])(
    'refuses %j',
    (raw) => {
      expect(checkDossierCode(raw).ok).toBe(false);
    },
  );

  it('finds a code inside a sentence', () => {
    expect(findDossierCode(`hồ sơ ${CODE} của tôi đến đâu rồi`)).toBe(CODE);
    expect(findDossierCode('hồ sơ của tôi đến đâu rồi')).toBeUndefined();
  });
});

describe('lookupDossier against the loopback fake', () => {
  let fake: FakeDossier;
  beforeAll(async () => {
    fake = await startFakeDossier();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('returns a seeded dossier, asking with the code as a query parameter and for JSON', async () => {
    fake.seed({ [CODE]: { status: 'Đang giải quyết', procedure: 'Đăng ký khai sinh', dueAt: '2025-07-02' } });
    const r = await lookupDossier(CODE, { baseUrl: fake.lookupUrl });
    expect(r).toEqual({
      kind: 'found',
      record: { found: true, code: CODE, status: 'Đang giải quyết', procedure: 'Đăng ký khai sinh', dueAt: '2025-07-02' },
    });
    expect(fake.calls()).toEqual([{ path: '/lookup', code: CODE, accept: 'application/json', status: 200 }]);
  });

  it('keeps query parameters already in the configured URL', async () => {
    await lookupDossier(CODE, { baseUrl: `${fake.lookupUrl}?tinh=42` });
    expect(fake.calls()[0]!.code).toBe(CODE);
  });

  it('reads 404 and { found: false } as not found', async () => {
    expect(await lookupDossier(CODE, { baseUrl: fake.lookupUrl })).toEqual({ kind: 'not-found' });
    fake.script({ body: { found: false } });
    expect(await lookupDossier(CODE, { baseUrl: fake.lookupUrl })).toEqual({ kind: 'not-found' });
  });

  it.each([
    [{ status: 500 }, 'upstream status 500'],
    [{ body: 'not json' }, 'upstream response is not JSON'],
    [{ body: { found: true, code: CODE } }, 'upstream response has an unexpected shape'],
    [{ body: { found: true, code: CODE, status: 'x', dueAt: 'mai' } }, 'upstream response has an unexpected shape'],
    [{ body: { found: true, code: 'KHAC', status: 'x' } }, 'upstream answered about another code'],
  ])('turns a bad upstream answer %j into an error, not a crash', async (script, reason) => {
    fake.script(script);
    expect(await lookupDossier(CODE, { baseUrl: fake.lookupUrl })).toEqual({ kind: 'error', reason });
  });

  it('strips control characters from upstream text before it is shown', async () => {
    fake.script({ body: { found: true, code: CODE, status: 'Đã\u0007 trả\nkết quả' } });
    const r = await lookupDossier(CODE, { baseUrl: fake.lookupUrl });
    expect(r.kind === 'found' && r.record.status).toBe('Đã trả kết quả');
  });

  it('reports an unreachable service as an error', async () => {
    const r = await lookupDossier(CODE, { baseUrl: 'http://127.0.0.1:1/lookup' });
    expect(r).toEqual({ kind: 'error', reason: 'upstream unreachable' });
  });
});

describe('lookupDossier timeout', () => {
  it('gives up after the timeout (fake clock, hanging upstream)', async () => {
    vi.useFakeTimers();
    try {
      const hanging: typeof fetch = (_url, init) =>
        new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
      const pending = lookupDossier(CODE, { baseUrl: 'http://127.0.0.1:9/lookup', fetch: hanging, timeoutMs: 5000 });
      await vi.advanceTimersByTimeAsync(5000);
      expect(await pending).toEqual({ kind: 'error', reason: 'upstream timed out' });
    } finally {
      vi.useRealTimers();
    }
  });
});
