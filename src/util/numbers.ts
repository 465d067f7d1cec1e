/**
 * Number parsing/formatting helpers with Redis 7.0 semantics.
 *
 * All inputs/outputs are byte strings (one char code per byte).
 *
 * Integers (Redis `string2ll` / getLongLongFromObject):
 *   - `parseLongLong`      validation exactly like string2ll, value as a JS number
 *                          (exact for |v| <= 2^53-1, nearest double above that).
 *                          Use for arguments where huge values only matter
 *                          approximately (LRANGE/LINDEX indexes, COUNT, LIMIT…).
 *   - `parseInt64`         exact over the full int64 range: number when safe,
 *                          bigint otherwise. Use for stored integer values and
 *                          anything whose overflow must be detected exactly
 *                          (INCR/DECR/INCRBY/DECRBY/HINCRBY, SETRANGE/EXPIRE
 *                          overflow checks, BITFIELD…).
 *   - `parseLongLongBig`   same, always bigint.
 *   - `addInt64`           exact int64 addition with overflow detection; no
 *                          bigint allocation when both inputs and the result
 *                          are safe integers (the INCR fast path).
 *
 * Doubles (Redis `string2d` / getDoubleFromObject): `parseDouble`.
 * Long doubles (Redis `string2ld` + x87 80-bit arithmetic, INCRBYFLOAT and
 * HINCRBYFLOAT): `parseLongDouble`, `addLongDouble`, `formatLongDoubleHuman`.
 * These emulate the 64-bit-mantissa extended format exactly (BigInt based),
 * so results are byte-identical to Redis on x86-64/glibc.
 *
 * Formatting: `formatInt`, `formatDouble17g` (C "%.17g", what Redis 7.0 uses
 * for RESP2 and RESP3 double replies), `formatDouble` (d2string).
 */

// ───────────────────────────── int64 ─────────────────────────────

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Core of string2ll. Returns the exact value as a number if it is a safe
 * integer, or `BIG` (with the value in `bigResult`) if it is in int64 range
 * but not safe, or `INVALID`.
 */
const INVALID = 0.5; // sentinels: never valid integer results
const BIG = 1.5;
let bigResult = 0n;

function scanLL(s: string): number {
  const len = s.length;
  // Redis rejects slen >= LONG_STR_SIZE (21); such strings can't be in range anyway.
  if (len === 0 || len > 20) return INVALID;
  let c = s.charCodeAt(0);
  if (len === 1) return c >= 48 && c <= 57 ? c - 48 : INVALID;
  let i = 0;
  const neg = c === 45; /* '-' */
  if (neg) c = s.charCodeAt(++i);
  if (c < 49 || c > 57) return INVALID; // first digit 1-9 (no leading zeros, no '+')
  let v = c - 48;
  for (i++; i < len; i++) {
    c = s.charCodeAt(i);
    if (c < 48 || c > 57) return INVALID;
    v = v * 10 + (c - 48);
  }
  // v is exact if it is <= MAX_SAFE (every intermediate was smaller and
  // rounding is monotonic, so a true value > MAX_SAFE always yields v > MAX_SAFE).
  if (v <= MAX_SAFE) return neg ? -v : v;
  const b = BigInt(s);
  if (b > INT64_MAX || b < INT64_MIN) return INVALID;
  bigResult = b;
  return BIG;
}

/**
 * Redis string2ll validation (no '+', no leading zeros, no spaces, int64
 * range, length < 21). Returns null if invalid. The value is exact when
 * |v| <= 2^53-1; larger values are returned as the nearest double.
 */
export function parseLongLong(s: string): number | null {
  const r = scanLL(s);
  if (r === INVALID) return null;
  if (r === BIG) return Number(bigResult);
  return r;
}

/** Exact string2ll: a number if it is a safe integer, else a bigint; null if invalid. */
export function parseInt64(s: string): number | bigint | null {
  const r = scanLL(s);
  if (r === INVALID) return null;
  if (r === BIG) return bigResult;
  return r;
}

/** Exact string2ll as a bigint; null if invalid. */
export function parseLongLongBig(s: string): bigint | null {
  const r = scanLL(s);
  if (r === INVALID) return null;
  if (r === BIG) return bigResult;
  return BigInt(r);
}

/** Normalise an int64 bigint: number if it is a safe integer, else the bigint. */
export function normInt64(v: bigint): number | bigint {
  return v <= 9007199254740991n && v >= -9007199254740991n ? Number(v) : v;
}

/**
 * Exact int64 addition. Numbers must be safe integers (as produced by
 * parseInt64). Returns null on int64 overflow ("ERR increment or decrement
 * would overflow"). The result is a number whenever it is a safe integer.
 * No bigint is allocated when both inputs and the result are safe.
 * (DECRBY: Redis 7.0 rejects a decrement of exactly INT64_MIN with
 * "ERR decrement would overflow" before negating; callers handle that.)
 */
export function addInt64(a: number | bigint, b: number | bigint): number | bigint | null {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (r <= MAX_SAFE && r >= -MAX_SAFE) return r;
  }
  const r = BigInt(a) + BigInt(b);
  if (r > INT64_MAX || r < INT64_MIN) return null;
  return normInt64(r);
}

/** Decimal representation of an integer (ll2string). Numbers must be integers. */
export function formatInt(n: number | bigint): string {
  return typeof n === 'number' ? (n === 0 ? '0' : String(n)) : n.toString();
}

// ──────────────────────── binary rounding core ────────────────────────

/** Number of bits of a positive bigint. */
function bitLen(n: bigint): number {
  // toString(16) is fast and exact
  const h = n.toString(16);
  const top = parseInt(h[0], 16);
  return (h.length - 1) * 4 + (32 - Math.clz32(top));
}

interface Rounded {
  mant: bigint; // 0n for zero
  exp: number;
  overflow: boolean;
}

/**
 * Round the exact value N * 2^e (N > 0; plus a positive amount smaller than
 * 2^e if `sticky`) to a binary float with `prec` significand bits, smallest
 * exponent (of the unit bit) `minExp` (subnormals) and largest `maxExp`,
 * with round-to-nearest-even. When sticky is set, N must have >= prec+2 bits.
 */
function roundBinary(N: bigint, e: number, sticky: boolean, prec: number, minExp: number, maxExp: number): Rounded {
  const bl = bitLen(N);
  let E = Math.max(e + bl - prec, minExp);
  let M: bigint;
  if (E > e) {
    const d = E - e;
    if (d > bl + 1) {
      M = 0n; // less than half of the smallest unit
    } else {
      const bd = BigInt(d);
      M = N >> bd;
      const rem = N - (M << bd);
      const half = 1n << (bd - 1n);
      if (rem > half || (rem === half && (sticky || (M & 1n) === 1n))) {
        M += 1n;
        if (M >> BigInt(prec) !== 0n) {
          M >>= 1n;
          E += 1;
        }
      }
    }
  } else {
    M = N << BigInt(e - E);
  }
  if (M === 0n) return { mant: 0n, exp: 0, overflow: false };
  if (E > maxExp) return { mant: 0n, exp: 0, overflow: true };
  return { mant: M, exp: E, overflow: false };
}

const pow5cache: bigint[] = [];
function pow5(k: number): bigint {
  if (k < 64) {
    let v = pow5cache[k];
    if (v === undefined) v = pow5cache[k] = 5n ** BigInt(k);
    return v;
  }
  return 5n ** BigInt(k);
}

/**
 * Exactly round D * 10^X (D > 0) to the given binary format.
 * Returns overflow / zero (underflow) as appropriate.
 */
function roundDecimal(D: bigint, nd: number, X: number, prec: number, minExp: number, maxExp: number, maxDec: number, minDec: number): Rounded {
  // Quick range rejection before building huge bigints.
  if (nd - 1 + X > maxDec) return { mant: 0n, exp: 0, overflow: true };
  if (nd + X < minDec) return { mant: 0n, exp: 0, overflow: false };
  if (X >= 0) return roundBinary(D * 10n ** BigInt(X), 0, false, prec, minExp, maxExp);
  const k = -X;
  const den = pow5(k);
  const shift = Math.max(0, bitLen(den) - bitLen(D) + prec + 3);
  const num = D << BigInt(shift);
  const q = num / den;
  const sticky = q * den !== num;
  return roundBinary(q, -k - shift, sticky, prec, minExp, maxExp);
}

function roundHex(H: bigint, e: number, prec: number, minExp: number, maxExp: number): Rounded {
  const top = bitLen(H) + e; // value < 2^top
  if (top > maxExp + prec + 1) return { mant: 0n, exp: 0, overflow: true };
  if (top < minExp - 1) return { mant: 0n, exp: 0, overflow: false };
  return roundBinary(H, e, false, prec, minExp, maxExp);
}

// ───────────────────────────── doubles ─────────────────────────────

const DEC_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX_RE = /^([+-]?)0[xX](?=\.?[0-9a-fA-F])([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/;
const INF_RE = /^([+-]?)(?:inf|infinity)$/i;
const NONZERO_MANT_RE = /^[^eE]*[1-9]/;

function hexExp(intH: string, fracH: string | undefined, pexp: string | undefined): [bigint, number] | null {
  const digits = (intH + (fracH ?? '')).replace(/^0+/, '');
  if (digits.length === 0) return null; // zero
  const H = BigInt('0x' + digits);
  let pe = pexp === undefined ? 0 : Number(pexp);
  if (!Number.isFinite(pe)) pe = pexp![0] === '-' ? -1e18 : 1e18;
  return [H, pe - 4 * (fracH?.length ?? 0)];
}

/**
 * Parse a double like Redis 7.0 string2d (strtod + checks): the whole string
 * must be consumed, no leading whitespace, not empty, not NaN, and neither
 * overflow (ERANGE ±HUGE_VAL) nor underflow to zero (ERANGE 0). Accepts
 * decimal and hex (0x1.8p3) floats, "inf"/"infinity" (any case, optional
 * sign). Denormal results are accepted. Returns null if invalid.
 */
export function parseDouble(s: string): number | null {
  if (DEC_RE.test(s)) {
    const v = Number(s);
    if (v === Infinity || v === -Infinity) return null;
    if (v === 0 && NONZERO_MANT_RE.test(s)) return null;
    return v;
  }
  return parseDoubleSlow(s);
}

function parseDoubleSlow(s: string): number | null {
  let m = INF_RE.exec(s);
  if (m) return m[1] === '-' ? -Infinity : Infinity;
  m = HEX_RE.exec(s);
  if (!m) return null;
  const neg = m[1] === '-';
  const he = hexExp(m[2], m[3], m[4]);
  if (he === null) return neg ? -0 : 0;
  const r = roundHex(he[0], he[1], 53, -1074, 971);
  if (r.overflow || r.mant === 0n) return null;
  const out = Number(r.mant) * 2 ** r.exp; // exact: the rounded value is representable
  return neg ? -out : out;
}

// ─────────────────────── long double (x87 80-bit) ───────────────────────

/** x87 extended: 64-bit significand, unit-bit exponent range. */
const LD_PREC = 64;
const LD_MIN_EXP = -16445; // smallest denormal is 2^-16445
const LD_MAX_EXP = 16320; // largest finite is (2^64-1) * 2^16320
const LD_MAX_DEC = 4932; // 1.19e4932 is the largest finite
const LD_MIN_DEC = -4951; // below ~1e-4952 everything rounds to 0
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

/**
 * An exact x87 80-bit extended precision value:
 * (neg ? -1 : 1) * mant * 2^exp for finite values (mant === 0n is zero),
 * or an infinity / NaN (`kind`).
 */
export class LongDouble {
  constructor(
    readonly neg: boolean,
    readonly mant: bigint,
    readonly exp: number,
    readonly kind: 'finite' | 'inf' | 'nan' = 'finite',
  ) {}
  isFinite(): boolean {
    return this.kind === 'finite';
  }
  isZero(): boolean {
    return this.kind === 'finite' && this.mant === 0n;
  }
}

const LD_NAN = new LongDouble(false, 0n, 0, 'nan');

function ldFromRounded(neg: boolean, r: Rounded): LongDouble | null {
  if (r.overflow) return null;
  if (r.mant === 0n) return null;
  return new LongDouble(neg, r.mant, r.exp);
}

/**
 * Parse like Redis 7.0 string2ld (strtold + checks): not empty, shorter than
 * 5120 bytes, whole string consumed, no leading whitespace, not NaN, no
 * overflow (e.g. "1.2e4932") and no underflow to zero (e.g. "1e-5000").
 * "inf"/"-infinity" ARE accepted (INCRBYFLOAT then reports "increment would
 * produce NaN or Infinity"; HINCRBYFLOAT rejects them up front). Values beyond
 * the double range (e.g. "1e400") are valid, as in Redis on x86-64.
 */
export function parseLongDouble(s: string): LongDouble | null {
  if (s.length === 0 || s.length >= MAX_LONG_DOUBLE_CHARS) return null;
  if (DEC_RE.test(s)) {
    let i = 0;
    let neg = false;
    const c0 = s.charCodeAt(0);
    if (c0 === 43 || c0 === 45) {
      neg = c0 === 45;
      i = 1;
    }
    let j = i;
    while (j < s.length && s.charCodeAt(j) !== 101 && s.charCodeAt(j) !== 69) j++;
    const mantStr = s.slice(i, j);
    const dot = mantStr.indexOf('.');
    const intPart = dot < 0 ? mantStr : mantStr.slice(0, dot);
    const fracPart = dot < 0 ? '' : mantStr.slice(dot + 1);
    let e10 = j < s.length ? Number(s.slice(j + 1)) : 0;
    if (!Number.isFinite(e10)) e10 = s.charCodeAt(j + 1) === 45 ? -1e18 : 1e18;
    let digits = intPart + fracPart;
    let X = e10 - fracPart.length;
    // strip leading zeros, and trailing zeros into the exponent
    let a = 0;
    while (a < digits.length && digits.charCodeAt(a) === 48) a++;
    if (a === digits.length) return new LongDouble(neg, 0n, 0);
    let b = digits.length;
    while (digits.charCodeAt(b - 1) === 48) b--;
    X += digits.length - b;
    digits = digits.slice(a, b);
    const r = roundDecimal(BigInt(digits), digits.length, X, LD_PREC, LD_MIN_EXP, LD_MAX_EXP, LD_MAX_DEC, LD_MIN_DEC);
    return ldFromRounded(neg, r);
  }
  let m = INF_RE.exec(s);
  if (m) return new LongDouble(m[1] === '-', 0n, 0, 'inf');
  m = HEX_RE.exec(s);
  if (!m) return null;
  const neg = m[1] === '-';
  const he = hexExp(m[2], m[3], m[4]);
  if (he === null) return new LongDouble(neg, 0n, 0);
  return ldFromRounded(neg, roundHex(he[0], he[1], LD_PREC, LD_MIN_EXP, LD_MAX_EXP));
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Exact conversion of a double to LongDouble (like C's (long double)d). */
export function longDoubleFromNumber(d: number): LongDouble {
  if (Number.isNaN(d)) return LD_NAN;
  const neg = d < 0 || Object.is(d, -0);
  if (!Number.isFinite(d)) return new LongDouble(neg, 0n, 0, 'inf');
  if (d === 0) return new LongDouble(neg, 0n, 0);
  f64[0] = d;
  const hi = u32[LITTLE_ENDIAN ? 1 : 0];
  const lo = u32[LITTLE_ENDIAN ? 0 : 1];
  const bexp = (hi >>> 20) & 0x7ff;
  const hiMant = hi & 0xfffff;
  let mant = (BigInt(hiMant) << 32n) | BigInt(lo);
  let exp: number;
  if (bexp === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = bexp - 1075;
  }
  return new LongDouble(neg, mant, exp);
}

/** Round a LongDouble to the nearest double (like C's (double)ld). */
export function longDoubleToNumber(x: LongDouble): number {
  if (x.kind === 'nan') return NaN;
  if (x.kind === 'inf') return x.neg ? -Infinity : Infinity;
  if (x.mant === 0n) return x.neg ? -0 : 0;
  const r = roundBinary(x.mant, x.exp, false, 53, -1074, 971);
  const v = r.overflow ? Infinity : r.mant === 0n ? 0 : Number(r.mant) * 2 ** r.exp;
  return x.neg ? -v : v;
}

/**
 * x87 `a + b` in 80-bit extended precision with round-to-nearest-even
 * (what `value += incr` does in INCRBYFLOAT/HINCRBYFLOAT). The result may be
 * an infinity (overflow) or NaN (inf + -inf): check `isFinite()`.
 */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.kind !== 'finite' || b.kind !== 'finite') {
    if (a.kind === 'nan' || b.kind === 'nan') return LD_NAN;
    if (a.kind === 'inf' && b.kind === 'inf') return a.neg === b.neg ? a : LD_NAN;
    return a.kind === 'inf' ? a : b;
  }
  if (b.mant === 0n) return a.mant === 0n ? new LongDouble(a.neg && b.neg, 0n, 0) : a;
  if (a.mant === 0n) return b;
  let ma = a.mant;
  let ea = a.exp;
  let mb = b.mant;
  let eb = b.exp;
  const ta = ea + bitLen(ma);
  const tb = eb + bitLen(mb);
  // If one operand is far below the other's last bit it only acts as a
  // sticky bit: replace it by a tiny value of the same sign (same rounding).
  if (ta - tb > 200) {
    mb = 1n;
    eb = ta - 140;
  } else if (tb - ta > 200) {
    ma = 1n;
    ea = tb - 140;
  }
  const e = Math.min(ea, eb);
  let sa = ma << BigInt(ea - e);
  let sb = mb << BigInt(eb - e);
  if (a.neg) sa = -sa;
  if (b.neg) sb = -sb;
  const sum = sa + sb;
  if (sum === 0n) return new LongDouble(false, 0n, 0); // x + -x = +0
  const neg = sum < 0n;
  const r = roundBinary(neg ? -sum : sum, e, false, LD_PREC, LD_MIN_EXP, LD_MAX_EXP);
  if (r.overflow) return new LongDouble(neg, 0n, 0, 'inf');
  return new LongDouble(neg, r.mant, r.exp);
}

const TEN17 = 10n ** 17n;

/** Exact "%.17f" of a finite non-negative mant*2^exp, as [intDigits, 17 fraction digits]. */
function fixed17(mant: bigint, exp: number): [string, string] {
  if (exp >= 0) return [(mant << BigInt(exp)).toString(), '00000000000000000'];
  const k = BigInt(-exp);
  const scaled = mant * TEN17;
  let q = scaled >> k;
  const rem = scaled - (q << k);
  const half = 1n << (k - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  const ds = q.toString().padStart(18, '0');
  return [ds.slice(0, ds.length - 17), ds.slice(ds.length - 17)];
}

/**
 * Redis ld2string(..., LD_STR_HUMAN): "%.17Lf" with trailing zeros (and a
 * trailing '.') removed, "-0" turned into "0". Used for INCRBYFLOAT and
 * HINCRBYFLOAT results (pass the LongDouble) and GEOPOS coordinates (pass the
 * double: it is widened exactly as in C). Large values are printed in full,
 * without exponent (1e17 → "100000000000000000").
 * inf/nan print as "inf"/"-inf"/"nan" (Redis refuses to produce those).
 */
export function formatLongDoubleHuman(x: LongDouble | number): string {
  if (typeof x === 'number') {
    if (Number.isSafeInteger(x)) return x === 0 ? '0' : String(x);
    x = longDoubleFromNumber(x);
  }
  if (x.kind === 'nan') return 'nan';
  if (x.kind === 'inf') return x.neg ? '-inf' : 'inf';
  if (x.mant === 0n) return '0';
  const [ip, fp] = fixed17(x.mant, x.exp);
  let end = fp.length;
  while (end > 0 && fp.charCodeAt(end - 1) === 48) end--;
  const body = end === 0 ? ip : ip + '.' + fp.slice(0, end);
  if (body === '0') return '0'; // "-0" → "0"
  return x.neg ? '-' + body : body;
}

// ─────────────────────────── %.17g ───────────────────────────

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** An exact tie at 17 digits shows up as an 18th digit '5' in toExponential(17). */
function isTieCandidate(ad: number): boolean {
  const s = ad.toExponential(17);
  return s.charCodeAt(s.indexOf('e') - 1) === 53;
}

/**
 * Exactly C's printf("%.17g", d) on glibc: 17 significant digits, correct
 * rounding with ties-to-even on the exact binary value, trailing zeros
 * removed, exponent form when exp < -4 or exp >= 17 (at least two exponent
 * digits: "1e+20", "1.0000000000000001e-05"), "inf"/"-inf"/"nan", "-0".
 * This is what Redis 7.0 addReplyDouble sends (RESP2 bulk and RESP3 ',').
 */
export function formatDouble17g(d: number): string {
  if (Number.isSafeInteger(d)) return d === 0 && Object.is(d, -0) ? '-0' : String(d);
  if (d !== d) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  // toExponential(16) is exact except that ties round away from zero, while
  // glibc rounds exact ties to even. A tie needs the exact decimal expansion
  // to have exactly 18 significant digits, which is only possible for
  // non-integers with at most 25 fractional bits (5^26 has 19 digits).
  let digits: string; // up to 17 significant digits
  let e10: number;
  const ad = Math.abs(d);
  const scaled = ad * 33554432; // 2^25, exact
  if (Number.isInteger(ad * 4194304 /* 2^22 */)) {
    // Fast path for short dyadic values (1.5, 0.25, 10.125…): with k <= 22
    // fractional bits, ad * 10^k is an integer; if it is below 2^53 the
    // product is exact and holds all (<= 16) significant digits.
    let k = 0;
    for (let x = ad; !Number.isInteger(x); x *= 2) k++;
    const I = ad * POW10[k];
    if (I <= MAX_SAFE) {
      const ds = String(I);
      return formatG17(d < 0, ds, ds.length - k - 1);
    }
  }
  if (Number.isInteger(scaled) && !Number.isInteger(ad) && isTieCandidate(ad)) {
    // exact: |d| = m / 2^25 → decimal digits of m * 5^25, point 25 from the right
    const exact = (BigInt(scaled) * 298023223876953125n).toString(); // m*5^25 = |d| * 10^25
    // exact has no leading zeros; its trailing zeros are harmless below
    const sig = exact;
    e10 = exact.length - 25 - 1; // exact.length - 25 = digits before the point (may be <= 0)
    if (sig.length <= 17) {
      digits = sig;
    } else {
      let head = BigInt(sig.slice(0, 17));
      const rest = sig.slice(17);
      const first = rest.charCodeAt(0) - 48;
      const restNonZero = /[1-9]/.test(rest.slice(1));
      if (first > 5 || (first === 5 && (restNonZero || (head & 1n) === 1n))) head += 1n;
      digits = head.toString();
      if (digits.length > 17) {
        digits = digits.slice(0, 17);
        e10++;
      }
    }
  } else {
    const s = ad.toExponential(16);
    const ePos = s.indexOf('e');
    digits = s[0] + s.slice(2, ePos);
    e10 = Number(s.slice(ePos + 1));
  }
  return formatG17(d < 0, digits, e10);
}

/** Lay out (<= 17) significant digits with decimal exponent e10 the way %.17g does. */
function formatG17(neg: boolean, digits: string, e10: number): string {
  // strip trailing zeros
  let n = digits.length;
  while (n > 1 && digits.charCodeAt(n - 1) === 48) n--;
  digits = digits.slice(0, n);
  let out: string;
  if (e10 < -4 || e10 >= 17) {
    const ae = Math.abs(e10);
    out = (n > 1 ? digits[0] + '.' + digits.slice(1) : digits) + (e10 < 0 ? 'e-' : 'e+') + (ae < 10 ? '0' + ae : String(ae));
  } else if (e10 < 0) {
    out = '0.' + '0'.repeat(-e10 - 1) + digits;
  } else if (n > e10 + 1) {
    out = digits.slice(0, e10 + 1) + '.' + digits.slice(e10 + 1);
  } else {
    out = digits + '0'.repeat(e10 + 1 - n);
  }
  return neg ? '-' + out : out;
}

/**
 * Redis d2string(): "nan", "inf"/"-inf", "0"/"-0", integers printed as
 * integers, otherwise "%.17g". (Identical to formatDouble17g on glibc.)
 */
export function formatDouble(d: number): string {
  return formatDouble17g(d);
}
