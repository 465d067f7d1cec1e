/**
 * redis.conf parsing and redis-server style command line handling.
 *
 * Errors: parseConfigText() throws ConfigFileError; its `message` is the text
 * Redis prints on stderr before exiting, e.g.
 *
 *   *** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***
 *   Reading the configuration file, at line 2
 *   >>> 'foo bar'
 *   Bad directive or wrong number of arguments
 *
 * (Redis surrounds it with a leading and a trailing newline: see
 * ConfigFileError.stderrText.) loadServerConfig() never throws for
 * configuration problems: it returns the text in `error`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Config } from './config.js';
import { strerror } from './values.js';
import { globMatch } from '../util/glob.js';
import { catRepr as catReprBytes, splitArgs as splitByteArgs } from '../util/splitargs.js';

/** Redis version reported in configuration error banners. */
export const REDIS_COMPAT_VERSION = '7.0.15';

// ---------------------------------------------------------------------------
// sdssplitargs / sdscatrepr equivalents
// ---------------------------------------------------------------------------

/** sdssplitargs over a line of UTF-8 text: arguments come back as text. */
export function splitArgs(line: string): string[] | null {
  const args = splitByteArgs(Buffer.from(line, 'utf8').toString('latin1'));
  return args === null ? null : args.map((a) => Buffer.from(a, 'latin1').toString('utf8'));
}

/** sdscatrepr of UTF-8 text (bytes outside printable ASCII become \xHH). */
export function catRepr(s: string): string {
  return catReprBytes(Buffer.from(s, 'utf8').toString('latin1'));
}

/** sdstrim(s, " \t\r\n") */
function trimConfigLine(s: string): string {
  return s.replace(/^[ \t\r\n]+/, '').replace(/[ \t\r\n]+$/, '');
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

export class ConfigFileError extends Error {
  /** The bare reason, e.g. "Bad directive or wrong number of arguments". */
  readonly reason: string;
  /** 1-based line number within the text being parsed, if any. */
  readonly lineNumber: number | undefined;
  /** The offending (trimmed) line, if any. */
  readonly lineText: string | undefined;
  /** Exactly what redis-server writes to stderr. */
  readonly stderrText: string;

  constructor(message: string, reason: string, lineNumber?: number, lineText?: string, stderrText?: string) {
    super(message);
    this.name = 'ConfigFileError';
    this.reason = reason;
    this.lineNumber = lineNumber;
    this.lineText = lineText;
    this.stderrText = stderrText ?? `\n${message}\n`;
  }
}

function fatal(version: string, reason: string, lineNumber?: number, lineText?: string): ConfigFileError {
  let msg = `*** FATAL CONFIG FILE ERROR (Redis ${version}) ***\n`;
  if (lineNumber !== undefined) {
    msg += `Reading the configuration file, at line ${lineNumber}\n`;
    msg += `>>> '${lineText ?? ''}'\n`;
  }
  msg += reason;
  return new ConfigFileError(msg, reason, lineNumber, lineText);
}

function cantOpen(file: string, e: unknown): ConfigFileError {
  const msg = `Fatal error, can't open config file '${file}': ${strerror(e)}`;
  return new ConfigFileError(msg, strerror(e), undefined, undefined, msg + '\n');
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

export interface ParseOptions {
  /** Version shown in the FATAL banner (default 7.0.15). */
  version?: string;
  /** Check that `logfile` can be opened for appending, like Redis (default true). */
  checkLogfile?: boolean;
  /** If given, `rename-command` of an unknown command is an error, like Redis. */
  isKnownCommand?: (name: string) => boolean;
  /** Include nesting guard (default 64). */
  maxIncludeDepth?: number;
}

interface ParseState {
  depth: number;
}

/**
 * Parse configuration text (the content of a redis.conf) into `config`
 * (a new Config with defaults if omitted) and return it.
 * `include` paths are relative to the current `dir` (Redis resolves them
 * against its working directory, which `dir` lines change).
 * Throws ConfigFileError.
 */
export function parseConfigText(text: string, config: Config = new Config(), opts: ParseOptions = {}): Config {
  parseInto(text, config, opts, { depth: 0 });
  return config;
}

function parseInto(text: string, config: Config, opts: ParseOptions, st: ParseState): void {
  const version = opts.version ?? REDIS_COMPAT_VERSION;
  config.setReadingConfigFile(true);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = trimConfigLine(lines[i]!);
    if (line === '' || line[0] === '#') continue;
    const argv = splitArgs(line);
    if (argv === null) throw fatal(version, 'Unbalanced quotes in configuration line', i + 1, line);
    if (argv.length === 0) continue;
    const name = argv[0]!.toLowerCase();
    if (name === 'include' && argv.length === 2) {
      includeFile(argv[1]!, config, opts, st);
      continue;
    }
    if (name === 'rename-command' && argv.length === 3 && opts.isKnownCommand && !opts.isKnownCommand(argv[1]!)) {
      throw fatal(version, 'No such command in rename-command', i + 1, line);
    }
    const err = config.setFromConfigFile(name, argv.slice(1));
    if (err !== null) throw fatal(version, err, i + 1, line);
  }

  const logfile = config.get('logfile') ?? '';
  if (logfile !== '' && opts.checkLogfile !== false) {
    try {
      const fd = fs.openSync(path.resolve(config.get('dir')!, logfile), 'a');
      fs.closeSync(fd);
    } catch (e) {
      throw fatal(version, `Can't open the log file: ${strerror(e)}`);
    }
  }
  if (config.getBool('cluster-enabled') && config.getReplicaOf() !== null) {
    throw fatal(version, 'replicaof directive not allowed in cluster mode');
  }
  config.finishConfigLoad();
  config.setReadingConfigFile(false);
}

function includeFile(file: string, config: Config, opts: ParseOptions, st: ParseState): void {
  if (st.depth >= (opts.maxIncludeDepth ?? 64)) {
    throw fatal(opts.version ?? REDIS_COMPAT_VERSION, 'Too many nested include directives');
  }
  const text = readConfigFiles(file, config.get('dir')!);
  parseInto(text, config, opts, { depth: st.depth + 1 });
}

/**
 * Read a config file, or all files matching a glob pattern (a pattern that
 * matches nothing yields ""), relative to `baseDir`. Throws ConfigFileError
 * ("Fatal error, can't open config file ...") when a file can't be read.
 */
export function readConfigFiles(file: string, baseDir: string): string {
  const abs = path.resolve(baseDir, file);
  if (/[*?[]/.test(file)) {
    let text = '';
    for (const f of globFiles(abs)) {
      try {
        text += fs.readFileSync(f, 'utf8');
      } catch (e) {
        throw cantOpen(f, e);
      }
    }
    return text;
  }
  try {
    return fs.readFileSync(abs, 'utf8');
  } catch (e) {
    throw cantOpen(file, e);
  }
}

/** Minimal glob(3): wildcards allowed in any path component; a leading dot
 *  must be matched explicitly; results sorted. */
function globFiles(absPattern: string): string[] {
  const parts = absPattern.split('/').filter((x) => x !== '');
  let current = ['/'];
  for (let k = 0; k < parts.length; k++) {
    const seg = parts[k]!;
    const last = k === parts.length - 1;
    const next: string[] = [];
    for (const dir of current) {
      if (/[*?[]/.test(seg)) {
        let entries: string[];
        try { entries = fs.readdirSync(dir); } catch { continue; }
        for (const ent of entries) {
          if (ent.startsWith('.') && !seg.startsWith('.')) continue;
          if (!globMatch(seg, ent, false)) continue;
          const p = path.join(dir, ent);
          if (!last) {
            try { if (!fs.statSync(p).isDirectory()) continue; } catch { continue; }
          }
          next.push(p);
        }
      } else {
        const p = path.join(dir, seg);
        if (last ? fs.existsSync(p) : isDir(p)) next.push(p);
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current.sort();
}

function isDir(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

export interface LoadServerConfigOptions extends ParseOptions {
  /** Working directory used to resolve the config file path (default process.cwd()). */
  cwd?: string;
  /** Reads standard input when `-` is given (default: fs.readFileSync(0)). */
  readStdin?: () => string;
}

interface LoadResultBase {
  /** 'version' for -v/--version, 'help' for -h/--help, else 'run'. */
  action: 'run' | 'version' | 'help';
  config: Config;
  /** True if configuration was read from standard input. */
  fromStdin: boolean;
}

/** Configuration loaded: start the server (or print version/help). */
export type LoadOk = LoadResultBase;

/** Startup must be aborted: `error` is the exact text redis-server would
 *  write to stderr (it ends with a newline); exit with status 1. */
export interface LoadFailed extends LoadResultBase {
  error: string;
}

/** Narrow with `if ('error' in r)`. */
export type LoadResult = LoadOk | LoadFailed;

/**
 * Build the configuration from redis-server style arguments (argv WITHOUT
 * the node / script entries, i.e. process.argv.slice(2)):
 *
 *   tandem-server [/path/to/redis.conf] [-] [--name value ...]
 *
 * Like Redis, the config file (if any) is read first, then standard input
 * (`-` as first or last argument), then the `--name value...` options, which
 * are turned into config lines appended at the end (so they win over the
 * file). `--save` with no value means `save ""`.
 */
export function loadServerConfig(argv: string[], opts: LoadServerConfigOptions = {}): LoadResult {
  const cwd = opts.cwd ?? process.cwd();
  if (argv.length === 0) return { action: 'run', config: new Config({ cwd }), fromStdin: false };

  const first = argv[0]!;
  if (first === '-v' || first === '--version') return { action: 'version', config: new Config({ cwd }), fromStdin: false };
  if (first === '--help' || first === '-h') return { action: 'help', config: new Config({ cwd }), fromStdin: false };

  let j = 0;
  let configFile: string | undefined;
  if (!first.startsWith('-')) {
    configFile = path.resolve(cwd, first);
    j = 1;
  }

  let fromStdin = false;
  let options = '';
  let handledLastConfigArg = true;
  const argc = argv.length;
  for (; j < argc; j++) {
    const a = argv[j]!;
    if (a === '-' && (j === 0 || j === argc - 1)) {
      fromStdin = true;
    } else if (handledLastConfigArg && a.startsWith('--')) {
      if (options.length) options += '\n';
      options += a.slice(2) + ' ';
      const tmp = splitArgs(a);
      if (tmp !== null && tmp.length === 1) {
        // Only an option name: its value(s) follow.
        handledLastConfigArg = false;
        const lower = a.toLowerCase();
        const nextIsOption = j !== argc - 1 && argv[j + 1]!.startsWith('--');
        if (lower === '--save' && nextIsOption) {
          options += '""';
          handledLastConfigArg = true;
        } else if (lower === '--save' && j === argc - 1) {
          options += '""';
        } else if (lower === '--sentinel' && nextIsOption) {
          handledLastConfigArg = true;
        }
      } else {
        handledLastConfigArg = true;
      }
    } else {
      options += catRepr(a) + ' ';
      handledLastConfigArg = true;
    }
  }

  const config = new Config({ configFile, cwd });
  try {
    let text = '';
    if (configFile !== undefined) text += readConfigFiles(configFile, cwd);
    if (fromStdin) text += (opts.readStdin ?? ((): string => fs.readFileSync(0, 'utf8')))();
    text += '\n' + options;
    parseConfigText(text, config, opts);
  } catch (e) {
    if (e instanceof ConfigFileError) return { action: 'run', config, error: e.stderrText, fromStdin };
    throw e;
  }
  return { action: 'run', config, fromStdin };
}
