/**
 * config.ts is the one module that reads the environment; the Node entry only hands it
 * process.env. Anything else reading it would bypass validation and the secret rules.
 * (Import directions are checked by `npm run check:imports`, part of `npm test`.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('who reads the environment', () => {
  it('only src/config.ts reads it; src/node.ts only hands process.env to loadConfig', () => {
    const readers: string[] = [];
    for (const file of [...sources(join(root, 'src')), ...sources(join(root, 'handlers'))]) {
      const rel = relative(root, file);
      if (rel === 'src/config.ts') continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (!/\bprocess\.env\b|\bimport\.meta\.env\b/.test(line)) return;
          if (rel === 'src/node.ts' && /loadConfig\(opts\.env \?\? process\.env\)/.test(line)) return;
          readers.push(`${rel}:${i + 1}`);
        });
    }
    expect(readers).toEqual([]);
  });
});
