// MULTI/EXEC state of a client and the WATCH registry, as Redis's multi.c:
// the commands queued since MULTI, and which clients watch which keys of
// which database, so that a change to a watched key (Server.keyModified), its
// expiry, or a FLUSHDB/FLUSHALL/SWAPDB dirties their next EXEC.

import type { Command } from '../commands/registry.js';
import type { Database } from '../store/database.js';
import type { Client } from './client.js';

export interface QueuedCommand {
  readonly cmd: Command;
  readonly argv: string[];
}

/** A client's key under WATCH (Redis's watchedKey). */
export interface WatchedKey {
  readonly db: Database;
  readonly key: string;
  readonly client: Client;
  /** The key was already logically expired when watched: its deletion is then no change. */
  expired: boolean;
}

/** Bytes Redis adds per queued argument (a robj pointer), for CLIENT LIST multi-mem. */
const argPointerBytes = 8;

/** One client's transaction: queued commands, WATCHed keys and the flags EXEC reads. */
export class TransactionState {
  /** Commands queued since MULTI; null outside MULTI (Redis's CLIENT_MULTI). */
  queue: QueuedCommand[] | null = null;
  /** A command was refused while queuing (CLIENT_DIRTY_EXEC): EXEC answers EXECABORT. */
  aborted = false;
  /** A watched key changed (CLIENT_DIRTY_CAS): EXEC answers a null array. */
  dirty = false;
  /** Keys watched, in the order they were watched. */
  readonly watched: WatchedKey[] = [];
  /** Argument bytes plus a pointer per argument of the queued commands (Redis's argv_len_sums). */
  queuedBytes = 0;

  /** Queues a command, unless the transaction already failed (Redis keeps no memory for those). */
  add(cmd: Command, argv: string[]): void {
    if (this.queue === null || this.aborted || this.dirty) return;
    this.queue.push({ cmd, argv });
    for (const a of argv) this.queuedBytes += a.length + argPointerBytes;
  }

  /** Whether any queued command passes `test`: EXEC is refused or held for what it would run. */
  anyQueued(test: (cmd: Command) => boolean): boolean {
    return this.queue !== null && this.queue.some((q) => test(q.cmd));
  }
}

/** Commands that run at once inside MULTI instead of being queued (Redis's processCommand). */
const notQueued: ReadonlySet<string> = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/** Whether `cmd` runs at once when sent inside MULTI. */
export function runsInsideMulti(cmd: Command): boolean {
  return cmd.parent === undefined && notQueued.has(cmd.name);
}

export function isExec(cmd: Command): boolean {
  return cmd.parent === undefined && cmd.name === 'exec';
}

/** Which clients watch which keys, per database. */
export class WatchRegistry {
  private readonly byDb = new Map<Database, Map<string, WatchedKey[]>>();

  /** WATCH `key` of `db` for `c` (once per key and database). */
  watch(c: Client, db: Database, key: string): void {
    const watched = c.tx.watched;
    for (const wk of watched) if (wk.db === db && wk.key === key) return;
    let keys = this.byDb.get(db);
    if (keys === undefined) {
      keys = new Map();
      this.byDb.set(db, keys);
    }
    const wk: WatchedKey = { db, key, client: c, expired: db.keyIsExpired(key) };
    watched.push(wk);
    const watchers = keys.get(key);
    if (watchers === undefined) keys.set(key, [wk]);
    else watchers.push(wk);
  }

  /** Forgets every key `c` watches (the dirty flag is the caller's business). */
  unwatchAll(c: Client): void {
    const watched = c.tx.watched;
    for (const wk of watched) {
      const keys = this.byDb.get(wk.db)!;
      const watchers = keys.get(wk.key)!;
      watchers.splice(watchers.indexOf(wk), 1);
      if (watchers.length === 0) {
        keys.delete(wk.key);
        if (keys.size === 0) this.byDb.delete(wk.db);
      }
    }
    watched.length = 0;
  }

  /** `key` of `db` changed: its watchers' next EXEC fails (Redis's touchWatchedKey). */
  touch(db: Database, key: string): void {
    const watchers = this.byDb.get(db)?.get(key);
    if (watchers === undefined) return;
    for (const wk of [...watchers]) {
      if (wk.expired) {
        // Deleting a key that had already expired when watched changes nothing logically.
        if (!db.dict.has(key)) {
          wk.expired = false;
          continue;
        }
        // Redis 7.0 leaves the loop here, sparing this watcher and those after it.
        break;
      }
      this.dirty(wk.client);
    }
  }

  /**
   * `emptied` is about to lose its keys (FLUSHDB/FLUSHALL) or, for SWAPDB,
   * take those of `replacedWith`: watchers of keys that exist in either are
   * dirtied (Redis's touchAllWatchedKeysInDb). Called before the change.
   */
  touchAll(emptied: Database, replacedWith: Database | null): void {
    const keys = this.byDb.get(emptied);
    if (keys === undefined) return;
    for (const [key, watchers] of [...keys]) {
      const existsInEmptied = emptied.dict.has(key);
      const existsInReplacement = replacedWith !== null && replacedWith.dict.has(key);
      if (!existsInEmptied && !existsInReplacement) continue;
      for (const wk of [...watchers]) {
        if (wk.expired) {
          if (!existsInReplacement) {
            // An expired key now deleted: no logical change.
            wk.expired = false;
            continue;
          }
          if (replacedWith!.keyIsExpired(key)) continue;
        } else if (!existsInEmptied && replacedWith!.keyIsExpired(key)) {
          // A missing key replaced by one already expired still reads as missing.
          wk.expired = true;
          continue;
        }
        this.dirty(wk.client);
      }
    }
  }

  /** Whether a key `c` watches expired since it was watched (checked by EXEC, as Redis's isWatchedKeyExpired). */
  anyExpired(c: Client): boolean {
    for (const wk of c.tx.watched) if (!wk.expired && wk.db.keyIsExpired(wk.key)) return true;
    return false;
  }

  /** Marks `c`'s transaction as failed; watching further is pointless, so its keys go. */
  private dirty(c: Client): void {
    c.tx.dirty = true;
    this.unwatchAll(c);
  }
}

/** Leaves MULTI, dropping the queue, the flags and every WATCH (Redis's discardTransaction). */
export function discardTransaction(c: Client): void {
  const tx = c.tx;
  tx.queue = null;
  tx.aborted = false;
  tx.dirty = false;
  tx.queuedBytes = 0;
  c.server.watches.unwatchAll(c);
}

/** A command was refused while `c` is in MULTI: its EXEC will answer EXECABORT (Redis's flagTransaction). */
export function flagTransaction(c: Client): void {
  if (c.tx.queue !== null) c.tx.aborted = true;
}
