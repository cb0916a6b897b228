/**
 * The logger masks personal numbers wherever they sit in a line's fields (nested objects,
 * arrays) and drops fields named like secrets at any depth, without choking on cycles.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log';

function logged(fields: Record<string, unknown>): Record<string, unknown> {
  const lines: string[] = [];
  createLogger('debug', (l) => lines.push(l)).info('event', fields);
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

describe('createLogger', () => {
  it('masks personal numbers in nested objects and arrays', () => {
    const entry = logged({
      user: { said: 'gọi 028 3829 1234', contact: { phone: '0912345678' } },
      rows: [{ note: 'CCCD 079123456789' }, ['STK 1903 6543 2100 12']],
      count: 3,
    });
    const line = JSON.stringify(entry);
    for (const leaked of ['3829', '0912345678', '079123456789', '1903']) expect(line).not.toContain(leaked);
    expect(entry).toMatchObject({
      user: { said: 'gọi [số điện thoại]', contact: { phone: '[số điện thoại]' } },
      rows: [{ note: 'CCCD [số CCCD]' }, ['STK [số tài khoản]']],
      count: 3,
    });
  });

  it('drops secret-named fields at any depth', () => {
    const entry = logged({ source: { name: 'kpi', token: 'abc123', headers: { authorization: 'Bearer x' } } });
    expect(entry.source).toEqual({ name: 'kpi', headers: {} });
  });

  it('writes a cyclic value once, marking the cycle instead of throwing', () => {
    const node: Record<string, unknown> = { note: 'gọi 0912345678' };
    node.self = node;
    const shared = { v: 1 };
    const entry = logged({ node, pair: [shared, shared] });
    expect(entry.node).toEqual({ note: 'gọi [số điện thoại]', self: '[circular]' });
    // The same object twice is not a cycle.
    expect(entry.pair).toEqual([{ v: 1 }, { v: 1 }]);
  });

  it('keeps dates and errors readable inside nested fields', () => {
    const entry = logged({ job: { at: new Date('2026-11-21T01:00:00Z'), error: new Error('gọi 0912345678 thất bại') } });
    expect(entry.job).toEqual({ at: '2026-11-21T01:00:00.000Z', error: 'Error: gọi [số điện thoại] thất bại' });
  });
});
