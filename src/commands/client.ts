// CLIENT: the connection's own settings (ID, SETNAME, GETNAME, REPLY, NO-EVICT,
// SETINFO), inspecting connections (LIST, INFO) and acting on them (KILL,
// PAUSE, UNPAUSE). CLIENT SETINFO is Redis 7.2's, the one addition to 7.0.

import type { Client, ClientType } from '../server/client.js';
import { timeoutFromArg } from '../server/blocking.js';
import { clientInfoString } from '../server/client-info.js';
import { cString } from '../server/dispatch.js';
import { parseLongLong } from '../util/numbers.js';
import type { CommandSpec } from './registry.js';
import { notIntegerError } from './strings.js';

const syntaxError = 'ERR syntax error';

function clientTypeByName(name: string): ClientType | null {
  switch (name.toLowerCase()) {
    case 'normal':
      return 'normal';
    case 'slave':
    case 'replica':
      return 'replica';
    case 'pubsub':
      return 'pubsub';
    case 'master':
      return 'master';
    default:
      return null;
  }
}

/** Names may only use printable ASCII without spaces, so that CLIENT LIST stays splittable. */
function validAttribute(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    if (ch < 0x21 || ch > 0x7e) return false;
  }
  return true;
}

/** Sets the connection name (empty removes it); replies with the error and returns false when invalid. */
export function setNameOrReply(c: Client, name: string): boolean {
  if (!validAttribute(name)) {
    c.error('ERR Client names cannot contain spaces, newlines or special characters.');
    return false;
  }
  c.name = name;
  return true;
}

/** Redis's addReplyHelp: a header naming the command, the lines, then HELP's own entry. */
export function replyHelp(c: Client, lines: readonly string[]): void {
  c.arrayLen(lines.length + 3);
  c.simple(`${c.argv[0].toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of lines) c.simple(line);
  c.simple('HELP');
  c.simple('    Prints this help.');
}

/** Redis's addReplySubcommandSyntaxError, for a known subcommand given the wrong arguments. */
export function subcommandSyntaxError(c: Client, argv: string[]): void {
  c.error(
    `ERR unknown subcommand or wrong number of arguments for '${cString(argv[1], 128)}'. ` +
      `Try ${argv[0].toUpperCase()} HELP.`,
  );
}

// ---- CLIENT LIST / CLIENT INFO -------------------------------------------------

function clientList(c: Client, argv: string[]): void {
  let out = '';
  if (argv.length === 4 && argv[2].toLowerCase() === 'type') {
    const type = clientTypeByName(argv[3]);
    if (type === null) {
      c.error(`ERR Unknown client type '${cString(argv[3])}'`);
      return;
    }
    for (const other of c.server.clients.values()) {
      if (other.type === type) out += clientInfoString(other, c) + '\n';
    }
  } else if (argv.length > 3 && argv[2].toLowerCase() === 'id') {
    for (let j = 3; j < argv.length; j++) {
      const id = parseLongLong(argv[j]);
      if (id === null) {
        c.error('ERR Invalid client ID');
        return;
      }
      const other = c.server.clients.get(id);
      if (other !== undefined) out += clientInfoString(other, c) + '\n';
    }
  } else if (argv.length !== 2) {
    c.error(syntaxError);
    return;
  } else {
    for (const other of c.server.clients.values()) out += clientInfoString(other, c) + '\n';
  }
  c.verbatim(out);
}

function clientInfo(c: Client): void {
  c.verbatim(clientInfoString(c, c) + '\n');
}

// ---- CLIENT KILL -------------------------------------------------------------------

interface KillFilter {
  addr?: string;
  laddr?: string;
  type?: ClientType;
  id?: number;
  user?: string;
  skipMe: boolean;
}

/** Parses CLIENT KILL's filters (new form); replies with the error and returns null when invalid. */
function parseKillFilter(c: Client, argv: string[]): KillFilter | null {
  if (argv.length === 3) return { addr: argv[2], skipMe: false };
  const filter: KillFilter = { skipMe: true };
  for (let i = 2; i < argv.length; i += 2) {
    const option = argv[i].toLowerCase();
    if (i + 1 >= argv.length) {
      c.error(syntaxError);
      return null;
    }
    const value = argv[i + 1];
    if (option === 'id') {
      const id = parseLongLong(value);
      if (id === null || id < 1) {
        c.error('ERR client-id should be greater than 0');
        return null;
      }
      filter.id = id;
    } else if (option === 'type') {
      const type = clientTypeByName(value);
      if (type === null) {
        c.error(`ERR Unknown client type '${cString(value)}'`);
        return null;
      }
      filter.type = type;
    } else if (option === 'addr') {
      filter.addr = value;
    } else if (option === 'laddr') {
      filter.laddr = value;
    } else if (option === 'user') {
      // Only the default user exists.
      if (value !== 'default') {
        c.error(`ERR No such user '${cString(value)}'`);
        return null;
      }
      filter.user = value;
    } else if (option === 'skipme') {
      const yesNo = value.toLowerCase();
      if (yesNo !== 'yes' && yesNo !== 'no') {
        c.error(syntaxError);
        return null;
      }
      filter.skipMe = yesNo === 'yes';
    } else {
      c.error(syntaxError);
      return null;
    }
  }
  return filter;
}

function killMatches(f: KillFilter, other: Client, caller: Client): boolean {
  return (
    (f.addr === undefined || other.addr === f.addr) &&
    (f.laddr === undefined || other.laddr === f.laddr) &&
    (f.type === undefined || other.type === f.type) &&
    (f.id === undefined || other.id === f.id) &&
    (f.user === undefined || other.user === f.user) &&
    !(f.skipMe && other === caller)
  );
}

/** CLIENT KILL ip:port (old form: +OK or an error) or CLIENT KILL <filter> <value> ... (count). */
function clientKill(c: Client, argv: string[]): void {
  const filter = parseKillFilter(c, argv);
  if (filter === null) return;
  let killed = 0;
  let killSelf = false;
  for (const other of [...c.server.clients.values()]) {
    if (!killMatches(filter, other, c)) continue;
    // The caller goes only after its reply is written.
    if (other === c) killSelf = true;
    else other.close();
    killed++;
  }
  if (argv.length === 3) {
    if (killed === 0) {
      c.error('ERR No such client');
      return;
    }
    c.ok();
  } else {
    c.int(killed);
  }
  if (killSelf) c.closeAfterReply = true;
}

// ---- CLIENT PAUSE / UNPAUSE ------------------------------------------------------

/** CLIENT PAUSE timeout [WRITE|ALL] */
function clientPause(c: Client, argv: string[]): void {
  if (argv.length > 4) {
    subcommandSyntaxError(c, argv);
    return;
  }
  let all = true;
  if (argv.length === 4) {
    const mode = argv[3].toLowerCase();
    if (mode !== 'write' && mode !== 'all') {
      c.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
      return;
    }
    all = mode === 'all';
  }
  // A huge timeout wraps into the past, as in Redis 7.0: the pause ends at once.
  const end = timeoutFromArg(c, argv[2], 'milliseconds');
  if (end === null) return;
  c.server.pauseClients(all, end);
  c.ok();
}

function clientUnpause(c: Client): void {
  c.server.unpauseClients();
  c.ok();
}

// ---- CLIENT UNBLOCK ----------------------------------------------------------------

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 when the client was blocked on keys and now is not. */
function clientUnblock(c: Client, argv: string[]): void {
  if (argv.length > 4) {
    subcommandSyntaxError(c, argv);
    return;
  }
  let withError = false;
  if (argv.length === 4) {
    const reason = argv[3].toLowerCase();
    if (reason !== 'timeout' && reason !== 'error') {
      c.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
      return;
    }
    withError = reason === 'error';
  }
  const id = parseLongLong(argv[2]);
  if (id === null) {
    c.error(notIntegerError);
    return;
  }
  const target = c.server.clients.get(id);
  c.int(target !== undefined && c.server.blocking.unblockByRequest(target, withError) ? 1 : 0);
}

// ---- the connection's own settings -------------------------------------------------

function clientId(c: Client): void {
  c.int(c.id);
}

function clientSetName(c: Client, argv: string[]): void {
  if (setNameOrReply(c, argv[2])) c.ok();
}

function clientGetName(c: Client): void {
  c.bulk(c.name === '' ? null : c.name);
}

function clientReply(c: Client, argv: string[]): void {
  const mode = argv[2].toLowerCase();
  if (mode !== 'on' && mode !== 'off' && mode !== 'skip') {
    c.error(syntaxError);
    return;
  }
  c.setReplyMode(mode);
  if (mode === 'on') c.ok();
}

function clientNoEvict(c: Client, argv: string[]): void {
  const mode = argv[2].toLowerCase();
  if (mode !== 'on' && mode !== 'off') {
    c.error(syntaxError);
    return;
  }
  c.noEvict = mode === 'on';
  c.ok();
}

/** CLIENT SETINFO LIB-NAME|LIB-VER value, as Redis 7.2 (empty clears). */
function clientSetInfo(c: Client, argv: string[]): void {
  const attribute = argv[2].toLowerCase();
  if (attribute !== 'lib-name' && attribute !== 'lib-ver') {
    c.error(`ERR Unrecognized option '${cString(argv[2])}'`);
    return;
  }
  const value = argv[3];
  if (!validAttribute(value)) {
    c.error(`ERR ${cString(argv[2])} cannot contain spaces, newlines or special characters.`);
    return;
  }
  if (attribute === 'lib-name') c.libName = value;
  else c.libVer = value;
  c.ok();
}

/** Without client-side caching, nothing redirects. */
function clientGetRedir(c: Client): void {
  c.int(-1);
}

/** Redis 7.0's CLIENT HELP text. */
const helpLines: readonly string[] = [
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
];

function clientHelp(c: Client): void {
  replyHelp(c, helpLines);
}

const own = ['noscript', 'loading', 'stale'] as const;
const admin = ['admin', 'noscript', 'loading', 'stale'] as const;

export const clientCommands: CommandSpec[] = [
  {
    name: 'client',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'id', arity: 2, flags: own, acl: ['connection'], run: clientId },
      { name: 'info', arity: 2, flags: own, acl: ['connection'], run: clientInfo },
      { name: 'list', arity: -2, flags: admin, acl: ['connection'], run: clientList },
      { name: 'kill', arity: -3, flags: admin, acl: ['connection'], run: clientKill },
      { name: 'setname', arity: 3, flags: own, acl: ['connection'], run: clientSetName },
      { name: 'getname', arity: 2, flags: own, acl: ['connection'], run: clientGetName },
      { name: 'setinfo', arity: 4, flags: own, acl: ['connection'], run: clientSetInfo },
      { name: 'reply', arity: 3, flags: own, acl: ['connection'], run: clientReply },
      { name: 'no-evict', arity: 3, flags: admin, acl: ['connection'], run: clientNoEvict },
      { name: 'pause', arity: -3, flags: admin, acl: ['connection'], run: clientPause },
      { name: 'unpause', arity: 2, flags: admin, acl: ['connection'], run: clientUnpause },
      { name: 'unblock', arity: -3, flags: admin, acl: ['connection'], run: clientUnblock },
      { name: 'getredir', arity: 2, flags: own, acl: ['connection'], run: clientGetRedir },
      { name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['connection'], run: clientHelp },
    ],
  },
];
