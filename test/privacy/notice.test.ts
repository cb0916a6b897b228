/**
 * The privacy notice given at /start matches what is kept: conversation memory and its days,
 * unlinked question statistics and their days (both from config), and how to delete.
 */
import { describe, expect, it } from 'vitest';
import { makeTestApp } from '../support/runtime';
import type { Locale, Reply } from '../../src/core/types';

const textOf = (r: Reply) => r.blocks.map((b) => (b.type === 'list' ? b.items.join('\n') : b.text)).join('\n');

async function notice(env: Record<string, string>, locale: Locale): Promise<string> {
  const t = makeTestApp(env);
  return textOf(await t.rt.assistant.handle({ channel: 'telegram', chatId: '1', userId: '1', text: '/start', locale }));
}

describe('the /start privacy notice', () => {
  it.each(['vi', 'en'] as const)('in %s names both retention periods from config, /xoadulieu, and leaves no placeholder', async (locale) => {
    const text = await notice({ HISTORY_TTL_DAYS: '14', ANALYTICS_RETENTION_DAYS: '60' }, locale);
    const days = locale === 'vi' ? ['14 ngày', '60 ngày'] : ['14 days', '60 days'];
    for (const d of days) expect(text).toContain(d);
    expect(text).toContain('/xoadulieu');
    expect(text).not.toContain('{{');
  });

  it('says statistics are not tied to the person and what they hold', async () => {
    const text = await notice({}, 'vi');
    expect(text).toContain('không gắn với tài khoản của bạn, giữ 90 ngày');
    expect(text).toContain('đánh giá 👍/👎');
    expect(text).toContain('vai trò cán bộ đã xác thực');
  });
});
