// FAILOVER: a master hands its role to one of its replicas without losing
// acknowledged writes, as Redis 7.0's failoverCommand / updateFailoverStatus.
//
// Writes are paused; once the chosen replica (the TO target, or the first
// one found caught up) has acknowledged the master's whole stream, the
// master turns into its replica and sends PSYNC <replid> <offset> FAILOVER,
// which makes the target promote itself before answering. When the target
// accepts the PSYNC the failover is over and writes resume (to be refused
// as on any replica); when it refuses, the master takes its role back.

import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { notIntegerError, syntaxError } from '../commands/strings.js';
import { parseLongLong } from '../util/numbers.js';
import type { ReplicaLink } from './primary-link.js';
import { setMaster, unsetMaster } from './replica-role.js';

/** Redis's failover_state, as INFO master_failover_state names it. */
export type FailoverState = 'no-failover' | 'waiting-for-sync' | 'failover-in-progress';

export class Failover {
  private readonly server: Server;
  state: FailoverState = 'no-failover';
  /** When FAILOVER ... TIMEOUT gives up waiting (ms); 0: no timeout (Redis's failover_end_time). */
  private endTime = 0;
  private force = false;
  /** The replica taking over: given with TO, or the first one found caught up. */
  private targetHost: string | null = null;
  private targetPort = 0;

  constructor(server: Server) {
    this.server = server;
  }

  /** This master is turning into its target's replica and asks it to take over (PSYNC ... FAILOVER). */
  get inProgress(): boolean {
    return this.state === 'failover-in-progress';
  }

  /** A failover with a TIMEOUT under way: the master's stream must stay still, so no PING goes into it. */
  get timed(): boolean {
    return this.endTime !== 0;
  }

  /** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms], as Redis's failoverCommand. */
  command(c: Client, argv: string[]): void {
    if (argv.length === 2 && argv[1].toLowerCase() === 'abort') {
      if (this.state === 'no-failover') {
        c.error('ERR No failover in progress.');
        return;
      }
      this.abort('Failover manually aborted');
      c.ok();
      return;
    }
    let timeout = 0;
    let force = false;
    let host: string | null = null;
    let port = 0;
    for (let j = 1; j < argv.length; j++) {
      const option = argv[j].toLowerCase();
      if (option === 'timeout' && j + 1 < argv.length && timeout === 0) {
        const ms = parseLongLong(argv[++j]);
        if (ms === null) {
          c.error(notIntegerError);
          return;
        }
        if (ms <= 0) {
          c.error('ERR FAILOVER timeout must be greater than 0');
          return;
        }
        timeout = ms;
      } else if (option === 'to' && j + 2 < argv.length && host === null) {
        const p = parseLongLong(argv[j + 2]);
        if (p === null) {
          c.error(notIntegerError);
          return;
        }
        host = argv[j + 1];
        port = p;
        j += 2;
      } else if (option === 'force' && !force) {
        force = true;
      } else {
        c.error(syntaxError);
        return;
      }
    }
    const server = this.server;
    const primary = server.replication.primary;
    if (this.state !== 'no-failover') {
      c.error('ERR FAILOVER already in progress.');
      return;
    }
    if (server.replication.master !== null) {
      c.error('ERR FAILOVER is not valid when server is a replica.');
      return;
    }
    if (primary.replicas.size === 0) {
      c.error('ERR FAILOVER requires connected replicas.');
      return;
    }
    if (force && (timeout === 0 || host === null)) {
      c.error('ERR FAILOVER with force option requires both a timeout and target HOST and IP.');
      return;
    }
    if (host !== null) {
      const replica = this.findReplica(host, port);
      if (replica === undefined) {
        c.error('ERR FAILOVER target HOST and PORT is not a replica.');
        return;
      }
      if (replica.state !== 'online') {
        c.error('ERR FAILOVER target replica is not online.');
        return;
      }
      this.targetHost = host;
      this.targetPort = port;
      server.log.notice(`FAILOVER requested to ${host}:${port}.`);
    } else {
      server.log.notice('FAILOVER requested to any replica.');
    }
    this.endTime = timeout === 0 ? 0 : Date.now() + timeout;
    this.force = force;
    this.state = 'waiting-for-sync';
    server.pauseWritesFor('failover');
    c.ok();
    // As Redis's beforeSleep right after the command: a replica already caught up takes over at once.
    primary.scheduleBeforeSleep();
  }

  /**
   * Redis's updateFailoverStatus, from the replication cron and after ACKs:
   * the target caught up (or the timeout passed with FORCE) turns this
   * master into its replica; the timeout passed without FORCE gives up.
   */
  update(): void {
    if (this.state !== 'waiting-for-sync') return;
    const r = this.server.replication;
    const log = this.server.log;
    if (this.endTime !== 0 && this.endTime <= Date.now()) {
      if (this.force) {
        log.notice(`FAILOVER to ${this.targetHost}:${this.targetPort} time out exceeded, failing over.`);
        this.failOverTo(this.targetHost!, this.targetPort);
      } else {
        this.abort('Replica never caught up before timeout');
      }
      return;
    }
    let replica: ReplicaLink | undefined;
    if (this.targetHost !== null) {
      replica = this.findReplica(this.targetHost, this.targetPort);
    } else {
      replica = [...r.primary.replicas].find((link) => link.ackOffset === r.masterReplOffset);
      if (replica !== undefined) {
        this.targetHost = replica.ip;
        this.targetPort = replica.announce.listeningPort;
      }
    }
    if (replica === undefined || replica.ackOffset !== r.masterReplOffset) return;
    log.notice(`Failover target ${this.targetHost}:${this.targetPort} is synced, failing over.`);
    this.failOverTo(this.targetHost!, this.targetPort);
  }

  /** The target's answer to PSYNC ... FAILOVER: accepted (+CONTINUE, +FULLRESYNC) ends the failover, refused aborts it. */
  psyncAnswered(accepted: boolean): void {
    if (!this.inProgress) return;
    if (accepted) this.clear();
    else this.abort('Failover target rejected psync request');
  }

  /** Redis's abortFailover: a master again if it had already turned into the target's replica. */
  abort(reason: string): void {
    if (this.state === 'no-failover') return;
    const to = this.targetHost !== null ? `${this.targetHost}:${this.targetPort}` : 'any replica';
    this.server.log.notice(`FAILOVER to ${to} aborted: ${reason}`);
    if (this.inProgress) unsetMaster(this.server);
    this.clear();
  }

  /** Redis's clearFailoverState: writes resume. */
  private clear(): void {
    this.endTime = 0;
    this.force = false;
    this.targetHost = null;
    this.targetPort = 0;
    this.state = 'no-failover';
    this.server.unpauseWritesFor('failover');
  }

  private failOverTo(host: string, port: number): void {
    this.state = 'failover-in-progress';
    setMaster(this.server, host, port);
  }

  /** A replica by the address it announced (or connected from) and its listening port, as Redis's findReplica. */
  private findReplica(host: string, port: number): ReplicaLink | undefined {
    const wanted = host.toLowerCase();
    for (const link of this.server.replication.primary.replicas) {
      if (link.ip.toLowerCase() === wanted && link.announce.listeningPort === port) return link;
    }
    return undefined;
  }
}
