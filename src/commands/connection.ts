// Connection commands: PING, ECHO, SELECT, QUIT, RESET, HELLO, AUTH.

import type { Client } from '../server/client.js';
import { redisVersion } from '../version.js';
import { parseLongLong } from '../util/numbers.js';
import { cString } from '../server/dispatch.js';
import { setNameOrReply } from './client.js';
import type { CommandSpec } from './registry.js';

const wrongPass = 'WRONGPASS invalid username-password pair or user is disabled.';
const int32Min = -2147483648;
const int32Max = 2147483647;

/** What slowlog and MONITOR show instead of a password (Redis's shared.redacted). */
const redacted = '(redacted)';

/**
 * Logs in `user` with `password` (Redis's ACLAuthenticateUser). Only the
 * `default` user exists; it has no password unless `requirepass` sets one.
 */
export function authenticate(c: Client, user: string, password: string): boolean {
  const requirepass = c.server.config.get('requirepass') ?? '';
  if (user !== 'default' || (requirepass !== '' && password !== requirepass)) return false;
  c.user = 'default';
  c.authenticated = true;
  return true;
}

function ping(c: Client, argv: string[]): void {
  if (argv.length > 2) {
    c.error(`ERR wrong number of arguments for 'ping' command`);
  } else if (c.resp === 2 && c.isPubSub) {
    // A subscribed RESP2 client reads every reply as a message: PING answers like one.
    c.arrayLen(2);
    c.bulk('pong');
    c.bulk(argv.length === 2 ? argv[1] : '');
  } else if (argv.length === 2) {
    c.bulk(argv[1]);
  } else {
    c.simple('PONG');
  }
}

function echo(c: Client, argv: string[]): void {
  c.bulk(argv[1]);
}

/** SELECT reads its index as a C int (getIntFromObjectOrReply). */
function select(c: Client, argv: string[]): void {
  const id = parseLongLong(argv[1]);
  if (id === null) {
    c.error('ERR value is not an integer or out of range');
  } else if (id < int32Min || id > int32Max) {
    c.error(`ERR value is out of range, value must between ${int32Min} and ${int32Max}`);
  } else if (id < 0 || id >= c.server.dbs.length) {
    c.error('ERR DB index is out of range');
  } else {
    c.db = c.server.dbs[id];
    c.ok();
  }
}

function quit(c: Client): void {
  c.ok();
  c.closeAfterReply = true;
}

function reset(c: Client): void {
  c.resetConnectionState();
  c.simple('RESET');
}

function auth(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    c.error('ERR syntax error');
    return;
  }
  const user = argv.length === 3 ? argv[1] : 'default';
  const password = argv[argv.length - 1];
  for (let i = 1; i < argv.length; i++) argv[i] = redacted;
  if (argv.length === 2 && !c.server.requiresAuth()) {
    c.error(
      'ERR AUTH <password> called without any password configured for the default user. ' +
        'Are you sure your configuration is correct?',
    );
  } else if (authenticate(c, user, password)) {
    c.ok();
  } else {
    c.error(wrongPass);
  }
}

/** HELLO [protover [AUTH username password] [SETNAME clientname]] */
function hello(c: Client, argv: string[]): void {
  let version = 0;
  if (argv.length >= 2) {
    const v = parseLongLong(argv[1]);
    if (v === null) {
      c.error('ERR Protocol version is not an integer or out of range');
      return;
    }
    if (v < 2 || v > 3) {
      c.error('NOPROTO unsupported protocol version');
      return;
    }
    version = v;
  }
  // Options take effect as they are read: a later error keeps an earlier AUTH or SETNAME (as Redis 7.0).
  for (let j = 2; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j].toLowerCase();
    if (opt === 'auth' && more >= 2) {
      const [user, password] = [argv[j + 1], argv[j + 2]];
      argv[j + 1] = redacted;
      argv[j + 2] = redacted;
      if (!authenticate(c, user, password)) {
        c.error(wrongPass);
        return;
      }
      j += 2;
    } else if (opt === 'setname' && more >= 1) {
      if (!setNameOrReply(c, argv[++j])) return;
    } else {
      c.error(`ERR Syntax error in HELLO option '${cString(argv[j])}'`);
      return;
    }
  }
  if (!c.authenticated) {
    c.error(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> ' +
        'option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
    return;
  }
  if (version !== 0) c.resp = version as 2 | 3;
  const config = c.server.config;
  c.mapLen(7);
  c.bulk('server');
  c.bulk('redis');
  c.bulk('version');
  c.bulk(redisVersion);
  c.bulk('proto');
  c.int(c.resp);
  c.bulk('id');
  c.int(c.id);
  c.bulk('mode');
  c.bulk(config.getBool('cluster-enabled') ? 'cluster' : 'standalone');
  c.bulk('role');
  c.bulk((config.get('replicaof') ?? '') !== '' ? 'replica' : 'master');
  c.bulk('modules');
  c.arrayLen(0);
}

const connectionFlags = ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'] as const;

export const connectionCommands: CommandSpec[] = [
  { name: 'ping', arity: -1, flags: ['fast'], acl: ['connection'], run: ping },
  { name: 'echo', arity: 2, flags: ['loading', 'stale', 'fast'], acl: ['connection'], run: echo },
  { name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], acl: ['connection'], run: select },
  { name: 'quit', arity: -1, flags: connectionFlags, acl: ['connection'], run: quit },
  { name: 'reset', arity: 1, flags: connectionFlags, acl: ['connection'], run: reset },
  { name: 'hello', arity: -1, flags: connectionFlags, acl: ['connection'], run: hello },
  { name: 'auth', arity: -2, flags: connectionFlags, acl: ['connection'], run: auth },
];
