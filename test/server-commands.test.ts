// INFO, TIME, LASTSAVE, SHUTDOWN, MONITOR, SLOWLOG, LATENCY, MEMORY and
// CONFIG: field names and reply formats against a real redis-server, and
// the effects Tandem must apply itself (rebinding, resetting, exiting).

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { LatencyHistogram } from '../src/server/latency.js';
import { RawConnection } from './helpers/resp.js';
import { freePort, redisAvailable, startRedis, startTandem, type RunningServer } from './helpers/servers.js';

const skip = redisAvailable() ? false : 'redis-server not installed';

/** The text of a bulk or verbatim reply. */
function bulkText(reply: Buffer): string {
  const s = reply.toString('latin1');
  const body = s.slice(s.indexOf('\r\n') + 2, -2);
  return s.startsWith('=') ? body.slice(4) : body;
}

/** INFO text as [section title, field names] pairs. */
function infoFields(text: string): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [];
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) out.push([line.slice(2), []]);
    else if (line !== '') out[out.length - 1][1].push(line.slice(0, line.indexOf(':')));
  }
  return out;
}

function lines(reply: Buffer): string {
  return reply.toString('latin1');
}

function waitExit(pid: number, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const poll = () => {
      try {
        process.kill(pid, 0);
      } catch {
        resolve(true);
        return;
      }
      if (Date.now() > deadline) resolve(false);
      else setTimeout(poll, 20);
    };
    poll();
  });
}

describe('server commands against redis-server', { skip }, () => {
  let redis: RunningServer | undefined;
  let tandem: RunningServer | undefined;
  let r: RawConnection;
  let t: RawConnection;

  before(async () => {
    [redis, tandem] = await Promise.all([startRedis(['--enable-debug-command', 'yes']), startTandem(['--enable-debug-command', 'yes'])]);
    [r, t] = await Promise.all([RawConnection.open(redis.port), RawConnection.open(tandem.port)]);
  });
  after(async () => {
    r?.close();
    t?.close();
    await Promise.all([redis?.stop(), tandem?.stop()]);
  });

  async function both(...args: string[]): Promise<[Buffer, Buffer]> {
    return Promise.all([r.call(...args), t.call(...args)]);
  }

  async function same(...args: string[]): Promise<void> {
    const [expected, actual] = await both(...args);
    assert.equal(lines(actual), lines(expected), args.join(' '));
  }

  test('INFO prints the same sections and field names as Redis, in the same order', async () => {
    await both('SET', 'a', '1');
    await both('SET', 'b', '2', 'EX', '100');
    await both('GET', 'a');
    await both('INCR', 'b');
    const [expected, actual] = await both('INFO', 'everything');
    const want = infoFields(bulkText(expected));
    const got = infoFields(bulkText(actual)).map(([title, names]): [string, string[]] => [
      title,
      names.filter((n) => n !== 'tandem_version'),
    ]);
    assert.deepEqual(
      got.map(([title]) => title),
      want.map(([title]) => title),
    );
    for (const [title, names] of want) {
      const ours = got.find(([t2]) => t2 === title)![1];
      if (['Commandstats', 'Latencystats'].includes(title)) {
        // Same commands ran on both; Redis lists them in hash order.
        assert.deepEqual([...ours].sort(), [...names].sort(), title);
      } else {
        assert.deepEqual(ours, names, title);
      }
    }
  });

  test('INFO field values have Redis formats', async () => {
    await both('GET', 'a');
    await both('GETDEL', 'a', 'b');
    const [, actual] = await both('INFO', 'everything');
    const text = bulkText(actual);
    assert.match(text, /^# Server\r\nredis_version:7\.0\.15\r\ntandem_version:/);
    assert.match(text, /\r\nrole:master\r\n/);
    assert.match(text, /\r\nmaster_replid:[0-9a-f]{40}\r\n/);
    assert.match(text, /\r\nmaster_replid2:0{40}\r\n/);
    assert.match(text, /\r\ncmdstat_get:calls=\d+,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0\r\n/);
    assert.match(text, /\r\ncmdstat_getdel:calls=0,usec=0,usec_per_call=0\.00,rejected_calls=1,failed_calls=0\r\n/);
    assert.match(text, /\r\ncmdstat_info:calls=/);
    assert.match(text, /\r\nerrorstat_ERR:count=\d+\r\n/);
    assert.match(text, /\r\nlatency_percentiles_usec_get:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r\n/);
    assert.match(text, /\r\ndb0:keys=2,expires=1,avg_ttl=\d+\r\n/);
    assert.match(text, /\r\nused_cpu_sys:\d+\.\d{6}\r\n/);
    assert.match(text, /\r\nused_memory_human:\d+\.\d\d[KMG]\r\n/);
    assert.match(text, /\r\nexecutable:\/.+\r\n/);
    assert.ok(!text.endsWith('\r\n\r\n'));
  });

  test('INFO section selection', async () => {
    for (const args of [
      [],
      ['default'],
      ['all'],
      ['everything'],
      ['server', 'CLIENTS'],
      ['cpu', 'default', 'commandstats'],
      ['module_list'],
      ['modules'],
      ['nosuch'],
      ['keyspace', 'nosuch', 'cluster'],
    ]) {
      const [expected, actual] = await both('INFO', ...args);
      const titles = (b: Buffer) => infoFields(bulkText(b)).map(([title]) => title);
      assert.deepEqual(titles(actual), titles(expected), args.join(' '));
    }
    await same('INFO', 'nosuch');
    await same('INFO', 'modules');
    await same('INFO', 'cluster');
  });

  test('INFO is a verbatim string in RESP3', async () => {
    const c = await RawConnection.open(tandem!.port);
    await c.call('HELLO', '3');
    const reply = lines(await c.call('INFO', 'cluster'));
    assert.equal(reply, '=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n');
    c.close();
  });

  test('TIME and LASTSAVE', async () => {
    const reply = lines(await t.call('TIME'));
    const m = /^\*2\r\n\$\d+\r\n(\d+)\r\n\$\d+\r\n(\d+)\r\n$/.exec(reply);
    assert.ok(m, reply);
    assert.ok(Math.abs(Number(m[1]) - Date.now() / 1000) < 5);
    assert.ok(Number(m[2]) < 1e6);
    assert.match(lines(await t.call('LASTSAVE')), /^:\d+\r\n$/);
    await same('TIME', 'x');
  });

  test('CONFIG GET / SET round trips as Redis', async () => {
    const cases: string[][] = [
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'GET', 'hz', 'HZ'],
      ['CONFIG', 'GET', 'nosuch'],
      ['CONFIG', 'SET', 'maxmemory', '1mb'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'hz', '1000'],
      ['CONFIG', 'GET', 'hz'],
      ['CONFIG', 'SET', 'hz', '10'],
      ['CONFIG', 'SET', 'maxmemory', '0', 'slowlog-max-len', '64', 'loglevel', 'verbose'],
      ['CONFIG', 'GET', 'slowlog-max-len'],
      ['CONFIG', 'GET', 'loglevel'],
      ['CONFIG', 'SET', 'loglevel', 'notice'],
      ['CONFIG', 'SET', 'nosuch', '1'],
      ['CONFIG', 'SET', 'databases', '3'],
      ['CONFIG', 'SET', 'logfile', 'x'],
      ['CONFIG', 'SET', 'hz', 'x'],
      ['CONFIG', 'SET', 'hz', '5', 'maxmemory', 'x'],
      ['CONFIG', 'GET', 'hz'],
      ['CONFIG', 'SET', 'hz', '5', 'hz', '6'],
      ['CONFIG', 'SET', 'hz'],
      ['CONFIG', 'SET', 'hz', '10', 'maxmemory'],
      ['CONFIG', 'GET'],
      ['CONFIG', 'REWRITE'],
      ['CONFIG', 'RESETSTAT', 'x'],
      ['CONFIG', 'HELP'],
      ['CONFIG', 'nosuch'],
    ];
    for (const args of cases) await same(...args);
    // Redis replies glob matches in hash order.
    for (const pattern of ['slowlog*', '*max*', 'maxmemory-*']) {
      const [expected, actual] = await both('CONFIG', 'GET', pattern);
      const sorted = (b: Buffer) => {
        const l = lines(b).split('\r\n');
        const pairs: string[] = [];
        for (let i = 1; i + 3 < l.length; i += 4) pairs.push(`${l[i + 1]}=${l[i + 3]}`);
        return pairs.sort();
      };
      assert.deepEqual(sorted(actual), sorted(expected), pattern);
    }
  });

  test('CONFIG RESETSTAT resets stats, command and error statistics', async () => {
    await both('GET', 'a');
    await both('NOSUCH');
    await same('CONFIG', 'RESETSTAT');
    const [expected, actual] = await both('INFO', 'everything');
    const counters = (b: Buffer) =>
      bulkText(b)
        .split('\r\n')
        .filter((l) => /^(total_commands_processed|total_error_replies|keyspace_hits|keyspace_misses|rejected_connections):/.test(l));
    assert.deepEqual(counters(actual), counters(expected));
    const sections = (b: Buffer) => infoFields(bulkText(b)).filter(([title]) => ['Commandstats', 'Errorstats', 'Latencystats'].includes(title));
    assert.deepEqual(sections(actual), sections(expected));
  });

  test('SLOWLOG', async () => {
    await same('SLOWLOG', 'RESET');
    await same('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await both('SET', 'k', 'v');
    await both('GET', 'k');
    await both('CLIENT', 'SETNAME', 'slowpoke');
    await both('ECHO', 'x'.repeat(200));
    const [expected, actual] = await both('SLOWLOG', 'GET', '-1');
    // Ids, times, durations and ports differ; the rest must not.
    const strip = (b: Buffer) =>
      lines(b)
        .replace(/\*6\r\n:\d+\r\n:\d+\r\n:\d+\r\n/g, '*6\r\n:ID\r\n:TIME\r\n:USEC\r\n')
        .replace(/\$\d+\r\n127\.0\.0\.1:\d+\r\n/g, '$ADDR\r\n');
    assert.equal(strip(actual), strip(expected));
    assert.match(lines(actual), /more bytes/);
    await same('SLOWLOG', 'LEN');
    await same('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
    await same('SLOWLOG', 'RESET');
    await same('SLOWLOG', 'LEN');
    await same('SLOWLOG', 'GET');
    for (const args of [['GET', '1', '2'], ['GET', '-2'], ['GET', 'x'], ['LEN', 'x'], ['nosuch'], ['HELP'], ['help', 'x']]) {
      await same('SLOWLOG', ...args);
    }
    await both('CLIENT', 'SETNAME', '');
  });

  test('MONITOR streams commands as Redis formats them', async () => {
    const monitors = await Promise.all([RawConnection.open(redis!.port), RawConnection.open(tandem!.port)]);
    await Promise.all(monitors.map((m) => m.call('MONITOR')));
    const commands = [
      ['SET', 'k', 'v w"\\\n\x01\xff'],
      ['GET', 'k'],
      ['SELECT', '2'],
      ['INCR', 'n'],
      ['CONFIG', 'GET', 'hz'],
      ['PING'],
      ['NOSUCH', 'x'],
      ['SELECT', '0'],
      ['DEL', 'k', 'n'],
    ];
    for (const cmd of commands) await both(...cmd);
    await both('ECHO', 'last');
    const feed = async (m: RawConnection) => {
      const out: string[] = [];
      for (;;) {
        const line = lines(await m.reply());
        out.push(line.replace(/^\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\]/, '+TIME [$1 ADDR]'));
        if (line.includes('"ECHO"')) return out;
      }
    };
    const [expected, actual] = await Promise.all(monitors.map(feed));
    assert.deepEqual(actual, expected);
    // MONITOR again on a monitoring connection is ignored without a reply.
    for (const m of monitors) m.close();
    await same('MONITOR', 'x');
  });

  test('LATENCY monitor and histograms', async () => {
    await same('LATENCY', 'RESET');
    await same('LATENCY', 'LATEST');
    await same('LATENCY', 'HISTORY', 'command');
    await same('CONFIG', 'SET', 'latency-monitor-threshold', '5');
    await same('DEBUG', 'SLEEP', '0.02');
    const latest = lines(await t.call('LATENCY', 'LATEST'));
    const m = /^\*1\r\n\*4\r\n\$7\r\ncommand\r\n:(\d+)\r\n:(\d+)\r\n:(\d+)\r\n$/.exec(latest);
    assert.ok(m, latest);
    assert.ok(Number(m[2]) >= 20 && Number(m[3]) >= 20);
    assert.match(lines(await t.call('LATENCY', 'HISTORY', 'command')), /^\*1\r\n\*2\r\n:\d+\r\n:\d+\r\n$/);
    await same('LATENCY', 'RESET', 'command', 'nosuch');
    await same('CONFIG', 'SET', 'latency-monitor-threshold', '0');
    for (const args of [['HISTORY'], ['LATEST', 'x'], ['nosuch']]) await same('LATENCY', ...args);
    const histogram = lines(await t.call('LATENCY', 'HISTOGRAM', 'set', 'nosuch', 'config'));
    assert.match(histogram, /^\*\d+\r\n\$3\r\nset\r\n\*4\r\n\$5\r\ncalls\r\n:\d+\r\n\$14\r\nhistogram_usec\r\n\*\d+\r\n/);
    assert.match(histogram, /\$10\r\nconfig\|set\r\n/);
    await same('LATENCY', 'HISTOGRAM', 'nosuch');
  });

  test('MEMORY', async () => {
    await both('SET', 'mem', 'x'.repeat(100));
    for (const args of [
      ['USAGE', 'nosuch'],
      ['USAGE'],
      ['USAGE', 'mem', 'SAMPLES'],
      ['USAGE', 'mem', 'SAMPLES', '-1'],
      ['USAGE', 'mem', 'SAMPLES', 'x'],
      ['USAGE', 'mem', 'foo'],
      ['STATS', 'x'],
      ['PURGE'],
      ['HELP'],
      ['nosuch'],
    ]) {
      await same('MEMORY', ...args);
    }
    const usage = lines(await t.call('MEMORY', 'USAGE', 'mem', 'SAMPLES', '0'));
    assert.ok(Number(/^:(\d+)\r\n$/.exec(usage)![1]) > 100);
    // Field names are the only bulks starting with a letter (values are integers or numeric bulks).
    const keysOf = (b: Buffer) => [...lines(b).matchAll(/\$\d+\r\n([a-z][a-z0-9.-]*)\r\n/g)].map((m) => m[1]);
    const [expected, actual] = await both('MEMORY', 'STATS');
    assert.deepEqual(keysOf(actual), keysOf(expected));
    assert.match(lines(await t.call('MEMORY', 'DOCTOR')), /^\$\d+\r\n(Hi Sam|Sam, I detected)/);
    assert.match(lines(await t.call('MEMORY', 'MALLOC-STATS')), /^\$\d+\r\n/);
  });

  test('SHUTDOWN argument errors', async () => {
    for (const args of [['foo'], ['ABORT'], ['SAVE', 'NOSAVE'], ['ABORT', 'NOW'], ['nosave', 'abort']]) {
      await same('SHUTDOWN', ...args);
    }
  });
});

describe('server commands with their own server', () => {
  test('SHUTDOWN closes the connection and the process exits', async () => {
    for (const args of [[], ['NOSAVE'], ['SAVE', 'NOW', 'FORCE']]) {
      const server = await startTandem();
      try {
        const c = await RawConnection.open(server.port);
        c.send(`*${args.length + 1}\r\n$8\r\nSHUTDOWN\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`);
        assert.ok(await c.waitClosed(5000), 'connection closed');
        assert.ok(await waitExit(server.pid), 'process exited');
        assert.match(server.output(), /User requested shutdown\.\.\./);
      } finally {
        await server.stop();
      }
    }
  });

  test('CONFIG SET port listens on the new port and closes the old one', async () => {
    const server = await startTandem();
    const busy = net.createServer();
    try {
      const c = await RawConnection.open(server.port);
      const newPort = await freePort();
      assert.equal(lines(await c.call('CONFIG', 'SET', 'port', String(newPort))), '+OK\r\n');
      assert.equal(lines(await c.call('CONFIG', 'GET', 'port')), `*2\r\n$4\r\nport\r\n$${String(newPort).length}\r\n${newPort}\r\n`);
      const moved = await RawConnection.open(newPort);
      assert.equal(lines(await moved.call('PING')), '+PONG\r\n');
      await assert.rejects(RawConnection.open(server.port));
      // A port in use: the error, and the server keeps listening where it was.
      const busyPort = await freePort();
      await new Promise<void>((resolve) => busy.listen(busyPort, '127.0.0.1', resolve));
      assert.equal(
        lines(await moved.call('CONFIG', 'SET', 'port', String(busyPort), 'hz', '20')),
        "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n",
      );
      assert.equal(lines(await moved.call('CONFIG', 'GET', 'hz')), '*2\r\n$2\r\nhz\r\n$2\r\n10\r\n');
      const again = await RawConnection.open(newPort);
      assert.equal(lines(await again.call('PING')), '+PONG\r\n');
      for (const x of [c, moved, again]) x.close();
    } finally {
      busy.close();
      await server.stop();
    }
  });
});

describe('latency histogram (HDR, as Redis)', () => {
  test('percentiles report the top of the value bucket, in usec', () => {
    const h = new LatencyHistogram();
    h.record(0);
    assert.equal(h.valueAtPercentile(50) / 1000, 0.001);
    const g = new LatencyHistogram();
    for (const usec of [1, 1, 3, 40, 1000]) g.record(usec * 1000);
    assert.equal((g.valueAtPercentile(40) / 1000).toFixed(3), '1.003');
    assert.equal((g.valueAtPercentile(50) / 1000).toFixed(3), '3.007');
    assert.equal((g.valueAtPercentile(70) / 1000).toFixed(3), '40.191');
    assert.equal((g.valueAtPercentile(99.9) / 1000).toFixed(3), '1003.519');
  });

  test('the cumulative distribution walks power-of-two levels from 1024 ns', () => {
    const h = new LatencyHistogram();
    for (const usec of [0, 1, 1, 2, 3, 60, 250]) h.record(usec * 1000);
    assert.deepEqual(h.cumulativeBuckets(), [
      [1, 3],
      [2, 4],
      [4, 5],
      [66, 6],
      [264, 7],
    ]);
    const slow = new LatencyHistogram();
    slow.record(5e9);
    assert.deepEqual(slow.cumulativeBuckets(), [[1073741, 1]]);
  });
});
