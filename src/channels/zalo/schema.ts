/**
 * @module channels/zalo/schema
 * A Zalo webhook event as Zalo delivers it. Validated with zod, but leniently: any event-shaped
 * body is accepted and used as far as it goes (a field of an unexpected type is dropped, not
 * fatal), and ids stay exact strings even when sent as numbers beyond 2^53.
 */
import { z } from 'zod';

/** A field of an unexpected type is dropped rather than fatal: the rest of the event is still used. */
const lenient = <S extends z.ZodType>(schema: S) => schema.optional().catch(undefined);

/** Ids are strings in the docs; a number (kept whole by parseJsonKeepingBigInts) becomes one. */
const Id = z.union([z.string().min(1).max(128), z.number()]).transform(String);

/** A link preview; openclaw reads the same fields from `link`, `links` and link attachments. */
const LinkSchema = z.looseObject({
  title: lenient(z.string()),
  url: lenient(z.string()),
  description: lenient(z.string()),
});
const AttachmentSchema = LinkSchema.extend({ type: lenient(z.string()), payload: lenient(LinkSchema) });

/**
 * The message of an event, every field optional: real deliveries leave fields out (no
 * `message_id`, no `chat_type`) or shape them differently (`photo` or `sticker` as objects), and
 * such an event is still answered as well as it can be. Images, stickers and voice are never
 * read, so their fields are not parsed at all.
 */
const ZaloMessageSchema = z.looseObject({
  message_id: lenient(Id),
  /** Epoch milliseconds. */
  date: lenient(z.number()),
  from: lenient(z.looseObject({ id: lenient(Id), display_name: lenient(z.string()), is_bot: lenient(z.boolean()) })),
  chat: lenient(z.looseObject({ id: lenient(Id), chat_type: lenient(z.string()) })),
  text: lenient(z.string()),
  link: lenient(z.union([z.string(), LinkSchema])),
  links: lenient(z.array(lenient(LinkSchema))),
  attachments: lenient(z.array(lenient(AttachmentSchema))),
});
export type ZaloMessage = z.infer<typeof ZaloMessageSchema>;

/** An event is anything with an event name; `message` is missing for protected senders. */
export const ZaloEventSchema = z.looseObject({
  event_name: z.string().min(1).max(100),
  message: lenient(ZaloMessageSchema),
});

/** What a rejected body may still say about itself, for the log line (never its content). */
export const RejectedIds = z.looseObject({
  event_name: lenient(z.string().max(100)),
  message: lenient(z.looseObject({ message_id: lenient(Id) })),
});

/** Live deliveries are bare `{ event_name, message }`; the docs show `{ ok: true, result: {…} }`. */
export function unwrapEvent(body: unknown): unknown {
  if (body && typeof body === 'object' && 'result' in body && (body as { ok?: unknown }).ok === true) {
    return (body as { result: unknown }).result;
  }
  return body;
}

/** Events whose words the assistant reads; every other kind gets the "I only read text" notice. */
export const TEXT_EVENTS = new Set(['message.text.received', 'message.link.received']);

/** The words of a shared link (title, description, URL), for a link event or blank text with a link attached. */
export function linkText(msg: ZaloMessage): string {
  const links = [
    msg.link,
    ...(msg.links ?? []),
    // An attachment says what it is; one that says nothing may be a link.
    ...(msg.attachments ?? []).flatMap((a) => (a && (!a.type || /link/i.test(a.type)) ? [a, a.payload] : [])),
  ];
  const parts = links.flatMap((l) => (typeof l === 'string' ? [l] : l ? [l.title, l.description, l.url] : []));
  return [...new Set(parts.map((p) => p?.trim()).filter((p): p is string => !!p))].join('\n');
}

/**
 * Whether the message came from a group. Without a (known) chat_type, a chat whose id is the
 * sender's is private (the docs: chat.id equals from.id there); anything else counts as a
 * group, where the bot speaks only when addressed.
 */
export function isGroupChat(msg: ZaloMessage): boolean {
  const type = msg.chat?.chat_type?.toUpperCase();
  if (type === 'PRIVATE' || type === 'GROUP') return type === 'GROUP';
  return msg.chat?.id !== msg.from?.id;
}
