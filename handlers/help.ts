/**
 * @module handlers/help
 * /start greets and gives the privacy notice; /help (/trogiup) lists what the assistant can do.
 */
import type { Handler } from '../src/core/handler';
import { MAX_TURNS } from '../src/core/conversation';

export const startHandler: Handler = {
  id: 'start',
  commands: ['start', 'batdau'],
  phrases: ['bat dau', 'xin chao', 'chao ban'],
  async handle({ inbound, services }) {
    const t = services.texts;
    return {
      intent: 'start',
      blocks: [
        { type: 'text', text: t.get(inbound.locale, 'start') },
        {
          type: 'text',
          text: t.get(inbound.locale, 'privacy', {
            turns: MAX_TURNS / 2,
            days: Math.round(services.settings.historyTtlSeconds / 86_400),
            analyticsDays: services.settings.analyticsRetentionDays,
          }),
        },
      ],
      citations: [],
      buttons: [[{ label: t.get(inbound.locale, 'button-help'), action: '/help' }]],
    };
  },
};

export const helpHandler: Handler = {
  id: 'help',
  commands: ['help', 'trogiup', 'huongdan'],
  phrases: ['tro giup', 'huong dan', 'help'],
  async handle({ inbound, services }) {
    return {
      intent: 'help',
      blocks: [{ type: 'text', text: services.texts.get(inbound.locale, 'help') }],
      citations: [],
    };
  },
};
