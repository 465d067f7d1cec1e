// Set commands, as Redis 7.0's t_set.c.
//
// Reply order follows Redis where it is deterministic: an intset iterates in
// ascending integer order, so SMEMBERS, SINTER, SUNION, SDIFF and whole-set
// SPOP/SRANDMEMBER replies of small integer sets match it byte for byte.

import type { Client } from '../server/client.js';
import { NOTIFY_GENERIC, NOTIFY_SET } from '../config/options.js';
import { sampleDistinct, SetValue, setIntsetMax } from '../store/set.js';
import { wrongTypeError } from '../store/value.js';
import { parseInt64, parseLongLong } from '../util/numbers.js';
import { lookupTyped, parseRandomCount, removeMembers, scanCollection } from './hashes.js';
import type { CommandHandler, CommandSpec } from './registry.js';
import { optionName, syntaxError } from './strings.js';

function notifySet(c: Client, event: string, key: string): void {
  c.server.notifyKeyspaceEvent(NOTIFY_SET, event, key, c.dbIndex);
}

function notifyDel(c: Client, key: string): void {
  c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, c.dbIndex);
}

function sadd(c: Client, argv: string[]): void {
  const key = argv[1];
  let s = lookupTyped(c, key, SetValue, true);
  if (s === null) return;
  if (s === undefined) {
    s = new SetValue();
    c.db.set(key, s);
  }
  const intsetMax = setIntsetMax(c.server.config);
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (s.add(argv[i], intsetMax)) added++;
  if (added > 0) {
    c.db.modified(key);
    notifySet(c, 'sadd', key);
  }
  c.server.dirty += added;
  c.int(added);
}

function srem(c: Client, argv: string[]): void {
  const s = lookupTyped(c, argv[1], SetValue, true);
  if (s !== null) removeMembers(c, argv[1], s, argv.slice(2), NOTIFY_SET, 'srem');
}

function scard(c: Client, argv: string[]): void {
  const s = lookupTyped(c, argv[1], SetValue);
  if (s !== null) c.int(s?.size ?? 0);
}

function sismember(c: Client, argv: string[]): void {
  const s = lookupTyped(c, argv[1], SetValue);
  if (s !== null) c.int(s?.has(argv[2]) ? 1 : 0);
}

function smismember(c: Client, argv: string[]): void {
  const s = lookupTyped(c, argv[1], SetValue);
  if (s === null) return;
  c.arrayLen(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.int(s?.has(argv[i]) ? 1 : 0);
}

function smove(c: Client, argv: string[]): void {
  const [, src, dst, member] = argv;
  const from = c.db.lookupWrite(src);
  const to = c.db.lookupWrite(dst);
  if (from === undefined) {
    c.int(0);
    return;
  }
  if (!(from instanceof SetValue) || (to !== undefined && !(to instanceof SetValue))) {
    c.error(wrongTypeError);
    return;
  }
  if (from === to) {
    c.int(from.has(member) ? 1 : 0);
    return;
  }
  if (!from.delete(member)) {
    c.int(0);
    return;
  }
  notifySet(c, 'srem', src);
  if (from.size === 0) {
    c.db.delete(src);
    notifyDel(c, src);
  }
  let target = to;
  if (target === undefined) {
    target = new SetValue();
    c.db.set(dst, target);
  }
  c.db.modified(src);
  c.server.dirty++;
  if (target.add(member, setIntsetMax(c.server.config))) {
    c.server.dirty++;
    c.db.modified(dst);
    notifySet(c, 'sadd', dst);
  }
  c.int(1);
}

// ---- random members -------------------------------------------------------------------

/** SPOP / SRANDMEMBER key [count]: `withCount` with a count, `single` without, a syntax error past it. */
function optionalCount(single: CommandHandler, withCount: CommandHandler): CommandHandler {
  return (c, argv) => {
    if (argv.length === 3) withCount(c, argv);
    else if (argv.length > 3) c.error(syntaxError);
    else single(c, argv);
  };
}

function spop(c: Client, argv: string[]): void {
  const key = argv[1];
  const s = lookupTyped(c, key, SetValue, true);
  if (s === null) return;
  if (s === undefined) {
    c.nullBulk();
    return;
  }
  const member = s.random();
  s.delete(member);
  notifySet(c, 'spop', key);
  c.propagateAs(['SREM', key, member]);
  c.bulk(member);
  if (s.size === 0) {
    c.db.delete(key);
    notifyDel(c, key);
  }
  c.db.modified(key);
  c.server.dirty++;
}

/**
 * How many times the members left must outnumber those popped for SPOP to
 * pop one by one; otherwise it picks the members to keep into a new set, as
 * Redis's SPOP_MOVE_STRATEGY_MUL (visible: the new set may be an intset).
 */
const spopMoveStrategyMul = 5;

function spopWithCount(c: Client, argv: string[]): void {
  const n = parseInt64(argv[2]);
  if (n === null || n < 0) {
    c.error('ERR value is out of range, must be positive');
    return;
  }
  const key = argv[1];
  const s = lookupTyped(c, key, SetValue, true);
  if (s === null) return;
  const count = Number(n);
  if (s === undefined || count === 0) {
    c.setLen(0);
    return;
  }
  const size = s.size;
  notifySet(c, 'spop', key);
  if (count >= size) {
    replyMembers(c, s, size, true);
    c.db.delete(key);
    notifyDel(c, key);
    c.propagateAs(['DEL', key]);
    c.server.dirty += size;
    return;
  }
  // Replicas get one SREM per popped member.
  const forms: string[][] = [];
  const popped = (member: string): void => {
    c.bulk(member);
    forms.push(['SREM', key, member]);
  };
  c.setLen(count);
  let remaining = size - count;
  if (remaining * spopMoveStrategyMul > count) {
    for (let i = 0; i < count; i++) {
      const member = s.random();
      s.delete(member);
      popped(member);
    }
  } else {
    const intsetMax = setIntsetMax(c.server.config);
    const kept = new SetValue();
    while (remaining-- > 0) {
      const member = s.random();
      kept.add(member, intsetMax);
      s.delete(member);
    }
    for (const member of s) popped(member);
    c.db.update(key, kept);
  }
  c.propagateAs(...forms);
  c.db.modified(key);
  c.server.dirty += count;
}

function srandmember(c: Client, argv: string[]): void {
  const s = lookupTyped(c, argv[1], SetValue);
  if (s !== null) c.bulk(s?.random());
}

function srandmemberWithCount(c: Client, argv: string[]): void {
  const n = parseRandomCount(c, argv[2]);
  if (n === null) return;
  const s = lookupTyped(c, argv[1], SetValue);
  if (s === null) return;
  const count = Math.abs(n);
  if (s === undefined || count === 0) {
    c.arrayLen(0);
    return;
  }
  if (n < 0) {
    // Independent picks: repeats allowed.
    c.arrayLen(count);
    for (let i = 0; i < count; i++) c.bulk(s.random());
  } else if (count >= s.size) {
    replyMembers(c, s, s.size, false);
  } else {
    c.bulks(sampleDistinct(s, count));
  }
}

// ---- set algebra ----------------------------------------------------------------------

/** Replies `size` members in their order, as a set (`~` in RESP3) or an array. */
function replyMembers(c: Client, members: Iterable<string>, size: number, asSet: boolean): void {
  if (asSet) c.setLen(size);
  else c.arrayLen(size);
  for (const m of members) c.bulk(m);
}

/**
 * The sets at `keys`, a missing key as undefined; null after a WRONGTYPE
 * reply. Every key is checked, even after a missing one, as in Redis 7.0.
 */
function lookupSets(c: Client, keys: readonly string[]): Array<SetValue | undefined> | null {
  const sets: Array<SetValue | undefined> = [];
  for (const key of keys) {
    const s = lookupTyped(c, key, SetValue);
    if (s === null) return null;
    sets.push(s);
  }
  return sets;
}

/**
 * Members common to all `sets`, in the order of the smallest one (what Redis
 * replies); with `limit` > 0, stops once that many are found (SINTERCARD).
 */
function intersection(sets: ReadonlyArray<SetValue | undefined>, limit = 0): string[] {
  const present = sets.filter((s): s is SetValue => s !== undefined);
  if (present.length < sets.length) return [];
  const [smallest, ...others] = present.sort((a, b) => a.size - b.size);
  const out: string[] = [];
  for (const m of smallest) {
    if (!others.every((s) => s === smallest || s.has(m))) continue;
    out.push(m);
    if (out.length === limit) break;
  }
  return out;
}

type SetOp = 'inter' | 'union' | 'diff';

/** The result of `op` over `sets` as a new set (whose encoding is what Redis's would be). */
function combine(op: SetOp, sets: ReadonlyArray<SetValue | undefined>, intsetMax: number): SetValue {
  if (op === 'inter') return SetValue.from(intersection(sets), intsetMax);
  const result = new SetValue();
  if (op === 'union') {
    for (const s of sets) if (s !== undefined) for (const m of s) result.add(m, intsetMax);
    return result;
  }
  const [first, ...others] = sets;
  if (first === undefined) return result;
  for (const m of first) {
    if (!others.some((s) => s !== undefined && (s === first || s.has(m)))) result.add(m, intsetMax);
  }
  return result;
}

/**
 * SINTER/SUNION/SDIFF and their STORE forms (`dest` not null), SMEMBERS (an
 * SINTER of one key, as in Redis). A stored empty result deletes `dest`.
 */
function setAlgebra(c: Client, op: SetOp, keys: readonly string[], dest: string | null): void {
  const sets = lookupSets(c, keys);
  if (sets === null) return;
  if (dest === null) {
    // An intersection replies in the smallest set's order without building a set, as Redis.
    const members = op === 'inter' ? intersection(sets) : [...combine(op, sets, setIntsetMax(c.server.config))];
    replyMembers(c, members, members.length, true);
    return;
  }
  const result = combine(op, sets, setIntsetMax(c.server.config));
  if (result.size > 0) {
    c.db.set(dest, result);
    c.int(result.size);
    notifySet(c, `s${op}store`, dest);
    c.server.dirty++;
  } else {
    c.int(0);
    if (c.db.delete(dest)) {
      c.server.dirty++;
      notifyDel(c, dest);
    }
  }
}

/** Key positions of SINTERCARD numkeys key [key ...]. */
function sintercardKeys(argv: string[]): number[] {
  const n = parseLongLong(argv[1]);
  if (n === null || n < 1 || n > argv.length - 2) return [];
  return Array.from({ length: n }, (_, i) => i + 2);
}

function sintercard(c: Client, argv: string[]): void {
  const numkeys = parseLongLong(argv[1]);
  if (numkeys === null || numkeys < 1) {
    c.error('ERR numkeys should be greater than 0');
    return;
  }
  if (numkeys > argv.length - 2) {
    c.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    if (optionName(argv[j]) === 'limit' && j + 1 < argv.length) {
      const l = parseLongLong(argv[++j]);
      if (l === null || l < 0) {
        c.error("ERR LIMIT can't be negative");
        return;
      }
      limit = l;
    } else {
      c.error(syntaxError);
      return;
    }
  }
  const sets = lookupSets(c, argv.slice(2, 2 + numkeys));
  if (sets !== null) c.int(intersection(sets, limit).length);
}

export const setCommands: CommandSpec[] = [
  { name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['set'], run: sadd },
  { name: 'srem', arity: -3, flags: ['write', 'fast'], keys: [1, 1, 1], acl: ['set'], run: srem },
  { name: 'scard', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['set'], run: scard },
  { name: 'sismember', arity: 3, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['set'], run: sismember },
  { name: 'smismember', arity: -3, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['set'], run: smismember },
  { name: 'smembers', arity: 2, flags: ['readonly'], keys: [1, 1, 1], acl: ['set'], run: (c, argv) => setAlgebra(c, 'inter', [argv[1]], null) },
  { name: 'spop', arity: -2, flags: ['write', 'fast'], keys: [1, 1, 1], acl: ['set'], run: optionalCount(spop, spopWithCount) },
  { name: 'srandmember', arity: -2, flags: ['readonly'], keys: [1, 1, 1], acl: ['set'], run: optionalCount(srandmember, srandmemberWithCount) },
  { name: 'smove', arity: 4, flags: ['write', 'fast'], keys: [1, 2, 1], acl: ['set'], run: smove },
  { name: 'sinter', arity: -2, flags: ['readonly'], keys: [1, -1, 1], acl: ['set'], run: (c, argv) => setAlgebra(c, 'inter', argv.slice(1), null) },
  { name: 'sintercard', arity: -3, flags: ['readonly'], getKeys: sintercardKeys, acl: ['set'], run: sintercard },
  { name: 'sinterstore', arity: -3, flags: ['write', 'denyoom'], keys: [1, -1, 1], acl: ['set'], run: (c, argv) => setAlgebra(c, 'inter', argv.slice(2), argv[1]) },
  { name: 'sunion', arity: -2, flags: ['readonly'], keys: [1, -1, 1], acl: ['set'], run: (c, argv) => setAlgebra(c, 'union', argv.slice(1), null) },
  { name: 'sunionstore', arity: -3, flags: ['write', 'denyoom'], keys: [1, -1, 1], acl: ['set'], run: (c, argv) => setAlgebra(c, 'union', argv.slice(2), argv[1]) },
  { name: 'sdiff', arity: -2, flags: ['readonly'], keys: [1, -1, 1], acl: ['set'], run: (c, argv) => setAlgebra(c, 'diff', argv.slice(1), null) },
  { name: 'sdiffstore', arity: -3, flags: ['write', 'denyoom'], keys: [1, -1, 1], acl: ['set'], run: (c, argv) => setAlgebra(c, 'diff', argv.slice(2), argv[1]) },
  { name: 'sscan', arity: -3, flags: ['readonly'], keys: [1, 1, 1], acl: ['set'], run: (c, argv) => scanCollection(c, argv, SetValue) },
];
