// Consumer group commands: XGROUP (all subcommands), XREADGROUP, XACK,
// XPENDING, XCLAIM and XAUTOCLAIM. Shared helpers are in stream-common.ts.

import type { Client } from '../server/client.js';
import {
  compareIds,
  countDelivery,
  entriesReadUnknown,
  formatId,
  maxId,
  StreamValue,
  successorId,
  zeroId,
  type Consumer,
  type ConsumerGroup,
  type PendingEntry,
  type StreamEntry,
  type StreamId,
} from '../store/stream.js';
import { INT64_MAX, parseLongLongBig } from '../util/numbers.js';
import { replyHelp, subcommandSyntaxError } from './client.js';
import { longArg } from './lists.js';
import type { CommandSpec } from './registry.js';
import { cString, optionName, syntaxError } from './strings.js';
import {
  bigIntArg,
  consumerFor,
  idArg,
  idArgs,
  intervalArg,
  notify,
  parseIdArg,
  replyEntries,
  replyId,
  setIdForm,
  streamAcl,
  streamAt,
  xclaimForm,
  xreadGeneric,
  xreadKeys,
} from './stream-common.js';

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

// ---- XREADGROUP ------------------------------------------------------------------

function xreadgroup(c: Client, argv: string[]): void {
  xreadGeneric(c, argv, true);
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

// ---- command table ------------------------------------------------------------------

export const xreadgroupCommand: CommandSpec = { name: 'xreadgroup', arity: -7, flags: ['write', 'blocking'], getKeys: xreadKeys, acl: streamAcl, run: xreadgroup };

/** XACK, XPENDING, XCLAIM, XAUTOCLAIM, in the order COMMAND lists them. */
export const pendingCommands: CommandSpec[] = [
  { name: 'xack', arity: -4, flags: ['write', 'fast'], keys: [1, 1, 1], acl: streamAcl, run: xack },
  { name: 'xpending', arity: -3, flags: ['readonly'], keys: [1, 1, 1], acl: streamAcl, run: xpending },
  { name: 'xclaim', arity: -6, flags: ['write', 'fast'], keys: [1, 1, 1], acl: streamAcl, run: xclaim },
  { name: 'xautoclaim', arity: -6, flags: ['write', 'fast'], keys: [1, 1, 1], acl: streamAcl, run: xautoclaim },
];

export const xgroupCommand: CommandSpec = {
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
};
