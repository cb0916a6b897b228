/**
 * /xoadulieu on UpstashStore (REST bridge in front of a private, throwaway redis-server): after
 * using every feature and erasing, no key or value names the person (./erase-everything.ts).
 * Runs in the `redis` test project.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { UpstashStore } from '../../src/store/upstash';
import { startRedisServer, type RedisEndpoint } from '../support/redis-server';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge';
import { TOKEN, useEverythingThenErase } from './erase-everything';

describe('/xoadulieu removes every key of the user', () => {
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

  it('in UpstashStore', async () => {
    await useEverythingThenErase(new UpstashStore({ url: bridge.url, token: TOKEN, retry: false }));
  });
});
