/**
 * Generators of hostile HTTP requests for the property tests in this folder and for the heap
 * soak (scripts/fuzz-soak.ts): for each route of the app, requests with random and hostile
 * bodies (invalid JSON, wrong types in the right shape, deep nesting, bodies over the 1 MiB
 * limit up to 10 MiB, invalid UTF-8, random bytes), missing or wrong secrets and tokens, odd
 * content types, malformed percent-encoding in paths and queries. Shaped bodies keep ids in
 * small pools, so state the app keeps for accepted input (claims, memory) stays bounded and a
 * growing heap means a leak, not data.
 */
import fc from 'fast-check';
import { INVITE_ROLES } from '../../src/core/roles';

export interface Secrets {
  telegramSecret: string;
  zaloSecret: string;
  adminToken: string;
}

/** One request to send: body as text or raw bytes (for invalid UTF-8). */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  /** What kind of body it is, for failure messages. */
  kind: string;
}

export interface RouteSpec {
  method: string;
  /** Hono path, with :params. */
  path: string;
}

/** 'test' may create state (valid admin writes); 'soak' leaves admin writes invalid, so state stays flat. */
export type Mode = 'test' | 'soak';

export const MAX_BODY_BYTES = 1024 * 1024;
export const TEN_MIB = 10 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Building blocks.

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
/** A header value a client can send (visible ASCII and spaces). */
const headerValue = fc.string({ unit: printable, maxLength: 80 });
const anyJson = fc.jsonValue({ maxDepth: 3 });
const text = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  // Lone surrogates, NULs and every other code unit.
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'binary', minLength: 2001, maxLength: 2600 }),
);

/** The right value most of the time, anything JSON can hold otherwise (type confusion). */
function maybe<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<T | fc.JsonValue | undefined> {
  return fc.oneof({ weight: 6, arbitrary: valid }, { weight: 2, arbitrary: anyJson }, { weight: 1, arbitrary: fc.constant(undefined) });
}

function record<T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) {
  return fc.record(fields, { requiredKeys: [] });
}

const smallId = fc.integer({ min: 0, max: 999 });
const messageText = maybe(
  fc.oneof(
    text,
    fc.constantFrom(
      '/start', '/help', '/kpi', '/thutuc ho chieu', '/toi', '/xacthuc ABCD-1234', '/xoadulieu', '/thongke', '/nhacviec', '/hoi',
      '/help@tro_ly_cchc_bot', '/help@other_bot', '@tro_ly_cchc_bot chỉ thị 22', 'Thủ tục cấp căn cước', '1', '2.', 'CCCD 001099012345',
    ),
  ),
);

const tgUser = record({ id: maybe(fc.integer({ min: -3, max: 60 })), is_bot: maybe(fc.boolean()), first_name: maybe(text), language_code: maybe(fc.constantFrom('vi', 'en', 'en-US', 'xx', '')) });
const tgChat = record({ id: maybe(fc.integer({ min: -60, max: 60 })), type: maybe(fc.constantFrom('private', 'group', 'supergroup', 'channel', 'weird')) });
const tgButton = record({ text: maybe(text), callback_data: maybe(fc.constantFrom('fb:up', 'fb:down', 'a:/help')) });
const tgMessage = record({
  message_id: maybe(smallId),
  date: maybe(fc.integer()),
  chat: maybe(tgChat),
  from: maybe(tgUser),
  text: messageText,
  message_thread_id: maybe(fc.integer({ min: 0, max: 5 })),
  is_topic_message: maybe(fc.boolean()),
  reply_markup: maybe(record({ inline_keyboard: maybe(fc.array(fc.array(tgButton, { maxLength: 3 }), { maxLength: 3 })) })),
  photo: maybe(fc.array(anyJson, { maxLength: 2 })),
});
const tgCallback = record({
  id: maybe(fc.string({ maxLength: 20 })),
  from: maybe(tgUser),
  message: maybe(tgMessage),
  data: maybe(fc.oneof(fc.constantFrom('fb:up', 'fb:down', 'a:/help', 'a:/kpi', 'b:0123456789abcdef', 'b:', 'zz'), fc.string({ maxLength: 80 }))),
});
export const telegramUpdate = record({
  update_id: maybe(fc.integer({ min: -2, max: 999 })),
  message: maybe(tgMessage),
  callback_query: maybe(tgCallback),
  edited_message: maybe(tgMessage),
  my_chat_member: anyJson,
});

/** Updates Telegram could really send (random text and button data): they reach the answering code. */
const okUser = fc.record({ id: fc.integer({ min: 1, max: 60 }), is_bot: fc.boolean(), language_code: fc.constantFrom('vi', 'en') }, { requiredKeys: ['id', 'is_bot'] });
const okMessage = fc.record(
  {
    message_id: smallId,
    date: fc.constant(1_790_000_000),
    chat: fc.record({ id: fc.integer({ min: -60, max: 60 }), type: fc.constantFrom('private', 'private', 'group', 'supergroup') }),
    from: okUser,
    text: fc.oneof(text, fc.constantFrom('/start', '/help', '/kpi', '/thutuc', '/thutuc ho chieu', '/toi', '/xacthuc ABCD-1234', '/xoadulieu', '/thongke', '/nhacviec', '/huynhac', '@tro_ly_cchc_bot PAR Index', '1', 'đăng ký khai sinh')),
    is_topic_message: fc.boolean(),
    message_thread_id: fc.integer({ min: 1, max: 5 }),
  },
  { requiredKeys: ['message_id', 'chat'] },
);
export const validTelegramUpdate = fc.oneof(
  fc.record({ update_id: smallId, message: okMessage }),
  fc.record({
    update_id: smallId,
    callback_query: fc.record(
      { id: fc.string({ minLength: 1, maxLength: 10 }), from: okUser, message: okMessage, data: fc.oneof(fc.constantFrom('fb:up', 'fb:down', 'a:/help', 'a:/kpi', 'a:/thutuc ho chieu', 'b:0123456789abcdef'), fc.string({ maxLength: 64 }).map((d) => `a:${d}`)) },
      { requiredKeys: ['id', 'from'] },
    ),
  }),
);

const zaloId = maybe(fc.oneof(smallId, smallId.map(String), fc.string({ maxLength: 200 })));
const zaloMessage = record({
  message_id: zaloId,
  date: maybe(fc.integer()),
  from: maybe(record({ id: zaloId, display_name: maybe(text), is_bot: maybe(fc.boolean()) })),
  chat: maybe(record({ id: zaloId, chat_type: maybe(fc.constantFrom('PRIVATE', 'GROUP', 'private', 'OTHER')) })),
  text: messageText,
  photo_url: maybe(fc.webUrl()),
  sticker: maybe(fc.string({ maxLength: 20 })),
  message_type: maybe(fc.string({ maxLength: 20 })),
});
const zaloBare = record({
  event_name: maybe(fc.constantFrom('message.text.received', 'message.image.received', 'message.sticker.received', 'message.unknown', 'user.follow', '', 'x'.repeat(101))),
  message: maybe(zaloMessage),
});
const okZaloMessage = fc.record({
  message_id: smallId.map((n) => `m${n}`),
  date: fc.constant(1_790_000_000_000),
  from: fc.record({ id: fc.integer({ min: 1, max: 60 }).map((n) => `u${n}`), display_name: text }, { requiredKeys: ['id'] }),
  chat: fc.record({ id: fc.integer({ min: 1, max: 60 }).map((n) => `u${n}`), chat_type: fc.constantFrom('PRIVATE', 'GROUP') }),
  text: fc.oneof(text, fc.constantFrom('/help', '1', '2', 'thủ tục hộ chiếu', '/kpi')),
});
export const validZaloEvent = fc.record({
  event_name: fc.constantFrom('message.text.received', 'message.text.received', 'message.image.received', 'message.sticker.received'),
  message: okZaloMessage,
});
export const zaloEvent = fc.oneof(zaloBare, zaloBare.map((result) => ({ ok: true, result })), record({ ok: maybe(fc.boolean()), result: anyJson }));

/** In the soak, web sessions come from a small pool (each new session is a conversation the app keeps). */
const SESSIONS = Array.from({ length: 20 }, (_, i) => `soak-session-${i}`);
function sessionId(mode: Mode) {
  return mode === 'soak' ? fc.constantFrom(...SESSIONS) : fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/);
}
function chatRequest(mode: Mode) {
  const shaped = record({
    message: maybe(text),
    sessionId: maybe(fc.oneof(sessionId(mode), fc.string({ maxLength: 80 }))),
    locale: maybe(fc.constantFrom('vi', 'en', 'fr', '')),
  });
  if (mode === 'test') return shaped;
  // Without a session id the app opens a new conversation: the soak always names one.
  return fc.tuple(shaped, sessionId(mode)).map(([r, sid]) => (r.sessionId === undefined ? { ...r, sessionId: sid } : r));
}
function validChatRequest(mode: Mode) {
  return fc.record({ message: text, locale: fc.constantFrom('vi', 'en'), sessionId: sessionId(mode) }, { requiredKeys: mode === 'soak' ? ['message', 'sessionId'] : ['message'] });
}

const unit = fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,39}$/), fc.string({ maxLength: 50 }));
function inviteRequest(mode: Mode) {
  // In the soak a role is never valid, so no invite is ever created and state cannot grow.
  const role = mode === 'soak' ? fc.oneof(fc.constantFrom('citizen', 'root', ''), fc.string({ maxLength: 10 })) : fc.constantFrom(...INVITE_ROLES, 'citizen', 'root');
  return record({
    role: maybe(role),
    units: maybe(fc.array(unit, { maxLength: 25 })),
    expiresInHours: maybe(fc.integer({ min: -5, max: 1000 })),
    count: maybe(fc.integer({ min: -1, max: mode === 'soak' ? 3 : 51 })),
    note: maybe(text),
    extra: anyJson,
  });
}

const kpiRow = record({
  kpi: maybe(fc.oneof(fc.constantFrom('bd-par-index-rank', 'bd-dti-rank', 'nope'), fc.string({ maxLength: 70 }))),
  period: maybe(fc.oneof(fc.constantFrom('2024', '2025-Q3', '2026-10', '2026-13', '1999'), fc.string({ maxLength: 45 }))),
  value: maybe(fc.oneof(fc.double(), fc.string({ maxLength: 10 }), fc.constantFrom('1,5', '85%', 'NaN'))),
  unit: maybe(fc.string({ maxLength: 25 })),
  source: maybe(fc.string({ maxLength: 310 })),
  url: maybe(fc.oneof(fc.webUrl(), fc.string({ maxLength: 20 }))),
  note: maybe(fc.string({ maxLength: 510 })),
});
function metricsJson(mode: Mode) {
  // The soak never offers a valid row to write (its KPI id is never a known one).
  const row = mode === 'soak' ? kpiRow.map((r) => ({ ...r, kpi: `soak-${String(r.kpi)}` })) : kpiRow;
  return fc.oneof(fc.array(row, { maxLength: 5 }), record({ source: maybe(fc.string({ maxLength: 310 })), observations: maybe(fc.array(row, { maxLength: 5 })) }));
}
const csvCell = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('"', '""', '"a,b"', '\n', '\r\n', 'bd-par-index-rank', '2025', '12'));
const metricsCsv = fc
  .tuple(
    fc.oneof(fc.constant('kpi,period,value'), fc.constant('kpi,period,value,unit,source,url,note'), fc.array(csvCell, { maxLength: 6 }).map((c) => c.join(','))),
    fc.array(fc.array(csvCell, { maxLength: 8 }).map((c) => c.join(',')), { maxLength: 6 }),
  )
  .map(([head, rows]) => [head, ...rows].join('\n'));

// ---------------------------------------------------------------------------------------------
// Hostile bodies that fit any route.

/** Nested arrays or objects, up to 100,000 levels. */
export const deepNesting = fc.tuple(fc.integer({ min: 1, max: 100_000 }), fc.boolean(), fc.boolean()).map(([depth, objects, inUpdate]) => {
  const deep = objects ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth);
  return inUpdate ? `{"update_id":1,"message":{"message_id":1,"chat":{"id":1,"type":"private"},"from":{"id":1,"is_bot":false},"text":"x","extra":${deep}},"extra":${deep}}` : deep;
});

/** A body just under, just over, or far over the 1 MiB limit, as a JSON string or inside a text field. */
export const hugeBody = fc.tuple(fc.constantFrom(MAX_BODY_BYTES - 200, MAX_BODY_BYTES + 1, 2 * MAX_BODY_BYTES, TEN_MIB), fc.boolean()).map(([size, inText]) =>
  inText ? `{"update_id":7,"message":{"message_id":1,"chat":{"id":7,"type":"private"},"from":{"id":7,"is_bot":false},"text":"${'a'.repeat(size)}"},"message_id":"x","event_name":"message.text.received","text":"${'b'.repeat(8)}"}` : `"${'a'.repeat(size)}"`,
);

const INVALID_UTF8: number[][] = [
  [0xff, 0xfe, 0xfd],
  [0xc3, 0x28],
  [0xe2, 0x28, 0xa1],
  [0xed, 0xa0, 0x80], // a UTF-16 surrogate encoded in UTF-8
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xc0, 0xaf], // overlong "/"
];
/** Bytes that are not UTF-8: alone, or inside otherwise valid JSON. */
export const invalidUtf8 = fc.oneof(
  fc.uint8Array({ maxLength: 400 }),
  fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.constantFrom('{"message":"', '{"update_id":3,"message":{"message_id":1,"chat":{"id":3,"type":"private"},"from":{"id":3,"is_bot":false},"text":"', '{"event_name":"message.text.received","message":{"message_id":"u1","date":1,"from":{"id":"u1"},"chat":{"id":"u1","chat_type":"PRIVATE"},"text":"')).map(([bad, head]) => {
    const open = head.split('{').length - 1;
    return new Uint8Array([...Buffer.from(head), ...bad, ...Buffer.from('"' + '}'.repeat(open))]);
  }),
);

const junkText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('', ' ', 'null', 'true', '0', '""', '[]', '{}', '{', '{"', '{"update_id":', '[1,2', 'NaN', '\u0000', '\ufeff{}', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '{"a":1,"a":2}'),
  anyJson.map((v) => JSON.stringify(v)),
);

type Body = { body: string | Uint8Array<ArrayBuffer>; kind: string };
function asBody(kind: string, arb: fc.Arbitrary<unknown>): fc.Arbitrary<Body> {
  return arb.map((v) => ({ body: typeof v === 'string' || v instanceof Uint8Array ? (v as string | Uint8Array<ArrayBuffer>) : JSON.stringify(v), kind }));
}

/** Shaped bodies for a route (what it expects, fields of the wrong type), then the hostile ones. */
function bodiesFor(route: RouteSpec, mode: Mode): fc.Arbitrary<Body> {
  const shaped: Array<fc.Arbitrary<Body>> = [];
  if (route.path === '/webhooks/telegram') shaped.push(asBody('telegram update', telegramUpdate), asBody('valid telegram update', validTelegramUpdate));
  if (route.path === '/webhooks/zalo') shaped.push(asBody('zalo event', zaloEvent), asBody('valid zalo event', validZaloEvent));
  if (route.path === '/api/chat') shaped.push(asBody('chat request', chatRequest(mode)), asBody('valid chat request', validChatRequest(mode)));
  if (route.path === '/admin/invites') shaped.push(asBody('invite request', inviteRequest(mode)));
  if (route.path === '/admin/metrics') shaped.push(asBody('metrics json', metricsJson(mode)), asBody('metrics csv', metricsCsv));
  return fc.oneof(
    ...shaped.map((arbitrary) => ({ weight: 8, arbitrary })),
    { weight: 3, arbitrary: asBody('junk', junkText) },
    { weight: 1, arbitrary: asBody('deep nesting', deepNesting) },
    { weight: 1, arbitrary: asBody('invalid utf-8', invalidUtf8) },
    // Big allocations are slow: rare in the property runs (and sent for sure in the example tests).
    { weight: mode === 'soak' ? 0 : 1, arbitrary: asBody('huge', hugeBody) },
  );
}

// ---------------------------------------------------------------------------------------------
// Headers, paths, queries.

function authHeaders(route: RouteSpec, secrets: Secrets): fc.Arbitrary<Record<string, string>> {
  const variants = (name: string, valid: string, transform = (s: string) => s): fc.Arbitrary<Record<string, string>> =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constant({ [name]: transform(valid) }) },
      { weight: 1, arbitrary: fc.constant({}) },
      { weight: 1, arbitrary: fc.constant({ [name]: '' }) },
      { weight: 1, arbitrary: headerValue.map((v) => ({ [name]: transform(v) })) },
      { weight: 1, arbitrary: fc.constant({ [name]: transform(valid.slice(0, -1) + 'X') }) },
    );
  if (route.path.startsWith('/webhooks/telegram')) return variants('x-telegram-bot-api-secret-token', secrets.telegramSecret);
  if (route.path.startsWith('/webhooks/zalo')) return variants('x-bot-api-secret-token', secrets.zaloSecret);
  if (route.path.startsWith('/admin')) {
    return fc.oneof(
      { weight: 8, arbitrary: variants('authorization', secrets.adminToken, (t) => `Bearer ${t}`) },
      { weight: 1, arbitrary: fc.constantFrom({ authorization: 'Bearer' }, { authorization: `Basic ${secrets.adminToken}` }, { authorization: `bearer   ${secrets.adminToken}  ` }) },
    );
  }
  return fc.constant({});
}

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8', 'application/json; charset=latin1', 'text/csv', 'application/csv', 'text/plain',
      'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'APPLICATION/JSON', '',
    ),
  },
  { weight: 1, arbitrary: headerValue },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const extraHeaders = record({
  'x-request-id': headerValue,
  'x-admin-actor': headerValue,
  'accept-language': fc.oneof(fc.constantFrom('en-US,en;q=0.9', 'vi', 'fr'), headerValue),
});

const pathParam = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%00', '..', '%2e%2e', '%2F', 'inv_0123456789a', 'inv_zzzzzzzzzzz', 'telegram', 'zalo', 'web', '1', '-1', 'a'.repeat(300)),
);

const queryString = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(
      fc.constantFrom('from', 'to', 'top', 'status', 'kpi', 'dryRun', 'source', 'x'),
      fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('2026-01-01', '2026-13-45', '2025-02-30', '0', '-1', '1e9', '101', 'open', 'used', '1', 'true', '../', '2020-01-01T00:00:00Z')),
      { maxKeys: 4 },
    )
    .map((q) => `?${new URLSearchParams(q).toString()}`),
  fc.constantFrom('?%', '?from=%zz', '?&&&=&', '?top=%E0%A4%A', '?a[b]=1&a[b]=2'),
);

/** Every request the fuzzer may send to one route. */
export function requestFor(route: RouteSpec, secrets: Secrets, mode: Mode): fc.Arbitrary<FuzzRequest> {
  const method = fc.oneof({ weight: 12, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') });
  const path = fc
    .array(pathParam, { minLength: 3, maxLength: 3 })
    .map((params) => {
      let i = 0;
      return route.path.replace(/:[A-Za-z]+/g, () => params[i++]!);
    });
  return fc.record({ method, path, query: queryString, auth: authHeaders(route, secrets), type: contentType, extra: extraHeaders, body: bodiesFor(route, mode) }).map(({ method, path, query, auth, type, extra, body }) => {
    const headers: Record<string, string> = { ...(extra as Record<string, string>), ...auth };
    if (type !== undefined) headers['content-type'] = type;
    const hasBody = method !== 'GET' && method !== 'HEAD';
    return { method, path: path + query, headers, body: hasBody ? body.body : undefined, kind: hasBody ? body.kind : 'no body' };
  });
}
