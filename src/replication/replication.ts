// What both sides of replication share: the replication IDs and offsets
// (PSYNC2), the backlog, and the replication stream itself.
//
// The stream is what replicas apply: every change as a RESP command, with a
// SELECT whenever the database changes, exactly as Redis's replicationFeedSlaves
// writes it. A master builds it from server.propagate; a replica that has
// replicas of its own forwards its master's stream byte for byte
// (feedStream), so a whole chain shares one replication ID and one offset space.

import { randomBytes } from 'node:crypto';
import type { Server } from '../server/server.js';
import { ReplicationBacklog } from './backlog.js';
import { Failover } from './failover.js';
import { Primary } from './primary.js';
import type { MasterLink } from './replica.js';

/** A consumer of the replication stream (a connected replica's link). */
export interface StreamListener {
  write(chunk: Buffer): void;
}

/** Redis's replid2 when there is no previous history. */
export const noReplId = '0'.repeat(40);

/** The replication state an RDB file was saved in (its repl-id, repl-offset, repl-stream-db aux fields). */
export interface SavedReplicationInfo {
  replId: string;
  offset: number;
  db: number;
}

export class Replication {
  private readonly server: Server;
  /** master_replid: the history this server's dataset belongs to. */
  replId = randomBytes(20).toString('hex');
  /** master_replid2: the history before the last promotion, accepted for PSYNC up to secondReplOffset. */
  replId2 = noReplId;
  secondReplOffset = -1;
  /** master_repl_offset: bytes of the stream produced (master) or applied (replica) so far. */
  masterReplOffset = 0;
  backlog: ReplicationBacklog | null = null;
  /** When the last replica went away (ms), for repl-backlog-ttl; 0 while some are connected. */
  noReplicasSince = Date.now();
  /** Database of the last SELECT in the stream; -1 makes the next command start with one (Redis's slaveseldb). */
  selectedDb = -1;
  /** Replica links the stream goes to, besides the backlog. */
  readonly listeners = new Set<StreamListener>();
  /** Our replicas: SYNC/PSYNC, their links, WAIT, min-replicas-to-write (primary.ts). */
  readonly primary: Primary;
  /** The link to our master while this server is a replica (replica.ts); null on a master. */
  master: MasterLink | null = null;
  /** FAILOVER: this master handing its role over to a replica. */
  readonly failover: Failover;
  private readonly sink = (db: number, argv: string[]) => this.feedCommand(db, argv);

  constructor(server: Server) {
    this.server = server;
    this.primary = new Primary(server);
    this.failover = new Failover(server);
    server.config.onChange('repl-backlog-size', () => this.backlog?.resize(server.config.getInt('repl-backlog-size')));
  }

  /**
   * Creates the backlog when the first replica asks to sync (Redis keeps none
   * before), and starts feeding it from every propagated change.
   */
  createBacklog(): void {
    if (this.backlog !== null) return;
    this.backlog = new ReplicationBacklog(this.server.config.getInt('repl-backlog-size'), this.masterReplOffset);
    // A new backlog has no SELECT in it: the next command must carry one.
    this.selectedDb = -1;
    // A replica's backlog is fed with its master's stream instead (feedStream).
    if (this.master === null) this.startFeedingCommands();
  }

  /** A master again (REPLICAOF NO ONE): its own changes make the stream, into the backlog it kept. */
  startFeedingCommands(): void {
    if (this.backlog !== null && !this.server.propagationSinks.includes(this.sink)) {
      this.server.propagationSinks.push(this.sink);
    }
  }

  /** Frees the backlog (repl-backlog-ttl passed with no replica, or a new history began). */
  freeBacklog(): void {
    this.backlog = null;
    this.stopFeedingCommands();
  }

  /**
   * A replica does not build a stream from its own changes: it forwards its
   * master's (feedStream). Called when this server becomes a replica.
   */
  stopFeedingCommands(): void {
    const at = this.server.propagationSinks.indexOf(this.sink);
    if (at !== -1) this.server.propagationSinks.splice(at, 1);
  }

  /** A master's change, as Redis's replicationFeedSlaves: SELECT when the database changes, then the command. */
  feedCommand(db: number, argv: string[]): void {
    let out = '';
    if (db !== this.selectedDb) {
      const n = String(db);
      out += `*2\r\n$6\r\nSELECT\r\n$${n.length}\r\n${n}\r\n`;
      this.selectedDb = db;
    }
    out += `*${argv.length}\r\n`;
    for (const a of argv) out += `$${a.length}\r\n${a}\r\n`;
    this.feedStream(Buffer.from(out, 'latin1'));
  }

  /** Stream bytes: into the backlog, the offset, and to every listening replica. */
  feedStream(bytes: Buffer): void {
    this.masterReplOffset += bytes.length;
    this.backlog?.append(bytes);
    for (const l of this.listeners) l.write(bytes);
  }

  /**
   * PSYNC2 on promotion (REPLICAOF NO ONE, FAILOVER): the old history stays
   * valid up to the current offset under replid2, so former siblings can
   * still resume partially; a new replid starts from here.
   */
  shiftReplicationId(): void {
    this.replId2 = this.replId;
    this.secondReplOffset = this.masterReplOffset + 1;
    this.replId = randomBytes(20).toString('hex');
    this.server.log.warning(
      `Setting secondary replication ID to ${this.replId2}, valid up to offset: ${this.secondReplOffset}. ` +
        `New replication ID is ${this.replId}`,
    );
  }

  /** Closes every replica's link (Redis's disconnectSlaves): they reconnect and resynchronise. */
  disconnectReplicas(): void {
    for (const c of [...this.server.clients.values()]) if (c.type === 'replica') c.close();
  }

  /**
   * repl-stream-db of an RDB saved now, as Redis's rdbPopulateSaveInfo: the
   * database the stream is in, so that a server restarted from the file can
   * resume it (a replica's master client's, a master's last SELECT). Null
   * when the file carries no replication info: a master with no backlog is
   * in no replication history, a replica with no master state has none to keep.
   */
  rdbStreamDb(): number | null {
    if (this.master === null) return this.backlog === null ? null : Math.max(this.selectedDb, 0);
    const db = this.master.streamDb();
    return db === -1 ? null : db;
  }

  /**
   * Before the dump is loaded at startup, a master creates its backlog: the
   * DELs of keys found expired in the file go into it (Redis's
   * RDBFLAGS_FEED_REPL), for the replicas that will resume after the restart.
   * Returns what the loader calls for each such key, or undefined on a replica.
   */
  prepareStartupLoad(): ((db: number, key: string) => void) | undefined {
    if (this.master !== null) return undefined;
    this.createBacklog();
    const del = this.server.config.getBool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL';
    return (db, key) => this.feedCommand(db, [del, key]);
  }

  /**
   * After the dump was loaded at startup (Redis's loadDataFromDisk): a
   * replica resumes the history the file was saved in; a master accepts it
   * as its secondary ID, the stream since the file (those DELs) on top of
   * its offset, so that its replicas resume partially. A master keeps no
   * backlog when the file had no replication info.
   */
  restoreFromDump(aux: Map<string, string> | null): void {
    const saved = aux === null ? null : savedReplicationInfo(aux);
    if (this.master !== null) {
      if (saved !== null) this.master.restoreFromDump(saved);
      return;
    }
    if (saved === null) {
      this.freeBacklog();
      return;
    }
    this.replId2 = saved.replId;
    this.secondReplOffset = saved.offset + 1;
    this.masterReplOffset += saved.offset;
    this.backlog?.rebase(saved.offset);
    this.noReplicasSince = Date.now();
  }

  /** A new history with no link to the previous one (Redis's changeReplicationId + clearReplicationId2). */
  newHistory(): void {
    this.replId = randomBytes(20).toString('hex');
    this.replId2 = noReplId;
    this.secondReplOffset = -1;
  }

  /** INFO replication's fields common to both roles, after the role-specific ones. */
  infoFields(): Array<[string, string | number]> {
    const b = this.backlog;
    return [
      ['master_replid', this.replId],
      ['master_replid2', this.replId2],
      ['master_repl_offset', this.masterReplOffset],
      ['second_repl_offset', this.secondReplOffset],
      ['repl_backlog_active', b ? 1 : 0],
      ['repl_backlog_size', this.server.config.getInt('repl-backlog-size')],
      ['repl_backlog_first_byte_offset', b ? b.firstOffset : 0],
      ['repl_backlog_histlen', b ? b.histlen : 0],
    ];
  }
}

/** The replication info of a loaded RDB file, or null when it has none (or an unusable one). */
function savedReplicationInfo(aux: Map<string, string>): SavedReplicationInfo | null {
  const replId = aux.get('repl-id');
  const offset = Number(aux.get('repl-offset') ?? -1);
  const db = Number(aux.get('repl-stream-db') ?? -1);
  if (replId === undefined || replId.length !== 40 || offset === -1 || !Number.isSafeInteger(offset) || db === -1) {
    return null;
  }
  return { replId, offset, db };
}
