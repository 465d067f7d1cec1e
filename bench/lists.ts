// Micro-benchmark of the list structure (src/store/list.ts): index access
// near both ends of a 1,000,000-element list against access in the middle,
// and push/pop at the ends. Prints a table; asserts nothing.
//
//   npx tsc -p tsconfig.json && node dist/bench/lists.js

import { ListValue } from '../src/store/list.js';

const size = 1_000_000;
const rounds = 200_000;

/** Mean nanoseconds per call of `fn` over `n` calls. */
function timePerCall(n: number, fn: (i: number) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / n;
}

function row(label: string, ns: number, visits?: number): void {
  const perCall = visits === undefined ? '' : `  ${visits.toFixed(1).padStart(8)} chunk visits/call`;
  console.log(`${label.padEnd(44)} ${ns.toFixed(0).padStart(10)} ns/call${perCall}`);
}

const list = new ListValue();
const built = timePerCall(size, (i) => list.pushTail(`element:${i}`));
row(`RPUSH x ${size} (build)`, built);

for (const [label, index] of [
  ['LINDEX 0', 0],
  ['LINDEX -1', -1],
  ['LINDEX 100', 100],
  ['LINDEX -101', -101],
  ['LINDEX 1000', 1000],
  ['LINDEX middle (500000)', size / 2],
] as const) {
  const n = index === size / 2 ? 2_000 : rounds;
  const visitsBefore = list.chunkVisits;
  const ns = timePerCall(n, () => list.at(index));
  row(label, ns, (list.chunkVisits - visitsBefore) / n);
}

row('LSET 0 / LSET -1 (alternating)', timePerCall(rounds, (i) => list.set(i & 1 ? -1 : 0, 'v')));
row('LPUSH + RPOP', timePerCall(rounds, () => {
  list.pushHead('x');
  list.popTail();
}));
row('RPUSH + LPOP', timePerCall(rounds, () => {
  list.pushTail('x');
  list.popHead();
}));
row('LRANGE 0 9', timePerCall(rounds, () => list.range(0, 9)));
row('LRANGE -10 -1', timePerCall(rounds, () => list.range(-10, -1)));
console.log(`list length at the end: ${list.length}`);
