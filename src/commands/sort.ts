// SORT and SORT_RO: the elements of a list, set or sorted set, sorted by
// their numeric value, by bytes (ALPHA), by other keys (BY pattern) or not at
// all (BY without '*'), with LIMIT, GET patterns and STORE into a list.

import type { Client } from '../server/client.js';
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../config/options.js';
import type { Database } from '../store/database.js';
import type { HashValue } from '../store/hash.js';
import { ListValue } from '../store/list.js';
import type { SetValue } from '../store/set.js';
import type { ZSetValue } from '../store/zset.js';
import { asByteString, isString, wrongTypeError, type TypedValue } from '../store/value.js';
import { parseDouble, parseLongLong } from '../util/numbers.js';
import { partialSort } from '../util/pqsort.js';
import type { CommandSpec } from './registry.js';
import { notIntegerError, syntaxError } from './strings.js';

const scoreError = "ERR One or more scores can't be converted into double";

/** Redis compares patterns and sort keys as C strings: everything from the first NUL byte on is invisible. */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul === -1 ? s : s.slice(0, nul);
}

// ---- BY / GET patterns ---------------------------------------------------------------

/** A pattern as Redis's lookupKeyByPattern reads it: "#", or key prefix * postfix with an optional ->field. */
type Pattern = { self: true } | { self: false; prefix: string; postfix: string; field: string | null };

/** null for a pattern without '*', which never names a key. */
function compilePattern(pattern: string): Pattern | null {
  const visible = cString(pattern);
  if (visible === '#') return { self: true };
  const star = visible.indexOf('*');
  if (star === -1) return null;
  const arrow = visible.indexOf('->', star + 1);
  // An arrow with nothing after it is part of the key name.
  if (arrow !== -1 && arrow + 2 < visible.length) {
    return { self: false, prefix: pattern.slice(0, star), postfix: pattern.slice(star + 1, arrow), field: pattern.slice(arrow + 2) };
  }
  return { self: false, prefix: pattern.slice(0, star), postfix: pattern.slice(star + 1), field: null };
}

/** The string (or hash field) the pattern names for element `subst`; null when there is none. */
function lookupByPattern(db: Database, pattern: Pattern | null, subst: string): string | null {
  if (pattern === null) return null;
  if (pattern.self) return subst;
  const v = db.lookupRead(pattern.prefix + subst + pattern.postfix);
  if (v === undefined) return null;
  if (pattern.field !== null) {
    return !isString(v) && v.type === 'hash' ? ((v as HashValue).get(pattern.field) ?? null) : null;
  }
  return isString(v) ? asByteString(v) : null;
}

// ---- scores ----------------------------------------------------------------------------

const minNormal = 2.2250738585072014e-308;

/**
 * A sort weight as SORT reads it with strtod: leading white space allowed, the
 * empty string is 0, and no range error — which glibc also raises for a
 * subnormal result that is not exact. null when not a number.
 */
function sortScore(s: string): number | null {
  const visible = cString(s);
  if (visible === '') return 0;
  const literal = visible.replace(/^[ \t\n\v\f\r]+/, '');
  const v = parseDouble(literal);
  if (v === null || Number.isNaN(v)) return null;
  if (v !== 0 && Math.abs(v) < minNormal && !denotesExactly(literal, v)) return null;
  return v;
}

/** Whether the float literal (decimal or hex) is exactly the subnormal double `v`. */
function denotesExactly(literal: string, v: number): boolean {
  // v in units of the smallest subnormal, 2^-1074 (in two steps: 2^1074 itself overflows); exact
  const units = BigInt(Math.abs(v) * 2 ** 537 * 2 ** 537);
  const hex = /^[+-]?0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/i.exec(literal);
  if (hex !== null) {
    const frac = hex[2] ?? '';
    const shift = Number(hex[3] ?? 0) - 4 * frac.length + 1074;
    const mant = BigInt('0x' + (hex[1] + frac || '0'));
    if (Math.abs(shift) > 1e5) return false;
    return shift >= 0 ? mant << BigInt(shift) === units : mant === units << BigInt(-shift);
  }
  const dec = /^[+-]?(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(literal);
  if (dec === null) return false;
  const frac = dec[2] ?? '';
  const exp10 = Number(dec[3] ?? 0) - frac.length;
  if (exp10 >= 0 || exp10 < -1e5) return false;
  // digits * 10^exp10 == units * 2^-1074  <=>  digits * 2^1074 == units * 10^-exp10
  return BigInt(dec[1] + frac || '0') << 1074n === units * 10n ** BigInt(-exp10);
}

// ---- sorting ---------------------------------------------------------------------------

interface SortItem {
  /** The element. */
  readonly element: string;
  score: number;
  /** ALPHA: the bytes compared (the element's or, with BY, the weight's); null for a missing weight (sorts first). */
  text: string | null;
}

// ---- the command -----------------------------------------------------------------------

const sortable: ReadonlySet<string> = new Set(['list', 'set', 'zset']);

/** Redis's sortCommandGeneric; SORT_RO (`readonly`) takes no STORE. */
function sortGeneric(c: Client, argv: string[], readonly: boolean): void {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let storeKey: string | null = null;
  let sortBy: Pattern | null = null;
  let dontSort = false;
  const gets: Array<Pattern | null> = [];
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    const left = argv.length - j - 1;
    if (opt === 'asc') {
      desc = false;
    } else if (opt === 'desc') {
      desc = true;
    } else if (opt === 'alpha') {
      alpha = true;
    } else if (opt === 'limit' && left >= 2) {
      const start = parseLongLong(argv[j + 1]);
      const count = start === null ? null : parseLongLong(argv[j + 2]);
      if (start === null || count === null) return c.error(notIntegerError);
      limitStart = start;
      limitCount = count;
      j += 2;
    } else if (!readonly && opt === 'store' && left >= 1) {
      storeKey = argv[++j];
    } else if (opt === 'by' && left >= 1) {
      // A constant pattern (no '*') means: don't sort, keep the native order (even if a later BY has a '*').
      sortBy = compilePattern(argv[++j]);
      if (!cString(argv[j]).includes('*')) dontSort = true;
    } else if (opt === 'get' && left >= 1) {
      gets.push(compilePattern(argv[++j]));
    } else {
      return c.error(syntaxError);
    }
  }

  const found = c.db.lookupRead(argv[1]);
  if (found !== undefined && (isString(found) || !sortable.has(found.type))) return c.error(wrongTypeError);
  const value = found as TypedValue | undefined;
  // A set has no order of its own: sorting it stays deterministic for what is stored (and replicated).
  if (dontSort && value?.type === 'set' && storeKey !== null) {
    dontSort = false;
    alpha = true;
    sortBy = null;
  }
  if (value?.type === 'zset') (value as ZSetValue).toSkiplist();

  const length = value === undefined ? 0 : value.type === 'list' ? (value as ListValue).length : (value as SetValue | ZSetValue).size;
  let start = Math.min(Math.max(limitStart, 0), length);
  const count = Math.min(Math.max(limitCount, -1), length);
  let end = count < 0 ? length - 1 : start + count - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;

  // Lists and sorted sets left unsorted only load the range asked for, in native order (reversed by DESC).
  let elements: string[];
  if (value === undefined) {
    elements = [];
  } else if (dontSort && value.type !== 'set') {
    const n = end - start + 1;
    elements = [];
    if (n > 0 && value.type === 'list') {
      const list = value as ListValue;
      elements = desc ? list.range(length - start - n, length - start - 1).reverse() : list.range(start, end);
    } else if (n > 0) {
      const zset = value as ZSetValue;
      for (const e of zset.walk(desc ? length - 1 - start : start, desc)) {
        elements.push(e.member);
        if (elements.length === n) break;
      }
    }
    end -= start;
    start = 0;
  } else if (value.type === 'list') {
    elements = (value as ListValue).toArray();
  } else if (value.type === 'set') {
    elements = [...(value as SetValue)];
  } else {
    elements = [...(value as ZSetValue).members.keys()];
  }

  let items = elements.map((element): SortItem => ({ element, score: 0, text: null }));
  if (!dontSort) {
    let badScore = false;
    for (const item of items) {
      const by = sortBy === null ? item.element : lookupByPattern(c.db, sortBy, item.element);
      if (by === null) continue;
      if (alpha) {
        // Storing compares whole byte strings; a reply compares with strcoll,
        // which in the C locales Redis runs in is strcmp: bytes up to a NUL.
        item.text = storeKey !== null ? by : cString(by);
      } else {
        const score = sortScore(by);
        if (score === null) badScore = true;
        else item.score = score;
      }
    }
    if (badScore) return c.error(scoreError);
    items = sortItems(items, desc, alpha, sortBy !== null && (start !== 0 || end !== length - 1) ? [start, end] : null);
  }

  const selected = items.slice(start, Math.max(start, end + 1));
  const outputLength = gets.length > 0 ? gets.length * selected.length : selected.length;
  if (storeKey === null) {
    c.arrayLen(outputLength);
    for (const { element } of selected) {
      if (gets.length === 0) c.bulk(element);
      for (const get of gets) c.bulk(lookupByPattern(c.db, get, element));
    }
    return;
  }
  const stored = new ListValue();
  for (const { element } of selected) {
    if (gets.length === 0) stored.pushTail(element);
    for (const get of gets) stored.pushTail(lookupByPattern(c.db, get, element) ?? '');
  }
  if (outputLength > 0) {
    c.db.set(storeKey, stored);
    c.server.notifyKeyspaceEvent(NOTIFY_LIST, 'sortstore', storeKey, c.dbIndex);
    c.server.dirty += outputLength;
  } else if (c.db.delete(storeKey)) {
    c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', storeKey, c.dbIndex);
    c.server.dirty++;
  }
  c.int(outputLength);
}

/**
 * Sorts as Redis's sortCompare: numbers with ties broken by the element's
 * bytes, or ALPHA by `text`. A full sort is glibc's qsort, a merge sort, so
 * stable like Array.prototype.sort; with BY and a LIMIT Redis sorts partially
 * (`range`), which orders ties its own way.
 */
function sortItems(items: SortItem[], desc: boolean, alpha: boolean, range: [number, number] | null): SortItem[] {
  const cmp = alpha
    ? (a: SortItem, b: SortItem) =>
        a.text === null || b.text === null ? (a.text === b.text ? 0 : a.text === null ? -1 : 1) : compareBytes(a.text, b.text)
    : (a: SortItem, b: SortItem) => (a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.element, b.element));
  const ordered = desc ? (a: SortItem, b: SortItem) => -cmp(a, b) : cmp;
  if (range === null) return items.sort(ordered);
  partialSort(items, ordered, range[0], range[1]);
  return items;
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Redis's sortGetKeys: the sorted key and the last STORE destination. Options
 * are skipped with their arguments; a STORE's destination is itself read as
 * an option next, as Redis does.
 */
function sortKeys(argv: string[]): number[] {
  const skip = new Map([['limit', 2], ['get', 1], ['by', 1]]);
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    if (opt === 'store' && i + 1 < argv.length) store = i + 1;
    else i += skip.get(opt) ?? 0;
  }
  return store === -1 ? [1] : [1, store];
}

const acl = ['set', 'sortedset', 'list', 'dangerous'] as const;

export const sortCommands: CommandSpec[] = [
  { name: 'sort', arity: -2, flags: ['write', 'denyoom'], keys: [1, 1, 1], getKeys: sortKeys, acl, run: (c, a) => sortGeneric(c, a, false) },
  { name: 'sort_ro', arity: -2, flags: ['readonly'], keys: [1, 1, 1], getKeys: () => [1], acl, run: (c, a) => sortGeneric(c, a, true) },
];
