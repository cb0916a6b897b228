/**
 * @module scripts/bench/traffic
 * What the benches, the load run and the chaos drills send: a fixed mix of messages people
 * type (commands, procedures, KPI, directive questions, an out-of-scope one; typed with and
 * without marks), and builders for Telegram updates and Zalo events in the platforms' wire
 * shapes. Every update gets its own chat and user, so each answer can be counted at the fake
 * Bot API and no per-user rate limit is hit (a province's traffic is many people, each asking
 * a little).
 */

/** The mix every run cycles through; all are answered without a model, each in one message. */
export const MESSAGES: readonly string[] = [
  '/start',
  '/help',
  'Thủ tục cấp căn cước công dân cần giấy tờ gì?',
  'chi thi 22 cua tinh uy binh duong ve van de gi',
  'đăng ký khai sinh',
  '/kpi',
  'PAR Index năm 2022 Bình Dương xếp thứ mấy',
  'thời tiết hôm nay thế nào',
  '/thutuc ho chieu',
  'Hội nghị Tỉnh ủy Bình Dương ngày 6/7/2022 bàn những nội dung gì',
];

/** Free-text questions the model is asked to answer (the chaos drill for the model sends only these). */
export const QUESTIONS: readonly string[] = [
  'chi thi 22 cua tinh uy binh duong ve van de gi',
  'Hội nghị Tỉnh ủy Bình Dương ngày 6/7/2022 bàn những nội dung gì',
  'Ban chỉ đạo phòng chống tham nhũng tiêu cực Bình Dương có bao nhiêu thành viên?',
  'đề án cải cách hành chính cơ quan Đảng tập trung vào gì',
  'Bình Dương muốn phát triển thành đô thị kiểu gì',
];

export const TELEGRAM_TOKEN = '4242424242:BENCH-token-not-a-secret';
export const TELEGRAM_SECRET = 'bench-webhook-secret_0123456789';
export const ZALO_SECRET = 'bench-zalo-secret-0123456789';
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';
export const BRIDGE_TOKEN = 'bench-upstash-token';

/** Chat and user ids of bench updates start here, far from anything a test uses. */
export const CHAT_BASE = 700_000_000;

/**
 * How the chats of updates first … first+count-1 (chat CHAT_BASE + update number) were answered,
 * from a tally of answer messages per chat: answered at least once, not at all, more than once.
 */
export function answerCounts(answers: Record<string, number>, first: number, count: number): { answered: number; lost: number; duplicates: number } {
  let answered = 0;
  let duplicates = 0;
  for (let i = first; i < first + count; i++) {
    const n = answers[String(CHAT_BASE + i)] ?? 0;
    if (n >= 1) answered++;
    if (n > 1) duplicates++;
  }
  return { answered, lost: count - answered, duplicates };
}

export function messageFor(i: number): string {
  return MESSAGES[i % MESSAGES.length]!;
}

/** A private-chat text message from a person, as Telegram delivers it to a webhook. */
export function telegramUpdate(updateId: number, chatId: number, text: string): Record<string, unknown> {
  return {
    update_id: updateId,
    message: {
      message_id: 1,
      date: 1_790_000_000,
      chat: { id: chatId, type: 'private', first_name: 'Dân' },
      from: { id: chatId, is_bot: false, first_name: 'Dân', language_code: 'vi' },
      text,
    },
  };
}

/** A Zalo text event, bare as live Zalo delivers it. */
export function zaloEvent(messageId: string, chatId: string, text: string): Record<string, unknown> {
  return {
    event_name: 'message.text.received',
    message: {
      message_id: messageId,
      date: 1_790_000_000_000,
      from: { id: chatId, display_name: 'Dân', is_bot: false },
      chat: { id: chatId, chat_type: 'PRIVATE' },
      text,
    },
  };
}

export const telegramHeaders = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET };
export const zaloHeaders = { 'content-type': 'application/json', 'x-bot-api-secret-token': ZALO_SECRET };
