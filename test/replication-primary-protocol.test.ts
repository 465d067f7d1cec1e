// The master side of replication, byte for byte: a hand-driven replica asks
// Tandem for full and partial resynchronizations (disk and diskless), and the
// tests check every line and byte it gets back, the stream held during a sync,
// WAIT, min-replicas-to-write, the replica output buffer limit, the
// replication cron (PING, keep-alives, timeouts, backlog TTL) and the log.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { info, text, waitFor } from './helpers/aof.js';
import { differentialSuite } from './helpers/differential.js';
import { FakeReplica, rdbAux, streamCommand } from './helpers/replication-primary.js';
import { RawConnection } from './helpers/resp.js';
import { startTandem, type RunningServer } from './helpers/servers.js';

/** Few PINGs in the stream (the replication cron's first run may send one). */
const quiet = ['--enable-debug-command', 'yes', '--repl-ping-replica-period', '3600'];

const fullResync = /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)$/;

async function field(conn: RawConnection, section: string, name: string): Promise<string | undefined> {
  return (await info(conn, section)).get(name);
}

/** Waits until the server's log has printed `line`. */
async function logged(server: RunningServer, line: string): Promise<void> {
  await waitFor(`log line "${line}"`, () => server.output().includes(line));
}

/** PSYNC ? -1 and the +FULLRESYNC line: the replication ID and offset. */
async function askFullSync(r: FakeReplica): Promise<{ replid: string; offset: number }> {
  r.send('PSYNC', '?', '-1');
  const m = fullResync.exec(await r.line());
  assert.ok(m, 'a +FULLRESYNC line');
  return { replid: m[1], offset: Number(m[2]) };
}

/** A Tandem master for a describe block, and hand-driven replicas connected to it (all closed after). */
function masterWithReplicas(args: string[]) {
  const open: FakeReplica[] = [];
  const m = {
    t: undefined as unknown as RunningServer,
    c: undefined as unknown as RawConnection,
    /** A replica that did its handshake, announcing `port`. */
    async replica(port: number, capa?: string[]): Promise<FakeReplica> {
      const r = await FakeReplica.connect(m.t.port);
      open.push(r);
      await r.handshake(port, capa);
      return r;
    },
    closeReplicas(): void {
      for (const r of open.splice(0)) r.close();
    },
  };
  before(async () => {
    m.t = await startTandem([...quiet, ...args]);
    m.c = await RawConnection.open(m.t.port);
  });
  after(async () => {
    m.closeReplicas();
    m.c?.close();
    await m.t?.stop();
  });
  return m;
}

describe('full and partial resynchronization, disk target', () => {
  const m = masterWithReplicas(['--repl-diskless-sync', 'no']);
  let replid = '';
  let offset = 0;

  test('+FULLRESYNC, the dump file as a bulk, then the writes made meanwhile', async () => {
    await m.c.call('SET', 'before', '1');
    // Enough keys for the snapshot to take several slices.
    await m.c.call('DEBUG', 'POPULATE', '20000');
    const r = await m.replica(7001);
    ({ replid, offset } = await askFullSync(r));
    assert.equal(offset, 0, 'nothing was in the stream before the backlog existed');
    assert.equal(await field(m.c, 'replication', 'master_replid'), replid, 'the backlog started a new history');
    await m.c.call('SET', 'during', '2');
    const { payload, diskless } = await r.rdb();
    assert.equal(diskless, false);
    assert.equal(payload.subarray(0, 9).toString(), 'REDIS0010');
    const aux = rdbAux(payload);
    assert.equal(aux.get('repl-id'), replid);
    assert.equal(aux.get('repl-offset'), String(offset));
    assert.equal(aux.get('repl-stream-db'), '0');
    assert.ok(payload.includes('before'), 'the snapshot holds what was there');
    assert.ok(!payload.includes('during'), 'and nothing written after it began');
    // The held stream starts with a SELECT: the replica knows no database yet.
    assert.deepEqual(await r.commands(2), [['SELECT', '0'], ['SET', 'during', '2']]);
    await m.c.call('SET', 'after', '3');
    assert.deepEqual(await r.commands(1), [['SET', 'after', '3']]);
    offset = Number(await field(m.c, 'replication', 'master_repl_offset'));
    r.send('REPLCONF', 'ACK', String(offset));
    const slave0 = new RegExp(`^ip=127\\.0\\.0\\.1,port=7001,state=online,offset=${offset},lag=\\d+$`);
    await waitFor('the ACK', async () => slave0.test((await field(m.c, 'replication', 'slave0')) ?? ''));
    assert.equal(await field(m.c, 'replication', 'connected_slaves'), '1');
    assert.equal(await field(m.c, 'stats', 'sync_full'), '1');
    assert.match(text(await m.c.call('CLIENT', 'LIST', 'TYPE', 'replica')), /flags=S /);
    for (const line of [
      'Replica 127.0.0.1:7001 asks for synchronization',
      'Full resync requested by replica 127.0.0.1:7001',
      `Replication backlog created, my new replication IDs are '${replid}' and '${'0'.repeat(40)}'`,
      'Starting BGSAVE for SYNC with target: disk',
      'Background saving terminated with success',
      'Synchronization with replica 127.0.0.1:7001 succeeded',
    ]) {
      assert.ok(m.t.output().includes(line), line);
    }
  });

  test('a replica back within the backlog gets +CONTINUE and what it missed', async () => {
    assert.equal(text(await m.c.call('CLIENT', 'KILL', 'TYPE', 'replica')), ':1\r\n');
    await logged(m.t, 'Connection with replica 127.0.0.1:7001 lost.');
    assert.equal(await field(m.c, 'replication', 'connected_slaves'), '0');
    offset = Number(await field(m.c, 'replication', 'master_repl_offset'));
    await m.c.call('SET', 'missed', '4');
    const r = await m.replica(7001);
    r.send('PSYNC', replid, String(offset + 1));
    await r.expectLine(`+CONTINUE ${replid}`);
    assert.deepEqual(await r.commands(1), [['SET', 'missed', '4']]);
    const missed = Number(await field(m.c, 'replication', 'master_repl_offset')) - offset;
    assert.ok(missed >= streamCommand('SET', 'missed', '4').length);
    await logged(
      m.t,
      `Partial resynchronization request from 127.0.0.1:7001 accepted. Sending ${missed} bytes of backlog ` +
        `starting from offset ${offset + 1}.`,
    );
    offset += missed;
    assert.equal(await field(m.c, 'stats', 'sync_partial_ok'), '1');
    assert.match((await field(m.c, 'replication', 'slave0')) ?? '', /state=online/);
    // A replica without PSYNC2 gets +CONTINUE without the ID; one with nothing missing gets no bytes.
    const old = await m.replica(7002, ['eof']);
    old.send('PSYNC', replid, String(offset + 1));
    await old.expectLine('+CONTINUE');
    await logged(
      m.t,
      `Partial resynchronization request from 127.0.0.1:7002 accepted. Sending 0 bytes of backlog starting from offset ${offset + 1}.`,
    );
    assert.equal(await field(m.c, 'stats', 'sync_partial_ok'), '2');
  });

  test('a partial resync is refused for another history, a future offset, or bytes the backlog lost', async () => {
    const other = await m.replica(7003);
    other.send('PSYNC', 'f'.repeat(40), '5');
    assert.match(await other.line(), fullResync);
    await logged(
      m.t,
      `Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${'f'.repeat(40)}', my ` +
        `replication IDs are '${replid}' and '${'0'.repeat(40)}')`,
    );
    const ahead = await m.replica(7004);
    ahead.send('PSYNC', replid, String(offset + 1000));
    assert.match(await ahead.line(), fullResync);
    await logged(m.t, `Unable to partial resync with replica 127.0.0.1:7004 for lack of backlog (Replica request was: ${offset + 1000}).`);
    await logged(m.t, 'Warning: replica 127.0.0.1:7004 tried to PSYNC with an offset that is greater than the master replication offset.');
    await m.c.call('CONFIG', 'SET', 'repl-backlog-size', '16384');
    await m.c.call('SET', 'big', 'x'.repeat(40000));
    const late = await m.replica(7005);
    late.send('PSYNC', replid, '1');
    assert.match(await late.line(), fullResync);
    await logged(m.t, 'Unable to partial resync with replica 127.0.0.1:7005 for lack of backlog (Replica request was: 1).');
    assert.equal(await field(m.c, 'stats', 'sync_partial_err'), '3');
    // Asking "?" is a full sync on purpose, not a failed partial one.
    assert.equal(await field(m.c, 'stats', 'sync_full'), '4');
  });

  test('a replica arriving during the snapshot of another shares it', async () => {
    m.closeReplicas();
    await waitFor('the replicas to go', async () => (await field(m.c, 'replication', 'connected_slaves')) === '0');
    await waitFor('the last snapshot', async () => (await field(m.c, 'persistence', 'current_save_keys_total')) === '0');
    await m.c.call('DEBUG', 'POPULATE', '200000', 'big');
    const a = await m.replica(7006);
    const b = await m.replica(7007);
    a.send('PSYNC', '?', '-1');
    b.send('PSYNC', '?', '-1');
    const [la, lb] = [await a.line(), await b.line()];
    assert.equal(la, lb, 'the same replication ID and offset');
    await logged(m.t, 'Waiting for end of BGSAVE for SYNC');
    await m.c.call('SET', 'shared', '5');
    const tail = streamCommand('SET', 'shared', '5');
    const [ra, rb] = [await a.rdb(), await b.rdb()];
    assert.ok(ra.payload.equals(rb.payload), 'the same RDB');
    for (const r of [a, b]) {
      const held = text(await r.until(tail));
      assert.ok(held.endsWith(tail));
    }
  });
});

describe('diskless sync', () => {
  const m = masterWithReplicas(['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0']);

  test('$EOF framing, and the stream only after the first ACK', async () => {
    await m.c.call('RPUSH', 'list', 'a', 'b');
    const r = await m.replica(7101);
    const { replid, offset } = await askFullSync(r);
    await m.c.call('SET', 'during', '1');
    const { payload, diskless } = await r.rdb();
    assert.ok(diskless);
    assert.equal(payload.subarray(0, 9).toString(), 'REDIS0010');
    assert.equal(rdbAux(payload).get('repl-id'), replid);
    await logged(
      m.t,
      'Streamed RDB transfer with replica 127.0.0.1:7101 succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming',
    );
    await m.c.call('SET', 'after', '2');
    // Whatever the master has is still held: the replica must see the RDB end alone.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(text(r.pending).replaceAll(streamCommand('PING'), ''), '');
    r.send('REPLCONF', 'ACK', String(offset));
    assert.deepEqual(await r.commands(3), [['SELECT', '0'], ['SET', 'during', '1'], ['SET', 'after', '2']]);
    for (const line of [
      'Starting BGSAVE for SYNC with target: replicas sockets',
      `Background RDB transfer started by pid`,
      'Diskless rdb transfer, done reading from pipe, 1 replicas still up.',
      'Background RDB transfer terminated with success',
      'Synchronization with replica 127.0.0.1:7101 succeeded',
    ]) {
      assert.ok(m.t.output().includes(line), line);
    }
  });

  test('a replica without the EOF capability gets the dump file', async () => {
    const r = await m.replica(7102, ['psync2']);
    await askFullSync(r);
    const { diskless } = await r.rdb();
    assert.equal(diskless, false);
    await logged(m.t, 'Synchronization with replica 127.0.0.1:7102 succeeded');
  });

  test('replicas arriving within repl-diskless-sync-delay share one transfer; they get newlines meanwhile', async () => {
    await m.c.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '2');
    const before = (m.t.output().match(/Starting BGSAVE for SYNC/g) ?? []).length;
    const a = await m.replica(7103);
    const b = await m.replica(7104);
    a.send('PSYNC', '?', '-1');
    b.send('PSYNC', '?', '-1');
    await waitFor('a keep-alive', () => a.pending.length > 0);
    assert.equal(a.pending[0], 0x0a, 'a newline while the snapshot waits');
    const [la, lb] = [await a.line(), await b.line()];
    assert.equal(la, lb);
    const [ra, rb] = [await a.rdb(), await b.rdb()];
    assert.ok(ra.payload.equals(rb.payload));
    await logged(m.t, 'Diskless rdb transfer, done reading from pipe, 2 replicas still up.');
    assert.equal((m.t.output().match(/Starting BGSAVE for SYNC/g) ?? []).length, before + 1, 'one snapshot');
    assert.ok(m.t.output().includes('Delay next BGSAVE for diskless SYNC'));
  });

  test('a replica that cannot keep up is disconnected by client-output-buffer-limit replica', async () => {
    await m.c.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '0');
    const r = await m.replica(7105);
    await askFullSync(r);
    await r.rdb();
    // Never ACKing, it holds everything: past the hard limit the link goes.
    await m.c.call('CONFIG', 'SET', 'client-output-buffer-limit', 'replica 65536 0 0');
    await m.c.call('SET', 'big', 'x'.repeat(70000));
    await r.closedByPeer();
    await logged(m.t, 'scheduled to be closed ASAP for overcoming of output buffer limits.');
    await logged(m.t, 'Connection with replica 127.0.0.1:7105 lost.');
    await m.c.call('CONFIG', 'SET', 'client-output-buffer-limit', 'replica 256mb 64mb 60');
  });

  test('redis-cli --rdb: REPLCONF rdb-only gets the RDB, then the connection closes', async () => {
    const r = await m.replica(7106, ['psync2']);
    r.send('REPLCONF', 'rdb-only', '1');
    await r.expectLine('+OK');
    r.send('SYNC');
    const { payload } = await r.rdb();
    assert.equal(payload.subarray(0, 9).toString(), 'REDIS0010');
    await r.closedByPeer();
    await logged(m.t, 'Close the connection with replica 127.0.0.1:7106 as RDB transfer is complete');
    // REPLCONF rdb-filter-only "" leaves every key out.
    const f = await m.replica(7107);
    f.send('REPLCONF', 'rdb-filter-only', '');
    await f.expectLine('+OK');
    f.send('PSYNC', '?', '-1');
    assert.match(await f.line(), fullResync);
    const filtered = await f.rdb();
    assert.ok(!filtered.payload.includes('list'), 'no key');
  });
});

describe('WAIT, min-replicas-to-write and the replication cron', () => {
  const m = masterWithReplicas(['--repl-diskless-sync', 'no']);
  let r: FakeReplica;
  before(async () => {
    r = await m.replica(7201);
    await askFullSync(r);
    await r.rdb();
    await logged(m.t, 'Synchronization with replica 127.0.0.1:7201 succeeded');
  });

  test('WAIT asks the replicas for an ACK and returns once enough acknowledged', async () => {
    await m.c.call('SET', 'k', 'v');
    const offset = Number(await field(m.c, 'replication', 'master_repl_offset'));
    const w = await RawConnection.open(m.t.port);
    await w.call('SET', 'k2', 'v2');
    const waiting = w.call('WAIT', '1', '0');
    await r.until(streamCommand('REPLCONF', 'GETACK', '*'));
    assert.equal(await field(m.c, 'clients', 'blocked_clients'), '1');
    assert.ok(offset < Number(await field(m.c, 'replication', 'master_repl_offset')));
    r.send('REPLCONF', 'ACK', (await field(m.c, 'replication', 'master_repl_offset'))!);
    assert.equal(text(await waiting), ':1\r\n');
    // Two replicas are never reached: the timeout says how many were.
    assert.equal(text(await w.call('WAIT', '2', '50')), ':1\r\n');
    await w.call('SET', 'k3', 'v3');
    assert.equal(text(await w.call('WAIT', '1', '50')), ':0\r\n');
    // Inside MULTI it never blocks; CLIENT UNBLOCK ends a WAIT with its count.
    assert.equal(text(await w.call('MULTI')), '+OK\r\n');
    await w.call('WAIT', '5', '0');
    assert.equal(text(await w.call('EXEC')), '*1\r\n:0\r\n');
    const id = text(await w.call('CLIENT', 'ID')).slice(1, -2);
    const blocked = w.call('WAIT', '3', '0');
    await waitFor('WAIT to block', async () => (await field(m.c, 'clients', 'blocked_clients')) === '1');
    assert.equal(text(await m.c.call('CLIENT', 'UNBLOCK', id)), ':1\r\n');
    assert.equal(text(await blocked), ':0\r\n');
    w.close();
  });

  test('min-replicas-to-write refuses writes without enough good replicas', async () => {
    await m.c.call('CONFIG', 'SET', 'min-replicas-to-write', '2');
    assert.equal(text(await m.c.call('SET', 'x', '1')), '-NOREPLICAS Not enough good replicas to write.\r\n');
    assert.equal(text(await m.c.call('GET', 'x')), '$-1\r\n', 'reads still work');
    assert.equal(await field(m.c, 'replication', 'min_slaves_good_slaves'), '1');
    // Refused before being queued, as in Redis.
    await m.c.call('MULTI');
    assert.equal(text(await m.c.call('SET', 'x', '1')), '-NOREPLICAS Not enough good replicas to write.\r\n');
    assert.equal(text(await m.c.call('EXEC')), '-EXECABORT Transaction discarded because of previous errors.\r\n');
    await m.c.call('CONFIG', 'SET', 'min-replicas-to-write', '1');
    assert.equal(text(await m.c.call('SET', 'x', '1')), '+OK\r\n');
    await m.c.call('CONFIG', 'SET', 'min-replicas-to-write', '0');
    assert.equal(await field(m.c, 'replication', 'min_slaves_good_slaves'), undefined);
  });

  test('PING every repl-ping-replica-period, a silent replica dropped after repl-timeout, the backlog freed after its TTL', async () => {
    await m.c.call('CONFIG', 'SET', 'repl-ping-replica-period', '1');
    await r.until(streamCommand('PING'));
    await m.c.call('CONFIG', 'SET', 'repl-timeout', '1', 'repl-backlog-ttl', '1');
    await r.closedByPeer();
    await logged(m.t, 'Disconnecting timedout replica (streaming sync): 127.0.0.1:7201');
    await logged(m.t, 'Connection with replica 127.0.0.1:7201 lost.');
    const replid = await field(m.c, 'replication', 'master_replid');
    await logged(m.t, 'Replication backlog freed after 1 seconds without connected replicas.');
    assert.equal(await field(m.c, 'replication', 'repl_backlog_active'), '0');
    assert.notEqual(await field(m.c, 'replication', 'master_replid'), replid, 'a new history');
  });
});

describe('SYNC, the protocol before PSYNC', () => {
  const m = masterWithReplicas(['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0']);

  test('no +FULLRESYNC line, the file even when diskless is on, no ACK expected', async () => {
    await m.c.call('SET', 'akey', '1');
    const r = await FakeReplica.connect(m.t.port);
    r.send('SYNC');
    const { payload, diskless } = await r.rdb();
    assert.equal(diskless, false);
    assert.ok(payload.includes('akey'));
    await logged(m.t, 'Synchronization with replica 127.0.0.1:<unknown-replica-port> succeeded');
    await m.c.call('SET', 'b', '2');
    assert.deepEqual(await r.commands(2), [['SELECT', '0'], ['SET', 'b', '2']]);
    // A second SYNC on a replica link is ignored, and such a replica never times out for lack of ACKs.
    r.send('SYNC');
    await m.c.call('CONFIG', 'SET', 'repl-timeout', '1');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(await field(m.c, 'replication', 'connected_slaves'), '1');
    assert.equal(text(r.pending).replaceAll(streamCommand('PING'), ''), '');
    r.close();
  });
});

describe('REPLCONF, PSYNC and WAIT errors as real Redis', () => {
  differentialSuite([
    { name: 'REPLCONF options', commands: [
      ['REPLCONF'],
      ['REPLCONF', 'listening-port'],
      ['REPLCONF', 'listening-port', 'x'],
      ['REPLCONF', 'listening-port', '7000', 'capa', 'eof', 'capa', 'unknown'],
      ['REPLCONF', 'rdb-only', '2'],
      ['REPLCONF', 'rdb-only', 'x'],
      ['REPLCONF', 'rdb-only', '0'],
      ['REPLCONF', 'rdb-filter-only', 'foo'],
      ['REPLCONF', 'rdb-filter-only', '"a'],
      ['REPLCONF', 'rdb-filter-only', 'functions'],
      ['REPLCONF', 'ip-address', 'a'.repeat(300)],
      ['REPLCONF', 'foo', 'bar'],
    ] },
    { name: 'WAIT arguments', commands: [
      ['WAIT', 'x', '1'],
      ['WAIT', '1', '-1'],
      ['WAIT', '1', 'x'],
      ['WAIT', '0', '0'],
      ['WAIT', '1'],
    ] },
    { name: 'SYNC and PSYNC arity', commands: [['PSYNC', 'a'], ['SYNC', 'x']] },
    { name: 'PSYNC FAILOVER to a master', commands: [['PSYNC', 'abc', '1', 'FAILOVER']] },
  ]);
});
