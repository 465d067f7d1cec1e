import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  INT64_MAX,
  INT64_MIN,
  parseLongLong,
  parseInt64,
  parseLongLongBig,
  normInt64,
  addInt64,
  formatInt,
  parseDouble,
  formatDouble17g,
  formatDouble,
  parseLongDouble,
  addLongDouble,
  formatLongDoubleHuman,
  longDoubleFromNumber,
  longDoubleToNumber,
} from '../src/util/numbers.js';

// ───────────── tables verified against redis-server 7.0.15 ─────────────

// ZADD z <score> m (skiplist-encoded zset) ; ZSCORE z m  → RESP2 "%.17g" reply
const ZSCORE_17G: [string, string][] = [
  ["10", "10"],
  ["0.1", "0.10000000000000001"],
  ["0.2", "0.20000000000000001"],
  ["0.3", "0.29999999999999999"],
  ["1.1", "1.1000000000000001"],
  ["-1.5", "-1.5"],
  ["1.5", "1.5"],
  ["3.0", "3"],
  ["1e20", "1e+20"],
  ["100000000000000016384", "1.0000000000000002e+20"],
  ["1e17", "1e+17"],
  ["1e16", "10000000000000000"],
  ["123456789012345678", "1.2345678901234568e+17"],
  ["1e-5", "1.0000000000000001e-05"],
  ["0.0001", "0.0001"],
  ["0.00012345", "0.00012344999999999999"],
  ["1e-4", "0.0001"],
  ["1.23e-5", "1.2300000000000001e-05"],
  ["5e-324", "4.9406564584124654e-324"],
  ["2.2250738585072014e-308", "2.2250738585072014e-308"],
  ["1.7976931348623157e308", "1.7976931348623157e+308"],
  ["1e300", "1.0000000000000001e+300"],
  ["3.141592653589793", "3.1415926535897931"],
  ["-2.718281828459045", "-2.7182818284590451"],
  ["0x1p-24", "5.9604644775390625e-08"],
  ["0x3p-24", "1.7881393432617188e-07"],
  ["0x5p-24", "2.9802322387695312e-07"],
  ["0x3p-18", "1.1444091796875e-05"],
  ["9007199254740993", "9007199254740992"],
  ["4503599627370497.5", "4503599627370498"],
  ["0.30000000000000004", "0.30000000000000004"],
  ["inf", "inf"],
  ["-inf", "-inf"],
  ["+inf", "inf"],
  ["1e308", "1e+308"],
  ["12345678901234567890", "1.2345678901234567e+19"],
  ["0.000001", "9.9999999999999995e-07"],
  ["1e21", "1e+21"],
  ["1e22", "1e+22"],
  ["-1e-7", "-9.9999999999999995e-08"],
];
// SET k <a> ; INCRBYFLOAT k <b> → reply ("ERR:..." = error reply, "…len=N" = truncated)
const INCRBYFLOAT: [string, string, string][] = [
  ["10.5", "0.1", "10.6"],
  ["10.6", "5.0e3", "5010.60000000000000009"],
  ["0.1", "0.2", "0.3"],
  ["1e17", "0", "100000000000000000"],
  ["3.0", "0", "3"],
  ["-0.0", "-0.0", "0"],
  ["1", "1e-20", "1"],
  ["0", "0.000003814697265625", "0.00000381469726562"],
  ["0", "0.000011444091796875", "0.00001144409179688"],
  ["0", "1e-4940", "0"],
  ["0", "0x1p-16445", "0"],
  ["5", "-5", "0"],
  ["1.5", "-3", "-1.5"],
  ["0", "123456789012345678901234567890", "123456789012345678899921813504"],
  ["9223372036854775807", "1", "9223372036854775808"],
  ["0", "1e-17", "0.00000000000000001"],
  ["0", "5e-18", "0"],
  ["0", "6e-18", "0.00000000000000001"],
  ["0", "-6e-18", "-0.00000000000000001"],
  ["1e4932", "-1e4932", "0"],
  ["0", "0x1.8p1", "3"],
  ["0.1", "0.7", "0.8"],
  ["2.5", "0.00000000000000001", "2.50000000000000001"],
  ["1e20", "1", "100000000000000000000"],
  ["-1e-20", "0", "0"],
  ["0", "1.18973149535723176502e+4932", "1189731495357231765021263853030970205169…len=4933"],
  ["1.18973149535723176502e+4932", "1.18973149535723176502e+4932", "ERR:ERR increment would produce NaN or Infinity"],
  ["inf", "0", "ERR:ERR increment would produce NaN or Infinity"],
  ["0", "-infinity", "ERR:ERR increment would produce NaN or Infinity"],
  ["0", "1.2e4932", "ERR:ERR value is not a valid float"],
  ["0", "1e-5000", "ERR:ERR value is not a valid float"],
  ["0", "0x1p-16446", "ERR:ERR value is not a valid float"],
  ["0", " 1", "ERR:ERR value is not a valid float"],
  ["0", "nan", "ERR:ERR value is not a valid float"],
  ["abc", "1", "ERR:ERR value is not a valid float"],
  ["0", "1e", "ERR:ERR value is not a valid float"],
];
// SET k 0 ; INCRBYFLOAT k 1e400
const INCR_1E400 =
  '10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880';

// ───────────────────────────── integers ─────────────────────────────

test('parseLongLong follows string2ll', () => {
  const ok: [string, number][] = [
    ['0', 0],
    ['1', 1],
    ['9', 9],
    ['-1', -1],
    ['99', 99],
    ['-99', -99],
    ['123456789012345', 123456789012345],
    ['9007199254740991', 9007199254740991],
    ['-9007199254740991', -9007199254740991],
  ];
  for (const [s, v] of ok) assert.equal(parseLongLong(s), v, s);
  const bad = ['', '-', '+1', ' 1', '1 ', '01', '-0', '00', '-01', '1.0', '1e3', '0x10', 'abc', '1a', '\x001', '1\x00',
    '9223372036854775808', '-9223372036854775809', '99999999999999999999', '000000000000000000001', '１'];
  for (const s of bad) assert.equal(parseLongLong(s), null, JSON.stringify(s));
  // beyond 2^53 the value is approximate but validation is exact
  assert.equal(parseLongLong('9223372036854775807'), 9223372036854775807);
  assert.equal(parseLongLong('-9223372036854775808'), -9223372036854775808);
  assert.equal(parseLongLong('9007199254740993'), 9007199254740992);
});

test('parseInt64 / parseLongLongBig are exact over the int64 range', () => {
  assert.equal(parseInt64('9223372036854775807'), INT64_MAX);
  assert.equal(parseInt64('-9223372036854775808'), INT64_MIN);
  assert.equal(parseInt64('9223372036854775808'), null);
  assert.equal(parseInt64('-9223372036854775809'), null);
  assert.equal(parseInt64('9007199254740991'), 9007199254740991); // safe → number
  assert.equal(parseInt64('-9007199254740991'), -9007199254740991);
  assert.equal(parseInt64('9007199254740992'), 9007199254740992n); // unsafe → bigint
  assert.equal(parseInt64('-9007199254740993'), -9007199254740993n);
  assert.equal(parseInt64('42'), 42);
  assert.equal(parseInt64('042'), null);
  assert.equal(parseLongLongBig('42'), 42n);
  assert.equal(parseLongLongBig('-9223372036854775808'), INT64_MIN);
  assert.equal(parseLongLongBig('+5'), null);
  assert.equal(normInt64(5n), 5);
  assert.equal(normInt64(9007199254740992n), 9007199254740992n);
});

test('addInt64: exact, overflow detection (INCR/INCRBY/DECRBY semantics)', () => {
  assert.equal(addInt64(1, 1), 2);
  assert.equal(addInt64(-5, 3), -2);
  assert.equal(addInt64(9007199254740991, 0), 9007199254740991);
  assert.equal(addInt64(9007199254740991, 1), 9007199254740992n);
  assert.equal(addInt64(9007199254740992n, -1), 9007199254740991); // back to number
  assert.equal(addInt64(-9007199254740991, -1), -9007199254740992n);
  assert.equal(addInt64(INT64_MAX - 1n, 1), INT64_MAX);
  assert.equal(addInt64(INT64_MIN + 1n, -1), INT64_MIN);
  // reference: SET k 9223372036854775807; INCR k → ERR increment or decrement would overflow
  assert.equal(addInt64(INT64_MAX, 1), null);
  // SET k 1; INCRBY k 9223372036854775807 → ERR ... would overflow
  assert.equal(addInt64(1, INT64_MAX), null);
  // SET k -2; INCRBY k -9223372036854775807 → ERR ... would overflow
  assert.equal(addInt64(-2, -9223372036854775807n), null);
  assert.equal(addInt64(-1, -9223372036854775807n), INT64_MIN);
  assert.equal(addInt64(INT64_MIN, INT64_MAX), -1);
  assert.equal(addInt64(INT64_MAX, INT64_MIN), -1);
  assert.equal(addInt64(INT64_MIN, -1), null);
});

test('formatInt', () => {
  assert.equal(formatInt(0), '0');
  assert.equal(formatInt(-0), '0');
  assert.equal(formatInt(-42), '-42');
  assert.equal(formatInt(9007199254740991), '9007199254740991');
  assert.equal(formatInt(INT64_MAX), '9223372036854775807');
  assert.equal(formatInt(INT64_MIN), '-9223372036854775808');
  for (const s of ['0', '-1', '123', '9223372036854775807', '-9223372036854775808', '9007199254740993']) {
    assert.equal(formatInt(parseInt64(s)!), s);
  }
});

// ───────────────────────────── doubles ─────────────────────────────

test('parseDouble follows string2d (strtod + Redis checks)', () => {
  const ok: [string, number][] = [
    ['0', 0], ['1', 1], ['-1.5', -1.5], ['+1.5', 1.5], ['.5', 0.5], ['-.5', -0.5], ['1.', 1], ['1e3', 1000], ['1E+3', 1000],
    ['1e-3', 0.001], ['00012', 12], ['0.1', 0.1], ['inf', Infinity], ['+inf', Infinity], ['-inf', -Infinity],
    ['INF', Infinity], ['Infinity', Infinity], ['-infinity', -Infinity], ['0x10', 16], ['0x1p3', 8], ['0X1.8P1', 3],
    ['0x.8', 0.5], ['-0x1p-2', -0.25], ['5e-324', 5e-324], ['1e-310', 1e-310], ['1.7976931348623157e308', 1.7976931348623157e308],
    ['0e-400', 0], ['0e999999', 0], ['9007199254740993', 9007199254740992], ['0x1p-1074', 5e-324],
  ];
  for (const [s, v] of ok) assert.equal(parseDouble(s), v, s);
  assert.ok(Object.is(parseDouble('-0'), -0));
  const bad = ['', ' 1', '1 ', '\t1', '\n1', 'nan', 'NaN', '-nan', 'abc', '1e', '1e+', '.', '-', '+', 'e5', '1..2', '1_0',
    '0x', '0x.', '0xp1', '0x1p', 'infinit', 'infx', '1e400', '-1e400', '1.8e308', '1e-400', '0x1p-1076', '0x1p1024',
    '1\x00', '1,5', '--1'];
  for (const s of bad) assert.equal(parseDouble(s), null, JSON.stringify(s));
});

test('formatDouble17g matches ZSCORE replies of the reference', () => {
  for (const [score, reply] of ZSCORE_17G) {
    const d = parseDouble(score);
    assert.notEqual(d, null, score);
    assert.equal(formatDouble17g(d!), reply, score);
  }
  assert.equal(formatDouble17g(-0), '-0'); // skiplist zset: ZADD z -0 m; ZSCORE → "-0"
  assert.equal(formatDouble17g(0), '0');
  assert.equal(formatDouble17g(NaN), 'nan');
  assert.equal(formatDouble(0.1), '0.10000000000000001');
});

test('formatDouble17g: glibc rounds exact ties to even', () => {
  // These values have exactly 18 significant digits ending in 5.
  assert.equal(formatDouble17g(5 / 2 ** 24), '2.9802322387695312e-07'); // V8 toExponential would give ...313
  assert.equal(formatDouble17g(3 / 2 ** 24), '1.7881393432617188e-07');
  assert.equal(formatDouble17g(-5 / 2 ** 24), '-2.9802322387695312e-07');
  assert.equal(formatDouble17g(2 ** 60), '1.152921504606847e+18');
  assert.equal(formatDouble17g(1e-5), '1.0000000000000001e-05');
  assert.equal(formatDouble17g(0.0001), '0.0001');
  assert.equal(formatDouble17g(123456789012345680000), '1.2345678901234568e+20');
  assert.equal(formatDouble17g(1e100), '1e+100');
});

// ─────────────────────────── long doubles ───────────────────────────

function incrbyfloat(a: string, b: string): string {
  const x = parseLongDouble(a);
  const y = parseLongDouble(b);
  if (x === null || y === null) return 'ERR:ERR value is not a valid float';
  const r = addLongDouble(x, y);
  if (!r.isFinite()) return 'ERR:ERR increment would produce NaN or Infinity';
  return formatLongDoubleHuman(r);
}

test('INCRBYFLOAT emulation matches the reference byte for byte', () => {
  for (const [a, b, want] of INCRBYFLOAT) {
    const got = incrbyfloat(a, b);
    const m = /^(.*)…len=(\d+)$/.exec(want);
    if (m) {
      assert.ok(got.startsWith(m[1]), `${a} + ${b}`);
      assert.equal(got.length, Number(m[2]), `${a} + ${b}`);
    } else {
      assert.equal(got, want, `${a} + ${b}`);
    }
  }
  assert.equal(incrbyfloat('0', '1e400'), INCR_1E400);
  // SET k 0; INCRBYFLOAT k 1e4932 → a 4933 digit integer
  const big = incrbyfloat('0', '1e4932');
  assert.equal(big.length, 4933);
  assert.equal(createHash('sha1').update(big).digest('hex'), 'c85784f4c36c0ad69d20e9488dda0bc56eb2f8bd');
  // repeated increments keep the long double "niceness"
  let v = '0';
  for (let i = 0; i < 10; i++) v = incrbyfloat(v, '0.1');
  assert.equal(v, '1');
});

test('parseLongDouble follows string2ld', () => {
  for (const s of ['1', '-1.5', '1e400', '1e4932', '1e-4940', '4e-4951', '0x1p-16445', '1.', '.5', '+.5', '0X1P3', '0x1.8', 'inf', '-Infinity', '-0']) {
    assert.notEqual(parseLongDouble(s), null, s);
  }
  for (const s of ['', ' 1', '1 ', '1e-5000', '1e-4951', '0x1p-16446', '1.2e4932', 'nan', '1e', '0x', '.', '-', 'abc']) {
    assert.equal(parseLongDouble(s), null, JSON.stringify(s));
  }
  // length limit (MAX_LONG_DOUBLE_CHARS = 5120): 5119 chars ok, 5120 rejected (verified)
  assert.equal(formatLongDoubleHuman(parseLongDouble('1.' + '0'.repeat(5117))!), '1');
  assert.equal(parseLongDouble('1.' + '0'.repeat(5118)), null);
});

test('LongDouble <-> number conversions are exact', () => {
  for (const d of [0.1, -1.5, 5e-324, 1.7976931348623157e308, 2 ** 60, 1 / 3]) {
    assert.equal(longDoubleToNumber(longDoubleFromNumber(d)), d);
  }
  assert.equal(longDoubleToNumber(parseLongDouble('0.1')!), 0.1);
  assert.equal(longDoubleToNumber(parseLongDouble('1e400')!), Infinity);
  assert.ok(Object.is(longDoubleToNumber(longDoubleFromNumber(-0)), -0));
});

test('formatLongDoubleHuman on doubles (GEOPOS style "%.17Lf" of a widened double)', () => {
  // expectations from glibc printf("%.17Lf", (long double)d) + Redis trimming
  assert.equal(formatLongDoubleHuman(0.1), '0.10000000000000001');
  assert.equal(formatLongDoubleHuman(1.1), '1.10000000000000009');
  assert.equal(formatLongDoubleHuman(123456.789), '123456.78900000000430737');
  assert.equal(formatLongDoubleHuman(2 ** 60), '1152921504606846976');
  assert.equal(formatLongDoubleHuman(1e20 + 16384), '100000000000000016384');
  assert.equal(formatLongDoubleHuman(5e-324), '0');
  assert.equal(formatLongDoubleHuman(-1e-20), '0');
  assert.equal(formatLongDoubleHuman(-0), '0');
  assert.equal(formatLongDoubleHuman(-1.5), '-1.5');
  assert.equal(formatLongDoubleHuman(2 ** -18), '0.00000381469726562'); // tie → even
  assert.equal(formatLongDoubleHuman(3 * 2 ** -18), '0.00001144409179688');
});
