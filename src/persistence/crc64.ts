/**
 * CRC-64/Jones as used by Redis for RDB files and DUMP payloads.
 *
 *   width 64, poly 0xad93d23594c935a9 (reflected: 0x95ac9329ac4bc9b5),
 *   reflected in/out, init 0, xorout 0.
 *   check: crc64(0n, "123456789") === 0xe9c6d914c4b8d9can
 *
 * Incremental: feeding a buffer in arbitrary slices gives the same result as
 * feeding it at once. The inner loop is slicing-by-8 on two 32-bit halves
 * (no bigint), so it is suitable for checksumming multi-GB RDB streams.
 *
 * API choice: the functional form `crc64(crc, buf)` takes and returns a
 * bigint (what Redis calls uint64_t). For hot incremental use prefer the
 * `Crc64` class, which keeps the state as two uint32 halves and only builds
 * a bigint (or the 8 little-endian bytes Redis writes to disk) on request.
 */

/** Byte input accepted everywhere (Buffer is listed explicitly for older @types/node). */
export type Bytes = Uint8Array | Buffer;

const POLY_LO = 0xac4bc9b5; // low 32 bits of the reflected polynomial
const POLY_HI = 0x95ac9329; // high 32 bits of the reflected polynomial

/** TL[k*256 + b] / TH[k*256 + b]: low/high half of the CRC of byte b followed by k zero bytes. */
const TL = new Uint32Array(8 * 256);
const TH = new Uint32Array(8 * 256);

(function buildTables(): void {
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const bit = lo & 1;
      lo = ((lo >>> 1) | (hi << 31)) >>> 0;
      hi = hi >>> 1;
      if (bit) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    TL[i] = lo;
    TH[i] = hi;
  }
  for (let t = 1; t < 8; t++) {
    for (let i = 0; i < 256; i++) {
      const plo = TL[(t - 1) * 256 + i];
      const phi = TH[(t - 1) * 256 + i];
      const x = plo & 0xff;
      TL[t * 256 + i] = (TL[x] ^ ((plo >>> 8) | (phi << 24))) >>> 0;
      TH[t * 256 + i] = (TH[x] ^ (phi >>> 8)) >>> 0;
    }
  }
})();

/** Incremental CRC-64/Jones state held as two uint32 halves. */
export class Crc64 {
  lo = 0;
  hi = 0;

  constructor(initial: bigint = 0n) {
    this.set(initial);
  }

  set(crc: bigint): this {
    const v = BigInt.asUintN(64, crc);
    this.lo = Number(v & 0xffffffffn);
    this.hi = Number(v >> 32n);
    return this;
  }

  reset(): this {
    this.lo = 0;
    this.hi = 0;
    return this;
  }

  /** Feed buf[start, end). */
  update(buf: Bytes, start = 0, end = buf.length): this {
    let lo = this.lo | 0;
    let hi = this.hi | 0;
    let i = start;
    const stop8 = end - 8;
    while (i <= stop8) {
      const a = lo ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
      const b = hi ^ (buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24));
      const i7 = 1792 + (a & 0xff);
      const i6 = 1536 + ((a >>> 8) & 0xff);
      const i5 = 1280 + ((a >>> 16) & 0xff);
      const i4 = 1024 + (a >>> 24);
      const i3 = 768 + (b & 0xff);
      const i2 = 512 + ((b >>> 8) & 0xff);
      const i1 = 256 + ((b >>> 16) & 0xff);
      const i0 = b >>> 24;
      lo = TL[i7] ^ TL[i6] ^ TL[i5] ^ TL[i4] ^ TL[i3] ^ TL[i2] ^ TL[i1] ^ TL[i0];
      hi = TH[i7] ^ TH[i6] ^ TH[i5] ^ TH[i4] ^ TH[i3] ^ TH[i2] ^ TH[i1] ^ TH[i0];
      i += 8;
    }
    while (i < end) {
      const x = (lo ^ buf[i]) & 0xff;
      lo = TL[x] ^ ((lo >>> 8) | (hi << 24));
      hi = TH[x] ^ (hi >>> 8);
      i++;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return this;
  }

  /** Current CRC as an unsigned 64-bit bigint. */
  value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** Current CRC as 8 little-endian bytes (the on-disk / DUMP footer form). */
  bytesLE(): Buffer {
    const out = Buffer.allocUnsafe(8);
    this.writeLE(out, 0);
    return out;
  }

  /** Write the 8 little-endian CRC bytes into target at offset. */
  writeLE(target: Bytes, offset: number): void {
    const lo = this.lo;
    const hi = this.hi;
    target[offset] = lo & 0xff;
    target[offset + 1] = (lo >>> 8) & 0xff;
    target[offset + 2] = (lo >>> 16) & 0xff;
    target[offset + 3] = lo >>> 24;
    target[offset + 4] = hi & 0xff;
    target[offset + 5] = (hi >>> 8) & 0xff;
    target[offset + 6] = (hi >>> 16) & 0xff;
    target[offset + 7] = hi >>> 24;
  }

  /** True if the 8 bytes at src[offset] equal the current CRC in little-endian order. */
  equalsLE(src: Bytes, offset: number): boolean {
    if (offset < 0 || offset + 8 > src.length) return false;
    const lo = (src[offset] | (src[offset + 1] << 8) | (src[offset + 2] << 16) | (src[offset + 3] << 24)) >>> 0;
    const hi = (src[offset + 4] | (src[offset + 5] << 8) | (src[offset + 6] << 16) | (src[offset + 7] << 24)) >>> 0;
    return lo === this.lo && hi === this.hi;
  }
}

/**
 * Redis's `crc64(crc, s, l)`: continue `crc` over `buf` (or buf[start, end)).
 * Start with 0n. Returns the new CRC as an unsigned 64-bit bigint.
 */
export function crc64(crc: bigint, buf: Bytes, start = 0, end = buf.length): bigint {
  return new Crc64(crc).update(buf, start, end).value();
}

/** CRC-64/Jones of buf from scratch, as 8 little-endian bytes. */
export function crc64BytesLE(buf: Bytes): Buffer {
  return new Crc64().update(buf).bytesLE();
}
