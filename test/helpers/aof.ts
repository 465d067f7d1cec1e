// Helpers for the AOF tests: servers started on a given directory with the
// AOF on, INFO fields, waiting for rewrites, and a workload that writes every
// type through commands whose propagated form differs from what was sent.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RawConnection } from './resp.js';
import { startRedis, startTandem, type RunningServer } from './servers.js';

export const text = (b: Buffer): string => b.toString('latin1');

export function tempDir(prefix = 'tandem-aof-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Tandem (or real Redis) with its data in `dir` and the AOF on, unless `extra` says otherwise. */
export function startTandemIn(dir: string, extra: string[] = []): Promise<RunningServer> {
  return startTandem(['--dir', dir, '--appendonly', 'yes', '--enable-debug-command', 'yes', ...extra]);
}

export function startRedisIn(dir: string, extra: string[] = []): Promise<RunningServer> {
  return startRedis(['--dir', dir, '--appendonly', 'yes', '--enable-debug-command', 'yes', ...extra]);
}

export async function info(conn: RawConnection, section: string): Promise<Map<string, string>> {
  const fields = new Map<string, string>();
  for (const line of text(await conn.call('INFO', section)).split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('$')) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  return fields;
}

export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until no rewrite is running or scheduled. */
export async function rewriteFinished(conn: RawConnection): Promise<void> {
  await waitFor('the AOF rewrite', async () => {
    const p = await info(conn, 'persistence');
    return p.get('aof_rewrite_in_progress') === '0' && p.get('aof_rewrite_scheduled') === '0';
  });
}

/** BGREWRITEAOF, and the wait for it to end successfully. */
export async function rewrite(conn: RawConnection): Promise<void> {
  assert.match(text(await conn.call('BGREWRITEAOF')), /^\+Background append only file rewriting (started|scheduled)/);
  await rewriteFinished(conn);
  assert.equal((await info(conn, 'persistence')).get('aof_last_bgrewrite_status'), 'ok');
}

export async function digest(conn: RawConnection): Promise<string> {
  return text(await conn.call('DEBUG', 'DIGEST'));
}

/** Runs commands, failing on an error reply unless `errorsOk`. */
export async function run(conn: RawConnection, commands: string[][], errorsOk = false): Promise<void> {
  for (const c of commands) {
    const reply = text(await conn.call(...c));
    if (!errorsOk) assert.ok(!reply.startsWith('-'), `${c.join(' ')}: ${reply}`);
  }
}

/**
 * Writes of every type, in several databases, with TTLs set relatively
 * (propagated as absolute times), MULTI/EXEC, and commands whose effect is
 * random or time-dependent as sent. `tag` keeps two rounds' keys apart.
 */
export function workload(tag: string): string[][] {
  const k = (name: string) => `${tag}:${name}`;
  const cmds: string[][] = [
    ['SET', k('str'), 'hello'],
    ['SET', k('int'), '12345'],
    ['SET', k('bin'), '\x00\xff\r\n\x80*3\r\n'],
    ['SET', k('ttl'), 'v', 'EX', '100000'],
    ['SETEX', k('setex'), '5000', 'x'],
    ['INCRBYFLOAT', k('float'), '1.5'],
    ['APPEND', k('str'), ' world'],
    ['SETRANGE', k('range'), '5', 'abc'],
    ['EXPIRE', k('str'), '90000'],
    ['GETEX', k('int'), 'PX', '800000'],
    ['RPUSH', k('list'), 'a', 'b', 'c', 'd', 'e'],
    ['LPUSH', k('list'), 'z'],
    ['LMOVE', k('list'), k('list2'), 'LEFT', 'RIGHT'],
    ['BLPOP', k('list'), '1'],
    ['HSET', k('hash'), 'f1', 'v1', 'f2', '2'],
    ['HINCRBYFLOAT', k('hash'), 'f2', '0.25'],
    ['SADD', k('set'), 'a', 'b', 'c', 'd', 'e', 'f'],
    ['SADD', k('intset'), '1', '2', '3', '-7'],
    ['SPOP', k('set'), '2'],
    ['ZADD', k('zset'), '1', 'a', '2.5', 'b', '-inf', 'c', 'inf', 'd'],
    ['ZINCRBY', k('zset'), '0.1', 'a'],
    ['PFADD', k('hll'), 'x', 'y', 'z'],
    ['XADD', k('stream'), '*', 'f', 'v'],
    ['XADD', k('stream'), '*', 'g', 'w', 'h', 'z'],
    ['XADD', k('stream'), 'MAXLEN', '5', '*', 'i', '1'],
    ['XGROUP', 'CREATE', k('stream'), 'grp', '0'],
    ['XREADGROUP', 'GROUP', 'grp', 'alice', 'COUNT', '2', 'STREAMS', k('stream'), '>'],
    ['XGROUP', 'CREATECONSUMER', k('stream'), 'grp', 'bob'],
    ['XADD', k('empty-stream'), 'MAXLEN', '0', '*', 'a', 'b'],
    ['MULTI'],
    ['INCR', k('counter')],
    ['INCR', k('counter')],
    ['SADD', k('set'), 'in-multi'],
    ['EXEC'],
    ['SELECT', '3'],
    ['SET', k('db3'), 'three'],
    ['HSET', k('db3-hash'), 'a', '1'],
    ['SELECT', '7'],
    ['RPUSH', k('db7-list'), '1', '2'],
    ['PEXPIRE', k('db7-list'), '700000'],
    ['SELECT', '0'],
    ['COPY', k('hash'), k('hash-copy')],
    ['RENAME', k('list2'), k('renamed')],
    ['DEL', k('range')],
    ['SINTERSTORE', k('inter'), k('set'), k('set')],
    ['ZUNIONSTORE', k('zunion'), '1', k('zset')],
  ];
  for (let i = 0; i < 150; i++) {
    cmds.push(['RPUSH', k('biglist'), `element-${i}`]);
    cmds.push(['HSET', k('bighash'), `field-${i}`, `value-${i}`]);
    cmds.push(['SADD', k('bigset'), `member-${i}`]);
    cmds.push(['ZADD', k('bigzset'), String(i / 3), `member-${i}`]);
  }
  return cmds;
}

/** The AOF files of `dir` (manifest first), as name → bytes. */
export function aofFiles(dir: string, aofDir = 'appendonlydir'): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const full = path.join(dir, aofDir);
  for (const name of fs.readdirSync(full).sort((a, b) => Number(b.endsWith('.manifest')) - Number(a.endsWith('.manifest')))) {
    out.set(name, fs.readFileSync(path.join(full, name)));
  }
  return out;
}

export async function connect(server: RunningServer): Promise<RawConnection> {
  return RawConnection.open(server.port);
}
