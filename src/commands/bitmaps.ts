// Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.
//
// Bit 0 is the most significant bit of the first byte, as in Redis. Bitmaps
// that are written become growable Buffers (src/store/mutable-string.ts).

import type { Client } from '../server/client.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../config/options.js';
import { isString, wrongTypeError, type StringValue, type Value } from '../store/value.js';
import { byteRange, writableString } from '../store/mutable-string.js';
import { parseInt64, parseLongLong } from '../util/numbers.js';
import type { CommandSpec } from './registry.js';
import { cString, notIntegerError, optionName, storeString, syntaxError } from './strings.js';

const bitOffsetError = 'ERR bit offset is not an integer or out of range';

/**
 * Redis's getBitOffsetFromArgument: a bit offset whose byte is below
 * proto-max-bulk-len. With `bits` (BITFIELD), "#n" means the n-th field of
 * that width. Null after an error reply.
 */
function parseBitOffset(c: Client, arg: string, bits = 0): number | null {
  const byField = bits > 0 && arg.charCodeAt(0) === 35; /* '#' */
  let n = parseInt64(byField ? arg.slice(1) : arg);
  // Redis multiplies in int64 and lets the product wrap.
  if (n !== null && byField) n = BigInt.asIntN(64, BigInt(n) * BigInt(bits));
  if (n === null || n < 0 || n >= c.server.bulkBytesMax * 8) {
    c.error(bitOffsetError);
    return null;
  }
  return Number(n);
}

/** The value at `key` if it is a string (or missing); null after a WRONGTYPE reply. */
function stringOrMissing(c: Client, v: Value | undefined): StringValue | undefined | null {
  if (v === undefined || isString(v)) return v;
  c.error(wrongTypeError);
  return null;
}

function byteAt(v: StringValue, i: number): number {
  return typeof v === 'string' ? v.charCodeAt(i) : v[i];
}

function bitAt(v: StringValue | undefined, offset: number): number {
  const byte = Math.floor(offset / 8);
  if (v === undefined || byte >= v.length) return 0;
  return (byteAt(v, byte) >> (7 - (offset % 8))) & 1;
}

function setbit(c: Client, argv: string[]): void {
  const offset = parseBitOffset(c, argv[2]);
  if (offset === null) return;
  const on = parseLongLong(argv[3]);
  if (on !== 0 && on !== 1) {
    c.error('ERR bit is not an integer or out of range');
    return;
  }
  const key = argv[1];
  const db = c.db;
  const v = stringOrMissing(c, db.lookupWrite(key));
  if (v === null) return;
  const old = bitAt(v, offset);
  const byte = Math.floor(offset / 8);
  // As Redis 7.0, a SETBIT that neither creates, grows nor flips anything is no change.
  if (v === undefined || byte >= v.length || old !== on) {
    const buf = writableString(v, byte + 1);
    const mask = 0x80 >> (offset % 8);
    buf[byte] = on ? buf[byte] | mask : buf[byte] & ~mask;
    storeString(c, key, v, buf, 'setbit');
  }
  c.int(old);
}

function getbit(c: Client, argv: string[]): void {
  const offset = parseBitOffset(c, argv[2]);
  if (offset === null) return;
  const v = stringOrMissing(c, c.db.lookupRead(argv[1]));
  if (v !== null) c.int(bitAt(v, offset));
}

// ---- BITCOUNT / BITPOS ---------------------------------------------------------

const bitsInByte = new Uint8Array(256);
for (let i = 1; i < 256; i++) bitsInByte[i] = bitsInByte[i >> 1] + (i & 1);

/**
 * Bits [first, last] (inclusive) of a string for a start/end given in bytes
 * or bits, after Redis's index rules (negative from the end, clamped); null
 * for an empty range.
 */
function bitRange(start: number, end: number, length: number, inBits: boolean): [number, number] | null {
  const total = inBits ? length * 8 : length;
  if (start < 0) start = Math.max(0, total + start);
  if (end < 0) end = Math.max(0, total + end);
  if (end >= total) end = total - 1;
  if (start > end) return null;
  return inBits ? [start, end] : [start * 8, end * 8 + 7];
}

/** BIT or BYTE: true for BIT, null after a syntax error reply. */
function parseUnit(c: Client, arg: string): boolean | null {
  const unit = optionName(arg);
  if (unit === 'bit') return true;
  if (unit === 'byte') return false;
  c.error(syntaxError);
  return null;
}

/** Bytes [first byte, last byte] of bits [first, last], with masks of the bits in range of the first and last byte. */
function rangeBytes(v: StringValue, first: number, last: number): [Uint8Array, number, number] {
  const from = Math.floor(first / 8);
  const to = Math.floor(last / 8);
  return [byteRange(v, from, to + 1), 0xff >> (first % 8), (0xff << (7 - (last % 8))) & 0xff];
}

function bitcount(c: Client, argv: string[]): void {
  const v = stringOrMissing(c, c.db.lookupRead(argv[1]));
  if (v === null) return;
  if (v === undefined) {
    c.int(0);
    return;
  }
  let range: [number, number] | null;
  if (argv.length === 2) {
    range = v.length === 0 ? null : [0, v.length * 8 - 1];
  } else if (argv.length === 4 || argv.length === 5) {
    const start = parseLongLong(argv[2]);
    const end = start === null ? null : parseLongLong(argv[3]);
    if (start === null || end === null) {
      c.error(notIntegerError);
      return;
    }
    // Redis answers this before looking at the unit.
    if (start < 0 && end < 0 && start > end) {
      c.int(0);
      return;
    }
    const inBits = argv.length === 5 ? parseUnit(c, argv[4]) : false;
    if (inBits === null) return;
    range = bitRange(start, end, v.length, inBits);
  } else {
    c.error(syntaxError);
    return;
  }
  if (range === null) {
    c.int(0);
    return;
  }
  const [bytes, firstMask, lastMask] = rangeBytes(v, range[0], range[1]);
  let count = 0;
  for (let i = 0; i < bytes.length; i++) count += bitsInByte[bytes[i]];
  count -= bitsInByte[bytes[0] & ~firstMask & 0xff] + bitsInByte[bytes[bytes.length - 1] & ~lastMask & 0xff];
  c.int(count);
}

/** Position of the first bit equal to `bit` in bits [first, last] of `v`, or -1. */
function findBit(v: StringValue, first: number, last: number, bit: number): number {
  const [bytes, firstMask, lastMask] = rangeBytes(v, first, last);
  const skip = bit ? 0 : 0xff;
  const base = Math.floor(first / 8) * 8;
  for (let i = 0; i < bytes.length; i++) {
    const x = bytes[i];
    if (x === skip) continue;
    let wanted = bit ? x : ~x & 0xff;
    if (i === 0) wanted &= firstMask;
    if (i === bytes.length - 1) wanted &= lastMask;
    if (wanted !== 0) return base + i * 8 + Math.clz32(wanted) - 24;
  }
  return -1;
}

function bitpos(c: Client, argv: string[]): void {
  const bit = parseLongLong(argv[2]);
  if (bit === null) {
    c.error(notIntegerError);
    return;
  }
  if (bit !== 0 && bit !== 1) {
    c.error('ERR The bit argument must be 1 or 0.');
    return;
  }
  const v = stringOrMissing(c, c.db.lookupRead(argv[1]));
  if (v === null) return;
  // A missing key is an endless run of zero bits.
  if (v === undefined) {
    c.int(bit ? -1 : 0);
    return;
  }
  let range: [number, number] | null;
  let endGiven = false;
  if (argv.length === 3) {
    range = v.length === 0 ? null : [0, v.length * 8 - 1];
  } else if (argv.length <= 6) {
    const start = parseLongLong(argv[3]);
    if (start === null) {
      c.error(notIntegerError);
      return;
    }
    const inBits = argv.length === 6 ? parseUnit(c, argv[5]) : false;
    if (inBits === null) return;
    let end = Number.MAX_SAFE_INTEGER; // clamped to the last bit or byte
    if (argv.length >= 5) {
      const n = parseLongLong(argv[4]);
      if (n === null) {
        c.error(notIntegerError);
        return;
      }
      end = n;
      endGiven = true;
    }
    range = bitRange(start, end, v.length, inBits);
  } else {
    c.error(syntaxError);
    return;
  }
  if (range === null) {
    c.int(-1);
    return;
  }
  const pos = findBit(v, range[0], range[1], bit);
  // Looking for a clear bit without an explicit end, the string counts as zero padded on the right.
  if (pos === -1 && bit === 0 && !endGiven) c.int(range[1] + 1);
  else c.int(pos);
}

// ---- BITOP ---------------------------------------------------------------------

function bitop(c: Client, argv: string[]): void {
  const op = optionName(argv[1]);
  if (op !== 'and' && op !== 'or' && op !== 'xor' && op !== 'not') {
    c.error(syntaxError);
    return;
  }
  if (op === 'not' && argv.length !== 4) {
    c.error('ERR BITOP NOT must be called with a single source key.');
    return;
  }
  const db = c.db;
  const sources: Uint8Array[] = [];
  let maxLength = 0;
  for (let j = 3; j < argv.length; j++) {
    const v = stringOrMissing(c, db.lookupRead(argv[j]));
    if (v === null) return;
    const bytes = v === undefined ? new Uint8Array(0) : typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
    sources.push(bytes);
    maxLength = Math.max(maxLength, bytes.length);
  }
  const target = argv[2];
  if (maxLength === 0) {
    if (db.delete(target)) {
      c.server.dirty++;
      c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', target, c.dbIndex);
    }
    c.int(0);
    return;
  }
  const out = writableString(undefined, maxLength);
  out.set(sources[0]);
  if (op === 'not') {
    for (let i = 0; i < maxLength; i++) out[i] = ~out[i];
  } else {
    for (let s = 1; s < sources.length; s++) {
      const src = sources[s];
      // Missing bytes are zeros: they clear AND results and leave OR / XOR alone.
      if (op === 'and') {
        for (let i = 0; i < src.length; i++) out[i] &= src[i];
        out.fill(0, src.length);
      } else if (op === 'or') {
        for (let i = 0; i < src.length; i++) out[i] |= src[i];
      } else {
        for (let i = 0; i < src.length; i++) out[i] ^= src[i];
      }
    }
  }
  db.has(target); // deletes an expired target first, as Redis's setKey
  db.set(target, out);
  c.server.dirty++;
  c.server.notifyKeyspaceEvent(NOTIFY_STRING, 'set', target, c.dbIndex);
  c.int(maxLength);
}

// ---- BITFIELD ------------------------------------------------------------------

const enum Overflow {
  Wrap,
  Sat,
  Fail,
}

const enum FieldOp {
  Get,
  Set,
  Incrby,
}

interface BitfieldOp {
  op: FieldOp;
  signed: boolean;
  bits: number;
  offset: number;
  /** SET value or INCRBY increment. */
  value: bigint;
  overflow: Overflow;
}

const fieldTypeError = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

/** "i<bits>" (1-64) or "u<bits>" (1-63); null after an error reply. */
function parseFieldType(c: Client, arg: string): { signed: boolean; bits: number } | null {
  const sign = arg.charCodeAt(0);
  const bits = parseLongLong(cString(arg.slice(1)));
  const signed = sign === 105; /* 'i' */
  if ((signed || sign === 117) /* 'u' */ && bits !== null && bits >= 1 && bits <= (signed ? 64 : 63)) {
    return { signed, bits };
  }
  c.error(fieldTypeError);
  return null;
}

/** Unsigned value of the `bits` bits at bit `offset` of `p`; bytes past its end read as zero. */
function readField(p: Uint8Array, offset: number, bits: number): bigint {
  const first = Math.floor(offset / 8);
  const last = Math.floor((offset + bits - 1) / 8);
  let span = 0n;
  for (let i = first; i <= last; i++) span = (span << 8n) | BigInt(p[i] ?? 0);
  return BigInt.asUintN(bits, span >> BigInt((last + 1) * 8 - offset - bits));
}

/** Stores the low `bits` bits of `value` at bit `offset` of `p`, which is long enough. */
function writeField(p: Uint8Array, offset: number, bits: number, value: bigint): void {
  const first = Math.floor(offset / 8);
  const last = Math.floor((offset + bits - 1) / 8);
  const shift = BigInt((last + 1) * 8 - offset - bits);
  let span = 0n;
  for (let i = first; i <= last; i++) span = (span << 8n) | BigInt(p[i]);
  const mask = ((1n << BigInt(bits)) - 1n) << shift;
  span = (span & ~mask) | (BigInt.asUintN(bits, value) << shift);
  for (let i = last; i >= first; i--) {
    p[i] = Number(span & 0xffn);
    span >>= 8n;
  }
}

/** What to store for `value` in a field of this type, by the overflow rule; null when it fails. */
function fitField(value: bigint, op: BitfieldOp): bigint | null {
  const { bits, signed } = op;
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (value >= min && value <= max) return value;
  if (op.overflow === Overflow.Fail) return null;
  if (op.overflow === Overflow.Sat) return value > max ? max : min;
  return signed ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value);
}

/** Operations of a BITFIELD command line; null after an error reply. */
function parseBitfieldOps(c: Client, argv: string[]): BitfieldOp[] | null {
  const ops: BitfieldOp[] = [];
  let overflow = Overflow.Wrap;
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const name = optionName(argv[j]);
    let op: FieldOp;
    if (name === 'get' && remaining >= 2) op = FieldOp.Get;
    else if (name === 'set' && remaining >= 3) op = FieldOp.Set;
    else if (name === 'incrby' && remaining >= 3) op = FieldOp.Incrby;
    else if (name === 'overflow' && remaining >= 1) {
      const kind = optionName(argv[++j]);
      if (kind === 'wrap') overflow = Overflow.Wrap;
      else if (kind === 'sat') overflow = Overflow.Sat;
      else if (kind === 'fail') overflow = Overflow.Fail;
      else {
        c.error('ERR Invalid OVERFLOW type specified');
        return null;
      }
      continue;
    } else {
      c.error(syntaxError);
      return null;
    }
    const type = parseFieldType(c, argv[j + 1]);
    if (type === null) return null;
    const offset = parseBitOffset(c, argv[j + 2], type.bits);
    if (offset === null) return null;
    let value = 0n;
    if (op !== FieldOp.Get) {
      const n = parseInt64(argv[j + 3]);
      if (n === null) {
        c.error(notIntegerError);
        return null;
      }
      value = BigInt(n);
    }
    ops.push({ op, signed: type.signed, bits: type.bits, offset, value, overflow });
    j += op === FieldOp.Get ? 2 : 3;
  }
  return ops;
}

/** BITFIELD and BITFIELD_RO (which only allows GET). */
function bitfieldGeneric(c: Client, argv: string[], readonlyCommand: boolean): void {
  const ops = parseBitfieldOps(c, argv);
  if (ops === null) return;
  const key = argv[1];
  const db = c.db;
  let writeEnd = 0; // bits needed by the writes
  for (const op of ops) if (op.op !== FieldOp.Get) writeEnd = Math.max(writeEnd, op.offset + op.bits);
  // The string before the command, and the one GET and the writes see.
  let old: StringValue | undefined | null;
  let v: StringValue | undefined;
  if (writeEnd === 0) {
    const found = stringOrMissing(c, db.lookupRead(key));
    if (found === null) return;
    old = v = found;
  } else {
    if (readonlyCommand) {
      c.error('ERR BITFIELD_RO only supports the GET subcommand');
      return;
    }
    old = stringOrMissing(c, db.lookupWrite(key));
    if (old === null) return;
    v = writableString(old, Math.ceil(writeEnd / 8));
  }
  // Creating or growing the string is a change of its own, as in Redis.
  const grown = v !== undefined && (old === undefined || v.length !== old.length);
  let changes = 0;
  c.arrayLen(ops.length);
  for (const op of ops) {
    if (op.op === FieldOp.Get) {
      let value = 0n;
      if (v !== undefined) {
        const from = Math.floor(op.offset / 8);
        value = readField(byteRange(v, from, from + 9), op.offset - from * 8, op.bits);
      }
      c.int(op.signed ? BigInt.asIntN(op.bits, value) : value);
      continue;
    }
    const buf = v as Buffer;
    const raw = readField(buf, op.offset, op.bits);
    const current = op.signed ? BigInt.asIntN(op.bits, raw) : raw;
    // An unsigned SET takes the int64 argument as Redis does: as its uint64 bit pattern.
    const wanted = op.op === FieldOp.Incrby ? current + op.value : op.signed ? op.value : BigInt.asUintN(64, op.value);
    const stored = fitField(wanted, op);
    if (stored === null) {
      c.nullBulk();
      continue;
    }
    writeField(buf, op.offset, op.bits, stored);
    c.int(op.op === FieldOp.Incrby ? stored : current);
    if (grown || stored !== current) changes++;
  }
  // The key exists (zero-filled) even when every write failed, yet only changes count as dirty.
  if (v !== undefined && (v !== old || changes > 0)) {
    if (old === undefined) db.set(key, v);
    else db.update(key, v);
  }
  c.server.dirty += changes;
  if (changes > 0) c.server.notifyKeyspaceEvent(NOTIFY_STRING, 'setbit', key, c.dbIndex);
}

function bitfield(c: Client, argv: string[]): void {
  bitfieldGeneric(c, argv, false);
}

function bitfieldRo(c: Client, argv: string[]): void {
  bitfieldGeneric(c, argv, true);
}

export const bitmapCommands: CommandSpec[] = [
  { name: 'setbit', arity: 4, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: ['bitmap'], run: setbit },
  { name: 'getbit', arity: 3, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['bitmap'], run: getbit },
  { name: 'bitcount', arity: -2, flags: ['readonly'], keys: [1, 1, 1], acl: ['bitmap'], run: bitcount },
  { name: 'bitpos', arity: -3, flags: ['readonly'], keys: [1, 1, 1], acl: ['bitmap'], run: bitpos },
  { name: 'bitop', arity: -4, flags: ['write', 'denyoom'], keys: [2, -1, 1], acl: ['bitmap'], run: bitop },
  { name: 'bitfield', arity: -2, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: ['bitmap'], run: bitfield },
  { name: 'bitfield_ro', arity: -2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['bitmap'], run: bitfieldRo },
];
