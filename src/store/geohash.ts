// Geohashes as Redis's geohash.c and geohash_helper.c compute them, so that
// GEOADD stores the same sorted-set scores as Redis and searches visit the
// same boxes in the same order (which fixes the order of unsorted results).
//
// A position is a 52-bit interleaved geohash (26 bits of latitude in the even
// bits, 26 of longitude in the odd bits) over the Web Mercator latitude range
// ±85.05112878. Hashes are bigints: at the range's upper edge an offset reaches
// 2^26 and the hash needs 54 bits, more than a double holds exactly.

import type { ZSetValue } from './zset.js';

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;

const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180;

export interface GeoHashBits {
  bits: bigint;
  step: number;
}

interface GeoRange {
  min: number;
  max: number;
}

/** The box a hash stands for. */
type GeoArea = [latMin: number, latMax: number, lonMin: number, lonMax: number];

const LAT_SCALE = GEO_LAT_MAX - GEO_LAT_MIN;
const LONG_SCALE = GEO_LONG_MAX - GEO_LONG_MIN;

const WGS84_LONG: GeoRange = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
const WGS84_LAT: GeoRange = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
/** The ranges of standard geohash strings (GEOHASH's re-encoding). */
export const STANDARD_LONG: GeoRange = { min: -180, max: 180 };
export const STANDARD_LAT: GeoRange = { min: -90, max: 90 };

function degRad(ang: number): number {
  return ang * D_R;
}

function radDeg(ang: number): number {
  return ang / D_R;
}

// ---- Bit interleaving, on 32-bit words ---------------------------------------------

/** The 16 low bits of `v` spread to the even bits of a 32-bit word. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  return (v | (v << 1)) & 0x55555555;
}

/** The even bits of a 32-bit word, packed into 16 bits. */
function compact16(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  return (v | (v >>> 8)) & 0xffff;
}

/** Redis's interleave64: `lat` (uint32) in the even bits, `lon` in the odd ones. */
function interleave(lat: number, lon: number): bigint {
  const lo = (spread16(lat) | (spread16(lon) << 1)) >>> 0;
  const hi = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

// ---- Encoding and decoding --------------------------------------------------------

/** Redis's geohashEncode; null outside the WGS84 limits or the given ranges. */
export function geohashEncode(longRange: GeoRange, latRange: GeoRange, longitude: number, latitude: number, step: number): GeoHashBits | null {
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  if (latitude < latRange.min || latitude > latRange.max || longitude < longRange.min || longitude > longRange.max) return null;
  const scale = 2 ** step;
  const latOffset = ((latitude - latRange.min) / (latRange.max - latRange.min)) * scale;
  const longOffset = ((longitude - longRange.min) / (longRange.max - longRange.min)) * scale;
  // C converts the offsets to uint32_t, truncating.
  return { bits: interleave(Math.trunc(latOffset) >>> 0, Math.trunc(longOffset) >>> 0), step };
}

/** The stored form of a position: its 52-bit hash at full precision. Null outside the WGS84 limits. */
export function geohashEncodeWGS84(longitude: number, latitude: number): GeoHashBits | null {
  return geohashEncode(WGS84_LONG, WGS84_LAT, longitude, latitude, GEO_STEP_MAX);
}

/** Redis's geohashDecode over the WGS84 ranges: the box a hash stands for. */
function geohashDecode(hash: GeoHashBits): GeoArea {
  return areaOf(Number(hash.bits >> 32n), Number(hash.bits & 0xffffffffn), hash.step);
}

/** The box of the hash hi:lo (64 bits) at `step`: Redis's deinterleave64 and scaling. */
function areaOf(hi: number, lo: number, step: number): GeoArea {
  const ilato = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const ilono = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  const scale = 2 ** step;
  // As in C, "+ 1" is uint32 arithmetic and may wrap.
  return [
    GEO_LAT_MIN + (ilato / scale) * LAT_SCALE,
    GEO_LAT_MIN + (((ilato + 1) >>> 0) / scale) * LAT_SCALE,
    GEO_LONG_MIN + (ilono / scale) * LONG_SCALE,
    GEO_LONG_MIN + (((ilono + 1) >>> 0) / scale) * LONG_SCALE,
  ];
}

/**
 * C's (uint64_t) conversion of a score outside [0, 2^53) as x86-64 performs
 * it, as the two 32-bit words [hi, lo]: negative scores wrap, those out of
 * range give 2^63 (below) or 0 (above).
 */
function oddScoreBits(score: number): [number, number] {
  let bits: bigint;
  if (score >= 2 ** 64) bits = 0n;
  else if (score <= -(2 ** 63)) bits = 1n << 63n;
  else bits = BigInt.asUintN(64, BigInt(Math.trunc(score)));
  return [Number(bits >> 32n), Number(bits & 0xffffffffn)];
}

/**
 * The [longitude, latitude] a sorted-set score stands for (Redis's
 * decodeGeohash): the centre of its step-26 box, clamped to the WGS84 limits.
 * Any score decodes to something, as in Redis.
 */
export function decodeScore(score: number): [number, number] {
  let hi: number;
  let lo: number;
  if (score >= 0 && score < 2 ** 53) {
    const t = Math.trunc(score);
    hi = Math.floor(t / 4294967296);
    lo = t - hi * 4294967296;
  } else {
    [hi, lo] = oddScoreBits(score);
  }
  const [latMin, latMax, lonMin, lonMax] = areaOf(hi, lo, GEO_STEP_MAX);
  const lon = (lonMin + lonMax) / 2;
  const lat = (latMin + latMax) / 2;
  return [Math.min(Math.max(lon, GEO_LONG_MIN), GEO_LONG_MAX), Math.min(Math.max(lat, GEO_LAT_MIN), GEO_LAT_MAX)];
}

/** Redis's geohashAlign52Bits: the hash shifted to the top of 52 bits, as a score. */
function align52(hash: GeoHashBits): number {
  return Number(hash.bits << BigInt(52 - hash.step * 2));
}

// ---- Neighbours -------------------------------------------------------------------

const EVEN_BITS = 0x5555555555555555n;
const ODD_BITS = 0xaaaaaaaaaaaaaaaan;

/** Moves a hash one box along longitude (odd bits, `lonBits`) or latitude, wrapping around. */
function move(hash: GeoHashBits, d: number, lonBits: boolean): GeoHashBits {
  if (d === 0) return hash;
  const shift = BigInt(64 - hash.step * 2);
  const own = lonBits ? ODD_BITS : EVEN_BITS;
  const other = lonBits ? EVEN_BITS : ODD_BITS;
  let v = hash.bits & own;
  const keep = hash.bits & other;
  const zz = other >> shift;
  v = d > 0 ? v + (zz + 1n) : (v | zz) - (zz + 1n);
  v = BigInt.asUintN(64, v) & (own >> shift);
  return { bits: v | keep, step: hash.step };
}

function neighbour(hash: GeoHashBits, dLon: number, dLat: number): GeoHashBits {
  return move(move(hash, dLon, true), dLat, false);
}

const ZERO_HASH: GeoHashBits = { bits: 0n, step: 0 };

// Positions of the neighbours in a search's list of boxes (0 is the centre).
const NORTH = 1;
const SOUTH = 2;
const EAST = 3;
const WEST = 4;
const NORTH_EAST = 5;
const NORTH_WEST = 6;
const SOUTH_EAST = 7;
const SOUTH_WEST = 8;

// ---- glibc's sin, cos and asin --------------------------------------------------------
//
// Redis's distances come from glibc's sin, cos and asin, which in practice
// return the correctly rounded result. V8's Math.sin/cos/asin (fdlibm) are
// off by an ulp now and then, enough to change a STOREDIST score. These
// evaluate in double-double arithmetic (about 104 bits) and round once.

/** Result of the double-double helpers: [hi, lo], read right after each call. */
const dd = new Float64Array(2);
/** Veltkamp's splitter for 53-bit doubles. */
const SPLIT = 134217729;

/** (ah + al) * (bh + bl) into dd. */
function ddMul(ah: number, al: number, bh: number, bl: number): void {
  const p = ah * bh;
  const ca = SPLIT * ah;
  const ahh = ca - (ca - ah);
  const ahl = ah - ahh;
  const cb = SPLIT * bh;
  const bhh = cb - (cb - bh);
  const bhl = bh - bhh;
  const e = ahh * bhh - p + ahh * bhl + ahl * bhh + ahl * bhl + (ah * bl + al * bh);
  const h = p + e;
  dd[0] = h;
  dd[1] = e - (h - p);
}

/** (ah + al) + (bh + bl) into dd. */
function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  const s = ah + bh;
  const v = s - ah;
  const e = ah - (s - v) + (bh - v) + (al + bl);
  const h = s + e;
  dd[0] = h;
  dd[1] = e - (h - s);
}

/** Taylor coefficients as [hi, lo] pairs: (-1)^n / (2n+1)! for sine, (-1)^n / (2n)! for cosine. */
const SIN_COEF: number[] = [];
const COS_COEF: number[] = [];
{
  // 1/k! by double-double division, k = 0..31.
  let fh = 1;
  let fl = 0;
  for (let k = 0; k <= 31; k++) {
    if (k > 0) {
      const q = fh / k;
      ddMul(q, 0, k, 0);
      const r = (fh - dd[0] - dd[1] + fl) / k;
      fh = q + r;
      fl = r - (fh - q);
    }
    const sign = (k >> 1) % 2 === 0 ? 1 : -1;
    (k % 2 === 0 ? COS_COEF : SIN_COEF).push(sign * fh, sign * fl);
  }
}

/**
 * Terms the series need for |r| up to TERMS_REACH[n - 1] with n terms: the
 * first left out, r^(2n) / (2n)!, is then below 2^-110 (small arguments, the
 * usual case, need few).
 */
const TERMS_REACH: number[] = [];
for (let n = 1; n <= 15; n++) {
  let factorial = 1;
  for (let k = 2; k <= 2 * n; k++) factorial *= k;
  TERMS_REACH.push((2 ** -110 * factorial) ** (1 / (2 * n)));
}

/** Sum of the first `terms` coef[i] * z^i (z = zh + zl) by Horner's rule, into dd. */
function ddPoly(coef: number[], terms: number, zh: number, zl: number): void {
  let h = coef[2 * terms - 2];
  let l = coef[2 * terms - 1];
  for (let i = 2 * terms - 4; i >= 0; i -= 2) {
    ddMul(h, l, zh, zl);
    ddAdd(dd[0], dd[1], coef[i], coef[i + 1]);
    h = dd[0];
    l = dd[1];
  }
}

// pi/2 as the sum of three doubles.
const PIO2_1 = 1.5707963267948966;
const PIO2_2 = 6.123233995736766e-17;
const PIO2_3 = -1.4973849048591698e-33;

/**
 * sin (`cosine` false) or cos of x into dd. The argument is reduced by pi/2
 * to |r| <= pi/4, where the Taylor series is short.
 */
function sinCosDD(x: number, cosine: boolean): void {
  if (!(Math.abs(x) < 1e15)) {
    dd[0] = cosine ? Math.cos(x) : Math.sin(x);
    dd[1] = 0;
    return;
  }
  const k = Math.round(x * (2 / Math.PI));
  ddMul(k, 0, PIO2_1, 0);
  ddAdd(x, 0, -dd[0], -dd[1]);
  const rh0 = dd[0];
  const rl0 = dd[1];
  ddMul(k, 0, PIO2_2, 0);
  ddAdd(rh0, rl0, -dd[0], -dd[1] - k * PIO2_3);
  const rh = dd[0];
  const rl = dd[1];
  let terms = 1;
  while (terms < 15 && Math.abs(rh) > TERMS_REACH[terms - 1]) terms++;
  ddMul(rh, rl, rh, rl);
  const quadrant = (((k % 4) + 4) % 4) + (cosine ? 1 : 0);
  // sin(r + q pi/2) is sin r, cos r, -sin r, -cos r.
  if (quadrant % 2 === 0) {
    ddPoly(SIN_COEF, terms, dd[0], dd[1]);
    ddMul(dd[0], dd[1], rh, rl);
  } else {
    ddPoly(COS_COEF, terms + 1, dd[0], dd[1]);
  }
  if (quadrant % 4 >= 2) {
    dd[0] = -dd[0];
    dd[1] = -dd[1];
  }
}

function sin(x: number): number {
  sinCosDD(x, false);
  return dd[0];
}

function cos(x: number): number {
  sinCosDD(x, true);
  return dd[0];
}

/** asin, correctly rounded: one Newton step from Math.asin, the residual x - sin(y) in double-double. */
function asin(x: number): number {
  const y = Math.asin(x);
  if (!Number.isFinite(y) || y === 0) return y;
  sinCosDD(y, false);
  return y + (x - dd[0] - dd[1]) / Math.cos(y);
}

// ---- Distances --------------------------------------------------------------------

function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
}

/** A point distances are measured from, its trigonometry done once (searches measure from one centre). */
interface Origin {
  lonR: number;
  latR: number;
  cosLat: number;
}

function origin(lon: number, lat: number): Origin {
  const latR = degRad(lat);
  return { lonR: degRad(lon), latR, cosLat: cos(latR) };
}

/** Haversine great-circle distance in meters, as Redis's geohashGetDistance (same operations, same order). */
function distanceFrom(o: Origin, lon2d: number, lat2d: number): number {
  const lon2r = degRad(lon2d);
  const v = sin((lon2r - o.lonR) / 2);
  const lat2r = degRad(lat2d);
  // Same longitude: the formula reduces to the latitude difference.
  if (v === 0) return EARTH_RADIUS_IN_METERS * Math.abs(lat2r - o.latR);
  const u = sin((lat2r - o.latR) / 2);
  const a = u * u + o.cosLat * cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * asin(Math.sqrt(a));
}

export function geoDistance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  return distanceFrom(origin(lon1d, lat1d), lon2d, lat2d);
}

// ---- Searching a sorted set -------------------------------------------------------

/** A search area: a circle (`radius`) or an axis-aligned box (`width` × `height`), in the unit `conversion` converts to meters. */
export interface GeoShape {
  longitude: number;
  latitude: number;
  /** Meters per unit. */
  conversion: number;
  box: boolean;
  radius: number;
  width: number;
  height: number;
}

export interface GeoPoint {
  member: string;
  score: number;
  longitude: number;
  latitude: number;
  /** Distance from the shape's centre, in meters. */
  dist: number;
}

function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  // Boxes are narrower towards the poles.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  return Math.min(Math.max(step, 1), 26);
}

/** Redis's geohashBoundingBox: [min lon, min lat, max lon, max lat] around the shape. */
function boundingBox(shape: GeoShape): [number, number, number, number] {
  const { longitude, latitude } = shape;
  const height = shape.conversion * (shape.box ? shape.height / 2 : shape.radius);
  const width = shape.conversion * (shape.box ? shape.width / 2 : shape.radius);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / cos(degRad(latitude + latDelta)));
  const longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / cos(degRad(latitude - latDelta)));
  // The widest edge is the one nearer a pole.
  const longDelta = latitude < 0 ? longDeltaBottom : longDeltaTop;
  return [longitude - longDelta, latitude - latDelta, longitude + longDelta, latitude + latDelta];
}

/**
 * Redis's geohashCalculateAreasByShapeWGS84: the centre box and its eight
 * neighbours (zeroed when useless), in Redis's visiting order: centre, north,
 * south, east, west, north-east, north-west, south-east, south-west.
 */
function searchBoxes(shape: GeoShape): GeoHashBits[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const { longitude, latitude } = shape;
  const radiusMeters =
    (shape.box ? Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2)) : shape.radius) *
    shape.conversion;
  let steps = estimateSteps(radiusMeters, latitude);
  let hash = geohashEncode(WGS84_LONG, WGS84_LAT, longitude, latitude, steps)!;
  // The neighbours must reach past the bounding box, or a coarser step is needed.
  const north = geohashDecode(neighbour(hash, 0, 1))[1];
  const south = geohashDecode(neighbour(hash, 0, -1))[0];
  const east = geohashDecode(neighbour(hash, 1, 0))[3];
  const west = geohashDecode(neighbour(hash, -1, 0))[2];
  if (steps > 1 && (north < maxLat || south > minLat || east < maxLon || west > minLon)) {
    steps--;
    hash = geohashEncode(WGS84_LONG, WGS84_LAT, longitude, latitude, steps)!;
  }
  const [latMin, latMax, lonMin, lonMax] = geohashDecode(hash);
  const boxes: GeoHashBits[] = [];
  boxes[0] = hash;
  boxes[NORTH] = neighbour(hash, 0, 1);
  boxes[SOUTH] = neighbour(hash, 0, -1);
  boxes[EAST] = neighbour(hash, 1, 0);
  boxes[WEST] = neighbour(hash, -1, 0);
  boxes[NORTH_EAST] = neighbour(hash, 1, 1);
  boxes[NORTH_WEST] = neighbour(hash, -1, 1);
  boxes[SOUTH_EAST] = neighbour(hash, 1, -1);
  boxes[SOUTH_WEST] = neighbour(hash, -1, -1);
  const drop = (...which: number[]) => which.forEach((i) => (boxes[i] = ZERO_HASH));
  if (steps >= 2) {
    if (latMin < minLat) drop(SOUTH, SOUTH_WEST, SOUTH_EAST);
    if (latMax > maxLat) drop(NORTH, NORTH_EAST, NORTH_WEST);
    if (lonMin < minLon) drop(WEST, SOUTH_WEST, NORTH_WEST);
    if (lonMax > maxLon) drop(EAST, SOUTH_EAST, NORTH_EAST);
  }
  return boxes;
}

/** The point at `score` with its distance from the centre, if it lies in the shape (Redis's geoWithinShape). */
function withinShape(shape: GeoShape, centre: Origin, member: string, score: number): GeoPoint | null {
  const [lon, lat] = decodeScore(score);
  let dist: number;
  if (!shape.box) {
    dist = distanceFrom(centre, lon, lat);
    if (dist > shape.radius * shape.conversion) return null;
  } else {
    // Latitude first: it is the cheaper test.
    if (latDistance(lat, shape.latitude) > (shape.height * shape.conversion) / 2) return null;
    if (geoDistance(lon, lat, shape.longitude, lat) > (shape.width * shape.conversion) / 2) return null;
    dist = distanceFrom(centre, lon, lat);
  }
  return { member, score, longitude: lon, latitude: lat, dist };
}

/**
 * Members of `zs` inside `shape`, in the order Redis finds them (box by box,
 * by score within a box). With `limit` > 0 (COUNT ... ANY), stops once that
 * many are found.
 */
export function geoMembersInShape(zs: ZSetValue, shape: GeoShape, limit: number): GeoPoint[] {
  const found: GeoPoint[] = [];
  const boxes = searchBoxes(shape);
  const centre = origin(shape.longitude, shape.latitude);
  let last = 0;
  for (let i = 0; i < boxes.length; i++) {
    const box = boxes[i];
    if (box.bits === 0n && box.step === 0) continue;
    // Huge radii make neighbours coincide; Redis skips a box equal to the last one searched
    // (though never after the centre box, index 0).
    if (last !== 0 && box.bits === boxes[last].bits && box.step === boxes[last].step) continue;
    if (limit > 0 && found.length >= limit) break;
    const min = align52(box);
    const max = align52({ bits: box.bits + 1n, step: box.step });
    const first = zs.firstInScore({ min, max, minex: false, maxex: true });
    if (first !== null) {
      for (const e of zs.walk(first)) {
        if (e.score >= max) break;
        const p = withinShape(shape, centre, e.member, e.score);
        if (p !== null) found.push(p);
        if (limit > 0 && found.length >= limit) break;
      }
    }
    last = i;
  }
  return found;
}
