// COMMAND and its subcommands: the command table described to clients.
//
// Name, arity, flags, key range, ACL categories and subcommands come from our
// command table; tips, key specifications and documentation come from
// redis-meta.json, captured from Redis 7.0 with their RESP3 types kept, so the
// replies are byte-identical to Redis's in RESP2 and RESP3. Only commands in
// our table are ever listed.

import { createRequire } from 'node:module';
import type { Client } from '../server/client.js';
import { compileGlob } from '../util/glob.js';
import { parseLongLong } from '../util/numbers.js';
import { replyHelp } from './client.js';
import type { Command, CommandSpec } from './registry.js';

/** A reply value as stored in redis-meta.json: {"m":[k,v,...]} map, {"s":[...]} set, {"+":"x"} status. */
export type MetaValue = number | string | MetaValue[] | { m: MetaValue[] } | { s: MetaValue[] } | { '+': string };

export interface CommandMeta {
  arity: number;
  flags: string[];
  first: number;
  last: number;
  step: number;
  categories: string[];
  tips: { s: MetaValue[] };
  keySpecs: { s: Array<{ m: MetaValue[] }> };
  docs: { m: MetaValue[] };
}

/** Redis's facts about every command, by full name ("get", "config|get"). */
export const redisMeta: Readonly<Record<string, CommandMeta>> = createRequire(import.meta.url)('./redis-meta.json');

/** What a command unknown to Redis 7.0 gets: no tips, key specs or docs (the table parity test flags it). */
const noMeta = { tips: { s: [] }, keySpecs: { s: [] }, docs: { m: [] } };

function metaOf(cmd: Command): Pick<CommandMeta, 'tips' | 'keySpecs' | 'docs'> {
  return redisMeta[cmd.fullName] ?? noMeta;
}

/** Writes a stored reply value with the RESP types it had in Redis. */
function writeMeta(c: Client, v: MetaValue): void {
  if (typeof v === 'number') c.int(v);
  else if (typeof v === 'string') c.bulk(v);
  else if (Array.isArray(v)) {
    c.arrayLen(v.length);
    for (const x of v) writeMeta(c, x);
  } else if ('m' in v) {
    c.mapLen(v.m.length / 2);
    for (const x of v.m) writeMeta(c, x);
  } else if ('s' in v) {
    c.setLen(v.s.length);
    for (const x of v.s) writeMeta(c, x);
  } else {
    c.simple(v['+']);
  }
}

/** A {"m": [...]} map as key → value. */
function metaMap(v: MetaValue): Map<string, MetaValue> {
  const out = new Map<string, MetaValue>();
  const m = (v as { m: MetaValue[] }).m;
  for (let i = 0; i < m.length; i += 2) out.set(m[i] as string, m[i + 1]);
  return out;
}

// ---- COMMAND INFO / DOCS / LIST / COUNT ---------------------------------------

function writeInfo(c: Client, cmd: Command): void {
  const meta = metaOf(cmd);
  c.arrayLen(10);
  c.bulk(cmd.fullName);
  c.int(cmd.arity);
  const flags = cmd.visibleFlags();
  c.setLen(flags.length);
  for (const f of flags) c.simple(f);
  c.int(cmd.firstKey);
  c.int(cmd.lastKey);
  c.int(cmd.keyStep);
  c.setLen(cmd.categories.length);
  for (const cat of cmd.categories) c.simple('@' + cat);
  writeMeta(c, meta.tips);
  writeMeta(c, meta.keySpecs);
  if (cmd.subcommands === undefined) {
    c.setLen(0);
  } else {
    c.arrayLen(cmd.subcommands.size);
    for (const sub of cmd.subcommands.values()) writeInfo(c, sub);
  }
}

/** A command's documentation map; containers get a "subcommands" entry last, as Redis adds it. */
function writeDocs(c: Client, cmd: Command): void {
  const docs = metaOf(cmd).docs.m;
  if (cmd.subcommands === undefined) {
    writeMeta(c, metaOf(cmd).docs);
    return;
  }
  c.mapLen(docs.length / 2 + 1);
  for (const x of docs) writeMeta(c, x);
  c.bulk('subcommands');
  c.mapLen(cmd.subcommands.size);
  for (const sub of cmd.subcommands.values()) {
    c.bulk(sub.fullName);
    writeDocs(c, sub);
  }
}

function command(c: Client): void {
  c.arrayLen(c.server.commands.size);
  for (const cmd of c.server.commands.all()) writeInfo(c, cmd);
}

function commandCount(c: Client): void {
  c.int(c.server.commands.size);
}

function commandInfo(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    command(c);
    return;
  }
  c.arrayLen(argv.length - 2);
  for (const name of argv.slice(2)) {
    const cmd = c.server.commands.getByFullName(name);
    if (cmd === undefined) c.nullBulk();
    else writeInfo(c, cmd);
  }
}

function commandDocs(c: Client, argv: string[]): void {
  const table = c.server.commands;
  const found: Command[] = [];
  if (argv.length === 2) {
    found.push(...table.all());
  } else {
    for (const name of argv.slice(2)) {
      const cmd = table.getByFullName(name);
      if (cmd !== undefined) found.push(cmd);
    }
  }
  c.mapLen(found.length);
  for (const cmd of found) {
    c.bulk(cmd.fullName);
    writeDocs(c, cmd);
  }
}

function commandList(c: Client, argv: string[]): void {
  let filter: ((cmd: Command) => boolean) | null = null;
  for (let i = 2; i < argv.length; i += 3) {
    const kind = argv[i + 1]?.toLowerCase();
    if (argv[i].toLowerCase() !== 'filterby' || argv.length - 1 - i !== 2) {
      c.error('ERR syntax error');
      return;
    }
    const arg = argv[i + 2];
    if (kind === 'module') {
      filter = () => false;
    } else if (kind === 'aclcat') {
      const cat = arg.toLowerCase();
      filter = (cmd) => (cmd.categories as readonly string[]).includes(cat);
    } else if (kind === 'pattern') {
      const match = compileGlob(arg, true);
      filter = (cmd) => match(cmd.fullName);
    } else {
      c.error('ERR syntax error');
      return;
    }
  }
  const names: string[] = [];
  for (const cmd of c.server.commands.allWithSubcommands()) {
    if (filter === null || filter(cmd)) names.push(cmd.fullName);
  }
  c.bulks(names);
}

// ---- COMMAND GETKEYS / GETKEYSANDFLAGS -----------------------------------------

export interface KeyReference {
  pos: number;
  /** Key-spec flags as COMMAND GETKEYSANDFLAGS prints them ("RW", "access", ...). */
  flags: readonly string[];
}

/** One key specification, parsed from redis-meta.json. */
interface KeySpec {
  flags: string[];
  begin: { type: 'index'; index: number } | { type: 'keyword'; keyword: string; startfrom: number } | { type: 'unknown' };
  find:
    | { type: 'range'; lastkey: number; keystep: number; limit: number }
    | { type: 'keynum'; keynumidx: number; firstkey: number; keystep: number }
    | { type: 'unknown' };
}

const keySpecCache = new Map<string, KeySpec[]>();

function keySpecsOf(cmd: Command): KeySpec[] {
  let specs = keySpecCache.get(cmd.fullName);
  if (specs === undefined) {
    specs = metaOf(cmd).keySpecs.s.map((raw): KeySpec => {
      const m = metaMap(raw);
      const flags = (m.get('flags') as { s: Array<{ '+': string }> }).s.map((f) => f['+']);
      const bs = metaMap(m.get('begin_search')!);
      const fk = metaMap(m.get('find_keys')!);
      const bspec = bs.get('type') === 'unknown' ? new Map() : metaMap(bs.get('spec')!);
      const fspec = fk.get('type') === 'unknown' ? new Map() : metaMap(fk.get('spec')!);
      return {
        flags,
        begin:
          bs.get('type') === 'index'
            ? { type: 'index', index: bspec.get('index') as number }
            : bs.get('type') === 'keyword'
              ? { type: 'keyword', keyword: bspec.get('keyword') as string, startfrom: bspec.get('startfrom') as number }
              : { type: 'unknown' },
        find:
          fk.get('type') === 'range'
            ? {
                type: 'range',
                lastkey: fspec.get('lastkey') as number,
                keystep: fspec.get('keystep') as number,
                limit: fspec.get('limit') as number,
              }
            : fk.get('type') === 'keynum'
              ? {
                  type: 'keynum',
                  keynumidx: fspec.get('keynumidx') as number,
                  firstkey: fspec.get('firstkey') as number,
                  keystep: fspec.get('keystep') as number,
                }
              : { type: 'unknown' },
      };
    });
    keySpecCache.set(cmd.fullName, specs);
  }
  return specs;
}

/** Whether COMMAND GETKEYS can say anything about the command (Redis's doesCommandHaveKeys). */
function hasKeys(cmd: Command): boolean {
  return cmd.movableKeys || keySpecsOf(cmd).some((s) => !s.flags.includes('not_key'));
}

/**
 * Keys found by walking the key specs, as Redis's getKeysUsingKeySpecs; null
 * when a spec cannot tell (unknown or incomplete), and the command's own key
 * finder must be asked instead.
 */
function keysFromSpecs(specs: readonly KeySpec[], cmd: Command, argv: string[]): KeyReference[] | null {
  const argc = argv.length;
  const keys: KeyReference[] = [];
  for (const spec of specs) {
    if (spec.flags.includes('not_key')) continue;
    let first = 0;
    const bs = spec.begin;
    if (bs.type === 'index') {
      first = bs.index;
    } else if (bs.type === 'keyword') {
      const start = bs.startfrom > 0 ? bs.startfrom : argc + bs.startfrom;
      const end = bs.startfrom > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i].toLowerCase() === bs.keyword.toLowerCase()) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue;
    } else {
      return null;
    }
    let last: number;
    let step: number;
    const fk = spec.find;
    if (fk.type === 'range') {
      if (fk.lastkey >= 0) last = first + fk.lastkey;
      else if (fk.limit === 0) last = argc + fk.lastkey;
      else last = first + (Math.floor((argc - first) / fk.limit) + fk.lastkey);
      step = fk.keystep;
    } else if (fk.type === 'keynum') {
      const numArg = argv[first + fk.keynumidx];
      const numkeys = numArg === undefined ? null : parseLongLong(numArg);
      if (numkeys === null || numkeys < 0) return null;
      first += fk.firstkey;
      last = first + numkeys - 1;
      step = fk.keystep;
    } else {
      return null;
    }
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) {
      // Commands with a variable arity are checked by their handler, not here.
      if (i >= argc) {
        if (cmd.arity < 0) continue;
        break;
      }
      keys.push({ pos: i, flags: spec.flags });
    }
    if (spec.flags.includes('incomplete')) return null;
  }
  return keys;
}

/** Flags Redis's own key finders give for the commands whose key specs cannot say. */
function fallbackFlags(cmd: Command, argv: string[], keyIndex: number): readonly string[] {
  switch (cmd.fullName) {
    case 'set':
      return argv.slice(3).some((a) => a.toLowerCase() === 'get') ? ['RW', 'access', 'update'] : ['OW', 'update'];
    case 'bitfield':
      return bitfieldReadOnly(argv) ? ['RO', 'access'] : ['RW', 'access', 'update'];
    case 'sort':
    case 'sort_ro':
      return keyIndex === 0 ? ['RO', 'access'] : ['OW', 'update'];
    default:
      return keySpecsOf(cmd)[0]?.flags.filter((f) => f !== 'incomplete' && f !== 'variable_flags') ?? [];
  }
}

/** Whether a BITFIELD call only has GET operations (a syntax error counts as a write). */
function bitfieldReadOnly(argv: string[]): boolean {
  for (let i = 2; i < argv.length; i++) {
    const rest = argv.length - i - 1;
    const op = argv[i].toLowerCase();
    if (op === 'get' && rest >= 2) i += 2;
    else if (op === 'overflow' && rest >= 1) i += 1;
    else return false;
  }
  return true;
}

/** The keys of a full command line and how it uses them (COMMAND GETKEYSANDFLAGS, ACL key permissions). */
export function commandKeys(cmd: Command, argv: string[]): KeyReference[] {
  const specs = keySpecsOf(cmd);
  const varFlags = specs.some((s) => s.flags.includes('variable_flags'));
  if (!varFlags) {
    const keys = keysFromSpecs(specs, cmd, argv);
    if (keys !== null) return keys;
  }
  return cmd.keyPositions(argv).map((pos, i) => ({ pos, flags: fallbackFlags(cmd, argv, i) }));
}

function commandGetKeys(c: Client, argv: string[], withFlags: boolean): void {
  const args = argv.slice(2);
  const base = c.server.commands.get(args[0]);
  const cmd = base?.subcommands && args.length >= 2 ? base.subcommands.get(args[1].toLowerCase()) : base;
  if (cmd === undefined) {
    c.error('ERR Invalid command specified');
    return;
  }
  if (!hasKeys(cmd)) {
    c.error('ERR The command has no key arguments');
    return;
  }
  if ((cmd.arity > 0 && cmd.arity !== args.length) || args.length < -cmd.arity) {
    c.error('ERR Invalid number of arguments specified for command');
    return;
  }
  const keys = commandKeys(cmd, args);
  if (keys.length === 0) {
    if (cmd.has('no_mandatory_keys')) c.arrayLen(0);
    else c.error('ERR Invalid arguments specified for command');
    return;
  }
  c.arrayLen(keys.length);
  for (const k of keys) {
    if (!withFlags) {
      c.bulk(args[k.pos]);
      continue;
    }
    c.arrayLen(2);
    c.bulk(args[k.pos]);
    c.setLen(k.flags.length);
    for (const f of k.flags) c.simple(f);
  }
}

const helpLines = [
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
];

const introspection: CommandSpec['flags'] = ['loading', 'stale'];

export const commandCommands: CommandSpec[] = [
  {
    name: 'command',
    arity: -1,
    flags: introspection,
    acl: ['connection'],
    run: command,
    subcommands: [
      { name: 'count', arity: 2, flags: introspection, acl: ['connection'], run: commandCount },
      { name: 'docs', arity: -2, flags: introspection, acl: ['connection'], run: commandDocs },
      { name: 'getkeys', arity: -4, flags: introspection, acl: ['connection'], run: (c, argv) => commandGetKeys(c, argv, false) },
      {
        name: 'getkeysandflags',
        arity: -4,
        flags: introspection,
        acl: ['connection'],
        run: (c, argv) => commandGetKeys(c, argv, true),
      },
      { name: 'help', arity: 2, flags: introspection, acl: ['connection'], run: (c) => replyHelp(c, helpLines) },
      { name: 'info', arity: -2, flags: introspection, acl: ['connection'], run: commandInfo },
      { name: 'list', arity: -2, flags: introspection, acl: ['connection'], run: commandList },
    ],
  },
];
