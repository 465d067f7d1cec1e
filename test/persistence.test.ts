// RDB persistence, black-box: SAVE/BGSAVE/save points, the point-in-time
// guarantee of BGSAVE under writes, dumps that real Redis loads, startup
// loading, SHUTDOWN/FLUSHALL/DEBUG RELOAD, MISCONF.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { RawConnection, encodeCommand } from './helpers/resp.js';
import { freePort, redisAvailable, startRedis, startTandem, tandemBin, type RunningServer } from './helpers/servers.js';

const haveRedis = redisAvailable();

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-rdb-'));
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function info(conn: RawConnection, section: string): Promise<Map<string, string>> {
  const text = (await conn.call('INFO', section)).toString('latin1');
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('$')) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  return fields;
}

async function bgsaveFinished(conn: RawConnection): Promise<boolean> {
  return (await info(conn, 'persistence')).get('rdb_bgsave_in_progress') === '0';
}

const text = (b: Buffer) => b.toString('latin1');

/** Keys of every type and encoding, with TTLs and several databases. */
async function fillAllTypes(conn: RawConnection): Promise<void> {
  const cmds: string[][] = [
    ['SET', 'str:small', 'hello'],
    ['SET', 'str:int', '12345'],
    ['SET', 'str:negint', '-9007199254740993'],
    ['SET', 'str:long', 'abc'.repeat(200)],
    ['SET', 'str:bin', '\x00\xff\r\n\x80'],
    ['SET', 'str:empty', ''],
    ['SET', 'str:ttl', 'v', 'PX', '100000000'],
    ['SETRANGE', 'str:buffer', '10', 'mutated'],
    ['RPUSH', 'list:small', 'a', '1', '-5', 'x'.repeat(40)],
    ['HSET', 'hash:small', 'f1', 'v1', 'f2', '22'],
    ['SADD', 'set:int', '1', '2', '3', '-100', '70000', '5000000000'],
    ['SADD', 'set:str', 'a', 'b', 'c'],
    ['ZADD', 'zset:small', '1', 'a', '2.5', 'b', '-inf', 'c', 'inf', 'd'],
    ['PFADD', 'hll', 'a', 'b', 'c'],
    ['XADD', 'stream', '1-1', 'f', 'v'],
    ['XADD', 'stream', '2-1', 'f', 'w', 'g', 'z'],
    ['XGROUP', 'CREATE', 'stream', 'g1', '0'],
    ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '1', 'STREAMS', 'stream', '>'],
    ['SELECT', '5'],
    ['SET', 'in-db-5', 'five'],
    ['SELECT', '0'],
  ];
  for (let i = 0; i < 300; i++) {
    cmds.push(['RPUSH', 'list:big', `element-${i}`]);
    cmds.push(['HSET', 'hash:big', `field-${i}`, `value-${i}`]);
    cmds.push(['SADD', 'set:big', `member-${i}`]);
    cmds.push(['ZADD', 'zset:big', String(i / 3), `member-${i}`]);
  }
  for (const c of cmds) {
    const reply = text(await conn.call(...c));
    assert.ok(!reply.startsWith('-'), `${c.join(' ')}: ${reply}`);
  }
}

describe('RDB persistence', { skip: !haveRedis && 'redis-server is not installed' }, () => {
  const started: RunningServer[] = [];
  const dirs: string[] = [];
  const start = async (kind: 'tandem' | 'redis', args: string[]) => {
    const s = await (kind === 'tandem' ? startTandem(args) : startRedis(args));
    started.push(s);
    return s;
  };
  const dir = () => {
    const d = tempDir();
    dirs.push(d);
    return d;
  };
  after(async () => {
    await Promise.all(started.map((s) => s.stop()));
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  test("Tandem's dump is accepted by redis-check-rdb and loads in real Redis and in Tandem with the same data", async () => {
    const d = dir();
    const tandem = await start('tandem', ['--dir', d, '--enable-debug-command', 'yes']);
    const conn = await RawConnection.open(tandem.port);
    await fillAllTypes(conn);
    const digest = text(await conn.call('DEBUG', 'DIGEST'));
    const encodings = new Map<string, string>();
    for (const key of ['str:int', 'str:long', 'list:small', 'list:big', 'hash:small', 'hash:big', 'set:int', 'set:big', 'zset:big']) {
      encodings.set(key, text(await conn.call('OBJECT', 'ENCODING', key)));
    }
    assert.equal(text(await conn.call('SAVE')), '+OK\r\n');
    conn.close();
    const file = path.join(d, 'dump.rdb');
    const check = spawnSync('redis-check-rdb', [file], { encoding: 'latin1' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /RDB looks OK/);

    for (const kind of ['redis', 'tandem'] as const) {
      const copy = dir();
      fs.copyFileSync(file, path.join(copy, 'dump.rdb'));
      const s = await start(kind, ['--dir', copy, '--enable-debug-command', 'yes']);
      const c = await RawConnection.open(s.port);
      assert.equal(text(await c.call('DEBUG', 'DIGEST')), digest, `${kind} loaded the same dataset`);
      assert.equal(text(await c.call('PTTL', 'str:ttl')).startsWith(':'), true);
      for (const [key, encoding] of encodings) {
        assert.equal(text(await c.call('OBJECT', 'ENCODING', key)), encoding, `${kind}: encoding of ${key}`);
      }
      c.close();
    }
  });

  test('BGSAVE writes the dataset as of the BGSAVE while clients keep writing', async () => {
    const d = dir();
    const tandem = await start('tandem', ['--dir', d, '--enable-debug-command', 'yes']);
    const conn = await RawConnection.open(tandem.port);
    assert.equal(text(await conn.call('DEBUG', 'POPULATE', '100000')), '+OK\r\n');
    await fillAllTypes(conn);
    const before = text(await conn.call('DEBUG', 'DIGEST'));
    // BGSAVE and a burst of writes in one go: the writes reach keys the walk has not reached yet.
    const writes: Buffer[] = [encodeCommand(['BGSAVE'])];
    const writeCount = 20000;
    for (let i = 0; i < writeCount; i++) {
      const key = `key:${(i * 7919) % 100000}`;
      const op = i % 4;
      writes.push(
        encodeCommand(
          op === 0 ? ['SET', key, `changed-${i}`] : op === 1 ? ['DEL', key] : op === 2 ? ['INCR', 'counter'] : ['RPUSH', 'list:big', String(i)],
        ),
      );
    }
    conn.send(Buffer.concat(writes));
    assert.equal(text(await conn.reply()), '+Background saving started\r\n');
    for (let i = 1; i < writes.length; i++) await conn.reply();
    await waitFor('BGSAVE', () => bgsaveFinished(conn));
    const persistence = await info(conn, 'persistence');
    assert.equal(persistence.get('rdb_last_bgsave_status'), 'ok');
    assert.ok(Number(persistence.get('rdb_last_cow_size')) > 0, 'writes hit keys before the walk reached them');
    // Every write landed in memory.
    assert.equal(text(await conn.call('GET', 'counter')), `$4\r\n${writeCount / 4}\r\n`);
    assert.notEqual(text(await conn.call('DEBUG', 'DIGEST')), before);
    conn.close();
    // The file is the dataset of the BGSAVE moment.
    const redis = await start('redis', ['--dir', d, '--enable-debug-command', 'yes']);
    const r = await RawConnection.open(redis.port);
    assert.equal(text(await r.call('DEBUG', 'DIGEST')), before);
    r.close();
  });

  test('SAVE, LASTSAVE, BGSAVE replies and INFO persistence', async () => {
    const d = dir();
    const tandem = await start('tandem', ['--dir', d]);
    const conn = await RawConnection.open(tandem.port);
    await conn.call('SET', 'a', '1');
    let fields = await info(conn, 'persistence');
    assert.equal(fields.get('rdb_changes_since_last_save'), '1');
    assert.equal(fields.get('rdb_saves'), '0');
    assert.equal(text(await conn.call('SAVE')), '+OK\r\n');
    fields = await info(conn, 'persistence');
    assert.equal(fields.get('rdb_changes_since_last_save'), '0');
    assert.equal(fields.get('rdb_saves'), '1');
    assert.equal(text(await conn.call('LASTSAVE')), `:${fields.get('rdb_last_save_time')}\r\n`);
    assert.equal(text(await conn.call('BGSAVE', 'NOW')), '-ERR syntax error\r\n');
    conn.send(Buffer.concat([encodeCommand(['BGSAVE']), encodeCommand(['BGSAVE']), encodeCommand(['SAVE'])]));
    assert.equal(text(await conn.reply()), '+Background saving started\r\n');
    assert.equal(text(await conn.reply()), '-ERR Background save already in progress\r\n');
    assert.equal(text(await conn.reply()), '-ERR Background save already in progress\r\n');
    await waitFor('BGSAVE', () => bgsaveFinished(conn));
    // Inside MULTI, BGSAVE is scheduled, as Redis.
    conn.send(Buffer.concat([encodeCommand(['MULTI']), encodeCommand(['BGSAVE']), encodeCommand(['EXEC'])]));
    await conn.reply();
    await conn.reply();
    assert.equal(text(await conn.reply()), '*1\r\n+Background saving scheduled\r\n');
    await waitFor('the scheduled BGSAVE', async () => (await info(conn, 'persistence')).get('rdb_saves') === '3');
    conn.close();
  });

  test('save points start a BGSAVE after enough changes', async () => {
    const d = dir();
    const tandem = await start('tandem', ['--dir', d, '--save', '1 2']);
    const conn = await RawConnection.open(tandem.port);
    await conn.call('SET', 'a', '1');
    await conn.call('SET', 'b', '2');
    await waitFor('the save point', () => tandem.output().includes('Background saving terminated with success'));
    assert.match(tandem.output(), /2 changes in 1 seconds\. Saving\.\.\./);
    assert.equal((await info(conn, 'persistence')).get('rdb_changes_since_last_save'), '0');
    assert.ok(fs.existsSync(path.join(d, 'dump.rdb')));
    conn.close();
  });

  test('a failing BGSAVE stops writes with MISCONF until a save succeeds', async () => {
    const d = dir();
    const tandem = await start('tandem', ['--dir', d, '--save', '3600 1']);
    const conn = await RawConnection.open(tandem.port);
    fs.rmSync(d, { recursive: true, force: true });
    assert.equal(text(await conn.call('BGSAVE')), '-ERR\r\n');
    const misconf = text(await conn.call('SET', 'a', '1'));
    assert.match(misconf, /^-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk\./);
    assert.equal(text(await conn.call('PING')), misconf);
    assert.equal(text(await conn.call('GET', 'a')), '$-1\r\n');
    assert.equal((await info(conn, 'persistence')).get('rdb_last_bgsave_status'), 'err');
    fs.mkdirSync(d);
    assert.equal(text(await conn.call('SAVE')), '+OK\r\n');
    assert.equal(text(await conn.call('SET', 'a', '1')), '+OK\r\n');
    conn.close();
  });

  test('DEBUG RELOAD saves, empties and loads back; FLUSHALL empties the dump when saving is on', async () => {
    const d = dir();
    const tandem = await start('tandem', ['--dir', d, '--enable-debug-command', 'yes', '--save', '3600 1']);
    const conn = await RawConnection.open(tandem.port);
    await fillAllTypes(conn);
    const digest = text(await conn.call('DEBUG', 'DIGEST'));
    assert.equal(text(await conn.call('DEBUG', 'RELOAD')), '+OK\r\n');
    assert.equal(text(await conn.call('DEBUG', 'DIGEST')), digest);
    assert.equal(text(await conn.call('DEBUG', 'RELOAD', 'BOGUS')), '-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n');
    assert.equal(text(await conn.call('FLUSHALL')), '+OK\r\n');
    assert.equal(text(await conn.call('DEBUG', 'RELOAD', 'NOSAVE')), '+OK\r\n');
    assert.equal(text(await conn.call('DBSIZE')), ':0\r\n');
    conn.close();
  });

  test('SHUTDOWN SAVE writes the dump and a restart loads it; NOSAVE does not', async () => {
    const d = dir();
    const first = await start('tandem', ['--dir', d]);
    let conn = await RawConnection.open(first.port);
    await conn.call('SET', 'kept', 'yes');
    conn.send(encodeCommand(['SHUTDOWN', 'SAVE']));
    await conn.waitClosed(5000);
    assert.ok(fs.existsSync(path.join(d, 'dump.rdb')));
    const second = await start('tandem', ['--dir', d, '--save', '3600 1']);
    assert.match(second.output(), /Done loading RDB, keys loaded: 1, keys expired: 0\./);
    assert.match(second.output(), /DB loaded from disk: [0-9.]+ seconds/);
    conn = await RawConnection.open(second.port);
    assert.equal(text(await conn.call('GET', 'kept')), '$3\r\nyes\r\n');
    await conn.call('SET', 'lost', 'yes');
    conn.send(encodeCommand(['SHUTDOWN', 'NOSAVE']));
    await conn.waitClosed(5000);
    const third = await start('tandem', ['--dir', d]);
    conn = await RawConnection.open(third.port);
    assert.equal(text(await conn.call('EXISTS', 'kept', 'lost')), ':1\r\n');
    conn.close();
  });

  test('while the dump loads at startup, commands get -LOADING and INFO reports progress', async () => {
    const d = dir();
    const maker = await start('tandem', ['--dir', d, '--enable-debug-command', 'yes']);
    const conn = await RawConnection.open(maker.port);
    await conn.call('DEBUG', 'POPULATE', '300000');
    await conn.call('SAVE');
    conn.close();
    const port = await freePort();
    const child = spawn(process.execPath, [tandemBin, '--port', String(port), '--bind', '127.0.0.1', '--dir', d, '--save', ''], {
      stdio: 'ignore',
    });
    try {
      let c: RawConnection | null = null;
      await waitFor('the port', async () => {
        c = await RawConnection.open(port).catch(() => null);
        return c !== null;
      });
      const client = c as unknown as RawConnection;
      const first = text(await client.call('GET', 'key:1'));
      assert.equal(first, '-LOADING Redis is loading the dataset in memory\r\n');
      const loading = await info(client, 'persistence');
      assert.equal(loading.get('loading'), '1');
      assert.ok(Number(loading.get('loading_total_bytes')) > 0);
      await waitFor('the load', async () => !text(await client.call('GET', 'key:1')).startsWith('-LOADING'));
      assert.equal(text(await client.call('DBSIZE')), ':300000\r\n');
      client.close();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
