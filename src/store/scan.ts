// SCAN cursors, for SCAN and later HSCAN/SSCAN/ZSCAN over any Map or Set.
//
// Redis's cursor encodes a position in its hash table, so the server keeps no
// state. A JS Map has no such position, but its iterators stay valid across
// insertions and deletions (insertion order; entries added later are visited,
// deleted ones skipped). So a cursor here is the id of a live iterator kept by
// the server: every key present for the whole iteration is returned at least
// once, as Redis guarantees.
//
// Each step hands out a fresh id and forgets the old one. A cursor the table
// does not know (never issued, already used, dropped as least recently used
// beyond `scanCursorsMax`, or made for a collection that has since been
// replaced, e.g. by SWAPDB or a deleted and recreated key) starts a new
// iteration from the beginning: the guarantee still holds, with duplicates.

import { webcrypto } from 'node:crypto';
import { compileGlob } from '../util/glob.js';
import { parseLongLong } from '../util/numbers.js';
import type { Client } from '../server/client.js';

/** Live iterations kept per table; starting one more drops the least recently used. */
export const scanCursorsMax = 1024;

interface Iteration {
  /** The collection iterated: a cursor is only valid on the very same object. */
  source: object;
  iterator: Iterator<unknown>;
}

export class ScanCursorTable {
  /** Cursor id → iteration, least recently used first. */
  private readonly live = new Map<number, Iteration>();
  private readonly max: number;

  constructor(max = scanCursorsMax) {
    this.max = max;
  }

  get size(): number {
    return this.live.size;
  }

  /**
   * One SCAN call over `source`: resumes the iteration `cursor` names (or
   * starts one with `open`), passes up to `count` entries to `visit` and
   * returns the cursor to continue with, 0 once the iteration has ended.
   */
  step<T>(cursor: number, source: object, open: () => Iterator<T>, count: number, visit: (entry: T) => void): number {
    const found = cursor === 0 ? undefined : this.live.get(cursor);
    if (found !== undefined) this.live.delete(cursor);
    const iterator = found !== undefined && found.source === source ? (found.iterator as Iterator<T>) : open();
    for (let n = 0; n < count; n++) {
      const next = iterator.next();
      if (next.done) return 0;
      visit(next.value);
    }
    const id = this.newId();
    this.live.set(id, { source, iterator });
    if (this.live.size > this.max) this.live.delete(this.live.keys().next().value as number);
    return id;
  }

  /** A random unused id in 1..2^53-1, so cursors cannot be guessed from one another. */
  private newId(): number {
    const words = new Uint32Array(2);
    for (;;) {
      webcrypto.getRandomValues(words);
      const id = (words[0] & 0x1fffff) * 0x100000000 + words[1];
      if (id !== 0 && !this.live.has(id)) return id;
    }
  }
}

/** One table per owner (the server), shared by every client and every *SCAN command. */
const tables = new WeakMap<object, ScanCursorTable>();

export function scanCursors(owner: object): ScanCursorTable {
  let t = tables.get(owner);
  if (t === undefined) {
    t = new ScanCursorTable();
    tables.set(owner, t);
  }
  return t;
}

/**
 * A cursor argument as Redis reads it (strtoul: optional sign, digits, value
 * up to 2^64-1, nothing else; "" is 0). Null when invalid. Values that can be
 * no id of ours come back as 0: they start a new iteration either way.
 */
export function parseScanCursor(arg: string): number | null {
  if (!/^[+-]?\d*$/.test(arg) || arg === '+' || arg === '-') return null;
  const digits = arg.charCodeAt(0) === 43 || arg.charCodeAt(0) === 45 ? arg.slice(1) : arg;
  const n = digits.length > 15 ? BigInt(digits) : Number(digits);
  if (n > 0xffffffffffffffffn) return null;
  // A negative value wraps round to a huge one, as in C.
  if (n > Number.MAX_SAFE_INTEGER || (arg.charCodeAt(0) === 45 && n > 0)) return 0;
  return Number(n);
}

export interface ScanOptions {
  count: number;
  /** Null when every element matches (no MATCH, or MATCH *). */
  match: ((s: string) => boolean) | null;
  /** SCAN's TYPE filter, lower-cased; null when not given. */
  type: string | null;
}

/**
 * Parses COUNT / MATCH (and, for SCAN, TYPE) from argv[start..]; replies the
 * error and returns null when they are wrong. A later option overrides an
 * earlier one, as in Redis.
 */
export function parseScanOptions(c: Client, argv: string[], start: number, allowType: boolean): ScanOptions | null {
  const opts: ScanOptions = { count: 10, match: null, type: null };
  for (let i = start; i < argv.length; i += 2) {
    const opt = argv[i].toLowerCase();
    const hasValue = i + 1 < argv.length;
    if (opt === 'count' && hasValue) {
      const n = parseLongLong(argv[i + 1]);
      if (n === null) {
        c.error('ERR value is not an integer or out of range');
        return null;
      }
      if (n < 1) {
        c.error('ERR syntax error');
        return null;
      }
      opts.count = n;
    } else if (opt === 'match' && hasValue) {
      opts.match = argv[i + 1] === '*' ? null : compileGlob(argv[i + 1]);
    } else if (opt === 'type' && allowType && hasValue) {
      opts.type = argv[i + 1].toLowerCase();
    } else {
      c.error('ERR syntax error');
      return null;
    }
  }
  return opts;
}

/** The SCAN reply: the next cursor as a bulk string, then the elements. */
export function replyScan(c: Client, cursor: number, elements: readonly string[]): void {
  c.arrayLen(2);
  c.bulk(String(cursor));
  c.bulks(elements);
}
