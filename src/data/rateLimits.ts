/**
 * The per-caller rate limit's counters in MongoDB, shared by every gateway instance on the
 * database: a store for express-rate-limit (its `Store` interface), one document per key
 * (`sub`) and window, `{ _id: key, hits, resetAt }`, expired by a TTL index on `resetAt`.
 *
 * Each request is one atomic update: within the window the counter goes up by one (`$inc`
 * on a document whose `resetAt` is still ahead); past it, the document is reset to a new
 * window. Two instances that find the window over at the same instant race on the
 * document's `_id`: one resets it, the other's insert collides and it counts in the new
 * window. So N requests across any number of instances count N.
 *
 * express-rate-limit's own memory store counts per process: with several instances
 * behind a load balancer a caller gets the limit once per instance. This store is the
 * default (`RATE_LIMIT_STORE=mongodb`); `memory` keeps the per-process count.
 */
import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { IncrementResponse, Options, Store } from 'express-rate-limit';

export const RATE_LIMITS = 'rateLimits';

export interface RateLimitDoc {
  _id: string;
  hits: number;
  resetAt: Date;
}

/** Attempts at one increment when instances keep resetting the same window (they cannot for long). */
const MAX_ATTEMPTS = 5;

export async function ensureRateLimitIndexes(db: Db): Promise<void> {
  await db.collection<RateLimitDoc>(RATE_LIMITS).createIndexes([{ key: { resetAt: 1 }, name: 'expires', expireAfterSeconds: 0 }]);
}

const isDuplicateKey = (error: unknown): boolean => error instanceof MongoServerError && error.code === 11000;

export class MongoRateLimitStore implements Store {
  /** Counts are shared between instances. */
  readonly localKeys = false;
  private windowMs = 60_000;

  constructor(
    private readonly counters: Collection<RateLimitDoc>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<{ totalHits: number; resetTime: Date } | undefined> {
    const doc = await this.counters.findOne({ _id: key, resetAt: { $gt: this.clock() } });
    return doc ? { totalHits: doc.hits, resetTime: doc.resetAt } : undefined;
  }

  async increment(key: string): Promise<IncrementResponse> {
    for (let attempt = 1; ; attempt++) {
      const now = this.clock();
      const counted = await this.counters.findOneAndUpdate({ _id: key, resetAt: { $gt: now } }, { $inc: { hits: 1 } }, { returnDocument: 'after' });
      if (counted) return { totalHits: counted.hits, resetTime: counted.resetAt };
      const resetAt = new Date(now.getTime() + this.windowMs);
      try {
        // No window, or an expired one: a new window, unless another instance opened it first.
        await this.counters.updateOne({ _id: key, resetAt: { $lte: now } }, { $set: { hits: 1, resetAt } }, { upsert: true });
        return { totalHits: 1, resetTime: resetAt };
      } catch (error) {
        if (!isDuplicateKey(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  async decrement(key: string): Promise<void> {
    await this.counters.updateOne({ _id: key, resetAt: { $gt: this.clock() }, hits: { $gt: 0 } }, { $inc: { hits: -1 } });
  }

  async resetKey(key: string): Promise<void> {
    await this.counters.deleteOne({ _id: key });
  }
}
