/**
 * An Outbound that records what it would have sent and can be told to fail, for the reminder
 * tests (Node and workerd alike: no Node APIs). A failure can target one chat and repeat.
 */
import type { Outbound, Recipient, Reply, SendResult } from '../../../src/core/types';

export interface Sent {
  to: Recipient;
  reply: Reply;
}

interface Failure {
  chatId?: string;
  permanent: boolean;
  reason: string;
  times: number;
}

export class RecordingOutbound implements Outbound {
  readonly sent: Sent[] = [];
  attempts = 0;
  private readonly failures: Failure[] = [];

  /** The next `times` sends (to `chatId`, or to anyone) fail. */
  failNext(opts: { chatId?: string; permanent?: boolean; times?: number; reason?: string } = {}): void {
    this.failures.push({
      chatId: opts.chatId,
      permanent: opts.permanent ?? false,
      reason: opts.reason ?? (opts.permanent ? 'telegram 403: bot was blocked by the user' : 'telegram 502: Bad Gateway'),
      times: opts.times ?? 1,
    });
  }

  clearFailures(): void {
    this.failures.splice(0, this.failures.length);
  }

  async send(to: Recipient, reply: Reply): Promise<SendResult> {
    this.attempts++;
    const failure = this.failures.find((f) => f.times > 0 && (!f.chatId || f.chatId === to.chatId));
    if (failure) {
      failure.times--;
      return { ok: false, permanent: failure.permanent, reason: failure.reason };
    }
    this.sent.push({ to, reply });
    return { ok: true };
  }

  /** Everything sent so far, then forgets it. */
  take(): Sent[] {
    return this.sent.splice(0, this.sent.length);
  }
}

/** A Reply's text as one string (blocks joined), for assertions. */
export function replyText(reply: Reply): string {
  return reply.blocks.map((b) => (b.type === 'list' ? b.items.map((i) => `- ${i}`).join('\n') : b.text)).join('\n');
}
