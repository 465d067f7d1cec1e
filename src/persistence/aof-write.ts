// Appending to the current AOF file, as Redis 7.0's flushAppendOnlyFile: the
// commands of a turn are buffered (aof_buf) and written in one write before
// replies go out, then fsync'd per appendfsync: always (right away, before the
// replies), everysec (in the background, at most once a second, like Redis's
// bio thread), no (left to the OS). A failed write keeps the data buffered and
// refuses writes (MISCONF) until a retry succeeds.

import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { strerror } from '../config/values.js';
import type { Server } from '../server/server.js';

/** Seconds between two logs of the same write error (AOF_WRITE_LOG_ERROR_RATE). */
const writeErrorLogSeconds = 30;

export const unixNow = (): number => Math.floor(Date.now() / 1000);

export class AofWriter {
  private readonly server: Server;
  /** The file appended to, or -1. */
  private fd = -1;
  private buffer: string[] = [];
  /** Bytes buffered (aof_buffer_length). */
  bufferBytes = 0;
  private flushQueued = false;
  /** Bytes of base + incr files (aof_current_size), and of the current incr file. */
  currentSize = 0;
  lastIncrSize = 0;
  /** currentSize when the last fsync was started, and when (unix seconds). */
  private fsyncOffset = 0;
  private lastFsync = unixNow();
  /** An everysec write waiting for a background fsync to end (since this unix second), and how often we gave up waiting. */
  private flushPostponedStart = 0;
  delayedFsyncs = 0;
  /** Background fsyncs (and closes) run one after another, like Redis's bio thread. */
  fsyncsInFlight = 0;
  private fsyncChain: Promise<void> = Promise.resolve();
  private bioFsyncError: unknown = null;
  /** The last write failed (aof_last_write_status err) and why. */
  private writeError: unknown = null;
  private lastWriteErrorLog = 0;

  constructor(server: Server) {
    this.server = server;
  }

  private warn(msg: string): void {
    this.server.log.warning(msg);
  }

  get isOpen(): boolean {
    return this.fd !== -1;
  }

  /** aof_last_write_status: the last write and the last background fsync went well. */
  get healthy(): boolean {
    return this.writeError === null && this.bioFsyncError === null;
  }

  /** Buffers `text`; it is written before the next replies, or at the end of this turn. */
  append(text: string): void {
    this.buffer.push(text);
    this.bufferBytes += text.length;
    if (!this.flushQueued) {
      this.flushQueued = true;
      // Changes no client reply waits for (active expiry, timers) are written at the end of the turn.
      setImmediate(() => {
        this.flushQueued = false;
        this.flush(false);
      });
    }
  }

  /** Drops what is buffered (the AOF was turned off, or the first rewrite failed). */
  discard(): void {
    this.buffer = [];
    this.bufferBytes = 0;
  }

  /** Writes the buffer, then fsyncs per appendfsync (Redis's flushAppendOnlyFile). */
  flush(force: boolean): void {
    if (this.fd === -1) return;
    const policy = this.server.config.getEnum('appendfsync');
    const now = unixNow();
    let syncInProgress = false;
    if (this.bufferBytes === 0) {
      // everysec: data written before a pause in writes still gets its fsync within about a second.
      if (policy !== 'everysec' || this.fsyncOffset === this.currentSize || now <= this.lastFsync) return;
      if (this.fsyncsInFlight > 0) return;
    } else {
      syncInProgress = policy === 'everysec' && this.fsyncsInFlight > 0;
      if (syncInProgress && !force) {
        // A write would wait for the fsync anyway: wait up to two seconds before writing regardless.
        if (this.flushPostponedStart === 0) {
          this.flushPostponedStart = now;
          return;
        }
        if (now - this.flushPostponedStart < 2) return;
        this.delayedFsyncs++;
        this.server.log.notice(
          'Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for ' +
            'fsync to complete, this may slow down Redis.',
        );
      }
      if (!this.writeBuffer(policy, syncInProgress)) return;
    }
    if (this.server.config.getBool('no-appendfsync-on-rewrite') && this.server.persistence.childBusy()) return;
    if (policy === 'always') {
      const started = performance.now();
      try {
        fs.fdatasyncSync(this.fd);
      } catch (e) {
        this.warn(`Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${strerror(e)}. Exiting...`);
        process.exit(1);
      }
      this.server.latency.addSampleIfNeeded('aof-fsync-always', performance.now() - started);
      this.fsyncOffset = this.currentSize;
      this.lastFsync = now;
    } else if (policy === 'everysec' && now > this.lastFsync) {
      if (!syncInProgress) {
        this.backgroundFsync(this.fd, false);
        this.fsyncOffset = this.currentSize;
      }
      this.lastFsync = now;
    }
  }

  /** Writes the whole buffer; false when that failed (the rest stays buffered, writes are refused meanwhile). */
  private writeBuffer(policy: string, syncInProgress: boolean): boolean {
    const data = Buffer.from(this.buffer.join(''), 'latin1');
    const started = performance.now();
    let written = 0;
    let error: unknown = null;
    while (written < data.length) {
      try {
        written += fs.writeSync(this.fd, data, written);
      } catch (e) {
        error = e;
        break;
      }
    }
    const ms = performance.now() - started;
    const latency = this.server.latency;
    if (syncInProgress) latency.addSampleIfNeeded('aof-write-pending-fsync', ms);
    else if (this.server.persistence.childBusy()) latency.addSampleIfNeeded('aof-write-active-child', ms);
    else latency.addSampleIfNeeded('aof-write-alone', ms);
    latency.addSampleIfNeeded('aof-write', ms);
    this.flushPostponedStart = 0;
    if (written !== data.length) return this.writeFailed(data, written, error, policy);
    if (this.writeError !== null) {
      this.warn('AOF write error looks solved, Redis can write again.');
      this.writeError = null;
    }
    this.currentSize += written;
    this.lastIncrSize += written;
    this.discard();
    return true;
  }

  private writeFailed(data: Buffer, written: number, error: unknown, policy: string): false {
    const now = unixNow();
    const canLog = now - this.lastWriteErrorLog > writeErrorLogSeconds;
    if (canLog) this.lastWriteErrorLog = now;
    if (written === 0) {
      if (canLog) this.warn(`Error writing to the AOF file: ${strerror(error)}`);
      this.writeError = error;
    } else {
      if (canLog) {
        this.warn(`Short write while writing to the AOF file: (nwritten=${written}, expected=${data.length})`);
      }
      try {
        // Take the partial command back out, so that the file stays loadable.
        fs.ftruncateSync(this.fd, this.lastIncrSize);
        written = 0;
      } catch (e) {
        if (canLog) {
          this.warn(
            'Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next ' +
              `time it starts.  ftruncate: ${strerror(e)}`,
          );
        }
      }
      this.writeError = { code: 'ENOSPC' };
    }
    if (policy === 'always') {
      // The replies already promise the data is on disk: there is no way back.
      this.warn("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
      process.exit(1);
    }
    if (written > 0) {
      this.currentSize += written;
      this.lastIncrSize += written;
      const rest = data.toString('latin1', written);
      this.buffer = [rest];
      this.bufferBytes = rest.length;
    }
    return false;
  }

  /** fdatasync off the event loop, then closes the file when `close`. */
  private backgroundFsync(fd: number, close: boolean): void {
    this.fsyncsInFlight++;
    this.fsyncChain = this.fsyncChain.then(
      () =>
        new Promise<void>((resolve) => {
          fs.fdatasync(fd, (e) => {
            this.fsyncsInFlight--;
            if (e && e.code !== 'EBADF' && e.code !== 'EINVAL') {
              if (this.bioFsyncError === null) this.warn(`Fail to fsync the AOF file: ${strerror(e)}`);
              this.bioFsyncError = e;
            } else {
              this.bioFsyncError = null;
            }
            if (close) fs.close(fd, () => resolve());
            else resolve();
          });
        }),
    );
  }

  /**
   * Appends to `fd` from now on (a new incr file): the previous file is
   * fsync'd and closed in the background. Everything before was written.
   */
  switchTo(fd: number): void {
    if (this.fd !== -1) {
      // With everysec the fsync may come a little later; with always the file is already synced.
      this.backgroundFsync(this.fd, true);
      this.fsyncOffset = this.currentSize;
      this.lastFsync = unixNow();
    }
    this.fd = fd;
    this.lastIncrSize = 0;
  }

  /** Opens `file` to append to, at startup; its size so far counts as the incr file's. */
  open(fd: number): void {
    this.fd = fd;
    this.lastIncrSize = fs.fstatSync(fd).size;
  }

  /** What the AOF holds after a load or a rewrite: nothing to fsync yet. */
  setSize(bytes: number): void {
    this.currentSize = bytes;
    this.fsyncOffset = bytes;
  }

  /** After a rewrite: the new base's size plus what this incr file got meanwhile. */
  rewritten(baseBytes: number): number {
    this.setSize(baseBytes + this.lastIncrSize);
    this.lastFsync = unixNow();
    return this.currentSize;
  }

  /** Writes what is buffered and fsyncs now (turning the AOF off, shutting down). `suffix` ends the error line. */
  syncNow(suffix: string): void {
    if (this.fd === -1) return;
    this.flush(true);
    try {
      fs.fdatasyncSync(this.fd);
      this.fsyncOffset = this.currentSize;
      this.lastFsync = unixNow();
    } catch (e) {
      this.warn(`Fail to fsync the AOF file: ${strerror(e)}${suffix}`);
    }
  }

  /** Closes the file once the fsyncs already started on it are done; the buffer goes. */
  close(): void {
    this.discard();
    this.lastIncrSize = 0;
    if (this.fd === -1) return;
    const fd = this.fd;
    this.fd = -1;
    this.fsyncChain = this.fsyncChain.then(() => new Promise<void>((resolve) => fs.close(fd, () => resolve())));
  }

  /** Turning the AOF on again forgets past errors, as Redis's startAppendOnly. */
  forgetErrors(): void {
    this.lastFsync = unixNow();
    if (this.bioFsyncError !== null) {
      this.warn('AOF reopen, just ignore the AOF fsync error in bio job');
      this.bioFsyncError = null;
    }
    if (this.writeError !== null) {
      this.warn('AOF reopen, just ignore the last error.');
      this.writeError = null;
    }
  }

  /** The MISCONF reply while writes or fsyncs fail (Redis's writeCommandsDeniedByDiskError), or null. */
  deniedError(): string | null {
    const e = this.writeError ?? this.bioFsyncError;
    return e === null ? null : `MISCONF Errors writing to the AOF file: ${strerror(e)}`;
  }
}
