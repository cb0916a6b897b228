/**
 * @module test/support/upstash-bridge
 * A loopback HTTP server speaking the Upstash Redis REST protocol the way @upstash/redis uses it,
 * backed by a real redis-server, so UpstashStore is tested against real Redis semantics without
 * the internet. What the client sends and expects (read from its HttpClient):
 *   POST /            body ["CMD", ...args]          -> 200 {"result": r} | 400 {"error": "ERR ..."}
 *   POST /pipeline    body [["CMD", ...], ...]       -> 200 [{"result": r} | {"error": e}, ...]
 *   POST /multi-exec  same, run inside MULTI/EXEC    -> same shape; an aborted EXEC -> 400 {"error"}
 *   Authorization: Bearer <token> (401 {"error":"Unauthorized"} otherwise).
 *   Upstash-Encoding: base64 -> every string in a result is base64 of its UTF-8 bytes (recursively
 *   in arrays); integers and nulls stay JSON. A top-level "OK" stays plain, as Upstash sends it
 *   and as the client's decoder special-cases it.
 * Every request is recorded for assertions, and the bridge can play an upstream outage or a slow
 * upstream for chaos tests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RespClient, RespError, type RespValue } from './redis-resp';

export interface BridgeRequest {
  path: string;
  body: unknown;
  /** Request headers, lower-cased names. */
  headers: Record<string, string>;
  /** HTTP status sent; 0 when the connection was reset instead. */
  status: number;
  /** The JSON body sent back (after any base64 encoding). */
  response: unknown;
}

/** false: healthy; true: answer 502 like a gateway whose upstream is gone; 'reset': drop the socket. */
export type DownMode = boolean | 'reset';

export interface UpstashBridge {
  url: string;
  token: string;
  requests: BridgeRequest[];
  setDown(mode: DownMode): void;
  /** Holds every response back this long, to play a slow or hung upstream. */
  setDelay(ms: number): void;
  /** The next command runs on Redis but its reply is lost (the socket drops), as on a flaky network. */
  loseNextReply(): void;
  close(): Promise<void>;
}

type Command = Array<string | number | boolean>;
type Reply = { status: number; body: unknown };

const MAX_BODY_BYTES = 10 * 1024 * 1024;

export async function startUpstashBridge(opts: {
  redis: { host: string; port: number };
  token: string;
}): Promise<UpstashBridge> {
  const redis = await RespClient.connect(opts.redis.host, opts.redis.port);
  const requests: BridgeRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let down: DownMode = false;
  let delayMs = 0;
  let syncToken = 0;
  let loseReply = false;

  const server = http.createServer((req, res) => {
    void (async () => {
      const record: BridgeRequest = {
        path: new URL(req.url ?? '/', 'http://bridge').pathname,
        body: undefined,
        headers: flattenHeaders(req.headers),
        status: 0,
        response: undefined,
      };
      requests.push(record);
      if (down === 'reset') {
        req.socket.destroy();
        return;
      }
      const reply = await answer(req, record);
      if (loseReply) {
        loseReply = false;
        req.socket.destroy();
        return;
      }
      if (delayMs > 0) await sleep(delayMs, timers);
      if (res.destroyed) return;
      record.status = reply.status;
      record.response = reply.body;
      res.writeHead(reply.status, {
        'content-type': 'application/json',
        'upstash-sync-token': String(++syncToken),
      });
      res.end(JSON.stringify(reply.body));
    })();
  });

  async function answer(req: http.IncomingMessage, record: BridgeRequest): Promise<Reply> {
    if (down) return { status: 502, body: { error: 'Bad Gateway: upstream unavailable' } };
    if (req.method !== 'POST') return { status: 405, body: { error: 'Method Not Allowed' } };
    if (req.headers.authorization !== `Bearer ${opts.token}`) {
      return { status: 401, body: { error: 'Unauthorized' } };
    }
    const text = await readBody(req);
    if (text === null) return { status: 413, body: { error: 'ERR request body too large' } };
    try {
      record.body = JSON.parse(text);
    } catch {
      return { status: 400, body: { error: 'ERR failed to parse command' } };
    }
    const base64 = req.headers['upstash-encoding'] === 'base64';
    return route(record.path, record.body, base64);
  }

  async function route(path: string, body: unknown, base64: boolean): Promise<Reply> {
    switch (path) {
      case '/':
        return isCommand(body) ? single(body, base64) : badRequest();
      case '/pipeline':
        return isCommandList(body) ? pipeline(body, base64) : badRequest();
      case '/multi-exec':
        return isCommandList(body) ? multiExec(body, base64) : badRequest();
      default:
        return { status: 404, body: { error: `ERR unknown path ${path}` } };
    }
  }

  async function single(command: Command, base64: boolean): Promise<Reply> {
    try {
      return { status: 200, body: { result: encode(await redis.send(toArgs(command)), base64) } };
    } catch (error) {
      return { status: 400, body: { error: messageOf(error) } };
    }
  }

  async function pipeline(commands: Command[], base64: boolean): Promise<Reply> {
    const settled = await Promise.allSettled(commands.map((command) => redis.send(toArgs(command))));
    return { status: 200, body: settled.map((outcome) => entry(outcome, base64)) };
  }

  async function multiExec(commands: Command[], base64: boolean): Promise<Reply> {
    // Queued in one synchronous burst, so no other request's command can land inside the
    // transaction on the shared connection.
    const queued = [['MULTI'], ...commands.map(toArgs), ['EXEC']].map((args) => redis.send(args));
    const settled = await Promise.allSettled(queued);
    const exec = settled[settled.length - 1]!;
    if (exec.status === 'rejected') return { status: 400, body: { error: messageOf(exec.reason) } };
    const results = exec.value as RespValue[];
    return {
      status: 200,
      body: results.map((value) =>
        value instanceof RespError ? { error: value.message } : { result: encode(value, base64) },
      ),
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token: opts.token,
    requests,
    setDown: (mode) => {
      down = mode;
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    loseNextReply: () => {
      loseReply = true;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis.close();
    },
  };
}

function entry(outcome: PromiseSettledResult<RespValue>, base64: boolean): unknown {
  return outcome.status === 'fulfilled'
    ? { result: encode(outcome.value, base64) }
    : { error: messageOf(outcome.reason) };
}

/** Base64-encodes strings the way the client's decoder undoes it; numbers and nulls pass as-is. */
export function encode(value: RespValue, base64: boolean, topLevel = true): unknown {
  if (value instanceof RespError) return value.message;
  if (!base64) return value;
  if (typeof value === 'string') {
    return topLevel && value === 'OK' ? value : Buffer.from(value, 'utf8').toString('base64');
  }
  if (Array.isArray(value)) return value.map((item) => encode(item, base64, false));
  return value;
}

function toArgs(command: Command): string[] {
  return command.map(String);
}

function isCommand(body: unknown): body is Command {
  return (
    Array.isArray(body) &&
    body.length > 0 &&
    body.every((arg) => ['string', 'number', 'boolean'].includes(typeof arg))
  );
}

function isCommandList(body: unknown): body is Command[] {
  return Array.isArray(body) && body.length > 0 && body.every(isCommand);
}

function badRequest(): Reply {
  return { status: 400, body: { error: 'ERR invalid command format' } };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** The request body as text, or null when it exceeds MAX_BODY_BYTES. */
async function readBody(req: http.IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sleep(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });
}
