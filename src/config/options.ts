/**
 * The Tandem configuration option table.
 *
 * Every parameter that Redis 7.0 exposes through CONFIG GET is described here
 * as plain typed data: its name, optional alias, value type, default value
 * (written exactly the way CONFIG GET prints it) and its flags.
 *
 * Facts (names, bounds, defaults, flags, enum members) follow Redis 7.0.15.
 */

/** The C storage type of a numeric option. It decides how out-of-range
 *  input wraps and whether the bound check is signed or unsigned. */
export type NumericKind =
  | 'int' | 'uint' | 'long' | 'ulong' | 'longlong' | 'ulonglong'
  | 'size_t' | 'ssize_t' | 'off_t' | 'time_t';

/** The kind of a "special" option, one that has its own parser/printer. */
export type SpecialKind =
  | 'dir'
  | 'save'
  | 'client-output-buffer-limit'
  | 'oom-score-adj-values'
  | 'notify-keyspace-events'
  | 'bind'
  | 'replicaof'
  | 'latency-tracking-info-percentiles';

/** Value validators used by some string / enum options. */
export type StringValidator = 'dbfilename' | 'appendfilename' | 'appenddirname' | 'hostname' | 'proc-title-template';
export type EnumValidator = 'shutdown-flags';

export interface OptionFlags {
  /** Redis IMMUTABLE_CONFIG: refused by CONFIG SET. */
  immutable?: boolean;
  /** Redis PROTECTED_CONFIG: CONFIG SET only if enable-protected-configs allows it. */
  protected?: boolean;
  /** Redis SENSITIVE_CONFIG: the value must be redacted from logs / slowlog / monitor. */
  sensitive?: boolean;
  /** Redis HIDDEN_CONFIG: only returned by CONFIG GET on an exact (non glob) match. */
  hidden?: boolean;
  /** Redis DENY_LOADING_CONFIG: CONFIG SET refused with -LOADING while loading. */
  denyLoading?: boolean;
  /** Redis MULTI_ARG_CONFIG: takes several words in the config file, and a
   *  space separated value in CONFIG SET. */
  multiArg?: boolean;
  /** Redis DEBUG_CONFIG: listed by DEBUG CONFIG-REWRITE-FORCE-ALL style dumps. */
  debug?: boolean;
}

interface BaseOption extends OptionFlags {
  name: string;
  alias?: string;
  /** Default value exactly as CONFIG GET prints it. For `dir` the empty
   *  string stands for "the process working directory at startup". */
  default: string;
}

export interface BoolOption extends BaseOption {
  type: 'bool';
  /** 'activedefrag': enabling is refused (no jemalloc defrag support, like a
   *  Redis built without HAVE_DEFRAG). */
  validate?: 'activedefrag';
}

export interface EnumOption extends BaseOption {
  type: 'enum';
  /** Members in Redis's table order, with their internal values. When
   *  several names share one value, the first is the one printed. */
  values: ReadonlyArray<readonly [string, number]>;
  /** Bit-flag enum (several members may be combined, MULTI_ARG). */
  bitflags?: boolean;
  validate?: EnumValidator;
}

export interface NumericOptionBase extends BaseOption {
  kind: NumericKind;
  min: bigint;
  max: bigint;
}

/** Plain integer (optionally octal, like unixsocketperm). */
export interface IntOption extends NumericOptionBase {
  type: 'int';
  octal?: boolean;
}

/** Memory value: accepts 1gb / 100mb / 1k / plain bytes, printed as plain bytes. */
export interface MemoryOption extends NumericOptionBase {
  type: 'memory';
  /** Also accepts "N%" (stored as a negative number), like maxmemory-clients. */
  percent?: boolean;
}

export interface StringOption extends BaseOption {
  type: 'string';
  /** Redis EMPTY_STRING_IS_NULL: "" means "not set" (and is not rewritten). */
  emptyIsNull: boolean;
  validate?: StringValidator;
}

export interface SpecialOption extends BaseOption {
  type: 'special';
  special: SpecialKind;
}

export type OptionDef = BoolOption | EnumOption | IntOption | MemoryOption | StringOption | SpecialOption;
export type NumericOption = IntOption | MemoryOption;

// ---------------------------------------------------------------------------
// Limits of the C types used by Redis (LP64).
// ---------------------------------------------------------------------------
export const INT_MIN = -2147483648n;
export const INT_MAX = 2147483647n;
export const UINT_MAX = 4294967295n;
export const LONG_MAX = 9223372036854775807n;
export const LLONG_MAX = LONG_MAX;
export const SSIZE_MAX = LONG_MAX;
export const ULLONG_MAX = 18446744073709551615n;

// ---------------------------------------------------------------------------
// Enum member tables.
// ---------------------------------------------------------------------------
export const MAXMEMORY_POLICY_VALUES = [
  ['volatile-lru', 1], ['volatile-lfu', 2], ['volatile-random', 3], ['volatile-ttl', 4],
  ['allkeys-lru', 5], ['allkeys-lfu', 6], ['allkeys-random', 7], ['noeviction', 8],
] as const;
export const SYSLOG_FACILITY_VALUES = [
  ['user', 8], ['local0', 128], ['local1', 136], ['local2', 144], ['local3', 152],
  ['local4', 160], ['local5', 168], ['local6', 176], ['local7', 184],
] as const;
export const LOGLEVEL_VALUES = [['debug', 0], ['verbose', 1], ['notice', 2], ['warning', 3]] as const;
export const SUPERVISED_VALUES = [['upstart', 1], ['systemd', 2], ['auto', 3], ['no', 0]] as const;
export const APPENDFSYNC_VALUES = [['everysec', 2], ['always', 1], ['no', 0]] as const;
export const SHUTDOWN_ON_SIG_VALUES = [['default', 0], ['save', 1], ['nosave', 2], ['now', 4], ['force', 8]] as const;
export const REPL_DISKLESS_LOAD_VALUES = [['disabled', 0], ['on-empty-db', 1], ['swapdb', 2]] as const;
export const TLS_AUTH_CLIENTS_VALUES = [['no', 0], ['yes', 1], ['optional', 2]] as const;
export const OOM_SCORE_ADJ_VALUES = [['no', 0], ['yes', 1], ['relative', 1], ['absolute', 2]] as const;
export const ACL_PUBSUB_DEFAULT_VALUES = [['allchannels', 1], ['resetchannels', 0]] as const;
export const SANITIZE_DUMP_PAYLOAD_VALUES = [['no', 0], ['yes', 1], ['clients', 2]] as const;
export const PROTECTED_ACTION_VALUES = [['no', 0], ['yes', 1], ['local', 2]] as const;
export const CLUSTER_ENDPOINT_TYPE_VALUES = [['ip', 0], ['hostname', 1], ['unknown-endpoint', 2]] as const;
export const PROPAGATION_ERROR_BEHAVIOR_VALUES = [['ignore', 0], ['panic', 1], ['panic-on-replicas', 2]] as const;

// ---------------------------------------------------------------------------
// Table builders (keep the table below compact and readable).
// ---------------------------------------------------------------------------
function bool(
  name: string, alias: string | undefined, def: boolean, flags: OptionFlags = {}, validate?: 'activedefrag',
): BoolOption {
  return { type: 'bool', name, ...(alias ? { alias } : {}), default: def ? 'yes' : 'no', ...(validate ? { validate } : {}), ...flags };
}

function str(
  name: string, alias: string | undefined, def: string, emptyIsNull: boolean,
  flags: OptionFlags = {}, validate?: StringValidator,
): StringOption {
  return {
    type: 'string', name, ...(alias ? { alias } : {}), default: def, emptyIsNull,
    ...(validate ? { validate } : {}), ...flags,
  };
}

function enm(
  name: string, values: ReadonlyArray<readonly [string, number]>, def: string, flags: OptionFlags = {},
  extra: { bitflags?: boolean; validate?: EnumValidator } = {},
): EnumOption {
  return { type: 'enum', name, values, default: def, ...extra, ...flags };
}

function int(
  name: string, alias: string | undefined, kind: NumericKind, min: bigint, max: bigint, def: bigint,
  flags: OptionFlags = {}, octal = false,
): IntOption {
  return {
    type: 'int', name, ...(alias ? { alias } : {}), kind, min, max,
    default: octal ? def.toString(8) : def.toString(), ...(octal ? { octal } : {}), ...flags,
  };
}

function mem(
  name: string, alias: string | undefined, kind: NumericKind, min: bigint, max: bigint, def: bigint,
  flags: OptionFlags = {}, percent = false,
): MemoryOption {
  return {
    type: 'memory', name, ...(alias ? { alias } : {}), kind, min, max,
    default: def.toString(), ...(percent ? { percent } : {}), ...flags,
  };
}

function special(name: string, alias: string | undefined, kind: SpecialKind, def: string, flags: OptionFlags = {}): SpecialOption {
  return { type: 'special', name, ...(alias ? { alias } : {}), special: kind, default: def, ...flags };
}

const IMM: OptionFlags = { immutable: true };
const MB = 1024n * 1024n;

/** The option table, in Redis's table order. */
export const OPTIONS: readonly OptionDef[] = [
  // ----- bool -----
  bool('rdbchecksum', undefined, true, IMM),
  bool('daemonize', undefined, false, IMM),
  bool('io-threads-do-reads', undefined, false, { immutable: true, debug: true }),
  bool('always-show-logo', undefined, false, IMM),
  bool('protected-mode', undefined, true),
  bool('rdbcompression', undefined, true),
  bool('rdb-del-sync-files', undefined, false),
  bool('activerehashing', undefined, true),
  bool('stop-writes-on-bgsave-error', undefined, true),
  bool('set-proc-title', undefined, true, IMM),
  bool('dynamic-hz', undefined, true),
  bool('lazyfree-lazy-eviction', undefined, false, { debug: true }),
  bool('lazyfree-lazy-expire', undefined, false, { debug: true }),
  bool('lazyfree-lazy-server-del', undefined, false, { debug: true }),
  bool('lazyfree-lazy-user-del', undefined, false, { debug: true }),
  bool('lazyfree-lazy-user-flush', undefined, false, { debug: true }),
  bool('repl-disable-tcp-nodelay', undefined, false),
  bool('repl-diskless-sync', undefined, true, { debug: true }),
  bool('aof-rewrite-incremental-fsync', undefined, true),
  bool('no-appendfsync-on-rewrite', undefined, false),
  bool('cluster-require-full-coverage', undefined, true),
  bool('rdb-save-incremental-fsync', undefined, true),
  bool('aof-load-truncated', undefined, true),
  bool('aof-use-rdb-preamble', undefined, true),
  bool('aof-timestamp-enabled', undefined, false),
  bool('cluster-replica-no-failover', 'cluster-slave-no-failover', false),
  bool('replica-lazy-flush', 'slave-lazy-flush', false),
  bool('replica-serve-stale-data', 'slave-serve-stale-data', true),
  bool('replica-read-only', 'slave-read-only', true, { debug: true }),
  bool('replica-ignore-maxmemory', 'slave-ignore-maxmemory', true),
  bool('jemalloc-bg-thread', undefined, true),
  bool('activedefrag', undefined, false, { debug: true }, 'activedefrag'),
  bool('syslog-enabled', undefined, false, IMM),
  bool('cluster-enabled', undefined, false, IMM),
  bool('appendonly', undefined, false, { denyLoading: true }),
  bool('cluster-allow-reads-when-down', undefined, false),
  bool('cluster-allow-pubsubshard-when-down', undefined, true),
  bool('crash-log-enabled', undefined, true),
  bool('crash-memcheck-enabled', undefined, true),
  bool('use-exit-on-panic', undefined, false, { hidden: true }),
  bool('disable-thp', undefined, true, IMM),
  bool('cluster-allow-replica-migration', undefined, true),
  bool('replica-announced', undefined, true),
  bool('latency-tracking', undefined, true),
  bool('aof-disable-auto-gc', undefined, false),
  bool('replica-ignore-disk-write-errors', undefined, false),

  // ----- string -----
  str('aclfile', undefined, '', false, IMM),
  str('unixsocket', undefined, '', true, IMM),
  str('pidfile', undefined, '', true, IMM),
  str('replica-announce-ip', 'slave-announce-ip', '', true),
  str('masteruser', undefined, '', true, { sensitive: true }),
  str('cluster-announce-ip', undefined, '', true),
  str('cluster-config-file', undefined, 'nodes.conf', false, IMM),
  str('cluster-announce-hostname', undefined, '', true, {}, 'hostname'),
  str('syslog-ident', undefined, 'redis', false, IMM),
  str('dbfilename', undefined, 'dump.rdb', false, { protected: true }, 'dbfilename'),
  str('appendfilename', undefined, 'appendonly.aof', false, IMM, 'appendfilename'),
  str('appenddirname', undefined, 'appendonlydir', false, IMM, 'appenddirname'),
  str('server_cpulist', undefined, '', true, IMM),
  str('bio_cpulist', undefined, '', true, IMM),
  str('aof_rewrite_cpulist', undefined, '', true, IMM),
  str('bgsave_cpulist', undefined, '', true, IMM),
  str('ignore-warnings', undefined, '', false),
  str('proc-title-template', undefined, '{title} {listen-addr} {server-mode}', false, {}, 'proc-title-template'),
  str('bind-source-addr', undefined, '', true),
  str('logfile', undefined, '', false, IMM),
  str('masterauth', undefined, '', true, { sensitive: true }),
  str('requirepass', undefined, '', true, { sensitive: true }),

  // ----- enum -----
  enm('supervised', SUPERVISED_VALUES, 'no', IMM),
  enm('syslog-facility', SYSLOG_FACILITY_VALUES, 'local0', IMM),
  enm('repl-diskless-load', REPL_DISKLESS_LOAD_VALUES, 'disabled', { denyLoading: true, debug: true }),
  enm('loglevel', LOGLEVEL_VALUES, 'notice'),
  enm('maxmemory-policy', MAXMEMORY_POLICY_VALUES, 'noeviction'),
  enm('appendfsync', APPENDFSYNC_VALUES, 'everysec'),
  enm('oom-score-adj', OOM_SCORE_ADJ_VALUES, 'no'),
  enm('acl-pubsub-default', ACL_PUBSUB_DEFAULT_VALUES, 'resetchannels'),
  enm('sanitize-dump-payload', SANITIZE_DUMP_PAYLOAD_VALUES, 'no', { debug: true }),
  enm('enable-protected-configs', PROTECTED_ACTION_VALUES, 'no', IMM),
  enm('enable-debug-command', PROTECTED_ACTION_VALUES, 'no', IMM),
  enm('enable-module-command', PROTECTED_ACTION_VALUES, 'no', IMM),
  enm('cluster-preferred-endpoint-type', CLUSTER_ENDPOINT_TYPE_VALUES, 'ip'),
  enm('propagation-error-behavior', PROPAGATION_ERROR_BEHAVIOR_VALUES, 'ignore'),
  enm('shutdown-on-sigint', SHUTDOWN_ON_SIG_VALUES, 'default', { multiArg: true },
    { bitflags: true, validate: 'shutdown-flags' }),
  enm('shutdown-on-sigterm', SHUTDOWN_ON_SIG_VALUES, 'default', { multiArg: true },
    { bitflags: true, validate: 'shutdown-flags' }),

  // ----- int -----
  int('databases', undefined, 'int', 1n, INT_MAX, 16n, IMM),
  int('port', undefined, 'int', 0n, 65535n, 6379n),
  int('io-threads', undefined, 'int', 1n, 128n, 1n, { immutable: true, debug: true }),
  int('auto-aof-rewrite-percentage', undefined, 'int', 0n, INT_MAX, 100n),
  int('cluster-replica-validity-factor', 'cluster-slave-validity-factor', 'int', 0n, INT_MAX, 10n),
  int('list-max-listpack-size', 'list-max-ziplist-size', 'int', INT_MIN, INT_MAX, -2n),
  int('tcp-keepalive', undefined, 'int', 0n, INT_MAX, 300n),
  int('cluster-migration-barrier', undefined, 'int', 0n, INT_MAX, 1n),
  int('active-defrag-cycle-min', undefined, 'int', 1n, 99n, 1n),
  int('active-defrag-cycle-max', undefined, 'int', 1n, 99n, 25n),
  int('active-defrag-threshold-lower', undefined, 'int', 0n, 1000n, 10n),
  int('active-defrag-threshold-upper', undefined, 'int', 0n, 1000n, 100n),
  int('lfu-log-factor', undefined, 'int', 0n, INT_MAX, 10n),
  int('lfu-decay-time', undefined, 'int', 0n, INT_MAX, 1n),
  int('replica-priority', 'slave-priority', 'int', 0n, INT_MAX, 100n),
  int('repl-diskless-sync-delay', undefined, 'int', 0n, INT_MAX, 5n),
  int('maxmemory-samples', undefined, 'int', 1n, INT_MAX, 5n),
  int('maxmemory-eviction-tenacity', undefined, 'int', 0n, 100n, 10n),
  int('timeout', undefined, 'int', 0n, INT_MAX, 0n),
  int('replica-announce-port', 'slave-announce-port', 'int', 0n, 65535n, 0n),
  int('tcp-backlog', undefined, 'int', 0n, INT_MAX, 511n, IMM),
  int('cluster-port', undefined, 'int', 0n, 65535n, 0n, IMM),
  int('cluster-announce-bus-port', undefined, 'int', 0n, 65535n, 0n),
  int('cluster-announce-port', undefined, 'int', 0n, 65535n, 0n),
  int('cluster-announce-tls-port', undefined, 'int', 0n, 65535n, 0n),
  int('repl-timeout', undefined, 'int', 1n, INT_MAX, 60n),
  int('repl-ping-replica-period', 'repl-ping-slave-period', 'int', 1n, INT_MAX, 10n),
  int('list-compress-depth', undefined, 'int', 0n, INT_MAX, 0n, { debug: true }),
  int('rdb-key-save-delay', undefined, 'int', INT_MIN, INT_MAX, 0n, { hidden: true }),
  int('key-load-delay', undefined, 'int', INT_MIN, INT_MAX, 0n, { hidden: true }),
  int('active-expire-effort', undefined, 'int', 1n, 10n, 1n),
  int('hz', undefined, 'int', 0n, INT_MAX, 10n),
  int('min-replicas-to-write', 'min-slaves-to-write', 'int', 0n, INT_MAX, 0n),
  int('min-replicas-max-lag', 'min-slaves-max-lag', 'int', 0n, INT_MAX, 10n),
  int('watchdog-period', undefined, 'int', 0n, INT_MAX, 0n, { hidden: true }),
  int('shutdown-timeout', undefined, 'int', 0n, INT_MAX, 10n),
  int('repl-diskless-sync-max-replicas', undefined, 'int', 0n, INT_MAX, 0n),

  // unsigned int
  int('maxclients', undefined, 'uint', 1n, UINT_MAX, 10000n),
  int('unixsocketperm', undefined, 'uint', 0n, 0o777n, 0n, IMM, true),
  int('socket-mark-id', undefined, 'uint', 0n, UINT_MAX, 0n, IMM),

  // unsigned long
  int('active-defrag-max-scan-fields', undefined, 'ulong', 1n, LONG_MAX, 1000n),
  int('slowlog-max-len', undefined, 'ulong', 0n, LONG_MAX, 128n),
  int('acllog-max-len', undefined, 'ulong', 0n, LONG_MAX, 128n),

  // long long
  int('busy-reply-threshold', 'lua-time-limit', 'longlong', 0n, LONG_MAX, 5000n),
  int('cluster-node-timeout', undefined, 'longlong', 0n, LLONG_MAX, 15000n),
  int('slowlog-log-slower-than', undefined, 'longlong', -1n, LLONG_MAX, 10000n),
  int('latency-monitor-threshold', undefined, 'longlong', 0n, LLONG_MAX, 0n),
  mem('proto-max-bulk-len', undefined, 'longlong', MB, LONG_MAX, 512n * MB, { debug: true }),
  int('stream-node-max-entries', undefined, 'longlong', 0n, LLONG_MAX, 100n),
  mem('repl-backlog-size', undefined, 'longlong', 1n, LLONG_MAX, MB),

  // unsigned long long
  mem('maxmemory', undefined, 'ulonglong', 0n, ULLONG_MAX, 0n),
  mem('cluster-link-sendbuf-limit', undefined, 'ulonglong', 0n, ULLONG_MAX, 0n),

  // size_t / ssize_t
  int('hash-max-listpack-entries', 'hash-max-ziplist-entries', 'size_t', 0n, LONG_MAX, 512n),
  int('set-max-intset-entries', undefined, 'size_t', 0n, LONG_MAX, 512n),
  int('zset-max-listpack-entries', 'zset-max-ziplist-entries', 'size_t', 0n, LONG_MAX, 128n),
  mem('active-defrag-ignore-bytes', undefined, 'size_t', 1n, LLONG_MAX, 100n * MB),
  mem('hash-max-listpack-value', 'hash-max-ziplist-value', 'size_t', 0n, LONG_MAX, 64n),
  mem('stream-node-max-bytes', undefined, 'size_t', 0n, LONG_MAX, 4096n),
  mem('zset-max-listpack-value', 'zset-max-ziplist-value', 'size_t', 0n, LONG_MAX, 64n),
  mem('hll-sparse-max-bytes', undefined, 'size_t', 0n, LONG_MAX, 3000n),
  int('tracking-table-max-keys', undefined, 'size_t', 0n, LONG_MAX, 1000000n),
  mem('client-query-buffer-limit', undefined, 'size_t', MB, LONG_MAX, 1024n * MB, { debug: true }),
  mem('maxmemory-clients', undefined, 'ssize_t', -100n, SSIZE_MAX, 0n, {}, true),

  // time_t / off_t
  int('repl-backlog-ttl', undefined, 'time_t', 0n, LONG_MAX, 3600n),
  mem('auto-aof-rewrite-min-size', undefined, 'off_t', 0n, LLONG_MAX, 64n * MB),
  int('loading-process-events-interval-bytes', undefined, 'off_t', 1024n, INT_MAX, 2n * MB, { hidden: true }),

  // ----- TLS (accepted and reported like a TLS-enabled Redis build) -----
  int('tls-port', undefined, 'int', 0n, 65535n, 0n),
  int('tls-session-cache-size', undefined, 'int', 0n, INT_MAX, 20480n),
  int('tls-session-cache-timeout', undefined, 'int', 0n, INT_MAX, 300n),
  bool('tls-cluster', undefined, false),
  bool('tls-replication', undefined, false),
  enm('tls-auth-clients', TLS_AUTH_CLIENTS_VALUES, 'yes'),
  bool('tls-prefer-server-ciphers', undefined, false),
  bool('tls-session-caching', undefined, true),
  str('tls-cert-file', undefined, '', true),
  str('tls-key-file', undefined, '', true),
  str('tls-key-file-pass', undefined, '', true, { sensitive: true }),
  str('tls-client-cert-file', undefined, '', true),
  str('tls-client-key-file', undefined, '', true),
  str('tls-client-key-file-pass', undefined, '', true, { sensitive: true }),
  str('tls-dh-params-file', undefined, '', true),
  str('tls-ca-cert-file', undefined, '', true),
  str('tls-ca-cert-dir', undefined, '', true),
  str('tls-protocols', undefined, '', true),
  str('tls-ciphers', undefined, '', true),
  str('tls-ciphersuites', undefined, '', true),

  // ----- special -----
  special('dir', undefined, 'dir', '', { protected: true, denyLoading: true }),
  special('save', undefined, 'save', '3600 1 300 100 60 10000', { multiArg: true }),
  special('client-output-buffer-limit', undefined, 'client-output-buffer-limit',
    'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', { multiArg: true }),
  special('oom-score-adj-values', undefined, 'oom-score-adj-values', '0 200 800', { multiArg: true }),
  special('notify-keyspace-events', undefined, 'notify-keyspace-events', ''),
  special('bind', undefined, 'bind', '* -::*', { multiArg: true }),
  special('replicaof', 'slaveof', 'replicaof', '', { immutable: true, multiArg: true }),
  special('latency-tracking-info-percentiles', undefined, 'latency-tracking-info-percentiles', '50 99 99.9',
    { multiArg: true }),
];

/**
 * Directives accepted in a config file that are not options (not visible
 * through CONFIG GET). Parsed by src/config/parse.ts and stored on Config.
 */
export const FILE_DIRECTIVES = ['include', 'rename-command', 'user', 'loadmodule', 'sentinel'] as const;

/** Deprecated directives silently ignored when they have exactly this many
 *  words (directive name included). */
export const DEPRECATED_DIRECTIVES: ReadonlyArray<readonly [string, number, number]> = [
  ['list-max-ziplist-entries', 2, 2],
  ['list-max-ziplist-value', 2, 2],
  ['lua-replicate-commands', 2, 2],
];

/** Maximum number of bind addresses (CONFIG_BINDADDR_MAX). */
export const BINDADDR_MAX = 16;
/** Smallest replication backlog applied by CONFIG SET (CONFIG_REPL_BACKLOG_MIN_SIZE). */
export const REPL_BACKLOG_MIN_SIZE = 16 * 1024;
/** The hz option is clamped into this range (CONFIG_MIN_HZ / CONFIG_MAX_HZ). */
export const MIN_HZ = 1;
export const MAX_HZ = 500;

/** Keyspace notification flags (notify-keyspace-events). */
export const NOTIFY_KEYSPACE = 1 << 0;  // K
export const NOTIFY_KEYEVENT = 1 << 1;  // E
export const NOTIFY_GENERIC = 1 << 2;   // g
export const NOTIFY_STRING = 1 << 3;    // $
export const NOTIFY_LIST = 1 << 4;      // l
export const NOTIFY_SET = 1 << 5;       // s
export const NOTIFY_HASH = 1 << 6;      // h
export const NOTIFY_ZSET = 1 << 7;      // z
export const NOTIFY_EXPIRED = 1 << 8;   // x
export const NOTIFY_EVICTED = 1 << 9;   // e
export const NOTIFY_STREAM = 1 << 10;   // t
export const NOTIFY_KEY_MISS = 1 << 11; // m (not part of A)
export const NOTIFY_LOADED = 1 << 12;   // module only
export const NOTIFY_MODULE = 1 << 13;   // d
export const NOTIFY_NEW = 1 << 14;      // n (not part of A)
export const NOTIFY_ALL = NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH |
  NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE; // A

/** Shutdown flags used by shutdown-on-sigint / shutdown-on-sigterm. */
export const SHUTDOWN_SAVE = 1;
export const SHUTDOWN_NOSAVE = 2;
export const SHUTDOWN_NOW = 4;
export const SHUTDOWN_FORCE = 8;

/** Lookup table: lower-case name or alias -> [definition, isAlias]. */
export const OPTION_INDEX: ReadonlyMap<string, { def: OptionDef; alias: boolean }> = (() => {
  const m = new Map<string, { def: OptionDef; alias: boolean }>();
  for (const def of OPTIONS) {
    if (m.has(def.name)) throw new Error(`duplicate config option ${def.name}`);
    m.set(def.name, { def, alias: false });
    if (def.alias) {
      if (m.has(def.alias)) throw new Error(`duplicate config option ${def.alias}`);
      m.set(def.alias, { def, alias: true });
    }
  }
  return m;
})();

/** Find an option by name or alias (case-insensitive). */
export function lookupOption(name: string): { def: OptionDef; alias: boolean } | undefined {
  return OPTION_INDEX.get(name) ?? OPTION_INDEX.get(name.toLowerCase());
}
