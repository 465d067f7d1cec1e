// List commands: pushes, pops (with count, and LMPOP over several keys),
// moves between lists, reads by index and range, LINSERT/LREM/LTRIM/LSET,
// LPOS. The structure itself is src/store/list.ts.
//
// Pop and move logic lives in exported generic functions (popGeneric,
// findListToPop, moveGeneric, parseMpopArgs, parseListEnd) so that blocking
// commands serve woken clients with exactly the same effects.

import type { Client } from '../server/client.js';
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../config/options.js';
import { ListValue } from '../store/list.js';
import { wrongTypeError, type Value } from '../store/value.js';
import { INT64_MIN, parseInt64, parseLongLong } from '../util/numbers.js';
import { keysAfterCount, type CommandSpec } from './registry.js';
import { notIntegerError, optionName, syntaxError } from './strings.js';

/** An end of a list: LEFT is the head, RIGHT the tail. */
export type ListEnd = 'left' | 'right';

/**
 * The list at `key` for a read or a write, as Redis's lookupKey*OrReply plus
 * checkType: undefined when the key is missing, null after a WRONGTYPE reply.
 */
function listAt(c: Client, key: string, forWrite: boolean): ListValue | undefined | null {
  const v: Value | undefined = forWrite ? c.db.lookupWrite(key) : c.db.lookupRead(key);
  if (v === undefined || v instanceof ListValue) return v;
  c.error(wrongTypeError);
  return null;
}

/** A signed 64-bit argument (Redis's getLongFromObjectOrReply); null after the error reply. */
export function longArg(c: Client, arg: string, errorMessage?: string): number | null {
  const n = parseLongLong(arg);
  if (n === null) c.error(errorMessage ?? notIntegerError);
  return n;
}

/**
 * A non-negative 64-bit argument (Redis's getPositiveLongFromObjectOrReply):
 * one error text for both a non-integer and a negative value; null after it.
 */
export function positiveLongArg(c: Client, arg: string, errorMessage = 'ERR value is out of range, must be positive'): number | null {
  const n = parseLongLong(arg);
  if (n !== null && n >= 0) return n;
  c.error(errorMessage);
  return null;
}

/** LEFT or RIGHT (any case); null after a syntax error reply. */
export function parseListEnd(c: Client, arg: string): ListEnd | null {
  const name = optionName(arg);
  if (name === 'left' || name === 'right') return name;
  c.error(syntaxError);
  return null;
}

// ---- push ---------------------------------------------------------------------

/** LPUSH, RPUSH, LPUSHX, RPUSHX. `onlyExisting`: the X forms, which never create the key. */
function pushGeneric(c: Client, argv: string[], where: ListEnd, onlyExisting: boolean): void {
  const key = argv[1];
  const existing = listAt(c, key, true);
  if (existing === null) return;
  if (existing === undefined && onlyExisting) {
    c.int(0);
    return;
  }
  const list = existing ?? new ListValue();
  for (let j = 2; j < argv.length; j++) {
    if (where === 'left') list.pushHead(argv[j]);
    else list.pushTail(argv[j]);
  }
  // A new key is stored once filled, so that clients blocked on it find elements.
  if (existing === undefined) c.db.set(key, list);
  else c.db.modified(key);
  c.server.dirty += argv.length - 2;
  c.int(list.length);
  c.server.notifyKeyspaceEvent(NOTIFY_LIST, where === 'left' ? 'lpush' : 'rpush', key, c.dbIndex);
}

// ---- pop ----------------------------------------------------------------------

/**
 * The effects of removing elements from the list at `key` (Redis's
 * listElementsRemoved): pop event, deletion of an emptied key with its `del`
 * event, WATCH signal, dirty.
 */
function elementsRemoved(c: Client, key: string, list: ListValue, where: ListEnd, count: number): void {
  c.server.notifyKeyspaceEvent(NOTIFY_LIST, where === 'left' ? 'lpop' : 'rpop', key, c.dbIndex);
  if (list.length === 0) {
    c.db.delete(key);
    c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, c.dbIndex);
  } else {
    c.db.modified(key);
  }
  c.server.dirty += count;
}

/**
 * Pops from the non-empty `list` stored at `key` and replies, with every
 * effect (events, deletion when emptied, WATCH, dirty; propagation is the
 * caller's). `count` undefined pops one element; a number pops up to that
 * many (at least 1). Replies:
 *   count undefined, !withKey: the element            (LPOP key)
 *   count given,     !withKey: [elements]              (LPOP key count)
 *   count undefined,  withKey: [key, element]          (BLPOP)
 *   count given,      withKey: [key, [elements]]       (LMPOP, BLMPOP)
 * Returns how many elements were popped.
 */
export function popGeneric(
  c: Client,
  key: string,
  list: ListValue,
  where: ListEnd,
  count: number | undefined,
  withKey: boolean,
): number {
  if (withKey) {
    c.arrayLen(2);
    c.bulk(key);
  }
  let popped = 1;
  if (count === undefined) {
    c.bulk(where === 'left' ? list.popHead() : list.popTail());
  } else {
    popped = Math.min(count, list.length);
    c.arrayLen(popped);
    for (let i = 0; i < popped; i++) c.bulk(where === 'left' ? list.popHead() : list.popTail());
  }
  elementsRemoved(c, key, list, where, popped);
  return popped;
}

/** LPOP and RPOP, with an optional count. */
function popCommand(c: Client, argv: string[], where: ListEnd): void {
  if (argv.length > 3) {
    c.error(`ERR wrong number of arguments for '${where === 'left' ? 'lpop' : 'rpop'}' command`);
    return;
  }
  let count: number | undefined;
  if (argv.length === 3) {
    const n = positiveLongArg(c, argv[2]);
    if (n === null) return;
    count = n;
  }
  const list = listAt(c, argv[1], true);
  if (list === null) return;
  if (list === undefined) {
    if (count === undefined) c.nullBulk();
    else c.nullArray();
  } else if (count === 0) {
    c.arrayLen(0);
  } else {
    popGeneric(c, argv[1], list, where, count, false);
  }
}

/**
 * The first of `keys` holding a list, as LMPOP and the blocking pops scan
 * them (lists are never empty: an emptied list is deleted). Undefined when
 * none does; null after a WRONGTYPE reply for a key met before one.
 */
export function findListToPop(c: Client, keys: readonly string[]): { key: string; list: ListValue } | undefined | null {
  for (const key of keys) {
    const list = listAt(c, key, true);
    if (list === null) return null;
    if (list !== undefined) return { key, list };
  }
  return undefined;
}

/** What LMPOP/ZMPOP and their blocking forms take: keys, an end word, a count. */
export interface MultiPopArgs<W extends string> {
  keys: string[];
  /** The end word after the keys, lower-cased: one of the `ends` given to parseMultiPopArgs. */
  where: W;
  /** COUNT, 1 when not given. */
  count: number;
}

/**
 * Arguments of LMPOP/ZMPOP (numkeysIndex 1) and BLMPOP/BZMPOP (numkeysIndex
 * 2): numkeys key... END [COUNT count], END one of `ends` (any case, e.g.
 * ['left', 'right'] or ['min', 'max']); null after the error reply.
 */
export function parseMultiPopArgs<W extends string>(
  c: Client,
  argv: string[],
  numkeysIndex: number,
  ends: readonly W[],
): MultiPopArgs<W> | null {
  const numkeysError = 'ERR numkeys should be greater than 0';
  const numkeys = longArg(c, argv[numkeysIndex], numkeysError);
  if (numkeys === null) return null;
  if (numkeys < 1) {
    c.error(numkeysError);
    return null;
  }
  const whereIndex = numkeysIndex + numkeys + 1;
  const where = (whereIndex < argv.length ? optionName(argv[whereIndex]) : '') as W;
  if (!ends.includes(where)) {
    c.error(syntaxError);
    return null;
  }
  let count: number | undefined;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    if (count !== undefined || optionName(argv[j]) !== 'count' || j === argv.length - 1) {
      c.error(syntaxError);
      return null;
    }
    const countError = 'ERR count should be greater than 0';
    const n = longArg(c, argv[++j], countError);
    if (n === null) return null;
    if (n < 1) {
      c.error(countError);
      return null;
    }
    count = n;
  }
  return { keys: argv.slice(numkeysIndex + 1, whereIndex), where, count: count ?? 1 };
}

const listEnds: readonly ListEnd[] = ['left', 'right'];

/** LMPOP (numkeysIndex 1) and BLMPOP (numkeysIndex 2) arguments; null after the error reply. */
export function parseMpopArgs(c: Client, argv: string[], numkeysIndex: number): MultiPopArgs<ListEnd> | null {
  return parseMultiPopArgs(c, argv, numkeysIndex, listEnds);
}

function lmpop(c: Client, argv: string[]): void {
  const args = parseMpopArgs(c, argv, 1);
  if (args === null) return;
  const found = findListToPop(c, args.keys);
  if (found === null) return;
  if (found === undefined) {
    c.nullArray();
    return;
  }
  const popped = popGeneric(c, found.key, found.list, args.where, args.count, true);
  // Replicas get the plain pop of the key actually served.
  c.propagateAs([args.where === 'left' ? 'LPOP' : 'RPOP', found.key, String(popped)]);
}

// ---- move ---------------------------------------------------------------------

/**
 * LMOVE/RPOPLPUSH (Redis's lmoveGenericCommand): pops from `src` at `from`,
 * pushes at `to` of `dst` (created when missing; may be `src` itself) and
 * replies with the element, or null when `src` is missing; WRONGTYPE for
 * either key before anything changes. Events: the push on `dst`, then the
 * pop on `src` (and `del` if emptied). Propagation is the caller's.
 * Returns whether an element moved.
 */
export function moveGeneric(c: Client, src: string, dst: string, from: ListEnd, to: ListEnd): boolean {
  const source = listAt(c, src, true);
  if (source === null) return false;
  if (source === undefined) {
    c.nullBulk();
    return false;
  }
  const existing = listAt(c, dst, true);
  if (existing === null) return false;
  const value = (from === 'left' ? source.popHead() : source.popTail()) as string;
  const target = existing ?? new ListValue();
  if (to === 'left') target.pushHead(value);
  else target.pushTail(value);
  if (existing === undefined) c.db.set(dst, target);
  else c.db.modified(dst);
  c.server.notifyKeyspaceEvent(NOTIFY_LIST, to === 'left' ? 'lpush' : 'rpush', dst, c.dbIndex);
  c.bulk(value);
  elementsRemoved(c, src, source, from, 1);
  return true;
}

function lmove(c: Client, argv: string[]): void {
  const from = parseListEnd(c, argv[3]);
  if (from === null) return;
  const to = parseListEnd(c, argv[4]);
  if (to === null) return;
  moveGeneric(c, argv[1], argv[2], from, to);
}

// ---- reads ----------------------------------------------------------------------

function llen(c: Client, argv: string[]): void {
  const list = listAt(c, argv[1], false);
  if (list !== null) c.int(list?.length ?? 0);
}

function lindex(c: Client, argv: string[]): void {
  const list = listAt(c, argv[1], false);
  if (list === null) return;
  if (list === undefined) {
    c.nullBulk();
    return;
  }
  const index = longArg(c, argv[2]);
  if (index !== null) c.bulk(list.at(index));
}

function lrange(c: Client, argv: string[]): void {
  const start = longArg(c, argv[2]);
  if (start === null) return;
  const stop = longArg(c, argv[3]);
  if (stop === null) return;
  const list = listAt(c, argv[1], false);
  if (list === null) return;
  c.bulks(list === undefined ? [] : list.range(start, stop));
}

const rankZeroError =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
function lpos(c: Client, argv: string[]): void {
  const element = argv[2];
  let rank = 1;
  let rankIsLongMin = false;
  let count = -1; // -1: no COUNT option
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = optionName(argv[j]);
    const more = j < argv.length - 1;
    if (opt === 'rank' && more) {
      const n = parseInt64(argv[++j]);
      if (n === null) {
        c.error(notIntegerError);
        return;
      }
      if (n === 0) {
        c.error(rankZeroError);
        return;
      }
      rankIsLongMin = n === INT64_MIN;
      rank = Number(n);
    } else if (opt === 'count' && more) {
      const n = positiveLongArg(c, argv[++j], "ERR COUNT can't be negative");
      if (n === null) return;
      count = n;
    } else if (opt === 'maxlen' && more) {
      const n = positiveLongArg(c, argv[++j], "ERR MAXLEN can't be negative");
      if (n === null) return;
      maxlen = n;
    } else {
      c.error(syntaxError);
      return;
    }
  }
  const fromTail = rank < 0;
  // Redis negates -2^63 into itself: every match then counts, and COUNT never stops the scan.
  if (rankIsLongMin) {
    rank = 1;
    if (count > 0) count = 0;
  }
  rank = Math.abs(rank);
  const list = listAt(c, argv[1], false);
  if (list === null) return;
  const len = list?.length ?? 0;
  const found: number[] = [];
  if (list !== undefined) {
    let index = 0;
    let matches = 0;
    for (const v of list.values(fromTail)) {
      if (maxlen !== 0 && index >= maxlen) break;
      if (v === element && ++matches >= rank) {
        found.push(fromTail ? len - 1 - index : index);
        if (count === -1 || (count !== 0 && found.length >= count)) break;
      }
      index++;
    }
  }
  if (count !== -1) {
    c.arrayLen(found.length);
    for (const i of found) c.int(i);
  } else if (found.length > 0) {
    c.int(found[0]);
  } else {
    c.nullBulk();
  }
}

// ---- in-place changes -------------------------------------------------------------

function lset(c: Client, argv: string[]): void {
  const key = argv[1];
  const list = listAt(c, key, true);
  if (list === null) return;
  if (list === undefined) {
    c.error('ERR no such key');
    return;
  }
  const index = longArg(c, argv[2]);
  if (index === null) return;
  if (!list.set(index, argv[3])) {
    c.error('ERR index out of range');
    return;
  }
  c.ok();
  c.db.modified(key);
  c.server.notifyKeyspaceEvent(NOTIFY_LIST, 'lset', key, c.dbIndex);
  c.server.dirty++;
}

function linsert(c: Client, argv: string[]): void {
  const key = argv[1];
  const place = optionName(argv[2]);
  if (place !== 'before' && place !== 'after') {
    c.error(syntaxError);
    return;
  }
  const list = listAt(c, key, true);
  if (list === null) return;
  if (list === undefined) {
    c.int(0);
    return;
  }
  if (!list.insert(argv[3], argv[4], place === 'after')) {
    c.int(-1);
    return;
  }
  c.db.modified(key);
  c.server.notifyKeyspaceEvent(NOTIFY_LIST, 'linsert', key, c.dbIndex);
  c.server.dirty++;
  c.int(list.length);
}

/** After LREM or LTRIM removed elements: delete an emptied key (with its event), else signal the change. */
function afterRemoval(c: Client, key: string, list: ListValue): void {
  if (list.length === 0) {
    c.db.delete(key);
    c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, c.dbIndex);
  } else {
    c.db.modified(key);
  }
}

function lrem(c: Client, argv: string[]): void {
  const key = argv[1];
  const count = longArg(c, argv[2]);
  if (count === null) return;
  const list = listAt(c, key, true);
  if (list === null) return;
  if (list === undefined) {
    c.int(0);
    return;
  }
  const removed = list.remove(argv[3], count);
  if (removed > 0) {
    c.server.dirty += removed;
    c.server.notifyKeyspaceEvent(NOTIFY_LIST, 'lrem', key, c.dbIndex);
    afterRemoval(c, key, list);
  }
  c.int(removed);
}

function ltrim(c: Client, argv: string[]): void {
  const key = argv[1];
  const start = longArg(c, argv[2]);
  if (start === null) return;
  const stop = longArg(c, argv[3]);
  if (stop === null) return;
  const list = listAt(c, key, true);
  if (list === null) return;
  if (list !== undefined) {
    const before = list.length;
    list.trim(start, stop);
    // As Redis: the event and the WATCH signal even when nothing was trimmed.
    c.server.notifyKeyspaceEvent(NOTIFY_LIST, 'ltrim', key, c.dbIndex);
    afterRemoval(c, key, list);
    c.server.dirty += before - list.length;
  }
  c.ok();
}

// ---- table ------------------------------------------------------------------------

const acl = ['list'] as const;
const oneKey = [1, 1, 1] as const;

export const listCommands: CommandSpec[] = [
  { name: 'lpush', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, acl, run: (c, a) => pushGeneric(c, a, 'left', false) },
  { name: 'rpush', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, acl, run: (c, a) => pushGeneric(c, a, 'right', false) },
  { name: 'lpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, acl, run: (c, a) => pushGeneric(c, a, 'left', true) },
  { name: 'rpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, acl, run: (c, a) => pushGeneric(c, a, 'right', true) },
  { name: 'lpop', arity: -2, flags: ['write', 'fast'], keys: oneKey, acl, run: (c, a) => popCommand(c, a, 'left') },
  { name: 'rpop', arity: -2, flags: ['write', 'fast'], keys: oneKey, acl, run: (c, a) => popCommand(c, a, 'right') },
  { name: 'lmpop', arity: -4, flags: ['write'], getKeys: keysAfterCount(1), acl, run: lmpop },
  { name: 'lmove', arity: 5, flags: ['write', 'denyoom'], keys: [1, 2, 1], acl, run: lmove },
  { name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], keys: [1, 2, 1], acl, run: (c, a) => moveGeneric(c, a[1], a[2], 'right', 'left') },
  { name: 'llen', arity: 2, flags: ['readonly', 'fast'], keys: oneKey, acl, run: llen },
  { name: 'lindex', arity: 3, flags: ['readonly'], keys: oneKey, acl, run: lindex },
  { name: 'lrange', arity: 4, flags: ['readonly'], keys: oneKey, acl, run: lrange },
  { name: 'lpos', arity: -3, flags: ['readonly'], keys: oneKey, acl, run: lpos },
  { name: 'lset', arity: 4, flags: ['write', 'denyoom'], keys: oneKey, acl, run: lset },
  { name: 'linsert', arity: 5, flags: ['write', 'denyoom'], keys: oneKey, acl, run: linsert },
  { name: 'lrem', arity: 4, flags: ['write'], keys: oneKey, acl, run: lrem },
  { name: 'ltrim', arity: 4, flags: ['write'], keys: oneKey, acl, run: ltrim },
];
