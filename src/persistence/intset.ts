/**
 * Intset blobs as Redis's intset.c lays them out:
 *
 *   <encoding: u32 LE, bytes per member 2 | 4 | 8> <length: u32 LE> <members: signed LE, strictly ascending>
 *
 * An intset widens its encoding when a member needs it and never narrows it again.
 */

import { RdbFormatError } from './rdb-string.js';

export type IntsetWidth = 2 | 4 | 8;

const HEADER = 8;

/** Bytes per member the smallest intset encoding holding `v` uses (_intsetValueEncoding). */
export function intsetWidthOf(v: number | bigint): IntsetWidth {
  if (v < -2147483648 || v > 2147483647) return 8;
  if (v < -32768 || v > 32767) return 4;
  return 2;
}

/** The blob of an intset holding `members` (canonical int64 decimal strings, ascending) at `width`. */
export function intsetBlob(members: readonly string[], width: IntsetWidth): Buffer {
  const out = Buffer.allocUnsafe(HEADER + members.length * width);
  out.writeUInt32LE(width, 0);
  out.writeUInt32LE(members.length, 4);
  let p = HEADER;
  for (const m of members) {
    if (width === 8) out.writeBigInt64LE(BigInt(m), p);
    else out.writeIntLE(Number(m), p, width);
    p += width;
  }
  return out;
}

/**
 * Members of an intset blob as decimal strings, and its width. Validates as
 * intsetValidateIntegrity(deep): known encoding, size matching the length,
 * not empty, strictly ascending. Offsets in errors are relative to `errorOffset`.
 */
export function readIntset(buf: Uint8Array, errorOffset = 0): { members: string[]; width: IntsetWidth } {
  const fail = (msg: string, at: number): never => {
    throw new RdbFormatError(`invalid intset: ${msg}`, errorOffset + at);
  };
  if (buf.length < HEADER) fail('too short', 0);
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const width = view.readUInt32LE(0);
  if (width !== 2 && width !== 4 && width !== 8) return fail(`unknown encoding ${width}`, 0);
  const count = view.readUInt32LE(4);
  if (HEADER + count * width !== buf.length) fail(`length ${count} does not match ${buf.length} bytes`, 4);
  if (count === 0) fail('empty', 4);
  const members = new Array<string>(count);
  let prev: bigint | number | undefined;
  for (let i = 0, p = HEADER; i < count; i++, p += width) {
    const v = width === 8 ? view.readBigInt64LE(p) : view.readIntLE(p, width);
    if (prev !== undefined && v <= prev) fail('members not strictly ascending', p);
    prev = v;
    members[i] = String(v);
  }
  return { members, width };
}
