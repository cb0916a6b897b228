/**
 * Global setup of the workers test project, run in Node before workerd starts: starts every
 * loopback fake in test/support/fake-*.ts and hands their base URLs to the Worker as string
 * bindings (each fake module exports `BINDING`, e.g. 'FAKE_TELEGRAM_URL', and `start()`).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

interface FakeModule {
  BINDING: string;
  start(): Promise<{ url: string; close(): Promise<void> }>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    fakeBindings: Record<string, string>;
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
  return async () => {
    await Promise.all(closers.map((c) => c()));
  };
}
