/**
 * @module channels/typing
 * When a channel shows "typing…": only once an answer has taken this long. Telegram advises the
 * indicator only for replies that take noticeable time; an answer that is out at once needs
 * none, and then costs one Bot API request instead of two.
 */
export const TYPING_DELAY_MS = 400;
