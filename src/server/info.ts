// INFO: the sections Redis 7.0 prints, with the same field names in the same
// order, filled with what Tandem measures. Fields for features Tandem does not
// have (forks, AOF, modules, cluster, active defrag) keep Redis's idle values.
//
// used_memory is V8's heapUsed + external: the JS objects holding keys, values
// and client state plus the Buffers behind sockets and large values. It is the
// closest analogue of Redis's zmalloc_used_memory(); rss comes from the OS.

import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Server } from './server.js';
import type { Stats } from './stats.js';
import { redisVersion, tandemVersion } from '../version.js';

/** Samples averaged by the instantaneous_* fields (Redis's STATS_METRIC_SAMPLES). */
const metricSamples = 16;
/** How often the cron takes a sample, as Redis's run_with_period(100). */
const metricSamplePeriodMs = 100;

const buildId = createHash('sha1').update(`tandem-${tandemVersion}`).digest('hex').slice(0, 16);

/** Bytes the server's data and state use: V8 heap in use plus memory held outside it (Buffers). */
function usedMemory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** A rate averaged over the last samples, as Redis's trackInstantaneousMetric. */
class InstantaneousMetric {
  private readonly samples = new Array<number>(metricSamples).fill(0);
  private next = 0;
  private lastTime = Date.now();
  private lastCount = 0;

  sample(count: number, now: number): void {
    const elapsed = now - this.lastTime;
    this.samples[this.next] = elapsed > 0 ? Math.floor(((count - this.lastCount) * 1000) / elapsed) : 0;
    this.next = (this.next + 1) % metricSamples;
    this.lastTime = now;
    this.lastCount = count;
  }

  /** Per second, averaged. */
  get value(): number {
    let sum = 0;
    for (const s of this.samples) sum += s;
    return Math.floor(sum / metricSamples);
  }

  reset(count: number): void {
    this.samples.fill(0);
    this.next = 0;
    this.lastTime = Date.now();
    this.lastCount = count;
  }
}

/** Measurements the cron keeps for INFO: rates and the memory peak. */
export class ServerMetrics {
  readonly startupMemory = usedMemory();
  peakMemory = this.startupMemory;
  private readonly ops = new InstantaneousMetric();
  private readonly netInput = new InstantaneousMetric();
  private readonly netOutput = new InstantaneousMetric();
  private lastSample = 0;

  /** Called from the cron; samples at most every metricSamplePeriodMs. */
  cron(stats: Stats): void {
    const now = Date.now();
    if (now - this.lastSample >= metricSamplePeriodMs) {
      this.lastSample = now;
      this.ops.sample(stats.totalCommandsProcessed, now);
      this.netInput.sample(stats.netInputBytes, now);
      this.netOutput.sample(stats.netOutputBytes, now);
    }
    this.notePeak(usedMemory());
  }

  notePeak(used: number): void {
    if (used > this.peakMemory) this.peakMemory = used;
  }

  get opsPerSec(): number {
    return this.ops.value;
  }
  get inputBytesPerSec(): number {
    return this.netInput.value;
  }
  get outputBytesPerSec(): number {
    return this.netOutput.value;
  }

  /** CONFIG RESETSTAT: the rates start over from the (reset) counters. */
  reset(stats: Stats): void {
    this.ops.reset(stats.totalCommandsProcessed);
    this.netInput.reset(stats.netInputBytes);
    this.netOutput.reset(stats.netOutputBytes);
  }
}

/** Redis's bytesToHuman. */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  for (let i = 0; i < units.length; i++) {
    if (n < 1024 ** (i + 2)) return `${(n / 1024 ** (i + 1)).toFixed(2)}${units[i]}`;
  }
  return `${n}B`;
}

/** Seconds with microseconds, as Redis prints CPU times ("%ld.%06ld"). */
function cpuSeconds(usec: number): string {
  return `${Math.floor(usec / 1e6)}.${String(usec % 1e6).padStart(6, '0')}`;
}

function ratio(a: number, b: number): string {
  return (b === 0 ? 0 : a / b).toFixed(2);
}

type Fields = Array<[string, string | number]>;

function render(title: string, fields: Fields): string {
  let out = `# ${title}\r\n`;
  for (const [k, v] of fields) out += `${k}:${v}\r\n`;
  return out;
}

/** Memory figures shared by INFO memory and MEMORY STATS. */
export interface MemoryOverview {
  used: number;
  rss: number;
  peak: number;
  startup: number;
  clientsNormal: number;
  overhead: number;
  dataset: number;
  allocated: number;
  active: number;
  resident: number;
}

export function memoryOverview(server: Server): MemoryOverview {
  const m = process.memoryUsage();
  const used = m.heapUsed + m.external;
  server.metrics.notePeak(used);
  let clientsNormal = 0;
  for (const c of server.clients.values()) {
    clientsNormal += c.queryBufferBytes + c.queryBufferFreeBytes + c.pendingReplyBytes;
  }
  const startup = server.metrics.startupMemory;
  const overhead = Math.min(used, startup + clientsNormal);
  return {
    used,
    rss: m.rss,
    peak: server.metrics.peakMemory,
    startup,
    clientsNormal,
    overhead,
    dataset: used - overhead,
    allocated: used,
    active: m.heapTotal + m.external,
    resident: m.rss,
  };
}

function serverSection(server: Server): Fields {
  const now = Date.now();
  const uptime = Math.floor((now - server.startedAt) / 1000);
  const hz = server.config.getInt('hz');
  return [
    ['redis_version', redisVersion],
    ['tandem_version', tandemVersion],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', buildId],
    ['redis_mode', 'standalone'],
    ['os', `${os.type()} ${os.release()} ${os.machine()}`],
    ['arch_bits', 64],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', process.platform === 'linux' ? 'epoll' : process.platform === 'win32' ? 'iocp' : 'kqueue'],
    ['atomicvar_api', 'c11-builtin'],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', server.runId],
    ['tcp_port', server.tcpPort],
    ['server_time_usec', Math.round((performance.timeOrigin + performance.now()) * 1000)],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', hz],
    ['configured_hz', hz],
    ['lru_clock', server.lruClock()],
    ['executable', process.argv[1] ? path.resolve(process.argv[1]) : process.execPath],
    ['config_file', server.config.configFile ?? ''],
    ['io_threads_active', 0],
  ];
}

function clientsSection(server: Server): Fields {
  let maxIn = 0;
  let maxOut = 0;
  for (const c of server.clients.values()) {
    maxIn = Math.max(maxIn, c.queryBufferBytes + c.queryBufferFreeBytes);
    maxOut = Math.max(maxOut, c.pendingReplyBytes);
  }
  return [
    ['connected_clients', server.clients.size],
    ['cluster_connections', 0],
    ['maxclients', server.config.getInt('maxclients')],
    ['client_recent_max_input_buffer', maxIn],
    ['client_recent_max_output_buffer', maxOut],
    // Clients whose command waits for CLIENT PAUSE count as blocked too, as in Redis 7.0.
    ['blocked_clients', server.blocking.blockedCount + server.pausedClients.size],
    ['tracking_clients', 0],
    ['clients_in_timeout_table', server.blocking.withTimeoutCount],
  ];
}

function memorySection(server: Server): Fields {
  const mem = memoryOverview(server);
  const maxmemory = server.config.getInt('maxmemory');
  const netOfStartup = mem.used - mem.startup;
  return [
    ['used_memory', mem.used],
    ['used_memory_human', bytesToHuman(mem.used)],
    ['used_memory_rss', mem.rss],
    ['used_memory_rss_human', bytesToHuman(mem.rss)],
    ['used_memory_peak', mem.peak],
    ['used_memory_peak_human', bytesToHuman(mem.peak)],
    ['used_memory_peak_perc', `${((mem.used * 100) / mem.peak).toFixed(2)}%`],
    ['used_memory_overhead', mem.overhead],
    ['used_memory_startup', mem.startup],
    ['used_memory_dataset', mem.dataset],
    ['used_memory_dataset_perc', `${(netOfStartup > 0 ? (mem.dataset * 100) / netOfStartup : 0).toFixed(2)}%`],
    ['allocator_allocated', mem.allocated],
    ['allocator_active', mem.active],
    ['allocator_resident', mem.resident],
    ['total_system_memory', os.totalmem()],
    ['total_system_memory_human', bytesToHuman(os.totalmem())],
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', '0B'],
    ['used_memory_scripts_eval', 0],
    ['number_of_cached_scripts', 0],
    ['number_of_functions', 0],
    ['number_of_libraries', 0],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', '0B'],
    ['used_memory_functions', 0],
    ['used_memory_scripts', 0],
    ['used_memory_scripts_human', '0B'],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', server.config.getEnum('maxmemory-policy')],
    ['allocator_frag_ratio', ratio(mem.active, mem.allocated)],
    ['allocator_frag_bytes', mem.active - mem.allocated],
    ['allocator_rss_ratio', ratio(mem.resident, mem.active)],
    ['allocator_rss_bytes', mem.resident - mem.active],
    ['rss_overhead_ratio', ratio(mem.rss, mem.resident)],
    ['rss_overhead_bytes', mem.rss - mem.resident],
    ['mem_fragmentation_ratio', ratio(mem.rss, mem.used)],
    ['mem_fragmentation_bytes', mem.rss - mem.used],
    ['mem_not_counted_for_evict', 0],
    ['mem_replication_backlog', 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', mem.clientsNormal],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', `v8-${process.versions.v8}`],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', 0],
    ['lazyfreed_objects', 0],
  ];
}

function persistenceSection(server: Server): Fields {
  return [
    ...server.persistence.infoFields(),
    ...server.aof.infoFields(),
    ...server.persistence.loadingFields(),
  ];
}

function statsSection(server: Server): Fields {
  const s = server.stats;
  const m = server.metrics;
  return [
    ['total_connections_received', s.totalConnectionsReceived],
    ['total_commands_processed', s.totalCommandsProcessed],
    ['instantaneous_ops_per_sec', m.opsPerSec],
    ['total_net_input_bytes', s.netInputBytes],
    ['total_net_output_bytes', s.netOutputBytes],
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', s.netReplOutputBytes],
    ['instantaneous_input_kbps', (m.inputBytesPerSec / 1024).toFixed(2)],
    ['instantaneous_output_kbps', (m.outputBytesPerSec / 1024).toFixed(2)],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', s.rejectedConnections],
    ['sync_full', s.syncFull],
    ['sync_partial_ok', s.syncPartialOk],
    ['sync_partial_err', s.syncPartialErr],
    ['expired_keys', s.expiredKeys],
    ['expired_stale_perc', '0.00'],
    ['expired_time_cap_reached_count', 0],
    ['expire_cycle_cpu_milliseconds', 0],
    ['evicted_keys', s.evictedKeys],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', Math.floor(s.evictionExceededMs + s.currentEvictionExceededMs())],
    ['current_eviction_exceeded_time', Math.floor(s.currentEvictionExceededMs())],
    ['keyspace_hits', s.keyspaceHits],
    ['keyspace_misses', s.keyspaceMisses],
    ['pubsub_channels', server.pubsub.channels.entries.size],
    ['pubsub_patterns', server.pubsub.patterns.entries.size],
    ['pubsubshard_channels', server.pubsub.shardChannels.entries.size],
    ['latest_fork_usec', 0],
    ['total_forks', 0],
    ['migrate_cached_sockets', 0],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', 0],
    ['tracking_total_items', 0],
    ['tracking_total_prefixes', 0],
    ['unexpected_error_replies', 0],
    ['total_error_replies', s.totalErrorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', s.readsProcessed],
    ['total_writes_processed', s.writesProcessed],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', 0],
    ['reply_buffer_expands', 0],
  ];
}

function replicationSection(server: Server): Fields {
  const link = server.replication.master;
  return [
    ['role', link !== null ? 'slave' : 'master'],
    ...(link !== null ? link.infoFields() : []),
    ...server.replication.primary.infoFields(),
    ...server.replication.infoFields(),
  ];
}

function cpuSection(): Fields {
  const cpu = process.cpuUsage();
  return [
    ['used_cpu_sys', cpuSeconds(cpu.system)],
    ['used_cpu_user', cpuSeconds(cpu.user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    // Node gives no per-thread figure; the event loop thread does nearly all the work.
    ['used_cpu_sys_main_thread', cpuSeconds(cpu.system)],
    ['used_cpu_user_main_thread', cpuSeconds(cpu.user)],
  ];
}

function commandStatsSection(server: Server): Fields {
  const out: Fields = [];
  for (const cmd of server.commands.allWithSubcommands()) {
    if (cmd.calls === 0 && cmd.failedCalls === 0 && cmd.rejectedCalls === 0) continue;
    const perCall = cmd.calls === 0 ? 0 : cmd.usec / cmd.calls;
    out.push([
      `cmdstat_${cmd.fullName}`,
      `calls=${cmd.calls},usec=${cmd.usec},usec_per_call=${perCall.toFixed(2)},` +
        `rejected_calls=${cmd.rejectedCalls},failed_calls=${cmd.failedCalls}`,
    ]);
  }
  return out;
}

function errorStatsSection(server: Server): Fields {
  return [...server.stats.errors.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([kind, n]): [string, string] => [`errorstat_${kind}`, `count=${n}`]);
}

/** "%f" of a percentile with trailing zeros trimmed, as Redis's trimDoubleString. */
function percentileLabel(p: number): string {
  return p.toFixed(6).replace(/\.?0+$/, '');
}

function latencyStatsSection(server: Server): Fields {
  const percentiles = server.config.getLatencyPercentiles();
  const out: Fields = [];
  for (const cmd of server.commands.allWithSubcommands()) {
    const h = server.latency.histograms.get(cmd);
    if (h === undefined) continue;
    const values = percentiles.map((p) => `p${percentileLabel(p)}=${(h.valueAtPercentile(p) / 1000).toFixed(3)}`);
    out.push([`latency_percentiles_usec_${cmd.fullName}`, values.join(',')]);
  }
  return out;
}

/** Average remaining TTL in ms over keys with a TTL; sampled on very large databases. */
function averageTtl(server: Server, expires: ReadonlyMap<string, number>): number {
  const sampleMax = 100_000;
  const now = server.now();
  let sum = 0;
  let n = 0;
  for (const at of expires.values()) {
    if (at > now) {
      sum += at - now;
      n++;
    }
    if (n >= sampleMax) break;
  }
  return n === 0 ? 0 : Math.floor(sum / n);
}

function keyspaceSection(server: Server): Fields {
  const out: Fields = [];
  for (const db of server.dbs) {
    if (db.size === 0 && db.expires.size === 0) continue;
    out.push([`db${db.id}`, `keys=${db.size},expires=${db.expires.size},avg_ttl=${averageTtl(server, db.expires)}`]);
  }
  return out;
}

interface Section {
  name: string;
  title: string;
  inDefault: boolean;
  fields: (server: Server) => Fields;
}

const sections: readonly Section[] = [
  { name: 'server', title: 'Server', inDefault: true, fields: serverSection },
  { name: 'clients', title: 'Clients', inDefault: true, fields: clientsSection },
  { name: 'memory', title: 'Memory', inDefault: true, fields: memorySection },
  { name: 'persistence', title: 'Persistence', inDefault: true, fields: persistenceSection },
  { name: 'stats', title: 'Stats', inDefault: true, fields: statsSection },
  { name: 'replication', title: 'Replication', inDefault: true, fields: replicationSection },
  { name: 'cpu', title: 'CPU', inDefault: true, fields: cpuSection },
  { name: 'modules', title: 'Modules', inDefault: true, fields: () => [] },
  { name: 'commandstats', title: 'Commandstats', inDefault: false, fields: commandStatsSection },
  { name: 'errorstats', title: 'Errorstats', inDefault: true, fields: errorStatsSection },
  { name: 'latencystats', title: 'Latencystats', inDefault: false, fields: latencyStatsSection },
  { name: 'cluster', title: 'Cluster', inDefault: true, fields: () => [['cluster_enabled', 0]] },
  { name: 'keyspace', title: 'Keyspace', inDefault: true, fields: keyspaceSection },
];

/**
 * The INFO text for the given arguments: none means the default sections;
 * "default", "all" and "everything" select groups; other names (any case)
 * select one section each ("module_list" is an alias of "modules"); unknown
 * names select nothing.
 */
export function infoText(server: Server, args: readonly string[]): string {
  let all = false;
  const wanted = new Set<string>();
  if (args.length === 0) args = ['default'];
  for (const arg of args) {
    const name = arg.toLowerCase();
    if (name === 'all' || name === 'everything') {
      all = true;
    } else if (name === 'default') {
      for (const s of sections) if (s.inDefault) wanted.add(s.name);
    } else {
      wanted.add(name === 'module_list' ? 'modules' : name);
    }
  }
  const parts: string[] = [];
  for (const s of sections) {
    if (all || wanted.has(s.name)) parts.push(render(s.title, s.fields(server)));
  }
  return parts.join('\r\n');
}
