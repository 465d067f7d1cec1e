// How a tandem-server process listens, logs and leaves files, seen from outside.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RawConnection } from './helpers/resp.js';
import { redisAvailable, startRedis, startTandem } from './helpers/servers.js';

/** A Redis log line: `pid:role dd Mon yyyy hh:mm:ss.mmm <level> message`. */
const logLine = /^\d+:[MSCX] \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} [.*#-] \S/;

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-listen-'));
}

test('unix socket with its permissions, removed at shutdown', async () => {
  const dir = tmpDir();
  const sock = path.join(dir, 'tandem.sock');
  const srv = await startTandem(['--unixsocket', sock, '--unixsocketperm', '700']);
  try {
    assert.equal(fs.statSync(sock).mode & 0o777, 0o700);
    const reply = await new Promise<string>((resolve, reject) => {
      const s = net.connect(sock, () => s.write('PING\r\n'));
      s.once('data', (d) => {
        resolve(d.toString());
        s.destroy();
      });
      s.once('error', reject);
    });
    assert.equal(reply, '+PONG\r\n');
    assert.match(srv.output(), /The server is now ready to accept connections at /);
  } finally {
    await srv.stop();
  }
  assert.equal(fs.existsSync(sock), false);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('pidfile holds the pid and goes at shutdown; logfile gets Redis-format lines', async () => {
  const dir = tmpDir();
  const pidfile = path.join(dir, 'tandem.pid');
  const logfile = path.join(dir, 'tandem.log');
  const srv = await startTandem(['--pidfile', pidfile, '--logfile', logfile]);
  try {
    assert.equal(fs.readFileSync(pidfile, 'utf8').trim(), String(srv.pid));
    const lines = fs.readFileSync(logfile, 'utf8').trim().split('\n');
    for (const line of lines) assert.match(line, logLine);
    const text = lines.join('\n');
    for (const expected of ['Server initialized', 'Ready to accept connections', `PID: ${srv.pid}`, 'Running mode=standalone']) {
      assert.ok(text.includes(expected), `log has "${expected}"`);
    }
  } finally {
    await srv.stop();
  }
  assert.equal(fs.existsSync(pidfile), false);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("Debian's stock redis.conf starts Tandem", { skip: fs.existsSync('/etc/redis/redis.conf') ? false : 'no /etc/redis/redis.conf' }, async () => {
  const dir = tmpDir();
  const conf = path.join(dir, 'redis.conf');
  fs.copyFileSync('/etc/redis/redis.conf', conf);
  // The file daemonizes and writes to system paths; the command line overrides those, as with redis-server.
  const srv = await startTandem(['--daemonize', 'no', '--logfile', '', '--pidfile', '', '--unixsocket', ''], conf);
  try {
    const c = await RawConnection.open(srv.port);
    assert.equal((await c.call('PING')).toString(), '+PONG\r\n');
    const info = (await c.call('INFO', 'server')).toString();
    assert.match(info, new RegExp(`config_file:${conf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    c.close();
  } finally {
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('client-query-buffer-limit closes only the offending client, like Redis', { skip: redisAvailable() ? false : 'redis-server not installed' }, async () => {
  for (const start of [startRedis, startTandem]) {
    const srv = await start(['--client-query-buffer-limit', '1mb']);
    try {
      const big = await RawConnection.open(srv.port);
      const other = await RawConnection.open(srv.port);
      // A bulk announced at 3 MB and sent in part: the unread query buffer passes 1 MB.
      big.send(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${3 * 1024 * 1024}\r\n`);
      big.send(Buffer.alloc(1536 * 1024, 0x61));
      assert.equal(await big.waitClosed(5000), true, `${start.name}: oversized client closed`);
      assert.equal((await other.call('PING')).toString(), '+PONG\r\n');
      other.close();
      assert.match(srv.output(), /Closing client that reached max query buffer length: id=\d+ addr=127\.0\.0\.1:\d+ .*\(qbuf initial bytes: "a{64}"\)/);
    } finally {
      await srv.stop();
    }
  }
});
