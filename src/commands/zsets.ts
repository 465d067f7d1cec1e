// Sorted set commands, as Redis 7.0's t_zset.c: ZADD/ZINCRBY (zaddGeneric),
// the ZRANGE family and ZRANGESTORE (zrangeGeneric), ZUNION/ZINTER/ZDIFF,
// their STORE forms and ZINTERCARD (zsetopGeneric), pops (zpopGeneric, also
// serving the blocking pops), removals, counts, ranks, ZRANDMEMBER, ZSCAN.

import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../config/options.js';
import type { Client } from '../server/client.js';
import { sampleDistinct, SetValue } from '../store/set.js';
import { wrongTypeError } from '../store/value.js';
import {
  lexGteMin,
  lexLteMax,
  scoreGteMin,
  scoreLteMax,
  zsetLimits,
  ZSetValue,
  type LexBound,
  type LexRange,
  type ScoreRange,
  type ZEntry,
  type ZSetLimits,
} from '../store/zset.js';
import { parseDouble } from '../util/numbers.js';
import { lookupTyped, parseRandomArgs, removeMembers, scanCollection } from './hashes.js';
import { longArg, parseMultiPopArgs, positiveLongArg } from './lists.js';
import { keysAfterCount, type CommandSpec } from './registry.js';
import { cString, optionName, syntaxError } from './strings.js';

const notFloatError = 'ERR value is not a valid float';
const nanError = 'ERR resulting score is not a number (NaN)';
const scoreRangeError = 'ERR min or max is not a float';
const lexRangeError = 'ERR min or max not valid string range item';

/** The sorted set at `key`: undefined when missing, null after a WRONGTYPE reply. */
function zsetAt(c: Client, key: string, forWrite = false): ZSetValue | undefined | null {
  return lookupTyped(c, key, ZSetValue, forWrite);
}

/**
 * `n` members, with their scores when `withScores`: one flat array, or with
 * `nested` one [member, score] array per member (RESP3's form).
 */
function replyEntries(c: Client, n: number, entries: Iterable<ZEntry>, withScores: boolean, nested = withScores && c.resp === 3): void {
  c.arrayLen(withScores && !nested ? n * 2 : n);
  writeEntries(c, entries, withScores, nested);
}

/** The elements of replyEntries' array, without its header. */
function writeEntries(c: Client, entries: Iterable<ZEntry>, withScores: boolean, nested: boolean): void {
  for (const e of entries) {
    if (nested) c.arrayLen(2);
    c.bulk(e.member);
    if (withScores) c.double(e.score);
  }
}

/** Deletes `key` once its sorted set is empty, with the `del` event, as every removing command does. */
function deleteIfEmpty(c: Client, key: string, zs: ZSetValue): void {
  if (zs.size > 0) return;
  c.db.delete(key);
  c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, c.dbIndex);
}

// ---- range arguments --------------------------------------------------------------

/**
 * C's strtod over a whole argument, as Redis's zslParseRange reads score
 * bounds (not string2d): leading white space, "inf", overflow to ±inf and
 * "" (as 0) are accepted; NaN and trailing bytes are not. Null when invalid.
 */
function strtodArg(arg: string): number | null {
  const s = cString(arg);
  if (s === '') return 0;
  const body = s.replace(/^[ \t\n\v\f\r]+/, '');
  const v = parseDouble(body);
  if (v !== null) return v;
  // parseDouble refuses what overflows or underflows; strtod gives ±inf or ±0 for it.
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+$/.test(body)) return Number(body);
  const hex = /^([+-]?)0[xX](?=\.?[0-9a-fA-F])0*([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(body);
  if (hex === null) return null;
  // Out of range either way: the binary magnitude tells which way.
  const big = 4 * hex[2].length + Number(hex[4]) > 0;
  return (hex[1] === '-' ? -1 : 1) * (big ? Infinity : 0);
}

/** A score range from ZRANGEBYSCORE-style bounds ("1.5", "(1.5", "-inf", "+inf"); null when invalid. */
export function parseScoreRange(min: string, max: string): ScoreRange | null {
  const lo = parseScoreBound(min);
  const hi = parseScoreBound(max);
  if (lo === null || hi === null) return null;
  return { min: lo[0], minex: lo[1], max: hi[0], maxex: hi[1] };
}

function parseScoreBound(arg: string): [number, boolean] | null {
  const ex = arg.charCodeAt(0) === 40; // '('
  const v = strtodArg(ex ? arg.slice(1) : arg);
  return v === null ? null : [v, ex];
}

/** A lex range from ZRANGEBYLEX-style bounds ("[a", "(a", "-", "+"); null when invalid. */
export function parseLexRange(min: string, max: string): LexRange | null {
  const lo = parseLexBound(min);
  const hi = parseLexBound(max);
  return lo === null || hi === null ? null : { min: lo, max: hi };
}

function parseLexBound(arg: string): LexBound | null {
  const first = arg.charCodeAt(0);
  // "+" and "-" stand alone (C sees the string end at a NUL byte too).
  const alone = arg.length === 1 || arg.charCodeAt(1) === 0;
  if (first === 43 /* + */ && alone) return { inf: 1, value: '', ex: true };
  if (first === 45 /* - */ && alone) return { inf: -1, value: '', ex: true };
  if (first === 40 /* ( */ || first === 91 /* [ */) return { inf: 0, value: arg.slice(1), ex: first === 40 };
  return null;
}

// ---- ZADD, ZINCRBY ------------------------------------------------------------------

interface ZaddFlags {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
  incr: boolean;
}

type AddOutcome = 'added' | 'updated' | 'same' | 'nop' | 'nan';

/**
 * Redis's zsetAdd: adds or updates one member under the ZADD flags. Returns
 * what happened and the member's resulting score (what INCR replies).
 */
function zsetAdd(zs: ZSetValue, member: string, score: number, f: ZaddFlags, limits: ZSetLimits): [AddOutcome, number] {
  const current = zs.score(member);
  if (current === undefined) {
    if (f.xx) return ['nop', score];
    zs.insert(member, score, limits);
    return ['added', score];
  }
  if (f.nx) return ['nop', score];
  if (f.incr) {
    score += current;
    if (Number.isNaN(score)) return ['nan', score];
  }
  if ((f.lt && score >= current) || (f.gt && score <= current)) return ['nop', score];
  // -0 and 0 compare equal: no update, as in Redis.
  if (score === current) return ['same', score];
  zs.setScore(member, score);
  return ['updated', score];
}

/**
 * ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ... and ZINCRBY key
 * increment member (`incr`), as Redis's zaddGenericCommand: options first,
 * then every score is checked before anything changes. Exported for GEOADD,
 * which Redis runs as a ZADD.
 */
export function zaddGeneric(c: Client, argv: string[], incr: boolean): void {
  const key = argv[1];
  const f: ZaddFlags = { nx: false, xx: false, gt: false, lt: false, incr };
  let ch = false;
  let first = 2;
  for (; first < argv.length; first++) {
    const opt = optionName(argv[first]);
    if (opt === 'nx') f.nx = true;
    else if (opt === 'xx') f.xx = true;
    else if (opt === 'ch') ch = true;
    else if (opt === 'incr') f.incr = true;
    else if (opt === 'gt') f.gt = true;
    else if (opt === 'lt') f.lt = true;
    else break;
  }
  const args = argv.length - first;
  if (args === 0 || args % 2 !== 0) {
    c.error(syntaxError);
    return;
  }
  if (f.nx && f.xx) {
    c.error('ERR XX and NX options at the same time are not compatible');
    return;
  }
  if ((f.gt || f.lt) && (f.nx || (f.gt && f.lt))) {
    c.error('ERR GT, LT, and/or NX options at the same time are not compatible');
    return;
  }
  if (f.incr && args > 2) {
    c.error('ERR INCR option supports a single increment-element pair');
    return;
  }
  const scores: number[] = [];
  for (let i = first; i < argv.length; i += 2) {
    const score = parseDouble(argv[i]);
    if (score === null) {
      c.error(notFloatError);
      return;
    }
    scores.push(score);
  }
  let zs = zsetAt(c, key, true);
  if (zs === null) return;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  const limits = zsetLimits(c.server.config);
  if (zs === undefined && !f.xx) {
    // As Redis 7.0: a skiplist from the start only when listpacks are off or the first member is too long.
    zs = new ZSetValue(limits.entries === 0 || argv[first + 1].length > limits.value ? 'skiplist' : 'listpack');
    c.db.set(key, zs);
  }
  if (zs !== undefined) {
    for (let j = 0; j < scores.length; j++) {
      const [outcome, newScore] = zsetAdd(zs, argv[first + 1 + 2 * j], scores[j], f, limits);
      if (outcome === 'nan') {
        c.error(nanError);
        return;
      }
      if (outcome === 'added') added++;
      else if (outcome === 'updated') updated++;
      if (outcome !== 'nop') processed++;
      score = newScore;
    }
  }
  c.server.dirty += added + updated;
  if (!f.incr) c.int(ch ? added + updated : added);
  else if (processed > 0) c.double(score);
  else c.nullBulk();
  if (added + updated > 0) {
    c.db.modified(key);
    c.server.notifyKeyspaceEvent(NOTIFY_ZSET, f.incr ? 'zincr' : 'zadd', key, c.dbIndex);
  }
}

// ---- simple reads ------------------------------------------------------------------

function zrem(c: Client, argv: string[]): void {
  const zs = zsetAt(c, argv[1], true);
  if (zs !== null) removeMembers(c, argv[1], zs, argv.slice(2), NOTIFY_ZSET, 'zrem');
}

function zcard(c: Client, argv: string[]): void {
  const zs = zsetAt(c, argv[1]);
  if (zs !== null) c.int(zs?.size ?? 0);
}

function zscore(c: Client, argv: string[]): void {
  const zs = zsetAt(c, argv[1]);
  if (zs === null) return;
  const score = zs?.score(argv[2]);
  if (score === undefined) c.nullBulk();
  else c.double(score);
}

function zmscore(c: Client, argv: string[]): void {
  const zs = zsetAt(c, argv[1]);
  if (zs === null) return;
  c.arrayLen(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = zs?.score(argv[i]);
    if (score === undefined) c.nullBulk();
    else c.double(score);
  }
}

function zrank(c: Client, argv: string[], reverse: boolean): void {
  const zs = zsetAt(c, argv[1]);
  if (zs === null) return;
  const rank = zs?.rank(argv[2], reverse);
  if (rank === undefined) c.nullBulk();
  else c.int(rank);
}

/** ZCOUNT and ZLEXCOUNT: the range is checked before the key. */
function zcountGeneric(c: Client, argv: string[], kind: 'score' | 'lex'): void {
  const spec = parseRange(c, kind, argv[2], argv[3]);
  if (spec === null) return;
  const zs = zsetAt(c, argv[1]);
  if (zs === null) return;
  if (zs === undefined) c.int(0);
  else c.int(spec.kind === 'score' ? zs.countInScore(spec.range) : zs.countInLex((spec as LexSpec).range));
}

// ---- ZRANGE family -------------------------------------------------------------------

type RangeKind = 'rank' | 'score' | 'lex';

/** A parsed range argument pair: ranks (negative from the end), a score range or a lex range. */
interface RankSpec {
  kind: 'rank';
  start: number;
  end: number;
}
interface ScoreSpec {
  kind: 'score';
  range: ScoreRange;
}
interface LexSpec {
  kind: 'lex';
  range: LexRange;
}
type RangeSpec = RankSpec | ScoreSpec | LexSpec;

/** Parses min and max as `kind` wants them; null after the error reply. */
function parseRange(c: Client, kind: RangeKind, min: string, max: string): RangeSpec | null {
  if (kind === 'rank') {
    const start = longArg(c, min);
    if (start === null) return null;
    const end = longArg(c, max);
    return end === null ? null : { kind, start, end };
  }
  if (kind === 'score') {
    const range = parseScoreRange(min, max);
    if (range !== null) return { kind, range };
    c.error(scoreRangeError);
    return null;
  }
  const range = parseLexRange(min, max);
  if (range !== null) return { kind, range };
  c.error(lexRangeError);
  return null;
}

/** Whether a walk over a score or lex range in `reverse` order may go on past `e`. */
function stillInRange(e: ZEntry, spec: ScoreSpec | LexSpec, reverse: boolean): boolean {
  if (spec.kind === 'score') return reverse ? scoreGteMin(e.score, spec.range) : scoreLteMax(e.score, spec.range);
  return reverse ? lexGteMin(e.member, spec.range.min) : lexLteMax(e.member, spec.range.max);
}

/**
 * The members of a range, in order (from the top when `reverse`). Ranks are
 * Redis's (clamped, empty when start > end). A score or lex range is walked
 * as Redis walks it: from the first (or, reversed, the last) member in
 * range, skip `offset` members, then take up to `limit` (negative: all)
 * while still in range; a negative offset walks off the end: nothing.
 */
function rangeEntries(zs: ZSetValue, spec: RangeSpec, reverse: boolean, offset = 0, limit = -1): ZEntry[] {
  const out: ZEntry[] = [];
  const len = zs.size;
  if (spec.kind === 'rank') {
    let { start, end } = spec;
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (start > end || start >= len) return out;
    const n = Math.min(end, len - 1) - start + 1;
    for (const e of zs.walk(reverse ? len - 1 - start : start, reverse)) {
      out.push(e);
      if (out.length === n) break;
    }
    return out;
  }
  if (offset < 0 || (offset > 0 && offset >= len)) return out;
  let rank: number | null;
  if (spec.kind === 'score') rank = reverse ? zs.lastInScore(spec.range) : zs.firstInScore(spec.range);
  else rank = reverse ? zs.lastInLex(spec.range) : zs.firstInLex(spec.range);
  if (rank === null) return out;
  for (const e of zs.walk(reverse ? rank - offset : rank + offset, reverse)) {
    if (out.length === limit || !stillInRange(e, spec, reverse)) break;
    out.push(e);
  }
  return out;
}

/** Replaces `dst` with a sorted set of `entries` (ZRANGESTORE, the STORE set operations), or deletes it; replies the size. */
function storeResult(c: Client, dst: string, zs: ZSetValue, event: string): void {
  if (zs.size > 0) {
    c.db.set(dst, zs);
    c.int(zs.size);
    c.server.notifyKeyspaceEvent(NOTIFY_ZSET, event, dst, c.dbIndex);
    c.server.dirty++;
    return;
  }
  c.int(0);
  if (c.db.delete(dst)) {
    c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', dst, c.dbIndex);
    c.server.dirty++;
  }
}

/**
 * Redis's zrangeGenericCommand, for ZRANGE, ZREVRANGE, ZRANGEBYSCORE,
 * ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX (`kind`/`reverse` fixed by the
 * command, or undefined for ZRANGE's options to choose) and ZRANGESTORE
 * (`dst`, source at argv[2]).
 */
function zrangeGeneric(c: Client, argv: string[], dst: string | null, kind: RangeKind | undefined, reverse: boolean | undefined): void {
  const src = dst === null ? 1 : 2;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = src + 3; j < argv.length; j++) {
    const opt = optionName(argv[j]);
    if (dst === null && opt === 'withscores') {
      withScores = true;
    } else if (opt === 'limit' && argv.length - j - 1 >= 2) {
      const o = longArg(c, argv[j + 1]);
      if (o === null) return;
      const l = longArg(c, argv[j + 2]);
      if (l === null) return;
      offset = o;
      limit = l;
      j += 2;
    } else if (reverse === undefined && opt === 'rev') {
      reverse = true;
    } else if (kind === undefined && opt === 'bylex') {
      kind = 'lex';
    } else if (kind === undefined && opt === 'byscore') {
      kind = 'score';
    } else {
      c.error(syntaxError);
      return;
    }
  }
  reverse ??= false;
  kind ??= 'rank';
  if (limit !== -1 && kind === 'rank') {
    c.error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
    return;
  }
  if (withScores && kind === 'lex') {
    c.error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
    return;
  }
  // Reversed score and lex ranges are given as max, min.
  const [min, max] = reverse && kind !== 'rank' ? [argv[src + 2], argv[src + 1]] : [argv[src + 1], argv[src + 2]];
  const spec = parseRange(c, kind, min, max);
  if (spec === null) return;
  const zs = zsetAt(c, argv[src]);
  if (zs === null) return;
  const entries = zs === undefined ? [] : rangeEntries(zs, spec, reverse, offset, limit);
  if (dst === null) {
    replyEntries(c, entries.length, entries, withScores);
    return;
  }
  const out = new ZSetValue();
  const limits = zsetLimits(c.server.config);
  for (const e of entries) out.insert(e.member, e.score, limits);
  storeResult(c, dst, out, 'zrangestore');
}

// ---- removals by range -----------------------------------------------------------------

/** ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX (Redis's zremrangeGenericCommand). */
function zremrangeGeneric(c: Client, argv: string[], kind: RangeKind): void {
  const key = argv[1];
  const spec = parseRange(c, kind, argv[2], argv[3]);
  if (spec === null) return;
  const zs = zsetAt(c, key, true);
  if (zs === null) return;
  if (zs === undefined) {
    c.int(0);
    return;
  }
  const doomed = rangeEntries(zs, spec, false);
  const deleted = doomed.length > 0 ? zs.deleteRanks(zs.rank(doomed[0].member)!, zs.rank(doomed[doomed.length - 1].member)!) : 0;
  if (deleted > 0) {
    c.db.modified(key);
    c.server.notifyKeyspaceEvent(NOTIFY_ZSET, `zremrangeby${kind}`, key, c.dbIndex);
    deleteIfEmpty(c, key, zs);
  }
  c.server.dirty += deleted;
  c.int(deleted);
}

// ---- pops ------------------------------------------------------------------------------

/**
 * Redis's genericZpopCommand. Pops up to `count` members (-1: one, replied
 * flat) from the lowest (or, with `max`, the highest) scores of the first of
 * `keys` that exists; WRONGTYPE for a non-zset met on the way. Replies:
 *   emitKey false, nested false:  [member, score, ...]            (ZPOPMIN/MAX; RESP2 or no count)
 *   emitKey false, nested true:   [[member, score], ...]          (ZPOPMIN/MAX count in RESP3)
 *   emitKey true,  nested false:  [key, member, score, ...]       (BZPOPMIN/MAX)
 *   emitKey true,  nested true:   [key, [[member, score], ...]]   (ZMPOP, BZMPOP)
 * When no key exists it replies a null array if `nullWhenEmpty`, else an
 * empty array. Sends the events, counts dirty, deletes an emptied key.
 * Returns the key popped from, or null when nothing was popped (also after
 * an error). Propagation is the caller's: Redis sends the plain pop,
 * ZPOPMIN/ZPOPMAX key [count].
 */
export function zpopGeneric(c: Client, keys: readonly string[], max: boolean, count: number, emitKey: boolean, nested: boolean, nullWhenEmpty: boolean): string | null {
  let key: string | undefined;
  let zs: ZSetValue | undefined;
  for (const k of keys) {
    const v = zsetAt(c, k, true);
    if (v === null) return null;
    if (v !== undefined) {
      key = k;
      zs = v;
      break;
    }
  }
  if (key === undefined || zs === undefined) {
    if (nullWhenEmpty) c.nullArray();
    else c.arrayLen(0);
    return null;
  }
  if (count === 0) {
    c.arrayLen(0);
    return null;
  }
  const n = Math.min(count === -1 ? 1 : count, zs.size);
  const popped: ZEntry[] = [];
  for (let i = 0; i < n; i++) popped.push(zs.pop(max)!);
  c.server.dirty += n;
  c.server.notifyKeyspaceEvent(NOTIFY_ZSET, max ? 'zpopmax' : 'zpopmin', key, c.dbIndex);
  c.db.modified(key);
  if (emitKey && !nested) {
    // BZPOPMIN/BZPOPMAX: the key, then members and scores, in one flat array.
    c.arrayLen(n * 2 + 1);
    c.bulk(key);
    writeEntries(c, popped, true, false);
  } else {
    if (emitKey) {
      c.arrayLen(2);
      c.bulk(key);
    }
    replyEntries(c, n, popped, true, nested);
  }
  deleteIfEmpty(c, key, zs);
  return key;
}

/** ZPOPMIN / ZPOPMAX key [count]. */
function zpopCommand(c: Client, argv: string[], max: boolean): void {
  if (argv.length > 3) {
    c.error(syntaxError);
    return;
  }
  let count = -1;
  if (argv.length === 3) {
    const n = positiveLongArg(c, argv[2]);
    if (n === null) return;
    count = n;
  }
  zpopGeneric(c, [argv[1]], max, count, false, c.resp === 3 && count !== -1, false);
}

export interface ZmpopArgs {
  keys: string[];
  /** MAX rather than MIN. */
  max: boolean;
  /** COUNT, 1 when not given. */
  count: number;
}

const zmpopEnds: readonly string[] = ['min', 'max'];

/**
 * Arguments of ZMPOP (numkeysIndex 1) and BZMPOP (numkeysIndex 2):
 * numkeys key... MIN|MAX [COUNT count]; null after the error reply.
 */
export function parseZmpopArgs(c: Client, argv: string[], numkeysIndex: number): ZmpopArgs | null {
  const args = parseMultiPopArgs(c, argv, numkeysIndex, zmpopEnds);
  return args === null ? null : { keys: args.keys, max: args.where === 'max', count: args.count };
}

function zmpop(c: Client, argv: string[]): void {
  const args = parseZmpopArgs(c, argv, 1);
  if (args === null) return;
  const key = zpopGeneric(c, args.keys, args.max, args.count, true, true, true);
  // Replicas get the plain pop of the key actually served.
  if (key !== null) c.propagateAs([args.max ? 'ZPOPMAX' : 'ZPOPMIN', key, String(args.count)]);
}

// ---- ZRANDMEMBER -------------------------------------------------------------------------

/** ZRANDMEMBER key [count [WITHSCORES]] (Redis's zrandmemberCommand and zrandmemberWithCountCommand). */
function zrandmember(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    const zs = zsetAt(c, argv[1]);
    if (zs === null) return;
    if (zs === undefined) c.nullBulk();
    else c.bulk(zs.at(Math.floor(Math.random() * zs.size))!.member);
    return;
  }
  const args = parseRandomArgs(c, argv, 'withscores');
  if (args === null) return;
  const [count, withScores] = args;
  const zs = zsetAt(c, argv[1]);
  if (zs === null) return;
  if (zs === undefined || count === 0) {
    c.arrayLen(0);
    return;
  }
  const size = zs.size;
  const random = (): ZEntry => zs.at(Math.floor(Math.random() * size))!;
  if (count < 0 || count === 1) {
    // Repetitions allowed: independent draws, in random order, replied as drawn.
    const draws = Math.abs(count);
    replyEntries(c, draws, (function* () {
      for (let i = 0; i < draws; i++) yield random();
    })(), withScores);
  } else if (count >= size) {
    // The whole set, from the highest score down, as Redis 7.0 replies it.
    replyEntries(c, size, zs.walk(size - 1, true), withScores);
  } else {
    const picked = sampleDistinct({ size, random: () => random().member, [Symbol.iterator]: () => zs.members.keys() }, count);
    replyEntries(c, count, picked.map((m) => zs.members.get(m)!), withScores);
  }
}

// ---- ZUNION, ZINTER, ZDIFF and their STORE forms, ZINTERCARD ---------------------------------

type SetOp = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

/** One input of a set operation: a sorted set, a plain set (every score 1) or a missing key. */
interface OpSource {
  value: ZSetValue | SetValue | undefined;
  weight: number;
}

function sourceSize(s: OpSource): number {
  return s.value?.size ?? 0;
}

/** [member, score] of every element of a source, in Redis's iteration order. */
function* sourceEntries(s: OpSource): IterableIterator<[string, number]> {
  if (s.value instanceof ZSetValue) for (const e of s.value) yield [e.member, e.score];
  else if (s.value !== undefined) for (const m of s.value) yield [m, 1];
}

/** The score of `member` in a source, undefined when it is not there. */
function sourceScore(s: OpSource, member: string): number | undefined {
  if (s.value instanceof ZSetValue) return s.value.score(member);
  return s.value?.has(member) ? 1 : undefined;
}

/** Redis's zunionInterAggregate: a sum that is NaN (inf + -inf) counts as 0; MIN/MAX ignore NaN. */
function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === 'sum') {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (how === 'min') return value < target ? value : target;
  return value > target ? value : target;
}

/** A weighted score; NaN (0 * inf) counts as 0. */
function weighted(score: number, weight: number): number {
  const v = score * weight;
  return Number.isNaN(v) ? 0 : v;
}

/** Members of the first source that are in none of the others, with their scores. */
function zdiff(sources: readonly OpSource[], out: ZSetValue, limits: ZSetLimits): void {
  next: for (const [member, score] of sourceEntries(sources[0])) {
    for (let i = 1; i < sources.length; i++) if (sourceScore(sources[i], member) !== undefined) continue next;
    out.insert(member, score, limits);
  }
}

/**
 * Redis's zunionInterDiffGenericCommand: ZUNION, ZINTER, ZDIFF (dst null),
 * ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE (dst given) and ZINTERCARD
 * (`cardinality`). numkeys is at argv[numkeysIndex]; sets count as sorted
 * sets with every score 1.
 */
function zsetopGeneric(c: Client, argv: string[], dst: string | null, numkeysIndex: number, op: SetOp, cardinality = false): void {
  const setnum = longArg(c, argv[numkeysIndex]);
  if (setnum === null) return;
  if (setnum < 1) {
    c.error(`ERR at least 1 input key is needed for '${argv[0].toLowerCase()}' command`);
    return;
  }
  if (setnum > argv.length - numkeysIndex - 1) {
    c.error(syntaxError);
    return;
  }
  const sources: OpSource[] = [];
  let j = numkeysIndex + 1;
  for (; j < numkeysIndex + 1 + setnum; j++) {
    const v = c.db.lookupRead(argv[j]);
    if (v !== undefined && !(v instanceof ZSetValue) && !(v instanceof SetValue)) {
      c.error(wrongTypeError);
      return;
    }
    sources.push({ value: v, weight: 1 });
  }
  let how: Aggregate = 'sum';
  let withScores = false;
  let limit = 0;
  const weightsAllowed = op !== 'diff' && !cardinality;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const opt = optionName(argv[j]);
    if (weightsAllowed && remaining >= setnum + 1 && opt === 'weights') {
      j++;
      for (const s of sources) {
        const w = parseDouble(argv[j++]);
        if (w === null) {
          c.error('ERR weight value is not a float');
          return;
        }
        s.weight = w;
      }
    } else if (weightsAllowed && remaining >= 2 && opt === 'aggregate') {
      const name = optionName(argv[j + 1]);
      if (name !== 'sum' && name !== 'min' && name !== 'max') {
        c.error(syntaxError);
        return;
      }
      how = name;
      j += 2;
    } else if (dst === null && !cardinality && opt === 'withscores') {
      withScores = true;
      j++;
    } else if (cardinality && remaining >= 2 && opt === 'limit') {
      const l = positiveLongArg(c, argv[j + 1], "ERR LIMIT can't be negative");
      if (l === null) return;
      limit = l;
      j += 2;
    } else {
      c.error(syntaxError);
      return;
    }
  }
  // Smallest inputs first (a stable sort, like glibc's qsort): it decides the order scores are aggregated in.
  if (op !== 'diff') sources.sort((a, b) => sourceSize(a) - sourceSize(b));
  const limits = zsetLimits(c.server.config);
  const out = new ZSetValue('skiplist');
  let count = 0;
  if (op === 'inter') {
    if (sourceSize(sources[0]) > 0) {
      for (const [member, score] of sourceEntries(sources[0])) {
        let acc = weighted(score, sources[0].weight);
        let inAll = true;
        for (let i = 1; i < sources.length && inAll; i++) {
          const other = sourceScore(sources[i], member);
          if (other === undefined) inAll = false;
          else acc = aggregate(acc, other * sources[i].weight, how);
        }
        if (!inAll) continue;
        if (cardinality) {
          count++;
          if (limit > 0 && count >= limit) break;
        } else {
          out.insert(member, acc, limits);
        }
      }
    }
  } else if (op === 'union') {
    const acc = new Map<string, number>();
    for (const s of sources) {
      for (const [member, score] of sourceEntries(s)) {
        const v = weighted(score, s.weight);
        const prev = acc.get(member);
        acc.set(member, prev === undefined ? v : aggregate(prev, v, how));
      }
    }
    for (const [member, score] of acc) out.insert(member, score, limits);
  } else {
    zdiff(sources, out, limits);
  }
  if (cardinality) {
    c.int(count);
  } else if (dst !== null) {
    out.shrinkIfFits(limits);
    storeResult(c, dst, out, `z${op}store`);
  } else {
    replyEntries(c, out.size, out, withScores);
  }
}

// ---- ZSCAN, the table ---------------------------------------------------------------------

function zscan(c: Client, argv: string[]): void {
  scanCollection(c, argv, ZSetValue);
}

/** Key positions of ZUNIONSTORE-like commands: the inputs after numkeys, then the destination. */
function storeKeys(argv: string[]): number[] {
  const inputs = keysAfterCount(2)(argv);
  return inputs.length === 0 ? [] : [...inputs, 1];
}

const acl = ['sortedset'] as const;
const oneKey = [1, 1, 1] as const;

export const zsetCommands: CommandSpec[] = [
  { name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: oneKey, acl, run: (c, a) => zaddGeneric(c, a, false) },
  { name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: oneKey, acl, run: (c, a) => zaddGeneric(c, a, true) },
  { name: 'zrem', arity: -3, flags: ['write', 'fast'], keys: oneKey, acl, run: zrem },
  { name: 'zcard', arity: 2, flags: ['readonly', 'fast'], keys: oneKey, acl, run: zcard },
  { name: 'zcount', arity: 4, flags: ['readonly', 'fast'], keys: oneKey, acl, run: (c, a) => zcountGeneric(c, a, 'score') },
  { name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], keys: oneKey, acl, run: (c, a) => zcountGeneric(c, a, 'lex') },
  { name: 'zscore', arity: 3, flags: ['readonly', 'fast'], keys: oneKey, acl, run: zscore },
  { name: 'zmscore', arity: -3, flags: ['readonly', 'fast'], keys: oneKey, acl, run: zmscore },
  { name: 'zrank', arity: 3, flags: ['readonly', 'fast'], keys: oneKey, acl, run: (c, a) => zrank(c, a, false) },
  { name: 'zrevrank', arity: 3, flags: ['readonly', 'fast'], keys: oneKey, acl, run: (c, a) => zrank(c, a, true) },
  { name: 'zrange', arity: -4, flags: ['readonly'], keys: oneKey, acl, run: (c, a) => zrangeGeneric(c, a, null, undefined, undefined) },
  { name: 'zrevrange', arity: -4, flags: ['readonly'], keys: oneKey, acl, run: (c, a) => zrangeGeneric(c, a, null, 'rank', true) },
  { name: 'zrangebyscore', arity: -4, flags: ['readonly'], keys: oneKey, acl, run: (c, a) => zrangeGeneric(c, a, null, 'score', false) },
  { name: 'zrevrangebyscore', arity: -4, flags: ['readonly'], keys: oneKey, acl, run: (c, a) => zrangeGeneric(c, a, null, 'score', true) },
  { name: 'zrangebylex', arity: -4, flags: ['readonly'], keys: oneKey, acl, run: (c, a) => zrangeGeneric(c, a, null, 'lex', false) },
  { name: 'zrevrangebylex', arity: -4, flags: ['readonly'], keys: oneKey, acl, run: (c, a) => zrangeGeneric(c, a, null, 'lex', true) },
  { name: 'zrangestore', arity: -5, flags: ['write', 'denyoom'], keys: [1, 2, 1], acl, run: (c, a) => zrangeGeneric(c, a, a[1], undefined, undefined) },
  { name: 'zremrangebyrank', arity: 4, flags: ['write'], keys: oneKey, acl, run: (c, a) => zremrangeGeneric(c, a, 'rank') },
  { name: 'zremrangebyscore', arity: 4, flags: ['write'], keys: oneKey, acl, run: (c, a) => zremrangeGeneric(c, a, 'score') },
  { name: 'zremrangebylex', arity: 4, flags: ['write'], keys: oneKey, acl, run: (c, a) => zremrangeGeneric(c, a, 'lex') },
  { name: 'zpopmin', arity: -2, flags: ['write', 'fast'], keys: oneKey, acl, run: (c, a) => zpopCommand(c, a, false) },
  { name: 'zpopmax', arity: -2, flags: ['write', 'fast'], keys: oneKey, acl, run: (c, a) => zpopCommand(c, a, true) },
  { name: 'zmpop', arity: -4, flags: ['write'], getKeys: keysAfterCount(1), acl, run: zmpop },
  { name: 'zrandmember', arity: -2, flags: ['readonly'], keys: oneKey, acl, run: zrandmember },
  { name: 'zunion', arity: -3, flags: ['readonly'], getKeys: keysAfterCount(1), acl, run: (c, a) => zsetopGeneric(c, a, null, 1, 'union') },
  { name: 'zinter', arity: -3, flags: ['readonly'], getKeys: keysAfterCount(1), acl, run: (c, a) => zsetopGeneric(c, a, null, 1, 'inter') },
  { name: 'zdiff', arity: -3, flags: ['readonly'], getKeys: keysAfterCount(1), acl, run: (c, a) => zsetopGeneric(c, a, null, 1, 'diff') },
  { name: 'zunionstore', arity: -4, flags: ['write', 'denyoom'], keys: oneKey, getKeys: storeKeys, acl, run: (c, a) => zsetopGeneric(c, a, a[1], 2, 'union') },
  { name: 'zinterstore', arity: -4, flags: ['write', 'denyoom'], keys: oneKey, getKeys: storeKeys, acl, run: (c, a) => zsetopGeneric(c, a, a[1], 2, 'inter') },
  { name: 'zdiffstore', arity: -4, flags: ['write', 'denyoom'], keys: oneKey, getKeys: storeKeys, acl, run: (c, a) => zsetopGeneric(c, a, a[1], 2, 'diff') },
  { name: 'zintercard', arity: -3, flags: ['readonly'], getKeys: keysAfterCount(1), acl, run: (c, a) => zsetopGeneric(c, a, null, 1, 'inter', true) },
  { name: 'zscan', arity: -3, flags: ['readonly'], keys: oneKey, acl, run: zscan },
];
