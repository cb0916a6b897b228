/**
 * @module test/support/redis-resp
 * A minimal RESP2 client over node:net, for tests only: the Upstash bridge forwards REST calls
 * through it, and suites use it to clean up their own keys. Replies are matched to commands in
 * send order, so many commands can be in flight (pipelined) on one connection. Bulk strings are
 * decoded as UTF-8, which is all this project stores.
 */
import net from 'node:net';

export type RespValue = string | number | null | RespError | RespValue[];

/** An error reply (`-ERR …`). Top-level ones reject `send`; inside arrays (EXEC) they are values. */
export class RespError extends Error {
  override name = 'RespError';
}

interface Pending {
  resolve: (value: RespValue) => void;
  reject: (error: Error) => void;
}

/** A parsed reply and where the next one starts; undefined while the reply is incomplete. */
type Parsed = { value: RespValue; next: number } | undefined;

const CRLF = '\r\n';

export class RespClient {
  private readonly pending: Pending[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private failure: Error | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('redis connection closed')));
  }

  static connect(host: string, port: number, timeoutMs = 2000): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`redis at ${host}:${port} did not accept a connection in ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new RespClient(socket));
      });
    });
  }

  /** Sends one command; resolves with its reply, rejects with RespError for an error reply. */
  send(args: ReadonlyArray<string | number>): Promise<RespValue> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(encodeCommand(args));
    });
  }

  /** Closes the connection; commands still in flight reject. */
  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let offset = 0;
    for (;;) {
      const parsed = parseReply(this.buffer, offset);
      if (!parsed) break;
      offset = parsed.next;
      this.settle(parsed.value);
    }
    this.buffer = this.buffer.subarray(offset);
  }

  private settle(value: RespValue): void {
    const waiter = this.pending.shift();
    if (!waiter) return; // unsolicited reply: nothing waits for it
    if (value instanceof RespError) waiter.reject(value);
    else waiter.resolve(value);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.pending.splice(0)) waiter.reject(error);
  }
}

function encodeCommand(args: ReadonlyArray<string | number>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}${CRLF}`)];
  for (const arg of args) {
    const bytes = Buffer.from(String(arg), 'utf8');
    parts.push(Buffer.from(`$${bytes.length}${CRLF}`), bytes, Buffer.from(CRLF));
  }
  return Buffer.concat(parts);
}

/** Parses one RESP2 reply starting at offset (arrays nest). */
export function parseReply(buffer: Buffer, offset: number): Parsed {
  const lineEnd = buffer.indexOf(CRLF, offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset]!);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next };
    case '-':
      return { value: new RespError(line), next };
    case ':':
      return { value: Number(line), next };
    case '$':
      return parseBulk(buffer, next, Number(line));
    case '*':
      return parseArray(buffer, next, Number(line));
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

function parseBulk(buffer: Buffer, start: number, length: number): Parsed {
  if (length < 0) return { value: null, next: start };
  const end = start + length;
  if (buffer.length < end + 2) return undefined;
  return { value: buffer.toString('utf8', start, end), next: end + 2 };
}

function parseArray(buffer: Buffer, start: number, count: number): Parsed {
  if (count < 0) return { value: null, next: start };
  const items: RespValue[] = [];
  let next = start;
  for (let i = 0; i < count; i++) {
    const item = parseReply(buffer, next);
    if (!item) return undefined;
    items.push(item.value);
    next = item.next;
  }
  return { value: items, next };
}
