/**
 * The Config class: one instance per server, holding every option value.
 *
 * Error conventions (see also parse.ts and rewrite.ts):
 *  - setFromConfigFile() returns the bare reason, WITHOUT an "ERR " prefix,
 *    exactly as Redis prints it under "*** FATAL CONFIG FILE ERROR ***"
 *    (e.g. "argument couldn't be parsed into an integer").
 *  - setRuntime() returns the complete error reply text WITHOUT the leading
 *    "-" but WITH its error code ("ERR ..." or "LOADING ..."), ready to be
 *    sent as a RESP simple error.
 *
 * Value representation notes:
 *  - numeric options are kept as bigint with the wrap-around semantics of the
 *    C type Redis uses, and cached as a JS number for getInt();
 *  - `dir` is only stored (Tandem never calls process.chdir(), so several
 *    servers can live in one process); it is validated and resolved to an
 *    absolute real path like chdir()+getcwd() would.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  OPTIONS, lookupOption, DEPRECATED_DIRECTIVES, BINDADDR_MAX, MIN_HZ, MAX_HZ, REPL_BACKLOG_MIN_SIZE,
  NOTIFY_KEYSPACE, NOTIFY_KEYEVENT, NOTIFY_GENERIC, NOTIFY_STRING, NOTIFY_LIST, NOTIFY_SET,
  NOTIFY_HASH, NOTIFY_ZSET, NOTIFY_EXPIRED, NOTIFY_EVICTED, NOTIFY_STREAM, NOTIFY_KEY_MISS,
  NOTIFY_MODULE, NOTIFY_NEW, NOTIFY_ALL, SHUTDOWN_SAVE, SHUTDOWN_NOSAVE,
} from './options.js';
import { parseDouble, parseLongLongBig } from '../util/numbers.js';
import { globMatch } from '../util/glob.js';
import type { OptionDef, EnumOption, NumericOption, StringOption, SpecialOption, NumericKind } from './options.js';

// ---------------------------------------------------------------------------
// Value types
// ---------------------------------------------------------------------------

export interface ClientBufferLimit {
  hard: bigint;
  soft: bigint;
  seconds: number;
}

/** Output buffer limits per client class (Redis names the replica class "slave"). */
export interface ClientBufferLimits {
  normal: ClientBufferLimit;
  slave: ClientBufferLimit;
  pubsub: ClientBufferLimit;
}

export interface ReplicaOf {
  host: string;
  port: number;
}

/** The typed value of an option (which member is used depends on the option). */
export type OptionValue =
  | boolean                       // bool
  | number                        // enum (internal value), notify-keyspace-events (flags)
  | bigint                        // int / memory
  | string                        // dir
  | string[]                      // bind
  | null                          // string option that is unset (EMPTY_STRING_IS_NULL), replicaof none
  | Array<[number, number]>       // save
  | ClientBufferLimits            // client-output-buffer-limit
  | [number, number, number]      // oom-score-adj-values
  | number[]                      // latency-tracking-info-percentiles
  | ReplicaOf;                    // replicaof
export type StringValue = string | null;

/** A change listener. Return a string (error reason, e.g. "Unable to listen
 *  on this port. Check server logs.") to reject the change: the whole
 *  CONFIG SET is then rolled back. */
export type ConfigListener = (value: string) => string | void | null | undefined;

export interface RuntimeSetOptions {
  /** The server is loading a dataset (DENY_LOADING configs answer -LOADING). */
  loading?: boolean;
  /** The client is a local one (for enable-protected-configs local). */
  isLocalClient?: boolean;
}

export interface ConfigOptions {
  /** Absolute path of the config file the server was started with. */
  configFile?: string;
  /** Initial value of `dir` (defaults to process.cwd()). */
  cwd?: string;
}

/** Non-option directives found in config files, kept for the server. */
export interface ConfigDirectives {
  /** rename-command <old> <new>, in file order. new === '' means "remove". */
  renameCommands: Array<[string, string]>;
  /** user <name> <rules...>: each entry is the argument list after "user". */
  users: string[][];
  /** loadmodule <path> [args...] */
  loadModules: Array<{ path: string; args: string[] }>;
  /** <module>.<name> <value> module configuration. */
  moduleConfigs: Map<string, string>;
  /** sentinel <args...> (only kept when loading in sentinel mode). */
  sentinel: string[][];
}

interface Slot {
  def: OptionDef;
  value: OptionValue;
  str: string;
  num: number;
}

type ParseCtx = { config: Config; runtime: boolean };
type ParseResult = { ok: true; value: OptionValue } | { ok: false; err: string };

const LOADING_ERROR = 'LOADING Redis is loading the dataset in memory';

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
function parseOption(def: OptionDef, args: string[], current: OptionValue, ctx: ParseCtx): ParseResult {
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

function formatOption(def: OptionDef, v: OptionValue): string {
  switch (def.type) {
    case 'bool': return v ? 'yes' : 'no';
    case 'enum': return formatEnum(def, v as number);
    case 'int': case 'memory': return formatNumeric(def, v as bigint);
    case 'string': return (v as StringValue) ?? '';
    case 'special': return formatSpecial(def, v);
  }
}

function numberOf(def: OptionDef, v: OptionValue): number {
  switch (def.type) {
    case 'bool': return v ? 1 : 0;
    case 'enum': return v as number;
    case 'int': case 'memory': return Number(v as bigint);
    case 'special': return def.special === 'notify-keyspace-events' ? (v as number) : NaN;
    default: return NaN;
  }
}

/** Split a CONFIG SET value of a MULTI_ARG option like sdssplitlen(" "). */
function splitRuntimeValue(value: string): string[] {
  return value === '' ? [] : value.split(' ');
}

// ---------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------

export class Config {
  /** Absolute path of the config file, if the server was started with one. */
  readonly configFile: string | undefined;
  /** Non-option directives read from config files. */
  readonly directives: ConfigDirectives = {
    renameCommands: [], users: [], loadModules: [], moduleConfigs: new Map(), sentinel: [],
  };
  /** When true, `sentinel ...` directives are stored instead of refused. */
  sentinelMode = false;

  private readonly slots = new Map<string, Slot>();          // primary name -> slot
  private readonly defaults = new Map<string, OptionValue>(); // primary name -> default value
  private readonly listeners = new Map<string, ConfigListener[]>();
  // Config file loading state (Redis's reading_config_file / save_loaded).
  private readingConfigFile = false;
  private saveLoaded = false;

  constructor(opts: ConfigOptions = {}) {
    this.configFile = opts.configFile;
    const cwd = opts.cwd ?? process.cwd();
    let dir: string;
    try { dir = fs.realpathSync(cwd); } catch { dir = path.resolve(cwd); }
    const ctx: ParseCtx = { config: this, runtime: true };
    for (const def of OPTIONS) {
      let value: OptionValue;
      if (def.type === 'special' && def.special === 'dir') {
        value = dir;
      } else if (def.type === 'special' && def.special === 'replicaof') {
        value = null;
      } else if (def.type === 'special' && def.special === 'client-output-buffer-limit') {
        const zero = { hard: 0n, soft: 0n, seconds: 0 };
        const base: ClientBufferLimits = { normal: zero, slave: zero, pubsub: zero };
        value = this.mustParse(def, splitRuntimeValue(def.default), base, ctx);
      } else if (def.type === 'string' && def.validate === 'proc-title-template') {
        value = def.default; // validation needs the other options, the default is known good
      } else {
        const args = def.multiArg ? splitRuntimeValue(def.default) : [def.default];
        value = this.mustParse(def, args, null, ctx);
      }
      this.defaults.set(def.name, value);
      this.slots.set(def.name, { def, value, str: formatOption(def, value), num: numberOf(def, value) });
    }
  }

  private mustParse(def: OptionDef, args: string[], current: OptionValue, ctx: ParseCtx): OptionValue {
    const r = parseOption(def, args, current, ctx);
    if (!r.ok) throw new Error(`bad default for ${def.name}: ${r.err}`);
    return r.value;
  }

  private slot(name: string): Slot | undefined {
    const s = this.slots.get(name);
    if (s) return s;
    const e = lookupOption(name);
    return e ? this.slots.get(e.def.name) : undefined;
  }

  private mustSlot(name: string): Slot {
    const s = this.slot(name);
    if (!s) throw new Error(`unknown config option '${name}'`);
    return s;
  }

  private store(s: Slot, value: OptionValue): void {
    s.value = value;
    s.str = formatOption(s.def, value);
    s.num = numberOf(s.def, value);
  }

  // ----- getters ---------------------------------------------------------

  /** The value as CONFIG GET prints it (name or alias, case-insensitive). */
  get(name: string): string | undefined {
    return this.slot(name)?.str;
  }

  /** Ints and memory values (and bools as 0/1, enums as their internal value,
   *  notify-keyspace-events as its flags). Throws for other options. */
  getInt(name: string): number {
    const s = this.mustSlot(name);
    if (Number.isNaN(s.num)) throw new Error(`config option '${name}' is not numeric`);
    return s.num;
  }

  /** Exact bigint value of an int / memory option. */
  getBigInt(name: string): bigint {
    const s = this.mustSlot(name);
    if (s.def.type !== 'int' && s.def.type !== 'memory') throw new Error(`config option '${name}' is not numeric`);
    return s.value as bigint;
  }

  getBool(name: string): boolean {
    const s = this.mustSlot(name);
    if (s.def.type !== 'bool') throw new Error(`config option '${name}' is not a bool`);
    return s.value as boolean;
  }

  /** Canonical member name(s) of an enum option (e.g. "noeviction"). */
  getEnum(name: string): string {
    const s = this.mustSlot(name);
    if (s.def.type !== 'enum') throw new Error(`config option '${name}' is not an enum`);
    return s.str;
  }

  /** Words of the value: bind addresses, save "s c s c", etc. */
  getList(name: string): string[] {
    const s = this.mustSlot(name);
    if (s.def.type === 'special' && s.def.special === 'bind') return [...(s.value as string[])];
    return s.str.split(' ').filter((w) => w !== '');
  }

  /** The typed value (see OptionValue). Do not mutate. */
  getValue(name: string): OptionValue {
    return this.mustSlot(name).value;
  }

  /** The typed default value of an option. */
  getDefaultValue(name: string): OptionValue {
    const s = this.mustSlot(name);
    return this.defaults.get(s.def.name)!;
  }

  /** The default as CONFIG GET would print it. */
  getDefault(name: string): string {
    const s = this.mustSlot(name);
    return formatOption(s.def, this.defaults.get(s.def.name)!);
  }

  getSaveParams(): Array<[number, number]> {
    return (this.mustSlot('save').value as Array<[number, number]>).map(([a, b]) => [a, b]);
  }

  getClientOutputBufferLimits(): ClientBufferLimits {
    const l = this.mustSlot('client-output-buffer-limit').value as ClientBufferLimits;
    return { normal: { ...l.normal }, slave: { ...l.slave }, pubsub: { ...l.pubsub } };
  }

  getReplicaOf(): ReplicaOf | null {
    const v = this.mustSlot('replicaof').value as ReplicaOf | null;
    return v ? { ...v } : null;
  }

  getLatencyPercentiles(): number[] {
    return [...(this.mustSlot('latency-tracking-info-percentiles').value as number[])];
  }

  getOomScoreAdjValues(): [number, number, number] {
    return [...(this.mustSlot('oom-score-adj-values').value as [number, number, number])];
  }

  /** Option definition by name or alias. */
  getDefinition(name: string): OptionDef | undefined {
    return lookupOption(name)?.def;
  }

  /** Whether the name is an option (name or alias, case-insensitive). */
  has(name: string): boolean {
    return lookupOption(name) !== undefined;
  }

  /** Whether CONFIG SET arguments of this option must be redacted. */
  isSensitive(name: string): boolean {
    return lookupOption(name)?.def.sensitive === true;
  }

  /** Primary option names, in table order. */
  names(): string[] {
    return [...this.slots.keys()];
  }

  /** CONFIG GET <pattern>: see getMatchingMulti(). */
  getMatching(pattern: string): Array<[string, string]> {
    return this.getMatchingMulti([pattern]);
  }

  /**
   * CONFIG GET <pattern> [<pattern> ...] with Redis 7.0 semantics:
   * a pattern without glob characters is an exact (case-insensitive) lookup
   * that also finds hidden options, reported under the name as typed;
   * a glob pattern matches (case-insensitively) every non-hidden name and
   * alias, reported under that name/alias. Each name is reported once.
   */
  getMatchingMulti(patterns: string[]): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    const seen = new Set<string>(); // lower-cased reported names
    for (const pat of patterns) {
      if (!/[[*?]/.test(pat)) {
        const lname = pat.toLowerCase();
        if (seen.has(lname)) continue;
        const s = this.slot(pat);
        if (s) { seen.add(lname); out.push([pat, s.str]); }
        continue;
      }
      for (const s of this.slots.values()) {
        if (s.def.hidden) continue;
        for (const n of s.def.alias ? [s.def.name, s.def.alias] : [s.def.name]) {
          if (seen.has(n)) continue;
          if (globMatch(pat, n, true)) { seen.add(n); out.push([n, s.str]); }
        }
      }
    }
    return out;
  }

  // ----- change listeners -------------------------------------------------

  /**
   * Subscribe to runtime changes (CONFIG SET) of an option (name or alias).
   * Listeners run after all values of the CONFIG SET were validated and
   * stored, in argument order, only for options whose value changed. If a
   * listener returns an error string, every option of that CONFIG SET is
   * restored, the listeners that already succeeded are called again with the
   * restored value (their errors ignored), and CONFIG SET fails with
   * "ERR CONFIG SET failed (possibly related to argument '<name>') - <error>".
   * A failing listener must leave its own state unchanged.
   * Listeners are not called while loading config files.
   */
  onChange(name: string, listener: ConfigListener): void {
    const e = lookupOption(name);
    if (!e) throw new Error(`unknown config option '${name}'`);
    const list = this.listeners.get(e.def.name) ?? [];
    list.push(listener);
    this.listeners.set(e.def.name, list);
  }

  // ----- setting -----------------------------------------------------------

  /** Mark the start/end of reading a config file (drives Redis's peculiar
   *  `save` accumulation rules). Used by parse.ts. */
  setReadingConfigFile(reading: boolean): void {
    this.readingConfigFile = reading;
  }

  /**
   * Apply one directive line of a config file (`name` is the first word,
   * `args` the rest). Handles options and the non-option directives
   * (rename-command, user, loadmodule, module configs, sentinel, deprecated
   * ones) but not `include` (see parse.ts).
   * Returns null on success, else the bare error reason (no "ERR " prefix).
   */
  setFromConfigFile(name: string, args: string[]): string | null {
    const lname = name.toLowerCase();
    const e = lookupOption(lname);
    if (e) {
      const def = e.def;
      if (!def.multiArg && args.length !== 1) return 'wrong number of arguments';
      const s = this.slots.get(def.name)!;
      const r = parseOption(def, args, s.value, { config: this, runtime: false });
      if (!r.ok) return r.err;
      this.store(s, this.combine(def, r.value, args, false));
      return null;
    }
    const argc = args.length + 1;
    for (const [dname, min, max] of DEPRECATED_DIRECTIVES) {
      if (dname === lname && argc >= min && argc <= max) return null;
    }
    if (lname === 'rename-command' && argc === 3) {
      this.directives.renameCommands.push([args[0]!, args[1]!]);
      return null;
    }
    if (lname === 'user' && argc >= 2) {
      this.directives.users.push([...args]);
      return null;
    }
    if (lname === 'loadmodule' && argc >= 2) {
      this.directives.loadModules.push({ path: args[0]!, args: args.slice(1) });
      return null;
    }
    if (lname.includes('.')) {
      if (argc !== 2) return 'Module config specified without value';
      this.directives.moduleConfigs.set(lname, args[0]!);
      return null;
    }
    if (lname === 'sentinel') {
      if (argc !== 1) {
        if (!this.sentinelMode) return 'sentinel directive while not in sentinel mode';
        this.directives.sentinel.push([...args]);
      }
      return null;
    }
    return 'Bad directive or wrong number of arguments';
  }

  /** Merge rules that depend on the context (only `save` has any). */
  private combine(def: OptionDef, value: OptionValue, args: string[], runtime: boolean): OptionValue {
    if (def.type === 'special' && def.special === 'save') {
      const list = value as Array<[number, number]>;
      if (args.length === 1 && args[0] === '') return [];     // save "" always clears
      if (runtime || !this.readingConfigFile) return list;    // CONFIG SET replaces
      if (!this.saveLoaded) { this.saveLoaded = true; return list; } // first save line replaces defaults
      const cur = this.slots.get('save')!.value as Array<[number, number]>;
      return [...cur, ...list];                               // further save lines accumulate
    }
    return value;
  }

  /** Adjustments Redis makes once a config file is loaded: hz is clamped
   *  into [MIN_HZ, MAX_HZ], a non-zero watchdog-period is raised to at least
   *  two hz periods. Called by parse.ts at the end of every loaded text. */
  finishConfigLoad(): void {
    this.clampHz();
    this.adjustWatchdog();
  }

  private clampHz(): void {
    const s = this.slots.get('hz')!;
    const v = s.value as bigint;
    if (v < BigInt(MIN_HZ)) this.store(s, BigInt(MIN_HZ));
    else if (v > BigInt(MAX_HZ)) this.store(s, BigInt(MAX_HZ));
  }

  private adjustWatchdog(): void {
    const s = this.slots.get('watchdog-period')!;
    const v = s.value as bigint;
    const min = BigInt(Math.trunc(1000 / this.getInt('hz')) * 2);
    if (v !== 0n && v < min) this.store(s, min);
  }

  /** What Redis's apply functions do to the stored value after CONFIG SET. */
  private afterRuntimeSet(name: string): void {
    if (name === 'hz') this.clampHz();
    else if (name === 'watchdog-period') this.adjustWatchdog();
    else if (name === 'repl-backlog-size') {
      const s = this.slots.get(name)!;
      if ((s.value as bigint) < BigInt(REPL_BACKLOG_MIN_SIZE)) this.store(s, BigInt(REPL_BACKLOG_MIN_SIZE));
    }
  }

  /**
   * Set an option bypassing immutability/protection and listeners, for
   * server internals (e.g. REPLICAOF updating `replicaof`). `args` are the
   * words of the value (a single string for non multi-arg options).
   * Returns null on success, else the bare error reason.
   */
  forceSet(name: string, args: string[]): string | null {
    const e = lookupOption(name);
    if (!e) return 'Unknown option';
    const s = this.slots.get(e.def.name)!;
    const r = parseOption(e.def, args, s.value, { config: this, runtime: true });
    if (!r.ok) return r.err;
    this.store(s, this.combine(e.def, r.value, args, true));
    this.afterRuntimeSet(e.def.name);
    return null;
  }

  /**
   * CONFIG SET name value [name value ...]: validates everything first and
   * applies atomically. Returns null on success or the full error reply
   * (with its "ERR " / "LOADING " code, without the leading "-").
   */
  setRuntime(pairs: Array<[string, string]>, opts: RuntimeSetOptions = {}): string | null {
    type Item = { typed: string; entryName: string; def: OptionDef; value: string };
    const items: Item[] = [];
    let unknownName: string | null = null;
    let errName: string | null = null;
    let errStr: string | null = null;
    let denyLoading = false;
    let invalid = false;
    const seenEntries = new Set<string>();

    for (const [typed, value] of pairs) {
      const e = lookupOption(typed);
      if (!e) {
        if (!invalid) { unknownName = typed; invalid = true; }
        continue;
      }
      if (invalid) continue;
      const def = e.def;
      if (def.immutable || (def.protected && !this.allowProtected(opts))) {
        errStr = def.immutable ? "can't set immutable config" : "can't set protected config";
        errName = typed;
        invalid = true;
        continue;
      }
      if (opts.loading && def.denyLoading) {
        denyLoading = true;
        invalid = true;
        continue;
      }
      // Redis keeps separate table entries for a name and its alias: only the
      // very same entry given twice is a duplicate.
      const entryName = e.alias ? def.alias! : def.name;
      if (seenEntries.has(entryName)) {
        errStr = 'duplicate parameter';
        errName = typed;
        invalid = true;
        continue;
      }
      seenEntries.add(entryName);
      items.push({ typed, entryName, def, value });
    }

    const fail = (): string => {
      if (denyLoading) return LOADING_ERROR;
      if (unknownName !== null) return `ERR Unknown option or number of arguments for CONFIG SET - '${unknownName}'`;
      if (errStr !== null) return `ERR CONFIG SET failed (possibly related to argument '${errName}') - ${errStr}`;
      return `ERR CONFIG SET failed (possibly related to argument '${errName}')`;
    };
    if (invalid) return fail();

    // Back up the old values of everything we touch.
    const backup = new Map<string, OptionValue>();
    for (const it of items) {
      if (!backup.has(it.def.name)) backup.set(it.def.name, this.slots.get(it.def.name)!.value);
    }
    const restore = (): void => {
      for (const [n, v] of backup) this.store(this.slots.get(n)!, v);
    };

    // Set all new values (not applied yet).
    const ctx: ParseCtx = { config: this, runtime: true };
    for (const it of items) {
      const s = this.slots.get(it.def.name)!;
      const args = it.def.multiArg ? splitRuntimeValue(it.value) : [it.value];
      const r = parseOption(it.def, args, s.value, ctx);
      if (!r.ok) {
        restore();
        errName = it.entryName;
        errStr = r.err;
        return fail();
      }
      this.store(s, this.combine(it.def, r.value, args, true));
    }
    for (const it of items) this.afterRuntimeSet(it.def.name);

    // Apply: call listeners of the options whose value changed.
    const changed: string[] = [];
    for (const it of items) {
      const n = it.def.name;
      if (changed.includes(n)) continue;
      if (formatOption(it.def, backup.get(n)!) === this.slots.get(n)!.str) continue;
      changed.push(n);
    }
    const applied: string[] = [];
    for (const n of changed) {
      const err = this.notify(n);
      if (err) {
        restore();
        for (const a of applied) this.notify(a);
        errName = items.find((it) => it.def.name === n)!.entryName;
        errStr = err;
        return fail();
      }
      applied.push(n);
    }
    return null;
  }

  private notify(primary: string): string | null {
    const list = this.listeners.get(primary);
    if (!list) return null;
    const value = this.slots.get(primary)!.str;
    for (const l of list) {
      const r = l(value);
      if (typeof r === 'string' && r !== '') return r;
    }
    return null;
  }

  private allowProtected(opts: RuntimeSetOptions): boolean {
    const v = this.getEnum('enable-protected-configs');
    return v === 'yes' || (v === 'local' && opts.isLocalClient === true);
  }
}
