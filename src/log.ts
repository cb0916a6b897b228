/**
 * @module log
 * Structured one-line JSON logs. Fields named like secrets are dropped and personal numbers
 * (citizen IDs, phone numbers) are masked, at any depth of the fields, so a log line can be
 * shared safely.
 */
import { maskPersonalData } from './privacy/mask';

type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_FIELD = /token|secret|key|password|authorization/i;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(
  level: LogLevel = 'info',
  sink: (line: string) => void = (line) => console.log(line),
): Logger {
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const entry = { t: new Date().toISOString(), level: lvl, msg: maskPersonalData(msg), ...safeFields(fields ?? {}, []) };
    sink(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/** Nested values are followed this deep; deeper ones are written as "[…]". */
const MAX_DEPTH = 8;

/** The fields without secret-named ones, every string masked, at any depth. */
function safeFields(fields: object, path: object[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (!SECRET_FIELD.test(k)) out[k] = safeValue(v, path);
  }
  return out;
}

/** `path` holds the objects being written around this one: meeting one again is a cycle. */
function safeValue(v: unknown, path: object[]): unknown {
  if (typeof v === 'string') return maskPersonalData(v);
  if (v instanceof Error) return describeError(v);
  // JSON.stringify throws on a bigint.
  if (typeof v === 'bigint') return v.toString();
  if (v === null || typeof v !== 'object') return v;
  if (path.includes(v)) return '[circular]';
  if (path.length >= MAX_DEPTH) return '[…]';
  // A Date (or anything else with toJSON) is written as JSON.stringify would write it, masked.
  const toJSON = (v as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return safeValue(toJSON.call(v), path);
  path.push(v);
  try {
    return Array.isArray(v) ? v.map((x) => safeValue(x, path)) : safeFields(v, path);
  } finally {
    path.pop();
  }
}

/** An error's name and masked message only: never its stack or a request it may carry. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${maskPersonalData(e.message).slice(0, 300)}`;
  return maskPersonalData(String(e)).slice(0, 300);
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
