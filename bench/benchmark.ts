// Throughput side by side: redis-benchmark against a real redis-server and
// against tandem-server, one server at a time so they never share the CPUs,
// then the memory comparison (bench/memory.ts).
//
// npm run bench -- [--quick] [-n N] [--rounds R] [--markdown] [--no-memory] [--persistence] [--replication] [--profile]
//   --quick      -n 20000 and 100000 keys for memory (and persistence, replication): a smoke run
//   --rounds R   run every (server, pipeline) R times, alternating the order; report the median
//   --markdown   tables as Markdown, for the README
//   --persistence  also BGSAVE, SAVE and load at startup of the same keys (bench/persistence.ts)
//   --replication  also a full sync of the same keys to a new replica, and replica lag (bench/replication.ts)
//   --profile    instead of comparing: run Tandem under the V8 CPU profiler with the same load
//                and list the functions with the most self time

import fs from 'node:fs';
import { SourceMap } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  formatCommands, formatFacts, formatInt, formatTable, machineDescription, note, processCpuMs, ratio, run, serverKinds,
  shellQuote,
  startServer, type BenchServer, type ServerKind,
} from './common.js';
import { formatMemory, measureMemory, memoryArgOptions, memoryOptionsFrom } from './memory.js';
import { formatPersistence, measurePersistence, persistenceOptionsFrom } from './persistence.js';
import { formatReplication, measureReplication, replicationOptionsFrom } from './replication.js';

const tests = 'set,get,incr,mset';
const pipelines = [1, 16] as const;
const clients = 50;
/** Untimed pass per server first, so Tandem's JIT has warmed up before it is measured. */
const warmupRequests = 20_000;

function benchmarkArgs(port: number, requests: number, pipeline: number): string[] {
  return ['-h', '127.0.0.1', '-p', String(port), '-t', tests, '-n', String(requests), '-c', String(clients),
    '-P', String(pipeline), '--csv', '-q'];
}

/** Runs redis-benchmark and returns test name → requests per second. */
async function redisBenchmark(args: string[]): Promise<Map<string, number>> {
  const { stdout } = await run('redis-benchmark', args, { timeout: 900_000, maxBuffer: 16 * 2 ** 20 });
  const rps = new Map<string, number>();
  for (const line of stdout.split('\n').slice(1)) {
    const fields = line.split('","').map((f) => f.replace(/^"|"$/g, ''));
    if (fields.length >= 2) rps.set(fields[0]!, Number(fields[1]));
  }
  return rps;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

interface Throughput {
  /** `${kind} ${pipeline} ${test}` → rps of every round. */
  samples: Map<string, number[]>;
  /** `${kind} ${pipeline}` → server CPU µs per request of every round, over all tests of one redis-benchmark run. */
  cpu: Map<string, number[]>;
  testNames: string[];
  commands: string[];
  failures: string[];
}

async function measureThroughput(requests: number, rounds: number): Promise<Throughput> {
  const result: Throughput = { samples: new Map(), cpu: new Map(), testNames: [], commands: [], failures: [] };
  const push = (map: Map<string, number[]>, key: string, x: number) => map.set(key, [...(map.get(key) ?? []), x]);
  const servers = new Map<ServerKind, BenchServer>();
  try {
    for (const kind of serverKinds) {
      const server = await startServer(kind);
      servers.set(kind, server);
      result.commands.push(server.commandLine);
      note(`${kind} on port ${server.port}, warming up`);
      await redisBenchmark(benchmarkArgs(server.port, warmupRequests, 16)).catch(() => undefined);
    }
    for (let round = 0; round < rounds; round++) {
      for (const pipeline of pipelines) {
        // Alternate who goes first, so neither always runs on a machine still busy from the other.
        const order = round % 2 === 0 ? serverKinds : [...serverKinds].reverse();
        for (const kind of order) {
          const args = benchmarkArgs(servers.get(kind)!.port, requests, pipeline);
          const line = ['redis-benchmark', ...args].map(shellQuote).join(' ');
          if (round === 0) result.commands.push(line);
          note(`round ${round + 1}/${rounds}: ${kind}: ${line}`);
          try {
            const pid = servers.get(kind)!.pid;
            const cpuBefore = processCpuMs(pid);
            const rpsByTest = await redisBenchmark(args);
            push(result.cpu, `${kind} ${pipeline}`, ((processCpuMs(pid) - cpuBefore) * 1000) / (requests * rpsByTest.size));
            for (const [test, rps] of rpsByTest) {
              if (!result.testNames.includes(test)) result.testNames.push(test);
              push(result.samples, `${kind} ${pipeline} ${test}`, rps);
            }
          } catch (e) {
            result.failures.push(`${kind} -P ${pipeline}: ${(e as Error).message.trim()}`);
          }
        }
      }
    }
  } finally {
    for (const server of servers.values()) await server.stop();
  }
  return result;
}

function formatThroughput(t: Throughput, requests: number, rounds: number, markdown: boolean): string {
  const rps = (kind: ServerKind, pipeline: number, test: string) => {
    const xs = t.samples.get(`${kind} ${pipeline} ${test}`);
    return xs && median(xs);
  };
  const rows = pipelines.flatMap((pipeline) =>
    t.testNames.map((test) => {
      const redis = rps('redis', pipeline, test);
      const tandem = rps('tandem', pipeline, test);
      return [test, String(pipeline), formatInt(redis), formatInt(tandem), ratio(tandem, redis)];
    }),
  );
  const cpu = (kind: ServerKind, pipeline: number) => {
    const xs = t.cpu.get(`${kind} ${pipeline}`);
    return xs && median(xs);
  };
  const cpuRows = pipelines.map((pipeline) => {
    const redis = cpu('redis', pipeline);
    const tandem = cpu('tandem', pipeline);
    return [String(pipeline), redis?.toFixed(2) ?? 'n/a', tandem?.toFixed(2) ?? 'n/a', ratio(tandem, redis)];
  });
  const cpuTitle = 'Server CPU time (user + system) per request, all four tests together: less noisy than rps on a shared machine';
  const how = rounds > 1 ? `median of ${rounds} rounds` : '1 round';
  const title = `Throughput: requests/second, redis-benchmark -n ${requests} -c ${clients} (${how}, after a ${warmupRequests}-request warm-up per server)`;
  return [
    markdown ? `**${title}**` : title,
    '',
    formatTable(['test', 'pipeline', 'redis rps', 'tandem rps', 'tandem/redis'], rows, markdown),
    '',
    markdown ? `**${cpuTitle}**` : cpuTitle,
    '',
    formatTable(['pipeline', 'redis µs/req', 'tandem µs/req', 'tandem/redis'], cpuRows, markdown),
    ...(t.failures.length > 0 ? ['', 'failures:', ...t.failures.map((f) => `  ${f}`)] : []),
    '',
    formatCommands(t.commands, markdown),
  ].join('\n');
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where a compiled function comes from: src/file.ts:line through the .js.map next to it. */
function sourceLocation(url: string, line: number, column: number, maps: Map<string, SourceMap | null>): string {
  if (!url.startsWith('file://')) return url ? `${url}:${line + 1}` : '';
  const file = fileURLToPath(url);
  if (!maps.has(file)) {
    const mapFile = `${file}.map`;
    maps.set(file, fs.existsSync(mapFile) ? new SourceMap(JSON.parse(fs.readFileSync(mapFile, 'utf8'))) : null);
  }
  const entry = maps.get(file)?.findEntry(line, column);
  if (entry && 'originalSource' in entry) {
    const source = path.resolve(path.dirname(file), entry.originalSource.replace(/^file:\/\//, ''));
    return `${path.relative(repoRoot, source)}:${entry.originalLine + 1}`;
  }
  return `${path.relative(repoRoot, file)}:${line + 1}`;
}

/** Self time per function (idle excluded), most first. */
function summariseProfile(profile: CpuProfile, top: number): string {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // A sample lasts until the next one.
  for (let i = 0; i + 1 < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + profile.timeDeltas[i + 1]!);
  }
  const maps = new Map<string, SourceMap | null>();
  const byFunction = new Map<string, number>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber, columnNumber } = nodes.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busyUs += us;
    const key = `${functionName || '(anonymous)'}\t${sourceLocation(url, lineNumber, columnNumber, maps)}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const rows = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top).map(([key, us]) => {
    const [fn, where] = key.split('\t');
    return [fn!, where!, (us / 1000).toFixed(0), `${((100 * us) / busyUs).toFixed(1)}%`];
  });
  return [
    `sampled busy time ${(busyUs / 1e6).toFixed(2)} s (wall clock while not idle; writeBuffer is the socket write(2),`,
    'which also counts time spent waiting for a CPU while the client runs)',
    '',
    formatTable(['function', 'where', 'self ms', 'self %'], rows, false),
  ].join('\n');
}

async function profileTandem(requests: number): Promise<string> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-prof-')), 'tandem.cpuprofile');
  const preload = fileURLToPath(new URL('./cpu-profile.js', import.meta.url));
  const server = await startServer('tandem', [], { NODE_OPTIONS: `--import ${preload}`, TANDEM_CPU_PROFILE: file });
  const commands = [server.commandLine];
  try {
    for (const pipeline of pipelines) {
      const args = benchmarkArgs(server.port, requests, pipeline);
      commands.push(['redis-benchmark', ...args].map(shellQuote).join(' '));
      note(`profiling: ${commands[commands.length - 1]}`);
      await redisBenchmark(args);
    }
  } finally {
    // The profile is written when the process exits.
    await server.stop();
  }
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  return [`Tandem CPU profile (${file})`, '', summariseProfile(profile, 30), '', formatCommands(commands, false)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      n: { type: 'string', short: 'n' },
      rounds: { type: 'string', default: '1' },
      markdown: { type: 'boolean' },
      'no-memory': { type: 'boolean' },
      persistence: { type: 'boolean' },
      replication: { type: 'boolean' },
      profile: { type: 'boolean' },
      ...memoryArgOptions,
    },
  });
  const requests = Number(values.n ?? (values.quick ? 20_000 : 200_000));
  const rounds = Number(values.rounds);
  if (!(requests > 0) || !(rounds > 0)) throw new Error('-n and --rounds must be positive numbers');
  const markdown = values.markdown ?? false;
  const out = (text: string) => process.stdout.write(`${text}\n\n`);

  out(formatFacts(await machineDescription(), markdown));
  if (values.profile) {
    out(await profileTandem(requests));
    return;
  }
  out(formatThroughput(await measureThroughput(requests, rounds), requests, rounds, markdown));
  if (!values['no-memory']) {
    const opts = memoryOptionsFrom(values);
    out(formatMemory(await measureMemory(opts), opts, markdown));
  }
  if (values.persistence) {
    const opts = persistenceOptionsFrom(values);
    out(formatPersistence(await measurePersistence(opts), opts, markdown));
  }
  if (values.replication) {
    const opts = replicationOptionsFrom(values);
    out(formatReplication(await measureReplication(opts), opts, markdown));
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
