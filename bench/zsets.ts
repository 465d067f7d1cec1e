// Micro-benchmark of the sorted set structure (src/store/zset.ts): rank and
// score-range queries on a 1,000,000-member set, near the ends and in the
// middle, against a 1,000-member set (O(log n): the cost grows by a small
// factor, not a thousandfold). Prints a table; asserts nothing.
//
//   npx tsc -p tsconfig.json && node dist/bench/zsets.js

import { ZSetValue, type ScoreRange } from '../src/store/zset.js';

const rounds = 200_000;
const noLimits = { entries: 0, value: 0 };

/** Mean nanoseconds per call of `fn` over `n` calls. */
function timePerCall(n: number, fn: (i: number) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / n;
}

function row(label: string, ns: number): void {
  console.log(`${label.padEnd(52)} ${ns.toFixed(0).padStart(10)} ns/call`);
}

/** ZRANGE key min max BYSCORE LIMIT 0 10, as the command walks it. */
function rangeByScore(zs: ZSetValue, range: ScoreRange): number {
  const first = zs.firstInScore(range);
  if (first === null) return 0;
  let n = 0;
  for (const e of zs.walk(first)) {
    if (n === 10 || e.score > range.max) break;
    n++;
  }
  return n;
}

function measure(size: number): void {
  console.log(`-- ${size} members (score i, member "member:i", inserted in a shuffled order)`);
  const order = Array.from({ length: size }, (_, i) => i);
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const zs = new ZSetValue('skiplist');
  row(`ZADD x ${size} (build)`, timePerCall(size, (i) => zs.insert(`member:${order[i]}`, order[i], noLimits)));
  const probes = Array.from({ length: 1024 }, () => Math.floor(Math.random() * size));
  row('ZRANK random member', timePerCall(rounds, (i) => zs.rank(`member:${probes[i & 1023]}`)));
  row('ZRANK first / last member (alternating)', timePerCall(rounds, (i) => zs.rank(`member:${i & 1 ? size - 1 : 0}`)));
  row('ZREVRANK random member', timePerCall(rounds, (i) => zs.rank(`member:${probes[i & 1023]}`, true)));
  row('ZSCORE random member', timePerCall(rounds, (i) => zs.score(`member:${probes[i & 1023]}`)));
  row('ZRANGE BYSCORE [x, x+100] LIMIT 0 10, random x', timePerCall(rounds, (i) => {
    const x = probes[i & 1023];
    rangeByScore(zs, { min: x, max: x + 100, minex: false, maxex: false });
  }));
  row('ZRANGE BYSCORE (x, +inf) LIMIT 0 10, x near the end', timePerCall(rounds, () => {
    rangeByScore(zs, { min: size - 5, max: Infinity, minex: true, maxex: false });
  }));
  row('ZCOUNT [x, x+size/2], random x', timePerCall(rounds, (i) => {
    const x = probes[i & 1023];
    zs.countInScore({ min: x, max: x + size / 2, minex: false, maxex: false });
  }));
  row('ZRANGE rank r r+9, random r', timePerCall(rounds, (i) => {
    let n = 0;
    for (const _ of zs.walk(probes[i & 1023])) if (++n === 10) break;
  }));
  row('ZINCRBY random member (move to a new score)', timePerCall(rounds, (i) => {
    const m = `member:${probes[i & 1023]}`;
    zs.setScore(m, zs.score(m)! + (i & 1 ? 0.5 : -0.5));
  }));
  row('ZREM + ZADD random member', timePerCall(rounds, (i) => {
    const v = probes[i & 1023];
    zs.delete(`member:${v}`);
    zs.insert(`member:${v}`, v, noLimits);
  }));
  console.log(`size at the end: ${zs.size}`);
}

measure(1_000);
measure(1_000_000);
