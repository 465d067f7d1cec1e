// PUBLISH on a master reaches subscribers on its replicas (Redis propagates it to replicas outside cluster
// mode, which Sentinel's hello messages rely on), and never goes into the AOF.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { TestProcesses, caughtUp, linkUp } from './helpers/replication-replica.js';
import { redisAvailable } from './helpers/servers.js';

const text = (b: Buffer) => b.toString('latin1');

describe('PUBLISH and replication', { skip: !redisAvailable() && 'redis-server is not installed' }, () => {
  const procs = new TestProcesses();
  after(() => procs.cleanup());

  for (const replicaKind of ['tandem', 'redis'] as const) {
    test(`a subscriber on a ${replicaKind} replica gets what is published on a Tandem master`, async () => {
      const dir = procs.dir('tandem-publish-');
      const master = await procs.tandem(['--appendonly', 'yes', '--dir', dir]);
      const replica = await (replicaKind === 'tandem' ? procs.tandem.bind(procs) : procs.redis.bind(procs))([
        '--replicaof', '127.0.0.1', String(master.port),
      ]);
      const m = await procs.open(master.port);
      const r = await procs.open(replica.port);
      await linkUp(r);
      const sub = await procs.open(replica.port);
      assert.equal(text(await sub.call('SUBSCRIBE', 'news')), '*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n');
      const offsetBefore = await m.call('INFO', 'replication');
      assert.equal(text(await m.call('PUBLISH', 'news', 'hello')), ':0\r\n', 'no subscriber on the master itself');
      assert.equal(text(await sub.reply()), '*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n');
      assert.notEqual(text(await m.call('INFO', 'replication')), text(offsetBefore));
      await caughtUp(m, r);
      // The AOF holds data changes only.
      await m.call('SET', 'k', 'v');
      const incr = fs.readdirSync(path.join(dir, 'appendonlydir')).find((f) => f.endsWith('.incr.aof'))!;
      const aof = fs.readFileSync(path.join(dir, 'appendonlydir', incr), 'latin1');
      assert.match(aof, /SET/);
      assert.doesNotMatch(aof, /PUBLISH/);
    });
  }
});
