/**
 * @module core/assistant
 * The one brain behind every channel: routes an Inbound to the handler for its command,
 * its typed-word phrase, or (for free text) the handler most sure about it, and returns
 * a Reply. Records the turn in conversation memory. Knows no platform.
 *
 * The rules that are the same for every channel live here, so no channel repeats them: the
 * text is NFC-normalised and trimmed, and refused when longer than MAX_MESSAGE_CHARS; a user
 * past the rate limit is told once per window, then gets silent replies; a 👍/👎 (Inbound.vote)
 * goes to the vote handler.
 */
import type { Handler, HandlerBasics, HandlerContext } from './handler';
import type { Block, ChannelName, Inbound, Reply } from './types';
import { Conversation } from './conversation';
import { RoleDirectory } from './roles';
import type { RateLimiter } from './rate-limit';
import { fold } from '../text/normalize';
import { describeError } from '../log';
import { foldDigits } from '../privacy/mask';

export const MAX_MESSAGE_CHARS = 2000;

/** A message's text as every channel takes it: NFC, trimmed, and neither empty nor too long. */
type TextCheck = { ok: true; text: string } | { ok: false; problem: 'empty' | 'too-long' };

/** The one length and normalisation rule (the web route calls it to answer 400 before any work). */
export function checkText(raw: string): TextCheck {
  const text = raw.normalize('NFC').trim();
  if (!text) return { ok: false, problem: 'empty' };
  if (text.length > MAX_MESSAGE_CHARS) return { ok: false, problem: 'too-long' };
  return { ok: true, text };
}
/** A handler's detect() score must reach this to take a free-text message from the fallback. */
const DETECT_THRESHOLD = 0.5;
/** How long a reply's buttons stay numbered choices: "1" an hour later is just a number. */
const CHOICES_TTL_MS = 60 * 60 * 1000;

/**
 * The value of a message that is only a number ("4", "2022", " 3. ", full-width "２", "٣", the
 * keycap "1️⃣"), else undefined. Any script's decimal digits count (folded as masking folds them).
 */
function bareNumber(text: string): number | undefined {
  const m = /^(\d+)[.)]?$/.exec(foldDigits(text.normalize('NFC').replace(/[\uFE0F\u20E3]/g, '').trim()));
  return m ? Number(m[1]) : undefined;
}

/**
 * A number alone with nothing to pick is not a question: searching for "4" only finds passages
 * that happen to contain a 4. Ask what is meant and say what the assistant can do.
 */
function bareNumberHandler(texts: HandlerBasics['texts']): Handler {
  return {
    id: 'bare-number',
    async handle({ inbound }) {
      const say = (key: string) => ({ type: 'text' as const, text: texts.get(inbound.locale, key) });
      return { intent: 'bare-number', blocks: [say('bare-number'), say('ask-can-do')], citations: [], found: false };
    },
  };
}

/** One question as the operator's statistics keep it (masked and unlinked by the recorder). */
export interface QuestionEvent {
  at: Date;
  channel: ChannelName;
  intent: string;
  /** Whether the answer rested on a found source; false means "nothing relevant found". */
  found: boolean;
  latencyMs: number;
  /** The question as typed. */
  text: string;
  /** The reply as the person read it (text and sources): shown beside a 👎 on it. */
  reply?: string;
}

/**
 * Where questions go for the operator's statistics (src/analytics implements it; app.ts hands it
 * in): whether a turn counts, and keeping it, which returns the question's id for feedback.
 */
export interface QuestionRecorder {
  shouldRecord(turn: { via: Route['via']; args: string; intent: string }): boolean;
  record(event: QuestionEvent): Promise<string>;
}

/**
 * What a chat's state says about a message before it is routed (app.ts hands the interceptor in;
 * the core knows no feature behind it): a `handler` that answers every message of the chat while
 * it holds (a conversation handed to a person), and `preface` blocks to show first (replies that
 * waited for a chat that cannot be pushed to), marked shown by `shown` once they are in an answer.
 */
export interface Interception {
  handler?: Handler;
  preface?: Block[];
  shown?(): Promise<void>;
}

export interface ChatInterceptor {
  intercept(inbound: Inbound): Promise<Interception | undefined>;
}

export interface AssistantOptions extends HandlerBasics {
  handlers: Handler[];
  /** The handler id that answers free text nobody else claims. */
  fallback: string;
  roles: RoleDirectory;
  conversation: Conversation;
  /** Per-user limit on messages; absent means unlimited (tests). */
  rateLimit?: RateLimiter;
  /** Keeps each question (masked, unlinked to the user) for stats; absent means none kept. */
  questions?: QuestionRecorder;
  /** Records a 👍/👎 (an Inbound with `vote`); absent means votes are not taken. */
  votes?: Handler;
  /** Looks at each message's chat before routing (see Interception); absent means none. */
  interceptor?: ChatInterceptor;
}

interface HandleOptions {
  /** Receives the answer so far while a model writes it (see HandlerContext.onPartial). */
  onPartial?: (textSoFar: string) => void;
}

export interface Route {
  handler: Handler;
  args: string;
  via: 'command' | 'phrase' | 'detect' | 'fallback' | 'unknown-command' | 'bare-number' | 'diverted';
}

export class Assistant {
  private readonly byCommand = new Map<string, Handler>();
  private readonly phrases: Array<{ phrase: string; handler: Handler }> = [];
  private readonly fallback: Handler;
  private readonly bareNumber: Handler;

  constructor(private readonly opts: AssistantOptions) {
    for (const h of opts.handlers) {
      for (const c of h.commands ?? []) {
        if (this.byCommand.has(c)) throw new Error(`command /${c} claimed twice`);
        this.byCommand.set(c, h);
      }
      for (const p of h.phrases ?? []) this.phrases.push({ phrase: fold(p.toLowerCase()), handler: h });
    }
    // Longest phrase first, so "nhac viec danh sach" wins over "nhac viec".
    this.phrases.sort((a, b) => b.phrase.length - a.phrase.length);
    const fb = opts.handlers.find((h) => h.id === opts.fallback);
    if (!fb) throw new Error(`fallback handler ${opts.fallback} is not registered`);
    this.fallback = fb;
    this.bareNumber = bareNumberHandler(opts.texts);
  }

  /** Which handler a text goes to, and with which arguments. */
  route(rawText: string): Route {
    const text = rawText.normalize('NFC').trim();
    const cmd = /^\/([A-Za-z0-9_]+)(?:@\w+)?(?:\s+([\s\S]*))?$/.exec(text);
    if (cmd) {
      const handler = this.byCommand.get(cmd[1]!.toLowerCase());
      if (handler) return { handler, args: (cmd[2] ?? '').trim(), via: 'command' };
      const help = this.byCommand.get('help');
      if (help) return { handler: help, args: '', via: 'unknown-command' };
    }
    const folded = fold(text.toLowerCase());
    for (const { phrase, handler } of this.phrases) {
      if (folded === phrase || folded.startsWith(phrase + ' ')) {
        return { handler, args: text.slice(phrase.length).trim(), via: 'phrase' };
      }
    }
    let best: { handler: Handler; score: number } | undefined;
    for (const h of this.opts.handlers) {
      const score = h.detect?.(text) ?? 0;
      if (score >= DETECT_THRESHOLD && (!best || score > best.score)) best = { handler: h, score };
    }
    if (best) return { handler: best.handler, args: text, via: 'detect' };
    return { handler: this.fallback, args: text, via: 'fallback' };
  }

  async handle(inbound: Inbound, opts: HandleOptions = {}): Promise<Reply> {
    const { texts, now, conversation } = this.opts;
    // A vote is no message: it is neither limited, remembered nor counted as a question.
    if (inbound.vote) return this.vote(inbound);
    const checked = checkText(inbound.text);
    if (!checked.ok) {
      // Refused before anything is spent on it (the rate limit included), as channels used to.
      if (checked.problem === 'empty') return { intent: 'empty', blocks: [], citations: [], silent: true };
      return textReply('too-long', texts.get(inbound.locale, 'error-too-long', { max: MAX_MESSAGE_CHARS }));
    }
    inbound = { ...inbound, text: checked.text };
    // Asked together so the store can answer both in one round trip; the role is wasted only
    // on a message that is refused anyway.
    const [limit, role, interception] = await Promise.all([
      this.opts.rateLimit ? this.opts.rateLimit.check(`${inbound.channel}:${inbound.userId}`) : ('allowed' as const),
      inbound.role ?? this.opts.roles.roleOf(inbound.channel, inbound.userId),
      this.intercept(inbound),
    ]);
    if (limit !== 'allowed') {
      // Told once per window; a notice for every further message would be a flood of its own.
      const notice = textReply('rate-limited', texts.get(inbound.locale, 'rate-limited'));
      return limit === 'refused' ? notice : { ...notice, silent: true };
    }
    const startedAt = now().getTime();
    let { route, text } = await this.routeInChat(inbound);
    // A chat with a person gets every message, except a sensitive one (an invite code, a
    // deletion): a secret must not reach someone's inbox, and erasure must always work.
    if (interception?.handler && !route.handler.sensitive) {
      route = { handler: interception.handler, args: inbound.text, via: 'diverted' };
      text = inbound.text;
    }
    // A picked choice stands for its action from here on (handlers, memory, stats), as a tap would.
    if (text !== inbound.text) inbound = { ...inbound, text };
    let reply = await this.run(
      route.handler,
      { inbound: { ...inbound, role }, args: route.args, onPartial: opts.onPartial },
      route.via === 'unknown-command' ? texts.get(inbound.locale, 'unknown-command') : undefined,
    );
    if (interception?.preface?.length && route.via !== 'diverted') {
      reply = { ...reply, blocks: [...interception.preface, ...reply.blocks] };
      await interception.shown?.();
    }
    // A sensitive turn (an invite code, a deletion) is neither remembered nor counted: after
    // /xoadulieu, remembering it would write the chat's memory right back. A message to a person
    // is no question to the assistant: the handoff keeps its own transcript.
    if (route.handler.sensitive || route.via === 'diverted') return reply;
    // Independent writes, made together so they share a round trip.
    const [, recorded] = await Promise.all([
      this.remember(conversation, inbound, reply),
      this.record(inbound, route, reply, startedAt),
    ]);
    return recorded;
  }

  /** The interceptor's view of the message's chat; a failure to look routes the message as usual. */
  private async intercept(inbound: Inbound): Promise<Interception | undefined> {
    if (!this.opts.interceptor) return undefined;
    try {
      return await this.opts.interceptor.intercept(inbound);
    } catch (e) {
      this.opts.log.warn('interceptor failed', { channel: inbound.channel, error: describeError(e) });
      return undefined;
    }
  }

  /** A handler's reply (after `preface`, when given); a failure becomes the apology, logged without the message. */
  private async run(handler: Handler, ctx: HandlerContext, preface?: string): Promise<Reply> {
    try {
      const reply = await handler.handle(ctx);
      return preface ? { ...reply, blocks: [{ type: 'text', text: preface }, ...reply.blocks] } : reply;
    } catch (e) {
      this.opts.log.error('handler failed', { handler: handler.id, channel: ctx.inbound.channel, error: describeError(e) });
      return textReply('error', this.opts.texts.get(ctx.inbound.locale, 'error-apology'));
    }
  }

  /** A 👍/👎 goes to the vote handler; without one it is taken and nothing is said. */
  private async vote(inbound: Inbound): Promise<Reply> {
    const votes = this.opts.votes;
    if (!votes) return { intent: 'feedback-off', blocks: [], citations: [] };
    const role = inbound.role ?? (await this.opts.roles.roleOf(inbound.channel, inbound.userId));
    return this.run(votes, { inbound: { ...inbound, role }, args: '' });
  }

  /**
   * route() for a message in its chat: a bare number picks from the choices (the buttons, in
   * order) of the chat's last reply while they are fresh, and is otherwise asked about, never
   * searched for. Returns the text the message stands for.
   */
  private async routeInChat(inbound: Inbound): Promise<{ route: Route; text: string }> {
    const n = bareNumber(inbound.text);
    if (n === undefined) return { route: this.route(inbound.text), text: inbound.text };
    const action = (await this.pendingChoices(inbound))[n - 1];
    if (action !== undefined) return { route: this.route(action), text: action };
    return { route: { handler: this.bareNumber, args: '', via: 'bare-number' }, text: inbound.text };
  }

  private async pendingChoices(inbound: Inbound): Promise<string[]> {
    try {
      const [last] = await this.opts.conversation.recent(inbound.channel, inbound.chatId, 1);
      const fresh = last?.role === 'assistant' && this.opts.now().getTime() - last.at <= CHOICES_TTL_MS;
      return fresh ? (last.choices ?? []) : [];
    } catch (e) {
      // Without memory a number cannot pick anything; it is asked about instead.
      this.opts.log.warn('choices unreadable', { error: describeError(e) });
      return [];
    }
  }

  /** Keeps the question for the operator's stats and returns the reply with its question id. */
  private async record(inbound: Inbound, route: Route, reply: Reply, startedAt: number): Promise<Reply> {
    const questions = this.opts.questions;
    if (!questions || !questions.shouldRecord({ via: route.via, args: route.args, intent: reply.intent })) return reply;
    const at = this.opts.now();
    try {
      const questionId = await questions.record({
        at,
        channel: inbound.channel,
        intent: reply.intent,
        found: reply.found !== false,
        latencyMs: at.getTime() - startedAt,
        text: inbound.text,
        reply: votedText(reply),
      });
      return { ...reply, questionId };
    } catch (e) {
      // Stats are for the operator; a store hiccup must not cost the user the answer.
      this.opts.log.warn('question not recorded', { error: describeError(e) });
      return reply;
    }
  }

  private async remember(conversation: Conversation, inbound: Inbound, reply: Reply): Promise<void> {
    const at = this.opts.now().getTime();
    const answer = reply.blocks
      .map((b) => (b.type === 'list' ? b.items.join('\n') : b.text))
      .join('\n')
      .slice(0, 1000);
    const choices = (reply.buttons ?? []).flat().map((b) => b.action);
    try {
      await conversation.append(
        inbound.channel,
        inbound.chatId,
        { role: 'user', text: inbound.text, at },
        { role: 'assistant', text: answer, at, intent: reply.intent, ...(choices.length ? { choices } : {}) },
      );
    } catch (e) {
      // Memory is a help, not a requirement: a store hiccup must not cost the user the answer.
      this.opts.log.warn('conversation not saved', { error: describeError(e) });
    }
  }
}

/** What a 👎 on the reply would be about: its text, then the titles of its sources. */
function votedText(reply: Reply): string {
  const text = reply.blocks.map((b) => (b.type === 'list' ? b.items.map((i) => `• ${i}`).join('\n') : b.text)).join('\n');
  const sources = reply.citations.map((c, i) => `[${i + 1}] ${c.title}${c.date ? ` (${c.date})` : ''}`);
  return sources.length ? `${text}\n\n${sources.join('\n')}` : text;
}

function textReply(intent: string, text: string): Reply {
  return { intent, blocks: [{ type: 'text', text }], citations: [], found: false };
}
