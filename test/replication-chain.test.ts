// Replication topologies with Tandem on both sides, black-box with real
// processes: a master, two replicas and a sub-replica chained to the first,
// full-synchronised from the dump file and diskless (loaded to disk and
// with swapdb) while every data type is being written; three replicas
// asking at once sharing one snapshot; and the same writes across real
// redis-server 7.0 both ways, diskless. Every scenario ends with every node
// having applied the whole stream and every dataset equal to the master's,
// key by key (type, value, expire time) and by DEBUG DIGEST.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { info, text } from './helpers/aof.js';
import { Writer, assertConverged, writeRoundTo } from './helpers/replication-dataset.js';
import { TestProcesses, replField, statField } from './helpers/replication-replica.js';
import type { RawConnection } from './helpers/resp.js';
import { redisAvailable, type RunningServer } from './helpers/servers.js';

const p = new TestProcesses();
after(() => p.cleanup());

/** Keys made by DEBUG POPULATE before the replicas come: their full sync takes a while, and writes land during it. */
const populated = 10000;

/** A master with a populated dataset and some rounds of every type already written. */
async function populatedMaster(args: string[], start = p.tandem.bind(p)): Promise<[RunningServer, RawConnection]> {
  const master = await start(args);
  const m = await p.open(master.port);
  assert.equal(text(await m.call('DEBUG', 'POPULATE', String(populated), 'pop', '200')), '+OK\r\n');
  for (let n = 0; n < 10; n++) await writeRoundTo(m, 'before', n);
  return [master, m];
}

/**
 * Points each replica at its master with REPLICAOF, all at once, and returns
 * their connections: the syncs start now, while the test watches (started
 * with --replicaof, a replica could be done before the test looks).
 */
async function replicate(pairs: Array<[replica: RunningServer, master: RunningServer]>): Promise<RawConnection[]> {
  const conns = await Promise.all(pairs.map(([replica]) => p.open(replica.port)));
  const replies = await Promise.all(conns.map((c, i) => c.call('REPLICAOF', '127.0.0.1', String(pairs[i][1].port))));
  for (const reply of replies) assert.equal(text(reply), '+OK\r\n');
  return conns;
}

/**
 * Waits for every replica's link to be up while the writer writes; returns
 * how many rounds were written from the first look that saw a full sync
 * under way (the master still making or sending a replica's RDB, or a
 * replica still receiving or loading it) to the look that found every link
 * up. (A replica loading may answer INFO only once it is done: the rounds
 * are counted when the answers are in.)
 */
async function syncUnderWrites(
  master: RawConnection,
  replicas: RawConnection[],
  writer: Writer,
  timeoutMs = 30_000,
): Promise<number> {
  let first = -1;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rounds = writer.rounds;
    let syncing = false;
    for (const [name, value] of await info(master, 'replication')) {
      if (/^slave\d+$/.test(name) && !value.includes('state=online')) syncing = true;
    }
    let allUp = true;
    for (const r of replicas) {
      const fields = await info(r, 'replication');
      if (fields.get('master_sync_in_progress') === '1') syncing = true;
      if (fields.get('master_link_status') !== 'up') allUp = false;
    }
    if (syncing && first === -1) first = rounds;
    if (allUp) return first === -1 ? 0 : writer.rounds - first;
    assert.ok(Date.now() < deadline, 'the replicas did not all sync in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function logCount(server: RunningServer, line: string): number {
  return server.output().split(line).length - 1;
}

describe('Tandem replicating to Tandem', () => {
  for (const diskless of [false, true]) {
    const mode = diskless ? 'diskless (replicas loading with swapdb)' : 'from the dump file';
    test(`master, two replicas and a chained sub-replica, synced ${mode} under writes of every type`, async () => {
      const sync = ['--repl-diskless-sync', diskless ? 'yes' : 'no'];
      const load = diskless ? ['--repl-diskless-load', 'swapdb'] : [];
      const [master, m] = await populatedMaster(sync);
      const [r1, r2, sub] = await Promise.all([p.tandem(sync), p.tandem([...sync, ...load]), p.tandem([...sync, ...load])]);
      const writer = await Writer.start(master.port, 'during', { populated });
      const nodes = await replicate([[r1, master], [r2, master]]);
      // Chained to the first replica: refused (-NOMASTERLINK) until that one has synced, then synced from it.
      nodes.push(...(await replicate([[sub, r1]])));
      const during = await syncUnderWrites(m, nodes, writer);
      const rounds = await writer.stop();
      assert.ok(during >= 5, `writes landed during a full sync (${during} of ${rounds} rounds)`);
      for (let n = 0; n < 5; n++) await writeRoundTo(m, 'after', n);
      await assertConverged(m, nodes);

      // One history and one offset space along the chain.
      const id = await replField(m, 'master_replid');
      const offset = await replField(m, 'master_repl_offset');
      for (const n of nodes) {
        assert.equal(await replField(n, 'master_replid'), id);
        assert.equal(await replField(n, 'master_repl_offset'), offset);
      }
      const target = diskless ? 'replicas sockets' : 'disk';
      assert.ok(master.output().includes(`Starting BGSAVE for SYNC with target: ${target}`));
      assert.ok(r1.output().includes(`Starting BGSAVE for SYNC with target: ${target}`));
      assert.equal(await statField(m, 'sync_full'), '2');
      assert.equal(await statField(nodes[0], 'sync_full'), '1');
      for (const s of [r2, sub]) {
        const received = diskless ? /receiving streamed RDB from master with EOF to parser/ : /receiving \d+ bytes from master to disk/;
        assert.match(s.output(), received);
        if (diskless) assert.match(s.output(), /MASTER <-> REPLICA sync: Swapping active DB with loaded DB/);
      }
      assert.equal(await replField(m, 'connected_slaves'), '2');
      assert.equal(await replField(nodes[0], 'connected_slaves'), '1');
    });
  }

  for (const diskless of [false, true]) {
    // Diskless: the sync starts as soon as the three wait, not after the (long) delay.
    const how = diskless ? 'diskless with repl-diskless-sync-max-replicas 3' : 'to the dump file, attaching to it';
    test(`three replicas asking at once share one snapshot (${how}), under writes`, async () => {
      const sync = diskless
        ? ['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '60', '--repl-diskless-sync-max-replicas', '3']
        : ['--repl-diskless-sync', 'no'];
      const [master, m] = await populatedMaster(sync);
      const servers = await Promise.all([p.tandem([]), p.tandem([]), p.tandem([])]);
      const writer = await Writer.start(master.port, 'during', { populated });
      const nodes = await replicate(servers.map((s) => [s, master]));
      await syncUnderWrites(m, nodes, writer, 20_000);
      await writer.stop();
      await assertConverged(m, nodes);
      assert.equal(await statField(m, 'sync_full'), '3');
      assert.equal(logCount(master, 'Starting BGSAVE for SYNC'), 1, 'one snapshot');
      if (diskless) {
        assert.equal(logCount(master, 'Delay next BGSAVE for diskless SYNC'), 3);
        assert.ok(master.output().includes('Diskless rdb transfer, done reading from pipe, 3 replicas still up.'));
      } else {
        // The two later replicas attached to the first one's snapshot and got a copy of its held stream.
        assert.equal(logCount(master, 'Waiting for end of BGSAVE for SYNC'), 2);
        assert.equal(logCount(master, 'Background saving terminated with success'), 1);
      }
      for (const s of servers) {
        assert.ok(master.output().includes(`Synchronization with replica 127.0.0.1:${s.port} succeeded`));
      }
    });
  }
});

const skipRedis = redisAvailable() ? false : 'redis-server not installed';

describe('Tandem and real redis-server 7.0, diskless both ways', { skip: skipRedis }, () => {
  test('a Tandem master streams its snapshot to a real Redis replica, under writes of every type', async () => {
    const [master, m] = await populatedMaster(['--repl-diskless-sync', 'yes']);
    // Its load slowed down (a pause at every key): writes land while it receives and loads.
    const replica = await p.redis(['--repl-diskless-load', 'swapdb', '--key-load-delay', '5']);
    const writer = await Writer.start(master.port, 'during', { populated });
    const [r] = await replicate([[replica, master]]);
    const during = await syncUnderWrites(m, [r], writer);
    await writer.stop();
    assert.ok(during >= 5, `writes landed during the full sync (${during} rounds)`);
    await assertConverged(m, [r]);
    assert.ok(master.output().includes('Starting BGSAVE for SYNC with target: replicas sockets'));
    assert.match(replica.output(), /MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to parser/);
  });

  test('a Tandem replica loads a real Redis master\'s streamed snapshot, under writes of every type', async () => {
    // Redis's snapshot is quick: a pause every other key (-2) makes it last long enough for writes to land during it.
    const [master, m] = await populatedMaster(
      ['--repl-diskless-sync', 'yes', '--rdb-key-save-delay', '-2'],
      p.redis.bind(p),
    );
    const [toDisk, swapdb] = await Promise.all([p.tandem([]), p.tandem(['--repl-diskless-load', 'swapdb'])]);
    const writer = await Writer.start(master.port, 'during', { populated });
    const nodes = await replicate([[toDisk, master], [swapdb, master]]);
    const during = await syncUnderWrites(m, nodes, writer);
    await writer.stop();
    assert.ok(during >= 5, `writes landed during the full sync (${during} rounds)`);
    await assertConverged(m, nodes);
    assert.match(toDisk.output(), /receiving streamed RDB from master with EOF to disk/);
    assert.match(swapdb.output(), /receiving streamed RDB from master with EOF to parser/);
  });
});
