import { test } from 'node:test';
import assert from 'node:assert/strict';

import { readIntset, intsetBlob, intsetWidthOf } from '../src/persistence/intset.js';
import { defaultRdbLoadLimits, rdbLoadLimits, readObject, writeObject, type RdbLoadLimits } from '../src/persistence/rdb-object.js';
import { RdbFormatError, RdbReader, RdbWriter } from '../src/persistence/rdb-string.js';
import { readZiplist } from '../src/persistence/ziplist.js';
import { readZipmap } from '../src/persistence/zipmap.js';
import { HashValue } from '../src/store/hash.js';
import { ListValue } from '../src/store/list.js';
import { SetValue } from '../src/store/set.js';
import type { Value } from '../src/store/value.js';
import { ZSetValue } from '../src/store/zset.js';
import { ziplist, zipmap } from './helpers/rdb-fixtures.js';

function roundTrip(v: Value, limits: RdbLoadLimits = defaultRdbLoadLimits): { type: number; value: Value | null } {
  const w = new RdbWriter();
  writeObject(w, v, true, limits);
  const bytes = Buffer.from(w.bytes());
  const r = new RdbReader(bytes);
  const type = r.readType();
  const value = readObject(r, type, limits);
  assert.equal(r.remaining, 0, 'the whole object is read');
  return { type, value };
}

function encodingOf(v: Value | null): string {
  assert.ok(v !== null && typeof v === 'object' && !Buffer.isBuffer(v));
  return v.encoding();
}

test('rdbLoadLimits reads the config', () => {
  const names = new Map<string, number>([
    ['hash-max-listpack-entries', 1], ['hash-max-listpack-value', 2], ['zset-max-listpack-entries', 3], ['zset-max-listpack-value', 4],
    ['set-max-intset-entries', 5], ['list-max-listpack-size', -3], ['list-compress-depth', 6], ['stream-node-max-bytes', 7], ['stream-node-max-entries', 8],
  ]);
  assert.deepEqual(rdbLoadLimits({ getInt: (n) => names.get(n)! }), {
    hashMaxListpackEntries: 1, hashMaxListpackValue: 2, zsetMaxListpackEntries: 3, zsetMaxListpackValue: 4, setMaxIntsetEntries: 5,
    listMaxListpackSize: -3, listCompressDepth: 6, streamNodeMaxBytes: 7, streamNodeMaxEntries: 8,
  });
});

test('every type round-trips with its type byte', () => {
  assert.deepEqual(roundTrip('hello'), { type: 0, value: 'hello' });
  assert.deepEqual(roundTrip(Buffer.from('12')), { type: 0, value: '12' });
  const list = ListValue.from(['a', '1', 'x'.repeat(5000), 'b']);
  const l = roundTrip(list);
  assert.equal(l.type, 18);
  assert.deepEqual((l.value as ListValue).toArray(), list.toArray());

  const intset = SetValue.from(['5', '-1', '70000'], 512);
  const s = roundTrip(intset);
  assert.equal(s.type, 11);
  assert.equal((s.value as SetValue).intsetWidth, 4);
  assert.deepEqual([...(s.value as SetValue)], ['-1', '5', '70000']);
  const ht = roundTrip(SetValue.from(['a', '1'], 512));
  assert.equal(ht.type, 2);
  assert.equal(encodingOf(ht.value), 'hashtable');

  const z = new ZSetValue();
  z.insert('a', 1.5, { entries: 128, value: 64 });
  z.insert('b', -0, { entries: 128, value: 64 });
  const zr = roundTrip(z);
  assert.equal(zr.type, 17);
  assert.deepEqual([...(zr.value as ZSetValue)].map((e) => [e.member, e.score]), [['b', 0], ['a', 1.5]]);
  z.toSkiplist();
  assert.equal(roundTrip(z).type, 5);

  const h = new HashValue();
  h.set('f', 'v', { entries: 512, value: 64 });
  assert.equal(roundTrip(h).type, 16);
  h.set('long', 'x'.repeat(100), { entries: 512, value: 64 });
  const hr = roundTrip(h);
  assert.equal(hr.type, 4);
  assert.equal(encodingOf(hr.value), 'hashtable');
  assert.equal((hr.value as HashValue).get('long'), 'x'.repeat(100));
});

test('loading converts encodings by the limits, as Redis 7.0 does', () => {
  const small: RdbLoadLimits = { ...defaultRdbLoadLimits, hashMaxListpackEntries: 1, zsetMaxListpackEntries: 1, setMaxIntsetEntries: 1 };
  const h = new HashValue();
  h.set('a', '1', { entries: 512, value: 64 });
  h.set('b', '2', { entries: 512, value: 64 });
  assert.equal(encodingOf(roundTrip(h, small).value), 'hashtable');
  assert.equal(encodingOf(roundTrip(SetValue.from(['1', '2'], 512), small).value), 'hashtable');
  const z = new ZSetValue();
  z.insert('a', 1, { entries: 128, value: 64 });
  z.insert('b', 2, { entries: 128, value: 64 });
  assert.equal(encodingOf(roundTrip(z, small).value), 'skiplist');
  // A skiplist that fits the limits becomes a listpack after loading.
  z.toSkiplist();
  assert.equal(encodingOf(roundTrip(z).value), 'listpack');
});

test('empty collections read as null; modules and unknown types are format errors', () => {
  for (const type of [1, 2, 3, 4, 5, 14, 18]) {
    assert.equal(readObject(new RdbReader(Buffer.from([0])), type, defaultRdbLoadLimits), null, `type ${type}`);
  }
  for (const type of [6, 7, 8, 22, 200]) {
    assert.throws(() => readObject(new RdbReader(Buffer.from([1, 2, 3])), type, defaultRdbLoadLimits), RdbFormatError, `type ${type}`);
  }
});

test('ziplist, zipmap and intset readers', () => {
  const items = ['a', '0', '12', '13', '-1', '300', '-70000', '9000000', '5000000000', 'y'.repeat(300), 'z'.repeat(20000)];
  assert.deepEqual(readZiplist(ziplist(items)), items);
  assert.deepEqual(readZiplist(ziplist([])), []);
  assert.deepEqual(readZipmap(zipmap([['a', '1'], ['f'.repeat(300), 'v']])), [['a', '1'], ['f'.repeat(300), 'v']]);
  assert.deepEqual(readIntset(intsetBlob(['-1', '2'], 8)), { members: ['-1', '2'], width: 8 });
  assert.equal(intsetWidthOf(32767), 2);
  assert.equal(intsetWidthOf(-32769), 4);
  assert.equal(intsetWidthOf(2n ** 31n), 8);
  const readers: Array<[Buffer, (b: Uint8Array) => unknown]> = [
    [ziplist(items), readZiplist],
    [zipmap([['a', '1'], ['b', '2']]), readZipmap],
    [intsetBlob(['1', '2', '3'], 4), readIntset],
  ];
  for (const [good, read] of readers) {
    for (let cut = 0; cut < good.length; cut++) assert.throws(() => read(good.subarray(0, cut)), RdbFormatError, `cut ${cut}`);
  }
});
