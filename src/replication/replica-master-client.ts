// The master client (Redis's server.master): our master's connection once
// the link is up. What it sends is the replication stream. Its commands run
// through the dispatcher like anyone's, but nothing is answered (only
// REPLCONF ACK goes back, see sendAck), and each complete command applied
// outside MULTI advances the replication offset by its bytes, which go on
// unchanged to our own replicas and backlog (cascading), as Redis's
// commandProcessed.

import type net from 'node:net';
import { Client, type ClientType } from '../server/client.js';
import type { Server } from '../server/server.js';

export class MasterClient extends Client {
  /** The replication ID of the master's history (Redis's master->replid). */
  replId: string;
  /** Bytes of the stream applied (Redis's reploff) and received (read_reploff). */
  offset: number;
  readOffset: number;
  /** A master that answered SYNC, not PSYNC (Redis's CLIENT_PRE_PSYNC): it takes no ACKs. */
  readonly prePsync: boolean;
  /** Bytes received but not applied yet, oldest first. */
  private unapplied: Buffer[] = [];
  /** Set while the ACK is written: the only reply a master gets (Redis's CLIENT_MASTER_FORCE_REPLY). */
  private forceReply = false;
  /** Called once when the connection is gone, however it went. */
  private readonly onGone: (c: MasterClient) => void;
  private gone = false;

  constructor(
    server: Server,
    socket: net.Socket,
    state: { replId: string; offset: number; db: number },
    onGone: (c: MasterClient) => void,
  ) {
    super(server, server.allocateClientId(), socket);
    this.replId = state.replId;
    this.offset = this.readOffset = state.offset;
    this.prePsync = state.offset === -1;
    this.db = server.dbs[state.db] ?? server.dbs[0];
    this.authenticated = true;
    this.user = '(superuser)';
    this.onGone = onGone;
    // Before the query parser sees the bytes: they are kept to be forwarded once applied.
    socket.prependListener('data', (chunk: Buffer) => {
      this.readOffset += chunk.length;
      this.unapplied.push(chunk);
      this.lastInteraction = Date.now();
    });
    socket.once('close', () => this.disconnected());
    server.clients.set(this.id, this);
  }

  override get type(): ClientType {
    return 'master';
  }

  protected override replyEnabled(): boolean {
    return this.forceReply;
  }

  /** Errors are not sent back, but a replica failing its master's commands is worth a loud line. */
  protected override onErrorReply(message: string): void {
    super.onErrorReply(message);
    this.server.log.warning(
      `== CRITICAL == This replica is sending an error to its master: '${message.slice(0, 4096)}' after ` +
        `processing the command '${this.lastCmd?.fullName ?? '<unknown>'}'`,
    );
  }

  override idleTimeoutApplies(): boolean {
    return false;
  }

  override close(): void {
    super.close();
    this.disconnected();
  }

  /** REPLCONF ACK <offset>: what we applied, every second and on REPLCONF GETACK. */
  sendAck(): void {
    if (this.closed) return;
    this.forceReply = true;
    this.arrayLen(3);
    this.bulk('REPLCONF');
    this.bulk('ACK');
    this.bulk(String(this.offset));
    this.forceReply = false;
    this.flush();
  }

  /**
   * A command from the stream ran: unless it waits (CLIENT PAUSE) or opened
   * or sits inside a MULTI (the block counts at its EXEC), the offset moves
   * past it and its bytes are forwarded.
   */
  commandApplied(): void {
    if (this.tx.queue !== null || this.heldByPause || this.blocked !== null) return;
    const applied = this.readOffset - this.queryBufferBytes - this.offset;
    if (applied <= 0) return;
    this.offset += applied;
    this.server.replication.feedStream(this.takeUnapplied(applied));
  }

  /** The oldest `n` received bytes. */
  private takeUnapplied(n: number): Buffer {
    const parts: Buffer[] = [];
    let need = n;
    while (need > 0) {
      const head = this.unapplied[0];
      if (head.length <= need) {
        parts.push(head);
        this.unapplied.shift();
        need -= head.length;
      } else {
        parts.push(head.subarray(0, need));
        this.unapplied[0] = head.subarray(need);
        need = 0;
      }
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, n);
  }

  private disconnected(): void {
    if (this.gone) return;
    this.gone = true;
    this.onGone(this);
  }
}
