// Copy-on-write snapshots: whatever clients write while the walk runs, the
// keys delivered are exactly the dataset as of the start, each once.

import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { test } from 'node:test';
import { digestValue } from '../src/persistence/digest.js';
import type { SnapshotConsumer } from '../src/store/snapshot.js';
import type { Value } from '../src/store/value.js';
import { inProcessServer, type InProcessServer } from './helpers/in-process.js';

/** What a key was: its value's digest and its TTL. */
type KeyState = string;

function keyState(value: Value, expireAt: number | undefined): KeyState {
  return `${digestValue(value, expireAt !== undefined).toString('hex')}@${expireAt ?? '-'}`;
}

/** Every key of every database now, as "db:key" → state. */
function datasetState(s: InProcessServer): Map<string, KeyState> {
  const out = new Map<string, KeyState>();
  for (const db of s.server.dbs) {
    for (const [key, value] of db.dict) out.set(`${db.id}:${key}`, keyState(value, db.expires.get(key)));
  }
  return out;
}

/** A consumer that records keys as they arrive, failing on a key delivered twice. */
class RecordingConsumer implements SnapshotConsumer {
  readonly keys = new Map<string, KeyState>();
  readonly dbsBegun: Array<[number, number, number]> = [];
  duplicates = 0;
  full = false;

  beginDb(db: number, keys: number, expires: number): void {
    this.dbsBegun.push([db, keys, expires]);
  }

  key(db: number, key: string, value: Value, expireAt: number | undefined): void {
    const id = `${db}:${key}`;
    if (this.keys.has(id)) this.duplicates++;
    this.keys.set(id, keyState(value, expireAt));
  }

  saturated(): boolean {
    return this.full;
  }
}

/** A seeded generator, so that a failure repeats. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x80000000;
  };
}

function populate(s: InProcessServer, keysPerDb: number): void {
  for (const db of [0, 1, 3]) {
    s.call('SELECT', String(db));
    for (let i = 0; i < keysPerDb; i++) {
      switch (i % 6) {
        case 0: s.call('SET', `k${i}`, `v${i}`); break;
        case 1: s.call('RPUSH', `k${i}`, 'a', 'b', String(i)); break;
        case 2: s.call('HSET', `k${i}`, 'f', String(i), 'g', 'x'); break;
        case 3: s.call('SADD', `k${i}`, '1', '2', String(i)); break;
        case 4: s.call('ZADD', `k${i}`, '1', 'a', String(i), 'b'); break;
        default: s.call('SET', `k${i}`, 'with-ttl', 'PX', '100000000');
      }
    }
  }
  s.call('SELECT', '0');
}

/** One random write that may touch a key the snapshot has not delivered yet. */
function randomWrite(s: InProcessServer, next: () => number, keysPerDb: number): void {
  const key = `k${Math.floor(next() * keysPerDb * 1.2)}`;
  const other = `k${Math.floor(next() * keysPerDb * 1.2)}`;
  s.call('SELECT', String([0, 1, 2, 3][Math.floor(next() * 4)]));
  const ops: string[][] = [
    ['SET', key, `new${next()}`],
    ['DEL', key],
    ['APPEND', key, 'tail'],
    ['SETRANGE', key, '2', 'zz'],
    ['RPUSH', key, 'pushed'],
    ['LPOP', key],
    ['HSET', key, 'f', 'changed'],
    ['SADD', key, 'added'],
    ['SREM', key, '1'],
    ['ZINCRBY', key, '5', 'a'],
    ['EXPIRE', key, '1000'],
    ['PERSIST', key],
    ['RENAME', key, other],
    ['MOVE', key, '3'],
    ['COPY', key, other, 'DB', '1', 'REPLACE'],
    ['INCR', `counter${Math.floor(next() * 10)}`],
  ];
  s.call(...ops[Math.floor(next() * ops.length)]);
  if (next() < 0.002) s.call('FLUSHDB');
  if (next() < 0.002) s.call('SWAPDB', '0', '1');
}

test('a snapshot delivers the dataset as of its start while writes go on', async () => {
  for (const seed of [1, 2, 3]) {
    const s = inProcessServer();
    const keysPerDb = 3000;
    populate(s, keysPerDb);
    const before = datasetState(s);
    const consumer = new RecordingConsumer();
    const job = s.server.snapshots.start(consumer);
    const next = random(seed);
    let writes = 0;
    let finished = false;
    void job.done.then(() => (finished = true));
    while (!finished) {
      for (let i = 0; i < 50; i++) randomWrite(s, next, keysPerDb);
      writes += 50;
      // Backpressure now and then: the walk waits for resume().
      consumer.full = next() < 0.2;
      await tick();
      if (consumer.full) {
        consumer.full = false;
        job.resume();
      }
    }
    assert.ok(writes > 100, `the walk spanned ${writes} writes`);
    assert.equal(consumer.duplicates, 0);
    assert.deepEqual(consumer.keys, before);
    assert.deepEqual(
      consumer.dbsBegun,
      [0, 1, 3].map((db) => [db, keysPerDb, keysPerDb / 6]),
    );
    // Every database is unmarked again: writes after the end cost nothing.
    assert.ok(s.server.dbs.every((db) => db.snapshotMark === 0));
  }
});

test('consecutive and aborted snapshots each see their own start', async () => {
  const s = inProcessServer();
  populate(s, 600);
  for (let round = 0; round < 70; round++) {
    const consumer = new RecordingConsumer();
    const before = datasetState(s);
    const job = s.server.snapshots.start(consumer);
    s.call('SET', `round${round}`, 'x');
    if (round % 3 === 1) {
      job.abort(new Error('consumer went away'));
      await assert.rejects(job.done, /consumer went away/);
      continue;
    }
    await job.done;
    assert.equal(consumer.duplicates, 0);
    assert.deepEqual(consumer.keys, before);
  }
});

test('a blocking snapshot (SAVE) finishes in one call, after a walk left by an abort', () => {
  const s = inProcessServer();
  populate(s, 300);
  const aborted = s.server.snapshots.start(new RecordingConsumer());
  aborted.abort(new Error('gone'));
  const consumer = new RecordingConsumer();
  const before = datasetState(s);
  s.server.snapshots.runSync(consumer);
  assert.deepEqual(consumer.keys, before);
  assert.ok(s.server.dbs.every((db) => db.snapshotMark === 0));
});

test('a key read during the walk keeps its mark: no second delivery when written later', async () => {
  const s = inProcessServer();
  populate(s, 3000);
  const consumer = new RecordingConsumer();
  const before = datasetState(s);
  const job = s.server.snapshots.start(consumer);
  let finished = false;
  void job.done.then(() => (finished = true));
  while (!finished) {
    for (let i = 0; i < 3000; i += 7) s.call('GET', `k${i}`);
    await tick();
    for (let i = 0; i < 3000; i += 7) s.call('SET', `k${i}`, 'after');
  }
  assert.equal(consumer.duplicates, 0);
  assert.deepEqual(consumer.keys, before);
});

test('after many aborted walks in a row, marks are cleared before one is reused', async () => {
  const s = inProcessServer();
  populate(s, 600);
  for (let round = 0; round < 130; round++) {
    const job = s.server.snapshots.start(new RecordingConsumer());
    // Let some aborted walks get part of the way: their marks stay on the keys they reached.
    if (round % 2 === 0) await tick();
    job.abort(new Error('gone'));
  }
  const consumer = new RecordingConsumer();
  const before = datasetState(s);
  await s.server.snapshots.start(consumer).done;
  assert.deepEqual(consumer.keys, before);
});
