/**
 * @module admin/stats
 * GET /admin/stats?from=YYYY-MM-DD&to=YYYY-MM-DD&top=10: what people asked over a range of
 * Vietnamese days (the last 7 unless given, at most 366): questions per day (and per channel
 * each day), by intent and channel, the top questions, the unanswered ones, the feedback ratio
 * and the answers that got 👎 with the reply that was given. Optional: `channel` and `intent`
 * narrow it; `list=N` adds up to N single questions (`outcome=unanswered|down` picks which).
 * Every text is masked and tied to no one.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Store } from '../store/store';
import { addDays, daySpan, isIsoDay, vnDay } from '../core/vn-time';
import { stats } from '../analytics/questions';
import { queryParams, type AdminEnv } from './index';

const MAX_RANGE_DAYS = 366;
const DEFAULT_RANGE_DAYS = 7;
const MAX_LISTED = 500;

const Day = z.string().refine(isIsoDay, 'must be a date written YYYY-MM-DD');

const StatsQuerySchema = z.object({
  from: Day.optional(),
  to: Day.optional(),
  top: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(100))
    .optional(),
  channel: z.enum(['telegram', 'zalo', 'web']).optional(),
  intent: z.string().min(1).max(40).optional(),
  list: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(0).max(MAX_LISTED))
    .optional(),
  outcome: z.enum(['unanswered', 'down']).optional(),
});

interface StatsAppDeps {
  store: Store;
  now: () => Date;
}

export function statsApp(deps: StatsAppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get('/', queryParams(StatsQuerySchema), async (c) => {
    const query = c.req.valid('query');
    const to = query.to ?? vnDay(deps.now());
    const from = query.from ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1));
    if (from > to) return c.json({ error: 'from must not be after to' }, 400);
    if (daySpan(from, to) > MAX_RANGE_DAYS) {
      return c.json({ error: `the range may cover at most ${MAX_RANGE_DAYS} days` }, 400);
    }
    const { top, channel, intent, list, outcome } = query;
    return c.json(await stats(deps.store, from, to, { top, channel, intent, list, outcome }));
  });

  return app;
}
