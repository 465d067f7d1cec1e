// The append-only file, as Redis 7.0's multi-part AOF (aof.c): every change
// the server propagates is appended to the current INCR file of
// `appenddirname` in RESP form, fsync'd per `appendfsync`; a rewrite
// (BGREWRITEAOF, or automatic growth) takes a copy-on-write snapshot into a
// new BASE file while writes go on into a new INCR file, then the manifest
// switches to them and the old files are deleted.
//
// Redis forks a child for the rewrite; here "the child" is a snapshot walked
// in slices (store/snapshot.ts), one at a time with BGSAVE, so the rules about
// "another child process" carry over unchanged.
//
// States, as Redis's aof_state: off; on; wait_rewrite (CONFIG SET appendonly
// yes: nothing is logged until the first rewrite has a base, meanwhile the
// commands go to a temp incr file that becomes the first incr file).

import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToClients } from 'node:timers/promises';
import { strerror } from '../config/values.js';
import type { PropagationSink, Server } from '../server/server.js';
import { AofManifest, AofManifestError, loadManifest, tempIncrName, writeManifest } from './aof-manifest.js';
import { loadAppendOnlyFiles, type AofLoadContext, type AofLoadResult } from './aof-load.js';
import { AofRewriter, encodeCommand, encodeSelect, timestampAnnotation } from './aof-rewrite.js';
import { RdbFileJob, saveRdbFileSync, type FileEncoder, type RdbSink } from './rdb-save.js';

type AofState = 'off' | 'on' | 'wait_rewrite';

/** Seconds between two logs of the same write error (AOF_WRITE_LOG_ERROR_RATE). */
const writeErrorLogSeconds = 30;
/** Failed rewrites in a row before automatic ones back off (AOF_REWRITE_LIMITE_THRESHOLD), and the longest delay. */
const rewriteLimitThreshold = 3;
const rewriteLimitMaxMinutes = 60;

/** A background rewrite: the snapshot writing the new base into `temp`. */
interface RewriteJob {
  readonly file: RdbFileJob | null;
  readonly temp: string;
  /** An RDB base (aof-use-rdb-preamble when it began) or an AOF-format one. */
  readonly rdb: boolean;
  readonly startedAt: number;
}

const unixNow = (): number => Math.floor(Date.now() / 1000);

export class Aof {
  private readonly server: Server;
  private state: AofState = 'off';
  private manifest = new AofManifest();
  /** The incr file being appended to (the temp incr file in wait_rewrite), or -1. */
  private fd = -1;
  /** Commands not written yet (Redis's aof_buf), flushed before replies go out and at the end of the turn. */
  private buffer: string[] = [];
  private bufferBytes = 0;
  private flushQueued = false;
  /** Database of the last command written: a SELECT precedes a command for another one. */
  private selectedDb = -1;
  private timestamps: boolean;
  private lastTimestamp = 0;
  /** Bytes of base + incr files, of the base after the last rewrite, and of the current incr file. */
  private currentSize = 0;
  private rewriteBaseSize = 0;
  private lastIncrSize = 0;
  /** currentSize when the last fsync was started, and when (unix seconds). */
  private fsyncOffset = 0;
  private lastFsync = unixNow();
  /** An everysec write waiting for a background fsync to end (since this unix second), and how often we gave up waiting. */
  private flushPostponedStart = 0;
  private delayedFsyncs = 0;
  /** Background fsyncs (and closes) run one after another, like Redis's bio thread. */
  private fsyncsInFlight = 0;
  private fsyncChain: Promise<void> = Promise.resolve();
  private bioFsyncError: unknown = null;
  /** The last write failed (aof_last_write_status err) and why. */
  private writeError: unknown = null;
  private lastWriteErrorLog = 0;
  private rewrite: RewriteJob | null = null;
  private rewriteScheduled = false;
  private lastRewriteSeconds = -1;
  private lastRewriteOk = true;
  private rewrites = 0;
  private consecutiveFailures = 0;
  private lastCopiedKeys = 0;
  private rewriteDelayMinutes = 0;
  private nextRewriteTime = 0;
  private readonly sink: PropagationSink = (db, argv) => this.feed(db, argv);

  constructor(server: Server) {
    this.server = server;
    const config = server.config;
    this.timestamps = config.getBool('aof-timestamp-enabled');
    config.onChange('aof-timestamp-enabled', () => {
      this.timestamps = config.getBool('aof-timestamp-enabled');
    });
    config.onChange('appendonly', (v) => (v === 'yes' ? this.startAppendOnly() : this.stopAppendOnly()));
  }

  private get dir(): string {
    return this.server.config.get('dir') ?? '.';
  }

  private get aofDir(): string {
    return path.join(this.dir, this.server.config.get('appenddirname') ?? 'appendonlydir');
  }

  private get filename(): string {
    return this.server.config.get('appendfilename') ?? 'appendonly.aof';
  }

  private get loadContext(): AofLoadContext {
    return { server: this.server, dir: this.dir, aofDir: this.aofDir, filename: this.filename };
  }

  private warn(msg: string): void {
    this.server.log.warning(msg);
  }

  /** A rewrite is running (aof_rewrite_in_progress). */
  get rewriteInProgress(): boolean {
    return this.rewrite !== null;
  }

  /** Bytes waiting to be written (aof_buffer_length). */
  get bufferLength(): number {
    return this.bufferBytes;
  }

  // ---- startup -----------------------------------------------------------------

  /**
   * Startup, as Redis's main: reads the manifest (always: a bad one stops the
   * server even with appendonly no), and with appendonly yes loads the AOF in
   * slices, opens (or creates) the incr file to append to, creating a base
   * first when there is no AOF at all. Deletes history files left by an
   * interrupted rewrite. True when the AOF is on: the RDB dump must then not
   * be loaded. Throws an Error whose message is the last line to log before
   * exiting; the lines before it are logged.
   */
  async loadAtStartup(): Promise<boolean> {
    this.manifest = this.readManifest();
    if (!this.server.config.getBool('appendonly')) {
      this.deleteHistoryFiles();
      return false;
    }
    this.state = 'on';
    const started = performance.now();
    const load = loadAppendOnlyFiles(this.loadContext, this.manifest);
    let step = load.next();
    while (!step.done) {
      await yieldToClients();
      step = load.next();
    }
    const result = step.value;
    if (result.status === 'failed' || result.status === 'open_err') {
      throw new Error(result.error ?? 'Fatal error loading the append only file');
    }
    this.loaded(result);
    if (result.status !== 'not_exist') {
      this.server.log.notice(
        `DB loaded from append only file: ${((performance.now() - started) / 1000).toFixed(3)} seconds`,
      );
    }
    this.openOnServerStart();
    this.deleteHistoryFiles();
    this.server.propagationSinks.push(this.sink);
    return true;
  }

  private readManifest(): AofManifest {
    try {
      return loadManifest(this.aofDir, this.filename);
    } catch (e) {
      if (!(e instanceof AofManifestError)) throw e;
      const lines = e.logLines();
      for (const line of lines.slice(0, -1)) this.warn(line);
      throw new Error(lines[lines.length - 1]);
    }
  }

  /** What loadAppendOnlyFiles records about a successful load. */
  private loaded(result: AofLoadResult): void {
    if (result.status !== 'ok' && result.status !== 'truncated') return;
    this.currentSize = result.totalSize;
    this.rewriteBaseSize = result.baseSize;
    this.fsyncOffset = this.currentSize;
  }

  /** Redis's aofOpenIfNeededOnServerStart. Throws (message: the line to log) on failure. */
  private openOnServerStart(): void {
    const log = this.server.log;
    this.makeAofDir();
    const hadIncr = this.manifest.incr.length > 0;
    if (this.manifest.isEmpty) {
      const base = this.manifest.newBase(this.filename, this.server.config.getBool('aof-use-rdb-preamble'));
      try {
        const rdb = base.endsWith('.rdb');
        saveRdbFileSync(
          this.server.snapshots,
          path.join(this.aofDir, base),
          this.server.persistence.rdbOptions(true),
          rdb ? undefined : (sink) => new AofRewriter(sink, this.timestamps),
        );
      } catch (e) {
        throw new Error(`Write error writing append only file on disk: ${strerror(e)}`);
      }
      log.notice(`Creating AOF base file ${base} on server start`);
    }
    const name = this.manifest.lastIncr(this.filename);
    try {
      this.fd = fs.openSync(path.join(this.aofDir, name), 'a', 0o644);
    } catch (e) {
      throw new Error(`Can't open the append-only file ${name}: ${strerror(e)}`);
    }
    if (!this.persistManifest(this.manifest)) throw new Error('Fatal error: could not persist the AOF manifest');
    this.lastIncrSize = fs.fstatSync(this.fd).size;
    log.notice(`${hadIncr ? 'Opening' : 'Creating'} AOF incr file ${name} on server start`);
  }

  private makeAofDir(): void {
    try {
      fs.mkdirSync(this.aofDir, { recursive: true });
    } catch (e) {
      throw new Error(`Can't open or create append-only dir ${path.basename(this.aofDir)}: ${strerror(e)}`);
    }
  }

  private persistManifest(manifest: AofManifest): boolean {
    return writeManifest(this.aofDir, this.filename, manifest, (m) => this.warn(m));
  }

  /** After a rewrite (and at startup): history files go, and the manifest stops naming them. */
  private deleteHistoryFiles(): void {
    const history = this.manifest.history;
    if (history.length === 0 || this.server.config.getBool('aof-disable-auto-gc')) return;
    for (const ai of history) {
      this.server.log.notice(`Removing the history file ${ai.name} in the background`);
      fs.rm(path.join(this.aofDir, ai.name), { force: true }, () => {});
    }
    this.manifest.history = [];
    this.persistManifest(this.manifest);
  }

  // ---- DEBUG LOADAOF -----------------------------------------------------------------

  /**
   * DEBUG LOADAOF: writes what is buffered, empties the databases and loads
   * the AOF again, blocking. As Redis, a load that fails (or had to truncate)
   * leaves no usable dataset: the process exits.
   */
  reloadSync(): void {
    if (this.state === 'on') this.flush(true);
    for (const db of this.server.dbs) db.clear();
    const load = loadAppendOnlyFiles(this.loadContext, this.manifest);
    let step = load.next();
    while (!step.done) step = load.next();
    const result = step.value;
    if (result.status !== 'ok' && result.status !== 'empty') {
      if (result.error !== undefined) this.warn(result.error);
      process.exit(1);
    }
    this.loaded(result);
    this.server.dirty = 0;
    this.warn('Append Only File loaded by DEBUG LOADAOF');
  }

  // ---- writing -------------------------------------------------------------------

  /** A change to log (the propagation sink): buffered, with a SELECT when the database changes. */
  private feed(db: number, argv: string[]): void {
    let text = '';
    if (this.timestamps) {
      const now = unixNow();
      if (this.lastTimestamp < now) {
        this.lastTimestamp = now;
        text += timestampAnnotation(now);
      }
    }
    if (db !== this.selectedDb) {
      text += encodeSelect(db);
      this.selectedDb = db;
    }
    text += encodeCommand(argv);
    if (this.state !== 'on' && !(this.state === 'wait_rewrite' && this.rewrite !== null)) return;
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

  /**
   * To be called before replies are written to clients (Redis writes the AOF
   * in beforeSleep, before handling pending writes): what the commands being
   * answered changed is written (and with appendfsync always, fsync'd) first.
   */
  beforeReplies(): void {
    if (this.bufferBytes > 0) this.flush(false);
  }

  /** Redis's flushAppendOnlyFile: writes the buffer, then fsyncs per appendfsync. */
  private flush(force: boolean): void {
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
    this.buffer = [];
    this.bufferBytes = 0;
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

  /** fdatasync off the event loop (Redis's bio thread), then closes the file when `close`. */
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
   * Why writes are refused because of the AOF, as Redis's
   * writeCommandsDeniedByDiskError: the error reply, or null.
   */
  writesDeniedError(): string | null {
    if (this.state === 'off') return null;
    const e = this.writeError ?? this.bioFsyncError;
    return e === null ? null : `MISCONF Errors writing to the AOF file: ${strerror(e)}`;
  }

  // ---- turning on and off ------------------------------------------------------------

  /** CONFIG SET appendonly yes (Redis's startAppendOnly): the reason it failed, or nothing. */
  private startAppendOnly(): string | undefined {
    this.state = 'wait_rewrite';
    this.server.propagationSinks.push(this.sink);
    if (this.server.persistence.childBusy() && this.rewrite === null) {
      this.rewriteScheduled = true;
      this.warn(
        'AOF was enabled but there is already another background operation. An AOF background was scheduled to ' +
          'start when possible.',
      );
    } else if (this.server.inNestedCall) {
      this.rewriteScheduled = true;
      this.warn('AOF was enabled during a transaction. An AOF background was scheduled to start when possible.');
    } else {
      if (this.rewrite !== null) {
        this.warn(
          'AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and ' +
            'starting a rewrite now.',
        );
        this.killRewrite();
      }
      if (!this.startRewrite()) {
        this.state = 'off';
        this.unregister();
        this.warn(
          "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above " +
            'logs for more info about the error.',
        );
        return 'Unable to turn on AOF. Check server logs.';
      }
    }
    this.lastFsync = unixNow();
    if (this.bioFsyncError !== null) {
      this.warn('AOF reopen, just ignore the AOF fsync error in bio job');
      this.bioFsyncError = null;
    }
    if (this.writeError !== null) {
      this.warn('AOF reopen, just ignore the last error.');
      this.writeError = null;
    }
    return undefined;
  }

  /** CONFIG SET appendonly no (Redis's stopAppendOnly). */
  private stopAppendOnly(): void {
    this.flush(true);
    if (this.fd !== -1) {
      try {
        fs.fdatasyncSync(this.fd);
        this.fsyncOffset = this.currentSize;
        this.lastFsync = unixNow();
      } catch (e) {
        this.warn(`Fail to fsync the AOF file: ${strerror(e)}`);
      }
      this.closeFile();
    }
    this.selectedDb = -1;
    this.state = 'off';
    this.rewriteScheduled = false;
    this.lastIncrSize = 0;
    this.killRewrite();
    this.buffer = [];
    this.bufferBytes = 0;
    this.unregister();
  }

  private unregister(): void {
    const i = this.server.propagationSinks.indexOf(this.sink);
    if (i !== -1) this.server.propagationSinks.splice(i, 1);
  }

  /** Closes the incr file once the fsyncs already started on it are done. */
  private closeFile(): void {
    const fd = this.fd;
    this.fd = -1;
    this.fsyncChain = this.fsyncChain.then(() => new Promise<void>((resolve) => fs.close(fd, () => resolve())));
  }

  // ---- rewriting ----------------------------------------------------------------------

  /**
   * BGREWRITEAOF's logic: the reply. Inside EXEC, or while another snapshot
   * runs, the rewrite is scheduled for the cron.
   */
  bgrewriteaof(): { error: string } | { status: string } {
    if (this.rewrite !== null) return { error: 'ERR Background append only file rewriting already in progress' };
    if (this.server.persistence.childBusy() || this.server.inNestedCall) {
      this.rewriteScheduled = true;
      // Asked for by hand: not held back by earlier failures.
      this.consecutiveFailures = 0;
      return { status: 'Background append only file rewriting scheduled' };
    }
    if (this.startRewrite()) return { status: 'Background append only file rewriting started' };
    return { error: "ERR Can't execute an AOF background rewriting. Please check the server logs for more information." };
  }

  /**
   * Redis's rewriteAppendOnlyFileBackground: from now on writes go to a new
   * incr file, and a snapshot of the dataset as of now becomes the new base.
   */
  private startRewrite(): boolean {
    if (this.server.persistence.childBusy()) return false;
    try {
      this.makeAofDir();
    } catch (e) {
      this.warn((e as Error).message);
      this.lastRewriteOk = false;
      return false;
    }
    this.selectedDb = -1;
    this.flush(true);
    if (!this.openNewIncr()) {
      this.lastRewriteOk = false;
      return false;
    }
    this.rewrites++;
    // Redis's child writes this in `dir`; here it goes into the AOF directory, where it is renamed,
    // and where its own temp file cannot meet a BGSAVE's.
    const temp = path.join(this.aofDir, `temp-rewriteaof-bg-${process.pid}.aof`);
    const rdb = this.server.config.getBool('aof-use-rdb-preamble');
    const encoder = rdb ? undefined : (sink: RdbSink): FileEncoder => new AofRewriter(sink, this.timestamps);
    let file: RdbFileJob | null = null;
    let done: Promise<number>;
    try {
      file = new RdbFileJob(this.server.snapshots, temp, this.server.persistence.rdbOptions(true), encoder);
      done = file.done;
    } catch (e) {
      // Where the forked child of Redis would fail at once.
      this.warn(`Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): ${strerror(e)}`);
      done = Promise.reject(e);
    }
    const job: RewriteJob = { file, temp, rdb, startedAt: Date.now() };
    this.rewrite = job;
    this.server.log.notice(`Background append only file rewriting started by pid ${process.pid}`);
    this.rewriteScheduled = false;
    done.then(
      () => this.rewriteDone(job, null),
      (e: unknown) => this.rewriteDone(job, e),
    );
    return true;
  }

  /**
   * Redis's openNewIncrAofForAppend: with the AOF on, a new incr file (named
   * in the manifest at once); while waiting for the first rewrite, the temp
   * incr file. The previous file is fsync'd and closed in the background.
   */
  private openNewIncr(): boolean {
    if (this.state === 'off') return true;
    const next = this.state === 'on' ? this.manifest.clone() : null;
    const name = next === null ? tempIncrName(this.filename) : next.newIncr(this.filename);
    let fd: number;
    try {
      fd = fs.openSync(path.join(this.aofDir, name), 'w', 0o644);
    } catch (e) {
      this.warn(`Can't open the append-only file ${name}: ${strerror(e)}`);
      return false;
    }
    if (next !== null && !this.persistManifest(next)) {
      fs.closeSync(fd);
      return false;
    }
    this.server.log.notice(`Creating AOF incr file ${name} on background rewrite`);
    if (this.fd !== -1) {
      // With everysec the fsync may come a little later; with always the file is already synced.
      this.backgroundFsync(this.fd, true);
      this.fsyncOffset = this.currentSize;
      this.lastFsync = unixNow();
    }
    this.fd = fd;
    this.lastIncrSize = 0;
    if (next !== null) this.manifest = next;
    return true;
  }

  /** Redis's backgroundRewriteDoneHandler. */
  private rewriteDone(job: RewriteJob, error: unknown): void {
    if (this.rewrite !== job) {
      // Killed (appendonly no, shutdown): whatever it wrote goes.
      fs.rm(job.temp, { force: true }, () => {});
      return;
    }
    this.rewrite = null;
    this.lastCopiedKeys = job.file?.snapshot.keysCopied ?? 0;
    if (error === null) this.installRewrite(job);
    else {
      this.rewriteFailed();
      this.warn('Background AOF rewrite terminated with error');
    }
    fs.rm(job.temp, { force: true }, () => {});
    if (this.state === 'wait_rewrite') {
      // The temp incr file only served this rewrite: the next one starts a fresh one.
      this.buffer = [];
      this.bufferBytes = 0;
      const name = tempIncrName(this.filename);
      this.server.log.notice(`Removing the temp incr aof file ${name} in the background`);
      fs.rm(path.join(this.aofDir, name), { force: true }, () => {});
      this.rewriteScheduled = true;
    }
    this.lastRewriteSeconds = unixNow() - Math.floor(job.startedAt / 1000);
  }

  /** The rewrite's base is complete: rename it in, switch the manifest, drop what it replaces. */
  private installRewrite(job: RewriteJob): void {
    const log = this.server.log;
    const started = performance.now();
    const tempName = path.basename(job.temp);
    log.notice(`Successfully created the temporary AOF base file ${tempName}`);
    log.notice(`Snapshot copy-on-write: ${this.lastCopiedKeys} keys copied before a write`);
    log.notice('Background AOF rewrite terminated with success');
    const next = this.manifest.clone();
    const baseName = next.newBase(this.filename, job.rdb);
    const basePath = path.join(this.aofDir, baseName);
    try {
      fs.renameSync(job.temp, basePath);
    } catch (e) {
      this.warn(`Error trying to rename the temporary AOF base file ${tempName} into ${basePath}: ${strerror(e)}`);
      this.rewriteFailed();
      return;
    }
    log.notice(`Successfully renamed the temporary AOF base file ${tempName} into ${baseName}`);
    let incrPath: string | null = null;
    if (this.state === 'wait_rewrite') {
      const tempIncr = tempIncrName(this.filename);
      const tempIncrPath = path.join(this.aofDir, tempIncr);
      const incrName = next.newIncr(this.filename);
      incrPath = path.join(this.aofDir, incrName);
      try {
        fs.renameSync(tempIncrPath, incrPath);
      } catch (e) {
        this.warn(`Error trying to rename the temporary AOF incr file ${tempIncrPath} into ${incrPath}: ${strerror(e)}`);
        fs.rm(basePath, { force: true }, () => {});
        this.rewriteFailed();
        return;
      }
      log.notice(`Successfully renamed the temporary AOF incr file ${tempIncr} into ${incrName}`);
    }
    next.markIncrAsHistory(this.fd !== -1);
    if (!this.persistManifest(next)) {
      fs.rm(basePath, { force: true }, () => {});
      if (incrPath !== null) fs.rm(incrPath, { force: true }, () => {});
      this.rewriteFailed();
      return;
    }
    this.manifest = next;
    if (this.fd !== -1) {
      this.selectedDb = -1;
      this.currentSize = fs.statSync(basePath).size + this.lastIncrSize;
      this.rewriteBaseSize = this.currentSize;
      this.fsyncOffset = this.currentSize;
      this.lastFsync = unixNow();
    }
    this.deleteHistoryFiles();
    this.lastRewriteOk = true;
    this.consecutiveFailures = 0;
    log.notice('Background AOF rewrite finished successfully');
    if (this.state === 'wait_rewrite') this.state = 'on';
    log.verbose(`Background AOF rewrite signal handler took ${Math.round((performance.now() - started) * 1000)}us`);
  }

  private rewriteFailed(): void {
    this.lastRewriteOk = false;
    this.consecutiveFailures++;
  }

  /** Stops a running rewrite without touching the AOF (Redis's killAppendOnlyChild). */
  private killRewrite(): void {
    const job = this.rewrite;
    if (job === null) return;
    this.server.log.notice(`Killing running AOF rewrite child: ${process.pid}`);
    this.rewrite = null;
    job.file?.abort(new Error('AOF rewrite stopped'));
    fs.rm(job.temp, { force: true }, () => {});
  }

  /** After repeated failures, automatic rewrites wait 1, 2, 4 ... 60 minutes (Redis's aofRewriteLimited). */
  private rewriteLimited(): boolean {
    if (this.consecutiveFailures < rewriteLimitThreshold) {
      this.rewriteDelayMinutes = 0;
      this.nextRewriteTime = 0;
      return false;
    }
    const now = unixNow();
    if (this.nextRewriteTime !== 0) {
      if (now < this.nextRewriteTime) return true;
      this.nextRewriteTime = 0;
      return false;
    }
    this.rewriteDelayMinutes = Math.min(
      this.rewriteDelayMinutes === 0 ? 1 : this.rewriteDelayMinutes * 2,
      rewriteLimitMaxMinutes,
    );
    this.nextRewriteTime = now + this.rewriteDelayMinutes * 60;
    this.warn(
      `Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${this.rewriteDelayMinutes} minutes`,
    );
    return true;
  }

  // ---- cron, INFO, shutdown ------------------------------------------------------------

  /**
   * From the server cron: a scheduled rewrite once no other snapshot runs, the
   * automatic rewrite on growth (auto-aof-rewrite-percentage/-min-size), and
   * the fsync and retries the buffer needs.
   */
  cron(): void {
    const config = this.server.config;
    const busy = this.server.persistence.childBusy();
    if (!busy && this.rewriteScheduled && !this.rewriteLimited()) {
      this.startRewrite();
    } else if (!busy && this.state === 'on') {
      const percentage = config.getInt('auto-aof-rewrite-percentage');
      if (percentage > 0 && this.currentSize > config.getInt('auto-aof-rewrite-min-size')) {
        const base = this.rewriteBaseSize > 0 ? this.rewriteBaseSize : 1;
        const growth = Math.floor((this.currentSize * 100) / base) - 100;
        if (growth >= percentage && !this.rewriteLimited()) {
          this.server.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
          this.startRewrite();
        }
      }
    }
    if (this.state !== 'off') this.flush(false);
  }

  /** INFO persistence, from aof_enabled on (Redis's order; the size fields only while the AOF is on). */
  infoFields(): Array<[string, string | number]> {
    const now = unixNow();
    const on = this.state !== 'off';
    const fields: Array<[string, string | number]> = [
      ['aof_enabled', on ? 1 : 0],
      ['aof_rewrite_in_progress', this.rewrite !== null ? 1 : 0],
      ['aof_rewrite_scheduled', this.rewriteScheduled ? 1 : 0],
      ['aof_last_rewrite_time_sec', this.lastRewriteSeconds],
      ['aof_current_rewrite_time_sec', this.rewrite !== null ? now - Math.floor(this.rewrite.startedAt / 1000) : -1],
      ['aof_last_bgrewrite_status', this.lastRewriteOk ? 'ok' : 'err'],
      ['aof_rewrites', this.rewrites],
      ['aof_rewrites_consecutive_failures', this.consecutiveFailures],
      ['aof_last_write_status', this.writeError === null && this.bioFsyncError === null ? 'ok' : 'err'],
      ['aof_last_cow_size', this.lastCopiedKeys],
      ['module_fork_in_progress', 0],
      ['module_fork_last_cow_size', 0],
    ];
    if (on) {
      fields.push(
        ['aof_current_size', this.currentSize],
        ['aof_base_size', this.rewriteBaseSize],
        ['aof_pending_rewrite', this.rewriteScheduled ? 1 : 0],
        ['aof_buffer_length', this.bufferBytes],
        ['aof_pending_bio_fsync', this.fsyncsInFlight],
        ['aof_delayed_fsync', this.delayedFsyncs],
      );
    }
    return fields;
  }

  /**
   * SHUTDOWN (and SIGTERM), as Redis's prepareForShutdown: a running rewrite
   * is stopped, unless it is writing the very first AOF (then the server
   * refuses to exit unless `force`); the buffer is written and fsync'd.
   */
  prepareShutdown(force: boolean): boolean {
    if (this.rewrite !== null) {
      if (this.state === 'wait_rewrite') {
        if (!force) {
          this.warn("Writing initial AOF, can't exit.");
          return false;
        }
        this.warn('Writing initial AOF. Exit anyway.');
      }
      this.warn('There is a child rewriting the AOF. Killing it!');
      this.killRewrite();
    }
    if (this.state !== 'off' && this.fd !== -1) {
      this.server.log.notice('Calling fsync() on the AOF file.');
      this.flush(true);
      try {
        fs.fdatasyncSync(this.fd);
      } catch (e) {
        this.warn(`Fail to fsync the AOF file: ${strerror(e)}.`);
      }
    }
    return true;
  }

  /** The server is closing: no more writes; the file is closed once pending fsyncs end. */
  close(): void {
    this.killRewrite();
    this.unregister();
    if (this.fd !== -1) this.closeFile();
  }
}
