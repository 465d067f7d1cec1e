// From argument vector to reply: the checks Redis's processCommand makes, in
// its order, then the call itself with its bookkeeping (command stats,
// slowlog, MONITOR feed, dirty counter). Commands only ever see arguments that
// passed the table's arity check.

import { performance } from 'node:perf_hooks';
import type { Command } from '../commands/registry.js';
import type { Client } from './client.js';
import { discardTransaction, flagTransaction, isExec, runsInsideMulti } from './multi.js';
import type { Server } from './server.js';
import { ReplState } from '../replication/replica.js';

/** Longest argument text quoted back in "unknown command" errors, as Redis's %.128s. */
const quotedArgCharsMax = 128;

/** What a RESP2 client may run while subscribed: its replies cannot be told apart from messages otherwise. */
const allowedWhenSubscribed: ReadonlySet<string> = new Set([
  'ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset',
]);

/** Commands a client in MULTI may still run when out of memory: the others would grow its queue. */
const allowedInMultiWhenOutOfMemory: ReadonlySet<string> = new Set(['exec', 'discard', 'quit', 'reset']);

/** Executes one command for `c`; every outcome is a reply, never an exception. */
export function execute(server: Server, c: Client, argv: string[]): void {
  c.beforeCommand();
  c.argv = argv;
  const cmd = lookupCommand(server, argv);
  // An unknown command leaves none as the last one (CLIENT LIST shows cmd=NULL).
  c.cmd = cmd;
  c.lastCmd = cmd;
  if (cmd === null) {
    flagTransaction(c);
    rejectUnknown(server, c, argv);
    return;
  }
  if ((cmd.arity > 0 && argv.length !== cmd.arity) || argv.length < -cmd.arity) {
    reject(c, cmd, `ERR wrong number of arguments for '${cmd.fullName}' command`);
    return;
  }
  if (cmd.has('protected') && !server.protectedCommandAllowed(c, cmd)) {
    reject(
      c,
      cmd,
      `ERR ${cmd.name.toUpperCase()} command not allowed. If the enable-${cmd.name}-command option is set to "local", ` +
        `you can run it from a local connection, otherwise you need to set this option in the configuration file, ` +
        `and then restart the server.`,
    );
    return;
  }
  if (!c.authenticated && !cmd.has('no_auth')) {
    reject(c, cmd, 'NOAUTH Authentication required.');
    return;
  }
  if (c.tx.queue !== null && cmd.has('no_multi')) {
    reject(c, cmd, 'ERR Command not allowed inside a transaction');
    return;
  }
  if (server.evictor.limit > 0 && !memoryAllows(server, c, cmd)) {
    reject(c, cmd, "OOM command not allowed when used memory > 'maxmemory'.");
    return;
  }
  // Our master's stream is applied whatever the state here: refusing it would fork the histories (Redis's mustObeyClient).
  const fromMaster = c.type === 'master';
  const diskError = server.persistence.writesDeniedError() ?? server.aof.writesDeniedError();
  if (diskError !== null && !fromMaster && (isWrite(c, cmd) || (cmd.name === 'ping' && cmd.parent === undefined))) {
    reject(c, cmd, diskError);
    return;
  }
  if (isWrite(c, cmd) && !server.replication.primary.enoughGoodReplicas()) {
    reject(c, cmd, 'NOREPLICAS Not enough good replicas to write.');
    return;
  }
  const link = server.replication.master;
  if (link !== null && !fromMaster && isWrite(c, cmd) && server.config.getBool('replica-read-only')) {
    reject(c, cmd, "READONLY You can't write against a read only replica.");
    return;
  }
  if (c.resp === 2 && c.isPubSub && !(cmd.parent === undefined && allowedWhenSubscribed.has(cmd.name))) {
    reject(
      c,
      cmd,
      `ERR Can't execute '${cmd.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
    );
    return;
  }
  if (
    link !== null &&
    link.state !== ReplState.Connected &&
    !server.config.getBool('replica-serve-stale-data') &&
    deniedWhenStale(c, cmd)
  ) {
    reject(c, cmd, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    return;
  }
  // While a dataset loads, only commands flagged `loading` run (socketless clients load it); while a replica
  // loads its master's data in the background, all but those flagged no_async_loading.
  const loading = server.persistence.loading;
  if (
    loading !== null &&
    c.socket !== null &&
    (loading.async ? deniedWhileAsyncLoading(c, cmd) : deniedWhileLoading(c, cmd))
  ) {
    reject(c, cmd, 'LOADING Redis is loading the dataset in memory');
    return;
  }
  // EXEC is held as the commands it would run. Replicas are never paused: their ACKs keep coming.
  const held = server.pauseHolds(cmd) || (isExec(cmd) && c.tx.anyQueued((queued) => server.pauseHolds(queued)));
  if (held && c.replica === null) {
    c.holdForPause(argv);
    return;
  }
  if (c.tx.queue !== null && !runsInsideMulti(cmd)) {
    c.tx.add(cmd, argv);
    c.simple('QUEUED');
    return;
  }
  call(server, c, cmd, argv);
}

/**
 * maxmemory: evicts what the policy allows, then says whether `cmd` may run.
 * Out of memory, Redis refuses commands flagged denyoom, an EXEC that queued
 * one, and in MULTI anything that would be queued.
 */
function memoryAllows(server: Server, c: Client, cmd: Command): boolean {
  if (server.evictor.perform() !== 'fail') return true;
  if (cmd.has('denyoom') || (isExec(cmd) && c.tx.anyQueued((queued) => queued.has('denyoom')))) return false;
  return c.tx.queue === null || (cmd.parent === undefined && allowedInMultiWhenOutOfMemory.has(cmd.name));
}

/** A write, or an EXEC that would run one (Redis's is_write_command). */
function isWrite(c: Client, cmd: Command): boolean {
  return cmd.has('write') || (isExec(cmd) && c.tx.anyQueued((queued) => queued.has('write')));
}

/** Redis's is_denyloading_command: no `loading` flag, or an EXEC that queued such a command. */
function deniedWhileLoading(c: Client, cmd: Command): boolean {
  return !cmd.has('loading') || (isExec(cmd) && c.tx.anyQueued((queued) => !queued.has('loading')));
}

/** Redis's is_denystale_command: without the `stale` flag, or an EXEC that queued such a command. */
function deniedWhenStale(c: Client, cmd: Command): boolean {
  return !cmd.has('stale') || (isExec(cmd) && c.tx.anyQueued((queued) => !queued.has('stale')));
}

/** Redis's is_deny_async_loading_command. */
function deniedWhileAsyncLoading(c: Client, cmd: Command): boolean {
  return cmd.has('no_async_loading') || (isExec(cmd) && c.tx.anyQueued((queued) => queued.has('no_async_loading')));
}

/** The command (or subcommand) argv names, or null when there is none. */
export function lookupCommand(server: Server, argv: string[]): Command | null {
  const base = server.commands.get(argv[0]);
  if (base === undefined) return null;
  if (base.subcommands === undefined || argv.length < 2) return base;
  return base.subcommands.get(argv[1].toLowerCase()) ?? null;
}

function rejectUnknown(server: Server, c: Client, argv: string[]): void {
  const base = server.commands.get(argv[0]);
  if (base?.subcommands !== undefined) {
    c.error(`ERR unknown subcommand '${cString(argv[1], quotedArgCharsMax)}'. Try ${argv[0].toUpperCase()} HELP.`);
    return;
  }
  let args = '';
  for (let i = 1; i < argv.length && args.length < quotedArgCharsMax; i++) {
    args += `'${cString(argv[i], quotedArgCharsMax - args.length)}' `;
  }
  c.error(`ERR unknown command '${cString(argv[0], quotedArgCharsMax)}', with args beginning with: ${args}`);
}

/** What C's "%.Ns" (or "%s") prints of a byte string: up to the first NUL, at most n chars. */
export function cString(s: string, n = Infinity): string {
  const nul = s.indexOf('\0');
  return (nul === -1 ? s : s.slice(0, nul)).slice(0, n);
}

function reject(c: Client, cmd: Command, message: string): void {
  flagTransaction(c);
  cmd.rejectedCalls++;
  if (isExec(cmd)) abortExec(c, message);
  else c.error(message);
}

/**
 * A refused EXEC discards the transaction with the reason (worded without
 * its ERR code, as Redis does), and MONITOR sees the EXEC that closes the
 * MULTI it was shown (Redis's execCommandAbort).
 */
function abortExec(c: Client, message: string): void {
  discardTransaction(c);
  c.error(`EXECABORT Transaction discarded because of: ${message.startsWith('ERR ') ? message.slice(4) : message}`);
  if (c.server.monitors.size > 0) c.server.feedMonitors(c, c.argv);
}

/**
 * Runs a command that passed all checks, and accounts for it. EXEC calls this
 * for each queued command: the changes of the outermost call are propagated
 * together when it ends (see Server.leaveCall).
 */
export function call(server: Server, c: Client, cmd: Command, argv: string[]): void {
  const dirtyBefore = server.dirty;
  c.resetPropagation();
  server.enterCall();
  try {
    // As Redis, a command fails when it replied an error after the last command accounted for:
    // EXEC does not fail for the errors of the commands it ran.
    server.errorsAccounted = server.stats.totalErrorReplies;
    // A running snapshot gets the keys a write names before the handler can change them, however it looks them up.
    if (c.db.snapshotMark !== 0 && cmd.has('write')) for (const i of cmd.keyPositions(argv)) c.db.preserve(argv[i]);
    const start = performance.now();
    try {
      cmd.run(c, argv);
    } catch (e) {
      // A bug in one command must not take the dataset down with the process.
      server.log.warning(`Internal error in '${cmd.fullName}': ${(e as Error).stack ?? String(e)}`);
      c.error(`ERR internal error in '${cmd.fullName}' command`);
    }
    const usec = Math.round((performance.now() - start) * 1000);
    cmd.calls++;
    cmd.usec += usec;
    if (server.stats.totalErrorReplies !== server.errorsAccounted) cmd.failedCalls++;
    server.errorsAccounted = server.stats.totalErrorReplies;
    server.stats.totalCommandsProcessed++;
    // EXEC itself is never propagated: its commands are, as one block.
    // Only growth counts, as Redis clamps a negative difference: SAVE and DEBUG LOADAOF lower `dirty`.
    const changed = !isExec(cmd) && (server.dirty > dirtyBefore || c.propagationForced);
    server.afterCall(c, cmd, argv, usec, changed);
  } finally {
    server.leaveCall();
    // What WAIT will wait for: the stream up to this command's changes, propagated by now (Redis's c->woff).
    c.woff = server.replication.masterReplOffset;
  }
}
