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
import { OPTIONS, lookupOption, DEPRECATED_DIRECTIVES, MIN_HZ, MAX_HZ, REPL_BACKLOG_MIN_SIZE } from './options.js';
import { globMatch } from '../util/glob.js';
import { splitArgs } from '../util/splitargs.js';
import { formatOption, numberOf, parseOption, splitRuntimeValue, type ParseCtx } from './values.js';
import type { OptionDef } from './options.js';

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


const LOADING_ERROR = 'LOADING Redis is loading the dataset in memory';

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
      // One non-empty argument of a multi-argument option is split on spaces, so `--save "60 1"` works.
      if (def.multiArg && args.length === 1 && args[0] !== '') args = splitArgs(args[0]) ?? args;
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
