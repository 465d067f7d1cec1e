// The master side of replication, as Redis 7.0's replication.c: the replicas
// connected to us, SYNC/PSYNC (partial resynchronization from the backlog, or
// a full one from a snapshot shared by the replicas that arrive together),
// REPLCONF ACK, the replication cron (PINGs in the stream, keep-alives,
// timeouts, the backlog's time to live), min-replicas-to-write and WAIT.
//
// A replica's life: PSYNC → +CONTINUE and the backlog (online at once), or
// wait_bgsave (waiting for a snapshot to start, then for it to end while the
// stream after the snapshot point is held for it) → send_bulk (the dump file
// on its way; disk target only) → online (the held stream, then the stream
// as it happens).

import fs from 'node:fs';
import type { BlockedState } from '../server/blocking.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { parseLongLong } from '../util/numbers.js';
import {
  CAPA_EOF,
  CAPA_PSYNC2,
  REQ_RDB_EXCLUDE_DATA,
  REQ_RDB_EXCLUDE_FUNCTIONS,
  ReplicaLink,
  newAnnounce,
  unixSeconds,
  type ReplicaAnnounce,
} from './primary-link.js';
import { DisklessSync, sendRdbFile } from './primary-sync.js';
import { ReplState } from './replica.js';
import { becomeMaster } from './replica-role.js';

const REQ_RDB_MASK = REQ_RDB_EXCLUDE_DATA | REQ_RDB_EXCLUDE_FUNCTIONS;

/** A client blocked in WAIT: until `replicas` replicas have acknowledged `offset`. */
interface Waiter {
  readonly state: BlockedState;
  readonly offset: number;
  readonly replicas: number;
}

type Fields = Array<[string, string | number]>;

export class Primary {
  private readonly server: Server;
  /** Replicas of ours in any state, in the order they asked to sync (Redis's server.slaves). */
  readonly replicas = new Set<ReplicaLink>();
  /** What each connection announced with REPLCONF, from before it asks to sync. */
  private readonly announced = new WeakMap<Client, ReplicaAnnounce>();
  /** The RDB being streamed to replicas' sockets (diskless sync), if any. */
  private transfer: DisklessSync | null = null;
  /** Online replicas that acknowledged within min-replicas-max-lag, refreshed by the cron (Redis's repl_good_slaves_count). */
  private goodReplicas = 0;
  /** Seconds of replication cron so far, and the second of the last one. */
  private cronLoops = 0;
  private cronSecond = 0;
  /** Clients blocked in WAIT. */
  private readonly waiters = new Map<Client, Waiter>();
  private ackRequested = false;
  private beforeSleepScheduled = false;
  /** A disk sync wrote the dump file (rdb-del-sync-files removes it when nothing else persists). */
  private dumpWrittenForReplicas = false;

  constructor(server: Server) {
    this.server = server;
    for (const name of ['min-replicas-to-write', 'min-replicas-max-lag']) {
      server.config.onChange(name, () => this.refreshGoodReplicas());
    }
  }

  /** What `c` announced with REPLCONF so far (created empty on first use). */
  announceOf(c: Client): ReplicaAnnounce {
    let a = this.announced.get(c);
    if (a === undefined) {
      a = newAnnounce();
      this.announced.set(c, a);
    }
    return a;
  }

  // ---- SYNC / PSYNC ------------------------------------------------------------

  /** SYNC and PSYNC <replid> <offset>, as Redis's syncCommand. */
  sync(c: Client, argv: string[]): void {
    // A replica repeating itself is ignored.
    if (c.replica !== null) return;
    const psync = argv[0].toLowerCase() === 'psync';
    const r = this.server.replication;
    if (psync && argv.length > 3 && argv[3].toLowerCase() === 'failover') {
      // A master handing its role over (FAILOVER): we take it if we share its history, then it syncs from us.
      this.server.log.warning(`Failover request received for replid ${argv[1]}.`);
      if (r.master === null) {
        c.error("ERR PSYNC FAILOVER can't be sent to a master.");
        return;
      }
      if (argv[1].toLowerCase() !== r.replId) {
        c.error('ERR PSYNC FAILOVER replid must match my replid.');
        return;
      }
      becomeMaster(this.server, c, 'failover');
    }
    // Replicas would follow a master that is about to hand its role over.
    if (r.failover.state !== 'no-failover') {
      c.error("NOMASTERLINK Can't SYNC while failing over");
      return;
    }
    const master = r.master;
    if (master !== null && master.state !== ReplState.Connected) {
      c.error("NOMASTERLINK Can't SYNC while not connected with my master");
      return;
    }
    if (c.pendingReplyBytes > 0) {
      c.error('ERR SYNC and PSYNC are invalid with pending output');
      return;
    }
    const announce = this.announceOf(c);
    if (announce.req & REQ_RDB_MASK && !(announce.capa & CAPA_EOF)) {
      c.error('ERR Filtered replica requires EOF capability');
      return;
    }
    const log = this.server.log;
    const stats = this.server.stats;
    const link = new ReplicaLink(c, announce, !psync);
    log.notice(`Replica ${link.name} asks for synchronization`);
    if (psync) {
      const offset = parseLongLong(argv[2]);
      if (offset === null) {
        log.warning(`Replica ${link.name} asks for synchronization but with a wrong offset`);
        c.error('ERR value is not an integer or out of range');
        return;
      }
      if (this.tryPartialResync(link, argv[1], offset)) {
        stats.syncPartialOk++;
        return;
      }
      // "?" is a replica asking for a full sync on purpose.
      if (argv[1][0] !== '?') stats.syncPartialErr++;
    }
    stats.syncFull++;
    this.addReplica(link);
    if (this.server.config.getBool('repl-disable-tcp-nodelay')) c.socket?.setNoDelay(false);
    if (this.replicas.size === 1 && r.backlog === null) {
      // A backlog made from scratch starts a new history: nothing before it can be resumed.
      r.newHistory();
      r.createBacklog();
      log.notice(`Replication backlog created, my new replication IDs are '${r.replId}' and '${r.replId2}'`);
    }
    this.attachOrWait(link);
  }

  /** Redis's masterTryPartialResynchronization: +CONTINUE and the backlog from `offset`, or false for a full sync. */
  private tryPartialResync(link: ReplicaLink, replid: string, offset: number): boolean {
    const r = this.server.replication;
    const log = this.server.log;
    const id = replid.toLowerCase();
    if (id !== r.replId && (id !== r.replId2 || offset > r.secondReplOffset)) {
      if (replid[0] === '?') {
        log.notice(`Full resync requested by replica ${link.name}`);
      } else if (id !== r.replId && id !== r.replId2) {
        log.notice(
          `Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replid}', my ` +
            `replication IDs are '${r.replId}' and '${r.replId2}')`,
        );
      } else {
        log.notice(
          `Partial resynchronization not accepted: Requested offset for second ID was ${offset}, but I can reply ` +
            `up to ${r.secondReplOffset}`,
        );
      }
      return false;
    }
    const backlog = r.backlog;
    if (backlog === null || offset < backlog.firstOffset || offset > backlog.firstOffset + backlog.histlen) {
      log.notice(
        `Unable to partial resync with replica ${link.name} for lack of backlog (Replica request was: ${offset}).`,
      );
      if (offset > r.masterReplOffset) {
        log.warning(
          `Warning: replica ${link.name} tried to PSYNC with an offset that is greater than the master replication offset.`,
        );
      }
      return false;
    }
    const data = backlog.readFrom(offset) ?? Buffer.alloc(0);
    this.addReplica(link);
    link.state = 'online';
    link.ackTime = unixSeconds();
    link.send(link.hasCapa(CAPA_PSYNC2) ? `+CONTINUE ${r.replId}\r\n` : '+CONTINUE\r\n');
    link.startStream();
    if (data.length > 0) link.write(data);
    r.listeners.add(link);
    log.notice(
      `Partial resynchronization request from ${link.name} accepted. Sending ${data.length} bytes of backlog ` +
        `starting from offset ${offset}.`,
    );
    this.refreshGoodReplicas();
    return true;
  }

  private addReplica(link: ReplicaLink): void {
    link.client.replica = link;
    this.replicas.add(link);
  }

  /**
   * A replica needing a full sync: it shares the snapshot under way when it
   * can, or waits for the next one (now, or after repl-diskless-sync-delay so
   * that more replicas can share it), as the three cases of Redis's syncCommand.
   */
  private attachOrWait(link: ReplicaLink): void {
    const log = this.server.log;
    const config = this.server.config;
    const target = this.server.persistence.rdbChildTarget;
    if (target === 'disk') {
      // Another replica registering the stream since this save began can share it.
      const other = [...this.replicas].find(
        (l) => l.state === 'wait_bgsave_end' && (!l.announce.rdbOnly || link.announce.rdbOnly),
      );
      if (other !== undefined && link.hasCapa(other.announce.capa) && link.announce.req === other.announce.req) {
        if (!link.announce.rdbOnly) link.copyHeldStream(other);
        this.setupFullResync(link, other.psyncInitialOffset);
        log.notice('Waiting for end of BGSAVE for SYNC');
      } else {
        log.notice("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
      }
    } else if (target === 'socket') {
      log.notice('Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC');
    } else if (
      config.getBool('repl-diskless-sync') &&
      link.hasCapa(CAPA_EOF) &&
      config.getInt('repl-diskless-sync-delay') > 0
    ) {
      // The cron starts it (startPendingSync).
      log.notice('Delay next BGSAVE for diskless SYNC');
    } else if (!this.server.persistence.childBusy()) {
      this.startSyncSnapshot(link.announce.capa, link.announce.req);
    } else {
      log.notice('No BGSAVE in progress, but another BG operation is active. BGSAVE for replication delayed');
    }
  }

  /**
   * Redis's replicationSetupSlaveForFullResync: from this moment the stream
   * is held for the replica, which is told where it starts. The next command
   * in the stream begins with a SELECT, as the replica knows no database yet.
   */
  private setupFullResync(link: ReplicaLink, offset: number): void {
    const r = this.server.replication;
    link.psyncInitialOffset = offset;
    link.state = 'wait_bgsave_end';
    r.selectedDb = -1;
    if (!link.announce.rdbOnly) r.listeners.add(link);
    if (!link.prePsync) link.send(`+FULLRESYNC ${r.replId} ${offset}\r\n`);
  }

  /**
   * Redis's startBgsaveForReplication: one snapshot for every replica waiting
   * with the same requirements, to the sockets when all of them understand
   * `$EOF:` framing and diskless sync is on (or the RDB is filtered), else to
   * the dump file by a BGSAVE. The snapshot point and the +FULLRESYNC offset
   * are the same synchronous moment.
   */
  private startSyncSnapshot(mincapa: number, req: number): void {
    const server = this.server;
    const socketTarget =
      (server.config.getBool('repl-diskless-sync') || (req & REQ_RDB_MASK) !== 0) && (mincapa & CAPA_EOF) !== 0;
    server.log.notice(`Starting BGSAVE for SYNC with target: ${socketTarget ? 'replicas sockets' : 'disk'}`);
    const waiting = [...this.replicas].filter((l) => l.state === 'wait_bgsave_start' && l.announce.req === req);
    // Its aux fields give the replication ID, offset and stream database of the snapshot point.
    const options = server.persistence.rdbOptions(false);
    const offset = server.replication.masterReplOffset;
    const persistence = server.persistence;
    if (socketTarget) {
      for (const link of waiting) this.setupFullResync(link, offset);
      const transfer = new DisklessSync(server, waiting, options, req);
      this.transfer = transfer;
      persistence.startTransfer(transfer);
      return;
    }
    if (!persistence.startBgsave(options)) {
      this.syncSnapshotNotStarted();
      return;
    }
    if (server.config.getBool('rdb-del-sync-files')) this.dumpWrittenForReplicas = true;
    for (const link of waiting) this.setupFullResync(link, offset);
  }

  /** The snapshot could not start: the replicas waiting for one are told and dropped. */
  private syncSnapshotNotStarted(): void {
    this.server.log.warning('BGSAVE for replication failed');
    for (const link of [...this.replicas]) {
      if (link.state !== 'wait_bgsave_start') continue;
      this.replicas.delete(link);
      const c = link.client;
      c.replica = null;
      c.error("ERR BGSAVE failed, replication can't continue");
      c.closeAfterReply = true;
      c.flush();
    }
  }

  /**
   * The RDB child ended, whoever started it (Redis's updateSlavesWaitingBgsave,
   * called by Persistence once its own bookkeeping is done): the replicas
   * that waited for it get their RDB, or are disconnected when it failed or
   * was killed (FLUSHALL, SHUTDOWN, ...).
   */
  rdbChildDone(target: 'disk' | 'socket', ok: boolean): void {
    const log = this.server.log;
    if (target === 'socket') this.transfer = null;
    for (const link of [...this.replicas]) {
      if (link.state !== 'wait_bgsave_end') continue;
      if (!ok) {
        link.closeAsync();
        log.warning('SYNC failed. BGSAVE child returned an error');
      } else if (target === 'socket') {
        log.notice(
          `Streamed RDB transfer with replica ${link.name} succeeded (socket). Waiting for REPLCONF ACK from slave ` +
            'to enable streaming',
        );
        // The replica must see the end of the RDB alone: what follows waits for its first ACK.
        this.putOnline(link);
        link.startStreamOnAck = true;
      } else {
        this.sendDumpFile(link);
      }
    }
    this.startPendingSync();
  }

  /** Disk target: the dump file to one replica, then the stream (Redis's sendBulkToSlave). */
  private sendDumpFile(link: ReplicaLink): void {
    let fd: number;
    let size: number;
    try {
      fd = fs.openSync(this.server.persistence.dumpPath(), 'r');
      size = fs.fstatSync(fd).size;
    } catch (e) {
      link.closeAsync();
      this.server.log.warning(`SYNC failed. Can't open/stat DB after BGSAVE: ${(e as Error).message}`);
      return;
    }
    link.state = 'send_bulk';
    sendRdbFile(link, fd, size).then(
      () => {
        if (link.isClosing) return;
        this.putOnline(link);
        this.startCommandStream(link);
      },
      (e: Error) => {
        this.server.log.warning(e.message);
        link.closeAsync();
      },
    );
  }

  /** Redis's replicaPutOnline: the replica has its RDB. */
  private putOnline(link: ReplicaLink): void {
    if (link.announce.rdbOnly) return;
    link.state = 'online';
    link.ackTime = unixSeconds();
    this.refreshGoodReplicas();
    this.server.log.notice(`Synchronization with replica ${link.name} succeeded`);
  }

  /** Redis's replicaStartCommandStream: the held stream follows the RDB; an RDB-only client is done. */
  private startCommandStream(link: ReplicaLink): void {
    if (!link.announce.rdbOnly) {
      link.startStream();
      return;
    }
    this.server.log.notice(`Close the connection with replica ${link.name} as RDB transfer is complete`);
    link.closeAfterWrites();
  }

  /**
   * Redis's replicationStartPendingFork: a snapshot for the replicas waiting
   * for one, once none is running, and for diskless sync once the longest
   * waiting replica has waited repl-diskless-sync-delay seconds (or
   * repl-diskless-sync-max-replicas are waiting).
   */
  private startPendingSync(): void {
    if (this.server.persistence.childBusy()) return;
    const now = unixSeconds();
    let waiting = 0;
    let maxIdle = 0;
    let mincapa = 0;
    let req = 0;
    for (const link of this.replicas) {
      if (link.state !== 'wait_bgsave_start') continue;
      // The first waiting replica's requirements decide; others wait for a snapshot of their own.
      if (waiting === 0) req = link.announce.req;
      else if (link.announce.req !== req) continue;
      maxIdle = Math.max(maxIdle, now - Math.floor(link.client.lastInteraction / 1000));
      mincapa = waiting === 0 ? link.announce.capa : mincapa & link.announce.capa;
      waiting++;
    }
    if (waiting === 0) return;
    const config = this.server.config;
    const maxReplicas = config.getInt('repl-diskless-sync-max-replicas');
    if (
      !config.getBool('repl-diskless-sync') ||
      (maxReplicas > 0 && waiting >= maxReplicas) ||
      maxIdle >= config.getInt('repl-diskless-sync-delay')
    ) {
      this.startSyncSnapshot(mincapa, req);
    }
  }

  // ---- REPLCONF ACK, disconnections ----------------------------------------------

  /** REPLCONF ACK <offset> from a replica: how far it has applied the stream. Never replied to. */
  ack(c: Client, offsetArg: string): void {
    const link = c.replica;
    if (link === null) return;
    const offset = parseLongLong(offsetArg);
    if (offset === null) return;
    if (offset > link.ackOffset) link.ackOffset = offset;
    link.ackTime = unixSeconds();
    if (link.startStreamOnAck && link.state === 'online') this.startCommandStream(link);
    if (this.waiters.size > 0 || this.server.replication.failover.state === 'waiting-for-sync') {
      this.scheduleBeforeSleep();
    }
  }

  /** A connection ended (Server.clientClosed): a replica of ours is gone (Redis's freeClient for a slave). */
  clientClosed(c: Client): void {
    this.waiters.delete(c);
    const link = c.replica;
    if (link === null || !this.replicas.has(link)) return;
    const r = this.server.replication;
    this.server.log.warning(`Connection with replica ${link.name} lost.`);
    this.replicas.delete(link);
    r.listeners.delete(link);
    if (this.transfer !== null) {
      this.transfer.dropLink(link);
    } else if (
      this.server.persistence.rdbChildTarget === 'disk' &&
      link.state === 'wait_bgsave_end' &&
      this.server.config.getSaveParams().length === 0 &&
      ![...this.replicas].some((l) => l.state === 'wait_bgsave_end')
    ) {
      // Nobody needs that dump any more, and no save point asked for one.
      this.server.persistence.killBgsave('no replica waits for the snapshot');
    }
    if (this.replicas.size === 0) r.noReplicasSince = Date.now();
    this.refreshGoodReplicas();
  }

  // ---- min-replicas-to-write ------------------------------------------------------

  /** Redis's refreshGoodSlavesCount. */
  private refreshGoodReplicas(): void {
    const config = this.server.config;
    const maxLag = config.getInt('min-replicas-max-lag');
    if (config.getInt('min-replicas-to-write') === 0 || maxLag === 0) return;
    const now = unixSeconds();
    let good = 0;
    for (const link of this.replicas) if (link.state === 'online' && now - link.ackTime <= maxLag) good++;
    this.goodReplicas = good;
  }

  /** Redis's checkGoodReplicasStatus: false when min-replicas-to-write refuses writes (-NOREPLICAS). */
  enoughGoodReplicas(): boolean {
    const config = this.server.config;
    const min = config.getInt('min-replicas-to-write');
    return (
      this.server.replication.master !== null ||
      min === 0 ||
      config.getInt('min-replicas-max-lag') === 0 ||
      this.goodReplicas >= min
    );
  }

  // ---- WAIT ------------------------------------------------------------------------

  /** Online replicas that acknowledged `offset` (Redis's replicationCountAcksByOffset). */
  countAcks(offset: number): number {
    let n = 0;
    for (const link of this.replicas) if (link.state === 'online' && link.ackOffset >= offset) n++;
    return n;
  }

  /**
   * WAIT: replies how many replicas acknowledged the client's last write now,
   * or blocks it until `replicas` did or `deadline` (ms; 0: none) passes.
   * Inside MULTI it never blocks.
   */
  wait(c: Client, replicas: number, deadline: number): void {
    const offset = c.woff;
    const acked = this.countAcks(offset);
    if (acked >= replicas || c.tx.queue !== null) {
      c.int(acked);
      return;
    }
    this.server.blocking.block(c, {
      keys: [],
      deadline,
      serve: () => false,
      timeoutReply: () => {
        this.waiters.delete(c);
        c.int(this.countAcks(offset));
      },
    });
    this.waiters.set(c, { state: c.blocked!, offset, replicas });
    this.requestAck();
  }

  /** One REPLCONF GETACK * for every WAIT of this event loop turn (Redis's get_ack_from_slaves). */
  private requestAck(): void {
    this.ackRequested = true;
    this.scheduleBeforeSleep();
  }

  /**
   * Redis's beforeSleep for replication, once the current turn's work is
   * done: the GETACK the WAITs asked for (held while clients are paused: it
   * would move the offset a failover or a shutdown waits for), a failover
   * whose target may have caught up, then the WAITs that enough ACKs now satisfy.
   */
  scheduleBeforeSleep(): void {
    if (this.beforeSleepScheduled) return;
    this.beforeSleepScheduled = true;
    setImmediate(() => {
      this.beforeSleepScheduled = false;
      const r = this.server.replication;
      if (this.ackRequested && !this.server.clientsPaused) {
        this.ackRequested = false;
        this.sendGetAck();
      }
      r.failover.update();
      this.processWaiters();
    });
  }

  /** REPLCONF GETACK * to every replica, in the stream as it is: no SELECT for it (Redis's sendGetackToReplicas). */
  sendGetAck(): void {
    const r = this.server.replication;
    if (r.backlog !== null) r.feedCommand(r.selectedDb, ['REPLCONF', 'GETACK', '*']);
  }

  /** Redis's processClientsWaitingReplicas: newest waiter first, reusing the last count that satisfied one. */
  private processWaiters(): void {
    let lastOffset = 0;
    let lastCount = 0;
    for (const [c, w] of [...this.waiters].reverse()) {
      if (c.blocked !== w.state) {
        this.waiters.delete(c);
        continue;
      }
      let n: number;
      if (lastOffset !== 0 && lastOffset >= w.offset && lastCount >= w.replicas) {
        n = lastCount;
      } else {
        n = this.countAcks(w.offset);
        if (n < w.replicas) continue;
        lastOffset = w.offset;
        lastCount = n;
      }
      this.waiters.delete(c);
      this.server.blocking.wake(c, () => c.int(n));
    }
  }

  // ---- cron --------------------------------------------------------------------------

  /** Called by the server cron: pending snapshots at once, the rest once a second (Redis's replicationCron). */
  cron(): void {
    // As often as Redis's beforeSleep looks: a failover's timeout is noticed within a cron period.
    this.server.replication.failover.update();
    this.startPendingSync();
    // A GETACK held by a pause goes out once it is over.
    if (this.ackRequested && !this.server.clientsPaused) this.scheduleBeforeSleep();
    const now = unixSeconds();
    if (now === this.cronSecond) return;
    this.cronSecond = now;
    this.replicationCron(now);
  }

  private replicationCron(now: number): void {
    const r = this.server.replication;
    const config = this.server.config;
    const isMaster = r.master === null;
    // PING in the stream, so that replicas can tell a silent master from a dead one. A replica forwards its master's.
    // Not during a failover with a timeout: its target must catch up with an offset that stays still (as Redis).
    const failingOver = r.failover.timed && this.server.clientsPaused;
    if (
      isMaster &&
      !failingOver &&
      this.cronLoops % config.getInt('repl-ping-replica-period') === 0 &&
      this.replicas.size > 0
    ) {
      r.feedCommand(r.selectedDb, ['PING']);
    }
    // Newlines to replicas waiting for their RDB, so that they do not time out meanwhile.
    for (const link of this.replicas) {
      if (link.state === 'wait_bgsave_start' || (link.state === 'wait_bgsave_end' && this.transfer === null)) {
        link.send('\n');
      }
    }
    const timeout = config.getInt('repl-timeout');
    for (const link of [...this.replicas]) {
      if (link.state === 'online' && !link.prePsync && now - link.ackTime > timeout) {
        this.server.log.warning(`Disconnecting timedout replica (streaming sync): ${link.name}`);
        link.client.close();
      } else if (
        link.state === 'wait_bgsave_end' &&
        this.transfer !== null &&
        link.lastPartialWrite !== 0 &&
        now - link.lastPartialWrite > timeout
      ) {
        this.server.log.warning(`Disconnecting timedout replica (full sync): ${link.name}`);
        link.client.close();
      }
    }
    const ttl = config.getInt('repl-backlog-ttl');
    const idle = now - Math.floor(r.noReplicasSince / 1000);
    // A replica keeps its backlog: promoted, it serves partial resyncs from it.
    if (isMaster && this.replicas.size === 0 && ttl > 0 && r.backlog !== null && idle > ttl) {
      // A new history too: writes made without a backlog would not count in the offset.
      r.newHistory();
      r.freeBacklog();
      this.server.log.notice(`Replication backlog freed after ${ttl} seconds without connected replicas.`);
    }
    this.removeDumpWrittenForReplicas();
    this.refreshGoodReplicas();
    this.cronLoops++;
  }

  /** rdb-del-sync-files: a dump written only to feed replicas goes once no replica needs it, without persistence. */
  private removeDumpWrittenForReplicas(): void {
    const config = this.server.config;
    if (!config.getBool('rdb-del-sync-files')) {
      this.dumpWrittenForReplicas = false;
      return;
    }
    if (!this.dumpWrittenForReplicas || config.getSaveParams().length > 0 || config.getBool('appendonly')) return;
    for (const link of this.replicas) if (link.state !== 'online') return;
    const file = this.server.persistence.dumpPath();
    if (!fs.existsSync(file)) return;
    this.dumpWrittenForReplicas = false;
    this.server.log.notice('Removing the RDB file used to feed replicas in a persistence-less instance');
    fs.rmSync(file, { force: true });
  }

  // ---- INFO ----------------------------------------------------------------------------

  /** INFO replication: connected_slaves, min_slaves_good_slaves, a slaveN line per replica, master_failover_state. */
  infoFields(): Fields {
    const config = this.server.config;
    const fields: Fields = [['connected_slaves', this.replicas.size]];
    if (config.getInt('min-replicas-to-write') !== 0 && config.getInt('min-replicas-max-lag') !== 0) {
      fields.push(['min_slaves_good_slaves', this.goodReplicas]);
    }
    const now = unixSeconds();
    let i = 0;
    for (const link of this.replicas) {
      const lag = link.state === 'online' ? now - link.ackTime : 0;
      fields.push([
        `slave${i++}`,
        `ip=${link.ip},port=${link.announce.listeningPort},state=${link.stateName},offset=${link.ackOffset},lag=${lag}`,
      ]);
    }
    fields.push(['master_failover_state', this.server.replication.failover.state]);
    return fields;
  }
}
