// FAILOVER, a master restarted from its dump, SHUTDOWN waiting for replicas,
// and full syncs run as the RDB child of persistence — black-box with real
// processes, Tandem next to real redis-server 7.0 where the two can be
// compared byte for byte:
//   - FAILOVER errors and replies in each state, as real Redis;
//   - FAILOVER TO a Tandem replica (writes paused meanwhile, then refused
//     as on any replica), the other replica re-pointed resuming partially;
//     FAILOVER without TO taking the replica that caught up; TIMEOUT giving
//     up, FORCE failing over anyway, ABORT;
//   - FAILOVER from Tandem to real Redis and from real Redis to Tandem,
//     replica-priority 0 included (a master knows no priority: Redis takes
//     such a replica too);
//   - SHUTDOWN under writes waiting for the replicas, the master restarted on
//     the same dir and port resuming a real Redis replica and a Tandem one
//     with +CONTINUE; SHUTDOWN ABORT, SHUTDOWN NOW and SIGTERM with a lagging replica;
//   - a replication snapshot is a BGSAVE: SAVE/BGSAVE refused meanwhile,
//     FLUSHALL kills it and drops the replicas waiting for it, a disk one
//     resets the changes since the last save.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import { info, text, waitFor } from './helpers/aof.js';
import { assertConverged, writeRoundTo } from './helpers/replication-dataset.js';
import { FakeReplica } from './helpers/replication-primary.js';
import { TestProcesses, caughtUp, linkUp, replField, statField } from './helpers/replication-replica.js';
import type { RawConnection } from './helpers/resp.js';
import { freePort, redisAvailable, type RunningServer } from './helpers/servers.js';

const p = new TestProcesses();
after(() => p.cleanup());

type Start = (args?: string[]) => Promise<RunningServer>;
const tandem: Start = (args) => p.tandem(args);
const redis: Start = (args) => p.redis(args);

function replicaOf(port: number): string[] {
  return ['--replicaof', '127.0.0.1', String(port)];
}

/** A master and its replica (of the kinds given), the replica online on the master. */
async function pair(
  startMaster: Start,
  startReplica: Start,
  replicaArgs: string[] = [],
): Promise<{ master: RunningServer; m: RawConnection; replica: RunningServer; r: RawConnection }> {
  const master = await startMaster();
  const m = await p.open(master.port);
  const replica = await startReplica([...replicaOf(master.port), ...replicaArgs]);
  const r = await p.open(replica.port);
  await caughtUp(m, r);
  await online(m, 1);
  return { master, m, replica, r };
}

/** A Tandem master (with `rounds` rounds of writes) and two Tandem replicas, both caught up. */
async function masterWithTwo(rounds: number) {
  const master = await p.tandem();
  const m = await p.open(master.port);
  for (let n = 0; n < rounds; n++) await writeRoundTo(m, 'pre', n);
  const a = await p.tandem(replicaOf(master.port));
  const b = await p.tandem(replicaOf(master.port));
  const ac = await p.open(a.port);
  const bc = await p.open(b.port);
  await caughtUp(m, ac);
  await caughtUp(m, bc);
  await online(m, 2);
  return { master, m, a, ac, b, bc };
}

/** Waits until the master counts `n` online replicas. */
async function online(m: RawConnection, n: number): Promise<void> {
  await waitFor(`${n} online replicas`, async () => {
    const fields = await info(m, 'replication');
    let count = 0;
    for (let i = 0; fields.has(`slave${i}`); i++) if (fields.get(`slave${i}`)!.includes('state=online')) count++;
    return count === n;
  });
}

async function waitRole(conn: RawConnection, role: 'master' | 'slave'): Promise<void> {
  await waitFor(`role ${role}`, async () => {
    const fields = await info(conn, 'replication');
    return fields.get('role') === role && (role === 'master' || fields.get('master_link_status') === 'up');
  });
}

async function waitFailoverState(conn: RawConnection, state: string): Promise<void> {
  await waitFor(`master_failover_state:${state}`, async () => (await replField(conn, 'master_failover_state')) === state);
}

/** Waits until some client of `conn`'s server is held with `cmd` (CLIENT LIST flags=b). */
async function held(conn: RawConnection, cmd: string): Promise<void> {
  await waitFor(`a held ${cmd}`, async () =>
    text(await conn.call('CLIENT', 'LIST'))
      .split('\n')
      .some((line) => / flags=b /.test(line) && line.includes(` cmd=${cmd} `)),
  );
}

function logged(server: RunningServer, line: string): boolean {
  return server.output().includes(line);
}

async function waitLogged(server: RunningServer, line: string): Promise<void> {
  await waitFor(`the log line "${line}"`, () => logged(server, line));
}

function logCount(server: RunningServer, line: string): number {
  return server.output().split(line).length - 1;
}

/** Resolves once nothing listens on `port` any more (the process exited). */
async function portClosed(port: number): Promise<void> {
  await waitFor(`port ${port} to close`, () =>
    new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.once('error', () => resolve(true));
    }),
  );
}

describe('FAILOVER as real Redis', { skip: !redisAvailable() }, () => {
  /** Every FAILOVER reply (and those of commands it refuses) through a failover's states. */
  async function failoverReplies(start: Start): Promise<string[]> {
    const master = await start();
    const m = await p.open(master.port);
    const out: string[] = [];
    const say = async (conn: RawConnection, ...args: string[]) => void out.push(text(await conn.call(...args)));
    // No replica yet, and bad syntax.
    for (const args of [
      [],
      ['ABORT'],
      ['TO'],
      ['TIMEOUT', '0'],
      ['TIMEOUT', '-5'],
      ['TIMEOUT', 'soon'],
      ['TO', 'host', 'port'],
      ['FORCE'],
      ['bogus'],
      ['ABORT', 'ABORT'],
      ['TIMEOUT', '10', 'TIMEOUT', '20'],
      ['FORCE', 'FORCE'],
      ['TO', '127.0.0.1', '1', 'TO', '127.0.0.1', '2'],
    ]) {
      await say(m, 'FAILOVER', ...args);
    }
    await say(m, 'PSYNC', '?', '-1', 'FAILOVER');
    const replica = await start(replicaOf(master.port));
    const r = await p.open(replica.port);
    await caughtUp(m, r);
    await online(m, 1);
    const port = String(replica.port);
    for (const args of [
      ['FORCE'],
      ['TIMEOUT', '100', 'FORCE'],
      ['TO', '127.0.0.1', '1'],
      ['TO', '127.0.0.2', port],
      ['TO', '127.0.0.1', port, 'FORCE'],
      ['TO', '127.0.0.1', 'x'],
    ]) {
      await say(m, 'FAILOVER', ...args);
    }
    await say(r, 'FAILOVER');
    await say(r, 'FAILOVER', 'TO', '127.0.0.1', String(master.port));
    await say(r, 'PSYNC', 'f'.repeat(40), '1', 'FAILOVER');
    // Waiting for a replica that cannot catch up: writes are held, the failover refuses what would disturb it.
    p.freeze(replica.pid);
    await say(m, 'SET', 'k', 'v');
    await say(m, 'FAILOVER', 'TO', '127.0.0.1', port, 'TIMEOUT', '600000');
    out.push((await replField(m, 'master_failover_state'))!);
    const w = await p.open(master.port);
    const write = w.call('SET', 'during', 'failover');
    await held(m, 'set');
    await say(m, 'FAILOVER');
    await say(m, 'FAILOVER', 'ABORT', 'TIMEOUT', '5');
    await say(m, 'REPLICAOF', 'NO', 'ONE');
    await say(m, 'REPLICAOF', '127.0.0.1', '1');
    await say(m, 'PSYNC', '?', '-1');
    await say(m, 'GET', 'k');
    await say(m, 'FAILOVER', 'ABORT');
    out.push(text(await write));
    out.push((await replField(m, 'master_failover_state'))!);
    await say(m, 'FAILOVER', 'ABORT');
    p.thaw(replica.pid);
    assert.ok(logged(master, `FAILOVER to 127.0.0.1:${port} aborted: Failover manually aborted`));
    return out;
  }

  test('errors and replies in every state are byte-identical', async () => {
    const expected = await failoverReplies(redis);
    const actual = await failoverReplies(tandem);
    assert.deepEqual(actual, expected);
    assert.ok(expected.includes('-ERR FAILOVER already in progress.\r\n'));
    assert.ok(expected.includes("-NOMASTERLINK Can't SYNC while failing over\r\n"));
  });
});

describe('FAILOVER between Tandem nodes', () => {
  test('FAILOVER TO a replica: writes held then refused, the other replica re-pointed resumes partially', async () => {
    const { master, m, a, ac, bc } = await masterWithTwo(5);
    // The target is held back: the failover waits for it, and so do writes.
    p.freeze(a.pid);
    await writeRoundTo(m, 'lag', 0);
    assert.equal(text(await m.call('FAILOVER', 'TO', '127.0.0.1', String(a.port))), '+OK\r\n');
    assert.equal(await replField(m, 'master_failover_state'), 'waiting-for-sync');
    const w = await p.open(master.port);
    const write = w.call('SET', 'during', 'failover');
    await held(m, 'set');
    assert.equal(text(await m.call('GET', 'pre:counter')), '$1\r\n5\r\n');
    p.thaw(a.pid);
    // Held until the end of the failover, the write then meets a replica.
    assert.equal(text(await write), "-READONLY You can't write against a read only replica.\r\n");
    await waitRole(ac, 'master');
    await waitRole(m, 'slave');
    assert.equal(await replField(m, 'master_failover_state'), 'no-failover');
    assert.equal(await replField(m, 'master_port'), String(a.port));
    assert.ok(logged(master, `FAILOVER requested to 127.0.0.1:${a.port}.`));
    assert.ok(logged(master, `Failover target 127.0.0.1:${a.port} is synced, failing over.`));
    assert.ok(logged(a, `Failover request received for replid `));
    assert.ok(logged(a, "MASTER MODE enabled (failover request from 'id="));
    // The old master continued with the target's history: no full sync anywhere.
    assert.equal(await statField(ac, 'sync_partial_ok'), '1');
    assert.equal(await statField(ac, 'sync_full'), '0');
    // The other replica, re-pointed to the new master, continues too.
    assert.equal(text(await bc.call('REPLICAOF', '127.0.0.1', String(a.port))), '+OK\r\n');
    await waitRole(bc, 'slave');
    await waitFor('the re-pointed replica on the new master', async () => (await statField(ac, 'sync_partial_ok')) === '2');
    assert.equal(await statField(ac, 'sync_full'), '0');
    for (let n = 0; n < 5; n++) await writeRoundTo(ac, 'post', n);
    await assertConverged(ac, [m, bc]);
  });

  test('FAILOVER without TO takes the replica that caught up', async () => {
    const { master, m, a, ac, b, bc } = await masterWithTwo(0);
    // b lags behind: only a can take over.
    p.freeze(b.pid);
    await writeRoundTo(m, 'any', 0);
    assert.equal(text(await m.call('FAILOVER')), '+OK\r\n');
    await waitRole(ac, 'master');
    await waitRole(m, 'slave');
    assert.ok(logged(master, 'FAILOVER requested to any replica.'));
    assert.ok(logged(master, `Failover target 127.0.0.1:${a.port} is synced, failing over.`));
    assert.equal(await replField(m, 'master_port'), String(a.port));
    p.thaw(b.pid);
    for (let n = 1; n < 4; n++) await writeRoundTo(ac, 'any', n);
    // b still follows the old master, now a replica of a: a chain.
    await assertConverged(ac, [m, bc]);
    assert.equal(await replField(bc, 'master_port'), String(master.port));
  });

  test('TIMEOUT gives up, ABORT cancels, FORCE fails over to a replica that never caught up', async () => {
    const { master, m, replica, r } = await pair(tandem, tandem);
    const target = ['TO', '127.0.0.1', String(replica.port)];
    p.freeze(replica.pid);
    await writeRoundTo(m, 'late', 0);
    assert.equal(text(await m.call('FAILOVER', ...target, 'TIMEOUT', '300')), '+OK\r\n');
    await waitFailoverState(m, 'no-failover');
    assert.ok(logged(master, `FAILOVER to 127.0.0.1:${replica.port} aborted: Replica never caught up before timeout`));
    assert.equal(await replField(m, 'role'), 'master');
    assert.equal(text(await m.call('SET', 'after-timeout', '1')), '+OK\r\n');

    assert.equal(text(await m.call('FAILOVER', ...target)), '+OK\r\n');
    assert.equal(await replField(m, 'master_failover_state'), 'waiting-for-sync');
    assert.equal(text(await m.call('FAILOVER', 'ABORT')), '+OK\r\n');
    assert.equal(await replField(m, 'master_failover_state'), 'no-failover');
    assert.equal(text(await m.call('SET', 'after-abort', '1')), '+OK\r\n');

    assert.equal(text(await m.call('FAILOVER', ...target, 'TIMEOUT', '300', 'FORCE')), '+OK\r\n');
    await waitFailoverState(m, 'failover-in-progress');
    assert.ok(logged(master, `FAILOVER to 127.0.0.1:${replica.port} time out exceeded, failing over.`));
    assert.equal(await replField(m, 'role'), 'slave');
    assert.equal(await replField(m, 'master_link_status'), 'down');
    p.thaw(replica.pid);
    await waitRole(r, 'master');
    await waitRole(m, 'slave');
    await waitFailoverState(m, 'no-failover');
    await writeRoundTo(r, 'forced', 0);
    await assertConverged(r, [m]);
  });
});

describe('FAILOVER across Tandem and real Redis', { skip: !redisAvailable() }, () => {
  /**
   * A failover to a replica-priority 0 replica, which a master cannot tell
   * from any other (priorities are for Sentinel): the replica takes over,
   * the old master continues from it with +CONTINUE.
   */
  async function failoverAcross(startMaster: Start, startReplica: Start, to: boolean): Promise<void> {
    const { master, m, replica, r } = await pair(startMaster, startReplica, ['--replica-priority', '0']);
    assert.equal(await replField(r, 'slave_priority'), '0');
    for (let n = 0; n < 5; n++) await writeRoundTo(m, 'across', n);
    await caughtUp(m, r);
    const args = to ? ['TO', '127.0.0.1', String(replica.port)] : [];
    assert.equal(text(await m.call('FAILOVER', ...args)), '+OK\r\n');
    await waitRole(r, 'master');
    await waitRole(m, 'slave');
    assert.ok(logged(master, `Failover target 127.0.0.1:${replica.port} is synced, failing over.`));
    assert.ok(logged(replica, "MASTER MODE enabled (failover request from 'id="));
    assert.ok(logged(master, 'Successful partial resynchronization with master.'));
    assert.equal(await statField(r, 'sync_partial_ok'), '1');
    assert.equal(await statField(r, 'sync_full'), '0');
    for (let n = 5; n < 10; n++) await writeRoundTo(r, 'across', n);
    await assertConverged(r, [m]);
  }

  test('a Tandem master fails over to a real redis-server replica', async () => {
    await failoverAcross(tandem, redis, false);
  });

  test('a real redis-server master fails over to a Tandem replica', async () => {
    await failoverAcross(redis, tandem, true);
  });
});

describe('SHUTDOWN with replicas, and a master restarted from its dump', () => {
  test('SHUTDOWN under writes waits for the replicas; restarted, the master resumes them with +CONTINUE', {
    skip: !redisAvailable(),
  }, async () => {
    const dir = p.dir('tandem-restart-');
    const port = await freePort();
    const masterArgs = ['--dir', dir, '--port', String(port)];
    const first = await p.tandem(masterArgs);
    const m = await p.open(port);
    for (let n = 0; n < 5; n++) await writeRoundTo(m, 'restart', n);
    const redisReplica = await p.redis(replicaOf(port));
    const tandemReplica = await p.tandem(replicaOf(port));
    const rr = await p.open(redisReplica.port);
    const tr = await p.open(tandemReplica.port);
    await caughtUp(m, rr);
    await caughtUp(m, tr);
    await online(m, 2);
    // Gone by the restart: its DEL reaches the replicas from the restarted master's backlog.
    assert.equal(text(await m.call('SET', 'restart:expiring', 'x', 'PX', '300')), '+OK\r\n');
    // A writer keeps writing while SHUTDOWN waits for the replicas; its acknowledged writes must survive.
    const w = await p.open(port);
    let acknowledged = 0;
    const writing = (async () => {
      try {
        for (;;) {
          if (text(await w.call('INCR', 'restart:writes')).startsWith(':')) acknowledged++;
        }
      } catch {
        // The master went away.
      }
    })();
    await waitFor('some writes', () => acknowledged > 20);
    const replid = await replField(m, 'master_replid');
    const s = await p.open(port);
    s.send('*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n');
    await s.waitClosed(15000);
    await writing;
    await portClosed(port);
    assert.ok(logged(first, 'Waiting for replicas before shutting down.'));
    assert.ok(logged(first, '2 of 2 replicas are in sync when shutting down.'));
    assert.ok(logged(first, 'Saving the final RDB snapshot before exiting.'));

    const second = await p.tandem(masterArgs);
    const m2 = await p.open(port);
    assert.equal(await replField(m2, 'master_replid2'), replid);
    await waitFor('both replicas back', async () => (await statField(m2, 'sync_partial_ok')) === '2');
    assert.equal(await statField(m2, 'sync_full'), '0');
    assert.ok(logged(second, 'Partial resynchronization request from 127.0.0.1:'));
    for (const replica of [redisReplica, tandemReplica]) {
      await waitLogged(replica, 'MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      assert.equal(logCount(replica, 'Successful partial resynchronization with master.'), 1);
      assert.ok(logged(replica, `Master replication ID changed to ${await replField(m2, 'master_replid')}`));
    }
    const counter = Number(text(await m2.call('GET', 'restart:writes')).split('\r\n')[1]);
    assert.ok(counter >= acknowledged, `${counter} writes kept, ${acknowledged} acknowledged`);
    assert.equal(text(await m2.call('EXISTS', 'restart:expiring')), ':0\r\n');
    for (let n = 5; n < 8; n++) await writeRoundTo(m2, 'restart', n);
    await assertConverged(m2, [rr, tr]);
  });

  /** SHUTDOWN waiting for a frozen replica, then ABORT: the replies, as Redis gives them. */
  async function shutdownAbortReplies(start: Start): Promise<string[]> {
    const { master, m, replica } = await pair(start, start);
    p.freeze(replica.pid);
    assert.equal(text(await m.call('SET', 'k', 'v')), '+OK\r\n');
    const out: string[] = [];
    const caller = await p.open(master.port);
    const shutdown = caller.call('SHUTDOWN');
    await waitLogged(master, 'Waiting for replicas before shutting down.');
    const w = await p.open(master.port);
    const write = w.call('SET', 'during', 'shutdown');
    await held(m, 'set');
    out.push(text(await m.call('SHUTDOWN', 'ABORT', 'NOW')));
    out.push(text(await m.call('SHUTDOWN', 'ABORT')));
    out.push(text(await shutdown));
    out.push(text(await write));
    out.push(text(await m.call('SHUTDOWN', 'ABORT')));
    p.thaw(replica.pid);
    assert.ok(logged(master, 'Shutdown manually aborted.'));
    return out;
  }

  test('SHUTDOWN ABORT while waiting for a lagging replica, as real Redis', { skip: !redisAvailable() }, async () => {
    const expected = await shutdownAbortReplies(redis);
    assert.deepEqual(await shutdownAbortReplies(tandem), expected);
    assert.deepEqual(expected.slice(1), [
      '+OK\r\n',
      '-ERR Errors trying to SHUTDOWN. Check logs.\r\n',
      '+OK\r\n',
      '-ERR No shutdown in progress.\r\n',
    ]);
  });

  test('SIGTERM waits shutdown-timeout for a lagging replica; SHUTDOWN NOW does not wait', async () => {
    const { master, m, replica } = await pair(() => p.tandem(['--shutdown-timeout', '1']), tandem);
    p.freeze(replica.pid);
    assert.equal(text(await m.call('SET', 'k', 'v')), '+OK\r\n');
    process.kill(master.pid, 'SIGTERM');
    await waitLogged(master, 'is now ready to exit, bye bye...');
    p.thaw(replica.pid);
    for (const line of [
      'Received SIGTERM scheduling shutdown...',
      'User requested shutdown...',
      'Waiting for replicas before shutting down.',
      `Lagging replica 127.0.0.1:${replica.port} reported offset `,
      '0 of 1 replicas are in sync when shutting down.',
    ]) {
      assert.ok(logged(master, line), line);
    }

    const second = await pair(tandem, tandem);
    p.freeze(second.replica.pid);
    assert.equal(text(await second.m.call('SET', 'k', 'v')), '+OK\r\n');
    second.m.send('*2\r\n$8\r\nSHUTDOWN\r\n$3\r\nNOW\r\n');
    assert.ok(await second.m.waitClosed(5000));
    p.thaw(second.replica.pid);
    assert.ok(!logged(second.master, 'Waiting for replicas before shutting down.'));
    assert.ok(logged(second.master, '0 of 1 replicas are in sync when shutting down.'));
  });
});

describe('a full sync is a BGSAVE', () => {
  test('while a diskless transfer runs SAVE and BGSAVE are refused; FLUSHALL kills it and drops its replicas', async () => {
    const master = await p.tandem(['--repl-diskless-sync', 'yes']);
    const m = await p.open(master.port);
    // Enough data that a replica which stops reading holds the transfer up.
    assert.equal(text(await m.call('DEBUG', 'POPULATE', '100000', 'big', '500')), '+OK\r\n');
    const fake = await FakeReplica.connect(master.port);
    await fake.handshake(6399);
    fake.send('PSYNC', '?', '-1');
    assert.match(await fake.line(), /^\+FULLRESYNC [0-9a-f]{40} \d+$/);
    fake.pauseReading();
    assert.equal((await info(m, 'persistence')).get('rdb_bgsave_in_progress'), '1');
    assert.equal(text(await m.call('BGSAVE')), '-ERR Background save already in progress\r\n');
    assert.equal(text(await m.call('BGSAVE', 'SCHEDULE')), '-ERR Background save already in progress\r\n');
    assert.equal(text(await m.call('SAVE')), '-ERR Background save already in progress\r\n');
    assert.equal(text(await m.call('FLUSHALL')), '+OK\r\n');
    await waitFor('the replica to be dropped', async () => (await replField(m, 'connected_slaves')) === '0');
    fake.close();
    await waitLogged(master, 'Background transfer terminated by signal 10');
    assert.ok(logged(master, 'SYNC failed. BGSAVE child returned an error'));
    await waitFor('the transfer to end', async () => (await info(m, 'persistence')).get('rdb_bgsave_in_progress') === '0');
    assert.equal(text(await m.call('BGSAVE')), '+Background saving started\r\n');
  });

  /** Changes since the last save before and after a replica's full sync from the dump file. */
  async function changesAroundDiskSync(start: Start): Promise<string[]> {
    const master = await start(['--repl-diskless-sync', 'no']);
    const m = await p.open(master.port);
    await m.call('SET', 'a', '1');
    await m.call('SET', 'b', '2');
    const before = (await info(m, 'persistence')).get('rdb_changes_since_last_save')!;
    const replica = await start(replicaOf(master.port));
    await linkUp(await p.open(replica.port));
    await waitFor('the save to end', async () => (await info(m, 'persistence')).get('rdb_bgsave_in_progress') === '0');
    const after = await info(m, 'persistence');
    assert.ok(logged(master, 'Background saving terminated with success'));
    return [before, after.get('rdb_changes_since_last_save')!, after.get('rdb_last_bgsave_status')!];
  }

  test('a full sync from the dump file counts as a save, as real Redis', { skip: !redisAvailable() }, async () => {
    const expected = await changesAroundDiskSync(redis);
    assert.deepEqual(expected, ['2', '0', 'ok']);
    assert.deepEqual(await changesAroundDiskSync(tandem), expected);
  });
});
