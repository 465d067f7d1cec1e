// Stream commands against real Redis, reply for reply. Entry IDs are given
// explicitly so that replies are identical; where Redis answers with times
// (delivery times, idle times, seen times) they are masked before comparing.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cmd, differentialSuite, type Command, type DiffCase } from './helpers/differential.js';
import { RequestParser } from '../src/protocol/parser.js';
import { RawConnection } from './helpers/resp.js';
import { redisAvailable, startRedis, startTandem, type RunningServer } from './helpers/servers.js';

/** XADD key id f v ... as a command. */
function xadd(key: string, id: string, ...pairs: string[]): Command {
  return ['XADD', key, id, ...pairs];
}

/** `n` entries n-1.. with explicit IDs and one small field. */
function fill(key: string, n: number, from = 1, fields: (i: number) => string[] = (i) => ['f', String(i)]): Command[] {
  return Array.from({ length: n }, (_, i) => xadd(key, `${from + i}-1`, ...fields(from + i)));
}

const infoAll = (key: string): Command[] => [cmd(`XLEN ${key}`), cmd(`XINFO STREAM ${key}`), cmd(`XINFO STREAM ${key} FULL`)];

const cases: DiffCase[] = [
  // ---- XADD ----
  {
    name: 'XADD with explicit, partial and generated-sequence IDs',
    commands: [
      cmd('XADD s 1-1 a 1'),
      cmd('XADD s 1-1 a 1'),
      cmd('XADD s 1-0 a 1'),
      cmd('XADD s 2 a 1 b 2'),
      cmd('XADD s 2-* a 1'),
      cmd('XADD s 3-* a 1'),
      cmd('XADD s 3-* a 1'),
      cmd('XADD s 1-* a 1'),
      cmd('XADD s 0-0 a 1'),
      cmd('XADD s 0 a 1'),
      cmd('XADD s 0-* a 1'),
      cmd('XADD new 0-* a 1'),
      cmd('XADD new2 0-0 a 1'),
      cmd('EXISTS new2'),
      cmd('XADD s 18446744073709551615-18446744073709551614 a 1'),
      cmd('XADD s 18446744073709551615-* a 1'),
      cmd('XADD s 18446744073709551615-* a 1'),
      cmd('XADD s * a 1'),
      cmd('XADD s 18446744073709551616-0 a 1'),
      cmd('XRANGE s - +'),
      cmd('XREVRANGE s + -'),
      cmd('XLEN s'),
    ],
  },
  {
    name: 'XADD ID syntax as strtoull reads it',
    commands: [
      cmd('XADD s 007-0 a 1'),
      cmd('XADD s 8--0 a 1'),
      cmd('XADD s +9-+1 a 1'),
      cmd('XADD s 10-x a 1'),
      cmd('XADD s 11- a 1'),
      cmd('XADD s -12 a 1'),
      cmd('XADD s 13-1-1 a 1'),
      cmd('XADD s 14.5 a 1'),
      ['XADD', 's', ' 15-1', 'a', '1'],
      ['XADD', 's', '16-1\x00junk', 'a', '1'],
      ['XADD', 's', `${'1'.repeat(200)}`, 'a', '1'],
      cmd('XADD s -9223372036854775809-0 a 1'),
      cmd('XADD s + a 1'),
      cmd('XADD s - a 1'),
      cmd('XRANGE s - +'),
    ],
  },
  {
    name: 'XADD options: NOMKSTREAM, arity, wrong type',
    commands: [
      cmd('XADD s NOMKSTREAM 1-1 a 1'),
      cmd('EXISTS s'),
      cmd('XADD s 1-1 a'),
      cmd('XADD s 1-1 a 1 b'),
      cmd('XADD s 1-1'),
      cmd('XADD s MAXLEN 5'),
      cmd('XADD s 1-1 a 1'),
      cmd('XADD s nomkstream 2-1 a 1'),
      cmd('XADD s NOMKSTREAM MAXLEN 1 3-1 a 1'),
      cmd('XRANGE s - +'),
      cmd('SET str x'),
      cmd('XADD str 1-1 a 1'),
      cmd('XADD str NOMKSTREAM 1-1 a 1'),
      cmd('XADD s MAXLEN -1 * a 1'),
      cmd('XADD s MAXLEN x * a 1'),
      cmd('XADD s MAXLEN 1 MINID 0 * a 1'),
      cmd('XADD s MINID 1 MAXLEN 0 * a 1'),
      cmd('XADD s LIMIT 1 * a 1'),
      cmd('XADD s MAXLEN 1 LIMIT 1 * a 1'),
      cmd('XADD s MAXLEN = 1 LIMIT 1 * a 1'),
      cmd('XADD s MAXLEN ~ 1 LIMIT -1 * a 1'),
      cmd('XADD s MAXLEN ~ 1 LIMIT x * a 1'),
      cmd('XADD s MINID - * a 1'),
      cmd('XADD s MINID + * a 1'),
      cmd('XADD s MINID x * a 1'),
      cmd('XADD s FOO * a 1'),
      cmd('XADD s MAXLEN'),
      cmd('XADD s MAXLEN ~ 1'),
      cmd('XLEN s'),
    ],
  },
  {
    name: 'XADD with exact trimming',
    commands: [
      ...fill('s', 10),
      cmd('XADD s MAXLEN 5 11-1 f 11'),
      cmd('XRANGE s - +'),
      cmd('XADD s maxlen = 3 12-1 f 12'),
      cmd('XRANGE s - +'),
      cmd('XADD s MINID 11 13-1 f 13'),
      cmd('XRANGE s - +'),
      cmd('XADD s MINID = 13-1 14-1 f 14'),
      cmd('XRANGE s - +'),
      cmd('XADD s MAXLEN 0 15-1 f 15'),
      cmd('XRANGE s - +'),
      ...infoAll('s'),
    ],
  },
  // ---- XRANGE / XREVRANGE ----
  {
    name: 'XRANGE and XREVRANGE: bounds, exclusive ends, COUNT',
    commands: [
      ...fill('s', 8),
      xadd('s', '8-2', 'g', 'x', 'h', 'y'),
      cmd('XRANGE s - +'),
      cmd('XRANGE s 3 5'),
      cmd('XRANGE s (3-1 (5-1'),
      cmd('XRANGE s (3 5'),
      cmd('XRANGE s 5 3'),
      cmd('XRANGE s - + COUNT 3'),
      cmd('XRANGE s - + COUNT 0'),
      cmd('XRANGE s - + COUNT -1'),
      cmd('XRANGE s - + count 2 COUNT 4'),
      cmd('XRANGE s - + COUNT'),
      cmd('XRANGE s - + LIMIT 1'),
      cmd('XRANGE s - + COUNT x'),
      cmd('XREVRANGE s + -'),
      cmd('XREVRANGE s 5 3'),
      cmd('XREVRANGE s (5-1 (3-1'),
      cmd('XREVRANGE s + - COUNT 2'),
      cmd('XREVRANGE s 3 5'),
      cmd('XRANGE s 8 8'),
      cmd('XRANGE s 8-2 +'),
      cmd('XRANGE s (- +'),
      cmd('XRANGE s - (+'),
      cmd('XRANGE s (18446744073709551615-18446744073709551615 +'),
      cmd('XRANGE s - (0-0'),
      cmd('XRANGE s (0-0 +'),
      cmd('XRANGE s - (18446744073709551615-18446744073709551615'),
      cmd('XRANGE s ( +'),
      cmd('XRANGE s x +'),
      cmd('XRANGE s - x'),
      cmd('XRANGE nokey - +'),
      cmd('XREVRANGE nokey + -'),
      cmd('XRANGE nokey - + COUNT 0'),
      cmd('SET str x'),
      cmd('XRANGE str - +'),
      cmd('XREVRANGE str + -'),
      cmd('XLEN str'),
      cmd('XLEN nokey'),
    ],
  },
  // ---- XDEL and tombstones ----
  {
    name: 'XDEL marks entries deleted; a node goes with its last entry',
    commands: [
      ...fill('s', 5),
      cmd('XDEL s 2-1 4-1 9-9 2-1'),
      cmd('XDEL s 2-1'),
      cmd('XRANGE s - +'),
      cmd('XREVRANGE s + -'),
      ...infoAll('s'),
      cmd('XDEL s 1-1'),
      cmd('XINFO STREAM s'),
      cmd('XDEL s 3-1 5-1'),
      ...infoAll('s'),
      cmd('EXISTS s'),
      cmd('XADD s 5-1 f v'),
      cmd('XADD s 6-1 f v'),
      ...infoAll('s'),
      cmd('XDEL s x 6-1'),
      cmd('XDEL s 6'),
      cmd('XDEL nokey 1-1'),
      cmd('SET str x'),
      cmd('XDEL str 1-1'),
      cmd('XDEL str x'),
      cmd('XLEN s'),
    ],
  },
  // ---- trimming ----
  {
    name: 'XTRIM exact and approximate on the default 100-entry nodes',
    commands: [
      ...fill('s', 250),
      cmd('XTRIM s MAXLEN ~ 200'),
      cmd('XLEN s'),
      cmd('XTRIM s MAXLEN ~ 140'),
      cmd('XLEN s'),
      cmd('XTRIM s MAXLEN ~ 10'),
      cmd('XLEN s'),
      cmd('XINFO STREAM s'),
      cmd('XTRIM s MAXLEN 20'),
      cmd('XLEN s'),
      cmd('XTRIM s MAXLEN = 20'),
      cmd('XINFO STREAM s'),
      cmd('XTRIM s MINID ~ 240'),
      cmd('XTRIM s MINID 240'),
      cmd('XINFO STREAM s'),
      cmd('XTRIM s MAXLEN 0'),
      cmd('XINFO STREAM s'),
      cmd('EXISTS s'),
    ],
  },
  {
    name: 'XTRIM: LIMIT, MINID, node removal with tombstones, errors',
    commands: [
      ...fill('s', 520),
      cmd('XTRIM s MAXLEN ~ 0 LIMIT 150'),
      cmd('XLEN s'),
      cmd('XTRIM s MAXLEN ~ 0 LIMIT 99'),
      cmd('XTRIM s MAXLEN ~ 0 LIMIT 100'),
      cmd('XLEN s'),
      cmd('XTRIM s MINID ~ 450-1'),
      cmd('XLEN s'),
      cmd('XTRIM s MINID ~ 401-1'),
      cmd('XDEL s 400-1'),
      cmd('XTRIM s MINID ~ 401-1'),
      cmd('XTRIM s MINID 405 LIMIT 0'),
      cmd('XTRIM s MINID ~ 500 LIMIT 0'),
      cmd('XINFO STREAM s'),
      cmd('XTRIM s MAXLEN 1 LIMIT 1'),
      cmd('XTRIM s LIMIT 1 MAXLEN ~ 1'),
      cmd('XTRIM s'),
      cmd('XTRIM s FOO 1'),
      cmd('XTRIM s MAXLEN x'),
      cmd('XTRIM s MAXLEN -1'),
      cmd('XTRIM s MINID x'),
      cmd('XTRIM s MINID -'),
      cmd('XTRIM s NOMKSTREAM MAXLEN 1'),
      cmd('XTRIM s MAXLEN 1 MINID 1'),
      cmd('XTRIM s MAXLEN ~'),
      cmd('XTRIM nokey MAXLEN 0'),
      cmd('SET str x'),
      cmd('XTRIM str MAXLEN 0'),
      cmd('XTRIM str FOO'),
    ],
  },
  {
    name: 'XADD trims whole nodes with ~ (default LIMIT of 100 nodes)',
    commands: [
      ...fill('s', 300),
      cmd('XADD s MAXLEN ~ 150 301-1 f v'),
      cmd('XLEN s'),
      cmd('XADD s MINID ~ 290 302-1 f v'),
      cmd('XLEN s'),
      cmd('XADD s MAXLEN ~ 0 LIMIT 50 303-1 f v'),
      cmd('XLEN s'),
      cmd('XINFO STREAM s'),
    ],
  },
  // ---- consumer groups ----
  {
    name: 'XGROUP CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER and their errors',
    commands: [
      cmd('XGROUP CREATE s g $'),
      cmd('XGROUP CREATE s g $ MKSTREAM'),
      cmd('XGROUP CREATE s g $ MKSTREAM'),
      cmd('XINFO GROUPS s'),
      ...fill('s', 3),
      cmd('XGROUP CREATE s g2 0'),
      cmd('XGROUP CREATE s g3 2 ENTRIESREAD 2'),
      cmd('XGROUP CREATE s g4 $ ENTRIESREAD -1'),
      cmd('XGROUP CREATE s g5 $ ENTRIESREAD -2'),
      cmd('XGROUP CREATE s g5 $ ENTRIESREAD x'),
      cmd('XGROUP CREATE s g5 $ ENTRIESREAD'),
      cmd('XGROUP CREATE s g5 $ FOO'),
      cmd('XGROUP CREATE s g5 x'),
      cmd('XGROUP CREATE s g5 -'),
      cmd('XGROUP CREATE s g5 $ MKSTREAM ENTRIESREAD 1 MKSTREAM'),
      cmd('XGROUP CREATE s g5 $ mkstream entriesread 1'),
      cmd('XGROUP CREATE s a-group 1'),
      cmd('XINFO GROUPS s'),
      cmd('XGROUP SETID s g 2-1'),
      cmd('XGROUP SETID s g 1 ENTRIESREAD 1'),
      cmd('XGROUP SETID s g - ENTRIESREAD 0'),
      cmd('XGROUP SETID s g +'),
      cmd('XGROUP SETID s g $'),
      cmd('XGROUP SETID s nog $'),
      cmd('XGROUP SETID s g $ MKSTREAM'),
      cmd('XGROUP SETID s g $ ENTRIESREAD'),
      cmd('XGROUP SETID s g x'),
      cmd('XGROUP SETID nokey g $'),
      cmd('XINFO GROUPS s'),
      cmd('XGROUP CREATECONSUMER s g c1'),
      cmd('XGROUP CREATECONSUMER s g c1'),
      cmd('XGROUP CREATECONSUMER s nog c1'),
      cmd('XGROUP CREATECONSUMER nokey g c1'),
      cmd('XGROUP DELCONSUMER s g c1'),
      cmd('XGROUP DELCONSUMER s g c1'),
      cmd('XGROUP DELCONSUMER s nog c1'),
      cmd('XGROUP DESTROY s g'),
      cmd('XGROUP DESTROY s g'),
      cmd('XGROUP DESTROY nokey g'),
      cmd('XGROUP DESTROY s g x'),
      cmd('XGROUP CREATECONSUMER s g2'),
      cmd('XGROUP FOO s g'),
      cmd('XGROUP'),
      cmd('XGROUP HELP'),
      cmd('XGROUP help extra'),
      cmd('XINFO GROUPS s'),
      cmd('SET str x'),
      cmd('XGROUP CREATE str g $'),
      cmd('XGROUP CREATE str g $ MKSTREAM'),
      cmd('XGROUP DESTROY str g'),
    ],
  },
  {
    name: 'XREADGROUP: new entries, history, NOACK, COUNT, XACK',
    commands: [
      ...fill('s', 5),
      cmd('XGROUP CREATE s g 0'),
      cmd('XREADGROUP GROUP g c1 COUNT 2 STREAMS s >'),
      cmd('XREADGROUP GROUP g c2 STREAMS s >'),
      cmd('XREADGROUP GROUP g c2 STREAMS s >'),
      cmd('XREADGROUP GROUP g c1 STREAMS s 0'),
      cmd('XREADGROUP GROUP g c1 COUNT 1 STREAMS s 0'),
      cmd('XREADGROUP GROUP g c1 STREAMS s 1-1'),
      cmd('XREADGROUP GROUP g c3 STREAMS s 0'),
      cmd('XACK s g 1-1 3-1 9-9'),
      cmd('XACK s g 1-1'),
      cmd('XREADGROUP GROUP g c1 STREAMS s 0'),
      cmd('XDEL s 2-1'),
      cmd('XREADGROUP GROUP g c1 STREAMS s 0'),
      cmd('XADD s 6-1 f 6'),
      cmd('XREADGROUP GROUP g c4 NOACK STREAMS s >'),
      cmd('XPENDING s g'),
      cmd('XINFO GROUPS s'),
      cmd('XADD s 7-1 f 7'),
      cmd('XGROUP SETID s g 0'),
      cmd('XREADGROUP GROUP g c5 STREAMS s >'),
      cmd('XPENDING s g'),
      cmd('XINFO GROUPS s'),
      cmd('XACK s g x'),
      cmd('XACK s nog x'),
      cmd('XACK nokey g x'),
      cmd('XREADGROUP GROUP g c1 COUNT -3 STREAMS s 0'),
    ],
  },
  {
    name: 'XREADGROUP over several streams and argument errors',
    commands: [
      ...fill('a', 3),
      ...fill('b', 2, 10),
      cmd('XGROUP CREATE a g 0'),
      cmd('XGROUP CREATE b g $'),
      cmd('XREADGROUP GROUP g c STREAMS a b > >'),
      cmd('XADD b 20-1 f v'),
      cmd('XREADGROUP GROUP g c COUNT 1 STREAMS a b > >'),
      cmd('XREADGROUP GROUP g c STREAMS a b 0 0'),
      cmd('XREADGROUP GROUP g c STREAMS a a > >'),
      cmd('XREADGROUP GROUP g c STREAMS a b >'),
      cmd('XREADGROUP GROUP g c STREAMS a $'),
      cmd('XREADGROUP GROUP g c STREAMS a +'),
      cmd('XREADGROUP GROUP g c STREAMS a x'),
      cmd('XREADGROUP GROUP nog c STREAMS a >'),
      cmd('XREADGROUP GROUP g c STREAMS nokey >'),
      cmd('XREADGROUP GROUP g c STREAMS a nokey > >'),
      cmd('XREADGROUP STREAMS a >'),
      cmd('XREADGROUP GROUP g c FOO STREAMS a >'),
      cmd('XREADGROUP GROUP g c COUNT x STREAMS a >'),
      cmd('XREADGROUP GROUP g c BLOCK x STREAMS a >'),
      cmd('XREADGROUP GROUP g c BLOCK -1 STREAMS a >'),
      cmd('XREADGROUP GROUP g STREAMS a >'),
      cmd('XREADGROUP GROUP g c NOACK STREAMS a 0'),
      cmd('SET str x'),
      cmd('XREADGROUP GROUP g c STREAMS str >'),
      cmd('XREADGROUP GROUP g c STREAMS a str > >'),
    ],
  },
  {
    name: 'XREAD: IDs, $, COUNT, several streams, errors',
    commands: [
      ...fill('a', 3),
      ...fill('b', 3, 5),
      cmd('XREAD STREAMS a 0'),
      cmd('XREAD COUNT 2 STREAMS a b 0 0'),
      cmd('XREAD STREAMS a b 2-1 6'),
      cmd('XREAD STREAMS a b $ $'),
      cmd('XREAD STREAMS a b 3-1 7-1'),
      cmd('XREAD STREAMS nokey 0'),
      cmd('XREAD STREAMS nokey a 0 0'),
      cmd('XREAD COUNT 0 STREAMS a 0'),
      cmd('XREAD COUNT -1 STREAMS a 0'),
      cmd('XREAD count 1 count 2 STREAMS a 0'),
      cmd('XREAD STREAMS a'),
      cmd('XREAD STREAMS a b 0'),
      cmd('XREAD STREAMS a >'),
      cmd('XREAD STREAMS a +'),
      cmd('XREAD STREAMS a -'),
      cmd('XREAD STREAMS a x'),
      cmd('XREAD GROUP g c STREAMS a 0'),
      cmd('XREAD NOACK STREAMS a 0'),
      cmd('XREAD FOO STREAMS a 0'),
      cmd('XREAD COUNT x STREAMS a 0'),
      cmd('XREAD BLOCK x STREAMS a 0'),
      cmd('XREAD BLOCK -1 STREAMS a 0'),
      cmd('XREAD BLOCK 0 STREAMS a 0'),
      cmd('XREAD COUNT 1'),
      cmd('XREAD COUNT 1 BLOCK'),
      cmd('SET str x'),
      cmd('XREAD STREAMS str 0'),
      cmd('XREAD STREAMS a str 0 0'),
      cmd('XDEL a 3-1'),
      cmd('XREAD STREAMS a 2-1'),
      cmd('XREAD STREAMS a 2-1 a 0'),
    ],
  },
  {
    name: 'XSETID and its checks',
    commands: [
      cmd('XSETID nokey 1-1'),
      ...fill('s', 3),
      cmd('XSETID s 2-1'),
      cmd('XSETID s 3-1'),
      cmd('XSETID s 5'),
      cmd('XINFO STREAM s'),
      cmd('XADD s 5-0 f v'),
      cmd('XADD s 5-1 f v'),
      cmd('XSETID s 10-1 ENTRIESADDED 1'),
      cmd('XSETID s 10-1 ENTRIESADDED 50'),
      cmd('XSETID s 10-1 ENTRIESADDED -1'),
      cmd('XSETID s 10-1 ENTRIESADDED x'),
      cmd('XSETID s 10-1 MAXDELETEDID 11-1'),
      cmd('XSETID s 10-1 MAXDELETEDID 2-1'),
      cmd('XINFO STREAM s'),
      cmd('XSETID s 9-1'),
      cmd('XSETID s 10-1 MAXDELETEDID x'),
      cmd('XSETID s 10-1 FOO 1'),
      cmd('XSETID s 10-1 ENTRIESADDED'),
      cmd('XSETID s x'),
      cmd('XSETID s -'),
      cmd('XDEL s 1-1 2-1 3-1 5-1'),
      cmd('XSETID s 1-1'),
      cmd('XINFO STREAM s'),
      cmd('XSETID s 18446744073709551615-18446744073709551615'),
      cmd('XADD s * f v'),
      cmd('XADD s 18446744073709551615-* f v'),
      cmd('SET str x'),
      cmd('XSETID str 1-1'),
    ],
  },
  {
    name: 'lag and entries-read through deletions, trims and SETID',
    commands: [
      ...fill('s', 6),
      cmd('XGROUP CREATE s g1 0'),
      cmd('XGROUP CREATE s g2 3-1'),
      cmd('XGROUP CREATE s g3 $'),
      cmd('XGROUP CREATE s g4 9-9'),
      cmd('XINFO GROUPS s'),
      cmd('XREADGROUP GROUP g1 c COUNT 2 STREAMS s >'),
      cmd('XREADGROUP GROUP g2 c COUNT 1 STREAMS s >'),
      cmd('XINFO GROUPS s'),
      cmd('XDEL s 5-1'),
      cmd('XINFO GROUPS s'),
      cmd('XREADGROUP GROUP g1 c COUNT 1 STREAMS s >'),
      cmd('XREADGROUP GROUP g2 c STREAMS s >'),
      cmd('XINFO GROUPS s'),
      cmd('XDEL s 1-1'),
      cmd('XINFO GROUPS s'),
      cmd('XTRIM s MAXLEN 2'),
      cmd('XINFO GROUPS s'),
      cmd('XADD s 7-1 f v'),
      cmd('XREADGROUP GROUP g1 c STREAMS s >'),
      cmd('XINFO GROUPS s'),
      cmd('XGROUP SETID s g3 0 ENTRIESREAD 0'),
      cmd('XINFO GROUPS s'),
      cmd('XGROUP SETID s g3 2-1'),
      cmd('XINFO GROUPS s'),
      cmd('XDEL s 6-1 7-1 4-1'),
      cmd('XINFO GROUPS s'),
      cmd('XINFO STREAM s'),
      cmd('XADD s 8-1 f v'),
      cmd('XINFO GROUPS s'),
      cmd('XREADGROUP GROUP g3 c STREAMS s >'),
      cmd('XINFO GROUPS s'),
    ],
  },
  {
    name: 'XPENDING: summary, ranges, consumer filter, errors',
    commands: [
      cmd('XGROUP CREATE s g $ MKSTREAM'),
      cmd('XPENDING s g'),
      ...fill('s', 6),
      cmd('XREADGROUP GROUP g bob COUNT 2 STREAMS s >'),
      cmd('XREADGROUP GROUP g alice COUNT 3 STREAMS s >'),
      cmd('XREADGROUP GROUP g carol STREAMS s >'),
      cmd('XGROUP CREATECONSUMER s g dave'),
      cmd('XPENDING s g'),
      cmd('XPENDING s g - + 0'),
      cmd('XPENDING s g - + -5'),
      cmd('XPENDING s g 7 + 10'),
      cmd('XPENDING s g (1-1 (6-1 10 nobody'),
      cmd('XPENDING s g - + 10 dave'),
      cmd('XPENDING s g - + x'),
      cmd('XPENDING s g x + 10'),
      cmd('XPENDING s g - x 10'),
      cmd('XPENDING s g IDLE x - + 10'),
      cmd('XPENDING s g IDLE 0 - +'),
      cmd('XPENDING s g - +'),
      cmd('XPENDING s g -'),
      cmd('XPENDING s g IDLE 0 - + 10 bob extra'),
      cmd('XPENDING s nog'),
      cmd('XPENDING nokey g'),
      cmd('XPENDING s nog - + 10'),
      cmd('XPENDING s g (18446744073709551615-18446744073709551615 + 10'),
      cmd('XPENDING s g IDLE 100000 - + 10'),
      cmd('XACK s g 1-1 2-1 3-1 4-1 5-1 6-1'),
      cmd('XPENDING s g'),
      cmd('SET str x'),
      cmd('XPENDING str g'),
      cmd('XPENDING str g - + 1'),
    ],
  },
  {
    name: 'XCLAIM and XAUTOCLAIM with JUSTID, deleted entries, errors',
    commands: [
      ...fill('s', 6),
      cmd('XGROUP CREATE s g 0'),
      cmd('XREADGROUP GROUP g c1 STREAMS s >'),
      cmd('XCLAIM s g c2 0 1-1 2-1 9-9 JUSTID'),
      cmd('XCLAIM s g c2 100000000 3-1'),
      cmd('XCLAIM s g c2 -5 3 JUSTID'),
      cmd('XDEL s 4-1'),
      cmd('XCLAIM s g c3 0 4-1 5-1 JUSTID'),
      cmd('XPENDING s g'),
      cmd('XCLAIM s g c3 0 9-9 FORCE JUSTID'),
      cmd('XCLAIM s g c3 0 6-1 LASTID 100-1 JUSTID'),
      cmd('XINFO GROUPS s'),
      cmd('XCLAIM s g c3 100000000 6-1 LASTID 200-1'),
      cmd('XINFO GROUPS s'),
      cmd('XAUTOCLAIM s g c4 0 0 COUNT 2 JUSTID'),
      cmd('XAUTOCLAIM s g c4 0 3-1 JUSTID'),
      cmd('XAUTOCLAIM s g c4 0 (3-1 COUNT 1 JUSTID'),
      cmd('XDEL s 1-1 2-1'),
      cmd('XAUTOCLAIM s g c5 0 - JUSTID'),
      cmd('XAUTOCLAIM s g c5 100000000 - JUSTID'),
      cmd('XAUTOCLAIM s g c6 0 - COUNT 1'),
      cmd('XPENDING s g'),
      cmd('XCLAIM s nog c 0 1-1'),
      cmd('XCLAIM nokey g c 0 1-1'),
      cmd('XCLAIM s g c x 1-1'),
      cmd('XCLAIM s g c 0 1-1 IDLE x'),
      cmd('XCLAIM s g c 0 1-1 TIME x'),
      cmd('XCLAIM s g c 0 1-1 RETRYCOUNT x'),
      cmd('XCLAIM s g c 0 1-1 LASTID x'),
      cmd('XCLAIM s g c 0 1-1 FOO'),
      cmd('XCLAIM s g c 0 1-1 IDLE'),
      cmd('XCLAIM s g c 0 x 1-1'),
      cmd('XAUTOCLAIM s g c x 0'),
      cmd('XAUTOCLAIM s g c 0 x'),
      cmd('XAUTOCLAIM s g c 0 (18446744073709551615-18446744073709551615'),
      cmd('XAUTOCLAIM s g c 0 0 COUNT 0'),
      cmd('XAUTOCLAIM s g c 0 0 COUNT -1'),
      cmd('XAUTOCLAIM s g c 0 0 COUNT x'),
      cmd('XAUTOCLAIM s g c 0 0 COUNT 576460752303423488'),
      cmd('XAUTOCLAIM s g c 0 0 COUNT 576460752303423487'),
      cmd('XAUTOCLAIM s g c 0 0 COUNT'),
      cmd('XAUTOCLAIM s g c 0 0 FOO'),
      cmd('XAUTOCLAIM s nog c 0 0'),
      cmd('XAUTOCLAIM nokey g c 0 0'),
      cmd('SET str x'),
      cmd('XCLAIM str g c 0 1-1'),
      cmd('XAUTOCLAIM str g c 0 0'),
      cmd('XACK str g 1-1'),
    ],
  },
  {
    name: 'XINFO: errors, HELP, FULL COUNT, empty stream',
    commands: [
      cmd('XINFO STREAM nokey'),
      cmd('XINFO GROUPS nokey'),
      cmd('XINFO CONSUMERS nokey g'),
      cmd('XINFO HELP'),
      cmd('XINFO help x'),
      cmd('XINFO FOO s'),
      cmd('XINFO'),
      ...fill('s', 30),
      cmd('XINFO STREAM s FULL COUNT 3'),
      cmd('XINFO STREAM s FULL COUNT 0'),
      cmd('XINFO STREAM s FULL COUNT -1'),
      cmd('XINFO STREAM s FULL COUNT x'),
      cmd('XINFO STREAM s FULL COUNT'),
      cmd('XINFO STREAM s FOO'),
      cmd('XINFO STREAM s FULL FOO 1'),
      cmd('XINFO STREAM s full count 2 extra'),
      cmd('XINFO CONSUMERS s nog'),
      cmd('XINFO GROUPS s'),
      cmd('XGROUP CREATE e g $ MKSTREAM'),
      cmd('XINFO STREAM e'),
      cmd('XINFO STREAM e FULL'),
      cmd('XINFO CONSUMERS e g'),
      cmd('SET str x'),
      cmd('XINFO STREAM str'),
      cmd('XINFO GROUPS str'),
      cmd('XINFO CONSUMERS str g'),
    ],
  },
  {
    name: 'groups and consumers are listed in byte order; names with odd bytes',
    commands: [
      ...fill('s', 6),
      ...['b', 'B', 'a', '\xff', '', 'a\x00b', 'ab'].map((g): Command => ['XGROUP', 'CREATE', 's', g, '0']),
      cmd('XINFO GROUPS s'),
      ...['zed', 'Zed', '\xe9', 'z', '_'].map((name): Command => ['XREADGROUP', 'GROUP', 'b', name, 'COUNT', '1', 'STREAMS', 's', '>']),
      cmd('XPENDING b s'),
      cmd('XPENDING s b'),
      ['XPENDING', 's', 'a\x00b'],
      ['XPENDING', 's', 'a\x00c'],
      ['XREADGROUP', 'GROUP', 'no\x00pe', 'c', 'STREAMS', 's', '>'],
      ['XGROUP', 'SETID', 's', 'no\x00pe', '0'],
    ],
  },
  {
    name: 'RESP3 replies',
    resp3: true,
    commands: [
      ...fill('s', 3),
      cmd('XRANGE s - + COUNT 0'),
      cmd('XREAD STREAMS s 0'),
      cmd('XREAD STREAMS s 9'),
      cmd('XINFO STREAM s'),
      cmd('XINFO STREAM s FULL'),
      cmd('XGROUP CREATE s g 0'),
      cmd('XGROUP CREATE s g2 0'),
      cmd('XINFO GROUPS s'),
      cmd('XPENDING s g'),
      cmd('XREADGROUP GROUP g c STREAMS s >'),
      cmd('XDEL s 2-1'),
      cmd('XREADGROUP GROUP g c STREAMS s 0'),
      cmd('XPENDING s g'),
      cmd('XADD s NOMKSTREAM 1-1 f v'),
      cmd('XADD nokey NOMKSTREAM 1-1 f v'),
      cmd('XDEL s 1-1 3-1'),
      cmd('XINFO STREAM s'),
    ],
  },
  {
    name: 'TYPE, OBJECT ENCODING, COPY, DEBUG DIGEST-VALUE, RENAME',
    commands: [
      xadd('s', '1-1', 'a', '1', 'b', '2'),
      xadd('s', '2-5', 'a', '3', 'b', '4'),
      xadd('s', '3-0', 'c', 'x'),
      cmd('TYPE s'),
      cmd('OBJECT ENCODING s'),
      cmd('DEBUG DIGEST-VALUE s'),
      cmd('XDEL s 2-5'),
      cmd('DEBUG DIGEST-VALUE s'),
      cmd('XGROUP CREATE s g 0'),
      cmd('COPY s d'),
      cmd('XINFO STREAM d'),
      cmd('XINFO GROUPS d'),
      cmd('XADD d 4-0 f v'),
      cmd('XLEN s'),
      cmd('XLEN d'),
      cmd('DEBUG DIGEST-VALUE d'),
      cmd('RENAME d r'),
      cmd('XRANGE r - +'),
      cmd('XADD e 1-1 f v'),
      cmd('XDEL e 1-1'),
      cmd('DEBUG DIGEST-VALUE e'),
      cmd('DEBUG DIGEST'),
    ],
  },
  {
    name: 'COMMAND GETKEYS for XREAD and XREADGROUP',
    commands: [
      cmd('COMMAND GETKEYS XREAD STREAMS a b 0 0'),
      cmd('COMMAND GETKEYS XREAD COUNT 1 BLOCK 0 STREAMS a 0'),
      cmd('COMMAND GETKEYS XREADGROUP GROUP g c NOACK STREAMS a b > >'),
      cmd('COMMAND GETKEYS XREAD STREAMS a b 0'),
      cmd('COMMAND GETKEYS XREAD FOO STREAMS a 0'),
      cmd('COMMAND GETKEYS XREADGROUP GROUP STREAMS streams a 0'),
      cmd('COMMAND GETKEYS XADD s * f v'),
      cmd('COMMAND GETKEYS XGROUP CREATE s g $'),
      cmd('COMMAND GETKEYS XINFO STREAM s'),
      cmd('COMMAND INFO xread xreadgroup xadd xautoclaim xgroup|create xinfo|stream'),
    ],
  },
];

differentialSuite(cases);

// ---- node layout: where Redis cuts its listpacks -------------------------------------

/** Pseudo-random but reproducible. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

function layoutScript(seed: number): Command[] {
  const rnd = lcg(seed);
  const out: Command[] = [];
  const values = ['1', '127', '128', '-1', '4095', '-4097', '65536', '2147483648', '9223372036854775807', '007', 'x', 'hello'];
  let ms = 1;
  for (let i = 0; i < 400; i++) {
    ms += rnd() < 0.3 ? 0 : Math.floor(rnd() * 100000);
    const pairs: string[] = [];
    const nf = 1 + Math.floor(rnd() * 3);
    for (let f = 0; f < nf; f++) {
      const field = rnd() < 0.7 ? `f${f}` : `g${Math.floor(rnd() * 5)}`;
      const v = rnd() < 0.5 ? values[Math.floor(rnd() * values.length)] : 'v'.repeat(Math.floor(rnd() * 90));
      pairs.push(field, v);
    }
    out.push(['XADD', 's', rnd() < 0.5 ? `${ms}-*` : `${ms}-${Math.floor(rnd() * 300)}`, ...pairs]);
    if (rnd() < 0.08) out.push(['XDEL', 's', `${ms}-0`, `${ms}-1`]);
    if (i % 50 === 49) out.push(cmd('XINFO STREAM s'));
  }
  out.push(cmd('XTRIM s MAXLEN ~ 300'), cmd('XINFO STREAM s'), cmd('XTRIM s MAXLEN ~ 100'), cmd('XINFO STREAM s'));
  return out;
}

describe('node layout follows stream-node-max-bytes / -entries', () => {
  differentialSuite(
    [1, 2, 3].map((seed) => ({ name: `random entries, seed ${seed}`, commands: layoutScript(seed) })),
    ['--stream-node-max-bytes', '300', '--stream-node-max-entries', '7'],
  );
});

describe('node layout: bytes only', () => {
  differentialSuite(
    [
      { name: 'random entries, no entry limit', commands: layoutScript(4) },
      {
        name: 'without an entry limit, ~ trims at most 10000 entries',
        commands: [...fill('s', 12000), cmd('XINFO STREAM s'), cmd('XTRIM s MAXLEN ~ 0'), cmd('XLEN s')],
      },
      {
        name: 'large values open nodes at once',
        commands: [
          xadd('s', '1-1', 'f', 'x'.repeat(5000)),
          xadd('s', '2-1', 'f', 'x'.repeat(10)),
          xadd('s', '3-1', 'f', 'x'.repeat(1000)),
          xadd('s', '4-1', 'f', 'x'.repeat(950)),
          cmd('XINFO STREAM s'),
          cmd('XTRIM s MAXLEN ~ 1'),
          cmd('XINFO STREAM s'),
        ],
      },
    ],
    ['--stream-node-max-bytes', '300', '--stream-node-max-entries', '0'],
  );
});

describe('radix tree node counts', () => {
  const ids = ['1-1', '2-1', '256-1', '257-0', '65536-3', '65537-9', '4294967296-0', '4294967297-1', '18446744073709551614-1'];
  differentialSuite(
    [
      {
        name: 'one entry per node, keys sharing prefixes of every length',
        commands: [
          ...ids.map((id) => xadd('s', id, 'f', 'v')),
          cmd('XINFO STREAM s'),
          cmd('XDEL s 256-1'),
          cmd('XINFO STREAM s'),
          cmd('XDEL s 1-1 65537-9'),
          cmd('XINFO STREAM s'),
          cmd('XDEL s 2-1 257-0 65536-3'),
          cmd('XINFO STREAM s'),
          cmd('XTRIM s MAXLEN 1'),
          cmd('XINFO STREAM s'),
        ],
      },
    ],
    ['--stream-node-max-entries', '1'],
  );
});

// ---- replies with times: compared with the times masked -----------------------------

/**
 * Masks what depends on the clock: unix times in ms (13 digits) and the
 * small idle / elapsed values that follow "idle" or sit in XPENDING rows.
 */
function maskTimes(reply: string): string {
  return reply
    .replace(/:1\d{12}\r\n/g, ':<time>\r\n')
    .replace(/(\$4\r\nidle\r\n):\d+\r\n/g, '$1:<idle>\r\n')
    .replace(/(\*4\r\n\$\d+\r\n\d+-\d+\r\n\$\d+\r\n[^\r]*\r\n):\d+\r\n/g, '$1:<idle>\r\n');
}

interface MaskedCase {
  name: string;
  commands: Command[];
  resp3?: boolean;
}

const maskedCases: MaskedCase[] = [
  {
    name: 'consumer group flow with XINFO FULL, CONSUMERS and extended XPENDING',
    commands: [
      ...fill('s', 5),
      cmd('XGROUP CREATE s g 0'),
      cmd('XGROUP CREATE s h $'),
      cmd('XREADGROUP GROUP g alice COUNT 2 STREAMS s >'),
      cmd('XREADGROUP GROUP g bob STREAMS s >'),
      cmd('XREADGROUP GROUP g alice STREAMS s 0'),
      cmd('XPENDING s g - + 10'),
      cmd('XPENDING s g IDLE 0 - + 10 bob'),
      cmd('XPENDING s g - + 10 bob extra'),
      cmd('XINFO CONSUMERS s g'),
      cmd('XINFO STREAM s FULL'),
      cmd('XINFO STREAM s FULL COUNT 1'),
      cmd('XCLAIM s g carol 0 3-1 RETRYCOUNT 7'),
      cmd('XCLAIM s g carol 0 4-1 TIME 1000 FORCE'),
      cmd('XCLAIM s g carol 0 5-1 IDLE 500'),
      cmd('XCLAIM s g carol 0 5-1 RETRYCOUNT -1'),
      cmd('XCLAIM s g carol 0 5-1 RETRYCOUNT -1 JUSTID'),
      cmd('XCLAIM s g carol 0 5-1 RETRYCOUNT 9223372036854775807 JUSTID'),
      cmd('XCLAIM s g dan 0 1-1 IDLE -5 TIME 99999999999999'),
      cmd('XPENDING s g - + 10'),
      cmd('XAUTOCLAIM s g erin 0 0'),
      cmd('XPENDING s g - + 10'),
      cmd('XINFO CONSUMERS s g'),
      cmd('XGROUP DELCONSUMER s g erin'),
      cmd('XINFO STREAM s FULL'),
    ],
  },
  {
    name: 'which reads and claims create consumers',
    commands: [
      ...fill('s', 3),
      cmd('XGROUP CREATE s g 0'),
      cmd('XGROUP CREATE e g $ MKSTREAM'),
      cmd('XREADGROUP GROUP g early NOACK STREAMS e >'),
      cmd('XREADGROUP GROUP g early2 STREAMS e 0'),
      cmd('XINFO CONSUMERS e g'),
      cmd('XREADGROUP GROUP g alice STREAMS s >'),
      cmd('XREADGROUP GROUP g bob STREAMS s >'),
      cmd('XCLAIM s g carol 99999999 1-1'),
      cmd('XCLAIM s g carol 0 9-9'),
      cmd('XCLAIM s g carol 0 9-9 FORCE'),
      cmd('XAUTOCLAIM s g dan 99999999 0'),
      cmd('XAUTOCLAIM s g dan 0 9-9'),
      cmd('XINFO CONSUMERS s g'),
      cmd('XCLAIM s g carol 0 1-1 FORCE JUSTID'),
      cmd('XAUTOCLAIM s g dan 0 0 COUNT 1'),
      cmd('XINFO CONSUMERS s g'),
      cmd('XPENDING s g - + 10'),
    ],
  },
  {
    name: 'the same over RESP3',
    resp3: true,
    commands: [
      ...fill('s', 3),
      cmd('XGROUP CREATE s g 0'),
      cmd('XREADGROUP GROUP g alice STREAMS s >'),
      cmd('XPENDING s g - + 10'),
      cmd('XINFO CONSUMERS s g'),
      cmd('XINFO STREAM s FULL'),
      cmd('XCLAIM s g bob 0 1-1'),
      cmd('XAUTOCLAIM s g carol 0 0 JUSTID'),
    ],
  },
];

describe('replies with times, masked', () => {
  const ok = redisAvailable();
  let redis: RunningServer | undefined;
  let tandem: RunningServer | undefined;
  before(async () => {
    if (!ok) return;
    [redis, tandem] = await Promise.all([startRedis(), startTandem()]);
  });
  after(async () => {
    await Promise.all([redis?.stop(), tandem?.stop()]);
  });
  for (const c of maskedCases) {
    test(c.name, { skip: ok ? false : 'redis-server not installed' }, async () => {
      const [r, t] = await Promise.all([RawConnection.open(redis!.port), RawConnection.open(tandem!.port)]);
      try {
        if (c.resp3) await Promise.all([r.call('HELLO', '3'), t.call('HELLO', '3')]);
        for (const command of c.commands) {
          const [expected, actual] = await Promise.all([r.call(...command), t.call(...command)]);
          assert.equal(maskTimes(actual.toString('latin1')), maskTimes(expected.toString('latin1')), `reply to: ${command.join(' ')}`);
        }
      } finally {
        await Promise.all([r.call('FLUSHALL'), t.call('FLUSHALL')]);
        r.close();
        t.close();
      }
    });
  }
});

// ---- propagation: the forms replicas and the AOF get, against Redis's AOF ------------

/** Commands of an AOF, read with the server's own request parser. */
function parseCommands(data: Buffer): string[][] {
  const parser = new RequestParser();
  parser.feed(data);
  const out: string[][] = [];
  for (let argv = parser.next(aofLimits); argv !== null; argv = parser.next(aofLimits)) out.push(argv);
  return out;
}

const aofLimits = { bulkBytesMax: 512 * 1024 * 1024, authenticated: true };

/** A propagated form with its clock-dependent parts masked: XCLAIM's TIME. */
function maskForm(form: string[]): string {
  return form.map((a, i) => (i > 0 && form[i - 1] === 'TIME' ? '<time>' : a)).join(' ');
}

const propagationScript: Command[] = [
  cmd('XADD s 5-* a 1'),
  cmd('XADD s 6-1 a 1'),
  ...fill('s', 120, 10),
  cmd('XADD s MAXLEN ~ 10 200-1 a 1'),
  cmd('XADD s MINID ~ 150 LIMIT 1000 201-1 a 1'),
  cmd('XADD s MAXLEN = 100 202-1 a 1'),
  cmd('XTRIM s MAXLEN ~ 0'),
  ...fill('s', 120, 300),
  cmd('XTRIM s MAXLEN ~ 50'),
  cmd('XTRIM s MAXLEN 30'),
  cmd('XTRIM s MINID ~ 0'),
  cmd('XTRIM s MINID ~ 400 LIMIT 5'),
  cmd('XDEL s 9-9'),
  cmd('XDEL s 200-1 201-1'),
  cmd('XGROUP CREATE s g 0'),
  cmd('XGROUP CREATE s g2 $ ENTRIESREAD 3'),
  cmd('XGROUP CREATE s g2 $'),
  cmd('XGROUP SETID s g 0'),
  cmd('XREADGROUP GROUP g alice COUNT 3 STREAMS s >'),
  cmd('XREADGROUP GROUP g alice STREAMS s 0'),
  cmd('XREADGROUP GROUP g bob NOACK COUNT 2 STREAMS s >'),
  cmd('XREADGROUP GROUP g carol COUNT 1 STREAMS s 0'),
  cmd('XREADGROUP GROUP g alice NOACK COUNT 1 STREAMS s >'),
  cmd('XACK s g 9-9'),
  cmd('XACK s g 1-1'),
  cmd('XCLAIM s g dave 0 391-1 392-1 JUSTID'),
  cmd('XCLAIM s g dave 0 392 RETRYCOUNT 5'),
  cmd('XCLAIM s g erin 99999999 391-1'),
  cmd('XCLAIM s g erin 99999999 391-1 LASTID 500-0'),
  cmd('XCLAIM s g erin 0 410-1 FORCE'),
  cmd('XDEL s 410-1 391-1'),
  cmd('XCLAIM s g erin 0 391-1'),
  cmd('XREADGROUP GROUP g hank NOACK STREAMS s >'),
  cmd('XGROUP CREATE s g3 $'),
  cmd('XREADGROUP GROUP g3 ivan NOACK STREAMS s >'),
  cmd('XAUTOCLAIM s g frank 0 0 COUNT 2'),
  cmd('XAUTOCLAIM s g frank 0 0'),
  cmd('XGROUP CREATECONSUMER s g gus'),
  cmd('XGROUP CREATECONSUMER s g gus'),
  cmd('XGROUP DELCONSUMER s g gus'),
  cmd('XGROUP DESTROY s g2'),
  cmd('XSETID s 900-1'),
  cmd('XSETID s 900-1 ENTRIESADDED 1000 MAXDELETEDID 800-0'),
];

describe('propagation matches what Redis writes to its AOF', () => {
  const ok = redisAvailable();
  let redis: RunningServer | undefined;
  before(async () => {
    if (ok) redis = await startRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
  });
  after(async () => {
    await redis?.stop();
  });
  test('every command of a mixed script', { skip: ok ? false : 'redis-server not installed' }, async () => {
    const { inProcessServer } = await import('./helpers/in-process.js');
    const tandem = inProcessServer();
    const r = await RawConnection.open(redis!.port);
    const expected: string[] = [];
    const actual: string[] = [];
    try {
      for (const command of propagationScript) {
        await r.call(...command);
        actual.push(...tandem.run(...(command as string[])).map(maskForm));
      }
    } finally {
      r.close();
    }
    const fs = await import('node:fs');
    const path = await import('node:path');
    const aof = fs.readFileSync(path.join(redis!.dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'));
    for (const form of parseCommands(aof)) {
      if (form[0].toLowerCase() === 'select') continue;
      expected.push(maskForm(form));
    }
    assert.deepEqual(actual, expected);
  });
});

// ---- XREAD / XREADGROUP BLOCK: multi-client scenarios on both servers ---------------

/** A scenario drives connections to one server (opened by `open`) and returns the replies it saw, in order. */
type StreamScenario = (open: () => Promise<RawConnection>, blocked: (n: number) => Promise<void>) => Promise<Buffer[]>;

describe('blocking stream reads, Redis and Tandem side by side', () => {
  const ok = redisAvailable();
  let redis: RunningServer | undefined;
  let tandem: RunningServer | undefined;
  before(async () => {
    if (ok) [redis, tandem] = await Promise.all([startRedis(), startTandem()]);
  });
  after(async () => {
    await Promise.all([redis?.stop(), tandem?.stop()]);
  });

  /** Runs `scenario` on each server from an empty dataset; the replies must be byte-identical. */
  async function compare(scenario: StreamScenario): Promise<void> {
    const transcripts: string[][] = [];
    for (const server of [redis!, tandem!]) {
      const conns: RawConnection[] = [];
      const open = async () => {
        const conn = await RawConnection.open(server.port);
        conns.push(conn);
        return conn;
      };
      const ctl = await open();
      await ctl.call('FLUSHALL');
      // Polls INFO until `n` clients are blocked: the order of events must not depend on timing.
      const blocked = async (n: number) => {
        for (let tries = 0; tries < 2000; tries++) {
          const info = (await ctl.call('INFO', 'clients')).toString('latin1');
          if (Number(/blocked_clients:(\d+)/.exec(info)?.[1]) === n) return;
          await new Promise((r) => setTimeout(r, 5));
        }
        throw new Error(`never saw ${n} blocked clients`);
      };
      try {
        transcripts.push((await scenario(open, blocked)).map((b) => b.toString('latin1')));
      } finally {
        for (const conn of conns) conn.close();
      }
    }
    assert.deepEqual(transcripts[1], transcripts[0]);
  }

  const skip = ok ? false : 'redis-server not installed';

  test('XREAD BLOCK $ is served by the next XADD, waiters in order, COUNT applied', { skip }, async () => {
    await compare(async (open, blocked) => {
      const ctl = await open();
      const a = await open();
      const b = await open();
      const out = [await ctl.call('XADD', 's', '1-1', 'f', 'v')];
      const ra = a.call('XREAD', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 's', '$');
      await blocked(1);
      const rb = b.call('XREAD', 'BLOCK', '0', 'STREAMS', 'other', 's', '$', '$');
      await blocked(2);
      out.push(await ctl.call('MULTI'), await ctl.call('XADD', 's', '2-1', 'f', 'v'), await ctl.call('XADD', 's', '3-1', 'g', 'w'));
      out.push(await ctl.call('EXEC'), await ra, await rb);
      out.push(await ctl.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '1-1'));
      return out;
    });
  });

  test('XREAD BLOCK on several keys answers with the key that got data; timeouts give nil', { skip }, async () => {
    await compare(async (open, blocked) => {
      const ctl = await open();
      const a = await open();
      const ra = a.call('XREAD', 'BLOCK', '0', 'STREAMS', 'x', 'y', '$', '$');
      await blocked(1);
      const out = [await ctl.call('RPUSH', 'x', 'not-a-stream'), await ctl.call('XADD', 'y', '5-1', 'f', 'v'), await ra];
      out.push(await a.call('XREAD', 'BLOCK', '10', 'STREAMS', 'y', '$'));
      out.push(await a.call('XREAD', 'BLOCK', '10', 'STREAMS', 'x', '$'));
      out.push(await ctl.call('MULTI'), await ctl.call('XREAD', 'BLOCK', '0', 'STREAMS', 'y', '$'), await ctl.call('EXEC'));
      return out;
    });
  });

  test('XREADGROUP BLOCK >: entries become pending, NOACK, a destroyed group ends the wait', { skip }, async () => {
    await compare(async (open, blocked) => {
      const ctl = await open();
      const a = await open();
      const b = await open();
      const out = [await ctl.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM')];
      const ra = a.call('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
      await blocked(1);
      const rb = b.call('XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', '>');
      await blocked(2);
      out.push(await ctl.call('XINFO', 'GROUPS', 's'));
      out.push(await ctl.call('XADD', 's', '1-1', 'f', 'v'), await ra);
      await blocked(1);
      out.push(await ctl.call('XPENDING', 's', 'g'), await ctl.call('XINFO', 'GROUPS', 's'));
      out.push(await ctl.call('XADD', 's', '2-1', 'f', 'v'), await rb);
      out.push(await ctl.call('XPENDING', 's', 'g'), await ctl.call('XINFO', 'GROUPS', 's'));
      const ra2 = a.call('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
      await blocked(1);
      out.push(await ctl.call('XGROUP', 'DESTROY', 's', 'g'), await ra2);
      return out;
    });
  });

  test('a deleted stream key keeps XREAD waiting until a stream is there again; CLIENT UNBLOCK', { skip }, async () => {
    await compare(async (open, blocked) => {
      const ctl = await open();
      const a = await open();
      const out = [await ctl.call('XADD', 's', '1-1', 'f', 'v')];
      const ra = a.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
      await blocked(1);
      out.push(await ctl.call('DEL', 's'), await ctl.call('SET', 's', 'x'), await ctl.call('DEL', 's'));
      // Not above the ID it waits for: still waiting.
      out.push(await ctl.call('XADD', 's', '1-0', 'f', 'v'));
      await blocked(1);
      out.push(await ctl.call('XADD', 's', '2-0', 'f', 'v'), await ra);
      const id = (await a.call('CLIENT', 'ID')).toString('latin1').slice(1, -2);
      const ra2 = a.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
      await blocked(1);
      out.push(await ctl.call('CLIENT', 'UNBLOCK', id), await ra2);
      return out;
    });
  });
});

// ---- side effects: keyspace events, WATCH, dirty counter, keyspace hits ---------------

/** Every stream command once more, for the side effects each has in Redis. */
const sideEffectScript: Command[] = [
  cmd('XADD s 1-1 f v'),
  cmd('XADD s 2-1 f v'),
  cmd('XADD s NOMKSTREAM 3-1 f v'),
  cmd('XADD nokey NOMKSTREAM 3-1 f v'),
  cmd('XADD s MAXLEN 1 4-1 f v'),
  ...fill('s', 250, 10),
  cmd('XTRIM s MAXLEN ~ 200'),
  cmd('XTRIM s MAXLEN ~ 200'),
  cmd('XTRIM s MAXLEN 140'),
  cmd('XTRIM nokey MAXLEN 0'),
  cmd('XDEL s 150-1 151-1 9-9'),
  cmd('XDEL s 9-9'),
  cmd('XLEN s'),
  cmd('XLEN nokey'),
  cmd('XRANGE s - + COUNT 1'),
  cmd('XRANGE nokey - +'),
  cmd('XREVRANGE s + - COUNT 1'),
  cmd('XREAD COUNT 1 STREAMS s nokey 0 0'),
  cmd('XGROUP CREATE s g 0'),
  cmd('XGROUP CREATE s g 0'),
  cmd('XGROUP CREATE m g $ MKSTREAM'),
  cmd('XGROUP SETID s g 0'),
  cmd('XGROUP CREATECONSUMER s g c0'),
  cmd('XGROUP CREATECONSUMER s g c0'),
  cmd('XREADGROUP GROUP g c1 COUNT 3 STREAMS s >'),
  cmd('XREADGROUP GROUP g c1 STREAMS s 0'),
  cmd('XREADGROUP GROUP g c2 NOACK COUNT 1 STREAMS s >'),
  cmd('XREADGROUP GROUP g c3 STREAMS m >'),
  cmd('XACK s g 120-1'),
  cmd('XACK s g 120-1'),
  cmd('XACK nokey g 1-1'),
  cmd('XPENDING s g'),
  cmd('XPENDING nokey g'),
  cmd('XCLAIM s g c4 0 121-1 JUSTID'),
  cmd('XCLAIM s g c4 0 99-9 JUSTID'),
  cmd('XAUTOCLAIM s g c5 0 0 COUNT 1 JUSTID'),
  cmd('XINFO STREAM s'),
  cmd('XINFO GROUPS s'),
  cmd('XGROUP DELCONSUMER s g c5'),
  cmd('XGROUP DELCONSUMER s g c5'),
  cmd('XGROUP DESTROY s g'),
  cmd('XGROUP DESTROY s g'),
  cmd('XSETID s 999-1'),
  cmd('XSETID s 1-1'),
  cmd('XDEL s 200-1'),
  cmd('XDEL m 1-1'),
];

describe('side effects of each command match Redis', () => {
  const ok = redisAvailable();
  let redis: RunningServer | undefined;
  let tandem: RunningServer | undefined;
  before(async () => {
    if (ok) {
      const args = ['--notify-keyspace-events', 'KEA'];
      [redis, tandem] = await Promise.all([startRedis(args), startTandem(args)]);
    }
  });
  after(async () => {
    await Promise.all([redis?.stop(), tandem?.stop()]);
  });

  /** Runs the script on one server: per command, its dirty and hit/miss deltas and whether it broke a WATCH. */
  async function effects(port: number): Promise<{ steps: string[]; events: string }> {
    const [conn, watcher, sub] = await Promise.all([RawConnection.open(port), RawConnection.open(port), RawConnection.open(port)]);
    try {
      await conn.call('FLUSHALL');
      await sub.call('PSUBSCRIBE', '__key*__:*');
      const counters = async () => {
        const info = (await conn.call('INFO', 'all')).toString('latin1');
        return ['rdb_changes_since_last_save', 'keyspace_hits', 'keyspace_misses'].map((f) =>
          Number(new RegExp(`${f}:(\\d+)`).exec(info)?.[1]),
        );
      };
      const steps: string[] = [];
      for (const command of sideEffectScript) {
        const key = command[1] === 'GROUP' ? 's' : command[1] === 'CREATE' || command[0] === 'XGROUP' ? command[2] : command[1];
        await watcher.call('WATCH', key);
        const before = await counters();
        await conn.call(...command);
        const afterwards = await counters();
        await watcher.call('MULTI');
        await watcher.call('PING');
        const exec = (await watcher.call('EXEC')).toString('latin1');
        const delta = afterwards.map((v, i) => v - before[i]);
        steps.push(`${command.join(' ')}: changes ${delta[0]} hits ${delta[1]} misses ${delta[2]} watch ${exec === '*-1\r\n' ? 'broken' : 'kept'}`);
      }
      await conn.call('PUBLISH', '__keyevent@0__:end', 'end');
      let events = '';
      while (!events.includes('end\r\n$3\r\nend\r\n')) events += (await sub.reply()).toString('latin1');
      return { steps, events };
    } finally {
      conn.close();
      watcher.close();
      sub.close();
    }
  }

  test('notifications, dirty, keyspace hits and WATCH per command', { skip: ok ? false : 'redis-server not installed' }, async () => {
    const expected = await effects(redis!.port);
    const actual = await effects(tandem!.port);
    assert.deepEqual(actual.steps, expected.steps);
    assert.equal(actual.events, expected.events);
  });
});

test('XADD * and ms-* generate IDs from the clock, never going back', async () => {
  const { inProcessServer } = await import('./helpers/in-process.js');
  const t = inProcessServer();
  const before = Date.now();
  const first = t.value('XADD', 's', '*', 'f', 'v') as string;
  const [ms, seq] = first.split('-').map(Number);
  assert.ok(ms >= before && ms <= Date.now() && seq === 0, first);
  const ahead = `${Date.now() + 100000}`;
  assert.equal(t.value('XADD', 's', `${ahead}-5`, 'f', 'v'), `${ahead}-5`);
  assert.equal(t.value('XADD', 's', '*', 'f', 'v'), `${ahead}-6`);
  assert.equal(t.value('XADD', 's', `${ahead}-*`, 'f', 'v'), `${ahead}-7`);
  assert.deepEqual(t.run('XADD', 's', '*', 'f', 'v'), [['XADD', 's', `${ahead}-8`, 'f', 'v']]);
});

test('a served XREADGROUP BLOCK propagates its effects as one unit after the XADD', async () => {
  const { inProcessServer } = await import('./helpers/in-process.js');
  const { Client } = await import('../src/server/client.js');
  const t = inProcessServer();
  const writer = new Client(t.server, 2, null);
  const forms: string[][] = [];
  t.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
  t.server.propagationSinks.push((_db, argv) => forms.push(argv));
  assert.equal(t.call('XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', '>'), '');
  t.server.execute(writer, ['XADD', 's', '5-1', 'a', '1']);
  assert.equal(t.call('PING'), '*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n5-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n+PONG\r\n');
  assert.deepEqual(forms, [
    ['XADD', 's', '5-1', 'a', '1'],
    ['MULTI'],
    ['XGROUP', 'CREATECONSUMER', 's', 'g', 'bob'],
    ['XGROUP', 'SETID', 's', 'g', '5-1', 'ENTRIESREAD', '1'],
    ['EXEC'],
  ]);
  forms.length = 0;
  t.call('XREADGROUP', 'GROUP', 'g', 'bob', 'BLOCK', '0', 'STREAMS', 's', '>');
  t.server.execute(writer, ['XADD', 's', '6-1', 'a', '2']);
  assert.deepEqual(forms.map((f) => f.map((a, i) => (f[i - 1] === 'TIME' ? '<time>' : a))), [
    ['XADD', 's', '6-1', 'a', '2'],
    ['XCLAIM', 's', 'g', 'bob', '0', '6-1', 'TIME', '<time>', 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '6-1'],
  ]);
});

test('IdMap keeps order and finds ceilings through many inserts and deletes', async () => {
  const { IdMap, compareIds } = await import('../src/store/stream.js');
  const map = new IdMap<number>();
  const model = new Map<string, number>();
  const rnd = lcg(7);
  const idOf = (n: number) => ({ ms: BigInt(n >> 3), seq: BigInt(n & 7) });
  for (let step = 0; step < 20000; step++) {
    const n = Math.floor(rnd() * 3000);
    const key = String(n);
    if (rnd() < 0.6) {
      assert.equal(map.insert(idOf(n), n), !model.has(key), `insert ${n}`);
      model.set(key, n);
    } else {
      assert.equal(map.delete(idOf(n)), model.get(key), `delete ${n}`);
      model.delete(key);
    }
  }
  const sorted = [...model.values()].sort((a, b) => a - b);
  assert.equal(map.size, sorted.length);
  assert.deepEqual([...map.entries()].map(([, v]) => v), sorted);
  assert.deepEqual(map.first(), idOf(sorted[0]));
  assert.deepEqual(map.last(), idOf(sorted[sorted.length - 1]));
  for (let n = 0; n < 3000; n += 37) {
    const expected = sorted.find((v) => v >= n);
    const found = map.ceiling(idOf(n));
    assert.equal(found?.[1], expected);
    if (found !== undefined) assert.equal(compareIds(found[0], idOf(expected as number)), 0);
  }
});
