/**
 * Runs the CounterStore contract against every backend. Redis is real (127.0.0.1:6379, or
 * PORTCULLIS_TEST_REDIS_URL): when it is unreachable these tests fail; they never skip.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryCounterStore } from '../../src/adapters/storage/memory/counter-store.js';
import { RedisCounterStore } from '../../src/adapters/storage/redis/counter-store.js';
import { GatewayError } from '../../src/core/errors.js';
import { counterStoreContract } from './counter-store.contract.js';

const REDIS_URL = process.env.PORTCULLIS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `portcullis-test:${process.pid}:${randomBytes(4).toString('hex')}:`;

counterStoreContract('memory', () => Promise.resolve(new MemoryCounterStore()));
counterStoreContract('redis', () => RedisCounterStore.connect(REDIS_URL, { keyPrefix: prefix }));

describe('RedisCounterStore', () => {
  afterAll(async () => {
    // Remove this run's keys.
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('keys expire once the counter is back to fresh (no unbounded growth)', async () => {
    const store = await RedisCounterStore.connect(REDIS_URL, { keyPrefix: prefix });
    await store.tryConsume(
      'ttl',
      1,
      { kind: 'rolling_sum', window_ms: 60_000, max: 5, buckets: 60 },
      Date.now(),
    );
    const redis = new Redis(REDIS_URL);
    const ttl = await redis.pttl(`${prefix}rs:ttl`);
    await redis.quit();
    await store.close();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(63_000);
  });

  it('fails closed with a stable code when Redis cannot be reached', async () => {
    const err = await RedisCounterStore.connect('redis://127.0.0.1:1', { connectTimeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('rate_limit_store_unavailable');
    expect((err as GatewayError).message).not.toContain('127.0.0.1:1');
  });
});

describe('MemoryCounterStore', () => {
  it('forgets counters that are back to fresh', async () => {
    const store = new MemoryCounterStore(8);
    const spec = { kind: 'token_bucket', capacity: 1, refill_per_second: 1000 } as const;
    for (let i = 0; i < 8; i++) await store.tryConsume(`k${i}`, 1, spec, 0);
    expect(store.size).toBeLessThanOrEqual(8);
    for (let i = 0; i < 8; i++) await store.tryConsume(`j${i}`, 0, spec, 10_000);
    expect(store.size).toBeLessThan(16);
  });
});
