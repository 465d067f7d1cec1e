// Memory per key: fill a fresh redis-server and a fresh tandem-server with
// DEBUG POPULATE and compare what each needs per key, both as the server
// reports it (INFO used_memory, used_memory_rss) and as the kernel sees it
// (VmRSS). Tandem's INFO numbers are its own estimate, so VmRSS is the fair one.
//
// Run alone: node dist/bench/memory.js [--keys N] [--value-size N] [--quick] [--markdown]

import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  call, formatCommands, formatFacts, formatInt, formatTable, info, machineDescription, note, processRssBytes, ratio,
  serverKinds, sleep, startServer, type BenchServer, type ServerKind,
} from './common.js';

export const memoryArgOptions = {
  keys: { type: 'string' },
  'value-size': { type: 'string', default: '100' },
} as const;

export interface MemoryOptions {
  keys: number;
  valueSize: number;
}

export interface Sample {
  usedMemory: number;
  usedMemoryRss: number;
  vmRss: number;
}

interface MemoryResult {
  kind: ServerKind;
  before: Sample;
  after: Sample;
  populateMs: number;
  commands: string[];
}

export function memoryOptionsFrom(values: { keys?: string; 'value-size'?: string; quick?: boolean }): MemoryOptions {
  return {
    keys: Number(values.keys ?? (values.quick ? 100_000 : 1_000_000)),
    valueSize: Number(values['value-size'] ?? 100),
  };
}

async function sample(server: BenchServer): Promise<Sample> {
  const mem = await info(server.port, 'memory');
  return {
    usedMemory: Number(mem.get('used_memory')),
    usedMemoryRss: Number(mem.get('used_memory_rss')),
    vmRss: processRssBytes(server.pid),
  };
}

const settleMinMs = 2000;
const settleMaxMs = 20_000;
const settlePollMs = 500;
/** Relative change between polls below which memory counts as settled. */
const settleTolerance = 0.005;

/**
 * Waits until the numbers stop moving, so Tandem's garbage collector (which
 * we cannot trigger from outside) has had its chance to run after a burst.
 */
export async function settledSample(server: BenchServer): Promise<Sample> {
  const start = Date.now();
  let last = await sample(server);
  for (;;) {
    await sleep(settlePollMs);
    const now = await sample(server);
    const still = (a: number, b: number) => Math.abs(a - b) <= settleTolerance * Math.max(a, b);
    const elapsed = Date.now() - start;
    if ((elapsed >= settleMinMs && still(now.usedMemory, last.usedMemory) && still(now.vmRss, last.vmRss)) || elapsed >= settleMaxMs) {
      return now;
    }
    last = now;
  }
}

async function measureOne(kind: ServerKind, opts: MemoryOptions): Promise<MemoryResult> {
  const server = await startServer(kind, ['--enable-debug-command', 'yes']);
  try {
    const before = await settledSample(server);
    const populate = ['DEBUG', 'POPULATE', String(opts.keys), 'key', String(opts.valueSize)];
    note(`${kind}: ${populate.join(' ')}`);
    const t0 = performance.now();
    await call(server.port, ...populate);
    const populateMs = performance.now() - t0;
    const dbsize = Number((await call(server.port, 'DBSIZE')).slice(1));
    if (dbsize !== opts.keys) throw new Error(`${kind}: DBSIZE is ${dbsize} after populating ${opts.keys} keys`);
    const after = await settledSample(server);
    return { kind, before, after, populateMs, commands: [server.commandLine, `redis-cli -p ${server.port} ${populate.join(' ')}`] };
  } finally {
    await server.stop();
  }
}

export interface MemoryReport {
  results: MemoryResult[];
  failures: string[];
}

export async function measureMemory(opts: MemoryOptions): Promise<MemoryReport> {
  const report: MemoryReport = { results: [], failures: [] };
  // One at a time: each server gets the machine to itself.
  for (const kind of serverKinds) {
    try {
      report.results.push(await measureOne(kind, opts));
    } catch (e) {
      report.failures.push(`${kind}: ${(e as Error).message.trim()}`);
    }
  }
  return report;
}

export function formatMemory({ results, failures }: MemoryReport, opts: MemoryOptions, markdown: boolean): string {
  const byKind = new Map(results.map((r) => [r.kind, r]));
  const perKey = (kind: ServerKind, field: keyof Sample) => {
    const r = byKind.get(kind);
    return r && (r.after[field] - r.before[field]) / opts.keys;
  };
  const metrics: Array<[string, keyof Sample]> = [
    ['INFO used_memory', 'usedMemory'],
    ['INFO used_memory_rss', 'usedMemoryRss'],
    ['process VmRSS', 'vmRss'],
  ];
  const rows = metrics.map(([label, field]) => {
    const redis = perKey('redis', field);
    const tandem = perKey('tandem', field);
    return [label, formatInt(redis), formatInt(tandem), ratio(tandem, redis)];
  });
  const seconds = (kind: ServerKind) => {
    const ms = byKind.get(kind)?.populateMs;
    return ms === undefined ? 'n/a' : (ms / 1000).toFixed(2);
  };
  rows.push(['DEBUG POPULATE seconds', seconds('redis'), seconds('tandem'), ratio(byKind.get('tandem')?.populateMs, byKind.get('redis')?.populateMs)]);
  const title = `Memory: bytes per key after DEBUG POPULATE ${opts.keys} key ${opts.valueSize} ((after - before) / keys, settled)`;
  return [
    markdown ? `**${title}**` : title,
    '',
    formatTable(['metric', 'redis B/key', 'tandem B/key', 'tandem/redis'], rows, markdown),
    ...(failures.length > 0 ? ['', 'failures:', ...failures.map((f) => `  ${f}`)] : []),
    '',
    formatCommands(results.flatMap((r) => r.commands), markdown),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { ...memoryArgOptions, quick: { type: 'boolean' }, markdown: { type: 'boolean' } },
  });
  const opts = memoryOptionsFrom(values);
  const machine = await machineDescription();
  const report = await measureMemory(opts);
  const markdown = values.markdown ?? false;
  process.stdout.write([formatFacts(machine, markdown), '', formatMemory(report, opts, markdown), ''].join('\n'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
