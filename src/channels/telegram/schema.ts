/**
 * @module channels/telegram/schema
 * A Bot API update, validated: only the fields the channel reads; unknown fields are ignored so
 * a new Bot API field never makes a valid update look malformed.
 */
import { z } from 'zod';

const UserSchema = z.object({
  id: z.number().int(),
  is_bot: z.boolean(),
  language_code: z.string().optional(),
});
const ChatSchema = z.object({ id: z.number().int(), type: z.string() });

/**
 * What a person can send that is not text: in a private chat these get "I read only text".
 * Anything else without text is a service message (a payment, a pin, a member joining, write
 * access granted…) and gets no answer at all.
 */
export const MEDIA_FIELDS = [
  'animation', 'audio', 'contact', 'dice', 'document', 'game', 'location', 'paid_media', 'photo', 'poll',
  'sticker', 'story', 'venue', 'video', 'video_note', 'voice',
] as const;

const ButtonSchema = z.object({ text: z.string(), callback_data: z.string().optional(), url: z.string().optional() });
// Loose: the media fields above are read by name, without validating their contents.
const MessageSchema = z.looseObject({
  message_id: z.number().int(),
  chat: ChatSchema,
  from: UserSchema.optional(),
  /** Who the message speaks for when not a person: the group (an anonymous admin) or a channel. */
  sender_chat: ChatSchema.optional(),
  /** A channel's post copied into its discussion group by Telegram. */
  is_automatic_forward: z.boolean().optional(),
  text: z.string().optional(),
  message_thread_id: z.number().int().optional(),
  is_topic_message: z.boolean().optional(),
  reply_markup: z.object({ inline_keyboard: z.array(z.array(ButtonSchema)) }).optional(),
});
const CallbackQuerySchema = z.object({
  id: z.string(),
  from: UserSchema,
  message: MessageSchema.optional(),
  data: z.string().optional(),
});
export const UpdateSchema = z.object({
  update_id: z.number().int().min(0),
  message: MessageSchema.optional(),
  callback_query: CallbackQuerySchema.optional(),
});
export type TelegramUpdate = z.infer<typeof UpdateSchema>;
export type TelegramMessage = z.infer<typeof MessageSchema>;
export type CallbackQuery = z.infer<typeof CallbackQuerySchema>;

/** Which update kinds the bot asks Telegram for (setup) and handles (webhook). */
export const ALLOWED_UPDATES = ['message', 'callback_query'] as const;
