// The list structure on its own: behaviour against a plain array model, and
// index access near both ends of a long list visiting O(1) chunks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListValue } from '../src/store/list.js';
import { digestValue } from '../src/persistence/digest.js';

/** Deterministic pseudo-random numbers, so a failure replays. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** LRANGE/LTRIM clamping on an array, as Redis does it. */
function modelRange(a: string[], start: number, stop: number): string[] {
  const len = a.length;
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  if (start > stop || start >= len) return [];
  return a.slice(start, Math.min(stop, len - 1) + 1);
}

function modelRemove(a: string[], v: string, count: number): number {
  let left = count === 0 ? Infinity : Math.abs(count);
  let removed = 0;
  if (count >= 0) {
    for (let i = 0; i < a.length && left > 0; i++) {
      if (a[i] === v) {
        a.splice(i--, 1);
        left--;
        removed++;
      }
    }
  } else {
    for (let i = a.length - 1; i >= 0 && left > 0; i--) {
      if (a[i] === v) {
        a.splice(i, 1);
        left--;
        removed++;
      }
    }
  }
  return removed;
}

test('random operations agree with an array model', () => {
  const rand = rng(12345);
  const list = new ListValue();
  let model: string[] = [];
  let longest = 0;
  const pick = (): string => String(Math.floor(rand() * 20));
  for (let step = 0; step < 40000; step++) {
    const r = rand();
    const len = model.length;
    const idx = Math.floor(rand() * (len * 2 + 4)) - len - 2;
    if (r < 0.2) {
      const v = pick();
      list.pushHead(v);
      model.unshift(v);
    } else if (r < 0.4) {
      const v = pick();
      list.pushTail(v);
      model.push(v);
    } else if (r < 0.48) {
      assert.equal(list.popHead(), model.shift());
    } else if (r < 0.56) {
      assert.equal(list.popTail(), model.pop());
    } else if (r < 0.64) {
      assert.equal(list.at(idx), model.at(idx));
    } else if (r < 0.7) {
      const v = pick();
      const ok = idx >= -len && idx < len;
      assert.equal(list.set(idx, v), ok);
      if (ok) model[idx < 0 ? idx + len : idx] = v;
    } else if (r < 0.78) {
      const pivot = pick();
      const v = pick();
      const after = rand() < 0.5;
      const i = model.indexOf(pivot);
      assert.equal(list.insert(pivot, v, after), i !== -1);
      if (i !== -1) model.splice(after ? i + 1 : i, 0, v);
    } else if (r < 0.84) {
      const v = pick();
      const count = Math.floor(rand() * 7) - 3;
      assert.equal(list.remove(v, count), modelRemove(model, v, count));
    } else if (r < 0.86) {
      const stop = Math.floor(rand() * (len * 2 + 4)) - len - 2;
      if (rand() < 0.3) {
        list.trim(idx, stop);
        model = modelRange(model, idx, stop);
      } else {
        assert.deepEqual(list.range(idx, stop), modelRange(model, idx, stop));
      }
    } else if (r < 0.87) {
      assert.deepEqual([...list.values(true)], [...model].reverse());
    } else {
      // Bursts keep the list long enough to span several chunks.
      for (let k = 0; k < 50; k++) {
        const v = pick();
        list.pushTail(v);
        model.push(v);
      }
    }
    assert.equal(list.length, model.length);
    longest = Math.max(longest, model.length);
  }
  assert.deepEqual(list.toArray(), model);
  // Long enough to span many chunks, so splits, merges and chunk walks all ran.
  assert.ok(longest > 1000, `longest list: ${longest}`);
});

test('clone is independent', () => {
  const a = ListValue.from(['x', 'y', 'z']);
  const b = a.clone();
  b.set(0, 'changed');
  b.pushTail('w');
  assert.deepEqual(a.toArray(), ['x', 'y', 'z']);
  assert.deepEqual(b.toArray(), ['changed', 'y', 'z', 'w']);
  assert.equal(a.encoding(), 'quicklist');
});

test('digest mixes elements in order (value digest of RPUSH l a b c on Redis 7.0)', () => {
  assert.equal(digestValue(ListValue.from(['a', 'b', 'c'])).toString('hex'), '8bf72d812571eea9b927f3c11beb0c4165a6ff89');
});

test('LINDEX/LSET near both ends of a 1,000,000-element list visit O(1) chunks', () => {
  const list = new ListValue();
  for (let i = 0; i < 500_000; i++) {
    list.pushTail(String(i));
    list.pushHead(String(-i - 1));
  }
  assert.equal(list.length, 1_000_000);
  for (const k of [0, 1, 5, 100, 200]) {
    for (const index of [k, -1 - k]) {
      const before = list.chunkVisits;
      const v = list.at(index);
      assert.equal(v, index >= 0 ? String(index - 500_000) : String(499_999 + 1 + index));
      assert.ok(list.set(index, 'new'));
      assert.equal(list.at(index), 'new');
      // Three lookups, each visiting the chunks that hold the first k + 1 elements from its end.
      assert.ok(list.chunkVisits - before <= 3 * 4, `index ${index}: ${list.chunkVisits - before} chunk visits`);
    }
  }
  // The middle needs a walk, bounded by half the chunks: a sanity bound on the counter itself.
  const before = list.chunkVisits;
  list.at(500_000);
  assert.ok(list.chunkVisits - before > 100);
});
