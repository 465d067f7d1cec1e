// Tandem as a replica of a real redis-server 7.0, black-box with real
// processes: full synchronisation from a diskless master ($EOF: payload) and
// from a disk one ($<len>), to disk or straight to memory (swapdb,
// on-empty-db), with writes of every type before, during and after it; a
// partial resynchronisation after the master link is killed; the master
// restarted from its dump; AUTH with masteruser/masterauth and the announced
// address. The datasets must end equal (DEBUG DIGEST).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { info, run, text, waitFor, workload } from './helpers/aof.js';
import { TestProcesses, linkUp, replField, sameDataset, statField } from './helpers/replication-replica.js';
import type { RawConnection } from './helpers/resp.js';
import { redisAvailable, type RunningServer } from './helpers/servers.js';

const haveRedis = redisAvailable();
const procs = new TestProcesses();
after(() => procs.cleanup());

function tandemReplicaOf(masterPort: number, args: string[] = []): Promise<RunningServer> {
  return procs.tandem(['--replicaof', '127.0.0.1', String(masterPort), ...args]);
}

/** Writes of several types, one round per call, while the replica synchronises. */
async function writeDuring(master: RawConnection, replica: RawConnection): Promise<number> {
  let rounds = 0;
  for (;;) {
    await run(master, [
      ['INCR', 'during:counter'],
      ['RPUSH', 'during:list', `item-${rounds}`],
      ['HSET', 'during:hash', `f${rounds}`, String(rounds)],
      ['ZADD', 'during:zset', String(rounds), `m${rounds}`],
      ['SET', `during:ttl:${rounds}`, 'x', 'EX', '1000'],
      ['XADD', 'during:stream', '*', 'round', String(rounds)],
    ]);
    rounds++;
    if ((await replField(replica, 'master_link_status')) === 'up') return rounds;
  }
}

describe('Tandem replica of real Redis', { skip: !haveRedis }, () => {
  test('diskless master: full sync under writes, partial resync after CLIENT KILL, master restart', async () => {
    const masterDir = procs.dir('tandem-repl-master-');
    const masterArgs = ['--dir', masterDir, '--repl-diskless-sync', 'yes'];
    const master = await procs.redis(masterArgs);
    const m = await procs.open(master.port);
    await run(m, workload('before'));
    // Enough data that the writes below land while the sync is under way.
    await run(m, [['DEBUG', 'POPULATE', '100000', 'bulk', '64']]);
    const replica = await tandemReplicaOf(master.port);
    const r = await procs.open(replica.port);
    const rounds = await writeDuring(m, r);
    assert.ok(rounds > 0);
    await run(m, workload('after'));
    await sameDataset(m, r);
    const log = replica.output();
    assert.match(log, /Partial resynchronization not possible \(no cached master\)/);
    assert.match(log, /Full resync from master: [0-9a-f]{40}:\d+/);
    assert.match(log, /MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk/);
    assert.match(log, /MASTER <-> REPLICA sync: Finished with success/);
    // The payload went to a temp file, then became the dump.
    assert.ok(fs.existsSync(path.join(replica.dir, 'dump.rdb')));
    assert.deepEqual(fs.readdirSync(replica.dir).filter((f) => f.startsWith('temp-')), []);
    // Both ends agree on the history.
    assert.equal(await replField(r, 'master_replid'), await replField(m, 'master_replid'));

    // The master link killed: Tandem reconnects and continues where it was.
    const partialBefore = Number(await statField(m, 'sync_partial_ok'));
    assert.equal(text(await r.call('CLIENT', 'KILL', 'TYPE', 'master')), ':1\r\n');
    await run(m, workload('partial'));
    await sameDataset(m, r);
    assert.equal(Number(await statField(m, 'sync_partial_ok')), partialBefore + 1);
    assert.equal(await statField(m, 'sync_full'), '1');
    assert.match(master.output(), /Partial resynchronization request from 127\.0\.0\.1:\d+ accepted/);
    assert.match(replica.output(), /Connection with master lost\.[\s\S]*Caching the disconnected master state\./);
    assert.match(replica.output(), /Trying a partial resynchronization \(request [0-9a-f]{40}:\d+\)\./);
    assert.match(replica.output(), /Successful partial resynchronization with master\./);

    // The master restarts from its dump (replication ID and offset in it): Tandem resumes partially again.
    m.send('*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n');
    assert.ok(await m.waitClosed(10000));
    await master.stop();
    await waitFor('the link to go down', async () => (await replField(r, 'master_link_status')) === 'down');
    assert.equal(await replField(r, 'master_link_down_since_seconds') !== '-1', true);
    const restarted = await procs.redis([...masterArgs, '--port', String(master.port)]);
    const m2 = await procs.open(master.port);
    await run(m2, workload('restarted'));
    await sameDataset(m2, r);
    assert.equal(await statField(m2, 'sync_partial_ok'), '1');
    assert.equal(await statField(m2, 'sync_full'), '0');
    assert.match(restarted.output(), /Partial resynchronization request from 127\.0\.0\.1:\d+ accepted/);
  });

  test('disk master ($<len> payload): to disk, and straight to memory with swapdb and on-empty-db', async () => {
    const master = await procs.redis(['--repl-diskless-sync', 'no']);
    const m = await procs.open(master.port);
    await run(m, workload('before'));
    await run(m, [['DEBUG', 'POPULATE', '20000', 'bulk', '32']]);
    const toDisk = await tandemReplicaOf(master.port);
    const swapdb = await tandemReplicaOf(master.port, ['--repl-diskless-load', 'swapdb']);
    const emptyDb = await tandemReplicaOf(master.port, ['--repl-diskless-load', 'on-empty-db']);
    const replicas = [toDisk, swapdb, emptyDb];
    const conns = await Promise.all(replicas.map((s) => procs.open(s.port)));
    await writeDuring(m, conns[0]);
    await run(m, workload('after'));
    for (const r of conns) await sameDataset(m, r);
    assert.match(toDisk.output(), /MASTER <-> REPLICA sync: receiving \d+ bytes from master to disk/);
    assert.match(swapdb.output(), /MASTER <-> REPLICA sync: receiving \d+ bytes from master to parser/);
    assert.match(swapdb.output(), /MASTER <-> REPLICA sync: Swapping active DB with loaded DB/);
    assert.match(emptyDb.output(), /MASTER <-> REPLICA sync: receiving \d+ bytes from master to parser/);
    assert.match(emptyDb.output(), /MASTER <-> REPLICA sync: Flushing old data/);
    // Nothing was written to disk by the diskless loads.
    assert.ok(!fs.existsSync(path.join(swapdb.dir, 'dump.rdb')));
    // The master sees each replica at its listening port, online.
    const slaves = [...(await info(m, 'replication')).entries()].filter(([k]) => /^slave\d+$/.test(k));
    assert.deepEqual(
      slaves.map(([, v]) => Number(/port=(\d+)/.exec(v)![1])).sort(),
      replicas.map((s) => s.port).sort(),
    );
    for (const [, v] of slaves) assert.match(v, /state=online/);
  });

  test('AUTH with masteruser/masterauth, and the announced address', async () => {
    const master = await procs.redis(['--requirepass', 'defaultpw', '--user', 'repl', 'on', '>replpw', '~*', '&*', '+@all']);
    const m = await procs.open(master.port);
    assert.equal(text(await m.call('AUTH', 'defaultpw')), '+OK\r\n');
    await run(m, workload('auth'));
    const replica = await tandemReplicaOf(master.port, [
      '--masteruser', 'repl', '--masterauth', 'replpw',
      '--replica-announce-ip', '127.0.0.9', '--replica-announce-port', '4242',
    ]);
    const r = await procs.open(replica.port);
    await sameDataset(m, r);
    assert.match((await info(m, 'replication')).get('slave0') ?? '', /^ip=127\.0\.0\.9,port=4242,state=online,/);
    assert.match(text(await m.call('ROLE')), /\*3\r\n\$9\r\n127\.0\.0\.9\r\n\$4\r\n4242\r\n/);

    // A wrong password: the handshake fails and is retried, with Redis's log line.
    const refused = await tandemReplicaOf(master.port, ['--masteruser', 'repl', '--masterauth', 'wrong']);
    await waitFor('the AUTH failure', () => /Unable to AUTH to MASTER: -WRONGPASS/.test(refused.output()));
    const rr = await procs.open(refused.port);
    assert.equal(await replField(rr, 'master_link_status'), 'down');
  });

  test('REPLCONF GETACK is answered with the applied offset, and ACKs flow every second', async () => {
    const master = await procs.redis([]);
    const m = await procs.open(master.port);
    const replica = await tandemReplicaOf(master.port);
    const r = await procs.open(replica.port);
    await linkUp(r);
    await run(m, workload('ack'));
    await sameDataset(m, r);
    // The master's view of the replica: its ACKed offset reaches the master's offset.
    await waitFor('the ACK', async () => {
      const mi = await info(m, 'replication');
      return (mi.get('slave0') ?? '').includes(`offset=${mi.get('master_repl_offset')},`);
    });
    // WAIT on the master sends REPLCONF GETACK: Tandem answers at once.
    assert.equal(text(await m.call('SET', 'acked', '1')), '+OK\r\n');
    assert.equal(text(await m.call('WAIT', '1', '5000')), ':1\r\n');
  });
});
