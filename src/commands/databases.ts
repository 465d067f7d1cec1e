// Whole-database commands: SWAPDB, FLUSHDB, FLUSHALL, DBSIZE. (SELECT is a
// connection command.) Also the DB-index argument helpers MOVE and COPY share.

import type { Client } from '../server/client.js';
import type { Database } from '../store/database.js';
import { parseLongLong } from '../util/numbers.js';
import type { CommandSpec } from './registry.js';

const intMin = -2147483648;
const intMax = 2147483647;

/**
 * A C int argument, as Redis's getIntFromObjectOrReply: null after replying
 * `errorMessage` (or Redis's default texts) when it is not one.
 */
export function intArg(c: Client, arg: string, errorMessage?: string): number | null {
  const n = parseLongLong(arg);
  if (n === null) {
    c.error(errorMessage ?? 'ERR value is not an integer or out of range');
    return null;
  }
  if (n < intMin || n > intMax) {
    c.error(errorMessage ?? `ERR value is out of range, value must between ${intMin} and ${intMax}`);
    return null;
  }
  return n;
}

/** Database number `id`, or null after replying that it does not exist. */
export function databaseAt(c: Client, id: number): Database | null {
  const db = c.server.dbs[id];
  if (db === undefined) {
    c.error('ERR DB index is out of range');
    return null;
  }
  return db;
}

function swapdb(c: Client, argv: string[]): void {
  const first = intArg(c, argv[1], 'ERR invalid first DB index');
  if (first === null) return;
  const second = intArg(c, argv[2], 'ERR invalid second DB index');
  if (second === null) return;
  const dbs = c.server.dbs;
  if (first < 0 || first >= dbs.length || second < 0 || second >= dbs.length) {
    c.error('ERR DB index is out of range');
    return;
  }
  if (first !== second) {
    dbs[first].swapWith(dbs[second]);
    // Keys waited on that exist in the new contents serve their blocked clients, as in Redis.
    c.server.blocking.signalExistingKeys(dbs[first]);
    c.server.blocking.signalExistingKeys(dbs[second]);
  }
  c.server.dirty++;
  c.ok();
}

/** FLUSHDB / FLUSHALL take nothing, SYNC or ASYNC; both flush at once here. */
function flushArgsValid(c: Client, argv: string[]): boolean {
  if (argv.length === 1) return true;
  const mode = argv[1].toLowerCase();
  if (argv.length === 2 && (mode === 'sync' || mode === 'async')) return true;
  c.error('ERR syntax error');
  return false;
}

function flushdb(c: Client, argv: string[]): void {
  if (!flushArgsValid(c, argv)) return;
  c.server.dirty += c.db.size;
  c.db.clear();
  // Replicas must flush too even when this database was already empty here.
  c.propagationForced = true;
  c.ok();
}

function flushall(c: Client, argv: string[]): void {
  if (!flushArgsValid(c, argv)) return;
  for (const db of c.server.dbs) {
    c.server.dirty += db.size;
    db.clear();
  }
  c.server.dirty++;
  c.server.persistence.flushedAll();
  c.ok();
}

function dbsize(c: Client): void {
  c.int(c.db.size);
}

export const databaseCommands: CommandSpec[] = [
  { name: 'swapdb', arity: 3, flags: ['write', 'fast'], acl: ['keyspace', 'dangerous'], run: swapdb },
  { name: 'flushdb', arity: -1, flags: ['write'], acl: ['keyspace', 'dangerous'], run: flushdb },
  { name: 'flushall', arity: -1, flags: ['write'], acl: ['keyspace', 'dangerous'], run: flushall },
  { name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], acl: ['keyspace'], run: dbsize },
];
