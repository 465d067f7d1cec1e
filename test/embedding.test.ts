// Several servers in one Node process: all state hangs off the Server object.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Config } from '../src/config/config.js';
import { Server } from '../src/server/server.js';
import { RawConnection } from './helpers/resp.js';
import { freePort } from './helpers/servers.js';

async function startInProcess(): Promise<Server> {
  const config = new Config();
  const err = config.setRuntime([
    ['port', String(await freePort())],
    ['bind', '127.0.0.1'],
  ]);
  assert.equal(err, null);
  const server = new Server(config, { logSink: () => undefined });
  await server.start();
  return server;
}

test('two servers in one process keep separate datasets, configs and stats, and close cleanly', async () => {
  const [a, b] = await Promise.all([startInProcess(), startInProcess()]);
  const portA = a.tcpPort;
  try {
    const [ca, cb] = await Promise.all([RawConnection.open(a.tcpPort), RawConnection.open(b.tcpPort)]);
    assert.equal((await ca.call('SET', 'k', 'from-a')).toString(), '+OK\r\n');
    assert.equal((await cb.call('GET', 'k')).toString(), '$-1\r\n');
    assert.equal((await cb.call('CONFIG', 'SET', 'maxmemory', '1mb')).toString(), '+OK\r\n');
    assert.equal((await ca.call('CONFIG', 'GET', 'maxmemory')).toString(), '*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n');
    assert.equal((await cb.call('DBSIZE')).toString(), ':0\r\n');
    assert.notEqual(a.runId, b.runId);
    assert.equal(a.stats.totalCommandsProcessed, 2);
    ca.close();
    cb.close();
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
  // Closed servers no longer accept connections.
  await assert.rejects(RawConnection.open(portA));
});

test('a command that throws gets an error reply and a logged stack; the server goes on', async () => {
  const { Client } = await import('../src/server/client.js');
  const { Command } = await import('../src/commands/registry.js');
  const { call } = await import('../src/server/dispatch.js');
  const logged: string[] = [];
  const server = new Server(new Config(), { logSink: (line) => logged.push(line) });
  const client = new Client(server, 1, null);
  const boom = new Command({ name: 'boom', arity: 1, flags: [], run: () => { throw new Error('kaboom'); } });
  call(server, client, boom, ['boom']);
  assert.equal(server.stats.errors.get('ERR'), 1);
  assert.ok(logged.some((l) => l.includes("Internal error in 'boom': Error: kaboom")));
  assert.ok(client.pendingReplyBytes > 0);
  await server.close();
});
