// Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK, ...), as
// Redis 7.0's blocked.c. A blocked client reads no further commands; it waits
// until one of its keys is signalled ready (a key created, an XADD), its
// timeout passes, CLIENT UNBLOCK ends the wait, or it disconnects.
//
// Ready keys are served after the command that readied them has completed
// (after a whole EXEC), by Server.execute: for each key, in the order keys
// became ready, its waiting clients are tried in the order they blocked, each
// re-checking the key, so one that finds it consumed by an earlier one keeps
// waiting. Keys that become ready while serving (BLMOVE's destination) are
// served in the same pass.

import { performance } from 'node:perf_hooks';
import type { Command } from '../commands/registry.js';
import type { Database } from '../store/database.js';
import { parseLongDouble, parseLongLongBig, type LongDouble } from '../util/numbers.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

/** What a blocking command hands to BlockingManager.block. */
export interface BlockRequest {
  /** Keys of the client's database to wait on (duplicates are ignored). */
  keys: readonly string[];
  /** Redis's timeout: absolute ms from timeoutFromArg; 0 (or a wrapped negative) never times out. */
  deadline: number;
  /**
   * Called when `key` may be ready: replies (and propagates, notifies, ...)
   * and returns true when the wait is over (served, or ended with an error
   * reply), or returns false to keep waiting.
   */
  serve(key: string): boolean;
  /** The reply when the timeout passes or CLIENT UNBLOCK ends the wait (default: a null array). WAIT counts its replicas. */
  timeoutReply?: () => void;
}

/** A blocked client's wait (Client.blocked). */
export interface BlockedState {
  readonly db: Database;
  readonly keys: readonly string[];
  readonly deadline: number;
  readonly serve: (key: string) => boolean;
  readonly timeoutReply: (() => void) | undefined;
  /** The command that blocked, for its stats and slowlog entry when the wait ends. */
  readonly cmd: Command;
  readonly argv: string[];
  /** Duration of the blocking call itself (Redis's c->duration), added to the command's time when the wait ends. */
  callUsec: number;
  timer: NodeJS.Timeout | null;
}

export class BlockingManager {
  private readonly server: Server;
  /** Per database: key → clients blocked on it, in the order they blocked. */
  private readonly waiting = new Map<Database, Map<string, Set<Client>>>();
  /** Keys signalled ready and not served yet, in signal order, and the same as a set per database. */
  private ready: Array<{ db: Database; key: string }> = [];
  private readonly readySet = new Map<Database, Set<string>>();
  private blocked = 0;
  private withTimeout = 0;

  constructor(server: Server) {
    this.server = server;
  }

  /** How many clients are blocked on keys (INFO blocked_clients, with the paused ones). */
  get blockedCount(): number {
    return this.blocked;
  }

  /** How many of them have a timeout (INFO clients_in_timeout_table). */
  get withTimeoutCount(): number {
    return this.withTimeout;
  }

  /**
   * Blocks `c` (running its command now) until the request is served, times
   * out or is ended. Commands call this only when they may block: not while
   * c.denyBlocking, and only after finding none of the keys ready.
   */
  block(c: Client, request: BlockRequest): void {
    const cmd = c.cmd as Command;
    const keys = [...new Set(request.keys)];
    const state: BlockedState = {
      db: c.db,
      keys,
      deadline: request.deadline,
      serve: request.serve,
      timeoutReply: request.timeoutReply,
      cmd,
      argv: c.argv,
      callUsec: 0,
      timer: null,
    };
    let byKey = this.waiting.get(c.db);
    if (byKey === undefined) {
      byKey = new Map();
      this.waiting.set(c.db, byKey);
    }
    for (const key of keys) {
      let clients = byKey.get(key);
      if (clients === undefined) {
        clients = new Set();
        byKey.set(key, clients);
      }
      clients.add(c);
    }
    c.blocked = state;
    c.paused = true;
    this.blocked++;
    if (state.deadline > 0) {
      this.withTimeout++;
      this.armTimer(c, state);
    }
  }

  /** Redis's signalKeyAsReady: `key` of `db` may now serve clients blocked on it (created, or a stream that grew). */
  signalKeyAsReady(db: Database, key: string): void {
    if (this.waiting.get(db)?.has(key) !== true) return;
    let keys = this.readySet.get(db);
    if (keys === undefined) {
      keys = new Set();
      this.readySet.set(db, keys);
    }
    if (keys.has(key)) return;
    keys.add(key);
    this.ready.push({ db, key });
  }

  /** Signals every key of `db` that clients wait on and that exists (SWAPDB gives a database new contents). */
  signalExistingKeys(db: Database): void {
    const byKey = this.waiting.get(db);
    if (byKey === undefined) return;
    for (const key of byKey.keys()) if (db.has(key)) this.signalKeyAsReady(db, key);
  }

  /** Redis's handleClientsBlockedOnKeys: serves the clients waiting on keys signalled ready. */
  handleReadyKeys(): void {
    while (this.ready.length > 0) {
      const batch = this.ready;
      this.ready = [];
      for (const { db, key } of batch) {
        // Forgotten first, so that serving may signal the same key again.
        this.readySet.get(db)?.delete(key);
        const clients = this.waiting.get(db)?.get(key);
        if (clients === undefined) continue;
        // Snapshot: those served leave the set while we go.
        for (const c of [...clients]) {
          const state = c.blocked;
          if (state === null) continue;
          const errorsBefore = this.server.stats.totalErrorReplies;
          const start = performance.now();
          if (!this.tryServe(c, state, key)) continue;
          const replyUsec = Math.round((performance.now() - start) * 1000);
          this.account(state, c, replyUsec, this.server.stats.totalErrorReplies !== errorsBefore, state.argv);
          this.resume(c, state);
        }
      }
    }
  }

  /**
   * Runs the wait's serve callback as a call of its own, so that what it
   * changes is propagated together when it ends. A callback that throws ends
   * the wait with an error reply, as the dispatcher does for commands.
   */
  private tryServe(c: Client, state: BlockedState, key: string): boolean {
    this.server.enterCall();
    try {
      return state.serve(key);
    } catch (e) {
      this.server.log.warning(`Internal error serving '${state.cmd.fullName}': ${(e as Error).stack ?? String(e)}`);
      c.error(`ERR internal error in '${state.cmd.fullName}' command`);
      return true;
    } finally {
      this.server.leaveCall();
    }
  }

  /**
   * CLIENT UNBLOCK: ends the wait of `c` with the timeout reply, or with
   * `-UNBLOCKED` when `withError`; false when `c` is not blocked on keys.
   */
  unblockByRequest(c: Client, withError: boolean): boolean {
    const state = c.blocked;
    if (state === null) return false;
    if (withError) c.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    else this.timeoutReply(c, state);
    this.endFailed(c, state);
    return true;
  }

  /**
   * The instance changed role: clients blocked on keys or in WAIT get an
   * error and are disconnected (Redis's disconnectAllBlockedClients).
   */
  disconnectAll(): void {
    for (const c of this.server.clients.values()) {
      if (c.blocked === null) continue;
      this.unblockWithError(c, 'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)');
      c.closeAfterReply = true;
      c.flush();
    }
  }

  /** Ends the wait of `c` with the error reply `message` (a role change, CLIENT UNBLOCK ERROR). */
  unblockWithError(c: Client, message: string): void {
    const state = c.blocked;
    if (state === null) return;
    c.error(message);
    this.endFailed(c, state);
  }

  private endFailed(c: Client, state: BlockedState): void {
    // Redis 7.0 counts a failed call whichever the reply, and has freed the
    // arguments by the time it writes the slowlog entry.
    this.account(state, c, 0, true, []);
    this.resume(c, state);
  }

  /** A blocked client disconnected: it just stops waiting. */
  clientClosed(c: Client): void {
    if (c.blocked !== null) this.release(c, c.blocked);
  }

  /** The blocking call finished running: remember its duration for the stats taken when the wait ends. */
  callFinished(c: Client, usec: number): void {
    if (c.blocked !== null) c.blocked.callUsec = usec;
  }

  /** The timeout passed: the command's timeout reply, a null array for most (Redis 7.0 takes no stats then). */
  private timedOut(c: Client, state: BlockedState): void {
    state.timer = null;
    this.timeoutReply(c, state);
    this.resume(c, state);
  }

  private timeoutReply(c: Client, state: BlockedState): void {
    if (state.timeoutReply !== undefined) state.timeoutReply();
    else c.nullArray();
  }

  /**
   * Ends the wait of `c` (blocked on no key: WAIT) now that what it waited
   * for happened; `reply` answers it. As Redis 7.0 for WAIT, no stats are taken.
   */
  wake(c: Client, reply: () => void): void {
    const state = c.blocked;
    if (state === null) return;
    reply();
    this.resume(c, state);
  }

  /** Redis's updateStatsOnUnblock: the blocked command's time, failure and slowlog entry, once served or unblocked. */
  private account(state: BlockedState, c: Client, replyUsec: number, failed: boolean, argv: string[]): void {
    const { server } = this;
    const total = state.callUsec + replyUsec;
    state.cmd.usec += total;
    if (failed) state.cmd.failedCalls++;
    server.latency.recordCommandDuration(state.cmd, total);
    server.slowlog.consider(c, state.cmd, argv, total);
    server.latency.addSampleIfNeeded('command-unblocking', Math.floor(replyUsec / 1000));
  }

  /** The wait is over: the client goes on with the commands it sent meanwhile. */
  private resume(c: Client, state: BlockedState): void {
    this.release(c, state);
    c.paused = false;
    // Like Redis's processUnblockedClients in beforeSleep: after the current command and its pipeline.
    queueMicrotask(() => {
      if (!c.closed) c.processInput();
    });
  }

  /** Forgets the wait of `c`. */
  private release(c: Client, state: BlockedState): void {
    const byKey = this.waiting.get(state.db);
    for (const key of state.keys) {
      const clients = byKey?.get(key);
      if (clients === undefined) continue;
      clients.delete(c);
      if (clients.size === 0) byKey!.delete(key);
    }
    if (state.timer !== null) clearTimeout(state.timer);
    if (state.deadline > 0) this.withTimeout--;
    this.blocked--;
    c.blocked = null;
  }

  private armTimer(c: Client, state: BlockedState): void {
    // setTimeout cannot wait longer than 2^31-1 ms: longer waits re-arm on the way.
    const delay = Math.min(Math.max(0, state.deadline - this.server.now()), 0x7fffffff);
    state.timer = setTimeout(() => {
      if (c.blocked !== state) return;
      if (this.server.now() >= state.deadline) this.timedOut(c, state);
      else this.armTimer(c, state);
    }, delay);
  }
}

/**
 * Redis 7.0's getTimeoutFromObjectOrReply: a timeout argument in seconds (a
 * long double: BLPOP, BZPOPMIN, ...) or milliseconds (an integer: XREAD
 * BLOCK, CLIENT PAUSE) as an absolute time in ms, 0 for none. Replies with
 * the error and returns null when invalid. As in Redis, seconds round up to
 * the next millisecond, values beyond 64 bits read as negative, and the sum
 * with the current time wraps without a check (a negative result).
 */
export function timeoutFromArg(c: Client, arg: string, unit: 'seconds' | 'milliseconds'): number | null {
  let ms: bigint;
  if (unit === 'seconds') {
    const seconds = parseLongDouble(arg);
    if (seconds === null) {
      c.error('ERR timeout is not a float or out of range');
      return null;
    }
    ms = secondsToMs(seconds);
  } else {
    const n = parseLongLongBig(arg);
    if (n === null) {
      c.error('ERR timeout is not an integer or out of range');
      return null;
    }
    ms = n;
  }
  if (ms < 0n) {
    c.error('ERR timeout is negative');
    return null;
  }
  if (ms === 0n) return 0;
  return Number(BigInt.asIntN(64, BigInt(c.server.now()) + ms));
}

const int64Min = -(1n << 63n);

/**
 * (long long) ceill(seconds * 1000.0) on x86-64: the product rounded to the
 * long double's 64-bit significand, rounded up to an integer; infinities and
 * values out of the 64-bit range give the "integer indefinite", INT64_MIN.
 */
function secondsToMs(seconds: LongDouble): bigint {
  if (seconds.kind !== 'finite') return int64Min;
  let mant = seconds.mant * 1000n;
  let exp = seconds.exp;
  const extraBits = mant.toString(2).length - 64;
  if (extraBits > 0) {
    const shift = BigInt(extraBits);
    const rest = mant & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    mant >>= shift;
    exp += extraBits;
    if (rest > half || (rest === half && (mant & 1n) === 1n)) mant++;
  }
  let ms: bigint;
  if (exp >= 0) {
    ms = mant << BigInt(exp);
  } else {
    const shift = BigInt(-exp);
    const whole = mant >> shift;
    // Up for positive values; a negative one's magnitude rounds down.
    ms = !seconds.neg && (mant & ((1n << shift) - 1n)) !== 0n ? whole + 1n : whole;
  }
  if (seconds.neg) ms = -ms;
  return ms >= -int64Min || ms < int64Min ? int64Min : ms;
}
