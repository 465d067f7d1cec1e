// Loading the multi-part AOF, as Redis 7.0's loadAppendOnlyFiles and
// loadSingleAppendOnlyFile: the base file (an RDB, recognised by its "REDIS"
// signature, or commands), then each incr file in the manifest's order. The
// commands run through a socketless client, MULTI/EXEC blocks included; an
// incomplete last command (or a MULTI without its EXEC) is cut off when
// aof-load-truncated is yes, and is an error otherwise.
//
// Files are read in chunks, never whole (except an RDB base, which the RDB
// loader needs in memory), and the work is a generator that stops every few
// milliseconds: the startup load lets clients in between (they get -LOADING),
// DEBUG LOADAOF drives the same generator to its end at once.

import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { strerror } from '../config/values.js';
import { Client } from '../server/client.js';
import { lookupCommand } from '../server/dispatch.js';
import { isExec } from '../server/multi.js';
import type { Server } from '../server/server.js';
import { writeManifest, type AofManifest } from './aof-manifest.js';
import { RdbLoader } from './rdb-load.js';
import { rdbLoadLimits } from './rdb-object.js';

/** Outcome of loading one file or the whole AOF (Redis's AOF_OK, AOF_NOT_EXIST, ...). */
export type AofLoadStatus = 'ok' | 'not_exist' | 'empty' | 'open_err' | 'failed' | 'truncated';

export interface AofLoadResult {
  status: AofLoadStatus;
  /** For 'failed' and 'open_err': the last line to log before giving up (not logged yet). */
  error?: string;
  /** Bytes of the base and incr files, and of the base alone (aof_current_size, aof_base_size). */
  totalSize: number;
  baseSize: number;
}

/** Where the AOF lives and how to load it. */
export interface AofLoadContext {
  server: Server;
  /** `dir`: the old single-file AOF lives here. */
  dir: string;
  /** `dir`/`appenddirname`. */
  aofDir: string;
  /** appendfilename */
  filename: string;
}

/** Milliseconds of work between two yields to the event loop. */
export const loadSliceMs = 5;
/** Redis reads lines with fgets into a buffer of AOF_ANNOTATION_LINE_MAX_LEN bytes. */
const lineBufferBytes = 1024;
/** Bytes read from the file at once. */
const readChunkBytes = 1 << 20;
/** Commands run between two looks at the clock. */
const commandsPerClockCheck = 64;
/** Redis's CLIENT_ID_AOF (UINT64_MAX), as close as a JS number gets. */
const aofClientId = Number.MAX_SAFE_INTEGER;

/** The client AOF commands run as: it never replies and never blocks (Redis's createAOFClient). */
class AofClient extends Client {
  constructor(server: Server) {
    super(server, aofClientId, null);
    this.denyBlocking = true;
  }

  protected override replyEnabled(): boolean {
    return false;
  }
}

/**
 * A file read in chunks with C stdio's semantics: fgets (a line, or at most
 * size-1 bytes) and fread (all or nothing), `eof` once a read ran past the end.
 */
class FileCursor {
  private readonly fd: number;
  private readonly size: number;
  private buf = Buffer.alloc(0);
  private pos = 0;
  /** File offset of buf[0]. */
  private bufStart: number;
  eof = false;

  constructor(fd: number, size: number, start: number) {
    this.fd = fd;
    this.size = size;
    this.bufStart = start;
  }

  /** Offset of the next byte to consume. */
  get offset(): number {
    return this.bufStart + this.pos;
  }

  /** Reads more until `n` bytes are buffered past pos or the file ends. */
  private fill(n: number): void {
    const avail = this.buf.length - this.pos;
    const fileEnd = this.bufStart + this.buf.length;
    if (avail >= n || fileEnd >= this.size) return;
    const want = Math.min(Math.max(n - avail, readChunkBytes), this.size - fileEnd);
    const next = Buffer.allocUnsafe(avail + want);
    this.buf.copy(next, 0, this.pos);
    let got = 0;
    while (got < want) {
      const r = fs.readSync(this.fd, next, avail + got, want - got, fileEnd + got);
      if (r === 0) break;
      got += r;
    }
    this.bufStart += this.pos;
    this.buf = next.subarray(0, avail + got);
    this.pos = 0;
  }

  private take(n: number): string {
    const s = this.buf.toString('latin1', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** fgets(buf, size): through the next newline or size-1 bytes; null when nothing is left. */
  fgets(size: number): string | null {
    const max = size - 1;
    this.fill(max);
    const avail = this.buf.length - this.pos;
    const nl = this.buf.subarray(this.pos, this.pos + Math.min(avail, max)).indexOf(10);
    if (nl !== -1) return this.take(nl + 1);
    if (avail >= max) return this.take(max);
    this.eof = true;
    return avail === 0 ? null : this.take(avail);
  }

  /** fread of exactly n bytes; null (at end of file) when fewer are left. */
  read(n: number): string | null {
    if (n > this.size - this.offset) {
      this.eof = true;
      return null;
    }
    this.fill(n);
    return this.take(n);
  }
}

/** C's strtol/atoi: optional blanks and sign, then the leading digits (none: 0). */
function cInteger(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

type ParsedCommand = string[] | 'eof' | 'readerr' | 'fmterr';

/** The next command of the file, parsed as loadSingleAppendOnlyFile does ('#' lines are annotations). */
function readCommand(cur: FileCursor): ParsedCommand {
  for (;;) {
    const line = cur.fgets(lineBufferBytes);
    if (line === null) return cur.eof ? 'eof' : 'readerr';
    if (line[0] === '#') continue;
    if (line[0] !== '*') return 'fmterr';
    if (line.length === 1 || line[1] === '\0') return 'readerr';
    const argc = cInteger(line.slice(1));
    if (argc < 1) return 'fmterr';
    const argv: string[] = [];
    for (let j = 0; j < argc; j++) {
      const head = cur.fgets(lineBufferBytes);
      if (head === null) return 'readerr';
      if (head[0] !== '$') return 'fmterr';
      // Redis would try to allocate a negative length as a huge one and die; we call it a format error.
      const len = cInteger(head.slice(1));
      if (len < 0) return 'fmterr';
      const arg = len === 0 ? '' : cur.read(len);
      if (arg === null) return 'readerr';
      // The two bytes after the argument are skipped unchecked, as Redis does.
      if (cur.read(2) === null) return 'readerr';
      argv.push(arg);
    }
    return argv;
  }
}

/** What a C "%s" prints of a byte string: up to the first NUL. */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul === -1 ? s : s.slice(0, nul);
}

interface FileLoad {
  status: AofLoadStatus;
  error?: string;
}

/** Progress of the file being loaded, for INFO's loading_loaded_bytes. */
interface Progress {
  offset: number;
}

/**
 * One file of the AOF, as loadSingleAppendOnlyFile: yields between slices,
 * returns its outcome. Every line is logged except a failure's last one,
 * which is returned as `error`.
 */
function* loadSingleFile(ctx: AofLoadContext, name: string, progress: Progress): Generator<void, FileLoad> {
  const { server } = ctx;
  const log = server.log;
  const file = path.join(ctx.aofDir, name);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      log.warning(`The append log file ${name} doesn't exist: ${strerror(e)}`);
      return { status: 'not_exist' };
    }
    return { status: 'open_err', error: `Fatal error: can't open the append log file ${name} for reading: ${strerror(e)}` };
  }
  const client = new AofClient(server);
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return { status: 'empty' };
    let start = 0;
    const sig = Buffer.alloc(5);
    if (fs.readSync(fd, sig, 0, 5, 0) === 5 && sig.toString('latin1') === 'REDIS') {
      const oldStyle = name === ctx.filename;
      log.notice(oldStyle ? 'Reading RDB preamble from AOF file...' : 'Reading RDB base file on AOF loading...');
      const loader = rdbLoader(server, fs.readFileSync(fd));
      try {
        while (!loader.step(loadSliceMs)) {
          progress.offset = loader.offset;
          yield;
        }
      } catch (e) {
        log.warning((e as Error).message);
        return {
          status: 'failed',
          error: oldStyle
            ? `Error reading the RDB preamble of the AOF file ${name}, AOF loading aborted`
            : `Error reading the RDB base file ${name}, AOF loading aborted`,
        };
      }
      rdbLoaded(server, loader);
      start = loader.offset;
      progress.offset = start;
      if (oldStyle) log.notice('Reading the remaining AOF tail...');
    }
    return yield* replayCommands(ctx, name, file, new FileCursor(fd, size, start), client, progress);
  } catch (e) {
    return { status: 'failed', error: `Unrecoverable error reading the append only file ${name}: ${strerror(e)}` };
  } finally {
    server.watches.unwatchAll(client);
    fs.closeSync(fd);
  }
}

/** The commands of one file, from the cursor's position to the end. */
function* replayCommands(
  ctx: AofLoadContext,
  name: string,
  file: string,
  cur: FileCursor,
  client: AofClient,
  progress: Progress,
): Generator<void, FileLoad> {
  const { server } = ctx;
  const log = server.log;
  const truncatedOk = server.config.getBool('aof-load-truncated');
  // Offsets of the last whole command and of the last MULTI's start. An RDB preamble counts as whole:
  // Redis would cut an old-style AOF back to 0 here, losing the preamble.
  let validUpTo = cur.offset;
  let validBeforeMulti = validUpTo;
  let deadline = performance.now() + loadSliceMs;
  let atEnd = false;
  for (let n = 1; ; n++) {
    if (n % commandsPerClockCheck === 0 && performance.now() >= deadline) {
      progress.offset = cur.offset;
      yield;
      deadline = performance.now() + loadSliceMs;
    }
    const argv = readCommand(cur);
    if (argv === 'eof') break;
    if (argv === 'fmterr') {
      return {
        status: 'failed',
        error:
          `Bad file format reading the append only file ${name}: ` +
          'make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>',
      };
    }
    if (argv === 'readerr') {
      if (!cur.eof) return { status: 'failed', error: `Unrecoverable error reading the append only file ${name}: Success` };
      atEnd = true;
      break;
    }
    const cmd = lookupCommand(server, argv);
    if (cmd === null) {
      return {
        status: 'failed',
        error: `Unknown command '${cString(argv[0])}' reading the append only file ${name}`,
      };
    }
    // Redis runs the handler unchecked; ours rely on the arity check.
    if ((cmd.arity > 0 && argv.length !== cmd.arity) || argv.length < -cmd.arity) {
      return {
        status: 'failed',
        error: `Wrong number of arguments for '${cmd.fullName}' reading the append only file ${name}`,
      };
    }
    if (cmd.parent === undefined && cmd.name === 'multi') validBeforeMulti = validUpTo;
    client.argv = argv;
    client.cmd = client.lastCmd = cmd;
    if (client.tx.queue !== null && !isExec(cmd)) {
      client.tx.add(cmd, argv);
    } else {
      try {
        cmd.run(client, argv);
      } catch (e) {
        return {
          status: 'failed',
          error: `Internal error in '${cmd.fullName}' reading the append only file ${name}: ${(e as Error).message}`,
        };
      }
    }
    if (truncatedOk) validUpTo = cur.offset;
  }
  progress.offset = cur.offset;
  // A MULTI without its EXEC at the end is cut off like a short read.
  if (!atEnd && client.tx.queue !== null) {
    log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
    validUpTo = validBeforeMulti;
    atEnd = true;
  }
  if (!atEnd) return { status: 'ok' };
  if (truncatedOk) {
    log.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
    log.warning(`!!! Truncating the AOF ${name} at offset ${validUpTo} !!!`);
    try {
      fs.truncateSync(file, validUpTo);
      log.warning(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
      return { status: 'truncated' };
    } catch (e) {
      log.warning(`Error truncating the AOF file ${name}: ${strerror(e)}`);
    }
  }
  return {
    status: 'failed',
    error:
      `Unexpected end of file reading the append only file ${name}. You can: ` +
      '1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. ' +
      "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
  };
}

/** An RDB loader for an AOF base: expired keys are kept, as Redis loads with RDBFLAGS_AOF_PREAMBLE. */
function rdbLoader(server: Server, data: Buffer): RdbLoader {
  const policy = server.config.getEnum('maxmemory-policy');
  return new RdbLoader(data, server.dbs, {
    limits: rdbLoadLimits(server.config),
    dropExpired: false,
    now: Date.now(),
    policy: policy.endsWith('-lru') ? 'lru' : policy.endsWith('-lfu') ? 'lfu' : 'none',
  });
}

/** What rdbLoad logs and records (INFO rdb_last_load_keys_*) about the file it read. */
function rdbLoaded(server: Server, loader: RdbLoader): void {
  const { aux, keysLoaded, keysExpired } = loader.result;
  const log = server.log;
  if (aux.has('redis-ver')) log.notice(`Loading RDB produced by version ${aux.get('redis-ver')}`);
  if (aux.has('ctime')) {
    log.notice(`RDB age ${Math.max(0, Math.floor(Date.now() / 1000) - Number(aux.get('ctime')))} seconds`);
  }
  if (aux.has('used-mem')) {
    log.notice(`RDB memory usage when created ${(Number(aux.get('used-mem')) / 1024 / 1024).toFixed(2)} Mb`);
  }
  if (cInteger(aux.get('aof-base') ?? '0') !== 0) log.notice('RDB is base AOF');
  log.notice(`Done loading RDB, keys loaded: ${keysLoaded}, keys expired: ${keysExpired}.`);
  server.persistence.lastLoad = { keysLoaded, keysExpired };
}

/** Size of a file of the AOF, or the status that stops the load (Redis's getAppendOnlyFileSize). */
function fileSize(ctx: AofLoadContext, name: string): number | FileLoad {
  try {
    return fs.statSync(path.join(ctx.aofDir, name)).size;
  } catch (e) {
    const line = `Unable to obtain the AOF file ${name} length. stat: ${strerror(e)}`;
    // A file named in the manifest but missing on disk is fatal.
    return (e as NodeJS.ErrnoException).code === 'ENOENT'
      ? { status: 'failed', error: line }
      : { status: 'open_err', error: line };
  }
}

/** Moves an old single-file AOF into the AOF directory as the base (Redis's aofUpgradePrepare). Throws on failure. */
function upgradeOldAof(ctx: AofLoadContext, manifest: AofManifest): void {
  const log = ctx.server.log;
  try {
    fs.mkdirSync(ctx.aofDir, { recursive: true });
  } catch (e) {
    throw new Error(`Can't open or create append-only dir ${path.basename(ctx.aofDir)}: ${strerror(e)}`);
  }
  manifest.base = { name: ctx.filename, seq: 1, type: 'b' };
  manifest.baseSeq = 1;
  if (!writeManifest(ctx.aofDir, ctx.filename, manifest, (m) => log.warning(m))) {
    throw new Error('Fatal error: could not persist the AOF manifest');
  }
  try {
    fs.renameSync(path.join(ctx.dir, ctx.filename), path.join(ctx.aofDir, ctx.filename));
  } catch (e) {
    throw new Error(
      `Error trying to move the old AOF file ${ctx.filename} into dir ${path.basename(ctx.aofDir)}: ${strerror(e)}`,
    );
  }
  log.notice(
    `Successfully migrated an old-style AOF file (${ctx.filename}) into the AOF directory (${path.basename(ctx.aofDir)}).`,
  );
}

/** Whether a single-file AOF of an older Redis is waiting to be moved into the AOF directory. */
function needsUpgrade(ctx: AofLoadContext, manifest: AofManifest): boolean {
  if (!isFile(path.join(ctx.dir, ctx.filename))) return false;
  if (!fs.statSync(ctx.aofDir, { throwIfNoEntry: false })?.isDirectory() || manifest.isEmpty) return true;
  return (
    manifest.base !== null &&
    manifest.incr.length === 0 &&
    manifest.base.name === ctx.filename &&
    !isFile(path.join(ctx.aofDir, ctx.filename))
  );
}

function isFile(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
}

/**
 * Loads the files `manifest` names into the (empty) databases, as Redis's
 * loadAppendOnlyFiles. Yields between slices of a few milliseconds. The
 * server's loading state is set meanwhile (INFO loading_*, -LOADING).
 * Throws only when an old AOF could not be moved into the AOF directory.
 */
export function* loadAppendOnlyFiles(ctx: AofLoadContext, manifest: AofManifest): Generator<void, AofLoadResult> {
  const { server } = ctx;
  const log = server.log;
  if (needsUpgrade(ctx, manifest)) upgradeOldAof(ctx, manifest);
  if (manifest.isEmpty) return { status: 'not_exist', totalSize: 0, baseSize: 0 };
  const files = [...(manifest.base ? [manifest.base] : []), ...manifest.incr];
  const sizes: number[] = [];
  for (const ai of files) {
    const size = fileSize(ctx, ai.name);
    if (typeof size !== 'number') return { ...size, totalSize: 0, baseSize: 0 };
    sizes.push(size);
  }
  const totalSize = sizes.reduce((a, b) => a + b, 0);
  if (totalSize === 0) return { status: 'empty', totalSize: 0, baseSize: 0 };
  const progress: Progress = { offset: 0 };
  let loadedBefore = 0;
  const persistence = server.persistence;
  persistence.loading = {
    startedAt: Date.now(),
    totalBytes: totalSize,
    loadedBytes: () => loadedBefore + progress.offset,
    rdbUsedMem: 0,
  };
  let status: AofLoadStatus = 'ok';
  try {
    for (let i = 0; i < files.length; i++) {
      const name = files[i].name;
      const isBase = i === 0 && manifest.base !== null;
      const last = i === files.length - 1;
      const started = performance.now();
      progress.offset = 0;
      const r = yield* loadSingleFile(ctx, name, progress);
      loadedBefore += sizes[i];
      status = r.status;
      if (status === 'ok' || (status === 'truncated' && last)) {
        const seconds = ((performance.now() - started) / 1000).toFixed(3);
        log.notice(`DB loaded from ${isBase ? 'base' : 'incr'} file ${name}: ${seconds} seconds`);
      }
      // Some file has data, so an empty incr file is no reason to call the whole AOF empty.
      if (status === 'empty' && !isBase) status = 'ok';
      if (status === 'truncated' && !last) {
        return { status: 'failed', error: 'Fatal error: the truncated file is not the last file', totalSize, baseSize: 0 };
      }
      if (status === 'open_err' || status === 'failed') return { status, error: r.error, totalSize, baseSize: 0 };
    }
  } finally {
    persistence.loading = null;
  }
  return { status, totalSize, baseSize: manifest.base ? sizes[0] : 0 };
}
