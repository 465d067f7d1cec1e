// Option values: parsing a directive's arguments into a typed value and
// formatting it back as CONFIG GET prints it, with the C conversions Redis
// uses (strtoll, memtoull, strtod) and its exact error reasons.

import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BINDADDR_MAX, NOTIFY_KEYSPACE, NOTIFY_KEYEVENT, NOTIFY_GENERIC, NOTIFY_STRING, NOTIFY_LIST, NOTIFY_SET, NOTIFY_HASH, NOTIFY_ZSET, NOTIFY_EXPIRED, NOTIFY_EVICTED, NOTIFY_STREAM, NOTIFY_KEY_MISS, NOTIFY_MODULE, NOTIFY_NEW, NOTIFY_ALL, SHUTDOWN_SAVE, SHUTDOWN_NOSAVE,
} from './options.js';
import type { OptionDef, EnumOption, NumericOption, StringOption, SpecialOption, NumericKind } from './options.js';
import type { Config, ClientBufferLimit, ClientBufferLimits, ReplicaOf, OptionValue, StringValue } from './config.js';
import { parseDouble, parseLongLongBig } from '../util/numbers.js';

export type ParseCtx = { config: Config; runtime: boolean };
export type ParseResult = { ok: true; value: OptionValue } | { ok: false; err: string };

// ---------------------------------------------------------------------------
// Small C-compatible helpers (own implementations)
// ---------------------------------------------------------------------------

const C_SPACE = ' \t\n\v\f\r';
const isCSpace = (c: string): boolean => c !== '' && C_SPACE.includes(c);

/** C strtoll() in the given base: skips leading spaces, optional sign.
 *  Returns the (saturated) value, whether all input was consumed, and
 *  whether it overflowed. No digits at all yields 0 with `end` at the start. */
function strtoll(s: string, base: 8 | 10): { value: bigint; rest: string; overflow: boolean } {
  let i = 0;
  while (i < s.length && isCSpace(s[i]!)) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') { neg = s[i] === '-'; i++; }
  const digitRe = base === 8 ? /[0-7]/ : /[0-9]/;
  const start = i;
  while (i < s.length && digitRe.test(s[i]!)) i++;
  if (i === start) return { value: 0n, rest: s, overflow: false }; // no conversion
  let v = BigInt((base === 8 ? '0o' : '') + s.slice(start, i));
  if (neg) v = -v;
  let overflow = false;
  if (v > 9223372036854775807n) { v = 9223372036854775807n; overflow = true; }
  if (v < -9223372036854775808n) { v = -9223372036854775808n; overflow = true; }
  return { value: v, rest: s.slice(i), overflow };
}

/** Redis memtoull(): "<digits>[b|k|kb|m|mb|g|gb]" (unit case-insensitive).
 *  Returns the unsigned 64-bit result (overflow saturates/wraps like Redis),
 *  or null on a parse error. */
export function parseMemory(s: string): bigint | null {
  if (s.startsWith('-')) return null;
  let i = 0;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  const unit = s.slice(i).toLowerCase();
  let mul: bigint;
  switch (unit) {
    case '': case 'b': mul = 1n; break;
    case 'k': mul = 1000n; break;
    case 'kb': mul = 1024n; break;
    case 'm': mul = 1000n * 1000n; break;
    case 'mb': mul = 1024n * 1024n; break;
    case 'g': mul = 1000n * 1000n * 1000n; break;
    case 'gb': mul = 1024n * 1024n * 1024n; break;
    default: return null;
  }
  if (i >= 128) return null;
  let v = i === 0 ? 0n : BigInt(s.slice(0, i));
  if (v > 18446744073709551615n) v = 18446744073709551615n; // strtoull saturates
  return BigInt.asUintN(64, v * mul);
}

/** printf("%f") followed by Redis trimDoubleString(). */
function formatPercentile(v: number): string {
  let s = Math.abs(v).toFixed(6);
  if (v < 0 || Object.is(v, -0)) s = '-' + s;
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/** The text of strerror(errno) for the errors we can meet. */
export function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return 'No such file or directory';
    case 'ENOTDIR': return 'Not a directory';
    case 'EACCES': return 'Permission denied';
    case 'EPERM': return 'Operation not permitted';
    case 'EISDIR': return 'Is a directory';
    case 'ELOOP': return 'Too many levels of symbolic links';
    case 'ENAMETOOLONG': return 'File name too long';
    case 'EROFS': return 'Read-only file system';
    case 'ENOSPC': return 'No space left on device';
    case 'EEXIST': return 'File exists';
    case 'EMFILE': return 'Too many open files';
    case 'EBUSY': return 'Device or resource busy';
    case 'EIO': return 'Input/output error';
    case 'EDQUOT': return 'Disk quota exceeded';
    case 'EINVAL': return 'Invalid argument';
    default: return e instanceof Error ? e.message : String(e);
  }
}

const pathIsBaseName = (p: string): boolean => !p.includes('/') && !p.includes('\\');

// ---------------------------------------------------------------------------
// Keyspace events flags
// ---------------------------------------------------------------------------

export function keyspaceEventsStringToFlags(s: string): number {
  let flags = 0;
  for (const c of s) {
    switch (c) {
      case 'A': flags |= NOTIFY_ALL; break;
      case 'g': flags |= NOTIFY_GENERIC; break;
      case '$': flags |= NOTIFY_STRING; break;
      case 'l': flags |= NOTIFY_LIST; break;
      case 's': flags |= NOTIFY_SET; break;
      case 'h': flags |= NOTIFY_HASH; break;
      case 'z': flags |= NOTIFY_ZSET; break;
      case 'x': flags |= NOTIFY_EXPIRED; break;
      case 'e': flags |= NOTIFY_EVICTED; break;
      case 'K': flags |= NOTIFY_KEYSPACE; break;
      case 'E': flags |= NOTIFY_KEYEVENT; break;
      case 't': flags |= NOTIFY_STREAM; break;
      case 'm': flags |= NOTIFY_KEY_MISS; break;
      case 'd': flags |= NOTIFY_MODULE; break;
      case 'n': flags |= NOTIFY_NEW; break;
      default: return -1;
    }
  }
  return flags;
}

export function keyspaceEventsFlagsToString(flags: number): string {
  let res = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) {
    res += 'A';
  } else {
    if (flags & NOTIFY_GENERIC) res += 'g';
    if (flags & NOTIFY_STRING) res += '$';
    if (flags & NOTIFY_LIST) res += 'l';
    if (flags & NOTIFY_SET) res += 's';
    if (flags & NOTIFY_HASH) res += 'h';
    if (flags & NOTIFY_ZSET) res += 'z';
    if (flags & NOTIFY_EXPIRED) res += 'x';
    if (flags & NOTIFY_EVICTED) res += 'e';
    if (flags & NOTIFY_STREAM) res += 't';
    if (flags & NOTIFY_MODULE) res += 'd';
    if (flags & NOTIFY_NEW) res += 'n';
  }
  if (flags & NOTIFY_KEYSPACE) res += 'K';
  if (flags & NOTIFY_KEYEVENT) res += 'E';
  if (flags & NOTIFY_KEY_MISS) res += 'm';
  return res;
}

// ---------------------------------------------------------------------------
// Per-type parsing and formatting
// ---------------------------------------------------------------------------

const UNSIGNED_CHECK_KINDS: ReadonlySet<NumericKind> = new Set<NumericKind>(['ulonglong', 'uint', 'size_t']);

/** Store a validated long long into the option's C type. */
function castNumeric(kind: NumericKind, v: bigint): bigint {
  switch (kind) {
    case 'int': return BigInt.asIntN(32, v);
    case 'uint': return BigInt.asUintN(32, v);
    case 'ulong': case 'ulonglong': case 'size_t': return BigInt.asUintN(64, v);
    default: return BigInt.asIntN(64, v);
  }
}

function parseNumeric(def: NumericOption, arg: string): ParseResult {
  let ll: bigint | null = null;
  if (def.type === 'memory') {
    const m = parseMemory(arg);
    if (m !== null) ll = BigInt.asIntN(64, m);
    if (ll === null && def.percent && arg.length > 1 && arg.endsWith('%')) {
      const p = parseLongLongBig(arg.slice(0, -1));
      if (p !== null && p >= 0n) ll = -p;
    }
    if (ll === null) {
      return { ok: false, err: def.percent ? 'argument must be a memory or percent value' : 'argument must be a memory value' };
    }
  } else if (def.octal) {
    const r = strtoll(arg, 8);
    if (r.overflow || r.rest !== '') return { ok: false, err: "argument couldn't be parsed as an octal number" };
    ll = r.value;
  } else {
    ll = parseLongLongBig(arg);
    if (ll === null) return { ok: false, err: "argument couldn't be parsed into an integer" };
  }

  // Bound checks.
  if (UNSIGNED_CHECK_KINDS.has(def.kind)) {
    const ull = BigInt.asUintN(64, ll);
    const lo = BigInt.asUintN(64, def.min);
    const hi = BigInt.asUintN(64, def.max);
    if (ull > hi || ull < lo) {
      const fmt = (x: bigint): string => (def.type === 'int' && def.octal ? x.toString(8) : x.toString());
      return { ok: false, err: `argument must be between ${fmt(lo)} and ${fmt(hi)} inclusive` };
    }
  } else if (def.type === 'memory' && def.percent && ll < 0n) {
    if (ll < def.min) return { ok: false, err: `percentage argument must be less or equal to ${-def.min}` };
  } else if (ll > def.max || ll < def.min) {
    return { ok: false, err: `argument must be between ${def.min} and ${def.max} inclusive` };
  }
  return { ok: true, value: castNumeric(def.kind, ll) };
}

function formatNumeric(def: NumericOption, v: bigint): string {
  if (def.type === 'memory') {
    if (def.percent && v < 0n) return `${-v}%`;
    return BigInt.asUintN(64, v).toString();
  }
  if (def.octal) return v.toString(8);
  return v.toString();
}

function enumError(def: EnumOption): string {
  return 'argument(s) must be one of the following: ' + def.values.map(([n]) => n).join(', ');
}

function parseEnum(def: EnumOption, args: string[]): ParseResult {
  if (args.length === 0 || (!def.bitflags && args.length !== 1)) return { ok: false, err: enumError(def) };
  let value = 0;
  for (const a of args) {
    const la = a.toLowerCase();
    let matched = false;
    for (const [n, v] of def.values) {
      if (n === la) { value |= v; matched = true; }
    }
    if (!matched) return { ok: false, err: enumError(def) };
  }
  if (def.validate === 'shutdown-flags' && value & SHUTDOWN_SAVE && value & SHUTDOWN_NOSAVE) {
    return { ok: false, err: "shutdown options SAVE and NOSAVE can't be used simultaneously" };
  }
  return { ok: true, value };
}

function formatEnum(def: EnumOption, value: number): string {
  let names: string[] = [];
  let unmatched = value;
  for (const [n, v] of def.values) {
    if (value === v) return n;
    if (def.bitflags && v !== 0 && v === (unmatched & v)) {
      names.push(n);
      unmatched &= ~v;
    }
  }
  if (names.length === 0 || unmatched !== 0) names = ['unknown'];
  return names.join(' ');
}

function validateProcTitleTemplate(tpl: string, config: Config): boolean {
  const port = config.getInt('port');
  const bind = config.getList('bind');
  const vars: Record<string, string> = {
    'title': '',
    'listen-addr': port ? `${bind[0] ?? '*'}:${port}` : (config.get('unixsocket') ?? ''),
    'server-mode': '',
    'port': String(port),
    'tls-port': String(config.getInt('tls-port')),
    'unixsocket': config.get('unixsocket') ?? '',
    'config-file': config.configFile ?? '',
  };
  let res = '';
  let p = 0;
  while (p < tpl.length) {
    const sv = tpl.indexOf('{', p);
    if (sv < 0) { res += tpl.slice(p); break; }
    res += tpl.slice(p, sv);
    const q = sv + 1;
    if (q >= tpl.length) return false;
    if (tpl[q] === '{') { res += '{'; p = q + 1; continue; }
    const ev = tpl.indexOf('}', q);
    if (ev < 0) return false;
    const name = tpl.slice(q, ev);
    if (!Object.prototype.hasOwnProperty.call(vars, name)) return false;
    res += vars[name];
    p = ev + 1;
  }
  return res.replace(/^ +| +$/g, '').length > 0;
}

function parseString(def: StringOption, arg: string, ctx: ParseCtx): ParseResult {
  switch (def.validate) {
    case 'dbfilename':
      if (!pathIsBaseName(arg)) return { ok: false, err: "dbfilename can't be a path, just a filename" };
      break;
    case 'appendfilename':
      if (arg === '') return { ok: false, err: "appendfilename can't be empty" };
      if (!pathIsBaseName(arg)) return { ok: false, err: "appendfilename can't be a path, just a filename" };
      break;
    case 'appenddirname':
      if (arg === '') return { ok: false, err: "appenddirname can't be empty" };
      if (!pathIsBaseName(arg)) return { ok: false, err: "appenddirname can't be a path, just a dirname" };
      break;
    case 'hostname':
      if (Buffer.byteLength(arg) >= 256) return { ok: false, err: 'Hostnames must be less than 256 characters' };
      if (!/^[A-Za-z0-9.-]*$/.test(arg)) {
        return { ok: false, err: 'Hostnames may only contain alphanumeric characters, hyphens or dots' };
      }
      break;
    case 'proc-title-template':
      if (!validateProcTitleTemplate(arg, ctx.config)) {
        return { ok: false, err: 'template format is invalid or contains unknown variables' };
      }
      break;
    default:
      break;
  }
  return { ok: true, value: def.emptyIsNull && arg === '' ? null : arg };
}

function getClientTypeByName(name: string): keyof ClientBufferLimits | 'master' | null {
  switch (name.toLowerCase()) {
    case 'normal': return 'normal';
    case 'slave': case 'replica': return 'slave';
    case 'pubsub': return 'pubsub';
    case 'master': return 'master';
    default: return null;
  }
}

function parseSpecial(def: SpecialOption, args: string[], current: OptionValue, ctx: ParseCtx): ParseResult {
  switch (def.special) {
    case 'dir': {
      if (args.length !== 1) return { ok: false, err: 'wrong number of arguments' };
      const base = typeof current === 'string' && current ? current : process.cwd();
      const target = path.resolve(base, args[0]!);
      try {
        if (args[0] === '') throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        const st = fs.statSync(target);
        if (!st.isDirectory()) throw Object.assign(new Error('ENOTDIR'), { code: 'ENOTDIR' });
        fs.accessSync(target, fs.constants.X_OK);
        return { ok: true, value: fs.realpathSync(target) };
      } catch (e) {
        return { ok: false, err: strerror(e) };
      }
    }
    case 'save': {
      let a = args;
      if (a.length === 1 && a[0] === '') a = [];
      if (a.length & 1) return { ok: false, err: 'Invalid save parameters' };
      const out: Array<[number, number]> = [];
      for (let j = 0; j < a.length; j += 2) {
        const s = strtoll(a[j]!, 10);
        const c = strtoll(a[j + 1]!, 10);
        if (s.rest !== '' || s.value < 1n || c.rest !== '' || c.value < 0n) {
          return { ok: false, err: 'Invalid save parameters' };
        }
        out.push([Number(s.value), Number(BigInt.asIntN(32, c.value))]);
      }
      return { ok: true, value: out };
    }
    case 'client-output-buffer-limit': {
      if (args.length % 4) return { ok: false, err: 'Wrong number of arguments in buffer limit configuration.' };
      const cur = current as ClientBufferLimits;
      const next: ClientBufferLimits = { normal: { ...cur.normal }, slave: { ...cur.slave }, pubsub: { ...cur.pubsub } };
      const updates: Array<[keyof ClientBufferLimits, ClientBufferLimit]> = [];
      for (let j = 0; j < args.length; j += 4) {
        const cls = getClientTypeByName(args[j]!);
        if (cls === null || cls === 'master') {
          return { ok: false, err: 'Invalid client class specified in buffer limit configuration.' };
        }
        const hard = parseMemory(args[j + 1]!);
        const soft = parseMemory(args[j + 2]!);
        const secs = strtoll(args[j + 3]!, 10);
        const seconds = Number(BigInt.asIntN(32, secs.value));
        if (hard === null || soft === null || seconds < 0 || secs.rest !== '') {
          return { ok: false, err: 'Error in hard, soft or soft_seconds setting in buffer limit configuration.' };
        }
        updates.push([cls, { hard, soft, seconds }]);
      }
      for (const [cls, lim] of updates) next[cls] = lim;
      return { ok: true, value: next };
    }
    case 'oom-score-adj-values': {
      if (args.length !== 3) return { ok: false, err: 'wrong number of arguments' };
      const vals: number[] = [];
      for (const a of args) {
        const r = strtoll(a, 10);
        if (r.rest !== '' || r.value < -2000n || r.value > 2000n) {
          return { ok: false, err: 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.' };
        }
        vals.push(Number(r.value));
      }
      return { ok: true, value: vals as [number, number, number] };
    }
    case 'notify-keyspace-events': {
      if (args.length !== 1) return { ok: false, err: 'wrong number of arguments' };
      const flags = keyspaceEventsStringToFlags(args[0]!);
      if (flags === -1) return { ok: false, err: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
      return { ok: true, value: flags };
    }
    case 'bind': {
      if (args.length > BINDADDR_MAX) return { ok: false, err: 'Too many bind addresses specified.' };
      if (args.length === 1 && args[0] === '') return { ok: true, value: [] };
      return { ok: true, value: [...args] };
    }
    case 'replicaof': {
      if (args.length !== 2) return { ok: false, err: 'wrong number of arguments' };
      if (args[0]!.toLowerCase() === 'no' && args[1]!.toLowerCase() === 'one') return { ok: true, value: null };
      const r = strtoll(args[1]!, 10);
      if (r.rest !== '' || r.value < 0n || r.value > 65535n) return { ok: false, err: 'Invalid master port' };
      return { ok: true, value: { host: args[0]!, port: Number(r.value) } };
    }
    case 'latency-tracking-info-percentiles': {
      if (args.length === 1 && args[0] === '') return { ok: true, value: [] };
      const out: number[] = [];
      for (const a of args) {
        const d = parseDouble(a);
        if (d === null) return { ok: false, err: 'Invalid latency-tracking-info-percentiles parameters' };
        if (d > 100 || d < 0) {
          return { ok: false, err: 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]' };
        }
        out.push(d);
      }
      return { ok: true, value: out };
    }
  }
  void ctx;
  return { ok: false, err: 'unknown special option' };
}

function formatSpecial(def: SpecialOption, v: OptionValue): string {
  switch (def.special) {
    case 'dir': return v as string;
    case 'save': return (v as Array<[number, number]>).map(([s, c]) => `${s} ${c}`).join(' ');
    case 'client-output-buffer-limit': {
      const l = v as ClientBufferLimits;
      return (['normal', 'slave', 'pubsub'] as const)
        .map((c) => `${c} ${l[c].hard} ${l[c].soft} ${l[c].seconds}`).join(' ');
    }
    case 'oom-score-adj-values': return (v as number[]).join(' ');
    case 'notify-keyspace-events': return keyspaceEventsFlagsToString(v as number);
    case 'bind': return (v as string[]).join(' ');
    case 'replicaof': return v === null ? '' : `${(v as ReplicaOf).host} ${(v as ReplicaOf).port}`;
    case 'latency-tracking-info-percentiles': return (v as number[]).map(formatPercentile).join(' ');
  }
  return '';
}

/** Parse the argument list of an option (args excludes the option name). */
export function parseOption(def: OptionDef, args: string[], current: OptionValue, ctx: ParseCtx): ParseResult {
  switch (def.type) {
    case 'bool': {
      const a = args[0]!.toLowerCase();
      if (a !== 'yes' && a !== 'no') return { ok: false, err: "argument must be 'yes' or 'no'" };
      if (def.validate === 'activedefrag' && a === 'yes') {
        return {
          ok: false,
          err: 'Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified ' +
            'Jemalloc like the one shipped by default with the Redis source distribution',
        };
      }
      return { ok: true, value: a === 'yes' };
    }
    case 'enum': return parseEnum(def, args);
    case 'int': case 'memory': return parseNumeric(def, args[0]!);
    case 'string': return parseString(def, args[0]!, ctx);
    case 'special': return parseSpecial(def, args, current, ctx);
  }
}

export function formatOption(def: OptionDef, v: OptionValue): string {
  switch (def.type) {
    case 'bool': return v ? 'yes' : 'no';
    case 'enum': return formatEnum(def, v as number);
    case 'int': case 'memory': return formatNumeric(def, v as bigint);
    case 'string': return (v as StringValue) ?? '';
    case 'special': return formatSpecial(def, v);
  }
}

export function numberOf(def: OptionDef, v: OptionValue): number {
  switch (def.type) {
    case 'bool': return v ? 1 : 0;
    case 'enum': return v as number;
    case 'int': case 'memory': return Number(v as bigint);
    case 'special': return def.special === 'notify-keyspace-events' ? (v as number) : NaN;
    default: return NaN;
  }
}

/** Split a CONFIG SET value of a MULTI_ARG option like sdssplitlen(" "). */
export function splitRuntimeValue(value: string): string[] {
  return value === '' ? [] : value.split(' ');
}

// ---------------------------------------------------------------------------
