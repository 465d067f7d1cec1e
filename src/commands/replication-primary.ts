// SYNC, PSYNC, REPLCONF, WAIT, FAILOVER: what replicas (and WAIT) ask of a
// master, and a master handing its role over (src/replication/primary.ts and
// failover.ts do the work).

import type { Client } from '../server/client.js';
import { timeoutFromArg } from '../server/blocking.js';
import { cString } from '../server/dispatch.js';
import {
  CAPA_EOF,
  CAPA_PSYNC2,
  REQ_RDB_EXCLUDE_DATA,
  REQ_RDB_EXCLUDE_FUNCTIONS,
} from '../replication/primary-link.js';
import { parseLongLong } from '../util/numbers.js';
import { splitArgs } from '../util/splitargs.js';
import { notIntegerError, syntaxError } from './strings.js';
import type { CommandSpec } from './registry.js';

/** Redis's NET_HOST_STR_LEN: an announced ip-address must be shorter. */
const hostBytesMax = 256;

function sync(c: Client, argv: string[]): void {
  c.server.replication.primary.sync(c, argv);
}

/**
 * REPLCONF <option> <value> ...: what a replica tells its master before and
 * during replication (listening-port, ip-address, capa, ack, rdb-only,
 * rdb-filter-only), and GETACK, which a master sends its replicas.
 */
function replconf(c: Client, argv: string[]): void {
  if (argv.length % 2 === 0) {
    c.error(syntaxError);
    return;
  }
  const replication = c.server.replication;
  const announce = replication.primary.announceOf(c);
  for (let j = 1; j < argv.length; j += 2) {
    const value = argv[j + 1];
    switch (argv[j].toLowerCase()) {
      case 'listening-port': {
        const port = parseLongLong(value);
        if (port === null) {
          c.error(notIntegerError);
          return;
        }
        announce.listeningPort = port;
        break;
      }
      case 'ip-address':
        if (value.length >= hostBytesMax) {
          c.error(`ERR REPLCONF ip-address provided by replica instance is too long: ${value.length} bytes`);
          return;
        }
        announce.ip = value;
        break;
      case 'capa':
        // Capabilities this master does not know are ignored.
        if (value.toLowerCase() === 'eof') announce.capa |= CAPA_EOF;
        else if (value.toLowerCase() === 'psync2') announce.capa |= CAPA_PSYNC2;
        break;
      case 'ack':
        // Internal: never replied to.
        replication.primary.ack(c, value);
        return;
      case 'getack':
        // From our master: an ACK right away.
        replication.master?.client?.sendAck();
        return;
      case 'rdb-only': {
        const only = parseLongLong(value);
        if (only === null) {
          c.error(notIntegerError);
          return;
        }
        if (only < 0 || only > 1) {
          c.error('ERR value is out of range, value must between 0 and 1');
          return;
        }
        announce.rdbOnly = only === 1;
        break;
      }
      case 'rdb-filter-only': {
        const filters = splitArgs(value);
        if (filters === null) {
          c.error('ERR Missing rdb-filter-only values');
          return;
        }
        // Everything is left out but what the filters name.
        announce.req |= REQ_RDB_EXCLUDE_DATA | REQ_RDB_EXCLUDE_FUNCTIONS;
        for (const filter of filters) {
          if (filter.toLowerCase() !== 'functions') {
            c.error(`ERR Unsupported rdb-filter-only option: ${cString(filter)}`);
            return;
          }
          announce.req &= ~REQ_RDB_EXCLUDE_FUNCTIONS;
        }
        break;
      }
      default:
        c.error(`ERR Unrecognized REPLCONF option: ${cString(argv[j])}`);
        return;
    }
  }
  c.ok();
}

/** WAIT numreplicas timeout: how many replicas acknowledged this client's writes. */
function wait(c: Client, argv: string[]): void {
  if (c.server.replication.master !== null) {
    c.error(
      'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is ' +
        'configured to be writable (which is not the default) writes to replicas are just local and are not ' +
        'propagated.',
    );
    return;
  }
  const replicas = parseLongLong(argv[1]);
  if (replicas === null) {
    c.error(notIntegerError);
    return;
  }
  const deadline = timeoutFromArg(c, argv[2], 'milliseconds');
  if (deadline === null) return;
  c.server.replication.primary.wait(c, replicas, deadline);
}

/** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds] */
function failover(c: Client, argv: string[]): void {
  c.server.replication.failover.command(c, argv);
}

const syncFlags = ['admin', 'noscript', 'no_async_loading', 'no_multi'] as const;

export const replicationPrimaryCommands: CommandSpec[] = [
  { name: 'sync', arity: 1, flags: syncFlags, run: sync },
  { name: 'psync', arity: -3, flags: syncFlags, run: sync },
  { name: 'replconf', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'], run: replconf },
  { name: 'wait', arity: 3, flags: ['noscript'], acl: ['connection'], run: wait },
  { name: 'failover', arity: -1, flags: ['admin', 'noscript', 'stale'], run: failover },
];
