// String commands: GET/SET and their variants, counters, ranges, LCS.
//
// Values written whole stay the JS string the client sent; values changed in
// place become Buffers (src/store/mutable-string.ts). Every reader accepts both.

import type { Client } from '../server/client.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../config/options.js';
import { asByteString, isString, wrongTypeError, type StringValue, type Value } from '../store/value.js';
import { writableString } from '../store/mutable-string.js';
import {
  addInt64,
  addLongDouble,
  formatInt,
  formatLongDoubleHuman,
  INT64_MAX,
  INT64_MIN,
  normInt64,
  parseInt64,
  parseLongDouble,
  parseLongLong,
} from '../util/numbers.js';
import type { CommandSpec } from './registry.js';

export const notIntegerError = 'ERR value is not an integer or out of range';
export const syntaxError = 'ERR syntax error';
const notFloatError = 'ERR value is not a valid float';

/** An argument as C code reading it as a NUL-terminated string sees it. */
export function cString(arg: string): string {
  const nul = arg.indexOf('\0');
  return nul === -1 ? arg : arg.slice(0, nul);
}

/** An option word as Redis's strcasecmp compares it: lower-cased, up to the first NUL byte. */
export function optionName(arg: string): string {
  return cString(arg).toLowerCase();
}

/**
 * Replies with a stored string value. A stored Buffer may be changed in place
 * by a later command while this reply still waits to be written, so Buffers
 * go out as a copy.
 */
export function replyString(c: Client, v: StringValue): void {
  c.bulk(typeof v === 'string' ? v : Buffer.from(v));
}

/**
 * Stores `value`, computed from the key's previous value `old` (undefined when
 * there was none), keeping the TTL; counts the change and sends the string
 * keyspace event `event` ("incrby", "append", "setbit", ...).
 */
export function storeString(c: Client, key: string, old: Value | undefined, value: StringValue, event: string): void {
  if (old === undefined) c.db.set(key, value);
  else c.db.update(key, value);
  c.server.dirty++;
  c.server.notifyKeyspaceEvent(NOTIFY_STRING, event, key, c.dbIndex);
}

/** Redis's getGenericCommand: replies with the string at `key` or null; false after a WRONGTYPE error. */
function getGeneric(c: Client, key: string): boolean {
  const v = c.db.lookupRead(key);
  if (v === undefined) {
    c.nullBulk();
  } else if (isString(v)) {
    replyString(c, v);
  } else {
    c.error(wrongTypeError);
    return false;
  }
  return true;
}

// ---- SET / GETEX options -----------------------------------------------------

// Option flags, as Redis's OBJ_* flags for SET and GETEX.
const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const PERSIST = 16;
const EX = 32;
const PX = 64;
const EXAT = 128;
const PXAT = 256;
const expireFlags = EX | PX | EXAT | PXAT;

interface OptionRule {
  flag: number;
  /** Flags that make this option a syntax error when given before or after it. */
  excludes: number;
  forSet: boolean;
  forGetex: boolean;
  /** Followed by the expire time. */
  takesTime: boolean;
}

function expireRule(flag: number): OptionRule {
  return { flag, excludes: (expireFlags & ~flag) | KEEPTTL | PERSIST, forSet: true, forGetex: true, takesTime: true };
}

const optionRules = new Map<string, OptionRule>([
  ['nx', { flag: NX, excludes: XX, forSet: true, forGetex: false, takesTime: false }],
  ['xx', { flag: XX, excludes: NX, forSet: true, forGetex: false, takesTime: false }],
  ['get', { flag: GET, excludes: 0, forSet: true, forGetex: false, takesTime: false }],
  ['keepttl', { flag: KEEPTTL, excludes: expireFlags | PERSIST, forSet: true, forGetex: false, takesTime: false }],
  ['persist', { flag: PERSIST, excludes: expireFlags | KEEPTTL, forSet: false, forGetex: true, takesTime: false }],
  ['ex', expireRule(EX)],
  ['px', expireRule(PX)],
  ['exat', expireRule(EXAT)],
  ['pxat', expireRule(PXAT)],
]);

interface StringOptions {
  flags: number;
  /** The EX/PX/EXAT/PXAT argument (the last one given). */
  time: string | undefined;
}

const noOptions: StringOptions = { flags: 0, time: undefined };

/** Redis's parseExtendedStringArgumentsOrReply: options from argv[first] on; null after a syntax error. */
function parseOptions(c: Client, argv: string[], first: number, forSet: boolean): StringOptions | null {
  if (argv.length === first) return noOptions;
  let flags = 0;
  let time: string | undefined;
  for (let j = first; j < argv.length; j++) {
    const rule = optionRules.get(optionName(argv[j]));
    if (
      rule === undefined ||
      !(forSet ? rule.forSet : rule.forGetex) ||
      (flags & rule.excludes) !== 0 ||
      (rule.takesTime && j === argv.length - 1)
    ) {
      c.error(syntaxError);
      return null;
    }
    flags |= rule.flag;
    if (rule.takesTime) time = argv[++j];
  }
  return { flags, time };
}

const maxExpireSeconds = INT64_MAX / 1000n;

/**
 * The absolute expiry time in ms an EX/PX/EXAT/PXAT argument means, as
 * Redis's getExpireMillisecondsOrReply (including its overflow checks); null
 * after an error reply. Exact over int64: a bigint when beyond 2^53.
 */
function expireTimeMs(c: Client, arg: string, flags: number, command: string): number | bigint | null {
  const v = parseInt64(arg);
  if (v === null) {
    c.error(notIntegerError);
    return null;
  }
  const seconds = (flags & (EX | EXAT)) !== 0;
  const relative = (flags & (EX | PX)) !== 0;
  if (v > 0 && !(seconds && v > maxExpireSeconds)) {
    if (typeof v === 'number') {
      const ms = (seconds ? v * 1000 : v) + (relative ? c.server.now() : 0);
      if (ms <= Number.MAX_SAFE_INTEGER) return ms;
    }
    const ms = BigInt(v) * (seconds ? 1000n : 1n) + (relative ? BigInt(c.server.now()) : 0n);
    // In Redis the sum wraps negative past int64 and is refused.
    if (ms <= INT64_MAX) return normInt64(ms);
  }
  c.error(`ERR invalid expire time in '${command}' command`);
  return null;
}

/**
 * Redis's setGenericCommand, behind SET, SETNX, SETEX, PSETEX and GETSET.
 * `intReplies`: reply 1/0 (SETNX) instead of OK/null.
 */
function setGeneric(
  c: Client,
  key: string,
  value: string,
  flags: number,
  time: string | undefined,
  command: string,
  intReplies: boolean,
): void {
  let at: number | bigint | undefined;
  if (time !== undefined) {
    const ms = expireTimeMs(c, time, flags, command);
    if (ms === null) return;
    at = ms;
  }
  const withGet = (flags & GET) !== 0;
  if (withGet && !getGeneric(c, key)) return;
  const db = c.db;
  // Also deletes the key first if it has expired, as Redis's lookupKeyWrite.
  const found = db.has(key);
  if (((flags & NX) !== 0 && found) || ((flags & XX) !== 0 && !found)) {
    if (!withGet) {
      if (intReplies) c.int(0);
      else c.nullBulk();
    }
    return;
  }
  db.set(key, value, (flags & KEEPTTL) !== 0);
  c.server.dirty++;
  c.server.notifyKeyspaceEvent(NOTIFY_STRING, 'set', key, c.dbIndex);
  if (at !== undefined) {
    // A time in the past is stored as is: the key then expires on its next access, as in Redis 7.0.
    db.setExpire(key, Number(at));
    c.propagateAs(['SET', key, value, 'PXAT', formatInt(at)]);
    c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'expire', key, c.dbIndex);
  } else if (withGet) {
    c.propagateAs(c.argv.filter((a, j) => j < 3 || optionName(a) !== 'get'));
  }
  if (!withGet) {
    if (intReplies) c.int(1);
    else c.ok();
  }
}

function set(c: Client, argv: string[]): void {
  const opts = parseOptions(c, argv, 3, true);
  if (opts !== null) setGeneric(c, argv[1], argv[2], opts.flags, opts.time, 'set', false);
}

function setnx(c: Client, argv: string[]): void {
  setGeneric(c, argv[1], argv[2], NX, undefined, 'setnx', true);
}

function setex(c: Client, argv: string[]): void {
  setGeneric(c, argv[1], argv[3], EX, argv[2], 'setex', false);
}

function psetex(c: Client, argv: string[]): void {
  setGeneric(c, argv[1], argv[3], PX, argv[2], 'psetex', false);
}

function getset(c: Client, argv: string[]): void {
  setGeneric(c, argv[1], argv[2], GET, undefined, 'getset', false);
  // Replicas and the AOF receive the SET it amounts to.
  c.propagateAs(['SET', argv[1], argv[2]]);
}

function get(c: Client, argv: string[]): void {
  getGeneric(c, argv[1]);
}

function getex(c: Client, argv: string[]): void {
  const opts = parseOptions(c, argv, 2, false);
  if (opts === null) return;
  const key = argv[1];
  const db = c.db;
  const v = db.lookupRead(key);
  if (v === undefined) {
    c.nullBulk();
    return;
  }
  if (!isString(v)) {
    c.error(wrongTypeError);
    return;
  }
  let at: number | bigint | undefined;
  if (opts.time !== undefined) {
    const ms = expireTimeMs(c, opts.time, opts.flags, 'getex');
    if (ms === null) return;
    at = ms;
  }
  replyString(c, v);
  const server = c.server;
  if (at !== undefined && (opts.flags & (EXAT | PXAT)) !== 0 && at <= server.now() && server.expiresKeys()) {
    db.delete(key);
    server.dirty++;
    c.propagateAs([server.config.getBool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]);
    server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, c.dbIndex);
  } else if (at !== undefined) {
    db.setExpire(key, Number(at));
    server.dirty++;
    c.propagateAs(['PEXPIREAT', key, formatInt(at)]);
    server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'expire', key, c.dbIndex);
  } else if ((opts.flags & PERSIST) !== 0 && db.persist(key)) {
    server.dirty++;
    c.propagateAs(['PERSIST', key]);
    server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'persist', key, c.dbIndex);
  }
}

function getdel(c: Client, argv: string[]): void {
  const key = argv[1];
  if (!getGeneric(c, key) || !c.db.delete(key)) return;
  c.server.dirty++;
  c.propagateAs([c.server.config.getBool('lazyfree-lazy-user-del') ? 'UNLINK' : 'DEL', key]);
  c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, c.dbIndex);
}

// ---- multiple keys -------------------------------------------------------------

function mget(c: Client, argv: string[]): void {
  const db = c.db;
  c.arrayLen(argv.length - 1);
  for (let j = 1; j < argv.length; j++) {
    const v = db.lookupRead(argv[j]);
    if (v !== undefined && isString(v)) replyString(c, v);
    else c.nullBulk();
  }
}

/** MSET and MSETNX. */
function msetGeneric(c: Client, argv: string[], nx: boolean): void {
  if (argv.length % 2 === 0) {
    c.error(`ERR wrong number of arguments for '${nx ? 'msetnx' : 'mset'}' command`);
    return;
  }
  const db = c.db;
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) {
      if (db.lookupWrite(argv[j]) !== undefined) {
        c.int(0);
        return;
      }
    }
  }
  for (let j = 1; j < argv.length; j += 2) {
    db.has(argv[j]); // deletes an expired key first, as Redis's setKey
    db.set(argv[j], argv[j + 1]);
    c.server.notifyKeyspaceEvent(NOTIFY_STRING, 'set', argv[j], c.dbIndex);
  }
  c.server.dirty += (argv.length - 1) / 2;
  if (nx) c.int(1);
  else c.ok();
}

function mset(c: Client, argv: string[]): void {
  msetGeneric(c, argv, false);
}

function msetnx(c: Client, argv: string[]): void {
  msetGeneric(c, argv, true);
}

// ---- counters ------------------------------------------------------------------

/** INCR, DECR, INCRBY, DECRBY: exact over int64. */
function incrDecr(c: Client, key: string, incr: number | bigint): void {
  const db = c.db;
  const v = db.lookupWrite(key);
  let current: number | bigint = 0;
  if (v !== undefined) {
    if (!isString(v)) {
      c.error(wrongTypeError);
      return;
    }
    const n = parseInt64(typeof v === 'string' ? v : asByteString(v));
    if (n === null) {
      c.error(notIntegerError);
      return;
    }
    current = n;
  }
  const result = addInt64(current, incr);
  if (result === null) {
    c.error('ERR increment or decrement would overflow');
    return;
  }
  storeString(c, key, v, formatInt(result), 'incrby');
  c.int(result);
}

function incr(c: Client, argv: string[]): void {
  incrDecr(c, argv[1], 1);
}

function decr(c: Client, argv: string[]): void {
  incrDecr(c, argv[1], -1);
}

function incrby(c: Client, argv: string[]): void {
  const n = parseInt64(argv[2]);
  if (n === null) c.error(notIntegerError);
  else incrDecr(c, argv[1], n);
}

function decrby(c: Client, argv: string[]): void {
  const n = parseInt64(argv[2]);
  if (n === null) c.error(notIntegerError);
  // The negation of INT64_MIN does not fit in int64.
  else if (n === INT64_MIN) c.error('ERR decrement would overflow');
  else incrDecr(c, argv[1], typeof n === 'number' ? -n : normInt64(-n));
}

function incrbyfloat(c: Client, argv: string[]): void {
  const key = argv[1];
  const db = c.db;
  const v = db.lookupWrite(key);
  if (v !== undefined && !isString(v)) {
    c.error(wrongTypeError);
    return;
  }
  const current = parseLongDouble(v === undefined ? '0' : asByteString(v));
  const increment = current === null ? null : parseLongDouble(argv[2]);
  if (current === null || increment === null) {
    c.error(notFloatError);
    return;
  }
  const sum = addLongDouble(current, increment);
  if (!sum.isFinite()) {
    c.error('ERR increment would produce NaN or Infinity');
    return;
  }
  const text = formatLongDoubleHuman(sum);
  storeString(c, key, v, text, 'incrbyfloat');
  c.bulk(text);
  // Replicas get the result, so that float formatting can never make them diverge.
  c.propagateAs(['SET', key, text, 'KEEPTTL']);
}

// ---- byte ranges ---------------------------------------------------------------

/** Strings up to this length are appended to as JS strings; longer ones become growable Buffers. */
const appendAsStringBytesMax = 64;

/** Redis's checkStringLength: false after replying that `length` exceeds proto-max-bulk-len. */
function checkStringLength(c: Client, length: number): boolean {
  if (length <= c.server.bulkBytesMax) return true;
  c.error('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
  return false;
}

function append(c: Client, argv: string[]): void {
  const key = argv[1];
  const suffix = argv[2];
  const v = c.db.lookupWrite(key);
  if (v !== undefined && !isString(v)) {
    c.error(wrongTypeError);
    return;
  }
  const length = (v === undefined ? 0 : v.length) + suffix.length;
  if (v === undefined || (typeof v === 'string' && length <= appendAsStringBytesMax)) {
    storeString(c, key, v, v === undefined ? suffix : v + suffix, 'append');
  } else {
    if (!checkStringLength(c, length)) return;
    const buf = writableString(v, length);
    buf.write(suffix, v.length, 'latin1');
    storeString(c, key, v, buf, 'append');
  }
  c.int(length);
}

function strlen(c: Client, argv: string[]): void {
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) c.int(0);
  else if (isString(v)) c.int(v.length);
  else c.error(wrongTypeError);
}

/** GETRANGE and SUBSTR. */
function getrange(c: Client, argv: string[]): void {
  let start = parseLongLong(argv[2]);
  let end = start === null ? null : parseLongLong(argv[3]);
  if (start === null || end === null) {
    c.error(notIntegerError);
    return;
  }
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) {
    c.bulk('');
    return;
  }
  if (!isString(v)) {
    c.error(wrongTypeError);
    return;
  }
  const length = v.length;
  if (start < 0 && end < 0 && start > end) {
    c.bulk('');
    return;
  }
  if (start < 0) start = Math.max(0, length + start);
  if (end < 0) end = Math.max(0, length + end);
  if (end >= length) end = length - 1;
  if (start > end || length === 0) c.bulk('');
  else if (typeof v === 'string') c.bulk(v.substring(start, end + 1));
  else replyString(c, v.subarray(start, end + 1));
}

function setrange(c: Client, argv: string[]): void {
  const key = argv[1];
  const patch = argv[3];
  const offset = parseLongLong(argv[2]);
  if (offset === null) {
    c.error(notIntegerError);
    return;
  }
  if (offset < 0) {
    c.error('ERR offset is out of range');
    return;
  }
  const db = c.db;
  const v = db.lookupWrite(key);
  if (v !== undefined && !isString(v)) {
    c.error(wrongTypeError);
    return;
  }
  // Writing nothing changes nothing, whatever the offset.
  if (patch.length === 0) {
    c.int(v === undefined ? 0 : v.length);
    return;
  }
  if (!checkStringLength(c, offset + patch.length)) return;
  const buf = writableString(v, offset + patch.length);
  buf.write(patch, offset, 'latin1');
  storeString(c, key, v, buf, 'setrange');
  c.int(buf.length);
}

// ---- LCS -----------------------------------------------------------------------

interface LcsMatch {
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

function lcs(c: Client, argv: string[]): void {
  const db = c.db;
  const va = db.lookupRead(argv[1]);
  const vb = db.lookupRead(argv[2]);
  if ((va !== undefined && !isString(va)) || (vb !== undefined && !isString(vb))) {
    c.error('ERR The specified keys must contain string values');
    return;
  }
  let wantLen = false;
  let wantIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = optionName(argv[j]);
    if (opt === 'idx') {
      wantIdx = true;
    } else if (opt === 'len') {
      wantLen = true;
    } else if (opt === 'withmatchlen') {
      withMatchLen = true;
    } else if (opt === 'minmatchlen' && j < argv.length - 1) {
      const n = parseLongLong(argv[++j]);
      if (n === null) {
        c.error(notIntegerError);
        return;
      }
      minMatchLen = Math.max(0, n);
    } else {
      c.error(syntaxError);
      return;
    }
  }
  if (wantIdx && wantLen) {
    c.error('ERR If you want both the length and indexes, please just use IDX.');
    return;
  }
  const a = va === undefined ? Buffer.alloc(0) : Buffer.from(asByteString(va), 'latin1');
  const b = vb === undefined ? Buffer.alloc(0) : Buffer.from(asByteString(vb), 'latin1');
  const alen = a.length;
  const blen = b.length;
  const width = blen + 1;
  // table[i * width + j]: length of the LCS of a[0, i) and b[0, j).
  let table: Uint32Array;
  try {
    table = new Uint32Array((alen + 1) * width);
  } catch {
    c.error('ERR Insufficient memory, failed allocating transient memory for LCS');
    return;
  }
  for (let i = 1; i <= alen; i++) {
    const row = i * width;
    const ai = a[i - 1];
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) {
        table[row + j] = table[row - width + j - 1] + 1;
      } else {
        const up = table[row - width + j];
        const left = table[row + j - 1];
        table[row + j] = up > left ? up : left;
      }
    }
  }
  const total = table[alen * width + blen];
  if (wantLen) {
    c.int(total);
    return;
  }
  // Walk back from the end, collecting the LCS and its matching ranges (last first, as Redis).
  const common = Buffer.alloc(total);
  const matches: LcsMatch[] = [];
  let open: LcsMatch | null = null;
  let k = total;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let close = false;
    if (a[i - 1] === b[j - 1]) {
      common[--k] = a[i - 1];
      if (open === null) open = { aStart: i - 1, aEnd: i - 1, bStart: j - 1, bEnd: j - 1 };
      else {
        open.aStart--;
        open.bStart--;
      }
      if (open.aStart === 0 || open.bStart === 0) close = true;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j] > table[i * width + j - 1]) i--;
      else j--;
      close = open !== null;
    }
    if (close && open !== null) {
      if (open.aEnd - open.aStart + 1 >= minMatchLen) matches.push(open);
      open = null;
    }
  }
  if (!wantIdx) {
    c.bulk(common);
    return;
  }
  c.mapLen(2);
  c.bulk('matches');
  c.arrayLen(matches.length);
  for (const m of matches) {
    c.arrayLen(withMatchLen ? 3 : 2);
    c.arrayLen(2);
    c.int(m.aStart);
    c.int(m.aEnd);
    c.arrayLen(2);
    c.int(m.bStart);
    c.int(m.bEnd);
    if (withMatchLen) c.int(m.aEnd - m.aStart + 1);
  }
  c.bulk('len');
  c.int(total);
}

export const stringCommands: CommandSpec[] = [
  { name: 'get', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['string'], run: get },
  { name: 'set', arity: -3, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: ['string'], run: set },
  { name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['string'], run: setnx },
  { name: 'setex', arity: 4, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: ['string'], run: setex },
  { name: 'psetex', arity: 4, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: ['string'], run: psetex },
  { name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['string'], run: getset },
  { name: 'getex', arity: -2, flags: ['write', 'fast'], keys: [1, 1, 1], acl: ['string'], run: getex },
  { name: 'getdel', arity: 2, flags: ['write', 'fast'], keys: [1, 1, 1], acl: ['string'], run: getdel },
  { name: 'mget', arity: -2, flags: ['readonly', 'fast'], keys: [1, -1, 1], acl: ['string'], run: mget },
  { name: 'mset', arity: -3, flags: ['write', 'denyoom'], keys: [1, -1, 2], acl: ['string'], run: mset },
  { name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], keys: [1, -1, 2], acl: ['string'], run: msetnx },
  { name: 'incr', arity: 2, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['string'], run: incr },
  { name: 'decr', arity: 2, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['string'], run: decr },
  { name: 'incrby', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['string'], run: incrby },
  { name: 'decrby', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['string'], run: decrby },
  {
    name: 'incrbyfloat',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    acl: ['string'],
    run: incrbyfloat,
  },
  { name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['string'], run: append },
  { name: 'strlen', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['string'], run: strlen },
  { name: 'getrange', arity: 4, flags: ['readonly'], keys: [1, 1, 1], acl: ['string'], run: getrange },
  { name: 'substr', arity: 4, flags: ['readonly'], keys: [1, 1, 1], acl: ['string'], run: getrange },
  { name: 'setrange', arity: 4, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: ['string'], run: setrange },
  { name: 'lcs', arity: -3, flags: ['readonly'], keys: [1, 2, 1], acl: ['string'], run: lcs },
];
