/**
 * A person instead of the assistant, on the web chat and through the admin API, all through the
 * composed app: asking, the promise (in and out of working hours), the inbox listing, the race
 * of two operators taking at once, a reply reaching the chat, the bot quiet meanwhile, closing
 * (by the citizen and by staff), refusals with a reason, masking and the audit.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, handoffApp, handoffsOfChat, listHandoffs, MONDAY_9, type HandoffApp } from './support';

async function openOnWeb(app: HandoffApp, text = 'gặp cán bộ'): Promise<{ session: { id?: string }; id: string; chatId: string }> {
  const session: { id?: string } = {};
  await app.web('xin chào', session);
  const asked = await app.web(text, session);
  expect(asked.intent).toBe('handoff');
  const [listed] = await handoffsOfChat(app, session.id!, 'open');
  return { session, id: listed!.id, chatId: session.id! };
}

describe('asking for a person on the web chat', () => {
  it.each(['gặp cán bộ', 'gap can bo', 'Cho tôi nói chuyện với người thật ạ', '/canbo', 'can bo'])('"%s" opens a handoff', async (text) => {
    const app = handoffApp();
    const session: { id?: string } = {};
    const asked = await app.web(text, session);
    expect(asked.intent).toBe('handoff');
    const open = await listHandoffs(app, 'open');
    expect(open).toHaveLength(1);
    expect(await handoffsOfChat(app, session.id!, 'open')).toEqual(open);
    expect(open[0]).toMatchObject({ channel: 'web', status: 'open', assignee: null });
  });

  it('never shows the chat id (on the web, the citizen\'s session id) through the admin API', async () => {
    const app = handoffApp();
    const { session, id } = await openOnWeb(app);
    const list = await app.request('/admin/handoffs', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const body = await list.text();
    expect((JSON.parse(body) as { handoffs: Array<Record<string, unknown>> }).handoffs.map((h) => [h.id, 'chatId' in h])).toEqual([[id, false]]);
    expect(body).not.toContain(session.id!);
    const one = await app.admin('GET', `/handoffs/${id}`);
    const taken = await app.admin('POST', `/handoffs/${id}/take`, { actor: 'Lan' });
    const replied = await app.admin('POST', `/handoffs/${id}/reply`, { actor: 'Lan', body: { text: 'Chào anh' } });
    const closed = await app.admin('POST', `/handoffs/${id}/close`, { actor: 'Lan' });
    for (const res of [one, taken, replied, closed]) {
      expect(res.status).toBe(200);
      expect((res.body.handoff as Record<string, unknown>).id).toBe(id);
      expect('chatId' in (res.body.handoff as Record<string, unknown>)).toBe(false);
      expect(JSON.stringify(res.body)).not.toContain(session.id!);
    }
  });

  it('does not take a question that merely mentions staff for a request', async () => {
    const app = handoffApp();
    const asked = await app.web('cán bộ tiếp nhận hồ sơ cấp đổi căn cước ở đâu?');
    expect(asked.intent).not.toMatch(/^handoff/);
    expect(await listHandoffs(app)).toEqual([]);
  });

  it('in working hours promises an answer in this chat within the target', async () => {
    const app = handoffApp();
    const asked = await app.web('gặp cán bộ');
    expect(asked.reply).toContain('trong cuộc trò chuyện này');
    expect(asked.reply).toContain('30 phút');
    expect(asked.reply).toContain('7:30–11:30, 13:30–17:00');
    expect(asked.buttons.flat().map((b) => b.action)).toContain('/ketthuc');
  });

  it('outside working hours names the next working period and the hotline', async () => {
    // Saturday evening: the next period is Monday 23/11/2026 at 7:30.
    const app = handoffApp({}, Date.parse('2026-11-21T19:00:00+07:00'));
    const asked = await app.web('gặp cán bộ');
    expect(asked.reply).toContain('ngoài giờ làm việc');
    expect(asked.reply).toContain('7:30 thứ Hai ngày 23/11/2026');
    expect(asked.reply).toContain('1022');
    // Friday after 17:00, in English, is the same Monday.
    const friday = handoffApp({}, Date.parse('2026-11-20T17:05:00+07:00'));
    const res = await friday.request('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'gặp cán bộ', locale: 'en' }),
    });
    expect(((await res.json()) as { reply: string }).reply).toContain('Monday 23/11/2026 at 7:30');
  });

  it('keeps exactly one open handoff per chat, even when asked twice at once', async () => {
    const app = handoffApp();
    const session: { id?: string } = {};
    await app.web('xin chào', session);
    const [a, b] = await Promise.all([app.web('gặp cán bộ', { ...session }), app.web('/canbo', { ...session })]);
    expect([a.intent, b.intent].sort()).toEqual(['handoff', 'handoff-already-open']);
    expect(await listHandoffs(app, 'open')).toHaveLength(1);
  });
});

describe('while the conversation is with a person', () => {
  it('the assistant stays quiet, the operator sees the masked messages, and the reply reaches the chat', async () => {
    const app = handoffApp();
    const { session, id } = await openOnWeb(app);
    const said = await app.web('Hộ chiếu của tôi bị mất, số điện thoại 0912 345 678', session);
    expect(said.intent).toBe('handoff-message');
    expect(said.reply).toContain('Đã chuyển tin nhắn');

    const shown = await app.admin('GET', `/handoffs/${id}`);
    expect(shown.status).toBe(200);
    const transcript = JSON.stringify(shown.body.messages);
    expect(transcript).toContain('Hộ chiếu của tôi bị mất');
    expect(transcript).toContain('[số điện thoại]');
    expect(transcript).not.toContain('345 678');
    // The turns before the request are there too, for context.
    expect(transcript).toContain('xin chào');

    app.clock.now += 5 * 60_000;
    const reply = await app.admin('POST', `/handoffs/${id}/reply`, { actor: 'Nguyen Lan', body: { text: 'Chào anh, anh mang CCCD đến bộ phận một cửa nhé.' } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ delivered: true, handoff: { status: 'taken', assignee: 'Nguyen Lan', waitingSeconds: 300 } });

    // The web chat cannot be pushed to: the reply comes with the next answer, once.
    const next = await app.web('cảm ơn', session);
    expect(next.intent).toBe('handoff-message');
    expect(next.reply).toContain('Chào anh, anh mang CCCD đến bộ phận một cửa nhé.');
    const again = await app.web('còn gì nữa không?', session);
    expect(again.reply).not.toContain('bộ phận một cửa');
  });

  it('"kết thúc" closes it and the assistant answers again', async () => {
    const app = handoffApp();
    const { session, id } = await openOnWeb(app);
    const ended = await app.web('Kết thúc', session);
    expect(ended.intent).toBe('handoff-ended');
    expect((await app.admin('GET', `/handoffs/${id}`)).body.handoff).toMatchObject({ status: 'closed', closedBy: 'citizen' });
    const answered = await app.web('/help', session);
    expect(answered.intent).toBe('help');
    // Outside a conversation, /ketthuc says there is none.
    expect((await app.web('/ketthuc', session)).intent).toBe('handoff-end');
  });

  it('an operator closing it tells the citizen, whose replies waiting are shown before the next answer', async () => {
    const app = handoffApp();
    const { session, id } = await openOnWeb(app);
    expect((await app.admin('POST', `/handoffs/${id}/reply`, { actor: 'lan', body: { text: 'Đã xử lý xong hồ sơ của anh.' } })).status).toBe(200);
    expect((await app.admin('POST', `/handoffs/${id}/close`, { actor: 'lan' })).status).toBe(200);
    const next = await app.web('/help', session);
    expect(next.intent).toBe('help');
    expect(next.reply).toContain('Đã xử lý xong hồ sơ của anh.');
    expect(next.reply).toContain('Cán bộ đã kết thúc cuộc trò chuyện');
  });

  it('a sensitive command is never diverted to a person', async () => {
    const app = handoffApp();
    const { session, id } = await openOnWeb(app);
    const erase = await app.web('/xoadulieu', session);
    expect(erase.intent).not.toMatch(/^handoff/);
    const transcript = JSON.stringify((await app.admin('GET', `/handoffs/${id}`)).body.messages);
    expect(transcript).not.toContain('xoadulieu');
  });
});

describe('the admin API', () => {
  it('lets exactly one of two operators taking at once win', async () => {
    const app = handoffApp();
    const { id } = await openOnWeb(app);
    const results = await Promise.all(['lan', 'minh', 'hoa'].map((actor) => app.admin('POST', `/handoffs/${id}/take`, { actor })));
    const won = results.filter((r) => r.status === 200);
    const lost = results.filter((r) => r.status === 409);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(2);
    const winner = (won[0]!.body.handoff as { assignee: string }).assignee;
    for (const r of lost) {
      expect(r.body.assignee).toBe(winner);
      expect(r.body.error).toContain('đã nhận');
    }
    expect(await listHandoffs(app, 'taken')).toMatchObject([{ id, assignee: winner }]);
    expect(await listHandoffs(app, 'open')).toEqual([]);
    // The winner taking again (a retried request) is fine; a loser replying is refused.
    expect((await app.admin('POST', `/handoffs/${id}/take`, { actor: winner })).status).toBe(200);
    const loser = ['lan', 'minh', 'hoa'].find((a) => a !== winner)!;
    expect((await app.admin('POST', `/handoffs/${id}/reply`, { actor: loser, body: { text: 'xin chào' } })).status).toBe(409);
  });

  it('refuses a reply, a take or a second close on a closed handoff', async () => {
    const app = handoffApp();
    const { id } = await openOnWeb(app);
    expect((await app.admin('POST', `/handoffs/${id}/close`, { actor: 'lan' })).status).toBe(200);
    const reply = await app.admin('POST', `/handoffs/${id}/reply`, { actor: 'lan', body: { text: 'muộn rồi' } });
    expect(reply.status).toBe(409);
    expect(reply.body.error).toContain('đã kết thúc');
    expect((await app.admin('POST', `/handoffs/${id}/take`, { actor: 'lan' })).status).toBe(409);
    expect((await app.admin('POST', `/handoffs/${id}/close`, { actor: 'minh' })).status).toBe(409);
    expect(JSON.stringify((await app.admin('GET', `/handoffs/${id}`)).body.messages)).not.toContain('muộn rồi');
  });

  it('lists oldest first with the waiting time, and filters by status', async () => {
    const app = handoffApp();
    const first = await openOnWeb(app);
    app.clock.now += 10 * 60_000;
    const second = await openOnWeb(app);
    app.clock.now += 60_000;
    const open = await listHandoffs(app, 'open');
    expect(open.map((h) => h.id)).toEqual([first.id, second.id]);
    expect(open.map((h) => h.waitingSeconds)).toEqual([660, 60]);
    expect(open[0]!.openedAt).toBe(new Date(MONDAY_9).toISOString());
    await app.admin('POST', `/handoffs/${second.id}/close`, { actor: 'lan' });
    expect((await listHandoffs(app, 'closed')).map((h) => h.id)).toEqual([second.id]);
    expect((await listHandoffs(app)).map((h) => h.id)).toEqual([first.id, second.id]);
  });

  it('answers bad input with 4xx and a Vietnamese reason', async () => {
    const app = handoffApp();
    const { id } = await openOnWeb(app);
    const badStatus = await app.admin('GET', '/handoffs?status=waiting');
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error).toContain('Trạng thái');
    const empty = await app.admin('POST', `/handoffs/${id}/reply`, { body: { text: '   ' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toContain('Nội dung trả lời');
    expect((await app.admin('POST', `/handoffs/${id}/reply`, { body: { text: 'x'.repeat(4001) } })).status).toBe(400);
    expect((await app.admin('POST', `/handoffs/${id}/reply`, { body: { message: 'x' } })).status).toBe(400);
    const missing = await app.admin('POST', '/handoffs/khong-co/take');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toContain('Không có cuộc trò chuyện');
    // Nothing was half-written by the refusals.
    expect(await listHandoffs(app, 'open')).toMatchObject([{ id, assignee: null }]);
    const noToken = await app.request('/admin/handoffs');
    expect(noToken.status).toBe(401);
  });

  it('audits take, reply and close with the operator, never the chat id or the text', async () => {
    const app = handoffApp();
    const { id, chatId } = await openOnWeb(app);
    await app.admin('POST', `/handoffs/${id}/take`, { actor: 'Tran Minh' });
    app.clock.now += 1000;
    await app.admin('POST', `/handoffs/${id}/reply`, { actor: 'Tran Minh', body: { text: 'Nội dung riêng tư' } });
    app.clock.now += 1000;
    await app.admin('POST', `/handoffs/${id}/close`, { actor: 'Tran Minh' });
    const audit = await app.admin('GET', '/audit');
    const entries = (audit.body.entries as Array<{ action: string; actor: string; target: string }>).filter((e) => e.action.startsWith('handoffs.'));
    expect(entries.map((e) => [e.action, e.actor, e.target])).toEqual([
      ['handoffs.take', 'Tran Minh', id],
      ['handoffs.reply', 'Tran Minh', id],
      ['handoffs.close', 'Tran Minh', id],
    ]);
    const raw = JSON.stringify(audit.body);
    expect(raw).not.toContain(chatId);
    expect(raw).not.toContain('Nội dung riêng tư');
  });

  it('reports the time to a first human reply (median, p90) and handoffs per day', async () => {
    const app = handoffApp();
    const waits = [2, 4, 6, 8, 30];
    for (const minutes of waits) {
      const { id } = await openOnWeb(app);
      app.clock.now += minutes * 60_000;
      await app.admin('POST', `/handoffs/${id}/reply`, { actor: 'lan', body: { text: 'Chào anh' } });
      await app.admin('POST', `/handoffs/${id}/close`, { actor: 'lan' });
    }
    await openOnWeb(app); // never answered: counted as opened, not in the reply times
    const stats = await app.admin('GET', '/handoffs/stats?from=2026-11-01&to=2026-11-30');
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ opened: 6, perDay: [{ day: '2026-11-23', count: 6 }], firstReply: { count: 5, medianSeconds: 360, p90Seconds: 1800 } });
  });
});

describe('offered after two failed answers', () => {
  it('offers a person (a button, not a handoff) after two answers in a row found nothing, and the offer opens one', async () => {
    const app = handoffApp();
    const session: { id?: string } = {};
    const first = await app.web('zyxw qvtr plmk', session);
    expect(first.intent).toBe('ask');
    expect(first.buttons.flat().map((b) => b.action)).not.toContain('/canbo goiy');
    const second = await app.web('qvtr zyxw mlkp', session);
    expect(second.buttons.flat().map((b) => b.action)).toContain('/canbo goiy');
    expect(second.reply).toContain('trao đổi với cán bộ');
    expect(await listHandoffs(app)).toEqual([]);
    const taken = await app.web('/canbo goiy', session);
    expect(taken.intent).toBe('handoff');
    expect((await app.admin('GET', '/handoffs?status=open')).body.handoffs).toMatchObject([{ reason: 'offered' }]);
  });

  it('starts counting again after an answer that found something', async () => {
    const app = handoffApp();
    const session: { id?: string } = {};
    await app.web('zyxw qvtr plmk', session);
    const found = await app.web('Chỉ thị 22-CT/TU ban hành ngày nào?', session);
    expect(found.intent).toBe('ask');
    const third = await app.web('qvtr zyxw mlkp', session);
    expect(third.buttons.flat().map((b) => b.action)).not.toContain('/canbo goiy');
  });
});
