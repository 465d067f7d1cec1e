// Protocol behaviour on the wire, compared with real redis-server: the same
// raw bytes in, the same bytes out, the same connection closures.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RawConnection } from './helpers/resp.js';
import { redisAvailable, startRedis, startTandem, type RunningServer } from './helpers/servers.js';

const skip = redisAvailable() ? false : 'redis-server not installed';
let redis: RunningServer | undefined;
let tandem: RunningServer | undefined;

before(async () => {
  if (skip) return;
  [redis, tandem] = await Promise.all([startRedis(), startTandem()]);
});
after(async () => {
  await Promise.all([redis?.stop(), tandem?.stop()]);
});

/** Sends `input` raw to both servers; returns all reply bytes and whether each closed the connection. */
async function exchange(port: number, input: Buffer, replies: number): Promise<{ out: string; closed: boolean }> {
  const conn = await RawConnection.open(port);
  try {
    conn.send(input);
    let out = '';
    for (let i = 0; i < replies; i++) out += (await conn.reply()).toString('latin1');
    const closed = await conn.waitClosed(300);
    return { out, closed };
  } finally {
    conn.close();
  }
}

async function assertSameAsRedis(input: string | Buffer, replies: number): Promise<void> {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const [expected, actual] = await Promise.all([exchange(redis!.port, bytes, replies), exchange(tandem!.port, bytes, replies)]);
  assert.deepEqual(actual, expected);
}

test('pipelined multibulk and inline commands', { skip }, async () => {
  await assertSameAsRedis('*1\r\n$4\r\nPING\r\nPING\r\nECHO "a\\x00b"\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n', 4);
});

test('unknown commands and arity errors', { skip }, async () => {
  await assertSameAsRedis('FOO a b\r\nGETX\r\nPING a b\r\nECHO\r\nfoo ' + 'x'.repeat(200) + ' y\r\n', 5);
});

test('a protocol error replies and closes the connection', { skip }, async () => {
  await assertSameAsRedis('*1\r\n+PING\r\n', 1);
  await assertSameAsRedis('*x\r\n', 1);
  await assertSameAsRedis('*1\r\n$-5\r\n', 1);
  await assertSameAsRedis('PING\r\nSET k "bad\r\n', 2);
});

test('commands before a protocol error in the same read still run', { skip }, async () => {
  await assertSameAsRedis('PING\r\nECHO hi\r\n*1\r\n$x\r\n', 3);
});

test('SELECT range and parsing', { skip }, async () => {
  await assertSameAsRedis('SELECT 15\r\nSELECT 16\r\nSELECT -1\r\nSELECT 007\r\nSELECT abc\r\nSELECT 0\r\n', 6);
});

test('a command split across many reads', { skip }, async () => {
  for (const port of [redis!.port, tandem!.port]) {
    const conn = await RawConnection.open(port);
    const cmd = Buffer.from('*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n');
    for (const b of cmd) {
      conn.send(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    assert.equal((await conn.reply()).toString(), '$5\r\nhello\r\n');
    conn.close();
  }
});
