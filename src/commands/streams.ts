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

import type { Client } from '../server/client.js';
import { timeoutFromArg } from '../server/blocking.js';
import { NOTIFY_STREAM } from '../config/options.js';
import {
  compareIds,
  countDelivery,
  entriesReadUnknown,
  formatId,
  isZeroId,
  listpackMaxBytes,
  maxId,
  predecessorId,
  StreamValue,
  successorId,
  U64_MAX,
  zeroId,
  type Consumer,
  type ConsumerGroup,
  type IdMap,
  type NodeLimits,
  type PendingEntry,
  type StreamEntry,
  type StreamId,
  type TrimSpec,
} from '../store/stream.js';
import { formatInt, INT64_MAX, parseInt64, parseLongLongBig } from '../util/numbers.js';
import { replyHelp, subcommandSyntaxError } from './client.js';
import { lookupTyped } from './hashes.js';
import { longArg } from './lists.js';
import type { CommandSpec } from './registry.js';
import { cString, notIntegerError, optionName, syntaxError } from './strings.js';

const invalidIdError = 'ERR Invalid stream ID specified as stream command argument';
const noSuchKeyError = 'ERR no such key';

// ---- arguments ------------------------------------------------------------------

/** C's isspace in the "C" locale. */
function isSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

/**
 * Redis's string2ull: a strict integer that is not negative, or else
 * whatever strtoull accepts whole (leading spaces, a sign, leading zeros;
 * a minus sign wraps around 2^64). Null when it is not a uint64.
 */
function parseU64(s: string): bigint | null {
  const ll = parseInt64(s);
  if (ll !== null) return ll < 0 ? null : BigInt(ll);
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') negative = s[i++] === '-';
  const digits = i;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === digits || i !== s.length) return null;
  const v = BigInt(s.slice(digits));
  if (v > U64_MAX) return null;
  return negative ? BigInt.asUintN(64, -v) : v;
}

interface ParsedId {
  id: StreamId;
  /** False for "ms-*": the sequence is to be generated (XADD only). */
  seqGiven: boolean;
}

/**
 * Redis's streamGenericParseIDOrReply without the reply: "ms-seq", "ms"
 * (sequence `missingSeq`), "-" and "+" unless `strict`, "ms-*" when
 * `seqStar`. Read as a C string (up to a NUL), at most 127 bytes.
 */
function parseIdArg(arg: string, missingSeq: bigint, strict: boolean, seqStar = false): ParsedId | null {
  if (arg.length > 127) return null;
  const s = cString(arg);
  if (s === '-' || s === '+') return strict ? null : { id: s === '-' ? zeroId : maxId, seqGiven: true };
  const dash = s.indexOf('-');
  const ms = parseU64(dash === -1 ? s : s.slice(0, dash));
  if (ms === null) return null;
  if (dash === -1) return { id: { ms, seq: missingSeq }, seqGiven: true };
  const rest = s.slice(dash + 1);
  if (seqStar && rest === '*') return { id: { ms, seq: 0n }, seqGiven: false };
  const seq = parseU64(rest);
  return seq === null ? null : { id: { ms, seq }, seqGiven: true };
}

/** A stream ID argument (- and + allowed unless `strict`); null after the error reply. */
function idArg(c: Client, arg: string, missingSeq: bigint, strict: boolean): StreamId | null {
  const parsed = parseIdArg(arg, missingSeq, strict);
  if (parsed === null) c.error(invalidIdError);
  return parsed?.id ?? null;
}

/**
 * One end of a range (Redis's streamParseIntervalIDOrReply): "(" makes it
 * exclusive, turned into the next (start) or previous (end) ID. Null after
 * the error reply.
 */
function intervalArg(c: Client, arg: string, isStart: boolean): StreamId | null {
  const exclusive = arg.length > 1 && arg[0] === '(';
  const id = idArg(c, exclusive ? arg.slice(1) : arg, isStart ? 0n : maxId.seq, exclusive);
  if (id === null || !exclusive) return id;
  const moved = isStart ? successorId(id) : predecessorId(id);
  if (moved === null) c.error(`ERR invalid ${isStart ? 'start' : 'end'} ID for the interval`);
  return moved;
}

/** A long long kept exact (counters that replies echo); null after the error reply. */
function bigIntArg(c: Client, arg: string): bigint | null {
  const n = parseLongLongBig(arg);
  if (n === null) c.error(notIntegerError);
  return n;
}

function streamAt(c: Client, key: string, forWrite = false): StreamValue | undefined | null {
  return lookupTyped(c, key, StreamValue, forWrite);
}

function nodeLimits(c: Client): NodeLimits {
  return {
    maxEntries: c.server.config.getInt('stream-node-max-entries'),
    maxBytes: c.server.config.getInt('stream-node-max-bytes'),
  };
}

function notify(c: Client, event: string, key: string): void {
  c.server.notifyKeyspaceEvent(NOTIFY_STREAM, event, key, c.dbIndex);
}

// ---- replies --------------------------------------------------------------------

function replyId(c: Client, id: StreamId): void {
  c.bulk(formatId(id));
}

/** An entry: [id, [field, value, ...]]. */
function replyEntry(c: Client, e: StreamEntry): void {
  c.arrayLen(2);
  replyId(c, e.id);
  c.arrayLen(e.values.length * 2);
  for (let i = 0; i < e.values.length; i++) {
    c.bulk(e.fields[i]);
    c.bulk(e.values[i]);
  }
}

/** Entries, where a bare ID stands for a pending entry whose message was deleted: [id, nil]. */
function replyEntries(c: Client, items: readonly (StreamEntry | StreamId)[]): void {
  c.arrayLen(items.length);
  for (const item of items) {
    if ('values' in item) {
      replyEntry(c, item);
    } else {
      c.arrayLen(2);
      replyId(c, item);
      c.nullArray();
    }
  }
}

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

/** IDs from argv[from] on, all parsed before anything is done (strict); null after the error reply. */
function idArgs(c: Client, argv: string[], from: number): StreamId[] | null {
  const ids: StreamId[] = [];
  for (let j = from; j < argv.length; j++) {
    const id = idArg(c, argv[j], 0n, true);
    if (id === null) return null;
    ids.push(id);
  }
  return ids;
}

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

// ---- consumer group propagation --------------------------------------------------

/**
 * The XCLAIM that recreates a pending entry as it now is on a replica
 * (Redis's streamPropagateXCLAIM); `idArg` is the ID as the client wrote it.
 */
function xclaimForm(key: string, groupName: string, group: ConsumerGroup, idArg: string, nack: PendingEntry): string[] {
  return [
    'XCLAIM', key, groupName, nack.consumer.name, '0', idArg,
    'TIME', String(nack.deliveryTime), 'RETRYCOUNT', formatInt(BigInt.asIntN(64, nack.deliveryCount)),
    'FORCE', 'JUSTID', 'LASTID', formatId(group.lastId),
  ];
}

/** XGROUP SETID with the group's last ID and read counter (Redis's streamPropagateGroupID). */
function setIdForm(key: string, groupName: string, group: ConsumerGroup): string[] {
  return ['XGROUP', 'SETID', key, groupName, formatId(group.lastId), 'ENTRIESREAD', formatInt(group.entriesRead)];
}

/**
 * A consumer by name, created when missing (Redis's streamCreateConsumer:
 * counts as a change and is notified). Its seen time is refreshed.
 */
function consumerFor(
  c: Client,
  group: ConsumerGroup,
  name: string,
  key: string,
  now: number,
): { consumer: Consumer; created: boolean } {
  const existing = group.consumers.get(name);
  if (existing !== undefined) {
    existing.seenTime = now;
    return { consumer: existing, created: false };
  }
  const consumer = group.createConsumer(name, now) as Consumer;
  c.server.dirty++;
  notify(c, 'xgroup-createconsumer', key);
  return { consumer, created: true };
}

// ---- XREAD / XREADGROUP ------------------------------------------------------------

/** The consumer group side of an XREADGROUP. */
interface GroupRead {
  name: string;
  consumer: string;
  noack: boolean;
}

/**
 * What a blocked XREAD / XREADGROUP waits for: per key, entries above an ID
 * (for XREADGROUP's ">" the group's last delivered ID, read when served).
 */
interface StreamWait {
  after: Map<string, StreamId>;
  /** COUNT (0: no limit). */
  count: number;
  group: GroupRead | null;
}

/**
 * Delivers entries of `s` from `start` on to a consumer of `group` (Redis's
 * streamReplyWithRange with a group): the group moves past them, each
 * becomes pending for the consumer unless NOACK, and the forms replicas
 * need are added to `forms`.
 */
function deliverNew(
  s: StreamValue,
  start: StreamId,
  count: number,
  group: ConsumerGroup,
  consumer: Consumer,
  read: GroupRead,
  key: string,
  now: number,
  forms: string[][],
): StreamEntry[] {
  const out: StreamEntry[] = [];
  let lastIdMoved = false;
  for (const e of s.range(start, maxId)) {
    if (compareIds(e.id, group.lastId) > 0) {
      s.advanceGroup(group, e.id);
      lastIdMoved = true;
    }
    out.push(e);
    if (!read.noack) {
      const nack = group.deliver(e.id, consumer, now);
      forms.push(xclaimForm(key, read.name, group, formatId(e.id), nack));
    }
    if (out.length === count) break;
  }
  // Without NOACK the XCLAIMs carry the last ID already.
  if (lastIdMoved && read.noack) forms.push(setIdForm(key, read.name, group));
  return out;
}

/**
 * A consumer's own pending entries from `start` on (XREADGROUP with an ID):
 * each counts as delivered again; a deleted message shows as [id, nil].
 */
function deliverHistory(s: StreamValue, start: StreamId, count: number, consumer: Consumer, now: number): (StreamEntry | StreamId)[] {
  const out: (StreamEntry | StreamId)[] = [];
  let cursor: StreamId | null = start;
  while (cursor !== null && (count === 0 || out.length < count)) {
    const next = consumer.pel.ceiling(cursor);
    if (next === undefined) break;
    const [id, nack] = next;
    const e = s.get(id);
    if (e === undefined) {
      out.push(id);
    } else {
      out.push(e);
      nack.deliveryTime = now;
      countDelivery(nack);
    }
    cursor = successorId(id);
  }
  return out;
}

/** Writes the XREAD reply for the streams served: [[key, entries], ...], a map in RESP3. */
function replyStreams(c: Client, served: readonly [string, (StreamEntry | StreamId)[]][]): void {
  if (c.resp === 2) c.arrayLen(served.length);
  else c.mapLen(served.length);
  for (const [key, items] of served) {
    if (c.resp === 2) c.arrayLen(2);
    c.bulk(key);
    replyEntries(c, items);
  }
}

function xreadGeneric(c: Client, argv: string[], isGroup: boolean): void {
  // Absolute deadline in ms (0: none); null without BLOCK.
  let deadline: number | null = null;
  let count = 0;
  let streamsAt = 0;
  let read: GroupRead | null = null;
  let noack = false;
  for (let i = 1; i < argv.length; i++) {
    const moreArgs = argv.length - i - 1;
    const opt = optionName(argv[i]);
    if (opt === 'block' && moreArgs > 0) {
      deadline = timeoutFromArg(c, argv[++i], 'milliseconds');
      if (deadline === null) return;
    } else if (opt === 'count' && moreArgs > 0) {
      const n = longArg(c, argv[++i]);
      if (n === null) return;
      count = Math.max(0, n);
    } else if (opt === 'streams' && moreArgs > 0) {
      streamsAt = i + 1;
      if ((argv.length - streamsAt) % 2 !== 0) {
        // Redis 7.0 words this the same for XREADGROUP.
        c.error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
        return;
      }
      break;
    } else if ((opt === 'group' && moreArgs >= 2) || opt === 'noack') {
      if (!isGroup) {
        c.error(`ERR The ${opt.toUpperCase()} option is only supported by XREADGROUP. You called XREAD instead.`);
        return;
      }
      if (opt === 'noack') {
        noack = true;
      } else {
        read = { name: argv[i + 1], consumer: argv[i + 2], noack: false };
        i += 2;
      }
    } else {
      c.error(syntaxError);
      return;
    }
  }
  if (streamsAt === 0) {
    c.error(syntaxError);
    return;
  }
  if (isGroup && read === null) {
    c.error('ERR Missing GROUP option for XREADGROUP');
    return;
  }
  if (read !== null) read.noack = noack;
  const n = (argv.length - streamsAt) / 2;
  const keys = argv.slice(streamsAt, streamsAt + n);
  // Per stream: serve IDs above this one; maxId stands for XREADGROUP's ">".
  const after: StreamId[] = [];
  const groups: ConsumerGroup[] = [];
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    const arg = argv[streamsAt + n + i];
    const s = streamAt(c, key);
    if (s === null) return;
    if (read !== null) {
      const group = s?.groups?.get(read.name);
      if (group === undefined) {
        c.error(
          `NOGROUP No such key '${cString(key)}' or consumer group '${cString(read.name)}' in XREADGROUP with GROUP option`,
        );
        return;
      }
      groups.push(group);
    }
    if (arg === '$') {
      if (isGroup) {
        c.error(
          'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer ' +
            'by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
        );
        return;
      }
      after.push(s?.lastId ?? zeroId);
    } else if (arg === '>') {
      if (!isGroup) {
        c.error('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
        return;
      }
      after.push(maxId);
    } else {
      const id = idArg(c, arg, 0n, true);
      if (id === null) return;
      after.push(id);
    }
  }

  const now = c.server.now();
  const forms: string[][] = [];
  const served: [string, (StreamEntry | StreamId)[]][] = [];
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    const s = c.db.lookupRead(key) as StreamValue | undefined;
    if (s === undefined) continue;
    let gt = after[i];
    let serve = false;
    let history = false;
    if (read !== null) {
      if (compareIds(gt, maxId) !== 0) {
        serve = history = true;
      } else if (s.length > 0 && compareIds(s.lastValidId(), groups[i].lastId) > 0) {
        serve = true;
        gt = groups[i].lastId;
      }
    } else {
      serve = s.length > 0 && compareIds(s.lastValidId(), gt) > 0;
    }
    if (!serve) continue;
    // Entries strictly above gt; gt is below the stream's last entry (or a history start), so it has a successor.
    const start = successorId(gt) as StreamId;
    if (read === null) {
      const out: StreamEntry[] = [];
      for (const e of s.range(start, maxId)) {
        out.push(e);
        if (out.length === count) break;
      }
      served.push([key, out]);
      continue;
    }
    // The consumer comes into being when something is served to it, not when the read waits or finds nothing.
    const { consumer, created } = consumerFor(c, groups[i], read.consumer, key, now);
    if (created && read.noack) forms.push(['XGROUP', 'CREATECONSUMER', key, read.name, read.consumer]);
    const items = history
      ? deliverHistory(s, start, count, consumer, now)
      : deliverNew(s, start, count, groups[i], consumer, read, key, now, forms);
    served.push([key, items]);
    c.server.dirty++;
  }
  // What consumer groups did goes to replicas as XCLAIM / XGROUP forms, never as the read itself.
  c.propagateAs(...forms);
  if (served.length > 0) {
    replyStreams(c, served);
    return;
  }
  // Nothing to serve: without BLOCK (or inside EXEC) that is a null reply, as a timeout gives.
  if (deadline === null || c.denyBlocking) {
    c.nullArray();
    return;
  }
  const wait: StreamWait = { after: new Map(), count, group: read };
  for (let i = 0; i < n; i++) if (!wait.after.has(keys[i])) wait.after.set(keys[i], after[i]);
  // As Redis, "$" becomes the ID it stood for in the command the wait is logged as.
  c.argv = argv.map((a, j) => (j >= streamsAt + n && a === '$' ? formatId(after[j - streamsAt - n]) : a));
  c.server.blocking.block(c, { keys, deadline, serve: (key) => serveStreamWait(c, key, wait) });
}

function xread(c: Client, argv: string[]): void {
  xreadGeneric(c, argv, false);
}

function xreadgroup(c: Client, argv: string[]): void {
  xreadGeneric(c, argv, true);
}

/**
 * Serves a blocked XREAD / XREADGROUP now that `key` may have new entries
 * (Redis's serveClientsBlockedOnStreamKey): replies with that stream's new
 * entries and returns true, or returns false to keep waiting. A group that
 * no longer exists ends the wait with a NOGROUP error. Changes made for a
 * consumer group are propagated right away.
 */
function serveStreamWait(c: Client, key: string, wait: StreamWait): boolean {
  const v = c.db.lookup(key);
  if (!(v instanceof StreamValue)) return false;
  let gt = wait.after.get(key) ?? zeroId;
  let group: ConsumerGroup | undefined;
  const read = wait.group;
  if (read !== null) {
    group = v.groups?.get(read.name);
    if (group === undefined) {
      c.error('NOGROUP the consumer group this client was blocked on no longer exists');
      return true;
    }
    gt = group.lastId;
  }
  if (compareIds(v.lastId, gt) <= 0) return false;
  const start = successorId(gt) as StreamId;
  const now = c.server.now();
  const forms: string[][] = [];
  let items: StreamEntry[];
  if (read === null || group === undefined) {
    items = [];
    for (const e of v.range(start, maxId)) {
      items.push(e);
      if (items.length === wait.count) break;
    }
  } else {
    const { consumer, created } = consumerFor(c, group, read.consumer, key, now);
    if (created && read.noack) forms.push(['XGROUP', 'CREATECONSUMER', key, read.name, read.consumer]);
    items = deliverNew(v, start, wait.count, group, consumer, read, key, now, forms);
  }
  replyStreams(c, [[key, items]]);
  // One unit, as a command's: several forms go out as a MULTI/EXEC block.
  c.server.enterCall();
  for (const form of forms) c.server.propagate(c.dbIndex, form);
  c.server.leaveCall();
  return true;
}

// ---- XGROUP ------------------------------------------------------------------------

interface GroupTarget {
  s: StreamValue | undefined;
  group: ConsumerGroup | undefined;
  mkstream: boolean;
  entriesRead: bigint;
}

/**
 * What every XGROUP subcommand but HELP checks first, in Redis's order:
 * options (MKSTREAM for CREATE, ENTRIESREAD for CREATE and SETID), the
 * key's type, that the key exists (unless MKSTREAM) and, for `needsGroup`,
 * that the group does. Null after the error reply.
 */
function groupTarget(c: Client, argv: string[], needsGroup: boolean): GroupTarget | null {
  const sub = optionName(argv[1]);
  let mkstream = false;
  let entriesRead = entriesReadUnknown;
  for (let i = 5; i < argv.length; ) {
    const opt = optionName(argv[i]);
    if (sub === 'create' && opt === 'mkstream') {
      mkstream = true;
      i++;
    } else if ((sub === 'create' || sub === 'setid') && opt === 'entriesread' && i + 1 < argv.length) {
      const n = bigIntArg(c, argv[i + 1]);
      if (n === null) return null;
      if (n < 0n && n !== entriesReadUnknown) {
        c.error('ERR value for ENTRIESREAD must be positive or -1');
        return null;
      }
      entriesRead = n;
      i += 2;
    } else {
      subcommandSyntaxError(c, argv);
      return null;
    }
  }
  const s = streamAt(c, argv[2], true);
  if (s === null) return null;
  const group = s?.groups?.get(argv[3]);
  if (!mkstream) {
    if (s === undefined) {
      c.error(
        'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the ' +
          'MKSTREAM option to create an empty stream automatically.',
      );
      return null;
    }
    if (needsGroup && group === undefined) {
      c.error(`NOGROUP No such consumer group '${cString(argv[3])}' for key name '${cString(argv[2])}'`);
      return null;
    }
  }
  return { s, group, mkstream, entriesRead };
}

function xgroupCreate(c: Client, argv: string[]): void {
  const t = groupTarget(c, argv, false);
  if (t === null) return;
  if (argv.length > 8) {
    subcommandSyntaxError(c, argv);
    return;
  }
  const key = argv[2];
  let id: StreamId | null;
  if (argv[4] === '$') id = t.s?.lastId ?? zeroId;
  else id = idArg(c, argv[4], 0n, true);
  if (id === null) return;
  let s = t.s;
  if (s === undefined) {
    s = new StreamValue();
    c.db.set(key, s);
  }
  if (s.createGroup(argv[3], id, t.entriesRead) === undefined) {
    c.error('BUSYGROUP Consumer Group name already exists');
    return;
  }
  c.ok();
  c.server.dirty++;
  notify(c, 'xgroup-create', key);
}

function xgroupSetid(c: Client, argv: string[]): void {
  const t = groupTarget(c, argv, true);
  if (t === null) return;
  if (argv.length !== 5 && argv.length !== 7) {
    subcommandSyntaxError(c, argv);
    return;
  }
  const s = t.s as StreamValue;
  const group = t.group as ConsumerGroup;
  const id = argv[4] === '$' ? s.lastId : idArg(c, argv[4], 0n, false);
  if (id === null) return;
  group.lastId = id;
  group.entriesRead = t.entriesRead;
  c.ok();
  c.server.dirty++;
  notify(c, 'xgroup-setid', argv[2]);
}

function xgroupDestroy(c: Client, argv: string[]): void {
  const t = groupTarget(c, argv, false);
  if (t === null) return;
  if (t.group === undefined) {
    c.int(0);
    return;
  }
  t.s?.groups?.delete(argv[3]);
  c.int(1);
  c.server.dirty++;
  notify(c, 'xgroup-destroy', argv[2]);
  // Consumers blocked on the group learn it is gone.
  c.server.blocking.signalKeyAsReady(c.db, argv[2]);
}

function xgroupCreateconsumer(c: Client, argv: string[]): void {
  const t = groupTarget(c, argv, true);
  if (t === null) return;
  const group = t.group as ConsumerGroup;
  if (group.consumers.has(argv[4])) {
    c.int(0);
    return;
  }
  consumerFor(c, group, argv[4], argv[2], c.server.now());
  c.int(1);
}

function xgroupDelconsumer(c: Client, argv: string[]): void {
  const t = groupTarget(c, argv, true);
  if (t === null) return;
  const group = t.group as ConsumerGroup;
  const consumer = group.consumers.get(argv[4]);
  if (consumer === undefined) {
    c.int(0);
    return;
  }
  c.int(group.deleteConsumer(consumer));
  c.server.dirty++;
  notify(c, 'xgroup-delconsumer', argv[2]);
}

const xgroupHelpLines = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
];

function xgroupHelp(c: Client): void {
  replyHelp(c, xgroupHelpLines);
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

// ---- XACK / XPENDING ----------------------------------------------------------------

/** The group `argv[2]` of the stream `argv[1]` for a command that needs both; null after the error reply. */
function requireGroup(c: Client, argv: string[]): { s: StreamValue; group: ConsumerGroup } | null {
  const s = streamAt(c, argv[1]);
  if (s === null) return null;
  const group = s?.groups?.get(argv[2]);
  if (s === undefined || group === undefined) {
    c.error(`NOGROUP No such key '${cString(argv[1])}' or consumer group '${cString(argv[2])}'`);
    return null;
  }
  return { s, group };
}

function xack(c: Client, argv: string[]): void {
  const s = streamAt(c, argv[1]);
  if (s === null) return;
  const group = s?.groups?.get(argv[2]);
  if (group === undefined) {
    c.int(0);
    return;
  }
  const ids = idArgs(c, argv, 3);
  if (ids === null) return;
  let acknowledged = 0;
  for (const id of ids) {
    if (!group.acknowledge(id)) continue;
    acknowledged++;
    c.server.dirty++;
  }
  c.int(acknowledged);
}

function xpending(c: Client, argv: string[]): void {
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) {
    c.error(syntaxError);
    return;
  }
  let start = zeroId;
  let end = maxId;
  let count = 0;
  let minIdle = 0;
  let consumerName: string | undefined;
  if (argv.length >= 6) {
    let at = 3;
    if (optionName(argv[3]) === 'idle') {
      const idle = longArg(c, argv[4]);
      if (idle === null) return;
      minIdle = idle;
      if (argv.length < 8) {
        c.error(syntaxError);
        return;
      }
      at += 2;
    }
    const n = longArg(c, argv[at + 2]);
    if (n === null) return;
    count = Math.max(0, n);
    const from = intervalArg(c, argv[at], true);
    if (from === null) return;
    const to = intervalArg(c, argv[at + 1], false);
    if (to === null) return;
    start = from;
    end = to;
    if (at + 3 < argv.length) consumerName = argv[at + 3];
  }
  const found = requireGroup(c, argv);
  if (found === null) return;
  const group = found.group;
  if (argv.length === 3) {
    c.arrayLen(4);
    c.int(group.pel.size);
    if (group.pel.size === 0) {
      c.nullBulk();
      c.nullBulk();
      c.nullArray();
      return;
    }
    replyId(c, group.pel.first() as StreamId);
    replyId(c, group.pel.last() as StreamId);
    const owners = group.sortedConsumers().filter((cons) => cons.pel.size > 0);
    c.arrayLen(owners.length);
    for (const cons of owners) {
      c.arrayLen(2);
      c.bulk(cons.name);
      c.bulk(String(cons.pel.size));
    }
    return;
  }
  let pel = group.pel;
  if (consumerName !== undefined) {
    const consumer = group.consumers.get(consumerName);
    if (consumer === undefined) {
      c.arrayLen(0);
      return;
    }
    pel = consumer.pel;
  }
  const now = c.server.now();
  const out: [StreamId, PendingEntry][] = [];
  let cursor: StreamId | null = start;
  while (count > 0 && cursor !== null) {
    const next = pel.ceiling(cursor);
    if (next === undefined || compareIds(next[0], end) > 0) break;
    cursor = successorId(next[0]);
    if (minIdle !== 0 && now - next[1].deliveryTime < minIdle) continue;
    out.push(next);
    count--;
  }
  c.arrayLen(out.length);
  for (const [id, nack] of out) {
    c.arrayLen(4);
    replyId(c, id);
    c.bulk(nack.consumer.name);
    c.int(Math.max(0, now - nack.deliveryTime));
    c.int(BigInt.asIntN(64, nack.deliveryCount));
  }
}

// ---- XCLAIM / XAUTOCLAIM ------------------------------------------------------------

/**
 * Moves a pending entry to `consumer` as a claim does: new delivery time,
 * delivery count bumped unless JUSTID (or set by RETRYCOUNT).
 */
function claim(
  group: ConsumerGroup,
  id: StreamId,
  nack: PendingEntry,
  consumer: Consumer,
  deliveryTime: number,
  retryCount: bigint | null,
  justId: boolean,
): void {
  nack.deliveryTime = deliveryTime;
  if (retryCount !== null) nack.deliveryCount = retryCount;
  else if (!justId) countDelivery(nack);
  group.assign(id, nack, consumer);
}

/** Time options of XCLAIM, as a delivery time. */
interface ClaimOptions {
  deliveryTime: number | null;
  retryCount: bigint | null;
  force: boolean;
  justId: boolean;
  lastId: StreamId;
}

/** XCLAIM's trailing options; null after the error reply. */
function claimOptions(c: Client, argv: string[], from: number, now: number): ClaimOptions | null {
  const opts: ClaimOptions = { deliveryTime: null, retryCount: null, force: false, justId: false, lastId: zeroId };
  for (let j = from; j < argv.length; j++) {
    const opt = optionName(argv[j]);
    const moreArgs = j < argv.length - 1;
    if (opt === 'force') {
      opts.force = true;
    } else if (opt === 'justid') {
      opts.justId = true;
    } else if (opt === 'idle' && moreArgs) {
      const idle = longArg(c, argv[++j], 'ERR Invalid IDLE option argument for XCLAIM');
      if (idle === null) return null;
      opts.deliveryTime = now - idle;
    } else if (opt === 'time' && moreArgs) {
      const time = longArg(c, argv[++j], 'ERR Invalid TIME option argument for XCLAIM');
      if (time === null) return null;
      opts.deliveryTime = time;
    } else if (opt === 'retrycount' && moreArgs) {
      const n = parseLongLongBig(argv[++j]);
      if (n === null) {
        c.error('ERR Invalid RETRYCOUNT option argument for XCLAIM');
        return null;
      }
      // A negative count counts as none given.
      opts.retryCount = n >= 0n ? n : null;
    } else if (opt === 'lastid' && moreArgs) {
      const id = idArg(c, argv[++j], 0n, true);
      if (id === null) return null;
      opts.lastId = id;
    } else {
      c.error(`ERR Unrecognized XCLAIM option '${cString(argv[j])}'`);
      return null;
    }
  }
  return opts;
}

function xclaim(c: Client, argv: string[]): void {
  const found = requireGroup(c, argv);
  if (found === null) return;
  const { s, group } = found;
  const key = argv[1];
  const groupName = argv[2];
  const minIdleArg = longArg(c, argv[4], 'ERR Invalid min-idle-time argument for XCLAIM');
  if (minIdleArg === null) return;
  const minIdle = Math.max(0, minIdleArg);
  // IDs come first; the first argument that is not one starts the options.
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const parsed = parseIdArg(argv[j], 0n, true);
    if (parsed === null) break;
    ids.push(parsed.id);
  }
  const now = c.server.now();
  const opts = claimOptions(c, argv, j, now);
  if (opts === null) return;
  const forms: string[][] = [];
  let lastIdMoved = false;
  if (compareIds(opts.lastId, group.lastId) > 0) {
    group.lastId = opts.lastId;
    lastIdMoved = true;
  }
  // A time in the future or before the epoch is taken as now rather than refused.
  let deliveryTime = opts.deliveryTime ?? now;
  if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  let consumer: Consumer | undefined;
  const claimed: (StreamEntry | StreamId)[] = [];
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    const idText = argv[5 + k];
    let nack = group.pel.get(id);
    const entry = s.get(id);
    if (entry === undefined) {
      // The message is gone: its pending entry goes too.
      if (nack !== undefined) {
        forms.push(xclaimForm(key, groupName, group, idText, nack));
        lastIdMoved = false;
        c.server.dirty++;
        group.acknowledge(id);
      }
      continue;
    }
    // FORCE makes a pending entry for a message nobody had; the idle time does not apply to it.
    const forced = opts.force && nack === undefined;
    if (!forced && (nack === undefined || (minIdle !== 0 && now - nack.deliveryTime < minIdle))) continue;
    // The consumer comes into being with its first claim.
    if (consumer === undefined) consumer = consumerFor(c, group, argv[3], key, now).consumer;
    if (nack === undefined) {
      nack = { deliveryTime: now, deliveryCount: 1n, consumer };
      group.pel.insert(id, nack);
      consumer.pel.insert(id, nack);
    }
    claim(group, id, nack, consumer, deliveryTime, opts.retryCount, opts.justId);
    claimed.push(opts.justId ? id : entry);
    forms.push(xclaimForm(key, groupName, group, idText, nack));
    lastIdMoved = false;
    c.server.dirty++;
  }
  if (lastIdMoved) {
    forms.push(setIdForm(key, groupName, group));
    c.server.dirty++;
  }
  if (opts.justId) {
    c.arrayLen(claimed.length);
    for (const id of claimed) replyId(c, id as StreamId);
  } else {
    replyEntries(c, claimed);
  }
  c.propagateAs(...forms);
}

/** Attempts XAUTOCLAIM makes per entry COUNT allows. */
const autoclaimAttemptsFactor = 10;
/** COUNT above this is refused as Redis's transient allocation of COUNT IDs would fail (an address space of 2^47 bytes). */
const autoclaimCountAllocMax = 2 ** 43;

function xautoclaim(c: Client, argv: string[]): void {
  const minIdleArg = longArg(c, argv[4], 'ERR Invalid min-idle-time argument for XAUTOCLAIM');
  if (minIdleArg === null) return;
  const minIdle = Math.max(0, minIdleArg);
  const start = intervalArg(c, argv[5], true);
  if (start === null) return;
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const opt = optionName(argv[j]);
    if (opt === 'count' && j < argv.length - 1) {
      // At most LONG_MAX / 16, as Redis bounds the memory it sets aside for deleted IDs.
      const n = parseLongLongBig(argv[++j]);
      if (n === null || n < 1n || n > INT64_MAX / 16n) {
        c.error('ERR COUNT must be > 0');
        return;
      }
      count = Number(n);
    } else if (opt === 'justid') {
      justId = true;
    } else {
      c.error(syntaxError);
      return;
    }
  }
  const found = requireGroup(c, argv);
  if (found === null) return;
  const { s, group } = found;
  if (count > autoclaimCountAllocMax) {
    c.error('ERR Insufficient memory, failed allocating transient memory, COUNT too high.');
    return;
  }
  const key = argv[1];
  const groupName = argv[2];
  const now = c.server.now();
  const forms: string[][] = [];
  const claimed: (StreamEntry | StreamId)[] = [];
  const deletedIds: StreamId[] = [];
  let consumer: Consumer | undefined;
  let attempts = count * autoclaimAttemptsFactor;
  let cursor: StreamId | null = start;
  while (attempts-- > 0 && count > 0 && cursor !== null) {
    const next = group.pel.ceiling(cursor);
    if (next === undefined) {
      cursor = null;
      break;
    }
    const [id, nack] = next;
    cursor = successorId(id);
    const entry = s.get(id);
    if (entry === undefined) {
      forms.push(xclaimForm(key, groupName, group, formatId(id), nack));
      c.server.dirty++;
      group.acknowledge(id);
      deletedIds.push(id);
      count--;
      continue;
    }
    if (minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
    if (consumer === undefined) consumer = consumerFor(c, group, argv[3], key, now).consumer;
    claim(group, id, nack, consumer, now, null, justId);
    claimed.push(justId ? id : entry);
    count--;
    forms.push(xclaimForm(key, groupName, group, formatId(id), nack));
    c.server.dirty++;
  }
  // The cursor for the next call: the first pending ID after the last one looked at, 0-0 at the end.
  const resume = cursor === null ? undefined : group.pel.ceiling(cursor);
  c.arrayLen(3);
  replyId(c, resume?.[0] ?? zeroId);
  if (justId) {
    c.arrayLen(claimed.length);
    for (const id of claimed) replyId(c, id as StreamId);
  } else {
    replyEntries(c, claimed);
  }
  c.arrayLen(deletedIds.length);
  for (const id of deletedIds) replyId(c, id);
  c.propagateAs(...forms);
}

// ---- XINFO ------------------------------------------------------------------------

/** A map of labelled fields, each value written by its function: XINFO's replies. */
function replyFields(c: Client, fields: readonly (readonly [string, () => void])[]): void {
  c.mapLen(fields.length);
  for (const [label, write] of fields) {
    c.bulk(label);
    write();
  }
}

function replyLag(c: Client, s: StreamValue, group: ConsumerGroup): void {
  const lag = s.groupLag(group);
  if (lag === null) c.nullBulk();
  else c.int(lag);
}

function replyEntriesRead(c: Client, group: ConsumerGroup): void {
  if (group.entriesRead === entriesReadUnknown) c.nullBulk();
  else c.int(group.entriesRead);
}

/**
 * The first `count` (0: all) entries of a PEL as XINFO STREAM FULL lists
 * them: [id, consumer, delivery time, count], without the consumer for a
 * consumer's own PEL.
 */
function replyPel(c: Client, pel: IdMap<PendingEntry>, count: number, withConsumer: boolean): void {
  const rows: [StreamId, PendingEntry][] = [];
  for (const row of pel.entries()) {
    if (count !== 0 && rows.length >= count) break;
    rows.push(row);
  }
  c.arrayLen(rows.length);
  for (const [id, nack] of rows) {
    c.arrayLen(withConsumer ? 4 : 3);
    replyId(c, id);
    if (withConsumer) c.bulk(nack.consumer.name);
    c.int(nack.deliveryTime);
    c.int(BigInt.asIntN(64, nack.deliveryCount));
  }
}

/** The stream of XINFO's key, which must exist; null after the error reply. */
function infoStreamAt(c: Client, key: string): StreamValue | null {
  const s = streamAt(c, key);
  if (s === undefined) c.error(noSuchKeyError);
  return s ?? null;
}

function xinfoConsumers(c: Client, argv: string[]): void {
  const s = infoStreamAt(c, argv[2]);
  if (s === null) return;
  const group = s.groups?.get(argv[3]);
  if (group === undefined) {
    c.error(`NOGROUP No such consumer group '${cString(argv[3])}' for key name '${cString(argv[2])}'`);
    return;
  }
  const now = c.server.now();
  const consumers = group.sortedConsumers();
  c.arrayLen(consumers.length);
  for (const consumer of consumers) {
    replyFields(c, [
      ['name', () => c.bulk(consumer.name)],
      ['pending', () => c.int(consumer.pel.size)],
      ['idle', () => c.int(Math.max(0, now - consumer.seenTime))],
    ]);
  }
}

function xinfoGroups(c: Client, argv: string[]): void {
  const s = infoStreamAt(c, argv[2]);
  if (s === null) return;
  const groups = s.sortedGroups();
  c.arrayLen(groups.length);
  for (const [name, group] of groups) {
    replyFields(c, [
      ['name', () => c.bulk(name)],
      ['consumers', () => c.int(group.consumers.size)],
      ['pending', () => c.int(group.pel.size)],
      ['last-delivered-id', () => replyId(c, group.lastId)],
      ['entries-read', () => replyEntriesRead(c, group)],
      ['lag', () => replyLag(c, s, group)],
    ]);
  }
}

/** XINFO STREAM FULL's groups: each with its PEL and consumers, lists cut at `count` (0: all). */
function replyGroupsFull(c: Client, s: StreamValue, count: number): void {
  const groups = s.sortedGroups();
  c.arrayLen(groups.length);
  for (const [name, group] of groups) {
    replyFields(c, [
      ['name', () => c.bulk(name)],
      ['last-delivered-id', () => replyId(c, group.lastId)],
      ['entries-read', () => replyEntriesRead(c, group)],
      ['lag', () => replyLag(c, s, group)],
      ['pel-count', () => c.int(group.pel.size)],
      ['pending', () => replyPel(c, group.pel, count, true)],
      [
        'consumers',
        () => {
          const consumers = group.sortedConsumers();
          c.arrayLen(consumers.length);
          for (const consumer of consumers) {
            replyFields(c, [
              ['name', () => c.bulk(consumer.name)],
              ['seen-time', () => c.int(consumer.seenTime)],
              ['pel-count', () => c.int(consumer.pel.size)],
              ['pending', () => replyPel(c, consumer.pel, count, false)],
            ]);
          }
        },
      ],
    ]);
  }
}

function xinfoStream(c: Client, argv: string[]): void {
  const s = infoStreamAt(c, argv[2]);
  if (s === null) return;
  const optc = argv.length - 3;
  let full = false;
  let count = 10;
  if (optc > 0) {
    if ((optc !== 1 && optc !== 3) || optionName(argv[3]) !== 'full' || (optc === 3 && optionName(argv[4]) !== 'count')) {
      subcommandSyntaxError(c, argv);
      return;
    }
    full = true;
    if (optc === 3) {
      const n = longArg(c, argv[5]);
      if (n === null) return;
      count = n < 0 ? 10 : n;
    }
  }
  const edge = (last: boolean) => () => {
    const e = s.edge(last);
    if (e === undefined) c.nullBulk();
    else replyEntry(c, e);
  };
  const entries = () => {
    const out: StreamEntry[] = [];
    for (const e of s.range(zeroId, maxId)) {
      if (count !== 0 && out.length >= count) break;
      out.push(e);
    }
    replyEntries(c, out);
  };
  replyFields(c, [
    ['length', () => c.int(s.length)],
    ['radix-tree-keys', () => c.int(s.nodeCount)],
    ['radix-tree-nodes', () => c.int(s.radixTreeNodes())],
    ['last-generated-id', () => replyId(c, s.lastId)],
    ['max-deleted-entry-id', () => replyId(c, s.maxDeletedId)],
    ['entries-added', () => c.int(BigInt.asIntN(64, s.entriesAdded))],
    ['recorded-first-entry-id', () => replyId(c, s.firstId)],
    ...(full
      ? ([
          ['entries', entries],
          ['groups', () => replyGroupsFull(c, s, count)],
        ] as const)
      : ([
          ['groups', () => c.int(s.groups?.size ?? 0)],
          ['first-entry', edge(false)],
          ['last-entry', edge(true)],
        ] as const)),
  ]);
}

const xinfoHelpLines = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
];

function xinfoHelp(c: Client): void {
  replyHelp(c, xinfoHelpLines);
}

// ---- command table ------------------------------------------------------------------

/** Keys of XREAD / XREADGROUP: the first half of what follows STREAMS (Redis's xreadGetKeys). */
function xreadKeys(argv: string[]): number[] {
  let streamsAt = -1;
  for (let i = 1; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    if (opt === 'block' || opt === 'count') i++;
    else if (opt === 'group') i += 2;
    else if (opt === 'noack') continue;
    else {
      if (opt === 'streams') streamsAt = i;
      break;
    }
  }
  const num = argv.length - streamsAt - 1;
  if (streamsAt === -1 || num === 0 || num % 2 !== 0) return [];
  return Array.from({ length: num / 2 }, (_, i) => streamsAt + 1 + i);
}

const streamAcl = ['stream'] as const;

export const streamCommands: CommandSpec[] = [
  { name: 'xadd', arity: -5, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: streamAcl, run: xadd },
  { name: 'xtrim', arity: -4, flags: ['write'], keys: [1, 1, 1], acl: streamAcl, run: xtrim },
  { name: 'xdel', arity: -3, flags: ['write', 'fast'], keys: [1, 1, 1], acl: streamAcl, run: xdel },
  { name: 'xlen', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: streamAcl, run: xlen },
  { name: 'xrange', arity: -4, flags: ['readonly'], keys: [1, 1, 1], acl: streamAcl, run: xrange },
  { name: 'xrevrange', arity: -4, flags: ['readonly'], keys: [1, 1, 1], acl: streamAcl, run: xrevrange },
  { name: 'xread', arity: -4, flags: ['readonly', 'blocking'], getKeys: xreadKeys, acl: streamAcl, run: xread },
  { name: 'xreadgroup', arity: -7, flags: ['write', 'blocking'], getKeys: xreadKeys, acl: streamAcl, run: xreadgroup },
  { name: 'xack', arity: -4, flags: ['write', 'fast'], keys: [1, 1, 1], acl: streamAcl, run: xack },
  { name: 'xpending', arity: -3, flags: ['readonly'], keys: [1, 1, 1], acl: streamAcl, run: xpending },
  { name: 'xclaim', arity: -6, flags: ['write', 'fast'], keys: [1, 1, 1], acl: streamAcl, run: xclaim },
  { name: 'xautoclaim', arity: -6, flags: ['write', 'fast'], keys: [1, 1, 1], acl: streamAcl, run: xautoclaim },
  { name: 'xsetid', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: streamAcl, run: xsetid },
  {
    name: 'xgroup',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'help', arity: 2, flags: ['loading', 'stale'], acl: streamAcl, run: xgroupHelp },
      {
        name: 'createconsumer',
        arity: 5,
        flags: ['write', 'denyoom'],
        keys: [2, 2, 1],
        acl: streamAcl,
        run: xgroupCreateconsumer,
      },
      { name: 'setid', arity: -5, flags: ['write'], keys: [2, 2, 1], acl: streamAcl, run: xgroupSetid },
      { name: 'create', arity: -5, flags: ['write', 'denyoom'], keys: [2, 2, 1], acl: streamAcl, run: xgroupCreate },
      { name: 'destroy', arity: 4, flags: ['write'], keys: [2, 2, 1], acl: streamAcl, run: xgroupDestroy },
      { name: 'delconsumer', arity: 5, flags: ['write'], keys: [2, 2, 1], acl: streamAcl, run: xgroupDelconsumer },
    ],
  },
  {
    name: 'xinfo',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'help', arity: 2, flags: ['loading', 'stale'], acl: streamAcl, run: xinfoHelp },
      { name: 'consumers', arity: 4, flags: ['readonly'], keys: [2, 2, 1], acl: streamAcl, run: xinfoConsumers },
      { name: 'stream', arity: -3, flags: ['readonly'], keys: [2, 2, 1], acl: streamAcl, run: xinfoStream },
      { name: 'groups', arity: 3, flags: ['readonly'], keys: [2, 2, 1], acl: streamAcl, run: xinfoGroups },
    ],
  },
];

