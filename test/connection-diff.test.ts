// Differential corpus for the connection commands and CLIENT: every reply
// that does not depend on ids, addresses or timing must be byte-identical to
// redis-server 7.0's. (HELLO/CLIENT LIST successes carry ids: see connection.test.ts.)

import { cmd, differentialSuite, type DiffCase } from './helpers/differential.js';

const cases: DiffCase[] = [
  {
    name: 'PING and ECHO',
    commands: [
      cmd('PING'), cmd('ping'), cmd('PING hello'), cmd('PING a b'), ['PING', ''],
      cmd('ECHO x'), cmd('ECHO'), cmd('ECHO a b'), ['ECHO', Buffer.from([0, 0xff, 0x0d, 0x0a])],
    ],
  },
  {
    name: 'SELECT parses its index with string2ll and the C int range',
    commands: [
      cmd('SELECT 15'), cmd('SELECT 16'), cmd('SELECT 0'), cmd('SELECT -1'), cmd('SELECT +1'), cmd('SELECT 01'),
      cmd('SELECT 1.5'), ['SELECT', ''], ['SELECT', ' 1'], ['SELECT', '1 '], cmd('SELECT 2147483647'),
      cmd('SELECT 2147483648'), cmd('SELECT -2147483648'), cmd('SELECT -2147483649'),
      cmd('SELECT 9223372036854775807'), cmd('SELECT 9223372036854775808'), cmd('SELECT -0'), cmd('SELECT'),
      cmd('SELECT 3'), cmd('SELECT 0'),
    ],
  },
  {
    name: 'HELLO argument errors',
    commands: [
      cmd('HELLO 4'), cmd('HELLO 1'), cmd('HELLO 0'), cmd('HELLO -1'), cmd('HELLO x'), cmd('HELLO 3.0'),
      cmd('HELLO 99999999999999999999'), cmd('HELLO 3 foo'), cmd('HELLO 3 AUTH'), cmd('HELLO 3 AUTH a'),
      cmd('HELLO 3 SETNAME'), ['HELLO', '3', 'SETNAME', 'a b'], ['HELLO', '2', 'SETNAME', 'ok', 'x'],
      cmd('HELLO 3 AUTH nobody pass'), ['HELLO', '3', Buffer.from('opt\0hidden')], cmd('CLIENT GETNAME'),
      // Options apply as they are read: the name stays although a later option fails.
      cmd('HELLO 3 SETNAME n2 AUTH nobody x'), cmd('CLIENT GETNAME'), cmd('HELLO 9 SETNAME n3'),
      cmd('CLIENT GETNAME'), ['HELLO', '3', 'SETNAME', 'a b', 'foo'], cmd('CLIENT GETNAME'), ['CLIENT', 'SETNAME', ''],
    ],
  },
  {
    name: 'AUTH without requirepass',
    commands: [cmd('AUTH x'), cmd('AUTH default anything'), cmd('AUTH nobody x'), cmd('AUTH a b c'), cmd('AUTH')],
  },
  {
    name: 'CLIENT SETNAME / GETNAME validation',
    commands: [
      cmd('CLIENT GETNAME'), cmd('CLIENT SETNAME conn-1'), cmd('CLIENT GETNAME'), ['CLIENT', 'SETNAME', 'a b'],
      ['CLIENT', 'SETNAME', 'a\nb'], ['CLIENT', 'SETNAME', 'a\0b'], ['CLIENT', 'SETNAME', '\x7f'],
      ['CLIENT', 'SETNAME', Buffer.from([0xc3, 0xa9])], ['CLIENT', 'SETNAME', '!~'], cmd('CLIENT GETNAME'),
      ['CLIENT', 'SETNAME', ''], cmd('CLIENT GETNAME'), cmd('CLIENT SETNAME'), cmd('CLIENT SETNAME a b'),
      cmd('client setname lower'), cmd('CLIENT GETNAME x'), ['CLIENT', 'SETNAME', ''],
    ],
  },
  {
    name: 'CLIENT container errors and HELP',
    commands: [
      cmd('CLIENT'), cmd('CLIENT foo'), cmd('CLIENT HELP'), cmd('client help'), cmd('CLIENT HELP x'),
      cmd('CLIENT ID x'), cmd('CLIENT INFO x'), cmd('CLIENT GETREDIR'), cmd('CLIENT GETREDIR x'), cmd('CLIENT UNPAUSE'),
      cmd('CLIENT UNPAUSE x'),
    ],
  },
  {
    name: 'CLIENT LIST filters and errors',
    commands: [
      cmd('CLIENT LIST TYPE foo'), cmd('CLIENT LIST TYPE master'), cmd('CLIENT LIST TYPE replica'),
      cmd('CLIENT LIST TYPE slave'), cmd('CLIENT LIST TYPE pubsub'), cmd('CLIENT LIST foo'), cmd('CLIENT LIST ID'),
      cmd('CLIENT LIST ID x'), cmd('CLIENT LIST ID 999999'), cmd('CLIENT LIST ID 999999 x'),
      cmd('CLIENT LIST TYPE normal extra'), cmd('CLIENT LIST ID -1 0'),
    ],
  },
  {
    name: 'CLIENT KILL filters and errors',
    commands: [
      cmd('CLIENT KILL'), cmd('CLIENT KILL 1.2.3.4:5'), cmd('CLIENT KILL id'), cmd('CLIENT KILL ID x'),
      cmd('CLIENT KILL ID 0'), cmd('CLIENT KILL ID -1'), cmd('CLIENT KILL ID 999999'), cmd('CLIENT KILL foo bar'),
      cmd('CLIENT KILL TYPE foo'), cmd('CLIENT KILL TYPE master'), cmd('CLIENT KILL SKIPME maybe'),
      cmd('CLIENT KILL MAXAGE 1'), cmd('CLIENT KILL ADDR 1.2.3.4:5'), cmd('CLIENT KILL ADDR 1.2.3.4:5 x'),
      cmd('CLIENT KILL LADDR 1.2.3.4:5'), cmd('CLIENT KILL USER nobody'), cmd('CLIENT KILL ID x TYPE foo'),
      cmd('CLIENT KILL TYPE foo ID x'), cmd('CLIENT KILL ID 999999 SKIPME no'),
    ],
  },
  {
    name: 'CLIENT REPLY, NO-EVICT and PAUSE argument handling',
    commands: [
      cmd('CLIENT REPLY'), cmd('CLIENT REPLY foo'), cmd('CLIENT REPLY ON'), cmd('client reply on'), cmd('CLIENT REPLY ON x'),
      cmd('CLIENT NO-EVICT'), cmd('CLIENT NO-EVICT maybe'), cmd('CLIENT NO-EVICT ON'), cmd('CLIENT NO-EVICT off'),
      cmd('CLIENT PAUSE'), cmd('CLIENT PAUSE x'), cmd('CLIENT PAUSE -5'), cmd('CLIENT PAUSE 1 sometimes'),
      cmd('CLIENT PAUSE 1 WRITE x'), cmd('CLIENT PAUSE 0'), cmd('PING'), cmd('CLIENT PAUSE 0 WRITE'), cmd('PING'),
      cmd('CLIENT UNPAUSE'),
    ],
  },
  {
    name: 'RESET',
    commands: [cmd('CLIENT SETNAME before-reset'), cmd('SELECT 5'), cmd('RESET'), cmd('CLIENT GETNAME'), cmd('RESET x')],
  },
];

differentialSuite(cases);
