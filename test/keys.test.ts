// Keyspace and database commands against real Redis: the deterministic
// replies byte for byte, SCAN by the sets full iterations return, DUMP
// payloads restored across the two servers, and what EXPIRE, RESTORE and
// FLUSHDB propagate.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createDumpPayload } from '../src/persistence/dump.js';
import { cmd, differentialSuite, type DiffCase } from './helpers/differential.js';
import { RawConnection } from './helpers/resp.js';
import { redisAvailable, startRedis, startTandem, type RunningServer } from './helpers/servers.js';
import { inProcessServer } from './helpers/in-process.js';

/** A fixed time far ahead (2100-01-01), so that absolute expiry replies are deterministic. */
const future = 4102444800;
const binary = Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10, 0x80, 0x7f, 0]);
const compressible = 'abc'.repeat(200);
const long = 'x'.repeat(45);

const cases: DiffCase[] = [
  {
    name: 'DEL, UNLINK and EXISTS count keys, EXISTS counts repeats',
    commands: [
      cmd('SET a 1'),
      cmd('SET b 2'),
      cmd('SET c 3'),
      cmd('EXISTS a a b nokey'),
      cmd('DEL a a nokey'),
      cmd('EXISTS a'),
      cmd('UNLINK b c c'),
      cmd('DBSIZE'),
      cmd('DEL'),
      cmd('UNLINK'),
      cmd('EXISTS'),
    ],
  },
  {
    name: 'TYPE',
    commands: [cmd('SET s v'), cmd('TYPE s'), cmd('TYPE nokey'), cmd('TYPE'), cmd('TYPE a b')],
  },
  {
    name: 'TOUCH counts existing keys',
    commands: [cmd('SET a 1'), cmd('SET b 1'), cmd('TOUCH a b b nokey'), cmd('TOUCH nokey'), cmd('TOUCH')],
  },
  {
    name: 'EXPIRE family option errors',
    commands: [
      cmd('SET k v'),
      cmd('EXPIRE k 100 NX XX'),
      cmd('EXPIRE k 100 nx gt'),
      cmd('EXPIRE k 100 NX LT'),
      cmd('EXPIRE k 100 GT LT'),
      cmd('PEXPIRE k 100 gt lt'),
      cmd('EXPIRE k 100 foo'),
      cmd('EXPIREAT k 100 XX bar'),
      cmd('EXPIRE k abc NX XX'),
      cmd('EXPIRE k abc foo'),
      cmd('EXPIRE k abc'),
      cmd('EXPIRE k 1.5'),
      cmd('EXPIRE k'),
      cmd('PEXPIREAT k'),
      ['EXPIRE', 'k', '10', 'fo\0o'],
      cmd('TTL k'),
    ],
  },
  {
    name: 'EXPIRE family overflow',
    commands: [
      cmd('SET k v'),
      cmd('EXPIRE k 9223372036854775807'),
      cmd('EXPIRE k 9223372036854775'),
      cmd('EXPIRE k -9223372036854775808'),
      cmd('EXPIRE k -9223372036854776'),
      cmd('EXPIREAT k 9223372036854776'),
      cmd('EXPIREAT k -9223372036854776'),
      cmd('PEXPIRE k 9223372036854775807'),
      cmd('PEXPIRE k 9223372036854775808'),
      cmd('expire k 99999999999999999'),
      cmd('ExpireAt k 99999999999999999'),
      cmd('EXPIRE nokey 9223372036854775807'),
      cmd('TTL k'),
    ],
  },
  {
    name: 'EXPIRE family on missing keys and TTL family results',
    commands: [
      cmd('EXPIRE nokey 100'),
      cmd('PEXPIRE nokey 100'),
      cmd('EXPIREAT nokey 100'),
      cmd('PEXPIREAT nokey 100'),
      cmd('TTL nokey'),
      cmd('PTTL nokey'),
      cmd('EXPIRETIME nokey'),
      cmd('PEXPIRETIME nokey'),
      cmd('SET k v'),
      cmd('TTL k'),
      cmd('PTTL k'),
      cmd('EXPIRETIME k'),
      cmd('PEXPIRETIME k'),
      cmd('EXPIRE k 100'),
      cmd('TTL k'),
      cmd('PEXPIRE k 100000'),
      cmd('TTL k'),
      cmd(`EXPIREAT k ${future}`),
      cmd('EXPIRETIME k'),
      cmd('PEXPIRETIME k'),
      cmd(`PEXPIREAT k ${future}123`),
      cmd('PEXPIRETIME k'),
      cmd('EXPIRETIME k'),
      cmd(`PEXPIREAT k ${future}600`),
      cmd('EXPIRETIME k'),
      cmd('PERSIST k'),
      cmd('PERSIST k'),
      cmd('PERSIST nokey'),
      cmd('TTL k'),
    ],
  },
  {
    name: 'EXPIRE NX XX GT LT',
    commands: [
      cmd('SET k v'),
      cmd('EXPIRE k 100 XX'),
      cmd('EXPIRE k 100 GT'),
      cmd('TTL k'),
      cmd('EXPIRE k 100 LT'),
      cmd('TTL k'),
      cmd('EXPIRE k 200 NX'),
      cmd('TTL k'),
      cmd('EXPIRE k 200 XX'),
      cmd('TTL k'),
      cmd('EXPIRE k 100 GT'),
      cmd('EXPIRE k 200 GT'),
      cmd('EXPIRE k 300 gt'),
      cmd('TTL k'),
      cmd('EXPIRE k 400 LT'),
      cmd('EXPIRE k 300 LT'),
      cmd('EXPIRE k 50 lt'),
      cmd('TTL k'),
      cmd('EXPIRE k 60 XX GT'),
      cmd('EXPIRE k 40 XX LT'),
      cmd('TTL k'),
      cmd(`EXPIREAT k ${future} nx`),
      cmd(`PEXPIREAT k ${future}000 gt`),
      cmd('EXPIRETIME k'),
    ],
  },
  {
    name: 'EXPIRE in the past deletes the key',
    commands: [
      cmd('SET a 1'),
      cmd('SET b 1'),
      cmd('SET c 1'),
      cmd('SET d 1'),
      cmd('SET e 1'),
      cmd('EXPIRE a -1'),
      cmd('PEXPIRE b 0'),
      cmd('EXPIREAT c 1'),
      cmd('PEXPIREAT d -5'),
      cmd('EXPIRE e 0 LT'),
      cmd('EXISTS a b c d e'),
      cmd('DBSIZE'),
    ],
  },
  {
    name: 'RENAME',
    commands: [
      cmd('RENAME nokey x'),
      cmd('RENAME nokey nokey'),
      cmd('SET a 1'),
      cmd('RENAME a a'),
      cmd('RENAME a b'),
      cmd('EXISTS a'),
      cmd('GET b'),
      cmd('EXPIRE b 100'),
      cmd('RENAME b c'),
      cmd('TTL c'),
      cmd('SET d 2'),
      cmd('RENAME c d'),
      cmd('GET d'),
      cmd('TTL d'),
      cmd('SET e 3'),
      cmd('EXPIRE d 50'),
      cmd('RENAME e d'),
      cmd('TTL d'),
      cmd('GET d'),
      cmd('DBSIZE'),
      cmd('RENAME a'),
    ],
  },
  {
    name: 'RENAMENX',
    commands: [
      cmd('RENAMENX nokey x'),
      cmd('RENAMENX nokey nokey'),
      cmd('SET a 1'),
      cmd('RENAMENX a a'),
      cmd('SET b 2'),
      cmd('RENAMENX a b'),
      cmd('GET b'),
      cmd('EXPIRE a 100'),
      cmd('RENAMENX a c'),
      cmd('TTL c'),
      cmd('EXISTS a'),
    ],
  },
  {
    name: 'COPY options and errors',
    commands: [
      cmd('SET a 1'),
      cmd('COPY a a'),
      cmd('COPY a a DB 0'),
      cmd('COPY a b DB'),
      cmd('COPY a b foo'),
      cmd('COPY a b DB x'),
      cmd('COPY a b DB 16'),
      cmd('COPY a b DB -1'),
      cmd('COPY a b DB 99999999999'),
      cmd('COPY a b DB 99999999999999999999'),
      cmd('COPY nokey b'),
      cmd('COPY a'),
    ],
  },
  {
    name: 'COPY copies value and TTL, REPLACE, other DB',
    commands: [
      cmd('SET a hello'),
      cmd('EXPIRE a 100'),
      cmd('COPY a b'),
      cmd('GET b'),
      cmd('TTL b'),
      cmd('SET c x'),
      cmd('COPY a c'),
      cmd('GET c'),
      cmd('COPY a c replace'),
      cmd('GET c'),
      cmd('TTL c'),
      cmd('COPY a a DB 1'),
      cmd('COPY a a db 1'),
      cmd('COPY a a DB 1 REPLACE'),
      cmd('SELECT 1'),
      cmd('GET a'),
      cmd('TTL a'),
      cmd('SELECT 0'),
      cmd('APPEND b !'),
      cmd('GET a'),
      cmd('GET b'),
    ],
  },
  {
    name: 'MOVE',
    commands: [
      cmd('SET a 1'),
      cmd('MOVE a 0'),
      cmd('MOVE a 16'),
      cmd('MOVE a -1'),
      cmd('MOVE a x'),
      cmd('MOVE a 99999999999'),
      cmd('MOVE nokey 1'),
      cmd('MOVE nokey 0'),
      cmd('EXPIRE a 100'),
      cmd('MOVE a 1'),
      cmd('EXISTS a'),
      cmd('SET a 2'),
      cmd('SELECT 1'),
      cmd('TTL a'),
      cmd('GET a'),
      cmd('MOVE a 0'),
      cmd('SELECT 0'),
      cmd('GET a'),
    ],
  },
  {
    name: 'KEYS patterns',
    unordered: true,
    commands: [
      cmd('MSET hello 1 hallo 2 hxllo 3 heeeello 4 hllo 5 foo 6 foo:bar 7 a*b 8 x?y 9'),
      ['SET', '', 'empty'],
      ['SET', binary, 'bin'],
      cmd('KEYS *'),
      cmd('KEYS h?llo'),
      cmd('KEYS h*llo'),
      cmd('KEYS h[ae]llo'),
      cmd('KEYS h[^e]llo'),
      cmd('KEYS h[a-b]llo'),
      cmd('KEYS foo*'),
      cmd('KEYS *:*'),
      cmd('KEYS a\\*b'),
      cmd('KEYS x\\?y'),
      cmd('KEYS nomatch*'),
      cmd('KEYS hello'),
      ['KEYS', ''],
      ['KEYS', Buffer.concat([binary.subarray(0, 4), Buffer.from('*')])],
    ],
  },
  {
    name: 'SCAN argument errors',
    commands: [
      cmd('SCAN abc'),
      cmd('SCAN -'),
      cmd('SCAN +'),
      cmd('SCAN 1x'),
      ['SCAN', ' 1'],
      cmd('SCAN 18446744073709551616'),
      cmd('SCAN -18446744073709551616'),
      cmd('SCAN abc COUNT 0'),
      cmd('SCAN 0 COUNT 0'),
      cmd('SCAN 0 COUNT -1'),
      cmd('SCAN 0 COUNT x'),
      cmd('SCAN 0 COUNT 9223372036854775808'),
      cmd('SCAN 0 MATCH'),
      cmd('SCAN 0 TYPE'),
      cmd('SCAN 0 COUNT'),
      cmd('SCAN 0 foo bar'),
      cmd('SCAN 0 COUNT 10 foo'),
      cmd('SCAN'),
    ],
  },
  {
    name: 'SCAN in one call',
    unordered: true,
    commands: [
      cmd('SCAN 0'),
      cmd('MSET a1 1 a2 2 b1 3 b2 4'),
      ['SET', '', 'empty'],
      cmd('SCAN 0 COUNT 100'),
      cmd('SCAN 0 COUNT 100 MATCH a*'),
      cmd('SCAN 0 COUNT 100 MATCH *'),
      cmd('SCAN 0 count 100 match *1 match b*'),
      cmd('SCAN 0 COUNT 100 TYPE string'),
      cmd('SCAN 0 COUNT 100 TYPE STRING MATCH *2'),
      cmd('SCAN 0 COUNT 100 TYPE hash'),
      cmd('SCAN 0 COUNT 100 TYPE nosuchtype'),
      cmd('SCAN 0 COUNT 100 TYPE string TYPE list'),
      cmd('SCAN 00 COUNT 100'),
      cmd('SCAN +0 COUNT 100'),
      cmd('SCAN -0 COUNT 100'),
      ['SCAN', '', 'COUNT', '100'],
    ],
  },
  {
    name: 'RANDOMKEY',
    commands: [cmd('RANDOMKEY'), cmd('SET only 1'), cmd('RANDOMKEY'), cmd('RANDOMKEY'), cmd('RANDOMKEY x')],
  },
  {
    name: 'OBJECT ENCODING and REFCOUNT of strings',
    commands: [
      ...['0', '1', '9999', '10000', '-1', '01', '+1', '-0', ' 1', '1.5', '9223372036854775807', '-9223372036854775808',
        '9223372036854775808', '12345678901234567890', long.slice(1), long, 'a', ''].flatMap((v) => [
        ['SET', 'k', v],
        cmd('OBJECT ENCODING k'),
        cmd('OBJECT REFCOUNT k'),
      ]),
      ['SET', 'b', binary],
      cmd('OBJECT ENCODING b'),
      cmd('SETRANGE r 0 12'),
      cmd('OBJECT ENCODING r'),
      cmd('INCR i'),
      cmd('OBJECT ENCODING i'),
      cmd('OBJECT REFCOUNT i'),
      cmd('MSET m1 7 m2 hello'),
      cmd('OBJECT ENCODING m1'),
      cmd('OBJECT REFCOUNT m1'),
      cmd('OBJECT ENCODING m2'),
      cmd('OBJECT encoding nokey'),
      cmd('OBJECT REFCOUNT nokey'),
      cmd('OBJECT IDLETIME nokey'),
      cmd('OBJECT FREQ nokey'),
    ],
  },
  {
    name: 'OBJECT subcommands and errors',
    commands: [
      cmd('SET k v'),
      cmd('OBJECT HELP'),
      cmd('object help'),
      cmd('OBJECT FREQ k'),
      cmd('OBJECT'),
      cmd('OBJECT foo'),
      cmd('OBJECT foo k'),
      cmd('OBJECT ENCODING'),
      cmd('OBJECT ENCODING k extra'),
      cmd('OBJECT HELP extra'),
    ],
  },
  {
    name: 'DUMP payloads',
    commands: [
      cmd('DUMP nokey'),
      ...[Buffer.from('hello'), Buffer.from('12345'), Buffer.from('-1'), Buffer.from('4294967296'), Buffer.from(''),
        binary, Buffer.from(compressible), Buffer.from(long), Buffer.from('1'.repeat(30))].flatMap((v) => [
        ['SET', 'k', v],
        cmd('DUMP k'),
      ]),
      cmd('SET a 5'),
      cmd('APPEND a 1'),
      cmd('DUMP a'),
    ],
  },
  {
    name: 'RESTORE options and errors',
    commands: [
      cmd('SET a 1'),
      cmd('RESTORE k 0 garbage'),
      cmd('RESTORE a 0 garbage'),
      cmd('RESTORE a x garbage'),
      cmd('RESTORE k -1 garbage'),
      cmd('RESTORE k x garbage'),
      cmd('RESTORE k 0 garbage IDLETIME -1'),
      cmd('RESTORE k 0 garbage IDLETIME x'),
      cmd('RESTORE k 0 garbage FREQ 256'),
      cmd('RESTORE k 0 garbage FREQ -1'),
      cmd('RESTORE k 0 garbage FREQ 1 IDLETIME 1'),
      cmd('RESTORE k 0 garbage IDLETIME 1 FREQ 1'),
      cmd('RESTORE k 0 garbage IDLETIME'),
      cmd('RESTORE k 0 garbage bogus'),
      cmd('RESTORE a -1 garbage REPLACE'),
      cmd('RESTORE a 0 garbage REPLACE ABSTTL'),
      cmd('RESTORE k 0'),
      ['RESTORE', 'k', '0', Buffer.from([0, 5, 104, 101, 108, 108, 111, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
      ['RESTORE', 'k', '0', Buffer.from([0, 5, 104, 101, 108, 108, 111, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
      cmd('EXISTS a k'),
    ],
  },
];

differentialSuite(cases);

describe('with an LFU maxmemory policy', () => {
  differentialSuite(
    [
      {
        name: 'OBJECT FREQ and IDLETIME',
        commands: [
          cmd('SET k v'),
          cmd('OBJECT FREQ k'),
          cmd('GET k'),
          cmd('OBJECT FREQ k'),
          cmd('OBJECT IDLETIME k'),
          cmd('OBJECT FREQ nokey'),
          cmd('SET k2 12'),
          cmd('OBJECT REFCOUNT k2'),
        ],
      },
    ],
    ['--maxmemory-policy', 'allkeys-lfu'],
  );
});

describe('without rdbcompression', () => {
  differentialSuite([{ name: 'DUMP is not compressed', commands: [['SET', 'k', compressible], cmd('DUMP k')] }], [
    '--rdbcompression',
    'no',
  ]);
});

describe('databases', () => {
  differentialSuite([
    {
      name: 'SWAPDB',
      commands: [
        cmd('SET a db0'),
        cmd('EXPIRE a 100'),
        cmd('SELECT 1'),
        cmd('SET b db1'),
        cmd('SWAPDB 0 1'),
        cmd('GET a'),
        cmd('TTL a'),
        cmd('GET b'),
        cmd('DBSIZE'),
        cmd('SELECT 0'),
        cmd('GET b'),
        cmd('SWAPDB 1 1'),
        cmd('SWAPDB 0 16'),
        cmd('SWAPDB -1 0'),
        cmd('SWAPDB x 0'),
        cmd('SWAPDB 0 x'),
        cmd('SWAPDB x y'),
        cmd('SWAPDB 99999999999 0'),
        cmd('SWAPDB 0 99999999999'),
        cmd('SWAPDB 0'),
      ],
    },
    {
      name: 'FLUSHDB, FLUSHALL, DBSIZE',
      commands: [
        cmd('MSET a 1 b 2 c 3'),
        cmd('SELECT 1'),
        cmd('SET x 1'),
        cmd('DBSIZE'),
        cmd('FLUSHDB'),
        cmd('DBSIZE'),
        cmd('SELECT 0'),
        cmd('DBSIZE'),
        cmd('FLUSHDB foo'),
        cmd('FLUSHDB ASYNC extra'),
        cmd('FLUSHDB async'),
        cmd('DBSIZE'),
        cmd('SET a 1'),
        cmd('SELECT 2'),
        cmd('SET b 1'),
        cmd('FLUSHALL SYNC'),
        cmd('DBSIZE'),
        cmd('SELECT 0'),
        cmd('DBSIZE'),
        cmd('FLUSHALL x'),
        cmd('FLUSHALL ASYNC'),
        cmd('DBSIZE x'),
      ],
    },
  ]);
});

// ---- what the differential corpus cannot compare ------------------------------------

const skip = redisAvailable() ? false : 'redis-server not installed';

describe('across servers', { skip }, () => {
  let redis: RunningServer | undefined;
  let tandem: RunningServer | undefined;
  let r: RawConnection;
  let t: RawConnection;
  before(async () => {
    [redis, tandem] = await Promise.all([startRedis(), startTandem()]);
    [r, t] = await Promise.all([RawConnection.open(redis.port), RawConnection.open(tandem.port)]);
  });
  after(async () => {
    r?.close();
    t?.close();
    await Promise.all([redis?.stop(), tandem?.stop()]);
  });

  /** The payload of a bulk string reply. */
  function bulkBody(reply: Buffer): Buffer {
    const end = reply.indexOf('\r\n');
    assert.equal(reply[0], 0x24, `not a bulk reply: ${reply.toString('latin1')}`);
    return reply.subarray(end + 2, end + 2 + Number(reply.subarray(1, end).toString()));
  }

  test('DUMP payloads restore across the servers, with their TTL', async () => {
    const values = [Buffer.from('hello'), Buffer.from('123'), Buffer.from('-70000'), binary, Buffer.from(compressible),
      Buffer.from('z'.repeat(100_000))];
    for (const [from, to] of [[r, t], [t, r]]) {
      for (const value of values) {
        await Promise.all([from.call('DEL', 'k', 'copy'), to.call('DEL', 'k', 'copy')]);
        await from.call('SET', 'k', value);
        const payload = bulkBody(await from.call('DUMP', 'k'));
        assert.equal((await to.call('RESTORE', 'copy', '100000', payload)).toString(), '+OK\r\n');
        assert.deepEqual(bulkBody(await to.call('GET', 'copy')), value);
        assert.equal((await to.call('TTL', 'copy')).toString(), ':100\r\n');
        assert.equal((await to.call('RESTORE', 'copy', '0', payload, 'REPLACE')).toString(), '+OK\r\n');
        assert.equal((await to.call('TTL', 'copy')).toString(), ':-1\r\n');
      }
    }
  });

  test('RESTORE with ABSTTL: in the future sets it, in the past creates nothing', async () => {
    for (const conn of [r, t]) {
      await conn.call('SET', 'k', 'v');
      const payload = bulkBody(await conn.call('DUMP', 'k'));
      assert.equal((await conn.call('RESTORE', 'f', `${future}000`, payload, 'ABSTTL')).toString(), '+OK\r\n');
      assert.equal((await conn.call('EXPIRETIME', 'f')).toString(), `:${future}\r\n`);
      assert.equal((await conn.call('RESTORE', 'p', '1', payload, 'ABSTTL')).toString(), '+OK\r\n');
      assert.equal((await conn.call('EXISTS', 'p')).toString(), ':0\r\n');
      assert.equal((await conn.call('RESTORE', 'f', '1', payload, 'ABSTTL', 'REPLACE')).toString(), '+OK\r\n');
      assert.equal((await conn.call('EXISTS', 'f')).toString(), ':0\r\n');
    }
  });

  /** Every key a full SCAN iteration returns, and how many calls it took. */
  async function scanAll(conn: RawConnection, ...opts: string[]): Promise<{ keys: string[]; calls: number }> {
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const reply = (await conn.call('SCAN', cursor, ...opts)).toString('latin1').split('\r\n');
      calls++;
      cursor = reply[2];
      for (let i = 5; i < reply.length; i += 2) seen.add(reply[i]);
    } while (cursor !== '0');
    return { keys: [...seen].sort(), calls };
  }

  test('full SCAN iterations return the same keys as Redis', async () => {
    await Promise.all([r.call('FLUSHALL'), t.call('FLUSHALL')]);
    for (let i = 0; i < 300; i++) await Promise.all([r.call('SET', `key:${i}`, String(i)), t.call('SET', `key:${i}`, String(i))]);
    for (const opts of [[], ['COUNT', '7'], ['MATCH', 'key:1*', 'COUNT', '5'], ['TYPE', 'string'], ['TYPE', 'list']]) {
      const [expected, actual] = await Promise.all([scanAll(r, ...opts), scanAll(t, ...opts)]);
      assert.deepEqual(actual.keys, expected.keys, `SCAN ${opts.join(' ')}`);
    }
    // COUNT is the work per call: 300 keys at 7 a call take about 43 calls.
    const { calls } = await scanAll(t, 'COUNT', '7');
    assert.ok(calls >= 43 && calls <= 44, `calls: ${calls}`);
  });

  test('SCAN returns every key present during the whole iteration, despite changes', async () => {
    await t.call('FLUSHALL');
    for (let i = 0; i < 200; i++) await t.call('SET', `stay:${i}`, '1');
    for (let i = 0; i < 100; i++) await t.call('SET', `gone:${i}`, '1');
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const reply = (await t.call('SCAN', cursor, 'COUNT', '10')).toString('latin1').split('\r\n');
      cursor = reply[2];
      for (let i = 5; i < reply.length; i += 2) seen.add(reply[i]);
      // Churn between calls: delete some keys, add new ones, re-add deleted ones.
      await t.call('DEL', `gone:${round}`, `gone:${99 - round}`);
      await t.call('SET', `new:${round}`, '1');
      if (round > 5) await t.call('SET', `gone:${round - 5}`, '1');
      round++;
    } while (cursor !== '0');
    for (let i = 0; i < 200; i++) assert.ok(seen.has(`stay:${i}`), `stay:${i} missing`);
  });

  test('SCAN with an unknown cursor starts over', async () => {
    await t.call('FLUSHALL');
    await t.call('MSET', 'a', '1', 'b', '2');
    const reply = (await t.call('SCAN', '12345', 'COUNT', '100')).toString('latin1').split('\r\n');
    assert.equal(reply[2], '0');
    assert.deepEqual([reply[5], reply[7]].sort(), ['a', 'b']);
  });
});

// ---- in-process: expired keys and propagation -------------------------------------------

describe('keys that expired but are still stored', () => {
  const { server, call } = inProcessServer();
  const db = server.dbs[0];

  /** Stores live keys a, b and keys x, y whose TTL has passed. */
  function fill(): void {
    call('FLUSHALL');
    call('MSET', 'a', '1', 'b', '2', 'x', '3', 'y', '4');
    db.setExpire('x', Date.now() - 10);
    db.setExpire('y', Date.now() - 10);
  }

  test('KEYS skips them and leaves them in place, as Redis', () => {
    fill();
    assert.deepEqual(call('KEYS', '*').split('\r\n').filter((l) => /^[a-z]$/.test(l)).sort(), ['a', 'b']);
    assert.equal(db.size, 4);
    assert.equal(call('DBSIZE'), ':4\r\n');
  });

  test('SCAN skips them and deletes them', () => {
    fill();
    assert.deepEqual(call('SCAN', '0', 'COUNT', '100').split('\r\n').filter((l) => /^[a-z]$/.test(l)).sort(), ['a', 'b']);
    assert.equal(db.size, 2);
    fill();
    call('SCAN', '0', 'COUNT', '100', 'TYPE', 'string');
    assert.equal(db.size, 2);
  });

  test('the key commands all see them as missing', () => {
    fill();
    assert.equal(call('EXISTS', 'a', 'x', 'y'), ':1\r\n');
    fill();
    assert.equal(call('TTL', 'x') + call('TYPE', 'y'), ':-2\r\n+none\r\n');
    fill();
    assert.equal(call('DEL', 'x', 'y', 'a'), ':1\r\n');
    fill();
    assert.equal(call('RENAME', 'x', 'z'), '-ERR no such key\r\n');
    assert.equal(call('COPY', 'y', 'z') + call('MOVE', 'y', '1'), ':0\r\n:0\r\n');
    fill();
    assert.equal(call('OBJECT', 'ENCODING', 'x') + call('DUMP', 'y'), '$-1\r\n$-1\r\n');
    fill();
    for (let i = 0; i < 20; i++) assert.match(call('RANDOMKEY'), /^\$1\r\n[ab]\r\n$/);
  });
});

// ---- propagation: what replicas and the AOF receive ----------------------------------

describe('propagation', () => {
  const { server, run } = inProcessServer();

  test('EXPIRE family becomes PEXPIREAT with the absolute time, options kept', () => {
    run('SET', 'k', 'v');
    const before = Date.now();
    const [[name, key, at, ...rest]] = run('EXPIRE', 'k', '100');
    assert.deepEqual([name, key, rest], ['PEXPIREAT', 'k', []]);
    assert.deepEqual(run('EXPIRE', 'k', '200', 'gt')[0].slice(3), ['gt']);
    assert.deepEqual(run('EXPIRE', 'k', '100', 'GT'), []);
    const [[, , at2]] = run('PEXPIRE', 'k', '5000');
    assert.ok(Number(at) >= before + 100_000 && Number(at) <= Date.now() + 100_000);
    assert.ok(Number(at2) >= before + 5000 && Number(at2) <= Date.now() + 5000);
    assert.deepEqual(run('EXPIREAT', 'k', String(future)), [['PEXPIREAT', 'k', `${future}000`]]);
    assert.deepEqual(run('pexpireat', 'k', `${future}001`), [['pexpireat', 'k', `${future}001`]]);
    assert.deepEqual(run('EXPIRE', 'k', '100', 'NX'), []);
    assert.deepEqual(run('PEXPIREAT', 'k', '9223372036854775807'), [['PEXPIREAT', 'k', '9223372036854775807']]);
    assert.deepEqual(run('EXPIREAT', 'k', '9223372036854775'), [['PEXPIREAT', 'k', '9223372036854775000']]);
  });

  test('EXPIRE in the past becomes DEL, or UNLINK with lazyfree-lazy-expire', () => {
    run('SET', 'k', 'v');
    assert.deepEqual(run('EXPIRE', 'k', '-1'), [['DEL', 'k']]);
    server.config.setRuntime([['lazyfree-lazy-expire', 'yes']]);
    run('SET', 'k', 'v');
    assert.deepEqual(run('PEXPIREAT', 'k', '1'), [['UNLINK', 'k']]);
    server.config.setRuntime([['lazyfree-lazy-expire', 'no']]);
    assert.deepEqual(run('EXPIRE', 'k', '-1'), []);
  });

  test('a key found expired propagates as DEL (UNLINK with lazyfree-lazy-expire), not the command', () => {
    for (const [lazy, del] of [['no', 'DEL'], ['yes', 'UNLINK']]) {
      server.config.setRuntime([['lazyfree-lazy-expire', lazy]]);
      run('SET', 'k', 'v');
      server.dbs[0].setExpire('k', Date.now() - 10);
      const dirty = server.dirty;
      assert.deepEqual(run('GET', 'k'), [[del, 'k']]);
      assert.equal(server.dirty, dirty);
    }
    server.config.setRuntime([['lazyfree-lazy-expire', 'no']]);
  });

  test('RESTORE with a relative TTL becomes an absolute one', () => {
    const payload = createDumpPayload('v', true).toString('latin1');
    const before = Date.now();
    const [[name, key, at, body, ...rest]] = run('RESTORE', 'k', '10000', payload, 'IDLETIME', '5');
    assert.deepEqual([name, key, body, rest], ['RESTORE', 'k', payload, ['IDLETIME', '5', 'ABSTTL']]);
    assert.ok(Number(at) >= before + 10_000 && Number(at) <= Date.now() + 10_000);
    assert.deepEqual(run('RESTORE', 'k2', '0', payload), [['RESTORE', 'k2', '0', payload]]);
    assert.deepEqual(run('RESTORE', 'k3', '1', payload, 'ABSTTL'), []);
    assert.deepEqual(run('RESTORE', 'k2', '1', payload, 'ABSTTL', 'REPLACE'), [['DEL', 'k2']]);
  });

  test('FLUSHDB propagates even on an empty database; SWAPDB and FLUSHALL always', () => {
    run('FLUSHALL');
    assert.deepEqual(run('FLUSHDB'), [['FLUSHDB']]);
    assert.deepEqual(run('FLUSHALL'), [['FLUSHALL']]);
    assert.deepEqual(run('SWAPDB', '0', '0'), [['SWAPDB', '0', '0']]);
    assert.deepEqual(run('DEL', 'nokey'), []);
  });
});
