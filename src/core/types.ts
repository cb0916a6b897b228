/**
 * @module core/types
 * The two shapes every channel speaks to the core: an Inbound message and a Reply.
 * Nothing here knows a platform's wire format; nothing in a channel knows what a KPI is.
 */

export type ChannelName = 'telegram' | 'zalo' | 'web';
export type Locale = 'vi' | 'en';
export type Role = 'citizen' | 'staff' | 'official' | 'admin';

export interface Inbound {
  channel: ChannelName;
  /** Where to answer (a Telegram chat, a Zalo chat, a web session). */
  chatId: string;
  /** Who wrote it, stable per channel. */
  userId: string;
  text: string;
  locale: Locale;
  /** Filled in by the core from the store; channels leave it unset. */
  role?: Role;
  isGroup?: boolean;
  /**
   * Web only: whether the server issued this session id. A client can name any id, so a role is
   * bound only to one the server issued (platforms vouch for their own user ids).
   */
  sessionIssued?: boolean;
  /**
   * Web only: the client's address (an IPv6 one by its /64). What a client can renew at will (a
   * session) is limited by it too: its part of the day's model budget, its failed invite codes.
   */
  clientAddress?: string;
  /**
   * A 👍/👎 on an earlier answer (a tapped button), for the core to record; `messageRef` is the
   * channel's id of the answer voted on. The text is then empty.
   */
  vote?: { value: 'up' | 'down'; messageRef: string };
}

/** The intents of the reply to a vote: counted, or the answer already had one. */
export const VOTE_INTENTS = { recorded: 'feedback', duplicate: 'feedback-duplicate' } as const;

/** Where a fact came from, shown under an answer. */
export interface Citation {
  id: string;
  title: string;
  source: string;
  /** ISO date (YYYY-MM-DD); renderers show it the Vietnamese way. */
  date: string;
  url?: string;
}

/** A button's action is opaque to channels: they send it back as the text of a new Inbound. */
export interface Button {
  label: string;
  action: string;
}

export type Block =
  | { type: 'text'; text: string }
  | { type: 'heading'; text: string }
  | { type: 'quote'; text: string; cite?: number }
  | { type: 'list'; items: string[]; ordered?: boolean };

/**
 * A chart shown with a reply, as SVG laid out at width × height px: each channel turns it into
 * what it can show (Telegram a PNG photo, Zalo a PNG served by URL, the web the SVG itself).
 */
export interface ReplyImage {
  svg: string;
  width: number;
  height: number;
  /** What the chart shows, in the reply's language, for readers who cannot see it. */
  alt: string;
}

export interface Reply {
  intent: string;
  blocks: Block[];
  citations: Citation[];
  /** Rows of buttons; channels without buttons render them as numbered choices. */
  buttons?: Button[][];
  /** Whether the answer is grounded in a found source (false for "not found" and refusals). */
  found?: boolean;
  /**
   * Passages near the question that do not answer it, offered with a "not found" as reading
   * ("Đọc thêm"); channels show them apart from the answer, never as its sources.
   */
  related?: Citation[];
  /** The analytics id of this question, for feedback buttons; absent when it was not recorded. */
  questionId?: string;
  /**
   * Nothing is to be sent for it (a chat already told it is sending too fast): chat channels stay
   * quiet, while a request that needs an answer (the web) may still show its blocks.
   */
  silent?: boolean;
  /** A chart sent with the text; a channel that cannot show it sends the text alone. */
  image?: ReplyImage;
}

/** Where a proactive message (a reminder digest, a KPI alert) goes. */
export interface Recipient {
  channel: ChannelName;
  chatId: string;
  locale: Locale;
}

/**
 * The outcome of one send. `permanent` means retrying will not help (the bot was blocked,
 * the chat is gone); otherwise the next run may try again.
 */
export type SendResult = { ok: true } | { ok: false; permanent: boolean; reason: string };

/**
 * How jobs and alerts reach a chat without knowing the platform: app.ts builds one from the
 * live channels, each of which renders the Reply its own way.
 */
export interface Outbound {
  send(to: Recipient, reply: Reply): Promise<SendResult>;
}
