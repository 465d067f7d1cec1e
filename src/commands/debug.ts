// DEBUG: the subcommands tests and tools rely on. Guarded by
// enable-debug-command in the dispatcher (the command is 'protected').
// DEBUG RELOAD arrives with persistence.

import type { Client } from '../server/client.js';
import { datasetDigest, digestValue, type DigestValue } from '../persistence/digest.js';
import { rdbLoadLimits, writeObject } from '../persistence/rdb-object.js';
import { RdbWriter } from '../persistence/rdb-string.js';
import type { Database } from '../store/database.js';
import { globMatch } from '../util/glob.js';
import { parseLongLong } from '../util/numbers.js';
import { replyHelp, subcommandSyntaxError } from './client.js';
import { valueEncoding, valueRefcount } from './keys.js';
import type { CommandSpec } from './registry.js';

/** DEBUG SLEEP: blocks the whole server, as Redis does; that is the point of it. */
function sleep(c: Client, argv: string[]): void {
  // strtod: a malformed number reads as 0.
  const seconds = Number.parseFloat(argv[2]);
  const ms = Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : seconds > 0 ? 2 ** 31 - 1 : 0;
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  c.ok();
}

/** Fake but stable-looking object address for DEBUG OBJECT (Redis prints the robj pointer). */
function fakeAddress(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return '0x7f' + (h * 16).toString(16).padStart(10, '0');
}

/** DEBUG OBJECT key: Redis's one-line description; logically expired keys still show, as in Redis. */
function object(c: Client, argv: string[]): void {
  const key = argv[2];
  const v = c.db.dict.get(key);
  if (v === undefined) {
    c.error('ERR no such key');
    return;
  }
  const w = new RdbWriter();
  // The type byte is not part of the length.
  writeObject(w, v, c.server.config.getBool('rdbcompression'), rdbLoadLimits(c.server.config));
  const lru = c.db.lruWord(key) ?? c.server.lruClock();
  c.simple(
    `Value at:${fakeAddress(key)} refcount:${valueRefcount(c, v)} encoding:${valueEncoding(v)} ` +
      `serializedlength:${w.length - 1} lru:${lru} lru_seconds_idle:${c.db.idleSeconds(key)}`,
  );
}

/** A count argument of POPULATE (getPositiveLongFromObjectOrReply), or null after replying. */
function positiveArg(c: Client, arg: string): number | null {
  const n = parseLongLong(arg);
  if (n === null || n < 0) {
    c.error('ERR value is out of range, must be positive');
    return null;
  }
  return n;
}

/** Redis formats POPULATE keys into a 128-byte buffer: longer names are cut to 127 bytes. */
const populateKeyBytesMax = 127;

/**
 * DEBUG POPULATE count [prefix] [size]: keys "prefix:N" holding "value:N",
 * cut or padded with NUL bytes to `size`; existing keys are left alone. Not
 * counted as changes (no propagation), as in Redis.
 */
function populate(c: Client, argv: string[]): void {
  const count = positiveArg(c, argv[2]);
  if (count === null) return;
  const size = argv.length === 5 ? positiveArg(c, argv[4]) : 0;
  if (size === null) return;
  const nul = argv.length >= 4 ? argv[3].indexOf('\0') : -1;
  const prefix = argv.length >= 4 ? (nul === -1 ? argv[3] : argv[3].slice(0, nul)) : 'key';
  const padding = '\0'.repeat(size);
  const db = c.db;
  for (let j = 0; j < count; j++) {
    let key = `${prefix}:${j}`;
    if (key.length > populateKeyBytesMax) key = key.slice(0, populateKeyBytesMax);
    if (db.lookupWrite(key) !== undefined) continue;
    let value = `value:${j}`;
    if (size > 0) value = size <= value.length ? value.slice(0, size) : value + padding.slice(value.length);
    db.set(key, value);
  }
  c.ok();
}

/** DEBUG PROTOCOL type: a sample reply of each RESP3 type, byte for byte as Redis. */
function protocol(c: Client, argv: string[]): void {
  switch (argv[2].toLowerCase()) {
    case 'string':
      c.bulk('Hello World');
      break;
    case 'integer':
      c.int(12345);
      break;
    case 'double':
      c.double(3.141);
      break;
    case 'bignum': {
      const big = '1234567999999999999999999999999999999';
      if (c.resp === 3) c.raw(`(${big}\r\n`);
      else c.bulk(big);
      break;
    }
    case 'null':
      c.nullBulk();
      break;
    case 'array':
    case 'set':
      if (argv[2].toLowerCase() === 'set') c.setLen(3);
      else c.arrayLen(3);
      for (let j = 0; j < 3; j++) c.int(j);
      break;
    case 'map':
      c.mapLen(3);
      for (let j = 0; j < 3; j++) {
        c.int(j);
        c.bool(j === 1);
      }
      break;
    case 'attrib':
      // An attribute annotates the reply after it; RESP2 has no way to say it.
      if (c.resp === 3) {
        c.raw('|1\r\n');
        c.bulk('key-popularity');
        c.arrayLen(2);
        c.bulk('key:123');
        c.int(90);
      }
      c.bulk('Some real reply following the attribute');
      break;
    case 'push':
      if (c.resp !== 3) {
        c.error('ERR RESP2 is not supported by this command');
        break;
      }
      c.pushLen(2);
      c.bulk('server-cpu-usage');
      c.int(42);
      c.bulk('Some real reply following the push reply');
      break;
    case 'true':
      c.bool(true);
      break;
    case 'false':
      c.bool(false);
      break;
    case 'verbatim':
      c.verbatim('This is a verbatim\nstring', 'txt');
      break;
    default:
      c.error(
        'ERR Wrong protocol type name. Please use one of the following: ' +
          'string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false',
      );
  }
}

/** The digest input of a database: every stored key, logically expired ones included (as Redis). */
function* digestEntries(db: Database): Iterable<[string, DigestValue, number | undefined]> {
  // digest.ts digests every type the store holds.
  for (const [key, value] of db.dict) yield [key, value as DigestValue, db.expires.get(key)];
}

function digest(c: Client): void {
  c.simple(datasetDigest(c.server.dbs.map((db) => ({ id: db.id, entries: digestEntries(db) }))));
}

function digestValues(c: Client, argv: string[]): void {
  c.arrayLen(argv.length - 2);
  for (const key of argv.slice(2)) {
    const v = c.db.dict.get(key);
    c.simple(v === undefined ? '0'.repeat(40) : digestValue(v as DigestValue, c.db.expires.has(key)).toString('hex'));
  }
}

/** DEBUG STRINGMATCH-TEST: random patterns against random strings, to show the matcher never fails. */
function stringmatchTest(c: Client): void {
  const randomBytes = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(Math.random() * 128));
    return s;
  };
  for (let cycles = 0; cycles < 100_000; cycles++) {
    globMatch(randomBytes(Math.floor(Math.random() * 32)), randomBytes(Math.floor(Math.random() * 32)));
  }
  c.simple('Apparently Redis did not crash: test passed');
}

const helpLines = [
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. These are not propagated to',
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'STRINGMATCH-TEST',
  '    Run a fuzz tester against the stringmatchlen() function.',
];

/** Subcommand → [accepts this many arguments (including DEBUG and the subcommand), handler]. */
const subcommands = new Map<string, [(argc: number) => boolean, (c: Client, argv: string[]) => void]>([
  ['help', [(n) => n === 2, (c) => replyHelp(c, helpLines)]],
  ['sleep', [(n) => n === 3, sleep]],
  ['object', [(n) => n === 3, object]],
  [
    'set-active-expire',
    [
      (n) => n === 3,
      (c, argv) => {
        // atoi: anything not starting with a non-zero number turns it off.
        c.server.activeExpireEnabled = (Number.parseInt(argv[2], 10) || 0) !== 0;
        c.ok();
      },
    ],
  ],
  ['populate', [(n) => n >= 3 && n <= 5, populate]],
  [
    'log',
    [
      (n) => n === 3,
      (c, argv) => {
        const nul = argv[2].indexOf('\0');
        c.server.log.warning(`DEBUG LOG: ${nul === -1 ? argv[2] : argv[2].slice(0, nul)}`);
        c.ok();
      },
    ],
  ],
  // The text goes out as it is, as an error line: not counted as an error reply, as in Redis.
  ['error', [(n) => n === 3, (c, argv) => c.raw(`-${argv[2].replace(/[\r\n]/g, ' ')}\r\n`)]],
  ['protocol', [(n) => n === 3, protocol]],
  ['digest', [(n) => n === 2, digest]],
  ['digest-value', [(n) => n >= 2, digestValues]],
  ['stringmatch-test', [(n) => n === 2, stringmatchTest]],
  ['reload', [(n) => n >= 2, reload]],
  [
    'loadaof',
    [
      (n) => n === 2,
      (c) => {
        c.server.aof.reloadSync();
        c.ok();
      },
    ],
  ],
]);

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save the dump, empty the dataset, load the dump back. */
function reload(c: Client, argv: string[]): void {
  const options = { merge: false, flush: true, save: true };
  for (const opt of argv.slice(2)) {
    const o = opt.toLowerCase();
    if (o === 'merge') options.merge = true;
    else if (o === 'noflush') options.flush = false;
    else if (o === 'nosave') options.save = false;
    else {
      c.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
      return;
    }
  }
  const error = c.server.persistence.debugReload(options);
  if (error === null) c.ok();
  else c.error(error);
}

function debug(c: Client, argv: string[]): void {
  const sub = subcommands.get(argv[1].toLowerCase());
  if (sub === undefined || !sub[0](argv.length)) {
    subcommandSyntaxError(c, argv);
    return;
  }
  sub[1](c, argv);
}

export const debugCommands: CommandSpec[] = [
  { name: 'debug', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale', 'protected'], run: debug },
];
