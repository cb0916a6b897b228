/**
 * The handoff rules (./contract.ts) on a real redis-server: through RedisStore (TCP) and through
 * UpstashStore (the REST bridge). Runs in the `redis` test project.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { RedisStore } from '../../src/store/redis';
import { UpstashStore } from '../../src/store/upstash';
import { startRedisServer, type RedisEndpoint } from '../support/redis-server';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge';
import { handoffContract } from './contract';

const TOKEN = 'handoff-upstash-token';

describe('handoff rules on Redis', () => {
  let redis: RedisEndpoint;
  let bridge: UpstashBridge;

  beforeAll(async () => {
    const own = await startRedisServer();
    if (!own) throw new Error('redis-server did not start');
    redis = own;
    bridge = await startUpstashBridge({ redis, token: TOKEN });
  });

  afterAll(async () => {
    await bridge?.close();
    await redis?.stop();
  });

  it('hold on RedisStore', async () => {
    const store = new RedisStore({ host: redis.host, port: redis.port, db: 0, tls: false });
    try {
      if (!(await store.ready())) throw new Error('Redis did not answer');
      await handoffContract(store, '4242');
    } finally {
      await store.close();
    }
  });

  it('hold on UpstashStore', async () => {
    await handoffContract(new UpstashStore({ url: bridge.url, token: TOKEN, retry: false }), '5353');
  });
});
