// One logical database (SELECT n): keys, their values, their expiry times.
//
// Every read and write of a key goes through the lookup/set/delete methods
// here, never through `dict` directly from a command: that single path is
// where lazy expiry happens today and where snapshot copy-on-write, WATCH and
// keyspace notifications attach.

import type { Value } from './value.js';

/** What a database needs from the server that owns it. */
export interface KeyspaceHost {
  /** Milliseconds since the epoch, as the server sees "now". */
  now(): number;
  /** Replicas never delete expired keys themselves; they wait for the master's DEL. */
  expiresKeys(): boolean;
  /** A key was found expired and deleted: count it, propagate DEL, notify. */
  keyExpired(db: Database, key: string): void;
  /** A key was looked up for reading: Redis's keyspace_hits/keyspace_misses. */
  countLookup(hit: boolean): void;
  /** LRU clock in seconds (24 bits, as Redis's), for OBJECT IDLETIME. */
  lruClock(): number;
}

/** How many keys RANDOMKEY may step over from its rolling position. */
const randomSkipMax = 64;

export class Database {
  readonly id: number;
  /** key → value. Insertion-ordered, which SCAN and RANDOMKEY rely on. */
  dict = new Map<string, Value>();
  /** key → absolute expiry time in ms, only for keys that have one. */
  expires = new Map<string, number>();
  /** key → LRU clock of its last access. */
  lru = new Map<string, number>();
  private readonly host: KeyspaceHost;
  /** Rolling position for RANDOMKEY. */
  private randomCursor: Iterator<string> | null = null;
  /** Rolling position for the active expire cycle. */
  expireCursor: Iterator<[string, number]> | null = null;

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
    if (this.expires.size === 0) return false;
    const at = this.expires.get(key);
    if (at === undefined || at > this.host.now()) return false;
    if (this.host.expiresKeys()) {
      this.remove(key);
      this.host.keyExpired(this, key);
    }
    return true;
  }

  /** Value of `key` for a command that reads it; counts hits and misses. */
  lookupRead(key: string): Value | undefined {
    const v = this.lookup(key);
    this.host.countLookup(v !== undefined);
    return v;
  }

  /** Value of `key` for a command about to modify it. */
  lookupWrite(key: string): Value | undefined {
    return this.lookup(key);
  }

  /** Value of `key` without counting a hit or miss (e.g. TYPE, EXISTS checks, internal use). */
  lookup(key: string): Value | undefined {
    const v = this.dict.get(key);
    if (v === undefined || this.expired(key)) return undefined;
    this.lru.set(key, this.host.lruClock());
    return v;
  }

  /** Whether `key` exists, without touching its access time. */
  has(key: string): boolean {
    return this.dict.has(key) && !this.expired(key);
  }

  /** Stores `value` at `key`, as Redis's setKey: the old TTL goes unless keepTtl. */
  set(key: string, value: Value, keepTtl = false): void {
    this.dict.set(key, value);
    if (!keepTtl && this.expires.size > 0) this.expires.delete(key);
    this.lru.set(key, this.host.lruClock());
  }

  /** Replaces the value of an existing key in place, keeping its TTL. */
  update(key: string, value: Value): void {
    this.dict.set(key, value);
  }

  /** Deletes `key`; false when it did not exist (or had expired). */
  delete(key: string): boolean {
    if (!this.dict.has(key) || this.expired(key)) return false;
    this.remove(key);
    return true;
  }

  private remove(key: string): void {
    this.dict.delete(key);
    this.lru.delete(key);
    if (this.expires.size > 0) this.expires.delete(key);
  }

  /** Absolute expiry in ms, or undefined for a persistent key. Assumes the key exists. */
  getExpire(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  setExpire(key: string, atMs: number): void {
    this.expires.set(key, atMs);
  }

  /** Removes the TTL of `key`; false when it had none. */
  persist(key: string): boolean {
    return this.expires.delete(key);
  }

  /** Seconds since `key` was last accessed. Assumes the key exists. */
  idleSeconds(key: string): number {
    const at = this.lru.get(key) ?? this.host.lruClock();
    const now = this.host.lruClock();
    return now >= at ? now - at : now + lruClockMax - at;
  }

  /** Removes every key (FLUSHDB). */
  clear(): void {
    this.dict.clear();
    this.expires.clear();
    this.lru.clear();
    this.randomCursor = null;
    this.expireCursor = null;
  }

  /** Exchanges contents with another database (SWAPDB): O(1), clients keep their db number. */
  swapWith(other: Database): void {
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
    // Bounded: each pass either finds a live key or deletes an expired one.
    for (let tries = 0; this.dict.size > 0 && tries < 100; tries++) {
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
      if (!this.expired(key)) return key;
    }
    return undefined;
  }
}

/** The LRU clock wraps at 24 bits, as Redis's. */
export const lruClockMax = (1 << 24) - 1;
