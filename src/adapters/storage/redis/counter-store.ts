/**
 * Counters in Redis, for several gateway replicas. Each operation is one Lua script, which Redis
 * runs atomically, so concurrent attempts from any number of replicas admit exactly what the
 * limit allows. The scripts do the same arithmetic as src/core/limits (token bucket, sliced
 * rolling window); the report is then built by the same core functions. Time comes from the
 * gateway's clock (passed in), so all stores agree on it in tests.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { GatewayError } from '../../../core/errors.js';
import { windowReport } from '../../../core/limits/rolling-window.js';
import { bucketReport } from '../../../core/limits/token-bucket.js';
import type { CounterSpec, CounterState } from '../../../core/limits/types.js';
import type { CounterStore } from '../../../ports/counter-store.js';

const NUM = "local function num(x) return string.format('%.17g', x) end\n";

/** ARGV: op ('take' | 'give'), cost, capacity, refill per second, now. Returns {admitted, tokens}. */
const BUCKET = `${NUM}
local cost, cap, rate, now = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local s = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens, updated = cap, now
if s[1] then
  tokens, updated = tonumber(s[1]), tonumber(s[2])
  local elapsed = math.max(0, now - updated)
  tokens = math.min(cap, tokens + elapsed * rate / 1000)
  updated = math.max(now, updated)
end
local admitted = 0
if ARGV[1] == 'take' then
  if cost <= tokens then tokens = tokens - cost; admitted = 1 end
else
  tokens = math.min(cap, tokens + cost)
end
redis.call('HSET', KEYS[1], 't', num(tokens), 'u', num(updated))
if rate > 0 then
  redis.call('PEXPIRE', KEYS[1], math.ceil((cap - tokens) * 1000 / rate) + 1000)
else
  redis.call('PERSIST', KEYS[1])
end
return {admitted, num(tokens)}
`;

/**
 * ARGV: op ('take' | 'give'), cost, max, window ms, buckets, now, consumed-at (give only).
 * Hash fields are slice indexes, values the sums. Returns {admitted, idx1, sum1, idx2, sum2, ...}.
 */
const WINDOW = `${NUM}
local cost, max, window, buckets, now = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local slice = window / buckets
local current = math.floor(now / slice)
local all = redis.call('HGETALL', KEYS[1])
local live, total = {}, 0
for i = 1, #all, 2 do
  local idx, sum = tonumber(all[i]), tonumber(all[i + 1])
  if idx < current - buckets or sum <= 0 then
    redis.call('HDEL', KEYS[1], all[i])
  else
    live[#live + 1] = {idx, sum}
    total = total + sum
  end
end
local admitted = 0
if ARGV[1] == 'take' then
  if total + cost <= max then
    admitted = 1
    if cost > 0 then redis.call('HINCRBYFLOAT', KEYS[1], string.format('%.0f', current), num(cost)) end
  end
else
  local field = string.format('%.0f', math.floor(tonumber(ARGV[7]) / slice))
  local sum = tonumber(redis.call('HGET', KEYS[1], field) or '0')
  if sum - cost <= 0 then redis.call('HDEL', KEYS[1], field) else redis.call('HSET', KEYS[1], field, num(sum - cost)) end
end
local out, newest = {admitted}, nil
all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  out[#out + 1] = all[i]
  out[#out + 1] = all[i + 1]
  local idx = tonumber(all[i])
  if newest == nil or idx > newest then newest = idx end
end
if newest ~= nil then redis.call('PEXPIRE', KEYS[1], math.ceil((newest + buckets + 1) * slice - now) + 1000) end
return out
`;

interface Script {
  text: string;
  sha: string;
}
const script = (text: string): Script => ({ text, sha: createHash('sha1').update(text).digest('hex') });
const BUCKET_SCRIPT = script(BUCKET);
const WINDOW_SCRIPT = script(WINDOW);

export interface RedisCounterOptions {
  /** Prepended to every key (default `portcullis:`). */
  keyPrefix?: string;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

export class RedisCounterStore implements CounterStore {
  readonly name = 'redis-counters';
  private readonly prefix: string;

  private constructor(
    private readonly redis: Redis,
    options: RedisCounterOptions,
  ) {
    this.prefix = options.keyPrefix ?? 'portcullis:';
  }

  /** Connects and pings; throws GatewayError(approval_store_unavailable) when Redis is unreachable. */
  static async connect(url: string, options: RedisCounterOptions = {}): Promise<RedisCounterStore> {
    const redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: options.connectTimeoutMs ?? 2000,
      commandTimeout: options.commandTimeoutMs ?? 1000,
    });
    // Connection errors surface as rejected commands (fail closed); the event only needs a listener.
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      await redis.ping();
    } catch (cause) {
      redis.disconnect();
      // The URL may carry a password: it is not repeated in the message.
      throw new GatewayError('rate_limit_store_unavailable', 'cannot connect to the Redis counter store', {
        cause,
      });
    }
    return new RedisCounterStore(redis, options);
  }

  async tryConsume(key: string, cost: number, spec: CounterSpec, now: number): Promise<CounterState> {
    if (spec.kind === 'token_bucket') {
      const [admitted, tokens] = (await this.run(BUCKET_SCRIPT, this.keyOf(key, spec), [
        'take',
        cost,
        spec.capacity,
        spec.refill_per_second,
        now,
      ])) as [number, string];
      return bucketReport(Number(tokens), cost, admitted === 1, spec);
    }
    const out = (await this.run(WINDOW_SCRIPT, this.keyOf(key, spec), [
      'take',
      cost,
      spec.max,
      spec.window_ms,
      spec.buckets,
      now,
      0,
    ])) as Array<number | string>;
    const slices: Array<[number, number]> = [];
    for (let i = 1; i + 1 < out.length; i += 2) slices.push([Number(out[i]), Number(out[i + 1])]);
    slices.sort((a, b) => a[0] - b[0]);
    return windowReport(slices, cost, out[0] === 1, spec, now);
  }

  async refund(key: string, cost: number, spec: CounterSpec, consumedAt: number, now: number): Promise<void> {
    if (spec.kind === 'token_bucket') {
      await this.run(BUCKET_SCRIPT, this.keyOf(key, spec), [
        'give',
        cost,
        spec.capacity,
        spec.refill_per_second,
        now,
      ]);
    } else {
      await this.run(WINDOW_SCRIPT, this.keyOf(key, spec), [
        'give',
        cost,
        spec.max,
        spec.window_ms,
        spec.buckets,
        now,
        consumedAt,
      ]);
    }
  }

  ready(): boolean {
    return this.redis.status === 'ready';
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** Keys carry the algorithm, so a limit whose kind changes on reload starts fresh. */
  private keyOf(key: string, spec: CounterSpec): string {
    return `${this.prefix}${spec.kind === 'token_bucket' ? 'tb' : 'rs'}:${key}`;
  }

  private async run(s: Script, key: string, args: Array<string | number>): Promise<unknown> {
    const argv = args.map((a) => (typeof a === 'number' ? numArg(a) : a));
    try {
      try {
        return await this.redis.evalsha(s.sha, 1, key, ...argv);
      } catch (e) {
        if (!String((e as Error).message).includes('NOSCRIPT')) throw e;
        return await this.redis.eval(s.text, 1, key, ...argv);
      }
    } catch (cause) {
      throw new GatewayError('rate_limit_store_unavailable', 'the Redis counter store failed', { cause });
    }
  }
}

/** Numbers cross to Lua as strings; 17 significant digits round-trip a double exactly. */
function numArg(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(17);
}
