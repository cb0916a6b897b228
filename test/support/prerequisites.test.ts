/**
 * The machine prerequisites of the test projects: what counts as missing, and the one closing
 * line npm test prints when it leaves a project out.
 */
import { describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, missingPrerequisites, skippedLine } from './prerequisites';

describe('test prerequisites', () => {
  it('finds nothing missing when redis-server and Chromium are there', () => {
    expect(missingPrerequisites(() => true, () => '/usr/bin/redis-server')).toEqual([]);
  });

  it('names the project, what is missing and the install command for each', () => {
    const missing = missingPrerequisites((p) => p !== CHROMIUM_PATH, () => null);
    expect(missing.map((m) => m.project)).toEqual(['redis', 'browser']);
    const line = skippedLine(missing);
    expect(line).toContain('SKIPPED test projects: redis (no redis-server binary), browser (no /usr/bin/chromium)');
    expect(line).toContain('`apt-get install redis-server chromium`');
    expect(line.split('\n')).toHaveLength(1);
  });
});
