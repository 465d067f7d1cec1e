// Tandem replicas of Tandem masters when things go wrong, black-box with
// real processes and writes flowing: links killed from either end and a
// replica frozen beyond repl-timeout resume with +CONTINUE from the backlog
// (a chained sub-replica too); a backlog too small for what was missed
// means a full sync; a promoted replica serves partial resyncs to its
// former master and sibling (PSYNC2); WAIT, min-replicas-to-write, the
// replica output buffer limit, read-only replicas and
// replica-serve-stale-data. Each scenario ends with every node having
// applied the whole stream and every dataset equal to the master's, key by
// key and by DEBUG DIGEST.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { info, text, waitFor } from './helpers/aof.js';
import { Writer, assertConverged, pipeline, settled } from './helpers/replication-dataset.js';
import { TestProcesses, linkUp, replField } from './helpers/replication-replica.js';
import type { RawConnection } from './helpers/resp.js';
import type { RunningServer } from './helpers/servers.js';

const p = new TestProcesses();
after(() => p.cleanup());

function replicaOf(server: RunningServer): string[] {
  return ['--replicaof', '127.0.0.1', String(server.port)];
}

/** INFO stats sync_full, sync_partial_ok, sync_partial_err as numbers. */
async function syncStats(conn: RawConnection): Promise<{ full: number; ok: number; err: number }> {
  const stats = await info(conn, 'stats');
  return {
    full: Number(stats.get('sync_full')),
    ok: Number(stats.get('sync_partial_ok')),
    err: Number(stats.get('sync_partial_err')),
  };
}

async function partialResyncs(conn: RawConnection, n: number, what: string): Promise<void> {
  await waitFor(what, async () => (await syncStats(conn)).ok === n);
}

/** A master, its replica and a sub-replica chained to that one, all linked, with a writer at work on the master. */
async function chainUnderWrites(masterArgs: string[]): Promise<{
  servers: RunningServer[];
  nodes: RawConnection[];
  writer: Writer;
}> {
  const master = await p.tandem(masterArgs);
  const m = await p.open(master.port);
  const writer = await Writer.start(master.port, 'w', { pauseMs: 5 });
  const replica = await p.tandem(replicaOf(master));
  const sub = await p.tandem(replicaOf(replica));
  const nodes = [m, await p.open(replica.port), await p.open(sub.port)];
  await linkUp(nodes[1]);
  await linkUp(nodes[2]);
  return { servers: [master, replica, sub], nodes, writer };
}

describe('Tandem replicas resynchronising with Tandem masters', () => {
  test('links broken mid-stream resume with +CONTINUE while the backlog holds what was missed', async () => {
    const { servers, nodes, writer } = await chainUnderWrites(['--repl-backlog-size', '16mb']);
    const [master, replica, sub] = servers;
    const [m, r, s] = nodes;
    assert.deepEqual(await syncStats(m), { full: 1, ok: 0, err: 0 });

    // Killed by the master.
    assert.equal(text(await m.call('CLIENT', 'KILL', 'TYPE', 'replica')), ':1\r\n');
    await partialResyncs(m, 1, 'the resync after CLIENT KILL TYPE replica');
    // Killed by the replica.
    assert.equal(text(await r.call('CLIENT', 'KILL', 'TYPE', 'master')), ':1\r\n');
    await partialResyncs(m, 2, 'the resync after CLIENT KILL TYPE master');
    // The sub-replica's link, killed by its master (the replica): it resumes from the replica's backlog.
    assert.equal(text(await r.call('CLIENT', 'KILL', 'TYPE', 'replica')), ':1\r\n');
    await partialResyncs(r, 1, "the sub-replica's resync");
    // Frozen beyond the master's repl-timeout: dropped for silence, it resumes once thawed.
    assert.equal(text(await m.call('CONFIG', 'SET', 'repl-timeout', '2')), '+OK\r\n');
    p.freeze(replica.pid);
    await waitFor(
      'the replica timeout',
      () => master.output().includes(`Disconnecting timedout replica (streaming sync): 127.0.0.1:${replica.port}`),
      10_000,
    );
    p.thaw(replica.pid);
    await partialResyncs(m, 3, 'the resync after the freeze');
    // The master frozen beyond the replica's repl-timeout: the replica gives up on it, then resumes.
    const configured = [
      await pipeline(r, [['CONFIG', 'SET', 'repl-timeout', '2']]),
      await pipeline(m, [['CONFIG', 'SET', 'repl-timeout', '60'], ['CONFIG', 'SET', 'repl-ping-replica-period', '1']]),
    ];
    assert.deepEqual(configured, [['OK'], ['OK', 'OK']]);
    p.freeze(master.pid);
    await waitFor(
      'the master timeout',
      () => replica.output().includes('MASTER timeout: no data nor PING received...'),
      10_000,
    );
    p.thaw(master.pid);
    await partialResyncs(m, 4, 'the resync after the master froze');

    const rounds = await writer.stop();
    await assertConverged(m, [r, s]);
    assert.ok(rounds > 10, `writes flowed (${rounds} rounds)`);
    assert.deepEqual(await syncStats(m), { full: 1, ok: 4, err: 0 });
    assert.deepEqual(await syncStats(r), { full: 1, ok: 1, err: 0 });
    assert.equal(replica.output().match(/Successful partial resynchronization with master\./g)?.length, 4);
    assert.equal(sub.output().match(/Successful partial resynchronization with master\./g)?.length, 1);
    // Partial resyncs of the middle node keep its sub-replica's link: one history, one offset space.
    assert.equal(sub.output().match(/MASTER <-> REPLICA sync: Finished with success/g)?.length, 1);
    for (const n of [r, s]) assert.equal(await replField(n, 'master_replid'), await replField(m, 'master_replid'));
  });

  test('a backlog too small for what the replica missed means a full sync, for it and its sub-replica', async () => {
    const { servers, nodes, writer } = await chainUnderWrites(['--repl-backlog-size', '16kb']);
    const [master, replica, sub] = servers;
    const [m, r, s] = nodes;
    assert.equal(await replField(m, 'repl_backlog_size'), '16384');
    p.freeze(replica.pid);
    assert.equal(text(await m.call('CLIENT', 'KILL', 'TYPE', 'replica')), ':1\r\n');
    // Far more than 16 KB written while the replica cannot ask for it.
    const before = writer.rounds;
    await waitFor('the writes', () => writer.rounds >= before + 30);
    p.thaw(replica.pid);
    await waitFor('the full sync', async () => (await syncStats(m)).full === 2);
    await writer.stop();
    await assertConverged(m, [r, s]);
    assert.deepEqual(await syncStats(m), { full: 2, ok: 0, err: 1 });
    assert.ok(
      master.output().includes(`Unable to partial resync with replica 127.0.0.1:${replica.port} for lack of backlog`),
    );
    // The replica's new dataset is a new start for its sub-replica too.
    assert.equal((await syncStats(r)).full, 2);
    assert.equal(sub.output().match(/MASTER <-> REPLICA sync: Finished with success/g)?.length, 2);
  });

  test('promotion: the old master, a sibling and a sub-replica follow the promoted replica partially', async () => {
    const master = await p.tandem([]);
    const m = await p.open(master.port);
    const writer = await Writer.start(master.port, 'before', { pauseMs: 5 });
    const [one, two] = await Promise.all([p.tandem(replicaOf(master)), p.tandem(replicaOf(master))]);
    const sub = await p.tandem(replicaOf(one));
    const [r1, r2, s] = [await p.open(one.port), await p.open(two.port), await p.open(sub.port)];
    for (const n of [r1, r2, s]) await linkUp(n);
    await writer.stop();
    // The promoted replica must have everything its master wrote (keys expiring meanwhile too: their DELs),
    // or the master could not continue from it.
    await settled(m, [r1, r2, s]);
    const oldId = await replField(m, 'master_replid');
    const offset = Number(await replField(m, 'master_repl_offset'));

    assert.equal(text(await r1.call('REPLICAOF', 'NO', 'ONE')), '+OK\r\n');
    assert.equal(await replField(r1, 'master_replid2'), oldId);
    assert.equal(await replField(r1, 'second_repl_offset'), String(offset + 1));
    // Writes go on at once on the new master, before the others follow it.
    const after = await Writer.start(one.port, 'after', { pauseMs: 5 });
    for (const n of [m, r2]) assert.equal(text(await n.call('REPLICAOF', '127.0.0.1', String(one.port))), '+OK\r\n');
    // Its own sub-replica was disconnected to learn the new ID, and resumed too.
    await partialResyncs(r1, 3, 'the three partial resyncs');
    const rounds = await after.stop();
    assert.ok(rounds > 0);
    await assertConverged(r1, [m, r2, s]);
    assert.deepEqual(await syncStats(r1), { full: 1, ok: 3, err: 0 });
    assert.match(master.output(), new RegExp(`Trying a partial resynchronization \\(request ${oldId}:${offset + 1}\\)\\.`));
    for (const server of [master, two]) assert.match(server.output(), /Successful partial resynchronization with master\./);
    assert.equal(sub.output().match(/MASTER <-> REPLICA sync: Finished with success/g)?.length, 1);
    const newId = await replField(r1, 'master_replid');
    assert.notEqual(newId, oldId);
    for (const n of [m, r2, s]) {
      assert.equal(await replField(n, 'master_replid'), newId);
      assert.equal(await replField(n, 'master_replid2'), oldId);
    }
  });
});

describe('Tandem master with Tandem replicas: safety and limits', () => {
  test('WAIT, read-only replicas, min-replicas-to-write, the replica output buffer limit, stale data', async () => {
    const master = await p.tandem([]);
    const m = await p.open(master.port);
    const [one, two] = await Promise.all([p.tandem(replicaOf(master)), p.tandem(replicaOf(master))]);
    const r1 = await p.open(one.port);
    const r2 = await p.open(two.port);
    await linkUp(r1);
    await linkUp(r2);

    // WAIT counts the replicas that acknowledged the write.
    assert.equal(text(await m.call('SET', 'k', 'v')), '+OK\r\n');
    assert.equal(text(await m.call('WAIT', '2', '5000')), ':2\r\n');
    assert.equal(text(await m.call('WAIT', '3', '300')), ':2\r\n');
    assert.equal(text(await r1.call('GET', 'k')), '$1\r\nv\r\n');
    assert.equal(text(await r2.call('GET', 'k')), '$1\r\nv\r\n');

    // A read-only replica refuses writes, inside MULTI too.
    assert.equal(text(await r1.call('SET', 'k', 'w')), "-READONLY You can't write against a read only replica.\r\n");
    assert.equal(text(await r1.call('MULTI')), '+OK\r\n');
    assert.equal(text(await r1.call('INCR', 'n')), "-READONLY You can't write against a read only replica.\r\n");
    assert.equal(text(await r1.call('EXEC')), '-EXECABORT Transaction discarded because of previous errors.\r\n');

    // min-replicas-to-write 2: a replica silent for longer than min-replicas-max-lag stops the writes.
    assert.deepEqual(
      await pipeline(m, [['CONFIG', 'SET', 'min-replicas-to-write', '2'], ['CONFIG', 'SET', 'min-replicas-max-lag', '2']]),
      ['OK', 'OK'],
    );
    assert.equal(text(await m.call('SET', 'k', 'w')), '+OK\r\n');
    p.freeze(two.pid);
    await waitFor(
      'NOREPLICAS',
      async () => text(await m.call('SET', 'k', 'x')) === '-NOREPLICAS Not enough good replicas to write.\r\n',
      10_000,
    );
    assert.equal(await replField(m, 'min_slaves_good_slaves'), '1');
    // WAIT times out with the one replica that acknowledged.
    assert.equal(text(await m.call('WAIT', '2', '300')), ':1\r\n');
    p.thaw(two.pid);
    await waitFor('writes allowed again', async () => text(await m.call('SET', 'k', 'y')) === '+OK\r\n', 10_000);
    assert.equal(text(await m.call('CONFIG', 'SET', 'min-replicas-to-write', '0')), '+OK\r\n');

    // A frozen replica's stream piling up past the hard limit: the master drops it, with Redis's log line.
    const partialBefore = (await syncStats(m)).ok;
    assert.equal(text(await m.call('CONFIG', 'SET', 'client-output-buffer-limit', 'replica 1048576 0 0')), '+OK\r\n');
    p.freeze(two.pid);
    const big = 'x'.repeat(1 << 20);
    for (let i = 0; i < 48 && (await replField(m, 'connected_slaves')) === '2'; i += 4) {
      await pipeline(m, [0, 1, 2, 3].map((j) => ['SET', `big:${(i + j) % 8}`, big]));
    }
    await waitFor('the replica dropped', async () => (await replField(m, 'connected_slaves')) === '1');
    assert.match(
      master.output(),
      new RegExp(
        'Client id=\\d+ addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:\\d+ fd=\\d+ name= age=\\d+ idle=\\d+ flags=S .* ' +
          'scheduled to be closed ASAP for overcoming of output buffer limits\\.',
      ),
    );
    assert.ok(master.output().includes(`Connection with replica 127.0.0.1:${two.port} lost.`));
    // Thawed, it reconnects; what it missed is far beyond the backlog: a full sync.
    assert.equal(
      text(await m.call('CONFIG', 'SET', 'client-output-buffer-limit', 'replica 268435456 67108864 60')),
      '+OK\r\n',
    );
    const fullBefore = (await syncStats(m)).full;
    p.thaw(two.pid);
    await waitFor('the resync', async () => (await syncStats(m)).full === fullBefore + 1);
    assert.equal((await syncStats(m)).ok, partialBefore);
    await assertConverged(m, [r1, r2]);

    // The master goes away: a replica serves its stale data, or refuses with MASTERDOWN.
    await master.stop();
    await waitFor('the links down', async () =>
      (await replField(r1, 'master_link_status')) === 'down' && (await replField(r2, 'master_link_status')) === 'down',
    );
    assert.equal(text(await r1.call('CONFIG', 'SET', 'replica-serve-stale-data', 'no')), '+OK\r\n');
    const masterDown = "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n";
    assert.equal(text(await r1.call('GET', 'k')), masterDown);
    assert.equal(text(await r1.call('DBSIZE')), masterDown);
    // As in Redis 7.0, PING is refused too (it has no stale flag); INFO is served.
    assert.equal(text(await r1.call('PING')), masterDown);
    assert.match(text(await r1.call('INFO', 'replication')), /master_link_status:down/);
    assert.equal(text(await r2.call('GET', 'k')), '$1\r\ny\r\n');
    assert.equal(text(await r1.call('CONFIG', 'SET', 'replica-serve-stale-data', 'yes')), '+OK\r\n');
    assert.equal(text(await r1.call('GET', 'k')), '$1\r\ny\r\n');
  });
});
