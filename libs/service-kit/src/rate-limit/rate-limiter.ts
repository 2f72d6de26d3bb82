import type { OnModuleDestroy } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { MemoryWindowCounter } from './memory-window';

export interface RateLimitOptions {
  /** Requests per key per window; 0 turns limiting off. */
  limit: number;
  redisUrl: string;
  /** Prefix of every Redis key, so services (and tests) sharing a Redis do not collide. */
  keyPrefix: string;
  windowMs: number;
  /** A slow Redis must not slow requests down: past this the in-process window decides. */
  commandTimeoutMs: number;
}

export const RATE_LIMIT_OPTIONS = Symbol('RATE_LIMIT_OPTIONS');

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the window, and so the count, resets. */
  resetMs: number;
  /** Which counter decided: `memory` means Redis was unreachable or too slow. */
  source: 'redis' | 'memory';
}

/** Fixed windows per key: one INCR + PEXPIRE transaction in Redis, in-process when Redis fails. */
@Injectable()
export class RateLimiter implements OnModuleDestroy {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly memory = new MemoryWindowCounter();
  private readonly redis: Redis | undefined;
  private redisFailing = false;

  constructor(@Inject(RATE_LIMIT_OPTIONS) readonly options: RateLimitOptions) {
    if (options.limit === 0) return;
    this.redis = new Redis(options.redisUrl, {
      // Fail fast instead of queueing while disconnected: the fallback answers meanwhile.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: 2_000,
      // ioredis waits this long for an already-dead socket to close on disconnect (default 2 s).
      disconnectTimeout: 200,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    // Without a listener ioredis prints every reconnect failure; log the outage once instead.
    this.redis.on('error', (error: Error) => this.markFailing(error));
    this.redis.on('ready', () => {
      if (this.redisFailing) this.logger.log('Redis is back; rate limits are shared again');
      this.redisFailing = false;
    });
  }

  get enabled(): boolean {
    return this.options.limit > 0;
  }

  /** Resolves once the Redis client is connected (tests and start-up checks); false if it is not within `timeoutMs`. */
  async waitForRedis(timeoutMs = 2_000): Promise<boolean> {
    const redis = this.redis;
    if (!redis) return false;
    if (redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), timeoutMs);
      const onReady = (): void => done(true);
      const done = (ready: boolean): void => {
        clearTimeout(timer);
        redis.off('ready', onReady);
        resolve(ready);
      };
      redis.once('ready', onReady);
    });
  }

  async consume(key: string, nowMs: number = Date.now()): Promise<RateLimitDecision> {
    const { limit, windowMs } = this.options;
    const window = Math.floor(nowMs / windowMs);
    const resetMs = (window + 1) * windowMs - nowMs;
    let count: number;
    let source: RateLimitDecision['source'] = 'redis';
    try {
      count = await this.incrementInRedis(`${this.options.keyPrefix}rl:${key}:${window}`);
    } catch (error) {
      // Connection failures arrive as 'error' events; here only a connected Redis that failed (a timeout).
      if (this.redis?.status === 'ready') this.markFailing(error);
      count = this.memory.increment(key, window);
      source = 'memory';
    }
    return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetMs, source };
  }

  private async incrementInRedis(redisKey: string): Promise<number> {
    if (!this.redis) throw new Error('rate limiting is off');
    const replies = await this.redis.multi().incr(redisKey).pexpire(redisKey, this.options.windowMs).exec();
    const [incrError, count] = replies?.[0] ?? [new Error('empty MULTI reply'), null];
    if (incrError) throw incrError;
    return Number(count);
  }

  private markFailing(error: unknown): void {
    if (this.redisFailing) return;
    this.redisFailing = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(`Redis unavailable for rate limits (${reason}); counting in this process until it returns`);
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.redis) return;
    if (this.redis.status === 'ready') await this.redis.quit();
    else this.redis.disconnect();
  }
}
