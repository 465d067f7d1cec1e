// HyperLogLog in Redis's exact string representation, so that the bytes of an
// HLL are the same as Redis's after the same commands and an HLL string moves
// freely between Redis and Tandem (GET/SET, DUMP/RESTORE, RDB, replication).
//
// Layout: a 16-byte header ("HYLL", encoding byte, 3 unused bytes, cached
// cardinality as a little-endian uint64 whose top bit marks it stale), then
// the 16384 registers, either dense (6 bits each, packed from the least
// significant bit up) or sparse (run-length opcodes):
//   ZERO  00xxxxxx           1..64 registers at 0
//   XZERO 01xxxxxx yyyyyyyy  1..16384 registers at 0
//   VAL   1vvvvvxx           1..4 registers at 1..32
// The sparse form is not canonical (adjacent opcodes are merged only near the
// change), so the update algorithm below follows Redis's step by step.

import { randomFillSync } from 'node:crypto';
import type { StringValue } from './value.js';
import { writableString } from './mutable-string.js';

const P = 14;
export const HLL_REGISTERS = 1 << P;
const P_MASK = HLL_REGISTERS - 1;
/** Bits of the hash left after the register index. */
const Q = 64 - P;
const REGISTER_MAX = 63;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + (HLL_REGISTERS * 6) / 8;
const ENCODING_OFFSET = 4;
const CARD_OFFSET = 8;
const DENSE = 0;
const SPARSE = 1;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
/** 1 / (2 ln 2): the estimator's constant for an infinite number of registers. */
const ALPHA_INF = 0.721347520444481703680;

// ---- MurmurHash64A, on 32-bit halves --------------------------------------------

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const M_LO0 = M_LO & 0xffff;
const M_LO1 = M_LO >>> 16;

// A 64-bit product by the multiplier is computed as two words: the low word
// is Math.imul(lo, M_LO); the high word comes from mulHigh.

/** High 32 bits of (hi:lo) * 0xc6a4a7935bd1e995 mod 2^64, in 16-bit pieces that stay exact. */
function mulHigh(hi: number, lo: number): number {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const p01 = a0 * M_LO1;
  const p10 = a1 * M_LO0;
  const carry = ((a0 * M_LO0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const lowHigh = a1 * M_LO1 + (p01 >>> 16) + (p10 >>> 16) + (carry >>> 16);
  return (lowHigh + Math.imul(lo, M_HI) + Math.imul(hi, M_LO)) >>> 0;
}

/**
 * Redis's MurmurHash64A of the bytes of `s` (one char per byte) with the
 * seed HLLs use, folded into what hllPatLen needs: the register index and the
 * length of the "000..1" run after it. Returns count * 16384 + index.
 */
export function hllPatLen(s: string): number {
  const len = s.length;
  let hHi = mulHigh(0, len);
  let hLo = (Math.imul(len, M_LO) ^ 0xadc83b19) >>> 0;
  const tail = len & 7;
  const end = len - tail;
  for (let i = 0; i < end; i += 8) {
    let kLo = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
    let kHi = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>> 0;
    // k *= m; k ^= k >> 47; k *= m; h ^= k; h *= m
    kHi = mulHigh(kHi, kLo);
    kLo = Math.imul(kLo, M_LO) >>> 0;
    kLo = (kLo ^ (kHi >>> 15)) >>> 0;
    kHi = mulHigh(kHi, kLo);
    kLo = Math.imul(kLo, M_LO) >>> 0;
    hHi = (hHi ^ kHi) >>> 0;
    hLo = (hLo ^ kLo) >>> 0;
    hHi = mulHigh(hHi, hLo);
    hLo = Math.imul(hLo, M_LO) >>> 0;
  }
  if (tail > 0) {
    for (let i = tail - 1; i >= 0; i--) {
      const b = s.charCodeAt(end + i);
      if (i >= 4) hHi = (hHi ^ (b << ((i - 4) * 8))) >>> 0;
      else hLo = (hLo ^ (b << (i * 8))) >>> 0;
    }
    hHi = mulHigh(hHi, hLo);
    hLo = Math.imul(hLo, M_LO) >>> 0;
  }
  // h ^= h >> 47; h *= m; h ^= h >> 47
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  hHi = mulHigh(hHi, hLo);
  hLo = Math.imul(hLo, M_LO) >>> 0;
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  const index = hLo & P_MASK;
  // The hash without its index bits, with bit Q set so that the run ends.
  const restLo = ((hLo >>> P) | (hHi << (32 - P))) >>> 0;
  const restHi = (hHi >>> P) | (1 << (Q - 32));
  const count = restLo !== 0 ? trailingZeros(restLo) + 1 : trailingZeros(restHi) + 33;
  return count * HLL_REGISTERS + index;
}

function trailingZeros(x: number): number {
  return 31 - Math.clz32(x & -x);
}

// ---- Header and validity --------------------------------------------------------

/** The bytes of a string value (a copy for JS strings). */
export function hllBytes(v: StringValue): Uint8Array {
  return typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
}

/** Whether a string value passes Redis's isHLLObjectOrReply checks. */
export function isHll(v: StringValue): boolean {
  if (v.length < HLL_HDR_SIZE) return false;
  const b = hllBytes(typeof v === 'string' ? v.slice(0, HLL_HDR_SIZE) : v);
  if (b[0] !== 72 || b[1] !== 89 || b[2] !== 76 || b[3] !== 76) return false; // "HYLL"
  const encoding = b[ENCODING_OFFSET];
  return encoding === SPARSE || (encoding === DENSE && v.length === HLL_DENSE_SIZE);
}

export function isDenseHll(b: Uint8Array): boolean {
  return b[ENCODING_OFFSET] === DENSE;
}

/** The cached cardinality, or null when it is stale. */
export function hllCachedCardinality(b: Uint8Array): number | bigint | null {
  if (b[CARD_OFFSET + 7] & 0x80) return null;
  let n = 0n;
  for (let i = 7; i >= 0; i--) n = (n << 8n) | BigInt(b[CARD_OFFSET + i]);
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

export function setHllCachedCardinality(b: Uint8Array, card: number): void {
  let n = card;
  for (let i = 0; i < 8; i++) {
    b[CARD_OFFSET + i] = n % 256;
    n = Math.floor(n / 256);
  }
}

// ---- Dense registers ------------------------------------------------------------

function denseGet(b: Uint8Array, regnum: number): number {
  const bit = regnum * 6;
  const i = HLL_HDR_SIZE + (bit >>> 3);
  const fb = bit & 7;
  // With fb <= 2 the register lies in one byte (so the last one never reads past the end).
  return fb <= 2 ? (b[i] >> fb) & REGISTER_MAX : ((b[i] >> fb) | (b[i + 1] << (8 - fb))) & REGISTER_MAX;
}

function denseSetRegister(b: Uint8Array, regnum: number, val: number): void {
  const bit = regnum * 6;
  const i = HLL_HDR_SIZE + (bit >>> 3);
  const fb = bit & 7;
  b[i] = (b[i] & ~(REGISTER_MAX << fb)) | (val << fb);
  if (fb > 2) b[i + 1] = (b[i + 1] & ~(REGISTER_MAX >> (8 - fb))) | (val >> (8 - fb));
}

/** Redis's hllDenseSet: raises the register to `count`; 1 if it changed. */
function denseSet(b: Uint8Array, regnum: number, count: number): number {
  if (count <= denseGet(b, regnum)) return 0;
  denseSetRegister(b, regnum, count);
  return 1;
}

// ---- Sparse opcodes -------------------------------------------------------------

function isZero(op: number): boolean {
  return (op & 0xc0) === 0;
}

function isXZero(op: number): boolean {
  return (op & 0xc0) === 0x40;
}

function isVal(op: number): boolean {
  return (op & 0x80) !== 0;
}

function zeroLen(op: number): number {
  return (op & 0x3f) + 1;
}

function xzeroLen(op: number, next: number): number {
  return (((op & 0x3f) << 8) | next) + 1;
}

function valValue(op: number): number {
  return ((op >> 2) & 0x1f) + 1;
}

function valLen(op: number): number {
  return (op & 3) + 1;
}

function valOp(value: number, len: number): number {
  return 0x80 | ((value - 1) << 2) | (len - 1);
}

/** Appends a ZERO or XZERO opcode for `len` zero registers to `seq`. */
function pushZeros(seq: number[], len: number): void {
  if (len > SPARSE_ZERO_MAX_LEN) seq.push(0x40 | ((len - 1) >> 8), (len - 1) & 0xff);
  else seq.push(len - 1);
}

/**
 * Walks the sparse opcodes of `b` (header excluded), calling `run(first,
 * length, value)` for each run; false when the runs do not cover exactly the
 * 16384 registers (a corrupted HLL). A trailing XZERO's missing second byte
 * reads as 0, as the sds terminator does in Redis.
 */
function forEachSparseRun(b: Uint8Array, len: number, run: (first: number, length: number, value: number) => void): boolean {
  let idx = 0;
  for (let p = HLL_HDR_SIZE; p < len; ) {
    const op = b[p];
    let runlen: number;
    let value = 0;
    if (isZero(op)) {
      runlen = zeroLen(op);
      p++;
    } else if (isXZero(op)) {
      runlen = xzeroLen(op, p + 1 < len ? b[p + 1] : 0);
      p += 2;
    } else {
      runlen = valLen(op);
      value = valValue(op);
      p++;
    }
    if (idx + runlen > HLL_REGISTERS) return false;
    run(idx, runlen, value);
    idx += runlen;
  }
  return idx === HLL_REGISTERS;
}

/** Opcodes of a sparse HLL as PFDEBUG DECODE prints them ("Z:16384", "v:2,1", "z:19"). */
export function decodeSparse(b: Uint8Array): string {
  const parts: string[] = [];
  for (let p = HLL_HDR_SIZE; p < b.length; ) {
    const op = b[p];
    if (isZero(op)) {
      parts.push(`z:${zeroLen(op)}`);
      p++;
    } else if (isXZero(op)) {
      parts.push(`Z:${xzeroLen(op, p + 1 < b.length ? b[p + 1] : 0)}`);
      p += 2;
    } else {
      parts.push(`v:${valValue(op)},${valLen(op)}`);
      p++;
    }
  }
  return parts.join(' ');
}

// ---- Counting and merging -------------------------------------------------------

/**
 * Redis's hllMerge: raises each of the 16384 bytes of `max` to the matching
 * register of the HLL `b`; false for a corrupted sparse HLL.
 */
export function hllMergeInto(max: Uint8Array, b: Uint8Array): boolean {
  if (isDenseHll(b)) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const val = denseGet(b, i);
      if (val > max[i]) max[i] = val;
    }
    return true;
  }
  return forEachSparseRun(b, b.length, (first, length, value) => {
    for (let i = first; i < first + length; i++) if (value > max[i]) max[i] = value;
  });
}

/** Register histogram of an HLL; null for a corrupted sparse one. */
function histogram(b: Uint8Array): number[] | null {
  const histo = new Array<number>(64).fill(0);
  if (isDenseHll(b)) {
    for (let i = 0; i < HLL_REGISTERS; i++) histo[denseGet(b, i)]++;
    return histo;
  }
  const valid = forEachSparseRun(b, b.length, (_first, length, value) => {
    histo[value] += length;
  });
  return valid ? histo : null;
}

/** The estimated cardinality of an HLL (Redis's hllCount); null when it is corrupted. */
export function hllCount(b: Uint8Array): number | null {
  const histo = histogram(b);
  return histo === null ? null : estimate(histo);
}

/** The estimated cardinality of registers held one per byte (multi-key PFCOUNT). */
export function hllCountRegisters(registers: Uint8Array): number {
  const histo = new Array<number>(64).fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) histo[registers[i]]++;
  return estimate(histo);
}

/**
 * Cardinality from the register histogram, as in Otmar Ertl's "New
 * cardinality estimation algorithms for HyperLogLog sketches", with Redis's
 * operation order so that the rounding is the same.
 */
function estimate(histo: number[]): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[Q + 1]) / m);
  for (let j = Q; j >= 1; j--) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (zPrime !== z);
  return z / 3;
}

// ---- Modification ---------------------------------------------------------------

/** The value of a new, empty HLL: sparse, every register in XZERO opcodes. */
function emptySparse(): Buffer {
  const b = Buffer.alloc(HLL_HDR_SIZE + 2);
  b.write('HYLL', 0, 'latin1');
  b[ENCODING_OFFSET] = SPARSE;
  b[HLL_HDR_SIZE] = 0x40 | ((SPARSE_XZERO_MAX_LEN - 1) >> 8);
  b[HLL_HDR_SIZE + 1] = (SPARSE_XZERO_MAX_LEN - 1) & 0xff;
  return b;
}

/**
 * An HLL value opened for modification. A dense HLL is changed in place (an
 * owned Buffer, src/store/mutable-string.ts); a sparse one is edited in a
 * scratch buffer with room to grow, always followed by a zero byte as Redis's
 * sds terminator, and copied out by value().
 */
export class HllEditor {
  private buf: Buffer;
  private len: number;
  /** Whether any byte changed (so the key must be stored back). */
  changed = false;
  private readonly original: StringValue | undefined;
  private readonly sparseMaxBytes: number;

  /** `v` must have passed isHll; undefined opens a new empty HLL. */
  constructor(v: StringValue | undefined, sparseMaxBytes: number) {
    this.original = v;
    this.sparseMaxBytes = sparseMaxBytes;
    if (v === undefined) {
      this.changed = true;
      this.buf = emptySparse();
      this.len = this.buf.length;
      this.reserve(3);
    } else if (isDenseHll(hllBytes(typeof v === 'string' ? v.slice(0, HLL_HDR_SIZE) : v))) {
      this.buf = writableString(v, v.length);
      this.len = v.length;
    } else {
      this.len = v.length;
      this.buf = Buffer.alloc(v.length + 4);
      if (typeof v === 'string') this.buf.write(v, 0, 'latin1');
      else v.copy(this.buf);
    }
  }

  get dense(): boolean {
    return this.buf[ENCODING_OFFSET] === DENSE;
  }

  /** The value to store: the original when nothing changed. */
  value(): StringValue {
    if (!this.changed && this.original !== undefined) return this.original;
    if (this.dense) return this.buf;
    const out = writableString(undefined, this.len);
    this.buf.copy(out, 0, 0, this.len);
    return out;
  }

  /** Redis's hllAdd: 1 when a register grew, 0 when none did, -1 for a corrupted HLL. */
  add(ele: string): number {
    const pat = hllPatLen(ele);
    return this.set(pat & P_MASK, Math.floor(pat / HLL_REGISTERS));
  }

  /** Raises register `index` to `count` if lower: 1 if it changed, 0 if not, -1 for a corrupted HLL. */
  set(index: number, count: number): number {
    if (!this.dense) return this.sparseSet(index, count);
    const r = denseSet(this.buf, index, count);
    if (r === 1) this.changed = true;
    return r;
  }

  invalidateCache(): void {
    if (this.buf[CARD_OFFSET + 7] & 0x80) return;
    this.buf[CARD_OFFSET + 7] |= 0x80;
    this.changed = true;
  }

  /** Redis's hllSparseToDense (nothing to do for a dense HLL); false for a corrupted sparse HLL. */
  toDense(): boolean {
    if (this.dense) return true;
    const dense = writableString(undefined, HLL_DENSE_SIZE);
    // Magic and cached cardinality carry over.
    this.buf.copy(dense, 0, 0, HLL_HDR_SIZE);
    dense[ENCODING_OFFSET] = DENSE;
    const valid = forEachSparseRun(this.buf, this.len, (first, length, value) => {
      if (value !== 0) for (let i = first; i < first + length; i++) denseSetRegister(dense, i, value);
    });
    if (!valid) return false;
    this.buf = dense;
    this.len = HLL_DENSE_SIZE;
    this.changed = true;
    return true;
  }

  /** Makes room for `n` more bytes (plus the terminator) in the sparse scratch buffer. */
  private reserve(n: number): void {
    if (this.len + n + 1 <= this.buf.length) return;
    const grown = Buffer.alloc((this.len + n + 1) * 2);
    this.buf.copy(grown, 0, 0, this.len);
    this.buf = grown;
  }

  /** Changes the sparse length by `delta`, keeping the terminator. */
  private resize(delta: number): void {
    this.len += delta;
    this.buf[this.len] = 0;
  }

  /** Redis's hllSparseSet, opcode for opcode; may promote the HLL to dense. */
  private sparseSet(index: number, count: number): number {
    if (count > SPARSE_VAL_MAX_VALUE) return this.promote(index, count);
    this.reserve(3);
    const b = this.buf;

    // Step 1: find the opcode covering `index`.
    let end = this.len;
    let p = HLL_HDR_SIZE;
    let first = 0;
    let prev = -1;
    let span = 0;
    while (p < end) {
      const op = b[p];
      let oplen = 1;
      if (isZero(op)) {
        span = zeroLen(op);
      } else if (isVal(op)) {
        span = valLen(op);
      } else {
        span = xzeroLen(op, b[p + 1]);
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;
    const op = b[p];
    const xzero = isXZero(op);
    let next = xzero ? p + 2 : p + 1;
    if (next >= end) next = -1;

    // Step 2: the easy cases change one opcode in place.
    let inPlace = false;
    if (isVal(op)) {
      if (valValue(op) >= count) return 0;
      inPlace = span === 1;
    } else if (isZero(op)) {
      inPlace = span === 1;
    }
    if (inPlace) {
      b[p] = valOp(count, 1);
    } else {
      // Otherwise the opcode splits in up to three: before, our register, after.
      const seq: number[] = [];
      const last = first + span - 1;
      if (isVal(op)) {
        const cur = valValue(op);
        if (index !== first) seq.push(valOp(cur, index - first));
        seq.push(valOp(count, 1));
        if (index !== last) seq.push(valOp(cur, last - index));
      } else {
        if (index !== first) pushZeros(seq, index - first);
        seq.push(valOp(count, 1));
        if (index !== last) pushZeros(seq, last - index);
      }
      // Step 3: replace the opcode, shifting what follows.
      const delta = seq.length - (xzero ? 2 : 1);
      if (delta > 0 && this.len + delta > this.sparseMaxBytes) return this.promote(index, count);
      if (delta !== 0 && next !== -1) b.copyWithin(next + delta, next, end);
      this.resize(delta);
      for (let i = 0; i < seq.length; i++) b[p + i] = seq[i];
      end += delta;
    }

    // Step 4: merge adjacent VAL opcodes of equal value, scanning up to 5 opcodes from the previous one.
    p = prev !== -1 ? prev : HLL_HDR_SIZE;
    let scan = 5;
    while (p < end && scan-- > 0) {
      const cur = b[p];
      if (isXZero(cur)) {
        p += 2;
        continue;
      }
      if (isZero(cur)) {
        p++;
        continue;
      }
      if (p + 1 < end && isVal(b[p + 1]) && valValue(cur) === valValue(b[p + 1])) {
        const len = valLen(cur) + valLen(b[p + 1]);
        if (len <= SPARSE_VAL_MAX_LEN) {
          b[p + 1] = valOp(valValue(cur), len);
          b.copyWithin(p, p + 1, end);
          this.resize(-1);
          end--;
          continue;
        }
      }
      p++;
    }
    this.invalidateCache();
    this.changed = true;
    return 1;
  }

  /** Converts to dense, then sets the register (which the sparse form could not hold). */
  private promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    denseSet(this.buf, index, count);
    return 1;
  }
}

/** Redis's PFSELFTEST: register access and estimate error, dense and sparse side by side. An error text, or null. */
export function hllSelfTest(sparseMaxBytes: number): string | null {
  const dense = Buffer.alloc(HLL_DENSE_SIZE);
  const bytes = new Uint8Array(HLL_REGISTERS);
  for (let cycle = 0; cycle < 1000; cycle++) {
    randomFillSync(bytes);
    for (let i = 0; i < HLL_REGISTERS; i++) {
      bytes[i] &= REGISTER_MAX;
      denseSetRegister(dense, i, bytes[i]);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const val = denseGet(dense, i);
      if (val !== bytes[i]) return `TESTFAILED Register ${i} should be ${bytes[i]} but is ${val}`;
    }
  }

  dense.fill(0, HLL_HDR_SIZE);
  const sparse = new HllEditor(undefined, sparseMaxBytes);
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seedLo = Math.floor(Math.random() * 0x100000000);
  const seedHi = Math.floor(Math.random() * 0x100000000);
  const hi = String.fromCharCode(seedHi & 255, (seedHi >>> 8) & 255, (seedHi >>> 16) & 255, seedHi >>> 24);
  let checkpoint = 1;
  for (let j = 1; j <= 10000000; j++) {
    // The element is the 8 little-endian bytes of j ^ seed.
    const lo = (j ^ seedLo) >>> 0;
    const pat = hllPatLen(String.fromCharCode(lo & 255, (lo >>> 8) & 255, (lo >>> 16) & 255, lo >>> 24) + hi);
    const index = pat & P_MASK;
    const count = Math.floor(pat / HLL_REGISTERS);
    denseSet(dense, index, count);
    sparse.set(index, count);
    if (j !== checkpoint) continue;
    if (j < sparseMaxBytes / 2 && sparse.dense) return 'TESTFAILED sparse encoding not used';
    const estimated = hllCount(dense) ?? 0;
    if (estimated !== hllCount(hllBytes(sparse.value()))) return 'TESTFAILED dense/sparse disagree';
    // Redis allows 1 at cardinality 10, where a collision is likely enough.
    const maxerr = j === 10 ? 1 : Math.ceil(relerr * 6 * checkpoint);
    const abserr = Math.abs(checkpoint - estimated);
    if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return null;
}
