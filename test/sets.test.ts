// Set commands against real Redis: deterministic replies byte for byte
// (intsets iterate in integer order, so small integer sets compare exactly;
// hashtable sets compare without order or by DEBUG DIGEST-VALUE), encodings at
// the thresholds; random replies (SPOP, SRANDMEMBER) by their properties,
// and what SPOP propagates, in-process.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NOTIFY_GENERIC, NOTIFY_SET } from '../src/config/options.js';
import { SetValue } from '../src/store/set.js';
import { cmd, differentialSuite, type Command, type DiffCase } from './helpers/differential.js';
import { inProcessServer, type Reply } from './helpers/in-process.js';

const binary = Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10, 0x80, 0x7f, 0]);
const binary2 = Buffer.from([0, 0, 13, 10]);

/** `SADD key` with the integers from..to-1. */
function saddRange(key: string, from: number, to: number): Command {
  const out = ['SADD', key];
  for (let i = from; i < to; i++) out.push(String(i));
  return out;
}

const cases: DiffCase[] = [
  {
    name: 'SADD, SREM, SCARD, SISMEMBER, SMISMEMBER',
    commands: [
      cmd('SADD s 3 1 2 2 1'),
      cmd('SADD s 1'),
      cmd('SCARD s'),
      cmd('SISMEMBER s 2'),
      cmd('SISMEMBER s 9'),
      cmd('SMISMEMBER s 1 9 3 1'),
      cmd('SMISMEMBER nokey a b'),
      cmd('SISMEMBER nokey a'),
      cmd('SCARD nokey'),
      cmd('SREM s 1 9 1'),
      cmd('SREM nokey a'),
      cmd('SMEMBERS s'),
      cmd('SREM s 2 3 4'),
      cmd('EXISTS s'),
      cmd('SREM s 2'),
    ],
  },
  {
    name: 'WRONGTYPE on every set command',
    commands: [
      cmd('SET str x'),
      cmd('SADD s 1'),
      cmd('SADD str a'),
      cmd('SREM str a'),
      cmd('SCARD str'),
      cmd('SISMEMBER str a'),
      cmd('SMISMEMBER str a'),
      cmd('SMEMBERS str'),
      cmd('SPOP str'),
      cmd('SPOP str 0'),
      cmd('SPOP str 2'),
      cmd('SRANDMEMBER str'),
      cmd('SRANDMEMBER str 2'),
      cmd('SRANDMEMBER str -2'),
      cmd('SMOVE str s a'),
      cmd('SMOVE s str 1'),
      cmd('SMOVE nokey str a'),
      cmd('SINTER s str'),
      cmd('SINTER nokey str'),
      cmd('SINTERCARD 2 nokey str'),
      cmd('SINTERSTORE d nokey str'),
      cmd('SUNION s str'),
      cmd('SUNIONSTORE d s str'),
      cmd('SDIFF nokey str'),
      cmd('SDIFF str nokey'),
      cmd('SDIFFSTORE d s str'),
      cmd('SSCAN str 0'),
      cmd('SSCAN str 0 COUNT 0'),
      cmd('EXISTS d'),
      cmd('SMEMBERS s'),
    ],
  },
  {
    name: 'arity, syntax and count errors',
    commands: [
      cmd('SADD s 1 2 3'),
      cmd('SADD s'),
      cmd('SREM s'),
      cmd('SMISMEMBER s'),
      cmd('SPOP s 1 2'),
      cmd('SPOP s -1'),
      cmd('SPOP s abc'),
      cmd('SPOP nokey -1'),
      cmd('SRANDMEMBER s 1 2'),
      cmd('SRANDMEMBER s abc'),
      cmd('SRANDMEMBER s 1.5'),
      cmd('SRANDMEMBER s -9223372036854775808'),
      cmd('SRANDMEMBER nokey abc'),
      cmd('SRANDMEMBER s 9223372036854775808'),
      cmd('SMOVE s d'),
      cmd('SINTERSTORE d'),
      cmd('SSCAN s'),
      cmd('SSCAN s abc'),
      cmd('SSCAN s -1'),
      cmd('SSCAN s 0 COUNT 0'),
      cmd('SSCAN s 0 COUNT abc'),
      cmd('SSCAN s 0 MATCH'),
      cmd('SSCAN s 0 foo bar'),
      cmd('SSCAN s 0 TYPE set'),
      cmd('SSCAN nokey 0 foo'),
      cmd('SSCAN nokey abc'),
    ],
  },
  {
    name: 'intsets reply in integer order',
    commands: [
      cmd('SADD i 10 -3 7 100 -20 0 9223372036854775807 -9223372036854775808'),
      cmd('SMEMBERS i'),
      cmd('SSCAN i 0'),
      cmd('SSCAN i 12345 COUNT 1'),
      cmd('SSCAN i 0 MATCH 1*'),
      cmd('SINTER i'),
      cmd('SINTER i i'),
      cmd('SUNION i nokey'),
      cmd('SDIFF i nokey'),
      cmd('SADD j 7 100 5 -3'),
      cmd('SINTER i j'),
      cmd('SINTER j i'),
      cmd('SUNION j i'),
      cmd('SDIFF i j'),
      cmd('SDIFF j i'),
      cmd('SDIFF i i'),
      cmd('SINTERCARD 2 i j'),
      cmd('SRANDMEMBER i 100'),
      cmd('SRANDMEMBER i 9223372036854775807'),
      cmd('SPOP j 4'),
      cmd('EXISTS j'),
      cmd('SPOP i 9223372036854775807'),
      cmd('EXISTS i'),
    ],
  },
  {
    name: 'intset up to set-max-intset-entries, then hashtable',
    commands: [
      saddRange('s', 0, 512),
      cmd('OBJECT ENCODING s'),
      cmd('SADD s 511'),
      cmd('OBJECT ENCODING s'),
      cmd('SADD s 512'),
      cmd('OBJECT ENCODING s'),
      cmd('SREM s 512 0 1 2'),
      cmd('OBJECT ENCODING s'),
      saddRange('t', -5, 507),
      cmd('OBJECT ENCODING t'),
      cmd('SADD t x'),
      cmd('OBJECT ENCODING t'),
      cmd('SREM t x'),
      cmd('OBJECT ENCODING t'),
      saddRange('u', 0, 513),
      cmd('OBJECT ENCODING u'),
      cmd('SCARD u'),
    ],
  },
  {
    name: 'which members an intset holds: canonical int64 strings only',
    commands: [
      cmd('SADD a 9223372036854775807 -9223372036854775808 0 -1'),
      cmd('OBJECT ENCODING a'),
      ...['-0', '007', '+1', ' 1', '1 ', '1.0', '9223372036854775808', '-9223372036854775809', '0x10', '', '1e3'].flatMap(
        (m, i): Command[] => [['SADD', `n${i}`, m], ['OBJECT', 'ENCODING', `n${i}`], ['SMEMBERS', `n${i}`]],
      ),
      cmd('SADD b a 1 2'),
      cmd('OBJECT ENCODING b'),
    ],
  },
  {
    name: 'set-max-intset-entries read at each change',
    commands: [
      cmd('CONFIG SET set-max-intset-entries 2'),
      cmd('SADD s 1 2'),
      cmd('OBJECT ENCODING s'),
      cmd('SADD s 3'),
      cmd('OBJECT ENCODING s'),
      cmd('SADD t 1'),
      cmd('CONFIG SET set-max-intset-entries 0'),
      cmd('SADD z 1'),
      cmd('OBJECT ENCODING z'),
      cmd('OBJECT ENCODING t'),
      cmd('SADD t 2'),
      cmd('OBJECT ENCODING t'),
      cmd('CONFIG SET set-max-intset-entries 512'),
    ],
  },
  {
    name: 'encodings of STORE results, SMOVE destinations and copies',
    commands: [
      saddRange('a', 0, 513),
      saddRange('b', 0, 512),
      cmd('SINTERSTORE c a b'),
      cmd('OBJECT ENCODING c'),
      cmd('SUNIONSTORE d b'),
      cmd('OBJECT ENCODING d'),
      cmd('SUNIONSTORE e a'),
      cmd('OBJECT ENCODING e'),
      cmd('SDIFFSTORE f a b'),
      cmd('OBJECT ENCODING f'),
      cmd('SMEMBERS f'),
      cmd('SADD x 1 y'),
      cmd('SDIFFSTORE g x nokey'),
      cmd('OBJECT ENCODING g'),
      cmd('SREM x y'),
      cmd('SUNIONSTORE h x'),
      cmd('OBJECT ENCODING h'),
      cmd('SMOVE x m1 1'),
      cmd('OBJECT ENCODING m1'),
      cmd('SADD x z'),
      cmd('SMOVE x m2 z'),
      cmd('OBJECT ENCODING m2'),
      cmd('COPY a a2'),
      cmd('OBJECT ENCODING a2'),
      cmd('COPY b b2'),
      cmd('OBJECT ENCODING b2'),
      cmd('DEBUG DIGEST-VALUE a a2 b b2'),
    ],
  },
  {
    name: 'hashtable sets: contents compared without order and by digest',
    commands: [
      cmd('SADD s c b a 1 2'),
      cmd('SMEMBERS s'),
      cmd('SSCAN s 0 COUNT 100'),
      cmd('SRANDMEMBER s 5'),
      cmd('SRANDMEMBER s 100'),
      cmd('SADD t a x 2'),
      cmd('SINTER s t'),
      cmd('SUNION s t'),
      cmd('SDIFF s t'),
      cmd('SINTERSTORE d1 s t'),
      cmd('SUNIONSTORE d2 s t'),
      cmd('SDIFFSTORE d3 s t'),
      cmd('SMEMBERS d2'),
      cmd('DEBUG DIGEST-VALUE s t d1 d2 d3'),
      cmd('DEBUG DIGEST'),
    ],
    unordered: true,
  },
  {
    name: 'binary members',
    commands: [
      ['SADD', 'b', binary],
      ['SMEMBERS', 'b'],
      ['SADD', 'b', binary, binary2, ''],
      ['SISMEMBER', 'b', binary2],
      ['SISMEMBER', 'b', Buffer.from([0])],
      ['SMISMEMBER', 'b', '', binary],
      ['SREM', 'b', binary2, ''],
      ['SMEMBERS', 'b'],
      ['SSCAN', 'b', '0'],
      ['SPOP', 'b'],
      ['EXISTS', 'b'],
      ['SADD', 'b', binary, binary2, 'x'],
      ['SMOVE', 'b', Buffer.from('d\0st'), binary],
      ['SMEMBERS', Buffer.from('d\0st')],
      ['DEBUG', 'DIGEST-VALUE', 'b', Buffer.from('d\0st')],
    ],
  },
  {
    name: 'SINTERCARD: numkeys, LIMIT',
    commands: [
      cmd('SADD a 1 2 3 4 5'),
      cmd('SADD b 2 3 4 5 6'),
      cmd('SINTERCARD 2 a b'),
      cmd('SINTERCARD 2 a b LIMIT 0'),
      cmd('SINTERCARD 2 a b LIMIT 2'),
      cmd('SINTERCARD 2 a b limit 100'),
      cmd('SINTERCARD 2 a b LIMIT 1 LIMIT 3'),
      cmd('SINTERCARD 1 a'),
      cmd('SINTERCARD 2 a nokey'),
      cmd('SINTERCARD 1 a b'),
      cmd('SINTERCARD 0 a'),
      cmd('SINTERCARD -1 a'),
      cmd('SINTERCARD abc a'),
      cmd('SINTERCARD 3 a b'),
      cmd('SINTERCARD 9223372036854775807 a'),
      cmd('SINTERCARD 2 a b LIMIT'),
      cmd('SINTERCARD 2 a b LIMIT -1'),
      cmd('SINTERCARD 2 a b LIMIT abc'),
      cmd('SINTERCARD 2 a b FOO 1'),
      cmd('SINTERCARD'),
      cmd('SINTERCARD 1'),
      cmd('COMMAND GETKEYS SINTERCARD 2 a b LIMIT 1'),
    ],
  },
  {
    name: 'STORE forms: results replace the destination (and its TTL), empty results delete it',
    commands: [
      cmd('SADD a 1 2 3'),
      cmd('SADD b 3 4'),
      cmd('SET dest x'),
      cmd('EXPIRE dest 100'),
      cmd('SINTERSTORE dest a b'),
      cmd('TYPE dest'),
      cmd('TTL dest'),
      cmd('SMEMBERS dest'),
      cmd('SINTERSTORE dest a nokey'),
      cmd('EXISTS dest'),
      cmd('SUNIONSTORE dest a b'),
      cmd('SMEMBERS dest'),
      cmd('SDIFFSTORE dest a a'),
      cmd('EXISTS dest'),
      cmd('SDIFFSTORE dest nokey a'),
      cmd('SUNIONSTORE dest nokey'),
      cmd('SUNIONSTORE a a b'),
      cmd('SMEMBERS a'),
      cmd('SDIFFSTORE a a b'),
      cmd('SMEMBERS a'),
      cmd('SINTERSTORE b b a'),
      cmd('SMEMBERS b'),
      cmd('SET str x'),
      cmd('SUNIONSTORE str a'),
      cmd('TYPE str'),
    ],
  },
  {
    name: 'SMOVE',
    commands: [
      cmd('SADD src 1 2 3'),
      cmd('SADD dst 3 4'),
      cmd('SMOVE src dst 1'),
      cmd('SMOVE src dst 3'),
      cmd('SMOVE src dst 9'),
      cmd('SMOVE nokey dst 1'),
      cmd('SMOVE src src 2'),
      cmd('SMOVE src src 9'),
      cmd('SMEMBERS src'),
      cmd('SMEMBERS dst'),
      cmd('SMOVE src newdst 2'),
      cmd('EXISTS src'),
      cmd('SMEMBERS newdst'),
      cmd('SET str x'),
      cmd('SMOVE newdst str 2'),
      cmd('SMOVE str newdst 2'),
      cmd('SMOVE nokey str 2'),
      cmd('SMOVE newdst nokey2 9'),
      cmd('EXISTS nokey2'),
    ],
  },
  {
    name: 'counts: zero, past the size, missing keys',
    commands: [
      cmd('SADD s 1 2 3'),
      cmd('SPOP s 0'),
      cmd('SRANDMEMBER s 0'),
      cmd('SRANDMEMBER s -0'),
      cmd('SRANDMEMBER s 3'),
      cmd('SRANDMEMBER s 4'),
      cmd('SPOP nokey'),
      cmd('SPOP nokey 0'),
      cmd('SPOP nokey 5'),
      cmd('SRANDMEMBER nokey'),
      cmd('SRANDMEMBER nokey 5'),
      cmd('SRANDMEMBER nokey -5'),
      cmd('SRANDMEMBER nokey 0'),
      cmd('SPOP s 3'),
      cmd('EXISTS s'),
      cmd('SADD s 7'),
      cmd('SPOP s'),
      cmd('EXISTS s'),
      cmd('SADD s 1'),
      cmd('SPOP s 1'),
      cmd('EXISTS s'),
    ],
  },
  {
    name: 'RESP3 reply types',
    resp3: true,
    commands: [
      cmd('SADD s 1 2 3'),
      cmd('SMEMBERS s'),
      cmd('SMEMBERS nokey'),
      cmd('SINTER s'),
      cmd('SUNION s nokey'),
      cmd('SDIFF nokey'),
      cmd('SMISMEMBER s 1 9'),
      cmd('SRANDMEMBER s 10'),
      cmd('SRANDMEMBER s 0'),
      cmd('SRANDMEMBER nokey 3'),
      cmd('SRANDMEMBER nokey -3'),
      cmd('SRANDMEMBER nokey'),
      cmd('SPOP nokey'),
      cmd('SPOP nokey 2'),
      cmd('SPOP s 0'),
      cmd('SSCAN s 0'),
      cmd('SPOP s 10'),
    ],
  },
];

differentialSuite(cases);

// ---- in-process: random replies by their properties, propagation, events ------------------

function strings(r: Reply): string[] {
  assert.ok(Array.isArray(r), `expected an array, got ${String(r)}`);
  return r as string[];
}

/** Members 0..n-1 (an intset up to 512), or with a letter added (a hashtable). */
function fill(call: (...argv: string[]) => string, key: string, n: number, hashtable: boolean): Set<string> {
  const members = Array.from({ length: n }, (_, i) => String(i));
  if (hashtable) members.push('x');
  call('DEL', key);
  call('SADD', key, ...members);
  return new Set(members);
}

describe('SRANDMEMBER and SPOP replies', () => {
  const { call, value, run, server } = inProcessServer();

  for (const hashtable of [false, true]) {
    for (const size of [5, 300, 5000]) {
      const label = `${size} members, ${hashtable ? 'hashtable' : 'integers'}`;

      test(`SRANDMEMBER with a positive count: distinct members, at most the set (${label})`, () => {
        const members = fill(call, 's', size, hashtable);
        for (const count of [1, 2, Math.floor(members.size / 3), Math.floor(members.size / 2), members.size - 1, members.size, members.size + 7]) {
          const got = strings(value('SRANDMEMBER', 's', String(count)));
          assert.equal(got.length, Math.min(count, members.size));
          assert.equal(new Set(got).size, got.length, 'distinct');
          for (const m of got) assert.ok(members.has(m));
        }
        assert.equal(value('SCARD', 's'), members.size);
      });

      test(`SRANDMEMBER with a negative count: exactly that many, repeats allowed (${label})`, () => {
        const members = fill(call, 's', size, hashtable);
        for (const count of [1, 3, members.size * 2]) {
          const got = strings(value('SRANDMEMBER', 's', String(-count)));
          assert.equal(got.length, count);
          for (const m of got) assert.ok(members.has(m));
        }
      });

      test(`SPOP with a count removes what it returns and propagates one SREM each (${label})`, () => {
        const members = fill(call, 's', size, hashtable);
        // Both strategies: a few members popped one by one, then most of the rest kept aside.
        for (const count of [Math.max(1, Math.floor(members.size / 10)), Math.floor((members.size * 9) / 10)]) {
          const before = value('SCARD', 's') as number;
          const popped = strings(value('SPOP', 's', String(count)));
          assert.equal(popped.length, count);
          assert.equal(new Set(popped).size, count, 'distinct');
          for (const m of popped) {
            assert.ok(members.has(m));
            assert.equal(value('SISMEMBER', 's', m), 0);
          }
          assert.equal(value('SCARD', 's'), before - count);
          // The same again, watching what it propagates.
          fill(call, 's', size, hashtable);
          // Several SREMs go out as one MULTI/EXEC block, as Redis 7.0 propagates them.
          const propagated = run('SPOP', 's', String(count));
          const forms = count > 1 ? propagated.slice(1, -1) : propagated;
          if (count > 1) assert.deepEqual([propagated[0], propagated[propagated.length - 1]], [['MULTI'], ['EXEC']]);
          assert.equal(forms.length, count);
          for (const f of forms) {
            assert.equal(f.length, 3);
            assert.deepEqual(f.slice(0, 2), ['SREM', 's']);
            assert.equal(value('SISMEMBER', 's', f[2]), 0);
          }
          assert.equal(new Set(forms.map((f) => f[2])).size, count);
          fill(call, 's', size, hashtable);
        }
      });
    }
  }

  test('SRANDMEMBER picks every member about equally often', () => {
    call('DEL', 's');
    call('SADD', 's', 'a', 'b', 'c');
    const seen = new Map<string, number>();
    for (const m of strings(value('SRANDMEMBER', 's', '-3000'))) seen.set(m, (seen.get(m) ?? 0) + 1);
    assert.deepEqual([...seen.keys()].sort(), ['a', 'b', 'c']);
    for (const n of seen.values()) assert.ok(n > 700, `a member came up ${n} times of 3000`);
  });

  test('SPOP without a count propagates SREM; the last member also deletes the key', () => {
    call('DEL', 's');
    call('SADD', 's', 'a', 'b');
    const [first] = run('SPOP', 's');
    assert.deepEqual(first.slice(0, 2), ['SREM', 's']);
    assert.equal(value('SISMEMBER', 's', first[2]), 0);
    const last = run('SPOP', 's');
    assert.equal(last.length, 1);
    assert.equal(value('EXISTS', 's'), 0);
    assert.deepEqual(run('SPOP', 's'), []);
  });

  test('SPOP of the whole set propagates DEL; of nothing, nothing', () => {
    fill(call, 's', 10, false);
    assert.deepEqual(run('SPOP', 's', '10'), [['DEL', 's']]);
    fill(call, 's', 10, true);
    assert.deepEqual(run('SPOP', 's', '9223372036854775807'), [['DEL', 's']]);
    assert.deepEqual(run('SPOP', 's', '3'), []);
    fill(call, 's', 3, false);
    assert.deepEqual(run('SPOP', 's', '0'), []);
    assert.deepEqual(run('SRANDMEMBER', 's', '2'), []);
  });

  test('SPOP of most of a hashtable set keeps the rest in a new set, an intset when it fits, with the TTL', () => {
    fill(call, 's', 600, false);
    call('EXPIRE', 's', '1000');
    assert.equal(value('OBJECT', 'ENCODING', 's'), 'hashtable');
    assert.equal(strings(value('SPOP', 's', '550')).length, 550);
    assert.equal(value('OBJECT', 'ENCODING', 's'), 'intset');
    assert.equal(value('SCARD', 's'), 50);
    assert.ok((value('TTL', 's') as number) > 990);
    assert.equal(strings(value('SPOP', 's', '5')).length, 5);
    assert.ok((value('TTL', 's') as number) > 990);
  });

  test('dirty counts changes as Redis', () => {
    fill(call, 's', 10, false);
    const dirty = (...argv: string[]): number => {
      const before = server.dirty;
      call(...argv);
      return server.dirty - before;
    };
    assert.equal(dirty('SPOP', 's', '3'), 3);
    assert.equal(dirty('SPOP', 's', '100'), 7);
    assert.equal(dirty('SADD', 's', 'a', 'b', 'a'), 2);
    assert.equal(dirty('SADD', 's', 'a'), 0);
    assert.equal(dirty('SREM', 's', 'a', 'zz'), 1);
    assert.equal(dirty('SMOVE', 's', 't', 'b'), 2);
    assert.equal(dirty('SINTERSTORE', 'd', 's', 'nokey'), 0);
    assert.equal(dirty('SUNIONSTORE', 'd', 't'), 1);
    assert.equal(dirty('SDIFFSTORE', 'd', 'nokey'), 1);
  });

  test('SSCAN over a hashtable set returns every member present throughout, despite changes', () => {
    const members = fill(call, 's', 2000, true);
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const [next, batch] = value('SSCAN', 's', cursor, 'COUNT', '50') as [string, string[]];
      cursor = next;
      for (const m of batch) seen.add(m);
      call('SREM', 's', String(round));
      call('SADD', 's', `new${round}`);
      round++;
    } while (cursor !== '0');
    for (const m of members) if (!/^\d+$/.test(m) || Number(m) >= round) assert.ok(seen.has(m), `${m} missing`);
    const [, matched] = value('SSCAN', 's', '0', 'MATCH', '199?', 'COUNT', '100000') as [string, string[]];
    assert.deepEqual(matched.sort(), ['1990', '1991', '1992', '1993', '1994', '1995', '1996', '1997', '1998', '1999']);
  });

  test('RESP3: SPOP with a count is a set, SRANDMEMBER with a count an array', () => {
    call('HELLO', '3');
    fill(call, 's', 100, true);
    assert.match(call('SPOP', 's', '5'), /^~5\r\n/);
    assert.match(call('SRANDMEMBER', 's', '5'), /^\*5\r\n/);
    assert.match(call('SRANDMEMBER', 's', '-5'), /^\*5\r\n/);
    call('HELLO', '2');
  });
});

describe('keyspace events', () => {
  const { server, call } = inProcessServer();
  const events: string[] = [];
  // The set and generic classes only ('new' key events come from the keyspace itself).
  server.notifyKeyspaceEvent = (type, event, key) => {
    if (type === NOTIFY_SET || type === NOTIFY_GENERIC) events.push(`${type === NOTIFY_SET ? 's' : 'g'}:${event}:${key}`);
  };
  const during = (...argv: string[]): string[] => {
    events.length = 0;
    call(...argv);
    return events.slice();
  };

  test('each change sends Redis\'s events; no change, none', () => {
    assert.deepEqual(during('SADD', 's', '1', '2', '3'), ['s:sadd:s']);
    assert.deepEqual(during('SADD', 's', '1'), []);
    assert.deepEqual(during('SREM', 's', '1', '9'), ['s:srem:s']);
    assert.deepEqual(during('SREM', 's', '9'), []);
    assert.deepEqual(during('SPOP', 's'), ['s:spop:s']);
    assert.deepEqual(during('SPOP', 's', '5'), ['s:spop:s', 'g:del:s']);
    call('SADD', 's', 'a', 'b');
    assert.deepEqual(during('SREM', 's', 'a', 'b'), ['s:srem:s', 'g:del:s']);
    call('SADD', 's', 'a');
    assert.deepEqual(during('SMOVE', 's', 't', 'a'), ['s:srem:s', 'g:del:s', 's:sadd:t']);
    call('SADD', 's', 'a', 'b');
    assert.deepEqual(during('SMOVE', 's', 't', 'a'), ['s:srem:s']);
    assert.deepEqual(during('SINTERSTORE', 'd', 's', 't'), []);
    assert.deepEqual(during('SUNIONSTORE', 'd', 's', 't'), ['s:sunionstore:d']);
    assert.deepEqual(during('SINTERSTORE', 'd', 's', 't'), ['g:del:d']);
    assert.deepEqual(during('SDIFFSTORE', 'd', 's', 't'), ['s:sdiffstore:d']);
    assert.deepEqual(during('SINTERSTORE', 'd', 's', 's'), ['s:sinterstore:d']);
    assert.deepEqual(during('SPOP', 's', '0'), []);
  });
});

describe('SetValue', () => {
  test('iterates an intset in integer order, a hashtable in insertion order', () => {
    const s = SetValue.from(['10', '-2', '9223372036854775807', '3', '-9223372036854775808', '0'], 512);
    assert.equal(s.encoding(), 'intset');
    assert.deepEqual([...s], ['-9223372036854775808', '-2', '0', '3', '10', '9223372036854775807']);
    s.delete('3');
    assert.deepEqual([...s], ['-9223372036854775808', '-2', '0', '10', '9223372036854775807']);
    s.add('b', 512);
    assert.equal(s.encoding(), 'hashtable');
    s.add('a', 512);
    assert.deepEqual([...s].slice(-2), ['b', 'a']);
  });

  test('random picks stay uniform and valid across removals', () => {
    const s = SetValue.from(Array.from({ length: 100 }, (_, i) => `m${i}`), 512);
    for (let i = 0; i < 90; i++) assert.ok(s.delete(s.random()));
    assert.equal(s.size, 10);
    for (let i = 0; i < 100; i++) assert.ok(s.has(s.random()));
    const copy = s.clone();
    copy.delete(copy.random());
    assert.equal(s.size, 10);
    assert.equal(copy.size, 9);
  });
});
