/**
 * @module jobs/job
 * What a scheduled job is to the runner: an id and a run that reports counts, and the record of
 * one run kept for /admin/jobs and /healthz.
 */
import type { Store } from '../store/store';
import type { Logger } from '../log';

export interface JobContext {
  at: Date;
  store: Store;
  log: Logger;
}

export interface Job {
  id: string;
  run(ctx: JobContext): Promise<Record<string, number>>;
}

export interface JobRun {
  job: string;
  at: string;
  ok: boolean;
  counts: Record<string, number>;
  error?: string;
}

export const LAST_RUNS_KEY = 'jobs:last';
