/**
 * @module handlers/handoff
 * A person when the assistant is not enough, on the chat side:
 *   /canbo, "gặp cán bộ", "nói chuyện với người thật" (Zalo: "can bo")  open a conversation with
 *       staff; the citizen is told a person answers in this chat, and when (now, or from the next
 *       working period, with the hotline);
 *   "kết thúc" or /ketthuc  ends it; the assistant answers again.
 * While a conversation is with a person, the interceptor hands every message of that chat to it:
 * the message goes to the operator's transcript and the assistant stays quiet (a web request,
 * which needs an answer, is shown the operator's replies waiting for it and a short note).
 * After two answers in a row that found nothing, a person is offered (a button), never forced.
 */
import type { Handler, HandlerBasics } from '../src/core/handler';
import type { ChatInterceptor } from '../src/core/assistant';
import type { Block, Inbound, Locale, Reply } from '../src/core/types';
import type { Conversation } from '../src/core/conversation';
import { fold } from '../src/text/normalize';
import { describeError } from '../src/log';
import { MISSES_BEFORE_OFFER, type Handoffs } from '../src/handoff/service';
import type { HandoffRecord } from '../src/handoff/schema';
import type { Pending } from '../src/handoff/mailbox';
import { DEFAULT_WORKING_HOURS, isWorkingTime, localParts, nextWorkingStart, periodsText, type WorkingHours } from '../src/handoff/hours';

const REQUEST_INTENT = 'handoff';
/** The button's action when a person is offered after failed answers (the reason is recorded). */
export const OFFER_ACTION = '/canbo goiy';
const END_ACTION = '/ketthuc';
/** Recent turns of the chat shown to the operator with the request. */
const CONTEXT_TURNS = 6;

interface HandoffHandlerDeps extends HandlerBasics {
  handoffs: Handoffs;
  conversation: Conversation;
  hours?: WorkingHours;
}

export interface HandoffHandlers {
  /** /canbo and the ways of asking for a person. */
  request: Handler;
  /** /ketthuc when no conversation is open (during one, the interceptor takes it). */
  end: Handler;
  /** Hands a chat's messages to its open handoff; shows a web chat the replies waiting for it. */
  interceptor: ChatInterceptor;
  /** The handler with a person offered after it failed to answer twice in a row. */
  offerAfterMisses(inner: Handler): Handler;
}

// Asking for a person, typed with or without diacritics ("cho tôi gặp cán bộ ạ", "gap nguoi that").
const ASK_VI =
  /^(?:(?:cho|xin|xin cho|toi|em|minh|toi muon|em muon|minh muon|muon|toi can|can)\s+)*(?:duoc\s+)?(?:gap|noi chuyen voi|noi chuyen vs|trao doi voi|lien he|lien he voi|chat voi|ket noi voi|ket noi)\s+(?:(?:mot|voi)\s+)?(?:can bo|nguoi that|nhan vien|nguoi ho tro|tong dai vien|tu van vien)(?:\s+(?:a|nhe|voi|duoc khong|di|ho tro))*$/;
const ASK_EN = /^(?:(?:i want to|i'd like to|can i|let me|please)\s+)?(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+)?(?:person|human|real person|staff|staff member|officer|someone)(?:\s+please)?$/;
const ASK_EXACT = new Set(['can bo', 'nguoi that', 'gap can bo', 'gap nguoi that', 'human', 'agent']);
const END_EXACT = new Set(['ket thuc', 'ketthuc', '/ketthuc', 'ket thuc tro chuyen', 'ket thuc cuoc tro chuyen', 'end', '/end']);

/** Lower-case, folded, without trailing punctuation or extra spaces. */
function plain(text: string): string {
  return fold(text.normalize('NFC').toLowerCase())
    .replace(/[.!?…,;:"'“”]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function asksForPerson(text: string): boolean {
  const t = plain(text);
  return ASK_EXACT.has(t) || ASK_VI.test(t) || ASK_EN.test(t);
}

export function endsConversation(text: string): boolean {
  return END_EXACT.has(plain(text).replace(/@\w+$/, ''));
}

export function handoffHandlers(deps: HandoffHandlerDeps): HandoffHandlers {
  const { texts, handoffs } = deps;
  const hours = deps.hours ?? DEFAULT_WORKING_HOURS;
  const say = (locale: Locale, key: string, vars?: Record<string, string | number>): Block => ({ type: 'text', text: texts.get(locale, key, vars) });
  const endButton = (locale: Locale) => [[{ label: texts.get(locale, 'handoff-button-end'), action: END_ACTION }]];

  /** When a person will answer: now (within the target), or from the next working period. */
  function promise(locale: Locale): Block {
    const at = deps.now();
    const common = {
      periods: periodsText(hours),
      days: sameDays(hours.weekdays, [1, 2, 3, 4, 5]) ? texts.get(locale, 'handoff-days-weekdays') : hours.weekdays.map((d) => texts.get(locale, `handoff-weekday-${d}`)).join(', '),
    };
    const next = isWorkingTime(at, hours) ? undefined : nextWorkingStart(at, hours);
    if (!next) return say(locale, 'handoff-opened-now', { ...common, minutes: hours.targetMinutes });
    const p = localParts(next);
    const when = texts.get(locale, 'handoff-when', { weekday: texts.get(locale, `handoff-weekday-${p.weekday}`), date: p.date, time: p.time });
    return say(locale, 'handoff-opened-later', { ...common, when });
  }

  const request: Handler = {
    id: REQUEST_INTENT,
    commands: ['canbo', 'gapcanbo'],
    detect: (text) => (asksForPerson(text) ? 1 : 0),
    async handle({ inbound, args }) {
      const { locale } = inbound;
      // A group is no one's to hand off: other members' messages would reach staff and the
      // replies the whole group; /xoadulieu is refused there too.
      if (inbound.isGroup) return { intent: 'handoff-group', blocks: [say(locale, 'handoff-group-refused')], citations: [] };
      const context = await recentContext(deps.conversation, inbound);
      const opened = await handoffs.open({
        channel: inbound.channel,
        chatId: inbound.chatId,
        locale,
        reason: plain(args) === 'goiy' ? 'offered' : 'asked',
        context,
      });
      if (!opened.created) return { intent: 'handoff-already-open', blocks: [say(locale, 'handoff-already-open')], citations: [], buttons: endButton(locale) };
      const blocks = [promise(locale), say(locale, 'handoff-while-waiting')];
      if (inbound.channel === 'web') blocks.push(say(locale, 'handoff-web-note'));
      return { intent: REQUEST_INTENT, blocks, citations: [], buttons: endButton(locale) };
    },
  };

  const end: Handler = {
    id: 'handoff-end',
    commands: ['ketthuc'],
    async handle({ inbound }) {
      // Reached only when no handoff holds the chat (the interceptor takes /ketthuc during one).
      return { intent: 'handoff-end', blocks: [say(inbound.locale, 'handoff-none-open')], citations: [] };
    },
  };

  /** The handler for one message of a chat that is with a person. */
  function diverted(record: HandoffRecord, pending: Pending | undefined): Handler {
    return {
      id: 'handoff-message',
      async handle({ inbound }) {
        const waiting = pending?.blocks ?? [];
        let reply: Reply;
        if (asksForPerson(inbound.text) || /^\/(canbo|gapcanbo)(@\w+)?(\s|$)/i.test(inbound.text)) {
          // Asking again while waiting: say it is on its way rather than stay quiet.
          reply = { intent: 'handoff-already-open', blocks: [...waiting, say(inbound.locale, 'handoff-already-open')], citations: [], buttons: endButton(inbound.locale) };
        } else if (endsConversation(inbound.text)) {
          await handoffs.close(record.id, 'citizen');
          reply = { intent: 'handoff-ended', blocks: [...waiting, say(inbound.locale, 'handoff-ended')], citations: [] };
        } else {
          const after = await handoffs.citizenSaid(record, inbound.text);
          if (!after || after.closedAt !== undefined) {
            // A close raced the message: it may never be read, so say the conversation ended.
            reply = { intent: 'handoff-ended', blocks: [...waiting, say(inbound.locale, 'handoff-ended')], citations: [] };
          } else {
            // Silent: the chat apps get nothing; a web request is shown what waited and a note.
            reply = { intent: 'handoff-message', blocks: [...waiting, say(inbound.locale, 'handoff-forwarded')], citations: [], silent: true };
          }
        }
        await pending?.markShown();
        return reply;
      },
    };
  }

  const interceptor: ChatInterceptor = {
    async intercept(inbound) {
      // A group never holds a handoff (see request): its messages go to the assistant.
      if (inbound.isGroup) return undefined;
      // Asked together: one round trip to the store.
      const [active, pending] = await Promise.all([
        handoffs.activeFor(inbound.channel, inbound.chatId),
        inbound.channel === 'web' ? handoffs.mailbox.pending(inbound.chatId) : undefined,
      ]);
      if (active) return { handler: diverted(active, pending) };
      if (pending?.blocks.length) return { preface: pending.blocks, shown: pending.markShown };
      return undefined;
    },
  };

  function offerAfterMisses(inner: Handler): Handler {
    return {
      ...inner,
      async handle(ctx) {
        const reply = await inner.handle(ctx);
        const { inbound } = ctx;
        // Only answers that say whether they found something count; a group is no one's to hand off.
        if (reply.found === undefined || reply.silent || inbound.isGroup) return reply;
        let misses: number;
        try {
          misses = await handoffs.countAnswer(inbound.channel, inbound.chatId, reply.found);
        } catch (e) {
          deps.log.warn('handoff: answer not counted', { error: describeError(e) });
          return reply;
        }
        if (reply.found || misses < MISSES_BEFORE_OFFER) return reply;
        return {
          ...reply,
          blocks: [...reply.blocks, say(inbound.locale, 'handoff-offer')],
          buttons: [...(reply.buttons ?? []), [{ label: texts.get(inbound.locale, 'handoff-button-request'), action: OFFER_ACTION }]],
        };
      },
    };
  }

  return { request, end, interceptor, offerAfterMisses };
}

async function recentContext(conversation: Conversation, inbound: Inbound): Promise<Array<{ from: 'citizen' | 'assistant'; text: string; at: number }>> {
  try {
    const turns = await conversation.recent(inbound.channel, inbound.chatId, CONTEXT_TURNS);
    return turns.map((t) => ({ from: t.role === 'user' ? ('citizen' as const) : ('assistant' as const), text: t.text, at: t.at }));
  } catch {
    // The operator then sees the conversation from the request on; nothing is lost for the citizen.
    return [];
  }
}

function sameDays(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && [...a].sort().every((d, i) => d === [...b].sort()[i]);
}
