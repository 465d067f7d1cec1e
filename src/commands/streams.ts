// Stream commands, as Redis 7.0's t_stream.c: XADD/XTRIM/XDEL/XLEN/XRANGE,
// XREAD and consumer groups (XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM,
// XAUTOCLAIM), XINFO, XSETID. The structure is src/store/stream.ts.
//
// Consumer group reads and claims are not deterministic as sent, so, as
// Redis, they propagate what they did instead: an XCLAIM ... FORCE JUSTID
// per pending entry created or moved, XGROUP SETID when only the group's
// last ID moved, XGROUP CREATECONSUMER for a consumer NOACK reads created.
//
// XREAD/XREADGROUP BLOCK waits through server/blocking.ts; XADD (and
// XGROUP DESTROY) signal the key, and serveStreamWait answers the client.
//
// This file holds XADD/XTRIM/XDEL/XLEN/XRANGE/XREVRANGE/XREAD/XSETID and the
// whole command table; consumer groups are in stream-groups.ts, XINFO in
// stream-info.ts, and what they share in stream-common.ts.

import type { Client } from '../server/client.js';
import {
  compareIds,
  formatId,
  isZeroId,
  listpackMaxBytes,
  maxId,
  StreamValue,
  zeroId,
  type StreamEntry,
  type StreamId,
  type TrimSpec,
} from '../store/stream.js';
import { longArg } from './lists.js';
import type { CommandSpec } from './registry.js';
import { cString, optionName, syntaxError } from './strings.js';
import {
  bigIntArg,
  idArg,
  idArgs,
  intervalArg,
  invalidIdError,
  nodeLimits,
  noSuchKeyError,
  notify,
  type ParsedId,
  parseIdArg,
  replyEntries,
  streamAcl,
  streamAt,
  xreadGeneric,
  xreadKeys,
} from './stream-common.js';
import { pendingCommands, xgroupCommand, xreadgroupCommand } from './stream-groups.js';
import { xinfoCommand } from './stream-info.js';

// ---- XADD / XTRIM -----------------------------------------------------------------

interface AddTrimArgs {
  trim: TrimSpec | null;
  /** argv index of the MAXLEN/MINID value (argv index - 1 holds "~" or "=" when given). */
  trimArgIndex: number;
  /** XADD: argv index of the ID ("*" included). */
  idIndex: number;
  id: ParsedId | null;
  noMkStream: boolean;
}

/** MAXLEN's or LIMIT's count; null after the error reply. */
function nonNegativeArg(c: Client, arg: string, option: string): number | null {
  const n = longArg(c, arg);
  if (n === null || n >= 0) return n;
  c.error(`ERR The ${option} argument must be >= 0.`);
  return null;
}

/** Redis's streamParseAddOrTrimArgsOrReply; null after the error reply. */
function parseAddTrimArgs(c: Client, argv: string[], xadd: boolean): AddTrimArgs | null {
  let maxLen: number | undefined;
  let minId: StreamId | undefined;
  let approx = false;
  let limit = 0;
  let limitGiven = false;
  let trimArgIndex = 0;
  let id: ParsedId | null = null;
  let noMkStream = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const moreArgs = argv.length - 1 - i;
    const opt = optionName(argv[i]);
    if (xadd && cString(argv[i]) === '*') break;
    if ((opt === 'maxlen' || opt === 'minid') && moreArgs > 0) {
      if (maxLen !== undefined || minId !== undefined) {
        c.error('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
        return null;
      }
      const next = cString(argv[i + 1]);
      approx = moreArgs >= 2 && next === '~';
      if (moreArgs >= 2 && (next === '~' || next === '=')) i++;
      if (opt === 'maxlen') {
        const n = nonNegativeArg(c, argv[i + 1], 'MAXLEN');
        if (n === null) return null;
        maxLen = n;
      } else {
        const parsed = idArg(c, argv[i + 1], 0n, true);
        if (parsed === null) return null;
        minId = parsed;
      }
      trimArgIndex = ++i;
    } else if (opt === 'limit' && moreArgs > 0) {
      const n = nonNegativeArg(c, argv[i + 1], 'LIMIT');
      if (n === null) return null;
      limit = n;
      limitGiven = true;
      i++;
    } else if (xadd && opt === 'nomkstream') {
      noMkStream = true;
    } else if (xadd) {
      id = parseIdArg(argv[i], 0n, true, true);
      if (id === null) {
        c.error(invalidIdError);
        return null;
      }
      break;
    } else {
      c.error(syntaxError);
      return null;
    }
  }
  const strategy = maxLen !== undefined || minId !== undefined;
  if (limit !== 0 && !strategy) {
    c.error('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
    return null;
  }
  if (!xadd && !strategy) {
    c.error('ERR syntax error, XTRIM must be called with a trimming strategy');
    return null;
  }
  if (c.type === 'master') {
    // What the master sends was rewritten to the exact trim it made ("=" and LIMIT kept): no limit applies.
    limit = 0;
  } else if (limitGiven && !approx) {
    c.error('ERR syntax error, LIMIT cannot be used without the special ~ option');
    return null;
  } else if (!limitGiven) {
    // Without LIMIT, "~" trims at most 100 nodes' worth of entries (within 10000..1000000), so that trimming stays short.
    limit = approx ? 100 * c.server.config.getInt('stream-node-max-entries') : 0;
    if (approx) limit = limit <= 0 ? 10000 : Math.min(limit, 1000000);
  }
  return {
    trim: strategy ? { maxLen, minId, approx, limit } : null,
    trimArgIndex,
    idIndex: i,
    id,
    noMkStream,
  };
}

/**
 * Trims as `args` asks after XADD or for XTRIM. A "~" trim depends on the
 * node layout, so the form propagated in `argv` is rewritten to the exact
 * "=" trim it amounted to. How many entries went.
 */
function trimStream(c: Client, key: string, s: StreamValue, args: AddTrimArgs, argv: string[]): number {
  const trim = args.trim as TrimSpec;
  const deleted = s.trim(trim);
  if (deleted > 0) notify(c, 'xtrim', key);
  if (trim.approx) {
    argv[args.trimArgIndex - 1] = '=';
    argv[args.trimArgIndex] = trim.maxLen !== undefined ? String(s.length) : formatId(s.firstStoredId());
  }
  return deleted;
}

function xadd(c: Client, argv: string[]): void {
  const args = parseAddTrimArgs(c, argv, true);
  if (args === null) return;
  const fieldsAt = args.idIndex + 1;
  const pairCount = argv.length - fieldsAt;
  if (pairCount < 2 || pairCount % 2 === 1) {
    c.error("ERR wrong number of arguments for 'xadd' command");
    return;
  }
  const given = args.id;
  // Refused before the key is looked up, so that no empty stream is left behind.
  if (given !== null && given.seqGiven && isZeroId(given.id)) {
    c.error('ERR The ID specified in XADD must be greater than 0-0');
    return;
  }
  const key = argv[1];
  let s = streamAt(c, key, true);
  if (s === null) return;
  if (s === undefined) {
    if (args.noMkStream) {
      c.nullBulk();
      return;
    }
    s = new StreamValue();
    c.db.set(key, s);
  }
  if (compareIds(s.lastId, maxId) === 0) {
    c.error('ERR The stream has exhausted the last possible ID, unable to add more items');
    return;
  }
  const id = s.nextAddId(given?.id ?? null, given?.seqGiven ?? true, c.server.now());
  if (id === null || compareIds(id, s.lastId) <= 0) {
    c.error('ERR The ID specified in XADD is equal or smaller than the target stream top item');
    return;
  }
  const pairs = argv.slice(fieldsAt);
  let bytes = 0;
  for (const p of pairs) bytes += p.length;
  if (bytes > listpackMaxBytes) {
    c.error('ERR Elements are too large to be stored');
    return;
  }
  s.append(id, pairs, nodeLimits(c));
  const idText = formatId(id);
  c.bulk(idText);
  notify(c, 'xadd', key);
  c.server.dirty++;
  const propagated = argv.slice();
  if (args.trim !== null) trimStream(c, key, s, args, propagated);
  c.db.modified(key);
  // Replicas get the ID this entry was given, not "*" or "ms-*".
  if (given === null || !given.seqGiven) propagated[args.idIndex] = idText;
  c.propagateAs(propagated);
  c.server.blocking.signalKeyAsReady(c.db, key);
}

/** The stream XTRIM / XDEL removes from; null after replying (0 removed when the key is missing). */
function streamToShrink(c: Client, key: string): StreamValue | null {
  const s = streamAt(c, key, true);
  if (s === undefined) c.int(0);
  return s ?? null;
}

function xtrim(c: Client, argv: string[]): void {
  const args = parseAddTrimArgs(c, argv, false);
  if (args === null) return;
  const key = argv[1];
  const s = streamToShrink(c, key);
  if (s === null) return;
  const propagated = argv.slice();
  const deleted = trimStream(c, key, s, args, propagated);
  if (deleted > 0) {
    c.propagateAs(propagated);
    c.db.modified(key);
    c.server.dirty += deleted;
  }
  c.int(deleted);
}

// ---- XDEL / XLEN / XRANGE ---------------------------------------------------------

function xdel(c: Client, argv: string[]): void {
  const key = argv[1];
  const s = streamToShrink(c, key);
  if (s === null) return;
  const ids = idArgs(c, argv, 2);
  if (ids === null) return;
  const deleted = s.deleteIds(ids);
  if (deleted > 0) {
    c.db.modified(key);
    notify(c, 'xdel', key);
    c.server.dirty += deleted;
  }
  c.int(deleted);
}

function xlen(c: Client, argv: string[]): void {
  const s = streamAt(c, argv[1]);
  if (s !== null) c.int(s?.length ?? 0);
}

function rangeGeneric(c: Client, argv: string[], rev: boolean): void {
  const start = intervalArg(c, rev ? argv[3] : argv[2], true);
  if (start === null) return;
  const end = intervalArg(c, rev ? argv[2] : argv[3], false);
  if (end === null) return;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (optionName(argv[j]) === 'count' && j + 1 < argv.length) {
      const n = longArg(c, argv[++j]);
      if (n === null) return;
      count = Math.max(0, n);
    } else {
      c.error(syntaxError);
      return;
    }
  }
  const s = streamAt(c, argv[1]);
  if (s === null) return;
  if (s === undefined) {
    c.arrayLen(0);
    return;
  }
  if (count === 0) {
    c.nullArray();
    return;
  }
  const out: StreamEntry[] = [];
  for (const e of s.range(start, end, rev)) {
    out.push(e);
    if (out.length === count) break;
  }
  replyEntries(c, out);
}

function xrange(c: Client, argv: string[]): void {
  rangeGeneric(c, argv, false);
}

function xrevrange(c: Client, argv: string[]): void {
  rangeGeneric(c, argv, true);
}

// ---- XREAD -----------------------------------------------------------------------

function xread(c: Client, argv: string[]): void {
  xreadGeneric(c, argv, false);
}

// ---- XSETID -----------------------------------------------------------------------

function xsetid(c: Client, argv: string[]): void {
  const id = idArg(c, argv[2], 0n, true);
  if (id === null) return;
  let entriesAdded = -1n;
  let maxDeleted = zeroId;
  for (let i = 3; i < argv.length; i += 2) {
    const opt = optionName(argv[i]);
    const moreArgs = i < argv.length - 1;
    if (opt === 'entriesadded' && moreArgs) {
      const n = bigIntArg(c, argv[i + 1]);
      if (n === null) return;
      if (n < 0n) {
        c.error('ERR entries_added must be positive');
        return;
      }
      entriesAdded = n;
    } else if (opt === 'maxdeletedid' && moreArgs) {
      const m = idArg(c, argv[i + 1], 0n, true);
      if (m === null) return;
      if (compareIds(id, m) < 0) {
        c.error('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
        return;
      }
      maxDeleted = m;
    } else {
      c.error(syntaxError);
      return;
    }
  }
  const key = argv[1];
  const s = streamAt(c, key, true);
  if (s === null) return;
  if (s === undefined) {
    c.error(noSuchKeyError);
    return;
  }
  if (s.length > 0) {
    if (compareIds(id, s.lastValidId()) < 0) {
      c.error('ERR The ID specified in XSETID is smaller than the target stream top item');
      return;
    }
    if (entriesAdded !== -1n && BigInt(s.length) > entriesAdded) {
      c.error('ERR The entries_added specified in XSETID is smaller than the target stream length');
      return;
    }
  }
  s.lastId = id;
  if (entriesAdded !== -1n) s.entriesAdded = entriesAdded;
  if (!isZeroId(maxDeleted)) s.maxDeletedId = maxDeleted;
  c.ok();
  c.server.dirty++;
  notify(c, 'xsetid', key);
}

// ---- command table ------------------------------------------------------------------

export const streamCommands: CommandSpec[] = [
  { name: 'xadd', arity: -5, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: streamAcl, run: xadd },
  { name: 'xtrim', arity: -4, flags: ['write'], keys: [1, 1, 1], acl: streamAcl, run: xtrim },
  { name: 'xdel', arity: -3, flags: ['write', 'fast'], keys: [1, 1, 1], acl: streamAcl, run: xdel },
  { name: 'xlen', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: streamAcl, run: xlen },
  { name: 'xrange', arity: -4, flags: ['readonly'], keys: [1, 1, 1], acl: streamAcl, run: xrange },
  { name: 'xrevrange', arity: -4, flags: ['readonly'], keys: [1, 1, 1], acl: streamAcl, run: xrevrange },
  { name: 'xread', arity: -4, flags: ['readonly', 'blocking'], getKeys: xreadKeys, acl: streamAcl, run: xread },
  xreadgroupCommand,
  ...pendingCommands,
  { name: 'xsetid', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: streamAcl, run: xsetid },
  xgroupCommand,
  xinfoCommand,
];
