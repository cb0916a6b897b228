/**
 * A message that is only a number: it picks from the choices the last reply offered (a
 * procedures pick-list, a card's buttons) while they are fresh; otherwise the assistant asks
 * what is meant and says what it can do, never quoting passages that merely contain the number.
 * Through /api/chat, so the rule is seen where every channel meets it: the core.
 */
import { describe, expect, it } from 'vitest';
import { makeTestApp, postJson, type TestApp } from '../support/runtime';

interface ChatBody {
  reply: string;
  intent: string;
  citations: unknown[];
  buttons: Array<Array<{ label: string; action: string }>>;
  sessionId: string;
}

/** One web chat: the server issues the session id on the first message, later ones send it back. */
function session(t: TestApp, locale?: 'vi' | 'en') {
  let sessionId: string | undefined;
  return async (message: string): Promise<ChatBody> => {
    const res = await t.request('/api/chat', postJson({ message, ...(sessionId ? { sessionId } : {}), ...(locale ? { locale } : {}) }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as ChatBody;
    sessionId = body.sessionId;
    return body;
  };
}

function movableClock() {
  let now = Date.parse('2026-11-21T08:00:00+07:00');
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

const QUOTED = /Theo các nguồn tôi có|According to my sources/;

describe('a bare number with no choices pending', () => {
  it.each(['4', '2022', '1', ' 7. ', '１', '２０２２', '٣', '1️⃣'])('%j gets a short question back and what the assistant can do, never quotes', async (text) => {
    const body = await session(makeTestApp())(text);
    expect(body.intent).toBe('bare-number');
    expect(body.reply).toMatch(/chưa rõ bạn muốn hỏi gì/);
    expect(body.reply).toMatch(/thủ tục hành chính/);
    expect(body.reply).not.toMatch(QUOTED);
    expect(body.citations).toEqual([]);
    expect(body.reply.length).toBeLessThan(500);
  });

  it('answers in English when the user writes in English', async () => {
    const body = await session(makeTestApp(), 'en')('2022');
    expect(body.intent).toBe('bare-number');
    expect(body.reply).toMatch(/not sure what you mean/);
    expect(body.reply).toMatch(/I can help/);
  });

  it('leaves a number inside a sentence to the usual routes', async () => {
    const body = await session(makeTestApp())('Chỉ thị 22-CT/TU ban hành ngày nào?');
    expect(body.intent).not.toBe('bare-number');
  });
});

describe('a bare number with choices pending', () => {
  it('picks the numbered choice of a procedures pick-list, in full-width digits too', async () => {
    const chat = session(makeTestApp());
    const list = await chat('/thutuc đăng ký');
    const choices = list.buttons.flat();
    expect(choices.length).toBeGreaterThan(2);
    const second = await chat('2');
    expect(second.intent).toBe('procedure');
    expect(second.reply.split('\n')[0]).toBe(choices[1]!.label);

    await chat('/thutuc đăng ký');
    const third = await chat('３');
    expect(third.reply.split('\n')[0]).toBe(choices[2]!.label);
  });

  it('asks again for a number that is not among the choices', async () => {
    const chat = session(makeTestApp());
    const list = await chat('/thutuc đăng ký');
    const body = await chat(String(list.buttons.flat().length + 1));
    expect(body.intent).toBe('bare-number');
  });

  it('reads the choices of the last reply only', async () => {
    const chat = session(makeTestApp());
    await chat('/thutuc đăng ký');
    await chat('Chỉ thị 22-CT/TU ban hành ngày nào?');
    expect((await chat('2')).intent).toBe('bare-number');
  });

  it('forgets the choices after an hour: "1" then is just a number', async () => {
    const clock = movableClock();
    const chat = session(makeTestApp({}, clock.now));
    await chat('/thutuc đăng ký');
    clock.advance(61 * 60_000);
    expect((await chat('1')).intent).toBe('bare-number');
  });

  it('keeps the choices of one chat to that chat', async () => {
    const t = makeTestApp();
    await session(t)('/thutuc đăng ký');
    expect((await session(t)('2')).intent).toBe('bare-number');
  });
});
