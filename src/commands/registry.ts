// The command table: one entry per command and subcommand, holding everything
// the server needs to know about a command before running it. Dispatch (arity,
// auth, read-only replicas, propagation), COMMAND INFO/DOCS/LIST/GETKEYS and
// ACL categories all read this table; nothing else declares command facts.

import type { Client } from '../server/client.js';

/** Command flags as Redis 7.0 names them (src/commands/*.json "command_flags"). */
export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'asking'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'sentinel'
  | 'only_sentinel'
  | 'no_mandatory_keys'
  | 'protected'
  | 'no_async_loading'
  | 'no_multi'
  | 'allow_busy';

/** ACL categories a command declares besides those derived from its flags. */
export type AclCategory =
  | 'keyspace'
  | 'read'
  | 'write'
  | 'set'
  | 'sortedset'
  | 'list'
  | 'hash'
  | 'string'
  | 'bitmap'
  | 'hyperloglog'
  | 'geo'
  | 'stream'
  | 'pubsub'
  | 'admin'
  | 'fast'
  | 'slow'
  | 'blocking'
  | 'dangerous'
  | 'connection'
  | 'transaction'
  | 'scripting';

export type CommandHandler = (c: Client, argv: string[]) => void;

export interface CommandSpec {
  /** Lower-case name; a subcommand gives only its own part ("get" under "config"). */
  name: string;
  /** Redis arity: N means exactly N arguments including the name, -N at least N. */
  arity: number;
  flags: readonly CommandFlag[];
  /** First key, last key (negative counts from the end), step; [0, 0, 0] for none. */
  keys?: readonly [number, number, number];
  /** Key positions of commands whose keys are not a simple range (COMMAND GETKEYS, movablekeys). */
  getKeys?: (argv: string[]) => number[];
  acl?: readonly AclCategory[];
  run?: CommandHandler;
  subcommands?: readonly CommandSpec[];
}

/**
 * Key finder for commands whose keys follow a count argument at `countIndex`
 * (LMPOP numkeys key..., ZUNION numkeys key...), as Redis's genericGetKeys:
 * no keys when the count is below 1 or more than the arguments left.
 */
export function keysAfterCount(countIndex: number): (argv: string[]) => number[] {
  return (argv) => {
    const n = Number.parseInt(argv[countIndex] ?? '', 10) || 0;
    if (n < 1 || n > argv.length - countIndex - 1) return [];
    return Array.from({ length: n }, (_, i) => countIndex + 1 + i);
  };
}

/** Order in which Redis lists flags in COMMAND INFO (hidden flags omitted). */
const visibleFlagOrder: readonly string[] = [
  'write', 'readonly', 'denyoom', 'module', 'admin', 'pubsub', 'noscript', 'blocking', 'loading', 'stale',
  'skip_monitor', 'skip_slowlog', 'asking', 'fast', 'no_auth', 'no_mandatory_keys', 'no_async_loading',
  'no_multi', 'movablekeys', 'allow_busy',
];

/** Order of ACL categories (Redis's ACLCommandCategories). */
export const aclCategoryOrder: readonly AclCategory[] = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
  'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
];

/** A command as the server uses it: the spec plus what is derived from it once. */
export class Command {
  readonly name: string;
  /** "config|get" for subcommands, as error messages and COMMAND name them. */
  readonly fullName: string;
  readonly arity: number;
  readonly flags: ReadonlySet<CommandFlag>;
  readonly firstKey: number;
  readonly lastKey: number;
  readonly keyStep: number;
  readonly categories: readonly AclCategory[];
  readonly run: CommandHandler;
  readonly subcommands: ReadonlyMap<string, Command> | undefined;
  readonly parent: Command | undefined;
  readonly movableKeys: boolean;
  readonly isWrite: boolean;
  readonly isReadonly: boolean;
  private readonly spec: CommandSpec;
  /** Calls and time, for INFO commandstats. */
  calls = 0;
  usec = 0;
  rejectedCalls = 0;
  failedCalls = 0;

  constructor(spec: CommandSpec, parent?: Command) {
    this.spec = spec;
    this.name = spec.name;
    this.parent = parent;
    this.fullName = parent ? `${parent.name}|${spec.name}` : spec.name;
    this.arity = spec.arity;
    this.flags = new Set(spec.flags);
    [this.firstKey, this.lastKey, this.keyStep] = spec.keys ?? [0, 0, 0];
    this.movableKeys = spec.getKeys !== undefined;
    this.isWrite = this.flags.has('write');
    this.isReadonly = this.flags.has('readonly');
    this.categories = deriveCategories(spec);
    // Containers have arity -2, so their own handler is never reached without a subcommand.
    const run = spec.run ?? (spec.subcommands ? containerHandler : undefined);
    if (run === undefined) throw new Error(`command ${this.fullName} has neither a handler nor subcommands`);
    this.run = run;
    if (spec.subcommands) {
      const subs = new Map<string, Command>();
      for (const s of spec.subcommands) subs.set(s.name, new Command(s, this));
      this.subcommands = subs;
    }
  }

  has(flag: CommandFlag): boolean {
    return this.flags.has(flag);
  }

  /** Flags as COMMAND INFO shows them. */
  visibleFlags(): string[] {
    const shown = new Set<string>(this.spec.flags);
    if (this.movableKeys) shown.add('movablekeys');
    return visibleFlagOrder.filter((f) => shown.has(f));
  }

  /** Positions of the key arguments in argv (COMMAND GETKEYS, propagation, ACL). */
  keyPositions(argv: string[]): number[] {
    if (this.spec.getKeys) return this.spec.getKeys(argv);
    if (this.firstKey === 0) return [];
    const last = this.lastKey < 0 ? argv.length + this.lastKey : this.lastKey;
    const out: number[] = [];
    for (let i = this.firstKey; i <= last && i < argv.length; i += this.keyStep) out.push(i);
    return out;
  }
}

function containerHandler(): never {
  throw new Error('a container command was called without a subcommand');
}

/** Categories a command has: declared ones plus those its flags imply, as Redis's setImplicitACLCategories. */
function deriveCategories(spec: CommandSpec): AclCategory[] {
  const cats = new Set<AclCategory>(spec.acl ?? []);
  const flags = new Set(spec.flags);
  if (flags.has('write')) cats.add('write');
  else if (flags.has('readonly') && !cats.has('scripting')) cats.add('read');
  if (flags.has('admin')) {
    cats.add('admin');
    cats.add('dangerous');
  }
  if (flags.has('pubsub')) cats.add('pubsub');
  if (flags.has('fast')) cats.add('fast');
  if (flags.has('blocking')) cats.add('blocking');
  if (!cats.has('fast')) cats.add('slow');
  return aclCategoryOrder.filter((c) => cats.has(c));
}

/** Spellings other than lower case remembered per table ("GET", "Get"), so lookups don't lower-case each time. */
const spellingsMax = 4096;

/** Every command the server knows, by lower-case name. */
export class CommandTable {
  private readonly commands = new Map<string, Command>();
  /** Name as clients send it → command; most clients send upper case. */
  private readonly spellings = new Map<string, Command>();

  constructor(families: ReadonlyArray<readonly CommandSpec[]>) {
    for (const family of families) {
      for (const spec of family) {
        if (this.commands.has(spec.name)) throw new Error(`command ${spec.name} registered twice`);
        this.commands.set(spec.name, new Command(spec));
      }
    }
  }

  get size(): number {
    return this.commands.size;
  }

  all(): IterableIterator<Command> {
    return this.commands.values();
  }

  /** Every command, each container followed by its subcommands (COMMAND LIST, INFO commandstats). */
  *allWithSubcommands(): IterableIterator<Command> {
    for (const cmd of this.commands.values()) {
      yield cmd;
      if (cmd.subcommands) yield* cmd.subcommands.values();
    }
  }

  /** The top-level command named `name` (any case). */
  get(name: string): Command | undefined {
    const found = this.commands.get(name) ?? this.spellings.get(name);
    if (found !== undefined) return found;
    const cmd = this.commands.get(name.toLowerCase());
    if (cmd !== undefined && this.spellings.size < spellingsMax) this.spellings.set(name, cmd);
    return cmd;
  }

  /** A command or "container|sub" full name, as COMMAND INFO and ACL accept. */
  getByFullName(fullName: string): Command | undefined {
    const bar = fullName.indexOf('|');
    if (bar === -1) return this.get(fullName);
    return this.get(fullName.slice(0, bar))?.subcommands?.get(fullName.slice(bar + 1).toLowerCase());
  }
}
