/**
 * RDB serialisation of one value (type byte + body), as Redis 7.0's
 * rdbSaveObjectType + rdbSaveObject write it and rdbLoadObject reads it.
 *
 * Writing picks what Redis 7.0 writes for the value's OBJECT ENCODING:
 *   string → STRING; list → QUICKLIST_2 (listpack nodes split as quicklist does,
 *   LZF-compressed inner nodes with list-compress-depth); set → SET_INTSET or SET;
 *   zset → ZSET_LISTPACK or ZSET_2 (skiplist from the highest score down);
 *   hash → HASH_LISTPACK or HASH; stream → rdb-stream.ts.
 * Reading takes every type Redis 6.0–7.2 writes and converts encodings as
 * Redis 7.0's loader does, validating like its deep sanitisation
 * (sanitize-dump-payload yes): bad input is always an RdbFormatError.
 */

import { HashValue, type HashLimits } from '../store/hash.js';
import { ListValue } from '../store/list.js';
import { SetValue } from '../store/set.js';
import { StreamValue } from '../store/stream.js';
import type { Value } from '../store/value.js';
import { ZSetValue, type ZSetLimits } from '../store/zset.js';
import { formatDouble17g } from '../util/numbers.js';
import { intsetBlob, readIntset } from './intset.js';
import { ListpackBuilder, readListpack } from './listpack.js';
import { lzfCompressRaw } from './lzf.js';
import { readStreamObject, writeStreamObject } from './rdb-stream.js';
import {
  RDB_TYPE_HASH,
  RDB_TYPE_HASH_LISTPACK,
  RDB_TYPE_HASH_ZIPLIST,
  RDB_TYPE_HASH_ZIPMAP,
  RDB_TYPE_LIST,
  RDB_TYPE_LIST_QUICKLIST,
  RDB_TYPE_LIST_QUICKLIST_2,
  RDB_TYPE_LIST_ZIPLIST,
  RDB_TYPE_MODULE_2,
  RDB_TYPE_MODULE_PRE_GA,
  RDB_TYPE_SET,
  RDB_TYPE_SET_INTSET,
  RDB_TYPE_STREAM_LISTPACKS,
  RDB_TYPE_STREAM_LISTPACKS_2,
  RDB_TYPE_STRING,
  RDB_TYPE_ZSET,
  RDB_TYPE_ZSET_2,
  RDB_TYPE_ZSET_LISTPACK,
  RDB_TYPE_ZSET_ZIPLIST,
  RdbFormatError,
  type RdbReader,
  type RdbWriter,
} from './rdb-string.js';
import { readZiplist } from './ziplist.js';
import { readZipmap } from './zipmap.js';

/** Redis 7.2's types (read only: 7.0 never writes them). */
export const RDB_TYPE_SET_LISTPACK = 20;
export const RDB_TYPE_STREAM_LISTPACKS_3 = 21;

/** The config values the loaders (and the list writer) need. */
export interface RdbLoadLimits {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  setMaxIntsetEntries: number;
  /** list-max-listpack-size: quicklist node fill (negative: a byte size class). */
  listMaxListpackSize: number;
  listCompressDepth: number;
  streamNodeMaxBytes: number;
  streamNodeMaxEntries: number;
}

export function rdbLoadLimits(config: { getInt(name: string): number }): RdbLoadLimits {
  return {
    hashMaxListpackEntries: config.getInt('hash-max-listpack-entries'),
    hashMaxListpackValue: config.getInt('hash-max-listpack-value'),
    zsetMaxListpackEntries: config.getInt('zset-max-listpack-entries'),
    zsetMaxListpackValue: config.getInt('zset-max-listpack-value'),
    setMaxIntsetEntries: config.getInt('set-max-intset-entries'),
    listMaxListpackSize: config.getInt('list-max-listpack-size'),
    listCompressDepth: config.getInt('list-compress-depth'),
    streamNodeMaxBytes: config.getInt('stream-node-max-bytes'),
    streamNodeMaxEntries: config.getInt('stream-node-max-entries'),
  };
}

/** Redis 7.0's default config values. */
export const defaultRdbLoadLimits: Readonly<RdbLoadLimits> = {
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  listMaxListpackSize: -2,
  listCompressDepth: 0,
  streamNodeMaxBytes: 4096,
  streamNodeMaxEntries: 100,
};

/** How lists are cut into quicklist nodes when written (the list's own layout is not Redis's). */
export type ListLayout = Pick<RdbLoadLimits, 'listMaxListpackSize' | 'listCompressDepth'>;

// ---- writing -------------------------------------------------------------------------

/**
 * Type byte + value as Redis 7.0's rdbSaveObjectType + rdbSaveObject. `compress`
 * is rdbcompression; `layout` carries the list settings that shape quicklist nodes.
 */
export function writeObject(w: RdbWriter, value: Value, compress: boolean, layout: ListLayout = defaultRdbLoadLimits): void {
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    w.writeType(RDB_TYPE_STRING);
    w.writeString(value, compress);
  } else if (value instanceof ListValue) {
    writeList(w, value, compress, layout);
  } else if (value instanceof SetValue) {
    writeSet(w, value, compress);
  } else if (value instanceof ZSetValue) {
    writeZSet(w, value, compress);
  } else if (value instanceof HashValue) {
    writeHash(w, value, compress);
  } else if (value instanceof StreamValue) {
    writeStreamObject(w, value, compress);
  } else {
    throw new TypeError(`cannot serialise a value of type ${value.type}`);
  }
}

/** quicklist.c's SIZE_SAFETY_LIMIT, optimization_level (fill -1 .. -5) and SIZE_ESTIMATE_OVERHEAD. */
const sizeSafetyLimit = 8192;
const optimizationLevel = [4096, 8192, 16384, 32768, 65536];
const sizeEstimateOverhead = 8;
/** quicklist.c's MIN_COMPRESS_BYTES / MIN_COMPRESS_IMPROVE. */
const minCompressBytes = 48;
const minCompressImprove = 8;
/** QUICKLIST_NODE_CONTAINER_PLAIN / _PACKED. */
const containerPlain = 1;
const containerPacked = 2;

/**
 * quicklist.c's _quicklistNodeAllowInsert: may an element of `sz` bytes join a node
 * whose listpack has `nodeBytes` bytes and `count` elements?
 */
function nodeAllowsInsert(nodeBytes: number, count: number, fill: number, sz: number): boolean {
  const newSz = nodeBytes + sz + sizeEstimateOverhead;
  if (fill < 0 && newSz <= optimizationLevel[-fill - 1]) return true;
  if (newSz > sizeSafetyLimit) return false;
  return count < fill;
}

/** An LZF-compressed quicklist node as __quicklistCompressNode makes it, or null when Redis keeps it raw. */
function compressNode(lp: Buffer): Uint8Array | null {
  if (lp.length < minCompressBytes) return null;
  const c = lzfCompressRaw(lp, lp.length);
  return c !== null && c.length + minCompressImprove < lp.length ? c : null;
}

/**
 * A list as the quicklist RPUSH would build (nodes filled head to tail as
 * _quicklistNodeAllowInsert allows), inner nodes compressed beyond
 * list-compress-depth from each end, as __quicklistCompress leaves them.
 */
function writeList(w: RdbWriter, list: ListValue, compress: boolean, layout: ListLayout): void {
  const fill = Math.max(-5, Math.min(32767, layout.listMaxListpackSize));
  const depth = Math.max(0, Math.min(65535, layout.listCompressDepth));
  const nodes: Buffer[] = [];
  let lp = new ListpackBuilder();
  for (const e of list.values()) {
    if (lp.count > 0 && !nodeAllowsInsert(lp.bytes, lp.count, fill, e.length)) {
      nodes.push(lp.finish());
      lp = new ListpackBuilder();
    }
    lp.appendString(e);
  }
  if (lp.count > 0) nodes.push(lp.finish());
  w.writeType(RDB_TYPE_LIST_QUICKLIST_2);
  w.writeLength(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    w.writeLength(containerPacked);
    const compressed = depth > 0 && i >= depth && i < nodes.length - depth ? compressNode(nodes[i]) : null;
    if (compressed !== null) w.writeLzfBlob(compressed, nodes[i].length);
    else w.writeString(nodes[i], compress);
  }
}

function writeSet(w: RdbWriter, set: SetValue, compress: boolean): void {
  if (set.encoding() === 'intset') {
    w.writeType(RDB_TYPE_SET_INTSET);
    w.writeString(intsetBlob([...set], set.intsetWidth), compress);
    return;
  }
  w.writeType(RDB_TYPE_SET);
  w.writeLength(set.size);
  for (const m of set) w.writeString(m, compress);
}

/** (double)(LLONG_MAX / 2): zzlInsertAt stores an integral score within it as an integer (double2ll). */
const listpackIntScoreMax = 4611686018427387903;

function writeZSet(w: RdbWriter, z: ZSetValue, compress: boolean): void {
  if (z.encoding() === 'listpack') {
    const lp = new ListpackBuilder();
    for (const { member, score } of z) {
      lp.appendString(member);
      if (!Number.isInteger(score) || score < -listpackIntScoreMax || score > listpackIntScoreMax) lp.appendString(formatDouble17g(score));
      else lp.appendInteger(Number.isSafeInteger(score) ? score : BigInt(score));
    }
    w.writeType(RDB_TYPE_ZSET_LISTPACK);
    w.writeString(lp.finish(), compress);
    return;
  }
  w.writeType(RDB_TYPE_ZSET_2);
  w.writeLength(z.size);
  // From the highest score down, as rdbSaveObject walks the skiplist backwards.
  for (const { member, score } of z.walk(z.size - 1, true)) {
    w.writeString(member, compress);
    w.writeBinaryDouble(score);
  }
}

function writeHash(w: RdbWriter, h: HashValue, compress: boolean): void {
  if (h.encoding() === 'listpack') {
    const lp = new ListpackBuilder();
    for (const [f, v] of h.entries()) {
      lp.appendString(f);
      lp.appendString(v);
    }
    w.writeType(RDB_TYPE_HASH_LISTPACK);
    w.writeString(lp.finish(), compress);
    return;
  }
  w.writeType(RDB_TYPE_HASH);
  w.writeLength(h.size);
  for (const [f, v] of h.entries()) {
    w.writeString(f, compress);
    w.writeString(v, compress);
  }
}

// ---- reading -------------------------------------------------------------------------

/** Limits under which a structure keeps its current encoding whatever it holds. */
const unlimited = { entries: Infinity, value: Infinity };
/** Limits that make the first insert convert to hashtable/skiplist. */
const converted = { entries: -1, value: -1 };

/**
 * The value whose type byte `type` was just read, for every type Redis
 * 6.0–7.2 writes; null for an empty collection (rdbLoadObject's "empty key":
 * an RDB load skips it, RESTORE rejects it). Throws RdbFormatError on bad
 * data, module types included.
 */
export function readObject(r: RdbReader, type: number, limits: RdbLoadLimits): Value | null {
  const start = r.offset;
  switch (type) {
    case RDB_TYPE_STRING:
      return r.readString();
    case RDB_TYPE_LIST:
      return readLinkedList(r);
    case RDB_TYPE_SET:
      return readSet(r, limits);
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2:
      return readSkiplistZSet(r, type === RDB_TYPE_ZSET_2, limits);
    case RDB_TYPE_HASH:
      return readHash(r, limits);
    case RDB_TYPE_HASH_ZIPMAP:
      return hashFromPairs(readZipmap(...blob(r)), limits, start, true);
    case RDB_TYPE_LIST_ZIPLIST: {
      const elements = readZiplist(...blob(r));
      return elements.length === 0 ? null : ListValue.from(elements);
    }
    case RDB_TYPE_SET_INTSET:
      return readIntsetSet(r, limits);
    case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_ZSET_LISTPACK: {
      const [data, at] = blob(r);
      return zsetFromFlat(type === RDB_TYPE_ZSET_ZIPLIST ? readZiplist(data, at) : readListpack(data, at), limits, at);
    }
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_HASH_LISTPACK: {
      const [data, at] = blob(r);
      const flat = type === RDB_TYPE_HASH_ZIPLIST ? readZiplist(data, at) : readListpack(data, at);
      return hashFromPairs(pairs(flat, at), limits, at, false);
    }
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2:
      return readQuicklist(r, type === RDB_TYPE_LIST_QUICKLIST_2);
    case RDB_TYPE_SET_LISTPACK:
      return readListpackSet(r, limits);
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
    case RDB_TYPE_STREAM_LISTPACKS_3:
      return readStreamObject(r, type as 15 | 19 | 21, limits);
    case RDB_TYPE_MODULE_PRE_GA:
    case RDB_TYPE_MODULE_2:
      throw new RdbFormatError(`module value (RDB type ${type}) but no modules are loaded`, start);
    default:
      throw new RdbFormatError(`unknown RDB object type ${type}`, start);
  }
}

/** A string holding an encoded structure, and the offset it was read at (for errors). */
function blob(r: RdbReader): [Uint8Array, number] {
  const at = r.offset;
  return [r.readStringBytes(), at];
}

function readLinkedList(r: RdbReader): ListValue | null {
  const n = r.readLen();
  if (n === 0) return null;
  const list = new ListValue();
  for (let i = 0; i < n; i++) list.pushTail(r.readString());
  return list;
}

/** QUICKLIST (ziplist nodes) or QUICKLIST_2 (PLAIN or PACKED listpack nodes); empty nodes are skipped. */
function readQuicklist(r: RdbReader, v2: boolean): ListValue | null {
  const n = r.readLen();
  if (n === 0) return null;
  const list = new ListValue();
  for (let i = 0; i < n; i++) {
    let container = containerPacked;
    if (v2) {
      const at = r.offset;
      container = r.readLen();
      if (container !== containerPacked && container !== containerPlain) {
        throw new RdbFormatError(`Quicklist integrity check failed: unknown node container ${container}`, at);
      }
    }
    const at = r.offset;
    const data = r.readStringBytes();
    if (data.length === 0) throw new RdbFormatError('empty quicklist node', at);
    if (container === containerPlain) {
      list.pushTail(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1'));
      continue;
    }
    for (const e of v2 ? readListpack(data, at) : readZiplist(data, at)) list.pushTail(e);
  }
  return list.length === 0 ? null : list;
}

function duplicate(what: string, at: number): never {
  throw new RdbFormatError(`Duplicate ${what} detected`, at);
}

/** SET: an intset while every member is an integer and the count fits set-max-intset-entries. */
function readSet(r: RdbReader, limits: RdbLoadLimits): SetValue | null {
  const n = r.readLen();
  if (n === 0) return null;
  const max = Math.min(limits.setMaxIntsetEntries, 2 ** 30);
  const intsetMax = n > max ? -1 : max;
  const set = new SetValue();
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    if (!set.add(r.readString(), intsetMax)) duplicate('set members', at);
  }
  return set;
}

function readIntsetSet(r: RdbReader, limits: RdbLoadLimits): SetValue {
  const [data, at] = blob(r);
  const { members, width } = readIntset(data, at);
  const set = new SetValue();
  const intsetMax = members.length > limits.setMaxIntsetEntries ? -1 : Infinity;
  for (const m of members) set.add(m, intsetMax);
  set.widenIntset(width);
  return set;
}

/** Redis 7.2's set listpack, as Redis 7.0 would hold the same members: intset or hashtable. */
function readListpackSet(r: RdbReader, limits: RdbLoadLimits): SetValue | null {
  const [data, at] = blob(r);
  const members = readListpack(data, at);
  if (members.length === 0) return null;
  const set = new SetValue();
  for (const m of members) if (!set.add(m, limits.setMaxIntsetEntries)) duplicate('set members', at);
  return set;
}

function zsetLimitsOf(limits: RdbLoadLimits): ZSetLimits {
  return { entries: limits.zsetMaxListpackEntries, value: limits.zsetMaxListpackValue };
}

/** ZSET (scores as strings) / ZSET_2 (binary scores): a skiplist, made a listpack after loading when it fits. */
function readSkiplistZSet(r: RdbReader, binary: boolean, limits: RdbLoadLimits): ZSetValue | null {
  const n = r.readLen();
  if (n === 0) return null;
  const z = new ZSetValue('skiplist');
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const member = r.readString();
    const score = binary ? r.readBinaryDouble() : r.readDoubleString();
    if (Number.isNaN(score)) throw new RdbFormatError('Zset with NAN score detected', at);
    if (z.score(member) !== undefined) duplicate('zset fields', at);
    z.insert(member, score, unlimited);
  }
  z.shrinkIfFits(zsetLimitsOf(limits));
  return z;
}

/** C strtod on a listpack score (zzlStrtod): the longest numeric prefix, 0 when there is none. */
function strtod(s: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?)(inf(?:inity)?|nan|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)/i.exec(s);
  if (m === null) return 0;
  const body = m[2].toLowerCase();
  const sign = m[1] === '-' ? -1 : 1;
  if (body.startsWith('nan')) return NaN;
  if (body.startsWith('inf')) return sign * Infinity;
  return sign * Number(body);
}

/** Member/score pairs of a ziplist or listpack: listpack encoding unless there are more than zset-max-listpack-entries. */
function zsetFromFlat(flat: string[], limits: RdbLoadLimits, at: number): ZSetValue | null {
  if (flat.length % 2 !== 0) throw new RdbFormatError('Zset listpack with an odd number of entries', at);
  if (flat.length === 0) return null;
  const z = new ZSetValue(flat.length / 2 > limits.zsetMaxListpackEntries ? 'skiplist' : 'listpack');
  for (let i = 0; i < flat.length; i += 2) {
    const score = strtod(flat[i + 1]);
    if (Number.isNaN(score)) throw new RdbFormatError('Zset with NAN score detected', at);
    if (z.score(flat[i]) !== undefined) duplicate('zset fields', at);
    z.insert(flat[i], score, unlimited);
  }
  return z;
}

function pairs(flat: string[], at: number): Array<[string, string]> {
  if (flat.length % 2 !== 0) throw new RdbFormatError('Hash listpack with an odd number of entries', at);
  const out: Array<[string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

function hashLimitsOf(limits: RdbLoadLimits): HashLimits {
  return { entries: limits.hashMaxListpackEntries, value: limits.hashMaxListpackValue };
}

/**
 * A hash from stored pairs. A listpack/ziplist stays a listpack unless it has too many
 * fields; a zipmap (`checkLengths`) also converts when a field or value is too long.
 */
function hashFromPairs(entries: Array<[string, string]>, limits: RdbLoadLimits, at: number, checkLengths: boolean): HashValue | null {
  if (entries.length === 0) return null;
  const lim = entries.length > limits.hashMaxListpackEntries ? converted : checkLengths ? hashLimitsOf(limits) : unlimited;
  const h = new HashValue();
  for (const [f, v] of entries) if (!h.set(f, v, lim)) duplicate('hash fields', at);
  return h;
}

/** HASH: a listpack until a field or value is too long, a hashtable from the start when it has too many fields. */
function readHash(r: RdbReader, limits: RdbLoadLimits): HashValue | null {
  const n = r.readLen();
  if (n === 0) return null;
  const lim = n > limits.hashMaxListpackEntries ? converted : hashLimitsOf(limits);
  const h = new HashValue();
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const f = r.readString();
    const v = r.readString();
    if (!h.set(f, v, lim)) duplicate('hash fields', at);
  }
  return h;
}
