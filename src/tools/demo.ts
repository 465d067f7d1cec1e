// npm run demo: replication live on loopback. Starts a master, two replicas
// and a sub-replica chained to replica-1, each a real server process in its
// own temp dir; writes to the master; shows what every node's INFO
// replication says every 500 ms until Ctrl-C; then stops them all by PID.
//
// node dist/src/tools/demo.js [--server <binary>] [--duration <s>] [--no-writes]
//   --server     run another Redis-compatible server instead of bin/tandem-server (e.g. redis-server)
//   --duration   stop by itself after this many seconds
//   --no-writes  only watch; nothing is written to the master
//
// Only node: modules and the Redis interface (INFO replication, DBSIZE,
// --replicaof host port), so it runs the same against real redis-server.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const tandemBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/tandem-server');
const refreshMs = 500;
const startTimeoutMs = 10_000;
/** After the writes stop, how long the replicas get to reach the master's offset. */
const settleTimeoutMs = 5_000;
/** Writes: one pipeline every `writeEveryMs`, of `writeBatch` SETs, INCRs and LPUSHes each (~300/s). */
const writeEveryMs = 50;
const writeBatch = 5;
/** The data stays bounded: this many string keys, one list trimmed to `listLength`. */
const keySpace = 1000;
const listLength = 100;

// ---- a minimal RESP2 client -----------------------------------------------------

type Reply = string | number | null | Error | Reply[];

/** The reply starting at `at`, or undefined while it is incomplete. */
function parseReply(buf: Buffer, at: number): { value: Reply; end: number } | undefined {
  const eol = buf.indexOf('\r\n', at);
  if (eol === -1) return undefined;
  const line = buf.toString('latin1', at + 1, eol);
  const next = eol + 2;
  switch (String.fromCharCode(buf[at]!)) {
    case '+': return { value: line, end: next };
    case '-': return { value: new Error(line), end: next };
    case ':': return { value: Number(line), end: next };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, end: next };
      if (buf.length < next + len + 2) return undefined;
      return { value: buf.toString('latin1', next, next + len), end: next + len + 2 };
    }
    case '*': {
      const items: Reply[] = [];
      let end = next;
      for (let i = 0; i < Number(line); i++) {
        const item = parseReply(buf, end);
        if (item === undefined) return undefined;
        items.push(item.value);
        end = item.end;
      }
      return { value: Number(line) < 0 ? null : items, end };
    }
    default: throw new Error(`not a RESP reply: ${JSON.stringify(buf.toString('latin1', at, at + 40))}`);
  }
}

class Connection {
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiting: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];
  private closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d) => this.onData(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w.reject(new Error('connection closed'));
    });
  }

  static open(port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends the commands in one write; resolves with their replies in order. */
  pipeline(commands: string[][]): Promise<Reply[]> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    let out = '';
    for (const argv of commands) out += `*${argv.length}\r\n${argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;
    this.socket.write(out, 'latin1');
    return Promise.all(commands.map(() => new Promise<Reply>((resolve, reject) => this.waiting.push({ resolve, reject }))));
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    let at = 0;
    for (let r = parseReply(this.buf, at); r !== undefined && this.waiting.length > 0; r = parseReply(this.buf, at)) {
      this.waiting.shift()!.resolve(r.value);
      at = r.end;
    }
    this.buf = this.buf.subarray(at);
  }
}

// ---- the nodes -----------------------------------------------------------------

interface Node {
  name: string;
  port: number;
  /** The node it replicates from; null for the master. */
  upstream: Node | null;
  dir: string;
  child: ChildProcess;
  conn: Connection | null;
  /** INFO replication of the last poll, with `keys` (DBSIZE) added; null when it failed... */
  info: Map<string, string> | null;
  /** ...and why. */
  problem: string;
  polling: boolean;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Attempts at starting a node: a free port can be taken by another process before the server binds it. */
const startAttemptsMax = 5;

async function startNode(server: string, name: string, upstream: Node | null, nodes: Node[]): Promise<Node> {
  for (let attempt = 1; ; attempt++) {
    const node = await tryStartNode(server, name, upstream);
    if (node.conn !== null) {
      nodes.push(node);
      say(`started ${name} pid=${node.child.pid} port=${node.port} dir=${node.dir}`);
      return node;
    }
    await stopNode(node);
    if (attempt === startAttemptsMax) throw new Error(`${name} (${server}) did not start: ${node.problem}`);
  }
}

/** Spawns one server and waits until it answers; `conn` stays null (and `problem` says why) when it did not. */
async function tryStartNode(server: string, name: string, upstream: Node | null): Promise<Node> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `demo-${name}-`));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
    // Full syncs start at once instead of waiting for more replicas (Redis's default waits 5 s).
    '--repl-diskless-sync-delay', '0',
    ...(upstream ? ['--replicaof', '127.0.0.1', String(upstream.port)] : [])];
  const log = fs.openSync(path.join(dir, 'server.log'), 'w');
  const [cmd, pre] = server === tandemBin ? [process.execPath, [tandemBin]] : [server, []];
  // Its own process group: Ctrl-C in the terminal reaches only the demo, which then stops the servers itself.
  const child = spawn(cmd, [...pre, ...args], { cwd: dir, stdio: ['ignore', log, log], detached: true });
  fs.closeSync(log);
  child.on('error', () => undefined);
  const node: Node = { name, port, upstream, dir, child, conn: null, info: null, problem: '', polling: false };
  // Ready when it answers PING (a replica answers it while it syncs), and it is our process answering.
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    try {
      const conn = await Connection.open(port);
      const [pong, serverInfo] = await conn.pipeline([['PING'], ['INFO', 'server']]);
      if (pong === 'PONG' && parseInfo(String(serverInfo)).get('process_id') === String(child.pid)) {
        node.conn = conn;
        return node;
      }
      conn.close();
    } catch {
      // Not listening yet.
    }
    if (!isRunning(child) || Date.now() > deadline) {
      node.problem = fs.readFileSync(path.join(dir, 'server.log'), 'latin1').split('\n').slice(-20).join('\n');
      return node;
    }
    await sleep(50);
  }
}

async function stopNode(node: Node): Promise<void> {
  node.conn?.close();
  if (!isRunning(node.child)) {
    // It died by itself: show why before its directory goes.
    const log = fs.readFileSync(path.join(node.dir, 'server.log'), 'latin1').trimEnd().split('\n');
    say(`${node.name} exited (${node.child.exitCode ?? node.child.signalCode}); the end of its log:`);
    for (const line of log.slice(-20)) say(`  ${line}`);
  } else {
    const exited = new Promise((resolve) => node.child.once('exit', resolve));
    node.child.kill('SIGTERM');
    const timer = setTimeout(() => node.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  fs.rmSync(node.dir, { recursive: true, force: true });
}

function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

async function poll(node: Node): Promise<void> {
  if (node.polling) return; // Still waiting for the previous answer: leave the last one on screen.
  node.polling = true;
  try {
    if (node.conn === null || node.conn.isClosed) node.conn = await Connection.open(node.port);
    const [info, keys] = await node.conn.pipeline([['INFO', 'replication'], ['DBSIZE']]);
    if (info instanceof Error) throw info;
    node.info = parseInfo(String(info));
    node.info.set('keys', keys instanceof Error ? keys.message.split(' ')[0]! : String(keys));
    node.problem = '';
  } catch (e) {
    node.info = null;
    node.problem = (e as Error).message;
  } finally {
    node.polling = false;
  }
}

// ---- what is shown -------------------------------------------------------------

const columns = ['node', 'port', 'role', 'offset', 'behind', 'lag', 'last-io', 'link', 'syncing', 'keys'] as const;
type Row = Record<(typeof columns)[number], string>;
const numeric = new Set<string>(['port', 'offset', 'behind', 'keys']);

/** This node's slaveN line in its upstream's INFO, as fields (state, offset, lag). */
function replicaLine(node: Node): Map<string, string> | undefined {
  for (const [field, value] of node.upstream?.info ?? []) {
    if (!/^slave\d+$/.test(field)) continue;
    const entries = new Map(value.split(',').map((kv) => kv.split('=') as [string, string]));
    if (entries.get('port') === String(node.port)) return entries;
  }
  return undefined;
}

function row(node: Node, masterOffset: number): Row {
  const info = node.info;
  const base = { node: node.name, port: String(node.port) };
  const down = (role: string): Row => ({ ...base, role, offset: '', behind: '', lag: '', 'last-io': '', link: '', syncing: '', keys: '' });
  if (!isRunning(node.child)) return down(`exited (${node.child.exitCode ?? node.child.signalCode})`);
  if (info === null) return down(`INFO failed: ${node.problem}`);
  const replica = info.get('role') === 'slave';
  const offset = Number(info.get(replica ? 'slave_repl_offset' : 'master_repl_offset'));
  const upstream = replica ? `of ${node.upstream?.name ?? info.get('master_port')}` : '';
  const line = replicaLine(node);
  return {
    ...base,
    role: `${info.get('role')} ${upstream}`.trim(),
    offset: String(offset),
    behind: replica && !Number.isNaN(masterOffset) ? String(masterOffset - offset) : '-',
    lag: line ? `${line.get('lag')}s ${line.get('state')}` : '-',
    'last-io': replica ? `${info.get('master_last_io_seconds_ago')}s` : '-',
    link: info.get('master_link_status') ?? '-',
    syncing: replica ? (info.get('master_sync_in_progress') === '1' ? 'yes' : 'no') : '-',
    keys: info.get('keys') ?? '?',
  };
}

/** The table as text lines: aligned columns on a terminal, `name=value` lines otherwise. */
function render(nodes: Node[], status: string, tty: boolean): string[] {
  const masterOffset = Number(nodes[0]!.info?.get('master_repl_offset'));
  const rows = nodes.map((n) => row(n, masterOffset));
  if (!tty) return rows.map((r) => `${status} ${columns.map((c) => `${c}=${r[c].replace(/ /g, '_') || '-'}`).join(' ')}`);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (numeric.has(columns[i]!) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
  return [status, '', line([...columns]), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => r[c])))];
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

// ---- the run -------------------------------------------------------------------

/** Bounded writes to the master: a pipeline every `writeEveryMs`, skipped while the previous one is unanswered. */
function startWriter(master: Node): { stop(): Promise<void>; sent(): number } {
  let sent = 0;
  let inFlight: Promise<unknown> = Promise.resolve();
  let busy = false;
  let conn: Connection | null = null;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    inFlight = (async () => {
      conn ??= await Connection.open(master.port);
      const batch: string[][] = [];
      for (let i = 0; i < writeBatch; i++, sent++) {
        batch.push(['SET', `demo:key:${sent % keySpace}`, String(Date.now())], ['INCR', `demo:counter:${i}`], ['LPUSH', 'demo:list', String(sent)]);
      }
      batch.push(['LTRIM', 'demo:list', '0', String(listLength - 1)]);
      await conn.pipeline(batch);
    })()
      .catch(() => (conn = null))
      .finally(() => (busy = false));
  }, writeEveryMs);
  return {
    sent: () => sent,
    async stop() {
      clearInterval(timer);
      await Promise.race([inFlight, sleep(2000)]);
      conn?.close();
    },
  };
}

const converged = (nodes: Node[]) => {
  const offsets = nodes.map((n, i) => n.info?.get(i === 0 ? 'master_repl_offset' : 'slave_repl_offset'));
  return offsets.every((o) => o !== undefined && o === offsets[0]) && nodes.slice(1).every((n) => n.info?.get('master_link_status') === 'up');
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { server: { type: 'string' }, duration: { type: 'string' }, 'no-writes': { type: 'boolean' } },
  });
  const server = values.server ?? tandemBin;
  const duration = values.duration === undefined ? Infinity : Number(values.duration) * 1000;
  if (!(duration > 0)) throw new Error('--duration must be a positive number of seconds');
  const tty = process.stdout.isTTY === true;

  let stopping = false;
  let wake = () => {};
  const stop = () => {
    stopping = true;
    wake();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const nap = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });

  const nodes: Node[] = [];
  let writer: ReturnType<typeof startWriter> | null = null;
  try {
    const master = await startNode(server, 'master', null, nodes);
    const replica1 = await startNode(server, 'replica-1', master, nodes);
    await startNode(server, 'replica-2', master, nodes);
    await startNode(server, 'sub-replica', replica1, nodes);
    if (!values['no-writes']) writer = startWriter(master);

    const began = Date.now();
    let drawn = 0;
    // A node that does not answer in time keeps its last figures on screen.
    const pollAll = () => Promise.race([Promise.all(nodes.map(poll)), sleep(refreshMs)]);
    const show = async (status: string) => {
      await pollAll();
      const lines = render(nodes, status, tty);
      // Up over the last table, clear to the end of the screen, draw again.
      process.stdout.write(`${tty && drawn > 0 ? `\x1b[${drawn}A\x1b[J` : ''}${lines.join('\n')}\n`);
      drawn = tty ? lines.length : 0;
    };
    const writes = () => (writer ? `${writer.sent() * 3} writes` : 'no writes');
    while (!stopping && Date.now() - began < duration) {
      const t = ((Date.now() - began) / 1000).toFixed(1);
      await show(tty ? `t=${t}s  ${writes()} to the master  (Ctrl-C to stop)` : `t=${t}s`);
      await nap(Math.min(refreshMs, began + duration - Date.now()));
    }

    // Stop writing, then give the replicas a moment to reach the master's offset.
    await writer?.stop();
    writer = null;
    stopping = false;
    const settleBy = Date.now() + settleTimeoutMs;
    await pollAll();
    while (!converged(nodes) && !stopping && Date.now() < settleBy) {
      await nap(100);
      await pollAll();
    }
    await show(tty ? `final: writes stopped, offsets ${converged(nodes) ? 'all equal' : 'still differ'}` : 'final');
  } finally {
    await writer?.stop();
    await Promise.all(nodes.map(stopNode));
    if (nodes.length > 0) say(`stopped pids=${nodes.map((n) => n.child.pid).join(',')} and removed their temp dirs`);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 1;
});
