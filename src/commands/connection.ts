// Connection commands: PING, ECHO, SELECT, QUIT.

import type { Client } from '../server/client.js';
import type { CommandSpec } from './registry.js';

function ping(c: Client, argv: string[]): void {
  if (argv.length > 2) {
    c.error(`ERR wrong number of arguments for 'ping' command`);
  } else if (argv.length === 2) {
    c.bulk(argv[1]);
  } else {
    c.simple('PONG');
  }
}

function echo(c: Client, argv: string[]): void {
  c.bulk(argv[1]);
}

function select(c: Client, argv: string[]): void {
  const id = /^-?\d+$/.test(argv[1]) ? Number(argv[1]) : NaN;
  if (!Number.isSafeInteger(id)) {
    c.error('ERR value is not an integer or out of range');
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

export const connectionCommands: CommandSpec[] = [
  { name: 'ping', arity: -1, flags: ['fast'], acl: ['connection'], run: ping },
  { name: 'echo', arity: 2, flags: ['loading', 'stale', 'fast'], acl: ['connection'], run: echo },
  { name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], acl: ['connection'], run: select },
  {
    name: 'quit',
    arity: -1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    acl: ['connection'],
    run: quit,
  },
];
