// Hash commands against real Redis: deterministic replies byte for byte
// (a listpack keeps insertion order, so small hashes compare exactly;
// hashtable hashes compare without order or by DEBUG DIGEST-VALUE), encodings
// at the thresholds; HRANDFIELD by its properties, and what HINCRBYFLOAT
// propagates, in-process.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NOTIFY_GENERIC, NOTIFY_HASH } from '../src/config/options.js';
import { HashValue } from '../src/store/hash.js';
import { cmd, differentialSuite, type Command, type DiffCase } from './helpers/differential.js';
import { inProcessServer, type Reply } from './helpers/in-process.js';

const binary = Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10, 0x80, 0x7f, 0]);

/** `HSET key` with fields f0..f(n-1), each valued v<i>. */
function hsetFields(key: string, n: number, from = 0): Command {
  const out = ['HSET', key];
  for (let i = from; i < from + n; i++) out.push(`f${i}`, `v${i}`);
  return out;
}

const cases: DiffCase[] = [
  {
    name: 'HSET, HGET, HMGET, HLEN, HSTRLEN, HEXISTS, HKEYS, HVALS, HGETALL',
    commands: [
      cmd('HSET h a 1 b 2 a 3'),
      cmd('HSET h c 33 b 2'),
      cmd('HGET h a'),
      cmd('HGET h zz'),
      cmd('HGET nokey a'),
      cmd('HMGET h a zz c'),
      cmd('HMGET nokey a b'),
      cmd('HLEN h'),
      cmd('HLEN nokey'),
      cmd('HSTRLEN h c'),
      cmd('HSTRLEN h zz'),
      cmd('HSTRLEN nokey a'),
      cmd('HEXISTS h a'),
      cmd('HEXISTS h zz'),
      cmd('HEXISTS nokey a'),
      cmd('HKEYS h'),
      cmd('HVALS h'),
      cmd('HGETALL h'),
      cmd('HKEYS nokey'),
      cmd('HVALS nokey'),
      cmd('HGETALL nokey'),
      ['HSET', 'e', '', ''],
      cmd('HGETALL e'),
      ['HSTRLEN', 'e', ''],
    ],
  },
  {
    name: 'HMSET, HSETNX, HDEL',
    commands: [
      cmd('HMSET h a 1 b 2'),
      cmd('HSETNX h a 9'),
      cmd('HSETNX h c 3'),
      cmd('HSETNX nokey2 x y'),
      cmd('HGETALL nokey2'),
      cmd('HGETALL h'),
      cmd('HDEL h a zz a'),
      cmd('HDEL nokey a'),
      cmd('HDEL h b c'),
      cmd('EXISTS h'),
      cmd('HDEL h b'),
    ],
  },
  {
    name: 'a listpack keeps insertion order: a new value keeps its place, a re-added field goes last',
    commands: [
      cmd('HSET h z 1 y 2 x 3'),
      cmd('HSET h y 5'),
      cmd('HINCRBY h z 10'),
      cmd('HGETALL h'),
      cmd('HDEL h z'),
      cmd('HSET h z 9'),
      cmd('HGETALL h'),
      cmd('HSCAN h 0'),
      cmd('HRANDFIELD h 3'),
      cmd('HRANDFIELD h 100 WITHVALUES'),
    ],
  },
  {
    name: 'WRONGTYPE on every hash command',
    commands: [
      cmd('SET str x'),
      cmd('HSET str a 1'),
      cmd('HMSET str a 1'),
      cmd('HSETNX str a 1'),
      cmd('HGET str a'),
      cmd('HMGET str a'),
      cmd('HDEL str a'),
      cmd('HLEN str'),
      cmd('HSTRLEN str a'),
      cmd('HEXISTS str a'),
      cmd('HKEYS str'),
      cmd('HVALS str'),
      cmd('HGETALL str'),
      cmd('HINCRBY str a 1'),
      cmd('HINCRBYFLOAT str a 1'),
      cmd('HRANDFIELD str'),
      cmd('HRANDFIELD str 1'),
      cmd('HRANDFIELD str -1 WITHVALUES'),
      cmd('HSCAN str 0'),
      cmd('HSCAN str 0 COUNT 0'),
      cmd('GET str'),
    ],
  },
  {
    name: 'arity and syntax errors',
    commands: [
      cmd('HSET h a'),
      cmd('HSET h a 1 b'),
      cmd('HMSET h a'),
      cmd('HMSET h a 1 b'),
      cmd('HSET h a 1'),
      cmd('HSETNX h a'),
      cmd('HDEL h'),
      cmd('HMGET h'),
      cmd('HINCRBY h a'),
      cmd('HRANDFIELD'),
      cmd('HRANDFIELD h 1 WITHVALUES x'),
      cmd('HRANDFIELD h 1 foo'),
      ['HRANDFIELD', 'h', '1', 'withvalues\0x'],
      cmd('HRANDFIELD h abc'),
      cmd('HRANDFIELD h abc foo'),
      cmd('HRANDFIELD nokey abc'),
      cmd('HRANDFIELD nokey 1 foo'),
      cmd('HRANDFIELD h -9223372036854775808'),
      cmd('HRANDFIELD h 9223372036854775808'),
      cmd('HRANDFIELD h 4611686018427387904 WITHVALUES'),
      cmd('HRANDFIELD h -4611686018427387904 WITHVALUES'),
      cmd('HRANDFIELD h 4611686018427387904 foo'),
      cmd('HRANDFIELD h 4611686018427387903 WITHVALUES'),
      cmd('HRANDFIELD nokey 4611686018427387904 withvalues'),
      cmd('HSCAN h'),
      cmd('HSCAN h abc'),
      cmd('HSCAN h 0 COUNT 0'),
      cmd('HSCAN h 0 COUNT -1'),
      cmd('HSCAN h 0 MATCH'),
      cmd('HSCAN h 0 foo bar'),
      cmd('HSCAN h 0 TYPE hash'),
      cmd('HSCAN nokey 0 foo'),
      cmd('HSCAN nokey abc'),
    ],
  },
  {
    name: 'HINCRBY',
    commands: [
      cmd('HINCRBY h n 5'),
      cmd('HINCRBY h n -7'),
      cmd('HINCRBY h n 0'),
      cmd('HINCRBY h n abc'),
      cmd('HINCRBY h n 1.5'),
      cmd('HINCRBY h n 9223372036854775808'),
      cmd('HINCRBY h n 9223372036854775807'),
      cmd('HINCRBY h n 9223372036854775806'),
      cmd('HINCRBY h n -9223372036854775808'),
      cmd('HINCRBY h n -9223372036854775807'),
      cmd('HINCRBY h n -9223372036854775808'),
      cmd('HINCRBY h n -1'),
      cmd('HGET h n'),
      ['HSET', 'h', 'sp', ' 1', 'fl', '1.5', 'lz', '01', 'plus', '+1', 'e', '1e3', 'big', '9223372036854775808', 'empty', ''],
      ...['sp', 'fl', 'lz', 'plus', 'e', 'big', 'empty'].map((f): Command => ['HINCRBY', 'h', f, '1']),
      cmd('HINCRBY nokey2 n abc'),
      cmd('EXISTS nokey2'),
    ],
  },
  {
    name: 'HINCRBYFLOAT: formats, and the order of its checks',
    commands: [
      cmd('HINCRBYFLOAT h f 10.5'),
      cmd('HINCRBYFLOAT h f 0.1'),
      cmd('HINCRBYFLOAT h f -5.6'),
      cmd('HINCRBYFLOAT h f 3.0e3'),
      cmd('HINCRBYFLOAT h f 0x10'),
      cmd('HINCRBYFLOAT h g -0'),
      cmd('HINCRBYFLOAT h g 1.10'),
      cmd('HINCRBYFLOAT h g 5e-20'),
      cmd('HINCRBYFLOAT h big 1e300'),
      cmd('HINCRBYFLOAT h big 1e4932'),
      cmd('HINCRBYFLOAT h big 1e4932'),
      cmd('HINCRBYFLOAT h big -1e4932'),
      cmd('HINCRBYFLOAT h f abc'),
      cmd('HINCRBYFLOAT h f nan'),
      cmd('HINCRBYFLOAT h f inf'),
      cmd('HINCRBYFLOAT h f -infinity'),
      cmd('HINCRBYFLOAT h f 1e5000'),
      cmd('HINCRBYFLOAT h f ""'),
      ['HSET', 'h', 'bad', 'abc', 'sp', ' 1', 'inf', 'inf', 'int', '42', 'hex', '0x1p3'],
      cmd('HINCRBYFLOAT h bad inf'),
      cmd('HINCRBYFLOAT h bad abc'),
      cmd('HINCRBYFLOAT h bad 1'),
      cmd('HINCRBYFLOAT h sp 1'),
      cmd('HINCRBYFLOAT h inf 1'),
      cmd('HINCRBYFLOAT h int 0.5'),
      cmd('HINCRBYFLOAT h hex 1'),
      cmd('HINCRBYFLOAT nokey2 f inf'),
      cmd('HINCRBYFLOAT nokey2 f abc'),
      cmd('EXISTS nokey2'),
      cmd('HMGET h f g big bad sp inf int hex'),
    ],
  },
  {
    name: 'listpack up to hash-max-listpack-entries fields, then hashtable',
    commands: [
      hsetFields('h', 512),
      cmd('OBJECT ENCODING h'),
      cmd('HSET h f0 again'),
      cmd('OBJECT ENCODING h'),
      cmd('HSET h f512 v'),
      cmd('OBJECT ENCODING h'),
      cmd('HDEL h f512 f0 f1'),
      cmd('OBJECT ENCODING h'),
      hsetFields('g', 513),
      cmd('OBJECT ENCODING g'),
      cmd('HLEN g'),
      hsetFields('k', 100),
      ['HSET', 'k', ...Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? 'same' : `v${i}`))],
      cmd('OBJECT ENCODING k'),
    ],
  },
  {
    name: 'listpack while fields and values fit hash-max-listpack-value bytes',
    commands: [
      ['HSET', 'a', 'f', 'x'.repeat(64)],
      cmd('OBJECT ENCODING a'),
      ['HSET', 'a', 'g', 'x'.repeat(65)],
      cmd('OBJECT ENCODING a'),
      ['HSET', 'b', 'y'.repeat(65), 'v'],
      cmd('OBJECT ENCODING b'),
      ['HSET', 'c', 'y'.repeat(64), 'v'],
      cmd('OBJECT ENCODING c'),
      cmd('HSET d f v'),
      ['HSETNX', 'd', 'f', 'x'.repeat(65)],
      cmd('OBJECT ENCODING d'),
      ['HSETNX', 'd', 'g', 'x'.repeat(65)],
      cmd('OBJECT ENCODING d'),
      ['HINCRBY', 'e', 'y'.repeat(65), '1'],
      cmd('OBJECT ENCODING e'),
      cmd('HINCRBYFLOAT l f 1e60'),
      cmd('OBJECT ENCODING l'),
      cmd('HINCRBYFLOAT m f 1e70'),
      cmd('OBJECT ENCODING m'),
      cmd('COPY a a2'),
      cmd('OBJECT ENCODING a2'),
      cmd('COPY c c2'),
      cmd('OBJECT ENCODING c2'),
      cmd('HGETALL c2'),
      cmd('DEBUG DIGEST-VALUE a a2 c c2'),
    ],
  },
  {
    name: 'hash-max-listpack-* read at each change',
    commands: [
      cmd('CONFIG SET hash-max-listpack-entries 2'),
      cmd('HSET h a 1 b 2'),
      cmd('OBJECT ENCODING h'),
      cmd('HSET h c 3'),
      cmd('OBJECT ENCODING h'),
      cmd('CONFIG SET hash-max-listpack-entries 0'),
      cmd('HSET z a 1'),
      cmd('OBJECT ENCODING z'),
      cmd('CONFIG SET hash-max-listpack-entries 512'),
      cmd('CONFIG SET hash-max-listpack-value 0'),
      cmd('HSET e a ""'),
      cmd('OBJECT ENCODING e'),
      cmd('CONFIG SET hash-max-ziplist-value 3'),
      cmd('HSET f abc xyz'),
      cmd('OBJECT ENCODING f'),
      cmd('HSET f abcd x'),
      cmd('OBJECT ENCODING f'),
      cmd('CONFIG SET hash-max-listpack-value 64'),
    ],
  },
  {
    name: 'hashtable hashes: contents compared without order and by digest',
    commands: [
      hsetFields('h', 600),
      cmd('HLEN h'),
      cmd('HGETALL h'),
      cmd('HKEYS h'),
      cmd('HVALS h'),
      cmd('HRANDFIELD h 600 WITHVALUES'),
      cmd('HRANDFIELD h 1000'),
      cmd('HSCAN h 0 MATCH f59? COUNT 100000'),
      cmd('HMGET h f0 f599 nope'),
      cmd('DEBUG DIGEST-VALUE h'),
      cmd('DEBUG DIGEST'),
    ],
    unordered: true,
  },
  {
    name: 'binary fields and values',
    commands: [
      ['HSET', 'b', binary, binary, 'f', Buffer.from('v\0\r\n')],
      ['HGET', 'b', binary],
      ['HGETALL', 'b'],
      ['HSTRLEN', 'b', 'f'],
      ['HEXISTS', 'b', Buffer.from([0])],
      ['HMGET', 'b', binary, Buffer.from([0, 1])],
      ['HSCAN', 'b', '0', 'MATCH', Buffer.from([0, 0x2a])],
      ['HINCRBY', 'b', Buffer.from('n\0'), '3'],
      ['HDEL', 'b', binary],
      ['HGETALL', 'b'],
      ['DEBUG', 'DIGEST-VALUE', 'b'],
    ],
  },
  {
    name: 'HRANDFIELD counts: zero, past the size, missing keys',
    commands: [
      cmd('HSET h a 1 b 2 c 3'),
      cmd('HRANDFIELD h 0'),
      cmd('HRANDFIELD h 0 WITHVALUES'),
      cmd('HRANDFIELD h 3'),
      cmd('HRANDFIELD h 9223372036854775807'),
      cmd('HRANDFIELD h 4611686018427387903 withvalues'),
      cmd('HRANDFIELD nokey'),
      cmd('HRANDFIELD nokey 3'),
      cmd('HRANDFIELD nokey -3 WITHVALUES'),
      cmd('HSET one f v'),
      cmd('HRANDFIELD one'),
      cmd('HRANDFIELD one -3'),
      cmd('HRANDFIELD one -2 WITHVALUES'),
      cmd('HRANDFIELD one 1 WITHVALUES'),
    ],
  },
  {
    name: 'RESP3 reply types',
    resp3: true,
    commands: [
      cmd('HSET h a 1 b 2'),
      cmd('HGETALL h'),
      cmd('HGETALL nokey'),
      cmd('HKEYS h'),
      cmd('HVALS h'),
      cmd('HMGET h a zz'),
      cmd('HGET h zz'),
      cmd('HRANDFIELD h 5'),
      cmd('HRANDFIELD h 5 WITHVALUES'),
      cmd('HRANDFIELD h 0 WITHVALUES'),
      cmd('HRANDFIELD nokey'),
      cmd('HRANDFIELD nokey 2 WITHVALUES'),
      cmd('HSET one f v'),
      cmd('HRANDFIELD one -2 WITHVALUES'),
      cmd('HINCRBYFLOAT h a 1.5'),
      cmd('HSCAN h 0'),
    ],
  },
];

differentialSuite(cases);

// ---- in-process: HRANDFIELD by its properties, propagation, events --------------------------

/** Field → value pairs from a flat reply. */
function pairs(r: Reply): Array<[string, string]> {
  assert.ok(Array.isArray(r));
  const out: Array<[string, string]> = [];
  for (let i = 0; i < r.length; i += 2) out.push([r[i] as string, r[i + 1] as string]);
  return out;
}

describe('HRANDFIELD replies', () => {
  const { call, value } = inProcessServer();

  /** A hash of fields f0..f(n-1) valued v<i>, listpack up to 512 fields. */
  function fill(n: number): void {
    call('DEL', 'h');
    const args: string[] = [];
    for (let i = 0; i < n; i++) args.push(`f${i}`, `v${i}`);
    call('HSET', 'h', ...args);
  }

  for (const size of [5, 100, 3000]) {
    test(`a positive count gives distinct fields, at most the hash, values matching (${size} fields)`, () => {
      fill(size);
      for (const count of [1, 2, Math.floor(size / 3), Math.floor(size / 2), size - 1, size, size + 3]) {
        const got = pairs(value('HRANDFIELD', 'h', String(count), 'WITHVALUES'));
        assert.equal(got.length, Math.min(count, size));
        assert.equal(new Set(got.map(([f]) => f)).size, got.length, 'distinct');
        for (const [f, v] of got) assert.equal(v, `v${f.slice(1)}`);
        const fields = value('HRANDFIELD', 'h', String(count)) as string[];
        assert.equal(fields.length, Math.min(count, size));
        assert.equal(new Set(fields).size, fields.length);
      }
    });

    test(`a negative count gives exactly that many, repeats allowed (${size} fields)`, () => {
      fill(size);
      const got = pairs(value('HRANDFIELD', 'h', String(-2 * size), 'WITHVALUES'));
      assert.equal(got.length, 2 * size);
      for (const [f, v] of got) assert.equal(v, `v${f.slice(1)}`);
      assert.equal((value('HRANDFIELD', 'h', '-7') as string[]).length, 7);
    });
  }

  test('a few fields of a listpack come in hash order, as Redis picks them', () => {
    fill(100);
    for (let round = 0; round < 20; round++) {
      const got = (value('HRANDFIELD', 'h', '10') as string[]).map((f) => Number(f.slice(1)));
      assert.deepEqual(
        got,
        got.slice().sort((a, b) => a - b),
      );
    }
  });

  test('every field comes up about equally often', () => {
    call('DEL', 'h');
    call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    const seen = new Map<string, number>();
    for (const f of value('HRANDFIELD', 'h', '-3000') as string[]) seen.set(f, (seen.get(f) ?? 0) + 1);
    for (const n of seen.values()) assert.ok(n > 700, `a field came up ${n} times of 3000`);
    const single = new Set<string>();
    for (let i = 0; i < 200; i++) single.add(value('HRANDFIELD', 'h') as string);
    assert.deepEqual([...single].sort(), ['a', 'b', 'c']);
  });

  test('RESP3 nests each field with its value', () => {
    fill(50);
    call('HELLO', '3');
    const nested = value('HRANDFIELD', 'h', '-4', 'WITHVALUES') as Reply[];
    assert.equal(nested.length, 4);
    for (const p of nested) assert.ok(Array.isArray(p) && p.length === 2 && p[1] === `v${(p[0] as string).slice(1)}`);
    assert.match(call('HRANDFIELD', 'h', '3', 'WITHVALUES'), /^\*3\r\n\*2\r\n/);
    call('HELLO', '2');
  });

  test('HSCAN over a hashtable hash returns every field present throughout, with its value', () => {
    fill(1000);
    const seen = new Map<string, string>();
    let cursor = '0';
    let round = 0;
    do {
      const [next, flat] = value('HSCAN', 'h', cursor, 'COUNT', '37') as [string, string[]];
      cursor = next;
      for (const [f, v] of pairs(flat)) seen.set(f, v);
      call('HDEL', 'h', `f${round}`);
      call('HSET', 'h', `new${round}`, 'x');
      round++;
    } while (cursor !== '0');
    for (let i = round; i < 1000; i++) assert.equal(seen.get(`f${i}`), `v${i}`);
  });
});

describe('propagation, dirty and keyspace events', () => {
  const { server, call, run } = inProcessServer();
  const events: string[] = [];
  // The hash and generic classes only ('new' key events come from the keyspace itself).
  server.notifyKeyspaceEvent = (type, event, key) => {
    if (type === NOTIFY_HASH || type === NOTIFY_GENERIC) events.push(`${type === NOTIFY_HASH ? 'h' : 'g'}:${event}:${key}`);
  };
  const during = (...argv: string[]): { events: string[]; dirty: number; forms: string[][] } => {
    events.length = 0;
    const before = server.dirty;
    const forms = run(...argv);
    return { events: events.slice(), dirty: server.dirty - before, forms };
  };

  test('HINCRBYFLOAT propagates as HSET of the result', () => {
    call('HSET', 'h', 'f', '1.5');
    assert.deepEqual(during('HINCRBYFLOAT', 'h', 'f', '0.25'), {
      events: ['h:hincrbyfloat:h'],
      dirty: 1,
      forms: [['HSET', 'h', 'f', '1.75']],
    });
    assert.deepEqual(during('HINCRBYFLOAT', 'h', 'f', 'abc'), { events: [], dirty: 0, forms: [] });
  });

  test('the other writes propagate as sent, with Redis\'s events and dirty counts', () => {
    call('DEL', 'h');
    assert.deepEqual(during('HSET', 'h', 'a', '1', 'b', '2', 'a', '3'), {
      events: ['h:hset:h'],
      dirty: 3,
      forms: [['HSET', 'h', 'a', '1', 'b', '2', 'a', '3']],
    });
    assert.deepEqual(during('HMSET', 'h', 'a', '1').events, ['h:hset:h']);
    assert.deepEqual(during('HSETNX', 'h', 'a', '1'), { events: [], dirty: 0, forms: [] });
    assert.deepEqual(during('HSETNX', 'h', 'c', '1').events, ['h:hset:h']);
    assert.deepEqual(during('HINCRBY', 'h', 'a', '2'), { events: ['h:hincrby:h'], dirty: 1, forms: [['HINCRBY', 'h', 'a', '2']] });
    assert.deepEqual(during('HDEL', 'h', 'a', 'zz'), { events: ['h:hdel:h'], dirty: 1, forms: [['HDEL', 'h', 'a', 'zz']] });
    assert.deepEqual(during('HDEL', 'h', 'zz'), { events: [], dirty: 0, forms: [] });
    assert.deepEqual(during('HDEL', 'h', 'b', 'c', 'zz').events, ['h:hdel:h', 'g:del:h']);
    assert.deepEqual(during('HRANDFIELD', 'h', '-3'), { events: [], dirty: 0, forms: [] });
  });
});

describe('HashValue', () => {
  test('listpack until a limit is passed, never back', () => {
    const h = new HashValue();
    const limits = { entries: 2, value: 4 };
    assert.equal(h.set('a', '1', limits), true);
    assert.equal(h.set('a', '2', limits), false);
    h.set('b', '1234', limits);
    assert.equal(h.encoding(), 'listpack');
    h.set('c', '1', limits);
    assert.equal(h.encoding(), 'hashtable');
    h.delete('c');
    assert.equal(h.encoding(), 'hashtable');
    const g = new HashValue();
    g.set('a', '12345', limits);
    assert.equal(g.encoding(), 'hashtable');
    assert.equal(g.clone().encoding(), 'hashtable');
  });

  test('sampleInOrder picks distinct fields in hash order', () => {
    const h = new HashValue();
    for (let i = 0; i < 50; i++) h.set(`f${i}`, 'v', { entries: 512, value: 64 });
    for (const count of [1, 10, 50]) {
      const got = h.sampleInOrder(count).map((f) => Number(f.slice(1)));
      assert.equal(got.length, count);
      assert.deepEqual(got, [...new Set(got)].sort((a, b) => a - b));
    }
  });
});
