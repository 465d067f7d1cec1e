// maxmemory: before a command runs, while the memory in use is over
// `maxmemory`, keys are evicted as `maxmemory-policy` says, with Redis's
// sampling (evict.c). The LRU, LFU and TTL policies sample
// `maxmemory-samples` keys of every database into a pool of the 16 best
// candidates and evict the best one still there; the random policies take a
// random key, one database after the other. Each eviction is a DEL (or UNLINK
// under lazyfree-lazy-eviction) for replicas and the AOF, an "evicted"
// keyspace event, a WATCH invalidation and one more INFO evicted_keys.
//
// Memory in use is INFO's used_memory: V8's used heap plus external memory.
// v8.getHeapStatistics() reads it in under a microsecond, so it is read
// before every command while a limit is set rather than sampled in the cron.
// What it cannot tell is how much of the heap is garbage: an evicted key's
// memory comes back only with V8's next full collection. Until then the bytes
// of the keys evicted since the last one (estimated as MEMORY USAGE does) are
// taken off the reading; otherwise every reading between an eviction and that
// collection would still be over the limit and evict again, until nothing was
// left. A PerformanceObserver sees full collections and clears that count.
// Garbage of other origins (deleted or overwritten values, request buffers)
// is counted as used until collected, so evictions err towards keeping the
// heap under the limit.

import {
  PerformanceObserver,
  constants,
  performance,
  type NodeGCPerformanceDetail,
  type PerformanceEntry,
} from 'node:perf_hooks';
import v8 from 'node:v8';
import { keyMemoryUsage } from '../commands/server.js';
import { NOTIFY_EVICTED } from '../config/options.js';
import type { Database } from '../store/database.js';
import type { Server } from './server.js';

/** What performEvictions answers: under the limit (or nothing to do now), still evicting in the background, or over it with nothing evictable. */
export type EvictionResult = 'ok' | 'running' | 'fail';

/** Candidates kept between evictions (Redis's EVPOOL_SIZE). */
const poolSize = 16;
/** Keys evicted between two looks at the clock (Redis checks every 16). */
const clockCheckKeys = 16;
/** Samples of a collection MEMORY USAGE takes by default, used for the freed-bytes estimate. */
const sizeSamples = 5;
/** Most keys a sample steps over from the previous one: spreads samples without walking big databases. */
const sampleSkipMax = 32;

interface Candidate {
  /** Higher is a better victim: idle seconds, inverted frequency, or sooner expiry. */
  score: number;
  key: string;
  db: Database;
}

/** Memory in use as INFO used_memory counts it. */
export function usedMemory(): number {
  const h = v8.getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

/** maxmemory-eviction-tenacity as the longest one eviction run may take, in ms (Redis's evictionTimeLimitUs). */
function evictionTimeLimitMs(tenacity: number): number {
  if (tenacity <= 10) return (50 * tenacity) / 1000;
  if (tenacity < 100) return (500 * 1.15 ** (tenacity - 10)) / 1000;
  return Infinity;
}

export class Evictor {
  /** maxmemory in bytes (0: no limit). Cached: the dispatcher reads it before every command. */
  limit = 0;
  private readonly server: Server;
  private policy: string;
  private readonly pool: Array<Candidate | null> = new Array<Candidate | null>(poolSize).fill(null);
  /** Where the random policies look first next time (Redis's static next_db). */
  private nextDb = 0;
  /** Estimated bytes of keys evicted since V8's last full collection. */
  private uncollectedBytes = 0;
  private gcObserver: PerformanceObserver | null = null;
  /** Set while evictions go on between commands because one run hit its time limit (Redis's eviction time proc). */
  private background: NodeJS.Immediate | null = null;
  private backgroundRunning = false;
  /** Rolling sampling position per key table (a database's dict or expires Map). */
  private readonly cursors = new WeakMap<Map<string, unknown>, Iterator<string>>();

  constructor(server: Server) {
    this.server = server;
    const config = server.config;
    this.policy = config.getEnum('maxmemory-policy');
    config.onChange('maxmemory-policy', () => {
      this.policy = config.getEnum('maxmemory-policy');
    });
    this.setLimit();
    config.onChange('maxmemory', () => this.limitChanged());
  }

  /** Stops background evictions and the GC observer (server close). */
  stop(): void {
    if (this.background !== null) clearImmediate(this.background);
    this.background = null;
    this.backgroundRunning = false;
    this.gcObserver?.disconnect();
    this.gcObserver = null;
  }

  /**
   * Evicts keys until memory is under the limit, the time limit is reached
   * (evicting goes on in the background) or nothing is left to evict
   * (Redis's performEvictions). 'fail' means commands that need memory must
   * be refused.
   */
  perform(): EvictionResult {
    // While clients are paused the dataset stays still: no evictions either.
    if (!this.server.expiresKeys()) return 'ok';
    const used = usedMemory() - this.uncollectedBytes;
    let result: EvictionResult;
    if (used <= this.limit) result = 'ok';
    else if (this.policy === 'noeviction') result = 'fail';
    else result = this.evictBytes(used - this.limit);
    this.server.stats.noteEvictionState(result !== 'ok');
    return result;
  }

  private evictBytes(toFree: number): EvictionResult {
    const start = performance.now();
    const timeLimit = evictionTimeLimitMs(this.server.config.getInt('maxmemory-eviction-tenacity'));
    let freed = 0;
    let keys = 0;
    let exhausted = false;
    while (freed < toFree) {
      const bytes = this.evictOne();
      if (bytes === null) {
        exhausted = true;
        break;
      }
      freed += bytes;
      if (++keys % clockCheckKeys === 0 && performance.now() - start > timeLimit) {
        this.runInBackground();
        break;
      }
    }
    this.server.latency.addSampleIfNeeded('eviction-cycle', Math.floor(performance.now() - start));
    if (exhausted) return 'fail';
    return this.backgroundRunning ? 'running' : 'ok';
  }

  /** Evicts the key the policy picks: its estimated size, or null when no key qualifies. */
  evictOne(): number | null {
    const victim = this.pick();
    return victim === null ? null : this.evict(victim.db, victim.key);
  }

  /** Deletes an evicted key with everything Redis does for it; returns its estimated size. */
  private evict(db: Database, key: string): number {
    const server = this.server;
    const bytes = keyMemoryUsage(key, db.dict.get(key)!, db.expires.has(key), sizeSamples);
    const start = performance.now();
    db.evict(key);
    server.latency.addSampleIfNeeded('eviction-del', Math.floor(performance.now() - start));
    server.stats.evictedKeys++;
    server.notifyKeyspaceEvent(NOTIFY_EVICTED, 'evicted', key, db.id);
    server.propagate(db.id, [server.config.getBool('lazyfree-lazy-eviction') ? 'UNLINK' : 'DEL', key]);
    this.uncollectedBytes += bytes;
    return bytes;
  }

  /** The next key to evict under the current policy, or null when no key qualifies. */
  private pick(): Candidate | null {
    const dbs = this.server.dbs;
    const allKeys = this.policy.startsWith('allkeys-');
    const tableOf = (db: Database): Map<string, unknown> => (allKeys ? db.dict : db.expires);
    if (this.policy.endsWith('-random')) {
      for (let i = 0; i < dbs.length; i++) {
        this.nextDb = (this.nextDb + 1) % dbs.length;
        const db = dbs[this.nextDb];
        const table = tableOf(db);
        if (table.size > 0) return { score: 0, key: this.sample(table, 1)[0], db };
      }
      return null;
    }
    for (;;) {
      let total = 0;
      for (const db of dbs) {
        const table = tableOf(db);
        if (table.size === 0) continue;
        this.populate(db, table);
        total += table.size;
      }
      if (total === 0) return null;
      // Best candidates are on the right; those deleted since they were pooled are skipped.
      for (let k = poolSize - 1; k >= 0; k--) {
        const candidate = this.pool[k];
        if (candidate === null) continue;
        this.pool[k] = null;
        if (tableOf(candidate.db).has(candidate.key)) return candidate;
      }
    }
  }

  /** Adds sampled keys of `db` to the pool, kept in ascending score order (Redis's evictionPoolPopulate). */
  private populate(db: Database, table: Map<string, unknown>): void {
    const pool = this.pool;
    for (const key of this.sample(table, this.server.config.getInt('maxmemory-samples'))) {
      const score = this.score(db, key);
      let k = 0;
      while (k < poolSize && pool[k] !== null && pool[k]!.score < score) k++;
      // Worse than every candidate of a full pool.
      if (k === 0 && pool[poolSize - 1] !== null) continue;
      const candidate = { score, key, db };
      if (k < poolSize && pool[k] === null) {
        pool[k] = candidate;
      } else if (pool[poolSize - 1] === null) {
        // Room on the right: shift the better ones right.
        pool.splice(k, 0, candidate);
        pool.length = poolSize;
      } else {
        // Full: drop the worst (leftmost) candidate.
        pool.shift();
        pool.splice(k - 1, 0, candidate);
      }
    }
  }

  private score(db: Database, key: string): number {
    switch (this.policy) {
      case 'allkeys-lru':
      case 'volatile-lru':
        return db.idleSeconds(key);
      case 'allkeys-lfu':
      case 'volatile-lfu':
        return 255 - db.accessFrequency(key);
      default:
        // volatile-ttl: the sooner a key expires, the better.
        return -(db.expires.get(key) ?? 0);
    }
  }

  /**
   * Up to `count` keys of `table`, each a random step on from the last one
   * taken. A Map cannot be indexed, so a rolling iterator per table stands in
   * for Redis's random bucket picks: O(count) and spread over the whole table.
   */
  private sample(table: Map<string, unknown>, count: number): string[] {
    const keys: string[] = [];
    const n = Math.min(count, table.size);
    let cursor = this.cursors.get(table);
    for (let i = 0; i < n; i++) {
      let skip = Math.floor(Math.random() * Math.min(table.size, sampleSkipMax));
      for (;;) {
        cursor ??= table.keys();
        const step = cursor.next();
        if (step.done) {
          cursor = undefined;
          continue;
        }
        if (skip-- === 0) {
          keys.push(step.value);
          break;
        }
      }
    }
    if (cursor !== undefined) this.cursors.set(table, cursor);
    else this.cursors.delete(table);
    return keys;
  }

  private setLimit(): void {
    this.limit = this.server.config.getInt('maxmemory');
    if (this.limit === 0) {
      this.gcObserver?.disconnect();
      this.gcObserver = null;
      this.uncollectedBytes = 0;
      return;
    }
    if (this.gcObserver !== null) return;
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const detail = (entry as PerformanceEntry & { detail?: NodeGCPerformanceDetail }).detail;
        if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
          this.uncollectedBytes = 0;
        }
      }
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  /** CONFIG SET maxmemory: warns when already over it and starts evicting at once (Redis's updateMaxmemory). */
  private limitChanged(): void {
    this.setLimit();
    if (this.limit === 0) return;
    const used = usedMemory();
    if (this.limit < used) {
      this.server.log.warning(
        `WARNING: the new maxmemory value set via CONFIG SET (${this.limit}) is smaller than the current memory ` +
          `usage (${used}). This will result in key eviction and/or the inability to accept new write commands ` +
          `depending on the maxmemory-policy.`,
      );
    }
    this.runInBackground();
  }

  /** Keeps evicting between commands until under the limit or out of keys (Redis's evictionTimeProc). */
  private runInBackground(): void {
    if (this.backgroundRunning) return;
    this.backgroundRunning = true;
    const step = (): void => {
      this.background = null;
      if (this.perform() === 'running') {
        this.background = setImmediate(step);
      } else {
        this.backgroundRunning = false;
      }
    };
    this.background = setImmediate(step);
  }
}
