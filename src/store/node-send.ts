/**
 * @module store/node-send
 * The Upstash REST sender for Node (see ./rest-requester): a small HTTP/1.1 client of our own on
 * node:net / node:tls sockets, kept alive and pooled per origin. Not for Workers (it imports Node's
 * socket modules); src/node.ts passes it in.
 * Why not node:http: measured on the bench machine (node --single-threaded), one Upstash round trip
 * through a ClientRequest and a keep-alive Agent cost ~281 µs user + 71 µs system CPU (bare
 * node:http 176 µs user), one written and parsed on a kept-alive socket ~50 + 33 µs; a cold question
 * makes two of them against a 3 ms CPU budget. It speaks only what Upstash needs: a POST of a known
 * length, and replies framed by Content-Length, chunked or by the close.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { RestSend } from './rest-requester';

type Reply = Awaited<ReturnType<RestSend>>;

/** Replies larger than this are refused rather than buffered (SCAN pages and lists stay far below). */
const MAX_REPLY_BYTES = 64 * 1024 * 1024;
/**
 * Connections per origin at most. Well above what Telegram's 100 concurrent deliveries keep in
 * flight, so calls do not queue behind the cap while Upstash is slow or retrying (a queued call
 * spends its deadline waiting); still a bound on sockets, which fetch's pool does not have.
 */
const MAX_SOCKETS = 256;
/** Below the 5 s servers commonly keep an idle connection (Node's http), so we seldom write into one being closed. */
const IDLE_TIMEOUT_MS = 4000;
/** A reply's status line and headers, or one chunk-size or trailer line, longer than this is refused. */
const MAX_HEAD_BYTES = 64 * 1024;

export interface NodeSendOptions {
  maxSockets?: number;
  /** Idle sockets are closed after this long. */
  idleTimeoutMs?: number;
  maxReplyBytes?: number;
  /** Certificate authorities to trust instead of the system's (tests). */
  tls?: { ca?: string | Buffer };
}

/** Parser states of a connection's current reply. */
const HEAD = 0, LENGTH = 1, CHUNK_SIZE = 2, CHUNK_DATA = 3, CHUNK_END = 4, TRAILER = 5, UNTIL_CLOSE = 6, DONE = 7;

const CRLFCRLF = Buffer.from('\r\n\r\n');
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-5]\d\d)(?: [^\r\n]*)?$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A CR or LF outside a CRLF: a malformed head. */
const BARE_CR_LF = /\r(?!\n)|(?<!\r)\n/;
const CR_LF = /[\r\n]/;

type PoolOptions = Required<Omit<NodeSendOptions, 'tls'>> & Pick<NodeSendOptions, 'tls'>;

interface Call {
  request: string;
  conn: Conn | undefined;
  settle(error: unknown, reply?: Reply): void;
}

class Pool {
  /** Kept-alive sockets, the most recently used last: reused first, so the oldest idle ones time out. */
  readonly idle: Conn[] = [];
  private readonly queue: Call[] = [];
  private open = 0;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(readonly host: string, readonly port: number, readonly secure: boolean, readonly opts: PoolOptions) {}

  send(call: Call): void {
    let conn = this.idle.pop();
    while (conn && !conn.socket.writable) conn = this.idle.pop(); // the server ended it: closing anyway
    if (conn) conn.start(call, true);
    else if (this.open < this.opts.maxSockets) this.connect(call);
    else this.queue.push(call);
  }

  connect(call: Call): void {
    this.open++;
    new Conn(this).start(call, false);
  }

  dequeue(call: Call): void {
    const i = this.queue.indexOf(call);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** After a complete reply on a socket that stays open. */
  release(conn: Conn): void {
    const next = this.queue.shift();
    if (next) return conn.start(next, true);
    conn.idleAt = performance.now();
    conn.socket.unref(); // an idle pool must not keep the process alive
    this.idle.push(conn);
    this.sweeper ??= setTimeout(() => this.sweep(), this.opts.idleTimeoutMs).unref();
  }

  /** A socket closed: its slot goes to the next queued call. */
  closed(conn: Conn): void {
    this.open--;
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    while (this.queue.length > 0 && this.open < this.opts.maxSockets) this.connect(this.queue.shift()!);
  }

  /** One timer per pool rather than one per socket or request. */
  private sweep(): void {
    this.sweeper = undefined;
    const now = performance.now();
    let n = 0;
    while (n < this.idle.length && now - this.idle[n]!.idleAt >= this.opts.idleTimeoutMs) n++;
    for (const conn of this.idle.splice(0, n)) conn.socket.destroy();
    const oldest = this.idle[0];
    if (oldest) this.sweeper = setTimeout(() => this.sweep(), this.opts.idleTimeoutMs - (now - oldest.idleAt)).unref();
  }
}

/** One socket; its listeners are added once and serve whichever call is current. */
class Conn {
  readonly socket: net.Socket;
  idleAt = 0;
  private call: Call | undefined;
  private error: Error | undefined;
  // The current reply.
  private state = HEAD;
  /** Bytes of an unfinished head or line, kept until the rest arrives. */
  private pending: Buffer | undefined;
  private body: Buffer[] = [];
  private size = 0;
  private remaining = 0;
  private status = 0;
  private syncToken: string | undefined;
  private keepAlive = true;

  constructor(private readonly pool: Pool) {
    const { host, port } = pool;
    // SNI carries host names only (RFC 6066); certificates of IP addresses are still checked.
    this.socket = pool.secure ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ca: pool.opts.tls?.ca }) : net.connect({ host, port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (error) => (this.error ??= error)); // 'close' follows and settles
    this.socket.on('close', () => this.onClose());
  }

  start(call: Call, reused: boolean): void {
    this.call = call;
    call.conn = this;
    this.state = HEAD; // the rest of the reply's state is set as it is read, or reset by finish()
    this.syncToken = undefined;
    if (reused) this.socket.ref();
    this.socket.write(call.request);
  }

  /** Ends the current call without an answer (abort, malformed reply): the socket cannot be reused. */
  drop(error?: unknown): void {
    const call = this.call;
    this.call = undefined;
    this.socket.destroy();
    if (call && error) call.settle(error);
  }

  private onData(chunk: Buffer): void {
    if (!this.call) return void this.socket.destroy(); // a reply nobody asked for: out of step
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    try {
      this.parse(buf);
    } catch (error) {
      this.drop(error);
    }
  }

  private parse(buf: Buffer): void {
    let pos = 0;
    for (;;) {
      if (this.state === DONE) return this.finish(pos < buf.length);
      if (pos === buf.length) return;
      switch (this.state) {
        case HEAD: {
          const end = buf.indexOf(CRLFCRLF, pos);
          if (end < 0 || end - pos > MAX_HEAD_BYTES) return this.hold(buf, pos);
          this.readHead(buf.toString('latin1', pos, end));
          pos = end + 4;
          break;
        }
        case LENGTH:
        case CHUNK_DATA: {
          const end = Math.min(buf.length, pos + this.remaining);
          this.take(buf.subarray(pos, end));
          this.remaining -= end - pos;
          pos = end;
          if (this.remaining === 0) this.state = this.state === LENGTH ? DONE : CHUNK_END;
          break;
        }
        case UNTIL_CLOSE:
          this.take(pos === 0 ? buf : buf.subarray(pos));
          return;
        default: {
          const nl = buf.indexOf(10, pos);
          if (nl < 0 || nl - pos > MAX_HEAD_BYTES) return this.hold(buf, pos);
          if (nl === pos || buf[nl - 1] !== 13) throw new Error('Upstash reply: malformed chunked body');
          const line = buf.toString('latin1', pos, nl - 1);
          pos = nl + 1;
          this.readLine(line);
        }
      }
    }
  }

  /** Keeps the start of a head or line for the next chunk. */
  private hold(buf: Buffer, pos: number): void {
    if (buf.length - pos > MAX_HEAD_BYTES) throw new Error('Upstash reply: head or chunk line too long');
    this.pending = buf.subarray(pos);
  }

  private readHead(head: string): void {
    const lines = head.split('\r\n');
    const status = STATUS_LINE.exec(lines[0]!);
    if (!status || BARE_CR_LF.test(head)) throw new Error('Upstash reply: malformed status line or headers');
    this.status = Number(status[2]);
    if (this.status === 101) throw new Error('Upstash reply: unexpected protocol switch');
    if (this.status < 200) return; // 1xx interim: the real head follows
    this.keepAlive = status[1] === '1';
    let length: string | undefined;
    let coding: string | undefined;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      const name = line.slice(0, Math.max(colon, 0));
      if (!TOKEN.test(name)) throw new Error('Upstash reply: malformed header line');
      const value = line.slice(colon + 1).trim();
      switch (name.toLowerCase()) {
        case 'content-length':
          if (!/^\d+$/.test(value) || (length !== undefined && length !== value)) throw new Error('Upstash reply: bad Content-Length');
          length = value;
          break;
        case 'transfer-encoding':
          coding = value.toLowerCase();
          break;
        case 'connection':
          if (/(?:^|,)\s*close\s*(?:,|$)/i.test(value)) this.keepAlive = false;
          break;
        case 'upstash-sync-token':
          this.syncToken = value;
      }
    }
    if (this.status === 204 || this.status === 304) this.state = DONE;
    else if (coding !== undefined) {
      // Framed by the last coding if chunked, else by the close; with a length too, the framing is
      // in doubt, so the socket is not trusted with another request (RFC 9112 §6.3).
      const chunked = /(?:^|,)\s*chunked$/.test(coding);
      if (!chunked || length !== undefined) this.keepAlive = false;
      this.state = chunked ? CHUNK_SIZE : UNTIL_CLOSE;
    } else if (length !== undefined) {
      this.remaining = Number(length);
      if (this.remaining > this.pool.opts.maxReplyBytes) throw new Error('Upstash reply too large');
      this.state = this.remaining > 0 ? LENGTH : DONE;
    } else {
      this.keepAlive = false;
      this.state = UNTIL_CLOSE;
    }
  }

  /** A chunk-size line, the CRLF after a chunk's data, or a trailer line. */
  private readLine(line: string): void {
    if (this.state === CHUNK_END) {
      if (line !== '') throw new Error('Upstash reply: malformed chunked body');
      this.state = CHUNK_SIZE;
    } else if (this.state === TRAILER) {
      if (line === '') this.state = DONE;
    } else {
      const semi = line.indexOf(';'); // chunk extensions are ignored
      const hex = (semi < 0 ? line : line.slice(0, semi)).trimEnd();
      if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) throw new Error('Upstash reply: bad chunk size');
      this.remaining = parseInt(hex, 16);
      if (this.size + this.remaining > this.pool.opts.maxReplyBytes) throw new Error('Upstash reply too large');
      this.state = this.remaining > 0 ? CHUNK_DATA : TRAILER;
    }
  }

  private take(bytes: Buffer): void {
    this.size += bytes.length;
    if (this.size > this.pool.opts.maxReplyBytes) throw new Error('Upstash reply too large');
    this.body.push(bytes);
  }

  /** The reply is complete; the body is decoded once, so a split UTF-8 character joins up. */
  private finish(trailing: boolean): void {
    const call = this.call!;
    this.call = undefined;
    const body = this.body;
    const text = body.length === 1 ? body[0]!.toString('utf8') : Buffer.concat(body, this.size).toString('utf8');
    this.body = [];
    this.size = 0;
    call.settle(undefined, { status: this.status, text, syncToken: this.syncToken });
    // Bytes past the reply mean the stream is out of step.
    if (this.keepAlive && !trailing && this.socket.writable) this.pool.release(this);
    else this.socket.destroy();
  }

  private onClose(): void {
    if (this.call) {
      if (this.state === UNTIL_CLOSE && !this.error) this.finish(false);
      // Never sent again here, even from a kept-alive socket that went stale: a lost reply looks the
      // same, the server may have run the command, and a caller that asked for one attempt gets one.
      // The requester's retries cover the stale socket.
      else this.drop(this.error ?? new Error('Upstash connection closed before the reply was complete'));
    }
    this.pool.closed(this);
  }
}

export function nodeSend(opts: NodeSendOptions = {}): RestSend {
  const options: PoolOptions = {
    maxSockets: opts.maxSockets ?? MAX_SOCKETS,
    idleTimeoutMs: opts.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
    maxReplyBytes: opts.maxReplyBytes ?? MAX_REPLY_BYTES,
    tls: opts.tls,
  };
  const pools = new Map<string, Pool>();
  /** Each URL's pool and request line, parsed once (the requester sends to a handful of paths). */
  const targets = new Map<string, { pool: Pool; start: string }>();

  function target(url: string): { pool: Pool; start: string } {
    let found = targets.get(url);
    if (found) return found;
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`Upstash URL must be http: or https:, not ${u.protocol}`);
    let pool = pools.get(u.origin);
    if (!pool) {
      const secure = u.protocol === 'https:';
      pool = new Pool(u.hostname.replace(/^\[|\]$/g, ''), u.port ? Number(u.port) : secure ? 443 : 80, secure, options);
      pools.set(u.origin, pool);
    }
    if (targets.size >= 64) targets.clear();
    found = { pool, start: `POST ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n` };
    targets.set(url, found);
    return found;
  }

  return (url, headers, body, signal) =>
    new Promise<Reply>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason ?? new Error('Upstash request aborted'));
      const { pool, start } = target(url);
      let request = start;
      for (const name in headers) {
        const value = headers[name]!;
        if (CR_LF.test(name) || CR_LF.test(value)) return reject(new Error(`Upstash request header ${JSON.stringify(name)} holds a line break`));
        request += `${name}: ${value}\r\n`;
      }
      request += `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      const onAbort = (): void => {
        if (call.conn) call.conn.drop();
        else pool.dequeue(call);
        call.settle(signal.reason ?? new Error('Upstash request aborted'));
      };
      const call: Call = {
        request,
        conn: undefined,
        settle(error, reply) {
          signal.removeEventListener('abort', onAbort);
          if (reply) resolve(reply);
          else reject(error);
        },
      };
      signal.addEventListener('abort', onAbort);
      pool.send(call);
    });
}
