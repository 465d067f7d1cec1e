// From argument vector to reply: the checks Redis's processCommand makes, in
// its order, then the call itself with its bookkeeping (command stats,
// slowlog, MONITOR feed, dirty counter). Commands only ever see arguments that
// passed the table's arity check.

import { performance } from 'node:perf_hooks';
import type { Command } from '../commands/registry.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

/** Longest argument text quoted back in "unknown command" errors, as Redis's %.128s. */
const quotedArgCharsMax = 128;

/** Executes one command for `c`; every outcome is a reply, never an exception. */
export function execute(server: Server, c: Client, argv: string[]): void {
  c.beforeCommand();
  c.argv = argv;
  const cmd = lookupCommand(server, argv);
  // An unknown command leaves none as the last one (CLIENT LIST shows cmd=NULL).
  c.cmd = cmd;
  c.lastCmd = cmd;
  if (cmd === null) {
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
  if (server.pauseHolds(cmd)) {
    c.holdForPause(argv);
    return;
  }
  call(server, c, cmd, argv);
}

/** The command (or subcommand) argv names, or null when there is none. */
function lookupCommand(server: Server, argv: string[]): Command | null {
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
  cmd.rejectedCalls++;
  c.error(message);
}

/** Runs a command that passed all checks, and accounts for it. */
export function call(server: Server, c: Client, cmd: Command, argv: string[]): void {
  const errorsBefore = server.stats.totalErrorReplies;
  const dirtyBefore = server.dirty;
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
  if (server.stats.totalErrorReplies !== errorsBefore) cmd.failedCalls++;
  server.stats.totalCommandsProcessed++;
  server.afterCall(c, cmd, argv, usec, server.dirty !== dirtyBefore || c.propagationForced);
}
