// The stream type, laid out as Redis 7.0 lays it out.
//
// Redis keeps a stream as a radix tree of listpacks ("nodes"), keyed by the
// ID of the first entry ever put in each node. Several visible behaviours
// depend on that layout: XTRIM/XADD with `~` only ever drop whole nodes,
// MINID trimming looks at a node's last entry, XINFO STREAM reports the
// number of nodes and of radix tree nodes. So entries here are grouped into
// nodes exactly where Redis would cut them: a node closes once it holds
// `stream-node-max-entries` entries (deleted ones included) or once its
// listpack would pass `stream-node-max-bytes`, for which each node keeps the
// byte size its listpack would have (computed, never built).
//
// Deletion only marks an entry (Redis's tombstones); a node goes when its
// last live entry does. Entry IDs are two unsigned 64-bit halves, as bigints.
//
// Consumer groups: per group a last-delivered ID, the logical entries-read
// counter, the pending entries list (PEL: ID → consumer, delivery time and
// count) and the consumers, each with its own PEL sharing the same records.

import { mixDigest } from '../persistence/digest.js';
import { parseInt64 } from '../util/numbers.js';
import type { TypedValue } from './value.js';

// ---- IDs --------------------------------------------------------------------

export interface StreamId {
  readonly ms: bigint;
  readonly seq: bigint;
}

export const U64_MAX = 0xffffffffffffffffn;
export const zeroId: StreamId = { ms: 0n, seq: 0n };
export const maxId: StreamId = { ms: U64_MAX, seq: U64_MAX };

export function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function isZeroId(id: StreamId): boolean {
  return id.ms === 0n && id.seq === 0n;
}

export function formatId(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

/** The ID right after `id` (Redis's streamIncrID); null past the last possible ID. */
export function successorId(id: StreamId): StreamId | null {
  if (id.seq < U64_MAX) return { ms: id.ms, seq: id.seq + 1n };
  if (id.ms < U64_MAX) return { ms: id.ms + 1n, seq: 0n };
  return null;
}

/** The ID right before `id` (Redis's streamDecrID); null before 0-0. */
export function predecessorId(id: StreamId): StreamId | null {
  if (id.seq > 0n) return { ms: id.ms, seq: id.seq - 1n };
  if (id.ms > 0n) return { ms: id.ms - 1n, seq: U64_MAX };
  return null;
}

/** Binary search: index of the first element of `ids` (sorted) that is >= id, or ids.length. */
function lowerBound<T>(items: readonly T[], id: StreamId, idOf: (t: T) => StreamId): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareIds(idOf(items[mid]), id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---- an ordered map keyed by ID (Redis's PEL radix trees) ---------------------

/** Keys per chunk at most: inserts and deletes move at most this many slots plus the chunk list. */
const idMapChunkMax = 128;

interface IdChunk<V> {
  ids: StreamId[];
  vals: V[];
}

/** ID → value in ID order, as a list of sorted chunks: O(log n) lookups, cheap inserts and deletes anywhere. */
export class IdMap<V> {
  private chunks: IdChunk<V>[] = [];
  size = 0;

  /** Index of the chunk that holds `id` or would: the first whose last ID is >= id (the last chunk when none). */
  private chunkFor(id: StreamId): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const ids = this.chunks[mid].ids;
      if (compareIds(ids[ids.length - 1], id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(id: StreamId): V | undefined {
    if (this.size === 0) return undefined;
    const chunk = this.chunks[this.chunkFor(id)];
    const i = lowerBound(chunk.ids, id, idSelf);
    return i < chunk.ids.length && compareIds(chunk.ids[i], id) === 0 ? chunk.vals[i] : undefined;
  }

  /** Adds `id` unless present (Redis's raxTryInsert); false when it was already there. */
  insert(id: StreamId, value: V): boolean {
    if (this.size === 0) {
      this.chunks.push({ ids: [id], vals: [value] });
      this.size = 1;
      return true;
    }
    const ci = this.chunkFor(id);
    const chunk = this.chunks[ci];
    const i = lowerBound(chunk.ids, id, idSelf);
    if (i < chunk.ids.length && compareIds(chunk.ids[i], id) === 0) return false;
    chunk.ids.splice(i, 0, id);
    chunk.vals.splice(i, 0, value);
    this.size++;
    if (chunk.ids.length > idMapChunkMax) {
      const half = chunk.ids.length >>> 1;
      this.chunks.splice(ci + 1, 0, { ids: chunk.ids.splice(half), vals: chunk.vals.splice(half) });
    }
    return true;
  }

  /** Removes `id`; its value, or undefined when absent. */
  delete(id: StreamId): V | undefined {
    if (this.size === 0) return undefined;
    const ci = this.chunkFor(id);
    const chunk = this.chunks[ci];
    const i = lowerBound(chunk.ids, id, idSelf);
    if (i === chunk.ids.length || compareIds(chunk.ids[i], id) !== 0) return undefined;
    const value = chunk.vals[i];
    chunk.ids.splice(i, 1);
    chunk.vals.splice(i, 1);
    this.size--;
    if (chunk.ids.length === 0) this.chunks.splice(ci, 1);
    return value;
  }

  first(): StreamId | undefined {
    return this.chunks[0]?.ids[0];
  }

  last(): StreamId | undefined {
    const ids = this.chunks[this.chunks.length - 1]?.ids;
    return ids?.[ids.length - 1];
  }

  /** The smallest key >= id with its value. */
  ceiling(id: StreamId): [StreamId, V] | undefined {
    if (this.size === 0) return undefined;
    let ci = this.chunkFor(id);
    let chunk = this.chunks[ci];
    let i = lowerBound(chunk.ids, id, idSelf);
    if (i === chunk.ids.length) {
      if (++ci === this.chunks.length) return undefined;
      chunk = this.chunks[ci];
      i = 0;
    }
    return [chunk.ids[i], chunk.vals[i]];
  }

  /** Entries in ID order; the map must not change meanwhile. */
  *entries(): IterableIterator<[StreamId, V]> {
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.ids.length; i++) yield [chunk.ids[i], chunk.vals[i]];
    }
  }
}

function idSelf(id: StreamId): StreamId {
  return id;
}

// ---- listpack sizes -------------------------------------------------------------

/** Bytes of a listpack's header and end marker. */
const lpOverheadBytes = 7;
/** Redis refuses entries and nodes past 1 GiB (STREAM_LISTPACK_MAX_SIZE). */
export const listpackMaxBytes = 1 << 30;

/** Bytes of one listpack element whose encoding takes `enc` bytes: encoding plus back-length. */
function lpElementBytes(enc: number): number {
  if (enc <= 127) return enc + 1;
  if (enc < 16383) return enc + 2;
  if (enc < 2097151) return enc + 3;
  if (enc < 268435455) return enc + 4;
  return enc + 5;
}

function lpIntBytes(v: number | bigint): number {
  if (typeof v === 'bigint') {
    if (v >= -0x80000000n && v <= 0x7fffffffn) return lpIntBytes(Number(v));
    return lpElementBytes(9);
  }
  if (v >= 0 && v <= 127) return lpElementBytes(1);
  if (v >= -4096 && v <= 4095) return lpElementBytes(2);
  if (v >= -32768 && v <= 32767) return lpElementBytes(3);
  if (v >= -8388608 && v <= 8388607) return lpElementBytes(4);
  if (v >= -2147483648 && v <= 2147483647) return lpElementBytes(5);
  return lpElementBytes(9);
}

/** A string element: stored as an integer when it reads as one, as listpacks do. */
function lpStringBytes(s: string): number {
  const n = s.length <= 20 ? parseInt64(s) : null;
  if (n !== null) return lpIntBytes(n);
  const len = s.length;
  return lpElementBytes(len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len);
}

// ---- entries and nodes ----------------------------------------------------------

export interface StreamEntry {
  readonly id: StreamId;
  /** Field names; the very array of the node's master entry when they are the same (Redis's SAMEFIELDS). */
  readonly fields: readonly string[];
  readonly values: readonly string[];
  /** A tombstone: XDEL or an exact trim inside a node marked it. */
  deleted: boolean;
}

/** A radix tree node as stored, read-only: what the RDB writer serialises. */
export interface StoredStreamNode {
  readonly master: StreamId;
  readonly key: string;
  readonly masterFields: readonly string[];
  readonly entries: readonly StreamEntry[];
  readonly live: number;
  readonly deleted: number;
  /** Bytes of its listpack. */
  readonly bytes: number;
}

/** One radix tree node: a listpack of entries that starts with the "master entry". */
class StreamNode implements StoredStreamNode {
  /** ID of the first entry ever added to this node. */
  readonly master: StreamId;
  /** The radix tree key: `master` as 16 big-endian bytes. */
  readonly key: string;
  readonly masterFields: readonly string[];
  /** Every entry put in this node, tombstones included, in ID order. */
  readonly entries: StreamEntry[] = [];
  live = 0;
  deleted = 0;
  /** Listpack bytes except the live/deleted counters, whose size varies with their value. */
  private fixedBytes: number;

  constructor(master: StreamId, masterFields: readonly string[]) {
    this.master = master;
    this.key = encodeId(master);
    this.masterFields = masterFields;
    let bytes = lpOverheadBytes + lpIntBytes(masterFields.length) + lpIntBytes(0);
    for (const f of masterFields) bytes += lpStringBytes(f);
    this.fixedBytes = bytes;
  }

  get bytes(): number {
    return this.fixedBytes + lpIntBytes(this.live) + lpIntBytes(this.deleted);
  }

  /** Appends an entry (its ID above every ID in the node) and accounts for its listpack bytes. */
  append(entry: StreamEntry): void {
    const same = entry.fields === this.masterFields;
    const n = entry.values.length;
    let bytes = lpIntBytes(same ? 2 : 0);
    bytes += lpIntBytes(BigInt.asIntN(64, entry.id.ms - this.master.ms));
    bytes += lpIntBytes(BigInt.asIntN(64, entry.id.seq - this.master.seq));
    if (!same) {
      bytes += lpIntBytes(n);
      for (const f of entry.fields) bytes += lpStringBytes(f);
    }
    for (const v of entry.values) bytes += lpStringBytes(v);
    bytes += lpIntBytes(same ? n + 3 : 2 * n + 4);
    this.fixedBytes += bytes;
    this.entries.push(entry);
    this.live++;
  }

  /** Marks a live entry deleted. */
  markDeleted(entry: StreamEntry): void {
    entry.deleted = true;
    this.live--;
    this.deleted++;
  }

  lastId(): StreamId {
    return this.entries[this.entries.length - 1].id;
  }

  clone(): StreamNode {
    const copy = new StreamNode(this.master, this.masterFields);
    for (const e of this.entries) copy.entries.push({ id: e.id, fields: e.fields, values: e.values, deleted: e.deleted });
    copy.live = this.live;
    copy.deleted = this.deleted;
    copy.fixedBytes = this.fixedBytes;
    return copy;
  }
}

/** How nodes fill up: stream-node-max-entries and stream-node-max-bytes. */
export interface NodeLimits {
  maxEntries: number;
  maxBytes: number;
}

// ---- consumer groups ----------------------------------------------------------

/** Redis's SCG_INVALID_ENTRIES_READ: the group's read counter is unknown. */
export const entriesReadUnknown = -1n;

/** A delivered, not yet acknowledged entry (Redis's streamNACK). */
export interface PendingEntry {
  /** Unix time in ms of the last delivery. */
  deliveryTime: number;
  deliveryCount: bigint;
  consumer: Consumer;
}

/** One more delivery of a pending entry (the count is a uint64 in Redis, so it wraps). */
export function countDelivery(nack: PendingEntry): void {
  nack.deliveryCount = BigInt.asUintN(64, nack.deliveryCount + 1n);
}

export class Consumer {
  readonly name: string;
  /** Unix time in ms the consumer last read or claimed. */
  seenTime: number;
  readonly pel = new IdMap<PendingEntry>();

  constructor(name: string, seenTime: number) {
    this.name = name;
    this.seenTime = seenTime;
  }
}

export class ConsumerGroup {
  lastId: StreamId;
  /** Logical read counter of lastId, or entriesReadUnknown. */
  entriesRead: bigint;
  readonly pel = new IdMap<PendingEntry>();
  readonly consumers = new Map<string, Consumer>();

  constructor(lastId: StreamId, entriesRead: bigint) {
    this.lastId = lastId;
    this.entriesRead = entriesRead;
  }

  /** Consumers in name order (Redis keeps them in a radix tree). */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Adds a consumer; undefined when one by that name exists. */
  createConsumer(name: string, now: number): Consumer | undefined {
    if (this.consumers.has(name)) return undefined;
    const consumer = new Consumer(name, now);
    this.consumers.set(name, consumer);
    return consumer;
  }

  /** Removes a consumer and its pending entries from the group PEL; how many it had pending. */
  deleteConsumer(consumer: Consumer): number {
    for (const [id] of consumer.pel.entries()) this.pel.delete(id);
    this.consumers.delete(consumer.name);
    return consumer.pel.size;
  }

  /** Drops a pending entry from the group and its consumer. */
  acknowledge(id: StreamId): boolean {
    const nack = this.pel.delete(id);
    if (nack === undefined) return false;
    nack.consumer.pel.delete(id);
    return true;
  }

  /** Gives a pending entry to `consumer` (it may already own it). */
  assign(id: StreamId, nack: PendingEntry, consumer: Consumer): void {
    if (nack.consumer === consumer) return;
    nack.consumer.pel.delete(id);
    nack.consumer = consumer;
    consumer.pel.insert(id, nack);
  }

  /**
   * Records the delivery of `id` to `consumer` (XREADGROUP): a new pending
   * entry, or one taken over from whoever had it, with its count restarted.
   */
  deliver(id: StreamId, consumer: Consumer, now: number): PendingEntry {
    const existing = this.pel.get(id);
    if (existing === undefined) {
      const nack: PendingEntry = { deliveryTime: now, deliveryCount: 1n, consumer };
      this.pel.insert(id, nack);
      consumer.pel.insert(id, nack);
      return nack;
    }
    existing.consumer.pel.delete(id);
    existing.consumer = consumer;
    existing.deliveryTime = now;
    existing.deliveryCount = 1n;
    consumer.pel.insert(id, existing);
    return existing;
  }

  clone(): ConsumerGroup {
    const copy = new ConsumerGroup(this.lastId, this.entriesRead);
    for (const consumer of this.consumers.values()) {
      const c2 = new Consumer(consumer.name, consumer.seenTime);
      copy.consumers.set(c2.name, c2);
      for (const [id, nack] of consumer.pel.entries()) {
        const n2: PendingEntry = { deliveryTime: nack.deliveryTime, deliveryCount: nack.deliveryCount, consumer: c2 };
        c2.pel.insert(id, n2);
        copy.pel.insert(id, n2);
      }
    }
    return copy;
  }
}

// ---- the stream ----------------------------------------------------------------

/** How XTRIM / XADD trim: by length or by minimal ID, exactly or by whole nodes, at most `limit` entries (0: no limit). */
export interface TrimSpec {
  maxLen?: number;
  minId?: StreamId;
  approx: boolean;
  limit: number;
}

export class StreamValue implements TypedValue {
  readonly type = 'stream';
  /** Radix tree nodes in key order. */
  private nodes: StreamNode[] = [];
  /** The radix tree's own nodes, as positions (key prefixes) with how many keys or neighbour pairs need each. */
  private treePositions = new RadixPositions();
  /** Live entries. */
  length = 0;
  lastId: StreamId = zeroId;
  /** First live entry's ID as Redis records it (0-0 when empty). */
  firstId: StreamId = zeroId;
  maxDeletedId: StreamId = zeroId;
  /** Entries ever added (uint64 in Redis). */
  entriesAdded = 0n;
  /** Consumer groups by name; null until the first one (Redis creates the radix tree on demand). */
  groups: Map<string, ConsumerGroup> | null = null;

  encoding(): string {
    return 'stream';
  }

  /** Number of radix tree keys (listpack nodes), as XINFO STREAM radix-tree-keys. */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /**
   * The ID XADD gives the next entry: `given` as is when its sequence was
   * given, else "ms-*" completed from the last ID (or `*`: the clock, never
   * going back). Null when no valid ID follows (sequence exhausted).
   */
  nextAddId(given: StreamId | null, seqGiven: boolean, nowMs: number): StreamId | null {
    if (given !== null) {
      if (seqGiven) return given;
      if (given.ms !== this.lastId.ms) return given;
      return this.lastId.seq === U64_MAX ? null : { ms: given.ms, seq: this.lastId.seq + 1n };
    }
    const ms = BigInt(nowMs);
    if (ms > this.lastId.ms) return { ms, seq: 0n };
    return successorId(this.lastId);
  }

  /**
   * Appends an entry with `id` (which must be above lastId) and the
   * field/value pairs `pairs`, opening a new node where Redis would.
   */
  append(id: StreamId, pairs: readonly string[], limits: NodeLimits): void {
    let pairBytes = 0;
    for (const p of pairs) pairBytes += p.length;
    let node: StreamNode | undefined = this.nodes[this.nodes.length - 1];
    if (node !== undefined) {
      const maxBytes = limits.maxBytes === 0 || limits.maxBytes > listpackMaxBytes ? listpackMaxBytes : limits.maxBytes;
      if (node.bytes + pairBytes >= maxBytes) node = undefined;
      else if (limits.maxEntries !== 0 && node.live + node.deleted >= limits.maxEntries) node = undefined;
    }
    const fields: string[] = [];
    const values: string[] = [];
    for (let i = 0; i < pairs.length; i += 2) {
      fields.push(pairs[i]);
      values.push(pairs[i + 1]);
    }
    let entryFields: readonly string[] = fields;
    if (node === undefined) {
      node = new StreamNode(id, fields);
      this.treePositions.addKey(node.key, this.nodes[this.nodes.length - 1]?.key, 1);
      this.nodes.push(node);
    } else if (sameStrings(fields, node.masterFields)) {
      entryFields = node.masterFields;
    }
    node.append({ id, fields: entryFields, values, deleted: false });
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  /** The node whose key range holds `id`: the last node keyed <= id (the first node when none), -1 when empty. */
  private nodeIndexFor(id: StreamId): number {
    if (this.nodes.length === 0) return -1;
    const i = lowerBound(this.nodes, id, nodeMaster);
    if (i < this.nodes.length && compareIds(this.nodes[i].master, id) === 0) return i;
    return Math.max(0, i - 1);
  }

  /** The live entry with exactly `id`. */
  get(id: StreamId): StreamEntry | undefined {
    const ni = this.nodeIndexFor(id);
    if (ni < 0) return undefined;
    const entries = this.nodes[ni].entries;
    const i = lowerBound(entries, id, entryId);
    const e = entries[i];
    return e !== undefined && !e.deleted && compareIds(e.id, id) === 0 ? e : undefined;
  }

  /** Live entries with start <= ID <= end, ascending, or descending with `rev`. */
  *range(start: StreamId, end: StreamId, rev = false): Generator<StreamEntry> {
    if (this.nodes.length === 0 || compareIds(start, end) > 0) return;
    if (!rev) {
      for (let ni = this.nodeIndexFor(start); ni < this.nodes.length; ni++) {
        const entries = this.nodes[ni].entries;
        for (let i = lowerBound(entries, start, entryId); i < entries.length; i++) {
          const e = entries[i];
          if (compareIds(e.id, end) > 0) return;
          if (!e.deleted) yield e;
        }
      }
    } else {
      for (let ni = this.nodeIndexFor(end); ni >= 0; ni--) {
        const entries = this.nodes[ni].entries;
        let i = lowerBound(entries, end, entryId);
        if (i === entries.length || compareIds(entries[i].id, end) > 0) i--;
        for (; i >= 0; i--) {
          const e = entries[i];
          if (compareIds(e.id, start) < 0) return;
          if (!e.deleted) yield e;
        }
      }
    }
  }

  /** First (or with `last`, last) live entry. */
  edge(last: boolean): StreamEntry | undefined {
    const step = this.range(zeroId, maxId, last).next();
    return step.done === true ? undefined : step.value;
  }

  /** ID of the last live entry (Redis's streamLastValidID); 0-0 when empty. */
  lastValidId(): StreamId {
    return this.edge(true)?.id ?? zeroId;
  }

  /** ID of the first entry including tombstones, as the MINID rewrite of a `~` trim uses; max when empty. */
  firstStoredId(): StreamId {
    return this.nodes[0]?.entries[0].id ?? maxId;
  }

  /** XDEL: marks each live entry among `ids` deleted; how many were. */
  deleteIds(ids: readonly StreamId[]): number {
    let deleted = 0;
    let firstGone = false;
    for (const id of ids) {
      if (!this.deleteOne(id)) continue;
      if (compareIds(id, this.firstId) === 0) firstGone = true;
      if (compareIds(id, this.maxDeletedId) > 0) this.maxDeletedId = id;
      deleted++;
    }
    if (deleted > 0) {
      if (this.length === 0) this.firstId = zeroId;
      else if (firstGone) this.firstId = this.edge(false)?.id ?? maxId;
    }
    return deleted;
  }

  private deleteOne(id: StreamId): boolean {
    const ni = this.nodeIndexFor(id);
    if (ni < 0) return false;
    const node = this.nodes[ni];
    const i = lowerBound(node.entries, id, entryId);
    const e = node.entries[i];
    if (e === undefined || e.deleted || compareIds(e.id, id) !== 0) return false;
    // A node whose last live entry goes is dropped whole, as Redis does.
    if (node.live === 1) this.removeNodes(ni, 1);
    else node.markDeleted(e);
    e.deleted = true;
    this.length--;
    return true;
  }

  /** Redis's streamTrim: drops entries from the head; how many went. */
  trim(spec: TrimSpec): number {
    let deleted = 0;
    let dropNodes = 0;
    for (const node of this.nodes) {
      if (spec.maxLen !== undefined && this.length <= spec.maxLen) break;
      if (spec.limit !== 0 && deleted + node.live > spec.limit) break;
      const wholeNode =
        spec.maxLen !== undefined
          ? this.length - node.live >= spec.maxLen
          : compareIds(node.lastId(), spec.minId as StreamId) < 0;
      if (wholeNode) {
        this.length -= node.live;
        deleted += node.live;
        dropNodes++;
        continue;
      }
      if (spec.approx) break;
      // Mark entries deleted inside this node until the target is met.
      for (const e of node.entries) {
        if (spec.maxLen !== undefined ? this.length <= spec.maxLen : compareIds(e.id, spec.minId as StreamId) >= 0) break;
        if (e.deleted) continue;
        node.markDeleted(e);
        this.length--;
        deleted++;
      }
      break;
    }
    if (dropNodes > 0) this.removeNodes(0, dropNodes);
    if (this.length === 0) this.firstId = zeroId;
    else if (deleted > 0) this.firstId = this.edge(false)?.id ?? maxId;
    return deleted;
  }

  /**
   * Whether a tombstone may lie in [start, end] (Redis's
   * streamRangeHasTombstones: judged by the highest deleted ID only).
   */
  rangeHasTombstones(start: StreamId, end: StreamId = maxId): boolean {
    if (this.length === 0 || isZeroId(this.maxDeletedId)) return false;
    if (compareIds(this.firstId, this.maxDeletedId) > 0) return false;
    return compareIds(start, this.maxDeletedId) <= 0 && compareIds(this.maxDeletedId, end) <= 0;
  }

  /**
   * The logical read counter of `id`: how many entries were added up to it
   * (Redis's streamEstimateDistanceFromFirstEverEntry), or entriesReadUnknown
   * when deletions make that unknowable.
   */
  estimateEntriesRead(id: StreamId): bigint {
    if (this.entriesAdded === 0n) return 0n;
    if (this.length === 0 && compareIds(id, this.lastId) < 1) return this.entriesAdded;
    const cmpLast = compareIds(id, this.lastId);
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return entriesReadUnknown;
    const cmpFirst = compareIds(id, this.firstId);
    if (isZeroId(this.maxDeletedId) || compareIds(this.maxDeletedId, this.firstId) < 0) {
      if (cmpFirst < 0) return this.entriesAdded - BigInt(this.length);
      if (cmpFirst === 0) return this.entriesAdded - BigInt(this.length) + 1n;
    }
    return entriesReadUnknown;
  }

  /** Entries not yet delivered to `group` (XINFO lag), or null when that cannot be known. */
  groupLag(group: ConsumerGroup): bigint | null {
    if (this.entriesAdded === 0n) return 0n;
    let read = group.entriesRead;
    if (read === entriesReadUnknown || this.rangeHasTombstones(group.lastId)) {
      read = this.estimateEntriesRead(group.lastId);
      if (read === entriesReadUnknown) return null;
    }
    return BigInt.asIntN(64, this.entriesAdded) - read;
  }

  /** Moves `group` past `id` as delivering it does: last-delivered ID and read counter. */
  advanceGroup(group: ConsumerGroup, id: StreamId): void {
    if (group.entriesRead !== entriesReadUnknown && !this.rangeHasTombstones(id)) group.entriesRead++;
    else if (this.entriesAdded !== 0n) group.entriesRead = this.estimateEntriesRead(id);
    group.lastId = id;
  }

  /** Adds a group; undefined when the name is taken. */
  createGroup(name: string, lastId: StreamId, entriesRead: bigint): ConsumerGroup | undefined {
    if (this.groups === null) this.groups = new Map();
    if (this.groups.has(name)) return undefined;
    const group = new ConsumerGroup(lastId, entriesRead);
    this.groups.set(name, group);
    return group;
  }

  /** Groups in name order. */
  sortedGroups(): [string, ConsumerGroup][] {
    if (this.groups === null) return [];
    return [...this.groups].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** The radix tree nodes in key order (for the RDB writer). */
  storedNodes(): readonly StoredStreamNode[] {
    return this.nodes;
  }

  /**
   * Adds a node after the last one, as an RDB load rebuilds it: `entries`
   * (tombstones included, in stored order) get the node's byte accounting;
   * an entry whose fields are the master entry's must carry `masterFields`
   * itself. Stream-level fields (length, IDs, counters) are the caller's.
   */
  appendStoredNode(master: StreamId, masterFields: readonly string[], entries: readonly StreamEntry[]): void {
    const node = new StreamNode(master, masterFields);
    for (const e of entries) {
      const entry: StreamEntry = { id: e.id, fields: e.fields, values: e.values, deleted: false };
      node.append(entry);
      if (e.deleted) node.markDeleted(entry);
    }
    this.treePositions.addKey(node.key, this.nodes[this.nodes.length - 1]?.key, 1);
    this.nodes.push(node);
  }

  /** Drops `count` nodes from index `at`, keeping the radix tree's positions in step. */
  private removeNodes(at: number, count: number): void {
    const before = this.nodes[at - 1]?.key;
    const after = this.nodes[at + count]?.key;
    for (let i = at; i < at + count; i++) this.treePositions.addKey(this.nodes[i].key, this.nodes[i - 1]?.key, -1);
    if (after !== undefined) {
      this.treePositions.addPair(this.nodes[at + count - 1].key, after, -1);
      if (before !== undefined) this.treePositions.addPair(before, after, 1);
    }
    this.nodes.splice(at, count);
  }

  /** Nodes of the radix tree that holds the node keys (XINFO radix-tree-nodes). */
  radixTreeNodes(): number {
    return this.treePositions.count();
  }

  clone(): StreamValue {
    const copy = new StreamValue();
    copy.nodes = this.nodes.map((n) => n.clone());
    copy.treePositions = this.treePositions.clone();
    copy.length = this.length;
    copy.lastId = this.lastId;
    copy.firstId = this.firstId;
    copy.maxDeletedId = this.maxDeletedId;
    copy.entriesAdded = this.entriesAdded;
    if (this.groups !== null) {
      copy.groups = new Map();
      for (const [name, group] of this.groups) copy.groups.set(name, group.clone());
    }
    return copy;
  }

  /** Redis's xorObjectDigest for streams: each live entry's "ms.seq", then its fields and values. */
  digest(digest: Uint8Array): void {
    for (const e of this.range(zeroId, maxId)) {
      mixDigest(digest, `${e.id.ms}.${e.id.seq}`);
      for (let i = 0; i < e.values.length; i++) {
        mixDigest(digest, e.fields[i]);
        mixDigest(digest, e.values[i]);
      }
    }
  }
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function nodeMaster(n: StreamNode): StreamId {
  return n.master;
}

function entryId(e: StreamEntry): StreamId {
  return e.id;
}

/**
 * The nodes of a compressed radix tree (Redis's rax) holding equal-length
 * keys, kept as they change: they are the root, the leaves, every branching
 * point and the children of branching points. In key order, each pair of
 * neighbouring keys branches where they first differ, so each key and each
 * neighbour pair needs a few positions (prefixes); a position stays while
 * anything needs it.
 */
class RadixPositions {
  private needed = new Map<string, number>();

  /** A key added (+1) or removed (-1), with the pair it forms with the key before it, if any. */
  addKey(key: string, before: string | undefined, sign: 1 | -1): void {
    this.need(key, sign);
    if (before !== undefined) this.addPair(before, key, sign);
  }

  /** Two neighbouring keys: where they branch, and the first node on each side. */
  addPair(a: string, b: string, sign: 1 | -1): void {
    let l = 0;
    while (a.charCodeAt(l) === b.charCodeAt(l)) l++;
    this.need(a.slice(0, l), sign);
    this.need(a.slice(0, l + 1), sign);
    this.need(b.slice(0, l + 1), sign);
  }

  private need(position: string, sign: 1 | -1): void {
    const n = (this.needed.get(position) ?? 0) + sign;
    if (n === 0) this.needed.delete(position);
    else this.needed.set(position, n);
  }

  /** Nodes, the root (the empty prefix) always among them. */
  count(): number {
    return this.needed.size + (this.needed.has('') ? 0 : 1);
  }

  clone(): RadixPositions {
    const copy = new RadixPositions();
    copy.needed = new Map(this.needed);
    return copy;
  }
}

/** An ID as its radix tree key: 16 bytes, big endian. */
export function encodeId(id: StreamId): string {
  let s = '';
  for (let shift = 56n; shift >= 0n; shift -= 8n) s += String.fromCharCode(Number((id.ms >> shift) & 0xffn));
  for (let shift = 56n; shift >= 0n; shift -= 8n) s += String.fromCharCode(Number((id.seq >> shift) & 0xffn));
  return s;
}
