/**
 * @module channels/outbound
 * One Outbound over the live channels: a proactive message (reminder digest, KPI alert) goes
 * to the sender of the recipient's channel; a channel that is off is a permanent failure
 * for that recipient, so jobs pause it instead of retrying forever.
 */
import type { ChannelName, Outbound } from '../core/types';

export type ChannelSenders = Partial<Record<ChannelName, Outbound['send']>>;

export function channelOutbound(senders: ChannelSenders): Outbound {
  return {
    async send(to, reply) {
      const send = senders[to.channel];
      if (!send) return { ok: false, permanent: true, reason: `channel ${to.channel} is not configured` };
      return send(to, reply);
    },
  };
}
