// One logical database (SELECT n): keys, their values, their expiry times.
//
// Every read and write of a key goes through the lookup/set/delete methods
// here, never through `dict` directly from a command: that single path is
// where lazy expiry happens and where snapshot copy-on-write, WATCH and
// keyspace notifications attach.
//
// Copy-on-write: while a snapshot runs (see snapshot.ts), every key carries a
// mark in the high bits of its `lru` word saying whether the snapshot already
// has it. Before any change to an unmarked key, `preserve` hands the key's
// current value to the snapshot and marks it; keys created meanwhile are born
// marked; the snapshot's walker skips marked keys.

import type { Value } from './value.js';

/** What a database needs from the server that owns it. */
export interface KeyspaceHost {
  /** Milliseconds since the epoch, as the server sees "now". */
  now(): number;
  /** Replicas never delete expired keys themselves; they wait for the master's DEL. */
  expiresKeys(): boolean;
  /**
   * A replica applying its master's stream sees keys as the master does:
   * still there though their time has passed, until the master's DEL
   * (Redis's expireIfNeeded for server.master).
   */
  seesExpiredKeys?(): boolean;
  /** A key was found expired and deleted: count it, propagate DEL, notify. */
  keyExpired(db: Database, key: string): void;
  /** A key was looked up for reading: Redis's keyspace_hits/keyspace_misses. */
  countLookup(hit: boolean): void;
  /** A read found no `key`: the "keymiss" keyspace event. */
  keyMissed(db: Database, key: string): void;
  /** LRU clock in seconds (24 bits, as Redis's), for OBJECT IDLETIME. */
  lruClock(): number;
  /** LFU parameters while maxmemory-policy is an LFU one; null keeps LRU access times instead. */
  lfu(): LfuSettings | null;
  /** `key` changed (value, existence or TTL): invalidates WATCHes, as Redis's signalModifiedKey. */
  keyModified(db: Database, key: string): void;
  /** `key` came into existence: clients blocked on it may now be served, as Redis's signalKeyAsReady in dbAdd. */
  keyCreated(db: Database, key: string): void;
  /**
   * A key the running snapshot does not have yet is about to change: its
   * current value and TTL go to the snapshot now. `dict` identifies which
   * database's keys these were when the snapshot began (SWAPDB moves maps).
   */
  snapshotKey(dict: Map<string, Value>, key: string, value: Value, expireAt: number | undefined): void;
  /**
   * `db` is about to lose every key (FLUSHDB/FLUSHALL: `replacedWith` null) or
   * take those of `replacedWith` (SWAPDB): WATCHes of keys in either are
   * invalidated, as Redis's touchAllWatchedKeysInDb. Called before the change.
   */
  keysReplacing(db: Database, replacedWith: Database | null): void;
}

export interface LfuSettings {
  /** lfu-log-factor: how slowly the logarithmic counter grows. */
  logFactor: number;
  /** lfu-decay-time: minutes of no access per counter decrement (0: no decay). */
  decayMinutes: number;
}

/** How many keys RANDOMKEY may step over from its rolling position. */
const randomSkipMax = 64;
/** Picks a replica makes before RANDOMKEY returns a logically expired key (Redis: 100). */
const randomTriesMax = 100;

export class Database {
  readonly id: number;
  /** key → value. Insertion-ordered, which SCAN and RANDOMKEY rely on. */
  dict = new Map<string, Value>();
  /** key → absolute expiry time in ms, only for keys that have one. */
  expires = new Map<string, number>();
  /**
   * key → LRU clock of its last access or, under an LFU policy, Redis's LFU
   * word: access time in minutes (16 bits) << 8 | logarithmic counter (8 bits).
   */
  lru = new Map<string, number>();
  private readonly host: KeyspaceHost;
  /** Rolling position for RANDOMKEY. */
  private randomCursor: Iterator<string> | null = null;
  /** Rolling position for the active expire cycle. */
  expireCursor: Iterator<[string, number]> | null = null;
  /** The running snapshot's mark (snapshotMarkBits), or 0 when none runs. */
  snapshotMark = 0;

  constructor(id: number, host: KeyspaceHost) {
    this.id = id;
    this.host = host;
  }

  get size(): number {
    return this.dict.size;
  }

  /**
   * Whether `key` is logically expired. On a master the key is also deleted;
   * on a replica it only reads as missing until the master's DEL arrives.
   */
  expired(key: string): boolean {
    if (!this.keyIsExpired(key)) return false;
    if (this.host.expiresKeys()) {
      this.remove(key);
      this.host.keyExpired(this, key);
    } else if (this.host.seesExpiredKeys?.()) {
      return false;
    }
    return true;
  }

  /** Whether `key` has a TTL that has passed (as Redis, a key expires once now > its time); deletes nothing. */
  keyIsExpired(key: string): boolean {
    if (this.expires.size === 0) return false;
    const at = this.expires.get(key);
    return at !== undefined && this.host.now() > at;
  }

  /**
   * Value of `key` for a command that reads it; counts hits and misses.
   * `touch` false leaves the access time alone (Redis's LOOKUP_NOTOUCH: TYPE, TTL, EXISTS, OBJECT).
   * `notifyMiss` false sends no "keymiss" event for a missing key (Redis's LOOKUP_NONOTIFY: OBJECT).
   */
  lookupRead(key: string, touch = true, notifyMiss = true): Value | undefined {
    const v = this.lookup(key, touch);
    this.host.countLookup(v !== undefined);
    if (v === undefined && notifyMiss) this.host.keyMissed(this, key);
    return v;
  }

  /** Value of `key` for a command about to modify it. */
  lookupWrite(key: string): Value | undefined {
    const v = this.lookup(key);
    if (v !== undefined && this.snapshotMark !== 0) this.preserve(key);
    return v;
  }

  /**
   * Gives the running snapshot the current value of `key` unless it has it
   * already. Called before every change; also by the dispatcher for the keys
   * of a write command, whatever lookup its handler uses.
   */
  preserve(key: string): void {
    if (this.snapshotMark === 0) return;
    const word = this.lru.get(key);
    if (word === undefined || (word & snapshotMarkBits) === this.snapshotMark) return;
    this.lru.set(key, (word & lruClockMax) | this.snapshotMark);
    this.host.snapshotKey(this.dict, key, this.dict.get(key)!, this.expires.get(key));
  }

  /** Value of `key` without counting a hit or miss (e.g. TYPE, EXISTS checks, internal use). */
  lookup(key: string, touch = true): Value | undefined {
    const v = this.dict.get(key);
    if (v === undefined || this.expired(key)) return undefined;
    if (touch) this.touch(key);
    return v;
  }

  /** Whether `key` exists, without touching its access time. */
  has(key: string): boolean {
    return this.dict.has(key) && !this.expired(key);
  }

  /** Stores `value` at `key`, as Redis's setKey: the old TTL goes unless keepTtl. */
  set(key: string, value: Value, keepTtl = false): void {
    if (this.snapshotMark !== 0) this.preserve(key);
    const sizeBefore = this.dict.size;
    this.dict.set(key, value);
    if (!keepTtl && this.expires.size > 0) this.expires.delete(key);
    this.host.keyModified(this, key);
    if (this.dict.size !== sizeBefore) this.host.keyCreated(this, key);
    const lfu = this.host.lfu();
    if (lfu === null) this.writeLru(key, this.host.lruClock());
    // Under LFU an overwritten key keeps its frequency; a new one starts at Redis's LFU_INIT_VAL.
    else if (!this.lru.has(key)) this.writeLru(key, this.lfuWord(lfuInitCounter));
  }

  /**
   * Adds a key read from a dump (RDB, AOF base), as Redis's dbAddRDBLoad: no
   * notification, no WATCH. False when `key` is already there.
   */
  addLoaded(key: string, value: Value, expireAt: number | undefined): boolean {
    if (this.dict.has(key)) return false;
    this.dict.set(key, value);
    if (expireAt !== undefined) this.expires.set(key, expireAt);
    this.writeLru(key, this.host.lfu() === null ? this.host.lruClock() : this.lfuWord(lfuInitCounter));
    return true;
  }

  /** Stores an LRU/LFU word for `key`, keeping its snapshot mark while a snapshot runs (new keys are born marked). */
  private writeLru(key: string, word: number): void {
    if (this.snapshotMark !== 0) word |= (this.lru.get(key) ?? this.snapshotMark) & snapshotMarkBits;
    this.lru.set(key, word);
  }

  /** Records an access to `key`: its LRU time, or a probabilistic LFU counter increment. */
  private touch(key: string): void {
    const lfu = this.host.lfu();
    if (lfu === null) {
      this.writeLru(key, this.host.lruClock());
      return;
    }
    let counter = this.decayedCounter(key, lfu);
    // Logarithmic: the higher the counter, the less likely an access raises it.
    if (counter < 255 && Math.random() < 1 / (Math.max(0, counter - lfuInitCounter) * lfu.logFactor + 1)) counter++;
    this.writeLru(key, this.lfuWord(counter));
  }

  /** OBJECT FREQ: the LFU counter of `key` after decay. Meaningful only under an LFU policy. */
  accessFrequency(key: string): number {
    const lfu = this.host.lfu();
    return lfu === null ? 0 : this.decayedCounter(key, lfu);
  }

  /** Sets the LFU counter of `key` (RESTORE ... FREQ). */
  setAccessFrequency(key: string, counter: number): void {
    this.writeLru(key, this.lfuWord(counter));
  }

  /** The LRU clock or LFU word of `key` without the snapshot mark (DEBUG OBJECT). */
  lruWord(key: string): number | undefined {
    const word = this.lru.get(key);
    return word === undefined ? undefined : word & lruClockMax;
  }

  private decayedCounter(key: string, lfu: LfuSettings): number {
    const word = (this.lru.get(key) ?? this.lfuWord(lfuInitCounter)) & lruClockMax;
    const counter = word & 255;
    if (lfu.decayMinutes === 0) return counter;
    const then = word >>> 8;
    const now = this.lfuMinutes();
    const elapsed = now >= then ? now - then : lfuMinutesMax - then + now;
    return Math.max(0, counter - Math.floor(elapsed / lfu.decayMinutes));
  }

  private lfuMinutes(): number {
    return Math.floor(this.host.now() / 60000) & lfuMinutesMax;
  }

  private lfuWord(counter: number): number {
    return (this.lfuMinutes() << 8) | counter;
  }

  /** Replaces the value of an existing key in place, keeping its TTL. */
  update(key: string, value: Value): void {
    if (this.snapshotMark !== 0) this.preserve(key);
    this.dict.set(key, value);
    this.host.keyModified(this, key);
  }

  /**
   * Replaces the value of an existing key without signalling WATCH, where
   * Redis swaps a value's representation quietly (dbUnshareStringValue,
   * HyperLogLog sparse-to-dense conversion by PFDEBUG).
   */
  replaceQuietly(key: string, value: Value): void {
    if (this.snapshotMark !== 0) this.preserve(key);
    this.dict.set(key, value);
  }

  /**
   * Records that the value of `key` was changed in place (a list push, a hash
   * field set, ...): commands that mutate a collection without db.set/update
   * must call this after the change, as Redis's signalModifiedKey.
   */
  modified(key: string): void {
    this.host.keyModified(this, key);
  }

  /** Deletes `key`; false when it did not exist (or had expired). */
  delete(key: string): boolean {
    if (!this.dict.has(key) || this.expired(key)) return false;
    this.remove(key);
    this.host.keyModified(this, key);
    return true;
  }

  /** Deletes a stored `key` even if its TTL has passed (eviction, as Redis's dbSyncDelete); signals the change. */
  evict(key: string): void {
    this.remove(key);
    this.host.keyModified(this, key);
  }

  private remove(key: string): void {
    if (this.snapshotMark !== 0) this.preserve(key);
    this.dict.delete(key);
    this.lru.delete(key);
    if (this.expires.size > 0) this.expires.delete(key);
  }

  /** Absolute expiry in ms, or undefined for a persistent key. Assumes the key exists. */
  getExpire(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  setExpire(key: string, atMs: number): void {
    if (this.snapshotMark !== 0) this.preserve(key);
    this.expires.set(key, atMs);
    this.host.keyModified(this, key);
  }

  /** Removes the TTL of `key`; false when it had none. */
  persist(key: string): boolean {
    if (this.snapshotMark !== 0) this.preserve(key);
    if (!this.expires.delete(key)) return false;
    this.host.keyModified(this, key);
    return true;
  }

  /** Seconds since `key` was last accessed. Assumes the key exists. */
  idleSeconds(key: string): number {
    const at = (this.lru.get(key) ?? this.host.lruClock()) & lruClockMax;
    const now = this.host.lruClock();
    return now >= at ? now - at : now + lruClockMax - at;
  }

  /** Backdates the last access of `key` by `seconds` (RESTORE ... IDLETIME), wrapping as Redis's 24-bit clock. */
  setIdleSeconds(key: string, seconds: number): void {
    const now = this.host.lruClock();
    const at = now - seconds;
    // An idle time beyond the clock's range: half-way round the clock keeps it reading as long idle.
    this.writeLru(key, at >= 0 ? at : (now + Math.floor(lruClockMax / 2)) % lruClockMax);
  }

  /** Removes every key (FLUSHDB). New maps, so that a running snapshot keeps walking the old ones. */
  clear(): void {
    this.host.keysReplacing(this, null);
    this.dict = new Map();
    this.expires = new Map();
    this.lru = new Map();
    this.randomCursor = null;
    this.expireCursor = null;
  }

  /** Exchanges contents with another database (SWAPDB): O(1), clients keep their db number. */
  swapWith(other: Database): void {
    this.host.keysReplacing(this, other);
    this.host.keysReplacing(other, this);
    [this.dict, other.dict] = [other.dict, this.dict];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.lru, other.lru] = [other.lru, this.lru];
    this.randomCursor = other.randomCursor = null;
    this.expireCursor = other.expireCursor = null;
  }

  /**
   * A random live key, or undefined for an empty database. A JS Map cannot be
   * indexed, so this steps a rolling iterator forward by a random amount:
   * O(1) amortised, spread over the whole keyspace, though not uniform.
   */
  randomKey(): string | undefined {
    // On a master every expired pick is deleted, so this ends. A replica keeps
    // expired keys: when every key has a TTL, like Redis it gives up after
    // some tries and returns one that may have expired.
    for (let tries = 1; this.dict.size > 0; tries++) {
      const key = this.stepRandom();
      if (!this.expired(key)) return key;
      if (!this.host.expiresKeys() && tries >= randomTriesMax && this.expires.size === this.dict.size) return key;
    }
    return undefined;
  }

  /** Advances the rolling RANDOMKEY position by a random step; the dict must not be empty. */
  private stepRandom(): string {
    let skip = Math.floor(Math.random() * Math.min(randomSkipMax, this.dict.size));
    let key: string | undefined;
    while (key === undefined || skip-- > 0) {
      if (this.randomCursor === null) this.randomCursor = this.dict.keys();
      const step = this.randomCursor.next();
      if (step.done) {
        this.randomCursor = null;
        if (key !== undefined) break;
        continue;
      }
      key = step.value;
    }
    return key;
  }
}

/** The LRU clock wraps at 24 bits, as Redis's. */
export const lruClockMax = (1 << 24) - 1;
/** Bits of an `lru` word above the clock that hold a snapshot mark: 63 marks (1..63) in turn, 0 for none. */
export const snapshotMarkShift = 24;
export const snapshotMarkBits = 63 << snapshotMarkShift;
/** The LFU access time is in minutes, 16 bits. */
const lfuMinutesMax = 65535;
/** Counter of a new key under LFU, so that it is not evicted at once (Redis's LFU_INIT_VAL). */
const lfuInitCounter = 5;
