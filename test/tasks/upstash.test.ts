/**
 * Reminders on the Upstash store (REST bridge in front of a real redis-server): subscriptions
 * made through one runtime survive a restart (a new runtime and a new store client), the job of
 * the new runtime sends their digests, and a re-run the same day sends nothing. Skipped, loudly,
 * when no redis-server is available.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UpstashStore } from '../../src/store/upstash';
import { Subscriptions } from '../../src/tasks/subscriptions';
import { meteredStore } from '../../src/tasks/metered-store';
import { MemoryStore } from '../../src/store/memory';
import { RespClient } from '../support/redis-resp';
import { deleteKeysWithPrefix, requireRedis, type RedisEndpoint } from '../support/redis-server';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge';
import { makeHarness } from './support/harness';
import { prefixedStore } from '../support/prefixed-store';
import { replyText } from './support/recording-outbound';

const TOKEN = 'reminders-test-token-0123456789';
const PREFIX = `cchc-test:reminders:${process.pid}.${Date.now().toString(36)}:`;

suite(await requireRedis());

function suite(endpoint: RedisEndpoint): void {
  let bridge: UpstashBridge;
  let admin: RespClient;

  beforeAll(async () => {
    bridge = await startUpstashBridge({ redis: endpoint, token: TOKEN });
    admin = await RespClient.connect(endpoint.host, endpoint.port);
  });

  afterAll(async () => {
    await deleteKeysWithPrefix(admin, PREFIX);
    await admin.close();
    await bridge.close();
    await endpoint.stop();
  });

  let testNo = 0;
  let prefix = PREFIX;
  beforeEach(() => {
    prefix = `${PREFIX}${++testNo}:`; // each test starts from an empty store
  });
  /** A fresh client, as a restarted process or a new Worker isolate would build. */
  const freshStore = () => prefixedStore(new UpstashStore({ url: bridge.url, token: TOKEN, retry: false }), prefix);

  describe('reminders on the Upstash store', () => {
    it('keep subscriptions across a restart, send their digests from the new runtime, and send nothing on a re-run', async () => {
      const before = makeHarness({ store: freshStore(), day: '2026-11-21' });
      await before.say('/nhacviec chon don-vi:ban-cds-bd', { chatId: '1001' });
      await before.say('/nhacviec chon tat-ca', { channel: 'zalo', chatId: 'zalo-42', locale: 'en' });

      const after = makeHarness({ store: freshStore(), day: '2026-11-21' });
      const subs = await new Subscriptions(after.store).all();
      expect([...subs.keys()].sort()).toEqual(['telegram:1001', 'zalo:zalo-42']);
      expect(subs.get('zalo:zalo-42')).toMatchObject({ allUnits: true, recipient: { locale: 'en' } });
      expect(replyText(await after.say('/nhacviec danh sach', { chatId: '1001' }))).toContain('• Đơn vị: Ban chỉ đạo chuyển đổi số tỉnh Bình Dương');

      const requestsBefore = bridge.requests.length;
      expect(await after.runJob()).toMatchObject({ subscribers: 2, sent: 2, failed: 0 });
      const sent = after.outbound.take();
      sent.sort((x, y) => x.to.channel.localeCompare(y.to.channel));
      expect(sent.map((s) => s.to)).toEqual([
        { channel: 'telegram', chatId: '1001', locale: 'vi' },
        { channel: 'zalo', chatId: 'zalo-42', locale: 'en' },
      ]);
      expect(replyText(sent[0]!.reply)).toContain('Hợp nhất Cổng Dịch vụ công tỉnh');
      expect(replyText(sent[1]!.reply)).toContain('Administrative reform deadlines — 21/11/2026');
      const firstRunCommands = commandCount(bridge.requests.slice(requestsBefore));

      const again = makeHarness({ store: freshStore(), day: '2026-11-21' });
      const mark = bridge.requests.length;
      expect(await again.runJob()).toMatchObject({ sent: 0, skipped: 2 });
      expect(again.outbound.sent).toEqual([]);
      // A re-run reads five keys (together, one request) and records its run (two calls); it claims nothing.
      const rerun = bridge.requests.slice(mark);
      expect(commandCount(rerun)).toBe(7);
      expect(rerun.length).toBe(3);
      expect(firstRunCommands).toBeGreaterThan(7);
    });

    it('budgets the subrequests really made: calls made together count once, as they travel in one request', async () => {
      const metered = meteredStore(freshStore());
      const mark = bridge.requests.length;
      await Promise.all([metered.store.get('a'), metered.store.get('b'), metered.store.set('c', 'x')]);
      await metered.store.get('c');
      expect(metered.calls()).toBe(4);
      expect(bridge.requests.length - mark).toBe(2);
      expect(metered.subrequests()).toBe(2);
      const memory = meteredStore(new MemoryStore());
      await Promise.all([memory.store.get('a'), memory.store.get('b')]);
      expect(memory.subrequests()).toBe(memory.calls()); // no requests of its own: calls bound them
    });

    it('claims each reminder once in Redis when two runtimes run the job at the same moment', async () => {
      const a = makeHarness({ store: freshStore(), day: '2026-11-22' });
      const b = makeHarness({ store: freshStore(), day: '2026-11-22' });
      for (let i = 0; i < 6; i++) await a.say('/nhacviec chon don-vi:co-quan-dang-bd', { chatId: `chat-${i}` });
      const [ra, rb] = await Promise.all([a.runJob(), b.runJob()]);
      expect(ra.sent + rb.sent).toBe(6);
      const chats = [...a.outbound.sent, ...b.outbound.sent].map((s) => s.to.chatId).sort();
      expect(chats).toEqual(['chat-0', 'chat-1', 'chat-2', 'chat-3', 'chat-4', 'chat-5']);
    });
  });
}

/** Redis commands in these bridge requests (a /pipeline request carries several). */
function commandCount(requests: Array<{ path: string; body: unknown }>): number {
  return requests.reduce((n, r) => n + (r.path === '/pipeline' ? (r.body as unknown[]).length : 1), 0);
}
