/**
 * @module scripts/build-bundle
 * Bundles the files the app needs at run time into src/generated/bundle.json, because
 * Workers has no file system: texts and prompts (prompts/<locale>/*.md, strings.json),
 * the web chat page, the search analyzer's data (abbreviations, stopwords), the place registry
 * (knowledge/places.json) and the deployment's profile (knowledge/profile.json).
 * Usage: npm run build:bundle [-- --check]  (--check fails when the bundle is stale)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { writeGenerated } from './lib/generated';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AbbreviationsSchema, PlaceRegistrySchema, ProfileSchema, StopwordsSchema } from '../src/knowledge/schema';
import { PlaceRegistry } from '../src/knowledge/places';
import { checkProfile, fillProfileTexts } from '../src/knowledge/profile';
import type { TextTable } from '../src/core/texts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'src/generated/bundle.json');

/** `profile` replaces knowledge/profile.json (tests build another deployment's texts). */
export function buildBundle(opts: { profile?: unknown } = {}): string {
  const prompts: Record<string, Record<string, string>> = {};
  for (const locale of ['vi', 'en']) {
    const dir = join(root, 'prompts', locale);
    const table: Record<string, string> = {};
    for (const file of readdirSync(dir).sort()) {
      const content = readFileSync(join(dir, file), 'utf8').normalize('NFC');
      if (file.endsWith('.md') || file.endsWith('.txt')) {
        table[file.replace(/\.(md|txt)$/, '')] = content.replace(/\s+$/, '');
      } else if (file.endsWith('.json')) {
        // One strings file per concern (strings.json, telegram.json, …); a key may live in one only.
        for (const [key, value] of Object.entries(JSON.parse(content) as Record<string, string>)) {
          if (key in table) throw new Error(`prompts/${locale}/${file}: text key "${key}" is defined twice`);
          table[key] = value;
        }
      }
    }
    prompts[locale] = table;
  }
  const places = PlaceRegistrySchema.parse(readJson('knowledge/places.json'));
  const profile = ProfileSchema.parse(opts.profile ?? readJson('knowledge/profile.json'));
  const registry = new PlaceRegistry(places);
  // A profile naming a place the registry does not know (or a wrong current unit) stops the build.
  const problems = checkProfile(profile, registry);
  if (problems.length) throw new Error(`knowledge/profile.json: ${problems.join('; ')}`);
  const bundle = {
    // Texts that send a citizen somewhere name this deployment's offices, hotline and portal.
    prompts: fillProfileTexts(prompts as TextTable, profile, registry),
    webPage: readFileSync(join(root, 'src/channels/web/page.html'), 'utf8'),
    analyzer: {
      abbreviations: AbbreviationsSchema.parse(readJson('knowledge/abbreviations.json')),
      stopwords: StopwordsSchema.parse(readJson('knowledge/stopwords.json')),
    },
    places,
    profile,
  };
  return JSON.stringify(bundle, null, 1) + '\n';
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(join(root, path), 'utf8'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = writeGenerated(out, buildBundle(), { check: process.argv.includes('--check'), command: 'npm run build:bundle' });
}
