/**
 * The ask handler through the Assistant (so conversation memory is recorded as in production),
 * with the bundled knowledge, with and without a model (the loopback OpenAI-compatible fake).
 * Every failure mode must end in a useful reply: quoted passages with a short note, or
 * "not found" — never a silence or a stack trace.
 */
import { describe, expect, it, vi } from 'vitest';
import { fakeClock, fakeLlmSettings, useFakeOpenAI, type FakeClock, type LlmSetup } from './setup';
import { assistantWith, makeTestApp } from '../support/runtime';
import { createAskHandler, quoteAnswer } from '../../handlers/ask';
import { helpHandlers } from '../../handlers/help';
import type { Inbound, Reply } from '../../src/core/types';
import { renderPlain } from '../../src/channels/plain';
import { createLlm, type Llm } from '../../src/llm/llm';
import { knowledgeSearchTool } from '../../src/llm/tools';
import { loadPlaceRegistry } from '../../scripts/eval';

const fake = useFakeOpenAI();

interface Setup extends LlmSetup {
  model?: boolean;
  /** The model's clock; a case with one lets its deadline pass once the request is at the model. */
  clock?: FakeClock;
  /** Give the handler the place registry, as the app does (answers are then held to the places asked). */
  places?: boolean;
}

function setup(opts: Setup = {}) {
  const t = makeTestApp();
  const llm: Llm | undefined =
    opts.model === false
      ? undefined
      : createLlm(
          fakeLlmSettings(fake, opts.budget),
          {
            store: t.store,
            texts: t.rt.texts,
            log: t.rt.log,
            now: opts.clock?.now ?? t.rt.now,
            setTimer: opts.clock?.setTimer,
            tools: [knowledgeSearchTool(t.rt.knowledge)],
            limits: opts.limits,
            sleep: async () => {},
          },
        );
  const { rt } = t;
  const assistant = assistantWith(rt, [
    ...helpHandlers({ texts: rt.texts, historyTtlSeconds: 3600, analyticsRetentionDays: 90 }),
    createAskHandler({
      texts: rt.texts,
      log: rt.log,
      now: rt.now,
      knowledge: rt.knowledge,
      conversation: rt.conversation,
      llm,
      ...(opts.places ? { places: loadPlaceRegistry() } : {}),
    }),
  ]);
  const ask = (text: string, extra: Partial<Inbound> = {}, onPartial?: (s: string) => void) =>
    assistant.handle({ channel: 'web', chatId: 'chat-1', userId: 'user-1', text, locale: 'vi', ...extra }, { onPartial });
  const render = (r: Reply, locale: 'vi' | 'en' = 'vi') => renderPlain(r, t.rt.texts, locale);
  return { t, llm, ask, render, text: (key: string, locale: 'vi' | 'en' = 'vi') => t.rt.texts.get(locale, key) };
}

/** A reply a person can use: some text, no error trace, no internal names. */
function expectUseful(reply: Reply, rendered: string): void {
  expect(reply.blocks.length).toBeGreaterThan(0);
  expect(rendered.trim().length).toBeGreaterThan(20);
  expect(rendered).not.toMatch(/Error|\n\s+at |undefined|LlmFailure|stack/);
}

const CT22 = 'chi thi 22 ban hanh ngay nao';

describe('ask without a model', () => {
  it('quotes the best passages with their sources', async () => {
    const { ask, render } = setup({ model: false });
    const reply = await ask(CT22);
    expect(reply).toMatchObject({ intent: 'ask', found: true });
    expect(reply.citations[0]!.id).toBe('bd-chi-thi-22-ct-tu');
    expect(render(reply)).toContain('22/6/2022');
  });

  it('says "not found" for a question the sources do not answer', async () => {
    const { ask, text } = setup({ model: false });
    const reply = await ask('quy trình nuôi cá tra xuất khẩu');
    expect(reply).toMatchObject({ found: false, citations: [] });
    expect(reply.blocks[0]).toEqual({ type: 'text', text: text('not-found') });
  });

  it('answers a follow-up by searching it together with the previous question', async () => {
    const { ask, render } = setup({ model: false });
    await ask('Tỷ lệ số hóa hồ sơ cấp tỉnh theo Nghị quyết 05-NQ/TU là bao nhiêu?');
    const reply = await ask('còn cấp xã thì sao?');
    expect(reply.found).toBe(true);
    expect(render(reply)).toContain('35% ở cấp xã');
  });

  it('asks for a question when /hoi comes alone', async () => {
    const { ask, text } = setup({ model: false });
    expect((await ask('/hoi')).blocks).toEqual([{ type: 'text', text: text('ask-empty') }]);
  });
});

describe('guardrails, with or without a model', () => {
  it.each([false, true])('refuses an off-topic request politely and says what it can do (model: %s)', async (model) => {
    const { ask, text } = setup({ model });
    const reply = await ask('giá vàng SJC hôm nay bao nhiêu?');
    expect(reply).toMatchObject({ intent: 'out-of-scope', found: false, citations: [] });
    expect(reply.blocks).toEqual([
      { type: 'text', text: text('ask-refusal-prices') },
      { type: 'text', text: text('ask-can-do') },
    ]);
    expect(fake.calls()).toHaveLength(0);
  });

  it.each([false, true])('adds a gentle note when a message carries personal numbers, and masks them (model: %s)', async (model) => {
    const { ask, text, t } = setup({ model });
    const reply = await ask(`CCCD của tôi là 079123456789, ${CT22}`);
    expect(reply.found).toBe(true);
    expect(reply.blocks.at(-1)).toEqual({ type: 'text', text: text('ask-personal-data') });
    const stored = await t.rt.conversation.recent('web', 'chat-1');
    expect(JSON.stringify(stored)).not.toContain('079123456789');
    expect(JSON.stringify(fake.calls())).not.toContain('079123456789');
    expect(t.logs.join('\n')).not.toContain('079123456789');
  });

  it('tells the user about the numbers even when the rest is refused', async () => {
    const { ask, text } = setup({ model: false });
    const reply = await ask('số tôi 0912345678, kết quả xổ số hôm nay?');
    expect(reply.intent).toBe('out-of-scope');
    expect(reply.blocks.at(-1)).toEqual({ type: 'text', text: text('ask-personal-data') });
  });
});

describe('ask with a model', () => {
  it('answers in the model\'s words with the cited sources and a note that it is not official', async () => {
    const { ask, render, text } = setup();
    fake.script({ json: { answer: 'Chỉ thị 22-CT/TU được ban hành ngày 22/6/2022 [1].', citations: [1], answerable: true } });
    const reply = await ask(CT22);
    expect(reply).toMatchObject({ intent: 'ask', found: true });
    expect(reply.blocks).toEqual([
      { type: 'text', text: 'Chỉ thị 22-CT/TU được ban hành ngày 22/6/2022 [1].' },
      { type: 'text', text: text('ask-generated-disclaimer') },
    ]);
    expect(reply.citations).toHaveLength(1);
    expect(render(reply)).toMatch(/\[1\] Chỉ thị 22-CT\/TU về tăng cường lãnh đạo/);
    const sent = fake.calls('chat')[0]!.body.messages as Array<{ content: string }>;
    expect(sent[1]!.content).toMatch(/<passages>\n\[1\] Chỉ thị 22-CT\/TU/);
  });

  it('streams the answer to the channel as it is written', async () => {
    const { ask } = setup();
    const partials: string[] = [];
    fake.script({ json: { answer: 'Chỉ thị 22-CT/TU được ban hành ngày 22/6/2022 [1].', citations: [1], answerable: true } });
    const reply = await ask(CT22, {}, (s) => partials.push(s));
    expect(partials.length).toBeGreaterThan(2);
    expect(partials.at(-1)).toBe('Chỉ thị 22-CT/TU được ban hành ngày 22/6/2022.');
    expect(reply.blocks[0]).toEqual({ type: 'text', text: 'Chỉ thị 22-CT/TU được ban hành ngày 22/6/2022 [1].' });
  });

  it('says "not found" when the model finds no answer in the passages', async () => {
    const { ask, text } = setup();
    fake.script({ json: { answer: '', citations: [], answerable: false } });
    const reply = await ask(CT22);
    expect(reply).toMatchObject({ found: false, citations: [] });
    expect(reply.blocks).toEqual([{ type: 'text', text: text('not-found') }]);
  });

  it('rewrites a follow-up with the model before searching, and sends the history', async () => {
    const { ask, render } = setup();
    await ask('Tỷ lệ số hóa hồ sơ cấp tỉnh theo Nghị quyết 05-NQ/TU là bao nhiêu?');
    fake.reset();
    fake.script(
      { content: 'Tỷ lệ số hóa hồ sơ cấp xã theo Nghị quyết 05-NQ/TU là bao nhiêu?' },
      { json: { answer: 'Tỷ lệ số hóa hồ sơ và kết quả giải quyết TTHC: 35% ở cấp xã [1].', citations: [1], answerable: true } },
    );
    const reply = await ask('còn cấp xã thì sao?');
    const [rewrite, answer] = fake.calls('chat');
    expect(rewrite!.body).not.toHaveProperty('response_format');
    const answerPrompt = (answer!.body.messages as Array<{ content: string }>)[1]!.content;
    expect(answerPrompt).toContain('<history>\nuser: Tỷ lệ số hóa hồ sơ cấp tỉnh theo Nghị quyết 05-NQ/TU là bao nhiêu?');
    expect(answerPrompt).toContain('35% ở cấp xã');
    expect(answerPrompt).toContain('<question>\ncòn cấp xã thì sao?\n</question>');
    expect(render(reply)).toContain('35% ở cấp xã [1]');
  });

  it('lets the model search again with the knowledge tool when nothing relevant was retrieved', async () => {
    const { ask } = setup();
    fake.script(
      { toolCalls: [{ name: 'search_knowledge', arguments: { query: 'Chỉ thị 22-CT/TU ngày ban hành' } }] },
      { json: { answer: 'Ngày ban hành: 22/6/2022 [1].', citations: [1], answerable: true } },
    );
    const reply = await ask('quy trình nuôi cá tra xuất khẩu');
    expect(reply.found).toBe(true);
    expect(reply.citations[0]!.id).toBe('bd-chi-thi-22-ct-tu');
    const first = fake.calls('chat')[0]!.body.messages as Array<{ content: string }>;
    expect(first[1]!.content).toContain('<passages>\n(none)\n</passages>');
  });
});

describe('every failure ends in a useful reply', () => {
  const cases: Array<[string, Setup, () => void]> = [
    ['a 429 with a long retry-after', {}, () => fake.script({ status: 429, retryAfter: 30 })],
    ['two 500s in a row', {}, () => fake.script({ status: 500 }, { status: 500 })],
    ['a reply slower than the deadline', { clock: fakeClock() }, () => fake.script({ delayMs: 60_000 })],
    ['content that is not the JSON asked for', {}, () => fake.script({ content: 'Xin chào! Tôi nghĩ là năm 2022.' })],
    ['a body that is not JSON', {}, () => fake.script({ rawBody: 'upstream error' })],
    ['a request the server refuses', {}, () => fake.script({ status: 400 })],
    ['a spent daily token budget', { budget: 10 }, () => {}],
  ];

  it.each(cases)('quotes the passages with a short note after %s', async (_name, opts, arrange) => {
    const { ask, render, text } = setup(opts);
    arrange();
    const pending = ask(CT22);
    if (opts.clock) {
      await vi.waitFor(() => expect(fake.calls('chat')).toHaveLength(1));
      opts.clock.advance(20_000);
    }
    const reply = await pending;
    expect(reply).toMatchObject({ intent: 'ask', found: true });
    expect(reply.blocks[0]).toEqual({ type: 'text', text: text('ask-model-unavailable') });
    expect(reply.blocks.some((b) => b.type === 'quote')).toBe(true);
    expect(reply.citations[0]!.id).toBe('bd-chi-thi-22-ct-tu');
    expectUseful(reply, render(reply));
  });

  it('quotes without a note when the model\'s answer had a number from no passage', async () => {
    const { ask, render } = setup();
    fake.script({ json: { answer: 'Ban hành ngày 23/6/2022, lệ phí 50.000 đồng [1].', citations: [1], answerable: true } });
    const reply = await ask(CT22);
    expect(reply.blocks[0]!.type).toBe('text');
    expect(reply.blocks.some((b) => b.type === 'quote')).toBe(true);
    expect(render(reply)).not.toContain('50.000');
    expect(render(reply)).toContain('22/6/2022');
  });

  it('says "not found" with the note when the model fails and nothing relevant was retrieved', async () => {
    const { ask, text, render } = setup();
    fake.script({ status: 503 }, { status: 503 });
    const reply = await ask('quy trình nuôi cá tra xuất khẩu');
    expect(reply.found).toBe(false);
    expect(reply.blocks).toEqual([
      { type: 'text', text: text('ask-model-unavailable') },
      { type: 'text', text: text('not-found') },
    ]);
    expectUseful(reply, render(reply));
  });

  it('falls back to its own follow-up rewrite when the model cannot rewrite', async () => {
    const { ask, render } = setup({ model: true });
    await ask('Tỷ lệ số hóa hồ sơ cấp tỉnh theo Nghị quyết 05-NQ/TU là bao nhiêu?');
    fake.reset();
    fake.script({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const reply = await ask('còn cấp xã thì sao?');
    expect(reply.found).toBe(true);
    expect(render(reply)).toContain('35% ở cấp xã');
  });
});

describe('quoteAnswer', () => {
  it('quotes a sentence shared by several records once, citing the first', () => {
    const doc = (id: string) => ({ id, title: id, source: 's', date: '2025-07-01', kind: 'procedure' as const, keywords: [] });
    const hit = (id: string) => ({ chunk: { id: `${id}#1`, docId: id, heading: '', text: 'x' }, doc: doc(id), score: 1, coverage: 1, weightedCoverage: 1, phraseCoverage: 1 });
    const reply = quoteAnswer([hit('a'), hit('b'), hit('c')], 'q', (h) => (h.doc.id === 'c' ? ['khác'] : ['giống nhau']), 'intro');
    expect(reply.blocks.filter((b) => b.type === 'quote')).toEqual([
      { type: 'quote', text: 'giống nhau', cite: 1 },
      { type: 'quote', text: 'khác', cite: 2 },
    ]);
    expect(reply.citations.map((c) => c.id)).toEqual(['a', 'c']);
  });
});

describe("the model's answer is held to what was asked (issue 19)", () => {
  it("refuses an answer about a sibling province, offering its sources only as related reading", async () => {
    const { ask, text } = setup({ places: true });
    fake.script({ json: { answer: 'Năm 2022, mức độ hài lòng của người dân tỉnh Bình Dương là 85,52%, đứng thứ 19/63 [1].', citations: [1], answerable: true } });
    const reply = await ask('hậu giang năm 2022 xếp hạng chỉ số hài lòng thứ mấy');
    expect(fake.calls('chat')).toHaveLength(1);
    expect(reply).toMatchObject({ intent: 'ask', found: false, citations: [] });
    expect(reply.blocks).toEqual([{ type: 'text', text: text('not-found') }]);
    expect(JSON.stringify(reply.blocks)).not.toContain('85,52');
    expect(reply.related?.length).toBeGreaterThan(0);
  });

  it('refuses an answer about another year than the one asked', async () => {
    const { ask } = setup({ places: true });
    fake.script({ json: { answer: 'Năm 2022, tỉnh Bình Dương đứng thứ 19/63 về chỉ số DTI [1].', citations: [1], answerable: true } });
    const reply = await ask('Năm 2020 Bình Dương xếp hạng DTI thứ mấy?');
    expect(reply).toMatchObject({ found: false, citations: [] });
    expect(JSON.stringify(reply.blocks)).not.toContain('19/63');
    expect(reply.related?.length).toBeGreaterThan(0);
  });

  it('accepts an answer of the place, year and kind asked, in its own words', async () => {
    const { ask, text } = setup({ places: true });
    const answer = 'Năm 2022, tỉnh Bình Dương đứng thứ 19/63 về chỉ số DTI [1].';
    fake.script({ json: { answer, citations: [1], answerable: true } });
    const reply = await ask('Năm 2022 Bình Dương xếp hạng DTI thứ mấy?');
    expect(reply).toMatchObject({ intent: 'ask', found: true });
    expect(reply.blocks[0]).toEqual({ type: 'text', text: answer });
    expect(reply.blocks.at(-1)).toEqual({ type: 'text', text: text('ask-generated-disclaimer') });
    expect(reply.citations).toHaveLength(1);
  });

  it('does not pass prose without the kind of fact asked: "bao nhiêu" gets no amount, so the sources are judged instead', async () => {
    const { ask } = setup({ places: true });
    const prose = 'Đề án cải cách hành chính được triển khai trong các cơ quan Đảng của tỉnh Bình Dương [1].';
    fake.script({ json: { answer: prose, citations: [1], answerable: true } });
    const reply = await ask('Kinh phí thực hiện Đề án cải cách hành chính trong các cơ quan Đảng Bình Dương là bao nhiêu?');
    expect(fake.calls('chat')).toHaveLength(1);
    expect(JSON.stringify(reply.blocks)).not.toContain('được triển khai trong các cơ quan Đảng của tỉnh');
    // No source gives the amount either: "I don't know", not a quote.
    expect(reply).toMatchObject({ found: false, citations: [] });
    expect(reply.blocks.some((b) => b.type === 'quote')).toBe(false);
  });

  it('answers a date question with the model when its prose carries the date', async () => {
    const { ask } = setup({ places: true });
    const answer = 'Chỉ thị 22-CT/TU được ban hành ngày 22/6/2022 [1].';
    fake.script({ json: { answer, citations: [1], answerable: true } });
    const reply = await ask(CT22);
    expect(reply.found).toBe(true);
    expect(reply.blocks[0]).toEqual({ type: 'text', text: answer });
  });
});
