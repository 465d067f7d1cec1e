import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatch, compileGlob } from '../src/util/glob.js';

// [pattern, subject, expected] — every row verified against redis-server 7.0.15
// (SSCAN ... MATCH on a hashtable-encoded set; "*" vs "" also via PSUBSCRIBE "*"
// + PUBLISH "" → 0 receivers). Strings are byte strings (\xNN = one byte).
const CASES: [string, string, boolean][] = [
  ["*", "", false],
  ["**", "", false],
  ["", "", true],
  ["", "a", false],
  ["*", "a", true],
  ["?", "", false],
  ["?", "a", true],
  ["?", "ab", false],
  ["a*", "a", true],
  ["a*", "ab", true],
  ["a*", "ba", false],
  ["*a", "a", true],
  ["*a", "ba", true],
  ["*a", "ab", false],
  ["*b*", "abc", true],
  ["*b*", "ac", false],
  ["a*b*c", "aXbYc", true],
  ["a*b*c", "aXbYcZ", false],
  ["h?llo", "hello", true],
  ["h?llo", "hllo", false],
  ["h[ae]llo", "hello", true],
  ["h[ae]llo", "hillo", false],
  ["h[^e]llo", "hallo", true],
  ["h[^e]llo", "hello", false],
  ["h[a-b]llo", "hbllo", true],
  ["h[a-b]llo", "hcllo", false],
  ["h[b-a]llo", "hallo", true],
  ["[]", "]", false],
  ["[]a]", "a]", false],
  ["[]a]", "]", false],
  ["[", "[", false],
  ["[", "", false],
  ["a[", "a[", false],
  ["[a", "a", true],
  ["[ab", "b", true],
  ["[a-", "-", true],
  ["[a-", "a", true],
  ["[a-", "b", false],
  ["[^", "x", true],
  ["[^", "", false],
  ["[^", "xy", false],
  ["[\\", "\\", true],
  ["[\\]", "]", true],
  ["[\\]]", "]", true],
  ["[\\]]", "\\]", false],
  ["[\\-]", "-", true],
  ["[a\\-z]", "b", false],
  ["[a\\-z]", "-", true],
  ["\\", "\\", true],
  ["\\*", "*", true],
  ["\\*", "a", false],
  ["a\\", "a\\", true],
  ["\\?", "?", true],
  ["\\?", "a", false],
  ["\\[a]", "[a]", true],
  ["\\a", "a", true],
  ["[a-\xff]", "\xff", true],
  ["[a-\xff]", "\x80", false],
  ["[a-\xff]", "b", false],
  ["[a-\xff]", "0", true],
  ["[a-\xff]", "\x00", true],
  ["[\x80-\xff]", "\x90", true],
  ["[\x80-\xff]", "a", false],
  ["[\x00-\x7f]", "\x80", false],
  ["\xe9*", "\xe9t\xe9", true],
  ["*\x00*", "a\x00b", true],
  ["?", "\x00", true],
  ["[*]", "*", true],
  ["[?]", "x", false],
  ["*[", "a[", false],
  ["**a**", "xa", true],
  ["a**", "a", true],
  ["*?", "a", true],
  ["*?", "", false],
  ["?*", "ab", true],
  ["*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false],];

test('globMatch matches Redis 7.0 stringmatchlen on tricky cases', () => {
  for (const [p, s, want] of CASES) {
    assert.equal(globMatch(p, s), want, `globMatch(${JSON.stringify(p)}, ${JSON.stringify(s)})`);
    assert.equal(compileGlob(p)(s), want, `compileGlob(${JSON.stringify(p)})(${JSON.stringify(s)})`);
  }
});

test('nocase folds ASCII only (verified with CONFIG GET patterns)', () => {
  assert.equal(globMatch('MAX*', 'maxmemory', true), true);
  assert.equal(globMatch('MAX*', 'maxmemory', false), false);
  assert.equal(globMatch('[M-N]ax*', 'maxclients', true), true);
  assert.equal(globMatch('[A-z]', '[', false), true); // '[' (91) lies between 'A' and 'z'
  assert.equal(globMatch('[A-z]', '[', true), false); // folded range is a..z
  assert.equal(globMatch('\xc9', '\xe9', true), false); // no latin1 folding
  assert.equal(compileGlob('\xc9*', true)('\xe9x'), false);
  assert.equal(compileGlob('FOO*', true)('foobar'), true);
  assert.equal(compileGlob('*BAR', true)('fooBar'), true);
  assert.equal(compileGlob('*OB*', true)('foobar'), true);
  assert.equal(compileGlob('FOO', true)('fOo'), true);
  // escaped chars inside a class are compared case-sensitively even with nocase
  assert.equal(globMatch('[\\A]', 'a', true), false);
  assert.equal(globMatch('[A]', 'a', true), true);
});

test('nesting limit of 1000 on * recursion (verified against 7.0.15)', () => {
  const a = (n: number) => 'a'.repeat(n);
  assert.equal(globMatch('*a'.repeat(1000), a(1000)), true);
  assert.equal(globMatch('*a'.repeat(1001), a(1001)), false);
  assert.equal(globMatch('*a'.repeat(1001), a(1002)), false);
  assert.equal(globMatch('a*'.repeat(1001), a(1001)), true); // last '*' needs no recursion
  assert.equal(globMatch('a*'.repeat(1002), a(1002)), false);
  assert.equal(globMatch('*?'.repeat(1000), a(1001)), true);
  assert.equal(globMatch('*?'.repeat(1001), a(1003)), false);
});

test('pathological patterns finish quickly', () => {
  const t = Date.now();
  assert.equal(globMatch('a*'.repeat(30) + 'b', 'a'.repeat(5000)), false);
  assert.equal(globMatch('*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(10000)), false);
  assert.ok(Date.now() - t < 2000);
});

// Small deterministic PRNG for reproducible fuzzing.
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

test('compileGlob agrees with globMatch (fast paths vs general matcher)', () => {
  const r = rng(42);
  const PA = ['a', 'b', 'A', '*', '*', '?', '\\', '[', ']', '^', '-', 'ab', '\\*', '\xff'];
  const SA = ['a', 'b', 'A', 'B', '*', '?', '\\', '[', ']', '-', '\xff', '\x00'];
  for (let i = 0; i < 4000; i++) {
    let p = '';
    const pl = Math.floor(r() * 7);
    for (let j = 0; j < pl; j++) p += PA[Math.floor(r() * PA.length)];
    const nocase = r() < 0.3;
    const f = compileGlob(p, nocase);
    for (let k = 0; k < 20; k++) {
      let s = '';
      const sl = Math.floor(r() * 6);
      for (let j = 0; j < sl; j++) s += SA[Math.floor(r() * SA.length)];
      assert.equal(f(s), globMatch(p, s, nocase), `pattern ${JSON.stringify(p)} nocase=${nocase} subject ${JSON.stringify(s)}`);
    }
  }
});

test('compileGlob fast paths', () => {
  assert.equal(compileGlob('*')(''), false); // like Redis' matcher; KEYS/SCAN special-case "*"
  assert.equal(compileGlob('*')('x'), true);
  assert.equal(compileGlob('user:*')('user:'), true);
  assert.equal(compileGlob('user:*')('user:42'), true);
  assert.equal(compileGlob('user:*')('users'), false);
  assert.equal(compileGlob('*:name')('user:1:name'), true);
  assert.equal(compileGlob('*:1:*')('user:1:name'), true);
  assert.equal(compileGlob('exact')('exact'), true);
  assert.equal(compileGlob('exact')('exactly'), false);
  assert.equal(compileGlob('a\\*b')('a*b'), true);
  assert.equal(compileGlob('a\\*b')('axb'), false);
  assert.equal(compileGlob('a\\')('a\\'), true);
  assert.equal(compileGlob('')(''), true);
  assert.equal(compileGlob('')('a'), false);
});
