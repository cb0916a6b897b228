/**
 * @module knowledge/fetch-url
 * Fetches one page or file for `POST /admin/documents` with JSON `{ "url": "https://…" }`, without
 * letting an operator's URL (or a server it points at) reach into our own network: only http(s),
 * no credentials in the URL, no private, loopback, link-local, unique-local or metadata hosts
 * (whatever way the address is written: 2130706433, 0x7f.1, [::ffff:127.0.0.1], …), redirects
 * followed by hand (each hop checked before it is requested, at most 5), a bounded total time and
 * a bounded size (Content-Length and the streamed body both). Every refusal is a typed
 * UrlFetchError (code, status, Vietnamese reason first) in the style of ./extract/errors.
 *
 * Limit: only the host as written is checked. DNS cannot be resolved from a Worker, so a public
 * name whose A/AAAA record points at a private address (e.g. a rebinding name) is not caught
 * here; on Workers the platform itself refuses to connect to private addresses, and on Node the
 * operator's network must not expose internal services to the app process. No `node:` imports:
 * this runs on both.
 *
 * @example
 * const { bytes, contentType, filename, finalUrl } = await fetchDocument(url, { maxBytes, timeoutMs: 10_000 });
 */
import { readBounded } from '../text/bounded-read';

const REFUSALS = {
  'url-invalid': 400,
  'url-scheme': 400,
  'url-credentials': 400,
  'url-private': 400,
  'url-redirect-invalid': 422,
  'url-too-many-redirects': 422,
  'url-timeout': 422,
  'url-unreachable': 422,
  'url-status': 422,
  'url-too-large': 413,
} as const;

export type UrlFetchErrorCode = keyof typeof REFUSALS;
export type UrlFetchErrorStatus = (typeof REFUSALS)[UrlFetchErrorCode];

/** A refused URL: `status` for the reply, `reason` to show ("vi — en"), `code` for programs. */
export class UrlFetchError extends Error {
  override name = 'UrlFetchError';
  readonly status: UrlFetchErrorStatus;
  readonly reason: string;

  constructor(
    readonly code: UrlFetchErrorCode,
    readonly messages: { vi: string; en: string },
  ) {
    const reason = `${messages.vi} — ${messages.en}`;
    super(reason);
    this.status = REFUSALS[code];
    this.reason = reason;
  }
}

function refuse(code: UrlFetchErrorCode, vi: string, en: string): UrlFetchError {
  return new UrlFetchError(code, { vi, en });
}

export interface FetchDocumentOptions {
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** Total time for every hop and the whole body together. */
  timeoutMs: number;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /**
   * Permits a host the rules would refuse (given normalised: lower case, no trailing dot, IPv6
   * without brackets, IPv4 in dotted decimal). Only tests use it, to reach a loopback server.
   */
  allowAddress?: (host: string) => boolean;
  /** Most redirects followed (default 5). */
  maxRedirects?: number;
}

export interface FetchedDocument {
  bytes: Uint8Array;
  contentType: string | null;
  /** From Content-Disposition or the URL's last segment; given an extension from the type when it has none. */
  filename: string;
  /** The URL that answered 2xx, after redirects. */
  finalUrl: string;
}

const MAX_URL_LENGTH = 2048;
const DEFAULT_MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function fetchDocument(url: string, opts: FetchDocumentOptions): Promise<FetchedDocument> {
  const doFetch = opts.fetch ?? fetch;
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  let current = checkUrl(url, opts.allowAddress);

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
  const timeout = () =>
    refuse(
      'url-timeout',
      `Máy chủ trả lời quá chậm (quá ${seconds(opts.timeoutMs)}).`,
      `The server answered too slowly (over ${seconds(opts.timeoutMs)}).`,
    );
  // One promise that rejects when time is up, raced against every await that touches the
  // network, so an injected fetch that ignores the signal cannot hold us either.
  const expired = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(timeout()), { once: true }));
  expired.catch(() => {});

  try {
    for (let hop = 0; ; hop++) {
      let res: Response;
      try {
        res = await Promise.race([
          doFetch(current.href, {
            method: 'GET',
            redirect: 'manual',
            signal: controller.signal,
            headers: {
              accept: 'text/html, application/pdf, application/vnd.openxmlformats-officedocument.wordprocessingml.document, text/plain, text/markdown;q=0.9, */*;q=0.5',
            },
          }),
          expired,
        ]);
      } catch (e) {
        if (e instanceof UrlFetchError) throw e;
        if (controller.signal.aborted) throw timeout();
        throw refuse('url-unreachable', `Không kết nối được tới ${current.host}.`, `Could not connect to ${current.host}.`);
      }

      if (REDIRECTS.has(res.status)) {
        void res.body?.cancel().catch(() => {});
        const location = res.headers.get('location');
        if (!location) {
          throw refuse('url-redirect-invalid', `Máy chủ chuyển hướng (${res.status}) nhưng không nói tới đâu.`, `The server redirected (${res.status}) without a Location.`);
        }
        if (hop >= maxRedirects) {
          throw refuse('url-too-many-redirects', `Chuyển hướng quá ${maxRedirects} lần.`, `More than ${maxRedirects} redirects.`);
        }
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          throw refuse('url-redirect-invalid', 'Máy chủ chuyển hướng tới một địa chỉ không hợp lệ.', 'The server redirected to an invalid address.');
        }
        current = checkUrl(next.href, opts.allowAddress, true);
        continue;
      }

      if (res.status < 200 || res.status > 299) {
        void res.body?.cancel().catch(() => {});
        throw refuse('url-status', `Máy chủ trả lời mã ${res.status}, không phải tài liệu.`, `The server answered ${res.status}, not a document.`);
      }

      const tooLarge = () =>
        refuse(
          'url-too-large',
          `Tài liệu lớn hơn giới hạn ${megabytes(opts.maxBytes)}.`,
          `The document is larger than the ${megabytes(opts.maxBytes)} limit.`,
        );
      const declaredLength = Number(res.headers.get('content-length') ?? NaN);
      if (Number.isFinite(declaredLength) && declaredLength > opts.maxBytes) {
        void res.body?.cancel().catch(() => {});
        throw tooLarge();
      }
      const bytes = await readDocument(res, opts.maxBytes, expired, tooLarge);
      const contentType = res.headers.get('content-type');
      return {
        bytes,
        contentType,
        filename: filenameFor(current, res.headers.get('content-disposition'), contentType),
        finalUrl: current.href,
      };
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Reads the body chunk by chunk and stops (cancelling the stream) as soon as it passes maxBytes. */
async function readDocument(res: Response, maxBytes: number, expired: Promise<never>, tooLarge: () => UrlFetchError): Promise<Uint8Array> {
  try {
    return await readBounded(res.body, maxBytes, tooLarge, expired);
  } catch (e) {
    if (e instanceof UrlFetchError) throw e;
    throw refuse('url-unreachable', 'Kết nối bị ngắt khi đang tải tài liệu.', 'The connection broke while downloading the document.');
  }
}

/**
 * Parses and checks one URL (the first or a redirect's target) without any I/O: scheme,
 * credentials, length and host. Returns the parsed URL to request.
 */
export function checkUrl(raw: string, allowAddress?: (host: string) => boolean, redirected = false): URL {
  if (raw.length > MAX_URL_LENGTH) throw refuse('url-invalid', `Địa chỉ dài quá ${MAX_URL_LENGTH} ký tự.`, `The URL is longer than ${MAX_URL_LENGTH} characters.`);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw refuse('url-invalid', 'Địa chỉ (URL) không hợp lệ.', 'The URL is not valid.');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw refuse(
      'url-scheme',
      redirected ? `Máy chủ chuyển hướng tới địa chỉ không phải http(s) (${u.protocol}).` : `Chỉ tải được địa chỉ http(s), không phải ${u.protocol}.`,
      redirected ? `The server redirected to a URL that is not http(s) (${u.protocol}).` : `Only http(s) URLs can be fetched, not ${u.protocol}.`,
    );
  }
  if (u.username || u.password) {
    throw refuse('url-credentials', 'Địa chỉ không được chứa tên đăng nhập hay mật khẩu.', 'The URL must not carry a user name or password.');
  }
  const host = normalizeHost(u.hostname);
  if (!host) throw refuse('url-invalid', 'Địa chỉ (URL) không có tên máy chủ.', 'The URL has no host.');
  if (allowAddress?.(host)) return u;
  const why = blockedHost(host);
  if (why) {
    throw refuse(
      'url-private',
      redirected ? `Máy chủ chuyển hướng tới địa chỉ nội bộ (${host}: ${why.vi}); không tải.` : `Không tải từ địa chỉ nội bộ (${host}: ${why.vi}).`,
      redirected ? `The server redirected to an internal address (${host}: ${why.en}); not fetched.` : `Will not fetch from an internal address (${host}: ${why.en}).`,
    );
  }
  return u;
}

/** Lower case, no trailing dot, IPv6 without brackets, any IPv4 spelling as dotted decimal. */
export function normalizeHost(hostname: string): string {
  let h = hostname.toLowerCase().replace(/\.+$/, '');
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  const v4 = parseIPv4(h);
  return v4 === undefined ? h : formatIPv4(v4);
}

interface Why {
  vi: string;
  en: string;
}

/** Why a (normalised) host may not be fetched, or undefined when it may. */
export function blockedHost(host: string): Why | undefined {
  const v4 = parseIPv4(host);
  if (v4 !== undefined) return blockedIPv4(v4);
  if (host.includes(':')) {
    const v6 = parseIPv6(host);
    if (!v6) return { vi: 'địa chỉ IPv6 không đọc được', en: 'unreadable IPv6 address' };
    return blockedIPv6(v6);
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return { vi: 'máy cục bộ', en: 'loopback' };
  for (const suffix of ['.internal', '.local', '.home.arpa', '.lan', '.intranet', '.corp']) {
    if (host === suffix.slice(1) || host.endsWith(suffix)) return { vi: 'tên miền nội bộ', en: 'internal name' };
  }
  // A name with no dot is resolved through the machine's search domains: an intranet name.
  if (!host.includes('.')) return { vi: 'tên máy không có tên miền', en: 'single-label host name' };
  return undefined;
}

/**
 * An IPv4 address written any way the URL standard accepts (1 to 4 parts, each decimal, octal
 * with a leading 0 or hex with 0x; the last part fills the remaining bytes), or undefined.
 * The URL parser already normalises these; doing it here too keeps the check independent of it.
 */
export function parseIPv4(host: string): number | undefined {
  const parts = host.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) n = parseInt(p.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(p)) n = Number(p);
    else return undefined;
    if (!Number.isSafeInteger(n)) return undefined;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255)) return undefined;
  if (last >= 256 ** (4 - nums.length)) return undefined;
  let value = 0;
  nums.forEach((n, i) => (value += n * 256 ** (3 - i)));
  return value + last;
}

function formatIPv4(v: number): string {
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

/** [network, prefix length, why] for every IPv4 range that is not a public unicast address. */
const BLOCKED_V4: Array<[string, number, Why]> = [
  ['0.0.0.0', 8, { vi: 'mạng "này"', en: '"this" network' }],
  ['10.0.0.0', 8, { vi: 'mạng riêng', en: 'private network' }],
  ['100.64.0.0', 10, { vi: 'mạng dùng chung của nhà mạng', en: 'carrier-grade NAT' }],
  ['127.0.0.0', 8, { vi: 'máy cục bộ', en: 'loopback' }],
  ['169.254.0.0', 16, { vi: 'liên kết cục bộ, máy chủ metadata', en: 'link-local, metadata' }],
  ['172.16.0.0', 12, { vi: 'mạng riêng', en: 'private network' }],
  ['192.0.0.0', 24, { vi: 'dành riêng', en: 'reserved' }],
  ['192.0.2.0', 24, { vi: 'dành cho tài liệu', en: 'documentation' }],
  ['192.88.99.0', 24, { vi: 'dành riêng', en: 'reserved' }],
  ['192.168.0.0', 16, { vi: 'mạng riêng', en: 'private network' }],
  ['198.18.0.0', 15, { vi: 'dành cho đo kiểm', en: 'benchmarking' }],
  ['198.51.100.0', 24, { vi: 'dành cho tài liệu', en: 'documentation' }],
  ['203.0.113.0', 24, { vi: 'dành cho tài liệu', en: 'documentation' }],
  ['224.0.0.0', 4, { vi: 'đa hướng', en: 'multicast' }],
  ['240.0.0.0', 4, { vi: 'dành riêng', en: 'reserved' }],
];

function blockedIPv4(v: number): Why | undefined {
  for (const [net, bits, why] of BLOCKED_V4) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if (((v & mask) >>> 0) === parseIPv4(net)) return why;
  }
  return undefined;
}

/** Eight 16-bit groups, or undefined when not an IPv6 address (a zone id is refused). */
export function parseIPv6(host: string): number[] | undefined {
  if (host.includes('%')) return undefined;
  let text = host;
  const tail: number[] = [];
  // A dotted IPv4 tail (::ffff:127.0.0.1) stands for the last two groups.
  const dotted = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const b = dotted.slice(2).map(Number);
    if (b.some((x) => x > 255)) return undefined;
    tail.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
    text = dotted[1]!;
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const group = (s: string) => (s === '' ? [] : s.split(':'));
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  const parse = (g: string) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN);
  const a = head.map(parse);
  const b = rest.map(parse);
  if ([...a, ...b].some(Number.isNaN)) return undefined;
  const explicit = a.length + b.length + tail.length;
  if (halves.length === 1) return explicit === 8 ? [...a, ...tail] : undefined;
  if (explicit > 7) return undefined;
  return [...a, ...new Array<number>(8 - explicit).fill(0), ...b, ...tail];
}

function blockedIPv6(g: number[]): Why | undefined {
  const embedded = (hi: number, lo: number) => blockedIPv4(((hi << 16) >>> 0) + lo);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return { vi: 'địa chỉ không xác định', en: 'unspecified address' };
  if (zeros(0, 7) && g[7] === 1) return { vi: 'máy cục bộ', en: 'loopback' };
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d):
  // the embedded IPv4 address is the one reached, so it is judged by the IPv4 rules.
  if (zeros(0, 5) && (g[5] === 0xffff || g[5] === 0)) return embedded(g[6]!, g[7]!) ?? (g[5] === 0 ? { vi: 'dành riêng', en: 'reserved' } : undefined);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return embedded(g[6]!, g[7]!);
  // 6to4 (2002:AABB:CCDD::) carries an IPv4 address in its second and third groups.
  if (g[0] === 0x2002) return embedded(g[1]!, g[2]!);
  const first = g[0]!;
  if ((first & 0xfe00) === 0xfc00) return { vi: 'mạng riêng (ULA)', en: 'unique local' };
  if ((first & 0xffc0) === 0xfe80) return { vi: 'liên kết cục bộ', en: 'link-local' };
  if ((first & 0xffc0) === 0xfec0) return { vi: 'nội bộ (site-local)', en: 'site-local' };
  if ((first & 0xff00) === 0xff00) return { vi: 'đa hướng', en: 'multicast' };
  // Only global unicast (2000::/3) is public; inside it, Teredo, documentation and ORCHID
  // ranges are not places a document lives.
  if ((first & 0xe000) !== 0x2000) return { vi: 'dành riêng', en: 'reserved' };
  if (first === 0x2001 && g[1] === 0) return { vi: 'Teredo', en: 'Teredo' };
  if (first === 0x2001 && g[1] === 0xdb8) return { vi: 'dành cho tài liệu', en: 'documentation' };
  if (first === 0x3fff && g[1]! < 0x1000) return { vi: 'dành cho tài liệu', en: 'documentation' };
  return undefined;
}

/** Extensions the upload pipeline reads (./extract/detect refuses a name with any other one). */
const KNOWN_EXTENSIONS = new Set(['pdf', 'docx', 'doc', 'html', 'htm', 'xhtml', 'txt', 'text', 'md', 'markdown']);

const TYPE_EXTENSIONS: Array<[RegExp, string]> = [
  [/^(text\/html|application\/xhtml\+xml)\b/, '.html'],
  [/^application\/pdf\b/, '.pdf'],
  [/^application\/vnd\.openxmlformats-officedocument\.wordprocessingml\.document\b/, '.docx'],
  [/^text\/markdown\b/, '.md'],
  [/^text\/plain\b/, '.txt'],
];

/**
 * The name the upload pipeline sees: Content-Disposition first, then the URL's last segment.
 * A server-side extension (view.aspx, tai-ve.php) would read as an unsupported type, so it is
 * neutralised and the extension the content type implies is added.
 */
export function filenameFor(url: URL, disposition: string | null, contentType: string | null): string {
  let name = (disposition && dispositionFilename(disposition)) || lastSegment(url) || 'index';
  name = name
    .replace(/[\u0000-\u001f\u007f/\\]/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 200);
  if (!name) name = 'index';
  const ext = /\.([A-Za-z0-9]{1,10})$/.exec(name)?.[1]?.toLowerCase();
  if (ext && KNOWN_EXTENSIONS.has(ext)) return name;
  if (ext) name = name.slice(0, -(ext.length + 1)) + '_' + ext;
  const type = (contentType ?? '').toLowerCase().trim();
  return name + (TYPE_EXTENSIONS.find(([re]) => re.test(type))?.[1] ?? '');
}

function dispositionFilename(header: string): string | undefined {
  const star = /filename\*\s*=\s*(?:utf-8|UTF-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim()).normalize('NFC');
    } catch {
      /* fall through to the plain parameter */
    }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/.exec(header);
  const v = plain?.[1] ?? plain?.[2];
  return v ? v.normalize('NFC') : undefined;
}

function lastSegment(url: URL): string | undefined {
  const seg = url.pathname.split('/').filter(Boolean).pop();
  if (!seg) return undefined;
  try {
    return decodeURIComponent(seg).normalize('NFC');
  } catch {
    return seg;
  }
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
