// Real server processes for black-box tests: tandem-server and, for
// differential tests, the Debian redis-server. Each binds 127.0.0.1 on a free
// port, runs in its own temp dir, and is stopped by PID when the test ends.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const tandemBin = path.join(repoRoot, 'bin', 'tandem-server');

/** Longest a server may take to say it is ready. */
const startTimeoutMs = 10_000;

export interface RunningServer {
  port: number;
  pid: number;
  dir: string;
  /** Everything the process printed so far. */
  output(): string;
  /** Stops the process (SIGTERM, then SIGKILL) and removes its dir. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function redisAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

/** Starts tandem-server with redis-server style arguments, after `configFile` when given. */
export function startTandem(args: string[] = [], configFile?: string): Promise<RunningServer> {
  return startProcess(process.execPath, configFile ? [tandemBin, configFile] : [tandemBin], args, 'tandem-');
}

/** Starts the real redis-server, for differential tests. */
export function startRedis(args: string[] = []): Promise<RunningServer> {
  return startProcess('redis-server', [], args, 'redis-');
}

async function startProcess(cmd: string, pre: string[], args: string[], prefix: string): Promise<RunningServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const child: ChildProcess = spawn(
    cmd,
    [...pre, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...args],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // With --logfile the startup lines go to that file instead of stdout.
  const logAt = args.lastIndexOf('--logfile');
  const logfile = logAt !== -1 && args[logAt + 1] ? path.resolve(dir, args[logAt + 1]) : null;
  const ready = () =>
    out.includes('Ready to accept connections') ||
    (logfile !== null && fs.existsSync(logfile) && fs.readFileSync(logfile, 'latin1').includes('Ready to accept connections'));
  const deadline = Date.now() + startTimeoutMs;
  while (!ready()) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${cmd} did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { port, pid: child.pid!, dir, output: () => out, stop };
}
