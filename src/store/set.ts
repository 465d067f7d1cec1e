// The set type, plus the random sampling that sets and hashes share.
//
// Public API (SetValue):
//   new SetValue()                      an empty set (intset encoding, as Redis's createIntsetObject)
//   SetValue.from(members, intsetMax)   a set of `members`, added one by one
//   size                                number of members
//   has(member)                         membership
//   add(member, intsetMax)              true when new; intset → hashtable as Redis's setTypeAdd
//   delete(member)                      true when it was a member
//   random()                            a uniformly random member (the set must not be empty)
//   [Symbol.iterator]()                 members in Redis's order: ascending integers while intset,
//                                       insertion order once hashtable (Redis's is its dict order)
//   scanIterator()                      SSCAN's iterator: live across changes once hashtable
//   encoding(), clone(), digest()       TypedValue: OBJECT ENCODING, COPY, DEBUG DIGEST
//
// `intsetMax` is set-max-intset-entries (`setIntsetMax(config)`), read at
// mutation time. Redis keeps a set as an intset while every member is an
// integer in its canonical int64 form (string2ll) and there are at most
// intsetMax of them, then converts to a hashtable for good. Here members
// always live in a JS Set; while intset, a sorted copy keeps Redis's
// iteration order (what SMEMBERS, SSCAN and the set algebra reply in).
//
// Shared helpers: RandomIndex (O(1) uniform picks from a changing collection)
// and sampleDistinct (Redis's strategies for N distinct random members).

import { xorDigest } from '../persistence/digest.js';
import { intsetWidthOf, type IntsetWidth } from '../persistence/intset.js';
import { parseInt64 } from '../util/numbers.js';
import type { TypedValue } from './value.js';

/** set-max-intset-entries, from the server config. */
export function setIntsetMax(config: { getInt(name: string): number }): number {
  return config.getInt('set-max-intset-entries');
}

/** Whether an intset can hold `member` (Redis's isSdsRepresentableAsLongLong). */
export function isIntsetMember(member: string): boolean {
  return parseInt64(member) !== null;
}

/** Orders canonical int64 strings by value: sign, then length, then digits. */
function compareIntStrings(a: string, b: string): number {
  const negA = a.charCodeAt(0) === 45;
  const negB = b.charCodeAt(0) === 45;
  if (negA !== negB) return negA ? -1 : 1;
  const byMagnitude = a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  return negA ? -byMagnitude : byMagnitude;
}

/** Index in `sorted` where `member` is or would be inserted. */
function sortedPosition(sorted: readonly string[], member: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareIntStrings(sorted[mid], member) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Members also kept in a dense array, so that a uniformly random one costs
 * O(1) (a JS Set or Map cannot be indexed); a removal moves the last member
 * into the hole. Built on the first random pick and kept up to date after.
 */
export class RandomIndex {
  private readonly slots: string[] = [];
  private readonly slotOf = new Map<string, number>();

  constructor(members: Iterable<string>) {
    for (const m of members) this.add(m);
  }

  /** Adds a member not already present. */
  add(member: string): void {
    this.slotOf.set(member, this.slots.length);
    this.slots.push(member);
  }

  delete(member: string): void {
    const slot = this.slotOf.get(member);
    if (slot === undefined) return;
    this.slotOf.delete(member);
    const last = this.slots.pop() as string;
    if (slot < this.slots.length) {
      this.slots[slot] = last;
      this.slotOf.set(last, slot);
    }
  }

  /** A uniformly random member; the index must not be empty. */
  pick(): string {
    return this.slots[Math.floor(Math.random() * this.slots.length)];
  }
}

/** What sampleDistinct needs from a collection. */
export interface Sampleable {
  readonly size: number;
  /** A uniformly random member. */
  random(): string;
  /** Every member. */
  [Symbol.iterator](): Iterator<string>;
}

/**
 * `count` distinct random members (0 < count < size), in no particular
 * order, with Redis's two strategies (SRANDMEMBER, HRANDFIELD): when count is
 * a large part of the collection, shuffle a copy and keep `count`; otherwise
 * draw random members until `count` distinct ones have come up.
 */
export function sampleDistinct(source: Sampleable, count: number): string[] {
  if (count * 3 > source.size) {
    const all = [...source];
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (all.length - i));
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    all.length = count;
    return all;
  }
  const picked = new Set<string>();
  while (picked.size < count) picked.add(source.random());
  return [...picked];
}

export class SetValue implements TypedValue, Sampleable {
  readonly type = 'set';
  private readonly items = new Set<string>();
  /** The members in ascending integer order while the encoding is intset; null once hashtable. */
  private sorted: string[] | null = [];
  /** Bytes per member of Redis's intset: widened by adds, never narrowed (RDB/DUMP write it). */
  private width: IntsetWidth = 2;
  private index: RandomIndex | null = null;

  static from(members: Iterable<string>, intsetMax: number): SetValue {
    const s = new SetValue();
    for (const m of members) s.add(m, intsetMax);
    return s;
  }

  get size(): number {
    return this.items.size;
  }

  has(member: string): boolean {
    return this.items.has(member);
  }

  add(member: string, intsetMax: number): boolean {
    if (this.items.has(member)) return false;
    this.items.add(member);
    this.index?.add(member);
    if (this.sorted !== null) {
      if (this.items.size <= intsetMax && isIntsetMember(member)) {
        this.sorted.splice(sortedPosition(this.sorted, member), 0, member);
        this.widenIntset(intsetWidthOf(member.length < 16 ? Number(member) : BigInt(member)));
      } else {
        this.sorted = null;
      }
    }
    return true;
  }

  delete(member: string): boolean {
    if (!this.items.delete(member)) return false;
    this.index?.delete(member);
    if (this.sorted !== null) this.sorted.splice(sortedPosition(this.sorted, member), 1);
    return true;
  }

  random(): string {
    if (this.index === null) this.index = new RandomIndex(this.items);
    return this.index.pick();
  }

  [Symbol.iterator](): Iterator<string> {
    return this.sorted !== null ? this.sorted.values() : this.items.values();
  }

  /**
   * SSCAN's iterator: in the set's order. Once hashtable (the only encoding
   * SSCAN resumes on) it stays valid while the set changes, and members added
   * later are visited too.
   */
  scanIterator(): Iterator<string> {
    return this[Symbol.iterator]();
  }

  encoding(): string {
    return this.sorted !== null ? 'intset' : 'hashtable';
  }

  /** Bytes per member of the intset encoding (meaningful while encoding() is 'intset'). */
  get intsetWidth(): IntsetWidth {
    return this.width;
  }

  /** Widens the intset encoding to at least `width` bytes per member (an intset loaded as stored). */
  widenIntset(width: IntsetWidth): void {
    if (width > this.width) this.width = width;
  }

  clone(): SetValue {
    const copy = new SetValue();
    for (const m of this.items) copy.items.add(m);
    copy.sorted = this.sorted === null ? null : this.sorted.slice();
    copy.width = this.width;
    return copy;
  }

  digest(digest: Uint8Array): void {
    for (const m of this.items) xorDigest(digest, m);
  }
}
