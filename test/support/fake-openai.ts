/**
 * A loopback fake of an OpenAI-compatible server, speaking the real wire format the `openai`
 * SDK reads: POST /v1/chat/completions as one JSON object or as an SSE stream of
 * `chat.completion.chunk`s ending in `data: [DONE]` (content and tool-call deltas, a final usage
 * chunk when `stream_options.include_usage` is set), POST /v1/embeddings with deterministic
 * vectors (a hash of the text, so tests are stable), GET /v1/models, and OpenAI's error bodies
 * (`{ error: { message, type, param, code } }`) with `retry-after` on 429.
 *
 * With nothing scripted it behaves like an obedient grounded model: asked for an answer
 * (structured output, or a prompt with <passages>), it answers from passage [1] and cites it
 * (answerable:false when there are no passages); otherwise (the follow-up rewrite) it echoes
 * the <question>.
 * Scripted replies are queued per endpoint and taken first in, first out.
 *
 * Node tests use startFakeOpenAI(); workerd tests reach the instance the global setup started
 * through env.FAKE_OPENAI_URL (the server root: the API is under /v1) and its control API:
 * GET /__calls, POST /__reset, POST /__script (one Script or an array of them).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLoopback, readRequest, sendJson as sendJsonBody } from './http-fake-kit';

export const BINDING = 'FAKE_OPENAI_URL';
export const FAKE_MODEL = 'fake-gpt';
/** Length of the fake's embedding vectors unless the request asks for `dimensions`. */
export const EMBEDDING_DIMENSIONS = 32;

export interface RecordedCall {
  /** 'chat' for /v1/chat/completions, 'embeddings' for /v1/embeddings. */
  endpoint: 'chat' | 'embeddings';
  body: Record<string, unknown>;
  /** Lower-cased request headers (the test key is fake, so authorization is kept to assert on). */
  headers: Record<string, string>;
  /** What the fake did: the HTTP status sent, or 0 when the client went away first. */
  status: number;
  seq: number;
}

export interface ScriptedToolCall {
  name: string;
  /** An object is sent as its JSON; a string is sent as is (to play broken arguments). */
  arguments: Record<string, unknown> | string;
}

/** One canned reply for the next call of an endpoint. */
export interface Script {
  endpoint?: 'chat' | 'embeddings';
  /** Hold the reply back this long (a slow upstream); the client may give up first. */
  delayMs?: number;
  /** An error status with OpenAI's error body (429 also sends retry-after). */
  status?: number;
  retryAfter?: number;
  errorMessage?: string;
  /** The message content as a string (raw: may be malformed JSON on purpose). */
  content?: string;
  /** The message content as JSON (serialised for you). */
  json?: unknown;
  toolCalls?: ScriptedToolCall[];
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** A raw HTTP 200 body that is not JSON at all. */
  rawBody?: string;
  /** In a stream: stop after this many content characters without [DONE] (a cut connection). */
  cutAfterChars?: number;
}

export interface FakeOpenAI {
  url: string;
  /** The base URL to give the SDK (`${url}/v1`). */
  baseURL: string;
  calls(endpoint?: RecordedCall['endpoint']): RecordedCall[];
  script(...scripts: Script[]): void;
  reset(): void;
  close(): Promise<void>;
}

interface FakeState {
  calls: RecordedCall[];
  queues: Record<RecordedCall['endpoint'], Script[]>;
  seq: number;
  timers: Set<NodeJS.Timeout>;
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const state: FakeState = { calls: [], queues: { chat: [], embeddings: [] }, seq: 0, timers: new Set() };
  const server = await listenLoopback((req, res) => {
    handle(state, req, res).catch((e: unknown) => {
      if (!res.headersSent) sendError(res, 500, String(e), 'server_error');
    });
  });
  const url = server.url;
  return {
    url,
    baseURL: `${url}/v1`,
    calls: (endpoint) => state.calls.filter((c) => endpoint === undefined || c.endpoint === endpoint),
    script: (...scripts) => enqueue(state, scripts),
    reset: () => reset(state),
    close: () => {
      reset(state);
      return server.close();
    },
  };
}

/** The global setup of the workers project calls this. */
export async function start(): Promise<{ url: string; close(): Promise<void> }> {
  return startFakeOpenAI();
}

function reset(state: FakeState): void {
  state.calls = [];
  state.queues = { chat: [], embeddings: [] };
  for (const t of state.timers) clearTimeout(t);
  state.timers.clear();
}

function enqueue(state: FakeState, scripts: Script[]): void {
  for (const s of scripts) state.queues[s.endpoint ?? 'chat'].push(s);
}

async function handle(state: FakeState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { url, body: raw } = await readRequest(req);

  if (url.pathname === '/__calls' && req.method === 'GET') return sendJson(res, 200, state.calls);
  if (url.pathname === '/__reset' && req.method === 'POST') {
    reset(state);
    return sendJson(res, 200, { ok: true });
  }
  if (url.pathname === '/__script' && req.method === 'POST') {
    const parsed = safeJson(raw);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    if (!list.every((s) => s && typeof s === 'object')) return sendJson(res, 400, { error: 'need a script object or an array' });
    enqueue(state, list as Script[]);
    return sendJson(res, 200, { ok: true, queued: list.length });
  }
  if (url.pathname === '/v1/models' && req.method === 'GET') {
    return sendJson(res, 200, { object: 'list', data: [{ id: FAKE_MODEL, object: 'model', created: 0, owned_by: 'fake' }] });
  }

  const endpoint = url.pathname === '/v1/chat/completions' ? 'chat' : url.pathname === '/v1/embeddings' ? 'embeddings' : null;
  if (!endpoint || req.method !== 'POST') return sendError(res, 404, `Unknown request URL: ${req.method} ${url.pathname}`, 'invalid_request_error');

  const body = safeJson(raw);
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
  const call: RecordedCall = { endpoint, body: isRecord(body) ? body : {}, headers, status: 0, seq: ++state.seq };
  state.calls.push(call);

  if (!/^Bearer \S+/.test(headers.authorization ?? '')) {
    call.status = 401;
    return sendError(res, 401, 'You did not provide an API key.', 'invalid_request_error', 'invalid_api_key');
  }
  if (!isRecord(body)) {
    call.status = 400;
    return sendError(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
  }

  const script = state.queues[endpoint].shift() ?? {};
  if (script.delayMs) {
    const gone = await wait(state, script.delayMs, req);
    if (gone) return; // the client gave up (timeout or abort): nothing to answer, status stays 0
  }
  if (script.status && script.status >= 400) {
    call.status = script.status;
    return sendScriptedError(res, script);
  }
  if (script.rawBody !== undefined) {
    call.status = 200;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(script.rawBody);
    return;
  }
  call.status = 200;
  if (endpoint === 'embeddings') return sendJson(res, 200, embeddings(body));
  const reply = chatReply(body, script);
  if (body.stream === true) return streamChat(res, body, reply, script);
  return sendJson(res, 200, completion(body, reply));
}

/** What the fake model "says": scripted, or the obedient default. */
interface ChatReply {
  content: string | null;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: string;
  usage: { prompt_tokens: number; completion_tokens: number };
}

function chatReply(body: Record<string, unknown>, s: Script): ChatReply {
  const toolCalls = (s.toolCalls ?? []).map((t, i) => ({
    id: `call_${i + 1}_${t.name}`,
    name: t.name,
    arguments: typeof t.arguments === 'string' ? t.arguments : JSON.stringify(t.arguments),
  }));
  let content: string | null;
  if (s.content !== undefined) content = s.content;
  else if (s.json !== undefined) content = JSON.stringify(s.json);
  else if (toolCalls.length) content = null;
  else content = defaultContent(body);
  const promptChars = JSON.stringify(body.messages ?? []).length;
  return {
    content,
    toolCalls,
    finishReason: s.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop'),
    usage: s.usage ?? { prompt_tokens: Math.ceil(promptChars / 4), completion_tokens: Math.ceil((content ?? '').length / 4) + 1 },
  };
}

/** The obedient default: a grounded answer from passage [1], or an echo of the question. */
function defaultContent(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<{ role?: string; content?: unknown }>) : [];
  const user = [...messages].reverse().find((m) => m.role === 'user');
  const text = typeof user?.content === 'string' ? user.content : '';
  if (body.response_format === undefined && !text.includes('<passages>')) {
    const q = /<question>\s*([\s\S]*?)\s*<\/question>/.exec(text);
    return (q?.[1] ?? text).trim();
  }
  // Passage [1]'s first line after its header line, as a grounded answer citing [1].
  const p = /^\[1\][^\n]*\n([^\n]+)/m.exec(text);
  if (!p) return JSON.stringify({ answer: '', citations: [], answerable: false });
  const sentence = p[1]!.split(/(?<=[.!?])\s/)[0]!.trim();
  return JSON.stringify({ answer: `${sentence} [1]`, citations: [1], answerable: true });
}

function completion(body: Record<string, unknown>, r: ChatReply): unknown {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: typeof body.model === 'string' ? body.model : FAKE_MODEL,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: r.content,
          refusal: null,
          ...(r.toolCalls.length
            ? { tool_calls: r.toolCalls.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } })) }
            : {}),
        },
        logprobs: null,
        finish_reason: r.finishReason,
      },
    ],
    usage: { ...r.usage, total_tokens: r.usage.prompt_tokens + r.usage.completion_tokens },
  };
}

/** Content in small pieces (a few characters, as a model writes), then finish, usage, [DONE]. */
function streamChat(res: ServerResponse, body: Record<string, unknown>, r: ChatReply, s: Script): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const model = typeof body.model === 'string' ? body.model : FAKE_MODEL;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const write = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);

  write(chunk({ role: 'assistant', content: '' }));
  const content = r.content ?? '';
  const limit = s.cutAfterChars ?? Infinity;
  for (let i = 0; i < content.length && i < limit; i += 7) write(chunk({ content: content.slice(i, Math.min(i + 7, limit)) }));
  if (s.cutAfterChars !== undefined) {
    // The connection drops mid-answer, once what was written has reached the client.
    res.write('', () => res.destroy());
    return;
  }
  r.toolCalls.forEach((t, index) => {
    write(chunk({ tool_calls: [{ index, id: t.id, type: 'function', function: { name: t.name, arguments: '' } }] }));
    for (let i = 0; i < t.arguments.length; i += 10) {
      write(chunk({ tool_calls: [{ index, function: { arguments: t.arguments.slice(i, i + 10) } }] }));
    }
  });
  write(chunk({}, r.finishReason));
  const opts = body.stream_options;
  if (isRecord(opts) && opts.include_usage === true) {
    write({
      id: 'chatcmpl-fake',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model,
      choices: [],
      usage: { ...r.usage, total_tokens: r.usage.prompt_tokens + r.usage.completion_tokens },
    });
  }
  res.write('data: [DONE]\n\n');
  res.end();
}

function embeddings(body: Record<string, unknown>): unknown {
  const input = body.input;
  const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map(String) : [];
  const dims = typeof body.dimensions === 'number' ? body.dimensions : EMBEDDING_DIMENSIONS;
  const tokens = texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
  return {
    object: 'list',
    data: texts.map((t, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(t, dims) })),
    model: typeof body.model === 'string' ? body.model : 'fake-embedding',
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

/**
 * A deterministic unit vector from the text: each word adds a hashed direction, so texts that
 * share words point the same way (enough for hybrid-search tests to mean something).
 */
export function fakeEmbedding(text: string, dims = EMBEDDING_DIMENSIONS): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const word of text.normalize('NFC').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean)) {
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619) >>> 0;
    v[h % dims]! += 1;
    v[(h >>> 8) % dims]! += (h & 1) ? 0.5 : -0.5;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

function sendScriptedError(res: ServerResponse, s: Script): void {
  const status = s.status!;
  const headers: Record<string, string> = {};
  if (status === 429) {
    headers['retry-after'] = String(s.retryAfter ?? 20);
    headers['x-ratelimit-remaining-requests'] = '0';
    return sendError(res, 429, s.errorMessage ?? 'Rate limit reached for requests. Please try again later.', 'requests', 'rate_limit_exceeded', headers);
  }
  if (s.retryAfter !== undefined) headers['retry-after'] = String(s.retryAfter);
  const type = status >= 500 ? 'server_error' : 'invalid_request_error';
  sendError(res, status, s.errorMessage ?? (status >= 500 ? 'The server had an error while processing your request.' : 'Bad request.'), type, null, headers);
}

function sendError(res: ServerResponse, status: number, message: string, type: string, code: string | null = null, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_fake', ...headers });
  res.end(JSON.stringify({ error: { message, type, param: null, code } }));
}

/** OpenAI's answers carry a request id. */
function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.setHeader('x-request-id', 'req_fake');
  sendJsonBody(res, status, body);
}

/** Waits ms unless the client disconnects first; resolves true when it went away. */
function wait(state: FakeState, ms: number, req: IncomingMessage): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      state.timers.delete(timer);
      req.socket.off('close', onClose);
      resolve(false);
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      state.timers.delete(timer);
      resolve(true);
    };
    state.timers.add(timer);
    req.socket.once('close', onClose);
  });
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
