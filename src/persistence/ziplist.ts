/**
 * Reader of ziplist blobs (Redis <= 6.2 small lists, hashes and sorted sets),
 * as Redis's ziplist.c lays them out:
 *
 *   <zlbytes: u32 LE> <zltail: u32 LE> <zllen: u16 LE, 65535 = unknown> <entry>* <0xFF>
 *   entry = <prevlen: 1 byte < 254, or 0xFE + u32 LE> <encoding> <data>
 *
 * Encodings: 00pppppp / 01pppppp qqqqqqqq (big endian) / 10xxxxxx + u32 BE: string lengths;
 * C0 int16, D0 int32, E0 int64, F0 int24, FE int8 (little endian); F1..FD the values 0..12.
 */

import { RdbFormatError } from './rdb-string.js';

const ZIPLIST_HEADER_SIZE = 10;
const ZIP_END = 0xff;
const ZIP_BIG_PREVLEN = 254;

/**
 * Elements of a ziplist blob; integers come back as decimal strings. Validates
 * like ziplistValidateIntegrity(deep): header size and tail offset, every
 * entry's header and bounds, each prevlen against the previous entry's size,
 * and the count unless the header says "unknown".
 */
export function readZiplist(buf: Uint8Array, errorOffset = 0): string[] {
  const size = buf.length;
  const fail = (msg: string, at: number): never => {
    throw new RdbFormatError(`invalid ziplist: ${msg}`, errorOffset + at);
  };
  if (size < ZIPLIST_HEADER_SIZE + 1) fail('too short', 0);
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.readUInt32LE(0) !== size) fail(`header says ${view.readUInt32LE(0)} bytes, blob has ${size}`, 0);
  const last = size - 1; // the terminator's position
  if (buf[last] !== ZIP_END) fail('missing terminator', last);
  const tail = view.readUInt32LE(4);
  if (tail > last) fail('tail offset out of range', 4);
  const declared = view.readUInt16LE(8);

  const out: string[] = [];
  let p = ZIPLIST_HEADER_SIZE;
  let prevSize = 0;
  let prevStart = -1;
  while (buf[p] !== ZIP_END) {
    const start = p;
    // Each header field is checked to lie before the terminator before it is read.
    const need = (n: number) => {
      if (p + n > last) fail('entry out of range', start);
    };
    need(1);
    let prevlen: number;
    if (buf[p] < ZIP_BIG_PREVLEN) {
      prevlen = buf[p++];
    } else {
      need(5);
      prevlen = view.readUInt32LE(p + 1);
      p += 5;
    }
    if (prevlen !== prevSize) fail(`prevlen ${prevlen} does not match previous entry size ${prevSize}`, start);
    need(1);
    const enc = buf[p];
    let value: string;
    let dataLen: number;
    if (enc < 0xc0) {
      let len: number;
      if ((enc & 0xc0) === 0x00) {
        len = enc & 0x3f;
        p += 1;
      } else if ((enc & 0xc0) === 0x40) {
        need(2);
        len = ((enc & 0x3f) << 8) | buf[p + 1];
        p += 2;
      } else {
        need(5);
        len = view.readUInt32BE(p + 1);
        p += 5;
      }
      if (len > last - p) fail('entry out of range', start);
      value = view.toString('latin1', p, p + len);
      dataLen = len;
    } else {
      p += 1;
      switch (enc) {
        case 0xc0:
          dataLen = 2;
          break;
        case 0xd0:
          dataLen = 4;
          break;
        case 0xe0:
          dataLen = 8;
          break;
        case 0xf0:
          dataLen = 3;
          break;
        case 0xfe:
          dataLen = 1;
          break;
        default:
          if (enc < 0xf1 || enc > 0xfd) fail(`unknown encoding 0x${enc.toString(16)}`, start);
          dataLen = 0;
      }
      if (dataLen > last - p) fail('entry out of range', start);
      if (dataLen === 0) value = String((enc & 0x0f) - 1);
      else if (dataLen === 8) value = view.readBigInt64LE(p).toString();
      else value = String(view.readIntLE(p, dataLen));
    }
    p += dataLen;
    prevSize = p - start;
    prevStart = start;
    out.push(value);
  }
  if (p !== last) fail('entries do not end at the terminator', p);
  if (prevStart !== -1 && prevStart !== tail) fail('tail offset does not point at the last entry', 4);
  if (declared !== 0xffff && declared !== out.length) fail(`header count ${declared} but ${out.length} entries`, 8);
  return out;
}
