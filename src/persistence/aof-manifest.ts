// The manifest of Redis 7.0's multi-part AOF: which files in `appenddirname`
// make up the log, one line each,
//
//   file appendonly.aof.2.base.rdb seq 2 type b
//   file appendonly.aof.1.incr.aof seq 1 type h
//   file appendonly.aof.2.incr.aof seq 2 type i
//
// a BASE (a snapshot as of the last rewrite: RDB or AOF format), HISTORY
// files (replaced by a rewrite, about to be deleted) and the INCR files with
// the commands since, in order. Parsed with Redis's rules and error texts;
// written to a temp file, fsync'd and renamed, as aof.c does.

import fs from 'node:fs';
import path from 'node:path';
import { strerror } from '../config/values.js';
import { catRepr, splitArgs } from '../util/splitargs.js';

export type AofFileType = 'b' | 'h' | 'i';

export interface AofInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

/** Redis's MANIFEST_MAX_LINE: longer lines are an error. */
const manifestLineMax = 1024;

export const manifestName = (filename: string): string => `${filename}.manifest`;
const tempManifestName = (filename: string): string => `temp-${filename}.manifest`;
/** Where commands go while AOF is being turned on and the first rewrite is under way. */
export const tempIncrName = (filename: string): string => `temp-${filename}.incr`;

export class AofManifest {
  base: AofInfo | null = null;
  history: AofInfo[] = [];
  incr: AofInfo[] = [];
  /** Sequence numbers of the newest base and incr file, continued by the next ones. */
  baseSeq = 0;
  incrSeq = 0;

  clone(): AofManifest {
    const m = new AofManifest();
    m.base = this.base === null ? null : { ...this.base };
    m.history = this.history.map((ai) => ({ ...ai }));
    m.incr = this.incr.map((ai) => ({ ...ai }));
    m.baseSeq = this.baseSeq;
    m.incrSeq = this.incrSeq;
    return m;
  }

  /** Neither a base nor an incr file: no AOF to load. */
  get isEmpty(): boolean {
    return this.base === null && this.incr.length === 0;
  }

  /** The manifest text: the base, then history, then incr files. */
  format(): string {
    const line = (ai: AofInfo) =>
      `file ${needsRepr(ai.name) ? catRepr(ai.name) : ai.name} seq ${ai.seq} type ${ai.type}\n`;
    let out = this.base === null ? '' : line(this.base);
    for (const ai of this.history) out += line(ai);
    for (const ai of this.incr) out += line(ai);
    return out;
  }

  /** A new base file's name (the previous base becomes history), as getNewBaseFileNameAndMarkPreAsHistory. */
  newBase(filename: string, rdb: boolean): string {
    if (this.base !== null) {
      this.base.type = 'h';
      this.history.unshift(this.base);
    }
    const seq = ++this.baseSeq;
    this.base = { name: `${filename}.${seq}.base.${rdb ? 'rdb' : 'aof'}`, seq, type: 'b' };
    return this.base.name;
  }

  /** Appends a new incr file and returns its name. */
  newIncr(filename: string): string {
    const seq = ++this.incrSeq;
    const ai: AofInfo = { name: `${filename}.${seq}.incr.aof`, seq, type: 'i' };
    this.incr.push(ai);
    return ai.name;
  }

  /** The incr file to append to: the last one, or a new one. */
  lastIncr(filename: string): string {
    return this.incr.length === 0 ? this.newIncr(filename) : this.incr[this.incr.length - 1].name;
  }

  /** After a rewrite: the incr files it covers become history (all but the open one when `keepLast`). */
  markIncrAsHistory(keepLast: boolean): void {
    const covered = keepLast ? this.incr.slice(0, -1) : this.incr;
    this.incr = keepLast ? this.incr.slice(-1) : [];
    // Newest first, as Redis walks the list from its tail adding each at the head of history.
    for (const ai of covered) this.history.unshift({ ...ai, type: 'h' });
  }
}

/** Redis's sdsneedsrepr: names with spaces, quotes, backslashes or unprintable bytes are quoted. */
function needsRepr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch <= 0x20 || ch >= 0x7f || ch === 0x5c || ch === 0x22) return true;
  }
  return false;
}

/** A manifest Redis would refuse to start with: `line` (trimmed) and its number when one is to blame. */
export class AofManifestError extends Error {
  readonly lineNumber: number;
  readonly line: string | null;
  constructor(message: string, lineNumber: number, line: string | null) {
    super(message);
    this.name = 'AofManifestError';
    this.lineNumber = lineNumber;
    this.line = line;
  }

  /** The lines Redis logs for it, before exiting. */
  logLines(): string[] {
    const out = ['\n*** FATAL AOF MANIFEST FILE ERROR ***\n'];
    if (this.line !== null) out.push(`Reading the manifest file, at line ${this.lineNumber}\n`, `>>> '${this.line}'\n`);
    out.push(`${this.message}\n`);
    return out;
  }
}

/** C's atoll: optional blanks and sign, then digits. */
function atoll(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

/** Parses manifest bytes as aofLoadManifestFromFile, which reads them with fgets into a 1025-byte buffer. */
export function parseManifest(data: Buffer): AofManifest {
  const am = new AofManifest();
  const text = data.toString('latin1');
  let maxSeq = 0;
  let lineNumber = 0;
  let p = 0;
  if (text.length === 0) throw new AofManifestError('Found an empty AOF manifest', 0, null);
  while (p < text.length) {
    const nl = text.indexOf('\n', p);
    const end = nl === -1 || nl - p >= manifestLineMax ? Math.min(p + manifestLineMax, text.length) : nl + 1;
    let chunk = text.slice(p, end);
    p = end;
    lineNumber++;
    // The C string ends at a NUL byte.
    const nul = chunk.indexOf('\0');
    if (nul !== -1) chunk = chunk.slice(0, nul);
    if (chunk[0] === '#') continue;
    if (!chunk.includes('\n')) throw new AofManifestError('The AOF manifest file contains too long line', lineNumber, null);
    const line = chunk.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    const fail = (message: string) => new AofManifestError(message, lineNumber, line);
    if (line === '') throw fail('Invalid AOF manifest file format');
    const argv = splitArgs(line);
    // Fewer than 6 words is an error; more are allowed for forward compatibility.
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) throw fail('Invalid AOF manifest file format');
    let name: string | null = null;
    let seq = 0;
    let type = '';
    for (let i = 0; i < argv.length; i += 2) {
      const key = argv[i].toLowerCase();
      if (key === 'file') {
        name = argv[i + 1];
        if (name.includes('/') || name.includes('\\')) throw fail("File can't be a path, just a filename");
      } else if (key === 'seq') {
        seq = atoll(argv[i + 1]);
      } else if (key === 'type') {
        type = argv[i + 1].slice(0, 1);
      }
    }
    if (name === null || seq === 0 || type === '') throw fail('Invalid AOF manifest file format');
    if (type === 'b') {
      if (am.base !== null) throw fail('Found duplicate base file information');
      am.base = { name, seq, type };
      am.baseSeq = seq;
    } else if (type === 'h') {
      am.history.push({ name, seq, type });
    } else if (type === 'i') {
      if (seq <= maxSeq) throw fail('Found a non-monotonic sequence number');
      am.incr.push({ name, seq, type });
      am.incrSeq = seq;
      maxSeq = seq;
    } else {
      throw fail('Unknown AOF file type');
    }
  }
  return am;
}

/**
 * Writes `manifest` as `dir`/<filename>.manifest through a temp file that is
 * fsync'd and renamed, then fsyncs the directory (new files in it must
 * survive too). False when that failed; the reason was logged.
 */
export function writeManifest(
  dir: string,
  filename: string,
  manifest: AofManifest,
  warn: (msg: string) => void,
): boolean {
  const name = manifestName(filename);
  const tempName = tempManifestName(filename);
  const tempPath = path.join(dir, tempName);
  let fd: number;
  try {
    fd = fs.openSync(tempPath, 'w', 0o644);
  } catch (e) {
    warn(`Can't open the AOF manifest file ${tempName}: ${strerror(e)}`);
    return false;
  }
  let step = 'write';
  try {
    const bytes = Buffer.from(manifest.format(), 'latin1');
    for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off);
    step = 'fsync';
    fs.fsyncSync(fd);
    step = 'rename';
    fs.renameSync(tempPath, path.join(dir, name));
    step = 'dir';
    syncDir(dir);
    return true;
  } catch (e) {
    const why = strerror(e);
    if (step === 'write') warn(`Error trying to write the temporary AOF manifest file ${tempName}: ${why}`);
    else if (step === 'fsync') warn(`Fail to fsync the temp AOF file ${tempName}: ${why}.`);
    else if (step === 'rename') {
      warn(`Error trying to rename the temporary AOF manifest file ${tempName} into ${name}: ${why}`);
    } else warn(`Fail to fsync AOF directory ${path.join(dir, name)}: ${why}.`);
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The manifest in `dir`, as aofLoadManifestFromDisk: an empty one when the
 * directory or the file does not exist (an upgrade from a single-file AOF, or
 * no AOF yet). Throws AofManifestError for a bad manifest, other errors for
 * an unreadable one.
 */
export function loadManifest(dir: string, filename: string): AofManifest {
  const file = path.join(dir, manifestName(filename));
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new AofManifest();
    throw new Error(`Fatal error: can't open the AOF manifest file ${file} for reading: ${strerror(e)}`);
  }
  return parseManifest(data);
}
