// The life of Tandem's link to a real redis-server 7.0 master, black-box:
// a chained real Redis replica of Tandem gets the master's exact stream and
// is resynchronised when Tandem itself takes a full sync; a master frozen
// beyond repl-timeout is dropped and resumed partially; Tandem restarted
// from its own dump resumes partially; a swapdb full sync of the same
// history serves the old data while it loads; an AOF replica rewrites its
// AOF from the new dataset.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { digest, info, rewriteFinished, run, text, waitFor, workload } from './helpers/aof.js';
import { TestProcesses, caughtUp, linkUp, replField, sameDataset, statField } from './helpers/replication-replica.js';
import type { RawConnection } from './helpers/resp.js';
import { freePort, redisAvailable, type RunningServer } from './helpers/servers.js';

const haveRedis = redisAvailable();
const procs = new TestProcesses();
after(() => procs.cleanup());

/** Shuts a server down with SHUTDOWN SAVE and waits for its process to end. */
async function shutdownSave(server: RunningServer, conn: RawConnection): Promise<void> {
  conn.send('*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n');
  assert.ok(await conn.waitClosed(10000));
  await server.stop();
}

describe('Tandem replica links', { skip: !haveRedis }, () => {
  test('a chained Redis replica of Tandem gets the same stream; a full sync of Tandem resyncs it', async () => {
    const master = await procs.redis([]);
    const m = await procs.open(master.port);
    await run(m, workload('chain'));
    const middle = await procs.tandem(['--replicaof', '127.0.0.1', String(master.port)]);
    const t = await procs.open(middle.port);
    await sameDataset(m, t);
    const sub = await procs.redis(['--replicaof', '127.0.0.1', String(middle.port)]);
    const s = await procs.open(sub.port);
    await run(m, workload('chained-writes'));
    await sameDataset(m, t);
    await sameDataset(t, s);
    // One history, one offset space along the chain.
    for (const name of ['master_replid', 'master_repl_offset']) {
      assert.equal(await replField(s, name), await replField(m, name), name);
    }

    // Tandem follows another master: a full sync, after which its replica must resynchronise too.
    const other = await procs.redis([]);
    const o = await procs.open(other.port);
    await run(o, workload('other'));
    assert.equal(text(await t.call('REPLICAOF', '127.0.0.1', String(other.port))), '+OK\r\n');
    await sameDataset(o, t);
    await run(o, workload('other-after'));
    await sameDataset(o, t);
    await sameDataset(t, s);
    assert.equal(await digest(s), await digest(o));
    assert.equal(await replField(s, 'master_replid'), await replField(o, 'master_replid'));
    assert.equal(sub.output().match(/MASTER <-> REPLICA sync: Finished with success/g)?.length, 2);
  });

  test('promotion (PSYNC2): siblings re-pointed to a promoted replica continue partially, both ways', async () => {
    const master = await procs.redis([]);
    const m = await procs.open(master.port);
    await run(m, workload('siblings'));
    const tandem = await procs.tandem(['--replicaof', '127.0.0.1', String(master.port)]);
    const redis = await procs.redis(['--replicaof', '127.0.0.1', String(master.port)]);
    const t = await procs.open(tandem.port);
    const r = await procs.open(redis.port);
    await sameDataset(m, t);
    await sameDataset(m, r);
    const oldId = await replField(m, 'master_replid');

    // Tandem promoted; the Redis sibling follows it and continues from the shared history.
    assert.equal(text(await t.call('REPLICAOF', 'NO', 'ONE')), '+OK\r\n');
    assert.equal(await replField(t, 'master_replid2'), oldId);
    assert.equal(text(await r.call('REPLICAOF', '127.0.0.1', String(tandem.port))), '+OK\r\n');
    await run(t, workload('promoted-tandem'));
    await sameDataset(t, r);
    assert.equal(await statField(t, 'sync_partial_ok'), '1');
    assert.equal(await statField(t, 'sync_full'), '0');
    assert.match(redis.output(), /Successful partial resynchronization with master\./);
    // ROLE lists it, with the offset it acknowledged.
    const port = String(redis.port);
    assert.match(
      text(await t.call('ROLE')),
      new RegExp(`^\\*3\r\n\\$6\r\nmaster\r\n:\\d+\r\n\\*1\r\n\\*3\r\n\\$9\r\n127\\.0\\.0\\.1\r\n\\$${port.length}\r\n${port}\r\n\\$\\d+\r\n\\d+\r\n$`),
    );

    // The other way round: Redis promoted, Tandem follows it and learns the new ID from +CONTINUE.
    const tandemId = await replField(t, 'master_replid');
    assert.equal(text(await r.call('REPLICAOF', 'NO', 'ONE')), '+OK\r\n');
    assert.equal(text(await t.call('REPLICAOF', '127.0.0.1', String(redis.port))), '+OK\r\n');
    await run(r, workload('promoted-redis'));
    await sameDataset(r, t);
    assert.equal(await statField(r, 'sync_full'), '0');
    assert.equal(await statField(r, 'sync_partial_ok'), '1');
    assert.match(tandem.output(), new RegExp(`Master replication ID changed to ${await replField(r, 'master_replid')}`));
    assert.equal(await replField(t, 'master_replid2'), tandemId);
  });

  test('a master that cannot serve PSYNC yet (-NOMASTERLINK) is retried until it can', async () => {
    const top = await procs.redis([]);
    const middle = await procs.redis(['--replicaof', '127.0.0.1', String(await freePort())]);
    const replica = await procs.tandem(['--replicaof', '127.0.0.1', String(middle.port)]);
    await waitFor('the -NOMASTERLINK reply', () =>
      replica.output().includes(
        "Master is currently unable to PSYNC but should be in the future: -NOMASTERLINK Can't SYNC while not connected with my master",
      ),
    );
    const mid = await procs.open(middle.port);
    const m = await procs.open(top.port);
    await run(m, workload('late-top'));
    assert.equal(text(await mid.call('REPLICAOF', '127.0.0.1', String(top.port))), '+OK\r\n');
    const r = await procs.open(replica.port);
    await sameDataset(m, mid);
    await sameDataset(mid, r);
  });

  test('a master frozen beyond repl-timeout is dropped, then resumed with a partial resync', async () => {
    const master = await procs.redis(['--repl-ping-replica-period', '1']);
    const m = await procs.open(master.port);
    const replica = await procs.tandem(['--replicaof', '127.0.0.1', String(master.port), '--repl-timeout', '2']);
    const r = await procs.open(replica.port);
    await run(m, workload('before-freeze'));
    await sameDataset(m, r);
    procs.freeze(master.pid);
    await waitFor('the master timeout', () => replica.output().includes('MASTER timeout: no data nor PING received...'));
    await waitFor('a handshake timeout', () => replica.output().includes('Timeout connecting to the MASTER...'));
    assert.equal(await replField(r, 'master_link_status'), 'down');
    procs.thaw(master.pid);
    await run(m, workload('after-freeze'));
    await sameDataset(m, r);
    assert.equal(await statField(m, 'sync_full'), '1');
    assert.ok(Number(await statField(m, 'sync_partial_ok')) >= 1);
  });

  test('Tandem restarted from its dump resumes with a partial resync', async () => {
    const master = await procs.redis([]);
    const m = await procs.open(master.port);
    await run(m, workload('first-life'));
    const dir = procs.dir('tandem-replica-restart-');
    const args = ['--dir', dir, '--replicaof', '127.0.0.1', String(master.port)];
    const first = await procs.tandem(args);
    const t1 = await procs.open(first.port);
    // Some commands in another database: the stream's database must be restored too.
    await run(m, [['SELECT', '5'], ['SET', 'in-db-5', '1']]);
    await sameDataset(m, t1);
    const replId = await replField(t1, 'master_replid');
    const offset = Number(await replField(t1, 'master_repl_offset'));
    await shutdownSave(first, t1);
    await run(m, [['SET', 'still-db-5', '2'], ['SELECT', '0'], ...workload('while-down')]);
    const second = await procs.tandem(args);
    const t2 = await procs.open(second.port);
    await sameDataset(m, t2);
    assert.match(second.output(), new RegExp(`Trying a partial resynchronization \\(request ${replId}:${offset + 1}\\)\\.`));
    assert.equal(await statField(m, 'sync_full'), '1');
    assert.equal(await statField(m, 'sync_partial_ok'), '1');
    assert.equal(text(await t2.call('SELECT', '5')), '+OK\r\n');
    assert.equal(text(await t2.call('GET', 'still-db-5')), '$1\r\n2\r\n');
  });

  test('swapdb full sync of the same history: the old data is served while the new loads', async () => {
    const master = await procs.redis(['--repl-backlog-size', '16384']);
    const m = await procs.open(master.port);
    await run(m, [['SET', 'old', 'value'], ['DEBUG', 'POPULATE', '200000', 'bulk', '16']]);
    const replica = await procs.tandem(['--replicaof', '127.0.0.1', String(master.port), '--repl-diskless-load', 'swapdb']);
    const r = await procs.open(replica.port);
    await sameDataset(m, r);
    const replId = await replField(r, 'master_replid');
    // The link breaks while Tandem is frozen, and the master's backlog moves past it.
    procs.freeze(replica.pid);
    assert.equal(text(await m.call('CLIENT', 'KILL', 'TYPE', 'replica')), ':1\r\n');
    await run(m, [['SET', 'big', 'x'.repeat(40000)], ['SET', 'old', 'new value']]);
    procs.thaw(replica.pid);
    // Reads keep being answered from the old data, never -LOADING.
    const seen = new Set<string>();
    do {
      seen.add(text(await r.call('GET', 'old')));
    } while ((await statField(m, 'sync_full')) !== '2' || (await replField(r, 'master_link_status')) !== 'up');
    for (const reply of seen) assert.match(reply, /^\$\d+\r\n(new )?value\r\n$/);
    await sameDataset(m, r);
    assert.equal(await replField(r, 'master_replid'), replId);
    assert.match(replica.output(), /MASTER <-> REPLICA sync: Swapping active DB with loaded DB/);
  });

  test('an AOF replica rewrites its AOF from the new dataset after a full sync', async () => {
    const master = await procs.redis([]);
    const m = await procs.open(master.port);
    await run(m, workload('aof'));
    const dir = procs.dir('tandem-replica-aof-');
    const replica = await procs.tandem(['--dir', dir, '--appendonly', 'yes', '--replicaof', '127.0.0.1', String(master.port)]);
    const r = await procs.open(replica.port);
    await linkUp(r);
    await run(m, workload('aof-after'));
    await sameDataset(m, r);
    // The AOF went off for the load and came back with a rewrite of the new dataset.
    await rewriteFinished(r);
    const persistence = await info(r, 'persistence');
    assert.equal(persistence.get('aof_enabled'), '1');
    assert.equal(persistence.get('aof_last_bgrewrite_status'), 'ok');
    await caughtUp(m, r);
    // The AOF alone gives back the replica's dataset.
    const before = await digest(r);
    assert.equal(text(await r.call('DEBUG', 'LOADAOF')), '+OK\r\n');
    assert.equal(await digest(r), before);
  });
});
