// Persistence side by side: a fresh redis-server and a fresh tandem-server,
// each filled with DEBUG POPULATE N key 100, then
//   - BGSAVE, idle and under a writer: wall time, the round trips of a PING
//     probe on its own connection (its longest round trip is the longest stall
//     of the server's event loop seen from outside), RSS sampled every 10 ms
//     (for Redis with its forked child), Redis's fork time and copy-on-write size;
//   - SAVE, then the time a new process takes to load that RDB at startup.
// Redis forks for BGSAVE; Tandem walks its keyspace in slices with key-level
// copy-on-write (src/store/snapshot.ts), so its "child" is the same process.
//
// Run alone: node dist/bench/persistence.js [--keys N] [--quick] [--markdown]

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, tandemBin } from '../test/helpers/servers.js';
import { RawConnection } from '../test/helpers/resp.js';
import {
  call, formatCommands, formatFacts, formatTable, machineDescription, note, parseInfo, processRssBytes, ratio,
  serverKinds, shellQuote, sleep, startServer, type BenchServer, type ServerKind,
} from './common.js';
import { settledSample } from './memory.js';

export interface PersistenceOptions {
  keys: number;
}

export function persistenceOptionsFrom(values: { keys?: string; quick?: boolean }): PersistenceOptions {
  const keys = Number(values.keys ?? (values.quick ? 100_000 : 1_000_000));
  if (!(keys > 0)) throw new Error('--keys must be a positive number');
  return { keys };
}

export const valueSize = 100;
/** The probe runs this long before BGSAVE: the baseline its figures are compared with. */
const baselineMs = 1000;
export const sampleEveryMs = 10;
/** The writer sends SETs of existing keys in pipelines of this many... */
export const writerPipeline = 10;
/** ...and stops after this many SETs once BGSAVE has begun (or when BGSAVE ends). */
export const writerCommandsMax = 50_000;

/** What a phase may take at most, per million keys (never less than for one million). */
const timeLimitsMs = { populate: 300_000, save: 300_000, load: 300_000, command: 30_000 };
export const limitMs = (kind: keyof typeof timeLimitsMs, keys: number) => timeLimitsMs[kind] * Math.max(1, keys / 1e6);

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${(ms / 1000).toFixed(0)} s`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Stops of every process started and not yet stopped, also run on SIGINT/SIGTERM. */
export const cleanups = new Set<() => Promise<void>>();

export async function cleanUp(): Promise<void> {
  for (const stop of [...cleanups]) await stop().catch(() => undefined);
  cleanups.clear();
}

/**
 * One request at a time on its own connection, each answered by exactly
 * `reply`; records when each answer completed and its round trip.
 */
export class Lockstep {
  readonly ends: number[] = [];
  readonly rtts: number[] = [];
  /** Rounds after which it stops by itself. */
  limit = Infinity;
  private readonly socket: net.Socket;
  private readonly request: () => string;
  private readonly reply: string;
  private received = '';
  private sentAt = 0;
  private stopping = false;
  private settle!: (error: Error | null) => void;
  /** Settles after the last answer, or with the first failure. */
  readonly finished: Promise<void>;

  private constructor(socket: net.Socket, request: () => string, reply: string) {
    this.socket = socket;
    this.request = request;
    this.reply = reply;
    this.finished = new Promise<void>((resolve, reject) => {
      this.settle = (error) => (error === null ? resolve() : reject(error));
    });
    this.finished.catch(() => undefined);
    socket.setNoDelay(true);
    socket.on('data', (d) => this.onData(d));
    socket.on('error', (e) => this.settle(e));
    socket.on('close', () => this.settle(new Error('connection closed by the server')));
  }

  static open(port: number, request: () => string, reply: string): Promise<Lockstep> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve(new Lockstep(socket, request, reply));
      });
      socket.once('error', reject);
    });
  }

  start(): void {
    this.send();
  }

  /** Stops after the answer in flight; resolves when it came. */
  stop(): Promise<void> {
    this.stopping = true;
    return this.finished;
  }

  close(): void {
    this.stopping = true;
    this.settle(null);
    this.socket.destroy();
  }

  private send(): void {
    this.sentAt = performance.now();
    this.socket.write(this.request(), 'latin1');
  }

  private onData(d: Buffer): void {
    this.received += d.toString('latin1');
    if (this.received.length < this.reply.length) return;
    if (this.received !== this.reply) {
      this.settle(new Error(`unexpected reply ${JSON.stringify(this.received.slice(0, 200))}`));
      return;
    }
    const now = performance.now();
    this.received = '';
    this.ends.push(now);
    this.rtts.push(now - this.sentAt);
    if (this.stopping || this.ends.length >= this.limit) this.settle(null);
    else this.send();
  }

  /** Rounds whose answer came in (from, to]. */
  roundsIn(from: number, to: number): number[] {
    const rtts: number[] = [];
    for (let i = 0; i < this.ends.length; i++) if (this.ends[i]! > from && this.ends[i]! <= to) rtts.push(this.rtts[i]!);
    return rtts;
  }
}

export const pingRequest = () => '*1\r\n$4\r\nPING\r\n';

/** SETs of `writerPipeline` random existing keys (DEBUG POPULATE's key:0 .. key:N-1), values as long as theirs. */
export function setBatch(keys: number): () => string {
  const value = 'w'.repeat(valueSize);
  return () => {
    let batch = '';
    for (let i = 0; i < writerPipeline; i++) {
      const key = `key:${Math.floor(Math.random() * keys)}`;
      batch += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${valueSize}\r\n${value}\r\n`;
    }
    return batch;
  };
}

export interface Latency {
  rounds: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function latency(rtts: number[]): Latency {
  const sorted = Float64Array.from(rtts).sort();
  const at = (q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
  return { rounds: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
}

// ---- RSS of the server and of its children ------------------------------------

const hasChildrenFiles = fs.existsSync(`/proc/self/task/${process.pid}/children`);

/** Processes whose parent is `pid`: /proc/<pid>/task/<tid>/children, or a scan of /proc where the kernel lacks those files. */
function childPids(pid: number): number[] {
  const pids: number[] = [];
  try {
    if (hasChildrenFiles) {
      for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
        for (const child of fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'latin1').split(' ')) {
          if (child !== '') pids.push(Number(child));
        }
      }
      return pids;
    }
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'latin1');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) pids.push(Number(entry));
      } catch {
        // Gone while we looked.
      }
    }
  } catch {
    // The server itself is gone: the caller finds out.
  }
  return pids;
}

/** Private_Clean + Private_Dirty: pages no other process maps (for a forked child, its copy-on-write copies). */
function privateBytes(pid: number): number {
  const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
  let kb = 0;
  for (const m of rollup.matchAll(/^Private_(?:Clean|Dirty):\s+(\d+) kB$/gm)) kb += Number(m[1]);
  return kb * 1024;
}

interface RssSample {
  at: number;
  rss: number;
  /** Children's VmRSS, shared pages included. */
  childRss: number;
  /** Children's private pages. */
  childPrivate: number;
}

/** The server's VmRSS every `sampleEveryMs`, with its children's once `watchChildren` is set. */
export class RssSampler {
  readonly samples: RssSample[] = [];
  watchChildren = false;
  /** When a child was first and last seen alive (a zombie has no VmRSS). */
  childFirstSeen = NaN;
  childLastSeen = NaN;
  /** Why sampling stopped early. */
  error: Error | null = null;
  private readonly pid: number;
  private readonly timer: NodeJS.Timeout;

  constructor(pid: number) {
    this.pid = pid;
    this.timer = setInterval(() => this.sample(), sampleEveryMs);
    this.sample();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const at = performance.now();
    let rss: number;
    try {
      rss = processRssBytes(this.pid);
    } catch (e) {
      this.error ??= new Error(`server pid ${this.pid} gone while sampling its RSS: ${(e as Error).message}`);
      this.stop();
      return;
    }
    let childRss = 0;
    let childPrivate = 0;
    if (this.watchChildren) {
      for (const child of childPids(this.pid)) {
        try {
          childRss += processRssBytes(child);
          childPrivate += privateBytes(child);
          if (Number.isNaN(this.childFirstSeen)) this.childFirstSeen = at;
          this.childLastSeen = at;
        } catch {
          // Exited (a zombie until reaped) between the listing and the read.
        }
      }
    }
    this.samples.push({ at, rss, childRss, childPrivate });
  }

  /** Samples taken in [from, to]. */
  between(from: number, to: number): RssSample[] {
    return this.samples.filter((s) => s.at >= from && s.at <= to);
  }
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[s.length >> 1]!;
};

// ---- BGSAVE ----------------------------------------------------------------------

interface BgsaveResult {
  /** From the BGSAVE reply until INFO said rdb_bgsave_in_progress:0. */
  wallMs: number;
  /** Redis: from the BGSAVE reply until its child was last seen alive. */
  childMs: number;
  forkUsec: number;
  cowSize: number;
  baseline: Latency;
  during: Latency;
  steadyRss: number;
  peakRss: number;
  /** Largest server + children VmRSS (shared pages counted twice). */
  peakWithChildRss: number;
  /** Largest server VmRSS + children's private pages: the memory really in use. */
  peakWithChildPrivate: number;
  writesPerSecBefore: number;
  writesPerSecDuring: number;
}

async function bgsave(server: BenchServer, control: RawConnection, keys: number, withWriter: boolean): Promise<BgsaveResult> {
  const command = async (...args: string[]) =>
    (await withTimeout(control.call(...args), timeLimitsMs.command, `${server.kind}: ${args.join(' ')}`)).toString('latin1');
  const probe = await Lockstep.open(server.port, pingRequest, '+PONG\r\n');
  const writer = withWriter ? await Lockstep.open(server.port, setBatch(keys), '+OK\r\n'.repeat(writerPipeline)) : null;
  const sampler = new RssSampler(server.pid);
  try {
    const start = performance.now();
    probe.start();
    writer?.start();
    await sleep(baselineMs);
    const sent = performance.now();
    const writesBefore = writer?.ends.length ?? 0;
    if (writer) writer.limit = writesBefore + writerCommandsMax / writerPipeline;
    sampler.watchChildren = server.kind === 'redis';
    const reply = await command('BGSAVE');
    const started = performance.now();
    if (!reply.startsWith('+Background saving started')) throw new Error(`${server.kind}: BGSAVE replied ${reply.trim()}`);
    const deadline = started + limitMs('save', keys);
    let persistence: Map<string, string>;
    for (;;) {
      persistence = parseInfo(await command('INFO', 'persistence'));
      if (persistence.get('rdb_bgsave_in_progress') === '0') break;
      if (performance.now() > deadline) throw new Error(`${server.kind}: BGSAVE still running after ${(deadline - started) / 1000} s`);
      await sleep(sampleEveryMs);
    }
    const ended = performance.now();
    sampler.stop();
    if (sampler.error) throw sampler.error;
    if (persistence.get('rdb_last_bgsave_status') !== 'ok') {
      throw new Error(`${server.kind}: rdb_last_bgsave_status:${persistence.get('rdb_last_bgsave_status')}`);
    }
    await withTimeout(Promise.all([probe.stop(), writer?.stop()]), timeLimitsMs.command, `${server.kind}: probe/writer`);
    const stats = parseInfo(await command('INFO', 'stats'));
    const before = sampler.between(start, sent);
    const during = sampler.between(sent, ended);
    const writesPerSec = (rounds: number, ms: number) => (rounds * writerPipeline * 1000) / ms;
    const writerEnded = writer ? Math.min(ended, writer.ends[writer.ends.length - 1]!) : ended;
    return {
      wallMs: ended - started,
      childMs: sampler.childLastSeen - started,
      forkUsec: Number(stats.get('latest_fork_usec')),
      cowSize: Number(persistence.get('rdb_last_cow_size')),
      baseline: latency(probe.roundsIn(start, sent)),
      during: latency(probe.roundsIn(sent, ended)),
      steadyRss: median(before.map((s) => s.rss)),
      peakRss: Math.max(...during.map((s) => s.rss)),
      peakWithChildRss: Math.max(...during.map((s) => s.rss + s.childRss)),
      peakWithChildPrivate: Math.max(...during.map((s) => s.rss + s.childPrivate)),
      writesPerSecBefore: writer ? writesPerSec(writesBefore, sent - start) : NaN,
      writesPerSecDuring: writer ? writesPerSec(writer.roundsIn(sent, writerEnded).length, writerEnded - sent) : NaN,
    };
  } finally {
    sampler.stop();
    probe.close();
    writer?.close();
  }
}

// ---- SAVE and the load at startup ----------------------------------------------

interface StartedProcess {
  port: number;
  pid: number;
  commandLine: string;
  /** From spawn until "Ready to accept connections" appeared on its output. */
  readyMs: number;
  output(): string;
  stop(): Promise<void>;
}

/** Starts a server on `dir` as the test helpers do, and times it until it is ready. */
async function startTimed(kind: ServerKind, dir: string, timeoutMs: number): Promise<StartedProcess> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  const argv = kind === 'redis' ? ['redis-server', ...args] : [process.execPath, tandemBin, ...args];
  const spawned = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    cleanups.delete(stop);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  cleanups.add(stop);
  let out = '';
  const ready = new Promise<number>((resolve, reject) => {
    const onData = (d: string) => {
      out += d;
      if (out.includes('Ready to accept connections')) resolve(performance.now() - spawned);
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.stderr!.setEncoding('utf8').on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`${argv[0]} exited (${code ?? signal}) before it was ready:\n${out}`)));
    child.once('error', reject);
  });
  try {
    const readyMs = await withTimeout(ready, timeoutMs, `${kind} start on ${dir}`);
    return { port, pid: child.pid!, commandLine: argv.map(shellQuote).join(' '), readyMs, output: () => out, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

interface LoadResult {
  saveMs: number;
  rdbBytes: number;
  /** Spawn to ready with no dump: the fixed cost of starting. */
  emptyStartMs: number;
  readyMs: number;
  /** "DB loaded from disk: X seconds" in the server's log, in ms. */
  loggedMs: number;
  rssAfterLoad: number;
  commands: string[];
}

/** SAVE, stop the server, start a new one on the dump; `server` is stopped on return. */
async function saveAndLoad(server: BenchServer, control: RawConnection, keys: number): Promise<LoadResult> {
  const t = performance.now();
  const reply = (await withTimeout(control.call('SAVE'), limitMs('save', keys), `${server.kind}: SAVE`)).toString('latin1');
  const saveMs = performance.now() - t;
  if (reply !== '+OK\r\n') throw new Error(`${server.kind}: SAVE replied ${reply.trim()}`);
  const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-empty-${server.kind}-`));
  const loadDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-load-${server.kind}-`));
  try {
    const dump = path.join(loadDir, 'dump.rdb');
    fs.renameSync(path.join(server.dir, 'dump.rdb'), dump);
    const rdbBytes = fs.statSync(dump).size;
    await server.stop();
    const empty = await startTimed(server.kind, emptyDir, timeLimitsMs.command);
    await empty.stop();
    note(`${server.kind}: loading ${rdbBytes} bytes of RDB at startup`);
    const loaded = await startTimed(server.kind, loadDir, limitMs('load', keys));
    try {
      const logged = /DB loaded from disk: ([\d.]+) seconds/.exec(loaded.output());
      const dbsize = Number((await withTimeout(call(loaded.port, 'DBSIZE'), timeLimitsMs.command, `${server.kind}: DBSIZE`)).slice(1));
      if (dbsize !== keys) throw new Error(`${server.kind}: DBSIZE is ${dbsize} after loading a dump of ${keys} keys`);
      return {
        saveMs,
        rdbBytes,
        emptyStartMs: empty.readyMs,
        readyMs: loaded.readyMs,
        loggedMs: logged ? Number(logged[1]) * 1000 : NaN,
        rssAfterLoad: processRssBytes(loaded.pid),
        commands: [`redis-cli -p ${server.port} SAVE`, loaded.commandLine],
      };
    } finally {
      await loaded.stop();
    }
  } finally {
    fs.rmSync(emptyDir, { recursive: true, force: true });
    fs.rmSync(loadDir, { recursive: true, force: true });
  }
}

// ---- the whole run -------------------------------------------------------------

interface ServerResult {
  kind: ServerKind;
  idle: BgsaveResult;
  writing: BgsaveResult;
  load: LoadResult;
  commands: string[];
}

async function measureOne(kind: ServerKind, opts: PersistenceOptions): Promise<ServerResult> {
  const server = await startServer(kind, ['--enable-debug-command', 'yes']);
  cleanups.add(server.stop);
  let control: RawConnection | null = null;
  try {
    control = await RawConnection.open(server.port);
    const populate = ['DEBUG', 'POPULATE', String(opts.keys), 'key', String(valueSize)];
    note(`${kind}: ${populate.join(' ')}`);
    await withTimeout(control.call(...populate), limitMs('populate', opts.keys), `${kind}: DEBUG POPULATE`);
    await settledSample(server);
    note(`${kind}: BGSAVE, idle`);
    const idle = await bgsave(server, control, opts.keys, false);
    note(`${kind}: BGSAVE under SETs`);
    const writing = await bgsave(server, control, opts.keys, true);
    note(`${kind}: SAVE and load`);
    const load = await saveAndLoad(server, control, opts.keys);
    return {
      kind, idle, writing, load,
      commands: [server.commandLine, `redis-cli -p ${server.port} ${populate.join(' ')}`, `redis-cli -p ${server.port} BGSAVE`, ...load.commands],
    };
  } finally {
    control?.close();
    await server.stop();
    cleanups.delete(server.stop);
  }
}

/** Results of a run over the server kinds, one kind at a time. */
export interface KindsReport<R> {
  results: R[];
  failures: string[];
  loadAverage: { before: number[]; after: number[] };
}

export type PersistenceReport = KindsReport<ServerResult>;

/**
 * Measures each kind in turn (each gets the machine to itself), recording a
 * failure rather than stopping; every process in `cleanups` is stopped on
 * return and on SIGINT/SIGTERM.
 */
export async function measureKinds<R>(kinds: readonly ServerKind[], measure: (kind: ServerKind) => Promise<R>): Promise<KindsReport<R>> {
  const onSignal = (signal: NodeJS.Signals) => {
    void cleanUp().finally(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const report: KindsReport<R> = { results: [], failures: [], loadAverage: { before: os.loadavg(), after: [] } };
  try {
    for (const kind of kinds) {
      try {
        report.results.push(await measure(kind));
      } catch (e) {
        report.failures.push(`${kind}: ${(e as Error).message.trim()}`);
      }
    }
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  report.loadAverage.after = os.loadavg();
  return report;
}

export function measurePersistence(opts: PersistenceOptions): Promise<PersistenceReport> {
  return measureKinds(serverKinds, (kind) => measureOne(kind, opts));
}

/** A table row maker: `label`, then `pick` of each kind's result formatted, then tandem/redis unless `compare` is false. */
export function comparisonRows<R extends { kind: ServerKind }>(results: readonly R[]) {
  const byKind = new Map(results.map((r) => [r.kind, r]));
  return (label: string, pick: (r: R) => number | undefined, format: (x: number | undefined) => string, compare = true): string[] => {
    const get = (kind: ServerKind) => {
      const r = byKind.get(kind);
      return r && pick(r);
    };
    const redis = get('redis');
    const tandem = get('tandem');
    return [label, format(redis), format(tandem), compare ? ratio(tandem, redis) : ''];
  };
}

/** A report section: title, the load average and `facts`, the comparison table, failures, the commands run. */
export function formatKindsReport<R extends { commands: string[] }>(
  report: KindsReport<R>, title: string, facts: string[], rows: string[][], markdown: boolean,
): string {
  const load = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
  return [
    markdown ? `**${title}**` : title,
    '',
    formatFacts([`load average (1/5/15 min): ${load(report.loadAverage.before)} before, ${load(report.loadAverage.after)} after`, ...facts], markdown),
    '',
    formatTable(['metric', 'redis', 'tandem', 'tandem/redis'], rows, markdown),
    ...(report.failures.length > 0 ? ['', 'failures:', ...report.failures.map((f) => `  ${f}`)] : []),
    '',
    formatCommands([benchCommandLine(), ...report.results.flatMap((r) => r.commands)], markdown),
  ].join('\n');
}

export const ms = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'n/a' : x >= 100 ? x.toFixed(0) : x.toFixed(2));
export const mb = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'n/a' : (x / 2 ** 20).toFixed(1));
export const count = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'n/a' : Math.round(x).toLocaleString('en-US'));

export function formatPersistence(report: PersistenceReport, opts: PersistenceOptions, markdown: boolean): string {
  const row = comparisonRows(report.results);
  const bgsaveRows = (name: string, pick: (r: ServerResult) => BgsaveResult, writes: boolean) => [
    row(`${name}: wall ms (reply → rdb_bgsave_in_progress:0)`, (r) => pick(r).wallMs, ms),
    row(`${name}: child alive ms (Redis's forked child)`, (r) => pick(r).childMs, ms, false),
    row(`${name}: INFO latest_fork_usec`, (r) => pick(r).forkUsec, count, false),
    row(`${name}: PING rounds, 1 s before`, (r) => pick(r).baseline.rounds, count, false),
    row(`${name}: PING rounds, during`, (r) => pick(r).during.rounds, count, false),
    row(`${name}: PING p50 ms, 1 s before`, (r) => pick(r).baseline.p50Ms, ms),
    row(`${name}: PING p50 ms, during`, (r) => pick(r).during.p50Ms, ms),
    row(`${name}: PING p99 ms, 1 s before`, (r) => pick(r).baseline.p99Ms, ms),
    row(`${name}: PING p99 ms, during`, (r) => pick(r).during.p99Ms, ms),
    row(`${name}: PING max ms, 1 s before`, (r) => pick(r).baseline.maxMs, ms),
    row(`${name}: PING max ms (longest stall), during`, (r) => pick(r).during.maxMs, ms),
    ...(writes
      ? [
          row(`${name}: SET/s, 1 s before`, (r) => pick(r).writesPerSecBefore, count),
          row(`${name}: SET/s, during (≤ ${count(writerCommandsMax)} SETs)`, (r) => pick(r).writesPerSecDuring, count),
        ]
      : []),
    row(`${name}: RSS MiB, steady (median of the 1 s before)`, (r) => pick(r).steadyRss, mb),
    row(`${name}: RSS MiB, peak of the server process`, (r) => pick(r).peakRss, mb),
    row(`${name}: peak - steady MiB, server + child private`, (r) => pick(r).peakWithChildPrivate - pick(r).steadyRss, mb),
    row(`${name}: peak - steady MiB, server + child VmRSS`, (r) => pick(r).peakWithChildRss - pick(r).steadyRss, mb),
    row(`${name}: INFO rdb_last_cow_size`, (r) => pick(r).cowSize, count, false),
  ];
  const rows = [
    ...bgsaveRows('BGSAVE idle', (r) => r.idle, false),
    ...bgsaveRows('BGSAVE + SETs', (r) => r.writing, true),
    row('SAVE ms', (r) => r.load.saveMs, ms),
    row('RDB file bytes', (r) => r.load.rdbBytes, count),
    row('start without a dump: spawn → ready ms', (r) => r.load.emptyStartMs, ms),
    row('load at startup: spawn → ready ms', (r) => r.load.readyMs, ms),
    row('load at startup: "DB loaded from disk" ms', (r) => r.load.loggedMs, ms),
    row('RSS MiB after the load', (r) => r.load.rssAfterLoad, mb),
  ];
  const title = `Persistence: DEBUG POPULATE ${opts.keys} key ${valueSize}, then BGSAVE (idle, then under SETs), SAVE, load at startup`;
  const facts = [
    `probe: PING one at a time on its own connection; RSS and INFO persistence every ${sampleEveryMs} ms`,
    `SETs: random existing keys, ${valueSize}-byte values, pipelines of ${writerPipeline}, from 1 s before BGSAVE until it ends or ${count(writerCommandsMax)} SETs`,
    "Redis reaps its child in serverCron (hz 10), so its wall time includes up to 100 ms after the child's exit",
    "child private = Private_Clean + Private_Dirty of Redis's child (its copy-on-write copies); VmRSS counts shared pages twice",
    "Tandem has no child: its rdb_last_cow_size counts keys copied before a write, Redis's is bytes",
  ];
  return formatKindsReport(report, title, facts, rows, markdown);
}

/** How this run was started, as typed from the repository root. */
export function benchCommandLine(): string {
  const script = path.relative(process.cwd(), process.argv[1] ?? '');
  return ['node', script, ...process.argv.slice(2)].map(shellQuote).join(' ');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { keys: { type: 'string' }, quick: { type: 'boolean' }, markdown: { type: 'boolean' } },
  });
  const opts = persistenceOptionsFrom(values);
  const markdown = values.markdown ?? false;
  const machine = await machineDescription();
  const report = await measurePersistence(opts);
  process.stdout.write([formatFacts(machine, markdown), '', formatPersistence(report, opts, markdown), ''].join('\n'));
  if (report.failures.length > 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
