// Shared pieces of the benchmarks: starting the two servers the way the tests
// do, asking them for INFO, describing the machine, and printing tables.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import { startRedis, startTandem, tandemBin, type RunningServer } from '../test/helpers/servers.js';
import { RawConnection } from '../test/helpers/resp.js';

export const run = promisify(execFile);

export type ServerKind = 'redis' | 'tandem';
export const serverKinds: readonly ServerKind[] = ['redis', 'tandem'];

/** No persistence, so neither server forks or writes files while measured (the helper already passes --save ''). */
const quietArgs = ['--appendonly', 'no'];

export interface BenchServer extends RunningServer {
  kind: ServerKind;
  /** The command line that started it, shell-quoted. */
  commandLine: string;
}

/**
 * Starts one server through the test helpers. `env` is set for Tandem only,
 * while it is spawned: the helper passes no node flags, NODE_OPTIONS does.
 */
export async function startServer(kind: ServerKind, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<BenchServer> {
  const args = [...quietArgs, ...extraArgs];
  let server: RunningServer;
  if (kind === 'redis') {
    server = await startRedis(args);
  } else {
    const saved = Object.keys(env).map((name) => [name, process.env[name]] as const);
    Object.assign(process.env, env);
    try {
      server = await startTandem(args);
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  }
  // Rebuilt as test/helpers/servers.ts starts it: redis-server rewrites its /proc cmdline.
  const assignments = kind === 'redis' ? [] : Object.entries(env).map(([name, value]) => `${name}=${shellQuote(value)}`);
  const argv = [
    ...(kind === 'redis' ? ['redis-server'] : [process.execPath, tandemBin]),
    '--port', String(server.port), '--bind', '127.0.0.1', '--dir', server.dir, '--save', '', ...args,
  ];
  return { ...server, kind, commandLine: [...assignments, ...argv.map(shellQuote)].join(' ') };
}

export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Sends one command and returns the reply's bytes as text; throws on an error reply. */
export async function call(port: number, ...args: string[]): Promise<string> {
  const conn = await RawConnection.open(port);
  try {
    const reply = (await conn.call(...args)).toString('latin1');
    if (reply.startsWith('-')) throw new Error(`${args.join(' ')}: ${reply.trim()}`);
    return reply;
  } finally {
    conn.close();
  }
}

/** INFO [section] as field → value. */
export async function info(port: number, section = 'all'): Promise<Map<string, string>> {
  return parseInfo(await call(port, 'INFO', section));
}

/** An INFO reply's `field:value` lines as a map. */
export function parseInfo(reply: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of reply.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** Resident set size of a process, from the kernel rather than from the server's own report. */
export function processRssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** CPU time a process has used so far (user + system), in ms; /proc counts in USER_HZ = 100 ticks/s. */
export function processCpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  // Fields after the parenthesised command name, which may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export async function machineDescription(): Promise<string[]> {
  const cpuModel = os.cpus()[0]?.model ?? 'unknown cpu';
  const redis = (await run('redis-server', ['--version'])).stdout.trim();
  const bench = (await run('redis-benchmark', ['--version'])).stdout.trim();
  const tandem = (await run(process.execPath, [tandemBin, '--version'])).stdout.trim();
  return [
    `machine: ${os.availableParallelism()} CPUs (nproc), ${cpuModel}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}`,
    `node: ${process.version}`,
    `redis: ${redis}`,
    `tandem: ${tandem}`,
    `client: ${bench}`,
  ];
}

/** Progress notes go to stderr so stdout holds only the report. */
export function note(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A table as aligned plain text or as Markdown; the first column is left-aligned, the rest right. */
export function formatTable(headers: string[], rows: string[][], markdown: boolean): string {
  if (markdown) {
    const align = headers.map((_, i) => (i === 0 ? ':---' : '---:'));
    return [headers, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Facts about the run: plain lines, or a Markdown list. */
export function formatFacts(lines: string[], markdown: boolean): string {
  return lines.map((l) => (markdown ? `- ${l}` : l)).join('\n');
}

/** Shell commands: a fenced block in Markdown, indented otherwise. */
export function formatCommands(commands: string[], markdown: boolean): string {
  return markdown ? ['```sh', ...commands, '```'].join('\n') : commands.map((c) => `  $ ${c}`).join('\n');
}

export function ratio(tandem: number | undefined, redis: number | undefined): string {
  return tandem === undefined || redis === undefined || redis === 0 ? 'n/a' : `${(tandem / redis).toFixed(2)}x`;
}

export function formatInt(n: number | undefined): string {
  return n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US');
}
