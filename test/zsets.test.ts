// Sorted set commands against real Redis, reply for reply: options and their
// errors, WRONGTYPE, ±inf and NaN, exclusive and lex ranges, LIMIT, WEIGHTS and
// AGGREGATE, RESP3 forms, encodings at the thresholds, DEBUG DIGEST-VALUE,
// keyspace hits; random replies (ZRANDMEMBER) and ZSCAN over a large set by
// their properties, and what the writes propagate, count and notify, in-process.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cmd, differentialSuite, type Command, type DiffCase } from './helpers/differential.js';
import { inProcessServer, type Reply } from './helpers/in-process.js';

const binary = Buffer.from([0, 1, 0xff, 0xfe, 13, 10, 0x80]);
const binary2 = Buffer.from([0, 1, 0xff, 0xff]);

/** ZADD key with members m<from>..m<to-1>, member i scored i. */
function zaddRange(key: string, from: number, to: number, prefix = 'm'): Command {
  const out = ['ZADD', key];
  for (let i = from; i < to; i++) out.push(String(i), `${prefix}${i}`);
  return out;
}

/** A small sorted set with every kind of score. */
const loadZ = cmd('ZADD z 1 a 2 b 3 c 4 d 5 e 6 f -inf ninf inf pinf');
/** The same score for every member: lex ranges are meaningful. */
const loadL = cmd('ZADD l 0 a 0 b 0 c 0 d 0 e 0 f 0 g');

const cases: DiffCase[] = [
  // ---- ZADD / ZINCRBY ----
  {
    name: 'ZADD basics, scores and their formats',
    commands: [
      cmd('ZADD z 1 a 2 b 3 c'),
      cmd('ZADD z 1 a'),
      cmd('ZADD z 10 a 1.5 x -2.25 y'),
      cmd('ZRANGE z 0 -1 WITHSCORES'),
      cmd('ZADD z 0.1 p 3.3333333333333333 q 1e-7 r 123456789012345678 s 1e300 t -1e-300 u'),
      cmd('ZADD z +5 plus 0x10 hex 1E2 exp .5 dot 5. dot2 inf i1 -inf i2 +inf i3 Infinity i4'),
      cmd('ZRANGE z 0 -1 WITHSCORES'),
      cmd('ZSCORE z q'),
      cmd('ZADD z abc a'),
      cmd('ZADD z nan a'),
      cmd('ZADD z -nan a'),
      cmd('ZADD z 1e400 a'),
      cmd('ZADD z 1e-400 a'),
      ['ZADD', 'z', ' 1', 'a'],
      ['ZADD', 'z', '1 ', 'a'],
      ['ZADD', 'z', '', 'a'],
      ['ZADD', 'z', '1\0', 'a'],
      cmd('ZADD z 1 a 2'),
      cmd('ZADD z'),
      cmd('ZADD z 1'),
      cmd('ZADD z nx'),
      cmd('ZADD z nx ch'),
      cmd('ZADD z 1 a x b'),
      cmd('ZSCORE z b'),
    ],
  },
  {
    name: 'ZADD NX XX GT LT CH INCR and their conflicts',
    commands: [
      cmd('ZADD z 1 a 2 b 3 c'),
      cmd('ZADD z NX XX 1 a'),
      cmd('ZADD z GT LT 1 a'),
      cmd('ZADD z GT NX 1 a'),
      cmd('ZADD z LT NX 1 a'),
      cmd('ZADD z nx xx gt lt 1 a'),
      cmd('ZADD z INCR 1 a 2 b'),
      cmd('ZADD z NX 10 a 4 d'),
      cmd('ZADD z XX 10 a 5 e'),
      cmd('ZADD z XX CH 11 a 5 e'),
      cmd('ZADD z CH 11 a 12 b 13 new'),
      cmd('ZADD z GT CH 1 a 20 b 7 g'),
      cmd('ZADD z LT CH 100 a 1 b'),
      cmd('ZADD z XX GT CH 50 a 1 c'),
      cmd('ZADD z XX LT CH 1 a 99 c'),
      cmd('ZADD z ch ch ch 1 a'),
      cmd('ZRANGE z 0 -1 WITHSCORES'),
      cmd('ZADD z INCR 5 a'),
      cmd('ZADD z INCR -5 nobody'),
      cmd('ZADD z NX INCR 5 a'),
      cmd('ZADD z XX INCR 5 missing'),
      cmd('ZADD z GT INCR -1 a'),
      cmd('ZADD z LT INCR -1 a'),
      cmd('ZADD z GT INCR 0 a'),
      cmd('ZADD z CH INCR 0 a'),
      cmd('ZADD z INCR inf a'),
      cmd('ZADD z INCR -inf a'),
      cmd('ZADD z INCR inf a'),
      cmd('ZSCORE z a'),
      cmd('ZADD nokey XX 1 a'),
      cmd('ZADD nokey XX INCR 1 a'),
      cmd('EXISTS nokey'),
      cmd('ZADD new GT 5 a'),
      cmd('ZADD new2 LT INCR 5 a'),
      cmd('ZRANGE new2 0 -1 WITHSCORES'),
    ],
  },
  {
    name: 'ZINCRBY',
    commands: [
      cmd('ZINCRBY z 1 a'),
      cmd('ZINCRBY z 1.5 a'),
      cmd('ZINCRBY z -0.1 a'),
      cmd('ZINCRBY z 0.2 a'),
      cmd('ZINCRBY z inf a'),
      cmd('ZINCRBY z -inf a'),
      cmd('ZINCRBY z 1 a'),
      cmd('ZINCRBY z x a'),
      cmd('ZINCRBY z nx a'),
      cmd('ZINCRBY z 1e400 a'),
      cmd('ZINCRBY z -0 zero'),
      cmd('ZINCRBY z 0 zero'),
      cmd('ZRANGE z 0 -1 WITHSCORES'),
    ],
  },
  {
    name: '-0: a listpack stores it as 0, a skiplist keeps it',
    commands: [
      cmd('ZADD small -0 a'),
      cmd('ZSCORE small a'),
      cmd('ZADD small 0 b -0 c'),
      cmd('ZRANGE small 0 -1 WITHSCORES'),
      cmd('ZADD big 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
      cmd('ZADD big -0 a'),
      cmd('ZSCORE big a'),
      cmd('ZADD big 0 a'),
      cmd('ZSCORE big a'),
      cmd('ZINCRBY big 0 a'),
      cmd('ZADD big INCR -0 b'),
      cmd('ZRANGE big 0 -1 WITHSCORES'),
      cmd('ZUNION 1 big WITHSCORES'),
      cmd('ZUNIONSTORE u 1 big'),
      cmd('ZRANGE u 0 -1 WITHSCORES'),
      cmd('ZUNIONSTORE u2 1 small WEIGHTS -1'),
      cmd('ZRANGE u2 0 -1 WITHSCORES'),
      cmd('ZUNION 1 small WEIGHTS -1 WITHSCORES'),
    ],
  },
  {
    name: 'binary members sort by bytes',
    commands: [
      ['ZADD', 'z', '0', binary, '0', binary2, '0', 'a', '0', '', '0', Buffer.from([0x80]), '0', Buffer.from([0x7f])],
      cmd('ZRANGE z 0 -1'),
      ['ZRANK', 'z', binary],
      ['ZSCORE', 'z', binary2],
      ['ZRANGEBYLEX', 'z', Buffer.concat([Buffer.from('['), Buffer.from([0x7f])]), '+'],
      ['ZRANGEBYLEX', 'z', '[', '(a'],
      ['ZRANGEBYLEX', 'z', '(', '+'],
      ['ZLEXCOUNT', 'z', Buffer.from([0x28, 0]), '+'],
      ['ZLEXCOUNT', 'z', Buffer.from([0x2b, 0]), '+'],
      ['ZLEXCOUNT', 'z', '-', Buffer.from([0x2b, 0, 0x41])],
      ['ZREM', 'z', binary, binary2],
      cmd('ZRANGE z 0 -1'),
    ],
  },

  // ---- simple reads, removals ----
  {
    name: 'ZSCORE ZMSCORE ZRANK ZREVRANK ZCARD ZREM',
    commands: [
      loadZ,
      cmd('ZSCORE z a'),
      cmd('ZSCORE z pinf'),
      cmd('ZSCORE z ninf'),
      cmd('ZSCORE z nope'),
      cmd('ZSCORE nokey a'),
      cmd('ZMSCORE z a nope pinf a'),
      cmd('ZMSCORE nokey a b'),
      cmd('ZMSCORE z'),
      cmd('ZRANK z a'),
      cmd('ZRANK z ninf'),
      cmd('ZRANK z pinf'),
      cmd('ZREVRANK z pinf'),
      cmd('ZREVRANK z ninf'),
      cmd('ZRANK z nope'),
      cmd('ZRANK nokey a'),
      cmd('ZREVRANK nokey a'),
      cmd('ZRANK z a WITHSCORE'),
      cmd('ZREVRANK z a WITHSCORE'),
      cmd('ZCARD z'),
      cmd('ZCARD nokey'),
      cmd('ZREM z a nope a b'),
      cmd('ZREM z nope'),
      cmd('ZREM nokey a'),
      cmd('ZREM z'),
      cmd('ZCARD z'),
      cmd('ZREM z c d e f ninf pinf more'),
      cmd('EXISTS z'),
    ],
  },
  {
    name: 'WRONGTYPE for every command',
    commands: [
      cmd('SET s x'),
      cmd('ZADD s 1 a'),
      cmd('ZADD s x a'),
      cmd('ZADD s XX 1 a'),
      cmd('ZINCRBY s 1 a'),
      cmd('ZREM s a'),
      cmd('ZCARD s'),
      cmd('ZCOUNT s 1 2'),
      cmd('ZCOUNT s x 2'),
      cmd('ZLEXCOUNT s - +'),
      cmd('ZSCORE s a'),
      cmd('ZMSCORE s a'),
      cmd('ZRANK s a'),
      cmd('ZREVRANK s a'),
      cmd('ZRANGE s 0 -1'),
      cmd('ZRANGE s x 1'),
      cmd('ZRANGEBYSCORE s 0 1'),
      cmd('ZREVRANGEBYSCORE s 1 0'),
      cmd('ZRANGEBYLEX s - +'),
      cmd('ZREVRANGEBYLEX s + -'),
      cmd('ZREVRANGE s 0 1'),
      cmd('ZRANGESTORE d s 0 -1'),
      cmd('ZREMRANGEBYRANK s 0 1'),
      cmd('ZREMRANGEBYSCORE s 0 1'),
      cmd('ZREMRANGEBYLEX s - +'),
      cmd('ZPOPMIN s'),
      cmd('ZPOPMAX s 0'),
      cmd('ZMPOP 1 s MIN'),
      cmd('ZRANDMEMBER s'),
      cmd('ZRANDMEMBER s 0'),
      cmd('ZUNION 1 s'),
      cmd('ZINTER 2 nokey s'),
      cmd('ZDIFF 1 s'),
      cmd('ZUNIONSTORE d 1 s'),
      cmd('ZINTERSTORE d 1 s'),
      cmd('ZDIFFSTORE d 1 s'),
      cmd('ZINTERCARD 1 s'),
      cmd('ZSCAN s 0'),
      cmd('LPUSH list a'),
      cmd('ZUNION 1 list'),
      cmd('ZADD list 1 a'),
      cmd('GET s'),
    ],
  },

  // ---- ZRANGE family ----
  {
    name: 'ZRANGE by rank, ZREVRANGE',
    commands: [
      loadZ,
      cmd('ZRANGE z 0 -1'),
      cmd('ZRANGE z 2 1'),
      cmd('ZRANGE z -100 100 WITHSCORES'),
      cmd('ZRANGE z -3 -1 withscores'),
      cmd('ZRANGE z 5 100'),
      cmd('ZRANGE z 100 200'),
      cmd('ZRANGE z -1 -2'),
      cmd('ZRANGE z 0 9223372036854775807'),
      cmd('ZRANGE z -9223372036854775808 0'),
      cmd('ZRANGE z 0 -1 REV WITHSCORES'),
      cmd('ZRANGE z 1 3 rev'),
      cmd('ZREVRANGE z 0 2 WITHSCORES'),
      cmd('ZREVRANGE z -2 -1'),
      cmd('ZREVRANGE z 0 2 REV'),
      cmd('ZREVRANGE z 0 2 BYSCORE'),
      cmd('ZRANGE z 0 1 LIMIT 0 1'),
      cmd('ZRANGE z 0 1 LIMIT 0 -1'),
      cmd('ZRANGE z 0 1 LIMIT 5 -1'),
      cmd('ZRANGE z a b'),
      cmd('ZRANGE z 0 b'),
      cmd('ZRANGE z 0 1.5'),
      cmd('ZRANGE z 0 1 WITHSCORES WITHSCORES'),
      cmd('ZRANGE z 0 1 REV REV'),
      cmd('ZRANGE z 0 1 foo'),
      cmd('ZRANGE nokey 0 -1'),
      cmd('ZRANGE nokey a b'),
      cmd('ZRANGE nokey 0 1 foo'),
    ],
  },
  {
    name: 'ZRANGE BYSCORE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZCOUNT',
    commands: [
      loadZ,
      cmd('ZRANGE z (1 5 BYSCORE'),
      cmd('ZRANGE z (1 (5 BYSCORE WITHSCORES'),
      cmd('ZRANGE z 5 1 BYSCORE REV WITHSCORES'),
      cmd('ZRANGE z (5 (1 BYSCORE REV WITHSCORES'),
      cmd('ZRANGE z 1 5 BYSCORE REV'),
      cmd('ZRANGE z -inf +inf BYSCORE'),
      cmd('ZRANGE z -inf -inf BYSCORE WITHSCORES'),
      cmd('ZRANGE z (-inf (+inf BYSCORE'),
      cmd('ZRANGE z inf inf BYSCORE'),
      cmd('ZRANGE z 1 1 BYSCORE'),
      cmd('ZRANGE z (1 1 BYSCORE'),
      cmd('ZRANGE z 1 (1 BYSCORE'),
      cmd('ZRANGE z 3 2 BYSCORE'),
      cmd('ZRANGE z 2.5 3.5 BYSCORE'),
      cmd('ZRANGE z nan 1 BYSCORE'),
      cmd('ZRANGE z 1 nan BYSCORE'),
      cmd('ZRANGE z (nan 1 BYSCORE'),
      cmd('ZRANGE z x 1 BYSCORE'),
      cmd('ZRANGE z [a 1 BYSCORE'),
      cmd('ZRANGE z 1e400 1e500 BYSCORE WITHSCORES'),
      cmd('ZRANGE z -1e400 0 BYSCORE WITHSCORES'),
      cmd('ZRANGE z 0x2 0x4 BYSCORE WITHSCORES'),
      cmd('ZRANGE z 0x1p5000 inf BYSCORE'),
      cmd('ZRANGE z -0x1p5000 0x1p-5000 BYSCORE WITHSCORES'),
      cmd('ZRANGE z -0x1.8p-9999 (0x.1p99999 BYSCORE WITHSCORES'),
      cmd('ZCOUNT z 0xp3 1'),
      cmd('ZCOUNT z 0x.p1 1'),
      cmd('ZCOUNT z 1e 1'),
      cmd('ZCOUNT z 0x1p 1'),
      cmd('ZRANGE z infinity -infinity BYSCORE REV'),
      cmd('ZRANGE z -INF +Inf BYSCORE'),
      cmd('ZRANGE z 1e-400 2 BYSCORE'),
      ['ZRANGE', 'z', '', '3', 'BYSCORE'],
      ['ZRANGE', 'z', '(', '3', 'BYSCORE'],
      ['ZRANGE', 'z', ' 1', '3', 'BYSCORE'],
      ['ZRANGE', 'z', '\t\n(2', '3', 'BYSCORE'],
      ['ZRANGE', 'z', '(\t2', '3', 'BYSCORE'],
      ['ZRANGE', 'z', '  ', '3', 'BYSCORE'],
      ['ZRANGE', 'z', '1 ', '3', 'BYSCORE'],
      ['ZRANGE', 'z', '2\0junk', '3', 'BYSCORE'],
      cmd('ZRANGEBYSCORE z 1 3'),
      cmd('ZRANGEBYSCORE z 1 3 WITHSCORES'),
      cmd('ZRANGEBYSCORE z 1 3 REV'),
      cmd('ZRANGEBYSCORE z 1 3 BYLEX'),
      cmd('ZRANGEBYSCORE z 1 3 BYSCORE'),
      cmd('ZREVRANGEBYSCORE z 3 1 WITHSCORES'),
      cmd('ZREVRANGEBYSCORE z 1 3'),
      cmd('ZREVRANGEBYSCORE z (3 (1'),
      cmd('ZREVRANGEBYSCORE z +inf -inf'),
      cmd('ZRANGEBYSCORE nokey 1 2'),
      cmd('ZRANGEBYSCORE nokey x 2'),
      cmd('ZCOUNT z 1 3'),
      cmd('ZCOUNT z (1 (3'),
      cmd('ZCOUNT z -inf +inf'),
      cmd('ZCOUNT z (-inf (inf'),
      cmd('ZCOUNT z 3 1'),
      cmd('ZCOUNT z x 1'),
      cmd('ZCOUNT z 1 ((2'),
      cmd('ZCOUNT nokey 1 1'),
      cmd('ZCOUNT nokey x 1'),
    ],
  },
  {
    name: 'LIMIT offsets and counts',
    commands: [
      loadZ,
      cmd('ZRANGE z -inf +inf BYSCORE LIMIT 2 3'),
      cmd('ZRANGE z -inf +inf BYSCORE LIMIT 0 0'),
      cmd('ZRANGE z -inf +inf BYSCORE LIMIT -1 3'),
      cmd('ZRANGE z -inf +inf BYSCORE LIMIT 2 -1'),
      cmd('ZRANGE z -inf +inf BYSCORE LIMIT 2 -5'),
      cmd('ZRANGE z -inf +inf BYSCORE LIMIT 7 5'),
      cmd('ZRANGE z -inf +inf BYSCORE LIMIT 8 5'),
      cmd('ZRANGE z -inf +inf BYSCORE LIMIT 9223372036854775807 1'),
      cmd('ZRANGE z 2 4 BYSCORE LIMIT 1 10 WITHSCORES'),
      cmd('ZRANGE z +inf -inf BYSCORE REV LIMIT 1 2 WITHSCORES'),
      cmd('ZRANGE z 4 2 BYSCORE REV LIMIT 2 10'),
      cmd('ZRANGE z 4 2 BYSCORE REV LIMIT 3 10'),
      cmd('ZRANGE z -inf +inf BYSCORE LIMIT 0 1 LIMIT 1 1'),
      cmd('ZRANGE z -inf +inf BYSCORE LIMIT 1'),
      cmd('ZRANGE z -inf +inf BYSCORE LIMIT'),
      cmd('ZRANGE z -inf +inf BYSCORE LIMIT a 1'),
      cmd('ZRANGE z -inf +inf BYSCORE LIMIT 1 b'),
      cmd('ZRANGE z -inf +inf BYSCORE LIMIT 1.5 1'),
      cmd('ZRANGEBYSCORE z -inf +inf LIMIT 1 2 WITHSCORES'),
      cmd('ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 1 2'),
      cmd('ZREVRANGEBYSCORE z +inf -inf LIMIT 0 2'),
      cmd('ZREVRANGEBYSCORE z +inf -inf LIMIT -2 2'),
      cmd('ZRANGEBYLEX z - + LIMIT 2 2'),
      cmd('ZRANGEBYSCORE nokey -inf +inf LIMIT 1 1'),
      cmd('ZRANGEBYSCORE nokey -inf +inf LIMIT x 1'),
    ],
  },
  {
    name: 'lex ranges: ZRANGE BYLEX, ZRANGEBYLEX, ZREVRANGEBYLEX, ZLEXCOUNT',
    commands: [
      loadL,
      cmd('ZRANGEBYLEX l - +'),
      cmd('ZRANGEBYLEX l [b (e'),
      cmd('ZRANGEBYLEX l (b [e LIMIT 1 2'),
      cmd('ZRANGEBYLEX l (b [e LIMIT -1 2'),
      cmd('ZRANGEBYLEX l - + LIMIT 6 2'),
      cmd('ZRANGEBYLEX l - + LIMIT 7 2'),
      cmd('ZREVRANGEBYLEX l (e [b'),
      cmd('ZREVRANGEBYLEX l + - LIMIT 2 2'),
      cmd('ZREVRANGEBYLEX l [b (e'),
      cmd('ZRANGEBYLEX l + -'),
      cmd('ZRANGEBYLEX l - -'),
      cmd('ZRANGEBYLEX l + +'),
      cmd('ZRANGEBYLEX l [a [a'),
      cmd('ZRANGEBYLEX l (a [a'),
      cmd('ZRANGEBYLEX l [a (a'),
      cmd('ZRANGEBYLEX l [c [a'),
      cmd('ZRANGEBYLEX l [bb [dd'),
      cmd('ZRANGEBYLEX l (a (b'),
      cmd('ZRANGEBYLEX l [z +'),
      cmd('ZRANGEBYLEX l - [0'),
      cmd('ZRANGEBYLEX l a b'),
      cmd('ZRANGEBYLEX l [a b'),
      cmd('ZRANGEBYLEX l -a +'),
      cmd('ZRANGEBYLEX l - +a'),
      cmd('ZRANGEBYLEX l [a + WITHSCORES'),
      cmd('ZRANGEBYLEX l [a + REV'),
      ['ZRANGEBYLEX', 'l', '', '+'],
      cmd('ZRANGE l [b [d BYLEX'),
      cmd('ZRANGE l [b [d BYLEX REV'),
      cmd('ZRANGE l [d [b BYLEX REV'),
      cmd('ZRANGE l [d [b BYLEX REV LIMIT 1 1'),
      cmd('ZRANGE l - + BYLEX WITHSCORES'),
      cmd('ZRANGE l - + BYLEX BYSCORE'),
      cmd('ZRANGE l - + BYSCORE BYLEX'),
      cmd('ZRANGE l - + BYLEX LIMIT 1 1 WITHSCORES'),
      cmd('ZLEXCOUNT l - +'),
      cmd('ZLEXCOUNT l [b (e'),
      cmd('ZLEXCOUNT l (z +'),
      cmd('ZLEXCOUNT l + -'),
      cmd('ZLEXCOUNT l a b'),
      cmd('ZLEXCOUNT l [a b'),
      cmd('ZLEXCOUNT nokey a b'),
      cmd('ZLEXCOUNT nokey - +'),
      cmd('ZRANGEBYLEX nokey - +'),
      cmd('ZRANGEBYLEX nokey a b'),
    ],
  },
  {
    name: 'lex ranges over mixed scores follow the listpack scan',
    commands: [
      cmd('ZADD mixed 3 a 1 c 2 b 0 d'),
      cmd('ZRANGEBYLEX mixed [b +'),
      cmd('ZRANGEBYLEX mixed - [b'),
      cmd('ZRANGEBYLEX mixed (a (d'),
      cmd('ZLEXCOUNT mixed [b +'),
      cmd('ZLEXCOUNT mixed - [b'),
      cmd('ZREVRANGEBYLEX mixed + [b'),
      cmd('ZREVRANGEBYLEX mixed [c -'),
      cmd('ZREMRANGEBYLEX mixed [c +'),
      cmd('ZRANGE mixed 0 -1'),
    ],
  },
  {
    name: 'ZRANGESTORE',
    commands: [
      cmd('ZADD z 1 a 2 b 3 c 4 d 5 e 6 f'),
      cmd('ZRANGESTORE dst z 0 2'),
      cmd('ZRANGE dst 0 -1 WITHSCORES'),
      cmd('OBJECT ENCODING dst'),
      cmd('ZRANGESTORE dst z 5 1 BYSCORE REV LIMIT 1 2'),
      cmd('ZRANGE dst 0 -1 WITHSCORES'),
      cmd('ZRANGESTORE dst z (1 +inf BYSCORE LIMIT 1 -1'),
      cmd('ZRANGE dst 0 -1 WITHSCORES'),
      cmd('ZRANGESTORE dst z 0 -1 WITHSCORES'),
      cmd('ZRANGESTORE dst z 0 1 LIMIT 0 1'),
      cmd('ZRANGESTORE dst z [a [c BYLEX'),
      cmd('ZRANGE dst 0 -1'),
      cmd('ZRANGESTORE dst z 10 20'),
      cmd('EXISTS dst'),
      cmd('ZRANGESTORE dst z 10 20'),
      cmd('ZRANGESTORE dst nokey 0 -1'),
      cmd('SET str x'),
      cmd('ZRANGESTORE dst str 0 -1'),
      cmd('ZRANGESTORE str z 0 0'),
      cmd('TYPE str'),
      cmd('SET withttl x EX 100'),
      cmd('ZRANGESTORE withttl z 0 0'),
      cmd('TTL withttl'),
      cmd('ZRANGESTORE z z 1 2'),
      cmd('ZRANGE z 0 -1'),
      cmd('ZRANGESTORE dst z x 1'),
      cmd('ZRANGESTORE dst z 0'),
    ],
  },
  {
    name: 'ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX',
    commands: [
      cmd('ZADD z 1 a 2 b 3 c 4 d 5 e 6 f'),
      cmd('ZREMRANGEBYRANK z 0 0'),
      cmd('ZREMRANGEBYRANK z -2 -1'),
      cmd('ZRANGE z 0 -1'),
      cmd('ZREMRANGEBYRANK z 5 1'),
      cmd('ZREMRANGEBYRANK z 10 20'),
      cmd('ZREMRANGEBYRANK z -100 -50'),
      cmd('ZREMRANGEBYRANK z a 1'),
      cmd('ZREMRANGEBYRANK z 1 b'),
      cmd('ZREMRANGEBYRANK nokey 0 1'),
      cmd('ZREMRANGEBYSCORE z (2 3'),
      cmd('ZREMRANGEBYSCORE z 10 20'),
      cmd('ZREMRANGEBYSCORE z 5 1'),
      cmd('ZREMRANGEBYSCORE z x 1'),
      cmd('ZREMRANGEBYSCORE nokey x 1'),
      cmd('ZREMRANGEBYSCORE nokey 0 1'),
      cmd('ZRANGE z 0 -1'),
      cmd('ZREMRANGEBYRANK z 0 -1'),
      cmd('EXISTS z'),
      loadL,
      cmd('ZREMRANGEBYLEX l [b (d'),
      cmd('ZREMRANGEBYLEX l a b'),
      cmd('ZREMRANGEBYLEX nokey a b'),
      cmd('ZREMRANGEBYLEX l + -'),
      cmd('ZREMRANGEBYLEX l (f +'),
      cmd('ZRANGE l 0 -1'),
      cmd('ZREMRANGEBYLEX l - +'),
      cmd('EXISTS l'),
      cmd('ZADD inf -inf a inf b 1 c'),
      cmd('ZREMRANGEBYSCORE inf -inf -inf'),
      cmd('ZREMRANGEBYSCORE inf (1 +inf'),
      cmd('ZRANGE inf 0 -1'),
    ],
  },

  // ---- pops ----
  {
    name: 'ZPOPMIN, ZPOPMAX',
    commands: [
      cmd('ZADD z 1 a 2 b 3 c 4 d 5 e 6 f'),
      cmd('ZPOPMIN z'),
      cmd('ZPOPMAX z'),
      cmd('ZPOPMIN z 2'),
      cmd('ZPOPMAX z 0'),
      cmd('ZPOPMIN z -1'),
      cmd('ZPOPMIN z x'),
      cmd('ZPOPMIN z 1 2'),
      cmd('ZPOPMIN nokey'),
      cmd('ZPOPMIN nokey 0'),
      cmd('ZPOPMAX nokey 3'),
      cmd('ZPOPMAX z 10'),
      cmd('EXISTS z'),
      cmd('ZADD z -inf lo inf hi'),
      cmd('ZPOPMAX z'),
      cmd('ZPOPMIN z 1'),
      cmd('EXISTS z'),
    ],
  },
  {
    name: 'ZMPOP',
    commands: [
      cmd('ZADD z 1 a 2 b 3 c 4 d 5 e 6 f'),
      cmd('SET str x'),
      cmd('ZMPOP 1 z MIN'),
      cmd('ZMPOP 1 z max COUNT 2'),
      cmd('ZMPOP 2 nokey z MIN COUNT 10'),
      cmd('ZMPOP 2 nokey z MIN'),
      cmd('ZMPOP 1 nokey MAX'),
      cmd('ZMPOP 0 z MIN'),
      cmd('ZMPOP -1 z MIN'),
      cmd('ZMPOP x z MIN'),
      cmd('ZMPOP 1 z'),
      cmd('ZMPOP 1 z foo'),
      cmd('ZMPOP 1 z MIN COUNT'),
      cmd('ZMPOP 1 z MIN COUNT 0'),
      cmd('ZMPOP 1 z MIN COUNT -1'),
      cmd('ZMPOP 1 z MIN COUNT x'),
      cmd('ZMPOP 1 z MIN COUNT 1 COUNT 1'),
      cmd('ZMPOP 1 z MIN foo 1'),
      cmd('ZMPOP 3 z MIN'),
      cmd('ZMPOP 2 str z MIN'),
      cmd('ZMPOP 2 nokey str MIN'),
      cmd('ZADD z 1 a'),
      cmd('ZMPOP 2 z str MIN'),
      cmd('EXISTS z'),
    ],
  },

  // ---- ZRANDMEMBER (deterministic cases) ----
  {
    name: 'ZRANDMEMBER: errors, empty and whole-set replies',
    commands: [
      cmd('ZADD z 1 a 2 b 3 c'),
      cmd('ZRANDMEMBER nokey'),
      cmd('ZRANDMEMBER nokey 5'),
      cmd('ZRANDMEMBER nokey -5 WITHSCORES'),
      cmd('ZRANDMEMBER z 0'),
      cmd('ZRANDMEMBER z 0 WITHSCORES'),
      cmd('ZRANDMEMBER z 3'),
      cmd('ZRANDMEMBER z 5'),
      cmd('ZRANDMEMBER z 3 WITHSCORES'),
      cmd('ZRANDMEMBER z 100 withscores'),
      cmd('ZRANDMEMBER z x'),
      cmd('ZRANDMEMBER z 1.5'),
      cmd('ZRANDMEMBER z 1 foo'),
      cmd('ZRANDMEMBER z 1 WITHSCORES foo'),
      cmd('ZRANDMEMBER z -9223372036854775808'),
      cmd('ZRANDMEMBER z 9223372036854775807 WITHSCORES'),
      cmd('ZRANDMEMBER z -9223372036854775807 WITHSCORES'),
      cmd('ZRANDMEMBER z -4611686018427387904 WITHSCORES'),
      cmd('ZRANDMEMBER z 4611686018427387904 WITHSCORES'),
      cmd('ZRANDMEMBER z 4611686018427387903 WITHSCORES'),
      cmd('ZADD one 5 only'),
      cmd('ZRANDMEMBER one'),
      cmd('ZRANDMEMBER one 1 WITHSCORES'),
      cmd('ZRANDMEMBER one -3 WITHSCORES'),
      cmd('ZRANDMEMBER one 9'),
    ],
  },

  // ---- set operations ----
  {
    name: 'ZUNION, ZINTER, ZDIFF with sets, WEIGHTS, AGGREGATE',
    commands: [
      cmd('ZADD z1 1 a 2 b 3 c'),
      cmd('ZADD z2 10 b 20 c 30 d'),
      cmd('SADD s1 a d e'),
      cmd('SADD ints 3 1 2'),
      cmd('ZUNION 2 z1 z2'),
      cmd('ZUNION 2 z1 z2 WITHSCORES'),
      cmd('ZUNION 3 z1 z2 s1 WITHSCORES'),
      cmd('ZUNION 2 z1 ints WITHSCORES'),
      cmd('ZUNION 3 z1 z2 s1 WEIGHTS 2 3 4 WITHSCORES'),
      cmd('ZUNION 3 z1 z2 s1 WEIGHTS 2 3 WITHSCORES'),
      cmd('ZUNION 3 z1 z2 s1 WEIGHTS 2 3 x WITHSCORES'),
      cmd('ZUNION 2 z1 z2 WEIGHTS 1 2 WEIGHTS 3 4 WITHSCORES'),
      cmd('ZUNION 2 z1 z2 WEIGHTS -1 0.5 WITHSCORES'),
      cmd('ZUNION 2 z1 z2 AGGREGATE MIN WITHSCORES'),
      cmd('ZUNION 2 z1 z2 aggregate max withscores'),
      cmd('ZUNION 2 z1 z2 AGGREGATE sum AGGREGATE min WITHSCORES'),
      cmd('ZUNION 2 z1 z2 AGGREGATE foo WITHSCORES'),
      cmd('ZUNION 2 z1 z2 AGGREGATE'),
      cmd('ZUNION 2 z1 z2 WITHSCORES foo'),
      cmd('ZUNION 2 z1 z2 LIMIT 1'),
      cmd('ZUNION 2 z1 nokey WITHSCORES'),
      cmd('ZUNION 1 nokey'),
      cmd('ZINTER 2 z1 z2 WITHSCORES'),
      cmd('ZINTER 3 z1 z2 s1 WITHSCORES'),
      cmd('ZINTER 2 z1 s1 WEIGHTS 1 5 WITHSCORES'),
      cmd('ZINTER 2 z1 z2 AGGREGATE MAX WITHSCORES'),
      cmd('ZINTER 2 z1 z2 AGGREGATE MIN WEIGHTS 5 1 WITHSCORES'),
      cmd('ZINTER 2 z1 nokey WITHSCORES'),
      cmd('ZINTER 2 z1 z1 WITHSCORES'),
      cmd('ZINTER 1 z1 WITHSCORES'),
      cmd('ZINTER 2 s1 s1 WITHSCORES'),
      cmd('ZDIFF 2 z1 z2 WITHSCORES'),
      cmd('ZDIFF 2 z1 z2 WEIGHTS 1 1'),
      cmd('ZDIFF 2 z1 z2 AGGREGATE SUM'),
      cmd('ZDIFF 2 z1 s1 WITHSCORES'),
      cmd('ZDIFF 2 nokey z1'),
      cmd('ZDIFF 2 z1 nokey'),
      cmd('ZDIFF 1 ints WITHSCORES'),
      cmd('ZDIFF 3 z2 z1 s1 WITHSCORES'),
    ],
  },
  {
    name: 'numkeys errors',
    commands: [
      cmd('ZADD z1 1 a'),
      cmd('ZUNION 0 z1'),
      cmd('ZUNION -1 z1'),
      cmd('ZUNION x z1'),
      cmd('ZUNION 3 z1 z2'),
      cmd('ZINTER 0 z1'),
      cmd('ZDIFF 0 z1'),
      cmd('ZINTERCARD 0 z1'),
      cmd('ZUNIONSTORE d 0 z1'),
      cmd('ZINTERSTORE d 0 z1'),
      cmd('ZDIFFSTORE d 0 z1'),
      cmd('zUnIoNsToRe d 0 z1'),
      cmd('ZUNIONSTORE d 2 z1'),
      cmd('ZUNIONSTORE d x z1'),
      cmd('ZUNION 9223372036854775807 z1'),
    ],
  },
  {
    name: 'inf, -inf and NaN in weights and aggregates',
    commands: [
      cmd('ZADD inf1 inf a -inf b 1 c'),
      cmd('ZADD inf2 -inf a inf b 0 c'),
      cmd('ZUNION 2 inf1 inf2 WITHSCORES'),
      cmd('ZINTER 2 inf1 inf2 WITHSCORES'),
      cmd('ZUNION 2 inf1 inf2 WEIGHTS 0 1 WITHSCORES'),
      cmd('ZINTER 2 inf1 inf2 WEIGHTS 0 0 WITHSCORES'),
      cmd('ZINTER 2 inf1 inf2 WEIGHTS 1 0 AGGREGATE MIN WITHSCORES'),
      cmd('ZINTER 2 inf1 inf2 WEIGHTS 1 0 AGGREGATE MAX WITHSCORES'),
      cmd('ZINTER 2 inf1 inf2 WEIGHTS 0 1 AGGREGATE MIN WITHSCORES'),
      cmd('ZUNION 2 inf1 inf2 AGGREGATE MIN WITHSCORES'),
      cmd('ZUNION 1 inf1 WEIGHTS -0 WITHSCORES'),
      cmd('ZUNIONSTORE d 1 inf1 WEIGHTS -0'),
      cmd('ZRANGE d 0 -1 WITHSCORES'),
      cmd('ZUNION 1 inf1 WEIGHTS 1e400'),
      cmd('ZUNION 1 inf1 WEIGHTS inf WITHSCORES'),
      cmd('ZUNION 1 inf1 WEIGHTS nan WITHSCORES'),
      cmd('ZADD big 1e308 a'),
      cmd('ZUNION 2 big big WITHSCORES'),
      cmd('ZINTER 2 big big WEIGHTS 10 1 WITHSCORES'),
      cmd('ZADD f1 0.1 x'),
      cmd('ZADD f2 0.2 x'),
      cmd('ZADD f3 0.3 x 1 y'),
      cmd('ZUNION 3 f3 f1 f2 WITHSCORES'),
      cmd('ZINTER 3 f3 f2 f1 WITHSCORES'),
    ],
  },
  {
    name: 'STORE forms and ZINTERCARD',
    commands: [
      cmd('ZADD z1 1 a 2 b 3 c'),
      cmd('ZADD z2 10 b 20 c 30 d'),
      cmd('SADD s1 a d e'),
      cmd('ZINTERSTORE d 2 z1 z2'),
      cmd('ZRANGE d 0 -1 WITHSCORES'),
      cmd('ZINTERSTORE d 2 z1 z2 WITHSCORES'),
      cmd('ZUNIONSTORE d 2 z1 z2 WEIGHTS 1 2 AGGREGATE MAX'),
      cmd('ZRANGE d 0 -1 WITHSCORES'),
      cmd('OBJECT ENCODING d'),
      cmd('ZUNIONSTORE d 3 z1 z2 s1'),
      cmd('ZRANGE d 0 -1 WITHSCORES'),
      cmd('ZDIFFSTORE d 2 z1 z2'),
      cmd('ZRANGE d 0 -1 WITHSCORES'),
      cmd('ZDIFFSTORE d 2 z1 z1'),
      cmd('EXISTS d'),
      cmd('ZDIFFSTORE d 2 z1 z1'),
      cmd('ZINTERSTORE d 2 z1 nokey'),
      cmd('SET str x EX 100'),
      cmd('ZUNIONSTORE str 1 z1'),
      cmd('TYPE str'),
      cmd('TTL str'),
      cmd('ZUNIONSTORE z1 2 z1 z2'),
      cmd('ZRANGE z1 0 -1 WITHSCORES'),
      cmd('ZINTERCARD 2 z1 z2'),
      cmd('ZINTERCARD 2 z1 z2 LIMIT 1'),
      cmd('ZINTERCARD 2 z1 z2 LIMIT 0'),
      cmd('ZINTERCARD 2 z1 z2 LIMIT 100'),
      cmd('ZINTERCARD 2 z1 z2 LIMIT -1'),
      cmd('ZINTERCARD 2 z1 z2 LIMIT x'),
      cmd('ZINTERCARD 2 z1 z2 LIMIT'),
      cmd('ZINTERCARD 2 z1 z2 WITHSCORES'),
      cmd('ZINTERCARD 2 z1 z2 WEIGHTS 1 1'),
      cmd('ZINTERCARD 2 z1 s1'),
      cmd('ZINTERCARD 2 z1 nokey'),
      cmd('ZINTERCARD 1 nokey'),
    ],
  },

  // ---- ZSCAN ----
  {
    name: 'ZSCAN of a listpack: everything at once, in order',
    commands: [
      cmd('ZADD z 1 a 2.5 b -0 c 1e17 big 4611686018427387904 huge 1e19 huger -inf ninf 0.1 tenth'),
      cmd('ZSCAN z 0'),
      cmd('ZSCAN z 0 COUNT 1'),
      cmd('ZSCAN z 0 MATCH b*'),
      cmd('ZSCAN z 0 MATCH nothing*'),
      cmd('ZSCAN z 0 COUNT 0'),
      cmd('ZSCAN z 0 COUNT x'),
      cmd('ZSCAN z 0 TYPE zset'),
      cmd('ZSCAN z 0 MATCH'),
      cmd('ZSCAN z x'),
      cmd('ZSCAN z -1'),
      cmd('ZSCAN nokey 0'),
      cmd('ZSCAN nokey 0 foo'),
      cmd('ZSCAN nokey x'),
    ],
  },

  // ---- encodings ----
  {
    name: 'encodings at the thresholds',
    commands: [
      zaddRange('a', 0, 128),
      cmd('OBJECT ENCODING a'),
      cmd('ZADD a 500 e500'),
      cmd('OBJECT ENCODING a'),
      cmd('ZREM a e500 m1 m2'),
      cmd('OBJECT ENCODING a'),
      cmd(`ZADD b 1 ${'m'.repeat(64)}`),
      cmd('OBJECT ENCODING b'),
      cmd(`ZADD b 1 ${'m'.repeat(65)}`),
      cmd('OBJECT ENCODING b'),
      cmd(`ZADD c 1 ${'m'.repeat(65)}`),
      cmd('OBJECT ENCODING c'),
      cmd(`ZADD d 1 x 2 ${'m'.repeat(65)}`),
      cmd('OBJECT ENCODING d'),
      cmd('ZRANGESTORE d2 a 0 9'),
      cmd('OBJECT ENCODING d2'),
      cmd('ZRANGESTORE d2 a 0 -1'),
      cmd('OBJECT ENCODING d2'),
      cmd('ZRANGESTORE d3 d 0 0'),
      cmd('OBJECT ENCODING d3'),
      cmd('ZUNIONSTORE u 1 a'),
      cmd('OBJECT ENCODING u'),
      cmd('ZREMRANGEBYRANK a 0 50'),
      cmd('OBJECT ENCODING a'),
      cmd('ZUNIONSTORE u 1 a'),
      cmd('OBJECT ENCODING u'),
      cmd('ZINTERSTORE u 2 a a'),
      cmd('OBJECT ENCODING u'),
      cmd('ZDIFFSTORE u 1 d'),
      cmd('OBJECT ENCODING u'),
      cmd('ZDIFFSTORE u 1 c'),
      cmd('OBJECT ENCODING u'),
      cmd('ZPOPMIN a 70'),
      cmd('OBJECT ENCODING a'),
      cmd('COPY a acopy'),
      cmd('OBJECT ENCODING acopy'),
      cmd('COPY b bcopy'),
      cmd('OBJECT ENCODING bcopy'),
      cmd('DEBUG DIGEST-VALUE a b c d acopy bcopy d2 d3 u'),
    ],
  },
  {
    name: 'encodings follow zset-max-listpack-entries / -value (and the ziplist aliases)',
    commands: [
      cmd('CONFIG SET zset-max-listpack-entries 0'),
      cmd('ZADD e 1 x'),
      cmd('OBJECT ENCODING e'),
      cmd('ZADD e -0 z'),
      cmd('ZSCORE e z'),
      cmd('ZUNIONSTORE u 1 e'),
      cmd('OBJECT ENCODING u'),
      cmd('ZRANGESTORE u e 0 -1'),
      cmd('OBJECT ENCODING u'),
      cmd('ZSCORE u z'),
      cmd('CONFIG SET zset-max-ziplist-entries 2'),
      cmd('ZADD f 1 x 2 y'),
      cmd('OBJECT ENCODING f'),
      cmd('ZADD f 3 z'),
      cmd('OBJECT ENCODING f'),
      cmd('ZADD g 1 x 1 x 1 x 1 x'),
      cmd('OBJECT ENCODING g'),
      cmd('ZUNIONSTORE u 1 e'),
      cmd('OBJECT ENCODING u'),
      cmd('ZSCORE u z'),
      cmd('CONFIG SET zset-max-listpack-value 0'),
      cmd('ZADD h 1 x'),
      cmd('OBJECT ENCODING h'),
      ['ZADD', 'h2', '1', ''],
      cmd('OBJECT ENCODING h2'),
      cmd('CONFIG SET zset-max-ziplist-value 3'),
      cmd('ZADD h3 1 abc'),
      cmd('OBJECT ENCODING h3'),
      cmd('ZADD h3 1 abcd'),
      cmd('OBJECT ENCODING h3'),
      cmd('DEBUG DIGEST-VALUE e f g h h2 h3 u'),
      cmd('CONFIG SET zset-max-listpack-value 64'),
      cmd('CONFIG SET zset-max-listpack-entries 128'),
    ],
  },
  {
    name: 'DEBUG DIGEST-VALUE of both encodings',
    commands: [
      cmd('ZADD small 1.5 a 0.1 b inf c -inf d 0 e 1e17 f'),
      cmd(`ZADD big 1.5 a 0.1 b inf c -inf d 0 e 1e17 f -0 g 2 ${'x'.repeat(70)}`),
      cmd('DEBUG DIGEST-VALUE small big nokey'),
      cmd('EXPIRE small 100'),
      cmd('DEBUG DIGEST'),
    ],
  },

  // ---- RESP3 ----
  {
    name: 'RESP3 replies',
    resp3: true,
    commands: [
      cmd('ZADD z 1 a 2 b 3 c inf d -inf e'),
      cmd('ZRANGE z 0 -1 WITHSCORES'),
      cmd('ZRANGE z 0 -1'),
      cmd('ZRANGEBYSCORE z -inf inf WITHSCORES LIMIT 1 2'),
      cmd('ZRANGE nokey 0 -1 WITHSCORES'),
      cmd('ZSCORE z d'),
      cmd('ZSCORE z e'),
      cmd('ZSCORE z nope'),
      cmd('ZMSCORE z a nope e'),
      cmd('ZINCRBY z 1.5 a'),
      cmd('ZADD z INCR 1 nope'),
      cmd('ZADD z XX INCR 1 nope'),
      cmd('ZRANK z nope'),
      cmd('ZPOPMIN z'),
      cmd('ZPOPMIN z 1'),
      cmd('ZPOPMAX z 5'),
      cmd('ZPOPMIN nokey'),
      cmd('ZPOPMIN nokey 3'),
      cmd('ZADD z 1 a 2 b 3 c inf d -inf e'),
      cmd('ZMPOP 1 z MIN'),
      cmd('ZMPOP 1 z MAX COUNT 3'),
      cmd('ZMPOP 1 nokey MIN'),
      cmd('ZUNION 1 z WITHSCORES'),
      cmd('ZINTER 1 z WITHSCORES'),
      cmd('ZDIFF 1 z WITHSCORES'),
      cmd('ZSCAN z 0'),
      cmd('ZRANDMEMBER z 5 WITHSCORES'),
      cmd('ZRANDMEMBER nokey'),
      cmd('ZRANDMEMBER nokey 3'),
      cmd('ZADD one 5 only'),
      cmd('ZRANDMEMBER one -2 WITHSCORES'),
      cmd('ZRANDMEMBER one 1 WITHSCORES'),
    ],
  },
  {
    name: 'COMMAND INFO and GETKEYS of the movable-key commands',
    commands: [
      cmd('COMMAND INFO zadd zunionstore zmpop zrangestore zintercard zunion zrandmember zscan zrevrangebylex'),
      cmd('COMMAND GETKEYS ZUNIONSTORE d 2 a b WEIGHTS 1 2'),
      cmd('COMMAND GETKEYS ZUNION 2 a b'),
      cmd('COMMAND GETKEYS ZMPOP 2 a b MIN'),
      cmd('COMMAND GETKEYS ZINTERCARD 2 a b LIMIT 1'),
      cmd('COMMAND GETKEYS ZRANGESTORE d s 0 1'),
      cmd('COMMAND GETKEYS ZDIFFSTORE d 0 a'),
    ],
  },
];

differentialSuite(cases);

// ---- random replies and large sets, in process ---------------------------------------------

function strings(r: Reply): string[] {
  assert.ok(Array.isArray(r), `array reply, got ${String(r)}`);
  return r.map((x) => {
    assert.equal(typeof x, 'string');
    return x as string;
  });
}

describe('ZRANDMEMBER by its properties', () => {
  const { call, value } = inProcessServer();
  for (const size of [5, 200, 3000]) {
    test(`${size} members: distinct with a positive count, repeats with a negative one, scores that match`, () => {
      call('DEL', 'z');
      const members = new Map<string, string>();
      for (let i = 0; i < size; i++) members.set(`m${i}`, String(i * 1.5));
      call('ZADD', 'z', ...[...members].flatMap(([m, s]) => [s, m]));
      for (const count of [1, 2, Math.floor(size / 3), Math.floor(size / 2), size - 1]) {
        const got = strings(value('ZRANDMEMBER', 'z', String(count)));
        assert.equal(got.length, count);
        assert.equal(new Set(got).size, count, 'distinct');
        for (const m of got) assert.ok(members.has(m));
      }
      for (const count of [1, 3, size * 2]) {
        const got = strings(value('ZRANDMEMBER', 'z', String(-count), 'WITHSCORES'));
        assert.equal(got.length, count * 2);
        for (let i = 0; i < got.length; i += 2) assert.equal(got[i + 1], members.get(got[i]));
      }
      const one = value('ZRANDMEMBER', 'z');
      assert.ok(members.has(one as string));
      call('HELLO', '3');
      const pairs = value('ZRANDMEMBER', 'z', '2', 'WITHSCORES') as Reply[];
      assert.equal(pairs.length, 2);
      for (const p of pairs as string[][]) assert.equal(String(p[1]), String(Number(members.get(p[0]))));
      call('HELLO', '2');
    });
  }
});

describe('large sorted sets', () => {
  const { call, value } = inProcessServer();
  const n = 20000;
  const load = (): void => {
    call('DEL', 'big');
    for (let i = 0; i < n; i += 1000) {
      const args: string[] = [];
      for (let j = i; j < i + 1000; j++) args.push(String((j * 7919) % n), `m${j}`);
      call('ZADD', 'big', ...args);
    }
  };

  test('ZSCAN visits every member of a skiplist once a full iteration ends', () => {
    load();
    assert.equal(value('OBJECT', 'ENCODING', 'big'), 'skiplist');
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, items] = value('ZSCAN', 'big', cursor, 'COUNT', '100') as [string, string[]];
      for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
      cursor = next;
      calls++;
    } while (cursor !== '0');
    assert.equal(seen.size, n);
    assert.ok(calls > 100);
    for (let j = 0; j < n; j += 997) assert.equal(seen.get(`m${j}`), String((j * 7919) % n));
  });

  test('ranks, score ranges and removals agree with a sorted model', () => {
    load();
    const model = Array.from({ length: n }, (_, j) => ({ m: `m${j}`, s: (j * 7919) % n })).sort((a, b) => a.s - b.s);
    for (const j of [0, 1, 4999, 12345, n - 1]) {
      const rank = model.findIndex((e) => e.m === `m${j}`);
      assert.equal(value('ZRANK', 'big', `m${j}`), rank);
      assert.equal(value('ZREVRANK', 'big', `m${j}`), n - 1 - rank);
    }
    assert.deepEqual(strings(value('ZRANGE', 'big', '100', '104')), model.slice(100, 105).map((e) => e.m));
    assert.deepEqual(strings(value('ZRANGE', 'big', '(500', '505', 'BYSCORE')), model.slice(501, 506).map((e) => e.m));
    assert.deepEqual(strings(value('ZRANGE', 'big', '505', '(500', 'BYSCORE', 'REV', 'LIMIT', '1', '2')), [model[504].m, model[503].m]);
    assert.equal(value('ZCOUNT', 'big', '1000', '(2000'), 1000);
    assert.equal(value('ZREMRANGEBYSCORE', 'big', '1000', '(2000'), 1000);
    assert.equal(value('ZREMRANGEBYRANK', 'big', '0', '9'), 10);
    assert.equal(value('ZCARD', 'big'), n - 1010);
    assert.deepEqual(strings(value('ZRANGE', 'big', '0', '0', 'WITHSCORES')), [model[10].m, '10']);
    assert.deepEqual(strings(value('ZRANGE', 'big', '989', '990')), [model[999].m, model[2000].m]);
  });
});

test('keyspace hits and misses: reads count, writes and STORE destinations do not (as Redis 7.0.15)', () => {
  const { server, call } = inProcessServer();
  const steps: Array<[string, number, number]> = [
    ['ZADD z 1 a', 0, 0],
    ['ZRANGESTORE d z 0 -1', 1, 0],
    ['ZRANGESTORE d nokey 0 -1', 1, 1],
    ['ZUNIONSTORE d 2 z nokey', 2, 2],
    ['ZUNION 1 z', 3, 2],
    ['ZPOPMIN nokey', 3, 2],
    ['ZREM z b', 3, 2],
    ['ZREMRANGEBYRANK z 5 6', 3, 2],
    ['ZMPOP 1 nokey MIN', 3, 2],
    ['ZSCORE z a', 4, 2],
    ['ZRANDMEMBER z', 5, 2],
    ['ZSCAN z 0', 6, 2],
    ['ZCOUNT z 1 1', 7, 2],
    ['ZINTERCARD 1 z', 8, 2],
    ['ZRANGEBYSCORE z 0 1', 9, 2],
    ['ZINCRBY z 1 a', 9, 2],
  ];
  for (const [line, hits, misses] of steps) {
    call(...line.split(' '));
    assert.deepEqual([server.stats.keyspaceHits, server.stats.keyspaceMisses], [hits, misses], line);
  }
});

describe('propagation, dirty and keyspace events', () => {
  const { server, call, run } = inProcessServer();
  const events: string[] = [];
  server.notifyKeyspaceEvent = (_type, event, key) => void events.push(`${event} ${key}`);

  function effects(...argv: string[]): { dirty: number; propagated: string[][]; events: string[] } {
    events.length = 0;
    const before = server.dirty;
    const propagated = run(...argv);
    return { dirty: server.dirty - before, propagated, events: events.slice() };
  }

  test('ZADD counts added and updated members; a no-op changes nothing', () => {
    assert.deepEqual(effects('ZADD', 'z', '1', 'a', '2', 'b'), { dirty: 2, propagated: [['ZADD', 'z', '1', 'a', '2', 'b']], events: ['new z', 'zadd z'] });
    assert.deepEqual(effects('ZADD', 'z', '1', 'a', '5', 'b', '3', 'c'), {
      dirty: 2,
      propagated: [['ZADD', 'z', '1', 'a', '5', 'b', '3', 'c']],
      events: ['zadd z'],
    });
    assert.deepEqual(effects('ZADD', 'z', 'NX', '9', 'a'), { dirty: 0, propagated: [], events: [] });
    assert.deepEqual(effects('ZINCRBY', 'z', '1', 'a'), { dirty: 1, propagated: [['ZINCRBY', 'z', '1', 'a']], events: ['zincr z'] });
    assert.deepEqual(effects('ZADD', 'z', 'INCR', '0', 'a'), { dirty: 0, propagated: [], events: [] });
  });

  test('removals: ZREM, ZREMRANGEBY*, an emptied key is deleted with a del event', () => {
    call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
    assert.deepEqual(effects('ZREM', 'z', 'a', 'nope'), { dirty: 1, propagated: [['ZREM', 'z', 'a', 'nope']], events: ['zrem z'] });
    assert.deepEqual(effects('ZREMRANGEBYSCORE', 'z', '2', '2').events, ['zremrangebyscore z']);
    assert.deepEqual(effects('ZREMRANGEBYRANK', 'z', '5', '6'), { dirty: 0, propagated: [], events: [] });
    assert.deepEqual(effects('ZREMRANGEBYRANK', 'z', '0', '-1'), {
      dirty: 2,
      propagated: [['ZREMRANGEBYRANK', 'z', '0', '-1']],
      events: ['zremrangebyrank z', 'del z'],
    });
    call('ZADD', 'l', '0', 'a', '0', 'b');
    assert.deepEqual(effects('ZREMRANGEBYLEX', 'l', '-', '+').events, ['zremrangebylex l', 'del l']);
  });

  test('ZPOPMIN propagates as sent; ZMPOP as the plain pop of the key served', () => {
    call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    assert.deepEqual(effects('ZPOPMIN', 'z', '2'), { dirty: 2, propagated: [['ZPOPMIN', 'z', '2']], events: ['zpopmin z'] });
    assert.deepEqual(effects('ZMPOP', '2', 'nokey', 'z', 'MAX', 'COUNT', '5'), {
      dirty: 1,
      propagated: [['ZPOPMAX', 'z', '5']],
      events: ['zpopmax z', 'del z'],
    });
    call('ZADD', 'z', '1', 'a');
    assert.deepEqual(effects('ZMPOP', '1', 'z', 'MIN').propagated, [['ZPOPMIN', 'z', '1']]);
    assert.deepEqual(effects('ZMPOP', '1', 'z', 'MIN'), { dirty: 0, propagated: [], events: [] });
  });

  test('STORE forms: one change for the stored key, or a del of the emptied destination', () => {
    call('ZADD', 'z', '1', 'a', '2', 'b');
    assert.deepEqual(effects('ZUNIONSTORE', 'd', '1', 'z'), { dirty: 1, propagated: [['ZUNIONSTORE', 'd', '1', 'z']], events: ['new d', 'zunionstore d'] });
    assert.deepEqual(effects('ZINTERSTORE', 'd', '1', 'z').events, ['zinterstore d']);
    assert.deepEqual(effects('ZDIFFSTORE', 'd', '1', 'z').events, ['zdiffstore d']);
    assert.deepEqual(effects('ZRANGESTORE', 'd', 'z', '0', '0').events, ['zrangestore d']);
    assert.deepEqual(effects('ZRANGESTORE', 'd', 'z', '5', '6'), { dirty: 1, propagated: [['ZRANGESTORE', 'd', 'z', '5', '6']], events: ['del d'] });
    assert.deepEqual(effects('ZDIFFSTORE', 'd', '2', 'z', 'z'), { dirty: 0, propagated: [], events: [] });
  });

  test('reads change nothing: ZRANDMEMBER propagates nothing', () => {
    call('ZADD', 'z', '1', 'a', '2', 'b');
    for (const argv of [['ZRANDMEMBER', 'z', '-5'], ['ZRANGE', 'z', '0', '-1'], ['ZUNION', '1', 'z'], ['ZSCAN', 'z', '0']]) {
      assert.deepEqual(effects(...argv), { dirty: 0, propagated: [], events: [] });
    }
  });
});
