// The AOF, black-box with real processes: Tandem's multi-part AOF loads in
// real Redis 7.0 and redis-check-aof accepts it, Redis's loads in Tandem
// (RDB and AOF bases), CONFIG SET appendonly yes at runtime, and rewrites
// under a continuous stream of writes lose nothing.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  aofFiles,
  connect,
  digest,
  info,
  rewrite,
  rewriteFinished,
  run,
  startRedisIn,
  startTandemIn,
  tempDir,
  text,
  waitFor,
  workload,
} from './helpers/aof.js';
import type { RawConnection } from './helpers/resp.js';
import { redisAvailable, type RunningServer } from './helpers/servers.js';

const haveRedis = redisAvailable();
const haveCheckAof = spawnSync('redis-check-aof', ['--help']).error === undefined;

const dirs: string[] = [];
const servers: RunningServer[] = [];

after(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function newDir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

async function tandem(dir: string, extra: string[] = []): Promise<RunningServer> {
  const s = await startTandemIn(dir, extra);
  servers.push(s);
  return s;
}

async function redis(dir: string, extra: string[] = []): Promise<RunningServer> {
  const s = await startRedisIn(dir, extra);
  servers.push(s);
  return s;
}

/**
 * Replies to reads that show values, types, TTLs and encodings directly
 * (the stream reads leave out times, which a reload sets anew).
 */
async function sample(conn: RawConnection, tag: string): Promise<string[]> {
  const k = (name: string) => `${tag}:${name}`;
  const reads: string[][] = [
    ['GET', k('str')],
    ['GET', k('bin')],
    ['GET', k('float')],
    ['PEXPIRETIME', k('ttl')],
    ['PEXPIRETIME', k('str')],
    ['LRANGE', k('renamed'), '0', '-1'],
    ['LRANGE', k('list'), '0', '-1'],
    ['HGETALL', k('hash-copy')],
    ['SMEMBERS', k('intset')],
    ['ZRANGE', k('zset'), '0', '-1', 'WITHSCORES'],
    ['GET', k('counter')],
    ['XINFO', 'STREAM', k('stream')],
    ['XINFO', 'GROUPS', k('stream')],
    ['XPENDING', k('stream'), 'grp'],
    ['XINFO', 'STREAM', k('empty-stream')],
    ['OBJECT', 'ENCODING', k('bighash')],
    ['OBJECT', 'ENCODING', k('intset')],
    ['OBJECT', 'ENCODING', k('biglist')],
    ['PFCOUNT', k('hll')],
  ];
  const out: string[] = [];
  for (const r of reads) out.push(text(await conn.call(...r)));
  return out;
}

/**
 * Loads copies of `dir` in Tandem and in Redis: both hold the dataset whose
 * digest is `expected`, and answer the same to the sample reads.
 */
async function loadsAlike(dir: string, expected: string, tags: string[]): Promise<void> {
  const answers: string[][] = [];
  for (const start of [tandem, redis]) {
    const copy = newDir();
    fs.cpSync(dir, copy, { recursive: true });
    const s = await start(copy);
    const c = await connect(s);
    // The digest first: PFCOUNT caches the cardinality in the value.
    assert.equal(await digest(c), expected, start === tandem ? 'tandem' : 'redis');
    const replies: string[] = [];
    for (const tag of tags) replies.push(...(await sample(c, tag)));
    answers.push(replies);
    await s.stop();
  }
  assert.deepEqual(answers[0], answers[1]);
}

function checkAof(dir: string): void {
  const aofDir = path.join(dir, 'appendonlydir');
  const manifest = spawnSync('redis-check-aof', [path.join(aofDir, 'appendonly.aof.manifest')], { encoding: 'latin1' });
  assert.equal(manifest.status, 0, manifest.stdout + manifest.stderr);
  assert.match(manifest.stdout, /All AOF files and manifest are valid/);
  for (const name of fs.readdirSync(aofDir)) {
    if (name.endsWith('.manifest')) continue;
    const one = spawnSync('redis-check-aof', [path.join(aofDir, name)], { encoding: 'latin1' });
    assert.equal(one.status, 0, `${name}: ${one.stdout}${one.stderr}`);
    assert.match(one.stdout, / is valid/);
  }
}

describe('Tandem writes an AOF that Redis 7.0 loads', { skip: !haveRedis }, () => {
  for (const preamble of ['yes', 'no']) {
    test(`every type, TTLs, MULTI/EXEC, SELECT, two rewrites (aof-use-rdb-preamble ${preamble})`, async () => {
      const dir = newDir();
      const t = await tandem(dir, ['--aof-use-rdb-preamble', preamble]);
      const c = await connect(t);
      await run(c, workload('a'));
      await rewrite(c);
      await run(c, workload('b'));
      await rewrite(c);
      await run(c, workload('c'));
      const files = [...aofFiles(dir).keys()];
      const ext = preamble === 'yes' ? 'rdb' : 'aof';
      assert.deepEqual(files, [
        'appendonly.aof.manifest',
        `appendonly.aof.3.base.${ext}`,
        'appendonly.aof.3.incr.aof',
      ]);
      assert.equal(
        aofFiles(dir).get('appendonly.aof.manifest')!.toString(),
        `file appendonly.aof.3.base.${ext} seq 3 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n`,
      );
      const expected = await digest(c);
      await t.stop();
      if (haveCheckAof) checkAof(dir);
      await loadsAlike(dir, expected, ['a', 'b', 'c']);
    });
  }

  test('the AOF-format base holds the commands Redis would write for each type', async () => {
    const dir = newDir();
    const t = await tandem(dir, ['--aof-use-rdb-preamble', 'no']);
    const c = await connect(t);
    await run(c, [
      ['RPUSH', 'l', ...Array.from({ length: 70 }, (_, i) => String(i))],
      ['SET', 's', 'v'],
      ['PEXPIREAT', 's', '99999999999999'],
      ['XADD', 'x', '5-1', 'f', 'v'],
      ['XDEL', 'x', '5-1'],
      ['XGROUP', 'CREATE', 'x', 'g', '$'],
    ]);
    await rewrite(c);
    await t.stop();
    const base = aofFiles(dir).get('appendonly.aof.2.base.aof')!.toString('latin1');
    const cmd = (...argv: string[]) => `*${argv.length}\r\n${argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;
    assert.ok(base.startsWith(cmd('SELECT', '0')));
    assert.ok(base.includes(cmd('RPUSH', 'l', ...Array.from({ length: 64 }, (_, i) => String(i)))));
    assert.ok(base.includes(cmd('RPUSH', 'l', '64', '65', '66', '67', '68', '69')));
    assert.ok(base.includes(cmd('SET', 's', 'v') + cmd('PEXPIREAT', 's', '99999999999999')));
    assert.ok(base.includes(cmd('XADD', 'x', 'MAXLEN', '0', '0-1', 'x', 'y')));
    assert.ok(base.includes(cmd('XSETID', 'x', '5-1', 'ENTRIESADDED', '1', 'MAXDELETEDID', '5-1')));
    assert.ok(base.includes(cmd('XGROUP', 'CREATE', 'x', 'g', '5-1', 'ENTRIESREAD', '-1')));
  });
});

describe('Redis 7.0 writes an AOF that Tandem loads', { skip: !haveRedis }, () => {
  test('RDB base, then AOF base, with incr files written meanwhile', async () => {
    const dir = newDir();
    const r = await redis(dir);
    const rc = await connect(r);
    await run(rc, workload('a'));
    await rewrite(rc);
    await run(rc, workload('b'));
    await run(rc, [['CONFIG', 'SET', 'aof-use-rdb-preamble', 'no']]);
    await rewrite(rc);
    await run(rc, workload('c'));
    const expected = await digest(rc);
    await r.stop();
    assert.ok(aofFiles(dir).has('appendonly.aof.3.base.aof'));
    await loadsAlike(dir, expected, ['a', 'b', 'c']);

    const t = await tandem(dir);
    const c = await connect(t);
    // Tandem goes on appending to Redis's incr file.
    await run(c, [['SET', 'after', 'restart']]);
    const afterWrite = await digest(c);
    await t.stop();
    const r2 = await redis(dir);
    assert.equal(await digest(await connect(r2)), afterWrite);
    await r2.stop();
  });

  test('a Redis RDB base with several incr files (rewrites that failed to finish)', async () => {
    const dir = newDir();
    const r = await redis(dir);
    const rc = await connect(r);
    await run(rc, workload('a'));
    await r.stop();
    // A manifest listing more incr files, as a Redis whose rewrites never finished leaves it.
    const aofDir = path.join(dir, 'appendonlydir');
    fs.writeFileSync(path.join(aofDir, 'appendonly.aof.2.incr.aof'), '*3\r\n$3\r\nSET\r\n$5\r\nextra\r\n$1\r\n1\r\n');
    fs.writeFileSync(path.join(aofDir, 'appendonly.aof.3.incr.aof'), '');
    fs.appendFileSync(
      path.join(aofDir, 'appendonly.aof.manifest'),
      'file appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n',
    );
    const r2 = await redis(dir);
    const expected = await digest(await connect(r2));
    await r2.stop();
    const t = await tandem(dir);
    const c = await connect(t);
    assert.equal(await digest(c), expected);
    assert.equal(text(await c.call('GET', 'extra')), '$1\r\n1\r\n');
    // Appends go to the last incr file.
    await run(c, [['SET', 'more', 'x']]);
    await t.stop();
    assert.match(fs.readFileSync(path.join(aofDir, 'appendonly.aof.3.incr.aof'), 'latin1'), /more/);
  });
});

describe('appendonly at runtime', () => {
  test('CONFIG SET appendonly yes writes a base of the dataset; a restart keeps everything', async () => {
    const dir = newDir();
    const t = await tandem(dir, ['--appendonly', 'no']);
    const c = await connect(t);
    await run(c, workload('before'));
    assert.equal(fs.existsSync(path.join(dir, 'appendonlydir')), false);
    assert.equal(text(await c.call('CONFIG', 'SET', 'appendonly', 'yes')), '+OK\r\n');
    await rewriteFinished(c);
    const p = await info(c, 'persistence');
    assert.equal(p.get('aof_enabled'), '1');
    assert.equal(p.get('aof_rewrites'), '1');
    await run(c, workload('after'));
    const files = [...aofFiles(dir).keys()];
    assert.deepEqual(files, ['appendonly.aof.manifest', 'appendonly.aof.1.base.rdb', 'appendonly.aof.1.incr.aof']);
    const expected = await digest(c);
    await t.stop();
    const t2 = await tandem(dir);
    assert.equal(await digest(await connect(t2)), expected);
    await t2.stop();
  });

  test('CONFIG SET appendonly no stops appending; BGREWRITEAOF with the AOF off still writes a base', async () => {
    const dir = newDir();
    const t = await tandem(dir);
    const c = await connect(t);
    await run(c, [['SET', 'k', '1']]);
    assert.equal(text(await c.call('CONFIG', 'SET', 'appendonly', 'no')), '+OK\r\n');
    const incr = path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    const size = fs.statSync(incr).size;
    await run(c, [['SET', 'k', '2']]);
    assert.equal(fs.statSync(incr).size, size);
    const p = await info(c, 'persistence');
    assert.equal(p.get('aof_enabled'), '0');
    assert.equal(p.has('aof_current_size'), false);
    await rewrite(c);
    assert.equal(
      aofFiles(dir).get('appendonly.aof.manifest')!.toString(),
      'file appendonly.aof.2.base.rdb seq 2 type b\n',
    );
  });

  test('BGREWRITEAOF replies as Redis: started, already in progress, scheduled during BGSAVE and in MULTI', async () => {
    const dir = newDir();
    const t = await tandem(dir);
    const c = await connect(t);
    await run(c, [['DEBUG', 'POPULATE', '200000']]);
    assert.equal(text(await c.call('BGREWRITEAOF')), '+Background append only file rewriting started\r\n');
    assert.equal(
      text(await c.call('BGREWRITEAOF')),
      '-ERR Background append only file rewriting already in progress\r\n',
    );
    await rewriteFinished(c);
    assert.equal(text(await c.call('BGSAVE')), '+Background saving started\r\n');
    assert.equal(text(await c.call('BGREWRITEAOF')), '+Background append only file rewriting scheduled\r\n');
    assert.equal((await info(c, 'persistence')).get('aof_rewrite_scheduled'), '1');
    await rewriteFinished(c);
    c.send('*1\r\n$5\r\nMULTI\r\n*1\r\n$12\r\nBGREWRITEAOF\r\n*1\r\n$4\r\nEXEC\r\n');
    assert.equal(text(await c.reply()), '+OK\r\n');
    assert.equal(text(await c.reply()), '+QUEUED\r\n');
    assert.equal(text(await c.reply()), '*1\r\n+Background append only file rewriting scheduled\r\n');
    await rewriteFinished(c);
    const p = await info(c, 'persistence');
    assert.equal(p.get('aof_rewrites'), '3');
    assert.equal(p.get('aof_last_bgrewrite_status'), 'ok');
  });
});

describe('fsync policies, DEBUG LOADAOF, automatic rewrites, INFO', () => {
  test('appendfsync always and everysec write the same log; DEBUG LOADAOF reloads it', async () => {
    const dir = newDir();
    const t = await tandem(dir, ['--appendfsync', 'always']);
    const c = await connect(t);
    await run(c, workload('x'));
    await run(c, [['CONFIG', 'SET', 'appendfsync', 'everysec']]);
    await run(c, workload('y'));
    await run(c, [['CONFIG', 'SET', 'appendfsync', 'no']]);
    await run(c, [['SET', 'last', 'one']]);
    const expected = await digest(c);
    const incr = path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    assert.equal(text(await c.call('DEBUG', 'LOADAOF')), '+OK\r\n');
    assert.equal(await digest(c), expected);
    // Neither the reload nor the command itself goes into the log.
    const size = fs.statSync(incr).size;
    assert.equal(text(await c.call('DEBUG', 'LOADAOF')), '+OK\r\n');
    assert.equal(fs.statSync(incr).size, size);
    assert.equal(await digest(c), expected);
    assert.doesNotMatch(fs.readFileSync(incr, 'latin1'), /LOADAOF/i);
    assert.match(t.output(), /Append Only File loaded by DEBUG LOADAOF/);
  });

  test('a rewrite starts by itself once the AOF grows past min-size by the percentage', async () => {
    const dir = newDir();
    const t = await tandem(dir, ['--auto-aof-rewrite-min-size', '20kb', '--auto-aof-rewrite-percentage', '100']);
    const c = await connect(t);
    const value = 'v'.repeat(100);
    for (let i = 0; i < 300; i++) await run(c, [['SET', `key:${i % 10}`, value]]);
    await waitFor('an automatic rewrite', async () => (await info(c, 'persistence')).get('aof_rewrites') !== '0');
    await rewriteFinished(c);
    assert.match(t.output(), /Starting automatic rewriting of AOF on \d+% growth/);
    const p = await info(c, 'persistence');
    assert.ok(Number(p.get('aof_base_size')) > 0);
    assert.ok(Number(p.get('aof_current_size')) >= Number(p.get('aof_base_size')));
  });

  test('INFO persistence has the AOF fields of Redis, in its order', { skip: !haveRedis }, async () => {
    const names = async (conn: RawConnection) =>
      [...(await info(conn, 'persistence')).keys()].filter((n) => n.startsWith('aof_') || n.startsWith('module_fork'));
    for (const appendonly of ['yes', 'no']) {
      const t = await tandem(newDir(), ['--appendonly', appendonly]);
      const r = await redis(newDir(), ['--appendonly', appendonly]);
      assert.deepEqual(await names(await connect(t)), await names(await connect(r)));
      await t.stop();
      await r.stop();
    }
  });
});

describe('rewrites under continuous writes', () => {
  test('nothing written during BGREWRITEAOF is lost across a restart', async () => {
    const dir = newDir();
    for (const preamble of ['yes', 'no']) {
      const t = await tandem(dir, ['--aof-use-rdb-preamble', preamble]);
      const c = await connect(t);
      await run(c, [['DEBUG', 'POPULATE', '100000', `pre-${preamble}`]]);
      const writer = await connect(t);
      let writes = 0;
      let stop = false;
      const writing = (async () => {
        while (!stop) {
          writes++;
          await run(writer, [
            ['INCR', `counter-${preamble}`],
            ['RPUSH', `log-${preamble}`, String(writes)],
            ['SET', `pre-${preamble}:${writes % 100000}`, `overwritten-${writes}`],
            ['HSET', `h-${preamble}`, String(writes % 500), String(writes)],
          ]);
        }
      })();
      for (let i = 0; i < 3; i++) {
        await waitFor('some writes', () => writes > 200 * (i + 1));
        assert.match(text(await c.call('BGREWRITEAOF')), /^\+Background append only file rewriting started/);
        await rewriteFinished(c);
      }
      stop = true;
      await writing;
      const expected = await digest(c);
      assert.equal(text(await c.call('GET', `counter-${preamble}`)), `$${String(writes).length}\r\n${writes}\r\n`);
      await t.stop();
      const t2 = await tandem(dir);
      assert.equal(await digest(await connect(t2)), expected);
      await t2.stop();
    }
  });
});
