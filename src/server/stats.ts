// Counters behind INFO stats / errorstats and CONFIG RESETSTAT.

/** Distinct error prefixes tracked in errorstats before new ones are folded away (Redis's ERRORSTATS_LIMIT). */
const errorKindsMax = 128;

export class Stats {
  totalConnectionsReceived = 0;
  totalCommandsProcessed = 0;
  rejectedConnections = 0;
  expiredKeys = 0;
  evictedKeys = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  totalErrorReplies = 0;
  /** Socket reads and writes, for INFO total_reads_processed / total_writes_processed. */
  readsProcessed = 0;
  writesProcessed = 0;
  /** Full and partial resynchronizations served to replicas (INFO sync_full, sync_partial_ok, sync_partial_err). */
  syncFull = 0;
  syncPartialOk = 0;
  syncPartialErr = 0;
  /** Bytes written to replicas: RDB payloads and the replication stream (INFO total_net_repl_output_bytes). */
  netReplOutputBytes = 0;
  /** Error prefix ("ERR", "WRONGTYPE", ...) → count, for INFO errorstats. */
  readonly errors = new Map<string, number>();
  /** Set when errorstats hit its limit: further new prefixes are not tracked. */
  errorsTruncated = false;
  /** Time spent over maxmemory in finished spells, and when the current one began (0: under it), in ms. */
  evictionExceededMs = 0;
  evictionExceededSince = 0;

  countError(message: string): void {
    this.totalErrorReplies++;
    const space = message.indexOf(' ');
    const kind = space === -1 ? message : message.slice(0, space);
    const n = this.errors.get(kind);
    if (n !== undefined) this.errors.set(kind, n + 1);
    else if (this.errors.size < errorKindsMax) this.errors.set(kind, 1);
    else this.errorsTruncated = true;
  }

  /** After each eviction check: whether memory is still over maxmemory (INFO *_eviction_exceeded_time). */
  noteEvictionState(exceeded: boolean): void {
    if (exceeded) {
      if (this.evictionExceededSince === 0) this.evictionExceededSince = performance.now();
    } else if (this.evictionExceededSince !== 0) {
      this.evictionExceededMs += performance.now() - this.evictionExceededSince;
      this.evictionExceededSince = 0;
    }
  }

  /** Milliseconds of the current spell over maxmemory (0 when under it). */
  currentEvictionExceededMs(): number {
    return this.evictionExceededSince === 0 ? 0 : performance.now() - this.evictionExceededSince;
  }

  reset(): void {
    this.totalConnectionsReceived = 0;
    this.totalCommandsProcessed = 0;
    this.rejectedConnections = 0;
    this.expiredKeys = 0;
    this.evictedKeys = 0;
    this.keyspaceHits = 0;
    this.keyspaceMisses = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.totalErrorReplies = 0;
    this.readsProcessed = 0;
    this.writesProcessed = 0;
    this.syncFull = 0;
    this.syncPartialOk = 0;
    this.syncPartialErr = 0;
    this.netReplOutputBytes = 0;
    this.errors.clear();
    this.errorsTruncated = false;
    this.evictionExceededMs = 0;
    this.evictionExceededSince = 0;
  }
}
