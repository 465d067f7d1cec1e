// The sorted set structure against a sorted-array model under random operations.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ZSetValue, type LexBound, type LexRange, type ScoreRange } from '../src/store/zset.js';

const big = { entries: 0, value: 0 };
const small = { entries: 128, value: 64 };

type Pair = [string, number];

function cmp(a: Pair, b: Pair): number {
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[0] === b[0] ? 0 : a[0] < b[0] ? -1 : 1;
}

function contents(z: ZSetValue): Pair[] {
  return [...z].map((e) => [e.member, e.score]);
}

/** Small alphabet and few distinct scores so ties and lex order matter. */
function randomMember(): string {
  let s = '';
  const n = 1 + Math.floor(Math.random() * 3);
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.random() < 0.1 ? 0xe9 : 97 + Math.floor(Math.random() * 5));
  return s;
}

function randomScore(): number {
  const r = Math.random();
  if (r < 0.03) return Infinity;
  if (r < 0.06) return -Infinity;
  return Math.floor(Math.random() * 20) - 10 + (Math.random() < 0.3 ? 0.5 : 0);
}

function randomScoreRange(): ScoreRange {
  let a = randomScore();
  let b = randomScore();
  if (Math.random() < 0.8 && a > b) [a, b] = [b, a];
  return { min: a, max: b, minex: Math.random() < 0.4, maxex: Math.random() < 0.4 };
}

function randomLexBound(): LexBound {
  const r = Math.random();
  if (r < 0.1) return { inf: -1, value: '', ex: false };
  if (r < 0.2) return { inf: 1, value: '', ex: false };
  return { inf: 0, value: randomMember(), ex: Math.random() < 0.5 };
}

function inScore(s: number, r: ScoreRange): boolean {
  return (r.minex ? s > r.min : s >= r.min) && (r.maxex ? s < r.max : s <= r.max);
}

function inLex(m: string, r: LexRange): boolean {
  const lo = r.min.inf !== 0 ? r.min.inf < 0 : r.min.ex ? m > r.min.value : m >= r.min.value;
  const hi = r.max.inf !== 0 ? r.max.inf > 0 : r.max.ex ? m < r.max.value : m <= r.max.value;
  return lo && hi;
}

/** Runs `steps` random operations on a structure and a model, checking every answer. */
function fuzz(steps: number, sameScore: boolean, limits: { entries: number; value: number }): void {
  const z = new ZSetValue(limits === big ? 'skiplist' : 'listpack');
  let model: Pair[] = [];
  const sort = () => model.sort(cmp);
  for (let step = 0; step < steps; step++) {
    const op = Math.random();
    const m = randomMember();
    const score = sameScore ? 0 : randomScore();
    const idx = model.findIndex((p) => p[0] === m);
    if (op < 0.35) {
      if (idx < 0) {
        z.insert(m, score, limits);
        model.push([m, score]);
      } else {
        z.setScore(m, score);
        model[idx][1] = score;
      }
      sort();
    } else if (op < 0.5) {
      assert.equal(z.delete(m), idx >= 0);
      if (idx >= 0) model.splice(idx, 1);
    } else if (op < 0.55 && model.length > 0) {
      const max = Math.random() < 0.5;
      const e = z.pop(max)!;
      const expected = max ? model.pop()! : model.shift()!;
      assert.deepEqual([e.member, e.score], expected);
    } else if (op < 0.62 && model.length > 0) {
      const a = Math.floor(Math.random() * model.length);
      const b = a + Math.floor(Math.random() * (model.length - a));
      assert.equal(z.deleteRanks(a, b), b - a + 1);
      model.splice(a, b - a + 1);
    } else if (op < 0.8) {
      const r = randomScoreRange();
      const ranks = model.map((p, i) => (inScore(p[1], r) ? i : -1)).filter((i) => i >= 0);
      const first = z.firstInScore(r);
      assert.equal(first, ranks.length ? ranks[0] : null);
      // The descent leaves a hint for the lookup that follows it: it must agree with a fresh one.
      if (first !== null) assert.equal(z.at(first)!.member, model[first][0]);
      const last = z.lastInScore(r);
      assert.equal(last, ranks.length ? ranks[ranks.length - 1] : null);
      if (last !== null) assert.deepEqual([...z.walk(last, true)].map((e) => e.member), model.slice(0, last + 1).reverse().map((p) => p[0]));
      assert.equal(z.countInScore(r), ranks.length);
    } else if (sameScore) {
      const r: LexRange = { min: randomLexBound(), max: randomLexBound() };
      const ranks = model.map((p, i) => (inLex(p[0], r) ? i : -1)).filter((i) => i >= 0);
      assert.equal(z.firstInLex(r), ranks.length ? ranks[0] : null);
      assert.equal(z.lastInLex(r), ranks.length ? ranks[ranks.length - 1] : null);
      assert.equal(z.countInLex(r), ranks.length);
    }
    assert.equal(z.size, model.length);
    if (step % 10 === 0) {
      assert.deepEqual(contents(z), model);
      model.forEach(([member, s], i) => {
        assert.equal(z.rank(member), i);
        assert.equal(z.rank(member, true), model.length - 1 - i);
        assert.equal(z.score(member), s);
        assert.equal(z.at(i)!.member, member);
      });
      assert.equal(z.at(model.length), undefined);
      assert.equal(z.rank('absent member'), undefined);
      if (model.length > 0) {
        const from = Math.floor(Math.random() * model.length);
        assert.deepEqual([...z.walk(from, true)].map((e) => e.member), model.slice(0, from + 1).reverse().map((p) => p[0]));
        assert.deepEqual([...z.walk(from)].map((e) => e.member), model.slice(from).map((p) => p[0]));
      }
    }
  }
  model = contents(z.clone());
  assert.deepEqual(model, contents(z));
}

test('random operations match a sorted array (skiplist, mixed scores)', () => {
  for (let round = 0; round < 20; round++) fuzz(400, false, big);
});

test('random operations match a sorted array (equal scores, lex ranges)', () => {
  for (let round = 0; round < 20; round++) fuzz(400, true, big);
});

test('random operations match a sorted array (listpack bookkeeping)', () => {
  for (let round = 0; round < 10; round++) fuzz(400, true, small);
});

test('span invariants on a large set: rank of every member, at() of every rank', () => {
  const z = new ZSetValue('skiplist');
  const n = 20000;
  for (let i = 0; i < n; i++) z.insert(`m${i}`, (i * 7919) % n, big);
  for (let i = 0; i < n; i += 3) z.delete(`m${i}`);
  const all = contents(z);
  for (let r = 0; r < all.length; r++) {
    assert.equal(z.rank(all[r][0]), r);
    assert.equal(z.at(r)!.member, all[r][0]);
  }
  for (let i = 1; i < all.length; i++) assert.ok(cmp(all[i - 1], all[i]) < 0);
});

test('encoding: listpack until an entry or member limit is passed, then skiplist; shrinkIfFits converts back', () => {
  const limits = { entries: 3, value: 4 };
  const z = new ZSetValue();
  z.insert('a', 1, limits);
  z.insert('b', 2, limits);
  z.insert('c', 3, limits);
  assert.equal(z.encoding(), 'listpack');
  z.insert('d', 4, limits);
  assert.equal(z.encoding(), 'skiplist');
  z.delete('d');
  assert.equal(z.encoding(), 'skiplist');
  z.shrinkIfFits(limits);
  assert.equal(z.encoding(), 'listpack');
  z.insert('long!', 5, limits);
  assert.equal(z.encoding(), 'skiplist');
  z.delete('long!');
  z.delete('a');
  z.insert('e', -0, limits);
  assert.ok(Object.is(z.score('e'), -0), 'a skiplist keeps -0');
  z.shrinkIfFits(limits);
  assert.ok(Object.is(z.score('e'), 0), 'a listpack stores -0 as 0');
});

test('lex ranges over mixed scores follow the listpack scan', () => {
  const z = new ZSetValue();
  z.insert('c', 1, small);
  z.insert('a', 2, small);
  z.insert('b', 3, small);
  // Order: c(1) a(2) b(3). [b: the first member >= "b" scanning from the start is c.
  const range: LexRange = { min: { inf: 0, value: 'b', ex: false }, max: { inf: 1, value: '', ex: false } };
  assert.equal(z.firstInLex(range), 0);
  assert.equal(z.countInLex(range), 3);
});
