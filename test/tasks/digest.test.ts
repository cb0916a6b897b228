/**
 * The digest a subscriber receives: one Reply, grouped by urgency, each item with days left,
 * owner and source, in Vietnamese and English.
 */
import { describe, expect, it } from 'vitest';
import { Texts, type TextTable } from '../../src/core/texts';
import bundle from '../../src/generated/bundle.json';
import { buildDigest, daysLeftText, deadlineOn, dueItems, formatCount } from '../../src/tasks/digest';
import type { Subscription } from '../../src/tasks/subscriptions';
import { task } from './support/harness';
import { replyText } from './support/recording-outbound';

const texts = new Texts((bundle as { prompts: TextTable }).prompts);

const sub: Subscription = {
  recipient: { channel: 'telegram', chatId: '1', locale: 'vi' },
  allUnits: false,
  units: ['so-tttt-bd'],
  tasks: ['viec-rieng'],
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
};

const tasks = [
  task({ id: 'viec-tuan', deadline: '2026-11-27', title: 'Kết nối IOC' }),
  task({ id: 'viec-qua-han', deadline: '2026-11-13', title: 'Hợp nhất cổng', source: { title: 'Bài', outlet: 'Báo Lao Động', date: '2023-08-21', docId: 'bd-x' } }),
  task({ id: 'viec-rieng', deadline: '2026-11-21', title: 'Việc riêng', unit: 'don-vi-khac', owner: 'Đơn vị khác' }),
  task({ id: 'viec-xong', deadline: '2026-11-22', title: 'Đã xong', status: 'done' }),
  task({ id: 'viec-xa', deadline: '2026-12-30', title: 'Còn xa' }),
  task({ id: 'viec-khong-theo', deadline: '2026-11-22', title: 'Không theo dõi', unit: 'don-vi-khac', owner: 'Đơn vị khác' }),
];

describe('the digest', () => {
  it('holds the open tasks the chat follows that are in a stage, most urgent first', () => {
    expect(dueItems(tasks, sub, '2026-11-21').map((i) => `${i.task.id}:${i.stage.key}`)).toEqual([
      'viec-qua-han:overdue-1',
      'viec-rieng:due',
      'viec-tuan:T-7',
    ]);
  });

  it('reads, in Vietnamese, as one message grouped by urgency with days left, owner and source', () => {
    const reply = buildDigest(dueItems(tasks, sub, '2026-11-21'), '2026-11-21', 'vi', texts);
    expect(replyText(reply)).toBe(
      [
        'Nhắc hạn nhiệm vụ cải cách hành chính — 21/11/2026',
        'Đã quá hạn',
        '- Hợp nhất cổng — hạn 13/11/2026 đã qua (quá hạn 8 ngày), chưa có tin đã hoàn thành. Chủ trì: Sở Thông tin và Truyền thông tỉnh Bình Dương. Nguồn: Báo Lao Động, 21/8/2023.',
        'Đến hạn hôm nay',
        '- Việc riêng — hạn 21/11/2026 (hạn chót là hôm nay). Chủ trì: Đơn vị khác. Nguồn: Báo Thử, 2/1/2026.',
        'Còn 4–7 ngày',
        '- Kết nối IOC — hạn 27/11/2026 (còn 6 ngày). Chủ trì: Sở Thông tin và Truyền thông tỉnh Bình Dương. Nguồn: Báo Thử, 2/1/2026.',
        'Gõ /nhacviec danh sach để xem các đăng ký, /huynhac để dừng nhắc.',
      ].join('\n'),
    );
    expect(reply.intent).toBe('reminders-digest');
    expect(reply.citations.map((c) => c.id)).toEqual(['bd-x', 'task:viec-rieng']);
    expect(reply.buttons).toEqual([[{ label: 'Xem đăng ký', action: '/nhacviec danh sach' }, { label: 'Dừng nhắc', action: '/huynhac' }]]);
  });

  it('reads in English for a chat that speaks English', () => {
    const items = dueItems(tasks, sub, '2026-11-20');
    const text = replyText(buildDigest(items, '2026-11-20', 'en', texts));
    expect(text).toContain('Administrative reform deadlines — 20/11/2026');
    expect(text).toContain('- Việc riêng — due 21/11/2026 (1 day left). In charge: Đơn vị khác. Source: Báo Thử, 2/1/2026.');
    expect(text).toContain('Overdue\n- Hợp nhất cổng — the deadline 13/11/2026 has passed (7 days overdue), no word yet that it was done.');
  });

  it('writes counts the way each language groups thousands', () => {
    expect(formatCount(1148, 'vi')).toBe('1.148');
    expect(formatCount(1148, 'en')).toBe('1,148');
    expect(daysLeftText(-1148, 'vi', texts)).toBe('quá hạn 1.148 ngày');
    expect(daysLeftText(-1, 'en', texts)).toBe('1 day overdue');
  });

  it('speaks of a passed deadline as past, with what is known of the result', () => {
    const open = { deadline: '2023-09-30', status: 'open' as const };
    expect(deadlineOn(open, '2026-12-06', 'vi', texts)).toBe('hạn 30/9/2023 đã qua (quá hạn 1.163 ngày), chưa có tin đã hoàn thành');
    expect(deadlineOn(open, '2023-09-30', 'vi', texts)).toBe('hạn 30/9/2023 (hạn chót là hôm nay)');
    expect(deadlineOn(open, '2023-09-23', 'vi', texts)).toBe('hạn 30/9/2023 (còn 7 ngày)');
    expect(deadlineOn({ ...open, status: 'done' }, '2026-12-06', 'vi', texts)).toBe('hạn 30/9/2023, đã hoàn thành');
    expect(deadlineOn({ ...open, status: 'cancelled' }, '2026-12-06', 'en', texts)).toBe('due 30/9/2023, cancelled');
    expect(deadlineOn(open, '2026-12-06', 'en', texts)).toBe('the deadline 30/9/2023 has passed (1,163 days overdue), no word yet that it was done');
  });
});
