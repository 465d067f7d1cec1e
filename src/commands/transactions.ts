// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH. Queuing itself happens
// in the dispatcher (after the checks that may refuse a command); EXEC runs
// the queue through the same call() as any command, so each queued command is
// counted, slowlogged, fed to MONITOR and propagated as usual, and the server
// sends the writes of the whole EXEC as one MULTI/EXEC block.

import type { Client } from '../server/client.js';
import { call } from '../server/dispatch.js';
import { discardTransaction } from '../server/multi.js';
import type { CommandFlag, CommandSpec } from './registry.js';

function multi(c: Client): void {
  if (c.tx.queue !== null) {
    c.error('ERR MULTI calls can not be nested');
    return;
  }
  c.tx.queue = [];
  c.ok();
}

function exec(c: Client): void {
  const tx = c.tx;
  const queue = tx.queue;
  if (queue === null) {
    c.error('ERR EXEC without MULTI');
    return;
  }
  if (c.server.watches.anyExpired(c)) tx.dirty = true;
  if (tx.aborted || tx.dirty) {
    if (tx.aborted) c.error('EXECABORT Transaction discarded because of previous errors.');
    else c.nullArray();
    discardTransaction(c);
    return;
  }
  c.server.watches.unwatchAll(c);
  const { argv, cmd, denyBlocking } = c;
  // Queued blocking commands answer at once, as if timed out.
  c.denyBlocking = true;
  c.arrayLen(queue.length);
  for (const q of queue) {
    c.argv = q.argv;
    c.cmd = q.cmd;
    call(c.server, c, q.cmd, q.argv);
  }
  c.denyBlocking = denyBlocking;
  c.argv = argv;
  c.cmd = cmd;
  discardTransaction(c);
}

function discard(c: Client): void {
  if (c.tx.queue === null) {
    c.error('ERR DISCARD without MULTI');
    return;
  }
  discardTransaction(c);
  c.ok();
}

function watch(c: Client, argv: string[]): void {
  if (c.tx.queue !== null) {
    c.error('ERR WATCH inside MULTI is not allowed');
    return;
  }
  // Already doomed: nothing more to watch.
  if (!c.tx.dirty) for (let i = 1; i < argv.length; i++) c.server.watches.watch(c, c.db, argv[i]);
  c.ok();
}

function unwatch(c: Client): void {
  c.server.watches.unwatchAll(c);
  c.tx.dirty = false;
  c.ok();
}

const control: CommandFlag[] = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'];

export const transactionCommands: CommandSpec[] = [
  { name: 'multi', arity: 1, flags: control, acl: ['transaction'], run: multi },
  { name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'], acl: ['transaction'], run: exec },
  { name: 'discard', arity: 1, flags: control, acl: ['transaction'], run: discard },
  { name: 'watch', arity: -2, flags: control, keys: [1, -1, 1], acl: ['transaction'], run: watch },
  { name: 'unwatch', arity: 1, flags: control, acl: ['transaction'], run: unwatch },
];
