/**
 * @module handlers/feedback
 * A 👍/👎 on an earlier answer (an Inbound with `vote`, from a channel with buttons): counted
 * once per answer through analytics/feedback and tied to its question there. The reply thanks
 * the voter, or says the answer already had a vote; a channel shows it briefly (a Telegram
 * callback answer), not as a message in the chat.
 */
import type { Handler, HandlerBasics } from '../src/core/handler';
import { VOTE_INTENTS } from '../src/core/types';
import type { Store } from '../src/store/store';
import { recordFeedback } from '../src/analytics/feedback';

interface FeedbackDeps extends HandlerBasics {
  store: Store;
  /** How long a vote is remembered against its answer: the conversation history's TTL. */
  historyTtlSeconds: number;
}

/** The handler the assistant hands votes to (AssistantOptions.votes). */
export function createFeedbackHandler(deps: FeedbackDeps): Handler {
  return {
    id: 'feedback',
    async handle({ inbound }) {
      const vote = inbound.vote;
      if (!vote) throw new Error('the feedback handler takes only votes');
      const result = await recordFeedback(deps.store, {
        channel: inbound.channel,
        chatId: inbound.chatId,
        messageRef: vote.messageRef,
        value: vote.value,
        now: deps.now(),
        ttlSeconds: deps.historyTtlSeconds,
      });
      const recorded = result === 'recorded';
      return {
        intent: recorded ? VOTE_INTENTS.recorded : VOTE_INTENTS.duplicate,
        blocks: [{ type: 'text', text: deps.texts.get(inbound.locale, recorded ? 'feedback-thanks' : 'feedback-already') }],
        citations: [],
      };
    },
  };
}
