// The list type: a chunked deque.
//
// Elements (byte strings) live in chunks of at most `chunkMax` elements; the
// chunks sit in one dense array with free slots at both ends, which grows by
// doubling when an end runs out. So:
//   - push/pop at either end is O(1) amortised (touches only the end chunk);
//   - at(i)/set(i) walk chunk lengths from the nearer end: index ±k costs
//     O(1 + k / chunkMax) chunk visits, never a scan of the elements;
//   - insertions/removals inside the list splice one chunk (split when it
//     grows past chunkMax, merged with a neighbour when it gets small).
//
// Public API (indexes are 0-based from the head; negative means from the tail,
// as Redis: -1 is the last element):
//   new ListValue() / ListValue.from(iterable)
//   length                              number of elements
//   pushHead(v) / pushTail(v)           add one element at an end
//   popHead() / popTail()               remove and return an end element (undefined when empty)
//   at(index)                           element at index, undefined when out of range
//   set(index, v)                       replace; false when out of range
//   range(start, stop)                  elements start..stop inclusive, clamped as LRANGE ([] when empty)
//   insert(pivot, v, after)             LINSERT: before/after the first pivot from the head; false if none
//   remove(v, count)                    LREM: count > 0 from the head, < 0 from the tail, 0 all; returns removed
//   trim(start, stop)                   LTRIM: keep start..stop (clamped as LTRIM; may empty the list)
//   values(fromTail = false)            iterator over the elements
//   toArray()                           all elements head-first
//   encoding() / clone() / digest(d)    TypedValue: OBJECT ENCODING, COPY, DEBUG DIGEST
//   chunkVisits                         structural counter: chunks visited by index lookups (tests)

import { mixDigest } from '../persistence/digest.js';
import type { TypedValue } from './value.js';

/** Elements per chunk at most. */
const chunkMax = 128;
/** A chunk this small after a removal is merged with a neighbour when they fit together. */
const chunkMergeBelow = chunkMax / 4;

type Chunk = string[];

/** Fills unused slots so the chunk array stays densely packed (no holes). */
const noChunk: Chunk = [];

export class ListValue implements TypedValue {
  readonly type = 'list';
  /** Chunks in slots [lo, hi); slots outside hold `noChunk`. */
  private chunks: Chunk[] = [noChunk, noChunk, noChunk, noChunk];
  private lo = 2;
  private hi = 2;
  private size = 0;
  /** Chunks visited by index lookups since creation (a structural cost counter for tests). */
  chunkVisits = 0;

  static from(elements: Iterable<string>): ListValue {
    const list = new ListValue();
    for (const e of elements) list.pushTail(e);
    return list;
  }

  get length(): number {
    return this.size;
  }

  /** Redis 7.0 stores every list as a quicklist (listpack-encoded lists came in 7.2). */
  encoding(): string {
    return 'quicklist';
  }

  clone(): ListValue {
    const copy = new ListValue();
    copy.chunks = this.chunks.map((ch) => (ch === noChunk ? noChunk : ch.slice()));
    copy.lo = this.lo;
    copy.hi = this.hi;
    copy.size = this.size;
    return copy;
  }

  /** As Redis's xorObjectDigest for lists: every element mixed in, head to tail. */
  digest(digest: Uint8Array): void {
    for (const v of this.values()) mixDigest(digest, v);
  }

  // ---- ends ---------------------------------------------------------------

  pushHead(v: string): void {
    if (this.hi === this.lo || this.chunks[this.lo].length >= chunkMax) {
      if (this.lo === 0) this.regrow();
      this.chunks[--this.lo] = [v];
    } else {
      this.chunks[this.lo].unshift(v);
    }
    this.size++;
  }

  pushTail(v: string): void {
    if (this.hi === this.lo || this.chunks[this.hi - 1].length >= chunkMax) {
      if (this.hi === this.chunks.length) this.regrow();
      this.chunks[this.hi++] = [v];
    } else {
      this.chunks[this.hi - 1].push(v);
    }
    this.size++;
  }

  popHead(): string | undefined {
    if (this.size === 0) return undefined;
    const chunk = this.chunks[this.lo];
    const v = chunk.shift()!;
    this.size--;
    if (chunk.length === 0) this.chunks[this.lo++] = noChunk;
    this.afterShrink();
    return v;
  }

  popTail(): string | undefined {
    if (this.size === 0) return undefined;
    const chunk = this.chunks[this.hi - 1];
    const v = chunk.pop()!;
    this.size--;
    if (chunk.length === 0) this.chunks[--this.hi] = noChunk;
    this.afterShrink();
    return v;
  }

  // ---- by index -----------------------------------------------------------

  at(index: number): string | undefined {
    const pos = this.locate(index);
    return pos === null ? undefined : this.chunks[pos.slot][pos.offset];
  }

  set(index: number, v: string): boolean {
    const pos = this.locate(index);
    if (pos === null) return false;
    this.chunks[pos.slot][pos.offset] = v;
    return true;
  }

  /** LRANGE's clamping: negative from the tail, start below 0 → 0, stop past the end → last. */
  range(start: number, stop: number): string[] {
    const span = this.clampRange(start, stop);
    return span === null ? [] : this.collect(span.start, span.count);
  }

  /** LTRIM: keeps start..stop (indexes as LRANGE); an empty span empties the list. */
  trim(start: number, stop: number): void {
    const span = this.clampRange(start, stop);
    const dropHead = span === null ? this.size : span.start;
    const dropTail = span === null ? 0 : this.size - span.start - span.count;
    this.dropFromHead(dropHead);
    this.dropFromTail(dropTail);
  }

  // ---- by value -----------------------------------------------------------

  /** LINSERT: puts `v` before (or after) the first element equal to `pivot`; false when there is none. */
  insert(pivot: string, v: string, after: boolean): boolean {
    for (let s = this.lo; s < this.hi; s++) {
      const chunk = this.chunks[s];
      const i = chunk.indexOf(pivot);
      if (i === -1) continue;
      chunk.splice(after ? i + 1 : i, 0, v);
      this.size++;
      if (chunk.length > chunkMax) {
        const half = chunk.length >> 1;
        this.chunks.splice(s + 1, 0, chunk.splice(half));
        this.hi++;
      }
      return true;
    }
    return false;
  }

  /** LREM: removes up to |count| elements equal to `v` (all when 0), from the tail when count < 0; returns how many. */
  remove(v: string, count: number): number {
    const fromTail = count < 0;
    let left = count === 0 ? Infinity : Math.abs(count);
    let removed = 0;
    for (let n = 0; n < this.hi - this.lo && left > 0; n++) {
      const s = fromTail ? this.hi - 1 - n : this.lo + n;
      const chunk = this.chunks[s];
      if (!chunk.includes(v)) continue;
      let i = fromTail ? chunk.length - 1 : 0;
      const step = fromTail ? -1 : 1;
      for (; i >= 0 && i < chunk.length && left > 0; i += step) {
        if (chunk[i] !== v) continue;
        chunk.splice(i, 1);
        if (!fromTail) i--;
        left--;
        removed++;
      }
    }
    if (removed > 0) {
      this.size -= removed;
      this.compact();
      this.afterShrink();
    }
    return removed;
  }

  // ---- iteration ----------------------------------------------------------

  /** The elements head to tail (or tail to head). The list must not change during the iteration. */
  values(fromTail = false): IterableIterator<string> {
    return this.valuesFrom(fromTail ? this.size - 1 : 0, fromTail);
  }

  toArray(): string[] {
    return this.range(0, -1);
  }

  /** Elements from index `first` (0 <= first < length, or any value when empty) towards the tail or the head. */
  private *valuesFrom(first: number, towardsHead: boolean): IterableIterator<string> {
    const pos = this.locate(first);
    if (pos === null) return;
    if (towardsHead) {
      for (let s = pos.slot; s >= this.lo; s--) {
        const chunk = this.chunks[s];
        for (let i = s === pos.slot ? pos.offset : chunk.length - 1; i >= 0; i--) yield chunk[i];
      }
    } else {
      for (let s = pos.slot; s < this.hi; s++) {
        const chunk = this.chunks[s];
        for (let i = s === pos.slot ? pos.offset : 0; i < chunk.length; i++) yield chunk[i];
      }
    }
  }

  /** `count` elements from index `first` (both in range) towards the tail, without a generator. */
  private collect(first: number, count: number): string[] {
    const out = new Array<string>(count);
    const pos = this.locate(first)!;
    let n = 0;
    for (let s = pos.slot; n < count; s++) {
      const chunk = this.chunks[s];
      for (let i = s === pos.slot ? pos.offset : 0; i < chunk.length && n < count; i++) out[n++] = chunk[i];
    }
    return out;
  }

  // ---- internals ----------------------------------------------------------

  /** Slot and offset of element `index` (negative from the tail), walking from the nearer end; null when out of range. */
  private locate(index: number): { slot: number; offset: number } | null {
    if (index < 0) index += this.size;
    if (index < 0 || index >= this.size) return null;
    if (index < this.size - index) {
      for (let s = this.lo; ; s++) {
        this.chunkVisits++;
        const n = this.chunks[s].length;
        if (index < n) return { slot: s, offset: index };
        index -= n;
      }
    }
    let fromEnd = this.size - 1 - index;
    for (let s = this.hi - 1; ; s--) {
      this.chunkVisits++;
      const n = this.chunks[s].length;
      if (fromEnd < n) return { slot: s, offset: n - 1 - fromEnd };
      fromEnd -= n;
    }
  }

  /** Start and count of the LRANGE span start..stop, or null when it is empty. */
  private clampRange(start: number, stop: number): { start: number; count: number } | null {
    const len = this.size;
    if (start < 0) start += len;
    if (stop < 0) stop += len;
    if (start < 0) start = 0;
    if (start > stop || start >= len) return null;
    if (stop >= len) stop = len - 1;
    return { start, count: stop - start + 1 };
  }

  private dropFromHead(n: number): void {
    this.size -= n;
    while (n > 0) {
      const chunk = this.chunks[this.lo];
      if (chunk.length > n) {
        chunk.splice(0, n);
        break;
      }
      n -= chunk.length;
      this.chunks[this.lo++] = noChunk;
    }
    this.afterShrink();
  }

  private dropFromTail(n: number): void {
    this.size -= n;
    while (n > 0) {
      const chunk = this.chunks[this.hi - 1];
      if (chunk.length > n) {
        chunk.length -= n;
        break;
      }
      n -= chunk.length;
      this.chunks[--this.hi] = noChunk;
    }
    this.afterShrink();
  }

  /** Drops empty chunks and merges small ones with a neighbour, after removals inside the list. */
  private compact(): void {
    const kept: Chunk[] = [];
    for (let s = this.lo; s < this.hi; s++) {
      const chunk = this.chunks[s];
      if (chunk.length === 0) continue;
      const prev = kept[kept.length - 1];
      if (prev !== undefined && (prev.length < chunkMergeBelow || chunk.length < chunkMergeBelow) && prev.length + chunk.length <= chunkMax) {
        for (const v of chunk) prev.push(v);
      } else {
        kept.push(chunk);
      }
    }
    this.layout(kept);
  }

  /** Resets the chunk array when empty, and gives back space when it is mostly unused. */
  private afterShrink(): void {
    if (this.size === 0) {
      this.chunks = [noChunk, noChunk, noChunk, noChunk];
      this.lo = this.hi = 2;
    } else if (this.chunks.length > 64 && (this.hi - this.lo) * 4 < this.chunks.length) {
      this.regrow();
    }
  }

  /** Re-centres the chunks in an array twice their number (at least 8 slots). */
  private regrow(): void {
    this.layout(this.chunks.slice(this.lo, this.hi));
  }

  private layout(live: Chunk[]): void {
    const cap = Math.max(8, live.length * 2);
    const chunks = new Array<Chunk>(cap).fill(noChunk);
    const lo = (cap - live.length) >> 1;
    for (let i = 0; i < live.length; i++) chunks[lo + i] = live[i];
    this.chunks = chunks;
    this.lo = lo;
    this.hi = lo + live.length;
  }
}
