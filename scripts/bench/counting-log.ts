/**
 * @module scripts/bench/counting-log
 * A Logger for benches and drills: prints nothing while traffic runs (a line per update would
 * cost more than the update), counts lines per level and per message, and keeps the first few
 * warnings and errors so a report can say what went wrong.
 */
import type { Logger } from '../../src/log';

export interface CountingLogger {
  log: Logger;
  counts: Record<'debug' | 'info' | 'warn' | 'error', number>;
  /** "level: message" -> how many times. */
  byMessage: Map<string, number>;
  samples: string[];
  reset(): void;
}

export function countingLogger(maxSamples = 20): CountingLogger {
  const counts = { debug: 0, info: 0, warn: 0, error: 0 };
  const byMessage = new Map<string, number>();
  const samples: string[] = [];
  const write = (level: keyof typeof counts) => (msg: string, fields?: Record<string, unknown>) => {
    counts[level]++;
    if (level === 'debug' || level === 'info') return;
    const key = `${level}: ${msg}`;
    byMessage.set(key, (byMessage.get(key) ?? 0) + 1);
    if (samples.length < maxSamples) samples.push(`${key} ${JSON.stringify(fields ?? {})}`.slice(0, 400));
  };
  return {
    log: { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') },
    counts,
    byMessage,
    samples,
    reset() {
      counts.debug = counts.info = counts.warn = counts.error = 0;
      byMessage.clear();
      samples.length = 0;
    },
  };
}
