// Loading AOF directories that are damaged or unusual, next to real Redis
// 7.0 given the same files: truncated last commands (aof-load-truncated yes
// and no), incomplete MULTI blocks, bad formats, unknown commands, every
// manifest error, the upgrade of an old single-file AOF, and a fuzz of
// truncated and bit-flipped files that must load or fail cleanly, never
// crash or hang.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Config } from '../src/config/config.js';
import { encodeCommand } from '../src/persistence/aof-rewrite.js';
import { parseManifest, AofManifestError } from '../src/persistence/aof-manifest.js';
import { saveRdbFileSync } from '../src/persistence/rdb-save.js';
import { Server } from '../src/server/server.js';
import { connect, digest, startRedisIn, startTandemIn, tempDir, text, workload } from './helpers/aof.js';
import { inProcessServer } from './helpers/in-process.js';
import { RawConnection } from './helpers/resp.js';
import { freePort, redisAvailable, tandemBin, type RunningServer } from './helpers/servers.js';

const haveRedis = redisAvailable();
const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function newDir(): string {
  const d = tempDir('tandem-aofload-');
  dirs.push(d);
  return d;
}

const resp = (commands: string[][]): string => commands.map((c) => encodeCommand(c)).join('');

/** An AOF directory with the given files (name → latin1 content) and manifest lines. */
function aofDir(files: Record<string, string | Buffer>, manifest: string | null): string {
  const dir = newDir();
  const sub = path.join(dir, 'appendonlydir');
  fs.mkdirSync(sub);
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(sub, name), typeof content === 'string' ? Buffer.from(content, 'latin1') : content);
  }
  if (manifest !== null) fs.writeFileSync(path.join(sub, 'appendonly.aof.manifest'), manifest);
  return dir;
}

function copyDir(dir: string): string {
  const out = newDir();
  fs.cpSync(dir, out, { recursive: true });
  return out;
}

const twoFiles = 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n';

interface Outcome {
  /** The server came up: its digest and the incr file's size afterwards. */
  loaded?: { digest: string; incrSize: number };
  /** It refused to start: its output. */
  failed?: string;
}

/** Starts a server of each kind on its own copy of `dir` with `extra` arguments; what each made of it. */
async function outcome(kind: 'tandem' | 'redis', dir: string, extra: string[]): Promise<Outcome> {
  const copy = copyDir(dir);
  let server: RunningServer;
  try {
    server = kind === 'tandem' ? await startTandemIn(copy, extra) : await startRedisIn(copy, extra);
  } catch (e) {
    // The process exited instead of becoming ready; the error carries what it printed.
    return { failed: (e as Error).message };
  }
  try {
    const d = await digest(await connect(server));
    const incr = path.join(copy, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    return { loaded: { digest: d, incrSize: fs.existsSync(incr) ? fs.statSync(incr).size : -1 } };
  } finally {
    await server.stop();
  }
}

/** Tandem and Redis agree: both load to the same data and file sizes, or both refuse with `expectLine`. */
async function sameOutcome(dir: string, extra: string[], expectLine: string): Promise<Outcome> {
  const t = await outcome('tandem', dir, extra);
  if (haveRedis) {
    const r = await outcome('redis', dir, extra);
    assert.deepEqual(t.loaded, r.loaded);
    assert.equal(t.failed === undefined, r.failed === undefined, `tandem: ${t.failed}\nredis: ${r.failed}`);
    if (r.failed !== undefined) assert.ok(r.failed.includes(expectLine), r.failed);
  }
  const out = t.failed ?? '';
  if (t.failed !== undefined) assert.ok(out.includes(expectLine), out);
  return t;
}

const baseCommands = resp([['SET', 'a', '1'], ['RPUSH', 'l', 'x', 'y'], ['SELECT', '2'], ['SET', 'b', '2']]);
const incrCommands = resp([['SELECT', '0'], ['INCR', 'a'], ['PEXPIREAT', 'l', '99999999999999']]);

describe('truncated and malformed AOF files, next to Redis', () => {
  const cut = incrCommands + resp([['SET', 'last', 'value']]).slice(0, -6);

  test('a cut last command is dropped with aof-load-truncated yes, and the file truncated', async () => {
    const dir = aofDir({ 'appendonly.aof.1.base.aof': baseCommands, 'appendonly.aof.1.incr.aof': cut }, twoFiles);
    const t = await sameOutcome(dir, [], '');
    assert.equal(t.loaded!.incrSize, incrCommands.length);
  });

  test('the same file is refused with aof-load-truncated no', async () => {
    const dir = aofDir({ 'appendonly.aof.1.base.aof': baseCommands, 'appendonly.aof.1.incr.aof': cut }, twoFiles);
    await sameOutcome(
      dir,
      ['--aof-load-truncated', 'no'],
      'Unexpected end of file reading the append only file appendonly.aof.1.incr.aof. You can: ' +
        '1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. ' +
        "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
    );
  });

  test('a MULTI without EXEC at the end is reverted', async () => {
    const incr = incrCommands + resp([['MULTI'], ['SET', 'in', 'multi'], ['INCR', 'a']]);
    const dir = aofDir({ 'appendonly.aof.1.base.aof': baseCommands, 'appendonly.aof.1.incr.aof': incr }, twoFiles);
    const t = await sameOutcome(dir, [], '');
    assert.equal(t.loaded!.incrSize, incrCommands.length);
  });

  test('a truncated file that is not the last one is fatal', async () => {
    const dir = aofDir(
      { 'appendonly.aof.1.base.aof': baseCommands.slice(0, -3), 'appendonly.aof.1.incr.aof': incrCommands },
      twoFiles,
    );
    await sameOutcome(dir, [], 'Fatal error: the truncated file is not the last file');
  });

  test('bad format, unknown commands, a file that is not an AOF', async () => {
    const cases: Array<[string, string]> = [
      [incrCommands + '$3\r\nSET\r\n', 'Bad file format reading the append only file appendonly.aof.1.incr.aof'],
      [incrCommands + '*1\r\nX\r\n', 'Bad file format reading the append only file appendonly.aof.1.incr.aof'],
      [incrCommands + '*0\r\n', 'Bad file format reading the append only file appendonly.aof.1.incr.aof'],
      ['hello world\n', 'Bad file format reading the append only file appendonly.aof.1.incr.aof'],
      [resp([['NOSUCHCMD', 'x']]), "Unknown command 'NOSUCHCMD' reading the append only file appendonly.aof.1.incr.aof"],
      [resp([['CONFIG', 'NOSUCHSUB']]), "Unknown command 'CONFIG' reading the append only file appendonly.aof.1.incr.aof"],
    ];
    for (const [incr, line] of cases) {
      const dir = aofDir({ 'appendonly.aof.1.base.aof': baseCommands, 'appendonly.aof.1.incr.aof': incr }, twoFiles);
      await sameOutcome(dir, [], line);
    }
  });

  test('annotations are skipped; empty incr files are fine', async () => {
    const incr = `#TS:1700000000\r\n${incrCommands}#anything\r\n`;
    const dir = aofDir(
      {
        'appendonly.aof.1.base.aof': baseCommands,
        'appendonly.aof.1.incr.aof': incr,
        'appendonly.aof.2.incr.aof': '',
      },
      twoFiles + 'file appendonly.aof.2.incr.aof seq 2 type i\n',
    );
    const t = await sameOutcome(dir, [], '');
    assert.ok(t.loaded);
  });
});

describe('manifests, next to Redis', () => {
  const base = { 'appendonly.aof.1.base.aof': baseCommands, 'appendonly.aof.1.incr.aof': incrCommands };
  const cases: Array<[string, string, string]> = [
    ['empty', '', 'Found an empty AOF manifest'],
    ['too few words', 'file appendonly.aof.1.base.aof seq 1\n', 'Invalid AOF manifest file format'],
    ['blank line', twoFiles + '\n', 'Invalid AOF manifest file format'],
    ['a path', 'file ../x.aof seq 1 type b\n', "File can't be a path, just a filename"],
    ['two bases', twoFiles + 'file appendonly.aof.1.base.aof seq 1 type b\n', 'Found duplicate base file information'],
    [
      'non-monotonic',
      twoFiles + 'file appendonly.aof.1.incr.aof seq 1 type i\n',
      'Found a non-monotonic sequence number',
    ],
    ['unknown type', 'file appendonly.aof.1.base.aof seq 1 type x\n', 'Unknown AOF file type'],
    ['no newline at the end', twoFiles.slice(0, -1), 'The AOF manifest file contains too long line'],
    ['too long', `file ${'a'.repeat(1100)} seq 1 type b\n`, 'The AOF manifest file contains too long line'],
    [
      'a missing file',
      twoFiles + 'file appendonly.aof.2.incr.aof seq 2 type i\n',
      'Unable to obtain the AOF file appendonly.aof.2.incr.aof length. stat: No such file or directory',
    ],
  ];
  for (const [name, manifest, line] of cases) {
    test(name, async () => {
      await sameOutcome(aofDir(base, manifest), [], line);
    });
  }

  test('comments, quoted names, extra words and upper-case keys load', async () => {
    const manifest =
      '# written by hand\n' +
      'FILE "my base.aof" SEQ 1 TYPE b future value\n' +
      'file appendonly.aof.0.incr.aof seq 3 type h\n' +
      'file appendonly.aof.1.incr.aof seq 1 type i\n';
    const dir = aofDir({ 'my base.aof': baseCommands, 'appendonly.aof.1.incr.aof': incrCommands }, manifest);
    const t = await sameOutcome(dir, [], '');
    assert.ok(t.loaded);
  });

  test('parseManifest: the line and its number go with the error', () => {
    assert.throws(
      () => parseManifest(Buffer.from('# c\nfile a seq 1 type b\nfile b seq 1 type b\n')),
      (e: unknown) =>
        e instanceof AofManifestError &&
        e.message === 'Found duplicate base file information' &&
        e.lineNumber === 3 &&
        e.line === 'file b seq 1 type b',
    );
    const m = parseManifest(Buffer.from('file "a b" seq 7 type b\nfile c seq 2 type h\nfile d seq 9 type i\n'));
    assert.equal(m.format(), 'file "a b" seq 7 type b\nfile c seq 2 type h\nfile d seq 9 type i\n');
    assert.equal(m.newBase('appendonly.aof', true), 'appendonly.aof.8.base.rdb');
    assert.equal(m.newIncr('appendonly.aof'), 'appendonly.aof.10.incr.aof');
    m.markIncrAsHistory(true);
    assert.equal(
      m.format(),
      'file appendonly.aof.8.base.rdb seq 8 type b\nfile d seq 9 type h\nfile "a b" seq 7 type h\n' +
        'file c seq 2 type h\nfile appendonly.aof.10.incr.aof seq 10 type i\n',
    );
  });
});

describe('no AOF yet', () => {
  test('appendonly yes ignores dump.rdb and starts from an empty dataset with a new base', async () => {
    const dir = newDir();
    const { server, call } = inProcessServer();
    for (const c of workload('rdb')) call(...c);
    saveRdbFileSync(server.snapshots, path.join(dir, 'dump.rdb'), server.persistence.rdbOptions(false));
    const t = await startTandemIn(dir);
    try {
      const c = await connect(t);
      assert.equal(text(await c.call('DBSIZE')), ':0\r\n');
      assert.match(t.output(), /Creating AOF base file appendonly\.aof\.1\.base\.rdb on server start/);
      assert.match(t.output(), /Creating AOF incr file appendonly\.aof\.1\.incr\.aof on server start/);
    } finally {
      await t.stop();
    }
  });

  test('an old single-file AOF (RDB preamble + commands) is moved into the AOF directory and loaded', async () => {
    const dir = newDir();
    const { server, call } = inProcessServer();
    const rdbFile = path.join(dir, 'preamble.rdb');
    for (const c of workload('old')) call(...c);
    saveRdbFileSync(server.snapshots, rdbFile, server.persistence.rdbOptions(true));
    const old = Buffer.concat([fs.readFileSync(rdbFile), Buffer.from(incrCommands, 'latin1')]);
    fs.rmSync(rdbFile);
    fs.writeFileSync(path.join(dir, 'appendonly.aof'), old);
    const t = await outcome('tandem', dir, []);
    if (haveRedis) assert.deepEqual(t, await outcome('redis', dir, []));
    assert.ok(t.loaded);
    const copy = copyDir(dir);
    const s = await startTandemIn(copy);
    try {
      assert.match(
        s.output(),
        /Successfully migrated an old-style AOF file \(appendonly\.aof\) into the AOF directory \(appendonlydir\)\./,
      );
      assert.match(s.output(), /Reading RDB preamble from AOF file\.\.\./);
      assert.equal(fs.existsSync(path.join(copy, 'appendonly.aof')), false);
      assert.equal(
        fs.readFileSync(path.join(copy, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1'),
        'file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
      );
    } finally {
      await s.stop();
    }
  });
});

describe('loading in slices', () => {
  test('a big AOF loads in slices: clients are answered meanwhile (-LOADING, INFO loading:1)', async () => {
    const value = 'x'.repeat(40);
    const chunks: string[] = [];
    for (let i = 0; i < 400_000; i++) chunks.push(encodeCommand(['SET', `key:${i}`, value]));
    const dir = aofDir({ 'appendonly.aof.1.base.aof': chunks.join(''), 'appendonly.aof.1.incr.aof': '' }, twoFiles);
    const port = await freePort();
    const child = spawn(process.execPath, [tandemBin, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
      '--appendonly', 'yes', '--save', ''], { stdio: 'ignore' });
    try {
      let conn: RawConnection | null = null;
      while (conn === null) {
        conn = await RawConnection.open(port).catch(() => null);
        if (conn === null) await new Promise((r) => setTimeout(r, 5));
      }
      let sawLoading = false;
      // Several answers while loading show the load yields between slices (times are not asserted: CI is shared).
      let loadingReplies = 0;
      for (;;) {
        const ping = text(await conn.call('PING'));
        if (ping === '+PONG\r\n') break;
        assert.equal(ping, '-LOADING Redis is loading the dataset in memory\r\n');
        loadingReplies++;
        const p = text(await conn.call('INFO', 'persistence'));
        if (p.includes('loading:1\r\n')) {
          sawLoading = true;
          assert.match(p, /loading_loaded_perc:\d+\.\d\d\r\n/);
        }
      }
      assert.ok(sawLoading, 'never saw the server loading');
      assert.ok(loadingReplies >= 3, `only ${loadingReplies} replies while loading`);
      assert.equal(text(await conn.call('DBSIZE')), ':400000\r\n');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('fuzz: damaged AOF files load or fail cleanly', () => {
  /** Deterministic PRNG (mulberry32), so a failure can be replayed. */
  function rng(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** What a clean refusal looks like: one of the loader's own messages. */
  const cleanFailure = new RegExp(
    'append only file|append log file|manifest|AOF file|RDB base file|truncated file|RDB preamble|' +
      "Can't open|Write error|sequence number|base file information|just a filename",
  );

  async function load(dir: string, truncatedOk: boolean): Promise<'loaded' | string> {
    const config = new Config({ cwd: dir });
    config.forceSet('appendonly', ['yes']);
    config.forceSet('aof-load-truncated', [truncatedOk ? 'yes' : 'no']);
    const server = new Server(config, { logSink: () => undefined });
    try {
      await server.aof.loadAtStartup();
      return 'loaded';
    } catch (e) {
      assert.ok(e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError), String(e));
      return e.message;
    } finally {
      await server.close();
    }
  }

  test('truncations and bit flips of RDB and AOF bases, incr files and manifests', async () => {
    const { server, call } = inProcessServer();
    for (const c of workload('fuzz')) call(...c);
    const rdbDir = newDir();
    saveRdbFileSync(server.snapshots, path.join(rdbDir, 'base.rdb'), server.persistence.rdbOptions(true));
    const rdbBase = fs.readFileSync(path.join(rdbDir, 'base.rdb'));
    const incr = resp(workload('incr').slice(0, 60));
    const layouts = [
      aofDir({ 'appendonly.aof.1.base.rdb': rdbBase, 'appendonly.aof.1.incr.aof': incr }, twoFiles.replace('base.aof', 'base.rdb')),
      aofDir({ 'appendonly.aof.1.base.aof': resp(workload('b')), 'appendonly.aof.1.incr.aof': incr }, twoFiles),
    ];
    const random = rng(4242);
    let loaded = 0;
    let failed = 0;
    for (let i = 0; i < 160; i++) {
      const dir = copyDir(layouts[i % 2]);
      const sub = path.join(dir, 'appendonlydir');
      const names = fs.readdirSync(sub);
      const target = path.join(sub, names[Math.floor(random() * names.length)]);
      const data = fs.readFileSync(target);
      if (random() < 0.5) {
        fs.writeFileSync(target, data.subarray(0, Math.floor(random() * data.length)));
      } else {
        const flips = 1 + Math.floor(random() * 3);
        for (let f = 0; f < flips; f++) data[Math.floor(random() * data.length)] ^= 1 << Math.floor(random() * 8);
        fs.writeFileSync(target, data);
      }
      const started = Date.now();
      const result = await load(dir, random() < 0.5);
      assert.ok(Date.now() - started < 10000, `load ${i} took too long`);
      if (result === 'loaded') loaded++;
      else {
        failed++;
        assert.match(result, cleanFailure, `case ${i} (${target})`);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(loaded > 0 && failed > 0, `loaded ${loaded}, failed ${failed}`);
  });
});
