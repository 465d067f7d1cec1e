// MULTI/EXEC/DISCARD/WATCH/UNWATCH against real Redis: replies byte for byte
// on one connection and across several (a WATCH broken by another client's
// write, by expiry, by FLUSHDB and SWAPDB), MONITOR and command statistics
// around EXEC; and, in-process, what an EXEC propagates to replicas and the AOF.

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { Config } from '../src/config/config.js';
import { Client } from '../src/server/client.js';
import { Server } from '../src/server/server.js';
import { cmd, differentialSuite, type Command, type DiffCase } from './helpers/differential.js';
import { RawConnection } from './helpers/resp.js';
import { redisAvailable, startRedis, startTandem, type RunningServer } from './helpers/servers.js';

/** An EXEC that tells whether the transaction still holds: PONG in an array, or a null array. */
const probe: Command[] = [cmd('MULTI'), cmd('PING'), cmd('EXEC')];

const cases: DiffCase[] = [
  {
    name: 'MULTI/EXEC runs the queue; runtime errors are replies inside the array',
    commands: [
      cmd('MULTI'),
      cmd('SET a hello'),
      cmd('GET a'),
      cmd('INCR a'),
      cmd('LPUSH a x'),
      cmd('APPEND a !'),
      cmd('EXEC'),
      cmd('GET a'),
    ],
  },
  {
    name: 'an empty transaction, and EXEC/DISCARD without MULTI',
    commands: [cmd('MULTI'), cmd('EXEC'), cmd('EXEC'), cmd('DISCARD'), cmd('MULTI'), cmd('DISCARD'), cmd('DISCARD')],
  },
  {
    name: 'errors while queuing abort the transaction with EXECABORT',
    commands: [
      cmd('MULTI'),
      cmd('SET a 1'),
      cmd('NOSUCHCOMMAND x y'),
      cmd('SET b 2'),
      cmd('EXEC'),
      cmd('EXISTS a b'),
      cmd('MULTI'),
      cmd('GET'),
      cmd('EXEC'),
      cmd('MULTI'),
      cmd('CONFIG NOSUCH'),
      cmd('EXEC'),
      cmd('EXEC'),
    ],
  },
  {
    name: 'nested MULTI and WATCH inside MULTI are errors that do not abort',
    commands: [
      cmd('MULTI'),
      cmd('MULTI'),
      cmd('WATCH a'),
      cmd('SET a 1'),
      cmd('EXEC'),
      cmd('GET a'),
    ],
  },
  {
    name: 'arity errors of the transaction commands, inside and outside MULTI',
    commands: [
      cmd('MULTI x'),
      cmd('EXEC x'),
      cmd('DISCARD x'),
      cmd('WATCH'),
      cmd('UNWATCH x'),
      cmd('MULTI'),
      cmd('MULTI x'),
      cmd('DISCARD x'),
      cmd('EXEC'),
      cmd('MULTI'),
      cmd('SET a 1'),
      cmd('EXEC x'),
      cmd('EXEC'),
      cmd('GET a'),
    ],
  },
  {
    name: 'commands flagged no-multi are refused inside MULTI',
    commands: [cmd('MULTI'), cmd('SET a 1'), cmd('SHUTDOWN'), cmd('EXEC'), cmd('EXISTS a')],
  },
  {
    name: 'DISCARD drops the queue and the WATCHes',
    commands: [
      cmd('WATCH a'),
      cmd('MULTI'),
      cmd('SET a 1'),
      cmd('DISCARD'),
      cmd('GET a'),
      cmd('SET a 2'),
      cmd('MULTI'),
      cmd('GET a'),
      cmd('EXEC'),
    ],
  },
  {
    name: 'RESET inside MULTI leaves the transaction',
    commands: [cmd('MULTI'), cmd('SET a 1'), cmd('RESET'), cmd('EXEC'), cmd('EXISTS a')],
  },
  {
    name: 'a WATCHed key written by the same client fails EXEC with a null array',
    commands: [
      cmd('SET a 1'),
      cmd('WATCH a'),
      cmd('SET a 2'),
      cmd('MULTI'),
      cmd('SET a 3'),
      cmd('EXEC'),
      cmd('GET a'),
      cmd('EXEC'),
    ],
  },
  {
    name: 'a failed WATCH returns RESP3 null',
    resp3: true,
    commands: [cmd('WATCH a'), cmd('SET a 2'), cmd('MULTI'), cmd('PING'), cmd('EXEC'), cmd('MULTI'), cmd('GET a'), cmd('EXEC')],
  },
  {
    name: 'EXECABORT wins over a broken WATCH',
    commands: [cmd('WATCH a'), cmd('SET a 1'), cmd('MULTI'), cmd('GETX'), cmd('EXEC')],
  },
  {
    name: 'UNWATCH forgets the keys and clears a broken WATCH; WATCH after a break is a no-op',
    commands: [
      cmd('WATCH a b'),
      cmd('SET a 1'),
      cmd('WATCH c'),
      cmd('UNWATCH'),
      cmd('MULTI'),
      cmd('INCR a'),
      cmd('EXEC'),
      cmd('WATCH a'),
      cmd('SET a 5'),
      cmd('WATCH b'),
      cmd('MULTI'),
      cmd('UNWATCH'),
      cmd('EXEC'),
    ],
  },
  {
    name: 'UNWATCH queued inside MULTI runs in EXEC',
    commands: [cmd('WATCH a'), cmd('MULTI'), cmd('UNWATCH'), cmd('SET a 1'), cmd('EXEC'), cmd('GET a')],
  },
  {
    name: 'writes to other keys, to the same name in another db, or deleting a missing key do not break a WATCH',
    commands: [
      cmd('WATCH a'),
      cmd('SET b 1'),
      cmd('DEL a'),
      cmd('SELECT 1'),
      cmd('SET a 1'),
      cmd('SELECT 0'),
      cmd('MULTI'),
      cmd('SET a ok'),
      cmd('EXEC'),
      cmd('SELECT 1'),
      cmd('WATCH a'),
      cmd('DEL a'),
      ...probe,
      cmd('SELECT 0'),
    ],
  },
  {
    name: 'every kind of write to a WATCHed key breaks it',
    commands: [
      cmd('SET a 1'),
      cmd('HSET h f v'),
      ...[
        'EXPIRE a 100',
        'PERSIST a',
        'RENAME a b',
        'RENAME b a',
        'MOVE a 1',
        'LPUSH a x',
        'RPOP a',
        'HSET h f w',
        'SADD s m',
        'ZADD z 1 m',
      ].flatMap((write) => [cmd(`WATCH ${write.split(' ')[1]}`), cmd(write), ...probe]),
    ],
  },
  {
    name: 'FLUSHDB and FLUSHALL break WATCHes of keys that existed only',
    commands: [
      cmd('SET a 1'),
      cmd('WATCH a'),
      cmd('FLUSHDB'),
      ...probe,
      cmd('WATCH a'),
      cmd('FLUSHDB'),
      ...probe,
      cmd('SELECT 2'),
      cmd('SET a 1'),
      cmd('WATCH a'),
      cmd('SELECT 0'),
      cmd('FLUSHALL'),
      ...probe,
    ],
  },
  {
    name: 'SWAPDB breaks WATCHes of keys present in either database',
    commands: [
      cmd('SELECT 1'),
      cmd('SET a 1'),
      cmd('SELECT 0'),
      cmd('WATCH a'),
      cmd('SWAPDB 0 1'),
      cmd('MULTI'),
      cmd('GET a'),
      cmd('EXEC'),
      cmd('WATCH b'),
      cmd('SWAPDB 0 1'),
      ...probe,
      cmd('WATCH a'),
      cmd('SWAPDB 0 1'),
      ...probe,
    ],
  },
  {
    name: 'SELECT inside a transaction changes the database for good',
    commands: [
      cmd('MULTI'),
      cmd('SELECT 3'),
      cmd('SET a 3'),
      cmd('SELECT 4'),
      cmd('SET a 4'),
      cmd('EXEC'),
      cmd('GET a'),
      cmd('SELECT 3'),
      cmd('GET a'),
      cmd('SELECT 0'),
    ],
  },
  {
    name: 'blocking commands inside EXEC answer at once',
    commands: [
      cmd('RPUSH l a'),
      cmd('MULTI'),
      cmd('BLPOP l 0'),
      cmd('BLPOP l 0'),
      cmd('BRPOPLPUSH l m 0'),
      cmd('EXEC'),
    ],
  },
  {
    name: 'MONITOR inside EXEC is refused',
    commands: [cmd('MULTI'), cmd('MONITOR'), cmd('PING'), cmd('EXEC')],
  },
  {
    name: 'EXEC replies in RESP3',
    resp3: true,
    commands: [cmd('MULTI'), cmd('HSET h a 1'), cmd('HGETALL h'), cmd('INCRBYFLOAT f 1.5'), cmd('EXEC')],
  },
  {
    name: 'out of memory under noeviction: denyoom commands and anything queued are refused',
    commands: [
      cmd('CONFIG SET maxmemory-policy noeviction'),
      cmd('SET a 1'),
      cmd('CONFIG SET maxmemory 1'),
      cmd('SET b 1'),
      cmd('GET a'),
      cmd('MULTI'),
      cmd('GET a'),
      cmd('DISCARD'),
      cmd('MULTI'),
      cmd('EXEC'),
      cmd('DEL a'),
      cmd('CONFIG SET maxmemory 0'),
      cmd('SET b 1'),
    ],
  },
];

differentialSuite(cases);

// ---- several connections -------------------------------------------------------------

type Step = [number, Command] | { sleepMs: number };

/** The commands sent by client `i`. */
function on(i: number, commands: Command[]): Step[] {
  return commands.map((c) => [i, c]);
}

interface MultiClientCase {
  name: string;
  clients: number;
  steps: Step[];
}

const multiClientCases: MultiClientCase[] = [
  {
    name: "another client's write breaks a WATCH, also after MULTI",
    clients: 2,
    steps: [
      [0, cmd('SET k 1')],
      [0, cmd('WATCH k')],
      [1, cmd('INCR k')],
      [0, cmd('MULTI')],
      [0, cmd('INCR k')],
      [0, cmd('EXEC')],
      [0, cmd('WATCH k')],
      [0, cmd('MULTI')],
      [0, cmd('INCR k')],
      [1, cmd('SET k 10')],
      [0, cmd('EXEC')],
      [0, cmd('GET k')],
    ],
  },
  {
    name: "another client's EXEC breaks a WATCH; its own WATCH still holds",
    clients: 2,
    steps: [
      [0, cmd('WATCH k')],
      [1, cmd('WATCH k')],
      [1, cmd('MULTI')],
      [1, cmd('SET k 1')],
      [1, cmd('EXEC')],
      [0, cmd('MULTI')],
      [0, cmd('SET k 2')],
      [0, cmd('EXEC')],
      [0, cmd('GET k')],
    ],
  },
  {
    name: 'several clients watching one key are all broken by one write',
    clients: 3,
    steps: [
      [0, cmd('WATCH k other')],
      [1, cmd('WATCH k')],
      [2, cmd('DEL k')],
      [2, cmd('SET k v')],
      ...on(0, probe),
      ...on(1, probe),
    ],
  },
  {
    name: 'a client that WATCHes and disconnects leaves nothing behind',
    clients: 2,
    steps: [
      [1, cmd('WATCH k')],
      [1, cmd('QUIT')],
      [0, cmd('SET k 1')],
      [0, cmd('WATCH k')],
      [0, cmd('MULTI')],
      [0, cmd('GET k')],
      [0, cmd('EXEC')],
    ],
  },
  {
    name: 'a WATCHed key that expires breaks the WATCH, whether or not it is deleted meanwhile',
    clients: 2,
    steps: [
      [0, cmd('DEBUG SET-ACTIVE-EXPIRE 0')],
      [0, cmd('SET k v PX 30')],
      [0, cmd('WATCH k')],
      { sleepMs: 60 },
      ...on(0, probe),
      [0, cmd('SET k v PX 30')],
      [0, cmd('WATCH k')],
      { sleepMs: 60 },
      [1, cmd('GET k')],
      ...on(0, probe),
      [0, cmd('DEBUG SET-ACTIVE-EXPIRE 1')],
    ],
  },
  {
    name: 'a key already expired when WATCHed: its deletion is no change, recreating it is',
    clients: 2,
    steps: [
      [0, cmd('DEBUG SET-ACTIVE-EXPIRE 0')],
      [0, cmd('SET k v PX 10')],
      { sleepMs: 40 },
      [0, cmd('WATCH k')],
      ...on(0, probe),
      [0, cmd('SET j v PX 10')],
      { sleepMs: 40 },
      [0, cmd('WATCH j')],
      [1, cmd('EXISTS j')],
      ...on(0, probe),
      [0, cmd('SET i v PX 10')],
      { sleepMs: 40 },
      [0, cmd('WATCH i')],
      [1, cmd('SET i w')],
      ...on(0, probe),
      [0, cmd('DEBUG SET-ACTIVE-EXPIRE 1')],
    ],
  },
  {
    name: "another client's FLUSHDB breaks a WATCH",
    clients: 2,
    steps: [
      [0, cmd('SET k 1')],
      [0, cmd('WATCH k')],
      [1, cmd('FLUSHDB')],
      [0, cmd('MULTI')],
      [0, cmd('SET k 2')],
      [0, cmd('EXEC')],
      [0, cmd('EXISTS k')],
    ],
  },
  {
    name: 'EXEC refused for memory discards the transaction with the reason',
    clients: 2,
    steps: [
      [0, cmd('CONFIG SET maxmemory-policy noeviction')],
      [0, cmd('MULTI')],
      [0, cmd('SET k 1')],
      [0, cmd('GET k')],
      [1, cmd('CONFIG SET maxmemory 1')],
      [0, cmd('EXEC')],
      [0, cmd('EXEC')],
      [0, cmd('MULTI')],
      [0, cmd('GET k')],
      [1, cmd('CONFIG SET maxmemory 0')],
      [1, cmd('MULTI')],
      [1, cmd('GET k')],
      [0, cmd('CONFIG SET maxmemory 1')],
      [1, cmd('EXEC')],
      [0, cmd('CONFIG SET maxmemory 0')],
      [0, cmd('EXEC')],
    ],
  },
  {
    name: 'CLIENT LIST shows a transaction: flags x and d, multi= the queue length',
    clients: 2,
    steps: [
      [0, cmd('CLIENT SETNAME watcher')],
      [0, cmd('WATCH k')],
      [0, cmd('MULTI')],
      [0, cmd('SET k 1')],
      [0, cmd('GET k')],
      [1, cmd('SET k 0')],
      [1, cmd('CLIENT LIST')],
      [0, cmd('EXEC')],
      [1, cmd('CLIENT LIST')],
    ],
  },
];

/** The deterministic part of a reply: CLIENT LIST lines keep only the fields a transaction drives. */
function comparable(reply: Buffer): string {
  const text = reply.toString('latin1');
  if (!text.includes('id=')) return text;
  return text
    .split('\n')
    .filter((line) => line.includes('name=watcher'))
    .map((line) => line.split(' ').filter((f) => /^(name|flags|multi|cmd)=/.test(f)).join(' '))
    .join('\n');
}

describe('transactions across connections', { skip: redisAvailable() ? false : 'redis-server not installed' }, () => {
  let redis: RunningServer | undefined;
  let tandem: RunningServer | undefined;
  before(async () => {
    [redis, tandem] = await Promise.all([
      startRedis(['--enable-debug-command', 'yes']),
      startTandem(['--enable-debug-command', 'yes']),
    ]);
  });
  after(async () => {
    await Promise.all([redis?.stop(), tandem?.stop()]);
  });

  for (const c of multiClientCases) {
    test(c.name, async () => {
      const open = (port: number) => Promise.all(Array.from({ length: c.clients }, () => RawConnection.open(port)));
      const [r, t] = await Promise.all([open(redis!.port), open(tandem!.port)]);
      try {
        await Promise.all([r[0].call('FLUSHALL'), t[0].call('FLUSHALL')]);
        for (const step of c.steps) {
          if ('sleepMs' in step) {
            await sleep(step.sleepMs);
            continue;
          }
          const [i, command] = step;
          const [expected, actual] = await Promise.all([r[i].call(...command), t[i].call(...command)]);
          assert.equal(comparable(actual), comparable(expected), `client ${i}: ${command.join(' ')}`);
        }
      } finally {
        for (const conn of [...r, ...t]) conn.close();
      }
    });
  }

  test('MONITOR shows MULTI, the queued commands when EXEC runs them, then EXEC', async () => {
    const script = [cmd('MULTI'), cmd('SET a 1'), cmd('GET a'), cmd('EXEC'), cmd('MULTI'), cmd('SET a'), cmd('EXEC'),
      cmd('MULTI'), cmd('PING'), cmd('EXEC x'), cmd('MULTI'), cmd('CONFIG GET hz'), cmd('DISCARD')];
    const monitorLines = async (port: number): Promise<string[]> => {
      const monitor = await RawConnection.open(port);
      const client = await RawConnection.open(port);
      try {
        await monitor.call('MONITOR');
        for (const command of script) await client.call(...command);
        await client.call('ECHO', 'done');
        const lines: string[] = [];
        for (;;) {
          // "+<time> [0 <addr>] "ARGS"...": the arguments only.
          const line = (await monitor.reply()).toString('latin1');
          const args = line.slice(line.indexOf('] ') + 2).trim();
          if (args === '"ECHO" "done"') return lines;
          lines.push(args);
        }
      } finally {
        monitor.close();
        client.close();
      }
    };
    const [expected, actual] = await Promise.all([monitorLines(redis!.port), monitorLines(tandem!.port)]);
    assert.deepEqual(actual, expected);
  });

  test('command statistics count queued commands when EXEC runs them, and rejections', async () => {
    const stats = async (port: number): Promise<string[]> => {
      const conn = await RawConnection.open(port);
      try {
        await conn.call('CONFIG', 'RESETSTAT');
        for (const command of [cmd('MULTI'), cmd('SET a 1'), cmd('INCR a'), cmd('LPUSH a x'), cmd('EXEC'),
          cmd('EXEC'), cmd('MULTI'), cmd('SET a'), cmd('EXEC'), cmd('MULTI'), cmd('EXEC x'), cmd('DISCARD')]) {
          await conn.call(...command);
        }
        const info = (await conn.call('INFO', 'commandstats')).toString('latin1');
        const errors = (await conn.call('INFO', 'errorstats')).toString('latin1');
        return [...info.split('\r\n'), ...errors.split('\r\n')]
          .filter((l) => l.startsWith('cmdstat_') || l.startsWith('errorstat_'))
          .filter((l) => !l.startsWith('cmdstat_config') && !l.startsWith('cmdstat_info'))
          .map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, ''))
          .sort();
      } finally {
        conn.close();
      }
    };
    const [expected, actual] = await Promise.all([stats(redis!.port), stats(tandem!.port)]);
    assert.deepEqual(actual, expected);
  });

  test('QUIT inside MULTI closes the connection at once', async () => {
    const conn = await RawConnection.open(tandem!.port);
    assert.equal((await conn.call('MULTI')).toString(), '+OK\r\n');
    assert.equal((await conn.call('SET', 'a', '1')).toString(), '+QUEUED\r\n');
    assert.equal((await conn.call('QUIT')).toString(), '+OK\r\n');
    assert.equal(await conn.waitClosed(), true);
  });
});

// ---- in-process: what an EXEC propagates ------------------------------------------------

/** A socketless client whose replies the test reads. */
class TestClient extends Client {
  replies(): string {
    return Buffer.concat(this.takeOutput() ?? []).toString('latin1');
  }
}

describe('EXEC propagation', () => {
  const server = new Server(new Config(), { logSink: () => undefined });
  const client = new TestClient(server, 1, null);
  const other = new TestClient(server, 2, null);
  const propagated: string[] = [];
  server.propagationSinks.push((db, argv) => propagated.push(`${db}:${argv.join(' ')}`));

  /** Runs commands on `client`; returns what they propagated. */
  function run(...commands: string[]): string[] {
    propagated.length = 0;
    for (const line of commands) server.execute(client, line.split(' '));
    client.replies();
    return propagated.slice();
  }

  test('the writes of an EXEC go out as one MULTI/EXEC block, after it ran', () => {
    run('FLUSHALL');
    assert.deepEqual(run('MULTI', 'SET a 1', 'GET a', 'INCR a', 'EXEC'), ['0:MULTI', '0:SET a 1', '0:INCR a', '0:EXEC']);
  });

  test('a single write is propagated as it is; an EXEC that writes nothing propagates nothing', () => {
    run('FLUSHALL');
    assert.deepEqual(run('MULTI', 'SET a 1', 'GET a', 'EXEC'), ['0:SET a 1']);
    assert.deepEqual(run('MULTI', 'GET a', 'PING', 'EXEC'), []);
  });

  test('commands failing at runtime are left out; deterministic forms are used', () => {
    run('FLUSHALL');
    const out = run('MULTI', 'SET a x', 'INCR a', 'EXPIRE a 100', 'SET b 1', 'EXEC');
    assert.equal(out.length, 5);
    assert.deepEqual([out[0], out[1], out[3], out[4]], ['0:MULTI', '0:SET a x', '0:SET b 1', '0:EXEC']);
    assert.match(out[2], /^0:PEXPIREAT a \d+$/);
  });

  test('SELECT inside the block: MULTI takes the first write\'s db, EXEC the last one\'s', () => {
    run('FLUSHALL');
    assert.deepEqual(run('MULTI', 'SELECT 2', 'SET x 1', 'SELECT 0', 'SET y 1', 'EXEC'), [
      '2:MULTI',
      '2:SET x 1',
      '0:SET y 1',
      '0:EXEC',
    ]);
  });

  test('aborted and WATCH-failed transactions propagate nothing', () => {
    run('FLUSHALL');
    assert.deepEqual(run('MULTI', 'SET a 1', 'NOSUCH', 'SET b 1', 'EXEC'), []);
    assert.deepEqual(run('WATCH a'), []);
    server.execute(other, ['SET', 'a', 'other']);
    other.replies();
    assert.deepEqual(run('MULTI', 'SET a 1', 'SET b 1', 'EXEC'), []);
    assert.equal(client.tx.watched.length, 0);
  });

  test('a write that finds an expired key propagates its DEL with the write as one block, as Redis 7.0', () => {
    run('FLUSHALL');
    run('SET k v');
    server.dbs[0].setExpire('k', Date.now() - 1);
    assert.deepEqual(run('SET k w'), ['0:MULTI', '0:DEL k', '0:SET k w', '0:EXEC']);
    server.dbs[0].setExpire('k', Date.now() - 1);
    assert.deepEqual(run('GET k'), ['0:DEL k']);
  });

  test('the transaction state is gone after EXEC, DISCARD and RESET', () => {
    run('FLUSHALL');
    run('WATCH a b', 'MULTI', 'SET a 1');
    assert.equal(client.tx.queue?.length, 1);
    run('EXEC');
    assert.equal(client.tx.queue, null);
    assert.equal(client.tx.watched.length, 0);
    run('WATCH a', 'MULTI', 'SET a 1', 'DISCARD');
    assert.equal(client.tx.queue, null);
    assert.equal(client.tx.watched.length, 0);
    run('WATCH a', 'MULTI', 'RESET');
    assert.equal(client.tx.queue, null);
    assert.equal(client.tx.watched.length, 0);
  });
});
