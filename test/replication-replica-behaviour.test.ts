// How Tandem behaves as a replica, next to a real redis-server 7.0 replica
// in the same situation (byte-identical replies): read-only writes,
// replica-serve-stale-data no while the link is down, ROLE, the INFO
// replication fields; REPLICAOF at runtime (blocked clients told, CONFIG
// REWRITE) and REPLICAOF NO ONE (replid2, writes allowed again); keys that
// expire on a replica only when the master's DEL arrives.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort, redisAvailable } from './helpers/servers.js';
import { info, run, text, waitFor, workload } from './helpers/aof.js';
import { TestProcesses, caughtUp, linkUp, replField, sameDataset } from './helpers/replication-replica.js';
import type { RawConnection } from './helpers/resp.js';

const haveRedis = redisAvailable();
const procs = new TestProcesses();
after(() => procs.cleanup());

/** A Tandem and a real Redis started with the same arguments. */
async function pair(args: string[]): Promise<[RawConnection, RawConnection]> {
  const t = await procs.tandem(args);
  const r = await procs.redis(args);
  return [await procs.open(t.port), await procs.open(r.port)];
}

/** Each command's reply, byte for byte, on both. */
async function sameReplies(tandem: RawConnection, redis: RawConnection, commands: string[][]): Promise<void> {
  for (const c of commands) {
    assert.equal(text(await tandem.call(...c)), text(await redis.call(...c)), c.join(' '));
  }
}

/** The ROLE reply with the offset (the last element) left out: the two replicas may have applied different amounts. */
async function roleWithoutOffset(conn: RawConnection): Promise<string> {
  return text(await conn.call('ROLE')).replace(/:-?\d+\r\n$/, '');
}

describe('replica behaviour next to real Redis', { skip: !haveRedis }, () => {
  test('read-only replica: writes refused, reads served, ROLE and INFO as Redis', async () => {
    const master = await procs.redis();
    const m = await procs.open(master.port);
    await run(m, [['SET', 'k', 'v'], ['RPUSH', 'l', 'a', 'b']]);
    const [t, r] = await pair(['--replicaof', '127.0.0.1', String(master.port)]);
    await caughtUp(m, t);
    await caughtUp(m, r);
    await sameReplies(t, r, [
      ['SET', 'k', 'other'],
      ['GET', 'k'],
      ['LRANGE', 'l', '0', '-1'],
      ['DEL', 'k'],
      ['MULTI'],
      ['SET', 'x', '1'],
      ['GET', 'k'],
      ['EXEC'],
      ['REPLICAOF', '127.0.0.1', String(master.port)],
      ['SLAVEOF', '127.0.0.1', String(master.port)],
      ['REPLICAOF', '127.0.0.1', 'port'],
      ['REPLICAOF', '127.0.0.1', '65536'],
    ]);
    assert.equal(await roleWithoutOffset(t), await roleWithoutOffset(r));
    assert.match(text(await t.call('ROLE')), new RegExp(`^\\*5\\r\\n\\$5\\r\\nslave\\r\\n\\$9\\r\\n127\\.0\\.0\\.1\\r\\n:${master.port}\\r\\n\\$9\\r\\nconnected\\r\\n:\\d+\\r\\n$`));
    // INFO replication: the same fields in the same order.
    const fields = async (c: RawConnection) => [...(await info(c, 'replication')).keys()];
    assert.deepEqual(await fields(t), await fields(r));
    assert.equal(await replField(t, 'role'), 'slave');
    assert.equal(await replField(t, 'master_port'), String(master.port));
    assert.equal(await replField(t, 'slave_read_only'), '1');
    // A writable replica takes writes, which stay local.
    await sameReplies(t, r, [['CONFIG', 'SET', 'replica-read-only', 'no'], ['SET', 'local', '1'], ['GET', 'local']]);
    assert.equal(text(await m.call('EXISTS', 'local')), ':0\r\n');
  });

  test('link down: INFO, ROLE, and replica-serve-stale-data no', async () => {
    const deadPort = await freePort();
    const [t, r] = await pair(['--replicaof', '127.0.0.1', String(deadPort)]);
    const fields = async (c: RawConnection) => [...(await info(c, 'replication')).keys()];
    assert.deepEqual(await fields(t), await fields(r));
    for (const name of ['master_link_status', 'master_last_io_seconds_ago', 'master_sync_in_progress', 'slave_read_repl_offset', 'slave_repl_offset', 'master_link_down_since_seconds']) {
      assert.equal(await replField(t, name), await replField(r, name), name);
    }
    // Stale data is served by default.
    await sameReplies(t, r, [['GET', 'x'], ['DBSIZE'], ['PING']]);
    await sameReplies(t, r, [
      ['CONFIG', 'SET', 'replica-serve-stale-data', 'no'],
      ['GET', 'x'],
      ['PING'],
      ['DBSIZE'],
      ['SET', 'x', '1'],
      ['ECHO', 'hello'],
      ['CONFIG', 'GET', 'replica-serve-stale-data'],
      ['MULTI'],
      ['GET', 'x'],
      ['EXEC'],
      ['MULTI'],
      ['CONFIG', 'GET', 'replicaof'],
      ['EXEC'],
      ['REPLICAOF', '127.0.0.1', String(deadPort)],
    ]);
    const role = await roleWithoutOffset(t);
    assert.match(role, /\$(7\r\nconnect|10\r\nconnecting)\r\n$/);
    assert.match(text(await t.call('ROLE')), /:-1\r\n$/);
    assert.equal(text(await t.call('INFO', 'replication')).includes('master_link_down_since_seconds:-1'), true);
  });

  test('REPLICAOF at runtime and REPLICAOF NO ONE; CONFIG REWRITE keeps the relationship', async () => {
    const master = await procs.redis();
    const m = await procs.open(master.port);
    await run(m, workload('master'));
    const dir = procs.dir('tandem-replicaof-');
    const conf = path.join(dir, 'tandem.conf');
    fs.writeFileSync(conf, 'port 0\n');
    const tandem = await procs.tandem([], conf);
    const t = await procs.open(tandem.port);
    await run(t, [['SET', 'mine', 'gone soon']]);
    const ownId = await replField(t, 'master_replid');
    // A client blocked while we were a master is told and disconnected.
    const blocked = await procs.open(tandem.port);
    blocked.send('*3\r\n$5\r\nBLPOP\r\n$7\r\nnothing\r\n$1\r\n0\r\n');
    await waitFor('the blocked client', async () => (await info(t, 'clients')).get('blocked_clients') === '1');
    assert.equal(text(await t.call('REPLICAOF', '127.0.0.1', String(master.port))), '+OK\r\n');
    assert.equal(
      text(await blocked.reply()),
      '-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n',
    );
    assert.ok(await blocked.waitClosed());
    await sameDataset(m, t);
    assert.equal(text(await t.call('EXISTS', 'mine')), ':0\r\n');
    const log = tandem.output();
    assert.match(log, /Before turning into a replica, using my own master parameters to synthesize a cached master/);
    assert.match(log, new RegExp(`Trying a partial resynchronization \\(request ${ownId}:1\\)\\.`));
    assert.match(log, new RegExp(`REPLICAOF 127\\.0\\.0\\.1:${master.port} enabled \\(user request from 'id=\\d+ addr=`));
    assert.match(log, /\d+:S .* Full resync from master/);
    assert.equal(text(await t.call('CONFIG', 'GET', 'replicaof')), `*2\r\n$9\r\nreplicaof\r\n$${`127.0.0.1 ${master.port}`.length}\r\n127.0.0.1 ${master.port}\r\n`);
    assert.equal(text(await t.call('CONFIG', 'REWRITE')), '+OK\r\n');
    assert.match(fs.readFileSync(conf, 'latin1'), new RegExp(`^replicaof 127\\.0\\.0\\.1 ${master.port}$`, 'm'));

    // Promotion: a new history; the master's stays valid up to here as replid2.
    const replId = await replField(t, 'master_replid');
    const offset = Number(await replField(t, 'master_repl_offset'));
    assert.equal(replId, await replField(m, 'master_replid'));
    assert.equal(text(await t.call('REPLICAOF', 'NO', 'ONE')), '+OK\r\n');
    assert.equal(text(await t.call('REPLICAOF', 'NO', 'ONE')), '+OK\r\n');
    const repl = await info(t, 'replication');
    assert.equal(repl.get('role'), 'master');
    assert.equal(repl.get('master_replid2'), replId);
    assert.equal(repl.get('second_repl_offset'), String(offset + 1));
    assert.notEqual(repl.get('master_replid'), replId);
    assert.equal(text(await t.call('ROLE')), `*3\r\n$6\r\nmaster\r\n:${offset}\r\n*0\r\n`);
    // Writes again, and they make our own stream now.
    assert.equal(text(await t.call('SET', 'after-promotion', '1')), '+OK\r\n');
    assert.ok(Number(await replField(t, 'master_repl_offset')) > offset);
    assert.match(tandem.output(), /\d+:M .* MASTER MODE enabled \(user request from 'id=\d+ /);
    assert.equal(text(await m.call('EXISTS', 'after-promotion')), ':0\r\n');
    assert.equal(text(await t.call('CONFIG', 'REWRITE')), '+OK\r\n');
    assert.doesNotMatch(fs.readFileSync(conf, 'latin1'), /^replicaof/m);
  });

  test('keys expire on the replica only when the master deletes them', async () => {
    const master = await procs.redis();
    const m = await procs.open(master.port);
    // The master must not expire the keys by itself before we look.
    await run(m, [['DEBUG', 'SET-ACTIVE-EXPIRE', '0']]);
    const tandem = await procs.tandem(['--replicaof', '127.0.0.1', String(master.port)]);
    const t = await procs.open(tandem.port);
    await linkUp(t);
    await run(m, [['SET', 'short', 'v', 'PX', '300'], ['SET', 'long', 'v'], ['HSET', 'h', 'f', 'v'], ['PEXPIRE', 'h', '300']]);
    await caughtUp(m, t);
    assert.equal(text(await t.call('GET', 'short')), '$1\r\nv\r\n');
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Logically expired: hidden from reads, still stored until the master's DEL.
    assert.equal(text(await t.call('GET', 'short')), '$-1\r\n');
    assert.equal(text(await t.call('HGET', 'h', 'f')), '$-1\r\n');
    assert.equal(text(await t.call('DBSIZE')), ':3\r\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(text(await t.call('DBSIZE')), ':3\r\n');
    // The master finds them expired and propagates DELs.
    assert.equal(text(await m.call('GET', 'short')), '$-1\r\n');
    assert.equal(text(await m.call('EXISTS', 'h')), ':0\r\n');
    await caughtUp(m, t);
    assert.equal(text(await t.call('DBSIZE')), ':1\r\n');
    assert.equal(text(await t.call('GET', 'long')), '$1\r\nv\r\n');
  });
});
