/**
 * @module scripts/bench/streaming
 * `npm run bench:streaming`: how a generated answer reaches Telegram, against the loopback fake
 * Bot API with a model that writes as it goes (a handler reporting partials on real timers,
 * TOKENS words STEP_MS apart; the model client's own streaming is tested in test/llm). Three
 * ways, each over the real Telegram channel (webhook, background work, sender):
 *   private chat, drafts    sendMessageDraft previews, then sendMessage (Bot API 9.5)
 *   group, edits            one message sent at the first partial and edited (every 1.5 s)
 *   no streaming            the answer sent once it is complete (the reference)
 * For each: time from the update to the first visible words at the fake (a draft or a message),
 * time to the final message, Bot API calls per answer by method, and whether the final message
 * is exactly what the non-streaming path sent.
 *
 * Usage: npm run bench:streaming -- [--answers 10] [--tokens 60] [--step 50]
 */
import { performance } from 'node:perf_hooks';
import { Hono } from 'hono';
import { createRuntime, type Runtime } from '../../src/app';
import { loadConfig } from '../../src/config';
import { MemoryStore } from '../../src/store/memory';
import { createLogger } from '../../src/log';
import { BackgroundTracker } from '../../src/background';
import { telegramChannel } from '../../src/channels/telegram/webhook';
import type { Handler } from '../../src/core/handler';
import { assistantWith } from '../../test/support/runtime';
import { startFakeTelegram, type FakeTelegram } from '../../test/support/fake-telegram';
import { runMain } from '../lib/run-main';
import { ms, summarize } from './stats';

const SECRET = 'bench-secret_0123456789';
const BOT_USERNAME = 'bench_bot';

interface Args {
  answers: number;
  tokens: number;
  stepMs: number;
}

function parseArgs(argv: string[]): Args {
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  return { answers: value('--answers', 10), tokens: value('--tokens', 60), stepMs: value('--step', 50) };
}

type Mode = 'drafts' | 'edits' | 'none';

/** A model that writes `tokens` words `stepMs` apart, telling each partial (unless `stream` is off). */
function writer(args: Args, stream: boolean): Handler {
  return {
    id: 'ask',
    async handle({ onPartial }) {
      let text = '';
      for (let i = 0; i < args.tokens; i++) {
        await new Promise((r) => setTimeout(r, args.stepMs));
        text += `${i % 7 === 6 ? 'chỉ' : 'từ'}${i} `;
        if (stream) onPartial?.(text);
      }
      return {
        intent: 'ask',
        blocks: [{ type: 'text', text: text.trim() }],
        citations: [{ id: 'd1', title: 'Chỉ thị 22', source: 'Tỉnh uỷ', date: '2022-06-22' }],
        found: true,
      };
    },
  };
}

interface ModeResult {
  mode: Mode;
  firstVisible: number[];
  final: number[];
  calls: Record<string, number>;
  finals: string[];
}

let bots = 0;

async function runMode(fake: FakeTelegram, mode: Mode, args: Args): Promise<ModeResult> {
  const env = { TELEGRAM_BOT_TOKEN: '880000:BENCH', TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_BASE: fake.url };
  const store = new MemoryStore();
  const rt: Runtime = createRuntime(loadConfig(env), { store, log: createLogger('error') });
  const assistant = assistantWith(rt, [writer(args, mode !== 'none')]);
  const background = new BackgroundTracker();
  const result: ModeResult = { mode, firstVisible: [], final: [], calls: {}, finals: [] };
  for (let n = 0; n < args.answers; n++) {
    // A bot token per answer, so the fake tells the first call of this answer and no other.
    const token = `${881000 + ++bots}:BENCH-${mode}`;
    const app = new Hono();
    app.route(
      '/webhooks/telegram',
      telegramChannel({
        assistant,
        store,
        texts: rt.texts,
        log: rt.log,
        config: { ...rt.config.telegram!, token },
        now: rt.now,
        historyTtlSeconds: rt.config.historyTtlSeconds,
        botUsername: BOT_USERNAME,
      }),
    );
    const group = mode === 'edits';
    const chatId = group ? -1_000_000 - n : 5_000_000 + n;
    const update = {
      update_id: 900_000 + n,
      message: {
        message_id: 10 + n,
        date: 1_790_000_000,
        chat: { id: chatId, type: group ? 'supergroup' : 'private' },
        from: { id: 5_000_000 + n, is_bot: false, first_name: 'Lan', language_code: 'vi' },
        text: group ? `@${BOT_USERNAME} câu hỏi ${n}` : `câu hỏi ${n}`,
      },
    };
    const visible = Promise.race(['sendMessageDraft', 'sendMessage', 'sendPhoto'].map((m) => fake.firstCall(m, token).then(() => performance.now())));
    const started = performance.now();
    await app.request(
      '/webhooks/telegram',
      { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(update) },
      {},
      background.context,
    );
    await background.drain();
    const done = performance.now();
    result.firstVisible.push((await visible) - started);
    result.final.push(done - started);
    const calls = fake.calls(token);
    for (const c of calls) result.calls[c.method] = (result.calls[c.method] ?? 0) + 1;
    // The final answer: the last HTML message or edit (what stays in the chat).
    const last = calls.filter((c) => (c.method === 'sendMessage' || c.method === 'editMessageText') && c.params.parse_mode === 'HTML').at(-1);
    result.finals.push(String(last?.params.text ?? ''));
  }
  return result;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const fake = await startFakeTelegram();
  try {
    const results: ModeResult[] = [];
    for (const mode of ['none', 'drafts', 'edits'] as const) {
      process.stderr.write(`bench:streaming: ${mode}…\n`);
      fake.reset();
      results.push(await runMode(fake, mode, args));
    }
    const reference = results[0]!.finals;
    const label: Record<Mode, string> = { drafts: 'private chat, drafts', edits: 'group, edits', none: 'no streaming (reference)' };
    const lines = [
      `## Streaming to Telegram (${args.answers} answers, a model writing ${args.tokens} words ${args.stepMs} ms apart: ${ms(args.tokens * args.stepMs)} ms)`,
      '',
      '| Way | First visible words p50 / max | Final message p50 / max | Bot API calls per answer | Final = non-streaming |',
      '| --- | --- | --- | --- | --- |',
    ];
    let allEqual = true;
    for (const r of results) {
      const first = summarize(r.firstVisible);
      const final = summarize(r.final);
      const perAnswer = Object.entries(r.calls)
        .sort()
        .map(([m, n]) => `${m} ${(n / args.answers).toFixed(1)}`)
        .join(', ');
      const equal = r.mode === 'none' ? '–' : r.finals.every((f, i) => f === reference[i]) ? 'yes' : 'NO';
      if (equal === 'NO') allEqual = false;
      lines.push(`| ${label[r.mode]} | ${ms(first.p50)} / ${ms(first.max)} ms | ${ms(final.p50)} / ${ms(final.max)} ms | ${perAnswer} | ${equal} |`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return allEqual ? 0 : 1;
  } finally {
    await fake.close();
  }
}

runMain(import.meta.url, main);
