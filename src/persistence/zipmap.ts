/**
 * Reader of zipmap blobs (hashes saved by Redis <= 2.4), as Redis's zipmap.c
 * lays them out:
 *
 *   <zmlen: 1 byte, 254 = unknown> (<len>field<len><free>value<free bytes>)* <0xFF>
 *   len = 1 byte < 254, or 254 + u32 LE
 */

import { RdbFormatError } from './rdb-string.js';

const ZIPMAP_BIGLEN = 254;
const ZIPMAP_END = 0xff;

/**
 * Field/value pairs of a zipmap blob. Validates like zipmapValidateIntegrity(deep):
 * terminator, every length and entry inside the blob, not empty, and the count
 * unless the header says "unknown".
 */
export function readZipmap(buf: Uint8Array, errorOffset = 0): Array<[string, string]> {
  const size = buf.length;
  const fail = (msg: string, at: number): never => {
    throw new RdbFormatError(`invalid zipmap: ${msg}`, errorOffset + at);
  };
  if (size < 2) fail('too short', 0);
  const last = size - 1;
  if (buf[last] !== ZIPMAP_END) fail('missing terminator', last);
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Array<[string, string]> = [];
  let p = 1;
  /** A length at p; the length field itself must end before the terminator. */
  const readLen = (start: number): number => {
    const wide = buf[p] >= ZIPMAP_BIGLEN;
    if (p + (wide ? 5 : 1) > last) fail('entry out of range', start);
    const len = wide ? view.readUInt32LE(p + 1) : buf[p];
    p += wide ? 5 : 1;
    return len;
  };
  while (buf[p] !== ZIPMAP_END) {
    const start = p;
    const flen = readLen(start);
    if (flen > last - p) fail('entry out of range', start);
    const field = view.toString('latin1', p, p + flen);
    p += flen;
    const vlen = readLen(start);
    const free = buf[p++];
    if (vlen + free > last - p) fail('entry out of range', start);
    out.push([field, view.toString('latin1', p, p + vlen)]);
    p += vlen + free;
  }
  if (out.length === 0) fail('empty', 0);
  if (buf[0] !== ZIPMAP_BIGLEN && buf[0] !== out.length) fail(`header count ${buf[0]} but ${out.length} entries`, 0);
  return out;
}
