// Active expiry: the cron's slice of work that deletes keys nobody reads.
//
// Redis samples random keys with a TTL and keeps going while more than 10% of
// a sample had expired, within a CPU budget per cycle. A JS Map has no random
// access, so each database keeps a rolling iterator over its expires map and
// the sample is the next keys from it: every key with a TTL is visited in
// turn, the adaptive repeat and the time budget work as in Redis.

import type { Database } from './database.js';

/** Keys checked per sample (Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP). */
const sampleKeys = 20;
/** Keep sampling a database while more than this share of a sample had expired. */
const staleRatioMax = 0.1;
/** Databases visited per cycle at most (Redis's CRON_DBS_PER_CALL). */
const dbsPerCycleMax = 16;

export class ActiveExpire {
  /** Where the next cycle starts, so time-limited cycles share the work fairly. */
  private nextDb = 0;

  /**
   * Expires keys across `dbs` for at most `budgetMs` milliseconds; returns the
   * number of keys deleted. Does nothing on databases without TTLs.
   */
  cycle(dbs: readonly Database[], budgetMs: number, now: () => number): number {
    const deadline = now() + budgetMs;
    let deleted = 0;
    const visits = Math.min(dbs.length, dbsPerCycleMax);
    for (let v = 0; v < visits; v++) {
      const db = dbs[this.nextDb];
      this.nextDb = (this.nextDb + 1) % dbs.length;
      for (;;) {
        if (db.expires.size === 0) break;
        let sampled = 0;
        let expired = 0;
        const wanted = Math.min(sampleKeys, db.expires.size);
        // A sample that reaches the end goes on from the start, once.
        let restarted = false;
        while (sampled < wanted) {
          if (db.expireCursor === null) {
            db.expireCursor = db.expires.entries();
            restarted = true;
          }
          const step = db.expireCursor.next();
          if (step.done) {
            db.expireCursor = null;
            if (restarted) break;
            continue;
          }
          sampled++;
          if (db.expired(step.value[0])) expired++;
        }
        deleted += expired;
        if (now() >= deadline) return deleted;
        if (sampled === 0 || expired <= sampled * staleRatioMax) break;
      }
    }
    return deleted;
  }
}
