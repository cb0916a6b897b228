/**
 * @module channels/typing
 * When a channel shows "typing…": only once an answer has taken this long. Telegram advises the
 * indicator only for replies that take noticeable time; an answer that is out at once needs
 * none, and then costs one Bot API request instead of two.
 */
export const TYPING_DELAY_MS = 400;

/**
 * Runs `fn` once after `ms` and returns what cancels it. Channels take one so tests can drive
 * the delay with their own clock instead of waiting for it.
 */
export type Schedule = (fn: () => void, ms: number) => () => void;

export const realSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};
