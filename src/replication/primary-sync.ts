// How the RDB of a full resynchronization reaches the replicas. Where Redis
// forks a child, a copy-on-write snapshot walks the dataset in slices
// (store/snapshot.ts); the two targets are Redis's:
//   - disk: a BGSAVE writes the dump file (persistence.startBgsave), then
//     each replica is sent `$<length>\r\n` and the file (sendRdbFile);
//   - replicas sockets (diskless): the RDB is written to every replica of the
//     transfer as it is produced, framed `$EOF:<40 chars>\r\n ... <40 chars>`,
//     at the pace of the slowest one (DisklessSync).

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { RdbChildKilled, type RdbChild } from '../persistence/persistence.js';
import { RdbEncoder, type RdbFormatOptions, type RdbSink } from '../persistence/rdb-save.js';
import type { SnapshotConsumer, SnapshotJob } from '../store/snapshot.js';
import type { Server } from '../server/server.js';
import { REQ_RDB_EXCLUDE_DATA, unixSeconds, type ReplicaLink } from './primary-link.js';

/** RDB bytes waiting in one replica's socket before the walker waits for it. */
const socketQueueBytesMax = 1024 * 1024;
/** Bytes of the dump file read and written at a time. */
const fileChunkBytes = 64 * 1024;

/** Socket target: one RDB stream written to every replica of the transfer, run as the RDB child. */
export class DisklessSync implements RdbChild, RdbSink {
  readonly target = 'socket';
  readonly snapshot: SnapshotJob;
  /** Settles once the RDB has been handed to every socket (resolves) or the transfer stopped (rejects). */
  readonly done: Promise<void>;
  /** The replicas still receiving (Redis's rdb_pipe_conns). */
  private readonly links: Set<ReplicaLink>;
  private readonly server: Server;
  private readonly mark = randomBytes(20).toString('hex');
  private readonly encoder: RdbEncoder;
  /** Replicas whose socket still queues RDB bytes it could not write yet: their 'drain' is awaited. */
  private readonly queued = new Set<ReplicaLink>();

  /** `req`: the REQ_RDB_* bits every replica of the transfer asked for. */
  constructor(server: Server, links: ReplicaLink[], options: RdbFormatOptions, req: number) {
    this.server = server;
    this.links = new Set(links);
    for (const link of links) link.send(`$EOF:${this.mark}\r\n`);
    this.encoder = new RdbEncoder(this, options);
    const consumer: SnapshotConsumer = req & REQ_RDB_EXCLUDE_DATA ? headerOnly(this.encoder) : this.encoder;
    this.snapshot = server.snapshots.start(consumer);
    this.done = this.snapshot.done.then(() => this.end());
    this.done.catch(() => {});
  }

  write(chunk: Buffer): void {
    for (const link of this.links) {
      if (link.send(chunk) || this.queued.has(link)) continue;
      // Redis's repl_last_partial_write: since when this replica has been behind (its timeout counts from it).
      link.lastPartialWrite = unixSeconds();
      this.queued.add(link);
      link.client.socket?.once('drain', () => this.drained(link));
    }
  }

  /** The slowest replica sets the pace: the walker waits while one has too much queued. */
  saturated(): boolean {
    for (const link of this.queued) if ((link.client.socket?.writableLength ?? 0) >= socketQueueBytesMax) return true;
    return false;
  }

  /** A replica of the transfer went away; with none left the snapshot stops (Redis kills the child). */
  dropLink(link: ReplicaLink): void {
    if (!this.links.delete(link)) return;
    this.drained(link);
    if (this.links.size > 0) return;
    this.server.log.warning('Diskless rdb transfer, last replica dropped, killing fork child.');
    this.abort(new RdbChildKilled('last replica dropped'));
  }

  abort(reason: Error): void {
    this.snapshot.abort(reason);
  }

  private drained(link: ReplicaLink): void {
    link.lastPartialWrite = 0;
    if (this.queued.delete(link) && !this.saturated()) this.snapshot.resume();
  }

  /** Every key is out: the RDB's end, then the mark that tells the replica it has it all. */
  private end(): void {
    this.encoder.finish();
    for (const link of this.links) link.send(this.mark);
    this.server.log.warning(`Diskless rdb transfer, done reading from pipe, ${this.links.size} replicas still up.`);
  }
}

/** REPLCONF rdb-filter-only without "data": the RDB keeps its header and aux fields, and no key. */
function headerOnly(encoder: RdbEncoder): SnapshotConsumer {
  return {
    beginDb: () => {},
    key: () => {},
    saturated: () => encoder.saturated(),
  };
}

/**
 * Sends the dump file to one replica: `$<length>\r\n`, then the file, read
 * as the socket takes it (Redis's sendBulkToSlave). Resolves when every byte
 * has been written; rejects with Redis's log line when the file cannot be read.
 */
export async function sendRdbFile(link: ReplicaLink, fd: number, size: number): Promise<void> {
  try {
    link.send(`$${size}\r\n`);
    for (let offset = 0; offset < size; ) {
      if (link.isClosing) return;
      const chunk = Buffer.allocUnsafe(Math.min(fileChunkBytes, size - offset));
      const { bytesRead } = await readAt(fd, chunk, offset);
      if (bytesRead === 0) throw new Error('Read error sending DB to replica: premature EOF');
      offset += bytesRead;
      if (!link.send(chunk.subarray(0, bytesRead))) await writable(link);
    }
  } finally {
    fs.close(fd, () => {});
  }
}

function readAt(fd: number, buf: Buffer, position: number): Promise<{ bytesRead: number }> {
  return new Promise((resolve, reject) =>
    fs.read(fd, buf, 0, buf.length, position, (e, bytesRead) =>
      e ? reject(new Error(`Read error sending DB to replica: ${e.message}`)) : resolve({ bytesRead }),
    ),
  );
}

/** Resolves when the replica's socket can take more, or is gone. */
function writable(link: ReplicaLink): Promise<void> {
  const socket = link.client.socket;
  if (socket === null || link.isClosing) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
