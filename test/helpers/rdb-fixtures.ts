// RDB files for the loader tests, and what real Redis 7.0 makes of them.
//
// Most fixtures are dump files written by a real redis-server 7.0 (SAVE) from
// data covering every type and encoding threshold. Older formats that Redis
// 7.0 can read but no longer writes (RDB 9 with ziplist, zipmap, intset and
// quicklist-of-ziplists values) are crafted here with small encoders, and
// checked by loading them into real Redis too. Files from newer Redis (RDB 11
// set listpacks, RDB 12 slot info) are crafted for Tandem alone.
//
// "What Redis makes of a file" is always read from a real server that loaded
// it (DEBUG RELOAD NOSAVE), since loading converts encodings.

import fs from 'node:fs';
import path from 'node:path';
import { digestValue, datasetDigest } from '../../src/persistence/digest.js';
import { crc64BytesLE } from '../../src/persistence/crc64.js';
import { intsetBlob, intsetWidthOf, type IntsetWidth } from '../../src/persistence/intset.js';
import { ListpackBuilder } from '../../src/persistence/listpack.js';
import {
  RDB_OPCODE_AUX,
  RDB_OPCODE_EOF,
  RDB_OPCODE_EXPIRETIME,
  RDB_OPCODE_EXPIRETIME_MS,
  RDB_OPCODE_FREQ,
  RDB_OPCODE_IDLE,
  RDB_OPCODE_RESIZEDB,
  RDB_OPCODE_SELECTDB,
  RdbWriter,
} from '../../src/persistence/rdb-string.js';
import { valueEncoding } from '../../src/commands/keys.js';
import type { Database } from '../../src/store/database.js';
import { typeName } from '../../src/store/value.js';
import { decodeReply, type Reply } from './in-process.js';
import { RawConnection } from './resp.js';
import { startRedis, type RunningServer } from './servers.js';

// ---- what a dataset looks like -------------------------------------------------------------

export interface KeyReport {
  db: number;
  /** Byte string (latin1). */
  key: string;
  type: string;
  encoding: string;
  /** Absolute expiry in ms, or undefined. */
  expireAt: number | undefined;
  /** DEBUG DIGEST-VALUE (hex). */
  digest: string;
}

export interface DatasetReport {
  /** DEBUG DIGEST (hex). */
  digest: string;
  /** Every key, ordered by db then key. */
  keys: KeyReport[];
}

function byDbAndKey(a: KeyReport, b: KeyReport): number {
  return a.db - b.db || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** The same report for Tandem databases, read straight from the store. */
export function tandemReport(dbs: Database[]): DatasetReport {
  const keys: KeyReport[] = [];
  for (const db of dbs) {
    for (const [key, value] of db.dict) {
      const expireAt = db.getExpire(key);
      keys.push({
        db: db.id,
        key,
        type: typeName(value),
        encoding: valueEncoding(value),
        expireAt,
        digest: digestValue(value, expireAt !== undefined).toString('hex'),
      });
    }
  }
  keys.sort(byDbAndKey);
  const digest = datasetDigest(
    dbs.map((db) => ({ id: db.id, entries: [...db.dict].map(([k, v]) => [k, v, db.getExpire(k)] as [string, typeof v, number | undefined]) })),
  );
  return { digest, keys };
}

// ---- a real Redis to write and read dumps --------------------------------------------------

/** A real redis-server 7.0 with debug commands, used to write dump files and to load them. */
export class FixtureRedis {
  private constructor(
    private readonly server: RunningServer,
    private readonly conn: RawConnection,
  ) {}

  /** `args`: extra redis-server options, for settings that CONFIG SET cannot change (rdbchecksum). */
  static async start(args: string[] = []): Promise<FixtureRedis> {
    const server = await startRedis(['--enable-debug-command', 'yes', ...args]);
    try {
      return new FixtureRedis(server, await RawConnection.open(server.port));
    } catch (e) {
      await server.stop();
      throw e;
    }
  }

  async stop(): Promise<void> {
    this.conn.close();
    await this.server.stop();
  }

  /** Runs one command; an error reply throws. */
  async call(...args: Array<string | Buffer>): Promise<Reply> {
    return (await this.pipeline([args]))[0];
  }

  /** Runs commands pipelined; an error reply throws. */
  async pipeline(cmds: Array<Array<string | Buffer>>): Promise<Reply[]> {
    const replies = await Promise.all(cmds.map((c) => this.conn.call(...c)));
    return replies.map((bytes, i) => {
      const r = decodeReply(bytes.toString('latin1'));
      if (r instanceof Error) throw new Error(`redis: ${cmds[i].join(' ').slice(0, 200)} -> ${r.message}`);
      return r;
    });
  }

  /** FLUSHALL, then `cmds` (pipelined in batches). */
  async reset(cmds: string[][] = []): Promise<void> {
    await this.call('FLUSHALL');
    await this.call('FUNCTION', 'FLUSH');
    for (let i = 0; i < cmds.length; i += 1000) await this.pipeline(cmds.slice(i, i + 1000));
  }

  /** SAVE with the given config values (restored afterwards); the dump file's bytes. */
  async save(config: Record<string, string> = {}): Promise<Buffer> {
    const old: Record<string, string> = {};
    for (const name of Object.keys(config)) old[name] = ((await this.call('CONFIG', 'GET', name)) as string[])[1];
    const set = async (values: Record<string, string>) => {
      for (const [k, v] of Object.entries(values)) await this.call('CONFIG', 'SET', k, v);
    };
    await set(config);
    try {
      await this.call('SAVE');
    } finally {
      await set(old);
    }
    return fs.readFileSync(path.join(this.server.dir, 'dump.rdb'));
  }

  /**
   * Loads `data` as Redis does at startup (a master: expired keys dropped)
   * and reports the dataset. `perKey` false reports only the digest.
   */
  async load(data: Buffer, perKey = true): Promise<DatasetReport> {
    fs.writeFileSync(path.join(this.server.dir, 'dump.rdb'), data);
    await this.call('DEBUG', 'RELOAD', 'NOSAVE');
    return this.report(perKey);
  }

  /**
   * Loads a file Redis refuses without exiting (a bad header): the lines
   * Redis logged while refusing it.
   */
  async refusal(data: Buffer): Promise<string[]> {
    fs.writeFileSync(path.join(this.server.dir, 'dump.rdb'), data);
    const before = this.server.output().length;
    const reply = decodeReply((await this.conn.call('DEBUG', 'RELOAD', 'NOSAVE')).toString('latin1'));
    if (!(reply instanceof Error)) throw new Error('redis loaded the file');
    // The log line reaches our pipe on its own schedule, not with the reply.
    for (let i = 0; i < 100 && this.server.output().length === before; i++) await new Promise((r) => setTimeout(r, 10));
    // Log lines look like "pid:M 23 Nov 2026 18:19:02.046 # message".
    return this.server
      .output()
      .slice(before)
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.replace(/^\d+:[A-Z] .*?\d\d:\d\d:\d\d\.\d+ . /, ''));
  }

  /** OBJECT <sub> of a key in db 0 (IDLETIME, FREQ, ...). */
  async object(sub: string, key: string): Promise<Reply> {
    return this.call('OBJECT', sub, key);
  }

  private async report(perKey: boolean): Promise<DatasetReport> {
    const digest = (await this.call('DEBUG', 'DIGEST')) as string;
    const keys: KeyReport[] = [];
    if (perKey) {
      for (let db = 0; db < 16; db++) {
        await this.call('SELECT', String(db));
        const names = (await this.call('KEYS', '*')) as string[];
        const cmds: string[][] = [];
        for (const k of names) cmds.push(['TYPE', k], ['OBJECT', 'ENCODING', k], ['PEXPIRETIME', k], ['DEBUG', 'DIGEST-VALUE', k]);
        const replies = await this.pipeline(cmds);
        names.forEach((key, i) => {
          const [type, encoding, pexpire, [valueDigest]] = replies.slice(i * 4, i * 4 + 4) as [string, string, number, string[]];
          keys.push({ db, key, type, encoding, expireAt: pexpire === -1 ? undefined : pexpire, digest: valueDigest });
        });
      }
      await this.call('SELECT', '0');
    }
    keys.sort(byDbAndKey);
    return { digest, keys };
  }
}

/** A dump written by a fresh real Redis started with `args`, holding what `cmds` make. */
export async function redisDump(cmds: string[][], args: string[] = []): Promise<Buffer> {
  const redis = await FixtureRedis.start(args);
  try {
    await redis.reset(cmds);
    return await redis.save();
  } finally {
    await redis.stop();
  }
}

// ---- data covering every type and encoding threshold ---------------------------------------

/** Deterministic pseudo-random numbers (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` random bytes as a latin1 string. */
export function randomBytes(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(rand() * 256));
  return s;
}

function range<T>(n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

/** Far enough ahead that no fixture key expires during a test run. */
const farFuture = 4_102_444_800_000; // 2100-01-01

/** Commands building a dataset with every type, encoding and threshold Redis 7.0 has (default config). */
export function allTypesCommands(): string[][] {
  const rand = seededRandom(7);
  const cmds: string[][] = [];
  const at = (ms: number) => String(farFuture + ms);

  // Strings: integer encodings of every width, non-canonical numbers, empty, binary, embstr/raw boundary, LZF.
  const strings: Record<string, string> = {
    'int:0': '0', 'int:12': '12', 'int:-1': '-1', 'int:127': '127', 'int:-128': '-128', 'int:128': '128',
    'int:32767': '32767', 'int:-32768': '-32768', 'int:32768': '32768', 'int:2147483647': '2147483647',
    'int:-2147483648': '-2147483648', 'int:2147483648': '2147483648', 'int:max': '9223372036854775807',
    'int:min': '-9223372036854775808', 'int:over': '9223372036854775808', 'int:lead0': '007', 'int:plus': '+1',
    'int:minus0': '-0', 'int:space': ' 1', 'float': '3.14', 'empty': '', 'emb:44': 'e'.repeat(44),
    'raw:45': 'r'.repeat(45), 'lzf:compressible': 'abc'.repeat(400), 'lzf:21': 'x'.repeat(21),
    'binary:all': range(256, (i) => String.fromCharCode(i)).join(''), 'binary:random': randomBytes(rand, 300),
    'long:64k': range(65536, (i) => String.fromCharCode(97 + (i % 7))).join(''),
  };
  for (const [k, v] of Object.entries(strings)) cmds.push(['SET', k, v]);
  cmds.push(['SET', 'key\x00with\xffbytes', 'v'], ['SET', '', 'empty key name']);
  cmds.push(['SETBIT', 'bitmap', '100000', '1'], ['APPEND', 'appended', 'abc'], ['APPEND', 'appended', 'def']);
  cmds.push(['PFADD', 'hll:sparse', 'a', 'b', 'c'], ['PFADD', 'hll:dense', ...range(4000, (i) => `e${i}`)]);

  // Lists (quicklist in 7.0): one small node, several nodes, nodes bigger than the size limit, count-limited nodes.
  cmds.push(['RPUSH', 'list:small', 'a', '1', '-1', '12345678901', '', '9223372036854775807', 'x'.repeat(100)]);
  cmds.push(['RPUSH', 'list:nodes', ...range(3000, (i) => `element-${i}-${'p'.repeat(i % 20)}`)]);
  cmds.push(['RPUSH', 'list:ints', ...range(2000, (i) => String(i * 7919 - 5_000_000))]);
  cmds.push(['RPUSH', 'list:bigelements', ...range(4, (i) => String(i).repeat(10000))]);
  cmds.push(['CONFIG', 'SET', 'list-compress-depth', '1']);
  cmds.push(['RPUSH', 'list:compressed', ...range(3000, (i) => `compressible-element-${i % 10}-${'z'.repeat(30)}`)]);
  cmds.push(['CONFIG', 'SET', 'list-compress-depth', '0']);
  cmds.push(['CONFIG', 'SET', 'list-max-listpack-size', '5']);
  cmds.push(['RPUSH', 'list:count5', ...range(23, (i) => `c${i}`)]);
  cmds.push(['CONFIG', 'SET', 'list-max-listpack-size', '-2']);

  // Sets: intset of each width and at the 512 limit, hashtable past it or with strings.
  cmds.push(['SADD', 'set:int16', '1', '2', '3', '-5', '32767']);
  cmds.push(['SADD', 'set:int32', '1', '70000', '-2147483648']);
  cmds.push(['SADD', 'set:int64', '1', '9223372036854775807', '-9223372036854775808']);
  cmds.push(['SADD', 'set:intset512', ...range(512, (i) => String(i * 3))]);
  cmds.push(['SADD', 'set:ht513', ...range(513, (i) => String(i * 3))]);
  cmds.push(['SADD', 'set:strings', 'a', 'b', 'c', '']);
  cmds.push(['SADD', 'set:mixed', '1', 'a', '007']);
  cmds.push(['SADD', 'set:big', ...range(2000, (i) => `member:${i}`)]);

  // Sorted sets: listpack up to 128 entries / 64-byte members, skiplist beyond; special and fractional scores.
  cmds.push(['ZADD', 'zset:lp', '1', 'a', '2.5', 'b', '-inf', 'c', '+inf', 'd', '0', 'e', '-0.5', 'f', '1e100', 'g',
    '0.1', 'h', '3', '12', '-1', '-7', '1.7976931348623157e308', 'max']);
  cmds.push(['ZADD', 'zset:lp128', ...range(128, (i) => [String(i / 3), `m${i}`]).flat()]);
  cmds.push(['ZADD', 'zset:sl129', ...range(129, (i) => [String(i / 3), `m${i}`]).flat()]);
  cmds.push(['ZADD', 'zset:lp64', '1', 'm'.repeat(64)]);
  cmds.push(['ZADD', 'zset:sl65', '1', 'm'.repeat(65), '-inf', 'low', 'inf', 'high', '0.30000000000000004', 'frac']);
  cmds.push(['ZADD', 'zset:big', ...range(3000, (i) => [String(Math.floor(i / 2)), `member:${i}`]).flat()]);

  // Hashes: listpack up to 512 entries (Redis 7.0's default) / 64-byte values, hashtable beyond.
  cmds.push(['HSET', 'hash:lp', 'f1', 'v1', 'int', '42', 'neg', '-9223372036854775808', 'empty', '', '', 'empty field']);
  cmds.push(['HSET', 'hash:lp512', ...range(512, (i) => [`f${i}`, String(i)]).flat()]);
  cmds.push(['HSET', 'hash:ht513', ...range(513, (i) => [`f${i}`, String(i)]).flat()]);
  cmds.push(['HSET', 'hash:lp64', 'f', 'v'.repeat(64), 'g'.repeat(64), 'v']);
  cmds.push(['HSET', 'hash:ht65value', 'f', 'v'.repeat(65)]);
  cmds.push(['HSET', 'hash:ht65field', 'g'.repeat(65), 'v']);
  cmds.push(['HSET', 'hash:binary', '\x00\xff', randomBytes(rand, 50), randomBytes(rand, 10), '\r\n']);

  // Streams: several nodes, tombstones, groups, consumers with and without pending entries, claims.
  cmds.push(...range(500, (i) => ['XADD', 'stream:big', `${1000 + i}-${i % 3}`, 'field', `value${i}`, 'n', String(i)]));
  cmds.push(['XDEL', 'stream:big', '1010-1', '1011-2', '1200-2', '1499-2']);
  cmds.push(['XGROUP', 'CREATE', 'stream:big', 'g1', '0']);
  cmds.push(['XGROUP', 'CREATE', 'stream:big', 'g2', '$', 'ENTRIESREAD', '400']);
  cmds.push(['XGROUP', 'CREATE', 'stream:big', 'empty-group', '1100-0']);
  cmds.push(['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '10', 'STREAMS', 'stream:big', '>']);
  cmds.push(['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '5', 'STREAMS', 'stream:big', '>']);
  cmds.push(['XACK', 'stream:big', 'g1', '1000-0', '1003-0']);
  cmds.push(['XCLAIM', 'stream:big', 'g1', 'bob', '0', '1001-1', 'RETRYCOUNT', '7']);
  cmds.push(['XGROUP', 'CREATECONSUMER', 'stream:big', 'g1', 'carol']);
  cmds.push(['XADD', 'stream:fields', '1-1', 'a', '1', 'b', '2']);
  cmds.push(['XADD', 'stream:fields', '1-2', 'a', '3', 'b', '4']);
  cmds.push(['XADD', 'stream:fields', '2-0', 'other', 'x', 'fields', 'y', 'z', '']);
  cmds.push(['XADD', 'stream:fields', '5-0', 'a', '-12345', 'b', '9223372036854775807']);
  cmds.push(['XADD', 'stream:empty', '5-5', 'f', 'v'], ['XDEL', 'stream:empty', '5-5']);
  cmds.push(['XGROUP', 'CREATE', 'stream:empty', 'g', '0']);
  cmds.push(['XADD', 'stream:trimmed', 'MAXLEN', '3', '*', 'f', 'v']);
  cmds.push(...range(10, () => ['XADD', 'stream:trimmed', 'MAXLEN', '3', '*', 'f', 'v']));
  cmds.push(['XSETID', 'stream:trimmed', '99999999999999-5', 'ENTRIESADDED', '100', 'MAXDELETEDID', '7-7']);

  // TTLs on every type.
  cmds.push(['SET', 'ttl:string', 'v', 'PXAT', at(1)]);
  cmds.push(['RPUSH', 'ttl:list', 'a'], ['PEXPIREAT', 'ttl:list', at(2)]);
  cmds.push(['SADD', 'ttl:set', '1'], ['PEXPIREAT', 'ttl:set', at(3)]);
  cmds.push(['ZADD', 'ttl:zset', '1', 'a'], ['PEXPIREAT', 'ttl:zset', at(4)]);
  cmds.push(['HSET', 'ttl:hash', 'f', 'v'], ['PEXPIREAT', 'ttl:hash', at(5)]);
  cmds.push(['XADD', 'ttl:stream', '1-1', 'f', 'v'], ['PEXPIREAT', 'ttl:stream', at(6)]);

  // Other databases, including the last one; the same key name in two databases.
  cmds.push(['SELECT', '1'], ['SET', 'int:0', 'db1'], ['HSET', 'db1:hash', 'f', 'v'], ['SET', 'db1:ttl', 'x', 'PXAT', at(7)]);
  cmds.push(['SELECT', '9'], ['RPUSH', 'db9:list', 'a', 'b'], ['SADD', 'db9:set', 'x']);
  cmds.push(['SELECT', '15'], ['ZADD', 'db15:zset', '1', 'a'], ['SET', 'db15:string', '12345']);
  cmds.push(['SELECT', '0']);

  // A function library: saved as a FUNCTION2 record.
  cmds.push(['FUNCTION', 'LOAD', "#!lua name=fixturelib\nredis.register_function('fixture_fn', function(keys, args) return 1 end)"]);

  // A key whose TTL has passed when SAVE writes it (nothing expires it before): a master drops it on load.
  cmds.push(['DEBUG', 'SET-ACTIVE-EXPIRE', '0'], ['SET', 'expired', 'v', 'PX', '1'], ['DEBUG', 'SLEEP', '0.01']);
  return cmds;
}

/** A few keys of each type: small enough to truncate at every offset. */
export function smallCommands(): string[][] {
  return [
    ['SET', 'str', 'hello'],
    ['SET', 'int', '123456'],
    ['SET', 'lzf', 'abcd'.repeat(10)],
    ['RPUSH', 'list', 'a', 'b', '1'],
    ['SADD', 'intset', '1', '2'],
    ['SADD', 'set', 'x', 'y'],
    ['ZADD', 'zset', '1', 'a', '2', 'b'],
    ['ZADD', 'zsl', '1', 'm'.repeat(70)],
    ['HSET', 'hash', 'f', 'v'],
    ['XADD', 'stream', '1-1', 'f', 'v'],
    ['XGROUP', 'CREATE', 'stream', 'g', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'stream', '>'],
    ['SET', 'ttl', 'v', 'PXAT', String(farFuture)],
    ['SELECT', '3'],
    ['SET', 'other', 'db'],
    ['SELECT', '0'],
  ];
}

/** Many keys of mixed types, for resumable loading and fuzzing at scale. */
export function bigCommands(keys: number): string[][] {
  const cmds: string[][] = [['DEBUG', 'POPULATE', String(keys), 'pop', '12']];
  for (let i = 0; i < keys / 10; i++) {
    cmds.push(['HSET', `h${i}`, 'a', String(i), 'b', `v${i}`]);
    cmds.push(['RPUSH', `l${i}`, 'x', String(i)]);
    cmds.push(['SADD', `s${i}`, String(i), String(i + 1)]);
    cmds.push(['ZADD', `z${i}`, String(i / 7), 'm']);
    if (i % 10 === 0) cmds.push(['PEXPIREAT', `pop:${i}`, String(farFuture + i)]);
  }
  return cmds;
}

// ---- crafted files in formats Redis 7.0 no longer writes -----------------------------------

/** A whole RDB file: header, aux fields, `body`, EOF and CRC64. */
export function rdbFile(version: number, body: (w: RdbWriter) => void): Buffer {
  const w = new RdbWriter();
  w.writeRaw(`REDIS${String(version).padStart(4, '0')}`);
  w.writeType(RDB_OPCODE_AUX);
  w.writeString('redis-ver', false);
  w.writeString('6.2.14', false);
  body(w);
  w.writeType(RDB_OPCODE_EOF);
  const bytes = Buffer.from(w.bytes());
  return version >= 5 ? Buffer.concat([bytes, crc64BytesLE(bytes)]) : bytes;
}

/** Redis's string2ll accepting only canonical integers (what ziplists store as integers). */
function canonicalInt(s: string): bigint | null {
  if (s.length === 0 || s.length > 20 || !/^(0|-?[1-9][0-9]*)$/.test(s)) return null;
  const v = BigInt(s);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : null;
}

/** A ziplist blob (Redis <= 6.2's compact list), entries encoded as ziplistPush would. */
export function ziplist(entries: string[]): Buffer {
  const parts: Buffer[] = [];
  let prevlen = 0;
  let offset = 10;
  let tail = 10;
  for (const e of entries) {
    const prev = prevlen < 254 ? Buffer.from([prevlen]) : Buffer.concat([Buffer.from([0xfe]), u32le(prevlen)]);
    const int = e.length <= 32 ? canonicalInt(e) : null;
    let body: Buffer;
    if (int !== null) body = ziplistInt(int);
    else {
      const data = Buffer.from(e, 'latin1');
      const n = data.length;
      const head =
        n <= 0x3f ? Buffer.from([n]) : n <= 0x3fff ? Buffer.from([0x40 | (n >> 8), n & 0xff]) : Buffer.concat([Buffer.from([0x80]), u32be(n)]);
      body = Buffer.concat([head, data]);
    }
    const entry = Buffer.concat([prev, body]);
    tail = offset;
    offset += entry.length;
    prevlen = entry.length;
    parts.push(entry);
  }
  const total = offset + 1;
  const header = Buffer.alloc(10);
  header.writeUInt32LE(total, 0);
  header.writeUInt32LE(tail, 4);
  header.writeUInt16LE(Math.min(entries.length, 0xffff), 8);
  return Buffer.concat([header, ...parts, Buffer.from([0xff])]);
}

function ziplistInt(v: bigint): Buffer {
  if (v >= 0n && v <= 12n) return Buffer.from([0xf1 + Number(v)]);
  const n = Number(v);
  if (v >= -128n && v <= 127n) return Buffer.from([0xfe, n & 0xff]);
  const b = Buffer.alloc(9);
  if (v >= -32768n && v <= 32767n) {
    b[0] = 0xc0;
    b.writeInt16LE(n, 1);
    return b.subarray(0, 3);
  }
  if (v >= -(2n ** 23n) && v < 2n ** 23n) {
    b[0] = 0xf0;
    b.writeIntLE(n, 1, 3);
    return b.subarray(0, 4);
  }
  if (v >= -(2n ** 31n) && v < 2n ** 31n) {
    b[0] = 0xd0;
    b.writeInt32LE(n, 1);
    return b.subarray(0, 5);
  }
  b[0] = 0xe0;
  b.writeBigInt64LE(v, 1);
  return b;
}

/** A zipmap blob (Redis <= 2.4's small hash): field/value pairs. */
export function zipmap(pairs: Array<[string, string]>): Buffer {
  const len = (n: number) => (n < 254 ? Buffer.from([n]) : Buffer.concat([Buffer.from([254]), u32le(n)]));
  const parts: Buffer[] = [Buffer.from([Math.min(pairs.length, 254)])];
  for (const [f, v] of pairs) {
    parts.push(len(f.length), Buffer.from(f, 'latin1'), len(v.length), Buffer.from([0]), Buffer.from(v, 'latin1'));
  }
  parts.push(Buffer.from([0xff]));
  return Buffer.concat(parts);
}

/** An intset blob: sorted, at the narrowest width holding every value. */
export function intset(values: bigint[]): Buffer {
  const sorted = [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const width = Math.max(2, ...sorted.map(intsetWidthOf)) as IntsetWidth;
  return intsetBlob(sorted.map(String), width);
}

/** A listpack blob of `entries` (as Redis 7.x writes them). */
export function listpack(entries: string[]): Buffer {
  const lp = new ListpackBuilder();
  for (const e of entries) lp.appendString(e);
  return lp.finish();
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
}

function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}

function key(w: RdbWriter, type: number, name: string): void {
  w.writeType(type);
  w.writeString(name, false);
}

function strings(w: RdbWriter, items: string[]): void {
  w.writeLength(items.length);
  for (const s of items) w.writeString(s, false);
}

/** Old (string) double encoding of RDB_TYPE_ZSET: length byte and %.17g text, or 253/254/255 for nan/inf/-inf. */
export function oldDouble(w: RdbWriter, d: number): void {
  if (d === Infinity) w.writeByte(254);
  else if (d === -Infinity) w.writeByte(255);
  else {
    const s = String(d);
    w.writeByte(s.length);
    w.writeRaw(s);
  }
}

/** Keys in RDB 9 (Redis 5/6) encodings, with the value each should load as. */
export function rdb9File(): Buffer {
  const manyInts = range(600, (i) => String(i * 11 - 3000));
  return rdbFile(9, (w) => {
    w.writeType(RDB_OPCODE_AUX);
    w.writeString('ctime', false);
    w.writeString('1700000000', false);
    w.writeType(RDB_OPCODE_SELECTDB);
    w.writeLength(0);
    w.writeType(RDB_OPCODE_RESIZEDB);
    w.writeLength(20);
    w.writeLength(2);
    // Type 0..5: plain encodings.
    key(w, 0, 'string');
    w.writeString('plain', false);
    key(w, 1, 'list:linked');
    strings(w, ['a', '1', 'b'.repeat(100)]);
    key(w, 2, 'set:linked:ints');
    strings(w, ['3', '1', '-2']);
    key(w, 2, 'set:linked:strings');
    strings(w, ['x', 'y', '12']);
    key(w, 2, 'set:linked:many');
    strings(w, manyInts);
    key(w, 3, 'zset:old');
    w.writeLength(4);
    for (const [m, s] of [['a', 1.5], ['b', -Infinity], ['c', Infinity], ['d', 0.1]] as const) {
      w.writeString(m, false);
      oldDouble(w, s);
    }
    key(w, 5, 'zset:2');
    w.writeLength(2);
    w.writeString('m', false);
    w.writeBinaryDouble(2.25);
    w.writeString('n', false);
    w.writeBinaryDouble(-1e300);
    key(w, 4, 'hash:linked');
    w.writeLength(2);
    for (const s of ['f', 'v', 'g', 'w']) w.writeString(s, false);
    key(w, 4, 'hash:linked:big');
    w.writeLength(600);
    for (let i = 0; i < 600; i++) {
      w.writeString(`f${i}`, false);
      w.writeString(String(i), false);
    }
    // Compact encodings.
    key(w, 9, 'hash:zipmap');
    w.writeString(zipmap([['name', 'zipmap'], ['n', '12'], ['empty', '']]), false);
    key(w, 9, 'hash:zipmap:long');
    w.writeString(zipmap([['f', 'v'.repeat(300)]]), false);
    key(w, 10, 'list:ziplist');
    w.writeString(ziplist(['a', '0', '12', '13', '-128', '300', '70000', '9000000', '3000000000', '-9223372036854775808', 'x'.repeat(70), 'y'.repeat(20000)]), true);
    key(w, 11, 'set:intset16');
    w.writeString(intset([5n, -3n, 100n]), false);
    key(w, 11, 'set:intset64');
    w.writeString(intset([1n, 2n ** 62n, -(2n ** 63n)]), false);
    key(w, 11, 'set:intset:over');
    w.writeString(intset(range(600, (i) => BigInt(i * 2))), false);
    key(w, 12, 'zset:ziplist');
    w.writeString(ziplist(['a', '1', 'b', '2.5', 'c', '-inf', 'd', '7']), false);
    key(w, 12, 'zset:ziplist:big');
    w.writeString(ziplist(range(200, (i) => [`m${i}`, String(i)]).flat()), true);
    key(w, 13, 'hash:ziplist');
    w.writeString(ziplist(['f', 'v', 'n', '42', 'e', '']), false);
    key(w, 13, 'hash:ziplist:big');
    w.writeString(ziplist(range(600, (i) => [`f${i}`, String(i)]).flat()), true);
    key(w, 13, 'hash:ziplist:longvalue');
    w.writeString(ziplist(['f', 'v'.repeat(100)]), false);
    key(w, 14, 'list:quicklist');
    w.writeLength(3);
    w.writeString(ziplist(range(50, (i) => `first-${i}`)), true);
    w.writeString(ziplist(range(50, (i) => String(i))), false);
    w.writeString(ziplist(['last']), false);
    // Opcodes before a key: expiry in seconds (RDB < 3 style, still read), in ms, one already past; access times.
    const stringAfter = (opcode: number, arg: () => void, name: string) => {
      w.writeType(opcode);
      arg();
      key(w, 0, name);
      w.writeString(name.toUpperCase(), false);
    };
    stringAfter(RDB_OPCODE_EXPIRETIME, () => w.writeUInt32LE(2_000_000_000), 'ttl:seconds');
    stringAfter(RDB_OPCODE_EXPIRETIME_MS, () => w.writeMillisecondTime(farFuture + 99), 'ttl:ms');
    stringAfter(RDB_OPCODE_EXPIRETIME_MS, () => w.writeMillisecondTime(1_000_000), 'ttl:past');
    stringAfter(RDB_OPCODE_IDLE, () => w.writeLength(1000), 'idle:1000');
    stringAfter(RDB_OPCODE_FREQ, () => w.writeByte(77), 'freq:77');
    w.writeType(RDB_OPCODE_SELECTDB);
    w.writeLength(2);
    key(w, 13, 'db2:hash');
    w.writeString(ziplist(['a', 'b']), false);
  });
}

/** RDB 11 (Redis 7.2): a set stored as a listpack (type 20). Members of each key given alongside. */
export const rdb11Sets: Record<string, string[]> = {
  'set:lp:strings': ['a', 'b', 'hello'],
  'set:lp:mixed': ['1', 'x', '-5', '9223372036854775807'],
  'set:lp:ints': ['1', '2', '3'],
};

export function rdb11File(): Buffer {
  return rdbFile(11, (w) => {
    w.writeType(RDB_OPCODE_SELECTDB);
    w.writeLength(0);
    for (const [name, members] of Object.entries(rdb11Sets)) {
      key(w, 20, name);
      w.writeString(listpack(members), false);
    }
    key(w, 0, 'string');
    w.writeString('v11', false);
  });
}

/** RDB 12 (Redis 7.4): SLOT_INFO records (opcode 244) around ordinary keys. */
export function rdb12File(): Buffer {
  return rdbFile(12, (w) => {
    w.writeType(RDB_OPCODE_SELECTDB);
    w.writeLength(0);
    w.writeType(RDB_OPCODE_RESIZEDB);
    w.writeLength(2);
    w.writeLength(0);
    w.writeType(244);
    w.writeLength(1234);
    w.writeLength(2);
    w.writeLength(0);
    key(w, 0, 'a');
    w.writeString('1', false);
    key(w, 16, 'h');
    w.writeString(listpack(['f', 'v']), false);
  });
}
