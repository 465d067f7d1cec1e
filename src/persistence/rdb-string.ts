/**
 * RDB encoding primitives (Redis 7.0, RDB version 10): object type bytes,
 * length encodings, string encodings (raw / INT8/16/32 / LZF), millisecond
 * times and doubles. Reusable building blocks for DUMP/RESTORE and for the
 * full RDB writer/reader.
 *
 * Strings are "byte strings": JS strings whose char codes are bytes (latin1),
 * or Uint8Array/Buffer. Nothing here ever UTF-8 encodes or decodes.
 */

import { lzfCompressInto, lzfDecompress, lzfMaxDecompressedLen, lzfOutSlack, LzfError } from './lzf.js';

/** RDB version written by Redis 7.0. */
export const RDB_VERSION = 10;

/* Length encodings (two most significant bits of the first byte). */
export const RDB_6BITLEN = 0;
export const RDB_14BITLEN = 1;
export const RDB_32BITLEN = 0x80;
export const RDB_64BITLEN = 0x81;
export const RDB_ENCVAL = 3;

/* Special string encodings (when the length's top bits are RDB_ENCVAL). */
export const RDB_ENC_INT8 = 0;
export const RDB_ENC_INT16 = 1;
export const RDB_ENC_INT32 = 2;
export const RDB_ENC_LZF = 3;

/* Object types. */
export const RDB_TYPE_STRING = 0;
export const RDB_TYPE_LIST = 1;
export const RDB_TYPE_SET = 2;
export const RDB_TYPE_ZSET = 3;
export const RDB_TYPE_HASH = 4;
export const RDB_TYPE_ZSET_2 = 5;
export const RDB_TYPE_MODULE_PRE_GA = 6;
export const RDB_TYPE_MODULE_2 = 7;
export const RDB_TYPE_HASH_ZIPMAP = 9;
export const RDB_TYPE_LIST_ZIPLIST = 10;
export const RDB_TYPE_SET_INTSET = 11;
export const RDB_TYPE_ZSET_ZIPLIST = 12;
export const RDB_TYPE_HASH_ZIPLIST = 13;
export const RDB_TYPE_LIST_QUICKLIST = 14;
export const RDB_TYPE_STREAM_LISTPACKS = 15;
export const RDB_TYPE_HASH_LISTPACK = 16;
export const RDB_TYPE_ZSET_LISTPACK = 17;
export const RDB_TYPE_LIST_QUICKLIST_2 = 18;
export const RDB_TYPE_STREAM_LISTPACKS_2 = 19;

/** Redis 7.0's rdbIsObjectType(). */
export function rdbIsObjectType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 19);
}

/* Special opcodes. */
export const RDB_OPCODE_FUNCTION2 = 245;
export const RDB_OPCODE_FUNCTION_PRE_GA = 246;
export const RDB_OPCODE_MODULE_AUX = 247;
export const RDB_OPCODE_IDLE = 248;
export const RDB_OPCODE_FREQ = 249;
export const RDB_OPCODE_AUX = 250;
export const RDB_OPCODE_RESIZEDB = 251;
export const RDB_OPCODE_EXPIRETIME_MS = 252;
export const RDB_OPCODE_EXPIRETIME = 253;
export const RDB_OPCODE_SELECTDB = 254;
export const RDB_OPCODE_EOF = 255;

/** Thrown by RdbReader on malformed or truncated input. `offset` is where the problem was found. */
export class RdbFormatError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (at offset ${offset})`);
    this.name = 'RdbFormatError';
    this.offset = offset;
  }
}

export type ByteString = string | Uint8Array | Buffer;

/**
 * Redis string2ll() restricted to what rdbTryIntegerEncoding needs: is `s`
 * the canonical decimal form of an integer (no '+', no leading zeros, no
 * "-0", no spaces)? Returns the value, or null. Only called for <= 11 bytes,
 * so the value always fits a double exactly.
 */
function canonicalSmallInt(s: ByteString, len: number): number | null {
  if (len === 0 || len > 20) return null;
  const at = typeof s === 'string' ? (i: number) => s.charCodeAt(i) : (i: number) => s[i];
  let i = 0;
  let neg = false;
  if (len === 1 && at(0) === 0x30) return 0;
  if (at(0) === 0x2d) {
    neg = true;
    i = 1;
    if (len === 1) return null;
  }
  let c = at(i);
  if (c < 0x31 || c > 0x39) return null;
  let v = c - 0x30;
  for (i++; i < len; i++) {
    c = at(i);
    if (c < 0x30 || c > 0x39) return null;
    v = v * 10 + (c - 0x30);
  }
  return neg ? -v : v;
}

/** Below this length a byte loop beats Buffer.write's per-call cost. */
const latin1LoopBytesMax = 32;

/** Writes a byte string into `buf` at `pos`; returns its length. */
function writeLatin1(buf: Buffer, pos: number, s: string): number {
  const len = s.length;
  if (len > latin1LoopBytesMax) return buf.write(s, pos, 'latin1');
  for (let i = 0; i < len; i++) buf[pos + i] = s.charCodeAt(i);
  return len;
}

/** Scratch space for LZF compression (one thread: shared by every writer). */
let lzfScratchIn = Buffer.allocUnsafe(256);
let lzfScratchOut = Buffer.allocUnsafe(256);
const lzfScratchBytesMax = 1024 * 1024;

/**
 * Growable byte buffer writing RDB primitives, like Redis's rdbSave* functions.
 */
export class RdbWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialCapacity));
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** The written bytes (a view of the internal buffer; copy it if you keep writing). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Discard everything written (keeps the capacity). */
  reset(): void {
    this.pos = 0;
  }

  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    nb.set(this.buf.subarray(0, this.pos), 0);
    this.buf = nb;
  }

  writeByte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b & 0xff;
  }

  /** rdbSaveType: one unsigned byte (object type or opcode). */
  writeType(t: number): void {
    this.writeByte(t);
  }

  /** Append raw bytes (a Uint8Array or a latin1 byte string). */
  writeRaw(data: ByteString): void {
    if (typeof data === 'string') {
      this.ensure(data.length);
      this.pos += writeLatin1(this.buf, this.pos, data);
    } else {
      this.ensure(data.length);
      this.buf.set(data, this.pos);
      this.pos += data.length;
    }
  }

  /** rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit length encoding. */
  writeLength(n: number | bigint): void {
    if (typeof n === 'bigint') {
      if (n < 0n || n > 0xffffffffffffffffn) throw new RangeError(`RDB length out of range: ${n}`);
      if (n <= 0xffffffffn) {
        this.writeLength(Number(n));
        return;
      }
      this.ensure(9);
      this.buf[this.pos++] = RDB_64BITLEN;
      this.buf.writeBigUInt64BE(n, this.pos);
      this.pos += 8;
      return;
    }
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`RDB length out of range: ${n}`);
    if (n < 1 << 6) {
      this.ensure(1);
      this.buf[this.pos++] = n | (RDB_6BITLEN << 6);
    } else if (n < 1 << 14) {
      this.ensure(2);
      this.buf[this.pos++] = ((n >>> 8) & 0xff) | (RDB_14BITLEN << 6);
      this.buf[this.pos++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      this.ensure(5);
      this.buf[this.pos++] = RDB_32BITLEN;
      this.buf.writeUInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      this.ensure(9);
      this.buf[this.pos++] = RDB_64BITLEN;
      this.buf.writeBigUInt64BE(BigInt(n), this.pos);
      this.pos += 8;
    }
  }

  /**
   * rdbEncodeInteger: write `v` as INT8/INT16/INT32 if it fits; returns false
   * (writing nothing) otherwise.
   */
  writeEncodedInteger(v: number | bigint): boolean {
    const n = typeof v === 'bigint' ? (v >= -(2n ** 31n) && v < 2n ** 31n ? Number(v) : NaN) : v;
    if (!Number.isInteger(n)) return false;
    if (n >= -(1 << 7) && n <= (1 << 7) - 1) {
      this.ensure(2);
      this.buf[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
      this.buf[this.pos++] = n & 0xff;
      return true;
    }
    if (n >= -(1 << 15) && n <= (1 << 15) - 1) {
      this.ensure(3);
      this.buf[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
      this.buf.writeInt16LE(n, this.pos);
      this.pos += 2;
      return true;
    }
    if (n >= -2147483648 && n <= 2147483647) {
      this.ensure(5);
      this.buf[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
      this.buf.writeInt32LE(n, this.pos);
      this.pos += 4;
      return true;
    }
    return false;
  }

  /** rdbSaveLongLongAsStringObject: integer encoding if it fits, else its decimal string. */
  writeLongLongAsString(v: number | bigint): void {
    if (this.writeEncodedInteger(v)) return;
    const s = v.toString();
    this.writeLength(s.length);
    this.writeRaw(s);
  }

  /** rdbSaveLzfBlob: LZF marker, compressed length, original length, data. */
  writeLzfBlob(compressed: Uint8Array | Buffer, originalLen: number): void {
    this.writeByte((RDB_ENCVAL << 6) | RDB_ENC_LZF);
    this.writeLength(compressed.length);
    this.writeLength(originalLen);
    this.writeRaw(compressed);
  }

  /**
   * rdbSaveRawString: integer encoding for canonical integers of <= 11 bytes
   * within int32; LZF when `compress` (Redis's rdbcompression) and the string
   * is longer than 20 bytes and compresses by at least 4 bytes; raw otherwise.
   */
  writeString(s: ByteString, compress: boolean): void {
    const len = s.length;
    if (len <= 11) {
      const v = canonicalSmallInt(s, len);
      if (v !== null && this.writeEncodedInteger(v)) return;
    }
    if (compress && len > 20 && this.writeCompressed(s)) return;
    this.writeLength(len);
    if (len > 0) this.writeRaw(s);
  }

  /**
   * rdbSaveLzfStringObject: the LZF form when it saves at least 4 bytes. Works
   * in scratch buffers shared by all writers: a snapshot writes millions of
   * values, and per-value garbage becomes GC pauses.
   */
  private writeCompressed(s: ByteString): boolean {
    const len = s.length;
    let input: Uint8Array;
    if (typeof s === 'string') {
      if (lzfScratchIn.length < len) lzfScratchIn = Buffer.allocUnsafe(Math.max(len, lzfScratchIn.length * 2));
      writeLatin1(lzfScratchIn, 0, s);
      input = lzfScratchIn;
    } else {
      input = s;
    }
    if (lzfScratchOut.length < len + lzfOutSlack) {
      lzfScratchOut = Buffer.allocUnsafe(Math.max(len + lzfOutSlack, lzfScratchOut.length * 2));
    }
    const compressedLen = lzfCompressInto(input, len, lzfScratchOut, len - 4);
    if (compressedLen === 0) return false;
    this.writeByte((RDB_ENCVAL << 6) | RDB_ENC_LZF);
    this.writeLength(compressedLen);
    this.writeLength(len);
    this.ensure(compressedLen);
    lzfScratchOut.copy(this.buf, this.pos, 0, compressedLen);
    this.pos += compressedLen;
    // A huge value's scratch space is not kept for the rest of the process.
    if (len > lzfScratchBytesMax) {
      lzfScratchIn = Buffer.allocUnsafe(256);
      lzfScratchOut = Buffer.allocUnsafe(256);
    }
    return true;
  }

  /** rdbSaveMillisecondTime: signed 64-bit little endian. */
  writeMillisecondTime(ms: number | bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(typeof ms === 'bigint' ? ms : BigInt(Math.trunc(ms)), this.pos);
    this.pos += 8;
  }

  /** rdbSaveBinaryDoubleValue: IEEE 754 binary64, little endian. */
  writeBinaryDouble(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** rdbSaveBinaryFloatValue: IEEE 754 binary32, little endian. */
  writeBinaryFloat(v: number): void {
    this.ensure(4);
    this.buf.writeFloatLE(v, this.pos);
    this.pos += 4;
  }

  /** Little-endian uint16 (e.g. the DUMP footer's RDB version). */
  writeUInt16LE(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.pos);
    this.pos += 2;
  }

  /** Little-endian uint32. */
  writeUInt32LE(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }
}

/** Result of readLength(): when `encoded`, `len` is an RDB_ENC_* code. */
export interface RdbLength {
  len: number;
  encoded: boolean;
}

/**
 * Reader of RDB primitives over a byte array, like Redis's rdbLoad*
 * functions. Every read is bounds checked; malformed data throws
 * RdbFormatError with the offset.
 */
export class RdbReader {
  readonly buf: Uint8Array;
  offset: number;
  /** Upper bound of the byte range readable (defaults to buf.length). */
  readonly end: number;

  constructor(buf: Uint8Array | Buffer, offset = 0, end = buf.length) {
    this.buf = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    this.offset = offset;
    this.end = Math.min(end, buf.length);
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): void {
    if (n < 0 || n > this.end - this.offset) {
      throw new RdbFormatError(`unexpected end of data reading ${what} (need ${n}, have ${this.end - this.offset})`, this.offset);
    }
  }

  readByte(): number {
    this.need(1, 'byte');
    return this.buf[this.offset++];
  }

  /** rdbLoadType: one unsigned byte. */
  readType(): number {
    this.need(1, 'type');
    return this.buf[this.offset++];
  }

  /** n raw bytes (a view into the underlying array, not a copy). */
  readRaw(n: number): Uint8Array {
    this.need(n, 'raw bytes');
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** n raw bytes as a latin1 byte string. */
  readRawString(n: number): string {
    this.need(n, 'string bytes');
    const s = latin1(this.buf, this.offset, n);
    this.offset += n;
    return s;
  }

  /** rdbLoadLenByRef. 64-bit lengths above 2^53-1 throw. */
  readLength(): RdbLength {
    const start = this.offset;
    this.need(1, 'length');
    const b0 = this.buf[this.offset++];
    const type = (b0 & 0xc0) >> 6;
    if (type === RDB_ENCVAL) return { len: b0 & 0x3f, encoded: true };
    if (type === RDB_6BITLEN) return { len: b0 & 0x3f, encoded: false };
    if (type === RDB_14BITLEN) {
      this.need(1, 'length');
      return { len: ((b0 & 0x3f) << 8) | this.buf[this.offset++], encoded: false };
    }
    if (b0 === RDB_32BITLEN) {
      this.need(4, 'length');
      const b = this.buf;
      const o = this.offset;
      const len = ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
      this.offset += 4;
      return { len, encoded: false };
    }
    if (b0 === RDB_64BITLEN) {
      this.need(8, 'length');
      const b = this.buf;
      const o = this.offset;
      const hi = ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
      const lo = ((b[o + 4] << 24) >>> 0) + ((b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]);
      this.offset += 8;
      if (hi > 0x1fffff) throw new RdbFormatError('length too large', start);
      return { len: hi * 0x100000000 + lo, encoded: false };
    }
    throw new RdbFormatError(`Unknown length encoding ${type} in rdbLoadLen()`, start);
  }

  /** rdbLoadLen where an encoded value is not expected: the plain length (encoded flag ignored, like Redis). */
  readLen(): number {
    return this.readLength().len;
  }

  /** rdbGenericLoadStringObject: the string's bytes (raw, INT8/16/32 as decimal text, or LZF). */
  readStringBytes(): Uint8Array {
    const start = this.offset;
    const { len, encoded } = this.readLength();
    if (encoded) {
      switch (len) {
        case RDB_ENC_INT8:
        case RDB_ENC_INT16:
        case RDB_ENC_INT32:
          return latin1Bytes(String(this.readEncodedInteger(len)));
        case RDB_ENC_LZF:
          return this.readLzf();
        default:
          throw new RdbFormatError(`Unknown RDB string encoding type ${len}`, start);
      }
    }
    return this.readRaw(len);
  }

  /** rdbGenericLoadStringObject as a latin1 byte string. */
  readString(): string {
    const start = this.offset;
    const { len, encoded } = this.readLength();
    if (encoded) {
      switch (len) {
        case RDB_ENC_INT8:
        case RDB_ENC_INT16:
        case RDB_ENC_INT32:
          return String(this.readEncodedInteger(len));
        case RDB_ENC_LZF: {
          const bytes = this.readLzf();
          return latin1(bytes, 0, bytes.length);
        }
        default:
          throw new RdbFormatError(`Unknown RDB string encoding type ${len}`, start);
      }
    }
    return this.readRawString(len);
  }

  /** rdbLoadIntegerObject payload for an RDB_ENC_INT* code. */
  readEncodedInteger(enc: number): number {
    const b = this.buf;
    if (enc === RDB_ENC_INT8) {
      this.need(1, 'INT8');
      const v = (b[this.offset] << 24) >> 24;
      this.offset += 1;
      return v;
    }
    if (enc === RDB_ENC_INT16) {
      this.need(2, 'INT16');
      const o = this.offset;
      const v = ((b[o] | (b[o + 1] << 8)) << 16) >> 16;
      this.offset += 2;
      return v;
    }
    if (enc === RDB_ENC_INT32) {
      this.need(4, 'INT32');
      const o = this.offset;
      const v = b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
      this.offset += 4;
      return v;
    }
    throw new RdbFormatError(`Unknown RDB integer encoding type ${enc}`, this.offset);
  }

  /** rdbLoadLzfStringObject (after the LZF marker): compressed len, original len, data. */
  readLzf(): Uint8Array {
    const clen = this.readLen();
    const len = this.readLen();
    const dataStart = this.offset;
    this.need(clen, 'LZF data');
    const c = this.buf.subarray(this.offset, this.offset + clen);
    this.offset += clen;
    if (len === 0) return new Uint8Array(0); // liblzf "succeeds" with 0 == 0, as in Redis
    if (len > lzfMaxDecompressedLen(clen)) {
      throw new RdbFormatError('Invalid LZF compressed string', dataStart);
    }
    try {
      return lzfDecompress(c, len);
    } catch (e) {
      if (e instanceof LzfError) throw new RdbFormatError(`Invalid LZF compressed string: ${e.message}`, dataStart);
      throw e;
    }
  }

  /** rdbLoadMillisecondTime (RDB >= 9): signed 64-bit little endian, as a number. */
  readMillisecondTime(): number {
    this.need(8, 'millisecond time');
    const b = this.buf;
    const o = this.offset;
    const lo = (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
    const hi = b[o + 4] | (b[o + 5] << 8) | (b[o + 6] << 16) | (b[o + 7] << 24); // signed
    this.offset += 8;
    return hi * 0x100000000 + lo;
  }

  /** rdbLoadMillisecondTime as an exact bigint. */
  readMillisecondTimeBig(): bigint {
    this.need(8, 'millisecond time');
    const v = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.offset, 8).readBigInt64LE(0);
    this.offset += 8;
    return v;
  }

  /** rdbLoadTime (old RDB_OPCODE_EXPIRETIME): signed 32-bit seconds. */
  readTimeSeconds(): number {
    this.need(4, 'time');
    const b = this.buf;
    const o = this.offset;
    const v = b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
    this.offset += 4;
    return v;
  }

  /** rdbLoadBinaryDoubleValue. */
  readBinaryDouble(): number {
    this.need(8, 'double');
    const v = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.offset, 8).readDoubleLE(0);
    this.offset += 8;
    return v;
  }

  /** rdbLoadBinaryFloatValue. */
  readBinaryFloat(): number {
    this.need(4, 'float');
    const v = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.offset, 4).readFloatLE(0);
    this.offset += 4;
    return v;
  }

  /** rdbLoadDoubleValue (old string form: 253 NaN, 254 +inf, 255 -inf, else len + text). */
  readDoubleString(): number {
    const start = this.offset;
    const len = this.readByte();
    if (len === 255) return -Infinity;
    if (len === 254) return Infinity;
    if (len === 253) return NaN;
    const s = this.readRawString(len);
    // sscanf("%lg"): optional leading space, inf/infinity/nan, or a numeric prefix.
    const m = /^\s*([+-]?)(inf|nan)/i.exec(s);
    if (m) return m[2].toLowerCase() === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity;
    const v = parseFloat(s);
    if (Number.isNaN(v)) throw new RdbFormatError('invalid double value', start);
    return v;
  }

  readUInt16LE(): number {
    this.need(2, 'uint16');
    const v = this.buf[this.offset] | (this.buf[this.offset + 1] << 8);
    this.offset += 2;
    return v;
  }

  readUInt32LE(): number {
    this.need(4, 'uint32');
    const o = this.offset;
    const b = this.buf;
    const v = (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
    this.offset += 4;
    return v;
  }
}

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function latin1(buf: Uint8Array | Buffer, start: number, len: number): string {
  if (len === 0) return '';
  return Buffer.from(buf.buffer, buf.byteOffset + start, len).toString('latin1');
}
