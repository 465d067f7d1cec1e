// Connection handling, black box: real client libraries (ioredis, node-redis),
// redis-cli, and raw RESP compared with the reference redis-server where the
// bytes are deterministic. Covers HELLO/AUTH/RESET, CLIENT subcommands,
// CLIENT PAUSE, idle timeout, maxclients and protected mode.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { protectedModeDenies } from '../src/server/server.js';
import { encodeCommand, RawConnection } from './helpers/resp.js';
import { redisAvailable, startRedis, startTandem, type RunningServer } from './helpers/servers.js';

const noRedis = redisAvailable() ? false : 'redis-server not installed';

/** HELLO's map with the connection id masked, as ids differ between servers. */
function maskId(reply: Buffer): string {
  return reply.toString('latin1').replace(/(\$2\r\nid\r\n:)\d+/, '$1<id>');
}

/** Sends `commands` in one write and collects the replies up to the one to the final `PING end`. */
async function pipelineReplies(conn: RawConnection, commands: string[][]): Promise<string> {
  conn.send(Buffer.concat([...commands, ['PING', 'end']].map((c) => encodeCommand(c))));
  let out = '';
  for (;;) {
    const r = (await conn.reply()).toString('latin1');
    if (r === '$3\r\nend\r\n') return out;
    out += r;
  }
}

/** CLIENT LIST / CLIENT INFO text as field name → value, per line. */
function parseClientLines(text: string): Array<Array<[string, string]>> {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(' ').map((f) => {
      const eq = f.indexOf('=');
      return [f.slice(0, eq), f.slice(eq + 1)] as [string, string];
    }));
}

/** The text of a bulk (RESP2) or verbatim (RESP3) reply. */
function bulkText(reply: Buffer): string {
  const s = reply.toString('latin1');
  const body = s.slice(s.indexOf('\r\n') + 2, -2);
  return s[0] === '=' ? body.slice(4) : body;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

async function clientLine(conn: RawConnection, id: number): Promise<Map<string, string>> {
  const lines = parseClientLines(bulkText(await conn.call('CLIENT', 'LIST', 'ID', String(id))));
  return new Map(lines[0] ?? []);
}

/** Runs `body` with one new connection per port, closing them all afterwards. */
async function withConnections(ports: number[], body: (...conns: RawConnection[]) => Promise<void>): Promise<void> {
  const conns = await Promise.all(ports.map((p) => RawConnection.open(p)));
  try {
    await body(...conns);
  } finally {
    for (const c of conns) c.close();
  }
}

/** Sends each command to both servers and asserts the same reply, as `shown` renders it. */
async function assertSameReplies(
  reference: RawConnection,
  tandem: RawConnection,
  commands: string[][],
  shown: (reply: Buffer) => string = (b) => b.toString('latin1'),
): Promise<void> {
  for (const cmd of commands) {
    const [expected, actual] = await Promise.all([reference.call(...cmd), tandem.call(...cmd)]);
    assert.equal(shown(actual), shown(expected), cmd.join(' '));
  }
}

async function clientId(conn: RawConnection): Promise<number> {
  return Number((await conn.call('CLIENT', 'ID')).toString('latin1').slice(1, -2));
}

describe('connection (default config)', () => {
  let tandem: RunningServer;
  let redis: RunningServer | undefined;
  before(async () => {
    tandem = await startTandem();
    if (!noRedis) redis = await startRedis();
  });
  after(async () => {
    await Promise.all([tandem?.stop(), redis?.stop()]);
  });

  test('ioredis: connect, SET/GET, pipeline, name, and its CLIENT SETINFO', async () => {
    const client = new Redis({ port: tandem.port, host: '127.0.0.1', connectionName: 'io1', enableReadyCheck: false });
    try {
      assert.equal(await client.ping(), 'PONG');
      assert.equal(await client.set('io:k', 'v1'), 'OK');
      assert.equal(await client.get('io:k'), 'v1');
      const results = await client.pipeline().echo('a').set('io:k', 'v2').get('io:k').ping().exec();
      assert.deepEqual(results, [[null, 'a'], [null, 'OK'], [null, 'v2'], [null, 'PONG']]);
      assert.equal(await client.client('GETNAME'), 'io1');
      const info = String(await client.client('INFO'));
      assert.match(info, / name=io1 /);
      assert.match(info, / cmd=client\|info /);
    } finally {
      client.disconnect();
    }
  });

  test('node-redis v4: connect with a database in the URL, PING, SELECT, CLIENT ID, QUIT', async () => {
    const client = createClient({ url: `redis://127.0.0.1:${tandem.port}/3`, name: 'nr1' });
    client.on('error', () => undefined);
    await client.connect();
    try {
      assert.equal(await client.ping(), 'PONG');
      assert.equal(await client.clientGetName(), 'nr1');
      const id = await client.clientId();
      assert.ok(Number.isInteger(id) && id > 0);
      const info = await client.clientInfo();
      assert.deepEqual([info.id, info.db, info.name, info.resp, info.cmd], [id, 3, 'nr1', 2, 'client|info']);
      await client.select(5);
      assert.equal((await client.clientInfo()).db, 5);
    } finally {
      await client.quit();
    }
  });

  test('HELLO 3 and HELLO 2 replies are the reference server\'s bytes (id aside)', { skip: noRedis }, async () => {
    await withConnections([redis!.port, tandem.port], async (r, t) => {
      const hellos = [['HELLO', '3'], ['HELLO'], ['HELLO', '2'], ['HELLO', '3', 'SETNAME', 'hello-name'], ['CLIENT', 'GETNAME']];
      await assertSameReplies(r, t, hellos, maskId);
      const info = await t.call('CLIENT', 'INFO');
      assert.equal(info.toString('latin1', 0, 1), '=', 'RESP3 CLIENT INFO is a verbatim string');
      assert.match(bulkText(info), / name=hello-name .* resp=3\n$/);
      assert.equal((await t.call('RESET')).toString(), '+RESET\r\n');
      assert.match(bulkText(await t.call('CLIENT', 'INFO')), / name= .* resp=2\n$/);
    });
  });

  test('redis-cli talks to Tandem, in RESP2 and with -3', () => {
    const ping = spawnSync('redis-cli', ['-p', String(tandem.port), 'ping'], { encoding: 'utf8' });
    if (ping.error) return;
    assert.equal(ping.stdout, 'PONG\n');
    const resp3 = spawnSync('redis-cli', ['-3', '-p', String(tandem.port), 'client', 'info'], { encoding: 'utf8' });
    assert.match(resp3.stdout, / resp=3\n/);
    const echo = spawnSync('redis-cli', ['-p', String(tandem.port), 'echo', 'hi there'], { encoding: 'utf8' });
    assert.equal(echo.stdout, 'hi there\n');
  });

  test('CLIENT LIST has Redis 7.0\'s fields in its order, with plausible values', { skip: noRedis }, async () => {
    await withConnections([redis!.port, tandem.port, tandem.port], async (r, t, other) => {
      const expected = parseClientLines(bulkText(await r.call('CLIENT', 'INFO')))[0].map(([k]) => k);
      await t.call('CLIENT', 'SETNAME', 'lister');
      await t.call('SELECT', '2');
      const id = await clientId(t);
      const fields = parseClientLines(bulkText(await t.call('CLIENT', 'LIST', 'ID', String(id))))[0];
      assert.deepEqual(fields.map(([k]) => k), expected);
      const f = new Map(fields);
      assert.equal(f.get('id'), String(id));
      assert.match(f.get('addr')!, /^127\.0\.0\.1:\d+$/);
      assert.equal(f.get('laddr'), `127.0.0.1:${tandem.port}`);
      assert.equal(f.get('name'), 'lister');
      assert.equal(f.get('flags'), 'N');
      assert.equal(f.get('db'), '2');
      assert.equal(f.get('multi'), '-1');
      assert.equal(f.get('cmd'), 'client|list');
      assert.equal(f.get('user'), 'default');
      assert.equal(f.get('redir'), '-1');
      assert.equal(f.get('resp'), '2');
      assert.equal(f.get('events'), 'r');
      for (const k of ['age', 'idle', 'sub', 'psub', 'ssub', 'qbuf', 'qbuf-free', 'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem']) {
        assert.match(f.get(k)!, /^\d+$/, k);
      }
      // CLIENT LIST ID <id> counts the arguments of the command being run.
      assert.equal(f.get('argv-mem'), String('CLIENTLISTID'.length + String(id).length));
      assert.ok(Number(f.get('tot-mem')) >= Number(f.get('rbs')));
      await t.call('NO-SUCH-COMMAND');
      assert.equal((await clientLine(other, id)).get('cmd'), 'NULL', 'an unknown command leaves cmd=NULL');
    });
  });

  test('CLIENT LIST TYPE and ID filters', async () => {
    await withConnections([tandem.port, tandem.port], async (a, b) => {
      const [ida, idb] = [await clientId(a), await clientId(b)];
      const ids = (text: string) => parseClientLines(text).map((l) => Number(new Map(l).get('id')));
      assert.deepEqual(ids(bulkText(await a.call('CLIENT', 'LIST', 'ID', String(idb), '999999', String(ida)))), [idb, ida]);
      const normal = ids(bulkText(await a.call('CLIENT', 'LIST', 'TYPE', 'NORMAL')));
      assert.ok(normal.includes(ida) && normal.includes(idb));
      assert.equal(bulkText(await a.call('CLIENT', 'LIST', 'TYPE', 'replica')), '');
      assert.equal((await a.call('CLIENT', 'LIST', 'TYPE', 'bogus')).toString(), "-ERR Unknown client type 'bogus'\r\n");
      assert.equal((await a.call('CLIENT', 'LIST', 'ID', '1', 'x')).toString(), '-ERR Invalid client ID\r\n');
    });
  });

  test('CLIENT KILL by ID, ADDR, LADDR, TYPE, USER and SKIPME, and the old form', async () => {
    const open = () => RawConnection.open(tandem.port);
    const killer = await open();
    try {
      const byId = await open();
      assert.equal((await killer.call('CLIENT', 'KILL', 'ID', String(await clientId(byId)))).toString(), ':1\r\n');
      assert.ok(await byId.waitClosed());

      const byAddr = await open();
      const addr = (await clientLine(killer, await clientId(byAddr))).get('addr')!;
      assert.equal((await killer.call('CLIENT', 'KILL', 'ADDR', addr, 'SKIPME', 'yes')).toString(), ':1\r\n');
      assert.ok(await byAddr.waitClosed());

      const oldForm = await open();
      const oldAddr = (await clientLine(killer, await clientId(oldForm))).get('addr')!;
      assert.equal((await killer.call('CLIENT', 'KILL', oldAddr)).toString(), '+OK\r\n');
      assert.ok(await oldForm.waitClosed());
      assert.equal((await killer.call('CLIENT', 'KILL', oldAddr)).toString(), '-ERR No such client\r\n');

      // LADDR, TYPE and USER match every connection: SKIPME (default yes) spares the caller.
      const others = [await open(), await open(), await open()];
      const laddr = `127.0.0.1:${tandem.port}`;
      const killedLaddr = (await killer.call('CLIENT', 'KILL', 'LADDR', laddr, 'ID', String(await clientId(others[0])))).toString();
      assert.equal(killedLaddr, ':1\r\n');
      const killedType = Number((await killer.call('CLIENT', 'KILL', 'TYPE', 'normal', 'USER', 'default')).toString().slice(1));
      assert.ok(killedType >= 2);
      for (const o of others) assert.ok(await o.waitClosed());
      assert.equal((await killer.call('PING')).toString(), '+PONG\r\n');
      assert.equal((await killer.call('CLIENT', 'KILL', 'USER', 'nobody')).toString(), "-ERR No such user 'nobody'\r\n");

      // A client may kill itself: it gets the reply, then the connection closes.
      assert.equal((await killer.call('CLIENT', 'KILL', 'ID', String(await clientId(killer)), 'SKIPME', 'no')).toString(), ':1\r\n');
      assert.ok(await killer.waitClosed());
    } finally {
      killer.close();
    }
  });

  test('CLIENT PAUSE WRITE holds a pipelined write (and what follows) until CLIENT UNPAUSE', async () => {
    await withConnections([tandem.port, tandem.port], async (admin, writer) => {
      await admin.call('SET', 'pause:k', 'before');
      assert.equal((await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE')).toString(), '+OK\r\n');
      const writerId = await clientId(writer);
      writer.send(Buffer.concat([['GET', 'pause:k'], ['SET', 'pause:k', 'after'], ['GET', 'pause:k'], ['PING']].map((c) => encodeCommand(c))));
      assert.equal((await writer.reply()).toString(), '$6\r\nbefore\r\n', 'reads are not paused');
      const rest = Promise.all([writer.reply(), writer.reply(), writer.reply()]);
      await until(async () => (await clientLine(admin, writerId)).get('flags') === 'b');
      const held = await clientLine(admin, writerId);
      assert.equal(held.get('cmd'), 'set');
      assert.equal((await admin.call('GET', 'pause:k')).toString(), '$6\r\nbefore\r\n');
      assert.equal((await admin.call('CLIENT', 'UNPAUSE')).toString(), '+OK\r\n');
      const replies = (await rest).map((b) => b.toString());
      assert.deepEqual(replies, ['+OK\r\n', '$5\r\nafter\r\n', '+PONG\r\n']);
      assert.equal((await clientLine(admin, writerId)).get('flags'), 'N');
    });
  });

  test('CLIENT PAUSE ALL holds every command, the pauser\'s too, until it times out', async () => {
    await withConnections([tandem.port, tandem.port], async (admin, other) => {
      admin.send(Buffer.concat([encodeCommand(['CLIENT', 'PAUSE', '300']), encodeCommand(['ECHO', 'after-pause'])]));
      assert.equal((await admin.reply()).toString(), '+OK\r\n');
      // Both are answered once the pause ends, in order.
      const [a, o] = await Promise.all([admin.reply(), other.call('CLIENT', 'UNPAUSE')]);
      assert.equal(a.toString(), '$11\r\nafter-pause\r\n');
      assert.equal(o.toString(), '+OK\r\n');
      assert.equal((await other.call('PING')).toString(), '+PONG\r\n');
    });
  });

  test('CLIENT PAUSE argument errors are Redis\'s', { skip: noRedis }, async () => {
    await withConnections([redis!.port, tandem.port], async (r, t) => {
      await assertSameReplies(r, t, [
        ['CLIENT', 'PAUSE', 'x'],
        ['CLIENT', 'PAUSE', '-1'],
        ['CLIENT', 'PAUSE', '10', 'sometimes'],
        ['CLIENT', 'PAUSE', 'x', 'sometimes'],
        ['CLIENT', 'PAUSE', '10', 'WRITE', 'extra'],
        ['client', 'PAUSE', '10', 'WRITE', 'extra'],
        ['CLIENT', 'PAUSE', '9223372036854775807', 'WRITE'],
        ['CLIENT', 'UNPAUSE'],
        ['CLIENT', 'PAUSE', '9223372036854775808'],
        ['CLIENT', 'PAUSE'],
        ['CLIENT', 'UNPAUSE'],
      ]);
    });
  });

  test('CLIENT REPLY OFF / SKIP / ON, pipelined, as the reference server answers', { skip: noRedis }, async () => {
    const script = [
      ['CLIENT', 'REPLY', 'SKIP'], ['PING', 'a'], ['PING', 'b'],
      ['CLIENT', 'REPLY', 'OFF'], ['PING', 'c'], ['CLIENT', 'REPLY', 'SKIP'], ['PING', 'd'],
      ['CLIENT', 'REPLY', 'ON'], ['PING', 'e'],
      ['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'ON'], ['PING', 'f'],
      ['CLIENT', 'REPLY', 'SKIP'], ['NO-SUCH'], ['PING', 'g'],
      ['CLIENT', 'REPLY', 'SKIP'], ['RESET'], ['PING', 'h'],
      ['CLIENT', 'REPLY', 'OFF'], ['RESET'], ['PING', 'i'],
      ['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'SKIP'], ['PING', 'j'], ['PING', 'k'],
      ['CLIENT', 'REPLY', 'maybe'],
    ];
    await withConnections([redis!.port, tandem.port], async (r, t) => {
      const [expected, actual] = await Promise.all([pipelineReplies(r, script), pipelineReplies(t, script)]);
      assert.equal(actual, expected);
    });
  });

  test('RESET clears the name, database, protocol and reply mode but keeps NO-EVICT', { skip: noRedis }, async () => {
    await withConnections([redis!.port, tandem.port], async (r, t) => {
      const setup = [['CLIENT', 'SETNAME', 'rs'], ['SELECT', '4'], ['CLIENT', 'NO-EVICT', 'on'], ['HELLO', '3'], ['RESET']];
      await assertSameReplies(r, t, setup, maskId);
      const pick = (text: string) => {
        const f = new Map(parseClientLines(text)[0]);
        return ['name', 'db', 'flags', 'resp'].map((k) => `${k}=${f.get(k)}`).join(' ');
      };
      const [expected, actual] = await Promise.all([r.call('CLIENT', 'INFO'), t.call('CLIENT', 'INFO')]);
      assert.equal(pick(bulkText(actual)), pick(bulkText(expected)));
      assert.equal(pick(bulkText(actual)), 'name= db=0 flags=e resp=2');
    });
  });

  test('protected mode (the default) accepts loopback connections', async () => {
    await withConnections([tandem.port], async (c) => {
      assert.equal((await c.call('PING')).toString(), '+PONG\r\n');
    });
  });
});

describe('authentication (requirepass)', () => {
  let tandem: RunningServer;
  let redis: RunningServer | undefined;
  before(async () => {
    tandem = await startTandem(['--requirepass', 's3cret']);
    if (!noRedis) redis = await startRedis(['--requirepass', 's3cret']);
  });
  after(async () => {
    await Promise.all([tandem?.stop(), redis?.stop()]);
  });

  test('NOAUTH, AUTH, HELLO AUTH and RESET flows answer as the reference server', { skip: noRedis }, async () => {
    await withConnections([redis!.port, tandem.port], async (r, t) => {
      const flow = [
        ['PING'], ['CLIENT', 'ID'], ['HELLO', '3'], ['HELLO'], ['HELLO', '3', 'SETNAME', 'pre-auth'], ['HELLO', '4'],
        ['AUTH', 'wrong'], ['AUTH', 'default', 'wrong'], ['AUTH', 'someone', 's3cret'], ['AUTH', 'a', 'b', 'c'],
        ['HELLO', '3', 'AUTH', 'default', 'wrong'], ['HELLO', '3', 'AUTH', 'default'],
        ['HELLO', '3', 'AUTH', 'default', 's3cret', 'SETNAME', 'authed'], ['CLIENT', 'GETNAME'], ['PING'],
        ['RESET'], ['PING'], ['AUTH', 's3cret'], ['PING'], ['RESET'], ['AUTH', 'default', 's3cret'], ['ECHO', 'in'],
        ['RESET'], ['HELLO', '3', 'SETNAME', 'early'], ['HELLO', '2', 'AUTH', 'default', 's3cret', 'bogus'],
        ['CLIENT', 'GETNAME'],
        ['HELLO', '2', 'AUTH', 'default', 's3cret'], ['QUIT'],
      ];
      await assertSameReplies(r, t, flow, maskId);
    });
  });

  test('ioredis and node-redis log in with the password', async () => {
    const io = new Redis({ port: tandem.port, host: '127.0.0.1', password: 's3cret', enableReadyCheck: false });
    try {
      assert.equal(await io.echo('io-authed'), 'io-authed');
    } finally {
      io.disconnect();
    }
    const nr = createClient({ url: `redis://default:s3cret@127.0.0.1:${tandem.port}` });
    nr.on('error', () => undefined);
    await nr.connect();
    try {
      assert.equal(await nr.ping(), 'PONG');
    } finally {
      await nr.quit();
    }
  });
});

describe('server limits', () => {
  test('timeout 1 closes an idle client', async () => {
    const server = await startTandem(['--timeout', '1']);
    try {
      const c = await RawConnection.open(server.port);
      assert.equal((await c.call('PING')).toString(), '+PONG\r\n');
      assert.equal(await c.waitClosed(15_000), true);
    } finally {
      await server.stop();
    }
  });

  test('maxclients 2 refuses a third connection with Redis\'s error', async () => {
    const server = await startTandem(['--maxclients', '2']);
    const conns: RawConnection[] = [];
    try {
      conns.push(await RawConnection.open(server.port), await RawConnection.open(server.port));
      for (const c of conns) assert.equal((await c.call('PING')).toString(), '+PONG\r\n');
      const third = await RawConnection.open(server.port);
      conns.push(third);
      assert.equal((await third.reply()).toString(), '-ERR max number of clients reached\r\n');
      assert.ok(await third.waitClosed());
      conns[0].close();
      await conns[0].waitClosed();
      await until(async () => parseClientLines(bulkText(await conns[1].call('CLIENT', 'LIST'))).length === 1);
      const fourth = await RawConnection.open(server.port);
      conns.push(fourth);
      assert.equal((await fourth.call('PING')).toString(), '+PONG\r\n');
    } finally {
      for (const c of conns) c.close();
      await server.stop();
    }
  });
});

/** An IPv4 address of this host other than loopback, if it has one. */
const externalIp = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

test('protected mode sends DENIED to a non-loopback peer', { skip: externalIp ? false : 'no non-loopback interface' }, async () => {
  const server = await startTandem(['--bind', '0.0.0.0']);
  try {
    const remote = await RawConnection.open(server.port, externalIp);
    const reply = (await remote.reply()).toString();
    assert.match(reply, /^-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user\. /);
    assert.ok(await remote.waitClosed());
    const local = await RawConnection.open(server.port);
    assert.equal((await local.call('PING')).toString(), '+PONG\r\n');
    local.close();
  } finally {
    await server.stop();
  }
});

test('protected mode refuses only non-loopback TCP peers, and only without a password', () => {
  assert.equal(protectedModeDenies(true, false, '127.0.0.1'), false);
  assert.equal(protectedModeDenies(true, false, '::1'), false);
  assert.equal(protectedModeDenies(true, false, '::ffff:127.0.0.1'), false);
  assert.equal(protectedModeDenies(true, true, undefined), false);
  assert.equal(protectedModeDenies(true, false, '192.0.2.7'), true);
  assert.equal(protectedModeDenies(true, false, '127.0.0.2'), true);
  assert.equal(protectedModeDenies(true, false, 'fd00::2'), true);
  assert.equal(protectedModeDenies(false, false, '192.0.2.7'), false);
});
