// String commands against real Redis, reply for reply.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Config } from '../src/config/config.js';
import { Client } from '../src/server/client.js';
import { Server } from '../src/server/server.js';
import { asByteString, type TypedValue } from '../src/store/value.js';
import { cmd, differentialSuite, type Command, type DiffCase } from './helpers/differential.js';
import { RawConnection } from './helpers/resp.js';
import { redisAvailable, startRedis, startTandem } from './helpers/servers.js';

/** Every byte value, and a few strings around them. */
const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const binaryKey = Buffer.from([0, 1, 0xff, 0x0d, 0x0a, 0x80]);

const cases: DiffCase[] = [
  // ---- GET / SET ----
  {
    name: 'GET and SET basics',
    commands: [
      cmd('GET nokey'),
      cmd('SET k v'),
      cmd('GET k'),
      cmd('SET k v2'),
      cmd('GET k'),
      ['SET', 'empty', ''],
      cmd('GET empty'),
      cmd('STRLEN empty'),
      cmd('EXISTS empty'),
      cmd('set lower case'),
      cmd('get lower'),
    ],
  },
  {
    name: 'binary keys and values',
    commands: [
      ['SET', binaryKey, allBytes],
      ['GET', binaryKey],
      ['STRLEN', binaryKey],
      ['APPEND', binaryKey, allBytes],
      ['GET', binaryKey],
      ['GETRANGE', binaryKey, '250', '260'],
      ['SETRANGE', binaryKey, '1', Buffer.from([0, 0xfe])],
      ['GET', binaryKey],
      ['MSET', 'a', Buffer.from([0xc3, 0xa9]), 'b', Buffer.from('\r\n')],
      cmd('MGET a b nokey'),
      ['GETSET', 'a', Buffer.from([0xff])],
      cmd('GETDEL a'),
    ],
  },
  {
    name: 'wrong arity',
    commands: [
      cmd('GET'),
      cmd('GET a b'),
      cmd('SET k'),
      cmd('SETNX k'),
      cmd('SETEX k 10'),
      cmd('PSETEX k 10'),
      cmd('GETSET k'),
      cmd('GETDEL'),
      cmd('GETEX'),
      cmd('MGET'),
      cmd('MSET'),
      cmd('MSET a'),
      cmd('MSET a 1 b'),
      cmd('MSETNX a 1 b'),
      cmd('INCR'),
      cmd('DECR a b'),
      cmd('INCRBY a'),
      cmd('DECRBY a'),
      cmd('INCRBYFLOAT a'),
      cmd('APPEND a'),
      cmd('STRLEN'),
      cmd('GETRANGE a 0'),
      cmd('SUBSTR a 0'),
      cmd('SETRANGE a 0'),
      cmd('LCS a'),
    ],
  },
  {
    name: 'SET NX / XX / GET',
    commands: [
      cmd('SET k v XX'),
      cmd('GET k'),
      cmd('SET k v NX'),
      cmd('SET k w NX'),
      cmd('GET k'),
      cmd('SET k w XX'),
      cmd('GET k'),
      cmd('SET k x GET'),
      cmd('SET new x GET'),
      cmd('SET k y NX GET'),
      cmd('SET k z xx get'),
      cmd('SET nokey z XX GET'),
      cmd('EXISTS nokey'),
      cmd('SET k a GET GET'),
      cmd('SET k b nx NX'),
      cmd('GET k'),
      cmd('SETNX k v'),
      cmd('SETNX k2 v'),
      cmd('GET k2'),
    ],
  },
  {
    name: 'SET option syntax errors',
    commands: [
      cmd('SET k v NX XX'),
      cmd('SET k v XX NX'),
      cmd('SET k v EX'),
      cmd('SET k v PX'),
      cmd('SET k v EXAT'),
      cmd('SET k v PXAT'),
      cmd('SET k v EX 10 PX 10'),
      cmd('SET k v PX 10 EX 10'),
      cmd('SET k v EX 10 EXAT 10'),
      cmd('SET k v PXAT 10 EXAT 10'),
      cmd('SET k v EX 10 KEEPTTL'),
      cmd('SET k v KEEPTTL PX 10'),
      cmd('SET k v PERSIST'),
      cmd('SET k v FOO'),
      cmd('SET k v EX 10 FOO'),
      cmd('SET k v GETT'),
      ['SET', 'k', 'v', 'NX\0'],
      ['SET', 'k', 'v', 'NX\0junk'],
      cmd('GET k'),
      cmd('EXISTS k'),
    ],
  },
  {
    name: 'SET expire values',
    commands: [
      cmd('SET k v EX 0'),
      cmd('SET k v EX -1'),
      cmd('SET k v PX 0'),
      cmd('SET k v EXAT 0'),
      cmd('SET k v PXAT -5'),
      cmd('SET k v EX abc'),
      cmd('SET k v EX 1.5'),
      cmd('SET k v EX 9223372036854775807'),
      cmd('SET k v EX 9223372036854776'),
      cmd('SET k v EX 9223372036854775'),
      cmd('SET k v PX 9223372036854775807'),
      cmd('SET k v EX 99999999999999999999'),
      cmd('SETEX k 0 v'),
      cmd('SETEX k -10 v'),
      cmd('SETEX k x v'),
      cmd('PSETEX k 0 v'),
      cmd('PSETEX k 9223372036854775807 v'),
      cmd('EXISTS k'),
      cmd('SET k v EX 100'),
      cmd('TTL k'),
      cmd('SET k v ex 100 ex 200'),
      cmd('TTL k'),
      cmd('SET k v PX 100000'),
      cmd('TTL k'),
      cmd('SETEX k 100 v'),
      cmd('TTL k'),
      cmd('PSETEX k 100000 v'),
      cmd('TTL k'),
      cmd('SET k v EXAT 32503680000'),
      cmd('EXPIRETIME k'),
      cmd('SET k v PXAT 32503680000123'),
      cmd('PEXPIRETIME k'),
      cmd('SET k v EXAT 9223372036854775'),
      cmd('EXISTS k'),
    ],
  },
  {
    name: 'SET TTL handling: plain SET clears it, KEEPTTL keeps it',
    commands: [
      cmd('SET k v EX 100'),
      cmd('SET k v2'),
      cmd('TTL k'),
      cmd('SET k v EX 100'),
      cmd('SET k v3 KEEPTTL'),
      cmd('TTL k'),
      cmd('GET k'),
      cmd('SET k v4 KEEPTTL GET'),
      cmd('TTL k'),
      cmd('SET k v5 XX KEEPTTL'),
      cmd('TTL k'),
      cmd('SET k v6 GET EX 200'),
      cmd('TTL k'),
      cmd('GETSET k v7'),
      cmd('TTL k'),
      cmd('SET nottl v KEEPTTL'),
      cmd('TTL nottl'),
      cmd('SET k v EX 100'),
      cmd('SET k v NX EX 300'),
      cmd('TTL k'),
      cmd('SET k v XX PX 300000'),
      cmd('TTL k'),
    ],
  },
  {
    name: 'SET with a time in the past',
    commands: [
      cmd('SET k v PXAT 1'),
      cmd('GET k'),
      cmd('EXISTS k'),
      cmd('SET k v EXAT 1'),
      cmd('TTL k'),
      cmd('SET k v'),
      cmd('SET k w EXAT 1 GET'),
      cmd('GET k'),
      cmd('SET k v EX 100'),
      cmd('SET k v KEEPTTL'),
      cmd('TTL k'),
    ],
  },
  // ---- GETEX / GETDEL / GETSET ----
  {
    name: 'GETEX options and TTLs',
    commands: [
      cmd('GETEX nokey'),
      cmd('GETEX nokey EX 0'),
      cmd('GETEX nokey EX foo'),
      cmd('GETEX nokey FOO'),
      cmd('SET k v'),
      cmd('GETEX k'),
      cmd('TTL k'),
      cmd('GETEX k EX 100'),
      cmd('TTL k'),
      cmd('GETEX k PX 200000'),
      cmd('TTL k'),
      cmd('GETEX k EXAT 32503680000'),
      cmd('EXPIRETIME k'),
      cmd('GETEX k PXAT 32503680000999'),
      cmd('PEXPIRETIME k'),
      cmd('GETEX k PERSIST'),
      cmd('TTL k'),
      cmd('GETEX k persist'),
      cmd('GETEX k EX 0'),
      cmd('GETEX k EX -1'),
      cmd('GETEX k PX 9223372036854775807'),
      cmd('GETEX k EX 9223372036854776'),
      cmd('GETEX k EX abc'),
      cmd('GETEX k EX'),
      cmd('GETEX k EX 10 PX 10'),
      cmd('GETEX k PERSIST EX 10'),
      cmd('GETEX k EX 10 PERSIST'),
      cmd('GETEX k KEEPTTL'),
      cmd('GETEX k NX'),
      cmd('GETEX k GET'),
      cmd('GETEX k XX'),
      cmd('TTL k'),
      cmd('GETEX k EXAT 1'),
      cmd('EXISTS k'),
      cmd('SET k v'),
      cmd('GETEX k PXAT 1'),
      cmd('GET k'),
    ],
  },
  {
    name: 'GETDEL and GETSET',
    commands: [
      cmd('GETDEL nokey'),
      cmd('SET k v EX 100'),
      cmd('GETDEL k'),
      cmd('EXISTS k'),
      cmd('GETDEL k'),
      cmd('GETSET k a'),
      cmd('GETSET k b'),
      cmd('GET k'),
      ['GETSET', 'k', ''],
      cmd('STRLEN k'),
    ],
  },
  // ---- MSET / MGET ----
  {
    name: 'MSET, MSETNX, MGET',
    commands: [
      cmd('MSET a 1 b 2 c 3'),
      cmd('MGET a b c d'),
      cmd('MSET a x a y'),
      cmd('GET a'),
      cmd('MSETNX a 1 z 2'),
      cmd('EXISTS z'),
      cmd('MSETNX y 1 z 2'),
      cmd('MGET y z'),
      cmd('MSETNX q 1 q 2'),
      cmd('GET q'),
      cmd('SET t v EX 100'),
      cmd('MSET t w'),
      cmd('TTL t'),
      cmd('MGET nokey'),
    ],
  },
  // ---- counters ----
  {
    name: 'INCR family',
    commands: [
      cmd('INCR n'),
      cmd('INCR n'),
      cmd('DECR n'),
      cmd('DECR m'),
      cmd('INCRBY n 100'),
      cmd('INCRBY n -300'),
      cmd('DECRBY n 5'),
      cmd('DECRBY n -5'),
      cmd('GET n'),
      cmd('SET n 9007199254740991'),
      cmd('INCR n'),
      cmd('INCR n'),
      cmd('GET n'),
      cmd('SET n 9223372036854775806'),
      cmd('INCR n'),
      cmd('INCR n'),
      cmd('GET n'),
      cmd('SET n -9223372036854775807'),
      cmd('DECR n'),
      cmd('DECR n'),
      cmd('INCRBY n 9223372036854775807'),
      cmd('INCRBY n 9223372036854775807'),
      cmd('GET n'),
      cmd('INCRBY x 9223372036854775807'),
      cmd('INCRBY x -9223372036854775808'),
      cmd('INCRBY y -9223372036854775808'),
      cmd('DECRBY y 1'),
      cmd('DECRBY z -9223372036854775808'),
      cmd('DECRBY z 9223372036854775807'),
      cmd('DECRBY z 2'),
      cmd('SET big 12345678901234567890'),
      cmd('INCR big'),
      cmd('INCRBY n 9223372036854775808'),
      cmd('INCRBY n abc'),
      cmd('INCRBY n 1.0'),
      cmd('INCRBY n +1'),
      cmd('INCRBY n 01'),
      ['INCRBY', 'n', ''],
      cmd('SET s abc'),
      cmd('INCR s'),
      ['SET', 's', ' 1'],
      cmd('INCR s'),
      cmd('SET s 1.5'),
      cmd('INCR s'),
      cmd('SET s 007'),
      cmd('DECR s'),
      cmd('SET s -0'),
      cmd('INCR s'),
      ['SET', 's', ''],
      cmd('INCR s'),
      cmd('SET t 10 EX 100'),
      cmd('INCR t'),
      cmd('TTL t'),
    ],
  },
  {
    name: 'INCRBYFLOAT formatting and errors',
    commands: [
      cmd('INCRBYFLOAT f 10.5'),
      cmd('INCRBYFLOAT f 0.1'),
      cmd('INCRBYFLOAT f -5.0e3'),
      cmd('INCRBYFLOAT f 5.0e3'),
      cmd('SET f 5'),
      cmd('INCRBYFLOAT f 2'),
      cmd('INCRBYFLOAT f 1.1'),
      cmd('INCRBYFLOAT g 3.0'),
      cmd('INCRBYFLOAT g 0.00000000000000001'),
      cmd('INCRBYFLOAT h 1e20'),
      cmd('INCRBYFLOAT h 1'),
      cmd('INCRBYFLOAT i -0.0'),
      cmd('INCRBYFLOAT i 0x10'),
      cmd('INCRBYFLOAT i 1.23e-5'),
      cmd('INCRBYFLOAT j 1e4000'),
      cmd('INCRBYFLOAT k 1.2e4932'),
      cmd('INCRBYFLOAT k inf'),
      cmd('INCRBYFLOAT k -inf'),
      cmd('INCRBYFLOAT k nan'),
      cmd('INCRBYFLOAT k abc'),
      ['INCRBYFLOAT', 'k', ''],
      ['INCRBYFLOAT', 'k', ' 1'],
      cmd('INCRBYFLOAT k 1e-5000'),
      cmd('EXISTS k'),
      cmd('SET s abc'),
      cmd('INCRBYFLOAT s 1'),
      cmd('SET s 1e10'),
      cmd('INCRBYFLOAT s 1'),
      cmd('SET t 1.5 EX 100'),
      cmd('INCRBYFLOAT t 1'),
      cmd('TTL t'),
      cmd('SET u 0.1'),
      cmd('INCRBYFLOAT u 0.2'),
      cmd('INCRBYFLOAT u -0.3'),
      cmd('INCRBYFLOAT v 3.14159265358979323846264338327950288'),
      cmd('INCRBYFLOAT w 18446744073709551615'),
    ],
  },
  // ---- APPEND / STRLEN / ranges ----
  {
    name: 'APPEND and STRLEN',
    commands: [
      cmd('APPEND k hello'),
      cmd('APPEND k world'),
      cmd('GET k'),
      ['APPEND', 'k', ''],
      cmd('STRLEN k'),
      ['APPEND', 'e', ''],
      cmd('EXISTS e'),
      cmd('STRLEN e'),
      cmd('STRLEN nokey'),
      cmd('SET n 10'),
      cmd('APPEND n 5'),
      cmd('INCR n'),
      ['APPEND', 'big', 'x'.repeat(60)],
      ['APPEND', 'big', 'y'.repeat(10)],
      ['APPEND', 'big', 'z'.repeat(1000)],
      cmd('STRLEN big'),
      cmd('GET big'),
      cmd('GETRANGE big 55 75'),
      cmd('SET t v EX 100'),
      cmd('APPEND t w'),
      cmd('TTL t'),
    ],
  },
  {
    name: 'APPEND many times to one key',
    commands: [
      ...Array.from({ length: 300 }, (_, i): Command => ['APPEND', 'k', `<${i}>`]),
      cmd('STRLEN k'),
      cmd('GET k'),
    ],
  },
  {
    name: 'GETRANGE and SUBSTR',
    commands: [
      cmd('GETRANGE nokey 0 -1'),
      cmd('SET k Hello,World'),
      cmd('GETRANGE k 0 4'),
      cmd('GETRANGE k -5 -1'),
      cmd('GETRANGE k 0 -1'),
      cmd('GETRANGE k 5 100'),
      cmd('GETRANGE k 100 200'),
      cmd('GETRANGE k -100 2'),
      cmd('GETRANGE k -1 -5'),
      cmd('GETRANGE k 3 1'),
      cmd('GETRANGE k -1 -1'),
      cmd('GETRANGE k 0 0'),
      cmd('GETRANGE k -9223372036854775808 9223372036854775807'),
      cmd('GETRANGE k 9223372036854775807 -9223372036854775808'),
      cmd('GETRANGE k a 1'),
      cmd('GETRANGE k 1 b'),
      cmd('GETRANGE k 1 99999999999999999999'),
      cmd('SUBSTR k 1 3'),
      cmd('SUBSTR k -3 -1'),
      ['SET', 'e', ''],
      cmd('GETRANGE e 0 -1'),
      cmd('GETRANGE e 0 0'),
      cmd('GETRANGE e -1 0'),
      cmd('SET n 12345'),
      cmd('GETRANGE n 1 2'),
    ],
  },
  {
    name: 'SETRANGE',
    commands: [
      cmd('SETRANGE k 0 Hello'),
      cmd('SETRANGE k 6 World'),
      cmd('GET k'),
      cmd('SETRANGE k 1 a'),
      cmd('GET k'),
      cmd('SETRANGE k 20 !'),
      cmd('GET k'),
      cmd('STRLEN k'),
      ['SETRANGE', 'k', '100', ''],
      cmd('STRLEN k'),
      ['SETRANGE', 'nokey', '5', ''],
      cmd('EXISTS nokey'),
      cmd('SETRANGE k -1 x'),
      cmd('SETRANGE k a x'),
      cmd('SETRANGE k 1.5 x'),
      cmd('SETRANGE new 536870912 x'),
      cmd('SETRANGE new 536870911 xy'),
      cmd('SETRANGE new 9223372036854775807 x'),
      cmd('SETRANGE new 9223372036854775808 x'),
      cmd('SETRANGE k 536870911 xy'),
      cmd('EXISTS new'),
      cmd('SET n 12345'),
      cmd('SETRANGE n 1 0'),
      cmd('GET n'),
      cmd('INCR n'),
      cmd('SET t v EX 100'),
      cmd('SETRANGE t 3 v'),
      cmd('TTL t'),
      cmd('GET t'),
    ],
  },
  {
    name: 'SETRANGE near the size limit',
    commands: [
      cmd('SETRANGE big 536870911 x'),
      cmd('STRLEN big'),
      cmd('GETRANGE big -3 -1'),
      cmd('GETRANGE big 0 3'),
      cmd('SETRANGE big 536870911 xy'),
      cmd('APPEND big y'),
      cmd('STRLEN big'),
    ],
  },
  // ---- LCS ----
  {
    name: 'LCS (examples from the Redis docs)',
    commands: [
      cmd('MSET key1 ohmytext key2 mynewtext'),
      cmd('LCS key1 key2'),
      cmd('LCS key1 key2 LEN'),
      cmd('LCS key1 key2 IDX'),
      cmd('LCS key1 key2 IDX MINMATCHLEN 4'),
      cmd('LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN'),
      cmd('LCS key1 key2 idx withmatchlen'),
      cmd('LCS key1 key2 IDX MINMATCHLEN -5'),
      cmd('LCS key2 key1 IDX WITHMATCHLEN'),
      cmd('LCS key1 key1'),
      cmd('LCS key1 key1 IDX WITHMATCHLEN'),
    ],
  },
  {
    name: 'LCS edge cases and errors',
    commands: [
      cmd('LCS a b'),
      cmd('LCS a b LEN'),
      cmd('LCS a b IDX'),
      cmd('SET a abcdefghijk'),
      cmd('LCS a b'),
      cmd('LCS a b IDX WITHMATCHLEN'),
      cmd('SET b xyz'),
      cmd('LCS a b'),
      cmd('LCS a b IDX'),
      cmd('SET b ACBDEFzzghij'),
      cmd('LCS a b IDX WITHMATCHLEN'),
      cmd('SET b bcadefkgh'),
      cmd('LCS a b'),
      cmd('LCS a b IDX WITHMATCHLEN MINMATCHLEN 2'),
      cmd('LCS a b LEN IDX'),
      cmd('LCS a b IDX LEN'),
      cmd('LCS a b MINMATCHLEN'),
      cmd('LCS a b MINMATCHLEN x'),
      cmd('LCS a b FOO'),
      cmd('LCS a b LEN LEN'),
      ['SET', 'bin1', Buffer.from([0, 1, 2, 0xff, 0, 3])],
      ['SET', 'bin2', Buffer.from([0xff, 0, 0, 3, 1])],
      cmd('LCS bin1 bin2'),
      cmd('LCS bin1 bin2 IDX WITHMATCHLEN'),
    ],
  },
  {
    name: 'LCS of longer strings',
    commands: [
      ['SET', 'a', 'the quick brown fox jumps over the lazy dog '.repeat(20)],
      ['SET', 'b', 'a quick brown dog leaps over the lazy fox!! '.repeat(20)],
      cmd('LCS a b LEN'),
      cmd('LCS a b'),
      cmd('LCS a b IDX MINMATCHLEN 5 WITHMATCHLEN'),
    ],
  },
];

differentialSuite(cases);

/** Runs `body` with fresh connections to a fresh real Redis and Tandem; stops both after. */
async function withPair(body: (r: RawConnection, t: RawConnection) => Promise<void>): Promise<void> {
  const [redis, tandem] = await Promise.all([startRedis(), startTandem()]);
  try {
    const [r, t] = await Promise.all([RawConnection.open(redis.port), RawConnection.open(tandem.port)]);
    try {
      await body(r, t);
    } finally {
      r.close();
      t.close();
    }
  } finally {
    await Promise.all([redis.stop(), tandem.stop()]);
  }
}

const noRedis = redisAvailable() ? false : 'redis-server not installed';

/** Sends each command to both servers and asserts byte-identical replies. */
async function replay(r: RawConnection, t: RawConnection, script: Command[]): Promise<void> {
  for (const c of script) {
    const [expected, actual] = await Promise.all([r.call(...c), t.call(...c)]);
    assert.equal(actual.toString('latin1'), expected.toString('latin1'), c.join(' '));
  }
}

test('keyspace hits, misses and expired keys counted like Redis', { skip: noRedis }, async () => {
  await withPair(async (r, t) => {
    const script: Command[] = [
      cmd('SET a 1'),
      cmd('GET a'),
      cmd('GET nokey'),
      cmd('MGET a nokey'),
      cmd('INCR a'),
      cmd('SET a 2 GET'),
      cmd('GETEX a'),
      cmd('STRLEN nokey'),
      cmd('GETRANGE nokey 0 1'),
      cmd('LCS a nokey'),
      cmd('APPEND a x'),
      cmd('MSETNX a 1'),
      cmd('SET e v PXAT 1'),
      cmd('GET e'),
      cmd('SET f v PXAT 1'),
      cmd('SET f w KEEPTTL'),
      cmd('TTL f'),
      cmd('SET g v PXAT 1'),
      cmd('SET g w'),
    ];
    await replay(r, t, script);
    const pick = (info: Buffer) =>
      info
        .toString('latin1')
        .split('\r\n')
        .filter((l) => /^(keyspace_hits|keyspace_misses|expired_keys):/.test(l));
    const [ri, ti] = await Promise.all([r.call('INFO', 'stats'), t.call('INFO', 'stats')]);
    assert.equal(pick(ri).length, 3);
    assert.deepEqual(pick(ti), pick(ri));
  });
});

test('RESP3 replies (LCS IDX map, nulls)', { skip: noRedis }, async () => {
  await withPair(async (r, t) => {
    await Promise.all([r.call('HELLO', '3'), t.call('HELLO', '3')]);
    const script: Command[] = [
      cmd('GET nokey'),
      cmd('MSET key1 ohmytext key2 mynewtext'),
      cmd('LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN'),
      cmd('LCS key1 key2 IDX'),
      cmd('SET k v NX'),
      cmd('SET k v XX GET'),
      cmd('MGET key1 nokey'),
      cmd('GETEX nokey'),
      cmd('GETDEL nokey'),
      cmd('INCRBYFLOAT f 1.5'),
    ];
    await replay(r, t, script);
  });
});

// ---- propagation and dirty counting, in process -----------------------------------

describe('propagation: what replicas and the AOF receive', () => {
  const server = new Server(new Config(), { logSink: () => undefined });
  const client = new Client(server, 1, null);
  const propagated: string[][] = [];
  server.propagationSinks.push((_db, argv) => propagated.push(argv));

  function run(...argv: string[]): string[][] {
    propagated.length = 0;
    server.execute(client, argv);
    return propagated.slice();
  }

  /** Asserts a single SET key value PXAT <ms> with ms in [low, high]. */
  function assertPxat(forms: string[][], key: string, value: string, low: number, high: number): void {
    assert.equal(forms.length, 1);
    const [name, k, v, pxat, ms] = forms[0];
    assert.deepEqual([name, k, v, pxat], ['SET', key, value, 'PXAT']);
    assert.ok(Number(ms) >= low && Number(ms) <= high, `${ms} in [${low}, ${high}]`);
  }

  test('a key found expired is deleted (DEL propagated) before SET writes it, both in one MULTI/EXEC as Redis 7.0', () => {
    run('SET', 'e', 'v', 'PXAT', '1');
    assert.deepEqual(run('SET', 'e', 'w', 'KEEPTTL'), [['MULTI'], ['DEL', 'e'], ['SET', 'e', 'w', 'KEEPTTL'], ['EXEC']]);
    assert.deepEqual(run('GET', 'e'), []);
  });

  test('SET is propagated as sent, without GET, or with an absolute PXAT', () => {
    assert.deepEqual(run('set', 'k', 'v'), [['set', 'k', 'v']]);
    assert.deepEqual(run('set', 'k', 'v', 'get', 'KEEPTTL', 'GeT'), [['set', 'k', 'v', 'KEEPTTL']]);
    assert.deepEqual(run('SET', 'k', 'v', 'NX'), []);
    assert.deepEqual(run('SET', 'k', 'v', 'NX', 'GET'), []);
    const before = Date.now();
    assertPxat(run('SET', 'k', 'v', 'EX', '100', 'GET'), 'k', 'v', before + 100_000, Date.now() + 100_000);
    assertPxat(run('SET', 'k', 'w', 'px', '5000'), 'k', 'w', before + 5000, Date.now() + 5000);
    assert.deepEqual(run('SET', 'k', 'v', 'EXAT', '32503680000'), [['SET', 'k', 'v', 'PXAT', '32503680000000']]);
    assert.deepEqual(run('SET', 'k', 'v', 'EXAT', '9223372036854775'), [['SET', 'k', 'v', 'PXAT', '9223372036854775000']]);
    assert.deepEqual(run('SET', 'k', 'v', 'PXAT', '1'), [['SET', 'k', 'v', 'PXAT', '1']]);
    assert.deepEqual(run('SET', 'k', 'v', 'EX', '0'), []);
  });

  test('SETEX, PSETEX and GETSET become SET', () => {
    const before = Date.now();
    assertPxat(run('SETEX', 's', '100', 'v'), 's', 'v', before + 100_000, Date.now() + 100_000);
    assertPxat(run('psetex', 's', '100', 'v'), 's', 'v', before + 100, Date.now() + 100);
    assert.deepEqual(run('getset', 's', 'w'), [['SET', 's', 'w']]);
    assert.deepEqual(run('SETNX', 's', 'x'), []);
    assert.deepEqual(run('SETNX', 'k2', 'x'), [['SETNX', 'k2', 'x']]);
  });

  test('GETEX becomes PEXPIREAT, PERSIST or DEL; plain GETEX nothing', () => {
    run('SET', 'k', 'v');
    assert.deepEqual(run('GETEX', 'k'), []);
    assert.deepEqual(run('GETEX', 'k', 'PERSIST'), []);
    const before = Date.now();
    const [[name, key, at]] = run('GETEX', 'k', 'EX', '100');
    assert.deepEqual([name, key], ['PEXPIREAT', 'k']);
    assert.ok(Number(at) >= before + 100_000 && Number(at) <= Date.now() + 100_000);
    assert.deepEqual(run('GETEX', 'k', 'PXAT', '32503680000123'), [['PEXPIREAT', 'k', '32503680000123']]);
    assert.deepEqual(run('GETEX', 'k', 'PERSIST'), [['PERSIST', 'k']]);
    assert.deepEqual(run('GETEX', 'k', 'EXAT', '1'), [['DEL', 'k']]);
    server.config.setRuntime([['lazyfree-lazy-expire', 'yes']]);
    run('SET', 'k', 'v');
    assert.deepEqual(run('GETEX', 'k', 'PXAT', '1'), [['UNLINK', 'k']]);
    server.config.setRuntime([['lazyfree-lazy-expire', 'no']]);
    assert.deepEqual(run('GETEX', 'k', 'PXAT', '1'), []);
  });

  test('GETDEL becomes DEL (UNLINK with lazyfree-lazy-user-del), INCRBYFLOAT a SET KEEPTTL', () => {
    run('SET', 'k', 'v');
    assert.deepEqual(run('GETDEL', 'k'), [['DEL', 'k']]);
    assert.deepEqual(run('GETDEL', 'k'), []);
    server.config.setRuntime([['lazyfree-lazy-user-del', 'yes']]);
    run('SET', 'k', 'v');
    assert.deepEqual(run('GETDEL', 'k'), [['UNLINK', 'k']]);
    server.config.setRuntime([['lazyfree-lazy-user-del', 'no']]);
    assert.deepEqual(run('INCRBYFLOAT', 'f', '1.5'), [['SET', 'f', '1.5', 'KEEPTTL']]);
    assert.deepEqual(run('incrbyfloat', 'f', '1e1'), [['SET', 'f', '11.5', 'KEEPTTL']]);
    assert.deepEqual(run('INCRBYFLOAT', 'f', 'x'), []);
    assert.deepEqual(run('incr', 'n'), [['incr', 'n']]);
  });

  test('dirty counts as Redis 7.0 does', () => {
    const changes = (...argv: string[]): number => {
      const before = server.dirty;
      server.execute(client, argv);
      return server.dirty - before;
    };
    assert.equal(changes('MSET', 'a', '1', 'b', '2', 'a', '3'), 3);
    assert.equal(changes('MSETNX', 'a', '1', 'c', '2'), 0);
    assert.equal(changes('MSETNX', 'c', '1', 'd', '2'), 2);
    assert.equal(changes('SET', 'a', '1', 'XX', 'GET'), 1);
    assert.equal(changes('SET', 'a', '1', 'NX'), 0);
    assert.equal(changes('APPEND', 'a', ''), 1);
    assert.equal(changes('SETRANGE', 'a', '0', ''), 0);
    assert.equal(changes('SETRANGE', 'a', '0', '1'), 1);
    assert.equal(changes('GETEX', 'a', 'PERSIST'), 0);
    assert.equal(changes('INCR', 'x'), 1);
    assert.equal(changes('INCR', 'a', 'b'), 0);
  });
});

// No other data type exists yet: a stand-in value of another type checks the WRONGTYPE paths.
describe('keys holding another type', () => {
  /** A client whose replies are collected instead of written. */
  class CapturingClient extends Client {
    output(): string {
      return (this.takeOutput() ?? []).map((b) => b.toString('latin1')).join('');
    }
  }
  const server = new Server(new Config(), { logSink: () => undefined });
  const client = new CapturingClient(server, 1, null);
  const standIn: TypedValue = { type: 'list', encoding: () => 'quicklist', clone: () => standIn, digest: () => undefined };
  const wrongType = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';

  function reply(...argv: string[]): string {
    server.dbs[0].set('l', standIn);
    client.output();
    server.execute(client, argv);
    return client.output();
  }

  test('reading and changing commands refuse it', () => {
    const refused = [
      ['GET', 'l'],
      ['SET', 'l', 'v', 'GET'],
      ['GETSET', 'l', 'v'],
      ['GETEX', 'l', 'EX', '0'],
      ['GETDEL', 'l'],
      ['INCR', 'l'],
      ['DECRBY', 'l', '1'],
      ['INCRBYFLOAT', 'l', 'x'],
      ['APPEND', 'l', 'x'],
      ['STRLEN', 'l'],
      ['GETRANGE', 'l', '0', '1'],
      ['SETRANGE', 'l', '0', ''],
      ['SETBIT', 'l', '0', '1'],
      ['GETBIT', 'l', '0'],
      ['BITCOUNT', 'l', 'x', 'y'],
      ['BITPOS', 'l', '1', 'x'],
      ['BITOP', 'AND', 'd', 'nokey', 'l'],
      ['BITFIELD', 'l', 'GET', 'u8', '0'],
      ['BITFIELD', 'l', 'SET', 'u8', '0', '1'],
      ['BITFIELD_RO', 'l', 'GET', 'u8', '0'],
    ];
    for (const argv of refused) assert.equal(reply(...argv), wrongType, argv.join(' '));
    assert.equal(reply('LCS', 'l', 'nokey'), '-ERR The specified keys must contain string values\r\n');
  });

  test('argument errors found before the type check still come first', () => {
    assert.equal(reply('GETRANGE', 'l', 'x', '1'), '-ERR value is not an integer or out of range\r\n');
    assert.equal(reply('SETBIT', 'l', '0', '2'), '-ERR bit is not an integer or out of range\r\n');
    assert.equal(reply('SET', 'l', 'v', 'GET', 'EX', '0'), "-ERR invalid expire time in 'set' command\r\n");
    assert.equal(reply('BITPOS', 'l', '2'), '-ERR The bit argument must be 1 or 0.\r\n');
    assert.equal(reply('BITFIELD_RO', 'l', 'SET', 'u8', '0', '1'), '-ERR BITFIELD_RO only supports the GET subcommand\r\n');
  });

  test('whole-value writes replace it; MGET and MSETNX treat it as present but not a string', () => {
    assert.equal(reply('MGET', 'l', 'nokey'), '*2\r\n$-1\r\n$-1\r\n');
    assert.equal(reply('MSETNX', 'l', 'v'), ':0\r\n');
    assert.equal(reply('SETNX', 'l', 'v'), ':0\r\n');
    assert.equal(reply('SET', 'l', 'v', 'XX'), '+OK\r\n');
    assert.equal(reply('MSET', 'l', 'v'), '+OK\r\n');
    assert.equal(reply('SET', 'x', 'abc'), '+OK\r\n');
    assert.equal(reply('BITOP', 'OR', 'l', 'x'), ':3\r\n');
    assert.equal(asByteString(server.dbs[0].lookup('l') as Buffer), 'abc');
  });
});
