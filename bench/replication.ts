// Replication side by side: for redis-server and for tandem-server, a master
// filled with DEBUG POPULATE N key 100, then a fresh empty replica of the same
// kind told REPLICAOF it, once with a disk-based and once with a diskless full
// sync. During each sync: the time until the replica is up and at the master's
// offset, a PING probe on the master (its longest round trip is its longest
// stall), a bounded writer on the master, and the RSS of both processes (for
// Redis with its forked children). Then, with the replica attached,
// redis-benchmark writes to the master and the replica's lag is sampled.
//
// Run alone: node dist/bench/replication.js [--keys N] [--quick] [--only redis|tandem] [--markdown]

import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { RawConnection } from '../test/helpers/resp.js';
import {
  formatFacts, formatInt, machineDescription, note, parseInfo, run, serverKinds, shellQuote, sleep, startServer,
  type BenchServer, type ServerKind,
} from './common.js';
import { settledSample } from './memory.js';
import {
  cleanups, comparisonRows, count, formatKindsReport, latency, limitMs, Lockstep, mb, measureKinds, median, ms,
  pingRequest, RssSampler, sampleEveryMs, setBatch, valueSize, withTimeout, writerCommandsMax, writerPipeline,
  type KindsReport, type Latency,
} from './persistence.js';

export interface ReplicationOptions {
  keys: number;
  kinds: readonly ServerKind[];
  /** redis-benchmark -n for the lag measurement. */
  requests: number;
}

export function replicationOptionsFrom(values: { keys?: string; quick?: boolean; only?: string }): ReplicationOptions {
  const keys = Number(values.keys ?? (values.quick ? 100_000 : 1_000_000));
  if (!(keys > 0)) throw new Error('--keys must be a positive number');
  const kinds = values.only === undefined ? serverKinds : serverKinds.filter((k) => k === values.only);
  if (kinds.length === 0) throw new Error(`--only must be one of ${serverKinds.join(', ')}`);
  return { keys, kinds, requests: values.quick ? 50_000 : 200_000 };
}

const modes = ['disk', 'diskless'] as const;
type Mode = (typeof modes)[number];

/** The probe and the writer run this long before REPLICAOF: the baseline. */
const baselineMs = 1000;
/** A replica that has not begun its transfer (master_sync_in_progress:1 or link up) by then is stuck. */
const progressLimitMs = 15_000;
const commandLimitMs = 30_000;
/** Load for the lag measurement: many small writes, pipelined. */
const lagTests = 'set,incr,lpush';
const lagClients = 50;
const lagPipeline = 16;
const benchmarkLimitMs = 300_000;

/** One command on a control connection, bounded in time; an error reply throws. */
async function command(conn: RawConnection, what: string, ...args: string[]): Promise<string> {
  const reply = (await withTimeout(conn.call(...args), commandLimitMs, `${what}: ${args.join(' ')}`)).toString('latin1');
  if (reply.startsWith('-')) throw new Error(`${what}: ${args.join(' ')} replied ${reply.trim()}`);
  return reply;
}

const infoOf = async (conn: RawConnection, what: string) => parseInfo(await command(conn, what, 'INFO', 'replication'));

// ---- one full sync ---------------------------------------------------------------

interface SyncResult {
  /** REPLICAOF → master_link_status:up and master_sync_in_progress:0. */
  linkUpMs: number;
  /** REPLICAOF → the replica's slave_repl_offset equals the master's master_repl_offset (the writer stops at link up). */
  caughtUpMs: number;
  baseline: Latency;
  during: Latency;
  writesPerSecBefore: number;
  writesPerSecDuring: number;
  masterSteadyRss: number;
  /** Master VmRSS + its children's private pages (Redis's fork), at most. */
  masterPeakRss: number;
  /** Replica VmRSS (+ children's private pages), at most. */
  replicaPeakRss: number;
  replicaRssAfter: number;
}

/** Starts an empty replica and times its full sync from `master`; the replica is returned still attached. */
async function fullSync(master: BenchServer, control: RawConnection, mode: Mode, keys: number, commands: string[]):
  Promise<{ result: SyncResult; replica: BenchServer; replicaConn: RawConnection }> {
  const kind = master.kind;
  const setMode = ['CONFIG', 'SET', 'repl-diskless-sync', mode === 'diskless' ? 'yes' : 'no'];
  await command(control, 'master', ...setMode);
  const replica = await startServer(kind);
  cleanups.add(replica.stop);
  const replicaConn = await RawConnection.open(replica.port);
  const replicaof = ['REPLICAOF', '127.0.0.1', String(master.port)];
  commands.push(`redis-cli -p ${master.port} ${setMode.join(' ')}`, replica.commandLine, `redis-cli -p ${replica.port} ${replicaof.join(' ')}`);
  const probe = await Lockstep.open(master.port, pingRequest, '+PONG\r\n');
  const writer = await Lockstep.open(master.port, setBatch(keys), '+OK\r\n'.repeat(writerPipeline));
  const masterRss = new RssSampler(master.pid);
  const replicaRss = new RssSampler(replica.pid);
  masterRss.watchChildren = replicaRss.watchChildren = kind === 'redis';
  try {
    const start = performance.now();
    probe.start();
    writer.start();
    await sleep(baselineMs);
    const writesBefore = writer.ends.length;
    writer.limit = writesBefore + writerCommandsMax / writerPipeline;
    const sent = performance.now();
    await command(replicaConn, 'replica', ...replicaof);
    const deadline = sent + limitMs('load', keys);
    let linkUp = NaN;
    let caughtUp = NaN;
    let started = false;
    while (Number.isNaN(caughtUp)) {
      const now = performance.now();
      const replicaInfo = await infoOf(replicaConn, 'replica');
      const up = replicaInfo.get('master_link_status') === 'up' && replicaInfo.get('master_sync_in_progress') === '0';
      if (up && Number.isNaN(linkUp)) {
        linkUp = now;
        await withTimeout(writer.stop(), commandLimitMs, 'writer');
      }
      started ||= up || replicaInfo.get('master_sync_in_progress') === '1';
      if (up) {
        const masterOffset = (await infoOf(control, 'master')).get('master_repl_offset');
        if (replicaInfo.get('slave_repl_offset') === masterOffset) caughtUp = now;
      }
      if (!started && now - sent > progressLimitMs) {
        const fields = ['master_link_status', 'master_sync_in_progress'].map((f) => `${f}:${replicaInfo.get(f)}`);
        throw new Error(`replica has not begun its sync ${progressLimitMs / 1000} s after REPLICAOF (${fields.join(' ')})`);
      }
      if (now > deadline) throw new Error(`replica not in sync ${((now - sent) / 1000).toFixed(0)} s after REPLICAOF`);
      if (Number.isNaN(caughtUp)) await sleep(sampleEveryMs);
    }
    masterRss.stop();
    replicaRss.stop();
    if (masterRss.error) throw masterRss.error;
    if (replicaRss.error) throw replicaRss.error;
    await withTimeout(probe.stop(), commandLimitMs, 'probe');
    const [masterKeys, replicaKeys] = [await command(control, 'master', 'DBSIZE'), await command(replicaConn, 'replica', 'DBSIZE')];
    if (masterKeys !== replicaKeys) throw new Error(`DBSIZE ${masterKeys.trim()} on the master, ${replicaKeys.trim()} on the replica`);
    const writerEnded = Math.min(caughtUp, writer.ends[writer.ends.length - 1]!);
    const writesPerSec = (rounds: number, spanMs: number) => (rounds * writerPipeline * 1000) / spanMs;
    const peak = (sampler: RssSampler) => Math.max(...sampler.between(sent, caughtUp).map((s) => s.rss + s.childPrivate));
    return {
      replica,
      replicaConn,
      result: {
        linkUpMs: linkUp - sent,
        caughtUpMs: caughtUp - sent,
        baseline: latency(probe.roundsIn(start, sent)),
        during: latency(probe.roundsIn(sent, caughtUp)),
        writesPerSecBefore: writesPerSec(writesBefore, sent - start),
        writesPerSecDuring: writesPerSec(writer.roundsIn(sent, writerEnded).length, writerEnded - sent),
        masterSteadyRss: median(masterRss.between(start, sent).map((s) => s.rss)),
        masterPeakRss: peak(masterRss),
        replicaPeakRss: peak(replicaRss),
        replicaRssAfter: replicaRss.samples[replicaRss.samples.length - 1]!.rss,
      },
    };
  } catch (e) {
    replicaConn.close();
    await replica.stop();
    cleanups.delete(replica.stop);
    throw e;
  } finally {
    masterRss.stop();
    replicaRss.stop();
    probe.close();
    writer.close();
  }
}

// ---- replica lag under redis-benchmark ---------------------------------------------

interface LagResult {
  /** Test name → requests per second on the master, a replica attached. */
  rps: Map<string, number>;
  /** master_repl_offset - slave_repl_offset, sampled every `sampleEveryMs` while redis-benchmark ran. */
  lagBytes: { p50: number; p99: number; max: number };
  /** Largest lag= of the master's slave0 line (seconds since the replica's last ACK). */
  maxAckLagSec: number;
  /** From redis-benchmark's exit until the replica's offset equals the master's. */
  catchUpMs: number;
  command: string;
}

async function lagUnderLoad(master: BenchServer, control: RawConnection, replicaConn: RawConnection, requests: number): Promise<LagResult> {
  const args = ['-h', '127.0.0.1', '-p', String(master.port), '-t', lagTests, '-n', String(requests), '-c', String(lagClients),
    '-P', String(lagPipeline), '-d', String(valueSize), '--csv', '-q'];
  const offsets = async () => {
    const [m, r] = await Promise.all([infoOf(control, 'master'), infoOf(replicaConn, 'replica')]);
    const ackLag = /lag=(\d+)/.exec(m.get('slave0') ?? '');
    return { master: Number(m.get('master_repl_offset')), replica: Number(r.get('slave_repl_offset')), ackLag: Number(ackLag?.[1]) };
  };
  let done = false;
  const benchmark = run('redis-benchmark', args, { timeout: benchmarkLimitMs })
    .finally(() => (done = true));
  const lags: number[] = [];
  let maxAckLagSec = 0;
  while (!done) {
    const o = await offsets();
    lags.push(o.master - o.replica);
    maxAckLagSec = Math.max(maxAckLagSec, o.ackLag);
    await sleep(sampleEveryMs);
  }
  const { stdout } = await benchmark;
  const ended = performance.now();
  for (;;) {
    const o = await offsets();
    if (o.master === o.replica) break;
    if (performance.now() - ended > commandLimitMs) throw new Error(`replica still ${o.master - o.replica} bytes behind ${commandLimitMs / 1000} s after the load`);
    await sleep(sampleEveryMs);
  }
  const catchUpMs = performance.now() - ended;
  const rps = new Map<string, number>();
  for (const line of stdout.split('\n').slice(1)) {
    const fields = line.split('","').map((f) => f.replace(/^"|"$/g, ''));
    if (fields.length >= 2) rps.set(fields[0]!, Number(fields[1]));
  }
  const spread = latency(lags); // The same percentiles, of bytes.
  return {
    rps, lagBytes: { p50: spread.p50Ms, p99: spread.p99Ms, max: spread.maxMs }, maxAckLagSec, catchUpMs,
    command: ['redis-benchmark', ...args].map(shellQuote).join(' '),
  };
}

// ---- the whole run -----------------------------------------------------------------

interface ServerResult {
  kind: ServerKind;
  sync: Map<Mode, SyncResult>;
  lag: LagResult;
  commands: string[];
}

/** Why this server cannot replicate, or null. */
async function replicationMissing(control: RawConnection): Promise<string | null> {
  const missing: string[] = [];
  for (const name of ['REPLICAOF', 'PSYNC']) {
    if ((await command(control, 'COMMAND INFO', 'COMMAND', 'INFO', name)) === '*1\r\n*-1\r\n') missing.push(name);
  }
  return missing.length === 0 ? null : `replication is not available (no ${missing.join(', ')})`;
}

async function measureOne(kind: ServerKind, opts: ReplicationOptions): Promise<ServerResult> {
  // No waiting for more replicas before a diskless sync (Redis's default waits 5 s).
  const master = await startServer(kind, ['--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0']);
  cleanups.add(master.stop);
  const commands = [master.commandLine];
  const control = await RawConnection.open(master.port);
  let attached: { replica: BenchServer; replicaConn: RawConnection } | null = null;
  const detach = async () => {
    if (attached === null) return;
    attached.replicaConn.close();
    await attached.replica.stop();
    cleanups.delete(attached.replica.stop);
    attached = null;
  };
  try {
    const missing = await replicationMissing(control);
    if (missing !== null) throw new Error(missing);
    const populate = ['DEBUG', 'POPULATE', String(opts.keys), 'key', String(valueSize)];
    note(`${kind}: ${populate.join(' ')}`);
    commands.push(`redis-cli -p ${master.port} ${populate.join(' ')}`);
    await withTimeout(control.call(...populate), limitMs('populate', opts.keys), 'DEBUG POPULATE');
    const sync = new Map<Mode, SyncResult>();
    for (const mode of modes) {
      // The master feeds only the replica being measured; the last one stays for the lag measurement.
      await detach();
      await settledSample(master);
      note(`${kind}: ${mode} full sync to a new replica`);
      const synced = await fullSync(master, control, mode, opts.keys, commands);
      sync.set(mode, synced.result);
      attached = synced;
    }
    note(`${kind}: redis-benchmark on the master, replica attached`);
    const lag = await lagUnderLoad(master, control, attached!.replicaConn, opts.requests);
    commands.push(lag.command);
    return { kind, sync, lag, commands };
  } finally {
    control.close();
    await detach();
    await master.stop();
    cleanups.delete(master.stop);
  }
}

export type ReplicationReport = KindsReport<ServerResult>;

export function measureReplication(opts: ReplicationOptions): Promise<ReplicationReport> {
  return measureKinds(opts.kinds, (kind) => measureOne(kind, opts));
}

export function formatReplication(report: ReplicationReport, opts: ReplicationOptions, markdown: boolean): string {
  const row = comparisonRows(report.results);
  const syncRows = (mode: Mode) => {
    const pick = (f: (s: SyncResult) => number) => (r: ServerResult) => f(r.sync.get(mode)!);
    return [
      row(`${mode}: REPLICAOF → link up, ms`, pick((s) => s.linkUpMs), ms),
      row(`${mode}: REPLICAOF → offsets equal, ms`, pick((s) => s.caughtUpMs), ms),
      row(`${mode}: master PING rounds, during`, pick((s) => s.during.rounds), count, false),
      row(`${mode}: master PING p50 ms, 1 s before`, pick((s) => s.baseline.p50Ms), ms),
      row(`${mode}: master PING p50 ms, during`, pick((s) => s.during.p50Ms), ms),
      row(`${mode}: master PING p99 ms, during`, pick((s) => s.during.p99Ms), ms),
      row(`${mode}: master PING max ms (longest stall), during`, pick((s) => s.during.maxMs), ms),
      row(`${mode}: master SET/s, 1 s before`, pick((s) => s.writesPerSecBefore), count),
      row(`${mode}: master SET/s, during (≤ ${count(writerCommandsMax)} SETs, until link up)`, pick((s) => s.writesPerSecDuring), count),
      row(`${mode}: master RSS MiB, steady`, pick((s) => s.masterSteadyRss), mb),
      row(`${mode}: master RSS MiB, peak (+ child private)`, pick((s) => s.masterPeakRss), mb),
      row(`${mode}: replica RSS MiB, peak (+ child private)`, pick((s) => s.replicaPeakRss), mb),
      row(`${mode}: replica RSS MiB, in sync`, pick((s) => s.replicaRssAfter), mb),
    ];
  };
  const testNames = [...new Set(report.results.flatMap((r) => [...r.lag.rps.keys()]))];
  const rows = [
    ...modes.flatMap(syncRows),
    ...testNames.map((t) => row(`load: ${t} rps on the master`, (r) => r.lag.rps.get(t), formatInt)),
    row('load: replica lag bytes, p50', (r) => r.lag.lagBytes.p50, count),
    row('load: replica lag bytes, p99', (r) => r.lag.lagBytes.p99, count),
    row('load: replica lag bytes, max', (r) => r.lag.lagBytes.max, count),
    row('load: slave0 lag= seconds, max', (r) => r.lag.maxAckLagSec, count, false),
    row('load: replica catch-up ms after the load ends', (r) => r.lag.catchUpMs, ms),
  ];
  const title = `Replication: DEBUG POPULATE ${opts.keys} key ${valueSize} on a master, then a full sync to a new empty replica (disk-based, then diskless), then redis-benchmark with the replica attached`;
  const facts = [
    'sync time: from the REPLICAOF reply until the replica\'s INFO says master_link_status:up and master_sync_in_progress:0 (link up), and until its slave_repl_offset equals the master\'s master_repl_offset (offsets equal)',
    `probe: PING one at a time on its own connection to the master; RSS and the replica's INFO every ${sampleEveryMs} ms`,
    `SETs: random existing keys, ${valueSize}-byte values, pipelines of ${writerPipeline}, from 1 s before REPLICAOF until link up or ${count(writerCommandsMax)} SETs`,
    'repl-diskless-sync-delay 0 on the master; the replica loads from disk (repl-diskless-load disabled, the default)',
    `load: redis-benchmark -t ${lagTests} -c ${lagClients} -P ${lagPipeline} -n ${opts.requests}; lag = master_repl_offset - slave_repl_offset, both read every ${sampleEveryMs} ms`,
    "child private = Private_Clean + Private_Dirty of Redis's forked children (the copy-on-write copies)",
  ];
  return formatKindsReport(report, title, facts, rows, markdown);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { keys: { type: 'string' }, quick: { type: 'boolean' }, only: { type: 'string' }, markdown: { type: 'boolean' } },
  });
  const opts = replicationOptionsFrom(values);
  const markdown = values.markdown ?? false;
  const machine = await machineDescription();
  const report = await measureReplication(opts);
  process.stdout.write([formatFacts(machine, markdown), '', formatReplication(report, opts, markdown), ''].join('\n'));
  if (report.failures.length > 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
