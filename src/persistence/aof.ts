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
import { AofWriter, unixNow } from './aof-write.js';
import { RdbFileJob, saveRdbFileSync, type FileEncoder, type RdbSink } from './rdb-save.js';

type AofState = 'off' | 'on' | 'wait_rewrite';

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

export class Aof {
  private readonly server: Server;
  private state: AofState = 'off';
  private manifest = new AofManifest();
  /** The incr file being appended to (the temp incr file in wait_rewrite). */
  private readonly writer: AofWriter;
  /** Database of the last command written: a SELECT precedes a command for another one. */
  private selectedDb = -1;
  private timestamps: boolean;
  private lastTimestamp = 0;
  /** aof_current_size when the last rewrite ended (aof_base_size): the base of auto-aof-rewrite-percentage. */
  private rewriteBaseSize = 0;
  private rewrite: RewriteJob | null = null;
  private rewriteScheduled = false;
  private lastRewriteSeconds = -1;
  private lastRewriteOk = true;
  private rewrites = 0;
  private consecutiveFailures = 0;
  private lastCopiedKeys = 0;
  private rewriteDelayMinutes = 0;
  private nextRewriteTime = 0;
  private readonly sink: PropagationSink = (db, argv, replicasOnly) => {
    if (!replicasOnly) this.feed(db, argv);
  };

  constructor(server: Server) {
    this.server = server;
    this.writer = new AofWriter(server);
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
    return this.writer.bufferBytes;
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
    this.writer.setSize(result.totalSize);
    this.rewriteBaseSize = result.baseSize;
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
      this.writer.open(fs.openSync(path.join(this.aofDir, name), 'a', 0o644));
    } catch (e) {
      throw new Error(`Can't open the append-only file ${name}: ${strerror(e)}`);
    }
    if (!this.persistManifest(this.manifest)) throw new Error('Fatal error: could not persist the AOF manifest');
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
    if (this.state === 'on') this.writer.flush(true);
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
    if (this.state === 'on' || (this.state === 'wait_rewrite' && this.rewrite !== null)) this.writer.append(text);
  }

  /**
   * To be called before replies are written to clients (Redis writes the AOF
   * in beforeSleep, before handling pending writes): what the commands being
   * answered changed is written (and with appendfsync always, fsync'd) first.
   */
  beforeReplies(): void {
    if (this.writer.bufferBytes > 0) this.writer.flush(false);
  }

  /**
   * Why writes are refused because of the AOF, as Redis's
   * writeCommandsDeniedByDiskError: the error reply, or null.
   */
  writesDeniedError(): string | null {
    return this.state === 'off' ? null : this.writer.deniedError();
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
    this.writer.forgetErrors();
    return undefined;
  }

  /** CONFIG SET appendonly no (Redis's stopAppendOnly). */
  private stopAppendOnly(): void {
    this.writer.syncNow('');
    this.writer.close();
    this.selectedDb = -1;
    this.state = 'off';
    this.rewriteScheduled = false;
    this.killRewrite();
    this.unregister();
  }

  private unregister(): void {
    const i = this.server.propagationSinks.indexOf(this.sink);
    if (i !== -1) this.server.propagationSinks.splice(i, 1);
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
    this.writer.flush(true);
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
    this.writer.switchTo(fd);
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
      this.writer.discard();
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
    next.markIncrAsHistory(this.writer.isOpen);
    if (!this.persistManifest(next)) {
      fs.rm(basePath, { force: true }, () => {});
      if (incrPath !== null) fs.rm(incrPath, { force: true }, () => {});
      this.rewriteFailed();
      return;
    }
    this.manifest = next;
    if (this.writer.isOpen) {
      this.selectedDb = -1;
      this.rewriteBaseSize = this.writer.rewritten(fs.statSync(basePath).size);
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
      const size = this.writer.currentSize;
      if (percentage > 0 && size > config.getInt('auto-aof-rewrite-min-size')) {
        const base = this.rewriteBaseSize > 0 ? this.rewriteBaseSize : 1;
        const growth = Math.floor((size * 100) / base) - 100;
        if (growth >= percentage && !this.rewriteLimited()) {
          this.server.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
          this.startRewrite();
        }
      }
    }
    if (this.state !== 'off') this.writer.flush(false);
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
      ['aof_last_write_status', this.writer.healthy ? 'ok' : 'err'],
      ['aof_last_cow_size', this.lastCopiedKeys],
      ['module_fork_in_progress', 0],
      ['module_fork_last_cow_size', 0],
    ];
    if (on) {
      fields.push(
        ['aof_current_size', this.writer.currentSize],
        ['aof_base_size', this.rewriteBaseSize],
        ['aof_pending_rewrite', this.rewriteScheduled ? 1 : 0],
        ['aof_buffer_length', this.writer.bufferBytes],
        ['aof_pending_bio_fsync', this.writer.fsyncsInFlight],
        ['aof_delayed_fsync', this.writer.delayedFsyncs],
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
    if (this.state !== 'off' && this.writer.isOpen) {
      this.server.log.notice('Calling fsync() on the AOF file.');
      this.writer.syncNow('.');
    }
    return true;
  }

  // ---- replication ----------------------------------------------------------------------

  /**
   * A replica is about to replace its dataset with its master's: the AOF
   * stops (Redis's stopAppendOnly in readSyncBulkPayload). True when it was on.
   */
  stopForSync(): boolean {
    if (this.state === 'off') return false;
    this.stopAppendOnly();
    return true;
  }

  /** The new dataset is in: the AOF starts again with a rewrite of it. False when that could not start (logged). */
  restartAfterSync(): boolean {
    return this.startAppendOnly() === undefined;
  }

  /** The server is closing: what is buffered is written, then the file is closed once pending fsyncs end. */
  close(): void {
    this.killRewrite();
    this.unregister();
    this.writer.flush(true);
    this.writer.close();
  }
}
