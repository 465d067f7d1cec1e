// Server introspection and administration: INFO, TIME, LASTSAVE, SHUTDOWN,
// MONITOR, SLOWLOG, LATENCY, MEMORY and CONFIG.

import type { Client } from '../server/client.js';
import { bytesToHuman, infoText, memoryOverview } from '../server/info.js';
import type { LatencyHistogram } from '../server/latency.js';
import type { Server } from '../server/server.js';
import type { Value } from '../store/value.js';
import { rewriteConfig } from '../config/rewrite.js';
import type { Config } from '../config/config.js';
import { parseLongLong } from '../util/numbers.js';
import { replyHelp, subcommandSyntaxError } from './client.js';
import type { Command, CommandSpec } from './registry.js';

const syntaxError = 'ERR syntax error';

/** Microseconds since the epoch. */
function nowUsec(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

function info(c: Client, argv: string[]): void {
  c.verbatim(infoText(c.server, argv.slice(1)), 'txt');
}

function time(c: Client): void {
  const us = nowUsec();
  c.bulks([String(Math.floor(us / 1e6)), String(us % 1e6)]);
}

// ---- SHUTDOWN -------------------------------------------------------------------

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. The caller stays blocked
 * while a master waits for its replicas to catch up (not with NOW), then the
 * server closes and calls server.onShutdown (the binary exits there). ABORT
 * cancels a shutdown still waiting.
 */
function shutdown(c: Client, argv: string[]): void {
  const flags = { save: false, nosave: false, now: false, force: false };
  let flagged = false;
  let abort = false;
  for (const arg of argv.slice(1)) {
    const a = arg.toLowerCase();
    if (a === 'nosave') flags.nosave = true;
    else if (a === 'save') flags.save = true;
    else if (a === 'now') flags.now = true;
    else if (a === 'force') flags.force = true;
    else if (a === 'abort') abort = true;
    else {
      c.error(syntaxError);
      return;
    }
    if (a !== 'abort') flagged = true;
  }
  if ((abort && flagged) || (flags.save && flags.nosave)) {
    c.error(syntaxError);
    return;
  }
  const server = c.server;
  if (abort) {
    if (server.shutdown.abort()) c.ok();
    else c.error('ERR No shutdown in progress.');
    return;
  }
  if (!flags.now && c.denyBlocking) {
    c.error("ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client");
    return;
  }
  server.shutdown.request(flags, c);
}

// ---- MONITOR ----------------------------------------------------------------------

function monitor(c: Client): void {
  // Inside EXEC the client expects one reply per command, which a monitor stream is not.
  if (c.denyBlocking) {
    c.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  // Already monitoring: Redis ignores the command without replying.
  if (c.server.monitors.has(c)) return;
  c.server.monitors.add(c);
  c.ok();
}

// ---- SLOWLOG ----------------------------------------------------------------------

function slowlogGet(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    subcommandSyntaxError(c, argv);
    return;
  }
  const entries = c.server.slowlog.entries;
  let count = 10;
  if (argv.length === 3) {
    const n = parseLongLong(argv[2]);
    if (n === null || n < -1) {
      c.error('ERR count should be greater than or equal to -1');
      return;
    }
    count = n === -1 ? entries.length : n;
  }
  const shown = entries.slice(0, count);
  c.arrayLen(shown.length);
  for (const e of shown) {
    c.arrayLen(6);
    c.int(e.id);
    c.int(e.time);
    c.int(e.durationUsec);
    c.bulks(e.argv);
    c.bulk(e.clientAddr);
    c.bulk(e.clientName);
  }
}

const slowlogHelp = [
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
];

// ---- LATENCY ----------------------------------------------------------------------

function latencyLatest(c: Client): void {
  const lat = c.server.latency;
  c.arrayLen(lat.events.size);
  for (const [name, e] of lat.events) {
    const last = lat.latest(e);
    c.arrayLen(4);
    c.bulk(name);
    c.int(last.time);
    c.int(last.latency);
    c.int(e.max);
  }
}

function latencyHistory(c: Client, argv: string[]): void {
  const samples = c.server.latency.history(argv[2]);
  c.arrayLen(samples.length);
  for (const s of samples) {
    c.arrayLen(2);
    c.int(s.time);
    c.int(s.latency);
  }
}

function latencyReset(c: Client, argv: string[]): void {
  const lat = c.server.latency;
  if (argv.length === 2) {
    c.int(lat.reset(null));
    return;
  }
  let n = 0;
  for (const event of argv.slice(2)) n += lat.reset(event);
  c.int(n);
}

/** LATENCY HISTOGRAM [command ...]: each command's calls and cumulative distribution. */
function latencyHistogram(c: Client, argv: string[]): void {
  const table = c.server.commands;
  const chosen: Command[] = [];
  if (argv.length === 2) {
    chosen.push(...table.allWithSubcommands());
  } else {
    for (const name of argv.slice(2)) {
      const cmd = table.getByFullName(name);
      if (cmd === undefined) continue;
      chosen.push(cmd);
      if (cmd.subcommands) chosen.push(...cmd.subcommands.values());
    }
  }
  const withData: Array<[Command, LatencyHistogram]> = [];
  for (const cmd of chosen) {
    const h = c.server.latency.histograms.get(cmd);
    if (h !== undefined) withData.push([cmd, h]);
  }
  c.mapLen(withData.length);
  for (const [cmd, h] of withData) {
    c.bulk(cmd.fullName);
    c.mapLen(2);
    c.bulk('calls');
    c.int(h.totalCount);
    c.bulk('histogram_usec');
    const buckets = h.cumulativeBuckets();
    c.mapLen(buckets.length);
    for (const [usec, count] of buckets) {
      c.int(usec);
      c.int(count);
    }
  }
}

const latencyHelp = [
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
];

// ---- MEMORY -----------------------------------------------------------------------

/**
 * What a key costs in V8 (64-bit, no pointer compression), estimated from
 * object layouts: a sequential one-byte string is a 16-byte header plus its
 * characters rounded up to 8; a Buffer adds its JS objects to its bytes; every
 * Map entry (dict, LRU clock, expires) is three 8-byte slots plus its share of
 * the hash buckets at the typical load.
 */
const stringHeaderBytes = 16;
const bufferOverheadBytes = 96;
const mapEntryBytes = 40;
/** An expiry time above 2^31 ms is a heap number. */
const heapNumberBytes = 16;
/** A plain object: map, properties and elements pointers. */
const objectHeaderBytes = 24;
const slotBytes = 8;
/** Nesting followed at most: deeper parts (long linked structures) are not counted. */
const depthMax = 32;

function stringBytes(length: number): number {
  return stringHeaderBytes + ((length + 7) & ~7);
}

/**
 * Size of any JS value, walking objects, arrays, Maps and Sets. Collections
 * with more than `samples` members are sampled and extrapolated, as Redis's
 * objectComputeSize samples aggregate values.
 */
function structureBytes(v: unknown, samples: number, seen: Set<object>, depth = 0): number {
  if (typeof v === 'string') return stringBytes(v.length);
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? 0 : heapNumberBytes;
  if (typeof v === 'bigint') return heapNumberBytes + 8;
  if (typeof v !== 'object' || v === null || seen.has(v) || depth > depthMax) return 0;
  seen.add(v);
  if (Buffer.isBuffer(v) || ArrayBuffer.isView(v)) return bufferOverheadBytes + (v as ArrayBufferView).byteLength;
  const measure = (x: unknown) => structureBytes(x, samples, seen, depth + 1);
  const sampled = <T>(items: Iterable<T>, count: number, perItem: number, size: (item: T) => number): number => {
    let n = 0;
    let bytes = 0;
    for (const item of items) {
      if (n >= samples) break;
      bytes += size(item);
      n++;
    }
    return objectHeaderBytes + count * perItem + (n === 0 ? 0 : (bytes / n) * count);
  };
  if (v instanceof Map) return sampled(v, v.size, mapEntryBytes, ([k, x]) => measure(k) + measure(x));
  if (v instanceof Set) return sampled(v, v.size, mapEntryBytes, measure);
  if (Array.isArray(v)) return sampled(v, v.length, slotBytes, measure);
  let bytes = objectHeaderBytes;
  for (const x of Object.values(v)) bytes += slotBytes + measure(x);
  return bytes;
}

/** MEMORY USAGE: key, value, and the Map entries holding them. */
export function keyMemoryUsage(key: string, value: Value, hasExpire: boolean, samples: number): number {
  const bytes = stringBytes(key.length) + 2 * mapEntryBytes + (hasExpire ? mapEntryBytes + heapNumberBytes : 0);
  return bytes + Math.round(structureBytes(value, samples, new Set()));
}

function memoryUsage(c: Client, argv: string[]): void {
  let samples = 5;
  for (let i = 3; i < argv.length; i++) {
    if (argv[i].toLowerCase() === 'samples' && i + 1 < argv.length) {
      const n = parseLongLong(argv[++i]);
      if (n === null) {
        c.error('ERR value is not an integer or out of range');
        return;
      }
      if (n < 0) {
        c.error(syntaxError);
        return;
      }
      samples = n === 0 ? Infinity : n;
    } else {
      c.error(syntaxError);
      return;
    }
  }
  // As Redis, a logically expired key that is still stored is measured.
  const key = argv[2];
  const value = c.db.dict.get(key);
  if (value === undefined) {
    c.nullBulk();
    return;
  }
  c.int(keyMemoryUsage(key, value, c.db.expires.has(key), samples));
}

/** Overhead of one database's tables: an entry per key in the dict and the LRU map, one per TTL. */
function dbOverhead(keys: number, expires: number): [number, number] {
  return [keys * 2 * mapEntryBytes, expires * (mapEntryBytes + heapNumberBytes)];
}

function memoryStats(c: Client): void {
  const server = c.server;
  const mem = memoryOverview(server);
  const dbs = server.dbs.filter((db) => db.size > 0);
  let keys = 0;
  for (const db of dbs) keys += db.size;
  const net = mem.used > mem.startup ? mem.used - mem.startup : 0;
  c.mapLen(27 + dbs.length);
  const field = (name: string, n: number) => {
    c.bulk(name);
    c.int(n);
  };
  const ratio = (name: string, d: number) => {
    c.bulk(name);
    c.double(d);
  };
  field('peak.allocated', mem.peak);
  field('total.allocated', mem.used);
  field('startup.allocated', mem.startup);
  field('replication.backlog', 0);
  field('clients.slaves', 0);
  field('clients.normal', mem.clientsNormal);
  field('cluster.links', 0);
  field('aof.buffer', 0);
  field('lua.caches', 0);
  field('functions.caches', 0);
  for (const db of dbs) {
    const [main, expires] = dbOverhead(db.size, db.expires.size);
    c.bulk(`db.${db.id}`);
    c.mapLen(3);
    field('overhead.hashtable.main', main);
    field('overhead.hashtable.expires', expires);
    field('overhead.hashtable.slot-to-keys', 0);
  }
  field('overhead.total', mem.overhead);
  field('keys.count', keys);
  field('keys.bytes-per-key', keys === 0 ? 0 : Math.floor(net / keys));
  field('dataset.bytes', mem.dataset);
  ratio('dataset.percentage', net === 0 ? 0 : (mem.dataset * 100) / net);
  ratio('peak.percentage', (mem.used * 100) / mem.peak);
  field('allocator.allocated', mem.allocated);
  field('allocator.active', mem.active);
  field('allocator.resident', mem.resident);
  ratio('allocator-fragmentation.ratio', mem.active / mem.allocated);
  field('allocator-fragmentation.bytes', mem.active - mem.allocated);
  ratio('allocator-rss.ratio', mem.resident / mem.active);
  field('allocator-rss.bytes', mem.resident - mem.active);
  ratio('rss-overhead.ratio', mem.rss / mem.resident);
  field('rss-overhead.bytes', mem.rss - mem.resident);
  ratio('fragmentation', mem.rss / mem.used);
  field('fragmentation.bytes', mem.rss - mem.used);
}

/** Below this much memory in use beyond the empty server's, the doctor has nothing to go on (as Redis's 5 MB). */
const doctorMinBytes = 5 * 1024 * 1024;

function memoryDoctor(c: Client): void {
  const mem = memoryOverview(c.server);
  if (mem.used - mem.startup < doctorMinBytes) {
    c.verbatim(
      "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these " +
        'conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be ' +
        'back to our programming as soon as I finished rebooting.\n',
    );
    return;
  }
  const issues: string[] = [];
  if (mem.peak / mem.used > 1.5) {
    issues.push(
      ` * Peak memory: in the past this instance used more than 150% the memory that is currently using ` +
        `(${bytesToHuman(mem.peak)} against ${bytesToHuman(mem.used)} now). The V8 garbage collector gives memory ` +
        `back to the system lazily, so RSS may stay high for a while.\n\n`,
    );
  }
  if (mem.rss / mem.used > 1.4 && mem.rss - mem.used > 10 * 1024 * 1024) {
    issues.push(
      ` * High total RSS: the process resident set is ${(mem.rss / mem.used).toFixed(2)} times the memory in use ` +
        `(${bytesToHuman(mem.rss)} against ${bytesToHuman(mem.used)}). Part of it is V8 and Node.js itself.\n\n`,
    );
  }
  const clients = c.server.clients.size;
  if (clients > 0 && mem.clientsNormal / clients > 200 * 1024) {
    issues.push(
      ` * Big client buffers: the clients use ${bytesToHuman(mem.clientsNormal / clients)} of query and ` +
        `output buffers on average. Check CLIENT LIST for slow readers or large pipelines.\n\n`,
    );
  }
  if (issues.length === 0) {
    c.verbatim("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n");
    return;
  }
  c.verbatim(
    `Sam, I detected a few issues in this Redis instance memory implants:\n\n${issues.join('')}` +
      "I'm here to keep you safe, Sam. I want to help you.\n",
  );
}

const memoryHelp = [
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

// ---- CONFIG -----------------------------------------------------------------------

function configGet(c: Client, argv: string[]): void {
  const pairs = c.server.config.getMatchingMulti(argv.slice(2));
  c.mapLen(pairs.length);
  for (const [name, value] of pairs) {
    c.bulk(name);
    c.bulk(value);
  }
}

/** Where the server listens, as a comparable string. */
function listenSettings(config: Config): string {
  return `${config.get('port')} ${config.get('bind')}`;
}

function configSet(c: Client, argv: string[]): void {
  if (argv.length % 2 !== 0) {
    c.error(syntaxError);
    return;
  }
  const server = c.server;
  const config = server.config;
  const pairs: Array<[string, string]> = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i], argv[i + 1]]);
  const listenBefore = listenSettings(config);
  const previous = pairs.filter(([name]) => config.has(name)).map(([name]): [string, string] => [name, config.get(name)!]);
  const err = config.setRuntime(pairs, { isLocalClient: server.isLocalClient(c) });
  if (err !== null) {
    c.error(err);
    return;
  }
  if (listenSettings(config) === listenBefore) {
    c.ok();
    return;
  }
  // Node binds asynchronously: the client waits for the outcome as for a blocking command.
  c.paused = true;
  void rebindOrRestore(server, pairs, previous).then((error) => {
    if (error === null) c.ok();
    else c.error(error);
    c.paused = false;
    c.processInput();
  });
}

/** Listens as newly configured; on failure restores the previous values (and listeners) and returns the error. */
async function rebindOrRestore(
  server: Server,
  pairs: Array<[string, string]>,
  previous: Array<[string, string]>,
): Promise<string | null> {
  if (await server.rebindTcp()) return null;
  server.log.warning('Failed applying new configuration. Restoring previous settings.');
  server.config.setRuntime(previous);
  await server.rebindTcp();
  const name = pairs.find(([n]) => n.toLowerCase() === 'bind')?.[0] ?? pairs.find(([n]) => n.toLowerCase() === 'port')![0];
  const reason =
    name.toLowerCase() === 'bind' ? 'Failed to bind to specified addresses.' : 'Unable to listen on this port. Check server logs.';
  return `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
}

/** CONFIG RESETSTAT: server counters, command and error statistics, latency histograms (not the slow log). */
function configResetStat(c: Client): void {
  const server = c.server;
  server.stats.reset();
  server.metrics.reset(server.stats);
  for (const cmd of server.commands.allWithSubcommands()) {
    cmd.calls = 0;
    cmd.usec = 0;
    cmd.rejectedCalls = 0;
    cmd.failedCalls = 0;
  }
  server.latency.histograms.clear();
  c.ok();
}

function configRewrite(c: Client): void {
  const err = rewriteConfig(c.server.config);
  if (err !== null) {
    c.server.log.warning(`CONFIG REWRITE failed: ${err.replace(/^ERR /, '')}`);
    c.error(err);
    return;
  }
  c.server.log.notice('CONFIG REWRITE executed with success.');
  c.ok();
}

const configHelp = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
];

// ---- table ------------------------------------------------------------------------

const admin: CommandSpec['flags'] = ['admin', 'noscript', 'loading', 'stale'];
const help: CommandSpec['flags'] = ['loading', 'stale'];

function helpSpec(lines: readonly string[]): CommandSpec {
  return { name: 'help', arity: 2, flags: help, run: (c) => replyHelp(c, lines) };
}

export const serverCommands: CommandSpec[] = [
  { name: 'info', arity: -1, flags: ['loading', 'stale'], acl: ['dangerous'], run: info },
  { name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], run: time },
  {
    name: 'shutdown',
    arity: -1,
    flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'sentinel', 'allow_busy'],
    run: shutdown,
  },
  { name: 'monitor', arity: 1, flags: admin, run: monitor },
  {
    name: 'slowlog',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'get', arity: -2, flags: ['admin', 'loading', 'stale'], run: slowlogGet },
      { name: 'len', arity: 2, flags: ['admin', 'loading', 'stale'], run: (c) => c.int(c.server.slowlog.entries.length) },
      {
        name: 'reset',
        arity: 2,
        flags: ['admin', 'loading', 'stale'],
        run: (c) => {
          c.server.slowlog.reset();
          c.ok();
        },
      },
      helpSpec(slowlogHelp),
    ],
  },
  {
    name: 'latency',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'latest', arity: 2, flags: admin, run: latencyLatest },
      { name: 'history', arity: 3, flags: admin, run: latencyHistory },
      { name: 'reset', arity: -2, flags: admin, run: latencyReset },
      { name: 'histogram', arity: -2, flags: admin, run: latencyHistogram },
      helpSpec(latencyHelp),
    ],
  },
  {
    name: 'memory',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'usage', arity: -3, flags: ['readonly'], keys: [2, 2, 1], run: memoryUsage },
      { name: 'stats', arity: 2, flags: [], run: memoryStats },
      { name: 'doctor', arity: 2, flags: [], run: memoryDoctor },
      {
        name: 'malloc-stats',
        arity: 2,
        flags: [],
        run: (c) => c.verbatim('Stats not supported for the current allocator'),
      },
      { name: 'purge', arity: 2, flags: [], run: (c) => c.ok() },
      helpSpec(memoryHelp),
    ],
  },
  {
    name: 'config',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'get', arity: -3, flags: admin, run: configGet },
      { name: 'set', arity: -4, flags: admin, run: configSet },
      { name: 'resetstat', arity: 2, flags: admin, run: configResetStat },
      { name: 'rewrite', arity: 2, flags: admin, run: configRewrite },
      helpSpec(configHelp),
    ],
  },
];
