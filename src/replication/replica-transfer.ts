// The RDB payload of a full resynchronisation, as the master sends it after
// +FULLRESYNC: `$<len>\r\n` and that many bytes (an RDB file), or, for a
// diskless master, `$EOF:<40 random chars>\r\n`, the RDB, and the same 40
// chars (Redis's readSyncBulkPayload). It is received into a temp file in
// `dir` (then renamed to the dump file and loaded), or into memory for a
// diskless load.

import fs from 'node:fs';

/** Length of the EOF mark of a streamed payload (Redis's CONFIG_RUN_ID_SIZE). */
export const eofMarkBytes = 40;
/** The temp file is synced every this many bytes, so the final fsync has little left to do. */
const fsyncEveryBytes = 8 * 1024 * 1024;
const noBytes = Buffer.alloc(0);

export class PayloadTransfer {
  /** Bytes announced (repl_transfer_size): -1 until the header is read, 0 for a streamed payload. */
  size = -1;
  /** Bytes received so far (repl_transfer_read), EOF mark included. */
  read = 0;
  /** Set once the whole payload has arrived. */
  complete = false;
  /** The temp file receiving the payload, or null when it is kept in memory. */
  readonly tempFile: string | null;
  private fd: number | null = null;
  private syncedUpTo = 0;
  private readonly chunks: Buffer[] = [];
  /** The EOF mark of a streamed payload, and the last bytes received to compare with it. */
  private mark: Buffer | null = null;
  private tail: Buffer = noBytes;

  /** Opens `tempFile` (which must not exist yet); null keeps the payload in memory. Throws on failure. */
  constructor(tempFile: string | null) {
    this.tempFile = tempFile;
    if (tempFile !== null) this.fd = fs.openSync(tempFile, 'wx', 0o644);
  }

  get streamed(): boolean {
    return this.mark !== null;
  }

  /** The header said `$EOF:<mark>`. */
  expectMark(mark: string): void {
    this.mark = Buffer.from(mark, 'latin1');
    this.size = 0;
  }

  /** The header said `$<size>`. */
  expectSize(size: number): void {
    this.size = size;
  }

  /**
   * Takes bytes of the payload. Returns what follows the payload in `chunk`
   * (the start of the replication stream), empty unless it just completed.
   * Throws when the temp file cannot be written.
   */
  write(chunk: Buffer): Buffer {
    let data = chunk;
    let rest: Buffer = noBytes;
    if (this.mark === null && chunk.length > this.size - this.read) {
      data = chunk.subarray(0, this.size - this.read);
      rest = chunk.subarray(this.size - this.read);
    }
    this.read += data.length;
    this.store(data);
    if (this.mark !== null) {
      const seen = data.length >= eofMarkBytes ? data : Buffer.concat([this.tail, data]);
      this.tail = seen.subarray(Math.max(0, seen.length - eofMarkBytes));
      this.complete = this.tail.equals(this.mark);
    } else {
      this.complete = this.read === this.size;
    }
    return rest;
  }

  private store(data: Buffer): void {
    if (this.fd === null) {
      this.chunks.push(data);
      return;
    }
    for (let at = 0; at < data.length; ) at += fs.writeSync(this.fd, data, at);
    if (this.read - this.syncedUpTo >= fsyncEveryBytes) {
      fs.fdatasyncSync(this.fd);
      this.syncedUpTo = this.read;
    }
  }

  /** The payload received in memory, without the EOF mark. */
  payload(): Buffer {
    const all = Buffer.concat(this.chunks);
    return this.mark === null ? all : all.subarray(0, all.length - eofMarkBytes);
  }

  /** Disk: drops the EOF mark from the file. Throws on failure. */
  truncateMark(): void {
    if (this.fd !== null && this.mark !== null) fs.ftruncateSync(this.fd, this.read - eofMarkBytes);
  }

  /** Disk: makes the file durable and closes it. Throws on failure. */
  syncAndClose(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Gives up: the temp file is closed and removed, memory released. */
  abort(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    if (this.tempFile !== null) fs.rmSync(this.tempFile, { force: true });
    this.chunks.length = 0;
  }
}
