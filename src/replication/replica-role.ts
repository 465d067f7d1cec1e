// Role changes: a master becoming a replica and back (REPLICAOF, FAILOVER, the
// `replicaof` setting at startup), as Redis's replicationSetMaster /
// replicationUnsetMaster. The link itself is replica.ts's MasterLink.

import type { Client } from '../server/client.js';
import { clientInfoString } from '../server/client-info.js';
import type { Server } from '../server/server.js';
import { MasterLink } from './replica.js';

/** The config and command line's `replicaof`: the link exists from the start (its cron connects). */
export function replicaOfAtStartup(server: Server): void {
  const r = server.config.getReplicaOf();
  if (r === null) return;
  server.replication.master = new MasterLink(server, r.host, r.port);
  server.replication.stopFeedingCommands();
}

/**
 * From now on a replica of `host`:`port` (Redis's replicationSetMaster):
 * REPLICAOF, and a master handing its role over (FAILOVER).
 */
export function setMaster(server: Server, host: string, port: number): void {
  const r = server.replication;
  const wasMaster = r.master === null;
  server.log.role = 'S';
  const link = r.master ?? new MasterLink(server, host, port);
  if (wasMaster) {
    r.master = link;
    r.stopFeedingCommands();
  }
  link.setMaster(host, port, wasMaster);
  server.config.forceSet('replicaof', [host, String(port)]);
}

/** REPLICAOF <host> <port>, with replicaofCommand's log line. */
export function becomeReplica(server: Server, host: string, port: number, by: Client): void {
  setMaster(server, host, port);
  server.log.notice(`REPLICAOF ${host}:${port} enabled (user request from '${clientInfoString(by, by)}')`);
}

/**
 * A master again (Redis's replicationUnsetMaster), with a new replication
 * ID; the old one stays valid up to here as replid2, so replicas of the
 * same master can continue from us with a partial resync. False when this
 * server was a master already.
 */
export function unsetMaster(server: Server): boolean {
  const r = server.replication;
  const link = r.master;
  if (link === null) return false;
  r.master = null;
  server.log.role = 'M';
  link.unset();
  r.shiftReplicationId();
  // Our replicas must learn the new ID; they will resume partially.
  r.disconnectReplicas();
  // The stream we now make starts with a SELECT.
  r.selectedDb = -1;
  r.noReplicasSince = Date.now();
  r.startFeedingCommands();
  server.config.forceSet('replicaof', ['no', 'one']);
  return true;
}

/** REPLICAOF NO ONE, or PSYNC ... FAILOVER from our master handing its role over to us. */
export function becomeMaster(server: Server, by: Client, request: 'user' | 'failover'): void {
  if (!unsetMaster(server)) return;
  server.log.notice(`MASTER MODE enabled (${request} request from '${clientInfoString(by, by)}')`);
}
