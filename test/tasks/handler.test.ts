/**
 * /nhacviec and /huynhac in chat: staff choose units or tasks with buttons (or typed numbers on
 * Zalo, which the channel turns back into the same actions), see what they follow, and stop;
 * citizens and the web chat are told politely why they cannot.
 */
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/types';
import { parseArgs } from '../../handlers/reminders';
import { Subscriptions } from '../../src/tasks/subscriptions';
import { TaskRepository } from '../../src/tasks/repository';
import { makeHarness, task } from './support/harness';
import { replyText } from './support/recording-outbound';

const chat = { channel: 'telegram' as const, chatId: '1001' };

function actions(reply: Reply): string[] {
  return (reply.buttons ?? []).flat().map((b) => b.action);
}

describe('/nhacviec', () => {
  it('explains to a citizen, politely, that reminders are for staff and whom to ask', async () => {
    const h = makeHarness();
    const reply = await h.say('/nhacviec', { role: 'citizen' });
    expect(reply.intent).toBe('reminders');
    expect(replyText(reply)).toContain('liên hệ quản trị viên');
    expect(reply.buttons).toBeUndefined();
    expect(await new Subscriptions(h.store).all()).toEqual(new Map());
  });

  it('tells a web chat user that reminders go out on Telegram or Zalo', async () => {
    const h = makeHarness();
    const reply = await h.say('/nhacviec', { channel: 'web', chatId: 'session-1' });
    expect(replyText(reply)).toContain('Telegram hoặc Zalo');
  });

  it('shows staff one button per unit with open tasks, plus all units, by task, and nothing subscribed yet', async () => {
    const h = makeHarness();
    const reply = await h.say('/nhacviec');
    const acts = actions(reply);
    expect(acts).toContain('/nhacviec chon don-vi:so-tttt-bd');
    expect(acts).toContain('/nhacviec chon don-vi:ban-cds-bd');
    expect(acts).toContain('/nhacviec chon tat-ca');
    expect(acts).toContain('/nhacviec viec');
    expect(acts).not.toContain('/huynhac');
    expect(reply.buttons!.flat().find((b) => b.action.endsWith('ban-cds-bd'))?.label).toBe('Ban chỉ đạo chuyển đổi số tỉnh Bình Dương (3)');
    for (const a of acts) expect(a.length).toBeLessThanOrEqual(60);
  });

  it('subscribes a chat to a unit from its button, marks it chosen, and lets the same chat remove it', async () => {
    const h = makeHarness();
    const added = await h.say('/nhacviec chon don-vi:so-tttt-bd');
    expect(replyText(added)).toContain('Đã đăng ký nhắc hạn các nhiệm vụ của Sở Thông tin và Truyền thông tỉnh Bình Dương (1 nhiệm vụ đang mở).');
    expect(added.buttons!.flat().find((b) => b.action === '/nhacviec bo don-vi:so-tttt-bd')?.label).toMatch(/^✓ /);
    const sub = await new Subscriptions(h.store).get(chat);
    expect(sub).toMatchObject({ units: ['so-tttt-bd'], tasks: [], allUnits: false, recipient: { channel: 'telegram', chatId: '1001', locale: 'vi' } });

    const removed = await h.say('/nhacviec bo don-vi:so-tttt-bd');
    expect(replyText(removed)).toContain('Đã bỏ nhắc hạn các nhiệm vụ của Sở Thông tin và Truyền thông tỉnh Bình Dương.');
    expect(await new Subscriptions(h.store).get(chat)).toBeUndefined();
  });

  it('lists open tasks as buttons, upcoming first, and subscribes to a single task', async () => {
    const h = makeHarness();
    await new TaskRepository(h.store).create(task({ id: 'viec-moi', deadline: '2026-12-15', title: 'Việc mới của năm 2026' }));
    const picker = await h.say('/nhacviec viec');
    expect(actions(picker)[0]).toBe('/nhacviec chon viec:viec-moi');
    expect(picker.buttons!.flat()[0]!.label).toBe('Việc mới của năm 2026 – 15/12/2026');
    const added = await h.say('/nhacviec chon viec:viec-moi');
    expect(replyText(added)).toContain('Đã đăng ký nhắc hạn nhiệm vụ: Việc mới của năm 2026 — hạn 15/12/2026 (còn 24 ngày).');
    expect((await new Subscriptions(h.store).get(chat))?.tasks).toEqual(['viec-moi']);
  });

  it('marks a task whose deadline has passed as past in the picker and when chosen, with no completion known', async () => {
    const h = makeHarness();
    const labels = (await h.say('/nhacviec viec')).buttons!.flat().map((b) => b.label);
    expect(labels).toContain('Tỷ lệ giao dịch không dùng tiền mặt trong dịch… – hạn đã qua 31/12/2025');
    expect(labels).toContain('100% hồ sơ thủ tục hành chính liên thông đủ điề… – 31/12/2030');
    // Every deadline before today (21/11/2026) is marked as past.
    expect(labels.filter((l) => /– \d+\/\d+\/20(2[0-5])$/.test(l))).toEqual([]);
    const added = await h.say('/nhacviec chon viec:bd-hop-nhat-cong-dvc-mot-cua-2023');
    expect(replyText(added)).toContain('— hạn 30/9/2023 đã qua (quá hạn 1.148 ngày), chưa có tin đã hoàn thành.');
  });

  it('shows what the chat follows with days left, nearest deadline first, on "/nhacviec danh sach" and on typed "nhac viec danh sach"', async () => {
    const h = makeHarness();
    await new TaskRepository(h.store).create(task({ id: 'viec-moi', deadline: '2026-12-15', title: 'Việc mới', unit: 'so-tttt-bd' }));
    await h.say('/nhacviec chon don-vi:so-tttt-bd');
    await h.say('/nhacviec chon don-vi:so-tttt-bd', { channel: 'zalo', chatId: '2002' });
    for (const typed of ['Nhắc việc danh sách', 'nhac viec ds']) {
      const text = replyText(await h.say(typed, { channel: 'zalo', chatId: '2002' }));
      expect(text).toContain('Cuộc trò chuyện này đang nhận nhắc hạn cho:');
    }
    const list = await h.say('/nhacviec danh sach');
    const text = replyText(list);
    expect(text).toContain('• Đơn vị: Sở Thông tin và Truyền thông tỉnh Bình Dương');
    expect(text).toContain('Các nhiệm vụ đang theo dõi (2), gần hạn nhất trước:');
    expect(text.indexOf('Việc mới — hạn 15/12/2026 (còn 24 ngày)')).toBeLessThan(text.indexOf('hạn 31/12/2023 đã qua (quá hạn 1.056 ngày), chưa có tin đã hoàn thành'));
    expect(list.citations.length).toBeGreaterThan(0);
  });

  it('says so when a chat with no reminders asks for its list', async () => {
    const h = makeHarness();
    const reply = await h.say('/nhacviec danh sach');
    expect(replyText(reply)).toContain('chưa đăng ký nhắc hạn nào');
    expect(actions(reply)).toContain('/nhacviec chon tat-ca');
  });

  it('follows all units, including ones added later, and stops following them on request', async () => {
    const h = makeHarness();
    const added = await h.say('/nhacviec chon tat-ca');
    expect(replyText(added)).toContain('tất cả đơn vị (8 đơn vị)');
    expect(actions(added)).toContain('/nhacviec bo tat-ca');
    await new TaskRepository(h.store).create(task({ id: 'viec-moi', deadline: '2026-12-15', unit: 'don-vi-moi', owner: 'Đơn vị mới' }));
    expect(replyText(await h.say('/nhacviec danh sach'))).toContain('Nhiệm vụ viec-moi');
    await h.say('/nhacviec bo tat-ca');
    expect(await new Subscriptions(h.store).get(chat)).toBeUndefined();
  });

  it('subscribes to the one unit a typed name matches, and offers choices when several match', async () => {
    const h = makeHarness();
    const one = await h.say('/nhacviec so thong tin va truyen thong');
    expect(replyText(one)).toContain('Đã đăng ký nhắc hạn các nhiệm vụ của Sở Thông tin và Truyền thông tỉnh Bình Dương');
    const several = await h.say('/nhacviec sở, ngành');
    expect(replyText(several)).toContain('Có nhiều đơn vị hoặc nhiệm vụ khớp');
    expect(actions(several)).toEqual(expect.arrayContaining(['/nhacviec chon don-vi:so-nganh-bd', '/nhacviec chon don-vi:so-nganh-dia-phuong-bd']));
    const none = await h.say('/nhacviec khong co don vi nay');
    expect(replyText(none)).toContain('không tìm thấy');
  });

  it('answers a stale button (a task since deleted) by showing the choices again', async () => {
    const h = makeHarness();
    const reply = await h.say('/nhacviec chon viec:khong-con-nua');
    expect(replyText(reply)).toContain('Lựa chọn này không còn');
    expect(await new Subscriptions(h.store).get(chat)).toBeUndefined();
  });

  it('keeps one subscription per chat: a group chat and a private chat subscribe separately', async () => {
    const h = makeHarness();
    await h.say('/nhacviec chon don-vi:so-tttt-bd', { chatId: '-100200', isGroup: true });
    await h.say('/nhacviec chon don-vi:ubnd-bd', { chatId: '1001' });
    const all = await new Subscriptions(h.store).all();
    expect([...all.keys()]).toEqual(['telegram:-100200', 'telegram:1001']);
  });
});

describe('/huynhac', () => {
  it('stops every reminder of the chat, also typed as "huy nhac", and says when there was none', async () => {
    const h = makeHarness();
    await h.say('/nhacviec chon tat-ca');
    expect(replyText(await h.say('huỷ nhắc'.normalize('NFC')))).toContain('Đã dừng toàn bộ nhắc hạn');
    expect(await new Subscriptions(h.store).all()).toEqual(new Map());
    expect(replyText(await h.say('/huynhac'))).toContain('chưa đăng ký nhắc hạn nào');
  });

  it('lets a chat that lost its staff role stop its reminders', async () => {
    const h = makeHarness();
    await h.say('/nhacviec chon tat-ca');
    expect(replyText(await h.say('/huynhac', { role: 'citizen' }))).toContain('Đã dừng');
  });
});

describe('parseArgs', () => {
  it('reads subcommands typed with or without diacritics', () => {
    expect(parseArgs('')).toEqual({ kind: 'menu' });
    expect(parseArgs('danh sách')).toEqual({ kind: 'list' });
    expect(parseArgs('  Danh   Sach ')).toEqual({ kind: 'list' });
    expect(parseArgs('việc')).toEqual({ kind: 'tasks' });
    expect(parseArgs('chon don-vi:so-tttt-bd')).toEqual({ kind: 'change', change: { op: 'add', unit: 'so-tttt-bd' } });
    expect(parseArgs('bỏ việc:bd-kho-du-lieu-so-2023')).toEqual({ kind: 'change', change: { op: 'remove', task: 'bd-kho-du-lieu-so-2023' } });
    expect(parseArgs('chọn tat-ca')).toEqual({ kind: 'change', change: { op: 'add', all: true } });
    expect(parseArgs('Sở Nội vụ')).toEqual({ kind: 'search', text: 'so noi vu' });
  });
});
