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
import { performance } from 'node:perf_hooks';
import { Config, type ClientBufferLimit, type ClientBufferLimits } from '../config/config.js';
import { CommandTable, type Command } from '../commands/registry.js';
import { commandFamilies } from '../commands/index.js';
import { Database, lruClockMax, type KeyspaceHost, type LfuSettings } from '../store/database.js';
import { ActiveExpire } from '../store/expire.js';
import { Snapshotter } from '../store/snapshot.js';
import { Persistence } from '../persistence/persistence.js';
import { Replication } from '../replication/replication.js';
import { replicaOfAtStartup } from '../replication/replica-role.js';
import { Aof } from '../persistence/aof.js';
import type { Value } from '../store/value.js';
import { Client } from './client.js';
import { BlockingManager } from './blocking.js';
import { PubSub } from './pubsub.js';
import { execute } from './dispatch.js';
import { Logger } from './log.js';
import { LatencyMonitor } from './latency.js';
import { ServerMetrics } from './info.js';
import { SlowLog } from './slowlog.js';
import { Stats } from './stats.js';
import { Evictor } from './evict.js';
import { Shutdown } from './shutdown.js';
import { WatchRegistry } from './multi.js';
import { catRepr } from '../util/splitargs.js';
import { NOTIFY_EXPIRED, NOTIFY_KEYEVENT, NOTIFY_KEYSPACE, NOTIFY_KEY_MISS, NOTIFY_NEW } from '../config/options.js';
import { tandemVersion, redisVersion } from '../version.js';

/**
 * Receives every change to the dataset, in the deterministic form replicas and the AOF need.
 * `replicasOnly`: for replicas, not the AOF (PUBLISH, as Redis's PROPAGATE_REPL).
 */
export type PropagationSink = (db: number, argv: string[], replicasOnly: boolean) => void;

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
  /** Replication IDs, offsets, backlog and stream (src/replication). */
  readonly replication: Replication;
  readonly latency: LatencyMonitor;
  readonly metrics = new ServerMetrics();
  /** Channel, pattern and shard channel subscriptions. */
  readonly pubsub = new PubSub();
  /** client-output-buffer-limit in bytes per class, cached: checked at every reply write. */
  outputBufferLimits: Record<keyof ClientBufferLimits, OutputBufferLimit>;
  /** notify-keyspace-events as NOTIFY_* flags, cached: tested at every change of the dataset. */
  private keyspaceEventFlags = 0;
  /** DEBUG SET-ACTIVE-EXPIRE: whether the cron deletes expired keys nobody reads. */
  activeExpireEnabled = true;
  /** Called once SHUTDOWN has closed the server: bin/tandem-server exits the process here. */
  onShutdown: (() => void) | null = null;
  /** SHUTDOWN and the signals: waiting for replicas, the final save, closing. */
  readonly shutdown = new Shutdown(this);
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
  /** Cached from maxmemory-policy / lfu-log-factor / lfu-decay-time: read on every key access. */
  private lfuSettings: LfuSettings | null = null;
  private closing: Promise<void> | null = null;
  /** CLIENT PAUSE in force: whether it holds every command or only writes, and until when (ms). */
  private clientPause: { all: boolean; end: number } | null = null;
  /**
   * Write pauses the server holds for itself until it lifts them (Redis's
   * PAUSE_DURING_FAILOVER and PAUSE_DURING_SHUTDOWN), besides CLIENT PAUSE.
   */
  private readonly writePauses = new Set<'failover' | 'shutdown'>();
  private pauseTimer: NodeJS.Timeout | null = null;
  /** Clients whose next command waits for the pause to end, in the order they were held. */
  readonly pausedClients = new Set<Client>();
  /** Clients blocked on keys (BLPOP, XREAD BLOCK, ...) and the keys ready to serve them. */
  readonly blocking = new BlockingManager(this);
  // ---- transactions, propagation of execution units, maxmemory ----
  /** Which clients WATCH which keys. */
  readonly watches = new WatchRegistry();
  /** Evicts keys under maxmemory (see evict.ts). */
  readonly evictor: Evictor;
  /** Error replies already charged to a command (Redis's prev_err_count): see dispatch's call(). */
  errorsAccounted = 0;
  /** The client whose command is being executed (Redis's server.current_client). */
  currentClient: Client | null = null;
  /** Nesting of command calls: EXEC calls its queued commands inside its own call. */
  private callDepth = 0;
  /** Changes of the outermost call under way, propagated when it ends (Redis's also_propagate). */
  private pendingPropagation: Array<{ db: number; argv: string[]; replicasOnly: boolean }> = [];
  /** Point-in-time snapshots of the keyspace (BGSAVE, AOF rewrite, full sync), one at a time. */
  readonly snapshots = new Snapshotter(() => this.dbs);
  /** SAVE/BGSAVE, save points, the dump loaded at startup. */
  readonly persistence = new Persistence(this);
  /** The append-only file (appendonly, BGREWRITEAOF). */
  readonly aof: Aof;
  /** Unix socket path we created, removed at close. */
  private unixSocketPath: string | null = null;

  constructor(config: Config, options: ServerOptions = {}) {
    this.config = config;
    this.aof = new Aof(this);
    this.log = new Logger(options.logSink ?? null);
    this.commands = new CommandTable(commandFamilies);
    this.runId = randomBytes(20).toString('hex');
    this.replication = new Replication(this);
    this.latency = new LatencyMonitor(config);
    config.onChange('hz', () => {
      if (this.cronTimer) this.startCron();
    });
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
    this.updateLfuSettings();
    for (const name of ['maxmemory-policy', 'lfu-log-factor', 'lfu-decay-time']) {
      config.onChange(name, () => this.updateLfuSettings());
    }
    this.updateLruClock();
    this.evictor = new Evictor(this);
    this.keyspaceEventFlags = config.getInt('notify-keyspace-events');
    config.onChange('notify-keyspace-events', () => {
      this.keyspaceEventFlags = config.getInt('notify-keyspace-events');
    });
    this.outputBufferLimits = outputBufferLimits(config);
    config.onChange('client-output-buffer-limit', () => {
      this.outputBufferLimits = outputBufferLimits(config);
    });
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
    replicaOfAtStartup(this);
    this.log.role = this.replication.master !== null ? 'S' : 'M';
    const port = this.config.getInt('port');
    this.log.notice(`Running mode=standalone, port=${port}.`);
    this.log.notice(`Tandem ${tandemVersion} (Redis ${redisVersion} compatible) 64 bit, PID: ${process.pid}`);
    this.writePidFile();
    this.log.warning('Server initialized');
    if (port !== 0) this.listeners.push(...(await this.listenTcp(port)));
    await this.listenUnix();
    await this.loadDataAtStartup();
    this.startCron();
    this.log.notice('Ready to accept connections tcp');
    if (this.unixSocketPath) this.log.notice(`The server is now ready to accept connections at ${this.unixSocketPath}`);
    this.replication.master?.start();
  }

  /** Redis's loadDataFromDisk: the dump, while clients already connected get -LOADING. */
  private async loadDataAtStartup(): Promise<void> {
    // With appendonly yes the AOF is the dataset, and the dump is not read.
    if (await this.aof.loadAtStartup()) return;
    const started = Date.now();
    const loaded = await this.persistence.loadDumpAtStartup(this.replication.prepareStartupLoad());
    if (loaded !== null) this.log.notice(`DB loaded from disk: ${((Date.now() - started) / 1000).toFixed(3)} seconds`);
    // Replicas of this server, or its master, may resume the stream where the file left it.
    this.replication.restoreFromDump(loaded?.aux ?? null);
  }

  /**
   * What must happen before exiting (SHUTDOWN, SIGTERM), as Redis's
   * prepareForShutdown: stop a background save, write the final dump when
   * save points are set (or `save`). False when that failed and `force` is
   * not given: the server then keeps running.
   */
  prepareShutdown(save: boolean, nosave: boolean, force: boolean): boolean {
    if (!this.aof.prepareShutdown(force)) return false;
    if (this.persistence.shutdownSave(save, nosave) || force) return true;
    return false;
  }

  /** Stops accepting, closes every client and timer. Safe to call twice. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      if (this.cronTimer) clearInterval(this.cronTimer);
      this.cronTimer = null;
      this.aof.close();
      this.evictor.stop();
      this.replication.master?.close();
      if (this.pauseTimer) clearTimeout(this.pauseTimer);
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

  /** (Re)starts the cron at the configured hz. */
  private startCron(): void {
    if (this.cronTimer) clearInterval(this.cronTimer);
    const hz = Math.max(1, Math.min(500, this.config.getInt('hz')));
    this.cronTimer = setInterval(() => this.cron(), Math.floor(1000 / hz));
  }

  /**
   * CONFIG SET port / bind: closes the TCP listeners and listens as configured
   * now, as Redis's changeListenPort. False when that failed (logged); the
   * caller then restores the old settings and calls this again.
   */
  async rebindTcp(): Promise<boolean> {
    for (let i = this.listeners.length - 1; i >= 0; i--) {
      const l = this.listeners[i];
      if (typeof l.address() === 'object') {
        l.close();
        this.listeners.splice(i, 1);
      }
    }
    const port = this.config.getInt('port');
    if (port === 0) return true;
    try {
      this.listeners.push(...(await this.listenTcp(port)));
      return true;
    } catch {
      return false;
    }
  }

  /** Opens a listener per bind address; on failure closes those already opened and throws. */
  private async listenTcp(port: number): Promise<net.Server[]> {
    const opened: net.Server[] = [];
    const binds = this.config.getList('bind');
    for (const raw of binds.length ? binds : ['*']) {
      const optional = raw.startsWith('-');
      const addr = optional ? raw.slice(1) : raw;
      const host = addr === '*' ? '0.0.0.0' : addr === '::*' ? '::' : addr;
      const listener = net.createServer((socket) => this.accept(socket));
      try {
        await listenOn(listener, { host, port, ipv6Only: host.includes(':') });
        opened.push(listener);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (optional && (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT')) {
          this.log.notice(`Skipping optional bind address ${addr}: ${err.message}`);
          continue;
        }
        this.log.warning(`Warning: Could not create server TCP listening socket ${addr}:${port}: ${err.message}`);
        for (const l of opened) l.close();
        throw new Error(`Failed listening on port ${port} (tcp), aborting.`);
      }
    }
    return opened;
  }

  private async listenUnix(): Promise<void> {
    const path = this.config.get('unixsocket') ?? '';
    if (path === '') return;
    fs.rmSync(path, { force: true });
    const listener = net.createServer((socket) => this.accept(socket, path));
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

  /** A new connection; `unixSocketPath` is set for connections to the unix socket. */
  private accept(socket: net.Socket, unixSocketPath?: string): void {
    if (this.clients.size >= this.config.getInt('maxclients')) {
      this.stats.rejectedConnections++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    const isProtected = this.config.getBool('protected-mode') && !this.requiresAuth();
    if (protectedModeDenies(isProtected, unixSocketPath !== undefined, socket.remoteAddress)) {
      // Redis creates the client before refusing it, so the id is used up.
      this.nextClientId++;
      this.stats.rejectedConnections++;
      socket.end(protectedModeDeniedReply);
      return;
    }
    this.stats.totalConnectionsReceived++;
    const c = new Client(this, this.allocateClientId(), socket, unixSocketPath);
    this.clients.set(c.id, c);
    if (this.config.getInt('tcp-keepalive') > 0 && socket.remoteAddress !== undefined) {
      socket.setKeepAlive(true, this.config.getInt('tcp-keepalive') * 1000);
    }
  }

  /** A new client id (CLIENT ID): accepted connections and the link to our master take one. */
  allocateClientId(): number {
    return this.nextClientId++;
  }

  /** Forgets a client whose connection has ended. */
  clientClosed(c: Client): void {
    this.clients.delete(c.id);
    this.monitors.delete(c);
    this.pubsub.unsubscribeAll(c);
    this.pausedClients.delete(c);
    this.blocking.clientClosed(c);
    this.watches.unwatchAll(c);
    this.replication.primary.clientClosed(c);
  }

  requiresAuth(): boolean {
    return (this.config.get('requirepass') ?? '') !== '';
  }

  /** enable-debug-command (and friends): yes, no, or local connections only. */
  protectedCommandAllowed(c: Client, cmd: Command): boolean {
    const mode = this.config.get(`enable-${cmd.name}-command`) ?? 'no';
    if (mode === 'yes') return true;
    if (mode === 'local') return this.isLocalClient(c);
    return false;
  }

  /** Connected over the unix socket or the loopback interface (enable-*-command local, protected configs). */
  isLocalClient(c: Client): boolean {
    return c.unixSocket || c.addr.startsWith('127.') || c.addr.startsWith('::1') || c.addr.startsWith(':');
  }

  // ---- CLIENT PAUSE ----------------------------------------------------------------

  /**
   * CLIENT PAUSE: from now until `end` (ms), hold every command (`all`) or only
   * those that may change data. A pause only ever becomes stricter or longer.
   */
  pauseClients(all: boolean, end: number): void {
    const p = this.clientPause;
    if (p === null || (all && !p.all) || (all === p.all && end > p.end)) this.clientPause = { all, end };
    this.armPauseTimer();
  }

  /** CLIENT UNPAUSE (or the pause timed out): held clients run their commands again, in order. */
  unpauseClients(): void {
    this.clientPause = null;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    this.releasePausedClients();
  }

  /** Holds writes until unpauseWritesFor(purpose): a failover, or a shutdown waiting for its replicas. */
  pauseWritesFor(purpose: 'failover' | 'shutdown'): void {
    this.writePauses.add(purpose);
  }

  unpauseWritesFor(purpose: 'failover' | 'shutdown'): void {
    if (this.writePauses.delete(purpose)) this.releasePausedClients();
  }

  /** Some pause is in force (Redis's areClientsPaused): the dataset must stay still. */
  get clientsPaused(): boolean {
    return this.clientPause !== null || this.writePauses.size > 0;
  }

  /** Held clients try their commands again, in order; those a remaining pause still holds wait again. */
  private releasePausedClients(): void {
    // Like Redis's beforeSleep: after the command that unpaused (and its client's pipeline) is done.
    queueMicrotask(() => {
      const held = [...this.pausedClients];
      this.pausedClients.clear();
      for (const c of held) c.resumeAfterPause();
    });
  }

  /**
   * Whether `cmd` must wait for the pause to end: every command under PAUSE ALL,
   * writes and commands that may replicate (PUBLISH, EVAL, ...) under PAUSE WRITE.
   * QUIT is never held, as Redis answers it before any check.
   */
  pauseHolds(cmd: Command): boolean {
    if (!this.clientsPaused || (cmd.name === 'quit' && cmd.parent === undefined)) return false;
    return this.clientPause?.all === true || cmd.has('write') || cmd.has('may_replicate');
  }

  private armPauseTimer(): void {
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    const p = this.clientPause;
    if (p === null) return;
    // setTimeout cannot wait longer than 2^31-1 ms: longer pauses re-arm on the way.
    const delay = Math.min(Math.max(0, p.end - Date.now()), 0x7fffffff);
    this.pauseTimer = setTimeout(() => {
      if (Date.now() >= p.end) this.unpauseClients();
      else this.armPauseTimer();
    }, delay);
  }

  // ---- commands ----------------------------------------------------------------

  execute(c: Client, argv: string[]): void {
    this.currentClient = c;
    execute(this, c, argv);
    this.currentClient = null;
    // Keys the command (or a whole EXEC) made ready serve blocked clients now, as Redis after call().
    this.blocking.handleReadyKeys();
    // Our master's stream: the replication offset moves past what was applied.
    if (c.type === 'master') this.replication.master?.client?.commandApplied();
  }

  /** Bookkeeping after a command ran: slowlog, MONITOR, propagation of changes. */
  afterCall(c: Client, cmd: Command, argv: string[], usec: number, changed: boolean): void {
    // A command that blocked is logged and timed when its wait ends.
    if (c.blocked !== null) {
      this.blocking.callFinished(c, usec);
    } else {
      this.slowlog.consider(c, cmd, argv, usec);
      this.latency.commandExecuted(cmd, usec);
    }
    if (this.monitors.size > 0 && !cmd.has('skip_monitor') && !cmd.has('admin')) this.feedMonitors(c, argv);
    if (changed && this.propagationSinks.length > 0) {
      const replicasOnly = c.propagateToReplicasOnly;
      for (const form of c.takePropagation(argv)) this.propagate(c.dbIndex, form, replicasOnly);
    }
  }

  /**
   * Hands one change to every sink (replicas, AOF). Inside a command call the
   * change waits for the outermost call to end (see leaveCall).
   */
  propagate(db: number, argv: string[], replicasOnly = false): void {
    // Nothing a load replays goes out again (Redis's shouldPropagate), however deep the call.
    if (this.propagationSinks.length === 0 || this.persistence.loading !== null) return;
    if (this.callDepth > 0) this.pendingPropagation.push({ db, argv, replicasOnly });
    else for (const sink of this.propagationSinks) sink(db, argv, replicasOnly);
  }

  /** Inside EXEC (a call within a call): what would split the transaction waits, as Redis's server.in_exec. */
  get inNestedCall(): boolean {
    return this.callDepth > 1;
  }

  /** A command call begins (see dispatch's call). */
  enterCall(): void {
    this.callDepth++;
  }

  /**
   * A command call ended. At the end of the outermost one, what it changed is
   * propagated: a single change as it is, several (an EXEC's writes, a lazily
   * expired key's DEL before the write that found it) as one MULTI/EXEC
   * block, as Redis 7.0's propagatePendingCommands.
   */
  leaveCall(): void {
    if (--this.callDepth > 0 || this.pendingPropagation.length === 0) return;
    const ops = this.pendingPropagation;
    this.pendingPropagation = [];
    const block = ops.length > 1;
    if (block) this.propagate(ops[0].db, ['MULTI']);
    for (const op of ops) this.propagate(op.db, op.argv, op.replicasOnly);
    if (block) this.propagate(ops[ops.length - 1].db, ['EXEC']);
  }

  /** Shows a command to MONITOR clients. */
  feedMonitors(c: Client, argv: string[]): void {
    // Microseconds since the epoch, as Redis prints them.
    const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    const origin = c.socket === null ? 'lua' : c.unixSocket ? `unix:${this.unixSocketPath}` : c.addr;
    let line = `+${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')} [${c.dbIndex} ${origin}]`;
    for (const a of argv) line += ` ${catRepr(a)}`;
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

  /** Keys do not expire while clients are paused, so that the dataset stays still (as Redis 7.0). */
  expiresKeys(): boolean {
    // Nor while a dataset loads: an AOF replays commands on keys whose time has passed (Redis's keyIsExpired).
    // Nor on a replica: its master's DEL removes them.
    return !this.clientsPaused && this.persistence.loading === null && this.replication.master === null;
  }

  /** The master's stream sees keys as the master does, not yet expired until its DEL (see Database.expired). */
  seesExpiredKeys(): boolean {
    return this.currentClient?.type === 'master';
  }

  keyExpired(db: Database, key: string): void {
    this.notifyKeyspaceEvent(NOTIFY_EXPIRED, 'expired', key, db.id);
    this.watches.touch(db, key);
    // Not a change of `dirty`, as in Redis: the command that came across the key is not propagated for it.
    this.stats.expiredKeys++;
    if (this.propagationSinks.length > 0) {
      this.propagate(db.id, [this.config.getBool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]);
    }
  }

  countLookup(hit: boolean): void {
    if (hit) this.stats.keyspaceHits++;
    else this.stats.keyspaceMisses++;
  }

  keyMissed(db: Database, key: string): void {
    this.notifyKeyspaceEvent(NOTIFY_KEY_MISS, 'keymiss', key, db.id);
  }

  lruClock(): number {
    return this.lruClockValue;
  }

  lfu(): LfuSettings | null {
    return this.lfuSettings;
  }

  keyModified(db: Database, key: string): void {
    this.watches.touch(db, key);
  }

  snapshotKey(dict: Map<string, Value>, key: string, value: Value, expireAt: number | undefined): void {
    this.snapshots.copyOnWrite(dict, key, value, expireAt);
  }

  keysReplacing(db: Database, replacedWith: Database | null): void {
    this.watches.touchAll(db, replacedWith);
  }

  keyCreated(db: Database, key: string): void {
    this.blocking.signalKeyAsReady(db, key);
    this.notifyKeyspaceEvent(NOTIFY_NEW, 'new', key, db.id);
  }

  /**
   * Publishes a keyspace event (`type` is one of the NOTIFY_* classes of
   * config/options.ts, `event` e.g. "set", "lpush", "expired") on
   * __keyspace@<db>__:<key> and __keyevent@<db>__:<event> as
   * notify-keyspace-events selects. Commands call it after each change, as
   * Redis's notifyKeyspaceEvent.
   */
  notifyKeyspaceEvent(type: number, event: string, key: string, dbid: number): void {
    const flags = this.keyspaceEventFlags;
    if ((flags & type) === 0) return;
    if (flags & NOTIFY_KEYSPACE) this.pubsub.publish(`__keyspace@${dbid}__:${key}`, event);
    if (flags & NOTIFY_KEYEVENT) this.pubsub.publish(`__keyevent@${dbid}__:${event}`, key);
  }


  private updateLfuSettings(): void {
    const lfu = this.config.getEnum('maxmemory-policy').endsWith('-lfu');
    this.lfuSettings = lfu
      ? { logFactor: this.config.getInt('lfu-log-factor'), decayMinutes: this.config.getInt('lfu-decay-time') }
      : null;
  }

  private updateLruClock(): void {
    this.lruClockValue = Math.floor(Date.now() / 1000) & lruClockMax;
  }

  // ---- cron ------------------------------------------------------------------------

  /** Periodic work, `hz` times a second, as Redis's serverCron. */
  private cron(): void {
    this.updateLruClock();
    const hz = this.config.getInt('hz');
    this.metrics.cron(this.stats);
    this.aof.cron();
    this.persistence.cron();
    this.replication.primary.cron();
    this.shutdown.cron();
    if (this.expiresKeys() && this.activeExpireEnabled) {
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

/** The reply refusing a remote connection in protected mode, as Redis 7.0 words it. */
export const protectedModeDeniedReply =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the ' +
  'default user. In this mode connections are only accepted from the loopback interface. If you want to connect ' +
  'from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode ' +
  "sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the " +
  'same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. ' +
  'Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by ' +
  "editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the " +
  "server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' " +
  'option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above ' +
  'things in order for the server to start accepting connections from the outside.\r\n';

/**
 * Protected mode (on, and the default user has no password) accepts only
 * loopback and unix socket connections. Redis 7.0 applies it whatever `bind` says.
 */
export function protectedModeDenies(isProtected: boolean, unixSocket: boolean, remoteIp: string | undefined): boolean {
  if (!isProtected || unixSocket) return false;
  const ip = remoteIp?.startsWith('::ffff:') ? remoteIp.slice(7) : remoteIp;
  return ip !== '127.0.0.1' && ip !== '::1';
}

/** One class's client-output-buffer-limit, in bytes (0: no limit). */
export interface OutputBufferLimit {
  hard: number;
  soft: number;
  seconds: number;
}

function outputBufferLimits(config: Config): Record<keyof ClientBufferLimits, OutputBufferLimit> {
  const limits = config.getClientOutputBufferLimits();
  const inBytes = (l: ClientBufferLimit) => ({ hard: Number(l.hard), soft: Number(l.soft), seconds: l.seconds });
  return { normal: inBytes(limits.normal), slave: inBytes(limits.slave), pubsub: inBytes(limits.pubsub) };
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
