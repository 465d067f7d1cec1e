// The server: one object that owns all state (databases, clients, config,
// stats, listeners, timers), so that several servers can live in one process
// and each starts and closes cleanly. bin/tandem-server is a thin wrapper.
//
// Path of a command: socket 'data' → Client.onData → RequestParser.next →
// Server.execute → dispatch.execute (table lookup, arity, auth) → handler →
// ReplyWriter → Client.flush (one write per read).

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { Config } from '../config/config.js';
import { CommandTable, type Command } from '../commands/registry.js';
import { commandFamilies } from '../commands/index.js';
import { Database, lruClockMax, type KeyspaceHost } from '../store/database.js';
import { ActiveExpire } from '../store/expire.js';
import { Client } from './client.js';
import { execute } from './dispatch.js';
import { Logger } from './log.js';
import { SlowLog } from './slowlog.js';
import { Stats } from './stats.js';
import { tandemVersion, redisVersion } from '../version.js';

/** Receives every change to the dataset, in the deterministic form replicas and the AOF need. */
export type PropagationSink = (db: number, argv: string[]) => void;

export interface ServerOptions {
  /** Where log lines go instead of stdout / logfile (embedding, tests). */
  logSink?: (line: string) => void;
}

export class Server implements KeyspaceHost {
  readonly config: Config;
  readonly log: Logger;
  readonly stats = new Stats();
  readonly commands: CommandTable;
  readonly dbs: Database[];
  readonly clients = new Map<number, Client>();
  readonly monitors = new Set<Client>();
  readonly slowlog: SlowLog;
  readonly propagationSinks: PropagationSink[] = [];
  /** 40 hex chars, new at every start, as Redis's run_id. */
  readonly runId: string;
  readonly startedAt = Date.now();
  /** Changes since the last save (rdb_changes_since_last_save); commands add to it. */
  dirty = 0;
  lastSaveTime = Math.floor(Date.now() / 1000);
  /** Cached limits read on every request. */
  bulkBytesMax: number;
  queryBufferBytesMax: number;
  private nextClientId = 1;
  private readonly listeners: net.Server[] = [];
  private cronTimer: NodeJS.Timeout | null = null;
  private readonly activeExpire = new ActiveExpire();
  private lruClockValue = 0;
  private closing: Promise<void> | null = null;
  /** Unix socket path we created, removed at close. */
  private unixSocketPath: string | null = null;

  constructor(config: Config, options: ServerOptions = {}) {
    this.config = config;
    this.log = new Logger(options.logSink ?? null);
    this.commands = new CommandTable(commandFamilies);
    this.runId = randomBytes(20).toString('hex');
    const n = config.getInt('databases');
    this.dbs = Array.from({ length: n }, (_, i) => new Database(i, this));
    this.slowlog = new SlowLog(config);
    this.bulkBytesMax = config.getInt('proto-max-bulk-len');
    this.queryBufferBytesMax = config.getInt('client-query-buffer-limit');
    config.onChange('proto-max-bulk-len', () => {
      this.bulkBytesMax = config.getInt('proto-max-bulk-len');
    });
    config.onChange('client-query-buffer-limit', () => {
      this.queryBufferBytesMax = config.getInt('client-query-buffer-limit');
    });
    config.onChange('loglevel', (v) => {
      this.log.level = v as Logger['level'];
    });
    this.log.level = config.getEnum('loglevel') as Logger['level'];
    this.updateLruClock();
  }

  // ---- lifecycle -------------------------------------------------------------

  /** Opens the listeners and starts the cron; resolves once connections are accepted. */
  async start(): Promise<void> {
    const logfile = this.config.get('logfile') ?? '';
    if (logfile !== '') this.log.setFile(logfile);
    this.log.warning('oO0OoO0OoO0Oo Tandem is starting oO0OoO0OoO0Oo');
    this.log.warning(
      `Tandem version=${tandemVersion}, redis_version=${redisVersion}, bits=64, pid=${process.pid}, just started`,
    );
    this.log.warning(this.config.configFile ? 'Configuration loaded' : 'Warning: no config file specified, using the default config. In order to specify a config file use tandem-server /path/to/tandem.conf');
    this.log.role = 'M';
    const port = this.config.getInt('port');
    this.log.notice(`Running mode=standalone, port=${port}.`);
    this.log.notice(`Tandem ${tandemVersion} (Redis ${redisVersion} compatible) 64 bit, PID: ${process.pid}`);
    this.writePidFile();
    this.log.warning('Server initialized');
    if (port !== 0) await this.listenTcp(port);
    await this.listenUnix();
    const hz = Math.max(1, Math.min(500, this.config.getInt('hz')));
    this.cronTimer = setInterval(() => this.cron(), Math.floor(1000 / hz));
    this.log.notice('Ready to accept connections tcp');
    if (this.unixSocketPath) this.log.notice(`The server is now ready to accept connections at ${this.unixSocketPath}`);
  }

  /** Stops accepting, closes every client and timer. Safe to call twice. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      if (this.cronTimer) clearInterval(this.cronTimer);
      for (const c of [...this.clients.values()]) {
        c.flush();
        c.close();
      }
      await Promise.all(this.listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve()))));
      this.listeners.length = 0;
      if (this.unixSocketPath) {
        this.log.notice('Removing the unix socket file.');
        fs.rmSync(this.unixSocketPath, { force: true });
      }
      const pidfile = this.config.get('pidfile') ?? '';
      if (pidfile !== '') fs.rmSync(pidfile, { force: true });
      this.log.warning('Tandem is now ready to exit, bye bye...');
      this.log.close();
    })();
    return this.closing;
  }

  /** The TCP port actually listened on (useful when an ephemeral port was asked for). */
  get tcpPort(): number {
    for (const l of this.listeners) {
      const a = l.address();
      if (a && typeof a === 'object') return a.port;
    }
    return 0;
  }

  private async listenTcp(port: number): Promise<void> {
    const binds = this.config.getList('bind');
    for (const raw of binds.length ? binds : ['*']) {
      const optional = raw.startsWith('-');
      const addr = optional ? raw.slice(1) : raw;
      const host = addr === '*' ? '0.0.0.0' : addr === '::*' ? '::' : addr;
      const listener = net.createServer((socket) => this.accept(socket));
      try {
        await listenOn(listener, { host, port, ipv6Only: host.includes(':') });
        this.listeners.push(listener);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (optional && (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT')) {
          this.log.notice(`Skipping optional bind address ${addr}: ${err.message}`);
          continue;
        }
        this.log.warning(`Warning: Could not create server TCP listening socket ${addr}:${port}: ${err.message}`);
        throw new Error(`Failed listening on port ${port} (tcp), aborting.`);
      }
    }
  }

  private async listenUnix(): Promise<void> {
    const path = this.config.get('unixsocket') ?? '';
    if (path === '') return;
    fs.rmSync(path, { force: true });
    const listener = net.createServer((socket) => this.accept(socket));
    await listenOn(listener, { path });
    const perm = this.config.getInt('unixsocketperm');
    if (perm !== 0) fs.chmodSync(path, perm);
    this.listeners.push(listener);
    this.unixSocketPath = path;
  }

  private writePidFile(): void {
    const pidfile = this.config.get('pidfile') ?? '';
    if (pidfile !== '') fs.writeFileSync(pidfile, `${process.pid}\n`);
  }

  // ---- clients ---------------------------------------------------------------

  private accept(socket: net.Socket): void {
    this.stats.totalConnectionsReceived++;
    if (this.clients.size >= this.config.getInt('maxclients')) {
      this.stats.rejectedConnections++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    const c = new Client(this, this.nextClientId++, socket);
    this.clients.set(c.id, c);
    if (this.config.getInt('tcp-keepalive') > 0 && socket.remoteAddress !== undefined) {
      socket.setKeepAlive(true, this.config.getInt('tcp-keepalive') * 1000);
    }
  }

  /** Forgets a client whose connection has ended. */
  clientClosed(c: Client): void {
    this.clients.delete(c.id);
    this.monitors.delete(c);
  }

  requiresAuth(): boolean {
    return (this.config.get('requirepass') ?? '') !== '';
  }

  /** enable-debug-command (and friends): yes, no, or local connections only. */
  protectedCommandAllowed(c: Client, cmd: Command): boolean {
    const mode = this.config.get(`enable-${cmd.name}-command`) ?? 'no';
    if (mode === 'yes') return true;
    if (mode === 'local') return c.addr.startsWith('127.') || c.addr.startsWith('::1') || c.addr.startsWith(':');
    return false;
  }

  // ---- commands ----------------------------------------------------------------

  execute(c: Client, argv: string[]): void {
    execute(this, c, argv);
  }

  /** Bookkeeping after a command ran: slowlog, MONITOR, propagation of changes. */
  afterCall(c: Client, cmd: Command, argv: string[], usec: number, changed: boolean): void {
    this.slowlog.consider(c, cmd, argv, usec);
    if (this.monitors.size > 0 && !cmd.has('skip_monitor') && !cmd.has('admin')) this.feedMonitors(c, argv);
    if (changed && this.propagationSinks.length > 0) {
      for (const form of c.takePropagation(argv)) this.propagate(c.dbIndex, form);
    }
  }

  /** Hands one change to every sink (replicas, AOF). */
  propagate(db: number, argv: string[]): void {
    for (const sink of this.propagationSinks) sink(db, argv);
  }

  private feedMonitors(c: Client, argv: string[]): void {
    const now = Date.now();
    const origin = c.socket === null ? 'lua' : c.addr.startsWith('/') || c.addr.startsWith(':') ? `unix:${this.unixSocketPath}` : c.addr;
    let line = `+${Math.floor(now / 1000)}.${String((now % 1000) * 1000).padStart(6, '0')} [${c.dbIndex} ${origin}]`;
    for (const a of argv) line += ` "${monitorQuote(a)}"`;
    line += '\r\n';
    for (const m of this.monitors) {
      if (m === c) continue;
      m.raw(line);
      m.flush();
    }
  }

  // ---- KeyspaceHost ----------------------------------------------------------------

  now(): number {
    return Date.now();
  }

  expiresKeys(): boolean {
    return true;
  }

  keyExpired(db: Database, key: string): void {
    this.stats.expiredKeys++;
    this.dirty++;
    if (this.propagationSinks.length > 0) this.propagate(db.id, ['DEL', key]);
  }

  countLookup(hit: boolean): void {
    if (hit) this.stats.keyspaceHits++;
    else this.stats.keyspaceMisses++;
  }

  lruClock(): number {
    return this.lruClockValue;
  }

  private updateLruClock(): void {
    this.lruClockValue = Math.floor(Date.now() / 1000) & lruClockMax;
  }

  // ---- cron ------------------------------------------------------------------------

  /** Periodic work, `hz` times a second, as Redis's serverCron. */
  private cron(): void {
    this.updateLruClock();
    const hz = this.config.getInt('hz');
    if (this.expiresKeys()) {
      // Redis's slow cycle: at most 25% of the cron period.
      this.activeExpire.cycle(this.dbs, 250 / hz, () => Date.now());
    }
    this.closeIdleClients();
  }

  /** `timeout`: closes clients idle for longer (never replicas, masters, blocked or pubsub clients). */
  private closeIdleClients(): void {
    const timeoutSeconds = this.config.getInt('timeout');
    if (timeoutSeconds === 0) return;
    const now = Date.now();
    for (const c of this.clients.values()) {
      if (!c.idleTimeoutApplies()) continue;
      if (now - c.lastInteraction > timeoutSeconds * 1000) {
        this.log.verbose('Closing idle client');
        c.close();
      }
    }
  }
}

function listenOn(listener: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options, () => {
      listener.off('error', reject);
      resolve();
    });
  });
}


/** MONITOR's quoting of an argument, as Redis's sdscatrepr. */
export function monitorQuote(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0x5c) out += '\\\\';
    else if (ch === 0x22) out += '\\"';
    else if (ch === 0x0a) out += '\\n';
    else if (ch === 0x0d) out += '\\r';
    else if (ch === 0x09) out += '\\t';
    else if (ch === 0x07) out += '\\a';
    else if (ch === 0x08) out += '\\b';
    else if (ch >= 0x20 && ch < 0x7f) out += s[i];
    else out += '\\x' + ch.toString(16).padStart(2, '0');
  }
  return out;
}
