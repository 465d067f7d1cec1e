// String values changed in place (SETBIT, SETRANGE, BITFIELD, APPEND of
// large values). Such a value becomes a Buffer whose length is the string's
// length, allocated here with spare capacity behind it, so that growing it by
// a few bytes (SETBIT on rising offsets, repeated APPEND) is usually a new
// view of the same memory rather than a copy: amortised O(1) like Redis's sds.

import type { StringValue } from './value.js';

/**
 * Memory allocated here. Only these Buffers may be written in place or grown
 * into their spare capacity: any other Buffer may share memory with something
 * else (a parser chunk, a reply, another key).
 */
const owned = new WeakSet<ArrayBufferLike>();

/** Growth policy of Redis's sdsMakeRoomFor: double up to 1MB, then 1MB more. */
const greedyLimit = 1024 * 1024;

/**
 * A Buffer holding the bytes of `v` (none when undefined), zero-extended to at
 * least `minLength`, that the caller may write in place. The caller must store
 * it back (db.set/db.update) since it may be a new object. Call db.lookupWrite
 * for the key first: that is what lets snapshots keep the old contents.
 */
export function writableString(v: StringValue | undefined, minLength: number): Buffer {
  const length = v === undefined ? 0 : v.length;
  const newLength = Math.max(length, minLength);
  if (Buffer.isBuffer(v) && owned.has(v.buffer)) {
    if (newLength === length) return v;
    // The spare capacity behind an owned view is still all zero bytes.
    if (v.byteOffset + newLength <= v.buffer.byteLength) return Buffer.from(v.buffer, v.byteOffset, newLength);
  }
  const growing = length > 0 && newLength > length;
  const capacity = growing ? (newLength < greedyLimit ? newLength * 2 : newLength + greedyLimit) : newLength;
  const buf = Buffer.alloc(capacity);
  if (typeof v === 'string') buf.write(v, 0, 'latin1');
  else if (v !== undefined) v.copy(buf);
  owned.add(buf.buffer);
  return capacity === newLength ? buf : buf.subarray(0, newLength);
}

/** Bytes [start, end) of a string value as a Uint8Array (a view for Buffers: do not keep it). */
export function byteRange(v: StringValue, start: number, end: number): Uint8Array {
  return typeof v === 'string' ? Buffer.from(v.substring(start, end), 'latin1') : v.subarray(start, end);
}
