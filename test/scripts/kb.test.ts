/**
 * The kb CLI (scripts/kb.ts, scripts/lib/kb.ts): its command line, the requests it sends (seen
 * by a loopback server that records them), and end to end against the composed app served on
 * 127.0.0.1: add a file, the same file again, a folder, a preview, list, retire, export, and
 * import into an empty store. The token must never appear in anything the CLI prints.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { main, type KbIo } from '../../scripts/kb';
import {
  addFileRequest,
  baseUrl,
  checkFieldsForCount,
  describeFailure,
  isoDate,
  KbUsageError,
  kindId,
  parseKbArgs,
  retireRequest,
} from '../../scripts/lib/kb';
import { listenLoopback, readRequest, sendJson, type LoopbackServer } from '../support/http-fake-kit';
import { makeTestApp, type TestApp } from '../support/runtime';

const TOKEN = 'kb-cli-token-0123456789';
const FIXTURES = join(import.meta.dirname, '../fixtures/documents');

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI's main in-process with its own env and captured output. */
async function kb(argv: string[], env: Record<string, string | undefined>): Promise<Run> {
  const out = sink();
  const err = sink();
  const io: KbIo = { env, fetch: globalThis.fetch, stdout: out.stream, stderr: err.stream };
  const code = await main(argv, io);
  const run = { code, out: out.text(), err: err.text() };
  expect(run.out + run.err).not.toContain(TOKEN);
  return run;
}

const tmpDirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'kb-test-'));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

describe('kb command line', () => {
  const env = { KB_URL: 'https://bot.example.gov.vn' };

  it('reads add with every field, in both --flag value and --flag=value forms', () => {
    const cmd = parseKbArgs(
      [
        'add', 'directive.pdf', '--to', 'https://bot.example.gov.vn/base', '--title', 'Chỉ thị về CCHC', '--number=22-CT/TU',
        '--kind', 'Chỉ thị', '--issuer', 'Tỉnh ủy', '--issued-at', '22/6/2022', '--effective-at', '2022-06-22',
        '--expires-at', '31.12.2030', '--supersedes', ' a , b,,', '--visibility', 'internal', '--source', 'VP Tỉnh ủy',
        '--dry-run', '--actor', 'Nguyễn Văn A', '--timeout', '30',
      ],
      {},
    );
    expect(cmd).toMatchObject({
      cmd: 'add',
      targets: ['directive.pdf'],
      dryRun: true,
      recursive: false,
      actor: 'Nguyễn Văn A',
      timeoutMs: 30_000,
      fields: {
        title: 'Chỉ thị về CCHC',
        number: '22-CT/TU',
        kind: 'directive',
        issuer: 'Tỉnh ủy',
        issuedAt: '2022-06-22',
        effectiveAt: '2022-06-22',
        expiresAt: '2030-12-31',
        supersedes: 'a,b',
        visibility: 'internal',
        source: 'VP Tỉnh ủy',
      },
    });
    expect(cmd.cmd === 'add' && cmd.base.href).toBe('https://bot.example.gov.vn/base/');
  });

  it('takes the server from KB_URL when --to is absent, and --to over KB_URL', () => {
    expect(parseKbArgs(['list'], env)).toMatchObject({ cmd: 'list', q: undefined, json: false });
    expect((parseKbArgs(['list'], env) as { base: URL }).base.href).toBe('https://bot.example.gov.vn/');
    expect((parseKbArgs(['list', '--to', 'https://other.gov.vn'], env) as { base: URL }).base.host).toBe('other.gov.vn');
    expect(parseKbArgs(['list', '--q', 'một cửa', '--json'], env)).toMatchObject({ q: 'một cửa', json: true });
    expect(parseKbArgs(['retire', 'chi-thi-22'], env)).toMatchObject({ cmd: 'retire', id: 'chi-thi-22' });
    expect(parseKbArgs(['export'], env)).toMatchObject({ cmd: 'export', out: undefined });
    expect(parseKbArgs(['export', '--out', 'x.ndjson'], env)).toMatchObject({ out: 'x.ndjson' });
    expect(parseKbArgs(['import', 'x.ndjson'], env)).toMatchObject({ cmd: 'import', file: 'x.ndjson' });
    expect(parseKbArgs([], env)).toEqual({ cmd: 'help' });
    expect(parseKbArgs(['add', '--help'], {})).toEqual({ cmd: 'help' });
  });

  const bad: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['unknown command', ['publish', 'a.pdf'], env, /Unknown command "publish"/],
    ['unknown option', ['list', '--verbose'], env, /Unknown option --verbose/],
    ['option of another command', ['list', '--title', 'x'], env, /list does not take --title/],
    ['missing value', ['add', 'a.pdf', '--title'], env, /--title needs a value/],
    ['value that is a flag', ['add', 'a.pdf', '--title', '--dry-run'], env, /--title needs a value/],
    ['repeated option', ['list', '--q', 'a', '--q', 'b'], env, /given twice/],
    ['no server', ['list'], {}, /--to https:\/\/… or set KB_URL/],
    ['not a URL', ['list', '--to', 'bot.example.gov.vn'], {}, /Not a valid server URL/],
    ['plain http to another host', ['list', '--to', 'http://bot.example.gov.vn'], {}, /unencrypted/],
    ['credentials in URL', ['list', '--to', 'https://u:p@bot.example.gov.vn'], {}, /no credentials/],
    ['add without a file', ['add'], env, /at least one file/],
    ['retire without an id', ['retire'], env, /exactly one id/],
    ['retire with two ids', ['retire', 'a', 'b'], env, /exactly one id/],
    ['import without a file', ['import'], env, /exactly one \.ndjson/],
    ['visibility', ['add', 'a.pdf', '--visibility', 'secret'], env, /public or internal/],
    ['impossible date', ['add', 'a.pdf', '--issued-at', '31/2/2024'], env, /not a real date/],
    ['date in another form', ['add', 'a.pdf', '--issued-at', 'June 2022'], env, /not YYYY-MM-DD/],
    ['timeout', ['list', '--timeout', '0'], env, /--timeout/],
    ['boolean with a value', ['add', 'a.pdf', '--dry-run=yes'], env, /takes no value/],
  ];
  it.each(bad)('refuses %s with a bilingual reason', (_name, argv, e, message) => {
    let caught: unknown;
    try {
      parseKbArgs(argv, e);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(KbUsageError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toMatch(/ — /);
  });

  it('allows http:// to this machine, and elsewhere only with --allow-http', () => {
    expect(baseUrl('http://127.0.0.1:8787').href).toBe('http://127.0.0.1:8787/');
    expect(baseUrl('http://localhost:8787/').href).toBe('http://localhost:8787/');
    expect(baseUrl('http://10.0.0.5', true).href).toBe('http://10.0.0.5/');
  });

  it('reads a kind by its Vietnamese name, with or without marks, or by its id', () => {
    expect(['Kế hoạch', 'ke hoach', 'KẾ HOẠCH', 'plan'].map(kindId)).toEqual(['plan', 'plan', 'plan', 'plan']);
    expect(kindId('Công văn')).toBe('official-letter');
    expect(kindId('Nghị định')).toBe('decree');
    expect(kindId('Tờ trình')).toBe('Tờ trình');
  });

  it('reads dates the ISO and the Vietnamese way', () => {
    expect(isoDate('x', '5/1/2023')).toBe('2023-01-05');
    expect(isoDate('x', '2024-02-29')).toBe('2024-02-29');
    expect(() => isoDate('x', '2023-02-29')).toThrow(KbUsageError);
  });

  it('refuses one document’s metadata for many files, but not shared fields', () => {
    expect(() => checkFieldsForCount({ title: 'A', number: '1/KH' }, 3)).toThrow(/title, number can only be given for a single file/);
    expect(() => checkFieldsForCount({ kind: 'Kế hoạch', issuer: 'UBND', visibility: 'public' }, 3)).not.toThrow();
    expect(() => checkFieldsForCount({ title: 'A' }, 1)).not.toThrow();
  });

  it('builds the multipart upload: the file with its type, the fields, ?dryRun=1, and no token in the URL', async () => {
    const base = baseUrl('https://bot.example.gov.vn/tinh');
    const req = addFileRequest(
      { base, fields: { title: 'Kế hoạch 56', supersedes: 'a,b' }, dryRun: true },
      { name: 'Kế hoạch 56.md', bytes: new TextEncoder().encode('# Kế hoạch') },
      { authorization: `Bearer ${TOKEN}` },
    );
    expect(req.url).toBe('https://bot.example.gov.vn/tinh/admin/documents?dryRun=1');
    expect(req.init.method).toBe('POST');
    const form = await new Request(req.url, req.init).formData();
    const file = form.get('file') as File;
    expect(file.name).toBe('Kế hoạch 56.md');
    expect(file.type).toBe('text/markdown');
    expect(await file.text()).toBe('# Kế hoạch');
    expect(form.get('title')).toBe('Kế hoạch 56');
    expect(form.get('supersedes')).toBe('a,b');
    expect(retireRequest({ base, id: 'a/b c' }, {}).url).toBe('https://bot.example.gov.vn/tinh/admin/documents/a%2Fb%20c');
  });

  it('says why the server refused', () => {
    expect(describeFailure(401, '{"error":"unauthorized"}')).toMatch(/ADMIN_TOKEN/);
    expect(describeFailure(413, '{"error":"Tệp lớn hơn giới hạn 10 MB"}')).toMatch(/413.*Tệp lớn hơn giới hạn 10 MB/);
    expect(describeFailure(404, '')).toMatch(/wrong --to/);
    expect(describeFailure(502, '<html>Bad gateway</html>')).toMatch(/502: <html>Bad gateway/);
  });
});

describe('kb over the wire (a loopback server that records requests)', () => {
  let server: LoopbackServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends a folder’s supported files with the token and skips what answers 200', async () => {
    const seen: Array<{ path: string; auth?: string; actor?: string; name: string; type: string; kind: string | null }> = [];
    server = await listenLoopback(async (req, res) => {
      const { url, raw } = await readRequest(req);
      const form = await new Request('http://x/', { method: 'POST', headers: { 'content-type': req.headers['content-type']! }, body: new Uint8Array(raw) }).formData();
      const file = form.get('file') as File;
      seen.push({ path: url.pathname + url.search, auth: req.headers.authorization, actor: req.headers['x-admin-actor'] as string, name: file.name, type: file.type, kind: form.get('kind') as string | null });
      if (file.name.endsWith('.html')) return sendJson(res, 200, { id: 'old', version: 1, status: 'published' });
      if (file.name.endsWith('.pdf')) return sendJson(res, 422, { error: 'Tệp PDF không có lớp chữ — no text layer', code: 'pdf-no-text' });
      sendJson(res, 201, { id: 'new-doc', version: 1, status: 'published', chunks: 4, found: ['number'], warnings: [] });
    });
    const dir = tmp();
    writeFileSync(join(dir, 'a.md'), '# A');
    writeFileSync(join(dir, 'b.html'), '<html></html>');
    writeFileSync(join(dir, 'c.pdf'), '%PDF-1.4');
    writeFileSync(join(dir, 'd.xlsx'), 'x');
    writeFileSync(join(dir, '.e.txt'), 'hidden');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'f.txt'), 'nested');

    const run = await kb(['add', dir, '--kind', 'Kế hoạch', '--actor', 'dong-bo'], { ADMIN_TOKEN: TOKEN, KB_URL: server.url });
    expect(seen.map((s) => s.name)).toEqual(['a.md', 'b.html', 'c.pdf']);
    expect(seen.every((s) => s.auth === `Bearer ${TOKEN}` && s.actor === 'dong-bo' && s.kind === 'plan' && s.path === '/admin/documents')).toBe(true);
    expect(seen.map((s) => s.type)).toEqual(['text/markdown', 'text/html', 'application/pdf']);
    expect(run.out).toMatch(/\+ a\.md: .*published new-doc/);
    expect(run.out).toMatch(/= b\.html: .*unchanged, skipped \(old\)/);
    expect(run.err).toMatch(/c\.pdf: .*422: Tệp PDF không có lớp chữ/);
    expect(run.err).toMatch(/skipped 1 unsupported/);
    expect(run.err).toMatch(/1 published, 1 unchanged, 1 failed/);
    expect(run.code).toBe(1);

    seen.length = 0;
    const deep = await kb(['add', dir, '--recursive', '--dry-run'], { ADMIN_TOKEN: TOKEN, KB_URL: server.url });
    expect(seen.map((s) => [s.name, s.path])).toEqual([
      ['a.md', '/admin/documents?dryRun=1'],
      ['b.html', '/admin/documents?dryRun=1'],
      ['c.pdf', '/admin/documents?dryRun=1'],
      ['f.txt', '/admin/documents?dryRun=1'],
    ]);
    expect(deep.out).toMatch(/\? a\.md: .*preview, not published/);
  });

  it('streams an export to stdout or a file, keeps no half file, and imports as NDJSON', async () => {
    const ndjson = '{"kind":"header","version":1}\n{"key":"doc:a","value":{"title":"Kế hoạch"}}\n';
    let received: { type?: string; auth?: string; body: string } | undefined;
    server = await listenLoopback(async (req, res) => {
      const { url, body } = await readRequest(req);
      if (url.pathname === '/admin/export') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end(ndjson);
      } else if (url.pathname === '/broken/admin/export') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write(ndjson);
        setTimeout(() => res.destroy(), 20);
      } else if (url.pathname === '/admin/import') {
        received = { type: req.headers['content-type'], auth: req.headers.authorization, body };
        sendJson(res, 200, { imported: 2 });
      } else sendJson(res, 404, { error: 'không có' });
    });
    const env = { ADMIN_TOKEN: TOKEN, KB_URL: server.url };
    const toStdout = await kb(['export'], env);
    expect(toStdout.code, toStdout.err).toBe(0);
    expect(toStdout.out).toBe(ndjson);
    expect(toStdout.err).toMatch(/exported 2 lines/);

    const file = join(tmp(), 'backup.ndjson');
    expect((await kb(['export', '--out', file], env)).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(ndjson);

    // A deployment under a path prefix whose export breaks off half way: no file is left behind.
    const brokenFile = join(tmp(), 'broken.ndjson');
    const broken = await kb(['export', '--out', brokenFile], { ADMIN_TOKEN: TOKEN, KB_URL: `${server.url}/broken` });
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/export broke off/);
    expect(existsSync(brokenFile)).toBe(false);
    expect(existsSync(brokenFile + '.part')).toBe(false);

    const imported = await kb(['import', file], env);
    expect(imported.code, imported.err).toBe(0);
    expect(received).toEqual({ type: 'application/x-ndjson', auth: `Bearer ${TOKEN}`, body: ndjson });
    expect(imported.out).toMatch(/imported.*"imported":2/);
  });

  it('refuses without ADMIN_TOKEN, and for a missing file, before sending anything', async () => {
    let hits = 0;
    server = await listenLoopback((_req, res) => (hits++, sendJson(res, 500, {})));
    const noToken = await kb(['list'], { KB_URL: server.url });
    expect(noToken.code).toBe(2);
    expect(noToken.err).toMatch(/ADMIN_TOKEN is not set/);
    const missing = await kb(['add', join(tmp(), 'none.pdf')], { KB_URL: server.url, ADMIN_TOKEN: TOKEN });
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/does not exist/);
    const many = await kb(['add', join(FIXTURES, 'ke-hoach-56-kh-ubnd.md'), join(FIXTURES, 'chi-thi-22-ct-tu.html'), '--title', 'X'], { KB_URL: server.url, ADMIN_TOKEN: TOKEN });
    expect(many.code).toBe(2);
    expect(hits).toBe(0);
  });

  it('exits 1 with a reason when the server is unreachable or refuses the token', async () => {
    server = await listenLoopback((_req, res) => sendJson(res, 401, { error: 'unauthorized: a valid bearer token is required' }));
    const refused = await kb(['retire', 'x'], { KB_URL: server.url, ADMIN_TOKEN: TOKEN });
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/refused ADMIN_TOKEN \(401\)/);
    const url = server.url;
    await server.close();
    server = undefined;
    const down = await kb(['list'], { KB_URL: url, ADMIN_TOKEN: TOKEN });
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/could not reach http:\/\/127\.0\.0\.1:\d+/);
  });
});

// ---------------------------------------------------------------- end to end, the composed app

interface Served {
  t: TestApp;
  url: string;
  close(): Promise<void>;
}

async function serveApp(): Promise<Served> {
  const t = makeTestApp({ ADMIN_TOKEN: TOKEN });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: (req, bindings) => t.app.fetch(req, bindings, t.background.context), port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    t,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Listed {
  documents: Array<{ id: string; status?: string }>;
}

describe('kb against the composed app (issue 17 contract)', () => {
  let app: Served;
  beforeAll(async () => {
    app = await serveApp();
  });
  afterAll(async () => {
    await app?.close();
  });
  const env = () => ({ ADMIN_TOKEN: TOKEN, KB_URL: app.url });
  const list = async (q?: string): Promise<Listed> => {
    const run = await kb(['list', '--json', ...(q ? ['--q', q] : [])], env());
    expect(run.code, run.err).toBe(0);
    return JSON.parse(run.out) as Listed;
  };
  const idIn = (out: string, name: string) => new RegExp(`\\+ ${name.replace(/\./g, '\\.')}: .*published (\\S+)`).exec(out)?.[1];

  /** Ids the first test published, for the export test that follows it. */
  const ids: Record<string, string> = {};

  it('adds, skips the unchanged, previews, lists and retires', async () => {
    const plan = join(FIXTURES, 'ke-hoach-56-kh-ubnd.md');
    const first = await kb(['add', plan, '--kind', 'Kế hoạch'], env());
    expect(first.code, first.err).toBe(0);
    const planId = idIn(first.out, 'ke-hoach-56-kh-ubnd.md');
    expect(planId).toBeTruthy();

    const again = await kb(['add', plan], env());
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain(`= ke-hoach-56-kh-ubnd.md: không đổi, bỏ qua — unchanged, skipped (${planId})`);

    // A folder: the plan again (unchanged), two new documents, one file it cannot send, one scan refused.
    const dir = tmp();
    for (const f of ['ke-hoach-56-kh-ubnd.md', 'chi-thi-22-ct-tu.pdf', 'nghi-dinh-118-2025.html']) copyFileSync(join(FIXTURES, f), join(dir, f));
    writeFileSync(join(dir, 'bang-tinh.xlsx'), 'not sent');
    const folder = await kb(['add', dir, '--visibility', 'public'], env());
    expect(folder.code, folder.err).toBe(0);
    expect(folder.out).toMatch(/= ke-hoach-56-kh-ubnd\.md: .*unchanged/);
    const directiveId = idIn(folder.out, 'chi-thi-22-ct-tu.pdf');
    const decreeId = idIn(folder.out, 'nghi-dinh-118-2025.html');
    expect(directiveId && decreeId).toBeTruthy();
    expect(folder.err).toMatch(/2 published, 1 unchanged, 0 failed/);

    const scanDir = tmp();
    copyFileSync(join(FIXTURES, 'scan.pdf'), join(scanDir, 'scan.pdf'));
    const scan = await kb(['add', join(scanDir, 'scan.pdf')], env());
    expect(scan.code).toBe(1);
    expect(scan.err).toMatch(/scan\.pdf: .*422/);

    // A preview publishes nothing.
    const previewDir = tmp();
    writeFileSync(
      join(previewDir, 'thong-bao.txt'),
      'ỦY BAN NHÂN DÂN TỈNH\nSố: 99/TB-UBND\nTHÔNG BÁO\nvề lịch tiếp nhận hồ sơ trực tuyến trong dịp nghỉ lễ, bộ phận một cửa vẫn tiếp nhận hồ sơ qua cổng dịch vụ công.\n',
    );
    const before = (await list()).documents.length;
    const preview = await kb(['add', join(previewDir, 'thong-bao.txt'), '--dry-run'], env());
    expect(preview.code, preview.err).toBe(0);
    expect(preview.out).toMatch(/\? thong-bao\.txt: .*preview, not published/);
    expect((await list()).documents.length).toBe(before);

    const all = await list();
    expect(all.documents.map((d) => d.id)).toEqual(expect.arrayContaining([planId, directiveId, decreeId]));
    const filtered = await list('118/2025');
    expect(filtered.documents.map((d) => d.id)).toContain(decreeId);
    expect(filtered.documents.map((d) => d.id)).not.toContain(planId);
    const table = await kb(['list'], env());
    expect(table.out).toContain(planId!);

    const retire = await kb(['retire', directiveId!], env());
    expect(retire.code, retire.err).toBe(0);
    expect((await list()).documents.find((d) => d.id === directiveId)?.status).toBe('retired');

    Object.assign(ids, { planId, directiveId, decreeId });
  });

  it('exports everything as NDJSON and imports it into an empty store', async () => {
    expect(ids.planId).toBeTruthy();
    const exportFile = join(tmp(), 'backup.ndjson');
    const exported = await kb(['export', '--out', exportFile], env());
    expect(exported.code, exported.err).toBe(0);
    const lines = readFileSync(exportFile, 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const toStdout = await kb(['export'], env());
    // The same keys both ways (values may differ: an export is itself audited, and the header says when it was made).
    const keys = (text: string) => text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { key?: string }).key);
    expect(keys(toStdout.out)).toEqual(keys(readFileSync(exportFile, 'utf8')));
    expect(toStdout.err).toMatch(new RegExp(`exported ${lines.length} lines`));

    const fresh = await serveApp();
    try {
      const imported = await kb(['import', exportFile], { ADMIN_TOKEN: TOKEN, KB_URL: fresh.url });
      expect(imported.code, imported.err).toBe(0);
      const restored = await kb(['list', '--json'], { ADMIN_TOKEN: TOKEN, KB_URL: fresh.url });
      const byId = (l: Listed) => Object.fromEntries(l.documents.map((d) => [d.id, d.status]));
      expect(byId(JSON.parse(restored.out) as Listed)).toEqual(byId(await list()));
    } finally {
      await fresh.close();
    }
  });

  it('exits 1 with the server’s reason for a wrong token', async () => {
    const run = await kb(['list'], { ADMIN_TOKEN: 'wrong-token-0123456789', KB_URL: app.url });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/refused ADMIN_TOKEN \(401\)/);
  });
});
