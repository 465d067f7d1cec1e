// BGREWRITEAOF (src/persistence/aof.ts does the work).

import type { Client } from '../server/client.js';
import type { CommandSpec } from './registry.js';

function bgrewriteaof(c: Client): void {
  const reply = c.server.aof.bgrewriteaof();
  if ('error' in reply) c.error(reply.error);
  else c.simple(reply.status);
}

export const aofCommands: CommandSpec[] = [
  { name: 'bgrewriteaof', arity: 1, flags: ['admin', 'noscript', 'no_async_loading'], run: bgrewriteaof },
];
