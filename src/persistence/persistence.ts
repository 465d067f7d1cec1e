// RDB persistence as Redis 7.0 runs it: SAVE, BGSAVE, the `save` points, the
// dump loaded at startup, the final save at shutdown, and what INFO
// persistence reports. A background save is a copy-on-write snapshot written
// in slices (rdb-save.ts) where Redis forks a child; "the child" below means
// that snapshot.

import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToClients } from 'node:timers/promises';
import { redisVersion } from '../version.js';
import type { Server } from '../server/server.js';
import { RdbFileJob, saveRdbFileSync, type RdbFormatOptions } from './rdb-save.js';
import { RdbLoader, type RdbLoadResult } from './rdb-load.js';
import { rdbLoadLimits } from './rdb-object.js';
import type { Database } from '../store/database.js';
import type { SnapshotJob } from '../store/snapshot.js';

/** Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this long before trying again. */
const bgsaveRetryDelaySeconds = 5;
/** Loading works in slices of this many milliseconds, answering clients (-LOADING) in between. */
const loadSliceMs = 5;

export const misconfRdbError =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that " +
  'may modify the data set are disabled, because this instance is configured to report errors during writes if RDB ' +
  'snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.';

/** A background RDB job stopped on purpose (Redis kills its child with SIGUSR1): not a save error. */
export class RdbChildKilled extends Error {}

/**
 * What runs as Redis's RDB child: a BGSAVE to the dump file (asked by a
 * user, a save point or replicas), or an RDB streamed to replicas' sockets.
 * One at a time; while one runs, BGSAVE and SAVE answer that a background
 * save is in progress.
 */
export interface RdbChild {
  readonly target: 'disk' | 'socket';
  readonly snapshot: SnapshotJob;
  abort(reason: Error): void;
}

/** Progress of a dataset being loaded (INFO loading_* fields). */
export interface LoadingProgress {
  startedAt: number;
  totalBytes: number;
  loadedBytes: () => number;
  /** used-mem recorded in the RDB's aux fields. */
  rdbUsedMem: number;
  /** A replica's swapdb load while it serves the old data (INFO async_loading; only no_async_loading commands wait). */
  async?: boolean;
}

export class Persistence {
  private readonly server: Server;
  /** The running background save or transfer to replicas. */
  private child: RdbChild | null = null;
  /** server.dirty when the running BGSAVE began: what it covers. */
  private dirtyAtBgsave = 0;
  /** BGSAVE SCHEDULE asked while another snapshot ran. */
  bgsaveScheduled = false;
  lastBgsaveOk = true;
  /** Seconds the last BGSAVE took (-1: none yet). */
  private lastBgsaveSeconds = -1;
  /** When a BGSAVE was last tried (ms), for the retry delay after a failure. */
  private lastBgsaveTry = 0;
  /** Saves done (rdb_saves). */
  private saves = 0;
  /** Keys the last background save copied before a write (our counterpart of rdb_last_cow_size). */
  private lastCopiedKeys = 0;
  lastLoad = { keysLoaded: 0, keysExpired: 0 };
  /** Set while a dataset is being loaded: commands without the `loading` flag answer -LOADING. */
  loading: LoadingProgress | null = null;

  constructor(server: Server) {
    this.server = server;
  }

  /** Where the dump lives: dbfilename in dir. */
  dumpPath(): string {
    return path.resolve(this.server.config.get('dir') ?? '.', this.server.config.get('dbfilename') ?? 'dump.rdb');
  }

  /**
   * How RDB files are written now; `aofBase` marks an AOF's RDB preamble.
   * The replication info goes in (as Redis's rdbPopulateSaveInfo) when there
   * is one to keep, never in an AOF preamble.
   */
  rdbOptions(aofBase: boolean): RdbFormatOptions {
    const config = this.server.config;
    const replication = this.server.replication;
    const streamDb = aofBase ? null : replication.rdbStreamDb();
    return {
      compress: config.getBool('rdbcompression'),
      checksum: config.getBool('rdbchecksum'),
      listLayout: rdbLoadLimits(config),
      aux: [
        ['redis-ver', redisVersion],
        ['redis-bits', 64],
        ['ctime', Math.floor(Date.now() / 1000)],
        ['used-mem', process.memoryUsage.rss()],
        ...(streamDb === null
          ? []
          : ([
              ['repl-stream-db', streamDb],
              ['repl-id', replication.replId],
              ['repl-offset', replication.masterReplOffset],
            ] as const)),
        ['aof-base', aofBase ? 1 : 0],
      ],
    };
  }

  /** A BGSAVE, a transfer to replicas or another snapshot (AOF rewrite) is running: Redis's hasActiveChildProcess. */
  childBusy(): boolean {
    return this.child !== null || this.server.snapshots.active !== null;
  }

  /** Redis's child_type == CHILD_TYPE_RDB: a background save or a transfer to replicas is running. */
  get bgsaveInProgress(): boolean {
    return this.child !== null;
  }

  /** Where the running RDB child writes, if one runs (Redis's rdb_child_type). */
  get rdbChildTarget(): 'disk' | 'socket' | null {
    return this.child?.target ?? null;
  }

  /** SAVE: a blocking save. True on success; failures are logged. */
  saveSync(): boolean {
    const dirtyBefore = this.server.dirty;
    try {
      saveRdbFileSync(this.server.snapshots, this.dumpPath(), this.rdbOptions(false));
    } catch (e) {
      this.server.log.warning(`Write error saving DB on disk: ${(e as Error).message}`);
      this.lastBgsaveOk = false;
      return false;
    }
    this.server.log.notice('DB saved on disk');
    this.saved(dirtyBefore);
    return true;
  }

  /**
   * Starts a BGSAVE (Redis's rdbSaveBackground: for BGSAVE, a save point or
   * replicas, whose RDB carries the replication info of its start in
   * `options`); false when the file could not be opened (logged).
   */
  startBgsave(options = this.rdbOptions(false)): boolean {
    this.lastBgsaveTry = Date.now();
    this.bgsaveScheduled = false;
    const file = this.dumpPath();
    let job: RdbFileJob;
    try {
      job = new RdbFileJob(this.server.snapshots, file, options);
    } catch (e) {
      this.server.log.warning(
        `Failed opening the temp RDB file in server root dir ${path.dirname(file)} for saving: ${(e as Error).message}`,
      );
      this.lastBgsaveOk = false;
      return false;
    }
    const child: RdbChild = { target: 'disk', snapshot: job.snapshot, abort: (reason) => job.abort(reason) };
    this.child = child;
    this.dirtyAtBgsave = this.server.dirty;
    this.server.log.notice(`Background saving started by pid ${process.pid}`);
    job.done.then(
      () => this.childDone(child, null),
      (e: Error) => this.childDone(child, e),
    );
    return true;
  }

  /** A diskless transfer to replicas runs as the RDB child (Redis's rdbSaveToSlavesSockets); `done` settles at its end. */
  startTransfer(child: RdbChild & { readonly done: Promise<void> }): void {
    this.child = child;
    this.server.log.notice(`Background RDB transfer started by pid ${process.pid}`);
    child.done.then(
      () => this.childDone(child, null),
      (e: Error) => this.childDone(child, e),
    );
  }

  /**
   * Stops the running RDB child, as Redis's killRDBChild (FLUSHALL, SHUTDOWN,
   * a new dataset, no replica waiting for it any more): replicas waiting for
   * it are disconnected.
   */
  killBgsave(reason: string): void {
    // It counts as running until its end is handled (Redis reaps the killed child later).
    this.child?.abort(new RdbChildKilled(reason));
  }

  /** Redis's backgroundSaveDoneHandler: the save's bookkeeping, then the replicas that waited for it. */
  private childDone(child: RdbChild, error: Error | null): void {
    const log = this.server.log;
    const killed = error instanceof RdbChildKilled;
    this.child = null;
    this.lastBgsaveSeconds = Math.round((Date.now() - child.snapshot.startedAt) / 1000);
    this.lastCopiedKeys = child.snapshot.keysCopied;
    if (child.target === 'socket') {
      if (error === null) log.notice('Background RDB transfer terminated with success');
      else if (killed) log.warning('Background transfer terminated by signal 10');
      else log.warning('Background transfer error');
    } else if (error === null) {
      log.notice('DB saved on disk');
      log.notice(`Snapshot copy-on-write: ${child.snapshot.keysCopied} keys copied before a write`);
      log.notice('Background saving terminated with success');
      this.saved(this.dirtyAtBgsave);
    } else if (killed) {
      log.warning('Background saving terminated by signal 10');
    } else {
      log.warning(`Write error saving DB on disk: ${error.message}`);
      log.warning('Background saving error');
      this.lastBgsaveOk = false;
    }
    this.server.replication.primary.rdbChildDone(child.target, error === null);
  }

  /** A save covering the changes up to `dirtyBefore` succeeded. */
  private saved(dirtyBefore: number): void {
    this.server.dirty -= dirtyBefore;
    this.server.lastSaveTime = Math.floor(Date.now() / 1000);
    this.lastBgsaveOk = true;
    this.saves++;
  }

  /**
   * Called by the server cron: a scheduled BGSAVE once the snapshot is free,
   * and the `save <seconds> <changes>` points, as Redis's serverCron.
   */
  cron(): void {
    if (this.childBusy() || this.loading !== null) return;
    if (this.bgsaveScheduled) {
      this.startBgsave();
      return;
    }
    const now = Date.now();
    const sinceSave = Math.floor(now / 1000) - this.server.lastSaveTime;
    for (const [seconds, changes] of this.server.config.getSaveParams()) {
      if (this.server.dirty < changes || sinceSave <= seconds) continue;
      if (!this.lastBgsaveOk && now - this.lastBgsaveTry <= bgsaveRetryDelaySeconds * 1000) continue;
      this.server.log.notice(`${changes} changes in ${seconds} seconds. Saving...`);
      this.startBgsave();
      return;
    }
  }

  /** Redis's writeCommandsDeniedByDiskError for RDB: the error text, or null when writes are allowed. */
  writesDeniedError(): string | null {
    if (this.lastBgsaveOk || !this.server.config.getBool('stop-writes-on-bgsave-error')) return null;
    return this.server.config.getSaveParams().length > 0 ? misconfRdbError : null;
  }

  /** FLUSHALL: no BGSAVE may write the old data afterwards, and with save points the dump is emptied now. */
  flushedAll(): void {
    this.killBgsave('FLUSHALL');
    if (this.server.config.getSaveParams().length === 0) return;
    // rdbSave resets the dirty counter, but the FLUSHALL itself must still be propagated.
    const dirty = this.server.dirty;
    this.saveSync();
    this.server.dirty = dirty;
  }

  /** The final save of SHUTDOWN (and SIGTERM). False when it failed (logged). */
  shutdownSave(save: boolean, nosave: boolean): boolean {
    if (this.child !== null) this.server.log.warning('There is a child saving an .rdb. Killing it!');
    this.killBgsave('shutdown');
    if (nosave || (!save && this.server.config.getSaveParams().length === 0)) return true;
    this.server.log.notice('Saving the final RDB snapshot before exiting.');
    if (this.saveSync()) return true;
    this.server.log.warning('Error trying to save the DB, can\'t exit.');
    return false;
  }

  /**
   * Startup: loads the dump if there is one, in slices while clients get
   * -LOADING. Throws with Redis's wording when the file is unusable.
   */
  async loadDumpAtStartup(onExpired?: (db: number, key: string) => void): Promise<RdbLoadResult | null> {
    const file = this.dumpPath();
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      return null;
    }
    // Loading starts now, not once the file has been read: clients see -LOADING from the start.
    this.loading = { startedAt: Date.now(), totalBytes: size, loadedBytes: () => 0, rdbUsedMem: 0 };
    let data: Buffer;
    try {
      data = await fs.promises.readFile(file);
    } catch (e) {
      this.loading = null;
      throw new Error(`Fatal error loading the DB: ${(e as Error).message}. Exiting.`);
    }
    return this.loadRdb(data, undefined, onExpired);
  }

  /**
   * Loads an RDB payload into the (empty) databases in slices, logging as
   * Redis's rdbLoad. Throws an Error whose message is the log line (the
   * loader's error is its cause). A replica's swapdb load goes to `target.dbs`,
   * `async` when the old data is served meanwhile. `onExpired` is told the
   * keys left out because their time had passed.
   */
  async loadRdb(
    data: Buffer,
    target?: { dbs: Database[]; async: boolean },
    onExpired?: (db: number, key: string) => void,
  ): Promise<RdbLoadResult> {
    const loader = this.newLoader(data, false, target?.dbs, onExpired);
    this.loading = {
      startedAt: Date.now(),
      totalBytes: data.length,
      loadedBytes: () => loader.offset,
      rdbUsedMem: 0,
      async: target?.async,
    };
    try {
      while (!this.stepLoader(loader, loadSliceMs)) await yieldToClients();
    } finally {
      this.loading = null;
    }
    return this.loaded(loader.result);
  }

  /** DEBUG RELOAD: save (unless NOSAVE), empty (unless NOFLUSH), load back, blocking. The error reply, or null. */
  debugReload(options: { merge: boolean; flush: boolean; save: boolean }): string | null {
    if (options.save && !this.saveSync()) return 'ERR';
    if (options.flush) for (const db of this.server.dbs) db.clear();
    try {
      const loader = this.newLoader(fs.readFileSync(this.dumpPath()), options.merge);
      this.stepLoader(loader, Infinity);
      this.loaded(loader.result);
    } catch (e) {
      this.server.log.warning((e as Error).message);
      return 'ERR Error trying to load the RDB dump, check server logs.';
    }
    this.server.log.warning('DB reloaded by DEBUG RELOAD');
    return null;
  }

  private newLoader(
    data: Buffer,
    allowDuplicates = false,
    dbs = this.server.dbs,
    onExpired?: (db: number, key: string) => void,
  ): RdbLoader {
    const config = this.server.config;
    const policy = config.getEnum('maxmemory-policy');
    return new RdbLoader(data, dbs, {
      limits: rdbLoadLimits(config),
      // A replica keeps keys whose time has passed: they go when its master says (Redis's iAmMaster check).
      dropExpired: this.server.replication.master === null,
      now: Date.now(),
      // As Redis, IDLE records apply under every policy but the LFU ones.
      policy: policy.endsWith('-lfu') ? 'lfu' : 'lru',
      allowDuplicates,
      onExpired,
    });
  }

  private stepLoader(loader: RdbLoader, budgetMs: number): boolean {
    try {
      return loader.step(budgetMs);
    } catch (e) {
      this.server.log.warning(`Internal error in RDB reading: ${(e as Error).message}`);
      throw new Error(`Fatal error loading the DB: ${(e as Error).message}. Exiting.`, { cause: e });
    }
  }

  private loaded(result: RdbLoadResult): RdbLoadResult {
    const aux = result.aux;
    const log = this.server.log;
    if (aux.has('redis-ver')) log.notice(`Loading RDB produced by version ${aux.get('redis-ver')}`);
    const ctime = Number(aux.get('ctime'));
    if (aux.has('ctime')) log.notice(`RDB age ${Math.max(0, Math.floor(Date.now() / 1000) - ctime)} seconds`);
    const usedMem = Number(aux.get('used-mem'));
    if (aux.has('used-mem')) log.notice(`RDB memory usage when created ${(usedMem / 1024 / 1024).toFixed(2)} Mb`);
    log.notice(`Done loading RDB, keys loaded: ${result.keysLoaded}, keys expired: ${result.keysExpired}.`);
    this.lastLoad = { keysLoaded: result.keysLoaded, keysExpired: result.keysExpired };
    return result;
  }

  /** INFO persistence, the RDB part and what follows it (the AOF's fields come from the AOF). */
  infoFields(): Array<[string, string | number]> {
    const now = Date.now();
    const bgsave = this.child;
    const active = this.server.snapshots.active;
    const fields: Array<[string, string | number]> = [
      ['loading', this.loading && !this.loading.async ? 1 : 0],
      ['async_loading', this.loading?.async ? 1 : 0],
      ['current_cow_peak', 0],
      ['current_cow_size', 0],
      ['current_cow_size_age', 0],
      ['current_fork_perc', active ? savePercent(active.keysWalked + active.keysCopied, this.totalKeys()) : '0.00'],
      ['current_save_keys_processed', active ? active.keysWalked + active.keysCopied : 0],
      ['current_save_keys_total', active ? this.totalKeys() : 0],
      ['rdb_changes_since_last_save', this.server.dirty],
      ['rdb_bgsave_in_progress', bgsave ? 1 : 0],
      ['rdb_last_save_time', this.server.lastSaveTime],
      ['rdb_last_bgsave_status', this.lastBgsaveOk ? 'ok' : 'err'],
      ['rdb_last_bgsave_time_sec', this.lastBgsaveSeconds],
      ['rdb_current_bgsave_time_sec', bgsave ? Math.round((now - bgsave.snapshot.startedAt) / 1000) : -1],
      ['rdb_saves', this.saves],
      ['rdb_last_cow_size', this.lastCopiedKeys],
      ['rdb_last_load_keys_expired', this.lastLoad.keysExpired],
      ['rdb_last_load_keys_loaded', this.lastLoad.keysLoaded],
    ];
    return fields;
  }

  /** INFO's loading_* fields, present only while loading. */
  loadingFields(): Array<[string, string | number]> {
    const l = this.loading;
    if (l === null) return [];
    const loaded = l.loadedBytes();
    const elapsed = (Date.now() - l.startedAt) / 1000;
    const perc = l.totalBytes === 0 ? 0 : (loaded / l.totalBytes) * 100;
    const eta = loaded === 0 ? 1 : Math.round(((l.totalBytes - loaded) / (loaded / Math.max(elapsed, 0.001))));
    return [
      ['loading_start_time', Math.floor(l.startedAt / 1000)],
      ['loading_total_bytes', l.totalBytes],
      ['loading_rdb_used_mem', l.rdbUsedMem],
      ['loading_loaded_bytes', loaded],
      ['loading_loaded_perc', perc.toFixed(2)],
      ['loading_eta_seconds', eta],
    ];
  }

  private totalKeys(): number {
    let n = 0;
    for (const db of this.server.dbs) n += db.size;
    return n;
  }
}

function savePercent(done: number, total: number): string {
  return total === 0 ? '0.00' : Math.min(100, (done / total) * 100).toFixed(2);
}
