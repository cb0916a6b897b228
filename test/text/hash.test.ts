import { describe, expect, it } from 'vitest';
import { fnv1a, fnv1a32 } from '../../src/text/hash';
import { sentField } from '../../src/jobs/reminders';
import type { DueItem } from '../../src/tasks/digest';

// These encodings are stored (bundle fingerprints, embedding hashes, reminder fields in Redis):
// a change would make stored data look stale or unknown.
describe('fnv1a', () => {
  it('is 32-bit FNV-1a (published test vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes UTF-16 code units, so Vietnamese text keeps its stored value', () => {
    expect(fnv1a('Thủ tục đăng ký hộ kinh doanh')).toBe('6ee8a59e');
  });

  it('writes 8 hex digits, zero-padded', () => {
    expect(fnv1a('k120')).toBe('0493fd3b');
  });

  it('keeps the base-36 form of the reminder sent-index fields', () => {
    expect(sentField('telegram:42', { key: 'task-7@2024-05-01' } as DueItem)).toBe('telegram:42|sul1x0');
  });
});
