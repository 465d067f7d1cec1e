// Keyspace notifications, differential: a subscriber PSUBSCRIBEd to every
// channel and a second connection running commands, on real Redis and on
// Tandem; after each command the replies and the messages the subscriber got
// (__keyspace@<db>__:<key> / __keyevent@<db>__:<event>, in order) must be the
// same bytes. Covers every string, bitmap, keyspace and database command,
// expiry (lazy and active), the 'n' (new) and 'm' (keymiss) classes, class
// filters and the disabled default.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createDumpPayload } from '../src/persistence/dump.js';
import { PubSubSession } from './helpers/pubsub.js';
import { RawConnection } from './helpers/resp.js';
import { redisAvailable, startRedis, startTandem, type RunningServer } from './helpers/servers.js';

const noRedis = redisAvailable() ? false : 'redis-server not installed';

/** A command line (arguments split on spaces), or a pause of the whole scenario. */
type Line = string | string[] | { sleepMs: number };

interface NotifyCase {
  name: string;
  /** notify-keyspace-events for the case. */
  flags: string;
  lines: Line[];
  /** The subscriber speaks RESP3. */
  resp3?: boolean;
}

const payload = createDumpPayload('restored', false).toString('latin1');

const cases: NotifyCase[] = [
  {
    name: 'SET family, GETEX, GETDEL, MSET(NX)',
    flags: 'KEA',
    lines: [
      'SET s v',
      'SET s v2 EX 100',
      'SET s v3 KEEPTTL',
      'SET s v4 NX',
      'SET s v5 XX PX 100000',
      'SET s2 v XX',
      'SET s v6 GET',
      'SET fresh v GET',
      'SETNX s v',
      'SETNX n v',
      'SETEX ex 100 v',
      'PSETEX pex 100000 v',
      'SETEX ex 0 v',
      'GETSET s v7',
      'GETSET gs v',
      'GETEX s EX 100',
      'GETEX s PX 100000',
      'GETEX s EXAT 99999999999',
      'GETEX s PXAT 99999999999000',
      'GETEX s PERSIST',
      'GETEX s PERSIST',
      'GETEX s',
      'GETEX nokey EX 10',
      'GETEX s EXAT 1',
      'GETDEL n',
      'GETDEL n',
      'MSET a 1 b 2 a 3',
      'MSETNX a 1 c 3',
      'MSETNX c 3 d 4',
      'SET s v BADOPTION',
    ],
  },
  {
    name: 'counters, APPEND, SETRANGE',
    flags: 'KEA',
    lines: [
      'INCR i',
      'DECR i',
      'INCRBY i 10',
      'DECRBY i 3',
      'INCRBY i notanumber',
      'SET big 9223372036854775807',
      'INCR big',
      'INCRBYFLOAT f 1.5',
      'INCRBYFLOAT f 1e400',
      'APPEND a x',
      'APPEND a yy',
      ['APPEND', 'a', 'z'.repeat(100)],
      'SETRANGE a 0 Q',
      ['SETRANGE', 'a', '2', ''],
      ['SETRANGE', 'missing', '5', ''],
      'SETRANGE r 3 v',
      'SETRANGE r -1 v',
      'STRLEN a',
      'GET a',
      'GETRANGE a 0 2',
      'MGET a r missing',
    ],
  },
  {
    name: 'bitmaps: SETBIT, BITOP, BITFIELD',
    flags: 'KEA',
    lines: [
      'SETBIT b 7 1',
      'SETBIT b 7 1',
      'SETBIT b 7 0',
      'SETBIT b 100 0',
      'SETBIT b -1 1',
      'SET x abc',
      'BITOP AND dest b x',
      'BITOP OR dest b x nokey',
      'BITOP XOR dest b x',
      'BITOP NOT dest x',
      'BITOP AND dest none1 none2',
      'BITOP AND dest none1 none2',
      'BITFIELD bf SET u8 0 255',
      'BITFIELD bf SET u8 0 255',
      'BITFIELD bf INCRBY u8 0 1',
      'BITFIELD bf OVERFLOW FAIL INCRBY u8 0 1000',
      'BITFIELD nf OVERFLOW FAIL INCRBY u8 0 1000',
      'BITFIELD bf GET u8 0',
      'BITFIELD_RO bf GET u8 0',
      'BITCOUNT b',
      'BITPOS b 1',
      'GETBIT b 7',
    ],
  },
  {
    name: 'keyspace: DEL, UNLINK, the EXPIRE family, PERSIST',
    flags: 'KEA',
    lines: [
      'MSET a 1 b 2 c 3 d 4',
      'DEL a nokey b',
      'UNLINK c nokey',
      'EXPIRE d 100',
      'EXPIRE d 200 NX',
      'EXPIRE d 200 XX',
      'EXPIRE d 100 GT',
      'EXPIRE d 100 LT',
      'PEXPIRE d 500000',
      'EXPIREAT d 99999999999',
      'PEXPIREAT d 99999999999000',
      'EXPIRE nokey 10',
      'PERSIST d',
      'PERSIST d',
      'PERSIST nokey',
      'EXPIRE d 0',
      'SET e v',
      'PEXPIREAT e 1',
      'SET e v',
      'EXPIREAT e -5',
      'EXPIRE e notanumber',
      'EXISTS e d',
      'TYPE e',
      'TTL e',
      'TOUCH e nokey',
    ],
  },
  {
    name: 'keyspace: RENAME, RENAMENX, MOVE, COPY, RESTORE',
    flags: 'KEA',
    lines: [
      'SET a 1',
      'EXPIRE a 100',
      'RENAME a b',
      'RENAME b b',
      'RENAME nokey x',
      'SET c 2',
      'RENAME b c',
      'RENAMENX c d',
      'SET e 5',
      'RENAMENX d e',
      'RENAMENX d d',
      'MOVE d 5',
      'MOVE d 5',
      'MOVE e 0',
      'SET m v',
      'SELECT 5',
      'SET m other',
      'SELECT 0',
      'MOVE m 5',
      'COPY e e2',
      'COPY e e2',
      'COPY e e2 REPLACE',
      'COPY e e3 DB 7',
      'COPY nokey x',
      ['RESTORE', 'r', '0', payload],
      ['RESTORE', 'r', '0', payload],
      ['RESTORE', 'r', '100000', payload, 'REPLACE'],
      ['RESTORE', 'r', '1', payload, 'REPLACE', 'ABSTTL'],
      ['RESTORE', 'r2', '1', payload, 'ABSTTL'],
      ['RESTORE', 'r3', '0', 'not a payload'],
      'DUMP e',
      'OBJECT ENCODING e',
    ],
  },
  {
    name: 'databases: FLUSHDB, FLUSHALL, SWAPDB send nothing; events name the db',
    flags: 'KEA',
    lines: ['SET a 1', 'SELECT 9', 'SET a 1', 'INCR a', 'SWAPDB 0 9', 'DEL a', 'FLUSHDB', 'SET b 1', 'FLUSHALL', 'SELECT 0'],
  },
  {
    name: "'n': a key coming into existence, and only then",
    flags: 'KEn',
    lines: [
      'SET a 1',
      'SET a 2',
      'INCR b',
      'APPEND c x',
      'SETRANGE d 1 x',
      'SETBIT e 1 1',
      'BITFIELD f SET u8 0 1',
      'BITFIELD g OVERFLOW FAIL INCRBY u4 0 100',
      'BITOP OR h a',
      'MSET i 1 a 3',
      'RENAME a j',
      'COPY j k',
      'MOVE k 2',
      ['RESTORE', 'l', '0', payload],
      'SETEX m 100 v',
      'GETSET n v',
      'INCRBYFLOAT o 1',
    ],
  },
  {
    name: "'A' leaves out 'n' and 'm'",
    flags: 'KEA',
    lines: ['SET a 1', 'GET nokey', 'INCR b'],
  },
  {
    name: "'m': read misses, not write lookups nor OBJECT",
    flags: 'KEm',
    lines: [
      'GET nokey',
      'MGET a nokey2',
      'EXISTS nokey',
      'TYPE nokey',
      'TTL nokey',
      'PTTL nokey',
      'TOUCH nokey',
      'STRLEN nokey',
      'GETRANGE nokey 0 1',
      'GETDEL nokey',
      'GETEX nokey',
      'SET nokey v GET',
      'GETSET nokey2 v',
      'DUMP nokey3',
      'COPY nokey3 x',
      'OBJECT ENCODING nokey3',
      'OBJECT FREQ nokey3',
      'MEMORY USAGE nokey3',
      'BITCOUNT nokey3',
      'BITPOS nokey3 1',
      'GETBIT nokey3 1',
      'BITFIELD_RO nokey3 GET u8 0',
      'BITOP OR dst nokey3 nokey4',
      'LCS nokey3 nokey4',
      'INCR w',
      'SETBIT w2 1 1',
      'RENAME nokey5 x',
      'EXPIRE nokey5 10',
      'DEL nokey5',
    ],
  },
  {
    name: 'class filters: K with $ only',
    flags: 'K$',
    lines: ['SET a 1', 'EXPIRE a 10', 'DEL a', 'SETBIT b 1 1', 'INCR c'],
  },
  {
    name: 'class filters: E with g only',
    flags: 'Eg',
    lines: ['SET a 1', 'EXPIRE a 10', 'RENAME a b', 'DEL b', 'SETBIT c 1 1'],
  },
  {
    name: 'class filters: classes without K or E publish nothing',
    flags: 'A',
    lines: ['SET a 1', 'DEL a'],
  },
  {
    name: 'class filters: K or E without classes publish nothing',
    flags: 'KE',
    lines: ['SET a 1', 'DEL a'],
  },
  {
    name: 'disabled (the default): nothing is published',
    flags: '',
    lines: ['SET a 1', 'INCR i', 'DEL a', 'SETBIT b 1 1', 'GET nokey'],
  },
  {
    name: 'expired on access: GET, SET over, DEL, EXISTS of an expired key',
    flags: 'KEA',
    lines: [
      'DEBUG SET-ACTIVE-EXPIRE 0',
      'SET a v PX 1',
      'SET b v PX 1',
      'SET c v PX 1',
      'SET d v PX 1',
      { sleepMs: 20 },
      'GET a',
      'SET b new',
      'DEL c',
      'EXISTS d',
      'DEBUG SET-ACTIVE-EXPIRE 1',
    ],
  },
  {
    name: 'RESP3 subscriber: events as pushes',
    flags: 'KEA',
    resp3: true,
    lines: ['SET a 1', 'DEL a'],
  },
];

/** The scenario's lines as steps: 0 is the subscriber, 1 runs the commands. */
async function transcript(port: number, c: NotifyCase): Promise<string[]> {
  const s = await PubSubSession.open(port, 2);
  const out: string[] = [];
  const run = async (conn: number, args: string[]) => out.push(`${conn}> ${args.join(' ')} ${JSON.stringify(await s.run({ conn, args }))}`);
  try {
    await run(1, ['FLUSHALL']);
    await run(1, ['CONFIG', 'SET', 'notify-keyspace-events', c.flags]);
    if (c.resp3) await s.conns[0].call('HELLO', '3');
    await run(0, ['PSUBSCRIBE', '*']);
    for (const line of c.lines) {
      if (typeof line === 'object' && !Array.isArray(line)) await new Promise((r) => setTimeout(r, line.sleepMs));
      else await run(1, typeof line === 'string' ? line.split(' ') : line);
    }
  } finally {
    await s.conns[1].call('CONFIG', 'SET', 'notify-keyspace-events', '');
    await s.close();
  }
  return out;
}

describe('keyspace notifications, differential', { skip: noRedis }, () => {
  let redis: RunningServer;
  let tandem: RunningServer;
  before(async () => {
    const args = ['--enable-debug-command', 'yes'];
    [redis, tandem] = await Promise.all([startRedis(args), startTandem(args)]);
  });
  after(async () => {
    await Promise.all([redis?.stop(), tandem?.stop()]);
  });

  for (const c of cases) {
    test(c.name, async () => {
      const [expected, actual] = await Promise.all([transcript(redis.port, c), transcript(tandem.port, c)]);
      assert.deepEqual(actual, expected);
    });
  }

  test('expired by the active cycle, with only E and x', async () => {
    const run = async (port: number) => {
      const sub = await RawConnection.open(port);
      const cmd = await RawConnection.open(port);
      await cmd.call('CONFIG', 'SET', 'notify-keyspace-events', 'Ex');
      await sub.call('SUBSCRIBE', '__keyevent@0__:expired');
      await cmd.call('SET', 'short', 'v', 'PX', '30');
      await cmd.call('SET', 'long', 'v', 'EX', '100');
      // Nobody touches the key: only the active expire cycle can find it.
      const message = (await sub.reply()).toString('latin1');
      await cmd.call('CONFIG', 'SET', 'notify-keyspace-events', '');
      const keys = (await cmd.call('KEYS', '*')).toString('latin1');
      sub.close();
      cmd.close();
      return { message, keys };
    };
    const [expected, actual] = await Promise.all([run(redis.port), run(tandem.port)]);
    assert.deepEqual(actual, expected);
    assert.equal(actual.message, '*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n$5\r\nshort\r\n');
  });

  test('CONFIG SET takes effect at once, both ways', async () => {
    const run = async (port: number) => {
      const sub = await RawConnection.open(port);
      const cmd = await RawConnection.open(port);
      await sub.call('SUBSCRIBE', '__keyspace@0__:k');
      await cmd.call('SET', 'k', 'silent');
      await cmd.call('CONFIG', 'SET', 'notify-keyspace-events', 'K$');
      await cmd.call('SET', 'k', 'loud');
      await cmd.call('CONFIG', 'SET', 'notify-keyspace-events', '');
      await cmd.call('SET', 'k', 'silent again');
      await cmd.call('PUBLISH', '__keyspace@0__:k', 'marker');
      const got = [(await sub.reply()).toString('latin1'), (await sub.reply()).toString('latin1')];
      sub.close();
      cmd.close();
      return got;
    };
    const [expected, actual] = await Promise.all([run(redis.port), run(tandem.port)]);
    assert.deepEqual(actual, expected);
    assert.deepEqual(actual, [
      '*3\r\n$7\r\nmessage\r\n$16\r\n__keyspace@0__:k\r\n$3\r\nset\r\n',
      '*3\r\n$7\r\nmessage\r\n$16\r\n__keyspace@0__:k\r\n$6\r\nmarker\r\n',
    ]);
  });
});
