// The replica side of replication (the "SLAVE" half of Redis 7.0's
// replication.c): the link to our master, from the TCP connection through the
// handshake (PING, AUTH, REPLCONF, PSYNC) and the full or partial
// resynchronisation to the master client applying the stream, and what keeps
// it alive: an ACK every second, timeouts, reconnection, the cached master
// that lets a broken link resume with +CONTINUE.
//
// Log lines are Redis's, word for word: operators and tools read them.

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { strerror } from '../config/values.js';
import type { RdbLoadResult } from '../persistence/rdb-load.js';
import type { Server } from '../server/server.js';
import { Database } from '../store/database.js';
import { MasterClient } from './replica-master-client.js';
import { PayloadTransfer, eofMarkBytes } from './replica-transfer.js';
import { noReplId, type SavedReplicationInfo } from './replication.js';

/** Where the link to our master stands (Redis's REPL_STATE_*; having no link is Redis's REPL_STATE_NONE). */
export enum ReplState {
  /** Must connect to the master: the cron tries every second. */
  Connect,
  /** The TCP connection is being established. */
  Connecting,
  // The handshake, in this order (slaveIsInHandshakeState).
  /** PING sent, waiting for its reply. */
  ReceivePingReply,
  /** Sending AUTH, REPLCONF listening-port / ip-address / capa in one go. */
  SendHandshake,
  /** Waiting for the reply to AUTH. */
  ReceiveAuthReply,
  /** Waiting for the reply to REPLCONF listening-port. */
  ReceivePortReply,
  /** Waiting for the reply to REPLCONF ip-address. */
  ReceiveIpReply,
  /** Waiting for the reply to REPLCONF capa. */
  ReceiveCapaReply,
  /** Sending PSYNC. */
  SendPsync,
  /** Waiting for +FULLRESYNC or +CONTINUE. */
  ReceivePsyncReply,
  /** Receiving, then loading, the RDB of a full resynchronisation. */
  Transfer,
  /** The link is up: the master client applies the stream. */
  Connected,
}

/** What a partial resynchronisation continues from (Redis's server.cached_master). */
interface CachedMaster {
  replId: string;
  /** What was applied (received bytes not applied yet are dropped with the connection). */
  offset: number;
  /** The database the stream was in. */
  db: number;
}

const noBytes = Buffer.alloc(0);
/** Replication cron period, as Redis's replicationCron. */
const cronPeriodMs = 1000;

function unixtime(): number {
  return Math.floor(Date.now() / 1000);
}

/** strerror() of a socket failure, as Redis's connection layer reports it. */
function socketError(e: Error | null): string {
  switch ((e as NodeJS.ErrnoException | null)?.code) {
    case undefined: return 'connection lost';
    case 'ECONNREFUSED': return 'Connection refused';
    case 'ECONNRESET': return 'Connection reset by peer';
    case 'ETIMEDOUT': return 'Connection timed out';
    case 'EHOSTUNREACH': return 'No route to host';
    case 'ENETUNREACH': return 'Network is unreachable';
    case 'EPIPE': return 'Broken pipe';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'Name or service not known';
    default: return strerror(e);
  }
}

/** A command as RESP, for the handshake. */
function command(args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return out;
}

export class MasterLink {
  private readonly server: Server;
  host: string;
  port: number;
  state = ReplState.Connect;
  /** The master client while the link is up (Redis's server.master). */
  client: MasterClient | null = null;
  private cached: CachedMaster | null = null;
  /** The connection while connecting, handshaking and transferring (Redis's repl_transfer_s). */
  private socket: net.Socket | null = null;
  private socketError: Error | null = null;
  /** Bytes received during the handshake and not consumed yet. */
  private input: Buffer = noBytes;
  /** When the master was last heard from before the link is up (s, Redis's repl_transfer_lastio). */
  private lastIo = 0;
  /** When the link went down (s, Redis's repl_down_since); 0 while it never was up. */
  private downSince = 0;
  /** The replication ID and offset +FULLRESYNC gave (master_replid, master_initial_offset). */
  private fullSyncReplId = '';
  private fullSyncOffset = -1;
  private transfer: PayloadTransfer | null = null;
  /** Whether this transfer goes to memory (repl-diskless-load), decided as it starts. */
  private disklessLoad = false;
  /** The payload has arrived and is being loaded. */
  private loading = false;
  /** The AOF was turned off for a full sync, to be turned on again once its dataset is in (Redis: aof_state off, aof_enabled). */
  private aofStopped = false;
  private timer: NodeJS.Timeout | null = null;
  /** No longer our link (promotion, shutdown): nothing reconnects any more. */
  private detached = false;

  constructor(server: Server, host: string, port: number) {
    this.server = server;
    this.host = host;
    this.port = port;
  }

  // ---- role changes --------------------------------------------------------------

  /** Starts the replication cron; its first run connects, as Redis's right after startup. */
  start(): void {
    this.startCron();
    this.cron();
  }

  private startCron(): void {
    if (this.timer === null) this.timer = setInterval(() => this.cron(), cronPeriodMs);
  }

  /** No more reconnections, no more cron. */
  private detach(): void {
    this.detached = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Server shutdown: everything stops, quietly. */
  close(): void {
    this.detach();
    this.closeSocket();
    const client = this.client;
    this.client = null;
    client?.close();
  }

  /**
   * Replicating from `host`:`port` from now on (Redis's replicationSetMaster):
   * the old master's link goes (its state is cached: the new master may take
   * us with a partial resync), and the new connection starts at once. A
   * server that `wasMaster` offers its own history to the new master.
   */
  setMaster(host: string, port: number, wasMaster: boolean): void {
    const client = this.client;
    // The old master is not to be reconnected to.
    this.detached = true;
    client?.close();
    this.detached = false;
    this.server.blocking.disconnectAll();
    this.host = host;
    this.port = port;
    this.cancelHandshake(false);
    if (wasMaster) {
      this.discardCachedMaster();
      this.cacheMasterUsingMyself(0);
    }
    this.state = ReplState.Connect;
    this.server.log.notice(`Connecting to MASTER ${host}:${port}`);
    this.connect();
    this.startCron();
  }

  /**
   * REPLICAOF NO ONE (Redis's replicationUnsetMaster, the link's part): the
   * master client and any sync under way go, and no partial resync will
   * continue the old link.
   */
  unset(): void {
    this.detach();
    this.client?.close();
    this.discardCachedMaster();
    this.cancelHandshake(false);
    // A master writes its AOF, even if it was stopped for a sync that will not finish.
    this.restartAof();
  }

  /**
   * Before following a master, our own history becomes the cached master
   * (Redis's replicationCacheMasterUsingMyself), so that a promoted former
   * replica of ours can take us back with a partial resynchronisation.
   */
  private cacheMasterUsingMyself(db: number): void {
    this.server.log.notice(
      'Before turning into a replica, using my own master parameters to synthesize a cached master: I may be ' +
        'able to synchronize with the new master with just a partial transfer.',
    );
    const r = this.server.replication;
    this.cached = { replId: r.replId, offset: r.masterReplOffset, db };
  }

  private discardCachedMaster(): void {
    if (this.cached === null) return;
    this.server.log.notice('Discarding previously cached master state.');
    this.cached = null;
  }

  /**
   * After loading the dump at startup: a replica resumes the history the
   * file was saved in, as Redis's loadDataFromDisk.
   */
  restoreFromDump(saved: SavedReplicationInfo): void {
    const r = this.server.replication;
    r.replId = saved.replId;
    r.masterReplOffset = saved.offset;
    this.cacheMasterUsingMyself(saved.db);
  }

  /** The stream's database, for an RDB saved now (repl-stream-db). */
  streamDb(): number {
    return this.client !== null ? this.client.dbIndex : (this.cached?.db ?? -1);
  }

  // ---- the connection and the handshake ---------------------------------------------

  /** Redis's connectWithMaster. */
  private connect(): void {
    const socket = net.connect({ host: this.host, port: this.port });
    this.socket = socket;
    this.socketError = null;
    this.input = noBytes;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      if (this.socket === socket) this.connected();
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket === socket) this.received(chunk);
    });
    socket.on('error', (e) => {
      if (this.socket === socket) this.socketError = e;
    });
    socket.on('close', () => {
      if (this.socket === socket) this.connectionLost();
    });
    this.lastIo = unixtime();
    this.state = ReplState.Connecting;
    this.server.log.notice('MASTER <-> REPLICA sync started');
  }

  private connected(): void {
    this.server.log.notice('Non blocking connect for SYNC fired the event.');
    this.state = ReplState.ReceivePingReply;
    this.send(['PING']);
  }

  private send(args: string[]): void {
    this.socket?.write(command(args), 'latin1');
  }

  private inHandshake(): boolean {
    return this.state >= ReplState.ReceivePingReply && this.state <= ReplState.ReceivePsyncReply;
  }

  private received(chunk: Buffer): void {
    this.lastIo = unixtime();
    const t = this.transfer;
    if (t !== null && t.size !== -1 && !t.complete) {
      this.payloadData(t, chunk);
      return;
    }
    this.input = this.input.length === 0 ? chunk : Buffer.concat([this.input, chunk]);
    // While the payload loads, what comes is the stream: it waits for the master client.
    if (!this.loading) this.advance();
  }

  /** A reply line (Redis's syncReadLine: up to \n, without the \r), or null until one is complete. */
  private takeLine(): string | null {
    const nl = this.input.indexOf(10);
    if (nl === -1) return null;
    const end = nl > 0 && this.input[nl - 1] === 13 ? nl - 1 : nl;
    const line = this.input.toString('latin1', 0, end);
    this.input = this.input.subarray(nl + 1);
    return line;
  }

  /** Redis's syncWithMaster and readSyncBulkPayload: as far as the bytes received allow. */
  private advance(): void {
    for (;;) {
      if (this.state === ReplState.Transfer) {
        this.receivePayload(this.transfer!);
        return;
      }
      if (!this.inHandshake()) return;
      const reply = this.takeLine();
      if (reply === null) return;
      this.handshakeReply(reply);
    }
  }

  private handshakeReply(reply: string): void {
    const log = this.server.log;
    switch (this.state) {
      case ReplState.ReceivePingReply:
        // An authentication error is fine: AUTH comes next.
        if (
          reply[0] !== '+' &&
          !reply.startsWith('-NOAUTH') &&
          !reply.startsWith('-NOPERM') &&
          !reply.startsWith('-ERR operation not permitted')
        ) {
          log.warning(`Error reply to PING from master: '${reply}'`);
          this.fail();
          return;
        }
        log.notice('Master replied to PING, replication can continue...');
        this.sendHandshake();
        return;
      case ReplState.ReceiveAuthReply:
        if (reply[0] === '-') {
          log.warning(`Unable to AUTH to MASTER: ${reply}`);
          this.fail();
          return;
        }
        this.state = ReplState.ReceivePortReply;
        return;
      case ReplState.ReceivePortReply:
        // Not every version knows these REPLCONF options: errors are not fatal.
        if (reply[0] === '-') log.notice(`(Non critical) Master does not understand REPLCONF listening-port: ${reply}`);
        this.state = this.announceIp() !== '' ? ReplState.ReceiveIpReply : ReplState.ReceiveCapaReply;
        return;
      case ReplState.ReceiveIpReply:
        if (reply[0] === '-') log.notice(`(Non critical) Master does not understand REPLCONF ip-address: ${reply}`);
        this.state = ReplState.ReceiveCapaReply;
        return;
      case ReplState.ReceiveCapaReply:
        if (reply[0] === '-') log.notice(`(Non critical) Master does not understand REPLCONF capa: ${reply}`);
        this.state = ReplState.SendPsync;
        this.sendPsync();
        return;
      case ReplState.ReceivePsyncReply:
        this.psyncReply(reply);
        return;
    }
  }

  private announceIp(): string {
    return this.server.config.get('replica-announce-ip') ?? '';
  }

  /** AUTH and the REPLCONFs, pipelined; their replies are read one by one. */
  private sendHandshake(): void {
    const config = this.server.config;
    this.state = ReplState.SendHandshake;
    const auth = config.get('masterauth') ?? '';
    if (auth !== '') {
      const user = config.get('masteruser') ?? '';
      this.send(user !== '' ? ['AUTH', user, auth] : ['AUTH', auth]);
    }
    const port = config.getInt('replica-announce-port') || config.getInt('port') || this.server.tcpPort;
    this.send(['REPLCONF', 'listening-port', String(port)]);
    const ip = this.announceIp();
    if (ip !== '') this.send(['REPLCONF', 'ip-address', ip]);
    // eof: we take a diskless master's $EOF:<mark> payload; psync2: we understand +CONTINUE <new id>.
    this.send(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
    this.state = auth !== '' ? ReplState.ReceiveAuthReply : ReplState.ReceivePortReply;
  }

  /**
   * PSYNC with the cached master's ID and offset, or PSYNC ? -1 (Redis's
   * slaveTryPartialResynchronization); a master failing over to its replica
   * adds FAILOVER, which makes the replica take over before answering.
   */
  private sendPsync(): void {
    this.fullSyncOffset = -1;
    const cached = this.cached;
    let args: string[];
    if (cached !== null) {
      const from = String(cached.offset + 1);
      this.server.log.notice(`Trying a partial resynchronization (request ${cached.replId}:${from}).`);
      args = ['PSYNC', cached.replId, from];
    } else {
      this.server.log.notice('Partial resynchronization not possible (no cached master)');
      args = ['PSYNC', '?', '-1'];
    }
    if (this.server.replication.failover.inProgress) args.push('FAILOVER');
    this.send(args);
    this.state = ReplState.ReceivePsyncReply;
  }

  private psyncReply(reply: string): void {
    const log = this.server.log;
    const failover = this.server.replication.failover;
    // The master may send newlines before its reply, to keep the link alive.
    if (reply === '') return;
    if (reply.startsWith('+FULLRESYNC')) {
      const [, id, offset] = reply.split(' ');
      if (id === undefined || offset === undefined || id.length !== 40) {
        log.warning('Master replied with wrong +FULLRESYNC syntax.');
        // The next PSYNC must fail: this history is unknown.
        this.fullSyncReplId = '';
      } else {
        this.fullSyncReplId = id;
        this.fullSyncOffset = parseInt(offset, 10) || 0;
        log.notice(`Full resync from master: ${id}:${this.fullSyncOffset}`);
      }
      failover.psyncAnswered(true);
      this.startTransfer();
      return;
    }
    // +CONTINUE can only answer a PSYNC naming a history.
    if (reply.startsWith('+CONTINUE') && this.cached !== null) {
      // Writes resume before the stream is applied: the master client must not wait for the failover's pause.
      failover.psyncAnswered(true);
      this.continueStream(reply, this.cached);
      return;
    }
    const tryLater = reply.startsWith('-NOMASTERLINK') || reply.startsWith('-LOADING');
    if (tryLater) log.notice(`Master is currently unable to PSYNC but should be in the future: ${reply}`);
    else if (reply.startsWith('-ERR')) log.notice(`Master does not support PSYNC or is in error state (reply: ${reply})`);
    else log.warning(`Unexpected reply to PSYNC from master: ${reply}`);
    // A failover target that refuses to take over: the failover is aborted, and this server is a master again.
    if (failover.inProgress) {
      failover.psyncAnswered(false);
      return;
    }
    if (tryLater) {
      this.fail();
      return;
    }
    log.notice('Retrying with SYNC...');
    this.socket!.write('SYNC\r\n');
    this.startTransfer();
  }

  /** +CONTINUE [<new replid>]: the stream goes on from the cached master's offset. */
  private continueStream(reply: string, cached: CachedMaster): void {
    const log = this.server.log;
    const r = this.server.replication;
    log.notice('Successful partial resynchronization with master.');
    const id = reply.slice(10).trim();
    if (id.length === 40 && id !== cached.replId) {
      // The master's history continues ours under a new ID (it was promoted):
      // our own replicas may resume with the old one up to here (PSYNC2).
      log.warning(`Master replication ID changed to ${id}`);
      r.replId2 = cached.replId;
      r.secondReplOffset = r.masterReplOffset + 1;
      r.replId = id;
      cached.replId = id;
      r.disconnectReplicas();
    }
    this.cached = null;
    const streamStart = this.input;
    const client = this.linkUp(cached);
    // Restarted from a dump, there may be no backlog yet.
    if (r.backlog === null) r.createBacklog();
    log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
    this.startStream(client, streamStart);
  }

  /** After +FULLRESYNC (or SYNC): the payload goes to a temp file or to memory. */
  private startTransfer(): void {
    const config = this.server.config;
    const mode = config.getEnum('repl-diskless-load');
    this.disklessLoad = mode === 'swapdb' || (mode === 'on-empty-db' && this.server.dbs.every((db) => db.size === 0));
    let tempFile: string | null = null;
    if (!this.disklessLoad) tempFile = path.resolve(config.get('dir') ?? '.', `temp-${unixtime()}.${process.pid}.rdb`);
    try {
      this.transfer = new PayloadTransfer(tempFile);
    } catch (e) {
      this.server.log.warning(`Opening the temp file needed for MASTER <-> REPLICA synchronization: ${strerror(e)}`);
      this.fail();
      return;
    }
    this.state = ReplState.Transfer;
    this.lastIo = unixtime();
  }

  // ---- the full resynchronisation payload ----------------------------------------------

  private receivePayload(t: PayloadTransfer): void {
    while (t.size === -1) {
      const line = this.takeLine();
      if (line === null) return;
      if (!this.payloadHeader(t, line)) return;
    }
    const data = this.input;
    this.input = noBytes;
    if (data.length > 0) this.payloadData(t, data);
  }

  /** The `$<len>` or `$EOF:<mark>` line, or a keep-alive newline. False when the transfer was given up. */
  private payloadHeader(t: PayloadTransfer, line: string): boolean {
    const log = this.server.log;
    if (line[0] === '-') {
      log.warning(`MASTER aborted replication with an error: ${line.slice(1)}`);
      this.cancelHandshake(true);
      return false;
    }
    // A newline while the master prepares the payload: it only shows the link is alive.
    if (line === '') return true;
    if (line[0] !== '$') {
      log.warning(
        `Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and ` +
          'port are right?',
      );
      this.cancelHandshake(true);
      return false;
    }
    const target = this.disklessLoad ? 'to parser' : 'to disk';
    if (line.startsWith('$EOF:') && line.length - 5 >= eofMarkBytes) {
      t.expectMark(line.slice(5, 5 + eofMarkBytes));
      log.notice(`MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF ${target}`);
    } else {
      const size = parseInt(line.slice(1), 10) || 0;
      t.expectSize(size);
      log.notice(`MASTER <-> REPLICA sync: receiving ${size} bytes from master ${target}`);
    }
    return true;
  }

  private payloadData(t: PayloadTransfer, chunk: Buffer): void {
    let rest: Buffer;
    try {
      rest = t.write(chunk);
    } catch (e) {
      this.server.log.warning(
        'Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: ' +
          strerror(e),
      );
      this.cancelHandshake(true);
      return;
    }
    if (!t.complete) return;
    if (t.streamed && !this.disklessLoad) {
      try {
        t.truncateMark();
      } catch (e) {
        this.server.log.warning(`Error truncating the RDB file received from the master for SYNC: ${strerror(e)}`);
        this.cancelHandshake(true);
        return;
      }
    }
    // What follows is the stream: it waits (mostly in the socket) until the master client reads it.
    this.socket!.pause();
    this.loading = true;
    this.input = rest;
    void this.loadPayload(t);
  }

  /**
   * The payload is complete: the dataset is replaced by it, then the master
   * client takes over the connection (the second half of Redis's
   * readSyncBulkPayload). Clients get -LOADING meanwhile, or are served the
   * old data while a swapdb load of the same history runs.
   */
  private async loadPayload(t: PayloadTransfer): Promise<void> {
    const server = this.server;
    const log = server.log;
    const swap = this.disklessLoad && server.config.getEnum('repl-diskless-load') === 'swapdb';
    // The AOF would log nothing of the new dataset: it starts again from a rewrite once it is loaded.
    if (server.aof.stopForSync()) this.aofStopped = true;
    if (server.persistence.bgsaveInProgress) {
      if (!this.disklessLoad) {
        log.notice(
          'Replica is about to load the RDB file received from the master, but there is a pending RDB child ' +
            `running. Killing process ${process.pid} and removing its temp file to avoid any race`,
        );
      }
      server.persistence.killBgsave('replica sync');
    }
    const target = swap ? server.dbs.map((db) => new Database(db.id, server)) : server.dbs;
    if (!swap) {
      this.attachToNewMaster();
      log.notice('MASTER <-> REPLICA sync: Flushing old data');
      for (const db of server.dbs) db.clear();
    }
    log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
    let result: RdbLoadResult;
    try {
      result = this.disklessLoad ? await this.loadFromMemory(t, target, swap) : await this.loadFromDisk(t);
    } catch (e) {
      if (this.transfer !== t) return;
      log.warning((e as Error).message);
      this.cancelHandshake(true);
      if (swap) log.notice('MASTER <-> REPLICA sync: Discarding temporary DB in background');
      else if (this.disklessLoad) for (const db of server.dbs) db.clear();
      return;
    }
    // Promoted or shut down while loading.
    if (this.transfer !== t) return;
    if (swap) {
      this.attachToNewMaster();
      log.notice('MASTER <-> REPLICA sync: Swapping active DB with loaded DB');
      server.dbs.forEach((db, i) => db.swapWith(target[i]));
      log.notice('MASTER <-> REPLICA sync: Discarding old DB in background');
    }
    // A diskless load saved nothing: the dataset differs from the dump.
    if (this.disklessLoad) server.dirty++;
    this.transfer = null;
    const db = Number(result.aux.get('repl-stream-db') ?? -1);
    const streamStart = this.input;
    const client = this.linkUp({ replId: this.fullSyncReplId, offset: this.fullSyncOffset, db: db === -1 ? 0 : db });
    // A new history: the master's ID and offset, no secondary ID, a fresh backlog.
    const r = server.replication;
    r.replId = this.fullSyncReplId;
    r.masterReplOffset = this.fullSyncOffset;
    r.replId2 = noReplId;
    r.secondReplOffset = -1;
    if (r.backlog === null) r.createBacklog();
    log.notice('MASTER <-> REPLICA sync: Finished with success');
    // A diskless master starts the stream once it hears from us.
    if (t.streamed) client.sendAck();
    this.restartAof();
    this.startStream(client, streamStart);
  }

  /** Redis's restartAOFAfterSYNC; the cron tries again every second until it works. */
  private restartAof(): void {
    if (!this.aofStopped) return;
    if (this.server.aof.restartAfterSync()) {
      this.aofStopped = false;
      return;
    }
    this.server.log.warning(
      'Failed enabling the AOF after successful master synchronization! Trying it again in one second.',
    );
  }

  private async loadFromMemory(t: PayloadTransfer, dbs: Database[], swap: boolean): Promise<RdbLoadResult> {
    // The same history as the old data (a resync with our own master): the old data serves meanwhile.
    const async = swap && this.server.replication.replId === this.fullSyncReplId;
    try {
      return await this.server.persistence.loadRdb(t.payload(), { dbs, async });
    } catch (e) {
      throw new Error(`Failed trying to load the MASTER synchronization DB from socket: ${loadError(e)}`);
    }
  }

  private async loadFromDisk(t: PayloadTransfer): Promise<RdbLoadResult> {
    const persistence = this.server.persistence;
    const dump = persistence.dumpPath();
    try {
      t.syncAndClose();
    } catch (e) {
      throw new Error(`Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: ${strerror(e)}`);
    }
    try {
      fs.renameSync(t.tempFile!, dump);
    } catch (e) {
      throw new Error(
        `Failed trying to rename the temp DB into ${path.basename(dump)} in MASTER <-> REPLICA synchronization: ` +
          strerror(e),
      );
    }
    let result: RdbLoadResult;
    try {
      result = await persistence.loadRdb(await fs.promises.readFile(dump));
    } catch (e) {
      throw new Error(`Failed trying to load the MASTER synchronization DB from disk: ${loadError(e)}`);
    } finally {
      this.removeSyncFile(dump);
    }
    return result;
  }

  /** rdb-del-sync-files: a replica without persistence keeps no copy of its master's dump. */
  private removeSyncFile(dump: string): void {
    const config = this.server.config;
    if (!config.getBool('rdb-del-sync-files') || config.getSaveParams().length > 0 || config.getBool('appendonly')) {
      return;
    }
    this.server.log.notice('Removing the RDB file obtained from the master. This replica has persistence disabled');
    fs.rmSync(dump, { force: true });
  }

  /**
   * A dataset of a different history is coming: no partial resync is
   * possible any more, for us or our own replicas (Redis's
   * replicationAttachToNewMaster).
   */
  private attachToNewMaster(): void {
    this.discardCachedMaster();
    const r = this.server.replication;
    r.disconnectReplicas();
    r.freeBacklog();
  }

  /** The connection becomes the master client (Redis's replicationCreateMasterClient / ResurrectCachedMaster). */
  private linkUp(state: { replId: string; offset: number; db: number }): MasterClient {
    const socket = this.socket!;
    this.socket = null;
    this.input = noBytes;
    this.loading = false;
    for (const event of ['connect', 'data', 'error', 'close']) socket.removeAllListeners(event);
    const client = new MasterClient(this.server, socket, state, (c) => this.masterGone(c));
    this.client = client;
    this.state = ReplState.Connected;
    this.downSince = 0;
    return client;
  }

  /**
   * Once the replication ID, offset and backlog are those of the link: the
   * master client applies what arrived with the handshake's last bytes, then
   * reads on.
   */
  private startStream(client: MasterClient, streamStart: Buffer): void {
    const socket = client.socket!;
    if (streamStart.length > 0) socket.emit('data', streamStart);
    socket.resume();
    // The master hung up while we were loading: the usual path for a lost link.
    if (socket.destroyed) client.close();
  }

  /**
   * The master client's connection is gone (Redis's freeClient of
   * server.master): its state is cached for a partial resync, unless it broke
   * the protocol, and we reconnect (replicationHandleMasterDisconnection).
   */
  private masterGone(c: MasterClient): void {
    if (this.client !== c) return;
    const log = this.server.log;
    log.warning('Connection with master lost.');
    if (!c.closeAfterReply) {
      log.notice('Caching the disconnected master state.');
      this.cached = { replId: c.replId, offset: c.offset, db: c.dbIndex };
    }
    this.client = null;
    this.state = ReplState.Connect;
    this.downSince = unixtime();
    if (this.detached) return;
    log.notice(`Reconnecting to MASTER ${this.host}:${this.port}`);
    this.connect();
  }

  // ---- failures -----------------------------------------------------------------

  /** The connection closed before the link was up. */
  private connectionLost(): void {
    const log = this.server.log;
    const why = socketError(this.socketError);
    if (this.state === ReplState.Connecting) {
      log.warning(`Error condition on socket for SYNC: ${why}`);
      this.fail();
    } else if (this.state === ReplState.Transfer) {
      // Once the payload is in, the loss shows when the master client takes the connection.
      if (this.loading) return;
      log.warning(`I/O error trying to sync with MASTER: ${why}`);
      this.cancelHandshake(true);
    } else if (this.inHandshake()) {
      log.warning(`Failed to read response from the server: ${why}`);
      if (this.state === ReplState.ReceivePsyncReply) log.warning('Master did not reply to PSYNC, will try later');
      else log.warning('Master did not respond to command during SYNC handshake');
      // A failover target that hung up on PSYNC ... FAILOVER refused it.
      if (this.state === ReplState.ReceivePsyncReply && this.server.replication.failover.inProgress) {
        this.server.replication.failover.psyncAnswered(false);
        return;
      }
      this.fail();
    }
  }

  /** The handshake failed: the cron connects again within a second (Redis's syncWithMaster error path). */
  private fail(): void {
    this.closeSocket();
    this.state = ReplState.Connect;
  }

  /**
   * Aborts a connection, handshake or transfer under way (Redis's
   * cancelReplicationHandshake); with `reconnect`, connects again at once.
   */
  private cancelHandshake(reconnect: boolean): boolean {
    if (this.state !== ReplState.Connecting && this.state !== ReplState.Transfer && !this.inHandshake()) return false;
    this.closeSocket();
    this.state = ReplState.Connect;
    if (reconnect && !this.detached) {
      this.server.log.notice(`Reconnecting to MASTER ${this.host}:${this.port} after failure`);
      this.connect();
    }
    return true;
  }

  private closeSocket(): void {
    const socket = this.socket;
    this.socket = null;
    this.input = noBytes;
    this.loading = false;
    this.transfer?.abort();
    this.transfer = null;
    socket?.destroy();
  }

  // ---- the cron ---------------------------------------------------------------

  /** The replica half of Redis's replicationCron, once a second. */
  private cron(): void {
    const now = unixtime();
    const timeout = this.server.config.getInt('repl-timeout');
    const log = this.server.log;
    if ((this.state === ReplState.Connecting || this.inHandshake()) && now - this.lastIo > timeout) {
      log.warning('Timeout connecting to the MASTER...');
      this.cancelHandshake(true);
    }
    if (this.state === ReplState.Transfer && !this.loading && now - this.lastIo > timeout) {
      log.warning(
        "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' " +
          'parameter in redis.conf to a larger value.',
      );
      this.cancelHandshake(true);
    }
    const client = this.client;
    if (client !== null && now - Math.floor(client.lastInteraction / 1000) > timeout) {
      log.warning('MASTER timeout: no data nor PING received...');
      client.close();
    }
    if (this.state === ReplState.Connect) {
      log.notice(`Connecting to MASTER ${this.host}:${this.port}`);
      this.connect();
    }
    if (this.client !== null && !this.client.prePsync) this.client.sendAck();
    if (this.state === ReplState.Connected) this.restartAof();
    // A long load must not look like a dead replica to the master (Redis's replicationSendNewlineToMaster).
    if (this.loading) this.socket?.write('\n');
  }

  // ---- what INFO and ROLE show ---------------------------------------------------------

  /** The replica fields of INFO replication, after role:slave, in Redis's order. */
  infoFields(): Array<[string, string | number]> {
    const config = this.server.config;
    const now = unixtime();
    const c = this.client;
    const applied = c !== null ? c.offset : (this.cached?.offset ?? 1);
    const read = c !== null ? c.readOffset : applied;
    const fields: Array<[string, string | number]> = [
      ['master_host', this.host],
      ['master_port', this.port],
      ['master_link_status', this.state === ReplState.Connected ? 'up' : 'down'],
      ['master_last_io_seconds_ago', c !== null ? now - Math.floor(c.lastInteraction / 1000) : -1],
      ['master_sync_in_progress', this.state === ReplState.Transfer ? 1 : 0],
      ['slave_read_repl_offset', read],
      ['slave_repl_offset', applied],
    ];
    const t = this.transfer;
    if (this.state === ReplState.Transfer && t !== null) {
      fields.push(
        ['master_sync_total_bytes', t.size],
        ['master_sync_read_bytes', t.read],
        ['master_sync_left_bytes', t.size - t.read],
        ['master_sync_perc', (t.size > 0 ? (t.read / t.size) * 100 : 0).toFixed(2)],
        ['master_sync_last_io_seconds_ago', now - this.lastIo],
      );
    }
    if (this.state !== ReplState.Connected) {
      fields.push(['master_link_down_since_seconds', this.downSince !== 0 ? now - this.downSince : -1]);
    }
    fields.push(
      ['slave_priority', config.getInt('replica-priority')],
      ['slave_read_only', config.getBool('replica-read-only') ? 1 : 0],
      ['replica_announced', config.getBool('replica-announced') ? 1 : 0],
    );
    return fields;
  }

  /** The state as ROLE names it. */
  roleState(): string {
    if (this.inHandshake()) return 'handshake';
    switch (this.state) {
      case ReplState.Connect: return 'connect';
      case ReplState.Connecting: return 'connecting';
      case ReplState.Transfer: return 'sync';
      default: return 'connected';
    }
  }
}

/** What made a load fail: the loader's own message. */
function loadError(e: unknown): string {
  const cause = (e as Error).cause;
  return cause instanceof Error ? cause.message : (e as Error).message;
}
