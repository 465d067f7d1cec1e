import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { ListpackBuilder, readListpack } from '../src/persistence/listpack.js';
import { RdbFormatError, RdbReader } from '../src/persistence/rdb-string.js';
import { redisAvailable, startRedis, type RunningServer } from './helpers/servers.js';
import { RawConnection } from './helpers/resp.js';

function build(values: string[]): Buffer {
  const b = new ListpackBuilder();
  for (const v of values) b.appendString(v);
  return b.finish();
}

/** Values around every encoding and back-length boundary. */
const intBoundaries = [
  0, 1, 127, 128, -1, -4096, -4097, 4095, 4096, -32768, -32769, 32767, 32768, -8388608, -8388609, 8388607, 8388608,
  -2147483648, -2147483649, 2147483647, 2147483648,
].map(String).concat(['9007199254740993', '9223372036854775807', '-9223372036854775808']);
const notInts = ['', '-', '-0', '+1', '01', ' 1', '1 ', '9223372036854775808', '-9223372036854775809', '1.5', '0x10'];
const strLens = [1, 63, 64, 125, 126, 127, 4095, 4096, 16377, 16378, 16379];

describe('listpack encoding', () => {
  test('integer encodings', () => {
    const cases: Array<[string, string]> = [
      ['0', '00'],
      ['127', '7f'],
      ['128', 'c080'],
      ['-1', 'dfff'],
      ['4095', 'cfff'],
      ['-4096', 'd000'],
      ['4096', 'f10010'],
      ['-32768', 'f10080'],
      ['32768', 'f2008000'],
      ['-8388608', 'f2000080'],
      ['8388608', 'f300008000'],
      ['-2147483648', 'f300000080'],
      ['2147483648', 'f40000008000000000'],
      ['-9223372036854775808', 'f40000000000000080'],
    ];
    for (const [v, enc] of cases) {
      const lp = build([v]);
      assert.equal(lp.subarray(6, lp.length - 2).toString('hex'), enc, v); // minus backlen and terminator
      assert.equal(lp[lp.length - 2], enc.length / 2);
      assert.deepEqual(readListpack(lp), [v]);
    }
  });

  test('string encodings and back-lengths', () => {
    for (const len of [0, ...strLens, 2097146, 2097147]) {
      const s = 'x'.repeat(len);
      const lp = build([s, 'a']);
      const hdr = len < 64 ? 1 : len < 4096 ? 2 : 5;
      const entry = hdr + len;
      const bl = entry <= 127 ? 1 : entry < 16383 ? 2 : entry < 2097151 ? 3 : 4;
      assert.equal(lp.length, 6 + entry + bl + 3 + 1, `len ${len}`);
      assert.deepEqual(readListpack(lp), [s, 'a']);
    }
    assert.equal(build(['ab']).toString('hex'), '0b000000010082616203ff');
  });

  test('non-canonical integers stay strings', () => {
    for (const v of notInts) {
      const lp = build([v]);
      assert.equal(lp[6] & 0xc0, 0x80, JSON.stringify(v));
      assert.deepEqual(readListpack(lp), [v]);
    }
  });

  test('appendInteger and count header', () => {
    const b = new ListpackBuilder();
    b.appendInteger(5n);
    b.appendInteger(-(2n ** 63n));
    b.appendInteger(123456789012);
    assert.equal(b.count, 3);
    const lp = b.finish();
    assert.equal(b.bytes, lp.length);
    assert.deepEqual(readListpack(lp), ['5', '-9223372036854775808', '123456789012']);
    for (const n of [65534, 65535, 65536]) {
      const big = new ListpackBuilder();
      for (let i = 0; i < n; i++) big.appendInteger(i & 127);
      const blob = big.finish();
      assert.equal(blob.readUInt16LE(4), Math.min(n, 65535));
      assert.equal(readListpack(blob).length, n);
    }
  });

  test('corrupt blobs throw RdbFormatError, never loop or overrun', () => {
    const good = build(['hello', '1', '-300', 'x'.repeat(200), '70000']);
    for (let cut = 0; cut < good.length; cut++) {
      assert.throws(() => readListpack(good.subarray(0, cut)), RdbFormatError);
    }
    let seed = 7;
    for (let i = 0; i < 3000; i++) {
      const bad = Buffer.from(good);
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const at = seed % bad.length;
      bad[at] ^= 1 << ((seed >>> 16) & 7);
      try {
        readListpack(bad);
      } catch (e) {
        assert.ok(e instanceof RdbFormatError, String(e));
      }
    }
    const wrongCount = Buffer.from(good);
    wrongCount[4] = 9;
    assert.throws(() => readListpack(wrongCount, 100), (e: RdbFormatError) => e.offset === 104);
  });
});

describe('listpack encoding vs real Redis', { skip: !redisAvailable() }, () => {
  let redis: RunningServer;
  let conn: RawConnection;
  before(async () => {
    redis = await startRedis(['--rdbcompression', 'no', '--list-max-listpack-size', '-5']);
    conn = await RawConnection.open(redis.port);
  });
  after(async () => {
    conn?.close();
    await redis?.stop();
  });

  /** The listpack of a one-node quicklist that real Redis builds from RPUSH of `values`. */
  async function redisListpack(values: string[]): Promise<Buffer> {
    await conn.call('DEL', 'l');
    await conn.call('RPUSH', 'l', ...values.map((v) => Buffer.from(v, 'latin1')));
    const reply = await conn.call('DUMP', 'l');
    const nl = reply.indexOf('\r\n');
    const payload = reply.subarray(nl + 2, reply.length - 2);
    const r = new RdbReader(payload);
    assert.equal(r.readType(), 18);
    assert.equal(r.readLen(), 1);
    assert.equal(r.readLen(), 2);
    return Buffer.from(r.readStringBytes());
  }

  test('every boundary value, one per listpack', async () => {
    const values = [...intBoundaries, ...notInts.filter((v) => v !== ''), ...strLens.map((n) => 'y'.repeat(n))];
    for (const v of values) {
      assert.deepEqual(build([v]), await redisListpack([v]), `value ${JSON.stringify(v.slice(0, 30))}`);
    }
  });

  test('mixed listpack with binary data', async () => {
    const bin = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
    const values = [...intBoundaries, bin, 'abc', '', '12', bin.slice(100)];
    assert.deepEqual(build(values), await redisListpack(values));
  });
});
