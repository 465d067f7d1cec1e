// List commands against real Redis, reply for reply; then, in process, what
// they propagate, count as dirty and notify.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NOTIFY_NEW } from '../src/config/options.js';
import { cmd, differentialSuite, type Command, type DiffCase } from './helpers/differential.js';
import { inProcessServer } from './helpers/in-process.js';

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const binary = Buffer.from([0, 0xff, 0x0d, 0x0a, 0x80, 0x20]);

/** RPUSH key with n elements e0..e(n-1). */
function rpushMany(key: string, n: number, prefix = 'e'): Command {
  return ['RPUSH', key, ...Array.from({ length: n }, (_, i) => `${prefix}${i}`)];
}

const cases: DiffCase[] = [
  {
    name: 'LPUSH, RPUSH, LLEN, LRANGE basics',
    commands: [
      cmd('LPUSH l a b c'),
      cmd('RPUSH l x y'),
      cmd('LLEN l'),
      cmd('LRANGE l 0 -1'),
      cmd('LLEN nokey'),
      cmd('LRANGE nokey 0 -1'),
      cmd('lpush l 1 2 3'),
      cmd('LRANGE l 0 -1'),
      cmd('TYPE l'),
      cmd('OBJECT ENCODING l'),
      cmd('DEBUG DIGEST-VALUE l'),
      ['RPUSH', 'e', ''],
      cmd('LRANGE e 0 -1'),
      cmd('LLEN e'),
    ],
  },
  {
    name: 'LPUSHX and RPUSHX only push onto existing lists',
    commands: [
      cmd('LPUSHX l a'),
      cmd('RPUSHX l a b'),
      cmd('EXISTS l'),
      cmd('RPUSH l m'),
      cmd('LPUSHX l a b'),
      cmd('RPUSHX l y z'),
      cmd('LRANGE l 0 -1'),
      cmd('SET s v'),
      cmd('LPUSHX s a'),
      cmd('RPUSHX s a'),
    ],
  },
  {
    name: 'wrong types',
    commands: [
      cmd('SET s x'),
      cmd('LPUSH s a'),
      cmd('RPUSH s a'),
      cmd('LPOP s'),
      cmd('RPOP s 2'),
      cmd('LLEN s'),
      cmd('LRANGE s 0 -1'),
      cmd('LINDEX s 0'),
      cmd('LSET s 0 x'),
      cmd('LINSERT s BEFORE a b'),
      cmd('LREM s 0 a'),
      cmd('LTRIM s 0 1'),
      cmd('LPOS s a'),
      cmd('LPOS s a COUNT 0'),
      cmd('RPUSH l a'),
      cmd('LMOVE s l LEFT LEFT'),
      cmd('LMOVE l s LEFT LEFT'),
      cmd('RPOPLPUSH l s'),
      cmd('RPOPLPUSH s l'),
      cmd('LRANGE l 0 -1'),
      cmd('LMPOP 2 s l LEFT'),
      cmd('LMPOP 2 l s LEFT'),
      cmd('LMPOP 2 nokey s LEFT'),
      cmd('GET s'),
    ],
  },
  {
    name: 'wrong arity',
    commands: [
      cmd('LPUSH l'),
      cmd('RPUSHX l'),
      cmd('LPOP'),
      cmd('LPOP l 1 2'),
      cmd('RPOP l 1 2'),
      cmd('LLEN'),
      cmd('LRANGE l 0'),
      cmd('LINDEX l'),
      cmd('LSET l 0'),
      cmd('LINSERT l BEFORE a'),
      cmd('LREM l 0'),
      cmd('LTRIM l 0'),
      cmd('LPOS l'),
      cmd('LMOVE a b LEFT'),
      cmd('RPOPLPUSH a'),
      cmd('LMPOP 1 l'),
    ],
  },
  {
    name: 'LPOP and RPOP, with and without count',
    commands: [
      cmd('LPOP nokey'),
      cmd('RPOP nokey'),
      cmd('LPOP nokey 0'),
      cmd('LPOP nokey 3'),
      cmd('LPOP nokey -1'),
      cmd('LPOP nokey x'),
      cmd('RPUSH l a b c d e f'),
      cmd('LPOP l'),
      cmd('RPOP l'),
      cmd('LPOP l 0'),
      cmd('LPOP l 2'),
      cmd('RPOP l 1'),
      cmd('LPOP l -1'),
      cmd('RPOP l x'),
      cmd('RPOP l 1.5'),
      cmd('RPOP l 9223372036854775807'),
      cmd('EXISTS l'),
      cmd('RPUSH l a b c'),
      cmd('RPOP l 100'),
      cmd('EXISTS l'),
      cmd('RPUSH l a'),
      cmd('LPOP l'),
      cmd('EXISTS l'),
    ],
  },
  {
    name: 'RESP3 null forms',
    resp3: true,
    commands: [
      cmd('LPOP nokey'),
      cmd('LPOP nokey 2'),
      cmd('RPOP nokey 0'),
      cmd('LINDEX nokey 0'),
      cmd('RPUSH l a b'),
      cmd('LINDEX l 5'),
      cmd('LPOS l z'),
      cmd('LPOS l z COUNT 0'),
      cmd('LPOS nokey z'),
      cmd('LPOS nokey z COUNT 1'),
      cmd('LMOVE nokey l LEFT RIGHT'),
      cmd('RPOPLPUSH nokey l'),
      cmd('LMPOP 1 nokey LEFT'),
      cmd('LMPOP 1 l LEFT'),
      cmd('LPOP l 5'),
    ],
  },
  {
    name: 'LINDEX with negative and out-of-range indexes',
    commands: [
      cmd('RPUSH l a b c'),
      cmd('LINDEX l 0'),
      cmd('LINDEX l 2'),
      cmd('LINDEX l 3'),
      cmd('LINDEX l -1'),
      cmd('LINDEX l -3'),
      cmd('LINDEX l -4'),
      cmd('LINDEX l 9223372036854775807'),
      cmd('LINDEX l -9223372036854775808'),
      cmd('LINDEX l 9223372036854775808'),
      cmd('LINDEX l x'),
      cmd('LINDEX l 1.0'),
      cmd('LINDEX nokey x'),
    ],
  },
  {
    name: 'LSET',
    commands: [
      cmd('LSET nokey 0 x'),
      cmd('LSET nokey x x'),
      cmd('RPUSH l a b c'),
      cmd('LSET l 0 A'),
      cmd('LSET l -1 C'),
      cmd('LSET l 1 B'),
      cmd('LSET l 3 D'),
      cmd('LSET l -4 D'),
      cmd('LSET l x D'),
      cmd('LSET l 9223372036854775807 D'),
      ['LSET', 'l', '1', binary],
      cmd('LRANGE l 0 -1'),
    ],
  },
  {
    name: 'LRANGE index clamping and huge ranges',
    commands: [
      cmd('RPUSH l a b c d e'),
      cmd('LRANGE l 0 0'),
      cmd('LRANGE l 1 3'),
      cmd('LRANGE l -2 -1'),
      cmd('LRANGE l -100 100'),
      cmd('LRANGE l 3 1'),
      cmd('LRANGE l 5 10'),
      cmd('LRANGE l -1 -2'),
      cmd('LRANGE l 0 -6'),
      cmd('LRANGE l 0 -5'),
      cmd('LRANGE l -9223372036854775808 9223372036854775807'),
      cmd('LRANGE l 9223372036854775807 -9223372036854775808'),
      cmd('LRANGE l x 1'),
      cmd('LRANGE l 0 y'),
      cmd('LRANGE nokey x 1'),
      cmd('LRANGE nokey 0 -1'),
    ],
  },
  {
    name: 'LINSERT',
    commands: [
      cmd('LINSERT nokey BEFORE a b'),
      cmd('LINSERT nokey middle a b'),
      cmd('RPUSH l a b c b'),
      cmd('LINSERT l BEFORE b x'),
      cmd('LINSERT l after b y'),
      cmd('LINSERT l AfTeR c z'),
      cmd('LINSERT l BEFORE a first'),
      cmd('LINSERT l BEFORE nothere q'),
      cmd('LINSERT l MIDDLE a q'),
      cmd('LRANGE l 0 -1'),
      ['LINSERT', 'l', 'BEFORE', 'first', binary],
      ['LINSERT', 'l', 'AFTER', binary, allBytes],
      cmd('LRANGE l 0 2'),
    ],
  },
  {
    name: 'LREM from the head, the tail, all',
    commands: [
      cmd('LREM nokey 0 a'),
      cmd('LREM nokey x a'),
      cmd('RPUSH l a b a c a d a'),
      cmd('LREM l 2 a'),
      cmd('LRANGE l 0 -1'),
      cmd('LREM l -1 a'),
      cmd('LRANGE l 0 -1'),
      cmd('LREM l 0 a'),
      cmd('LRANGE l 0 -1'),
      cmd('LREM l 0 zz'),
      cmd('LREM l x b'),
      cmd('RPUSH l a a a'),
      cmd('LREM l -9223372036854775808 a'),
      cmd('LRANGE l 0 -1'),
      cmd('LREM l 9223372036854775807 b'),
      cmd('LREM l -9223372036854775807 c'),
      cmd('LREM l 1 d'),
      cmd('EXISTS l'),
    ],
  },
  {
    name: 'LTRIM',
    commands: [
      cmd('LTRIM nokey 0 1'),
      cmd('LTRIM nokey x 1'),
      cmd('RPUSH l a b c d e f'),
      cmd('LTRIM l 1 -2'),
      cmd('LRANGE l 0 -1'),
      cmd('LTRIM l 0 100'),
      cmd('LRANGE l 0 -1'),
      cmd('LTRIM l -2 -1'),
      cmd('LRANGE l 0 -1'),
      cmd('LTRIM l x 1'),
      cmd('LTRIM l 0 y'),
      cmd('LTRIM l 1 0'),
      cmd('EXISTS l'),
      cmd('RPUSH l a b'),
      cmd('LTRIM l 5 10'),
      cmd('EXISTS l'),
      cmd('RPUSH l a b'),
      cmd('LTRIM l -9223372036854775808 9223372036854775807'),
      cmd('LRANGE l 0 -1'),
    ],
  },
  {
    name: 'LPOS with RANK, COUNT, MAXLEN',
    commands: [
      cmd('RPUSH l a b c a b c a'),
      cmd('LPOS l a'),
      cmd('LPOS l c'),
      cmd('LPOS l z'),
      cmd('LPOS l a RANK 2'),
      cmd('LPOS l a RANK -1'),
      cmd('LPOS l a RANK -2'),
      cmd('LPOS l a RANK 4'),
      cmd('LPOS l a RANK -4'),
      cmd('LPOS l a COUNT 0'),
      cmd('LPOS l a COUNT 2'),
      cmd('LPOS l a COUNT 2 RANK -1'),
      cmd('LPOS l a COUNT 0 RANK 2'),
      cmd('LPOS l a COUNT 10 RANK -2'),
      cmd('LPOS l a MAXLEN 1'),
      cmd('LPOS l a MAXLEN 3 COUNT 0'),
      cmd('LPOS l a MAXLEN 4 COUNT 0'),
      cmd('LPOS l a MAXLEN 2 RANK -1'),
      cmd('LPOS l a MAXLEN 0 COUNT 0'),
      cmd('LPOS l c RANK 3'),
      cmd('LPOS l c RANK 3 COUNT 1'),
      cmd('LPOS l a RANK 9223372036854775807'),
      cmd('LPOS l a RANK -9223372036854775807'),
      cmd('LPOS l a RANK -9223372036854775808'),
      cmd('LPOS l a RANK -9223372036854775808 COUNT 2'),
      cmd('LPOS l a RANK -9223372036854775808 COUNT 0 MAXLEN 3'),
      cmd('lpos l a rank 1 count 1 maxlen 1 rank 2'),
    ],
  },
  {
    name: 'LPOS errors',
    commands: [
      cmd('RPUSH l a'),
      cmd('LPOS l a RANK 0'),
      cmd('LPOS l a RANK x'),
      cmd('LPOS l a RANK'),
      cmd('LPOS l a COUNT -1'),
      cmd('LPOS l a COUNT x'),
      cmd('LPOS l a MAXLEN -1'),
      cmd('LPOS l a MAXLEN 1.5'),
      cmd('LPOS l a FOO 1'),
      cmd('LPOS l a COUNT'),
      cmd('LPOS nokey a RANK 0'),
      cmd('LPOS nokey a BAD'),
      cmd('SET s x'),
      cmd('LPOS s a RANK 0'),
    ],
  },
  {
    name: 'LMOVE and RPOPLPUSH',
    commands: [
      cmd('LMOVE nokey dst LEFT RIGHT'),
      cmd('EXISTS dst'),
      cmd('RPUSH src a b c'),
      cmd('LMOVE src dst LEFT RIGHT'),
      cmd('LMOVE src dst RIGHT LEFT'),
      cmd('lmove src dst left left'),
      cmd('LRANGE dst 0 -1'),
      cmd('EXISTS src'),
      cmd('LMOVE dst dst LEFT RIGHT'),
      cmd('LMOVE dst dst RIGHT LEFT'),
      cmd('LMOVE dst dst RIGHT RIGHT'),
      cmd('LRANGE dst 0 -1'),
      cmd('LMOVE dst dst UP LEFT'),
      cmd('LMOVE dst dst LEFT DOWN'),
      cmd('LMOVE nokey dst UP LEFT'),
      cmd('RPOPLPUSH nokey dst'),
      cmd('RPOPLPUSH dst other'),
      cmd('RPOPLPUSH dst dst'),
      cmd('LRANGE dst 0 -1'),
      cmd('LRANGE other 0 -1'),
      cmd('RPUSH one x'),
      cmd('RPOPLPUSH one one'),
      cmd('LRANGE one 0 -1'),
    ],
  },
  {
    name: 'LMPOP',
    commands: [
      cmd('LMPOP 2 a b LEFT'),
      cmd('RPUSH b 1 2 3 4 5'),
      cmd('RPUSH c x'),
      cmd('LMPOP 3 a b c LEFT'),
      cmd('LMPOP 3 a b c RIGHT COUNT 2'),
      cmd('lmpop 1 b right count 100'),
      cmd('EXISTS b'),
      cmd('LMPOP 3 a b c left COUNT 9223372036854775807'),
      cmd('LMPOP 3 a b c LEFT'),
      cmd('LMPOP 0 a LEFT'),
      cmd('LMPOP -1 a LEFT'),
      cmd('LMPOP x a LEFT'),
      cmd('LMPOP 5 a LEFT'),
      cmd('LMPOP 2 a LEFT'),
      cmd('LMPOP 1 a MIDDLE'),
      cmd('LMPOP 1 a LEFT COUNT 0'),
      cmd('LMPOP 1 a LEFT COUNT -1'),
      cmd('LMPOP 1 a LEFT COUNT x'),
      cmd('LMPOP 1 a LEFT COUNT 1 COUNT 1'),
      cmd('LMPOP 1 a LEFT COUNT'),
      cmd('LMPOP 1 a LEFT FOO'),
      cmd('COMMAND GETKEYS LMPOP 2 a b LEFT'),
      cmd('COMMAND GETKEYS LMPOP 1 a RIGHT COUNT 5'),
    ],
  },
  {
    name: 'binary elements',
    commands: [
      ['RPUSH', binary, allBytes, binary, ''],
      ['LRANGE', binary, '0', '-1'],
      ['LPOS', binary, binary],
      ['LREM', binary, '0', binary],
      ['LINDEX', binary, '0'],
      ['LMOVE', binary, allBytes, 'RIGHT', 'LEFT'],
      ['LRANGE', allBytes, '0', '-1'],
      ['DEBUG', 'DIGEST-VALUE', binary, allBytes],
    ],
  },
  {
    name: 'long lists: ends, middle, trims, encoding and digest',
    commands: [
      rpushMany('l', 1000),
      rpushMany('l', 1000, 'f'),
      cmd('LLEN l'),
      cmd('LINDEX l 0'),
      cmd('LINDEX l -1'),
      cmd('LINDEX l 1000'),
      cmd('LINDEX l -1001'),
      cmd('LRANGE l 995 1004'),
      cmd('LRANGE l -3 -1'),
      cmd('LSET l 1500 mid'),
      cmd('LINSERT l BEFORE e500 ins'),
      cmd('LINSERT l AFTER f999 last'),
      cmd('LPOS l mid'),
      cmd('LPOS l last RANK -1'),
      cmd('LREM l 0 e7'),
      cmd('LRANGE l 5 9'),
      cmd('LPOP l 3'),
      cmd('RPOP l 3'),
      cmd('OBJECT ENCODING l'),
      cmd('DEBUG DIGEST-VALUE l'),
      cmd('LTRIM l 100 -100'),
      cmd('LLEN l'),
      cmd('LRANGE l 0 2'),
      cmd('LRANGE l -3 -1'),
      cmd('DEBUG DIGEST-VALUE l'),
      cmd('DEBUG DIGEST'),
    ],
  },
  {
    name: 'OBJECT ENCODING is quicklist for small, large and re-configured lists',
    commands: [
      cmd('RPUSH small a'),
      cmd('OBJECT ENCODING small'),
      ['RPUSH', 'big', 'x'.repeat(10000)],
      cmd('OBJECT ENCODING big'),
      rpushMany('many', 600),
      cmd('OBJECT ENCODING many'),
      cmd('CONFIG SET list-max-listpack-size 4'),
      cmd('RPUSH cfg a b c d e f'),
      cmd('OBJECT ENCODING cfg'),
      cmd('CONFIG SET list-max-listpack-size -2'),
      cmd('LPOP many 599'),
      cmd('OBJECT ENCODING many'),
    ],
  },
  {
    name: 'COPY, RENAME, DEBUG DIGEST-VALUE of lists',
    commands: [
      cmd('RPUSH l 1 2 3 100 -5 007 abc'),
      cmd('DEBUG DIGEST-VALUE l nokey'),
      cmd('COPY l l2'),
      cmd('RPUSH l2 more'),
      cmd('LRANGE l 0 -1'),
      cmd('LRANGE l2 0 -1'),
      cmd('RENAME l2 l3'),
      cmd('LRANGE l3 0 -1'),
      cmd('EXPIRE l 100'),
      cmd('DEBUG DIGEST-VALUE l l3'),
      cmd('DEBUG DIGEST'),
    ],
  },
];

differentialSuite(cases);

// ---- in process: propagation, dirty counting, keyspace events ---------------------------

describe('list effects: propagation, dirty, keyspace events', () => {
  const { server, call } = inProcessServer();
  const propagated: string[][] = [];
  server.propagationSinks.push((_db, argv) => propagated.push(argv));
  const events: string[] = [];
  // The "new" class (key creation) is signalled by the keyspace itself, not by list commands.
  server.notifyKeyspaceEvent = (type, event, key) => {
    if (type !== NOTIFY_NEW) events.push(`${event} ${key}`);
  };

  interface Effects {
    reply: string;
    propagated: string[][];
    dirty: number;
    events: string[];
  }

  function run(...argv: string[]): Effects {
    propagated.length = 0;
    events.length = 0;
    const dirty = server.dirty;
    const reply = call(...argv);
    return { reply, propagated: propagated.slice(), dirty: server.dirty - dirty, events: events.slice() };
  }

  test('pushes count each element and notify once', () => {
    run('FLUSHALL');
    assert.deepEqual(run('RPUSH', 'l', 'a', 'b', 'c'), {
      reply: ':3\r\n',
      propagated: [['RPUSH', 'l', 'a', 'b', 'c']],
      dirty: 3,
      events: ['rpush l'],
    });
    assert.deepEqual(run('LPUSHX', 'l', 'z').events, ['lpush l']);
    assert.deepEqual(run('LPUSHX', 'nokey', 'z'), { reply: ':0\r\n', propagated: [], dirty: 0, events: [] });
  });

  test('LMPOP propagates as LPOP/RPOP with the count actually popped', () => {
    run('FLUSHALL');
    run('RPUSH', 'b', '1', '2', '3');
    const e = run('LMPOP', '2', 'a', 'b', 'RIGHT', 'COUNT', '10');
    assert.deepEqual(e.propagated, [['RPOP', 'b', '3']]);
    assert.equal(e.dirty, 3);
    assert.deepEqual(e.events, ['rpop b', 'del b']);
    run('RPUSH', 'a', 'x', 'y');
    assert.deepEqual(run('LMPOP', '1', 'a', 'LEFT').propagated, [['LPOP', 'a', '1']]);
    assert.deepEqual(run('LMPOP', '1', 'a', 'LEFT').events, ['lpop a', 'del a']);
    assert.deepEqual(run('LMPOP', '1', 'a', 'LEFT'), { reply: '*-1\r\n', propagated: [], dirty: 0, events: [] });
  });

  test('pops: count 0 changes nothing; emptying deletes with a del event', () => {
    run('FLUSHALL');
    run('RPUSH', 'l', 'a', 'b');
    assert.deepEqual(run('LPOP', 'l', '0'), { reply: '*0\r\n', propagated: [], dirty: 0, events: [] });
    assert.deepEqual(run('RPOP', 'l', '5'), {
      reply: '*2\r\n$1\r\nb\r\n$1\r\na\r\n',
      propagated: [['RPOP', 'l', '5']],
      dirty: 2,
      events: ['rpop l', 'del l'],
    });
  });

  test('LMOVE and RPOPLPUSH propagate as sent; push event before pop event; dirty 1', () => {
    run('FLUSHALL');
    run('RPUSH', 'm', 'a');
    assert.deepEqual(run('RPOPLPUSH', 'm', 'n'), {
      reply: '$1\r\na\r\n',
      propagated: [['RPOPLPUSH', 'm', 'n']],
      dirty: 1,
      events: ['lpush n', 'rpop m', 'del m'],
    });
    assert.deepEqual(run('LMOVE', 'n', 'n', 'LEFT', 'RIGHT').events, ['rpush n', 'lpop n']);
    assert.deepEqual(run('LMOVE', 'none', 'n', 'LEFT', 'RIGHT'), { reply: '$-1\r\n', propagated: [], dirty: 0, events: [] });
  });

  test('LTRIM, LREM, LSET, LINSERT events and dirty as Redis', () => {
    run('FLUSHALL');
    run('RPUSH', 'l', 'a', 'b', 'c', 'a');
    assert.deepEqual(run('LTRIM', 'l', '0', '-1'), { reply: '+OK\r\n', propagated: [], dirty: 0, events: ['ltrim l'] });
    assert.deepEqual(run('LTRIM', 'l', '1', '-1').dirty, 1);
    assert.deepEqual(run('LREM', 'l', '0', 'zz'), { reply: ':0\r\n', propagated: [], dirty: 0, events: [] });
    assert.deepEqual(run('LREM', 'l', '0', 'a').events, ['lrem l']);
    assert.deepEqual(run('LSET', 'l', '0', 'q').events, ['lset l']);
    assert.deepEqual(run('LINSERT', 'l', 'BEFORE', 'q', 'p'), {
      reply: ':3\r\n',
      propagated: [['LINSERT', 'l', 'BEFORE', 'q', 'p']],
      dirty: 1,
      events: ['linsert l'],
    });
    assert.deepEqual(run('LINSERT', 'l', 'BEFORE', 'nothere', 'p').dirty, 0);
    assert.deepEqual(run('LTRIM', 'l', '5', '10'), {
      reply: '+OK\r\n',
      propagated: [['LTRIM', 'l', '5', '10']],
      dirty: 3,
      events: ['ltrim l', 'del l'],
    });
  });

  test('a WATCHed list is touched by in-place changes', () => {
    run('FLUSHALL');
    run('RPUSH', 'l', 'a', 'b');
    const touched: string[] = [];
    const original = server.keyModified.bind(server);
    server.keyModified = (db, key) => {
      touched.push(key);
      original(db, key);
    };
    try {
      for (const argv of [
        ['RPUSH', 'l', 'c'],
        ['LSET', 'l', '0', 'z'],
        ['LINSERT', 'l', 'AFTER', 'z', 'y'],
        ['LREM', 'l', '1', 'y'],
        ['LPOP', 'l'],
        ['LTRIM', 'l', '0', '-1'],
      ]) {
        touched.length = 0;
        run(...argv);
        assert.deepEqual(touched, ['l'], argv.join(' '));
      }
    } finally {
      server.keyModified = original;
    }
  });
});
