// One replica connected to this server, as the master sees it: Redis's
// replica client state (replstate, announced address and capabilities, the
// offset it acknowledged) and its share of the replication stream.
//
// The stream a replica must apply after its RDB is held here while the RDB
// is produced and sent, then written after it; once the link streams, every
// chunk goes straight to the socket. The RDB, +FULLRESYNC/+CONTINUE and the
// keep-alive newlines are written to the socket directly too, never through
// the client's reply buffer, so nothing can slip in between.

import { clientInfoString } from '../server/client-info.js';
import type { Client } from '../server/client.js';
import type { StreamListener } from './replication.js';

/** Redis's SLAVE_STATE_*: waiting for a snapshot to start, for it to end, receiving the RDB file, online. */
export type ReplicaState = 'wait_bgsave_start' | 'wait_bgsave_end' | 'send_bulk' | 'online';

/** Redis's SLAVE_CAPA_*: the replica understands `$EOF:` framing (diskless), and +CONTINUE <replid>. */
export const CAPA_EOF = 1;
export const CAPA_PSYNC2 = 2;
/** Redis's SLAVE_REQ_RDB_*: what REPLCONF rdb-filter-only leaves out of the RDB. */
export const REQ_RDB_EXCLUDE_DATA = 1;
export const REQ_RDB_EXCLUDE_FUNCTIONS = 2;

/** What a connection said about itself with REPLCONF, kept from before it asks to sync. */
export interface ReplicaAnnounce {
  /** listening-port (0: not announced) */
  listeningPort: number;
  /** ip-address, or null for the peer address */
  ip: string | null;
  /** CAPA_* bits */
  capa: number;
  /** rdb-only 1: the RDB and nothing after it (redis-cli --rdb) */
  rdbOnly: boolean;
  /** REQ_RDB_* bits */
  req: number;
}

export function newAnnounce(): ReplicaAnnounce {
  return { listeningPort: 0, ip: null, capa: 0, rdbOnly: false, req: 0 };
}

/** Seconds since the epoch, the clock of every replication timer (Redis's server.unixtime). */
export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export class ReplicaLink implements StreamListener {
  readonly client: Client;
  readonly announce: ReplicaAnnounce;
  /** Came with SYNC rather than PSYNC: no +FULLRESYNC line, no ACKs to expect (Redis's CLIENT_PRE_PSYNC). */
  readonly prePsync: boolean;
  state: ReplicaState = 'wait_bgsave_start';
  /** The replication offset the replica acknowledged, and when (seconds). */
  ackOffset = 0;
  ackTime = 0;
  /** The offset sent with +FULLRESYNC: where the stream held for this replica starts. */
  psyncInitialOffset = 0;
  /** A diskless transfer ended: the held stream goes out at the replica's first ACK (it must see the RDB end alone). */
  startStreamOnAck = false;
  /** When a write of the diskless RDB last had to wait for the socket (seconds; 0: not waiting). */
  lastPartialWrite = 0;
  private held: Buffer[] = [];
  private heldBytes = 0;
  /**
   * Stream written during this event-loop turn, sent in one socket write
   * when the turn's I/O is done (as Redis writes replica output in
   * beforeSleep): one write per command would cost a syscall each.
   */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  private streaming = false;
  private softLimitSince = 0;
  private closing = false;

  constructor(client: Client, announce: ReplicaAnnounce, prePsync: boolean) {
    this.client = client;
    this.announce = announce;
    this.prePsync = prePsync;
  }

  /** The state as INFO (slaveN:...,state=) and log lines name it (Redis's replstateToString). */
  get stateName(): string {
    return this.state === 'wait_bgsave_start' || this.state === 'wait_bgsave_end' ? 'wait_bgsave' : this.state;
  }

  /** Sends the stream written so far now (a shutdown is about to close the connection). */
  flush(): void {
    this.flushPending();
  }

  /** True when the replica understands every capability in `capa`. */
  hasCapa(capa: number): boolean {
    return (this.announce.capa & capa) === capa;
  }

  /** The replica as log lines name it: announced (or peer) ip and listening port, as Redis's replicationGetSlaveName. */
  get name(): string {
    const ip = this.ip;
    const port = this.announce.listeningPort;
    if (port === 0) return `${ip}:<unknown-replica-port>`;
    return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
  }

  /** The address INFO and ROLE show: the announced ip, or the peer's. */
  get ip(): string {
    if (this.announce.ip !== null) return this.announce.ip;
    const addr = this.client.addr;
    return addr.slice(0, addr.lastIndexOf(':'));
  }

  /** Stream bytes: held until the RDB has been sent, then written as they come. */
  write(chunk: Buffer): void {
    if (this.closing) return;
    if (this.streaming) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushPending());
      }
    } else {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
    }
    this.checkOutputLimit();
  }

  /** Writes to the socket now, after the stream written so far; false when the socket's buffer is full. */
  send(bytes: Buffer | string): boolean {
    this.flushPending();
    return this.sendNow(bytes);
  }

  /** Sends the stream written during this turn, in one write. */
  private flushPending(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.sendNow(data);
  }

  private sendNow(bytes: Buffer | string): boolean {
    const socket = this.client.socket;
    if (socket === null || this.client.closed) return true;
    this.client.bytesOut += bytes.length;
    this.client.server.stats.netReplOutputBytes += bytes.length;
    return socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** A replica attaching to a snapshot under way starts from the same point: it gets what the other one holds. */
  copyHeldStream(from: ReplicaLink): void {
    this.held = [...from.held];
    this.heldBytes = from.heldBytes;
  }

  /** The RDB is out: the held stream follows it, and everything after it (Redis's replicaStartCommandStream). */
  startStream(): void {
    this.startStreamOnAck = false;
    this.streaming = true;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const chunk of held) this.send(chunk);
  }

  /** Closes the connection once the current work is done (Redis's freeClientAsync). */
  closeAsync(): void {
    if (this.closing) return;
    this.closing = true;
    setImmediate(() => this.client.close());
  }

  /** Closes the connection once everything written has been sent (an RDB-only transfer is complete). */
  closeAfterWrites(): void {
    if (this.closing) return;
    this.closing = true;
    this.client.closeAfterReply = true;
    this.client.flush();
  }

  get isClosing(): boolean {
    return this.closing || this.client.closed;
  }

  /**
   * client-output-buffer-limit replica: the stream held or waiting in the
   * socket (not the RDB) over the hard limit, or over the soft one for longer
   * than its seconds, closes the link, as Redis's closeClientOnOutputBufferLimitReached.
   */
  private checkOutputLimit(): void {
    const limit = this.client.server.outputBufferLimits.slave;
    if (limit.hard === 0 && limit.soft === 0) return;
    const used = this.heldBytes + this.pendingBytes + (this.streaming ? (this.client.socket?.writableLength ?? 0) : 0);
    let reached = limit.hard !== 0 && used >= limit.hard;
    if (limit.soft !== 0 && used >= limit.soft) {
      const now = unixSeconds();
      if (this.softLimitSince === 0) this.softLimitSince = now;
      else if (now - this.softLimitSince > limit.seconds) reached = true;
    } else {
      this.softLimitSince = 0;
    }
    if (!reached) return;
    this.client.server.log.warning(
      `Client ${clientInfoString(this.client)} scheduled to be closed ASAP for overcoming of output buffer limits.`,
    );
    this.closeAsync();
  }
}
