// Sorted sets: an order-statistic skiplist (Redis's zskiplist: forward links
// with spans, so ranks are O(log n)) plus a Map member → node.
//
// Public API (ZSetValue):
//   size                                number of members
//   score(member)                       score or undefined
//   insert(member, score, limits)       adds a new member (converts listpack → skiplist first when it would
//                                       outgrow the limits, as Redis's zsetAdd)
//   setScore(member, score)             moves an existing member to a new score
//   delete(member)                      deletes a member; false when absent
//   rank(member, reverse)               0-based rank (from the highest score when reverse), or undefined
//   at(rank)                            node at 0-based ascending rank, or undefined
//   walk(rank, reverse)                 nodes from a 0-based ascending rank, forward or backward
//   firstInScore/lastInScore(range)     ascending rank of the first/last member with a score in range, or null
//   firstInLex/lastInLex(range)         the same for a lex range (Redis's answers also when scores differ)
//   countInScore/countInLex(range)      ZCOUNT / ZLEXCOUNT
//   deleteRanks(first, last)            removes an ascending rank range (inclusive), returns the count
//   pop(max)                            removes and returns the lowest (or highest) node
//   [Symbol.iterator]()                 nodes in ascending order
//   members                             the member → node Map (read only)
//   scanIterator()                      [member, score text] pairs as ZSCAN replies them
//   shrinkIfFits(limits)                back to listpack when small enough (Redis's zsetConvertToListpackIfNeeded)
//   toSkiplist()                        skiplist encoding for good (what SORT does to the set it sorts)
//   encoding(), clone(), digest()       TypedValue
//
// Order is by score, then by member bytes: members are latin1 strings, so JS
// string comparison is memcmp order.
//
// Redis keeps small sets in a listpack. Here the structure is always the
// skiplist; `listpack` only records what OBJECT ENCODING must answer. One
// visible difference is kept: a listpack stores an integral score as an
// integer, so -0 reads back as 0 there while a skiplist keeps -0.

import { mixDigest, xorDigest } from '../persistence/digest.js';
import { formatDouble17g } from '../util/numbers.js';
import type { TypedValue } from './value.js';

/** Redis's ZSKIPLIST_MAXLEVEL and ZSKIPLIST_P. */
const maxLevel = 32;
const levelP = 0.25;

/** One member. Read-only to users of the structure. */
export interface ZEntry {
  readonly member: string;
  readonly score: number;
}

class ZNode implements ZEntry {
  member: string;
  score: number;
  backward: ZNode | null = null;
  /** The level-0 link; its span is always 1. */
  next: ZNode | null = null;
  /**
   * Links of levels 1 and up, flattened so that a step costs one object:
   * level i's forward node at up[2i - 2], its span (level-0 steps covered) at
   * up[2i - 1]. Null for the three nodes in four that have level 0 only.
   */
  readonly up: Array<ZNode | number | null> | null;

  constructor(level: number, member: string, score: number) {
    this.member = member;
    this.score = score;
    this.up = null;
    if (level > 1) {
      this.up = [];
      for (let i = 1; i < level; i++) this.up.push(null, 0);
    }
  }
}

/** Forward link of `x` on level i. */
function fwd(x: ZNode, i: number): ZNode | null {
  return i === 0 ? x.next : (x.up![2 * i - 2] as ZNode | null);
}

/** Span of the level-i link of `x`. */
function span(x: ZNode, i: number): number {
  return i === 0 ? 1 : (x.up![2 * i - 1] as number);
}

function setFwd(x: ZNode, i: number, to: ZNode | null): void {
  if (i === 0) x.next = to;
  else x.up![2 * i - 2] = to;
}

function setSpan(x: ZNode, i: number, n: number): void {
  if (i > 0) x.up![2 * i - 1] = n;
}

/** A score interval; `minex`/`maxex` make a bound exclusive. Bounds may be ±Infinity. */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** A lex bound: `inf` -1 is "-" (below everything), 1 is "+" (above everything), 0 a member with `ex` exclusive. */
export interface LexBound {
  inf: -1 | 0 | 1;
  value: string;
  ex: boolean;
}

export interface LexRange {
  min: LexBound;
  max: LexBound;
}

/** zset-max-listpack-entries and zset-max-listpack-value. */
export interface ZSetLimits {
  entries: number;
  value: number;
}

/** The limits from the server config, read at mutation time. */
export function zsetLimits(config: { getInt(name: string): number }): ZSetLimits {
  return { entries: config.getInt('zset-max-listpack-entries'), value: config.getInt('zset-max-listpack-value') };
}

/** Whether `score` satisfies the lower bound of `range`. */
export function scoreGteMin(score: number, range: ScoreRange): boolean {
  return range.minex ? score > range.min : score >= range.min;
}

/** Whether `score` satisfies the upper bound of `range`. */
export function scoreLteMax(score: number, range: ScoreRange): boolean {
  return range.maxex ? score < range.max : score <= range.max;
}

/** Whether `member` is above the lex bound `min`. */
export function lexGteMin(member: string, min: LexBound): boolean {
  if (min.inf !== 0) return min.inf < 0;
  return min.ex ? member > min.value : member >= min.value;
}

/** Whether `member` is below the lex bound `max`. */
export function lexLteMax(member: string, max: LexBound): boolean {
  if (max.inf !== 0) return max.inf > 0;
  return max.ex ? member < max.value : member <= max.value;
}

/** Ranges that hold nothing whatever the set (Redis's zslIsInRange first test). */
function scoreRangeEmpty(range: ScoreRange): boolean {
  return range.min > range.max || (range.min === range.max && (range.minex || range.maxex));
}

/** Compares two lex bounds as Redis's sdscmplex (with "-" lowest and "+" highest). */
function compareLexBounds(a: LexBound, b: LexBound): number {
  if (a.inf !== 0 || b.inf !== 0) return a.inf === b.inf ? 0 : a.inf < b.inf ? -1 : 1;
  return a.value === b.value ? 0 : a.value < b.value ? -1 : 1;
}

/** Whether node `a` (score, member) sorts before (score, member). */
function before(a: ZNode, score: number, member: string): boolean {
  return a.score < score || (a.score === score && a.member < member);
}

/** Half of LLONG_MAX: the range in which a listpack stores an integral score as an integer (Redis's double2ll). */
const listpackIntMax = 4611686018427387903;

/** A score as a listpack entry reads back: integers in full, anything else as %.17g. */
function listpackScoreText(score: number): string {
  if (Number.isInteger(score) && score >= -listpackIntMax && score <= listpackIntMax) return BigInt(score).toString();
  return formatDouble17g(score);
}

function randomLevel(): number {
  let level = 1;
  while (level < maxLevel && Math.random() < levelP) level++;
  return level;
}

export class ZSetValue implements TypedValue {
  readonly type = 'zset';
  private listpack: boolean;
  private readonly head = new ZNode(maxLevel, '', 0);
  private tail: ZNode | null = null;
  /** Levels in use (at least 1). */
  private level = 1;
  /** Nodes linked (equals dict.size except while a member is being moved). */
  private linked = 0;
  /** Where the last descent ended (1-based rank `hintRank`; the head is 0); null after any change. */
  private hint: ZNode | null = null;
  private hintRank = 0;
  private readonly dict = new Map<string, ZNode>();

  /** An empty sorted set, in listpack encoding unless told otherwise. */
  constructor(encoding: 'listpack' | 'skiplist' = 'listpack') {
    this.listpack = encoding === 'listpack';
  }

  get size(): number {
    return this.dict.size;
  }

  /** member → node, for lookups and ZSCAN. Never modify through it. */
  get members(): ReadonlyMap<string, ZEntry> {
    return this.dict;
  }

  encoding(): string {
    return this.listpack ? 'listpack' : 'skiplist';
  }

  score(member: string): number | undefined {
    return this.dict.get(member)?.score;
  }

  /**
   * Adds `member`, which must not be present. A listpack that would pass
   * the entry count or member length limit becomes a skiplist first.
   */
  insert(member: string, score: number, limits: ZSetLimits): void {
    if (this.listpack && (this.dict.size + 1 > limits.entries || member.length > limits.value)) this.listpack = false;
    this.dict.set(member, this.link(member, this.stored(score)));
  }

  /** Moves existing `member` to `score`. */
  setScore(member: string, score: number): void {
    const node = this.dict.get(member)!;
    score = this.stored(score);
    // Still between its neighbours: the position is unchanged (Redis's zslUpdateScore shortcut).
    const next = node.next;
    if ((node.backward === null || node.backward.score < score || (node.backward.score === score && node.backward.member < member)) &&
      (next === null || score < next.score || (score === next.score && member < next.member))) {
      node.score = score;
      return;
    }
    this.unlink(node);
    this.dict.set(member, this.link(member, score));
  }

  /** Deletes `member`; false when it was not there. */
  delete(member: string): boolean {
    const node = this.dict.get(member);
    if (node === undefined) return false;
    this.unlink(node);
    this.dict.delete(member);
    return true;
  }

  /** 0-based rank of `member` counting from the lowest (or, with `reverse`, the highest) score. */
  rank(member: string, reverse = false): number | undefined {
    const node = this.dict.get(member);
    if (node === undefined) return undefined;
    let x = this.head;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = fwd(x, i); next !== null && !before(node, next.score, next.member); next = fwd(x, i)) {
        rank += span(x, i);
        x = next;
      }
      if (x === node) break;
    }
    return reverse ? this.dict.size - rank : rank - 1;
  }

  /** The node at 0-based ascending `rank`, or undefined when out of range. */
  at(rank: number): ZEntry | undefined {
    return rank >= 0 && rank < this.dict.size ? this.nodeAt(rank + 1) : undefined;
  }

  /** Nodes from 0-based ascending `rank` towards the highest score (or the lowest with `reverse`). */
  *walk(rank: number, reverse = false): IterableIterator<ZEntry> {
    if (rank < 0 || rank >= this.dict.size) return;
    for (let x: ZNode | null = this.nodeAt(rank + 1); x !== null; x = reverse ? x.backward : x.next) yield x;
  }

  *[Symbol.iterator](): IterableIterator<ZEntry> {
    for (let x = this.head.next; x !== null; x = x.next) yield x;
  }

  /** Ascending rank of the lowest member whose score is in `range`, or null when none is. */
  firstInScore(range: ScoreRange): number | null {
    if (scoreRangeEmpty(range)) return null;
    const rank = this.countWhile((n) => !scoreGteMin(n.score, range));
    return rank < this.linked && scoreLteMax(this.nodeAt(rank + 1).score, range) ? rank : null;
  }

  /** Ascending rank of the highest member whose score is in `range`, or null when none is. */
  lastInScore(range: ScoreRange): number | null {
    if (scoreRangeEmpty(range)) return null;
    const rank = this.countWhile((n) => scoreLteMax(n.score, range)) - 1;
    return rank >= 0 && scoreGteMin(this.nodeAt(rank + 1).score, range) ? rank : null;
  }

  /**
   * Ascending rank of the first member in the lex `range`, or null. Lex
   * ranges assume equal scores; otherwise the answer is Redis's: a listpack
   * scans from the lowest score, a skiplist descends its levels.
   */
  firstInLex(range: LexRange): number | null {
    if (!this.mayHaveLex(range)) return null;
    const rank = this.listpack ? this.scanFrom(false, (n) => lexGteMin(n.member, range.min)) : this.countWhile((n) => !lexGteMin(n.member, range.min));
    return lexLteMax(this.nodeAt(rank + 1).member, range.max) ? rank : null;
  }

  /** Ascending rank of the last member in the lex `range`, or null (see firstInLex). */
  lastInLex(range: LexRange): number | null {
    if (!this.mayHaveLex(range)) return null;
    const rank = this.listpack ? this.scanFrom(true, (n) => lexLteMax(n.member, range.max)) : this.countWhile((n) => lexLteMax(n.member, range.max)) - 1;
    return lexGteMin(this.nodeAt(rank + 1).member, range.min) ? rank : null;
  }

  /** ZCOUNT: members whose score is in `range`. */
  countInScore(range: ScoreRange): number {
    const first = this.firstInScore(range);
    return first === null ? 0 : this.lastInScore(range)! - first + 1;
  }

  /** ZLEXCOUNT: a listpack counts onwards from the first member in range, a skiplist subtracts ranks. */
  countInLex(range: LexRange): number {
    const first = this.firstInLex(range);
    if (first === null) return 0;
    if (!this.listpack) return this.lastInLex(range)! - first + 1;
    let n = 0;
    for (const e of this.walk(first)) {
      if (!lexLteMax(e.member, range.max)) break;
      n++;
    }
    return n;
  }

  /** Removes the members at ascending ranks first..last (inclusive, in range); returns how many. */
  deleteRanks(first: number, last: number): number {
    const update = new Array<ZNode>(this.level);
    let x = this.seek(first, update).next;
    let removed = 0;
    while (x !== null && removed <= last - first) {
      const next = x.next;
      this.unlinkWith(x, update);
      this.dict.delete(x.member);
      removed++;
      x = next;
    }
    return removed;
  }

  /** Removes and returns the member with the lowest (or, with `max`, the highest) score. */
  pop(max = false): ZEntry | undefined {
    const node = max ? this.tail : this.head.next;
    if (node === null) return undefined;
    this.unlink(node);
    this.dict.delete(node.member);
    return node;
  }

  /** Becomes a skiplist whatever its size, as SORT's zsetConvert does before reading the set. */
  toSkiplist(): void {
    this.listpack = false;
  }

  /**
   * Redis's zsetConvertToListpackIfNeeded: a skiplist with at most
   * zset-max-listpack-entries members, none longer than
   * zset-max-listpack-value bytes, becomes a listpack again.
   */
  shrinkIfFits(limits: ZSetLimits): void {
    if (this.listpack || this.dict.size > limits.entries) return;
    for (const m of this.dict.keys()) if (m.length > limits.value) return;
    this.listpack = true;
    for (let x = this.head.next; x !== null; x = x.next) x.score = this.stored(x.score);
  }

  /**
   * [member, score text] pairs for ZSCAN: a listpack in order, with an
   * integral score as the integer it stores; a skiplist in Map order (a live
   * iterator, valid across changes), scores as %.17g.
   */
  *scanIterator(): IterableIterator<[string, string]> {
    if (this.listpack) {
      for (let x = this.head.next; x !== null; x = x.next) yield [x.member, listpackScoreText(x.score)];
    } else {
      for (const [member, node] of this.dict) yield [member, formatDouble17g(node.score)];
    }
  }

  clone(): ZSetValue {
    const copy = new ZSetValue(this.encoding() as 'listpack' | 'skiplist');
    // Appending in order: each new node goes after the tail.
    for (let x = this.head.next; x !== null; x = x.next) copy.dict.set(x.member, copy.link(x.member, x.score));
    return copy;
  }

  digest(digest: Uint8Array): void {
    const ele = new Uint8Array(20);
    for (let x = this.head.next; x !== null; x = x.next) {
      ele.fill(0);
      mixDigest(ele, x.member);
      mixDigest(ele, formatDouble17g(x.score));
      xorDigest(digest, ele);
    }
  }

  /** Redis's zslIsInLexRange: a possible range whose bounds admit the last and the first member. */
  private mayHaveLex(range: LexRange): boolean {
    const cmp = compareLexBounds(range.min, range.max);
    if (cmp > 0 || (cmp === 0 && (range.min.ex || range.max.ex))) return false;
    return this.tail !== null && lexGteMin(this.tail.member, range.min) && lexLteMax(this.head.next!.member, range.max);
  }

  /** Ascending rank of the first node satisfying `pred`, scanning from the head (or from the tail with `fromTail`). */
  private scanFrom(fromTail: boolean, pred: (n: ZNode) => boolean): number {
    let rank = fromTail ? this.linked - 1 : 0;
    for (let x = fromTail ? this.tail : this.head.next; x !== null && !pred(x); x = fromTail ? x.backward : x.next) rank += fromTail ? -1 : 1;
    return rank;
  }

  /** A listpack keeps an integral score as an integer: -0 becomes 0. */
  private stored(score: number): number {
    return this.listpack && score === 0 ? 0 : score;
  }

  /**
   * Number of leading nodes (in ascending order) for which `pred` holds;
   * `pred` must be monotone. The last of them (or the head) is left in
   * `hint` for the nodeAt() that usually follows.
   */
  private countWhile(pred: (n: ZNode) => boolean): number {
    let x = this.head;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = fwd(x, i); next !== null && pred(next); next = fwd(x, i)) {
        rank += span(x, i);
        x = next;
      }
    }
    this.hint = x;
    this.hintRank = rank;
    return rank;
  }

  /** Node at 1-based `rank` (1..length). */
  private nodeAt(rank: number): ZNode {
    // A range query looks up the node next to the one its descent ended on.
    if (this.hint !== null && this.hintRank + 1 === rank) return this.hint.next!;
    if (this.hint !== null && this.hintRank === rank) return this.hint;
    return this.seek(rank);
  }

  /**
   * Node at 1-based `rank` (the head for 0). With `update`, every level's
   * last node at or before that rank is stored in it, for an unlink.
   */
  private seek(rank: number, update?: ZNode[]): ZNode {
    let x = this.head;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = fwd(x, i); next !== null && traversed + span(x, i) <= rank; next = fwd(x, i)) {
        traversed += span(x, i);
        x = next;
      }
      if (update !== undefined) update[i] = x;
      else if (traversed === rank) break;
    }
    return x;
  }

  /** zslInsert: links a new node for (score, member) and returns it. */
  private link(member: string, score: number): ZNode {
    const update = new Array<ZNode>(maxLevel);
    const rank = new Array<number>(maxLevel);
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      for (let next = fwd(x, i); next !== null && before(next, score, member); next = fwd(x, i)) {
        rank[i] += span(x, i);
        x = next;
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        setSpan(this.head, i, this.linked);
      }
      this.level = level;
    }
    const node = new ZNode(level, member, score);
    for (let i = 0; i < level; i++) {
      setFwd(node, i, fwd(update[i], i));
      setFwd(update[i], i, node);
      setSpan(node, i, span(update[i], i) - (rank[0] - rank[i]));
      setSpan(update[i], i, rank[0] - rank[i] + 1);
    }
    for (let i = level; i < this.level; i++) setSpan(update[i], i, span(update[i], i) + 1);
    this.hint = null;
    node.backward = update[0] === this.head ? null : update[0];
    if (node.next !== null) node.next.backward = node;
    else this.tail = node;
    this.linked++;
    return node;
  }

  /** Unlinks `node` from the skiplist (the dict is the caller's business). */
  private unlink(node: ZNode): void {
    const update = new Array<ZNode>(this.level);
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = fwd(x, i); next !== null && before(next, node.score, node.member); next = fwd(x, i)) x = next;
      update[i] = x;
    }
    this.unlinkWith(node, update);
  }

  /** zslDeleteNode: `update[i]` is the last node before `node` on level i. */
  private unlinkWith(node: ZNode, update: ZNode[]): void {
    for (let i = 0; i < this.level; i++) {
      if (fwd(update[i], i) === node) {
        setSpan(update[i], i, span(update[i], i) + span(node, i) - 1);
        setFwd(update[i], i, fwd(node, i));
      } else {
        setSpan(update[i], i, span(update[i], i) - 1);
      }
    }
    this.hint = null;
    if (node.next !== null) node.next.backward = node.backward;
    else this.tail = node.backward;
    this.linked--;
    while (this.level > 1 && fwd(this.head, this.level - 1) === null) this.level--;
  }
}
