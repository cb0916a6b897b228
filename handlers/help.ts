/**
 * @module handlers/help
 * /start greets and gives the privacy notice; /help (/trogiup) lists what the assistant can do.
 */
import type { Handler, HandlerBasics } from '../src/core/handler';
import { MAX_TURNS } from '../src/core/conversation';

interface HelpDeps extends Pick<HandlerBasics, 'texts'> {
  /** Quoted in the privacy notice: how long turns and statistics are kept. */
  historyTtlSeconds: number;
  analyticsRetentionDays: number;
}

/** [/start, /help]. */
export function helpHandlers(deps: HelpDeps): [start: Handler, help: Handler] {
  const t = deps.texts;
  const start: Handler = {
    id: 'start',
    commands: ['start', 'batdau'],
    phrases: ['bat dau', 'xin chao', 'chao ban'],
    async handle({ inbound }) {
      return {
        intent: 'start',
        blocks: [
          { type: 'text', text: t.get(inbound.locale, 'start') },
          {
            type: 'text',
            text: t.get(inbound.locale, 'privacy', {
              turns: MAX_TURNS / 2,
              days: Math.round(deps.historyTtlSeconds / 86_400),
              analyticsDays: deps.analyticsRetentionDays,
            }),
          },
        ],
        citations: [],
        buttons: [[{ label: t.get(inbound.locale, 'button-help'), action: '/help' }]],
      };
    },
  };
  const help: Handler = {
    id: 'help',
    commands: ['help', 'trogiup', 'huongdan'],
    phrases: ['tro giup', 'huong dan', 'help'],
    async handle({ inbound }) {
      return { intent: 'help', blocks: [{ type: 'text', text: t.get(inbound.locale, 'help') }], citations: [] };
    },
  };
  return [start, help];
}
