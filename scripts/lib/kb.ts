/**
 * @module scripts/lib/kb
 * The pure parts of the `kb` CLI (scripts/kb.ts): reading the command line, building each
 * admin API request (without the token, which the caller adds), reading the answers with zod,
 * and the lines an operator reads (Vietnamese first, then English). No I/O here, so all of it
 * is unit-tested.
 */
import { z } from 'zod';
import { LEGAL_KINDS } from '../../src/knowledge/legal-metadata';
import { fold } from '../../src/text/normalize';

export const USAGE = `kb: đăng, liệt kê, thu hồi, sao lưu văn bản của trợ lý — publish, list, retire and back up the assistant's documents

  npm run kb -- add <tệp|thư mục|https://…> [--to URL] [trường…] [--dry-run] [--recursive] [--json]
  npm run kb -- list [--q từ khóa] [--json]
  npm run kb -- retire <id>
  npm run kb -- export [--out tệp.ndjson]      (mặc định ra stdout — default stdout)
  npm run kb -- import <tệp.ndjson>

Trường — fields (add): --title, --number (số ký hiệu), --kind (loại văn bản: Chỉ thị, Kế hoạch… hoặc directive, plan…), --issuer, --signer,
  --issued-at, --effective-at, --expires-at (YYYY-MM-DD hoặc d/m/yyyy), --supersedes id1,id2,
  --source, --url (nơi đăng gốc — where it is published), --visibility public|internal
Tùy chọn — options: --to URL (hoặc KB_URL), --actor tên (ghi vào nhật ký — audit name),
  --timeout giây — seconds (120; export, import: 600), --allow-http (cho phép http:// tới máy khác — plain http to another host)
Môi trường — environment: ADMIN_TOKEN (bắt buộc — required, không bao giờ in ra — never printed), KB_URL

Thư mục — a folder: mọi tệp .pdf .docx .html .htm .txt .md; tệp không đổi (200) được bỏ qua.
Mã thoát — exit codes: 0 xong — done; 1 máy chủ từ chối hoặc không kết nối được — refused or unreachable;
  2 sai cú pháp hoặc thiếu cấu hình — usage or configuration error.`;

/** A mistake on the command line or in the environment: exit code 2, with the usage hint. */
export class KbUsageError extends Error {
  override name = 'KbUsageError';
  constructor(vi: string, en: string) {
    super(`${vi} — ${en}`);
  }
}

/** The metadata flags of `add` and the multipart field each becomes. */
export const FIELD_FLAGS = {
  title: 'title',
  number: 'number',
  kind: 'kind',
  issuer: 'issuer',
  signer: 'signer',
  'issued-at': 'issuedAt',
  'effective-at': 'effectiveAt',
  'expires-at': 'expiresAt',
  supersedes: 'supersedes',
  source: 'source',
  url: 'url',
  visibility: 'visibility',
} as const;
type FieldName = (typeof FIELD_FLAGS)[keyof typeof FIELD_FLAGS];
export type DocumentFields = Partial<Record<FieldName, string>>;

/** Fields that describe one document: given for a folder, every file would claim them. */
const PER_DOCUMENT: FieldName[] = ['title', 'number', 'signer', 'issuedAt', 'effectiveAt', 'expiresAt', 'supersedes', 'url'];

const DATE_FIELDS: FieldName[] = ['issuedAt', 'effectiveAt', 'expiresAt'];

/** Extensions `add` sends from a folder, and the content type each is sent with. */
export const SUPPORTED_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  html: 'text/html',
  htm: 'text/html',
  txt: 'text/plain',
  md: 'text/markdown',
};

export function extensionOf(filename: string): string {
  return /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '';
}

export function isSupported(filename: string): boolean {
  return !filename.startsWith('.') && extensionOf(filename) in SUPPORTED_TYPES;
}

interface Common {
  base: URL;
  actor?: string;
  timeoutMs: number;
}

export type KbCommand =
  | { cmd: 'help' }
  | (Common & { cmd: 'add'; targets: string[]; fields: DocumentFields; dryRun: boolean; recursive: boolean; json: boolean })
  | (Common & { cmd: 'list'; q?: string; json: boolean })
  | (Common & { cmd: 'retire'; id: string })
  | (Common & { cmd: 'export'; out?: string })
  | (Common & { cmd: 'import'; file: string });

export interface KbEnv {
  KB_URL?: string;
  ADMIN_TOKEN?: string;
}

const BOOLEAN_FLAGS = new Set(['dry-run', 'recursive', 'json', 'allow-http', 'help']);
const VALUE_FLAGS = new Set([...Object.keys(FIELD_FLAGS), 'to', 'q', 'out', 'actor', 'timeout']);

/** Which flags each command takes (beyond --to, --actor, --timeout, --allow-http, --help). */
const COMMAND_FLAGS: Record<string, string[]> = {
  add: [...Object.keys(FIELD_FLAGS), 'dry-run', 'recursive', 'json'],
  list: ['q', 'json'],
  retire: [],
  export: ['out'],
  import: [],
};
const COMMON_FLAGS = ['to', 'actor', 'timeout', 'allow-http', 'help'];

/** Reads `argv` (after `npm run kb --`). Throws KbUsageError on anything it cannot use. */
export function parseKbArgs(argv: string[], env: KbEnv = {}): KbCommand {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      flags.set('help', true);
      continue;
    }
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (BOOLEAN_FLAGS.has(name)) {
      if (eq >= 0) throw new KbUsageError(`--${name} không nhận giá trị.`, `--${name} takes no value.`);
      flags.set(name, true);
    } else if (VALUE_FLAGS.has(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) {
        throw new KbUsageError(`--${name} cần một giá trị.`, `--${name} needs a value.`);
      }
      if (flags.has(name)) throw new KbUsageError(`--${name} được nêu hai lần.`, `--${name} is given twice.`);
      flags.set(name, value);
    } else {
      throw new KbUsageError(`Không biết tùy chọn --${name}.`, `Unknown option --${name}.`);
    }
  }

  const [cmd, ...args] = positional;
  if (flags.has('help') || cmd === undefined || cmd === 'help') return { cmd: 'help' };
  const allowed = COMMAND_FLAGS[cmd];
  if (!allowed) throw new KbUsageError(`Không biết lệnh "${cmd}" (add, list, retire, export, import).`, `Unknown command "${cmd}" (add, list, retire, export, import).`);
  for (const name of flags.keys()) {
    if (!allowed.includes(name) && !COMMON_FLAGS.includes(name)) {
      throw new KbUsageError(`Lệnh ${cmd} không nhận --${name}.`, `${cmd} does not take --${name}.`);
    }
  }
  const str = (name: string) => {
    const v = flags.get(name);
    return typeof v === 'string' ? v : undefined;
  };

  const common: Common = {
    base: baseUrl(str('to') ?? env.KB_URL, flags.has('allow-http')),
    actor: str('actor'),
    // A backup of a province's store may take a while; one upload should not.
    timeoutMs: timeoutOf(str('timeout'), cmd === 'export' || cmd === 'import' ? 600 : 120),
  };

  const exactly = (n: number, vi: string, en: string) => {
    if (args.length !== n) throw new KbUsageError(vi, en);
  };
  switch (cmd) {
    case 'add': {
      if (args.length === 0) throw new KbUsageError('add cần ít nhất một tệp, thư mục hoặc địa chỉ https://.', 'add needs at least one file, folder or https:// URL.');
      const fields: DocumentFields = {};
      for (const [flag, field] of Object.entries(FIELD_FLAGS)) {
        const v = str(flag);
        if (v !== undefined) fields[field] = fieldValue(field, v.trim());
      }
      return { cmd, ...common, targets: args, fields, dryRun: flags.has('dry-run'), recursive: flags.has('recursive'), json: flags.has('json') };
    }
    case 'list':
      exactly(0, 'list không nhận tham số; dùng --q để lọc.', 'list takes no arguments; use --q to filter.');
      return { cmd, ...common, q: str('q'), json: flags.has('json') };
    case 'retire': {
      exactly(1, 'retire cần đúng một id.', 'retire needs exactly one id.');
      const id = args[0]!.trim();
      if (!id) throw new KbUsageError('id rỗng.', 'The id is empty.');
      return { cmd, ...common, id };
    }
    case 'export':
      exactly(0, 'export không nhận tham số; dùng --out tệp hoặc > tệp.', 'export takes no arguments; use --out file or > file.');
      return { cmd, ...common, out: str('out') };
    default:
      exactly(1, 'import cần đúng một tệp .ndjson.', 'import needs exactly one .ndjson file.');
      return { cmd: 'import', ...common, file: args[0]! };
  }
}

/** The deployment's base URL: https, or http to this machine (or anywhere with --allow-http). */
export function baseUrl(raw: string | undefined, allowHttp = false): URL {
  if (!raw) throw new KbUsageError('Thiếu địa chỉ máy chủ: dùng --to https://… hoặc đặt KB_URL.', 'No server: pass --to https://… or set KB_URL.');
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new KbUsageError(`Địa chỉ máy chủ không hợp lệ: ${raw}`, `Not a valid server URL: ${raw}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new KbUsageError('Địa chỉ máy chủ phải bắt đầu bằng https://.', 'The server URL must start with https://.');
  }
  if (u.username || u.password) throw new KbUsageError('Không đặt mật khẩu trong địa chỉ; dùng ADMIN_TOKEN.', 'Put no credentials in the URL; use ADMIN_TOKEN.');
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  // The bearer token would cross the network in clear text.
  if (u.protocol === 'http:' && !loopback && !allowHttp) {
    throw new KbUsageError(
      'http:// sẽ gửi ADMIN_TOKEN không mã hóa; dùng https:// (hoặc --allow-http nếu chắc chắn).',
      'http:// would send ADMIN_TOKEN unencrypted; use https:// (or --allow-http if you are sure).',
    );
  }
  u.search = '';
  u.hash = '';
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u;
}

function timeoutOf(raw: string | undefined, defaultSeconds: number): number {
  if (raw === undefined) return defaultSeconds * 1000;
  const s = Number(raw);
  if (!Number.isFinite(s) || s <= 0 || s > 3600) throw new KbUsageError('--timeout là số giây từ 1 đến 3600.', '--timeout is seconds, 1 to 3600.');
  return Math.round(s * 1000);
}

function fieldValue(field: FieldName, v: string): string {
  if (field === 'visibility' && v !== 'public' && v !== 'internal') {
    throw new KbUsageError('--visibility là public hoặc internal.', '--visibility is public or internal.');
  }
  if (DATE_FIELDS.includes(field)) return isoDate(field, v);
  if (field === 'kind') return kindId(v);
  if (field === 'supersedes') {
    const ids = v.split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length === 0) throw new KbUsageError('--supersedes cần ít nhất một id.', '--supersedes needs at least one id.');
    return ids.join(',');
  }
  if (!v) throw new KbUsageError(`Trường ${field} rỗng.`, `The ${field} field is empty.`);
  if (field === 'url' && !/^https?:\/\/\S+$/i.test(v)) throw new KbUsageError('--url phải là địa chỉ http(s).', '--url must be an http(s) address.');
  return v;
}

/**
 * The API's kind id for a kind written the way an operator says it ("Chỉ thị", "chi thi",
 * "Kế hoạch" → directive, plan); anything else is sent as given, for the server to judge.
 */
export function kindId(v: string): string {
  const key = fold(v).toLowerCase().replace(/\s+/g, ' ').trim();
  return LEGAL_KINDS.find((k) => k.id === key || fold(k.name).toLowerCase() === key)?.id ?? v;
}

/** YYYY-MM-DD, or the Vietnamese d/m/yyyy (22/6/2022) turned into it; a real calendar date. */
export function isoDate(field: string, v: string): string {
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const vn = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (vn) [d, m, y] = [Number(vn[1]), Number(vn[2]), Number(vn[3])];
  else throw new KbUsageError(`${field}: ngày "${v}" không đúng dạng YYYY-MM-DD hoặc d/m/yyyy.`, `${field}: "${v}" is not YYYY-MM-DD or d/m/yyyy.`);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    throw new KbUsageError(`${field}: ngày "${v}" không có thật.`, `${field}: "${v}" is not a real date.`);
  }
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Refuses one document's metadata (title, số ký hiệu, dates, supersedes) for many files at once. */
export function checkFieldsForCount(fields: DocumentFields, files: number): void {
  const given = PER_DOCUMENT.filter((f) => fields[f] !== undefined);
  if (files > 1 && given.length > 0) {
    throw new KbUsageError(
      `${given.join(', ')} chỉ dùng được khi đăng một tệp (đang có ${files} tệp).`,
      `${given.join(', ')} can only be given for a single file (there are ${files}).`,
    );
  }
}

export function isUrlTarget(target: string): boolean {
  return /^https?:\/\//i.test(target);
}

// ---------------------------------------------------------------- requests

export interface KbRequest {
  url: string;
  init: RequestInit & { method: string; headers: Record<string, string> };
}

function endpoint(base: URL, path: string, query: Record<string, string | undefined> = {}): string {
  const u = new URL(path, base);
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') u.searchParams.set(k, v);
  return u.href;
}

/** The headers every request carries: the bearer token and, when given, the audit name. */
export function authHeaders(token: string, actor?: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, ...(actor ? { 'x-admin-actor': actor } : {}) };
}

/** `POST /admin/documents` (multipart): the file with its type from the extension, and the fields. */
export function addFileRequest(
  cmd: { base: URL; fields: DocumentFields; dryRun: boolean },
  file: { name: string; bytes: Uint8Array },
  headers: Record<string, string>,
): KbRequest {
  const form = new FormData();
  const type = SUPPORTED_TYPES[extensionOf(file.name)] ?? 'application/octet-stream';
  form.append('file', new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type }), file.name);
  for (const [k, v] of Object.entries(cmd.fields)) if (v !== undefined) form.append(k, v);
  return { url: endpoint(cmd.base, 'admin/documents', { dryRun: cmd.dryRun ? '1' : undefined }), init: { method: 'POST', headers, body: form } };
}

/** `POST /admin/documents` (JSON): the server fetches the page or file itself. */
export function addUrlRequest(cmd: { base: URL; fields: DocumentFields; dryRun: boolean }, url: string, headers: Record<string, string>): KbRequest {
  return {
    url: endpoint(cmd.base, 'admin/documents', { dryRun: cmd.dryRun ? '1' : undefined }),
    init: { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ ...cmd.fields, url }) },
  };
}

export function listRequest(cmd: { base: URL; q?: string }, headers: Record<string, string>): KbRequest {
  return { url: endpoint(cmd.base, 'admin/documents', { q: cmd.q }), init: { method: 'GET', headers } };
}

export function retireRequest(cmd: { base: URL; id: string }, headers: Record<string, string>): KbRequest {
  return { url: endpoint(cmd.base, `admin/documents/${encodeURIComponent(cmd.id)}`), init: { method: 'DELETE', headers } };
}

export function exportRequest(cmd: { base: URL }, headers: Record<string, string>): KbRequest {
  return { url: endpoint(cmd.base, 'admin/export'), init: { method: 'GET', headers: { ...headers, accept: 'application/x-ndjson' } } };
}

export function importRequest(cmd: { base: URL }, body: Uint8Array, headers: Record<string, string>): KbRequest {
  return {
    url: endpoint(cmd.base, 'admin/import'),
    init: { method: 'POST', headers: { ...headers, 'content-type': 'application/x-ndjson' }, body: body as Uint8Array<ArrayBuffer> },
  };
}

// ---------------------------------------------------------------- answers

const Warning = z.union([z.string(), z.looseObject({ vi: z.string().optional(), en: z.string().optional(), code: z.string().optional() })]);

export const PublishAnswerSchema = z.looseObject({
  id: z.string(),
  /** null in a preview (?dryRun=1). */
  version: z.number().nullable().optional(),
  status: z.string().optional(),
  metadata: z.looseObject({ title: z.string().optional(), number: z.string().optional() }).optional(),
  found: z.array(z.string()).optional(),
  chunks: z.union([z.number(), z.array(z.unknown())]).optional(),
  warnings: z.array(Warning).optional(),
});
export type PublishAnswer = z.infer<typeof PublishAnswerSchema>;

/** A listed document; the list names it `docId` (its manifest entry) or `id`: both are read as `id`. */
const ListedDocument = z
  .looseObject({
    id: z.string().optional(),
    docId: z.string().optional(),
    status: z.string().optional(),
    version: z.number().optional(),
    title: z.string().optional(),
    number: z.string().optional(),
    metadata: z.looseObject({ title: z.string().optional(), number: z.string().optional() }).optional(),
  })
  .refine((d) => (d.id ?? d.docId) !== undefined, 'a document without an id')
  .transform((d) => ({ ...d, id: (d.id ?? d.docId)! }));
export const ListAnswerSchema = z.looseObject({ documents: z.array(ListedDocument) });
export type ListAnswer = z.infer<typeof ListAnswerSchema>;

const ErrorAnswerSchema = z.looseObject({
  error: z.string(),
  issues: z.array(z.looseObject({ path: z.unknown().optional(), message: z.string() })).optional(),
});

/** One line saying why the server refused, from its JSON `{ error }` when it sent one. */
export function describeFailure(status: number, bodyText: string): string {
  let reason: string | undefined;
  try {
    const parsed = ErrorAnswerSchema.safeParse(JSON.parse(bodyText));
    if (parsed.success) reason = parsed.data.error;
  } catch {
    /* not JSON: fall through */
  }
  if (status === 401 || status === 403) {
    return `Máy chủ từ chối ADMIN_TOKEN (${status}) — the server refused ADMIN_TOKEN (${status})${reason ? `: ${reason}` : ''}`;
  }
  if (status === 404 && !reason) {
    return 'Không tìm thấy (404): sai địa chỉ --to, hoặc API quản trị chưa bật trên máy chủ — not found (404): wrong --to, or the admin API is off on the server';
  }
  const text = reason ?? (bodyText.trim().slice(0, 200) || '(không có nội dung — no body)');
  return `Máy chủ trả lời ${status} — the server answered ${status}: ${text}`;
}

function chunkCount(chunks: PublishAnswer['chunks']): number | undefined {
  return Array.isArray(chunks) ? chunks.length : chunks;
}

function warningText(w: z.infer<typeof Warning>): string {
  return typeof w === 'string' ? w : [w.vi, w.en].filter(Boolean).join(' — ') || (w.code ?? '?');
}

/** Lines for one published (201), unchanged (200) or previewed (--dry-run) file. */
export function describePublish(name: string, status: number, answer: PublishAnswer, dryRun: boolean): string[] {
  const chunks = chunkCount(answer.chunks);
  const title = answer.metadata?.title;
  const detail = [
    typeof answer.version === 'number' ? `v${answer.version}` : undefined,
    chunks !== undefined ? `${chunks} đoạn — chunks` : undefined,
    title ? `"${title}"` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const head = dryRun
    ? `? ${name}: xem trước, chưa đăng — preview, not published (${answer.id}${detail ? `; ${detail}` : ''})`
    : status === 201
      ? `+ ${name}: đã đăng — published ${answer.id}${detail ? ` (${detail})` : ''}`
      : `= ${name}: không đổi, bỏ qua — unchanged, skipped (${answer.id})`;
  const lines = [head];
  if (answer.found?.length) lines.push(`  tìm thấy trong văn bản — found in the text: ${answer.found.join(', ')}`);
  for (const w of answer.warnings ?? []) lines.push(`  ! ${warningText(w)}`);
  return lines;
}

/** The list as aligned columns: id, status, version, số ký hiệu, title. */
export function describeList(answer: ListAnswer): string[] {
  if (answer.documents.length === 0) return ['(không có văn bản — no documents)'];
  const rows = answer.documents.map((d) => [
    d.id,
    d.status ?? '',
    d.version !== undefined ? `v${d.version}` : '',
    d.number ?? d.metadata?.number ?? '',
    d.title ?? d.metadata?.title ?? '',
  ]);
  const widths = [0, 1, 2, 3].map((i) => Math.min(40, Math.max(...rows.map((r) => r[i]!.length))));
  return rows.map((r) => r.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd());
}
