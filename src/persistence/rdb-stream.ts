/**
 * Streams in RDB form, as Redis 7.0's rdbSaveObject / rdbLoadObject.
 *
 * Body: the radix tree nodes (count, then per node its 16-byte big-endian
 * master ID and its listpack, each as an RDB string), the length, last ID,
 * and from type 19 on the first ID, the highest deleted ID and the
 * entries-added counter; then the consumer groups: name, last-delivered ID,
 * entries-read (type 19+), the group PEL (raw 16-byte IDs with delivery time
 * and count) and the consumers (name, seen time, active time in type 21, and
 * the raw IDs of their PEL, which point into the group PEL).
 *
 * A node's listpack, as t_stream.c lays it out:
 *   master entry: live count, deleted count, field count, fields..., 0
 *   each entry:   flags, ms delta, seq delta, [field count, then field/value
 *                 pairs | values only when flagged SAMEFIELDS], lp-count
 * The loader rebuilds the same nodes (so radix tree figures, DUMP re-output
 * and later XADDs match Redis) and checks everything the in-memory model
 * relies on; bad input is always an RdbFormatError.
 */

import {
  compareIds,
  encodeId,
  formatId,
  maxId,
  zeroId,
  type Consumer,
  type ConsumerGroup,
  type PendingEntry,
  type StoredStreamNode,
  type StreamEntry,
  type StreamId,
  StreamValue,
} from '../store/stream.js';
import { parseLongLongBig } from '../util/numbers.js';
import { ListpackBuilder, readListpack } from './listpack.js';
import type { RdbLoadLimits } from './rdb-object.js';
import {
  RDB_64BITLEN,
  RDB_TYPE_STREAM_LISTPACKS_2,
  RdbFormatError,
  type RdbReader,
  type RdbWriter,
} from './rdb-string.js';

/** Redis 7.2's stream type: consumers also carry an active time. */
const RDB_TYPE_STREAM_LISTPACKS_3 = 21;

/* Entry flags in a node listpack. */
const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;

// ---- writing ---------------------------------------------------------------------

/** Type byte 19 and the stream, as Redis 7.0 saves it. */
export function writeStreamObject(w: RdbWriter, s: StreamValue, compress: boolean): void {
  w.writeType(RDB_TYPE_STREAM_LISTPACKS_2);
  const nodes = s.storedNodes();
  w.writeLength(nodes.length);
  for (const node of nodes) {
    w.writeString(node.key, compress);
    w.writeString(nodeListpack(node), compress);
  }
  w.writeLength(s.length);
  writeId(w, s.lastId);
  writeId(w, s.firstId);
  writeId(w, s.maxDeletedId);
  w.writeLength(s.entriesAdded);
  const groups = s.sortedGroups();
  w.writeLength(groups.length);
  for (const [name, group] of groups) {
    w.writeString(name, compress);
    writeId(w, group.lastId);
    w.writeLength(BigInt.asUintN(64, group.entriesRead));
    w.writeLength(group.pel.size);
    for (const [id, nack] of group.pel.entries()) {
      w.writeRaw(encodeId(id));
      w.writeMillisecondTime(nack.deliveryTime);
      w.writeLength(nack.deliveryCount);
    }
    const consumers = group.sortedConsumers();
    w.writeLength(consumers.length);
    for (const consumer of consumers) {
      w.writeString(consumer.name, compress);
      w.writeMillisecondTime(consumer.seenTime);
      w.writeLength(consumer.pel.size);
      for (const [id] of consumer.pel.entries()) w.writeRaw(encodeId(id));
    }
  }
}

function writeId(w: RdbWriter, id: StreamId): void {
  w.writeLength(id.ms);
  w.writeLength(id.seq);
}

/** The node's listpack bytes, exactly as Redis's appends and in-place updates leave them. */
export function nodeListpack(node: StoredStreamNode): Buffer {
  const lp = new ListpackBuilder(node.bytes);
  lp.appendInteger(node.live);
  lp.appendInteger(node.deleted);
  lp.appendInteger(node.masterFields.length);
  for (const f of node.masterFields) lp.appendString(f);
  lp.appendInteger(0);
  const { ms, seq } = node.master;
  for (const e of node.entries) {
    const same = e.fields === node.masterFields;
    lp.appendInteger((same ? FLAG_SAMEFIELDS : 0) | (e.deleted ? FLAG_DELETED : 0));
    lp.appendInteger(BigInt.asIntN(64, e.id.ms - ms));
    lp.appendInteger(BigInt.asIntN(64, e.id.seq - seq));
    const n = e.values.length;
    if (same) {
      for (const v of e.values) lp.appendString(v);
    } else {
      lp.appendInteger(n);
      for (let i = 0; i < n; i++) {
        lp.appendString(e.fields[i]);
        lp.appendString(e.values[i]);
      }
    }
    lp.appendInteger(same ? n + 3 : 2 * n + 4);
  }
  return lp.finish();
}

// ---- reading ---------------------------------------------------------------------

/**
 * A stream whose type byte (15: Redis 5–6.2, 19: 7.0, 21: 7.2) was just
 * read. Type 15 lacks the first/max-deleted IDs, entries-added and the
 * groups' entries-read: they are derived as Redis does on load.
 */
export function readStreamObject(r: RdbReader, type: 15 | 19 | 21, limits: RdbLoadLimits): StreamValue {
  // Nodes are kept as stored, whatever `limits` (the node size settings) say now, as in Redis.
  const v2 = type >= RDB_TYPE_STREAM_LISTPACKS_2;
  const s = new StreamValue();
  const nodeCount = r.readLen();
  let prevMaster: StreamId | undefined;
  let lastLive: StreamId | undefined;
  let live = 0;
  for (let i = 0; i < nodeCount; i++) {
    const keyAt = r.offset;
    const key = r.readStringBytes();
    if (key.length !== 16) throw new RdbFormatError('Stream node key entry is not the size of a stream ID', keyAt);
    const master = idFromBytes(key);
    if (prevMaster !== undefined && compareIds(master, prevMaster) <= 0) {
      const dup = compareIds(master, prevMaster) === 0;
      throw new RdbFormatError(dup ? 'Listpack re-added with existing key' : 'Stream nodes out of order', keyAt);
    }
    prevMaster = master;
    const lpAt = r.offset;
    const node = parseNode(r.readStringBytes(), master, lpAt);
    for (const e of node.entries) {
      if (e.deleted) continue;
      // Tombstones may sit anywhere (XSETID below one, then XADD), live entries never.
      if (lastLive !== undefined && compareIds(e.id, lastLive) <= 0) {
        throw new RdbFormatError('Stream entries out of order', lpAt);
      }
      lastLive = e.id;
      live++;
    }
    s.appendStoredNode(master, node.masterFields, node.entries);
  }

  const lengthAt = r.offset;
  if (readU64(r) !== BigInt(live)) throw new RdbFormatError('Stream length inconsistent with its entries', lengthAt);
  s.length = live;
  const lastIdAt = r.offset;
  s.lastId = readId(r);
  if (lastLive !== undefined && compareIds(s.lastId, lastLive) < 0) {
    throw new RdbFormatError('Stream last ID below its last entry', lastIdAt);
  }
  if (v2) {
    s.firstId = readId(r);
    s.maxDeletedId = readId(r);
    s.entriesAdded = readU64(r);
  } else {
    // As Redis migrating an older stream: no tombstone record, every entry counted as added.
    s.maxDeletedId = zeroId;
    s.entriesAdded = BigInt(live);
    s.firstId = s.edge(false)?.id ?? maxId;
  }

  const groupCount = r.readLen();
  for (let g = 0; g < groupCount; g++) {
    const nameAt = r.offset;
    const name = r.readString();
    const lastId = readId(r);
    const entriesRead = v2 ? BigInt.asIntN(64, readU64(r)) : s.estimateEntriesRead(lastId);
    const group = s.createGroup(name, lastId, entriesRead);
    if (group === undefined) throw new RdbFormatError('Duplicated consumer group name', nameAt);
    readGroupPels(r, group, type === RDB_TYPE_STREAM_LISTPACKS_3);
  }
  return s;
}

/** A group PEL record until its consumer is known. */
interface LoadingNack {
  id: StreamId;
  deliveryTime: number;
  deliveryCount: bigint;
  consumer?: Consumer;
}

/** The group PEL, then the consumers with their PELs, linked to the same records. */
function readGroupPels(r: RdbReader, group: ConsumerGroup, activeTime: boolean): void {
  const pending = new Map<string, LoadingNack>(); // by formatted ID
  const pelCount = r.readLen();
  for (let i = 0; i < pelCount; i++) {
    const at = r.offset;
    const id = idFromBytes(r.readRaw(16));
    const deliveryTime = r.readMillisecondTime();
    const deliveryCount = readU64(r);
    const key = formatId(id);
    if (pending.has(key)) throw new RdbFormatError('Duplicated global PEL entry loading stream consumer group', at);
    pending.set(key, { id, deliveryTime, deliveryCount });
  }
  const consumerCount = r.readLen();
  for (let i = 0; i < consumerCount; i++) {
    const nameAt = r.offset;
    const name = r.readString();
    const seenTime = r.readMillisecondTime();
    if (activeTime) r.readMillisecondTime(); // Redis 7.0 has no active time: dropped
    const consumer = group.createConsumer(name, seenTime);
    if (consumer === undefined) throw new RdbFormatError('Duplicate stream consumer detected', nameAt);
    const count = r.readLen();
    for (let j = 0; j < count; j++) {
      const at = r.offset;
      const nack = pending.get(formatId(idFromBytes(r.readRaw(16))));
      if (nack === undefined) throw new RdbFormatError('Consumer entry not found in group global PEL', at);
      if (nack.consumer !== undefined) {
        const why = nack.consumer === consumer ? 'Duplicated consumer PEL entry' : 'PEL entry owned by two consumers';
        throw new RdbFormatError(why, at);
      }
      nack.consumer = consumer;
    }
  }
  const end = r.offset;
  for (const { id, deliveryTime, deliveryCount, consumer } of pending.values()) {
    if (consumer === undefined) throw new RdbFormatError('Stream CG PEL entry without consumer', end);
    const nack: PendingEntry = { deliveryTime, deliveryCount, consumer };
    group.pel.insert(id, nack);
    consumer.pel.insert(id, nack);
  }
}

/** A node's master fields and entries (tombstones included), checked as Redis's deep sanitization and more. */
function parseNode(blob: Uint8Array, master: StreamId, at: number): { masterFields: string[]; entries: StreamEntry[] } {
  const items = readListpack(blob, at);
  if (items.length === 0) throw new RdbFormatError('Empty listpack inside stream', at);
  const bad = (what: string): never => {
    throw new RdbFormatError(`Stream listpack integrity check failed: ${what}`, at);
  };
  let p = 0;
  const next = (): string => (p < items.length ? items[p++] : bad('entries run past the listpack end'));
  const int = (): bigint => parseLongLongBig(next()) ?? bad('integer expected');
  const count = (what: string): number => {
    const v = int();
    return v < 0n || v > BigInt(items.length) ? bad(`bad ${what} ${v}`) : Number(v);
  };

  const liveCount = count('entry count');
  const deletedCount = count('deleted count');
  const fieldCount = count('master field count');
  const masterFields: string[] = [];
  for (let i = 0; i < fieldCount; i++) masterFields.push(next());
  if (int() !== 0n) bad('master entry terminator is not 0');
  if (liveCount + deletedCount === 0) bad('node without entries');

  const entries: StreamEntry[] = [];
  let deletedSeen = 0;
  for (let i = 0; i < liveCount + deletedCount; i++) {
    const flags = int();
    if (flags < 0n || flags > BigInt(FLAG_DELETED | FLAG_SAMEFIELDS)) bad(`unknown entry flags ${flags}`);
    const id: StreamId = {
      ms: BigInt.asUintN(64, master.ms + int()),
      seq: BigInt.asUintN(64, master.seq + int()),
    };
    const same = (flags & BigInt(FLAG_SAMEFIELDS)) !== 0n;
    const n = same ? fieldCount : count('field count');
    let fields: readonly string[] = masterFields;
    const values: string[] = [];
    if (same) {
      for (let j = 0; j < n; j++) values.push(next());
    } else {
      const own: string[] = [];
      for (let j = 0; j < n; j++) {
        own.push(next());
        values.push(next());
      }
      fields = own;
    }
    if (int() !== BigInt(same ? n + 3 : 2 * n + 4)) bad('lp-count does not match the entry');
    const deleted = (flags & BigInt(FLAG_DELETED)) !== 0n;
    if (deleted) deletedSeen++;
    entries.push({ id, fields, values, deleted });
  }
  if (p !== items.length) bad('elements after the last entry');
  if (deletedSeen !== deletedCount) bad('deleted count does not match the entries');
  return { masterFields, entries };
}

/** rdbLoadLen as an exact unsigned 64-bit value. */
function readU64(r: RdbReader): bigint {
  if (r.remaining > 0 && r.buf[r.offset] === RDB_64BITLEN) {
    r.offset++;
    const b = r.readRaw(8);
    let v = 0n;
    for (const byte of b) v = (v << 8n) | BigInt(byte);
    return v;
  }
  return BigInt(r.readLen());
}

function readId(r: RdbReader): StreamId {
  const ms = readU64(r);
  return { ms, seq: readU64(r) };
}

/** A 16-byte big-endian stream ID. */
function idFromBytes(b: Uint8Array): StreamId {
  let ms = 0n;
  let seq = 0n;
  for (let i = 0; i < 8; i++) ms = (ms << 8n) | BigInt(b[i]);
  for (let i = 8; i < 16; i++) seq = (seq << 8n) | BigInt(b[i]);
  return { ms, seq };
}
