// Helpers the stream command files share (streams.ts, stream-groups.ts,
// stream-info.ts): ID arguments, entry replies, and the XREAD / XREADGROUP
// machinery with its consumer group delivery, propagation and blocking.

import type { Client } from '../server/client.js';
import { timeoutFromArg } from '../server/blocking.js';
import { NOTIFY_STREAM } from '../config/options.js';
import {
  compareIds,
  countDelivery,
  formatId,
  maxId,
  predecessorId,
  StreamValue,
  successorId,
  U64_MAX,
  zeroId,
  type Consumer,
  type ConsumerGroup,
  type NodeLimits,
  type PendingEntry,
  type StreamEntry,
  type StreamId,
} from '../store/stream.js';
import { formatInt, parseInt64, parseLongLongBig } from '../util/numbers.js';
import { lookupTyped } from './hashes.js';
import { longArg } from './lists.js';
import { cString, notIntegerError, optionName, syntaxError } from './strings.js';

export const invalidIdError = 'ERR Invalid stream ID specified as stream command argument';
export const noSuchKeyError = 'ERR no such key';

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

export interface ParsedId {
  id: StreamId;
  /** False for "ms-*": the sequence is to be generated (XADD only). */
  seqGiven: boolean;
}

/**
 * Redis's streamGenericParseIDOrReply without the reply: "ms-seq", "ms"
 * (sequence `missingSeq`), "-" and "+" unless `strict`, "ms-*" when
 * `seqStar`. Read as a C string (up to a NUL), at most 127 bytes.
 */
export function parseIdArg(arg: string, missingSeq: bigint, strict: boolean, seqStar = false): ParsedId | null {
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
export function idArg(c: Client, arg: string, missingSeq: bigint, strict: boolean): StreamId | null {
  const parsed = parseIdArg(arg, missingSeq, strict);
  if (parsed === null) c.error(invalidIdError);
  return parsed?.id ?? null;
}

/** IDs from argv[from] on, all parsed before anything is done (strict); null after the error reply. */
export function idArgs(c: Client, argv: string[], from: number): StreamId[] | null {
  const ids: StreamId[] = [];
  for (let j = from; j < argv.length; j++) {
    const id = idArg(c, argv[j], 0n, true);
    if (id === null) return null;
    ids.push(id);
  }
  return ids;
}

/**
 * One end of a range (Redis's streamParseIntervalIDOrReply): "(" makes it
 * exclusive, turned into the next (start) or previous (end) ID. Null after
 * the error reply.
 */
export function intervalArg(c: Client, arg: string, isStart: boolean): StreamId | null {
  const exclusive = arg.length > 1 && arg[0] === '(';
  const id = idArg(c, exclusive ? arg.slice(1) : arg, isStart ? 0n : maxId.seq, exclusive);
  if (id === null || !exclusive) return id;
  const moved = isStart ? successorId(id) : predecessorId(id);
  if (moved === null) c.error(`ERR invalid ${isStart ? 'start' : 'end'} ID for the interval`);
  return moved;
}

/** A long long kept exact (counters that replies echo); null after the error reply. */
export function bigIntArg(c: Client, arg: string): bigint | null {
  const n = parseLongLongBig(arg);
  if (n === null) c.error(notIntegerError);
  return n;
}

export function streamAt(c: Client, key: string, forWrite = false): StreamValue | undefined | null {
  return lookupTyped(c, key, StreamValue, forWrite);
}

export function nodeLimits(c: Client): NodeLimits {
  return {
    maxEntries: c.server.config.getInt('stream-node-max-entries'),
    maxBytes: c.server.config.getInt('stream-node-max-bytes'),
  };
}

export function notify(c: Client, event: string, key: string): void {
  c.server.notifyKeyspaceEvent(NOTIFY_STREAM, event, key, c.dbIndex);
}

// ---- replies --------------------------------------------------------------------

export function replyId(c: Client, id: StreamId): void {
  c.bulk(formatId(id));
}

/** An entry: [id, [field, value, ...]]. */
export function replyEntry(c: Client, e: StreamEntry): void {
  c.arrayLen(2);
  replyId(c, e.id);
  c.arrayLen(e.values.length * 2);
  for (let i = 0; i < e.values.length; i++) {
    c.bulk(e.fields[i]);
    c.bulk(e.values[i]);
  }
}

/** Entries, where a bare ID stands for a pending entry whose message was deleted: [id, nil]. */
export function replyEntries(c: Client, items: readonly (StreamEntry | StreamId)[]): void {
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

// ---- consumer group propagation --------------------------------------------------

/**
 * The XCLAIM that recreates a pending entry as it now is on a replica
 * (Redis's streamPropagateXCLAIM); `idArg` is the ID as the client wrote it.
 */
export function xclaimForm(key: string, groupName: string, group: ConsumerGroup, idArg: string, nack: PendingEntry): string[] {
  return [
    'XCLAIM', key, groupName, nack.consumer.name, '0', idArg,
    'TIME', String(nack.deliveryTime), 'RETRYCOUNT', formatInt(BigInt.asIntN(64, nack.deliveryCount)),
    'FORCE', 'JUSTID', 'LASTID', formatId(group.lastId),
  ];
}

/** XGROUP SETID with the group's last ID and read counter (Redis's streamPropagateGroupID). */
export function setIdForm(key: string, groupName: string, group: ConsumerGroup): string[] {
  return ['XGROUP', 'SETID', key, groupName, formatId(group.lastId), 'ENTRIESREAD', formatInt(group.entriesRead)];
}

/**
 * A consumer by name, created when missing (Redis's streamCreateConsumer:
 * counts as a change and is notified). Its seen time is refreshed.
 */
export function consumerFor(
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

export function xreadGeneric(c: Client, argv: string[], isGroup: boolean): void {
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

// ---- command table helpers ---------------------------------------------------------

/** Keys of XREAD / XREADGROUP: the first half of what follows STREAMS (Redis's xreadGetKeys). */
export function xreadKeys(argv: string[]): number[] {
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

export const streamAcl = ['stream'] as const;
