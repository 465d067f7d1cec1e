// SORT and SORT_RO against real Redis: numeric and ALPHA order, BY and GET
// patterns (hash fields, '#', missing keys), LIMIT clamping, the unsorted
// forms (BY without '*') on each type, STORE, errors; then, in process, what
// STORE propagates, counts as dirty and notifies, and COMMAND GETKEYS.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cmd, differentialSuite, type DiffCase } from './helpers/differential.js';
import { inProcessServer } from './helpers/in-process.js';

/** RPUSH of arguments that may hold spaces or binary bytes. */
const rpush = (key: string, ...els: string[]): Buffer[] => ['RPUSH', key, ...els].map((s) => Buffer.from(s, 'latin1'));
const args = (...a: string[]): Buffer[] => a.map((s) => Buffer.from(s, 'latin1'));

const cases: DiffCase[] = [
  {
    name: 'numeric sort of a list, ASC and DESC, ties broken by bytes',
    commands: [
      cmd('RPUSH l 3 1 2 10 -5 1.5 +1 1.0 0x10 inf -inf'),
      cmd('SORT l'),
      cmd('SORT l DESC'),
      cmd('SORT l ASC'),
      cmd('SORT l desc asc'),
      cmd('SORT_RO l DESC'),
      cmd('SORT nokey'),
      cmd('SORT_RO nokey DESC ALPHA'),
    ],
  },
  {
    // Redis's SORT never clears errno before strtod: a range error left by one
    // SORT fails the next numeric SORT on the reference until another parse
    // clears it (ZADD's string2d does). Each case that ends in ERANGE is
    // followed by such a ZADD.
    name: 'strtod rules: white space before, empty string, range errors, NaN',
    commands: [
      rpush('a', ' 4', '\t7', '', '3'),
      cmd('SORT a'),
      rpush('b', '3 '),
      cmd('SORT b'),
      rpush('c', '  '),
      cmd('SORT c'),
      rpush('e', '0x1p-1074', '0x0.8p-1022', '2.2250738585072014e-308', '-0x1p-1060'),
      cmd('SORT e'),
      rpush('d', '1e-310'),
      cmd('SORT d'),
      cmd('ZADD errno 0 x'),
      rpush('f', '0x1.8p-1074'),
      cmd('SORT f'),
      cmd('ZADD errno 0 x'),
      rpush('g', '1e400'),
      cmd('SORT g'),
      cmd('ZADD errno 0 x'),
      rpush('h', 'nan'),
      cmd('SORT h'),
      rpush('i', 'abc', '1'),
      cmd('SORT i'),
      cmd('SORT i ALPHA'),
      rpush('j', '5\0abc', '4'),
      cmd('SORT j'),
      rpush('k', '1e', '0x'),
      cmd('SORT k'),
      cmd('SORT e'),
    ],
  },
  {
    name: 'ALPHA compares bytes, high bytes after ASCII, NUL ends the compared text',
    commands: [
      rpush('l', 'z', '\xc3\xa9', '\xff', '\x80', 'A', 'a', 'b', '\xc3\x80', 'ab', 'a\0z', 'a\0b', ''),
      cmd('SORT l ALPHA'),
      cmd('SORT l ALPHA DESC'),
      cmd('SORT l ALPHA STORE d'),
      cmd('LRANGE d 0 -1'),
      cmd('SORT l ALPHA DESC STORE d'),
      cmd('LRANGE d 0 -1'),
    ],
  },
  {
    name: 'sets: intset order unsorted, sorted numerically and ALPHA',
    commands: [
      cmd('SADD s 5 3 -1 100 7'),
      cmd('SORT s'),
      cmd('SORT s DESC'),
      cmd('SORT s ALPHA'),
      cmd('SORT s BY nosort'),
      cmd('SORT s BY nosort DESC LIMIT 1 2'),
      cmd('SORT s BY nosort STORE d'),
      cmd('LRANGE d 0 -1'),
      cmd('SORT s BY nosort DESC STORE d'),
      cmd('LRANGE d 0 -1'),
      cmd('SADD t b a c 1 10 2'),
      cmd('SORT t ALPHA'),
      cmd('SORT t ALPHA LIMIT 1 3'),
      cmd('SORT t'),
      cmd('SORT t BY nosort STORE d'),
      cmd('LRANGE d 0 -1'),
      cmd('SORT t BY nosort LIMIT 2 2 STORE d'),
      cmd('LRANGE d 0 -1'),
    ],
  },
  {
    name: 'sorted sets: unsorted keeps score order (DESC and LIMIT too), sorted by member otherwise',
    commands: [
      cmd('ZADD z 1 c 2 a 3 b 4 e 5 d'),
      cmd('SORT z BY nosort'),
      cmd('SORT z BY nosort DESC'),
      cmd('SORT z BY nosort LIMIT 1 2'),
      cmd('SORT z BY nosort DESC LIMIT 1 2'),
      cmd('SORT z BY nosort DESC LIMIT 0 100'),
      cmd('SORT z BY nosort LIMIT 10 2'),
      cmd('SORT z ALPHA'),
      cmd('SORT z ALPHA DESC LIMIT 0 2'),
      cmd('SORT z'),
      cmd('SORT z BY nosort STORE d'),
      cmd('LRANGE d 0 -1'),
      cmd('ZADD n 3 10 1 20 2 30'),
      cmd('SORT n'),
      cmd('SORT n BY nosort'),
      cmd('SORT_RO n BY nosort DESC'),
    ],
  },
  {
    name: 'SORT converts a listpack sorted set to a skiplist',
    commands: [
      cmd('ZADD z 1 a 2 b'),
      cmd('OBJECT ENCODING z'),
      cmd('SORT_RO z BY nosort'),
      cmd('OBJECT ENCODING z'),
      cmd('ZADD y 1 a'),
      cmd('SORT y ALPHA'),
      cmd('OBJECT ENCODING y'),
      cmd('ZADD x -0 a'),
      cmd('SORT x BY nosort'),
      cmd('ZADD x 0 b'),
      cmd('ZRANGE x 0 -1 WITHSCORES'),
    ],
  },
  {
    name: 'lists unsorted: native order, DESC reverses, LIMIT picks the range',
    commands: [
      cmd('RPUSH l e d c b a x'),
      cmd('SORT l BY nosort'),
      cmd('SORT l BY nosort DESC'),
      cmd('SORT l BY nosort LIMIT 1 3'),
      cmd('SORT l BY nosort DESC LIMIT 1 3'),
      cmd('SORT l BY nosort DESC LIMIT 4 10'),
      cmd('SORT l BY nosort LIMIT 6 1'),
      cmd('SORT l BY nosort LIMIT -3 2'),
      cmd('SORT l BY nosort LIMIT 2 -1'),
      cmd('SORT l BY nosort LIMIT 2 0'),
      cmd('SORT l BY const GET #'),
      cmd('SORT l BY nosort DESC LIMIT 1 2 STORE d'),
      cmd('LRANGE d 0 -1'),
    ],
  },
  {
    name: 'LIMIT clamping, huge and negative values',
    commands: [
      cmd('RPUSH l 5 4 3 2 1'),
      cmd('SORT l LIMIT 0 2'),
      cmd('SORT l LIMIT 3 100'),
      cmd('SORT l LIMIT 5 1'),
      cmd('SORT l LIMIT 4 1'),
      cmd('SORT l LIMIT -10 2'),
      cmd('SORT l LIMIT 1 -5'),
      cmd('SORT l LIMIT 0 0'),
      cmd('SORT l LIMIT 9223372036854775807 9223372036854775807'),
      cmd('SORT l LIMIT 1 9223372036854775807'),
      cmd('SORT l LIMIT -9223372036854775808 2'),
      cmd('SORT l DESC LIMIT 1 2'),
      cmd('SORT l LIMIT 1 2 LIMIT 3 1'),
      cmd('SORT nokey LIMIT 0 1'),
      cmd('SORT nokey LIMIT 5 5 BY nosort'),
    ],
  },
  {
    name: 'BY pattern: string weights, missing weights count as 0, hash fields',
    commands: [
      cmd('RPUSH l 1 2 3 4 5'),
      cmd('MSET w_1 50 w_2 30 w_3 30 w_5 -1'),
      cmd('SORT l BY w_*'),
      cmd('SORT l BY w_* DESC'),
      cmd('SORT l BY w_* LIMIT 1 2'),
      cmd('SORT l BY w_* DESC LIMIT 0 3'),
      cmd('HSET h_1 f 3 g x'),
      cmd('HSET h_2 f 1'),
      cmd('HSET h_4 f 2'),
      cmd('SORT l BY h_*->f'),
      cmd('SORT l BY h_*->f DESC GET # GET h_*->f GET h_*->g'),
      cmd('SORT l BY h_*->g'),
      cmd('SORT l BY h_*->g ALPHA'),
      cmd('SORT l BY w_*->f'),
      cmd('SORT l BY h_*'),
      cmd('SET w_4 notanumber'),
      cmd('SORT l BY w_*'),
      cmd('SORT l BY w_* ALPHA'),
      cmd('SORT l BY w_* BY nosort'),
      cmd('SORT l BY nosort BY w_*'),
    ],
  },
  {
    name: 'BY ALPHA: missing weights first, ties in their order, partial sort with LIMIT',
    commands: [
      cmd('RPUSH l 9 8 7 6 5 4 3 2 1 0 a b c d e f g h i j'),
      cmd('MSET w_1 b w_3 a w_5 b w_7 a w_a c w_c a w_e b w_g c w_i a'),
      cmd('SORT l BY w_* ALPHA'),
      cmd('SORT l BY w_* ALPHA DESC'),
      cmd('SORT l BY w_* ALPHA LIMIT 0 5'),
      cmd('SORT l BY w_* ALPHA LIMIT 3 7'),
      cmd('SORT l BY w_* ALPHA DESC LIMIT 2 9'),
      cmd('SORT l BY w_* ALPHA LIMIT 12 100'),
      cmd('SORT l BY w_* ALPHA DESC LIMIT 0 1'),
      cmd('SORT l BY w_* ALPHA LIMIT 1 0'),
      cmd('SORT l BY w_* ALPHA LIMIT 30 1'),
      cmd('SORT l BY w_* ALPHA LIMIT 5 5 STORE d'),
      cmd('LRANGE d 0 -1'),
    ],
  },
  {
    name: 'partial sorts of longer lists with many ties (pqsort)',
    commands: [
      cmd(`RPUSH l ${Array.from({ length: 120 }, (_, i) => `e${(i * 37) % 120}`).join(' ')}`),
      cmd(`MSET ${Array.from({ length: 60 }, (_, i) => `w_e${i * 2} ${'abcde'[i % 5]}`).join(' ')}`),
      cmd('SORT l BY w_* ALPHA LIMIT 0 10'),
      cmd('SORT l BY w_* ALPHA LIMIT 50 20'),
      cmd('SORT l BY w_* ALPHA DESC LIMIT 33 44'),
      cmd('SORT l BY w_* ALPHA LIMIT 100 30'),
      cmd('SORT l BY w_* ALPHA'),
      cmd('SORT l BY w_* LIMIT 7 30'),
      cmd('SORT l BY w_* ALPHA LIMIT 119 1'),
    ],
  },
  {
    name: 'GET patterns: #, strings, hash fields, missing, constant, several',
    commands: [
      cmd('RPUSH l 3 1 2'),
      cmd('MSET o_1 one o_2 two'),
      cmd('HSET h_1 name a1'),
      cmd('HSET h_3 name a3 other x'),
      cmd('SORT l GET #'),
      cmd('SORT l GET o_*'),
      cmd('SORT l GET # GET o_* GET h_*->name GET h_*->nofield'),
      cmd('SORT l GET const'),
      cmd('SORT l GET o_* GET #'),
      cmd('SORT l DESC LIMIT 0 2 GET o_* GET #'),
      cmd('SORT l GET h_*->'),
      cmd('SORT l GET o_*->name'),
      cmd('SORT l GET h_*'),
      cmd('SET h_2-> arrow'),
      cmd('SORT l GET h_*->'),
      cmd('SORT l GET *'),
      cmd('SORT l GET ##'),
      cmd('SET 1 x'),
      cmd('SORT l GET *'),
      cmd('SORT l GET #*'),
      cmd('SORT l GET o_* STORE d'),
      cmd('LRANGE d 0 -1'),
      cmd('SORT l GET o_* GET # STORE d'),
      cmd('LRANGE d 0 -1'),
      cmd('SORT l BY nosort GET h_*->name STORE d'),
      cmd('LRANGE d 0 -1'),
    ],
  },
  {
    name: 'patterns with the star late, arrows before the star, binary names',
    commands: [
      cmd('RPUSH l a b'),
      cmd('HSET x->a f 1 g 2'),
      cmd('HSET k:a:z ->f hf'),
      cmd('SET k:b:z sv'),
      cmd('SORT l BY nosort GET x->* GET k:*:z GET k:*:z->->f GET k:*:z->->'),
      rpush('m', '\0', '\xff'),
      args('SET', 'p\0q', 'nul'),
      args('SET', 'p\xffq', 'high'),
      args('SORT', 'm', 'BY', 'nosort', 'GET', 'p*q'),
      args('SORT', 'm', 'BY', 'nosort', 'GET', '#\0x'),
      args('SORT', 'm', 'BY', 'nosort', 'GET', 'p\0*q'),
      args('SORT', 'm', 'BY', 'w\0*', 'ALPHA'),
    ],
  },
  {
    name: 'STORE: replaces any type, drops the TTL, empty result deletes the destination',
    commands: [
      cmd('RPUSH l 3 1 2'),
      cmd('SET d x EX 100'),
      cmd('SORT l STORE d'),
      cmd('TYPE d'),
      cmd('TTL d'),
      cmd('LRANGE d 0 -1'),
      cmd('OBJECT ENCODING d'),
      cmd('SORT l DESC STORE d'),
      cmd('LRANGE d 0 -1'),
      cmd('SORT nokey STORE d'),
      cmd('EXISTS d'),
      cmd('SORT nokey STORE d'),
      cmd('SORT l LIMIT 5 5 STORE d'),
      cmd('SORT l STORE l'),
      cmd('LRANGE l 0 -1'),
      cmd('SORT l STORE a STORE b'),
      cmd('EXISTS a b'),
      cmd('SORT l GET nothing_* STORE d'),
      cmd('LRANGE d 0 -1'),
      cmd('SADD s 1'),
      cmd('SORT l STORE s'),
      cmd('TYPE s'),
    ],
  },
  {
    name: 'errors: syntax, LIMIT integers, wrong type, scores, SORT_RO STORE',
    commands: [
      cmd('RPUSH l 1 2'),
      cmd('SORT l foo'),
      cmd('SORT l LIMIT 1'),
      cmd('SORT l LIMIT a 1'),
      cmd('SORT l LIMIT 1 b'),
      cmd('SORT l LIMIT 1.5 1'),
      cmd('SORT l LIMIT 1 2 3'),
      cmd('SORT l BY'),
      cmd('SORT l GET'),
      cmd('SORT l STORE'),
      cmd('SORT_RO l STORE d'),
      cmd('SORT_RO l store'),
      cmd('SORT'),
      cmd('SORT_RO'),
      cmd('SET str 1'),
      cmd('SORT str'),
      cmd('SORT str foo'),
      cmd('SORT str LIMIT x 1'),
      cmd('HSET h a 1'),
      cmd('SORT h'),
      cmd('SORT_RO h BY nosort'),
      cmd('XADD st 1-1 a 1'),
      cmd('SORT st'),
      cmd('SORT str STORE d'),
      cmd('EXISTS d'),
      cmd('RPUSH bad 1 x'),
      cmd('SORT bad STORE d'),
      cmd('EXISTS d'),
      cmd('SORT nokey foo'),
      cmd('SORT l BY w_* GET foo LIMIT 0 1 bar'),
    ],
  },
  {
    name: 'RESP3: missing GET values are nulls',
    resp3: true,
    commands: [cmd('RPUSH l 2 1'), cmd('SET o_1 x'), cmd('SORT l GET o_* GET #'), cmd('SORT l STORE d')],
  },
  {
    name: 'COMMAND INFO and GETKEYS',
    commands: [
      cmd('COMMAND INFO sort sort_ro'),
      cmd('COMMAND GETKEYS SORT k'),
      cmd('COMMAND GETKEYS SORT k STORE d'),
      cmd('COMMAND GETKEYS SORT k STORE d STORE e'),
      cmd('COMMAND GETKEYS SORT k GET store STORE x'),
      cmd('COMMAND GETKEYS SORT k LIMIT store 1 STORE y'),
      cmd('COMMAND GETKEYS SORT k BY x STORE'),
      cmd('COMMAND GETKEYS SORT k STORE limit 1 2'),
      cmd('COMMAND GETKEYS SORT k STORE get'),
      cmd('COMMAND GETKEYS SORT_RO k'),
      cmd('COMMAND GETKEYS SORT_RO k STORE d'),
    ],
  },
];

differentialSuite(cases);

// Sets in hashtable encoding iterate in an order of their own: only the sorted forms compare.
differentialSuite(
  [
    {
      name: 'hashtable sets unsorted: the same members',
      unordered: true,
      commands: [cmd('SADD s b a c 1 10 2 zz'), cmd('SORT s BY nosort'), cmd('SORT_RO s BY nosort GET #')],
    },
  ],
);

describe('SORT effects: propagation, dirty, keyspace events', () => {
  const { server, call, run } = inProcessServer();
  const events: string[] = [];
  server.notifyKeyspaceEvent = (_type, event, key) => {
    events.push(`${event}:${key}`);
  };
  const effects = (...argv: string[]) => {
    events.length = 0;
    const dirty = server.dirty;
    const propagated = run(...argv);
    return { propagated, dirty: server.dirty - dirty, events: events.filter((e) => !e.startsWith('new:') && !e.startsWith('keymiss:')) };
  };

  test('STORE propagates as sent, counts every stored element, notifies sortstore', () => {
    call('RPUSH', 'l', '3', '1', '2');
    assert.deepEqual(effects('SORT', 'l', 'STORE', 'd'), {
      propagated: [['SORT', 'l', 'STORE', 'd']],
      dirty: 3,
      events: ['sortstore:d'],
    });
    assert.deepEqual(effects('SORT', 'l', 'GET', '#', 'GET', 'x_*', 'STORE', 'd'), {
      propagated: [['SORT', 'l', 'GET', '#', 'GET', 'x_*', 'STORE', 'd']],
      dirty: 6,
      events: ['sortstore:d'],
    });
  });

  test('an empty result deletes the destination once (del event, one dirty), then does nothing', () => {
    assert.deepEqual(effects('SORT', 'nokey', 'STORE', 'd'), { propagated: [['SORT', 'nokey', 'STORE', 'd']], dirty: 1, events: ['del:d'] });
    assert.deepEqual(effects('SORT', 'nokey', 'STORE', 'd'), { propagated: [], dirty: 0, events: [] });
  });

  test('without STORE nothing is propagated', () => {
    assert.deepEqual(effects('SORT', 'l', 'ALPHA'), { propagated: [], dirty: 0, events: [] });
    assert.deepEqual(effects('SORT_RO', 'l'), { propagated: [], dirty: 0, events: [] });
  });

  test('a set stored unsorted is sorted by bytes, so replicas store the same list', () => {
    call('SADD', 's', 'b', 'c', 'a', '10', '9');
    call('SORT', 's', 'BY', 'nosort', 'STORE', 'd');
    assert.equal(call('LRANGE', 'd', '0', '-1'), '*5\r\n$2\r\n10\r\n$1\r\n9\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n');
  });
});
