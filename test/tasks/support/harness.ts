/**
 * Test harness for the reminder feature on Node: the real runtime (texts, store, clock) with an
 * assistant that has the reminder handlers, a clock the test moves, and helpers to speak as a
 * chat with a given role and to run the reminder job as the cron would.
 */
import { createRuntime, type Runtime } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import type { Inbound, Reply } from '../../../src/core/types';
import { createLogger } from '../../../src/log';
import { MemoryStore } from '../../../src/store/memory';
import type { Store } from '../../../src/store/store';
import { localInstant } from '../../../src/tasks/calendar';
import { createRemindersJob, type ReminderCounts, type RemindersJobOptions } from '../../../src/jobs/reminders';
import type { Task } from '../../../src/tasks/schema';
import { withHistory } from '../../../src/jobs/history';
import { RecordingOutbound } from './recording-outbound';

export interface Harness {
  rt: Runtime;
  store: Store;
  outbound: RecordingOutbound;
  logs: string[];
  /** Moves the clock to 08:00 local time on a date. */
  setDay(iso: string, hour?: number): void;
  now(): Date;
  say(text: string, from?: Partial<Inbound>): Promise<Reply>;
  /** Runs the reminder job once at the current time (as the cron does). */
  runJob(opts?: Partial<RemindersJobOptions>): Promise<ReminderCounts>;
}

export function makeHarness(opts: { store?: Store; day?: string; bundled?: readonly Task[] } = {}): Harness {
  let current = localInstant(opts.day ?? '2026-11-21');
  const now = () => current;
  const logs: string[] = [];
  const store = opts.store ?? new MemoryStore({ now: () => current.getTime() });
  // The product's runtime and assistant; one test user subscribes dozens of chats, so no rate limit.
  const rt = createRuntime(loadConfig({ RATE_LIMIT_PER_MINUTE: '10000' }), { store, now, log: createLogger('debug', (l) => logs.push(l)) });
  const assistant = rt.assistant;
  const outbound = new RecordingOutbound();
  return {
    rt,
    store,
    outbound,
    logs,
    setDay(iso, hour = 8) {
      current = localInstant(iso, hour);
    },
    now,
    say: (text, from = {}) =>
      assistant.handle({ channel: 'telegram', chatId: '1001', userId: 'u1', locale: 'vi', role: 'staff', ...from, text }),
    runJob: (jobOpts = {}) =>
      withHistory(createRemindersJob({ outbound, texts: rt.texts, bundled: opts.bundled, ...jobOpts })).run({
        at: current,
        store,
        log: rt.log,
      }),
  };
}

/** A task for tests, with the fields that matter given and the rest filled in. */
export function task(fields: Partial<Task> & Pick<Task, 'id' | 'deadline'>): Task {
  return {
    title: `Nhiệm vụ ${fields.id}`,
    owner: 'Sở Thông tin và Truyền thông tỉnh Bình Dương',
    unit: 'so-tttt-bd',
    status: 'open',
    source: { title: 'Bài báo thử', outlet: 'Báo Thử', date: '2026-01-02' },
    ...fields,
  };
}
