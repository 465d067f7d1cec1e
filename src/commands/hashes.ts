// Hash commands, as Redis 7.0's t_hash.c. Also helpers the other collection
// families share: typed key lookup, member removal (HDEL/SREM/ZREM), *SCAN
// over a collection, the SRANDMEMBER/HRANDFIELD count.

import type { Client } from '../server/client.js';
import { NOTIFY_GENERIC, NOTIFY_HASH } from '../config/options.js';
import { HashValue, hashLimits } from '../store/hash.js';
import { sampleDistinct } from '../store/set.js';
import { parseScanCursor, parseScanOptions, replyScan, scanCursors } from '../store/scan.js';
import { wrongTypeError, type TypedValue } from '../store/value.js';
import {
  addInt64,
  addLongDouble,
  formatInt,
  formatLongDoubleHuman,
  longDoubleFromNumber,
  parseInt64,
  parseLongDouble,
} from '../util/numbers.js';
import type { CommandSpec } from './registry.js';
import { notIntegerError, optionName, syntaxError } from './strings.js';

// ---- helpers shared with the other collection families -----------------------------

/**
 * The value at `key` if it is a `kind` (HashValue, SetValue, ...); undefined
 * when the key is missing; null after replying WRONGTYPE. `forWrite` looks
 * the key up as a write (no keyspace hit/miss counted).
 */
export function lookupTyped<T extends TypedValue>(
  c: Client,
  key: string,
  kind: abstract new () => T,
  forWrite = false,
): T | undefined | null {
  const v = forWrite ? c.db.lookupWrite(key) : c.db.lookupRead(key);
  if (v === undefined || v instanceof kind) return v;
  c.error(wrongTypeError);
  return null;
}

/** A collection SCAN can walk: its iterator yields members, or [field, value] pairs. */
interface Scannable extends TypedValue {
  scanIterator(): Iterator<string | readonly [string, string]>;
}

/**
 * HSCAN / SSCAN key cursor [MATCH pattern] [COUNT count], as Redis's
 * scanGenericCommand: the cursor is checked first, a missing key is an empty
 * scan before the options are read, and a small encoding (listpack, intset)
 * comes back whole in one call with cursor 0.
 */
export function scanCollection<T extends Scannable>(c: Client, argv: string[], kind: abstract new () => T): void {
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) {
    c.error('ERR invalid cursor');
    return;
  }
  const v = lookupTyped(c, argv[1], kind);
  if (v === null) return;
  if (v === undefined) {
    replyScan(c, 0, []);
    return;
  }
  const opts = parseScanOptions(c, argv, 3, false);
  if (opts === null) return;
  const found: string[] = [];
  const visit = (e: string | readonly [string, string]): void => {
    const name = typeof e === 'string' ? e : e[0];
    if (opts.match !== null && !opts.match(name)) return;
    if (typeof e === 'string') found.push(e);
    else found.push(e[0], e[1]);
  };
  let next = 0;
  // Large encodings are walked with a cursor; small ones (listpack, intset) come back whole.
  if (v.encoding() === 'hashtable' || v.encoding() === 'skiplist') {
    next = scanCursors(c.server).step(cursor, v, () => v.scanIterator(), opts.count, visit);
  } else {
    const it = v.scanIterator();
    for (let e = it.next(); !e.done; e = it.next()) visit(e.value);
  }
  replyScan(c, next, found);
}

const longMax = 9223372036854775807n;

/**
 * The count of SRANDMEMBER / HRANDFIELD, as getRangeLongFromObjectOrReply
 * over -LONG_MAX..LONG_MAX; null after an error reply. Beyond 2^53 the number
 * is rounded: such counts mean "everything" or an endless reply either way.
 */
export function parseRandomCount(c: Client, arg: string): number | null {
  const n = parseInt64(arg);
  if (n === null) {
    c.error(notIntegerError);
    return null;
  }
  if (BigInt(n) < -longMax) {
    c.error(`ERR value is out of range, value must between ${-longMax} and ${longMax}`);
    return null;
  }
  return Number(n);
}

/**
 * HRANDFIELD / ZRANDMEMBER key count [WITHVALUES|WITHSCORES]: the count and
 * whether `flag` was given; null after the error reply.
 */
export function parseRandomArgs(c: Client, argv: string[], flag: string): [count: number, withFlag: boolean] | null {
  const n = parseRandomCount(c, argv[2]);
  if (n === null) return null;
  if (argv.length > 4 || (argv.length === 4 && optionName(argv[3]) !== flag)) {
    c.error(syntaxError);
    return null;
  }
  const withFlag = argv.length === 4;
  // The reply holds two entries per pick: Redis refuses counts whose double would overflow.
  if (withFlag && (BigInt(argv[2]) > longMax / 2n || BigInt(argv[2]) < -longMax / 2n)) {
    c.error('ERR value is out of range');
    return null;
  }
  return [n, withFlag];
}

/**
 * HDEL / SREM: removes `names` from `coll`, the value at `key` (undefined when
 * missing), deletes the key once it is empty, and replies how many went.
 */
export function removeMembers(
  c: Client,
  key: string,
  coll: { delete(name: string): boolean; readonly size: number } | undefined,
  names: readonly string[],
  type: number,
  event: string,
): void {
  let removed = 0;
  let keyRemoved = false;
  if (coll !== undefined) {
    for (const name of names) {
      if (!coll.delete(name)) continue;
      removed++;
      if (coll.size === 0) {
        c.db.delete(key);
        keyRemoved = true;
        break;
      }
    }
  }
  if (removed > 0) {
    c.db.modified(key);
    c.server.notifyKeyspaceEvent(type, event, key, c.dbIndex);
    if (keyRemoved) c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, c.dbIndex);
    c.server.dirty += removed;
  }
  c.int(removed);
}

// ---- hashes -------------------------------------------------------------------------

/** The hash at `key` for a write, created empty (and stored) when missing; null after WRONGTYPE. */
function hashForWrite(c: Client, key: string): HashValue | null {
  const found = lookupTyped(c, key, HashValue, true);
  if (found !== undefined) return found;
  const h = new HashValue();
  c.db.set(key, h);
  return h;
}

/** Bookkeeping after fields of `key` changed: WATCH, keyspace event, dirty. */
function hashChanged(c: Client, key: string, event: string, changes = 1): void {
  c.db.modified(key);
  c.server.notifyKeyspaceEvent(NOTIFY_HASH, event, key, c.dbIndex);
  c.server.dirty += changes;
}

/** HSET and HMSET: field/value pairs; HSET replies the number of new fields, HMSET OK. */
function hsetGeneric(c: Client, argv: string[], name: 'hset' | 'hmset'): void {
  if (argv.length % 2 === 1) {
    c.error(`ERR wrong number of arguments for '${name}' command`);
    return;
  }
  const key = argv[1];
  const h = hashForWrite(c, key);
  if (h === null) return;
  const limits = hashLimits(c.server.config);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (h.set(argv[i], argv[i + 1], limits)) created++;
  if (name === 'hset') c.int(created);
  else c.ok();
  hashChanged(c, key, 'hset', (argv.length - 2) / 2);
}

function hsetnx(c: Client, argv: string[]): void {
  const [, key, field, value] = argv;
  const h = hashForWrite(c, key);
  if (h === null) return;
  if (h.has(field)) {
    c.int(0);
    return;
  }
  h.set(field, value, hashLimits(c.server.config));
  c.int(1);
  hashChanged(c, key, 'hset');
}

function hget(c: Client, argv: string[]): void {
  const h = lookupTyped(c, argv[1], HashValue);
  if (h !== null) c.bulk(h?.get(argv[2]));
}

function hmget(c: Client, argv: string[]): void {
  const h = lookupTyped(c, argv[1], HashValue);
  if (h === null) return;
  c.arrayLen(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.bulk(h?.get(argv[i]));
}

function hlen(c: Client, argv: string[]): void {
  const h = lookupTyped(c, argv[1], HashValue);
  if (h !== null) c.int(h?.size ?? 0);
}

function hstrlen(c: Client, argv: string[]): void {
  const h = lookupTyped(c, argv[1], HashValue);
  if (h !== null) c.int(h?.get(argv[2])?.length ?? 0);
}

function hexists(c: Client, argv: string[]): void {
  const h = lookupTyped(c, argv[1], HashValue);
  if (h !== null) c.int(h?.has(argv[2]) ? 1 : 0);
}

/** HKEYS, HVALS, HGETALL (a map in RESP3). */
function hgetallGeneric(c: Client, key: string, withFields: boolean, withValues: boolean): void {
  const h = lookupTyped(c, key, HashValue);
  if (h === null) return;
  const size = h?.size ?? 0;
  if (withFields && withValues) c.mapLen(size);
  else c.arrayLen(size);
  if (h === undefined) return;
  for (const [f, v] of h.entries()) {
    if (withFields) c.bulk(f);
    if (withValues) c.bulk(v);
  }
}

function hdel(c: Client, argv: string[]): void {
  const h = lookupTyped(c, argv[1], HashValue, true);
  if (h !== null) removeMembers(c, argv[1], h, argv.slice(2), NOTIFY_HASH, 'hdel');
}

function hincrby(c: Client, argv: string[]): void {
  const [, key, field] = argv;
  const incr = parseInt64(argv[3]);
  if (incr === null) {
    c.error(notIntegerError);
    return;
  }
  const h = hashForWrite(c, key);
  if (h === null) return;
  const old = h.get(field);
  const current = old === undefined ? 0 : parseInt64(old);
  if (current === null) {
    c.error('ERR hash value is not an integer');
    return;
  }
  const sum = addInt64(current, incr);
  if (sum === null) {
    c.error('ERR increment or decrement would overflow');
    return;
  }
  h.set(field, formatInt(sum), hashLimits(c.server.config));
  c.int(sum);
  hashChanged(c, key, 'hincrby');
}

function hincrbyfloat(c: Client, argv: string[]): void {
  const [, key, field] = argv;
  const incr = parseLongDouble(argv[3]);
  if (incr === null) {
    c.error('ERR value is not a valid float');
    return;
  }
  if (!incr.isFinite()) {
    c.error('ERR value is NaN or Infinity');
    return;
  }
  const h = hashForWrite(c, key);
  if (h === null) return;
  const old = h.get(field);
  const current = old === undefined ? longDoubleFromNumber(0) : parseLongDouble(old);
  if (current === null) {
    c.error('ERR hash value is not a float');
    return;
  }
  const sum = addLongDouble(current, incr);
  if (!sum.isFinite()) {
    c.error('ERR increment would produce NaN or Infinity');
    return;
  }
  const text = formatLongDoubleHuman(sum);
  h.set(field, text, hashLimits(c.server.config));
  c.bulk(text);
  hashChanged(c, key, 'hincrbyfloat');
  // Replicas get the result, not the float arithmetic.
  c.propagateAs(['HSET', key, field, text]);
}

function hrandfield(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    const h = lookupTyped(c, argv[1], HashValue);
    if (h !== null) c.bulk(h?.random());
    return;
  }
  const args = parseRandomArgs(c, argv, 'withvalues');
  if (args === null) return;
  const [n, withValues] = args;
  const h = lookupTyped(c, argv[1], HashValue);
  if (h === null) return;
  const count = Math.abs(n);
  if (h === undefined || count === 0) {
    c.arrayLen(0);
    return;
  }
  // RESP3 nests each field with its value; RESP2 flattens them.
  const nested = withValues && c.resp === 3;
  const reply = (field: string): void => {
    if (nested) c.arrayLen(2);
    c.bulk(field);
    if (withValues) c.bulk(h.get(field));
  };
  if (n < 0 || count === 1) {
    // Independent picks (a negative count allows repeats), in random order.
    c.arrayLen(withValues && !nested ? count * 2 : count);
    for (let i = 0; i < count; i++) reply(h.random());
    return;
  }
  const size = h.size;
  const replied = Math.min(count, size);
  c.arrayLen(withValues && !nested ? replied * 2 : replied);
  let fields: Iterable<string>;
  if (count >= size) fields = h.fields();
  // Redis picks from a listpack in one pass, so the fields come in hash order.
  else if (count * 3 <= size && h.encoding() === 'listpack') fields = h.sampleInOrder(count);
  else fields = sampleDistinct(h, count);
  for (const f of fields) reply(f);
}

export const hashCommands: CommandSpec[] = [
  { name: 'hset', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['hash'], run: (c, argv) => hsetGeneric(c, argv, 'hset') },
  { name: 'hmset', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['hash'], run: (c, argv) => hsetGeneric(c, argv, 'hmset') },
  { name: 'hsetnx', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['hash'], run: hsetnx },
  { name: 'hget', arity: 3, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['hash'], run: hget },
  { name: 'hmget', arity: -3, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['hash'], run: hmget },
  { name: 'hdel', arity: -3, flags: ['write', 'fast'], keys: [1, 1, 1], acl: ['hash'], run: hdel },
  { name: 'hlen', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['hash'], run: hlen },
  { name: 'hstrlen', arity: 3, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['hash'], run: hstrlen },
  { name: 'hexists', arity: 3, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['hash'], run: hexists },
  { name: 'hkeys', arity: 2, flags: ['readonly'], keys: [1, 1, 1], acl: ['hash'], run: (c, argv) => hgetallGeneric(c, argv[1], true, false) },
  { name: 'hvals', arity: 2, flags: ['readonly'], keys: [1, 1, 1], acl: ['hash'], run: (c, argv) => hgetallGeneric(c, argv[1], false, true) },
  { name: 'hgetall', arity: 2, flags: ['readonly'], keys: [1, 1, 1], acl: ['hash'], run: (c, argv) => hgetallGeneric(c, argv[1], true, true) },
  { name: 'hincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['hash'], run: hincrby },
  { name: 'hincrbyfloat', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['hash'], run: hincrbyfloat },
  { name: 'hrandfield', arity: -2, flags: ['readonly'], keys: [1, 1, 1], acl: ['hash'], run: hrandfield },
  { name: 'hscan', arity: -3, flags: ['readonly'], keys: [1, 1, 1], acl: ['hash'], run: (c, argv) => scanCollection(c, argv, HashValue) },
];
