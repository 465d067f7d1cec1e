// Shutting down as Redis 7.0 does (SHUTDOWN, SIGTERM, SIGINT): a master
// whose replicas have not acknowledged its whole stream first pauses writes,
// asks them for an ACK and waits for them up to `shutdown-timeout` seconds
// (unless NOW), so that they have every write and, restarted from the dump
// it then saves, it can resume them with a partial resync. Then the final
// save, and the server closes (prepareForShutdown / isReadyToShutdown /
// finishShutdown).

import { SHUTDOWN_FORCE, SHUTDOWN_NOSAVE, SHUTDOWN_NOW, SHUTDOWN_SAVE } from '../config/options.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

export interface ShutdownFlags {
  save: boolean;
  nosave: boolean;
  now: boolean;
  force: boolean;
}

/** The flags of shutdown-on-sigterm / shutdown-on-sigint (their bit values). */
export function shutdownFlagsFromBits(bits: number): ShutdownFlags {
  return {
    save: (bits & SHUTDOWN_SAVE) !== 0,
    nosave: (bits & SHUTDOWN_NOSAVE) !== 0,
    now: (bits & SHUTDOWN_NOW) !== 0,
    force: (bits & SHUTDOWN_FORCE) !== 0,
  };
}

const failedReply = 'ERR Errors trying to SHUTDOWN. Check logs.';

export class Shutdown {
  private readonly server: Server;
  private flags: ShutdownFlags = { save: false, nosave: false, now: false, force: false };
  /** Until when the replicas are waited for (ms); 0 while no shutdown waits (Redis's shutdown_mstime). */
  private deadline = 0;
  /** The final save succeeded: the server is closing. */
  private closing = false;
  /** Clients blocked in SHUTDOWN until it ends: closed with the server, or told why it failed. */
  private readonly callers = new Set<Client>();

  constructor(server: Server) {
    this.server = server;
  }

  /** Waiting for replicas before shutting down (Redis's isShutdownInitiated). */
  get initiated(): boolean {
    return this.deadline !== 0;
  }

  /**
   * SHUTDOWN (`by` its client, blocked until the end) or a signal (`by`
   * null): as Redis's prepareForShutdown, waits for lagging replicas or
   * finishes now. A shutdown already under way keeps its own flags.
   */
  request(flags: ShutdownFlags, by: Client | null): void {
    if (by !== null) this.block(by);
    if (this.initiated || this.closing) return;
    const server = this.server;
    // A dataset half loaded must not overwrite the dump.
    this.flags = server.persistence.loading !== null ? { ...flags, save: false, nosave: true } : flags;
    server.log.warning('User requested shutdown...');
    const timeout = server.config.getInt('shutdown-timeout');
    if (!flags.now && timeout !== 0 && !this.replicasInSync()) {
      this.deadline = Date.now() + timeout * 1000;
      if (!server.clientsPaused) server.replication.primary.sendGetAck();
      server.pauseWritesFor('shutdown');
      server.log.notice('Waiting for replicas before shutting down.');
      return;
    }
    this.finish();
  }

  /** SHUTDOWN ABORT: false when no shutdown waits. */
  abort(): boolean {
    if (!this.initiated) return false;
    this.cancel();
    this.server.log.notice('Shutdown manually aborted.');
    return true;
  }

  /** Called by the server cron: the wait ends once every replica caught up, or at the deadline. */
  cron(): void {
    if (this.initiated && (Date.now() >= this.deadline || this.replicasInSync())) this.finish();
  }

  /** Every replica acknowledged the whole stream (Redis's isReadyToShutdown). */
  private replicasInSync(): boolean {
    const r = this.server.replication;
    for (const link of r.primary.replicas) if (link.ackOffset !== r.masterReplOffset) return false;
    return true;
  }

  /** Redis's finishShutdown: the lagging replicas logged, the final save, then the server closes. */
  private finish(): void {
    const server = this.server;
    const r = server.replication;
    const log = server.log;
    const replicas = [...r.primary.replicas];
    let lagging = 0;
    const now = Math.floor(Date.now() / 1000);
    for (const link of replicas) {
      if (link.ackOffset === r.masterReplOffset) continue;
      lagging++;
      const lag = link.state === 'online' ? now - link.ackTime : 0;
      log.warning(
        `Lagging replica ${link.name} reported offset ${r.masterReplOffset - link.ackOffset} behind master, ` +
          `lag=${lag}, state=${link.stateName}.`,
      );
    }
    if (replicas.length > 0) {
      log.notice(`${replicas.length - lagging} of ${replicas.length} replicas are in sync when shutting down.`);
    }
    const { save, nosave, force } = this.flags;
    if (!server.prepareShutdown(save, nosave, force)) {
      log.warning('Errors trying to shut down the server. Check the logs for more information.');
      this.cancel();
      return;
    }
    this.closing = true;
    // Best effort: the replicas get what is still waiting for their sockets.
    for (const link of replicas) link.flush();
    void server.close().then(() => server.onShutdown?.());
  }

  /** Redis's cancelShutdown: the callers are told, writes resume. */
  private cancel(): void {
    this.deadline = 0;
    for (const c of this.callers) this.server.blocking.unblockWithError(c, failedReply);
    this.callers.clear();
    this.server.unpauseWritesFor('shutdown');
  }

  private block(c: Client): void {
    this.server.blocking.block(c, {
      keys: [],
      deadline: 0,
      serve: () => false,
      // CLIENT UNBLOCK: the shutdown goes on without this caller.
      timeoutReply: () => {
        this.callers.delete(c);
        c.error(failedReply);
      },
    });
    this.callers.add(c);
  }
}
