// Geo commands, on sorted sets whose scores are 52-bit geohashes
// (src/store/geohash.ts): GEOADD (a ZADD underneath, as in Redis), GEODIST,
// GEOHASH, GEOPOS, and the searches GEOSEARCH, GEOSEARCHSTORE, GEORADIUS,
// GEORADIUSBYMEMBER and their _RO forms (one georadiusGeneric, as Redis's).

import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../config/options.js';
import type { Client } from '../server/client.js';
import {
  decodeScore,
  geoDistance,
  geohashEncode,
  geohashEncodeWGS84,
  geoMembersInShape,
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  STANDARD_LAT,
  STANDARD_LONG,
  type GeoPoint,
  type GeoShape,
} from '../store/geohash.js';
import { zsetLimits, ZSetValue } from '../store/zset.js';
import { formatLongDoubleHuman, parseDouble, parseLongLong } from '../util/numbers.js';
import { partialSort } from '../util/pqsort.js';
import { lookupTyped } from './hashes.js';
import type { CommandSpec } from './registry.js';
import { notIntegerError, optionName, syntaxError } from './strings.js';
import { zaddGeneric } from './zsets.js';

const notFloatError = 'ERR value is not a valid float';

/**
 * C's printf("%.<digits>f", x) on glibc: the exact binary value rounded half
 * to even (toFixed rounds exact ties up), full digits for huge values.
 */
function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const a = Math.abs(x);
  if (a >= 1e21) return sign + BigInt(a).toString() + '.' + '0'.repeat(digits);
  let s = a.toFixed(digits);
  // A tie ends exactly at digit digits+1 with a 5: the value has at most digits+1 fraction bits.
  if (Number.isInteger(a * 2 ** (digits + 1))) {
    const longer = a.toFixed(digits + 1);
    if (longer.endsWith('5')) {
      const down = longer.slice(0, -1);
      if ((down.charCodeAt(down.length - 1) - 48) % 2 === 0) s = down;
    }
  }
  return sign + s;
}

/** The sorted set at `key`: undefined when missing, null after a WRONGTYPE reply. */
function geoSetAt(c: Client, key: string): ZSetValue | undefined | null {
  return lookupTyped(c, key, ZSetValue);
}

/** Redis's extractLongLatOrReply: [longitude, latitude] from two arguments; null after an error reply. */
function parseLonLat(c: Client, lonArg: string, latArg: string): [number, number] | null {
  const lon = parseDouble(lonArg);
  const lat = lon === null ? null : parseDouble(latArg);
  if (lon === null || lat === null) {
    c.error(notFloatError);
    return null;
  }
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    c.error(`ERR invalid longitude,latitude pair ${formatFixed(lon, 6)},${formatFixed(lat, 6)}`);
    return null;
  }
  return [lon, lat];
}

/** Meters per unit ("m", "km", "ft", "mi", any case); null after an error reply. */
function parseUnit(c: Client, arg: string): number | null {
  switch (optionName(arg)) {
    case 'm':
      return 1;
    case 'km':
      return 1000;
    case 'ft':
      return 0.3048;
    case 'mi':
      return 1609.34;
  }
  c.error('ERR unsupported unit provided. please use M, KM, FT, MI');
  return null;
}

/** A number argument; null after the error reply `message`. */
function parseNumber(c: Client, arg: string, message: string): number | null {
  const v = parseDouble(arg);
  if (v === null) c.error(message);
  return v;
}

/** Redis's addReplyHumanLongDouble: a coordinate as a bulk string, or a RESP3 double. */
function replyCoordinate(c: Client, v: number): void {
  const text = formatLongDoubleHuman(v);
  if (c.resp === 3) c.raw(`,${text}\r\n`);
  else c.bulk(text);
}

// ---- GEOADD -------------------------------------------------------------------------

/**
 * GEOADD key [NX|XX] [CH] lon lat member ...: Redis turns it into ZADD with
 * the geohashes as scores, runs ZADD and propagates that ZADD.
 */
function geoadd(c: Client, argv: string[]): void {
  let nx = false;
  let xx = false;
  let first = 2;
  for (; first < argv.length; first++) {
    const opt = optionName(argv[first]);
    if (opt === 'nx') nx = true;
    else if (opt === 'xx') xx = true;
    else if (opt !== 'ch') break;
  }
  if ((argv.length - first) % 3 !== 0 || (nx && xx)) {
    c.error(syntaxError);
    return;
  }
  const zadd = ['zadd', ...argv.slice(1, first)];
  for (let i = first; i < argv.length; i += 3) {
    const pos = parseLonLat(c, argv[i], argv[i + 1]);
    if (pos === null) return;
    // The score goes through ZADD as the exact integer, parsed like any score.
    zadd.push(geohashEncodeWGS84(pos[0], pos[1])!.bits.toString(), argv[i + 2]);
  }
  zaddGeneric(c, zadd, false);
  c.propagateAs(zadd);
}

// ---- GEODIST, GEOHASH, GEOPOS --------------------------------------------------------

/** %.4f, as Redis's addReplyDoubleDistance. */
function replyDistance(c: Client, meters: number): void {
  c.bulk(formatFixed(meters, 4));
}

function geodist(c: Client, argv: string[]): void {
  let toMeters = 1;
  if (argv.length === 5) {
    const unit = parseUnit(c, argv[4]);
    if (unit === null) return;
    toMeters = unit;
  } else if (argv.length > 5) {
    c.error(syntaxError);
    return;
  }
  const zs = geoSetAt(c, argv[1]);
  if (zs === null) return;
  const s1 = zs?.score(argv[2]);
  const s2 = zs?.score(argv[3]);
  if (s1 === undefined || s2 === undefined) {
    c.nullBulk();
    return;
  }
  const [lon1, lat1] = decodeScore(s1);
  const [lon2, lat2] = decodeScore(s2);
  replyDistance(c, geoDistance(lon1, lat1, lon2, lat2) / toMeters);
}

/**
 * GEOHASH and GEOPOS: one reply per member, `missing` for members not in the
 * set (or a missing key), `found` with the position of the others.
 */
function replyPerMember(c: Client, argv: string[], missing: () => void, found: (lon: number, lat: number) => void): void {
  const zs = geoSetAt(c, argv[1]);
  if (zs === null) return;
  c.arrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = zs?.score(argv[j]);
    if (score === undefined) missing();
    else found(...decodeScore(score));
  }
}

const geoAlphabet = '0123456789bcdefghjkmnpqrstuvwxyz';

/** 11-character standard geohashes: positions re-encoded over latitude ±90. */
function geohash(c: Client, argv: string[]): void {
  replyPerMember(
    c,
    argv,
    () => c.nullBulk(),
    (lon, lat) => {
      const bits = geohashEncode(STANDARD_LONG, STANDARD_LAT, lon, lat, 26)!.bits;
      let text = '';
      // 52 bits make ten characters; the eleventh is always '0', as in Redis.
      for (let i = 0; i < 10; i++) text += geoAlphabet[Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn)];
      c.bulk(text + '0');
    },
  );
}

function geopos(c: Client, argv: string[]): void {
  replyPerMember(
    c,
    argv,
    () => c.nullArray(),
    (lon, lat) => {
      c.arrayLen(2);
      replyCoordinate(c, lon);
      replyCoordinate(c, lat);
    },
  );
}

// ---- Searches -----------------------------------------------------------------------

/** Which command runs georadiusGeneric (Redis's RADIUS_* / GEOSEARCH* flags). */
interface SearchKind {
  /** GEORADIUS[_RO]: centre and radius as lon lat radius unit. */
  coords?: boolean;
  /** GEORADIUSBYMEMBER[_RO]: centre at a member, then radius unit. */
  member?: boolean;
  /** The _RO forms: no STORE/STOREDIST. */
  noStore?: boolean;
  /** GEOSEARCH and GEOSEARCHSTORE: FROM... and BY... options. */
  search?: boolean;
  /** GEOSEARCHSTORE: destination at argv[1], STOREDIST as a flag. */
  searchStore?: boolean;
}

const byDistance = (a: GeoPoint, b: GeoPoint): number => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1);
const byDistanceDesc = (a: GeoPoint, b: GeoPoint): number => -byDistance(a, b);

/** C's (long long) of a score, as WITHHASH replies it. */
function scoreAsInteger(score: number): number | bigint {
  const t = Math.trunc(score);
  if (Number.isSafeInteger(t)) return t;
  return Math.abs(t) < 2 ** 63 ? BigInt(t) : -(2n ** 63n);
}

/** A search's options besides its shape. */
interface SearchOptions {
  withDist: boolean;
  withHash: boolean;
  withCoord: boolean;
  sort: 'none' | 'asc' | 'desc';
  /** COUNT, 0 for none. */
  count: number;
  /** COUNT ... ANY: stop at the first `count` found. */
  any: boolean;
  storeKey: string | null;
  storeDist: boolean;
}

/**
 * Redis's georadiusGeneric argument parsing: fills `shape`, returns the
 * options, or null after an error reply. The checks come in Redis's order.
 * Without the source set (`zs` undefined) members are not looked up (and
 * GEORADIUSBYMEMBER's radius is not even parsed), as in Redis.
 */
function parseSearch(c: Client, argv: string[], kind: SearchKind, zs: ZSetValue | undefined, shape: GeoShape): SearchOptions | null {
  const opts: SearchOptions = {
    withDist: false,
    withHash: false,
    withCoord: false,
    sort: 'none',
    count: 0,
    any: false,
    storeKey: null,
    storeDist: false,
  };
  /** Radius and unit at argv[i], argv[i + 1]; false after an error reply. */
  const parseRadius = (i: number): boolean => {
    const radius = parseNumber(c, argv[i], 'ERR need numeric radius');
    if (radius === null) return false;
    if (radius < 0) {
      c.error('ERR radius cannot be negative');
      return false;
    }
    const unit = parseUnit(c, argv[i + 1]);
    if (unit === null) return false;
    Object.assign(shape, { box: false, radius, conversion: unit });
    return true;
  };
  /** The centre at `member` of the source set; false after an error reply. */
  const centreAtMember = (member: string): boolean => {
    const score = zs?.score(member);
    if (score === undefined) {
      c.error('ERR could not decode requested zset member');
      return false;
    }
    [shape.longitude, shape.latitude] = decodeScore(score);
    return true;
  };

  let base: number;
  if (kind.coords) {
    base = 6;
    const pos = parseLonLat(c, argv[2], argv[3]);
    if (pos === null) return null;
    [shape.longitude, shape.latitude] = pos;
    if (!parseRadius(4)) return null;
  } else if (kind.member) {
    base = 5;
    if (zs !== undefined && (!centreAtMember(argv[2]) || !parseRadius(3))) return null;
  } else {
    base = kind.searchStore ? 3 : 2;
    if (kind.searchStore) opts.storeKey = argv[1];
  }

  let fromMember = false;
  let fromLonLat = false;
  let byRadius = false;
  let byBox = false;
  const remaining = argv.length - base;
  for (let i = 0; i < remaining; i++) {
    const arg = optionName(argv[base + i]);
    const next = argv[base + i + 1];
    if (arg === 'withdist') opts.withDist = true;
    else if (arg === 'withhash') opts.withHash = true;
    else if (arg === 'withcoord') opts.withCoord = true;
    else if (arg === 'any') opts.any = true;
    else if (arg === 'asc') opts.sort = 'asc';
    else if (arg === 'desc') opts.sort = 'desc';
    else if (arg === 'count' && i + 1 < remaining) {
      const n = parseLongLong(next);
      if (n === null) {
        c.error(notIntegerError);
        return null;
      }
      if (n <= 0) {
        c.error('ERR COUNT must be > 0');
        return null;
      }
      opts.count = n;
      i++;
    } else if ((arg === 'store' || arg === 'storedist') && i + 1 < remaining && !kind.noStore && !kind.search) {
      opts.storeKey = next;
      opts.storeDist = arg === 'storedist';
      i++;
    } else if (arg === 'storedist' && kind.searchStore) {
      opts.storeDist = true;
    } else if (arg === 'frommember' && i + 1 < remaining && kind.search && !fromLonLat) {
      if (zs !== undefined && !centreAtMember(next)) return null;
      fromMember = true;
      i++;
    } else if (arg === 'fromlonlat' && i + 2 < remaining && kind.search && !fromMember) {
      const pos = parseLonLat(c, next, argv[base + i + 2]);
      if (pos === null) return null;
      [shape.longitude, shape.latitude] = pos;
      fromLonLat = true;
      i += 2;
    } else if (arg === 'byradius' && i + 2 < remaining && kind.search && !byBox) {
      if (!parseRadius(base + i + 1)) return null;
      byRadius = true;
      i += 2;
    } else if (arg === 'bybox' && i + 3 < remaining && kind.search && !byRadius) {
      const width = parseNumber(c, next, 'ERR need numeric width');
      const height = width === null ? null : parseNumber(c, argv[base + i + 2], 'ERR need numeric height');
      if (width === null || height === null) return null;
      if (width < 0 || height < 0) {
        c.error('ERR height or width cannot be negative');
        return null;
      }
      const unit = parseUnit(c, argv[base + i + 3]);
      if (unit === null) return null;
      Object.assign(shape, { box: true, width, height, conversion: unit });
      byBox = true;
      i += 3;
    } else {
      c.error(syntaxError);
      return null;
    }
  }

  if (opts.storeKey !== null && (opts.withDist || opts.withHash || opts.withCoord)) {
    const what = kind.searchStore ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS';
    c.error(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
    return null;
  }
  if (kind.search && !fromMember && !fromLonLat) {
    c.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${argv[0]}`);
    return null;
  }
  if (kind.search && !byRadius && !byBox) {
    c.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${argv[0]}`);
    return null;
  }
  if (opts.any && opts.count === 0) {
    c.error('ERR the ANY argument requires COUNT argument');
    return null;
  }
  // COUNT needs an order to pick the nearest, unless any will do.
  if (opts.count !== 0 && opts.sort === 'none' && !opts.any) opts.sort = 'asc';
  return opts;
}

/**
 * GEORADIUS, GEORADIUSBYMEMBER, their _RO forms, GEOSEARCH and GEOSEARCHSTORE,
 * as Redis's georadiusGeneric: the same argument checks in the same order,
 * the same search, sort and replies. A missing source is an empty result.
 */
function georadiusGeneric(c: Client, argv: string[], srcIndex: number, kind: SearchKind): void {
  const zs = geoSetAt(c, argv[srcIndex]);
  if (zs === null) return;
  const shape: GeoShape = { longitude: 0, latitude: 0, conversion: 1, box: false, radius: 0, width: 0, height: 0 };
  const opts = parseSearch(c, argv, kind, zs, shape);
  if (opts === null) return;
  const points = zs === undefined ? [] : geoMembersInShape(zs, shape, opts.any ? opts.count : 0);
  const returned = opts.count === 0 || points.length < opts.count ? points.length : opts.count;
  if (opts.sort !== 'none') {
    const cmp = opts.sort === 'asc' ? byDistance : byDistanceDesc;
    // Redis sorts everything with glibc's qsort (a stable merge sort), a part with its pqsort.
    if (returned === points.length) points.sort(cmp);
    else partialSort(points, cmp, 0, returned - 1);
  }
  const found = points.slice(0, returned);
  if (opts.storeKey === null) replyPoints(c, found, opts, shape.conversion);
  else storePoints(c, found, opts.storeKey, opts.storeDist ? shape.conversion : 0, kind.search ? 'geosearchstore' : 'georadiusstore');
}

function replyPoints(c: Client, points: GeoPoint[], opts: SearchOptions, conversion: number): void {
  const options = (opts.withDist ? 1 : 0) + (opts.withHash ? 1 : 0) + (opts.withCoord ? 1 : 0);
  c.arrayLen(points.length);
  for (const p of points) {
    if (options > 0) c.arrayLen(options + 1);
    c.bulk(p.member);
    if (opts.withDist) replyDistance(c, p.dist / conversion);
    if (opts.withHash) c.int(scoreAsInteger(p.score));
    if (opts.withCoord) {
      c.arrayLen(2);
      replyCoordinate(c, p.longitude);
      replyCoordinate(c, p.latitude);
    }
  }
}

/**
 * STORE/STOREDIST/GEOSEARCHSTORE: the points become the sorted set at `key`
 * with their geohashes as scores, or with their distances in the unit of
 * `distConversion` when it is not 0; no points delete `key`.
 */
function storePoints(c: Client, points: GeoPoint[], key: string, distConversion: number, event: string): void {
  if (points.length > 0) {
    const limits = zsetLimits(c.server.config);
    const out = new ZSetValue('skiplist');
    for (const p of points) out.insert(p.member, distConversion !== 0 ? p.dist / distConversion : p.score, limits);
    out.shrinkIfFits(limits);
    c.db.set(key, out);
    c.server.notifyKeyspaceEvent(NOTIFY_ZSET, event, key, c.dbIndex);
    c.server.dirty += points.length;
  } else if (c.db.delete(key)) {
    c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, c.dbIndex);
    c.server.dirty++;
  }
  c.int(points.length);
}

/**
 * Key positions of GEORADIUS/GEORADIUSBYMEMBER: the source and the last
 * STORE/STOREDIST key (Redis's georadiusGetKeys).
 */
function georadiusKeys(argv: string[]): number[] {
  let store = -1;
  for (let i = 5; i < argv.length; i++) {
    const opt = optionName(argv[i]);
    if ((opt === 'store' || opt === 'storedist') && i + 1 < argv.length) store = ++i;
  }
  return store === -1 ? [1] : [1, store];
}

const acl = ['geo'] as const;

export const geoCommands: CommandSpec[] = [
  { name: 'geoadd', arity: -5, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl, run: geoadd },
  { name: 'geodist', arity: -4, flags: ['readonly'], keys: [1, 1, 1], acl, run: geodist },
  { name: 'geohash', arity: -2, flags: ['readonly'], keys: [1, 1, 1], acl, run: geohash },
  { name: 'geopos', arity: -2, flags: ['readonly'], keys: [1, 1, 1], acl, run: geopos },
  {
    name: 'geosearch',
    arity: -7,
    flags: ['readonly'],
    keys: [1, 1, 1],
    acl,
    run: (c, argv) => georadiusGeneric(c, argv, 1, { search: true }),
  },
  {
    name: 'geosearchstore',
    arity: -8,
    flags: ['write', 'denyoom'],
    keys: [1, 2, 1],
    acl,
    run: (c, argv) => georadiusGeneric(c, argv, 2, { search: true, searchStore: true }),
  },
  {
    name: 'georadius',
    arity: -6,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    getKeys: georadiusKeys,
    acl,
    run: (c, argv) => georadiusGeneric(c, argv, 1, { coords: true }),
  },
  {
    name: 'georadiusbymember',
    arity: -5,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    getKeys: georadiusKeys,
    acl,
    run: (c, argv) => georadiusGeneric(c, argv, 1, { member: true }),
  },
  {
    name: 'georadius_ro',
    arity: -6,
    flags: ['readonly'],
    keys: [1, 1, 1],
    acl,
    run: (c, argv) => georadiusGeneric(c, argv, 1, { coords: true, noStore: true }),
  },
  {
    name: 'georadiusbymember_ro',
    arity: -5,
    flags: ['readonly'],
    keys: [1, 1, 1],
    acl,
    run: (c, argv) => georadiusGeneric(c, argv, 1, { member: true, noStore: true }),
  },
];
