/**
 * DUMP / RESTORE payloads, as in Redis 7.0 (cluster.c createDumpPayload /
 * verifyDumpPayload / restoreCommand):
 *
 *   <RDB object type byte><RDB serialized value><RDB version: u16 LE><CRC64: u64 LE>
 *
 * The CRC64 (Jones) covers everything before it, including the version.
 * Verification accepts any RDB version <= ours (10), like Redis 7.0. The
 * object itself is rdb-object.ts's writeObject / readObject.
 */

import type { Value } from '../store/value.js';
import { Crc64 } from './crc64.js';
import { defaultRdbLoadLimits, readObject, writeObject, type ListLayout, type RdbLoadLimits } from './rdb-object.js';
import { RDB_VERSION, RdbReader, RdbWriter } from './rdb-string.js';

/** Values DUMP/RESTORE carry: every type. */
export type DumpValue = Value;

/** Exact error replies Redis 7.0 gives for RESTORE (without the leading '-'). */
export const DUMP_ERR_VERSION_OR_CHECKSUM = 'ERR DUMP payload version or checksum are wrong';
export const DUMP_ERR_BAD_FORMAT = 'ERR Bad data format';

export interface ParseDumpOptions {
  /** Like Redis's DEBUG SET-SKIP-CHECKSUM-VALIDATION 1: the RDB version is still checked. */
  skipChecksum?: boolean;
  /** The encoding thresholds of the server config (Redis's defaults when absent). */
  limits?: RdbLoadLimits;
}

export type ParseDumpResult =
  | { value: DumpValue; rdbType: number; rdbVersion: number }
  | { error: string };

/**
 * DUMP payload for a value. `compress` mirrors Redis's `rdbcompression`
 * config (default yes): strings > 20 bytes are LZF compressed when it saves
 * at least 4 bytes. `layout` is the list node settings of the server config.
 */
export function createDumpPayload(value: DumpValue, compress: boolean, layout?: ListLayout): Buffer {
  const w = new RdbWriter(typeof value === 'string' || Buffer.isBuffer(value) ? value.length + 32 : 256);
  writeObject(w, value, compress, layout);
  w.writeUInt16LE(RDB_VERSION);
  const body = w.bytes();
  const crc = new Crc64().update(body);
  const out = Buffer.allocUnsafe(body.length + 8);
  out.set(body, 0);
  crc.writeLE(out, body.length);
  return out;
}

/**
 * verifyDumpPayload: footer present, RDB version <= 10, CRC64 matches.
 * Returns the payload's RDB version, or -1 when invalid.
 */
export function verifyDumpPayload(p: Uint8Array | Buffer, opts?: ParseDumpOptions): number {
  const len = p.length;
  if (len < 10) return -1;
  const footer = len - 10;
  const rdbver = p[footer] | (p[footer + 1] << 8);
  if (rdbver > RDB_VERSION) return -1;
  if (opts?.skipChecksum) return rdbver;
  const crc = new Crc64().update(p, 0, len - 8);
  return crc.equalsLE(p, footer + 2) ? rdbver : -1;
}

/**
 * Validate and decode a RESTORE payload. Never throws: errors are returned as
 * Redis's exact reply text. An empty collection is "Bad data format", as in Redis.
 *
 * Like Redis, the object is parsed from the start of the payload with the
 * whole payload (footer included) readable, and trailing bytes before the
 * footer are ignored.
 */
export function parseDumpPayload(payload: string | Uint8Array | Buffer, opts?: ParseDumpOptions): ParseDumpResult {
  try {
    const p = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
    const rdbVersion = verifyDumpPayload(p, opts);
    if (rdbVersion < 0) return { error: DUMP_ERR_VERSION_OR_CHECKSUM };
    const r = new RdbReader(p, 0, p.length);
    const rdbType = r.readType();
    const value = readObject(r, rdbType, opts?.limits ?? defaultRdbLoadLimits);
    return value === null ? { error: DUMP_ERR_BAD_FORMAT } : { value, rdbType, rdbVersion };
  } catch {
    return { error: DUMP_ERR_BAD_FORMAT };
  }
}
