// Unit tests of the SCAN cursor machinery (src/store/scan.ts), on plain Maps
// and Sets as HSCAN/SSCAN/ZSCAN will use it.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Client } from '../src/server/client.js';
import { parseScanCursor, parseScanOptions, ScanCursorTable, scanCursors, scanCursorsMax } from '../src/store/scan.js';

/** Runs a whole iteration, calling `between` after every step; returns what was visited and the cursors. */
function iterate<T>(
  table: ScanCursorTable,
  source: Map<string, unknown> | Set<string>,
  open: () => Iterator<T>,
  count: number,
  between: (step: number) => void = () => undefined,
): { visited: T[]; cursors: number[] } {
  const visited: T[] = [];
  const cursors: number[] = [];
  let cursor = 0;
  let step = 0;
  do {
    cursor = table.step(cursor, source, open, count, (e) => visited.push(e));
    cursors.push(cursor);
    between(step++);
  } while (cursor !== 0);
  return { visited, cursors };
}

describe('ScanCursorTable', () => {
  test('a full iteration visits each entry once, COUNT entries per step, and ends with cursor 0', () => {
    const table = new ScanCursorTable();
    const map = new Map(Array.from({ length: 95 }, (_, i) => [`k${i}`, i] as const));
    const { visited, cursors } = iterate(table, map, () => map.keys(), 10);
    assert.deepEqual(visited, [...map.keys()]);
    assert.equal(cursors.length, 10);
    assert.equal(cursors.at(-1), 0);
    assert.equal(table.size, 0, 'a finished iteration is forgotten');
  });

  test('cursors are distinct non-zero safe integers', () => {
    const table = new ScanCursorTable();
    const set = new Set(Array.from({ length: 1000 }, (_, i) => `m${i}`));
    const { cursors } = iterate(table, set, () => set.values(), 1);
    const live = cursors.slice(0, -1);
    assert.equal(new Set(live).size, live.length);
    for (const c of live) assert.ok(Number.isSafeInteger(c) && c > 0);
  });

  test('every entry present for the whole iteration is returned, whatever changes meanwhile', () => {
    const table = new ScanCursorTable();
    const map = new Map<string, number>();
    for (let i = 0; i < 300; i++) map.set(`stay${i}`, i);
    for (let i = 0; i < 300; i++) map.set(`churn${i}`, i);
    const { visited } = iterate(table, map, () => map.keys(), 7, (step) => {
      map.delete(`churn${step}`);
      map.delete(`churn${299 - step}`);
      map.set(`new${step}`, step);
      if (step > 3) map.set(`churn${step - 3}`, step);
    });
    const seen = new Set(visited);
    for (let i = 0; i < 300; i++) assert.ok(seen.has(`stay${i}`), `stay${i}`);
    assert.ok(!seen.has('churn299'), 'entries deleted before being reached are not returned');
  });

  test('entries, for HSCAN/ZSCAN: the iterator is whatever open() makes', () => {
    const table = new ScanCursorTable();
    const hash = new Map([['f1', 'v1'], ['f2', 'v2'], ['f3', 'v3']]);
    const { visited } = iterate(table, hash, () => hash.entries(), 2);
    assert.deepEqual(visited, [...hash.entries()]);
  });

  test('an unknown, used or foreign cursor starts over', () => {
    const table = new ScanCursorTable();
    const a = new Set(['a1', 'a2', 'a3', 'a4']);
    const b = new Set(['b1', 'b2']);
    const got: string[] = [];
    const push = (e: string) => got.push(e);
    const c1 = table.step(0, a, () => a.values(), 2, push);
    assert.deepEqual(got.splice(0), ['a1', 'a2']);
    assert.equal(table.step(c1, b, () => b.values(), 1, push) !== 0, true, 'a cursor of another collection');
    assert.deepEqual(got.splice(0), ['b1']);
    const c2 = table.step(0, a, () => a.values(), 2, push);
    got.length = 0;
    assert.equal(table.step(c2, a, () => a.values(), 5, push), 0);
    assert.deepEqual(got.splice(0), ['a3', 'a4']);
    table.step(c2, a, () => a.values(), 1, push);
    assert.deepEqual(got.splice(0), ['a1'], 'a cursor already used');
    table.step(424242, a, () => a.values(), 1, push);
    assert.deepEqual(got.splice(0), ['a1'], 'a cursor never issued');
  });

  test('beyond its limit the table drops the least recently used iteration', () => {
    const table = new ScanCursorTable(3);
    const set = new Set(['x', 'y', 'z']);
    const got: string[] = [];
    const cursors = [0, 1, 2, 3].map(() => table.step(0, set, () => set.values(), 1, (e) => got.push(e)));
    assert.equal(table.size, 3);
    got.length = 0;
    table.step(cursors[0], set, () => set.values(), 1, (e) => got.push(e));
    assert.deepEqual(got, ['x'], 'the oldest cursor was dropped: starts over');
    got.length = 0;
    table.step(cursors[3], set, () => set.values(), 1, (e) => got.push(e));
    assert.deepEqual(got, ['y'], 'the newest one goes on');
    assert.equal(scanCursorsMax, 1024);
  });

  test('one table per owner', () => {
    const s1 = {};
    const s2 = {};
    assert.equal(scanCursors(s1), scanCursors(s1));
    assert.notEqual(scanCursors(s1), scanCursors(s2));
  });
});

describe('parseScanCursor', () => {
  test('accepts what strtoul accepts, within 64 bits', () => {
    assert.equal(parseScanCursor('0'), 0);
    assert.equal(parseScanCursor(''), 0);
    assert.equal(parseScanCursor('+0'), 0);
    assert.equal(parseScanCursor('-0'), 0);
    assert.equal(parseScanCursor('000123'), 123);
    assert.equal(parseScanCursor('+77'), 77);
    assert.equal(parseScanCursor('9007199254740991'), 9007199254740991);
    assert.equal(parseScanCursor('9007199254740992'), 0, 'beyond any id: a new iteration');
    assert.equal(parseScanCursor('18446744073709551615'), 0);
    assert.equal(parseScanCursor('-1'), 0, 'wraps round to 2^64-1');
    assert.equal(parseScanCursor('-18446744073709551615'), 0);
  });

  test('rejects anything else', () => {
    for (const bad of ['abc', ' 1', '1 ', '+', '-', '1x', '0x10', '1.0', '18446744073709551616', '-18446744073709551616', '--1']) {
      assert.equal(parseScanCursor(bad), null, bad);
    }
  });
});

describe('parseScanOptions', () => {
  /** A client that only records errors, which is all the parser uses. */
  function errorsOf(argv: string[], allowType = true): { errors: string[]; result: ReturnType<typeof parseScanOptions> } {
    const errors: string[] = [];
    const c = { error: (m: string) => errors.push(m) } as unknown as Client;
    return { errors, result: parseScanOptions(c, argv, 2, allowType) };
  }

  test('defaults, overrides and MATCH *', () => {
    assert.deepEqual(errorsOf(['SCAN', '0']).result, { count: 10, match: null, type: null });
    const { result } = errorsOf(['SCAN', '0', 'count', '5', 'COUNT', '7', 'MATCH', 'a*', 'TYPE', 'String']);
    assert.equal(result?.count, 7);
    assert.equal(result?.type, 'string');
    assert.equal(result?.match?.('abc'), true);
    assert.equal(result?.match?.('bc'), false);
    assert.equal(errorsOf(['SCAN', '0', 'MATCH', '*']).result?.match, null);
  });

  test('errors', () => {
    assert.deepEqual(errorsOf(['SCAN', '0', 'COUNT', '0']).errors, ['ERR syntax error']);
    assert.deepEqual(errorsOf(['SCAN', '0', 'COUNT', 'x']).errors, ['ERR value is not an integer or out of range']);
    assert.deepEqual(errorsOf(['SCAN', '0', 'COUNT']).errors, ['ERR syntax error']);
    assert.deepEqual(errorsOf(['SCAN', '0', 'bogus', '1']).errors, ['ERR syntax error']);
    assert.deepEqual(errorsOf(['HSCAN', 'k', 'TYPE', 'hash'], false).errors, ['ERR syntax error']);
  });
});
