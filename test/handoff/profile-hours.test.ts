/**
 * Working hours live in the deployment profile (knowledge/profile.json `workingHours`): the
 * bundle build validates them, the runtime promises and measures the target by them, and a
 * profile without them falls back to the usual office hours.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileSchema } from '../../src/knowledge/schema';
import { DEFAULT_WORKING_HOURS } from '../../src/handoff/hours';
import { buildBundle } from '../../scripts/build-bundle';
import { handoffApp } from './support';

const profile = JSON.parse(readFileSync(join(import.meta.dirname, '../../knowledge/profile.json'), 'utf8')) as Record<string, unknown> & { workingHours: { targetMinutes: number } };

describe('working hours from the deployment profile', () => {
  it('the runtime uses the profile\'s hours', () => {
    expect(profile.workingHours).toBeDefined();
    const app = handoffApp();
    const { note: _note, ...hours } = profile.workingHours as Record<string, unknown>;
    expect(app.rt.handoffs.hours).toMatchObject(hours);
  });

  it('the bundle build refuses malformed hours and takes a profile without them', () => {
    expect(() => buildBundle({ profile: { ...profile, workingHours: { ...profile.workingHours, periods: [{ start: '7:30', end: '11:30' }] } } })).toThrow(/periods/);
    expect(() => buildBundle({ profile: { ...profile, workingHours: { ...profile.workingHours, targetMinutes: 0 } } })).toThrow(/targetMinutes/);
    const { workingHours: _wh, ...without } = profile;
    expect(ProfileSchema.parse(without).workingHours).toBeUndefined();
    expect(JSON.parse(buildBundle({ profile: without })).profile.workingHours).toBeUndefined();
    expect(DEFAULT_WORKING_HOURS.targetMinutes).toBe(30);
  });
});
