// The RDB loader against real Redis 7.0: every file is loaded by both, and
// every key, type, encoding, TTL and value (DEBUG DIGEST-VALUE) must agree.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rdbLoadLimits } from '../src/persistence/rdb-object.js';
import { RdbLoader, RdbLoadError, loadRdb, moduleTypeName, type RdbLoadOptions } from '../src/persistence/rdb-load.js';
import {
  RDB_OPCODE_FUNCTION_PRE_GA,
  RDB_OPCODE_MODULE_AUX,
  RDB_OPCODE_SELECTDB,
  RdbWriter,
} from '../src/persistence/rdb-string.js';
import type { Server } from '../src/server/server.js';
import { inProcessServer, type InProcessServer } from './helpers/in-process.js';
import {
  FixtureRedis,
  allTypesCommands,
  bigCommands,
  rdb11File,
  rdb11Sets,
  rdb12File,
  rdb9File,
  rdbFile,
  redisDump,
  tandemReport,
  type DatasetReport,
} from './helpers/rdb-fixtures.js';
import { redisAvailable } from './helpers/servers.js';

const skip = redisAvailable() ? false : 'redis-server not installed';

function options(server: Server, extra: Partial<RdbLoadOptions> = {}): RdbLoadOptions {
  return { limits: rdbLoadLimits(server.config), dropExpired: true, now: Date.now(), policy: 'lru', ...extra };
}

/** Loads `data` into a fresh in-process Tandem. */
function tandemLoad(data: Buffer, extra: Partial<RdbLoadOptions> = {}, setup?: (ip: InProcessServer) => void) {
  const ip = inProcessServer();
  setup?.(ip);
  const result = loadRdb(data, ip.server.dbs, options(ip.server, extra));
  return { ip, result, report: tandemReport(ip.server.dbs) };
}

/** Key-by-key comparison first (readable failures), then the whole-dataset digest. */
function assertSameDataset(actual: DatasetReport, expected: DatasetReport): void {
  const show = (r: DatasetReport) => r.keys.map((k) => `${k.db}:${JSON.stringify(k.key)}`);
  assert.deepEqual(show(actual), show(expected), 'same keys');
  for (let i = 0; i < expected.keys.length; i++) {
    assert.deepEqual(actual.keys[i], expected.keys[i], `key ${JSON.stringify(expected.keys[i].key)}`);
  }
  assert.equal(actual.digest, expected.digest, 'DEBUG DIGEST');
}

function loadError(data: Buffer, extra: Partial<RdbLoadOptions> = {}): RdbLoadError {
  const ip = inProcessServer();
  try {
    loadRdb(data, ip.server.dbs, options(ip.server, extra));
  } catch (e) {
    if (e instanceof RdbLoadError) return e;
    throw e;
  }
  assert.fail('the load succeeded');
}

describe('RDB files written by real Redis 7.0', { skip }, () => {
  let redis: FixtureRedis;
  const files = new Map<string, Buffer>();

  before(async () => {
    redis = await FixtureRedis.start();
    await redis.reset(allTypesCommands());
    files.set('defaults', await redis.save());
    files.set('rdbcompression no', await redis.save({ rdbcompression: 'no' }));
    files.set('allkeys-lru (IDLE records)', await redis.save({ 'maxmemory-policy': 'allkeys-lru' }));
    files.set('allkeys-lfu (FREQ records)', await redis.save({ 'maxmemory-policy': 'allkeys-lfu' }));
    await redis.reset(bigCommands(20000));
    files.set('big', await redis.save());
    files.set('rdbchecksum no', await redisDump(allTypesCommands(), ['--rdbchecksum', 'no']));
  });
  after(async () => {
    await redis?.stop();
  });

  for (const name of ['defaults', 'rdbcompression no', 'rdbchecksum no', 'allkeys-lru (IDLE records)', 'allkeys-lfu (FREQ records)']) {
    test(`${name}: every key, type, encoding, TTL and value as Redis loads them`, async () => {
      const data = files.get(name)!;
      const expected = await redis.load(data);
      const { result, report } = tandemLoad(data);
      assertSameDataset(report, expected);
      assert.equal(result.version, 10);
      assert.equal(result.keysLoaded, expected.keys.length);
      assert.equal(result.keysExpired, 1);
    });
  }

  test('the files differ as their settings say', () => {
    const withCompression = files.get('defaults')!;
    const without = files.get('rdbcompression no')!;
    assert.ok(without.length > withCompression.length, 'LZF made the default file smaller');
    assert.deepEqual(files.get('rdbchecksum no')!.subarray(-8), Buffer.alloc(8), 'stored checksum is 0');
  });

  test('aux fields and function libraries are returned', () => {
    const { result } = tandemLoad(files.get('defaults')!);
    assert.equal(result.aux.get('redis-ver'), '7.0.15');
    assert.equal(result.aux.get('redis-bits'), '64');
    assert.equal(result.aux.get('aof-base'), '0');
    assert.match(result.aux.get('ctime') ?? '', /^\d+$/);
    assert.match(result.aux.get('used-mem') ?? '', /^\d+$/);
    assert.equal(result.functions.length, 1);
    assert.match(result.functions[0], /^#!lua name=fixturelib\n/);
  });

  test('replica / AOF-base loads keep keys whose TTL has passed', () => {
    const { ip, result } = tandemLoad(files.get('defaults')!, { dropExpired: false });
    assert.equal(result.keysExpired, 0);
    assert.equal(ip.server.dbs[0].dict.get('expired'), 'v');
    assert.ok(ip.server.dbs[0].getExpire('expired')! < Date.now());
  });

  test('a big file: same dataset as Redis, and step(0) slices give the same result as one step(Infinity)', async () => {
    const data = files.get('big')!;
    const expected = await redis.load(data, false);
    const whole = tandemLoad(data);
    assert.equal(whole.report.digest, expected.digest);
    assert.equal(whole.result.keysLoaded, 20000 + 4 * 2000);

    const ip = inProcessServer();
    const loader = new RdbLoader(data, ip.server.dbs, options(ip.server));
    let steps = 1;
    let offset = loader.offset;
    while (!loader.step(0)) {
      assert.ok(loader.offset > offset, 'every step makes progress');
      offset = loader.offset;
      steps++;
    }
    assert.ok(steps > 100, `loaded in ${steps} steps`);
    assert.equal(loader.offset, data.length);
    assert.equal(loader.step(0), true, 'stays done');
    assert.deepEqual(loader.result, whole.result);
    assertSameDataset(tandemReport(ip.server.dbs), whole.report);
  });

  test('RDB 9 with ziplist, zipmap, intset, old zset and quicklist-of-ziplists values loads as in Redis 7.0', async () => {
    const data = rdb9File();
    const expected = await redis.load(data);
    const { ip, result, report } = tandemLoad(data);
    assertSameDataset(report, expected);
    assert.equal(result.version, 9);
    assert.equal(result.keysExpired, 1, 'ttl:past dropped');
    assert.equal(ip.server.dbs[0].getExpire('ttl:seconds'), 2_000_000_000_000, 'EXPIRETIME is in seconds');
  });

  test('IDLE applies under the lru policy, not under none', async () => {
    const data = rdb9File();
    await redis.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    await redis.load(data);
    const redisIdle = (await redis.object('IDLETIME', 'idle:1000')) as number;
    const { ip } = tandemLoad(data, { policy: 'lru' });
    const idle = ip.value('OBJECT', 'IDLETIME', 'idle:1000') as number;
    // Both LRU clocks tick in whole seconds: allow a tick either way.
    assert.ok(idle >= 999 && Math.abs(idle - redisIdle) <= 1, `Tandem ${idle}, Redis ${redisIdle}`);
    const { ip: none } = tandemLoad(data, { policy: 'none' });
    assert.ok((none.value('OBJECT', 'IDLETIME', 'idle:1000') as number) < 1000, 'policy none ignores IDLE');
  });

  test('FREQ applies under LFU', async () => {
    const data = rdb9File();
    await redis.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
    await redis.load(data);
    const redisFreq = await redis.object('FREQ', 'freq:77');
    await redis.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    const { ip } = tandemLoad(data, { policy: 'lfu' }, (s) => s.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'));
    assert.equal(redisFreq, 77);
    assert.equal(ip.value('OBJECT', 'FREQ', 'freq:77'), 77);
  });

  test('a bad header is refused in the words of Redis 7.0', async () => {
    for (const header of ['REDIS0013', 'REDIS0000', 'RUDIS0009']) {
      const data = Buffer.from(`${header}\xff`, 'latin1');
      assert.deepEqual(await redis.refusal(data), [loadError(data).message], header);
    }
  });
});

describe('RDB files from newer Redis (Tandem only)', () => {
  test('RDB 11: sets stored as listpacks load as the same sets', () => {
    const { result, report } = tandemLoad(rdb11File());
    assert.equal(result.version, 11);
    const ip = inProcessServer();
    for (const [key, members] of Object.entries(rdb11Sets)) ip.call('SADD', key, ...members);
    ip.call('SET', 'string', 'v11');
    assertSameDataset(report, tandemReport(ip.server.dbs));
  });

  test('RDB 12: SLOT_INFO records are skipped', () => {
    const { result, report } = tandemLoad(rdb12File());
    assert.equal(result.version, 12);
    const ip = inProcessServer();
    ip.call('SET', 'a', '1');
    ip.call('HSET', 'h', 'f', 'v');
    assertSameDataset(report, tandemReport(ip.server.dbs));
  });
});

describe('RDB load errors', () => {
  const stringKey = (w: RdbWriter, name: string, value: string) => {
    w.writeType(0);
    w.writeString(name, false);
    w.writeString(value, false);
  };

  test('header: signature and version', () => {
    assert.equal(loadError(Buffer.from('RUDIS0009')).message, 'Wrong signature trying to load DB from file');
    assert.equal(loadError(Buffer.from('REDIS0000')).message, "Can't handle RDB format version 0");
    assert.equal(loadError(Buffer.from('REDISabcd')).message, "Can't handle RDB format version 0");
    assert.match(loadError(Buffer.from('REDIS')).message, /^Short read or OOM loading DB\. .* offset 0, reading the RDB header/);
    assert.match(loadError(Buffer.alloc(0)).message, /^Short read or OOM loading DB\./);
  });

  test('versions 1 to 12 are read; before 5 there is no checksum', () => {
    for (let v = 1; v <= 12; v++) {
      const data = rdbFile(v, (w) => stringKey(w, 'k', 'v'));
      const { result, report } = tandemLoad(data);
      assert.equal(result.version, v);
      assert.equal(report.keys.length, 1);
      // Without a checksum the last byte is EOF; appending 8 bytes of garbage then changes nothing.
      if (v < 5) assert.equal(tandemLoad(Buffer.concat([data, Buffer.alloc(8, 0xaa)])).result.keysLoaded, 1);
    }
  });

  test('checksum: a wrong one is refused, zero means none was computed', () => {
    const data = rdbFile(10, (w) => stringKey(w, 'k', 'v'));
    const bad = Buffer.from(data);
    bad[bad.length - 1] ^= 1;
    const e = loadError(bad);
    assert.match(e.message, /^Wrong RDB checksum expected: \([0-9a-f]+\) got \([0-9a-f]+\) at offset \d+\. RDB CRC error$/);
    assert.equal(e.offset, data.length - 8);
    const zero = Buffer.from(data);
    zero.fill(0, zero.length - 8);
    assert.equal(tandemLoad(zero).result.keysLoaded, 1);
    const flipped = Buffer.from(data);
    flipped[flipped.length - 10] ^= 0x20; // the value 'v' becomes 'V'
    assert.match(loadError(flipped).message, /^Wrong RDB checksum/);
  });

  test('truncation anywhere is a short read naming the offset and what was being read', () => {
    const data = rdbFile(10, (w) => stringKey(w, 'key', 'value'));
    for (let n = 0; n < data.length; n++) {
      const e = loadError(data.subarray(0, n));
      assert.match(e.message, /^Short read or OOM loading DB\. Unrecoverable error, aborting now\. Unexpected end of file at offset \d+, reading /);
      assert.ok(e.offset <= n, `offset ${e.offset} within ${n}`);
    }
    assert.match(loadError(data.subarray(0, data.length - 3)).message, /reading the CRC64 checksum/);
    assert.match(loadError(data.subarray(0, data.length - 12)).message, /reading the value of key "key" \(type 0\) in DB 0/);
  });

  test('a database index beyond the configured number', () => {
    const e = loadError(
      rdbFile(10, (w) => {
        w.writeType(RDB_OPCODE_SELECTDB);
        w.writeLength(16);
      }),
    );
    assert.match(e.message, /^FATAL: Data file was created with a Redis server configured to handle more than 16 databases/);
  });

  test('a duplicated key', () => {
    const e = loadError(
      rdbFile(10, (w) => {
        stringKey(w, 'dup', '1');
        stringKey(w, 'other', '2');
        stringKey(w, 'dup', '3');
      }),
    );
    assert.match(e.message, /^Duplicated key found in RDB file: "dup" in DB 0/);
  });

  test('with allowDuplicates (DEBUG RELOAD MERGE) the file replaces keys already there', () => {
    const ip = inProcessServer();
    ip.call('SET', 'kept', 'old');
    ip.call('SET', 'dup', 'old', 'EX', '1000');
    const data = rdbFile(10, (w) => {
      stringKey(w, 'dup', '1');
      stringKey(w, 'dup', '2');
    });
    const result = loadRdb(data, ip.server.dbs, options(ip.server, { allowDuplicates: true }));
    assert.equal(result.keysLoaded, 2);
    assert.equal(ip.server.dbs[0].dict.get('dup'), '2');
    assert.equal(ip.server.dbs[0].getExpire('dup'), undefined);
    assert.equal(ip.server.dbs[0].dict.get('kept'), 'old');
  });

  test('the same key in two databases is not a duplicate', () => {
    const { report } = tandemLoad(
      rdbFile(10, (w) => {
        stringKey(w, 'k', '0');
        w.writeType(RDB_OPCODE_SELECTDB);
        w.writeLength(1);
        stringKey(w, 'k', '1');
      }),
    );
    assert.deepEqual(report.keys.map((k) => [k.db, k.key]), [[0, 'k'], [1, 'k']]);
  });

  test('module AUX data and pre-release functions are refused as Redis does', () => {
    // Module type ids: a 9-character name in 6-bit characters, then a 10-bit encoding version.
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let id = 0n;
    for (const ch of 'fixtureMD') id = (id << 6n) | BigInt(chars.indexOf(ch));
    id = (id << 10n) | 3n;
    assert.equal(moduleTypeName(id), 'fixtureMD');
    const moduleAux = (when: number) =>
      rdbFile(10, (w) => {
        w.writeType(RDB_OPCODE_MODULE_AUX);
        w.writeLength(id);
        w.writeLength(when);
        w.writeLength(2);
      });
    assert.match(loadError(moduleAux(2)).message, /^The RDB file contains AUX module data I can't load: no matching module 'fixtureMD'/);
    assert.match(loadError(moduleAux(5)).message, /bad when_opcode/);
    const preGa = rdbFile(10, (w) => w.writeType(RDB_OPCODE_FUNCTION_PRE_GA));
    assert.match(loadError(preGa).message, /^Pre-release function format not supported/);
  });

  test('an unknown value type is refused with its offset', () => {
    const data = rdbFile(10, (w) => {
      stringKey(w, 'ok', 'v');
      w.writeType(200);
      w.writeString('k', false);
      w.writeString('v', false);
    });
    const e = loadError(data);
    assert.match(e.message, /^Corrupt RDB at offset \d+, reading the value of key "k" \(type 200\) in DB 0: /);
  });

  test('an absurd length is refused without allocating it', () => {
    const data = rdbFile(10, (w) => {
      w.writeType(0);
      w.writeString('k', false);
      w.writeLength(2 ** 52);
    });
    assert.match(loadError(data).message, /^Short read or OOM loading DB\./);
  });

  test('a failed loader keeps failing with the same error', () => {
    const ip = inProcessServer();
    const loader = new RdbLoader(Buffer.from('REDIS0042'), ip.server.dbs, options(ip.server));
    assert.throws(() => loader.step(Infinity), RdbLoadError);
    assert.throws(() => loader.step(Infinity), /Can't handle RDB format version 42/);
  });
});
