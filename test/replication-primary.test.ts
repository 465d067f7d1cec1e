// Real redis-server 7.0 processes replicating from Tandem: full syncs from
// the dump file and diskless, with writes of every type before, during and
// after them; partial resynchronization after a killed link or a frozen
// replica; a full one when the backlog no longer holds what the replica
// lacks; replicas arriving together sharing one snapshot; WAIT and
// min-replicas-to-write. Datasets are compared with DEBUG DIGEST once the
// replica has applied the master's whole stream.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { info, run, text, waitFor, workload } from './helpers/aof.js';
import { TestProcesses, linkUp, replField, sameDataset, statField } from './helpers/replication-replica.js';
import type { RawConnection } from './helpers/resp.js';
import { redisAvailable, type RunningServer } from './helpers/servers.js';

const skip = redisAvailable() ? false : 'redis-server not installed';

/** Keys made by DEBUG POPULATE: enough for a snapshot to take many slices, so that writes land during it. */
const populated = 150_000;

/** One round of writes: every type (workload's fixed part), and changes to keys the snapshot may not have reached. */
function round(tag: string, n: number): string[][] {
  const all = workload(`${tag}${n}`);
  const cmds = all.slice(0, all.length - 600);
  for (let i = 0; i < 20; i++) {
    const key = `pop:${(n * 7919 + i * 104729) % populated}`;
    const op = i % 4;
    if (op === 0) cmds.push(['SET', key, `overwritten-${n}-${i}`]);
    else if (op === 1) cmds.push(['DEL', key]);
    else if (op === 2) cmds.push(['EXPIRE', key, '100000']);
    else cmds.push(['APPEND', key, '+']);
  }
  return cmds;
}

/** States the master's INFO gives its replicas (slaveN lines). */
async function replicaStates(master: RawConnection): Promise<string[]> {
  const states: string[] = [];
  for (const [k, v] of await info(master, 'replication')) {
    if (/^slave\d+$/.test(k)) states.push(/state=(\w+)/.exec(v)?.[1] ?? '');
  }
  return states;
}

/**
 * Writes rounds until every replica's link is up; returns how many rounds
 * were written while a replica was still getting its RDB (wait_bgsave or
 * send_bulk on the master).
 */
async function writeWhileSyncing(master: RawConnection, replicas: RawConnection[], tag: string): Promise<number> {
  let during = 0;
  for (let n = 0; ; n++) {
    let up = true;
    for (const r of replicas) if ((await replField(r, 'master_link_status')) !== 'up') up = false;
    if (up) return during;
    if ((await replicaStates(master)).some((s) => s === 'wait_bgsave' || s === 'send_bulk')) during++;
    await run(master, round(tag, n));
  }
}

function logCount(server: RunningServer, line: string): number {
  return server.output().split(line).length - 1;
}

describe('a real redis-server replicates from Tandem', { skip }, () => {
  const p = new TestProcesses();
  after(() => p.cleanup());

  test('full sync from the dump file under writes of every type, then +CONTINUE after CLIENT KILL', async () => {
    const master = await p.tandem(['--repl-diskless-sync', 'no']);
    const m = await p.open(master.port);
    await run(m, workload('before'));
    await m.call('DEBUG', 'POPULATE', String(populated), 'pop', '40');
    const replica = await p.redis(['--replicaof', '127.0.0.1', String(master.port)]);
    const s = await p.open(replica.port);
    const during = await writeWhileSyncing(m, [s], 'during');
    assert.ok(during > 0, 'writes were made while the replica got its RDB');
    await run(m, workload('after'));
    await sameDataset(m, s);
    assert.match(
      (await replField(m, 'slave0')) ?? '',
      new RegExp(`^ip=127\\.0\\.0\\.1,port=${replica.port},state=online,offset=\\d+,lag=\\d+$`),
    );
    for (const line of [
      `Replica 127.0.0.1:${replica.port} asks for synchronization`,
      `Full resync requested by replica 127.0.0.1:${replica.port}`,
      'Starting BGSAVE for SYNC with target: disk',
      `Synchronization with replica 127.0.0.1:${replica.port} succeeded`,
    ]) {
      assert.ok(master.output().includes(line), line);
    }

    assert.equal(text(await m.call('CLIENT', 'KILL', 'TYPE', 'replica')), ':1\r\n');
    await run(m, workload('gap'));
    await waitFor('the partial resync', async () => (await statField(m, 'sync_partial_ok')) === '1');
    await sameDataset(m, s);
    assert.ok(replica.output().includes('Successful partial resynchronization with master.'));
    assert.equal(await statField(m, 'sync_full'), '1');
    assert.ok(master.output().includes(`Connection with replica 127.0.0.1:${replica.port} lost.`));
  });

  test('diskless: two replicas arriving within the delay share one snapshot, under writes', async () => {
    const master = await p.tandem(['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '3']);
    const m = await p.open(master.port);
    await run(m, workload('before'));
    await m.call('DEBUG', 'POPULATE', String(populated), 'pop', '40');
    const args = ['--replicaof', '127.0.0.1', String(master.port)];
    const [r1, r2] = await Promise.all([p.redis(args), p.redis(args)]);
    const [s1, s2] = [await p.open(r1.port), await p.open(r2.port)];
    const during = await writeWhileSyncing(m, [s1, s2], 'during');
    assert.ok(during > 0, 'writes were made while the replicas got their RDB');
    await run(m, workload('after'));
    await sameDataset(m, s1);
    await sameDataset(m, s2);
    assert.equal(logCount(master, 'Starting BGSAVE for SYNC with target: replicas sockets'), 1, 'one snapshot');
    assert.equal(logCount(master, 'Starting BGSAVE for SYNC'), 1);
    assert.ok(master.output().includes('Diskless rdb transfer, done reading from pipe, 2 replicas still up.'));
    for (const r of [r1, r2]) {
      assert.ok(
        master.output().includes(
          `Streamed RDB transfer with replica 127.0.0.1:${r.port} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming`,
        ),
      );
      assert.ok(r.output().includes('MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF'));
    }
    assert.equal(await statField(m, 'sync_full'), '2');
    assert.equal(await replField(m, 'connected_slaves'), '2');
  });

  test('a replica frozen past the backlog gets a full sync; one frozen past repl-timeout resumes', async () => {
    const master = await p.tandem(['--repl-diskless-sync', 'no', '--repl-backlog-size', '16384']);
    const m = await p.open(master.port);
    await run(m, workload('before'));
    const replica = await p.redis(['--replicaof', '127.0.0.1', String(master.port)]);
    const s = await p.open(replica.port);
    await sameDataset(m, s);

    // Dropped for silence while frozen, it comes back to a backlog that still has everything.
    await m.call('CONFIG', 'SET', 'repl-timeout', '2');
    p.freeze(replica.pid);
    await waitFor('the timeout', () =>
      master.output().includes(`Disconnecting timedout replica (streaming sync): 127.0.0.1:${replica.port}`),
    );
    p.thaw(replica.pid);
    await waitFor('the partial resync', async () => (await statField(m, 'sync_partial_ok')) === '1');
    await m.call('CONFIG', 'SET', 'repl-timeout', '60');
    await run(m, workload('between'));
    await sameDataset(m, s);

    // Far more written than the backlog and the sockets hold, then the link broken: a full sync it is.
    p.freeze(replica.pid);
    const value = 'v'.repeat(1024 * 1024);
    for (let i = 0; i < 30; i++) await m.call('SET', `big:${i}`, value);
    assert.equal(text(await m.call('CLIENT', 'KILL', 'TYPE', 'replica')), ':1\r\n');
    p.thaw(replica.pid);
    await waitFor('the second full sync', async () => (await statField(m, 'sync_full')) === '2', 60_000);
    await linkUp(s);
    await sameDataset(m, s);
    assert.equal(await statField(m, 'sync_partial_err'), '1');
    assert.ok(
      master.output().includes(`Unable to partial resync with replica 127.0.0.1:${replica.port} for lack of backlog`),
    );
  });

  test("a real Redis master's FAILOVER hands its role to a Tandem replica (PSYNC FAILOVER)", async () => {
    const old = await p.redis([]);
    const o = await p.open(old.port);
    await run(o, workload('before'));
    const tandem = await p.tandem(['--replicaof', '127.0.0.1', String(old.port)]);
    const t = await p.open(tandem.port);
    await sameDataset(o, t);
    await waitFor('the replica online', async () => /state=online/.test((await replField(o, 'slave0')) ?? ''));
    assert.equal(text(await o.call('FAILOVER', 'TO', '127.0.0.1', String(tandem.port))), '+OK\r\n');
    await waitFor('the roles to swap', async () =>
      (await replField(t, 'role')) === 'master' && (await replField(o, 'master_link_status')) === 'up',
    );
    assert.ok(tandem.output().includes(`Failover request received for replid`));
    // The old master resumed from us partially, under our new replication ID.
    assert.equal(await statField(t, 'sync_partial_ok'), '1');
    await run(t, workload('after'));
    assert.equal(text(await t.call('WAIT', '1', '5000')), ':1\r\n');
    await sameDataset(t, o);
  });

  test('WAIT counts the real replica; min-replicas-to-write 2 with one replica refuses writes', async () => {
    const master = await p.tandem([]);
    const m = await p.open(master.port);
    const replica = await p.redis(['--replicaof', '127.0.0.1', String(master.port)]);
    const s = await p.open(replica.port);
    await linkUp(s);
    await m.call('SET', 'k', 'v');
    assert.equal(text(await m.call('WAIT', '1', '5000')), ':1\r\n');
    assert.equal(text(await m.call('WAIT', '2', '200')), ':1\r\n');
    assert.equal(text(await s.call('GET', 'k')), '$1\r\nv\r\n', 'WAIT returned once the replica had it');

    await m.call('CONFIG', 'SET', 'min-replicas-to-write', '2');
    assert.equal(text(await m.call('SET', 'k', 'w')), '-NOREPLICAS Not enough good replicas to write.\r\n');
    assert.equal(await replField(m, 'min_slaves_good_slaves'), '1');
    await m.call('CONFIG', 'SET', 'min-replicas-to-write', '1');
    assert.equal(text(await m.call('SET', 'k', 'w')), '+OK\r\n');
    assert.equal(text(await m.call('WAIT', '1', '5000')), ':1\r\n');
    assert.equal(text(await s.call('GET', 'k')), '$1\r\nw\r\n');
  });
});
