// Writing RDB files and streams from a snapshot, as Redis 7.0's rdbSaveRio:
//
//   "REDIS0010"  AUX fields  { SELECTDB n  RESIZEDB keys expires  { [EXPIRETIME_MS t] type key value } }  EOF  CRC64
//
// The keys come from a copy-on-write snapshot (store/snapshot.ts): the walker
// delivers them database by database, but a write may hand over a key of any
// database at any time, so a SELECTDB is written whenever the database changes.
// Output goes out in chunks to a sink: a file here, a replica's socket later.

import fs from 'node:fs';
import path from 'node:path';
import { Crc64 } from './crc64.js';
import {
  RDB_OPCODE_AUX,
  RDB_OPCODE_EOF,
  RDB_OPCODE_EXPIRETIME_MS,
  RDB_OPCODE_RESIZEDB,
  RDB_OPCODE_SELECTDB,
  RDB_TYPE_STRING,
  RDB_VERSION,
  RdbWriter,
} from './rdb-string.js';
import { writeObject, type ListLayout } from './rdb-object.js';
import type { SnapshotConsumer, SnapshotJob, Snapshotter } from '../store/snapshot.js';
import type { Value } from '../store/value.js';

/** Where RDB bytes go, in order. */
export interface RdbSink {
  write(chunk: Buffer): void;
  /** True while the sink holds as much as it should: the snapshot walker waits. */
  saturated(): boolean;
}

export interface RdbFormatOptions {
  /** rdbcompression: LZF for strings longer than 20 bytes. */
  compress: boolean;
  /** rdbchecksum: a CRC64 of the file at its end; 0 when off. */
  checksum: boolean;
  /** AUX fields after the header, in order. */
  aux: ReadonlyArray<readonly [string, string | number]>;
  /** list-max-listpack-size / list-compress-depth: how lists are cut into quicklist nodes. */
  listLayout: ListLayout;
}

/** What a file job writes: RDB by default, or another format fed by the same snapshot (an AOF base). */
export interface FileEncoder extends SnapshotConsumer {
  /** The walk is complete: hand over the last bytes. */
  finish(): void;
  readonly bytesWritten: number;
}

/** Serialised bytes kept before handing a chunk to the sink. */
const chunkBytes = 64 * 1024;
/** A scratch buffer grown past this by a big value is dropped rather than kept for the rest of the walk. */
const scratchBytesMax = 1024 * 1024;

/** Serialises the keys of a snapshot as one RDB payload. */
export class RdbEncoder implements SnapshotConsumer {
  private readonly w = new RdbWriter(chunkBytes * 2);
  /** One value's encoding, before its key is written in front of it. */
  private scratch = new RdbWriter(256);
  private readonly crc = new Crc64();
  private readonly sink: RdbSink;
  private readonly options: RdbFormatOptions;
  private selectedDb = -1;
  /** Bytes handed to the sink so far. */
  bytesWritten = 0;

  constructor(sink: RdbSink, options: RdbFormatOptions) {
    this.sink = sink;
    this.options = options;
    this.w.writeRaw(`REDIS${String(RDB_VERSION).padStart(4, '0')}`);
    for (const [name, value] of options.aux) {
      this.w.writeType(RDB_OPCODE_AUX);
      this.w.writeString(name, false);
      this.w.writeString(String(value), false);
    }
  }

  beginDb(db: number, keys: number, expires: number): void {
    this.select(db);
    this.w.writeType(RDB_OPCODE_RESIZEDB);
    this.w.writeLength(keys);
    this.w.writeLength(expires);
  }

  key(db: number, key: string, value: Value, expireAt: number | undefined): void {
    this.select(db);
    if (expireAt !== undefined) {
      this.w.writeType(RDB_OPCODE_EXPIRETIME_MS);
      this.w.writeMillisecondTime(expireAt);
    }
    // rdbSaveKeyValuePair: the object's type, then the key, then the value.
    if (typeof value === 'string' || Buffer.isBuffer(value)) {
      // Most keys: written in place, with no garbage per key.
      this.w.writeType(RDB_TYPE_STRING);
      this.w.writeString(key, this.options.compress);
      this.w.writeString(value, this.options.compress);
      if (this.w.length >= chunkBytes) this.flush();
      return;
    }
    this.scratch.reset();
    writeObject(this.scratch, value, this.options.compress, this.options.listLayout);
    const object = this.scratch.bytes();
    this.w.writeType(object[0]);
    this.w.writeString(key, this.options.compress);
    this.w.writeRaw(object.subarray(1));
    if (object.length > scratchBytesMax) this.scratch = new RdbWriter(256);
    if (this.w.length >= chunkBytes) this.flush();
  }

  saturated(): boolean {
    return this.sink.saturated();
  }

  /** EOF, then the checksum; hands over the last bytes. */
  finish(): void {
    this.w.writeType(RDB_OPCODE_EOF);
    this.flush();
    const tail = Buffer.alloc(8);
    if (this.options.checksum) this.crc.writeLE(tail, 0);
    this.sink.write(tail);
    this.bytesWritten += 8;
  }

  private select(db: number): void {
    if (db === this.selectedDb) return;
    this.w.writeType(RDB_OPCODE_SELECTDB);
    this.w.writeLength(db);
    this.selectedDb = db;
  }

  private flush(): void {
    if (this.w.length === 0) return;
    const chunk = Buffer.from(this.w.bytes());
    this.w.reset();
    if (this.options.checksum) this.crc.update(chunk);
    this.bytesWritten += chunk.length;
    this.sink.write(chunk);
  }
}

/** Background jobs started in this process: each writes its own temp file. */
let backgroundJobs = 0;

/** Bytes queued for the file before the walker waits for the disk. */
const fileQueueBytesMax = 8 * 1024 * 1024;

/**
 * Writes an RDB of the dataset as it is now to `file`, blocking (SAVE): into
 * a temp file in the same directory, fsync'd, then renamed over `file`, so a
 * failure never replaces a good dump. Returns the file's size.
 */
export function saveRdbFileSync(
  snapshots: Snapshotter,
  file: string,
  options: RdbFormatOptions,
  makeEncoder: (sink: RdbSink) => FileEncoder = (sink) => new RdbEncoder(sink, options),
): number {
  const temp = tempPath(file, `temp-${process.pid}.rdb`);
  const fd = fs.openSync(temp, 'w');
  try {
    const encoder = makeEncoder({
      write: (chunk) => writeFullySync(fd, chunk),
      saturated: () => false,
    });
    snapshots.runSync(encoder);
    encoder.finish();
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(temp, file);
    syncDirectory(path.dirname(file));
    return encoder.bytesWritten;
  } catch (e) {
    closeQuietly(fd);
    fs.rmSync(temp, { force: true });
    throw e;
  }
}

/** A background save of an RDB file (BGSAVE), point-in-time as of its start. */
export class RdbFileJob {
  readonly snapshot: SnapshotJob;
  /** Settles once the file is in place (resolves with its size) or the save failed (rejects). */
  readonly done: Promise<number>;
  private readonly sink: FileSink;

  constructor(
    snapshots: Snapshotter,
    file: string,
    options: RdbFormatOptions,
    makeEncoder: (sink: RdbSink) => FileEncoder = (sink) => new RdbEncoder(sink, options),
  ) {
    const temp = tempPath(file, `temp-bg-${process.pid}-${++backgroundJobs}.rdb`);
    const fd = fs.openSync(temp, 'w');
    this.sink = new FileSink(fd, () => this.snapshot.resume());
    const encoder = makeEncoder(this.sink);
    this.snapshot = snapshots.start(encoder);
    this.sink.onError = (e) => this.snapshot.abort(e);
    this.done = this.complete(encoder, temp, file);
    this.done.catch(() => {});
  }

  private async complete(encoder: FileEncoder, temp: string, file: string): Promise<number> {
    try {
      await this.snapshot.done;
      encoder.finish();
      await this.sink.flushed();
      await fs.promises.rename(temp, file);
      syncDirectory(path.dirname(file));
      return encoder.bytesWritten;
    } catch (e) {
      await this.sink.discard();
      fs.rmSync(temp, { force: true });
      throw e;
    }
  }

  /** Stops the save (FLUSHALL, SHUTDOWN, a dataset replaced): the temp file is removed, `done` rejects. */
  abort(reason: Error): void {
    this.snapshot.abort(reason);
  }
}

/**
 * Chunks written to a file descriptor in order, without blocking. `flushed`
 * waits for every write and fsyncs, then closes the descriptor.
 */
class FileSink implements RdbSink {
  onError: (e: Error) => void = () => {};
  private readonly fd: number;
  private readonly onDrain: () => void;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private writing = false;
  private error: Error | null = null;
  private closed = false;
  private idle: (() => void) | null = null;

  constructor(fd: number, onDrain: () => void) {
    this.fd = fd;
    this.onDrain = onDrain;
  }

  write(chunk: Buffer): void {
    if (this.error !== null || this.closed) return;
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    this.pump();
  }

  saturated(): boolean {
    return this.queuedBytes >= fileQueueBytesMax;
  }

  /** Resolves when everything written is on disk (fsync'd) and the descriptor closed. */
  async flushed(): Promise<void> {
    await this.settled();
    if (this.error !== null) throw this.error;
    await new Promise<void>((resolve, reject) => fs.fsync(this.fd, (e) => (e ? reject(e) : resolve())));
    this.close();
  }

  /** Drops what is queued and closes, once no write is in flight (the descriptor must not be reused under it). */
  async discard(): Promise<void> {
    this.queue = [];
    await this.settled();
    this.close();
  }

  private settled(): Promise<void> {
    if (!this.writing && this.queue.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => (this.idle = resolve));
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    closeQuietly(this.fd);
  }

  private pump(): void {
    if (this.writing || this.queue.length === 0) return;
    const chunks = this.queue;
    this.queue = [];
    this.writing = true;
    writeAll(this.fd, chunks, (e) => {
      this.writing = false;
      const wasSaturated = this.saturated();
      for (const c of chunks) this.queuedBytes -= c.length;
      if (e !== null) {
        this.error = e;
        this.queue = [];
        this.onError(e);
      } else if (this.queue.length > 0) {
        this.pump();
      }
      if (!this.writing) {
        const idle = this.idle;
        this.idle = null;
        idle?.();
      }
      if (wasSaturated && !this.saturated() && this.error === null) this.onDrain();
    });
  }
}

/** fs.writev until every byte of `chunks` is written (writev may write less). */
function writeAll(fd: number, chunks: Buffer[], done: (e: Error | null) => void): void {
  fs.writev(fd, chunks, (e, written) => {
    if (e) return done(e);
    let rest = written;
    const left: Buffer[] = [];
    for (const c of chunks) {
      if (rest >= c.length) rest -= c.length;
      else {
        left.push(c.subarray(rest));
        rest = 0;
      }
    }
    if (left.length === 0) done(null);
    else writeAll(fd, left, done);
  });
}

function writeFullySync(fd: number, chunk: Buffer): void {
  for (let off = 0; off < chunk.length; ) off += fs.writeSync(fd, chunk, off);
}

function tempPath(file: string, name: string): string {
  return path.join(path.dirname(file), name);
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already closed.
  }
}

/** fsync of the directory makes the rename durable; not every platform allows it. */
function syncDirectory(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Best effort, as the rename itself is what makes the new file visible.
  }
}
