/**
 * Listpack blobs exactly as Redis's listpack.c lays them out:
 *
 *   <total bytes: u32 LE><element count: u16 LE, 65535 = unknown> <entry>* <0xFF>
 *   entry = <encoding + data> <backlen: size of encoding + data, 1..5 bytes, read backwards>
 *
 * Encodings: 0xxxxxxx 7-bit uint; 10xxxxxx 6-bit-length string; 110xxxxx 13-bit int;
 * 1110xxxx 12-bit-length string; F1/F2/F3/F4 16/24/32/64-bit int; F0 32-bit-length string.
 */

import { parseInt64 } from '../util/numbers.js';
import { RdbFormatError } from './rdb-string.js';

const LP_HDR_SIZE = 6;
const LP_HDR_NUMELE_UNKNOWN = 65535;
const LP_EOF = 0xff;

const LP_ENCODING_6BIT_STR = 0x80;
const LP_ENCODING_13BIT_INT = 0xc0;
const LP_ENCODING_12BIT_STR = 0xe0;
const LP_ENCODING_16BIT_INT = 0xf1;
const LP_ENCODING_24BIT_INT = 0xf2;
const LP_ENCODING_32BIT_INT = 0xf3;
const LP_ENCODING_64BIT_INT = 0xf4;
const LP_ENCODING_32BIT_STR = 0xf0;

/** Bytes lpEncodeBacklen uses for an entry of `l` bytes (note Redis's `<` thresholds). */
function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** Incremental listpack writer (lpAppend / lpAppendInteger on an initially empty listpack). */
export class ListpackBuilder {
  private buf: Buffer;
  private pos = LP_HDR_SIZE;
  private n = 0;

  constructor(initialCapacity = 64) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialCapacity));
  }

  /** Elements appended so far. */
  get count(): number {
    return this.n;
  }

  /** Total size of the listpack if it were finished now (header + entries + terminator). */
  get bytes(): number {
    return this.pos + 1;
  }

  private ensure(extra: number): void {
    const need = this.pos + extra + 1;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }

  private writeBacklen(l: number): void {
    const b = this.buf;
    let p = this.pos;
    const size = backlenSize(l);
    // Most significant 7-bit group first; every byte but the first has the continuation bit.
    for (let i = size - 1; i >= 0; i--) {
      const group = Math.floor(l / 2 ** (7 * i)) & 127;
      b[p++] = i === size - 1 ? group : group | 128;
    }
    this.pos = p;
  }

  /** lpAppend: a canonical int64 decimal string is stored as an integer, anything else as a string. */
  appendString(s: string): void {
    if (s.length > 0 && s.length <= 20) {
      const v = parseInt64(s);
      if (v !== null) {
        this.appendInteger(v);
        return;
      }
    }
    const len = s.length;
    const hdr = len < 64 ? 1 : len < 4096 ? 2 : 5;
    const entryLen = hdr + len;
    this.ensure(entryLen + backlenSize(entryLen));
    const b = this.buf;
    if (len < 64) {
      b[this.pos++] = LP_ENCODING_6BIT_STR | len;
    } else if (len < 4096) {
      b[this.pos++] = LP_ENCODING_12BIT_STR | (len >>> 8);
      b[this.pos++] = len & 0xff;
    } else {
      b[this.pos++] = LP_ENCODING_32BIT_STR;
      b.writeUInt32LE(len, this.pos);
      this.pos += 4;
    }
    this.pos += b.write(s, this.pos, 'latin1');
    this.writeBacklen(entryLen);
    this.n++;
  }

  /** lpAppendInteger: the smallest integer encoding that holds `v` (an int64). */
  appendInteger(v: number | bigint): void {
    this.ensure(9 + 1);
    const b = this.buf;
    let entryLen: number;
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new RangeError(`listpack integer out of range: ${v}`);
    if (typeof v === 'bigint' && v >= -(2n ** 53n) && v <= 2n ** 53n) v = Number(v);
    if (typeof v === 'bigint') {
      if (v < -(2n ** 63n) || v >= 2n ** 63n) throw new RangeError(`listpack integer out of range: ${v}`);
      b[this.pos] = LP_ENCODING_64BIT_INT;
      b.writeBigInt64LE(v, this.pos + 1);
      entryLen = 9;
    } else if (v >= 0 && v <= 127) {
      b[this.pos] = v;
      entryLen = 1;
    } else if (v >= -4096 && v <= 4095) {
      const u = v < 0 ? (1 << 13) + v : v;
      b[this.pos] = (u >>> 8) | LP_ENCODING_13BIT_INT;
      b[this.pos + 1] = u & 0xff;
      entryLen = 2;
    } else if (v >= -32768 && v <= 32767) {
      b[this.pos] = LP_ENCODING_16BIT_INT;
      b.writeInt16LE(v, this.pos + 1);
      entryLen = 3;
    } else if (v >= -8388608 && v <= 8388607) {
      b[this.pos] = LP_ENCODING_24BIT_INT;
      b.writeIntLE(v, this.pos + 1, 3);
      entryLen = 4;
    } else if (v >= -2147483648 && v <= 2147483647) {
      b[this.pos] = LP_ENCODING_32BIT_INT;
      b.writeInt32LE(v, this.pos + 1);
      entryLen = 5;
    } else {
      b[this.pos] = LP_ENCODING_64BIT_INT;
      b.writeBigInt64LE(BigInt(v), this.pos + 1);
      entryLen = 9;
    }
    this.pos += entryLen;
    this.writeBacklen(entryLen);
    this.n++;
  }

  /** The finished blob (a fresh Buffer); the builder can keep appending afterwards. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos + 1);
    this.buf.copy(out, 0, 0, this.pos);
    out[this.pos] = LP_EOF;
    out.writeUInt32LE(this.pos + 1, 0);
    out.writeUInt16LE(Math.min(this.n, LP_HDR_NUMELE_UNKNOWN), 4);
    return out;
  }
}

/**
 * Elements of a listpack blob; integers come back as decimal strings. Validates like
 * lpValidateIntegrity(deep): header size, terminator, every entry's encoding, bounds and
 * back-length, and the element count unless the header says "unknown". Errors are
 * RdbFormatError with offsets relative to `errorOffset` (where the blob starts in its file).
 */
export function readListpack(buf: Uint8Array, errorOffset = 0): string[] {
  const size = buf.length;
  const fail = (msg: string, at: number): never => {
    throw new RdbFormatError(`invalid listpack: ${msg}`, errorOffset + at);
  };
  if (size < LP_HDR_SIZE + 1) fail('too short', 0);
  const total = (buf[0] | (buf[1] << 8) | (buf[2] << 16) | (buf[3] << 24)) >>> 0;
  if (total !== size) fail(`header says ${total} bytes, blob has ${size}`, 0);
  if (buf[size - 1] !== LP_EOF) fail('missing terminator', size - 1);
  const declared = buf[4] | (buf[5] << 8);
  const end = size - 1; // entries must end before the terminator
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: string[] = [];
  let p = LP_HDR_SIZE;
  while (p < end) {
    const start = p;
    const b = buf[p];
    let hdr: number;
    let dataLen = 0;
    let value = ''; // integers set it; strings are sliced once bounds are checked
    if (b < 0x80) {
      hdr = 1;
      value = String(b);
    } else if ((b & 0xc0) === LP_ENCODING_6BIT_STR) {
      hdr = 1;
      dataLen = b & 0x3f;
    } else if ((b & 0xe0) === LP_ENCODING_13BIT_INT) {
      if (p + 2 > end) fail('entry out of range', start);
      const u = ((b & 0x1f) << 8) | buf[p + 1];
      hdr = 2;
      value = String(u >= 4096 ? u - 8192 : u);
    } else if ((b & 0xf0) === LP_ENCODING_12BIT_STR) {
      if (p + 2 > end) fail('entry out of range', start);
      hdr = 2;
      dataLen = ((b & 0x0f) << 8) | buf[p + 1];
    } else if (b >= LP_ENCODING_16BIT_INT && b <= LP_ENCODING_64BIT_INT) {
      const w = b === LP_ENCODING_16BIT_INT ? 2 : b === LP_ENCODING_24BIT_INT ? 3 : b === LP_ENCODING_32BIT_INT ? 4 : 8;
      if (p + 1 + w > end) fail('entry out of range', start);
      value = w === 8 ? view.readBigInt64LE(p + 1).toString() : String(view.readIntLE(p + 1, w));
      hdr = 1 + w;
    } else if (b === LP_ENCODING_32BIT_STR) {
      if (p + 5 > end) fail('entry out of range', start);
      hdr = 5;
      dataLen = (buf[p + 1] | (buf[p + 2] << 8) | (buf[p + 3] << 16) | (buf[p + 4] << 24)) >>> 0;
    } else {
      return fail(b === LP_EOF ? 'premature terminator' : `unknown encoding 0x${b.toString(16)}`, start);
    }
    const entryLen = hdr + dataLen;
    const bl = backlenSize(entryLen);
    if (entryLen + bl > end - p) fail('entry out of range', start);
    if (dataLen > 0) value = view.toString('latin1', p + hdr, p + hdr + dataLen);
    // Decode the back-length backwards from its last byte, as lpDecodeBacklen (which may
    // wander into the entry's data on corrupt input: it stays inside the blob).
    let q = p + entryLen + bl - 1;
    let back = 0;
    let shift = 0;
    for (;;) {
      back += (buf[q] & 127) * 2 ** shift;
      if (!(buf[q] & 128)) break;
      shift += 7;
      q--;
      if (shift > 28) fail('bad back-length', start);
    }
    if (back !== entryLen) fail(`back-length ${back} does not match entry size ${entryLen}`, start);
    out.push(value);
    p += entryLen + bl;
  }
  if (declared !== LP_HDR_NUMELE_UNKNOWN && declared !== out.length) {
    fail(`header count ${declared} but ${out.length} entries`, 4);
  }
  return out;
}
