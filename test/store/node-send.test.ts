/**
 * The Node entry's Upstash REST sender (store/node-send), an HTTP/1.1 client on raw sockets, against
 * loopback servers started here: raw net servers that write exact bytes (split anywhere, as TCP may
 * deliver them), node:http and node:https ones. Framing, interim replies, keep-alive pooling and its
 * cap, stale sockets, malformed and oversized replies, aborts, header injection, TLS and process exit.
 */
import { execFileSync, spawn } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeSend } from '../../src/store/node-send';
import type { RestSend } from '../../src/store/rest-requester';

const TEXT = 'Thủ tục cấp đổi Căn cước';
const BODY = Buffer.from(JSON.stringify({ result: TEXT }));

const LENGTH_REPLY = reply('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nUPSTASH-SYNC-TOKEN: 41\r\n', BODY);
/** 7-byte chunks: several end inside a Vietnamese character; an extension and a trailer too. */
const CHUNKED_REPLY = Buffer.concat([
  Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nupstash-sync-token: 41\r\n\r\n'),
  ...pieces(BODY, 7).map((piece, i) => Buffer.concat([Buffer.from(`${piece.length.toString(16)}${i === 0 ? ';name="a b"' : ''}\r\n`), piece, Buffer.from('\r\n')])),
  Buffer.from('0\r\nX-Trailer: yes\r\n\r\n'),
]);
const INTERIM_REPLY = Buffer.concat([Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n'), LENGTH_REPLY]);
/** Neither a length nor chunks: the body ends with the connection. */
const CLOSE_REPLY = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nUpstash-Sync-Token: 41\r\n\r\n'), BODY]);

function reply(head: string, body: Buffer | string): Buffer {
  const bytes = Buffer.from(body);
  return Buffer.concat([Buffer.from(`${head}Content-Length: ${bytes.length}\r\n\r\n`), bytes]);
}

function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** One event-loop turn: the client's socket reads what was written before the next write. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes `bytes` in pieces cut at `cuts`, one turn apart. */
async function writeCut(socket: net.Socket, bytes: Buffer, cuts: number[]): Promise<void> {
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    socket.write(bytes.subarray(from, cut));
    from = cut;
    await turn();
  }
}

interface RawServer {
  url: string;
  connections: number;
  closed: number;
  requests: string[];
  close(): Promise<void>;
}

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A net server that parses each request (head and Content-Length body) and leaves the reply to `respond`. */
async function rawServer(respond: (socket: net.Socket, request: string) => unknown): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.setNoDelay(true); // each write its own segment
    socket.on('error', () => {});
    socket.on('close', () => {
      state.closed++;
      sockets.delete(socket);
    });
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(buf.toString('latin1', 0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        const request = buf.toString('utf8', 0, end + 4 + length);
        buf = buf.subarray(end + 4 + length);
        state.requests.push(request);
        void respond(socket, request);
      }
    });
  });
  const state: RawServer = {
    url: await listen(server),
    connections: 0,
    closed: 0,
    requests: [],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  servers.push(state);
  return state;
}

async function listen(server: net.Server, scheme = 'http'): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `${scheme}://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

/** A node:http server answering every request with `{"result":"<path>"}`, counting connections. */
async function httpServer(handler?: http.RequestListener): Promise<{ url: string; connections: () => number; server: http.Server }> {
  let connections = 0;
  const server = http.createServer(
    handler ??
      ((req, res) => {
        req.resume();
        req.on('end', () => res.end(JSON.stringify({ result: req.url })));
      }),
  );
  server.on('connection', () => connections++);
  const url = await listen(server);
  servers.push({ close: () => closeServer(server) });
  return { url, connections: () => connections, server };
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function post(send: RestSend, url: string, opts: { headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {}) {
  return send(url, opts.headers ?? { 'content-type': 'application/json' }, opts.body ?? '["GET","x"]', opts.signal ?? new AbortController().signal);
}

/** The request's body: here, where to cut the reply (-1: after every byte). */
const cutsOf = (request: string, length: number): number[] => {
  const at = Number(request.slice(request.indexOf('\r\n\r\n') + 4));
  return at < 0 ? Array.from({ length: length - 1 }, (_, i) => i + 1) : [at];
};

describe('nodeSend', () => {
  it('the chunked fixture cuts Vietnamese characters between chunks', () => {
    expect(pieces(BODY, 7).some((piece) => !Buffer.from(piece.toString('utf8')).equals(piece))).toBe(true);
  });

  for (const [name, bytes] of [
    ['a Content-Length reply', LENGTH_REPLY],
    ['a chunked reply', CHUNKED_REPLY],
    ['a reply after 1xx interim ones', INTERIM_REPLY],
  ] as const) {
    it(`reads ${name} however the bytes are split, on one kept-alive connection`, async () => {
      const server = await rawServer((socket, request) => writeCut(socket, bytes, cutsOf(request, bytes.length)));
      const send = nodeSend();
      for (let at = -1; at < bytes.length; at++) {
        if (at === 0) continue;
        const got = await post(send, `${server.url}/pipeline`, { body: String(at) });
        expect(got, `cut at ${at}`).toEqual({ status: 200, text: BODY.toString('utf8'), syncToken: '41' });
      }
      expect(server.connections).toBe(1);
      expect(server.requests[0]).toMatch(/^POST \/pipeline HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\ncontent-type: application\/json\r\nContent-Length: 2\r\n\r\n-1$/);
    });
  }

  it('reads a reply framed by the close, split anywhere, and never reuses that connection', async () => {
    const server = await rawServer(async (socket, request) => {
      await writeCut(socket, CLOSE_REPLY, cutsOf(request, CLOSE_REPLY.length));
      socket.end();
    });
    const send = nodeSend();
    for (const at of [-1, 1, 17, 44, CLOSE_REPLY.length - 1]) {
      expect(await post(send, server.url, { body: String(at) })).toEqual({ status: 200, text: BODY.toString('utf8'), syncToken: '41' });
    }
    expect(server.connections).toBe(5);
  });

  it('reads the sync token in any case, and leaves it out when there is none', async () => {
    const server = await rawServer((socket, request) =>
      socket.write(request.includes('"a"') ? reply('HTTP/1.1 200 OK\r\nuPsTaSh-SyNc-ToKeN:   abc \r\n', '{}') : reply('HTTP/1.1 400 Bad Request\r\n', '{"error":"ERR"}')),
    );
    const send = nodeSend();
    expect(await post(send, server.url, { body: '"a"' })).toEqual({ status: 200, text: '{}', syncToken: 'abc' });
    expect(await post(send, server.url, { body: '"b"' })).toEqual({ status: 400, text: '{"error":"ERR"}', syncToken: undefined });
  });

  it('reuses one kept-alive connection for sequential requests', async () => {
    const { url, connections } = await httpServer();
    const send = nodeSend();
    for (const path of ['/', '/pipeline', '/multi-exec?x=1']) expect((await post(send, url + path)).text).toBe(JSON.stringify({ result: path }));
    expect(connections()).toBe(1);
  });

  it('does not reuse a connection after Connection: close, an HTTP/1.0 reply or bytes past the reply', async () => {
    for (const bytes of [
      reply('HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\n', '{}'),
      reply('HTTP/1.0 200 OK\r\n', '{}'),
      Buffer.concat([reply('HTTP/1.1 200 OK\r\n', '{}'), reply('HTTP/1.1 200 OK\r\n', '"out of step"')]),
    ]) {
      // The server would answer a second request on the same connection: only the client can refuse to.
      const server = await rawServer((socket) => socket.write(bytes));
      const send = nodeSend();
      await post(send, server.url);
      expect((await post(send, server.url)).text).toBe('{}');
      expect(server.connections, bytes.toString()).toBe(2);
    }
  });

  it('opens at most maxSockets connections and queues further requests in order', async () => {
    let open = 0;
    let mostOpen = 0;
    const order: string[] = [];
    const { url, connections } = await httpServer((req, res) => {
      open++;
      mostOpen = Math.max(mostOpen, open);
      order.push(req.url!);
      req.resume();
      setTimeout(() => {
        open--;
        res.end(JSON.stringify({ result: req.url }));
      }, 20);
    });
    const send = nodeSend({ maxSockets: 2 });
    const paths = ['/1', '/2', '/3', '/4', '/5'];
    const got = await Promise.all(paths.map((path) => post(send, url + path)));
    expect(got.map((r) => r.text)).toEqual(paths.map((path) => JSON.stringify({ result: path })));
    expect(connections()).toBe(2);
    expect(mostOpen).toBe(2);
    expect(order).toEqual(paths);
  });

  it('after the server closes an idle connection, the next request goes out on a fresh one', async () => {
    // As a server's keep-alive timeout does.
    const server = await rawServer((socket) => {
      socket.write(reply('HTTP/1.1 200 OK\r\n', '{}'));
      setTimeout(() => socket.end(), 20);
    });
    const send = nodeSend();
    await post(send, server.url);
    await sleep(100);
    expect((await post(send, server.url)).status).toBe(200);
    expect(server.connections).toBe(2);
  });

  it('rejects when a kept-alive connection closes with no reply, and the pool recovers', async () => {
    // The server drops its first connection on the second request: a stale socket, or a lost reply.
    const server = await rawServer((socket, request) => {
      if (server.requests.length === 2) socket.destroy();
      else socket.write(reply('HTTP/1.1 200 OK\r\n', request.endsWith('"c"') ? '"c"' : '{}'));
    });
    const send = nodeSend({ maxSockets: 1 });
    await post(send, server.url, { body: '"a"' });
    await expect(post(send, server.url, { body: '"b"' })).rejects.toThrow(/closed before the reply/);
    expect((await post(send, server.url, { body: '"c"' })).text).toBe('"c"');
    expect(server.requests).toHaveLength(3); // never sent twice
    expect(server.connections).toBe(2);
  });

  it('rejects a malformed status line, header, chunk size or chunk end, and closes that connection', async () => {
    for (const bad of [
      'HTTP/1.1 OK\r\nContent-Length: 0\r\n\r\n',
      'HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nno colon here\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nX-Bare: a\nb\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n0\r\n\r\n',
    ]) {
      const server = await rawServer((socket) => socket.write(bad));
      await expect(post(nodeSend(), server.url), bad).rejects.toThrow(/malformed|bad/i);
      await sleep(10);
      expect(server.closed, bad).toBe(1);
    }
  });

  it('refuses a reply over maxReplyBytes however it is framed, and takes one at the limit', async () => {
    const body = 'x'.repeat(100);
    for (const [bytes, ok] of [
      [reply('HTTP/1.1 200 OK\r\n', body), true],
      [reply('HTTP/1.1 200 OK\r\n', `${body}y`), false],
      [Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n${body.slice(50)}\r\n33\r\n${body.slice(49)}\r\n0\r\n\r\n`), false],
      [Buffer.from(`HTTP/1.1 200 OK\r\n\r\n${body}y`), false],
    ] as const) {
      const server = await rawServer((socket) => {
        socket.write(bytes);
        if (!bytes.includes('Length') && !bytes.includes('chunked')) socket.end();
      });
      const sent = post(nodeSend({ maxReplyBytes: 100 }), server.url);
      if (ok) expect((await sent).text).toBe(body);
      else await expect(sent).rejects.toThrow(/too large/);
    }
  });

  it('refuses a too-large Content-Length before the body arrives', async () => {
    const server = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n'));
    await expect(post(nodeSend({ maxReplyBytes: 100 }), server.url)).rejects.toThrow(/too large/);
  });

  it('an abort before or during a request rejects with its reason, closes that connection and leaves no listener', async () => {
    const server = await rawServer(() => {}); // never answers
    const send = nodeSend({ maxSockets: 1 });
    const before = new AbortController();
    before.abort(new Error('stop before'));
    await expect(post(send, server.url, { signal: before.signal })).rejects.toThrow('stop before');
    expect(server.connections).toBe(0);

    const during = new AbortController();
    const sent = post(send, server.url, { signal: during.signal });
    const queued = new AbortController();
    const waiting = post(send, server.url, { signal: queued.signal }); // behind the one socket
    while (server.requests.length === 0) await sleep(5);
    expect(getEventListeners(during.signal, 'abort')).toHaveLength(1);
    queued.abort(new Error('stop queued'));
    await expect(waiting).rejects.toThrow('stop queued');
    during.abort(new Error('stop during'));
    await expect(sent).rejects.toThrow('stop during');
    await sleep(10);
    expect(server.closed).toBe(1);
    expect(server.requests).toHaveLength(1);
    for (const c of [before, during, queued]) expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);

    // The aborted call's slot is free again, and an answered call leaves no listener either.
    const answering = await httpServer();
    const done = new AbortController();
    await post(send, answering.url, { signal: done.signal });
    expect(getEventListeners(done.signal, 'abort')).toHaveLength(0);
  });

  it('refuses a header name or value with a line break, before connecting', async () => {
    const server = await rawServer((socket) => socket.write(reply('HTTP/1.1 200 OK\r\n', '{}')));
    const send = nodeSend();
    await expect(post(send, server.url, { headers: { authorization: 'Bearer t\r\nX-Injected: 1' } })).rejects.toThrow(/line break/);
    await expect(post(send, server.url, { headers: { 'x-a\nb': '1' } })).rejects.toThrow(/line break/);
    expect(server.connections).toBe(0);
  });

  const openssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!openssl)('speaks TLS, checks the certificate, and reuses the TLS connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'node-send-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      const key = readFileSync(join(dir, 'key.pem'));
      const cert = readFileSync(join(dir, 'cert.pem'));
      let connections = 0;
      const server = https.createServer({ key, cert }, (req, res) => {
        req.resume();
        req.on('end', () => res.end(JSON.stringify({ result: TEXT })));
      });
      server.on('secureConnection', () => connections++);
      const url = await listen(server, 'https');
      servers.push({ close: () => closeServer(server) });
      const send = nodeSend({ tls: { ca: cert } });
      for (let i = 0; i < 2; i++) expect(await post(send, `${url}/pipeline`)).toEqual({ status: 200, text: JSON.stringify({ result: TEXT }), syncToken: undefined });
      expect(connections).toBe(1);
      // With the system's authorities only, the self-signed certificate is refused.
      await expect(post(nodeSend(), url)).rejects.toThrow(/self-signed|certificate/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets the process exit while its kept-alive socket sits idle, but not while it waits on it', async () => {
    const { url } = await httpServer((req, res) => {
      req.resume();
      setTimeout(() => res.end('{}'), req.url === '/slow' ? 200 : 0);
    });
    const module = fileURLToPath(new URL('../../src/store/node-send.ts', import.meta.url));
    // Nothing but the socket keeps the child alive while the second (slow) reply is awaited.
    const code = `const { nodeSend } = await import(${JSON.stringify(module)});
      const send = nodeSend();
      await send(${JSON.stringify(url)}, {}, '[]', new AbortController().signal);
      await send(${JSON.stringify(`${url}/slow`)}, {}, '[]', new AbortController().signal);
      console.log('answered');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let answeredAt = 0;
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('answered')) answeredAt = performance.now();
    });
    const exitCode = await new Promise((resolve) => child.on('exit', resolve));
    expect(exitCode).toBe(0);
    expect(answeredAt).toBeGreaterThan(0);
    // Well under the 4 s idle timeout, after which a referenced socket would be closed anyway.
    expect(performance.now() - answeredAt).toBeLessThan(1500);
  }, 20_000);
});
