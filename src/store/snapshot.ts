// Point-in-time snapshots of the whole keyspace without blocking clients: our
// replacement for Redis's fork().
//
// A snapshot walks every database's keys in slices of a few milliseconds
// between client work, handing each key to a consumer (an RDB writer, an AOF
// rewriter, a replication stream). Clients keep writing meanwhile; the result
// is still the dataset as of the moment the snapshot began, by key-level
// copy-on-write:
//   - at the start each database is marked with the snapshot's mark (1..63,
//     in the high bits of the keys' lru words, see database.ts);
//   - before any change to a key that is not marked yet, the database hands the
//     key's current value to the snapshot (copyOnWrite) and marks it;
//   - keys created after the start are born marked;
//   - the walker delivers the unmarked keys it meets and marks them.
// So every key that existed at the start is delivered exactly once, with its
// value as of the start, and no later key is. FLUSHDB gives a database new maps
// and SWAPDB moves maps between databases, so the snapshot follows map objects,
// not database numbers.
//

import { performance } from 'node:perf_hooks';
import { lruClockMax, snapshotMarkBits, snapshotMarkShift, type Database } from './database.js';
import type { Value } from './value.js';

/** Receives the keys of a snapshot. */
export interface SnapshotConsumer {
  /** The walker enters database `db`, which held `keys` keys (`expires` with a TTL) when the snapshot began. */
  beginDb(db: number, keys: number, expires: number): void;
  /**
   * One key as it was when the snapshot began. Called by the walker, or from
   * inside a write about to change the key, in any database order: the
   * consumer must serialise the value before returning and keep no reference.
   */
  key(db: number, key: string, value: Value, expireAt: number | undefined): void;
  /** True: the walker pauses until the job's resume() (output backpressure). */
  saturated(): boolean;
}

/** One database's maps as they were when the snapshot began, and the walker's place in them. */
interface CapturedDb {
  readonly index: number;
  readonly dict: Map<string, Value>;
  readonly expires: Map<string, number>;
  readonly lru: Map<string, number>;
  readonly keys: number;
  readonly expiresCount: number;
  cursor: IterableIterator<string> | null;
}

/** Keys between two clock checks of the walker. */
const keysPerClockCheck = 16;

class Snapshot {
  readonly mark: number;
  readonly consumer: SnapshotConsumer;
  private readonly captured: CapturedDb[];
  private readonly byDict = new Map<Map<string, Value>, CapturedDb>();
  private position = 0;
  /** Keys delivered by the walker and by copy-on-write. */
  keysWalked = 0;
  keysCopied = 0;

  constructor(dbs: readonly Database[], mark: number, consumer: SnapshotConsumer) {
    this.mark = mark;
    this.consumer = consumer;
    this.captured = dbs.map((db) => ({
      index: db.id,
      dict: db.dict,
      expires: db.expires,
      lru: db.lru,
      keys: db.dict.size,
      expiresCount: db.expires.size,
      cursor: null,
    }));
    for (const c of this.captured) this.byDict.set(c.dict, c);
    for (const db of dbs) db.snapshotMark = mark;
  }

  /** A key of `dict` not yet delivered is about to change (see Database.preserve). */
  copyOnWrite(dict: Map<string, Value>, key: string, value: Value, expireAt: number | undefined): void {
    const db = this.byDict.get(dict);
    // Maps made after the start (FLUSHDB) hold only keys born marked.
    if (db === undefined) return;
    this.keysCopied++;
    this.consumer.key(db.index, key, value, expireAt);
  }

  /** Walks for about `budgetMs` (or to the end, whatever the consumer's backlog); true once every database has been walked. */
  step(budgetMs: number): boolean {
    const pausable = budgetMs !== Infinity;
    const deadline = performance.now() + budgetMs;
    const mark = this.mark;
    let sinceCheck = 0;
    while (this.position < this.captured.length) {
      const db = this.captured[this.position];
      if (db.cursor === null) {
        if (db.keys === 0) {
          this.position++;
          continue;
        }
        this.consumer.beginDb(db.index, db.keys, db.expiresCount);
        db.cursor = db.dict.keys();
      }
      // for-of over the saved iterator: leaving the loop does not close a Map iterator, the next slice resumes it.
      let paused = false;
      for (const key of db.cursor) {
        const word = db.lru.get(key) ?? 0;
        if ((word & snapshotMarkBits) !== mark) {
          db.lru.set(key, (word & lruClockMax) | mark);
          this.keysWalked++;
          this.consumer.key(db.index, key, db.dict.get(key)!, db.expires.get(key));
        }
        if (++sinceCheck === keysPerClockCheck) {
          sinceCheck = 0;
          if (pausable && (performance.now() >= deadline || this.consumer.saturated())) {
            paused = true;
            break;
          }
        }
      }
      if (paused) return false;
      this.position++;
    }
    return true;
  }
}

/** A snapshot being taken for one consumer. */
export class SnapshotJob {
  readonly startedAt = Date.now();
  /** Settles when every key has been delivered (resolves) or the job was aborted (rejects). */
  readonly done: Promise<void>;
  /** @internal */ settle!: (error: Error | null) => void;
  /** @internal */ readonly snapshot: Snapshot;
  private readonly owner: Snapshotter;

  constructor(owner: Snapshotter, snapshot: Snapshot) {
    this.owner = owner;
    this.snapshot = snapshot;
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = (error) => (error === null ? resolve() : reject(error));
    });
    // An abort nobody awaits must not become an unhandled rejection.
    this.done.catch(() => {});
  }

  /** Keys delivered so far by the walker, and copied before a write. */
  get keysWalked(): number {
    return this.snapshot.keysWalked;
  }

  get keysCopied(): number {
    return this.snapshot.keysCopied;
  }

  /** The consumer can take more output: the walker goes on. */
  resume(): void {
    this.owner.resume(this);
  }

  /** Stops the walk; `done` rejects with `reason`. */
  abort(reason: Error): void {
    this.owner.abort(this, reason);
  }
}

/**
 * Runs snapshots one at a time, as Redis runs one child process at a time.
 *
 * Marks are reused in turn. After a walk completes, keys carry its mark or 0;
 * an aborted walk leaves some keys with its own mark. So only after 62 aborts
 * in a row could a new mark already be on a key; before that happens the
 * marks are cleared in one pass.
 */
export class Snapshotter {
  private readonly dbs: () => readonly Database[];
  private readonly sliceMs: number;
  private lastMark = 0;
  private abortsInARow = 0;
  private running: SnapshotJob | null = null;
  private scheduled = false;

  constructor(dbs: () => readonly Database[], sliceMs = 2) {
    this.dbs = dbs;
    this.sliceMs = sliceMs;
  }

  /** The snapshot being taken, if any. */
  get active(): SnapshotJob | null {
    return this.running;
  }

  /** Starts a snapshot of the dataset as it is now; the walk proceeds in slices between client work. */
  start(consumer: SnapshotConsumer): SnapshotJob {
    const job = this.begin(consumer);
    this.schedule();
    return job;
  }

  /**
   * Takes a whole snapshot now, blocking (SAVE, DEBUG RELOAD, SHUTDOWN). A
   * snapshot already running is first completed the same way: two cannot
   * share the marks.
   */
  runSync(consumer: SnapshotConsumer): void {
    if (this.running !== null) this.finish(this.running, Infinity);
    const job = this.begin(consumer);
    this.finish(job, Infinity);
  }

  /** Called by a database write about to change a key the snapshot has not delivered (Server.snapshotKey). */
  copyOnWrite(dict: Map<string, Value>, key: string, value: Value, expireAt: number | undefined): void {
    this.running?.snapshot.copyOnWrite(dict, key, value, expireAt);
  }

  /** @internal */
  resume(job: SnapshotJob): void {
    if (this.running === job) this.schedule();
  }

  /** @internal */
  abort(job: SnapshotJob, reason: Error): void {
    if (this.running !== job) return;
    this.end();
    this.abortsInARow++;
    job.settle(reason);
  }

  private begin(consumer: SnapshotConsumer): SnapshotJob {
    if (this.running !== null) throw new Error('a snapshot is already being taken');
    if (this.abortsInARow >= 62) this.clearMarks();
    this.lastMark = (this.lastMark % 63) + 1;
    const job = new SnapshotJob(this, new Snapshot(this.dbs(), this.lastMark << snapshotMarkShift, consumer));
    this.running = job;
    return job;
  }

  private schedule(): void {
    if (this.scheduled || this.running === null) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const job = this.running;
      if (job === null || job.snapshot.consumer.saturated()) return;
      if (this.finish(job, this.sliceMs)) return;
      if (!job.snapshot.consumer.saturated()) this.schedule();
    });
  }

  /** Walks `job` for `budgetMs`; at the end settles it. True when it ended. */
  private finish(job: SnapshotJob, budgetMs: number): boolean {
    if (!job.snapshot.step(budgetMs)) return false;
    this.end();
    this.abortsInARow = 0;
    job.settle(null);
    return true;
  }

  private end(): void {
    this.running = null;
    for (const db of this.dbs()) db.snapshotMark = 0;
  }

  /** Sets every key's mark to 0: blocking, but only after 62 aborted walks in a row. */
  private clearMarks(): void {
    for (const db of this.dbs()) {
      for (const [key, word] of db.lru) if ((word & snapshotMarkBits) !== 0) db.lru.set(key, word & lruClockMax);
    }
    this.abortsInARow = 0;
  }
}
