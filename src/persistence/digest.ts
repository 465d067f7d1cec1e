/**
 * DEBUG DIGEST / DEBUG DIGEST-VALUE, as in Redis 7.0 debug.c.
 *
 *   xorDigest(d, data):  d ^= SHA1(data)
 *   mixDigest(d, data):  d = SHA1(d ^ SHA1(data))      (order-preserving)
 *
 * Per value (xorObjectDigest):  mix(type as u32 big endian); mix the value
 * (strings: their bytes); if the key has an expire: xor SHA1("!!expire!!")
 * (only the presence of an expire matters, not its time).
 *
 * Dataset (computeDatasetDigest): final = 0; for each non-empty db in id
 * order: final = mix(final, db id as u32 big endian); for each key:
 * d = 0; mix(d, key); <per value as above>; xorDigest(final, d), i.e.
 * final ^= SHA1(d) (not d itself).
 */

import { hash } from 'node:crypto';
import { isString, type TypedValue, type Value } from '../store/value.js';


/** Any value a key holds. */
export type DigestValue = Value;

/** Redis's OBJ_* type codes (mixed into every value digest). */
export const OBJ_STRING = 0;
export const OBJ_LIST = 1;
export const OBJ_SET = 2;
export const OBJ_ZSET = 3;
export const OBJ_HASH = 4;
export const OBJ_MODULE = 5;
export const OBJ_STREAM = 6;

type Bytes = string | Uint8Array | Buffer;

/** Plain Uint8Array view (zero copy); keeps the hash API happy across @types/node versions. */
function toU8(b: Uint8Array | Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** One-shot SHA1 (crypto.hash creates no Hash object: this runs several times per key in DEBUG DIGEST). */
function sha1(data: Bytes): Buffer {
  return hash('sha1', typeof data === 'string' ? Buffer.from(data, 'latin1') : toU8(data), 'buffer');
}

/** digest ^= SHA1(data). `digest` is 20 bytes, modified in place. */
export function xorDigest(digest: Uint8Array | Buffer, data: Bytes): void {
  const h = sha1(data);
  for (let j = 0; j < 20; j++) digest[j] ^= h[j];
}

/** digest = SHA1(digest ^ SHA1(data)). `digest` is 20 bytes, modified in place. */
export function mixDigest(digest: Uint8Array | Buffer, data: Bytes): void {
  xorDigest(digest, data);
  digest.set(sha1(digest), 0);
}

function u32be(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

const TYPE_STRING_BE = u32be(OBJ_STRING);
/** Redis's OBJ_* type codes, mixed in before a value's contents. */
const typeCodes: Record<TypedValue['type'], number> = {
  list: OBJ_LIST,
  set: OBJ_SET,
  zset: OBJ_ZSET,
  hash: OBJ_HASH,
  stream: OBJ_STREAM,
};
const EXPIRE_MARK = '!!expire!!';

/**
 * Redis's xorObjectDigest(): fold one value (and whether its key has an
 * expire) into `digest` in place.
 */
export function xorValueDigest(digest: Uint8Array | Buffer, value: DigestValue, hasExpire: boolean): void {
  if (isString(value)) {
    mixDigest(digest, TYPE_STRING_BE);
    mixDigest(digest, value);
  } else {
    mixDigest(digest, u32be(typeCodes[value.type]));
    value.digest(digest);
  }
  if (hasExpire) xorDigest(digest, EXPIRE_MARK);
}

/**
 * What DEBUG DIGEST-VALUE reports for a key holding `value` (20 bytes; hex it
 * for the reply). `hasExpire` must be true when the key has a TTL. A missing
 * key digests to 20 zero bytes.
 */
export function digestValue(value: DigestValue, hasExpire = false): Buffer {
  const d = Buffer.alloc(20);
  xorValueDigest(d, value, hasExpire);
  return d;
}

export interface DigestDb {
  id: number;
  entries: Iterable<[key: string, value: DigestValue, expireAtMs: number | undefined]>;
}

/**
 * DEBUG DIGEST over all databases: 40 lowercase hex chars;
 * "0000000000000000000000000000000000000000" when there are no keys.
 * Databases may be given in any order; empty ones are skipped as in Redis.
 */
export function datasetDigest(dbs: Iterable<DigestDb>): string {
  const final = Buffer.alloc(20);
  const sorted = [...dbs].sort((a, b) => a.id - b.id);
  const d = Buffer.alloc(20);
  for (const db of sorted) {
    let mixedDb = false;
    for (const [key, value, expireAtMs] of db.entries) {
      if (!mixedDb) {
        mixDigest(final, u32be(db.id));
        mixedDb = true;
      }
      d.fill(0);
      mixDigest(d, key);
      xorValueDigest(d, value, expireAtMs !== undefined);
      xorDigest(final, d);
    }
  }
  return final.toString('hex');
}
