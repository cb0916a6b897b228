/**
 * Global setup of the workers test project, run in Node before workerd starts: starts every
 * loopback fake in test/support/fake-*.ts and hands their base URLs to the Worker as string
 * bindings (each fake module exports `BINDING`, e.g. 'FAKE_TELEGRAM_URL', and `start()`), and
 * builds the companion Workers (the PDF reader and the chart renderer) as a deploy would
 * (`wrangler deploy --dry-run`, about two seconds each) so that they run beside the assistant
 * Worker as the targets of its PDF_READER and CHART_RENDERER service bindings.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildCompanions, type CompanionWorker } from '../../scripts/lib/companion-workers';

interface FakeModule {
  BINDING: string;
  start(): Promise<{ url: string; close(): Promise<void> }>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    fakeBindings: Record<string, string>;
    /** The companion Workers as built, each as Miniflare's `workers` option takes it. */
    companionWorkers: CompanionWorker[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = join(import.meta.dirname, '../support');
  const files = readdirSync(dir).filter((f) => /^fake-.*\.ts$/.test(f));
  const bindings: Record<string, string> = {};
  const closers: Array<() => Promise<void>> = [];
  for (const file of files) {
    const mod = (await import(join(dir, file))) as Partial<FakeModule>;
    if (typeof mod.start !== 'function' || typeof mod.BINDING !== 'string') continue;
    const fake = await mod.start();
    bindings[mod.BINDING] = fake.url;
    closers.push(() => fake.close());
  }
  project.provide('fakeBindings', bindings);
  const companions = buildCompanions();
  project.provide('companionWorkers', companions.workers);
  return async () => {
    await Promise.all(closers.map((c) => c()));
    companions.remove();
  };
}
