/**
 * RDB file loader, as Redis 7.0's rdbLoadRioWithLoadingCtx: the "REDIS" magic
 * and 4-digit version, then opcodes (expire times, LRU idle / LFU frequency,
 * SELECTDB, RESIZEDB, AUX, module AUX, functions) and key/value records up
 * to EOF, then the CRC64 of everything before it.
 *
 * Accepts RDB versions 1..12: Redis 7.0 stops at 10; 11 (Redis 7.2) and 12
 * (Redis 7.4) add value types that readObject understands and the SLOT_INFO
 * opcode, which is only a hint and skipped here.
 *
 * Loading is resumable: step(budgetMs) parses whole records for about
 * `budgetMs` and returns, so the server can serve clients (LOADING replies)
 * between slices. Every failure is an RdbLoadError naming the problem, what
 * was being read and the byte offset.
 */

import { performance } from 'node:perf_hooks';
import type { Database } from '../store/database.js';
import type { Value } from '../store/value.js';
import { catRepr } from '../util/splitargs.js';
import { Crc64 } from './crc64.js';
import { readObject, type RdbLoadLimits } from './rdb-object.js';
import {
  RDB_OPCODE_AUX,
  RDB_OPCODE_EOF,
  RDB_OPCODE_EXPIRETIME,
  RDB_OPCODE_EXPIRETIME_MS,
  RDB_OPCODE_FREQ,
  RDB_OPCODE_FUNCTION2,
  RDB_OPCODE_FUNCTION_PRE_GA,
  RDB_OPCODE_IDLE,
  RDB_OPCODE_MODULE_AUX,
  RDB_OPCODE_RESIZEDB,
  RDB_OPCODE_SELECTDB,
  RDB_64BITLEN,
  RdbFormatError,
  RdbReader,
} from './rdb-string.js';

/** Redis 7.4 (RDB 12): per-slot key counts, a hint for cluster mode. */
export const RDB_OPCODE_SLOT_INFO = 244;
/** Newest RDB version understood (Redis 7.4's). */
export const RDB_LOAD_VERSION_MAX = 12;
/** A module AUX record's "when" field is an unsigned integer (Redis's RDB_MODULE_OPCODE_UINT). */
const RDB_MODULE_OPCODE_UINT = 2;
/** Records parsed between two looks at the clock: reading it costs more than a small record. */
const recordsPerClockCheck = 16;
/** Longest key shown in an error message. */
const keyReprMax = 128;
/** Redis's text for any read failure while loading (its `eoferr` label). */
const shortRead = 'Short read or OOM loading DB. Unrecoverable error, aborting now.';

export interface RdbLoadOptions {
  limits: RdbLoadLimits;
  /** Master: keys whose TTL has passed are skipped (counted in keysExpired). Replica/AOF base: kept. */
  dropExpired: boolean;
  now: number;
  /**
   * Apply IDLE (lru) / FREQ (lfu) opcodes: per maxmemory-policy, as Redis's
   * objectSetLRUOrLFU (which applies IDLE under every non-LFU policy).
   */
  policy: 'lru' | 'lfu' | 'none';
  /** DEBUG RELOAD MERGE: a key already present is replaced instead of failing the load (Redis's RDBFLAGS_ALLOW_DUP). */
  allowDuplicates?: boolean;
  /** Told each key `dropExpired` left out (a master at startup feeds its DEL to the backlog: Redis's RDBFLAGS_FEED_REPL). */
  onExpired?: (db: number, key: string) => void;
}

export interface RdbLoadResult {
  version: number;
  keysLoaded: number;
  keysExpired: number;
  /** Every aux field as read (repl-id, repl-offset, repl-stream-db, aof-base, ...); a repeated field keeps its last value. */
  aux: Map<string, string>;
  /** FUNCTION2 library sources, in file order. */
  functions: string[];
}

/** Why a load failed; `offset` is the byte position of the problem. */
export class RdbLoadError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'RdbLoadError';
    this.offset = offset;
  }
}

export class RdbLoader {
  readonly result: RdbLoadResult = { version: 0, keysLoaded: 0, keysExpired: 0, aux: new Map(), functions: [] };
  private readonly data: Buffer;
  private readonly dbs: Database[];
  private readonly options: RdbLoadOptions;
  private readonly reader: RdbReader;
  private readonly crc = new Crc64();
  /** Bytes already folded into `crc`. */
  private crcEnd = 0;
  private db: Database;
  /* Key attributes set by the opcodes before a key (reset after each key, as Redis). */
  private expireAt: number | undefined = undefined;
  private lruIdle = -1;
  private lfuFreq = -1;
  /** What is being read, for error messages. */
  /** What is being read, for error messages: a fixed text, or a function building it (only on error). */
  private what: string | (() => string) = 'the RDB header';
  /** Where the record being read began. */
  private recordStart = 0;
  private done = false;
  private failure: RdbLoadError | null = null;

  constructor(data: Buffer, dbs: Database[], options: RdbLoadOptions) {
    if (dbs.length === 0) throw new RangeError('RdbLoader needs at least one database');
    this.data = data;
    this.dbs = dbs;
    this.options = options;
    this.reader = new RdbReader(data);
    this.db = dbs[0];
  }

  /** Bytes consumed so far (INFO loading_loaded_bytes). */
  get offset(): number {
    return this.reader.offset;
  }

  /**
   * Loads for about `budgetMs` (Infinity: to the end); true once the whole
   * file is loaded and its checksum verified. Always makes progress, so
   * step(0) in a loop terminates. After a failure every call throws it again.
   */
  step(budgetMs: number): boolean {
    if (this.failure !== null) throw this.failure;
    if (this.done) return true;
    const deadline = budgetMs === Infinity ? Infinity : performance.now() + budgetMs;
    try {
      if (this.result.version === 0) this.readHeader();
      for (let n = 1; ; n++) {
        if (this.readRecord()) {
          this.readChecksum();
          this.done = true;
          return true;
        }
        if (n % recordsPerClockCheck === 0 && performance.now() >= deadline) break;
      }
      this.crc.update(this.data, this.crcEnd, this.reader.offset);
      this.crcEnd = this.reader.offset;
      return false;
    } catch (e) {
      this.failure = this.explain(e);
      throw this.failure;
    }
  }

  private readHeader(): void {
    const r = this.reader;
    const magic = r.readRawString(9);
    if (!magic.startsWith('REDIS')) throw new RdbLoadError('Wrong signature trying to load DB from file', 0);
    const version = atoi(magic.slice(5));
    if (version < 1 || version > RDB_LOAD_VERSION_MAX) {
      throw new RdbLoadError(`Can't handle RDB format version ${version}`, 5);
    }
    this.result.version = version;
  }

  /** One opcode or key/value record; true at the EOF opcode. */
  private readRecord(): boolean {
    const r = this.reader;
    const start = r.offset;
    this.recordStart = start;
    this.what = 'a record type';
    const type = r.readType();
    switch (type) {
      case RDB_OPCODE_EXPIRETIME:
        this.what = 'an EXPIRETIME';
        this.expireAt = r.readTimeSeconds() * 1000;
        return false;
      case RDB_OPCODE_EXPIRETIME_MS: {
        this.what = 'an EXPIRETIME_MS';
        const at = r.readMillisecondTime();
        // Redis keeps "no expire" as -1, so a stored -1 means none.
        this.expireAt = at === -1 ? undefined : at;
        return false;
      }
      case RDB_OPCODE_FREQ:
        this.what = 'a FREQ';
        this.lfuFreq = r.readByte();
        return false;
      case RDB_OPCODE_IDLE:
        this.what = 'an IDLE';
        this.lruIdle = r.readLen();
        return false;
      case RDB_OPCODE_EOF:
        return true;
      case RDB_OPCODE_SELECTDB: {
        this.what = 'a SELECTDB';
        const id = r.readLen();
        if (id >= this.dbs.length) {
          throw new RdbLoadError(
            `FATAL: Data file was created with a Redis server configured to handle more than ${this.dbs.length} ` +
              `databases (SELECTDB ${id} at offset ${start})`,
            start,
          );
        }
        this.db = this.dbs[id];
        return false;
      }
      case RDB_OPCODE_RESIZEDB:
        // Only a sizing hint for Redis's hash tables; a Map needs none.
        this.what = 'a RESIZEDB';
        r.readLen();
        r.readLen();
        return false;
      case RDB_OPCODE_AUX: {
        this.what = 'an AUX field name';
        const name = r.readString();
        this.what = `the AUX field ${repr(name)}`;
        this.result.aux.set(name, r.readString());
        return false;
      }
      case RDB_OPCODE_MODULE_AUX:
        this.what = 'a MODULE_AUX';
        return this.refuseModuleAux(start);
      case RDB_OPCODE_FUNCTION_PRE_GA:
        throw new RdbLoadError(`Pre-release function format not supported (at offset ${start})`, start);
      case RDB_OPCODE_FUNCTION2:
        this.what = 'a FUNCTION2 library';
        this.result.functions.push(r.readString());
        return false;
      case RDB_OPCODE_SLOT_INFO:
        this.what = 'a SLOT_INFO';
        r.readLen(); // slot
        r.readLen(); // keys in the slot
        r.readLen(); // keys with an expire in the slot
        return false;
      default:
        this.readKeyValue(type, start);
        return false;
    }
  }

  private describeWhat(): string {
    return typeof this.what === 'string' ? this.what : this.what();
  }

  private readKeyValue(type: number, start: number): void {
    const r = this.reader;
    const db = this.db.id;
    this.what = () => `a key name (value type ${type}) in DB ${db}`;
    const key = r.readString();
    this.what = () => `the value of key ${repr(key)} (type ${type}) in DB ${db}`;
    const value: Value | null = readObject(r, type, this.options.limits);
    const expireAt = this.expireAt;
    const lruIdle = this.lruIdle;
    const lfuFreq = this.lfuFreq;
    this.expireAt = undefined;
    this.lruIdle = -1;
    this.lfuFreq = -1;
    // An empty collection (old Redis bugs could save one) is skipped, as Redis 7.0 does.
    if (value === null) return;
    if (this.options.dropExpired && expireAt !== undefined && expireAt < this.options.now) {
      this.result.keysExpired++;
      this.options.onExpired?.(db, key);
      return;
    }
    if (!this.db.addLoaded(key, value, expireAt)) {
      if (!this.options.allowDuplicates) {
        throw new RdbLoadError(
          `Duplicated key found in RDB file: ${repr(key)} in DB ${this.db.id} (record at offset ${start})`,
          start,
        );
      }
      // The file's value wins, as Redis's dbSyncDelete + dbAddRDBLoad.
      this.db.evict(key);
      this.db.addLoaded(key, value, expireAt);
    }
    this.result.keysLoaded++;
    const policy = this.options.policy;
    if (policy === 'lfu' && lfuFreq >= 0) this.db.setAccessFrequency(key, lfuFreq);
    else if (policy === 'lru' && lruIdle >= 0) this.db.setIdleSeconds(key, lruIdle);
  }

  /**
   * MODULE_AUX: module id (64 bits), when-opcode, when, then module data.
   * With no modules there is nothing that could parse that data, so Redis
   * (outside redis-check-rdb) stops here too.
   */
  private refuseModuleAux(start: number): never {
    const r = this.reader;
    const moduleId = readLength64(r);
    const whenOpcode = r.readLen();
    r.readLen(); // when
    if (whenOpcode !== RDB_MODULE_OPCODE_UINT) {
      throw new RdbLoadError(`Corrupt RDB at offset ${start}, reading a MODULE_AUX: bad when_opcode`, start);
    }
    throw new RdbLoadError(
      `The RDB file contains AUX module data I can't load: no matching module '${moduleTypeName(moduleId)}' ` +
        `(at offset ${start})`,
      start,
    );
  }

  /** After EOF: the CRC64 (RDB >= 5) of every byte before it; a stored 0 means the writer had rdbchecksum off. */
  private readChecksum(): void {
    const r = this.reader;
    const end = r.offset;
    this.crc.update(this.data, this.crcEnd, end);
    this.crcEnd = end;
    if (this.result.version < 5) return;
    this.what = 'the CRC64 checksum';
    const stored = r.readRaw(8);
    if (stored.every((b) => b === 0) || this.crc.equalsLE(stored, 0)) return;
    const got = Buffer.from(stored).readBigUInt64LE(0);
    throw new RdbLoadError(
      `Wrong RDB checksum expected: (${this.crc.value().toString(16)}) got (${got.toString(16)}) at offset ${end}. ` +
        'RDB CRC error',
      end,
    );
  }

  /** The RdbLoadError for anything a read threw; errors that are not about the data are bugs and pass through. */
  private explain(e: unknown): RdbLoadError {
    if (e instanceof RdbLoadError) return e;
    if (!(e instanceof RdbFormatError)) throw e;
    const problem = e.message.replace(/ \(at offset -?\d+\)$/, '');
    // Offsets inside an LZF-compressed blob count in its decompressed bytes: past the file, name the record instead.
    const inFile = e.offset >= 0 && e.offset <= this.data.length;
    const offset = inFile ? e.offset : this.recordStart;
    const where = inFile
      ? `offset ${offset}, reading ${this.describeWhat()}`
      : `offset ${offset}, reading ${this.describeWhat()} (at byte ${e.offset} counting its decompressed data)`;
    if (inFile && problem.startsWith('unexpected end of data')) {
      return new RdbLoadError(`${shortRead} Unexpected end of file at ${where}: ${problem}`, offset);
    }
    return new RdbLoadError(`Corrupt RDB at ${where}: ${problem}`, offset);
  }
}

/** Whole-file convenience for tests and SAVE-side checks. */
export function loadRdb(data: Buffer, dbs: Database[], options: RdbLoadOptions): RdbLoadResult {
  const loader = new RdbLoader(data, dbs, options);
  loader.step(Infinity);
  return loader.result;
}

/** C atoi: optional blanks and sign, then the leading digits (none: 0). */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

function repr(key: string): string {
  return key.length <= keyReprMax ? catRepr(key) : `${catRepr(key.slice(0, keyReprMax))}...`;
}

/** rdbLoadLen for a value that may use all 64 bits (module ids); RdbReader.readLen stops at 2^53. */
function readLength64(r: RdbReader): bigint {
  if (r.remaining > 0 && r.buf[r.offset] === RDB_64BITLEN) {
    r.readByte();
    return Buffer.from(r.readRaw(8)).readBigUInt64BE(0);
  }
  return BigInt(r.readLen());
}

/** Characters of a module type name, 6 bits each (Redis's ModuleTypeNameCharSet). */
const moduleNameChars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Redis's moduleTypeNameByID: the 9-character name in the top 54 bits (the low 10 are the encoding version). */
export function moduleTypeName(id: bigint): string {
  let name = '';
  let rest = id >> 10n;
  for (let i = 0; i < 9; i++) {
    name = moduleNameChars[Number(rest & 63n)] + name;
    rest >>= 6n;
  }
  return name;
}
