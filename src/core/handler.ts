/**
 * @module core/handler
 * What a capability in handlers/ looks like to the assistant: the commands it answers, the
 * words that call it when typed without a slash, how sure it is about a free-text message,
 * and the work itself. Handlers are made by factories that get their dependencies from the
 * composition root; they never import a channel.
 */
import type { Inbound, Reply, Role } from './types';
import type { Texts } from './texts';
import type { Logger } from '../log';

/**
 * What nearly every handler needs, handed to its factory by the composition root (src/app.ts)
 * together with whatever else that handler uses; nothing reaches a handler any other way.
 */
export interface HandlerBasics {
  texts: Texts;
  log: Logger;
  /** The clock, injectable so tests walk time instead of waiting. */
  now(): Date;
}

export interface HandlerContext {
  inbound: Inbound & { role: Role };
  /** The text after the command or phrase; the whole message for free text. */
  args: string;
  /**
   * Called with the answer so far while it is being written (streamed from a model), so a
   * channel can show it growing. Optional: handlers that answer at once never call it.
   */
  onPartial?: (textSoFar: string) => void;
}

export interface Handler {
  /** The intent name reported with the reply (ask, help, procedure, kpi, …). */
  id: string;
  /** Slash commands without the slash, e.g. ['help', 'trogiup']. */
  commands?: string[];
  /**
   * Leading words that call this handler when typed as text (channels without a command
   * menu, such as Zalo): compared on folded text, e.g. 'thu tuc', 'kpi', 'nhac viec'.
   */
  phrases?: string[];
  /** For free text: 0..1, how sure this handler is that the message is for it. */
  detect?(text: string): number;
  /**
   * True when this handler's turns carry a secret or a deletion (invite codes, /xoadulieu):
   * the assistant keeps them out of conversation memory and analytics.
   */
  sensitive?: boolean;
  handle(ctx: HandlerContext): Promise<Reply>;
}
