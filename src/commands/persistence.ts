// SAVE, BGSAVE, LASTSAVE: the RDB commands (src/persistence/persistence.ts does the work).

import type { Client } from '../server/client.js';
import type { CommandSpec } from './registry.js';

function save(c: Client): void {
  const p = c.server.persistence;
  if (p.bgsaveInProgress) {
    c.error('ERR Background save already in progress');
    return;
  }
  if (p.saveSync()) c.ok();
  else c.error('ERR');
}

function bgsave(c: Client, argv: string[]): void {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && argv[1].toLowerCase() === 'schedule') schedule = true;
    else {
      c.error('ERR syntax error');
      return;
    }
  }
  const p = c.server.persistence;
  // Inside EXEC the transaction's queue is still set: Redis's server.in_exec.
  const inExec = c.tx.queue !== null;
  if (p.bgsaveInProgress) {
    c.error('ERR Background save already in progress');
  } else if (p.childBusy() || inExec) {
    if (schedule || inExec) {
      p.bgsaveScheduled = true;
      c.simple('Background saving scheduled');
    } else {
      c.error(
        "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to " +
          'schedule a BGSAVE whenever possible.',
      );
    }
  } else if (p.startBgsave()) {
    c.simple('Background saving started');
  } else {
    c.error('ERR');
  }
}

function lastsave(c: Client): void {
  c.int(c.server.lastSaveTime);
}

export const persistenceCommands: CommandSpec[] = [
  { name: 'save', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], run: save },
  { name: 'bgsave', arity: -1, flags: ['admin', 'noscript', 'no_async_loading'], run: bgsave },
  { name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ['admin', 'dangerous'], run: lastsave },
];
