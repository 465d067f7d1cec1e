// XINFO (CONSUMERS, GROUPS, STREAM, HELP): introspection of streams and
// their consumer groups.

import type { Client } from '../server/client.js';
import {
  entriesReadUnknown,
  maxId,
  StreamValue,
  zeroId,
  type ConsumerGroup,
  type IdMap,
  type PendingEntry,
  type StreamEntry,
  type StreamId,
} from '../store/stream.js';
import { replyHelp, subcommandSyntaxError } from './client.js';
import { longArg } from './lists.js';
import type { CommandSpec } from './registry.js';
import { cString, optionName } from './strings.js';
import { noSuchKeyError, replyEntries, replyEntry, replyId, streamAcl, streamAt } from './stream-common.js';

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

export const xinfoCommand: CommandSpec = {
    name: 'xinfo',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'help', arity: 2, flags: ['loading', 'stale'], acl: streamAcl, run: xinfoHelp },
      { name: 'consumers', arity: 4, flags: ['readonly'], keys: [2, 2, 1], acl: streamAcl, run: xinfoConsumers },
      { name: 'stream', arity: -3, flags: ['readonly'], keys: [2, 2, 1], acl: streamAcl, run: xinfoStream },
      { name: 'groups', arity: 3, flags: ['readonly'], keys: [2, 2, 1], acl: streamAcl, run: xinfoGroups },
    ],
};
