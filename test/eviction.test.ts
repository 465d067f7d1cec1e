// maxmemory: which keys each policy evicts (in-process, driving the evictor
// one key at a time), what an eviction does besides deleting (DEL/UNLINK
// propagated, evicted_keys, the "evicted" event, WATCH broken), the OOM
// refusals against real Redis, and black-box runs writing past a limit set
// with CONFIG SET.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Config } from '../src/config/config.js';
import { Client } from '../src/server/client.js';
import { Server } from '../src/server/server.js';
import { cmd, differentialSuite, type DiffCase } from './helpers/differential.js';
import { RawConnection } from './helpers/resp.js';
import { startTandem, type RunningServer } from './helpers/servers.js';

/** A socketless client whose replies the test reads. */
class TestClient extends Client {
  replies(): string {
    return Buffer.concat(this.takeOutput() ?? []).toString('latin1');
  }
}

function serverWith(policy: string): { server: Server; client: TestClient; evicted: () => string[] } {
  const server = new Server(new Config(), { logSink: () => undefined });
  assert.equal(server.config.setRuntime([['maxmemory-policy', policy]]), null);
  const client = new TestClient(server, 1, null);
  const before = new Set<string>();
  return {
    server,
    client,
    /** Keys of db 0 gone since the previous call. */
    evicted: () => {
      const gone = [...before].filter((k) => !server.dbs[0].dict.has(k));
      before.clear();
      for (const k of server.dbs[0].dict.keys()) before.add(k);
      return gone.sort();
    },
  };
}

/** Evicts `n` keys, failing if the policy finds none to evict before that. */
function evictKeys(server: Server, n: number): void {
  for (let i = 0; i < n; i++) assert.notEqual(server.evictor.evictOne(), null, `eviction ${i + 1} of ${n}`);
}

/** 0..n-1 in random order: keys are not inserted in the order of what makes them evictable. */
function shuffled(n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe('eviction policies', () => {
  test('allkeys-lru evicts the keys idle longest', () => {
    const { server, evicted } = serverWith('allkeys-lru');
    // Redis's sampling is approximate: with 64 samples (its maximum) a round misses every
    // remaining candidate key with probability ~1e-10, so the strict assertion below holds.
    assert.equal(server.config.setRuntime([['maxmemory-samples', '64']]), null);
    const db = server.dbs[0];
    for (const i of shuffled(200)) {
      db.set(i < 100 ? `cold${i}` : `hot${i}`, 'v');
      if (i < 100) db.setIdleSeconds(`cold${i}`, 10_000);
    }
    evicted();
    evictKeys(server, 60);
    const gone = evicted();
    assert.equal(gone.length, 60);
    assert.deepEqual(gone.filter((k) => !k.startsWith('cold')), []);
  });

  test('allkeys-lfu evicts the keys used least', () => {
    const { server, evicted } = serverWith('allkeys-lfu');
    // Redis's sampling is approximate: with 64 samples (its maximum) a round misses every
    // remaining candidate key with probability ~1e-10, so the strict assertion below holds.
    assert.equal(server.config.setRuntime([['maxmemory-samples', '64']]), null);
    const db = server.dbs[0];
    for (const i of shuffled(200)) {
      const key = i < 100 ? `rare${i}` : `often${i}`;
      db.set(key, 'v');
      db.setAccessFrequency(key, i < 100 ? 0 : 200);
    }
    evicted();
    evictKeys(server, 60);
    assert.deepEqual(evicted().filter((k) => !k.startsWith('rare')), []);
  });

  test('volatile-ttl evicts keys about to expire first, and never a key without a TTL', () => {
    const { server, evicted } = serverWith('volatile-ttl');
    const db = server.dbs[0];
    const now = Date.now();
    for (const i of shuffled(100)) {
      db.set(`k${i}`, 'v');
      db.setExpire(`k${i}`, now + 1_000_000 + i * 1000);
      db.set(`persistent${i}`, 'v');
    }
    evicted();
    evictKeys(server, 20);
    const gone = evicted();
    assert.equal(gone.length, 20);
    const ranks = gone.map((k) => Number(k.slice(1)));
    // Random picks would average 50; sampling into the pool keeps the soonest.
    assert.ok(ranks.reduce((a, b) => a + b, 0) / ranks.length < 30, `evicted ranks ${ranks}`);
    evictKeys(server, 80);
    assert.equal(server.evictor.evictOne(), null, 'nothing volatile left');
    assert.equal(db.size, 100);
  });

  test('volatile-lru and volatile-random only evict keys with a TTL, across databases', () => {
    for (const policy of ['volatile-lru', 'volatile-random', 'volatile-lfu']) {
      const { server } = serverWith(policy);
      for (const db of [server.dbs[0], server.dbs[5]]) {
        for (let i = 0; i < 20; i++) {
          db.set(`plain${i}`, 'v');
          db.set(`ttl${i}`, 'v');
          db.setExpire(`ttl${i}`, Date.now() + 100_000);
        }
      }
      evictKeys(server, 40);
      assert.equal(server.evictor.evictOne(), null, policy);
      for (const db of [server.dbs[0], server.dbs[5]]) {
        assert.deepEqual([...db.dict.keys()].filter((k) => !k.startsWith('plain')), [], policy);
        assert.equal(db.size, 20, policy);
      }
    }
  });

  test('allkeys-random evicts from every database until none is left', () => {
    const { server } = serverWith('allkeys-random');
    for (const id of [0, 3, 15]) for (let i = 0; i < 10; i++) server.dbs[id].set(`k${i}`, 'v');
    evictKeys(server, 30);
    assert.equal(server.evictor.evictOne(), null);
    assert.equal(server.stats.evictedKeys, 30);
  });

  test('an evicted key is propagated as DEL (UNLINK with lazyfree-lazy-eviction), counted, notified and breaks WATCH', () => {
    const { server, client } = serverWith('allkeys-random');
    const propagated: string[] = [];
    server.propagationSinks.push((db, argv) => propagated.push(`${db}:${argv.join(' ')}`));
    const subscriber = new TestClient(server, 2, null);
    server.config.setRuntime([['notify-keyspace-events', 'Ee']]);
    server.execute(subscriber, ['SUBSCRIBE', '__keyevent@0__:evicted']);
    subscriber.replies();
    server.execute(client, ['SET', 'k', 'v']);
    server.execute(client, ['WATCH', 'k']);
    client.replies();
    evictKeys(server, 1);
    assert.deepEqual(propagated, ['0:SET k v', '0:DEL k']);
    assert.equal(server.stats.evictedKeys, 1);
    assert.equal(subscriber.replies(), '*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:evicted\r\n$1\r\nk\r\n');
    for (const line of ['MULTI', 'PING', 'EXEC']) server.execute(client, line.split(' '));
    assert.equal(client.replies(), '+OK\r\n+QUEUED\r\n*-1\r\n');
    server.config.setRuntime([['lazyfree-lazy-eviction', 'yes']]);
    server.execute(client, ['SET', 'j', 'v']);
    evictKeys(server, 1);
    assert.deepEqual(propagated.slice(-1), ['0:UNLINK j']);
  });

  test('a key whose TTL passed is evicted as any other, not expired', () => {
    const { server } = serverWith('allkeys-random');
    server.dbs[0].set('k', 'v');
    server.dbs[0].setExpire('k', Date.now() - 1000);
    evictKeys(server, 1);
    assert.deepEqual([server.stats.evictedKeys, server.stats.expiredKeys], [1, 0]);
  });
});

// Real Redis with maxmemory 1 byte: every policy evicts what it may, then refuses.
const oomCases: DiffCase[] = [
  'noeviction',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
].map((policy) => ({
  name: `maxmemory 1 under ${policy}: evictable keys go, then denyoom commands are refused`,
  commands: [
    cmd(`CONFIG SET maxmemory-policy ${policy}`),
    cmd('SET plain 1'),
    cmd('SET volatile 1 EX 1000'),
    cmd('CONFIG SET maxmemory 1'),
    cmd('SET c 1'),
    cmd('EXISTS plain'),
    cmd('EXISTS volatile'),
    cmd('DBSIZE'),
    cmd('GET plain'),
    cmd('DEL plain'),
    cmd('INCR n'),
    cmd('MULTI'),
    cmd('PING'),
    cmd('EXEC'),
    cmd('CONFIG SET maxmemory 0'),
    cmd('SET c 1'),
  ],
}));

describe('OOM against real Redis', () => {
  differentialSuite(oomCases);
});

// ---- black box: writing past a limit set at runtime ----------------------------------------

describe('writing past maxmemory', () => {
  let tandem: RunningServer | undefined;
  let conn: RawConnection;
  before(async () => {
    tandem = await startTandem();
    conn = await RawConnection.open(tandem.port);
  });
  after(async () => {
    conn?.close();
    await tandem?.stop();
  });

  const value = 'x'.repeat(16 * 1024);

  async function info(field: string): Promise<number> {
    const text = (await conn.call('INFO', 'everything')).toString('latin1');
    const m = new RegExp(`\\r\\n${field}:(\\d+)`).exec(text);
    assert.ok(m, field);
    return Number(m[1]);
  }

  /** Sends commands pipelined in batches; every reply must be +OK. */
  async function pipeline(commands: Array<Array<string | Buffer>>): Promise<void> {
    for (let start = 0; start < commands.length; start += 200) {
      const replies = await Promise.all(commands.slice(start, start + 200).map((c) => conn.call(...c)));
      for (const reply of replies) assert.equal(reply.toString(), '+OK\r\n');
    }
  }

  function write(prefix: string, count: number): Promise<void> {
    return pipeline(Array.from({ length: count }, (_, i) => ['SET', `${prefix}${i}`, value]));
  }

  async function reset(policy: string): Promise<void> {
    await conn.call('CONFIG', 'SET', 'maxmemory', '0');
    await conn.call('CONFIG', 'SET', 'maxmemory-eviction-tenacity', '10');
    await conn.call('FLUSHALL');
    await conn.call('CONFIG', 'RESETSTAT');
    await conn.call('CONFIG', 'SET', 'maxmemory-policy', policy);
  }

  test('allkeys-random: writes go on, keys are evicted, the dataset stays within the limit', async () => {
    await reset('allkeys-random');
    const limit = (await info('used_memory')) + 24 * 1024 * 1024;
    await conn.call('CONFIG', 'SET', 'maxmemory', String(limit));
    await write('k', 3000);
    const keys = Number((await conn.call('DBSIZE')).toString().slice(1));
    assert.ok((await info('evicted_keys')) >= 3000 - keys);
    assert.ok(keys < 3000, `${keys} keys left`);
    assert.ok(keys * value.length <= limit, `${keys} keys of ${value.length} bytes within ${limit}`);
  });

  test('allkeys-lru: keys restored as long idle go before freshly written ones', async () => {
    await reset('allkeys-lru');
    await conn.call('SET', 'template', value);
    const reply = await conn.call('DUMP', 'template');
    const payload = reply.subarray(reply.indexOf('\r\n') + 2, -2);
    await conn.call('DEL', 'template');
    await pipeline(Array.from({ length: 2500 }, (_, i) => ['RESTORE', `cold${i}`, '0', payload, 'IDLETIME', '100000']));
    await conn.call('CONFIG', 'SET', 'maxmemory', String(await info('used_memory')));
    await write('fresh', 500);
    const exists = await conn.call('EXISTS', ...Array.from({ length: 500 }, (_, i) => `fresh${i}`));
    assert.equal(exists.toString(), ':500\r\n');
    assert.ok((await info('evicted_keys')) > 0);
  });

  test('volatile-ttl: only keys with a TTL go, then writes are refused', async () => {
    await reset('volatile-ttl');
    await pipeline(Array.from({ length: 100 }, (_, i) => ['SET', `ttl${i}`, value, 'EX', String(1000 + i)]));
    await write('plain', 100);
    // No time limit: the whole run happens before SET, whatever the machine's load.
    await conn.call('CONFIG', 'SET', 'maxmemory-eviction-tenacity', '100');
    await conn.call('CONFIG', 'SET', 'maxmemory', '1');
    assert.match((await conn.call('SET', 'more', 'x')).toString(), /^-OOM command not allowed/);
    assert.equal((await conn.call('DBSIZE')).toString(), ':100\r\n');
    assert.equal(await info('evicted_keys'), 100);
    assert.ok((await info('total_eviction_exceeded_time')) >= 0);
  });

  test('noeviction: denyoom commands get OOM, others still run', async () => {
    await reset('noeviction');
    await conn.call('SET', 'k', 'v');
    await conn.call('CONFIG', 'SET', 'maxmemory', '1');
    assert.equal(
      (await conn.call('SET', 'k2', 'v')).toString(),
      "-OOM command not allowed when used memory > 'maxmemory'.\r\n",
    );
    assert.equal((await conn.call('GET', 'k')).toString(), '$1\r\nv\r\n');
    assert.equal(await info('evicted_keys'), 0);
    await conn.call('CONFIG', 'SET', 'maxmemory', '0');
    assert.equal((await conn.call('SET', 'k2', 'v')).toString(), '+OK\r\n');
  });
});
