// Blocking pops: BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH, BZPOPMIN,
// BZPOPMAX, BZMPOP. With data (or inside EXEC) each acts as its plain form
// through the list and sorted set generics; otherwise the client blocks
// (server/blocking.ts) and is served later by the same generics, the pop
// propagated as the plain command.

import type { Client } from '../server/client.js';
import { timeoutFromArg } from '../server/blocking.js';
import { ListValue } from '../store/list.js';
import { ZSetValue } from '../store/zset.js';
import { wrongTypeError } from '../store/value.js';
import { lookupTyped } from './hashes.js';
import { findListToPop, moveGeneric, parseListEnd, parseMpopArgs, popGeneric, type ListEnd } from './lists.js';
import { keysAfterCount, type CommandSpec } from './registry.js';
import { parseZmpopArgs, zpopGeneric } from './zsets.js';

/**
 * Blocks `c` on `keys` until `serve(key)` succeeds for one of them. Inside
 * EXEC there is no waiting: `replyNone` answers as a timeout would.
 */
function blockOrReply(c: Client, keys: readonly string[], deadline: number, replyNone: () => void, serve: (key: string) => boolean): void {
  if (c.denyBlocking) replyNone();
  else c.server.blocking.block(c, { keys, deadline, serve });
}

// ---- lists ----------------------------------------------------------------------------

/** The plain pop replicas get: [LR]POP key, with the number popped when a count was given (BLMPOP). */
function listPopForm(where: ListEnd, key: string, count: number | undefined, popped: number): string[] {
  const form = [where === 'left' ? 'LPOP' : 'RPOP', key];
  if (count !== undefined) form.push(String(popped));
  return form;
}

/**
 * BLPOP/BRPOP (count undefined: replies [key, element]) and BLMPOP (replies
 * [key, [elements]]): pops from the first of `keys` holding a list, or blocks.
 */
function listPopOrBlock(c: Client, keys: readonly string[], where: ListEnd, count: number | undefined, deadline: number): void {
  const found = findListToPop(c, keys);
  if (found === null) return;
  if (found !== undefined) {
    const popped = popGeneric(c, found.key, found.list, where, count, true);
    c.propagateAs(listPopForm(where, found.key, count, popped));
    return;
  }
  blockOrReply(c, keys, deadline, () => c.nullArray(), (key) => {
    const list = c.db.lookup(key);
    if (!(list instanceof ListValue)) return false;
    const dirty = c.server.dirty;
    const popped = popGeneric(c, key, list, where, count, true);
    // Redis 7.0 counts a served BLMPOP's elements as changes, not a served BLPOP/BRPOP's.
    if (count === undefined) c.server.dirty = dirty;
    c.server.propagate(c.dbIndex, listPopForm(where, key, count, popped));
    return true;
  });
}

/** BLPOP/BRPOP key [key ...] timeout */
function blpop(c: Client, argv: string[], where: ListEnd): void {
  const deadline = timeoutFromArg(c, argv[argv.length - 1], 'seconds');
  if (deadline === null) return;
  listPopOrBlock(c, argv.slice(1, -1), where, undefined, deadline);
}

/** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function blmpop(c: Client, argv: string[]): void {
  const args = parseMpopArgs(c, argv, 2);
  if (args === null) return;
  const deadline = timeoutFromArg(c, argv[1], 'seconds');
  if (deadline === null) return;
  listPopOrBlock(c, args.keys, args.where, args.count, deadline);
}

/**
 * BLMOVE/BRPOPLPUSH: moves at once when `src` holds a list, else blocks on
 * it. `ends` is BLMOVE's spelling of the ends, which Redis keeps in the LMOVE
 * it propagates for an immediate move; null for BRPOPLPUSH.
 */
function moveOrBlock(c: Client, src: string, dst: string, from: ListEnd, to: ListEnd, deadline: number, ends: readonly [string, string] | null): void {
  const source = c.db.lookupWrite(src);
  if (source !== undefined && !(source instanceof ListValue)) {
    c.error(wrongTypeError);
    return;
  }
  if (source !== undefined) {
    if (moveGeneric(c, src, dst, from, to)) c.propagateAs(ends ? ['LMOVE', src, dst, ...ends] : ['RPOPLPUSH', src, dst]);
    return;
  }
  blockOrReply(c, [src], deadline, () => c.nullBulk(), () => {
    if (!(c.db.lookup(src) instanceof ListValue)) return false;
    const dirty = c.server.dirty;
    // A destination of another type ends the wait with WRONGTYPE and leaves the element, as in Redis.
    if (moveGeneric(c, src, dst, from, to)) {
      c.server.propagate(c.dbIndex, ends ? ['LMOVE', src, dst, from, to] : ['RPOPLPUSH', src, dst]);
    }
    // Redis 7.0 does not count a served move as a change.
    c.server.dirty = dirty;
    return true;
  });
}

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
function blmove(c: Client, argv: string[]): void {
  const from = parseListEnd(c, argv[3]);
  if (from === null) return;
  const to = parseListEnd(c, argv[4]);
  if (to === null) return;
  const deadline = timeoutFromArg(c, argv[5], 'seconds');
  if (deadline === null) return;
  moveOrBlock(c, argv[1], argv[2], from, to, deadline, [argv[3], argv[4]]);
}

/** BRPOPLPUSH source destination timeout */
function brpoplpush(c: Client, argv: string[]): void {
  const deadline = timeoutFromArg(c, argv[3], 'seconds');
  if (deadline === null) return;
  moveOrBlock(c, argv[1], argv[2], 'right', 'left', deadline, null);
}

// ---- sorted sets ------------------------------------------------------------------------

/**
 * Pops from the sorted set at `key` (of `size` members) and returns the
 * plain form replicas get: ZPOPMIN/ZPOPMAX key, with the number popped for
 * BZMPOP (count -1 is BZPOPMIN/BZPOPMAX, replying [key, member, score]).
 */
function zpopFrom(c: Client, key: string, size: number, max: boolean, count: number): string[] {
  const multi = count !== -1;
  zpopGeneric(c, [key], max, count, true, multi, multi);
  const form = [max ? 'ZPOPMAX' : 'ZPOPMIN', key];
  if (multi) form.push(String(Math.min(count, size)));
  return form;
}

/** BZPOPMIN/BZPOPMAX/BZMPOP (Redis's blockingGenericZpopCommand): pops from the first existing sorted set, or blocks. */
function zpopOrBlock(c: Client, keys: readonly string[], max: boolean, count: number, deadline: number): void {
  for (const key of keys) {
    const zs = lookupTyped(c, key, ZSetValue, true);
    if (zs === null) return;
    if (zs === undefined) continue;
    c.propagateAs(zpopFrom(c, key, zs.size, max, count));
    return;
  }
  blockOrReply(c, keys, deadline, () => c.nullArray(), (key) => {
    const zs = c.db.lookup(key);
    if (!(zs instanceof ZSetValue)) return false;
    c.server.propagate(c.dbIndex, zpopFrom(c, key, zs.size, max, count));
    return true;
  });
}

/** BZPOPMIN/BZPOPMAX key [key ...] timeout */
function bzpop(c: Client, argv: string[], max: boolean): void {
  const deadline = timeoutFromArg(c, argv[argv.length - 1], 'seconds');
  if (deadline === null) return;
  zpopOrBlock(c, argv.slice(1, -1), max, -1, deadline);
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] */
function bzmpop(c: Client, argv: string[]): void {
  const args = parseZmpopArgs(c, argv, 2);
  if (args === null) return;
  const deadline = timeoutFromArg(c, argv[1], 'seconds');
  if (deadline === null) return;
  zpopOrBlock(c, args.keys, args.max, args.count, deadline);
}

const keysThenTimeout = [1, -2, 1] as const;
const twoKeys = [1, 2, 1] as const;

export const blockingCommands: CommandSpec[] = [
  { name: 'blpop', arity: -3, flags: ['write', 'noscript', 'blocking'], keys: keysThenTimeout, acl: ['list'], run: (c, a) => blpop(c, a, 'left') },
  { name: 'brpop', arity: -3, flags: ['write', 'noscript', 'blocking'], keys: keysThenTimeout, acl: ['list'], run: (c, a) => blpop(c, a, 'right') },
  { name: 'blmpop', arity: -5, flags: ['write', 'blocking'], getKeys: keysAfterCount(2), acl: ['list'], run: blmpop },
  { name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'noscript', 'blocking'], keys: twoKeys, acl: ['list'], run: blmove },
  { name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'noscript', 'blocking'], keys: twoKeys, acl: ['list'], run: brpoplpush },
  { name: 'bzpopmin', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], keys: keysThenTimeout, acl: ['sortedset'], run: (c, a) => bzpop(c, a, false) },
  { name: 'bzpopmax', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], keys: keysThenTimeout, acl: ['sortedset'], run: (c, a) => bzpop(c, a, true) },
  { name: 'bzmpop', arity: -5, flags: ['write', 'blocking'], getKeys: keysAfterCount(2), acl: ['sortedset'], run: bzmpop },
];
