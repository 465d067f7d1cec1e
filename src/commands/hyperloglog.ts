// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.
//
// HLLs are plain string values in Redis's byte layout (src/store/hyperloglog.ts).

import type { Client } from '../server/client.js';
import { NOTIFY_STRING } from '../config/options.js';
import { isString, wrongTypeError, type StringValue, type Value } from '../store/value.js';
import { writableString } from '../store/mutable-string.js';
import {
  decodeSparse,
  HLL_REGISTERS,
  HllEditor,
  hllBytes,
  hllCachedCardinality,
  hllCount,
  hllCountRegisters,
  hllMergeInto,
  hllSelfTest,
  isDenseHll,
  isHll,
  setHllCachedCardinality,
} from '../store/hyperloglog.js';
import type { CommandSpec } from './registry.js';
import { cString, optionName } from './strings.js';

const invalidHllError = 'INVALIDOBJ Corrupted HLL object detected';

/** Whether `v` is a valid HLL string; replies with Redis's errors when not. */
function hllOrReply(c: Client, v: Value): v is StringValue {
  if (!isString(v)) {
    c.error(wrongTypeError);
    return false;
  }
  if (!isHll(v)) {
    c.error('WRONGTYPE Key is not a valid HyperLogLog string value.');
    return false;
  }
  return true;
}

/**
 * Redis's dbUnshareStringValue: the HLL at `key` as a Buffer that may be
 * changed in place (so it reads as a raw string from now on, as in Redis,
 * even if only read).
 */
function unshare(c: Client, key: string, v: StringValue): Buffer {
  const buf = writableString(v, v.length);
  if (buf !== v) c.db.replaceQuietly(key, buf);
  return buf;
}

function openHll(c: Client, v: StringValue | undefined): HllEditor {
  return new HllEditor(v, c.server.config.getInt('hll-sparse-max-bytes'));
}

/**
 * Stores an edited HLL back: a new key, a new object, or bytes changed in
 * place. `signal` false for the changes Redis makes without signalling WATCH.
 */
function storeHll(c: Client, key: string, old: StringValue | undefined, hll: HllEditor, signal = true): void {
  const value = hll.value();
  if (old === undefined) c.db.set(key, value);
  else if (!signal) {
    if (value !== old) c.db.replaceQuietly(key, value);
  } else if (value !== old) c.db.update(key, value);
  else c.db.modified(key);
}

function pfadd(c: Client, argv: string[]): void {
  const key = argv[1];
  const v = c.db.lookupWrite(key);
  if (v !== undefined && !hllOrReply(c, v)) return;
  const old = v === undefined ? undefined : unshare(c, key, v);
  const hll = openHll(c, old);
  let updated = old === undefined ? 1 : 0;
  for (let j = 2; j < argv.length; j++) {
    const r = hll.add(argv[j]);
    if (r < 0) {
      // Registers set before the corruption was found stay set, as in Redis.
      if (hll.changed) storeHll(c, key, old, hll, false);
      c.error(invalidHllError);
      return;
    }
    updated += r;
  }
  if (updated > 0) {
    hll.invalidateCache();
    storeHll(c, key, old, hll);
    c.server.notifyKeyspaceEvent(NOTIFY_STRING, 'pfadd', key, c.dbIndex);
    c.server.dirty += updated;
  }
  c.int(updated > 0 ? 1 : 0);
}

/**
 * Merges the HLLs at `keys` into one register per byte. Missing keys count as
 * empty. Null after an error reply. `onHll` sees each HLL found.
 */
function mergeKeys(c: Client, keys: string[], onHll?: (b: Uint8Array) => void): Uint8Array | null {
  const max = new Uint8Array(HLL_REGISTERS);
  for (const key of keys) {
    const v = c.db.lookupRead(key);
    if (v === undefined) continue;
    if (!hllOrReply(c, v)) return null;
    const b = hllBytes(v);
    onHll?.(b);
    if (!hllMergeInto(max, b)) {
      c.error(invalidHllError);
      return null;
    }
  }
  return max;
}

function pfcount(c: Client, argv: string[]): void {
  if (argv.length > 2) {
    const max = mergeKeys(c, argv.slice(1));
    if (max !== null) c.int(hllCountRegisters(max));
    return;
  }
  const key = argv[1];
  const v = c.db.lookupRead(key);
  if (v === undefined) {
    c.int(0);
    return;
  }
  if (!hllOrReply(c, v)) return;
  const buf = unshare(c, key, v);
  const cached = hllCachedCardinality(buf);
  if (cached !== null) {
    c.int(cached);
    return;
  }
  const card = hllCount(buf);
  if (card === null) {
    c.error(invalidHllError);
    return;
  }
  // The cache is part of the string: updating it is a write, counted and
  // propagated like Redis (PFCOUNT is may_replicate).
  setHllCachedCardinality(buf, card);
  c.db.modified(key);
  c.server.dirty++;
  c.int(card);
}

function pfmerge(c: Client, argv: string[]): void {
  let useDense = false;
  const max = mergeKeys(c, argv.slice(1), (b) => {
    if (isDenseHll(b)) useDense = true;
  });
  if (max === null) return;
  const key = argv[1];
  const v = c.db.lookupWrite(key) as StringValue | undefined; // checked by mergeKeys
  const old = v === undefined ? undefined : unshare(c, key, v);
  const hll = openHll(c, old);
  // The destination was validated while merging, so the conversion cannot fail.
  if (useDense) hll.toDense();
  for (let j = 0; j < HLL_REGISTERS; j++) if (max[j] !== 0) hll.set(j, max[j]);
  hll.invalidateCache();
  storeHll(c, key, old, hll);
  // As Redis, a merge notifies "pfadd": it adds many elements at once.
  c.server.notifyKeyspaceEvent(NOTIFY_STRING, 'pfadd', key, c.dbIndex);
  c.server.dirty++;
  c.ok();
}

function pfdebug(c: Client, argv: string[]): void {
  const key = argv[2];
  const v = c.db.lookupWrite(key);
  if (v === undefined) {
    c.error('ERR The specified key does not exist');
    return;
  }
  if (!hllOrReply(c, v)) return;
  const buf = unshare(c, key, v);
  const sub = optionName(argv[1]);
  if (sub === 'getreg' || sub === 'todense') {
    const hll = openHll(c, buf);
    const converted = !hll.dense;
    if (!hll.toDense()) {
      c.error(invalidHllError);
      return;
    }
    if (converted) {
      storeHll(c, key, buf, hll, false);
      c.server.dirty++;
    }
    if (sub === 'todense') {
      c.int(converted ? 1 : 0);
      return;
    }
    const registers = new Uint8Array(HLL_REGISTERS);
    hllMergeInto(registers, hllBytes(hll.value()));
    c.arrayLen(HLL_REGISTERS);
    for (const r of registers) c.int(r);
  } else if (sub === 'decode') {
    if (isDenseHll(buf)) c.error('ERR HLL encoding is not sparse');
    else c.bulk(decodeSparse(buf));
  } else if (sub === 'encoding') {
    c.simple(isDenseHll(buf) ? 'dense' : 'sparse');
  } else {
    c.error(`ERR Unknown PFDEBUG subcommand '${cString(argv[1])}'`);
  }
}

function pfselftest(c: Client): void {
  const failure = hllSelfTest(c.server.config.getInt('hll-sparse-max-bytes'));
  if (failure === null) c.ok();
  else c.error(failure);
}

export const hyperloglogCommands: CommandSpec[] = [
  { name: 'pfadd', arity: -2, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['hyperloglog'], run: pfadd },
  {
    name: 'pfcount',
    arity: -2,
    flags: ['readonly', 'may_replicate'],
    keys: [1, -1, 1],
    acl: ['hyperloglog'],
    run: pfcount,
  },
  { name: 'pfmerge', arity: -2, flags: ['write', 'denyoom'], keys: [1, -1, 1], acl: ['hyperloglog'], run: pfmerge },
  {
    name: 'pfdebug',
    arity: 3,
    flags: ['write', 'denyoom', 'admin'],
    keys: [2, 2, 1],
    acl: ['hyperloglog'],
    run: pfdebug,
  },
  { name: 'pfselftest', arity: 1, flags: ['admin'], acl: ['hyperloglog'], run: pfselftest },
];
