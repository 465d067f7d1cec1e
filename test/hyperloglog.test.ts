// HyperLogLog against real Redis: replies and the HLL strings themselves,
// byte for byte (GET of an HLL key), across sparse and dense forms.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Config } from '../src/config/config.js';
import { Client } from '../src/server/client.js';
import { Server } from '../src/server/server.js';
import type { TypedValue } from '../src/store/value.js';
import { cmd, differentialSuite, type Command, type DiffCase } from './helpers/differential.js';
import { RawConnection } from './helpers/resp.js';
import { redisAvailable, startRedis, startTandem, type RunningServer } from './helpers/servers.js';

/** `n` distinct elements "<prefix><i>". */
function elements(prefix: string, n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${from + i}`);
}

/** PFADD of `n` elements in batches of `batch`, each batch one command. */
function addInBatches(key: string, prefix: string, n: number, batch: number): Command[] {
  const out: Command[] = [];
  for (let i = 0; i < n; i += batch) out.push(['PFADD', key, ...elements(prefix, Math.min(batch, n - i), i)]);
  return out;
}

/** Deterministic pseudo-random binary elements of 0..39 bytes (every length class of the hash's tail). */
function binaryElements(n: number): Buffer[] {
  let seed = 12345;
  const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16;
  return Array.from({ length: n }, () => Buffer.from(Array.from({ length: next() % 40 }, () => next() & 255)));
}

/** The 16-byte header of a sparse HLL with a stale cache, followed by `ops`. */
function sparse(...ops: number[]): Buffer {
  return Buffer.concat([Buffer.from('HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80', 'latin1'), Buffer.from(ops)]);
}

const inspect = (key: string): Command[] => [
  ['GET', key],
  ['PFCOUNT', key],
  ['GET', key],
  ['PFDEBUG', 'ENCODING', key],
  ['OBJECT', 'ENCODING', key],
];

const cases: DiffCase[] = [
  {
    name: 'PFADD creates a sparse HLL; PFCOUNT caches the cardinality in the string',
    commands: [
      cmd('PFADD h a b c'),
      ...inspect('h'),
      cmd('PFDEBUG DECODE h'),
      cmd('PFADD h a b c'),
      cmd('GET h'),
      cmd('PFADD h d'),
      cmd('GET h'),
      cmd('PFCOUNT h'),
      cmd('PFADD empty'),
      cmd('PFADD empty'),
      ...inspect('empty'),
      cmd('PFCOUNT nokey'),
      ['PFADD', 'bin', '', '\0', 'x'.repeat(7), 'y'.repeat(8), 'z'.repeat(9), 'long'.repeat(100)],
      ...inspect('bin'),
    ],
  },
  ...[10, 200, 1000, 1500, 2000, 3000, 10000, 100000].map((n) => ({
    name: `${n} elements: the same bytes as Redis, sparse and dense`,
    commands: [...addInBatches('h', 'e', n, 500), ...inspect('h'), cmd('PFDEBUG DECODE h')],
  })),
  {
    name: 'one element per PFADD through the sparse-to-dense transition',
    commands: [...addInBatches('h', 'one:', 2500, 1), ...inspect('h')],
  },
  {
    name: 'binary elements of every length',
    commands: [...binaryElements(3000).map((e) => ['PFADD', 'b', e]), ...inspect('b')],
  },
  {
    name: 'hll-sparse-max-bytes decides when a sparse HLL turns dense',
    commands: ['0', '1', '40', '300', '10000'].flatMap((max) => [
      cmd(`CONFIG SET hll-sparse-max-bytes ${max}`),
      cmd('DEL h m'),
      ...addInBatches('h', 'x', 400, 1),
      ...inspect('h'),
      cmd('PFADD a y'),
      cmd('PFMERGE m a h'),
      ...inspect('m'),
      cmd('CONFIG SET hll-sparse-max-bytes 3000'),
    ]),
  },
  {
    name: 'PFCOUNT of several keys merges without touching them; PFMERGE',
    commands: [
      ['PFADD', 'x', ...elements('x', 300)],
      ['PFADD', 'y', ...elements('y', 5000)],
      cmd('PFADD z 1 2'),
      cmd('PFCOUNT x y z nokey'),
      cmd('PFCOUNT x x'),
      cmd('GET x'),
      cmd('PFMERGE m1 x z'),
      ...inspect('m1'),
      cmd('PFMERGE m2 x y'),
      ...inspect('m2'),
      cmd('PFMERGE x y'),
      ...inspect('x'),
      cmd('PFMERGE e'),
      ...inspect('e'),
      cmd('PFMERGE z nokey'),
      ...inspect('z'),
      cmd('PFMERGE z'),
      cmd('GET z'),
      cmd('PFCOUNT nokey1 nokey2'),
    ],
  },
  {
    name: 'PFDEBUG TODENSE, GETREG, DECODE, ENCODING and errors',
    commands: [
      cmd('PFADD h a b c d e f g'),
      cmd('PFDEBUG GETREG h'),
      ...inspect('h'),
      cmd('PFDEBUG TODENSE h'),
      cmd('PFADD s a'),
      cmd('PFDEBUG TODENSE s'),
      cmd('PFDEBUG todense s'),
      cmd('PFDEBUG DECODE s'),
      ...inspect('s'),
      cmd('PFADD s b'),
      cmd('PFADD s b'),
      cmd('GET s'),
      cmd('PFDEBUG GETREG nokey'),
      cmd('PFDEBUG foo nokey'),
      cmd('PFDEBUG foo s'),
      ['PFDEBUG', 'foo\0bar', 's'],
      cmd('PFDEBUG GETREG'),
      cmd('PFDEBUG GETREG s x'),
    ],
  },
  {
    name: 'HLL strings set by hand: valid caches, huge caches, dense strings',
    commands: [
      ['SET', 'k', Buffer.from('HYLL\x01\0\0\0\xff\xff\xff\xff\xff\xff\xff\x7f\x7f\xff', 'latin1')],
      cmd('PFCOUNT k'),
      ['SET', 'k2', Buffer.from('HYLL\x01\0\0\0\x05\0\0\0\0\0\0\0\x7f\xff', 'latin1')],
      cmd('PFCOUNT k2'),
      cmd('OBJECT ENCODING k2'),
      cmd('PFADD k2 a'),
      ...inspect('k2'),
      ['SET', 'd', Buffer.concat([Buffer.from('HYLL\0\0\0\0\0\0\0\0\0\0\0\x80', 'latin1'), Buffer.alloc(12288, 0x41)])],
      ...inspect('d'),
      cmd('PFADD d x y z'),
      cmd('PFMERGE d2 d k2'),
      ...inspect('d2'),
    ],
  },
  {
    name: 'a short HLL string set by hand becomes raw once a single-key HLL command touches it',
    commands: [
      ['PFADD', 'h'],
      ['PFADD', 'h', 'a'],
      ['PFCOUNT', 'h'],
      ['PFCOUNT', 'h', 'h'],
      ['PFMERGE', 'h'],
      ['PFMERGE', 'x', 'h'],
      ['PFDEBUG', 'ENCODING', 'h'],
      ['PFDEBUG', 'foo', 'h'],
    ].flatMap((command) => [
      ['SET', 'h', Buffer.from('HYLL\x01\0\0\0\x05\0\0\0\0\0\0\0\x7f\xff', 'latin1')],
      command,
      cmd('OBJECT ENCODING h'),
      cmd('GET h'),
    ]),
  },
  {
    name: 'values that are not HyperLogLogs',
    commands: [
      cmd('SET k HYLL'),
      cmd('PFADD k a'),
      cmd('PFCOUNT k'),
      cmd('SET i 12345'),
      cmd('PFADD i x'),
      cmd('PFADD ok a'),
      cmd('PFCOUNT ok i'),
      cmd('PFMERGE ok i'),
      cmd('PFMERGE new ok i'),
      cmd('EXISTS new'),
      ['SET', 'enc2', Buffer.concat([Buffer.from('HYLL\x02', 'latin1'), Buffer.alloc(20)])],
      cmd('PFADD enc2 a'),
      cmd('PFDEBUG ENCODING enc2'),
      ['SET', 'shortdense', Buffer.concat([Buffer.from('HYLL\0', 'latin1'), Buffer.alloc(111)])],
      cmd('PFCOUNT shortdense'),
      ['SET', 'longdense', Buffer.concat([Buffer.from('HYLL\0', 'latin1'), Buffer.alloc(12300)])],
      cmd('PFADD longdense a'),
      ['SET', 'magic', Buffer.concat([Buffer.from('HYLl\x01', 'latin1'), Buffer.alloc(20)])],
      cmd('PFCOUNT magic'),
      cmd('PFDEBUG DECODE magic'),
    ],
  },
  {
    name: 'corrupted sparse HLLs',
    commands: [
      // Runs that stop short of 16384 registers.
      ['SET', 'short', sparse(0x7f, 0xfe)],
      cmd('PFCOUNT short'),
      cmd('PFADD short a b c'),
      cmd('GET short'),
      cmd('PFCOUNT short'),
      cmd('PFCOUNT short short'),
      cmd('PFMERGE m short'),
      cmd('EXISTS m'),
      cmd('PFDEBUG GETREG short'),
      cmd('PFDEBUG TODENSE short'),
      cmd('PFDEBUG DECODE short'),
      // Runs past the last register.
      ['SET', 'extra', sparse(0x7f, 0xff, 0x00, 0x80, 0x7f)],
      cmd('PFCOUNT extra'),
      cmd('PFADD extra a b c'),
      cmd('GET extra'),
      cmd('PFDEBUG DECODE extra'),
      // No opcodes at all.
      ['SET', 'none', sparse()],
      cmd('PFADD none a'),
      cmd('PFADD none'),
      cmd('PFCOUNT none'),
      cmd('PFDEBUG DECODE none'),
      // A VAL that overflows the registers.
      ['SET', 'over', sparse(0x7f, 0xfe, 0x83)],
      cmd('PFCOUNT over'),
      cmd('PFADD over zz'),
      cmd('GET over'),
      cmd('PFDEBUG DECODE over'),
      cmd('PFDEBUG TODENSE over'),
      // A truncated XZERO.
      ['SET', 'trunc', sparse(0x40)],
      cmd('PFCOUNT trunc'),
      cmd('PFADD trunc a'),
      cmd('GET trunc'),
    ],
  },
  {
    name: 'PFADD keeps the TTL; APPEND corrupts, SETRANGE can repair',
    commands: [
      cmd('PFADD h a'),
      cmd('EXPIRE h 1000'),
      cmd('PFADD h b'),
      cmd('PFMERGE h h'),
      cmd('PFCOUNT h'),
      cmd('TTL h'),
      cmd('APPEND h x'),
      cmd('PFCOUNT h'),
      cmd('PFADD h c'),
      cmd('STRLEN h'),
      ['SETRANGE', 'h', '0', 'HYLL'],
      cmd('PFCOUNT h'),
    ],
  },
  {
    name: 'RESP3 replies',
    resp3: true,
    commands: [cmd('PFADD h a b'), cmd('PFCOUNT h'), cmd('PFDEBUG ENCODING h'), cmd('PFDEBUG DECODE h'), cmd('PFDEBUG GETREG h'), cmd('PFCOUNT nokey')],
  },
  { name: 'PFSELFTEST', commands: [cmd('PFSELFTEST')] },
];

differentialSuite(cases);

const noRedis = redisAvailable() ? false : 'redis-server not installed';

describe('an HLL string moves between Redis and Tandem', { skip: noRedis }, () => {
  let redis: RunningServer;
  let tandem: RunningServer;
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

  /** The bulk payload of a reply. */
  function bulkBody(reply: Buffer): Buffer {
    const header = reply.indexOf('\r\n');
    return reply.subarray(header + 2, reply.length - 2);
  }

  async function both(...args: Array<string | Buffer>): Promise<void> {
    const [expected, actual] = await Promise.all([r.call(...args), t.call(...args)]);
    assert.equal(actual.toString('latin1'), expected.toString('latin1'), args.join(' '));
  }

  for (const n of [50, 5000]) {
    test(`GET/SET and DUMP/RESTORE of a ${n}-element HLL, then more PFADDs on both`, async () => {
      await Promise.all([r.call('FLUSHALL'), t.call('FLUSHALL')]);
      for (const c of addInBatches('h', 'e', n, 1000)) await r.call(...c);
      await t.call('SET', 'h', bulkBody(await r.call('GET', 'h')));
      await t.call('RESTORE', 'd', '0', bulkBody(await r.call('DUMP', 'h')));
      await r.call('RESTORE', 'd', '0', bulkBody(await r.call('DUMP', 'h')));
      for (const key of ['h', 'd']) {
        await both('GET', key);
        await both('PFCOUNT', key);
        await both('PFADD', key, ...elements('more', 500));
        await both('GET', key);
        await both('PFCOUNT', key);
      }
      // And back: Tandem's HLL in Redis.
      await r.call('SET', 'back', bulkBody(await t.call('GET', 'h')));
      await t.call('SET', 'back', bulkBody(await t.call('GET', 'h')));
      await both('PFADD', 'back', 'x', 'y');
      await both('GET', 'back');
    });
  }
});

// ---- dirty, propagation, notifications, in process -------------------------------

describe('dirty, propagation and keyspace events', () => {
  class CapturingClient extends Client {
    output(): string {
      return (this.takeOutput() ?? []).map((b) => b.toString('latin1')).join('');
    }
  }
  const server = new Server(new Config(), { logSink: () => undefined });
  const client = new CapturingClient(server, 1, null);
  const propagated: string[][] = [];
  server.propagationSinks.push((_db, argv) => propagated.push(argv));
  const events: string[] = [];
  server.notifyKeyspaceEvent = (_type, event, key) => void events.push(`${event} ${key}`);

  /** Runs a command: its reply, the change in dirty, what was propagated. */
  function run(...argv: string[]): { reply: string; dirty: number; propagated: string[][] } {
    propagated.length = 0;
    const before = server.dirty;
    server.execute(client, argv);
    return { reply: client.output(), dirty: server.dirty - before, propagated: propagated.slice() };
  }

  test('PFADD counts one change per register raised (plus one for creating the key)', () => {
    assert.deepEqual(run('PFADD', 'h', 'a', 'b', 'c'), { reply: ':1\r\n', dirty: 4, propagated: [['PFADD', 'h', 'a', 'b', 'c']] });
    assert.deepEqual(run('PFADD', 'h', 'a'), { reply: ':0\r\n', dirty: 0, propagated: [] });
    assert.deepEqual(run('PFADD', 'e'), { reply: ':1\r\n', dirty: 1, propagated: [['PFADD', 'e']] });
    assert.deepEqual(run('PFADD', 'e'), { reply: ':0\r\n', dirty: 0, propagated: [] });
  });

  test('PFCOUNT is a write only when it refreshes the cached cardinality', () => {
    run('PFADD', 'c', 'x');
    assert.deepEqual(run('PFCOUNT', 'c'), { reply: ':1\r\n', dirty: 1, propagated: [['PFCOUNT', 'c']] });
    assert.deepEqual(run('PFCOUNT', 'c'), { reply: ':1\r\n', dirty: 0, propagated: [] });
    assert.deepEqual(run('PFCOUNT', 'c', 'h'), { reply: ':4\r\n', dirty: 0, propagated: [] });
  });

  test('PFMERGE always counts one change; PFDEBUG TODENSE one when it converts', () => {
    assert.equal(run('PFMERGE', 'm', 'nokey').dirty, 1);
    assert.equal(run('PFMERGE', 'm').dirty, 1);
    assert.deepEqual(run('PFDEBUG', 'TODENSE', 'm'), { reply: ':1\r\n', dirty: 1, propagated: [['PFDEBUG', 'TODENSE', 'm']] });
    assert.deepEqual(run('PFDEBUG', 'TODENSE', 'm'), { reply: ':0\r\n', dirty: 0, propagated: [] });
  });

  test('PFADD and PFMERGE notify "pfadd" (after "new" for a new key), PFMERGE reads its destination first', () => {
    events.length = 0;
    run('PFADD', 'n', 'a');
    run('PFADD', 'n', 'a');
    run('PFCOUNT', 'n');
    run('PFMERGE', 'n2', 'n');
    run('PFMERGE', 'n2', 'n');
    run('PFDEBUG', 'TODENSE', 'n2');
    assert.deepEqual(events, ['new n', 'pfadd n', 'keymiss n2', 'new n2', 'pfadd n2', 'pfadd n2']);
  });

  test('keys of another type get the generic WRONGTYPE error', () => {
    const standIn: TypedValue = { type: 'list', encoding: () => 'quicklist', clone: () => standIn, digest: () => undefined };
    server.dbs[0].set('l', standIn);
    const wrongType = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
    for (const argv of [['PFADD', 'l', 'a'], ['PFCOUNT', 'l'], ['PFCOUNT', 'h', 'l'], ['PFMERGE', 'h', 'l'], ['PFDEBUG', 'ENCODING', 'l']]) {
      assert.equal(run(...argv).reply, wrongType, argv.join(' '));
    }
  });
});
