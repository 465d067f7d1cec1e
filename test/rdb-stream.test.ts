// Streams in RDB form against real Redis 7.0: every stream here is built by
// the same commands on redis-server and on an in-process Tandem. Redis's DUMP
// payload must load into a StreamValue that writes back to the very same
// bytes and answers XINFO as Redis does; Tandem's own stream (its times set
// to Redis's, the only thing that differs) must write Redis's bytes too, and
// Redis must accept it. Older (type 15) and newer (type 21) encodings are
// made from Redis's payloads; damaged payloads must fail cleanly.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Crc64 } from '../src/persistence/crc64.js';
import { defaultRdbLoadLimits } from '../src/persistence/rdb-object.js';
import { nodeListpack, readStreamObject, writeStreamObject } from '../src/persistence/rdb-stream.js';
import { RDB_VERSION, RdbFormatError, RdbReader, RdbWriter } from '../src/persistence/rdb-string.js';
import { StreamValue } from '../src/store/stream.js';
import { inProcessServer, type InProcessServer } from './helpers/in-process.js';
import { RawConnection } from './helpers/resp.js';
import { redisAvailable, startRedis, type RunningServer } from './helpers/servers.js';

const limits = defaultRdbLoadLimits;

const words = (s: string): string[] => s.split(' ');

/** `n` entries with explicit IDs from `from`-1 on, fields chosen by `pairs`. */
function xadds(n: number, from: number, pairs: (i: number) => string[], key = 's'): string[][] {
  return Array.from({ length: n }, (_, k) => ['XADD', key, `${from + k}-1`, ...pairs(from + k)]);
}

interface Scenario {
  name: string;
  commands: string[][];
  /** Commands run on both after the loaded stream replaced Tandem's own. */
  after?: string[][];
}

const long = (n: number, c: string): string => c.repeat(n);

const scenarios: Scenario[] = [
  {
    name: 'same fields across several nodes',
    commands: [words('CONFIG SET stream-node-max-entries 4'), ...xadds(19, 1, (i) => ['f', String(i), 'g', `v${i * 7}`])],
    after: [words('XADD s 100-1 f 1 g 2'), words('XADD s 100-2 other 1')],
  },
  {
    name: 'different fields and every listpack element encoding',
    commands: [
      words('CONFIG SET stream-node-max-entries 6'),
      words('XADD s 1-1 a 1 b 2'),
      words('XADD s 1-2 a 3 b 4'),
      words('XADD s 1-3 b 1 a 2'),
      words('XADD s 1-4 a 1'),
      ['XADD', 's', '2-0', 'a', '-1', 'b', '127', 'c', '128', 'd', '-4096', 'e', '4095', 'f', '-4097'],
      ['XADD', 's', '2-1', 'a', '32767', 'b', '-32769', 'c', '8388607', 'd', '-8388609', 'e', '2147483647'],
      ['XADD', 's', '2-2', 'a', '-2147483649', 'b', '9223372036854775807', 'c', '-9223372036854775808'],
      ['XADD', 's', '2-3', 'a', '9223372036854775808', 'b', '007', 'c', '-0', 'd', '+5', 'e', ' 1', 'f', ''],
      ['XADD', 's', '3-0', long(63, 'x'), long(64, 'y'), 'z', long(4095, 'z'), 'w', long(4096, 'w')],
      ['XADD', 's', '3-1', 'bin\x00\xff', '\r\n\x80', '12', '34'],
      ['XADD', 's', '4-0', long(70000, 'q'), 'v'],
      ['XADD', 's', '4-1', 'a', '1', 'b', '2'],
    ],
    after: [words('XADD s 5-0 a 1 b 2')],
  },
  {
    name: 'IDs far apart in one node (deltas wrap around int64)',
    commands: [
      words('CONFIG SET stream-node-max-entries 100'),
      words('XADD s 0-1 f 1'),
      words('XADD s 0-18446744073709551615 f 2'),
      words('XADD s 9223372036854775807-5 f 3'),
      words('XADD s 9223372036854775808-0 f 4'),
      words('XADD s 18446744073709551614-18446744073709551615 f 5'),
      words('XADD s 18446744073709551615-0 f 6'),
    ],
    after: [words('XADD s 18446744073709551615-7 f 7')],
  },
  {
    name: 'tombstones: XDEL, exact and approximate trims, a node emptied by XDEL',
    commands: [
      words('CONFIG SET stream-node-max-entries 5'),
      ...xadds(30, 1, (i) => (i % 3 === 0 ? ['x', String(i)] : ['f', String(i), 'g', 'same'])),
      words('XDEL s 3-1 4-1 12-1 30-1'),
      words('XDEL s 16-1 17-1 18-1 19-1 20-1'),
      words('XTRIM s MAXLEN 19'),
      words('XTRIM s MINID 9-1'),
      words('XTRIM s MAXLEN ~ 10'),
    ],
    after: [words('XADD s 40-1 f 1 g same'), words('XDEL s 22-1'), words('XADD s 40-2 f 2 g same')],
  },
  {
    name: 'a node left with only tombstones by MINID',
    commands: [
      words('CONFIG SET stream-node-max-entries 10'),
      words('XADD s 1-1 f 1'),
      words('XADD s 5-1 f 2'),
      words('XDEL s 5-1'),
      words('XTRIM s MINID 3'),
    ],
    after: [words('XADD s 6-1 f 3'), words('XTRIM s MAXLEN 0')],
  },
  {
    name: 'empty stream after XDEL of everything',
    commands: [words('XADD s 1-1 a 1'), words('XADD s 2-2 a 2'), words('XDEL s 1-1 2-2')],
    after: [words('XADD s 3-0 a 3')],
  },
  {
    name: 'MAXLEN 0 and XSETID',
    commands: [
      words('XADD s MAXLEN 0 7-7 a 1'),
      words('XSETID s 9-9 ENTRIESADDED 12 MAXDELETEDID 8-0'),
    ],
    after: [words('XADD s 10-0 a 1')],
  },
  {
    name: 'tombstone above the last ID (XSETID below a deleted entry, then XADD)',
    commands: [
      words('XADD s 1-1 a 1'),
      words('XADD s 2-1 a 2'),
      words('XADD s 3-1 a 3'),
      words('XDEL s 3-1'),
      words('XSETID s 2-5'),
      words('XADD s 2-6 a 4'),
    ],
  },
  {
    name: 'consumer groups, consumers and PELs',
    commands: [
      words('CONFIG SET stream-node-max-entries 3'),
      ...xadds(12, 1, (i) => ['f', String(i)]),
      words('XGROUP CREATE s g1 0'),
      words('XGROUP CREATE s g2 $'),
      ['XGROUP', 'CREATE', 's', long(40, 'G'), '0'],
      words('XGROUP CREATE s g3 5-1 ENTRIESREAD 3'),
      words('XREADGROUP GROUP g1 alice COUNT 4 STREAMS s >'),
      words('XREADGROUP GROUP g1 bob COUNT 3 STREAMS s >'),
      ['XREADGROUP', 'GROUP', long(40, 'G'), long(30, 'c'), 'COUNT', '2', 'STREAMS', 's', '>'],
      words('XREADGROUP GROUP g3 zed STREAMS s >'),
      words('XACK s g1 2-1 6-1'),
      words('XCLAIM s g1 carol 0 3-1 5-1'),
      words('XCLAIM s g1 carol 0 4-1 JUSTID'),
      words('XAUTOCLAIM s g1 dave 0 0 COUNT 1'),
      words('XGROUP CREATECONSUMER s g1 erin'),
      words('XGROUP CREATECONSUMER s g2 idle'),
      words('XDEL s 1-1 7-1'),
      words('XREADGROUP GROUP g1 bob STREAMS s 0'),
      words('XGROUP SETID s g2 10-1 ENTRIESREAD 10'),
    ],
    after: [words('XADD s 13-1 f 13'), words('XREADGROUP GROUP g2 bob COUNT 1 STREAMS s >'), words('XACK s g1 5-1')],
  },
  {
    name: 'many entries with the default node limits (nodes cut by bytes)',
    commands: xadds(1500, 1, (i) => ['sensor', `s${i % 7}`, 'temp', String((i * 37) % 1000), 'note', long(i % 50, 'n')]),
    after: [words('XADD s 2000-0 sensor s1 temp 5 note x')],
  },
];

/** The bytes of a bulk string reply. */
function bulkOf(reply: Buffer): Buffer {
  const eol = reply.indexOf('\r\n');
  assert.equal(reply[0], 0x24, `expected a bulk reply, got ${reply.toString('latin1')}`);
  const n = Number(reply.subarray(1, eol).toString());
  return reply.subarray(eol + 2, eol + 2 + n);
}

/** Type byte + body of a DUMP payload, after checking its footer. */
function objectOf(payload: Buffer): Buffer {
  const footer = payload.length - 10;
  assert.equal(payload.readUInt16LE(footer), RDB_VERSION);
  assert.ok(new Crc64().update(payload, 0, payload.length - 8).equalsLE(payload, footer + 2), 'CRC64');
  return payload.subarray(0, footer);
}

/** A DUMP payload around an object. */
function payloadOf(object: Uint8Array): Buffer {
  const w = new RdbWriter();
  w.writeRaw(object);
  w.writeUInt16LE(RDB_VERSION);
  const body = Buffer.from(w.bytes());
  const out = Buffer.alloc(body.length + 8);
  body.copy(out);
  new Crc64().update(body).writeLE(out, body.length);
  return out;
}

function load(object: Uint8Array): StreamValue {
  const r = new RdbReader(object);
  const type = r.readType();
  assert.ok(type === 15 || type === 19 || type === 21, `stream type, got ${type}`);
  const s = readStreamObject(r, type, limits);
  assert.equal(r.offset, object.length, 'the whole object is read');
  return s;
}

function write(s: StreamValue, compress = true): Buffer {
  const w = new RdbWriter();
  writeStreamObject(w, s, compress);
  return Buffer.from(w.bytes());
}

/** Gives `own` the delivery and seen times of `ref` (the one thing two servers cannot share). */
function copyTimes(own: StreamValue, ref: StreamValue): void {
  for (const [name, group] of own.sortedGroups()) {
    const refGroup = ref.groups?.get(name);
    assert.ok(refGroup, `group ${name}`);
    for (const [id, nack] of group.pel.entries()) nack.deliveryTime = refGroup.pel.get(id)?.deliveryTime ?? -1;
    for (const consumer of group.consumers.values()) {
      consumer.seenTime = refGroup.consumers.get(consumer.name)?.seenTime ?? -1;
    }
  }
}

/**
 * Re-encodes a type 19 object as type 15 (dropping what 7.0 added) or 21
 * (adding consumers' active time), copying every other byte.
 */
function transcode(object: Buffer, to: 15 | 21): Buffer {
  const r = new RdbReader(object);
  assert.equal(r.readType(), 19);
  const w = new RdbWriter();
  w.writeType(to);
  const copy = (read: () => unknown): void => {
    const start = r.offset;
    read();
    w.writeRaw(object.subarray(start, r.offset));
  };
  const lengthBytes = (): void => {
    const b = r.readByte();
    if (b >> 6 === 1) r.readByte();
    else if (b === 0x80) r.readRaw(4);
    else if (b === 0x81) r.readRaw(8);
  };
  const count = (): number => {
    const start = r.offset;
    const n = r.readLen();
    w.writeRaw(object.subarray(start, r.offset));
    return n;
  };
  const str = (): void => copy(() => r.readStringBytes());
  const len = (): void => copy(lengthBytes);
  for (let n = count(); n > 0; n--) str(), str();
  len(), len(), len(); // length, last ID
  for (let i = 0; i < 5; i++) (to === 15 ? lengthBytes : len)(); // first ID, max deleted ID, entries added
  for (let g = count(); g > 0; g--) {
    str(), len(), len();
    (to === 15 ? lengthBytes : len)(); // entries read
    for (let p = count(); p > 0; p--) copy(() => r.readRaw(16)), copy(() => r.readRaw(8)), len();
    for (let c = count(); c > 0; c--) {
      str();
      const seen = r.readMillisecondTime();
      w.writeMillisecondTime(seen);
      if (to === 21) w.writeMillisecondTime(seen + 1234);
      for (let p = count(); p > 0; p--) copy(() => r.readRaw(16));
    }
  }
  assert.equal(r.offset, object.length);
  return Buffer.from(w.bytes());
}

/** Replies of both servers to the read-only views of stream `key`, which must be identical. */
const views = (key: string): string[][] => [
  ['XINFO', 'STREAM', key, 'FULL', 'COUNT', '0'],
  ['XINFO', 'STREAM', key],
  ['XINFO', 'GROUPS', key],
  ['XRANGE', key, '-', '+'],
  ['XREVRANGE', key, '+', '-', 'COUNT', '3'],
  ['XLEN', key],
  ['OBJECT', 'ENCODING', key],
];

const skip = redisAvailable() ? false : 'redis-server not installed';

describe('stream RDB encoding against Redis 7.0', { skip }, () => {
  let redis: RunningServer;
  let r: RawConnection;
  const tandem: InProcessServer = inProcessServer();

  before(async () => {
    redis = await startRedis(['--sanitize-dump-payload', 'yes']);
    r = await RawConnection.open(redis.port);
  });
  after(async () => {
    r?.close();
    await redis?.stop();
  });

  /** Runs `commands` on both (fresh), asserting equal replies apart from times. */
  async function build(commands: string[][]): Promise<void> {
    for (const c of [['FLUSHALL'], words('CONFIG SET stream-node-max-entries 100')]) {
      await r.call(...c);
      tandem.call(...c);
    }
    await r.call('CONFIG', 'SET', 'rdbcompression', 'yes');
    for (const c of commands) {
      const expected = (await r.call(...c)).toString('latin1');
      const actual = tandem.call(...c);
      if (!/^(XREADGROUP|XCLAIM|XAUTOCLAIM)$/.test(c[0])) assert.equal(actual, expected, `reply to ${c.join(' ')}`);
      else assert.equal(actual.slice(0, 1), expected.slice(0, 1), `reply type to ${c.join(' ')}`);
    }
  }

  /** `maskTimes`: delivery and seen times set by commands both servers ran (a few ms apart) are not compared. */
  async function assertSameViews(key: string, maskTimes = false): Promise<void> {
    const mask = (reply: string) => (maskTimes ? reply.replace(/:1\d{12}\r\n/g, ':<time>\r\n') : reply);
    for (const c of views(key)) {
      assert.equal(mask(tandem.call(...c)), mask((await r.call(...c)).toString('latin1')), `reply to ${c.join(' ')}`);
    }
  }

  function tandemStream(key: string): StreamValue {
    const v = tandem.server.dbs[0].lookup(key, false);
    assert.ok(v instanceof StreamValue);
    return v;
  }

  /** RESTOREs a payload into Tandem under `key`; Tandem's DUMP of it must be `expected` byte for byte. */
  function restoreIntoTandem(key: string, payload: Buffer, expected: Buffer = payload): void {
    assert.equal(tandem.call('RESTORE', key, '0', payload.toString('latin1'), 'REPLACE'), '+OK\r\n');
    assert.deepEqual(bulkOf(Buffer.from(tandem.call('DUMP', key), 'latin1')), expected);
  }

  for (const sc of scenarios) {
    test(sc.name, async () => {
      await build(sc.commands);
      const redisPayload = bulkOf(await r.call('DUMP', 's'));
      const redisObject = objectOf(redisPayload);

      // Redis's payload loads and writes back byte for byte.
      const loaded = load(redisObject);
      assert.deepEqual(write(loaded), redisObject);
      for (const node of loaded.storedNodes()) assert.equal(nodeListpack(node).length, node.bytes, 'node byte accounting');

      // Tandem's own stream is the same bytes once its times are Redis's; Redis accepts it.
      const own = tandemStream('s');
      copyTimes(own, loaded);
      const ownObject = write(own);
      assert.deepEqual(ownObject, redisObject);
      assert.equal((await r.call('RESTORE', 'copy', '0', payloadOf(ownObject))).toString(), '+OK\r\n');

      // Without compression too.
      await r.call('CONFIG', 'SET', 'rdbcompression', 'no');
      assert.deepEqual(write(loaded, false), objectOf(bulkOf(await r.call('DUMP', 's'))));
      await r.call('CONFIG', 'SET', 'rdbcompression', 'yes');

      // RESTORE into Tandem: DUMP gives Redis's payload back, and the stream behaves as Redis's, also under writes.
      restoreIntoTandem('s', redisPayload);
      await assertSameViews('s');
      for (const c of sc.after ?? []) assert.equal(tandem.call(...c), (await r.call(...c)).toString('latin1'), c.join(' '));
      await assertSameViews('s', true);
      const afterObject = objectOf(bulkOf(await r.call('DUMP', 's')));
      const redisAfter = load(afterObject);
      const ownAfter = tandemStream('s');
      copyTimes(ownAfter, redisAfter);
      assert.deepEqual(write(ownAfter), afterObject);
    });
  }

  test('type 15 (Redis 5 to 6.2) loads as Redis 7.0 loads it', async () => {
    for (const sc of scenarios) {
      await build(sc.commands);
      const object = objectOf(bulkOf(await r.call('DUMP', 's')));
      const old = transcode(object, 15);
      assert.equal((await r.call('RESTORE', 'old', '0', payloadOf(old))).toString(), '+OK\r\n', sc.name);
      const upgraded = bulkOf(await r.call('DUMP', 'old'));
      assert.deepEqual(write(load(old)), objectOf(upgraded), sc.name);
      restoreIntoTandem('old', payloadOf(old), upgraded);
      await assertSameViews('old');
    }
  });

  test('type 21 (Redis 7.2) loads, consumer active times dropped', async () => {
    for (const sc of scenarios) {
      await build(sc.commands);
      const object = objectOf(bulkOf(await r.call('DUMP', 's')));
      assert.deepEqual(write(load(transcode(object, 21))), object, sc.name);
    }
  });

  test('an empty type 15 stream records the highest ID as its first', async () => {
    await build([words('XADD s 1-1 a 1'), words('XDEL s 1-1'), words('XGROUP CREATE s g 0')]);
    const old = transcode(objectOf(bulkOf(await r.call('DUMP', 's'))), 15);
    await r.call('RESTORE', 'old', '0', payloadOf(old));
    restoreIntoTandem('old', payloadOf(old), bulkOf(await r.call('DUMP', 'old')));
    await assertSameViews('old');
  });

  test('truncated and bit-flipped payloads fail with RdbFormatError, never anything else', async () => {
    const groups = scenarios.find((sc) => sc.name.startsWith('consumer groups')) as Scenario;
    await build(groups.commands);
    await r.call('CONFIG', 'SET', 'rdbcompression', 'no');
    const plain = objectOf(bulkOf(await r.call('DUMP', 's')));
    await r.call('CONFIG', 'SET', 'rdbcompression', 'yes');
    const compressed = objectOf(bulkOf(await r.call('DUMP', 's')));
    const samples = [plain, compressed, transcode(plain, 15), transcode(plain, 21)];
    let loadedDamaged = 0;
    for (const object of samples) {
      for (let n = 0; n < object.length; n++) {
        assert.throws(() => load(object.subarray(0, n)), RdbFormatError, `truncated to ${n}`);
      }
      for (let i = 1; i < object.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const damaged = Buffer.from(object);
          damaged[i] ^= 1 << bit;
          let s: StreamValue;
          try {
            const rd = new RdbReader(damaged);
            s = readStreamObject(rd, rd.readType() as 15 | 19 | 21, limits);
          } catch (e) {
            assert.ok(e instanceof RdbFormatError, `byte ${i} bit ${bit}: ${(e as Error).stack}`);
            continue;
          }
          // Accepted: it must be a consistent stream that writes and reloads as itself.
          loadedDamaged++;
          const again = write(s);
          assert.deepEqual(write(load(again)), again, `byte ${i} bit ${bit}`);
          tandem.server.dbs[0].set('d', s);
          for (const c of [...views('d'), ['XPENDING', 'd', 'g1', '-', '+', '100'], ['XADD', 'd', '*', 'f', 'v']]) {
            assert.doesNotMatch(tandem.call(...c), /internal error/, `byte ${i} bit ${bit}: ${c.join(' ')}`);
          }
        }
      }
    }
    assert.ok(loadedDamaged > 0, 'some flips (in values, times) still load');
  });

  test('malformed structures name the problem', () => {
    const w = new RdbWriter();
    w.writeType(19);
    w.writeLength(1);
    w.writeString('short key', false);
    assert.throws(() => load(w.bytes()), /not the size of a stream ID/);

    const s = new StreamValue();
    s.append({ ms: 5n, seq: 0n }, ['f', 'v'], { maxEntries: 100, maxBytes: 4096 });
    const good = write(s);
    const lengthAt = good.length - 9; // length, last ID (2), first ID (2), max deleted (2), entries added, groups
    assert.equal(good[lengthAt], 1);
    const badLength = Buffer.from(good);
    badLength[lengthAt] = 2;
    assert.throws(() => load(badLength), /length inconsistent/);
    const lowLastId = Buffer.from(good);
    lowLastId[lengthAt + 1] = 4;
    assert.throws(() => load(lowLastId), /last ID below its last entry/);
  });
});
