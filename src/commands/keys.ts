// Keyspace commands, whatever the type of the value: DEL, UNLINK, EXISTS,
// TYPE, the EXPIRE and TTL families, PERSIST, RENAME(NX), COPY, MOVE, KEYS,
// SCAN, RANDOMKEY, TOUCH, OBJECT, DUMP, RESTORE.

import type { Client } from '../server/client.js';
import { NOTIFY_GENERIC } from '../config/options.js';
import type { Database } from '../store/database.js';
import { parseScanCursor, parseScanOptions, replyScan, scanCursors } from '../store/scan.js';
import { isString, typeName, type StringValue, type Value } from '../store/value.js';
import { createDumpPayload, parseDumpPayload } from '../persistence/dump.js';
import { rdbLoadLimits } from '../persistence/rdb-object.js';
import { compileGlob } from '../util/glob.js';
import { formatInt, INT64_MAX, INT64_MIN, normInt64, parseInt64, parseLongLong } from '../util/numbers.js';
import { databaseAt, intArg } from './databases.js';
import type { CommandSpec } from './registry.js';

const notIntegerError = 'ERR value is not an integer or out of range';
const syntaxError = 'ERR syntax error';
const sameObjectError = 'ERR source and destination objects are the same';

/** An integral double as an exact integer, for replies and arguments beyond 2^53 (far expiry times). */
function exactInt(n: number): number | bigint {
  return Number.isSafeInteger(n) ? n : BigInt(n);
}

// ---- DEL, UNLINK, EXISTS, TYPE, TOUCH ------------------------------------------

/** DEL and UNLINK: memory is reclaimed by the garbage collector either way. */
function del(c: Client, argv: string[]): void {
  let deleted = 0;
  for (let i = 1; i < argv.length; i++) {
    if (!c.db.delete(argv[i])) continue;
    c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', argv[i], c.dbIndex);
    deleted++;
  }
  c.server.dirty += deleted;
  c.int(deleted);
}

function exists(c: Client, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (c.db.lookupRead(argv[i], false) !== undefined) n++;
  c.int(n);
}

function type(c: Client, argv: string[]): void {
  const v = c.db.lookupRead(argv[1], false);
  c.simple(v === undefined ? 'none' : typeName(v));
}

function touch(c: Client, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (c.db.lookupRead(argv[i]) !== undefined) n++;
  c.int(n);
}

// ---- EXPIRE family, TTL family, PERSIST -----------------------------------------------

const expireNx = 1;
const expireXx = 2;
const expireGt = 4;
const expireLt = 8;
const expireFlags = new Map([['nx', expireNx], ['xx', expireXx], ['gt', expireGt], ['lt', expireLt]]);

/**
 * `arg` scaled by `unitMs` plus `baseMs`, exactly over int64; null after
 * replying the error when it is not an integer or the result overflows.
 */
function expireTimeArg(c: Client, name: string, arg: string, unitMs: number, baseMs: number): number | bigint | null {
  const n = parseInt64(arg);
  if (n === null) {
    c.error(notIntegerError);
    return null;
  }
  // Common case, exact in doubles: |n| * 1000 + now stays below 2^53.
  if (typeof n === 'number' && Math.abs(n) < 2 ** 43) return n * unitMs + baseMs;
  let when = BigInt(n);
  const unit = BigInt(unitMs);
  const base = BigInt(baseMs);
  if (when > INT64_MAX / unit || when < INT64_MIN / unit || when * unit > INT64_MAX - base) {
    c.error(`ERR invalid expire time in '${name.toLowerCase()}' command`);
    return null;
  }
  when = when * unit + base;
  return normInt64(when);
}

/**
 * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT [NX|XX|GT|LT]: `relative` adds the
 * current time, `unitMs` is what one unit of argv[2] is worth.
 */
function expireGeneric(c: Client, argv: string[], relative: boolean, unitMs: number): void {
  let flags = 0;
  for (let i = 3; i < argv.length; i++) {
    const flag = expireFlags.get(argv[i].toLowerCase());
    if (flag === undefined) {
      c.error(`ERR Unsupported option ${argv[i].split('\0')[0]}`);
      return;
    }
    flags |= flag;
  }
  if (flags & expireNx && flags & (expireXx | expireGt | expireLt)) {
    c.error('ERR NX and XX, GT or LT options at the same time are not compatible');
    return;
  }
  if (flags & expireGt && flags & expireLt) {
    c.error('ERR GT and LT options at the same time are not compatible');
    return;
  }
  const when = expireTimeArg(c, argv[0], argv[2], unitMs, relative ? c.server.now() : 0);
  if (when === null) return;
  const db = c.db;
  const key = argv[1];
  if (db.lookupWrite(key) === undefined) {
    c.int(0);
    return;
  }
  const at = Number(when);
  const current = db.getExpire(key);
  // A key without TTL counts as expiring never: GT always fails, LT always applies.
  if (
    (flags & expireNx && current !== undefined) ||
    (flags & expireXx && current === undefined) ||
    (flags & expireGt && (current === undefined || at <= current)) ||
    (flags & expireLt && current !== undefined && at >= current)
  ) {
    c.int(0);
    return;
  }
  c.server.dirty++;
  // A replica waits for its master's DEL instead of deleting.
  if (at <= c.server.now() && c.server.expiresKeys()) {
    db.delete(key);
    c.propagateAs([c.server.config.getBool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]);
    c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, c.dbIndex);
  } else {
    db.setExpire(key, at);
    // PEXPIREAT is deterministic as sent; the others become one, options kept.
    if (relative || unitMs !== 1) c.propagateAs(['PEXPIREAT', key, formatInt(when), ...argv.slice(3)]);
    c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'expire', key, c.dbIndex);
  }
  c.int(1);
}

/** TTL, PTTL, EXPIRETIME, PEXPIRETIME. */
function ttlGeneric(c: Client, key: string, inMs: boolean, absolute: boolean): void {
  if (c.db.lookupRead(key, false) === undefined) {
    c.int(-2);
    return;
  }
  const at = c.db.getExpire(key);
  if (at === undefined) {
    c.int(-1);
    return;
  }
  const ms = Math.max(0, absolute ? at : at - c.server.now());
  c.int(exactInt(inMs ? ms : Math.floor((ms + 500) / 1000)));
}

function persist(c: Client, argv: string[]): void {
  if (c.db.lookupWrite(argv[1]) !== undefined && c.db.persist(argv[1])) {
    c.server.dirty++;
    c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'persist', argv[1], c.dbIndex);
    c.int(1);
  } else {
    c.int(0);
  }
}

// ---- RENAME, RENAMENX, MOVE, COPY ------------------------------------------------

/** Stores `value` at `key` of `db` with the given expiry (or none), as a new key. */
function addKey(db: Database, key: string, value: Value, expireAt: number | undefined): void {
  db.set(key, value);
  if (expireAt !== undefined) db.setExpire(key, expireAt);
}

function renameGeneric(c: Client, argv: string[], nx: boolean): void {
  const [, from, to] = argv;
  const db = c.db;
  const value = db.lookupWrite(from);
  if (value === undefined) {
    c.error('ERR no such key');
    return;
  }
  if (from === to) {
    if (nx) c.int(0);
    else c.ok();
    return;
  }
  const expireAt = db.getExpire(from);
  if (db.lookupWrite(to) !== undefined) {
    if (nx) {
      c.int(0);
      return;
    }
    db.delete(to);
  }
  addKey(db, to, value, expireAt);
  db.delete(from);
  c.server.dirty++;
  c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'rename_from', from, db.id);
  c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'rename_to', to, db.id);
  if (nx) c.int(1);
  else c.ok();
}

function move(c: Client, argv: string[]): void {
  const key = argv[1];
  const id = intArg(c, argv[2]);
  if (id === null) return;
  const dst = databaseAt(c, id);
  if (dst === null) return;
  const src = c.db;
  if (src === dst) {
    c.error(sameObjectError);
    return;
  }
  const value = src.lookupWrite(key);
  if (value === undefined || dst.lookupWrite(key) !== undefined) {
    c.int(0);
    return;
  }
  addKey(dst, key, value, src.getExpire(key));
  src.delete(key);
  c.server.dirty++;
  c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'move_from', key, src.id);
  c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'move_to', key, dst.id);
  c.int(1);
}

/** An independent copy of a value: JS strings are immutable, Buffers and typed values are not. */
function copyValue(v: Value): Value {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return Buffer.from(v);
  return v.clone();
}

function copy(c: Client, argv: string[]): void {
  const [, from, to] = argv;
  let dst = c.db;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    if (opt === 'replace') {
      replace = true;
    } else if (opt === 'db' && i + 1 < argv.length) {
      const id = intArg(c, argv[++i]);
      if (id === null) return;
      const db = databaseAt(c, id);
      if (db === null) return;
      dst = db;
    } else {
      c.error(syntaxError);
      return;
    }
  }
  const src = c.db;
  if (src === dst && from === to) {
    c.error(sameObjectError);
    return;
  }
  const value = src.lookupRead(from);
  if (value === undefined) {
    c.int(0);
    return;
  }
  const expireAt = src.getExpire(from);
  if (dst.lookupWrite(to) !== undefined) {
    if (!replace) {
      c.int(0);
      return;
    }
    dst.delete(to);
  }
  addKey(dst, to, copyValue(value), expireAt);
  c.server.dirty++;
  c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'copy_to', to, dst.id);
  c.int(1);
}

// ---- KEYS, SCAN, RANDOMKEY -------------------------------------------------------------

function keys(c: Client, argv: string[]): void {
  const pattern = argv[1];
  // "*" also matches the empty key, which the matcher alone would not.
  const match = pattern === '*' ? null : compileGlob(pattern);
  const db = c.db;
  const out: string[] = [];
  // Expired keys are skipped but, as in Redis, left for others to delete.
  for (const key of db.dict.keys()) {
    if ((match === null || match(key)) && !db.keyIsExpired(key)) out.push(key);
  }
  c.bulks(out);
}

function scan(c: Client, argv: string[]): void {
  const cursor = parseScanCursor(argv[1]);
  if (cursor === null) {
    c.error('ERR invalid cursor');
    return;
  }
  const opts = parseScanOptions(c, argv, 2, true);
  if (opts === null) return;
  const db = c.db;
  const dict = db.dict;
  const found: string[] = [];
  const next = scanCursors(c.server).step(cursor, dict, () => dict.keys(), opts.count, (key: string) => {
    if (opts.match !== null && !opts.match(key)) return;
    if (opts.type !== null) {
      const v = db.lookupRead(key, false);
      if ((v === undefined ? 'none' : typeName(v)) !== opts.type) return;
    }
    if (!db.expired(key)) found.push(key);
  });
  replyScan(c, next, found);
}

function randomkey(c: Client): void {
  c.bulk(c.db.randomKey());
}

// ---- OBJECT ----------------------------------------------------------------------------

/** Values 0..9999 share one object in Redis (OBJ_SHARED_INTEGERS), refcount INT_MAX. */
const sharedIntegersMax = 10000;
const sharedRefcount = 2147483647;
/** Strings up to this length are allocated with their object (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
const embstrBytesMax = 44;

/**
 * The encoding Redis's tryObjectEncoding gives a string stored by SET:
 * canonical integers in long range are "int", short strings "embstr". A value
 * turned into a Buffer by an in-place change is "raw", as after APPEND/SETRANGE.
 */
function stringEncoding(v: StringValue): 'int' | 'embstr' | 'raw' {
  if (typeof v !== 'string') return 'raw';
  if (v.length <= 20 && parseLongLong(v) !== null) return 'int';
  return v.length <= embstrBytesMax ? 'embstr' : 'raw';
}

/** Shared integer objects are not used when maxmemory evicts by LRU/LFU (each key needs its own access time). */
function sharedIntegersEnabled(c: Client): boolean {
  const policy = c.server.config.getEnum('maxmemory-policy');
  return c.server.config.getInt('maxmemory') === 0 || !(policy.endsWith('-lru') || policy.endsWith('-lfu'));
}

/** The value OBJECT inspects, or null after replying a null bulk. */
function objectLookup(c: Client, key: string): Value | null {
  const v = c.db.lookupRead(key, false, false);
  if (v === undefined) {
    c.nullBulk();
    return null;
  }
  return v;
}

function lfuSelected(c: Client): boolean {
  return c.server.lfu() !== null;
}

const lfuSwitchNote =
  'Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';

/** OBJECT ENCODING's name for a value (also DEBUG OBJECT's). */
export function valueEncoding(v: Value): string {
  return isString(v) ? stringEncoding(v) : v.encoding();
}

/** OBJECT REFCOUNT's answer for a value (also DEBUG OBJECT's): shared small integers have INT_MAX. */
export function valueRefcount(c: Client, v: Value): number {
  const shared =
    typeof v === 'string' &&
    stringEncoding(v) === 'int' &&
    Number(v) >= 0 &&
    Number(v) < sharedIntegersMax &&
    sharedIntegersEnabled(c);
  return shared ? sharedRefcount : 1;
}

function objectEncoding(c: Client, argv: string[]): void {
  const v = objectLookup(c, argv[2]);
  if (v !== null) c.bulk(valueEncoding(v));
}

function objectRefcount(c: Client, argv: string[]): void {
  const v = objectLookup(c, argv[2]);
  if (v !== null) c.int(valueRefcount(c, v));
}

function objectIdletime(c: Client, argv: string[]): void {
  if (objectLookup(c, argv[2]) === null) return;
  if (lfuSelected(c)) {
    c.error(`ERR An LFU maxmemory policy is selected, idle time not tracked. ${lfuSwitchNote}`);
    return;
  }
  c.int(c.db.idleSeconds(argv[2]));
}

function objectFreq(c: Client, argv: string[]): void {
  if (objectLookup(c, argv[2]) === null) return;
  if (!lfuSelected(c)) {
    c.error(`ERR An LFU maxmemory policy is not selected, access frequency not tracked. ${lfuSwitchNote}`);
    return;
  }
  c.int(c.db.accessFrequency(argv[2]));
}

const objectHelp = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

function objectHelpCommand(c: Client): void {
  c.arrayLen(objectHelp.length);
  for (const line of objectHelp) c.simple(line);
}

// ---- DUMP, RESTORE ------------------------------------------------------------------

function dump(c: Client, argv: string[]): void {
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) {
    c.nullBulk();
    return;
  }
  const config = c.server.config;
  c.bulk(createDumpPayload(v, config.getBool('rdbcompression'), rdbLoadLimits(config)));
}

/** A non-negative integer option of RESTORE, or null after replying the error. */
function restoreNumberArg(c: Client, arg: string, max: number, error: string): number | null {
  const n = parseLongLong(arg);
  if (n === null) {
    c.error(notIntegerError);
    return null;
  }
  if (n < 0 || n > max) {
    c.error(error);
    return null;
  }
  return n;
}

/** RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] */
function restore(c: Client, argv: string[]): void {
  let replace = false;
  let absTtl = false;
  let idle: number | null = null;
  let freq: number | null = null;
  for (let i = 4; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    const hasValue = i + 1 < argv.length;
    // IDLETIME and FREQ exclude each other: the second one is a syntax error.
    if (opt === 'replace') {
      replace = true;
    } else if (opt === 'absttl') {
      absTtl = true;
    } else if (opt === 'idletime' && hasValue && freq === null) {
      idle = restoreNumberArg(c, argv[++i], Infinity, 'ERR Invalid IDLETIME value, must be >= 0');
      if (idle === null) return;
    } else if (opt === 'freq' && hasValue && idle === null) {
      freq = restoreNumberArg(c, argv[++i], 255, 'ERR Invalid FREQ value, must be >= 0 and <= 255');
      if (freq === null) return;
    } else {
      c.error(syntaxError);
      return;
    }
  }
  const db = c.db;
  const key = argv[1];
  if (!replace && db.lookupWrite(key) !== undefined) {
    c.error('BUSYKEY Target key name already exists.');
    return;
  }
  let ttl = restoreNumberArg(c, argv[2], Infinity, 'ERR Invalid TTL value, must be >= 0');
  if (ttl === null) return;
  const parsed = parseDumpPayload(argv[3], { limits: rdbLoadLimits(c.server.config) });
  if ('error' in parsed) {
    c.error(parsed.error);
    return;
  }
  const deleted = replace && db.delete(key);
  if (ttl !== 0 && !absTtl) ttl += c.server.now();
  // Already expired: the key is not created; only a replaced old key is a change.
  if (ttl !== 0 && ttl <= c.server.now() && c.server.expiresKeys()) {
    if (deleted) {
      c.server.dirty++;
      c.propagateAs(['DEL', key]);
      c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, c.dbIndex);
    }
    c.ok();
    return;
  }
  addKey(db, key, parsed.value, ttl === 0 ? undefined : ttl);
  // Replicas get the absolute time, not a TTL counted from when they apply it.
  if (ttl !== 0 && !absTtl) c.propagateAs([argv[0], key, formatInt(exactInt(ttl)), ...argv.slice(3), 'ABSTTL']);
  const lfu = lfuSelected(c);
  if (lfu && freq !== null) db.setAccessFrequency(key, freq);
  else if (!lfu && idle !== null) db.setIdleSeconds(key, idle);
  c.server.dirty++;
  c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'restore', key, c.dbIndex);
  c.ok();
}

// ---- table -----------------------------------------------------------------------------

const oneKey = [1, 1, 1] as const;

/** EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: [name, relative, unitMs]. */
const expireCommands: CommandSpec[] = (
  [['expire', true, 1000], ['pexpire', true, 1], ['expireat', false, 1000], ['pexpireat', false, 1]] as const
).map(([name, relative, unitMs]) => ({
  name,
  arity: -3,
  flags: ['write', 'fast'],
  keys: oneKey,
  acl: ['keyspace'],
  run: (c: Client, argv: string[]) => expireGeneric(c, argv, relative, unitMs),
}));

/** TTL, PTTL, EXPIRETIME, PEXPIRETIME: [name, inMs, absolute]. */
const ttlCommands: CommandSpec[] = (
  [['ttl', false, false], ['pttl', true, false], ['expiretime', false, true], ['pexpiretime', true, true]] as const
).map(([name, inMs, absolute]) => ({
  name,
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  acl: ['keyspace'],
  run: (c: Client, argv: string[]) => ttlGeneric(c, argv[1], inMs, absolute),
}));

export const keyCommands: CommandSpec[] = [
  { name: 'del', arity: -2, flags: ['write'], keys: [1, -1, 1], acl: ['keyspace'], run: del },
  { name: 'unlink', arity: -2, flags: ['write', 'fast'], keys: [1, -1, 1], acl: ['keyspace'], run: del },
  { name: 'exists', arity: -2, flags: ['readonly', 'fast'], keys: [1, -1, 1], acl: ['keyspace'], run: exists },
  { name: 'type', arity: 2, flags: ['readonly', 'fast'], keys: oneKey, acl: ['keyspace'], run: type },
  { name: 'touch', arity: -2, flags: ['readonly', 'fast'], keys: [1, -1, 1], acl: ['keyspace'], run: touch },
  ...expireCommands,
  ...ttlCommands,
  { name: 'persist', arity: 2, flags: ['write', 'fast'], keys: oneKey, acl: ['keyspace'], run: persist },
  {
    name: 'rename',
    arity: 3,
    flags: ['write'],
    keys: [1, 2, 1],
    acl: ['keyspace'],
    run: (c, argv) => renameGeneric(c, argv, false),
  },
  {
    name: 'renamenx',
    arity: 3,
    flags: ['write', 'fast'],
    keys: [1, 2, 1],
    acl: ['keyspace'],
    run: (c, argv) => renameGeneric(c, argv, true),
  },
  { name: 'copy', arity: -3, flags: ['write', 'denyoom'], keys: [1, 2, 1], acl: ['keyspace'], run: copy },
  { name: 'move', arity: 3, flags: ['write', 'fast'], keys: oneKey, acl: ['keyspace'], run: move },
  { name: 'keys', arity: 2, flags: ['readonly'], acl: ['keyspace', 'dangerous'], run: keys },
  { name: 'scan', arity: -2, flags: ['readonly'], acl: ['keyspace'], run: scan },
  { name: 'randomkey', arity: 1, flags: ['readonly'], acl: ['keyspace'], run: randomkey },
  {
    name: 'object',
    arity: -2,
    flags: [],
    // In the order Redis lists them (COMMAND INFO / DOCS).
    subcommands: [
      { name: 'idletime', arity: 3, flags: ['readonly'], keys: [2, 2, 1], acl: ['keyspace'], run: objectIdletime },
      { name: 'freq', arity: 3, flags: ['readonly'], keys: [2, 2, 1], acl: ['keyspace'], run: objectFreq },
      { name: 'encoding', arity: 3, flags: ['readonly'], keys: [2, 2, 1], acl: ['keyspace'], run: objectEncoding },
      { name: 'refcount', arity: 3, flags: ['readonly'], keys: [2, 2, 1], acl: ['keyspace'], run: objectRefcount },
      { name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['keyspace'], run: objectHelpCommand },
    ],
  },
  { name: 'dump', arity: 2, flags: ['readonly'], keys: oneKey, acl: ['keyspace'], run: dump },
  {
    name: 'restore',
    arity: -4,
    flags: ['write', 'denyoom'],
    keys: oneKey,
    acl: ['keyspace', 'dangerous'],
    run: restore,
  },
];
