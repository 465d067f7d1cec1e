// Corrupt DUMP payloads of every type: truncated, bit-flipped and
// byte-replaced (with the checksum fixed up, so the bytes reach the object
// parser). The parser must answer an RdbFormatError every time, never another
// exception; whatever it accepts must serialise again. A live server fed the
// same kind of payloads answers each RESTORE with OK or an error and stays up.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Crc64, crc64BytesLE } from '../src/persistence/crc64.js';
import { createDumpPayload, parseDumpPayload } from '../src/persistence/dump.js';
import { intsetBlob } from '../src/persistence/intset.js';
import { defaultRdbLoadLimits, readObject, writeObject } from '../src/persistence/rdb-object.js';
import {
  RDB_TYPE_HASH_ZIPLIST,
  RDB_TYPE_HASH_ZIPMAP,
  RDB_TYPE_LIST,
  RDB_TYPE_LIST_QUICKLIST,
  RDB_TYPE_LIST_ZIPLIST,
  RDB_TYPE_SET_INTSET,
  RDB_TYPE_ZSET,
  RDB_TYPE_ZSET_ZIPLIST,
  RdbFormatError,
  RdbReader,
  RdbWriter,
} from '../src/persistence/rdb-string.js';
import { listpack, ziplist, zipmap } from './helpers/rdb-fixtures.js';
import { RawConnection } from './helpers/resp.js';
import { startTandem, type RunningServer } from './helpers/servers.js';

type Arg = string | Buffer;

/** Commands building one key of each type and encoding; the key name says what it is. */
function corpusCommands(): Arg[][] {
  const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
  return [
    ['SET', 'str:int', '123456'],
    ['SET', 'str:raw', 'hello world'],
    ['SET', 'str:lzf', 'abc'.repeat(100)],
    ['RPUSH', 'list:small', 'a', '1', '-300', '70000', '5000000000', 'x'.repeat(100)],
    ['RPUSH', 'list:nodes', ...many(1500, (i) => `element-${i % 97}-${'p'.repeat(i % 30)}`)],
    ['SADD', 'set:intset', '1', '-2', '40000', '5000000000'],
    ['SADD', 'set:ht', 'a', 'b', 'c', '1'],
    ['ZADD', 'zset:lp', '1', 'a', '2.5', 'b', '-inf', 'c', '1e300', 'd'],
    ['ZADD', 'zset:skip', ...many(300, (i) => (i % 2 === 0 ? String(i / 3) : `m${i}`))],
    ['HSET', 'hash:lp', 'f', 'v', '1', '2', 'long', 'l'.repeat(50)],
    ['HSET', 'hash:ht', ...many(1030, (i) => `k${i}`)],
    ['XADD', 'stream', '1-1', 'a', '1', 'b', '2'],
    ['XADD', 'stream', '1-2', 'a', '3', 'b', '4'],
    ['XADD', 'stream', '2-1', 'c', 'other'],
    ['XDEL', 'stream', '1-2'],
    ['XGROUP', 'CREATE', 'stream', 'g1', '0'],
    ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '1', 'STREAMS', 'stream', '>'],
    ['XGROUP', 'CREATECONSUMER', 'stream', 'g1', 'bob'],
  ];
}

/** Payloads in the encodings Redis 7.0 only reads. */
function oldPayloads(): Buffer[] {
  const make = (type: number, body: (w: RdbWriter) => void): Buffer => {
    const w = new RdbWriter();
    w.writeType(type);
    body(w);
    w.writeUInt16LE(9);
    const bytes = Buffer.from(w.bytes());
    return Buffer.concat([bytes, crc64BytesLE(bytes)]);
  };
  const blob = (b: Buffer) => (w: RdbWriter) => w.writeString(b, false);
  return [
    make(RDB_TYPE_LIST, (w) => {
      w.writeLength(3);
      for (const s of ['a', '12', 'ccc']) w.writeString(s, false);
    }),
    make(RDB_TYPE_ZSET, (w) => {
      w.writeLength(2);
      w.writeString('a', false);
      w.writeByte(3);
      w.writeRaw('1.5');
      w.writeString('b', false);
      w.writeByte(254);
    }),
    make(RDB_TYPE_HASH_ZIPMAP, blob(zipmap([['a', '1'], ['bb', 'x'.repeat(300)]]))),
    make(RDB_TYPE_LIST_ZIPLIST, blob(ziplist(['a', '5', '-100', '40000', '9000000', '5000000000', 'y'.repeat(300)]))),
    make(RDB_TYPE_SET_INTSET, blob(intsetBlob(['-7', '3', '9'], 4))),
    make(RDB_TYPE_ZSET_ZIPLIST, blob(ziplist(['a', '1', 'b', '2.5']))),
    make(RDB_TYPE_HASH_ZIPLIST, blob(ziplist(['f', 'v', 'g', '12']))),
    make(RDB_TYPE_LIST_QUICKLIST, (w) => {
      w.writeLength(2);
      w.writeString(ziplist(['a', 'b']), false);
      w.writeString(ziplist(['1', '2', '3']), false);
    }),
    make(20, blob(listpack(['1', 'two', '3']))),
  ];
}

function fixChecksum(p: Buffer): void {
  new Crc64().update(p, 0, p.length - 8).writeLE(p, p.length - 8);
}

/** Parses a payload's object directly: only RdbFormatError may come out; an accepted value must serialise again. */
function parseOrFormatError(p: Buffer): void {
  try {
    const value = readObject(new RdbReader(p, 1), p[0], defaultRdbLoadLimits);
    if (value !== null) writeObject(new RdbWriter(), value, true);
  } catch (e) {
    if (!(e instanceof RdbFormatError)) throw e;
  }
}

function prng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

/** Corrupted copies of `good`: bit flips and byte replacements in the object bytes, checksum fixed. */
function* corruptions(good: Buffer, count: number, rnd: () => number): Generator<Buffer> {
  const body = good.length - 10;
  for (let i = 0; i < count; i++) {
    const bad = Buffer.from(good);
    const edits = 1 + Math.floor(rnd() * 3);
    for (let k = 0; k < edits; k++) {
      const at = Math.floor(rnd() * body);
      if (rnd() < 0.7) bad[at] ^= 1 << Math.floor(rnd() * 8);
      else bad[at] = Math.floor(rnd() * 256);
    }
    fixChecksum(bad);
    yield bad;
  }
}

describe('corrupt DUMP payloads', () => {
  let tandem: RunningServer | undefined;
  let conn: RawConnection;
  const corpus: Array<[string, Buffer]> = [];
  before(async () => {
    tandem = await startTandem(['--list-max-listpack-size', '16', '--list-compress-depth', '1']);
    conn = await RawConnection.open(tandem.port);
    for (const cmd of corpusCommands()) await conn.call(...cmd);
    for (const key of ['str:int', 'str:raw', 'str:lzf', 'list:small', 'list:nodes', 'set:intset', 'set:ht', 'zset:lp', 'zset:skip', 'hash:lp', 'hash:ht', 'stream']) {
      const reply = await conn.call('DUMP', key);
      const nl = reply.indexOf('\r\n');
      corpus.push([key, reply.subarray(nl + 2, reply.length - 2)]);
    }
    oldPayloads().forEach((p, i) => corpus.push([`old:${i}`, p]));
  });
  after(async () => {
    conn?.close();
    await tandem?.stop();
  });

  test('the corpus parses and re-serialises to the same payload', () => {
    for (const [name, p] of corpus) {
      const parsed = parseDumpPayload(p, { limits: { ...defaultRdbLoadLimits, listMaxListpackSize: 16, listCompressDepth: 1 } });
      assert.ok(!('error' in parsed), `${name}: ${'error' in parsed ? parsed.error : ''}`);
      if (!name.startsWith('old:')) assert.equal(createDumpPayload(parsed.value, true, { listMaxListpackSize: 16, listCompressDepth: 1 }).toString('hex'), p.toString('hex'), name);
    }
  });

  test('every truncation is a format error', () => {
    for (const [name, p] of corpus) {
      const step = Math.max(1, Math.floor(p.length / 400));
      for (let cut = 1; cut < p.length - 10; cut += step) {
        const bad = Buffer.concat([p.subarray(0, cut), p.subarray(p.length - 10)]);
        fixChecksum(bad);
        assert.doesNotThrow(() => parseOrFormatError(bad), `${name} cut at ${cut}`);
        const r = parseDumpPayload(bad);
        assert.ok('error' in r || r.value !== undefined, name);
      }
    }
  });

  test('bit flips and byte replacements are format errors or valid values', () => {
    const rnd = prng(2024);
    for (const [name, p] of corpus) {
      for (const bad of corruptions(p, 600, rnd)) {
        assert.doesNotThrow(() => parseOrFormatError(bad), `${name}: ${bad.toString('hex').slice(0, 200)}`);
      }
    }
  });

  test('a live server answers every corrupt RESTORE and stays up', async () => {
    const rnd = prng(7);
    let n = 0;
    for (const [name, p] of corpus) {
      for (const bad of corruptions(p, 40, rnd)) {
        const reply = (await conn.call('RESTORE', `fuzz:${n++}`, '0', bad)).toString('latin1');
        assert.ok(reply === '+OK\r\n' || reply === '-ERR Bad data format\r\n', `${name}: ${reply}`);
      }
      const cut = Buffer.from(p.subarray(0, Math.floor(p.length / 2)));
      const reply = (await conn.call('RESTORE', `fuzz:${n++}`, '0', cut)).toString('latin1');
      assert.equal(reply, '-ERR DUMP payload version or checksum are wrong\r\n', name);
    }
    assert.equal((await conn.call('PING')).toString(), '+PONG\r\n');
    // Whatever was accepted is a working value.
    const keys = (await conn.call('KEYS', 'fuzz:*')).toString('latin1').split('\r\n').filter((l) => l.startsWith('fuzz:'));
    for (const k of keys) assert.equal((await conn.call('DUMP', k))[0], 0x24, `DUMP ${k}`);
  });
});
