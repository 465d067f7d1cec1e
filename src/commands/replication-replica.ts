// REPLICAOF / SLAVEOF and ROLE: turning this server into a replica or back
// into a master, and saying which it is (src/replication/replica.ts does the work).

import type { Client } from '../server/client.js';
import { parseLongLong } from '../util/numbers.js';
import { becomeMaster, becomeReplica } from '../replication/replica-role.js';
import type { CommandSpec } from './registry.js';

/** REPLICAOF <host> <port> | NO ONE, as Redis's replicaofCommand. */
function replicaof(c: Client, argv: string[]): void {
  const server = c.server;
  if (server.replication.failover.state !== 'no-failover') {
    c.error('ERR REPLICAOF not allowed while failing over.');
    return;
  }
  if (argv[1].toLowerCase() === 'no' && argv[2].toLowerCase() === 'one') {
    becomeMaster(server, c, 'user');
    c.ok();
    return;
  }
  // It would drop every replica, this client included.
  if (c.type === 'replica') {
    c.error('ERR Command is not valid when client is a replica.');
    return;
  }
  const port = parseLongLong(argv[2]);
  if (port === null || port < 0 || port > 65535) {
    c.error('ERR Invalid master port');
    return;
  }
  const link = server.replication.master;
  if (link !== null && link.host.toLowerCase() === argv[1].toLowerCase() && link.port === port) {
    server.log.notice(
      'REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.',
    );
    c.simple('OK Already connected to specified master');
    return;
  }
  becomeReplica(server, argv[1], port, c);
  c.ok();
}

/** ROLE: ["master", offset, [[ip, port, acked offset], ...]] or ["slave", host, port, state, offset]. */
function role(c: Client): void {
  const r = c.server.replication;
  const link = r.master;
  if (link === null) {
    c.arrayLen(3);
    c.bulk('master');
    c.int(r.masterReplOffset);
    const online = [...r.primary.replicas].filter((replica) => replica.state === 'online');
    c.arrayLen(online.length);
    for (const replica of online) {
      c.arrayLen(3);
      c.bulk(replica.ip);
      c.bulk(String(replica.announce.listeningPort));
      c.bulk(String(replica.ackOffset));
    }
    return;
  }
  c.arrayLen(5);
  c.bulk('slave');
  c.bulk(link.host);
  c.int(link.port);
  c.bulk(link.roleState());
  c.int(link.client !== null ? link.client.offset : -1);
}

const replicaofSpec = {
  arity: 3,
  flags: ['admin', 'noscript', 'stale', 'no_async_loading'],
  run: replicaof,
} as const satisfies Omit<CommandSpec, 'name'>;

export const replicaCommands: CommandSpec[] = [
  { name: 'replicaof', ...replicaofSpec },
  { name: 'slaveof', ...replicaofSpec },
  { name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], acl: ['admin', 'dangerous'], run: role },
];
