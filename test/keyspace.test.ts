// Unit tests of the keyspace: Database (lazy expiry, lookups, LRU/LFU access
// data, SWAPDB, RANDOMKEY) and the active expire cycle, on a fake clock.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Database, lruClockMax, type KeyspaceHost, type LfuSettings } from '../src/store/database.js';
import { ActiveExpire } from '../src/store/expire.js';

/** A host whose clock, role and LFU setting the test controls, recording what the database reports. */
class FakeHost implements KeyspaceHost {
  nowMs = 1_700_000_000_000;
  master = true;
  lfuSettings: LfuSettings | null = null;
  expiredKeys: string[] = [];
  modifiedKeys: string[] = [];
  createdKeys: string[] = [];
  missedKeys: string[] = [];
  hits = 0;
  misses = 0;

  now(): number {
    return this.nowMs;
  }
  expiresKeys(): boolean {
    return this.master;
  }
  keyExpired(_db: Database, key: string): void {
    this.expiredKeys.push(key);
  }
  countLookup(hit: boolean): void {
    if (hit) this.hits++;
    else this.misses++;
  }
  keyMissed(_db: Database, key: string): void {
    this.missedKeys.push(key);
  }
  lruClock(): number {
    return Math.floor(this.nowMs / 1000) & lruClockMax;
  }
  lfu(): LfuSettings | null {
    return this.lfuSettings;
  }
  keyModified(_db: Database, key: string): void {
    this.modifiedKeys.push(key);
  }
  keyCreated(_db: Database, key: string): void {
    this.createdKeys.push(key);
  }
  keysReplacing(): void {}
  snapshotKey(): void {}
}

function setup(): { host: FakeHost; db: Database } {
  const host = new FakeHost();
  return { host, db: new Database(0, host) };
}

describe('lazy expiry', () => {
  test('a key expires once the clock is past its time, not at it', () => {
    const { host, db } = setup();
    db.set('k', 'v');
    db.setExpire('k', host.nowMs + 100);
    host.nowMs += 100;
    assert.equal(db.lookup('k'), 'v');
    host.nowMs += 1;
    assert.equal(db.keyIsExpired('k'), true);
    assert.equal(db.dict.has('k'), true, 'keyIsExpired deletes nothing');
    assert.equal(db.lookup('k'), undefined);
    assert.equal(db.dict.has('k'), false);
    assert.equal(db.expires.has('k'), false);
    assert.deepEqual(host.expiredKeys, ['k']);
  });

  test('every access path sees an expired key as missing', () => {
    const { host, db } = setup();
    for (const k of ['a', 'b', 'c', 'd']) {
      db.set(k, 'v');
      db.setExpire(k, host.nowMs - 1);
    }
    assert.equal(db.lookupRead('a'), undefined);
    assert.equal(host.misses, 1);
    assert.equal(db.lookupWrite('b'), undefined);
    assert.equal(db.has('c'), false);
    assert.equal(db.delete('d'), false, 'deleting an expired key reports it as absent');
    assert.equal(db.size, 0);
    assert.deepEqual(host.expiredKeys, ['a', 'b', 'c', 'd']);
  });

  test('a replica hides expired keys but keeps them for the master to delete', () => {
    const { host, db } = setup();
    host.master = false;
    db.set('k', 'v');
    db.setExpire('k', host.nowMs - 1);
    assert.equal(db.lookup('k'), undefined);
    assert.equal(db.dict.has('k'), true);
    assert.deepEqual(host.expiredKeys, []);
  });

  test('set drops the TTL unless asked to keep it; update keeps it', () => {
    const { host, db } = setup();
    db.set('k', 'v');
    db.setExpire('k', host.nowMs + 1000);
    db.update('k', 'w');
    assert.equal(db.getExpire('k'), host.nowMs + 1000);
    db.set('k', 'x', true);
    assert.equal(db.getExpire('k'), host.nowMs + 1000);
    db.set('k', 'y');
    assert.equal(db.getExpire('k'), undefined);
    db.setExpire('k', host.nowMs + 1000);
    assert.equal(db.persist('k'), true);
    assert.equal(db.persist('k'), false);
  });
});

describe('access times', () => {
  test('reads count hits and misses; touch false leaves the LRU time alone', () => {
    const { host, db } = setup();
    db.set('k', 'v');
    host.nowMs += 10_000;
    assert.equal(db.lookupRead('k', false), 'v');
    assert.equal(db.lookupRead('nokey', false), undefined);
    assert.deepEqual([host.hits, host.misses], [1, 1]);
    assert.equal(db.idleSeconds('k'), 10);
    db.lookupRead('k');
    assert.equal(db.idleSeconds('k'), 0);
    host.nowMs += 3000;
    db.lookupWrite('k');
    assert.equal(db.idleSeconds('k'), 0);
    assert.deepEqual([host.hits, host.misses], [2, 1], 'writes are not counted');
  });

  test('a read miss is reported as a keymiss unless the lookup asks not to (OBJECT)', () => {
    const { host, db } = setup();
    db.lookupRead('a');
    db.lookupWrite('b');
    db.lookupRead('c', false, false);
    assert.deepEqual(host.missedKeys, ['a']);
    assert.equal(host.misses, 2);
  });

  test('setIdleSeconds backdates, and wraps like Redis when beyond the clock', () => {
    const { host, db } = setup();
    db.set('k', 'v');
    db.setIdleSeconds('k', 1234);
    assert.equal(db.idleSeconds('k'), 1234);
    db.setIdleSeconds('k', host.lruClock() + 1);
    assert.equal(db.idleSeconds('k'), lruClockMax - Math.floor(lruClockMax / 2));
  });

  test('the idle time survives the 24-bit clock wrapping', () => {
    const { host, db } = setup();
    host.nowMs = (lruClockMax - 5) * 1000;
    db.set('k', 'v');
    host.nowMs += 10_000;
    assert.equal(host.lruClock() < 10, true);
    assert.equal(db.idleSeconds('k'), 9);
  });

  test('LFU: new keys start at 5, the first access counts, the counter decays per period', () => {
    const { host, db } = setup();
    host.lfuSettings = { logFactor: 10, decayMinutes: 1 };
    db.set('k', 'v');
    assert.equal(db.accessFrequency('k'), 5);
    db.lookupRead('k');
    assert.equal(db.accessFrequency('k'), 6);
    db.set('k', 'w');
    assert.equal(db.accessFrequency('k'), 6, 'an overwrite keeps the frequency');
    db.setAccessFrequency('k', 100);
    host.nowMs += 3 * 60_000;
    assert.equal(db.accessFrequency('k'), 97);
    host.lfuSettings = { logFactor: 10, decayMinutes: 0 };
    assert.equal(db.accessFrequency('k'), 100);
    db.setAccessFrequency('k', 255);
    db.lookupRead('k');
    assert.equal(db.accessFrequency('k'), 255, 'the counter saturates');
  });

  test('LFU: the counter grows logarithmically', () => {
    const { host, db } = setup();
    host.lfuSettings = { logFactor: 10, decayMinutes: 0 };
    db.set('k', 'v');
    for (let i = 0; i < 1000; i++) db.lookupRead('k');
    // redis.conf's table for lfu-log-factor 10: about 10 after 100 hits, 18 after 1000, 142 after 100K.
    const n = db.accessFrequency('k');
    assert.ok(n >= 10 && n <= 32, `counter after 1000 accesses: ${n}`);
  });
});

describe('SWAPDB', () => {
  test('swapWith exchanges the structures themselves, in O(1); ids stay', () => {
    const host = new FakeHost();
    const a = new Database(0, host);
    const b = new Database(1, host);
    for (let i = 0; i < 1000; i++) a.set(`k${i}`, 'v');
    a.setExpire('k1', host.nowMs + 1000);
    b.set('only', 'b');
    const [dictA, expiresA, lruA, dictB] = [a.dict, a.expires, a.lru, b.dict];
    a.swapWith(b);
    assert.equal(b.dict, dictA, 'the same Map object: nothing was copied');
    assert.equal(b.expires, expiresA);
    assert.equal(b.lru, lruA);
    assert.equal(a.dict, dictB);
    assert.deepEqual([a.id, b.id], [0, 1]);
    assert.equal(b.getExpire('k1'), host.nowMs + 1000);
    assert.equal(a.lookup('only'), 'b');
    assert.equal(a.size, 1);
  });
});

describe('randomKey', () => {
  test('empty database: none', () => {
    assert.equal(setup().db.randomKey(), undefined);
  });

  test('returns every live key sooner or later', () => {
    const { db } = setup();
    for (let i = 0; i < 20; i++) db.set(`k${i}`, 'v');
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(db.randomKey()!);
    assert.equal(seen.size, 20);
  });

  test('on a master, expired picks are deleted until a live key turns up', () => {
    const { host, db } = setup();
    for (let i = 0; i < 500; i++) {
      db.set(`dead${i}`, 'v');
      db.setExpire(`dead${i}`, host.nowMs - 1);
    }
    db.set('alive', 'v');
    assert.equal(db.randomKey(), 'alive');
    db.setExpire('alive', host.nowMs - 1);
    assert.equal(db.randomKey(), undefined);
    assert.equal(db.size, 0);
  });

  test('on a replica where every key has expired, it still ends', () => {
    const { host, db } = setup();
    host.master = false;
    for (let i = 0; i < 10; i++) {
      db.set(`k${i}`, 'v');
      db.setExpire(`k${i}`, host.nowMs - 1);
    }
    assert.match(db.randomKey()!, /^k\d$/);
    db.set('live', 'v');
    assert.equal(db.randomKey(), 'live');
  });
});

describe('active expire cycle', () => {
  /** A clock advancing `stepMs` each time the cycle reads it. */
  function tickingClock(host: FakeHost, stepMs: number): () => number {
    return () => (host.nowMs += stepMs);
  }

  test('deletes expired keys nobody reads, in every database, and nothing else', () => {
    const host = new FakeHost();
    const dbs = [new Database(0, host), new Database(1, host), new Database(2, host)];
    for (const db of dbs) {
      for (let i = 0; i < 1000; i++) {
        db.set(`dead${i}`, 'v');
        db.setExpire(`dead${i}`, host.nowMs - 1);
        db.set(`live${i}`, 'v');
        db.setExpire(`live${i}`, host.nowMs + 60_000);
        db.set(`plain${i}`, 'v');
      }
    }
    const cycle = new ActiveExpire();
    let deleted = 0;
    for (let i = 0; i < 100 && dbs.some((db) => db.size > 2000); i++) deleted += cycle.cycle(dbs, 1000, () => host.nowMs);
    assert.equal(deleted, 3000);
    assert.equal(host.expiredKeys.length, 3000);
    for (const db of dbs) {
      assert.equal(db.size, 2000);
      assert.equal(db.expires.size, 1000);
      for (const key of db.dict.keys()) assert.ok(!key.startsWith('dead'));
    }
  });

  test('keeps going while many sampled keys had expired', () => {
    const host = new FakeHost();
    const db = new Database(0, host);
    for (let i = 0; i < 5000; i++) {
      db.set(`k${i}`, 'v');
      db.setExpire(`k${i}`, host.nowMs - 1);
    }
    assert.equal(new ActiveExpire().cycle([db], 1000, () => host.nowMs), 5000);
  });

  test('stops sampling a database where few keys had expired', () => {
    const host = new FakeHost();
    const db = new Database(0, host);
    for (let i = 0; i < 5000; i++) {
      db.set(`k${i}`, 'v');
      db.setExpire(`k${i}`, i % 100 === 0 ? host.nowMs - 1 : host.nowMs + 60_000);
    }
    const deleted = new ActiveExpire().cycle([db], 1000, () => host.nowMs);
    assert.ok(deleted <= 1, `one sample of 20 keys holds at most one expired key: ${deleted}`);
  });

  test('respects its time budget, and the next cycles go on where it stopped', () => {
    const host = new FakeHost();
    const db = new Database(0, host);
    for (let i = 0; i < 2000; i++) {
      db.set(`k${i}`, 'v');
      db.setExpire(`k${i}`, host.nowMs - 1);
    }
    const cycle = new ActiveExpire();
    // Each sample reads the clock once and costs 1 ms: a 5 ms budget allows 5 samples of 20 keys.
    const first = cycle.cycle([db], 5, tickingClock(host, 1));
    assert.equal(first, 100);
    let total = first;
    while (db.size > 0) total += cycle.cycle([db], 5, tickingClock(host, 1));
    assert.equal(total, 2000);
  });

  test('databases without TTLs cost nothing', () => {
    const host = new FakeHost();
    const db = new Database(0, host);
    for (let i = 0; i < 100; i++) db.set(`k${i}`, 'v');
    let reads = 0;
    assert.equal(new ActiveExpire().cycle([db], 5, () => (reads++, host.nowMs)), 0);
    assert.equal(reads, 1);
  });
});

test('writes signal modification (WATCH) and creation (blocked clients) only when something changed', () => {
  const { host, db } = setup();
  db.set('a', '1');
  db.set('a', '2');
  assert.deepEqual(host.createdKeys, ['a']);
  assert.deepEqual(host.modifiedKeys, ['a', 'a']);
  host.modifiedKeys.length = 0;
  db.setExpire('a', host.nowMs + 1000);
  assert.equal(db.persist('a'), true);
  assert.equal(db.persist('a'), false);
  db.update('a', '3');
  db.modified('a');
  assert.equal(db.delete('a'), true);
  assert.equal(db.delete('a'), false);
  db.lookupRead('b');
  assert.deepEqual(host.modifiedKeys, ['a', 'a', 'a', 'a', 'a']);
  assert.deepEqual(host.createdKeys, ['a']);
});
