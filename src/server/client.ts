// One connected client: its socket, query parser, reply buffer and the
// per-connection state commands read and change (selected db, protocol,
// name, reply mode). Everything a client sends in one read is executed and
// its replies leave in one write.

import type net from 'node:net';
import { ProtocolError, RequestParser } from '../protocol/parser.js';
import { ReplyWriter } from '../protocol/reply.js';
import type { Command } from '../commands/registry.js';
import type { Database } from '../store/database.js';
import type { Server } from './server.js';
import { clientInfoString } from './client-info.js';
import type { BlockedState } from './blocking.js';
import { Subscriptions } from './pubsub.js';
import { TransactionState, discardTransaction } from './multi.js';
import { catRepr } from '../util/splitargs.js';
import type { ReplicaLink } from '../replication/primary-link.js';

export class Client extends ReplyWriter {
  readonly id: number;
  readonly server: Server;
  readonly socket: net.Socket | null;
  /** "ip:port" of the peer and of our end, as CLIENT LIST shows them ("path:0" for unix sockets). */
  readonly addr: string;
  readonly laddr: string;
  readonly unixSocket: boolean;
  /** File descriptor number, or -1 when not known (CLIENT LIST `fd`). */
  readonly fd: number;
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  name = '';
  libName = '';
  libVer = '';
  user = 'default';
  authenticated: boolean;
  db: Database;
  /** CLIENT REPLY OFF */
  replyOff = false;
  /** CLIENT REPLY SKIP was sent: the next command's reply is dropped. */
  skipNextReply = false;
  /** Dropping the reply of the command being executed (it followed CLIENT REPLY SKIP). */
  private skipThisReply = false;
  /** The command being executed and its arguments (CLIENT LIST `cmd`, slowlog, errors). */
  argv: string[] = [];
  cmd: Command | null = null;
  lastCmd: Command | null = null;
  /** CLIENT NO-EVICT */
  noEvict = false;
  /** Set once the client is to be closed after its pending replies are written (QUIT, errors). */
  closeAfterReply = false;
  closed = false;
  /** Commands are not read while this is set (CLIENT PAUSE, blocking commands). */
  paused = false;
  /** Total bytes read and written, for INFO stats and CLIENT LIST. */
  bytesIn = 0;
  bytesOut = 0;
  /** Largest batch of replies written at once (CLIENT LIST rbp). */
  replyPeakBytes = 0;
  /** The command CLIENT PAUSE holds, run again when the pause ends. */
  private heldArgv: string[] | null = null;
  // ---- blocking commands (see blocking.ts) ----
  /** What the client waits for while a blocking command (BLPOP, XREAD BLOCK, ...) holds it; null when not blocked. */
  blocked: BlockedState | null = null;
  /** Blocking commands act as their non-blocking forms: set while EXEC runs its queue (Redis's CLIENT_DENY_BLOCKING). */
  denyBlocking = false;
  /** MULTI queue, WATCHed keys and the flags EXEC reads (see multi.ts). */
  readonly tx = new TransactionState();
  // ---- pub/sub (see pubsub.ts) ----
  /** Channels, patterns and shard channels this client listens to. */
  readonly subscriptions = new Subscriptions();
  /** Set while a pub/sub push is written: pushes ignore CLIENT REPLY OFF/SKIP, as Redis's CLIENT_PUSHING. */
  pushing = false;
  // ---- replication (see replication/primary.ts) ----
  /** Set once this connection is a replica of ours (SYNC/PSYNC): its link. */
  replica: ReplicaLink | null = null;
  /** master_repl_offset after this client's latest command: what WAIT waits for (Redis's c->woff). */
  woff = 0;
  /** When the output first went over its class's soft limit (seconds), 0 while under it. */
  private softLimitSince = 0;

  private readonly parser = new RequestParser();
  /** Forms to propagate instead of the command as received, set by the command (see propagateAs). */
  private propagateForms: string[][] | null = null;
  /** The command asked to be propagated even though it changed nothing (Redis's forceCommandPropagation). */
  propagationForced = false;
  /** The command's propagation goes to replicas only, not the AOF (PUBLISH). */
  propagateToReplicasOnly = false;

  constructor(server: Server, id: number, socket: net.Socket | null, unixSocketPath?: string) {
    super();
    this.server = server;
    this.id = id;
    this.socket = socket;
    this.db = server.dbs[0];
    this.authenticated = !server.requiresAuth();
    this.unixSocket = unixSocketPath !== undefined;
    if (unixSocketPath !== undefined) {
      this.addr = this.laddr = `${unixSocketPath}:0`;
    } else {
      this.addr = socket ? formatAddress(socket.remoteAddress, socket.remotePort) : '';
      this.laddr = socket ? formatAddress(socket.localAddress, socket.localPort) : '';
    }
    const handle = (socket as unknown as { _handle?: { fd?: number } } | null)?._handle;
    this.fd = typeof handle?.fd === 'number' ? handle.fd : -1;
    if (socket) {
      socket.setNoDelay(true);
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('error', () => this.close());
      socket.on('close', () => this.close());
    }
  }

  get dbIndex(): number {
    return this.db.id;
  }

  /** Query buffer in use and allocated, for CLIENT LIST qbuf / qbuf-free. */
  get queryBufferBytes(): number {
    return this.parser.pendingBytes;
  }
  get queryBufferFreeBytes(): number {
    return this.parser.capacityBytes - this.parser.pendingBytes;
  }

  protected replyEnabled(): boolean {
    return this.pushing || (!this.replyOff && !this.skipThisReply);
  }

  protected onErrorReply(message: string): void {
    this.server.stats.countError(message);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.bytesIn += chunk.length;
    this.server.stats.netInputBytes += chunk.length;
    this.server.stats.readsProcessed++;
    this.parser.feed(chunk);
    if (this.parser.pendingBytes > this.server.queryBufferBytesMax) {
      this.server.log.warning(
        `Closing client that reached max query buffer length: ${clientInfoString(this)} ` +
          `(qbuf initial bytes: ${catRepr(this.parser.peek(64))})`,
      );
      this.close();
      return;
    }
    this.processInput();
  }

  /** Executes every complete command in the query buffer, then writes the replies. */
  processInput(): void {
    while (!this.paused && !this.closeAfterReply && !this.closed) {
      let argv: string[] | null;
      try {
        argv = this.parser.next({ bulkBytesMax: this.server.bulkBytesMax, authenticated: this.authenticated });
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        this.protocolError(e.message);
        break;
      }
      if (argv === null) break;
      if (argv.length === 0) continue;
      this.lastInteraction = Date.now();
      this.server.execute(this, argv);
    }
    this.flush();
  }

  /** Replies with Redis's protocol error and closes after writing it, as Redis does. */
  private protocolError(message: string): void {
    this.server.log.verbose(`Protocol error (${message}) from client: ${clientInfoString(this)}`);
    this.error(`ERR Protocol error: ${message}`);
    this.closeAfterReply = true;
  }

  /** Called before each command, so that CLIENT REPLY SKIP silences exactly the next one. */
  beforeCommand(): void {
    this.skipThisReply = this.skipNextReply;
    this.skipNextReply = false;
  }

  /** Before each call, EXEC's queued ones included: what the previous command asked to propagate is forgotten. */
  resetPropagation(): void {
    this.propagateForms = null;
    this.propagationForced = false;
    this.propagateToReplicasOnly = false;
  }

  /** CLIENT REPLY ON|OFF|SKIP. ON also cancels a SKIP that would drop its own reply. */
  setReplyMode(mode: 'on' | 'off' | 'skip'): void {
    if (mode === 'on') {
      this.replyOff = false;
      this.skipNextReply = false;
      this.skipThisReply = false;
    } else if (mode === 'off') {
      this.replyOff = true;
    } else if (!this.replyOff) {
      this.skipNextReply = true;
    }
  }

  /**
   * RESET: back to the state of a new connection (Redis's clearClientConnectionState).
   * The name goes; CLIENT NO-EVICT and a pending REPLY SKIP of RESET itself stay, as in Redis.
   */
  resetConnectionState(): void {
    this.server.monitors.delete(this);
    discardTransaction(this);
    this.server.pubsub.unsubscribeAll(this);
    this.db = this.server.dbs[0];
    this.resp = 2;
    this.user = 'default';
    this.authenticated = !this.server.requiresAuth();
    this.name = '';
    this.replyOff = false;
    this.skipNextReply = false;
  }

  /** Whether a command is waiting for CLIENT PAUSE to end (CLIENT LIST flag 'b'). */
  get heldByPause(): boolean {
    return this.heldArgv !== null;
  }

  /** Keeps `argv` (being dispatched) until the pause ends; nothing more is read meanwhile. */
  holdForPause(argv: string[]): void {
    this.heldArgv = argv;
    this.paused = true;
    // The command has not run: a REPLY SKIP before it still applies when it does.
    this.skipNextReply = this.skipThisReply;
    this.skipThisReply = false;
    this.server.pausedClients.add(this);
  }

  /** The pause ended: run the held command again from the start, then the rest of the query buffer. */
  resumeAfterPause(): void {
    const argv = this.heldArgv;
    this.heldArgv = null;
    this.paused = false;
    if (argv === null || this.closed) return;
    this.lastInteraction = Date.now();
    this.server.execute(this, argv);
    this.processInput();
  }

  /**
   * Replaces what replicas and the AOF receive for the command being run by
   * its deterministic form(s): EXPIRE → PEXPIREAT, SET EX → SET PXAT, etc.
   */
  propagateAs(...forms: string[][]): void {
    this.propagateForms = forms;
  }

  /** What to propagate for the command just run with `argv`. */
  takePropagation(argv: string[]): string[][] {
    const forms = this.propagateForms ?? [argv];
    this.propagateForms = null;
    return forms;
  }

  /** Whether `timeout` may close this client when idle (not monitors, paused, blocked, pubsub clients or replicas). */
  idleTimeoutApplies(): boolean {
    return (
      !this.server.monitors.has(this) &&
      this.heldArgv === null &&
      this.blocked === null &&
      !this.isPubSub &&
      this.replica === null
    );
  }

  /** Writes queued replies to the socket in one go. */
  flush(): void {
    if (!this.closed && this.outputLimitReached()) {
      this.server.log.warning(
        `Client ${clientInfoString(this)} scheduled to be closed ASAP for overcoming of output buffer limits.`,
      );
      this.close();
      return;
    }
    // What the replies acknowledge reaches the AOF first, as Redis writes it before handling client writes.
    if (this.pendingReplyBytes > 0) this.server.aof.beforeReplies();
    const chunks = this.takeOutput();
    if (chunks !== null && this.socket && !this.closed) {
      let n = 0;
      if (chunks.length === 1) {
        n = chunks[0].length;
        this.socket.write(chunks[0]);
      } else {
        this.socket.cork();
        for (const c of chunks) {
          n += c.length;
          this.socket.write(c);
        }
        this.socket.uncork();
      }
      this.bytesOut += n;
      if (n > this.replyPeakBytes) this.replyPeakBytes = n;
      this.server.stats.netOutputBytes += n;
      this.server.stats.writesProcessed++;
    }
    if (this.closeAfterReply && !this.closed) {
      this.closed = true;
      this.socket?.end();
      this.server.clientClosed(this);
    }
  }

  // ---- pub/sub -------------------------------------------------------------------

  /** Subscribed to anything (Redis's CLIENT_PUBSUB): RESP2 then only takes (un)subscribe commands, PING, QUIT, RESET. */
  get isPubSub(): boolean {
    return this.subscriptions.total > 0;
  }

  /** The client class, as CLIENT LIST/KILL TYPE and client-output-buffer-limit name it. Monitors are normal clients. */
  get type(): ClientType {
    if (this.replica !== null) return 'replica';
    return this.isPubSub ? 'pubsub' : 'normal';
  }

  /**
   * Redis's checkClientOutputBufferLimits: whether the output waiting for the
   * socket is over the hard limit of the client's class, or has been over the
   * soft limit for longer than its seconds.
   */
  private outputLimitReached(): boolean {
    // Fake clients (no connection) have nowhere to be disconnected from.
    if (this.socket === null) return false;
    const type = this.type;
    const limit = this.server.outputBufferLimits[type === 'replica' ? 'slave' : type === 'master' ? 'normal' : type];
    if (limit.hard === 0 && limit.soft === 0) return false;
    const used = this.pendingReplyBytes + this.socket.writableLength;
    if (limit.hard !== 0 && used >= limit.hard) return true;
    if (limit.soft === 0 || used < limit.soft) {
      this.softLimitSince = 0;
      return false;
    }
    const now = Math.floor(Date.now() / 1000);
    if (this.softLimitSince === 0) this.softLimitSince = now;
    return now - this.softLimitSince > limit.seconds;
  }

  /** Closes the connection now, dropping pending replies. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket?.destroy();
    this.server.clientClosed(this);
  }
}

/** Client classes, as CLIENT LIST TYPE and CLIENT KILL TYPE name them. */
export type ClientType = 'normal' | 'replica' | 'pubsub' | 'master';

/** "ip:port", with IPv4-mapped IPv6 addresses shown as plain IPv4 as Redis does. */
export function formatAddress(ip: string | undefined, port: number | undefined): string {
  let host = ip ?? '';
  if (host.startsWith('::ffff:')) host = host.slice(7);
  return `${host}:${port ?? 0}`;
}
