/**
 * @module log
 * Structured one-line JSON logs. Fields named like secrets are dropped and personal numbers
 * (citizen IDs, phone numbers) are masked, so a log line can be shared safely.
 */
import { maskPersonalData } from './llm/redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
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
    const entry: Record<string, unknown> = { t: new Date().toISOString(), level: lvl, msg: maskPersonalData(msg) };
    for (const [k, v] of Object.entries(fields ?? {})) {
      if (SECRET_FIELD.test(k)) continue;
      entry[k] = typeof v === 'string' ? maskPersonalData(v) : v instanceof Error ? describeError(v) : v;
    }
    sink(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/** An error's name and masked message only: never its stack or a request it may carry. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${maskPersonalData(e.message).slice(0, 300)}`;
  return maskPersonalData(String(e)).slice(0, 300);
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
