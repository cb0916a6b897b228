/**
 * fetchDocument: what an operator's URL may reach. Refused hosts are refused before any request
 * (a recording fetch proves none was made); everything that does go over the network goes to a
 * loopback server on 127.0.0.1, reached only because the test passes `allowAddress` for it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fetchDocument, filenameFor, UrlFetchError, type FetchDocumentOptions } from '../../src/knowledge/fetch-url';
import { listenLoopback, type LoopbackServer } from '../support/http-fake-kit';

const LOOPBACK_ONLY = (host: string) => host === '127.0.0.1';

/** A fetch that records every URL it is asked for and refuses to go anywhere but 127.0.0.1. */
function recordingFetch() {
  const calls: string[] = [];
  const f = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    calls.push(url);
    if (new URL(url).hostname !== '127.0.0.1') throw new Error(`test fetch: refused to reach ${url}`);
    return fetch(url, init);
  }) as typeof fetch;
  return { calls, fetch: f };
}

async function refusal(p: Promise<unknown>): Promise<UrlFetchError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UrlFetchError);
  return e as UrlFetchError;
}

let servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; hits: string[] }> {
  const hits: string[] = [];
  const s = await listenLoopback((req, res) => {
    hits.push(req.url ?? '');
    handler(req, res);
  });
  servers.push(s);
  return { url: s.url, hits };
}

const opts = (f: typeof fetch, more: Partial<FetchDocumentOptions> = {}): FetchDocumentOptions => ({
  maxBytes: 64 * 1024,
  timeoutMs: 5_000,
  fetch: f,
  allowAddress: LOOPBACK_ONLY,
  ...more,
});

describe('fetchDocument refuses without sending anything', () => {
  const refused: Array<[string, string]> = [
    ['http://127.0.0.1/', 'url-private'],
    ['http://127.0.0.2:8080/x.pdf', 'url-private'],
    ['http://2130706433/', 'url-private'],
    ['http://0x7f.1/', 'url-private'],
    ['http://0x7f000001/', 'url-private'],
    ['http://017700000001/', 'url-private'],
    ['http://0177.0.0.1/', 'url-private'],
    ['http://127.1/', 'url-private'],
    ['http://0/', 'url-private'],
    ['http://10.0.0.1/', 'url-private'],
    ['http://10.1/', 'url-private'],
    ['http://172.16.5.4/', 'url-private'],
    ['http://172.31.255.255/', 'url-private'],
    ['http://192.168.1.1/', 'url-private'],
    ['http://100.64.0.1/', 'url-private'],
    ['http://169.254.169.254/latest/meta-data/', 'url-private'],
    ['http://224.0.0.1/', 'url-private'],
    ['http://255.255.255.255/', 'url-private'],
    ['http://[::1]/', 'url-private'],
    ['http://[::]/', 'url-private'],
    ['http://[0:0:0:0:0:0:0:1]/', 'url-private'],
    ['http://[::ffff:127.0.0.1]/', 'url-private'],
    ['http://[::ffff:7f00:1]/', 'url-private'],
    ['http://[::ffff:10.0.0.1]/', 'url-private'],
    ['http://[::ffff:169.254.169.254]/', 'url-private'],
    ['http://[::127.0.0.1]/', 'url-private'],
    ['http://[64:ff9b::192.168.0.1]/', 'url-private'],
    ['http://[2002:c0a8:0101::1]/', 'url-private'],
    ['http://[fe80::1]/', 'url-private'],
    ['http://[fc00::1]/', 'url-private'],
    ['http://[fd00:ec2::254]/', 'url-private'],
    ['http://[ff02::1]/', 'url-private'],
    ['http://localhost/', 'url-private'],
    ['http://LOCALHOST./', 'url-private'],
    ['http://admin.localhost:8787/', 'url-private'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'url-private'],
    ['http://db.internal/', 'url-private'],
    ['http://printer.local/', 'url-private'],
    ['http://redis:6379/', 'url-private'],
    ['file:///etc/passwd', 'url-scheme'],
    ['ftp://example.gov.vn/a.pdf', 'url-scheme'],
    ['javascript:alert(1)', 'url-scheme'],
    ['data:text/plain,hello', 'url-scheme'],
    ['https://user:secret@example.gov.vn/a.pdf', 'url-credentials'],
    ['https://user@example.gov.vn/a.pdf', 'url-credentials'],
    ['not a url', 'url-invalid'],
    [`https://example.gov.vn/${'a'.repeat(3000)}`, 'url-invalid'],
  ];

  it.each(refused)('%s → %s', async (url, code) => {
    const rec = recordingFetch();
    // No allowAddress here: the production rules.
    const e = await refusal(fetchDocument(url, { maxBytes: 1024, timeoutMs: 1000, fetch: rec.fetch }));
    expect(e.code).toBe(code);
    expect(e.status).toBe(400);
    expect(e.reason).toMatch(/ — /); // Vietnamese, then English
    expect(rec.calls).toEqual([]);
  });

  it('lets a public address through to fetch (an injected fetch answers; nothing leaves the machine)', async () => {
    for (const url of ['https://example.gov.vn/a.pdf', 'http://8.8.8.8/x.html', 'http://[2001:4860:4860::8888]/', 'http://[::ffff:8.8.8.8]/']) {
      const seen: string[] = [];
      const f = (async (input: RequestInfo | URL) => {
        seen.push(String(input));
        return new Response('<html><body>xin chào</body></html>', { headers: { 'content-type': 'text/html' } });
      }) as typeof fetch;
      const doc = await fetchDocument(url, { maxBytes: 1024, timeoutMs: 1000, fetch: f });
      expect(seen).toHaveLength(1);
      expect(new TextDecoder().decode(doc.bytes)).toContain('xin chào');
    }
  });

  it('allowAddress sees the host normalised, whatever way it was written', async () => {
    const asked: string[] = [];
    const rec = recordingFetch();
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://[::FFFF:127.0.0.1]/', 'http://LocalHost./']) {
      await refusal(
        fetchDocument(url, {
          maxBytes: 1024,
          timeoutMs: 1000,
          fetch: rec.fetch,
          allowAddress: (h) => (asked.push(h), false),
        }),
      );
    }
    expect(asked).toEqual(['127.0.0.1', '127.0.0.1', '::ffff:7f00:1', 'localhost']);
    expect(rec.calls).toEqual([]);
  });
});

describe('fetchDocument over the network (loopback server)', () => {
  it('fetches a file, following a redirect on the same server', async () => {
    const pdf = '%PDF-1.4\n% test bytes\n';
    const srv = await serve((req, res) => {
      if (req.url === '/old') {
        res.writeHead(302, { location: '/van-ban/download?id=7' });
        res.end();
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/pdf',
        'content-disposition': "attachment; filename*=UTF-8''Ch%E1%BB%89%20th%E1%BB%8B%2022.pdf",
      });
      res.end(pdf);
    });
    const rec = recordingFetch();
    const doc = await fetchDocument(`${srv.url}/old`, opts(rec.fetch));
    expect(new TextDecoder().decode(doc.bytes)).toBe(pdf);
    expect(doc.contentType).toBe('application/pdf');
    expect(doc.filename).toBe('Chỉ thị 22.pdf');
    expect(doc.finalUrl).toBe(`${srv.url}/van-ban/download?id=7`);
    expect(srv.hits).toEqual(['/old', '/van-ban/download?id=7']);
  });

  it('refuses a redirect to a private address before following it', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(301, { location: 'http://10.0.0.1/secret' });
      res.end();
    });
    const rec = recordingFetch();
    const e = await refusal(fetchDocument(`${srv.url}/doc`, opts(rec.fetch)));
    expect(e.code).toBe('url-private');
    expect(e.status).toBe(400);
    expect(e.messages.vi).toMatch(/chuyển hướng/);
    expect(e.messages.en).toContain('10.0.0.1');
    expect(rec.calls).toEqual([`${srv.url}/doc`]);
    expect(srv.hits).toEqual(['/doc']);
  });

  it('refuses a redirect to a private address written as a number, and to another scheme', async () => {
    for (const location of ['http://2130706433:9/', 'http://[::ffff:a00:1]/', 'file:///etc/passwd', 'http://169.254.169.254/']) {
      const srv = await serve((_req, res) => {
        res.writeHead(307, { location });
        res.end();
      });
      const rec = recordingFetch();
      // Loopback is permitted for the first hop only, so a redirect back to 127.0.0.1 in
      // another spelling is judged by the production rules.
      let first = true;
      const e2 = await refusal(
        fetchDocument(`${srv.url}/`, {
          ...opts(rec.fetch),
          allowAddress: (h) => {
            const ok = first && h === '127.0.0.1';
            first = false;
            return ok;
          },
        }),
      );
      expect(e2.code, location).toBe(location.startsWith('file:') ? 'url-scheme' : 'url-private');
      expect(srv.hits, location).toEqual(['/']);
    }
  });

  it('stops after 5 redirects', async () => {
    const srv = await serve((req, res) => {
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? 0);
      res.writeHead(302, { location: `/loop?n=${n + 1}` });
      res.end();
    });
    const rec = recordingFetch();
    const e = await refusal(fetchDocument(`${srv.url}/loop`, opts(rec.fetch)));
    expect(e.code).toBe('url-too-many-redirects');
    expect(srv.hits).toHaveLength(6); // the first request and 5 redirects followed
  });

  it('follows exactly 5 redirects', async () => {
    const srv = await serve((req, res) => {
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? 0);
      if (n < 5) {
        res.writeHead(308, { location: `/hop?n=${n + 1}` });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Kế hoạch số 12');
    });
    const doc = await fetchDocument(`${srv.url}/hop`, opts(recordingFetch().fetch));
    expect(new TextDecoder().decode(doc.bytes)).toBe('Kế hoạch số 12');
    expect(doc.filename).toBe('hop.txt');
  });

  it('refuses a redirect without a Location', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(302);
      res.end();
    });
    expect((await refusal(fetchDocument(srv.url, opts(recordingFetch().fetch)))).code).toBe('url-redirect-invalid');
  });

  it('times out when the server never answers', async () => {
    const srv = await serve(() => {
      /* never answers */
    });
    const e = await refusal(fetchDocument(`${srv.url}/slow`, opts(recordingFetch().fetch, { timeoutMs: 200 })));
    expect(e.code).toBe('url-timeout');
    expect(e.status).toBe(422);
  });

  it('times out when the body trickles in (the limit covers the whole download)', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('bắt đầu ');
      const t = setInterval(() => res.write('.'), 20);
      res.on('close', () => clearInterval(t));
    });
    const e = await refusal(fetchDocument(srv.url, opts(recordingFetch().fetch, { timeoutMs: 300 })));
    expect(e.code).toBe('url-timeout');
  });

  it('refuses a body larger than maxBytes as it streams (no Content-Length)', async () => {
    let closed = false;
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < 1024 && !closed) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (closed = true));
      pump();
    });
    const e = await refusal(fetchDocument(srv.url, opts(recordingFetch().fetch, { maxBytes: 100 * 1024 })));
    expect(e.code).toBe('url-too-large');
    expect(e.status).toBe(413);
    expect(e.messages.en).toContain('100 KB');
  });

  it('refuses a declared Content-Length over maxBytes without reading the body', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(10 * 1024 * 1024) });
      res.write('%PDF-1.7\n');
    });
    const e = await refusal(fetchDocument(srv.url, opts(recordingFetch().fetch, { maxBytes: 1024 * 1024 })));
    expect(e.code).toBe('url-too-large');
    expect(e.messages.vi).toContain('1 MB');
  });

  it('accepts a body of exactly maxBytes', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(Buffer.alloc(4096, 0x62));
    });
    const doc = await fetchDocument(`${srv.url}/a.txt`, opts(recordingFetch().fetch, { maxBytes: 4096 }));
    expect(doc.bytes.byteLength).toBe(4096);
  });

  it('refuses a non-2xx answer', async () => {
    for (const status of [404, 500, 304]) {
      const srv = await serve((_req, res) => {
        res.writeHead(status);
        res.end(status === 304 ? undefined : 'không có');
      });
      const e = await refusal(fetchDocument(srv.url, opts(recordingFetch().fetch)));
      expect(e.code).toBe('url-status');
      expect(e.messages.en).toContain(String(status));
    }
  });

  it('says so when nothing listens there', async () => {
    const srv = await serve(() => {});
    const url = srv.url;
    await servers.pop()!.close();
    const e = await refusal(fetchDocument(url, opts(recordingFetch().fetch)));
    expect(e.code).toBe('url-unreachable');
  });
});

describe('filenameFor', () => {
  it('names what the upload pipeline can read', () => {
    const u = (s: string) => new URL(s);
    expect(filenameFor(u('https://x.gov.vn/van-ban/view.aspx?id=3'), null, 'text/html; charset=utf-8')).toBe('view_aspx.html');
    expect(filenameFor(u('https://x.gov.vn/'), null, 'text/html')).toBe('index.html');
    expect(filenameFor(u('https://x.gov.vn/a/K%E1%BA%BF%20ho%E1%BA%A1ch.docx'), null, null)).toBe('Kế hoạch.docx');
    expect(filenameFor(u('https://x.gov.vn/tai-ve'), 'attachment; filename="22-CT.pdf"', 'application/octet-stream')).toBe('22-CT.pdf');
    expect(filenameFor(u('https://x.gov.vn/tai-ve'), 'attachment; filename="../../etc/passwd"', null)).toBe('_.._etc_passwd');
    expect(filenameFor(u('https://x.gov.vn/file.bin'), null, null)).toBe('file_bin');
  });
});
