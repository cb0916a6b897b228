/**
 * @module test/support/prerequisites
 * What some test projects need from the machine besides npm packages: a redis-server binary (the
 * `redis` project talks to a real Redis: the shared one on 127.0.0.1:6379, or private servers it
 * starts and kills) and Debian's Chromium (the `browser` project). vitest.config.ts asks here
 * before it lists the projects: on a developer machine a project whose prerequisite is missing is
 * left out and named in one loud closing line; under CI=true a missing prerequisite fails the run.
 */
import { existsSync } from 'node:fs';
import { findExecutable } from './redis-server';

export interface Prerequisite {
  /** The vitest project that needs it. */
  project: string;
  /** What is missing, in a few words. */
  missing: string;
  /** The command that installs it. */
  install: string;
}

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The prerequisites this machine lacks (empty when every project can run). */
export function missingPrerequisites(exists: (path: string) => boolean = existsSync, which = findExecutable): Prerequisite[] {
  const missing: Prerequisite[] = [];
  if (!which('redis-server')) {
    missing.push({ project: 'redis', missing: 'no redis-server binary', install: 'apt-get install redis-server' });
  }
  if (!exists(CHROMIUM_PATH)) {
    missing.push({ project: 'browser', missing: `no ${CHROMIUM_PATH}`, install: 'apt-get install chromium' });
  }
  return missing;
}

/** "redis (no redis-server binary). Install with `apt-get install redis-server`". */
export function describeMissing(missing: readonly Prerequisite[]): string {
  const projects = missing.map((m) => `${m.project} (${m.missing})`).join(', ');
  const install = [...new Set(missing.map((m) => m.install.replace(/^apt-get install /, '')))].join(' ');
  return `${projects}. Install with \`apt-get install ${install}\``;
}

/** The one closing line naming what was skipped and how to get it. */
export function skippedLine(missing: readonly Prerequisite[]): string {
  return `!!! SKIPPED test projects: ${describeMissing(missing)}, then run npm test again. !!!`;
}
