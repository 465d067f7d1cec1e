import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Config } from '../src/config/config.js';
import { parseMemory } from '../src/config/values.js';
import { globMatch } from '../src/util/glob.js';
import { OPTIONS, lookupOption, FILE_DIRECTIVES } from '../src/config/options.js';
import { splitArgs, catRepr, parseConfigText, loadServerConfig, ConfigFileError } from '../src/config/parse.js';
import type { LoadResult } from '../src/config/parse.js';
import { rewriteConfig, rewriteConfigContent, REWRITE_SIGNATURE } from '../src/config/rewrite.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixturePath = path.resolve(here, '../../test/fixtures/redis-config-defaults.json');

function errOf(r: LoadResult): string | undefined {
  return 'error' in r ? r.error : undefined;
}

const tmpDirs: string[] = [];
process.on('exit', () => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-config-test-'));
  tmpDirs.push(d);
  return d;
}

// ---------------------------------------------------------------------------
// Option table and defaults
// ---------------------------------------------------------------------------

test('every default equals the reference CONFIG GET * output', () => {
  const fixture = JSON.parse(fs.readFileSync(fixturePath, 'utf8')) as { config: Record<string, string> };
  const c = new Config();
  const got = new Map(c.getMatching('*'));
  for (const [k, v] of Object.entries(fixture.config)) {
    assert.equal(got.get(k), v, `default of ${k}`);
  }
  // Nothing extra except `dir` (Tandem default: working directory).
  const extra = [...got.keys()].filter((k) => !(k in fixture.config));
  assert.deepEqual(extra, ['dir']);
  assert.equal(c.get('dir'), fs.realpathSync(process.cwd()));
  // Tandem-specific defaults that equal Redis's.
  assert.equal(c.get('port'), '6379');
  assert.equal(c.get('bind'), '* -::*');
  assert.equal(c.get('daemonize'), 'no');
});

test('option table: aliases, flags and hidden options', () => {
  assert.equal(lookupOption('slaveof')?.def.name, 'replicaof');
  assert.equal(lookupOption('SLAVE-READ-ONLY')?.def.name, 'replica-read-only');
  assert.equal(lookupOption('hash-max-ziplist-entries')?.def.name, 'hash-max-listpack-entries');
  assert.equal(lookupOption('lua-time-limit')?.def.name, 'busy-reply-threshold');
  const byName = new Map(OPTIONS.map((o) => [o.name, o]));
  assert.equal(byName.get('port')?.immutable, undefined);
  assert.equal(byName.get('bind')?.immutable, undefined);
  assert.equal(byName.get('daemonize')?.immutable, true);
  assert.equal(byName.get('databases')?.immutable, true);
  assert.equal(byName.get('unixsocket')?.immutable, true);
  assert.equal(byName.get('logfile')?.immutable, true);
  assert.equal(byName.get('dir')?.protected, true);
  assert.equal(byName.get('requirepass')?.sensitive, true);
  const c = new Config();
  // Hidden options: exact lookups only.
  assert.deepEqual(c.getMatching('watchdog-period'), [['watchdog-period', '0']]);
  assert.deepEqual(c.getMatching('*watchdog*'), []);
});

test('getMatching: glob semantics, aliases reported under their own name', () => {
  const c = new Config();
  assert.deepEqual(c.getMatching('slaveof'), [['slaveof', '']]);
  assert.deepEqual(c.getMatching('PORT'), [['PORT', '6379']]);
  assert.deepEqual(c.getMatching('P?rT'), [['port', '6379']]);
  const zip = c.getMatching('*max-ziplist*').map(([k]) => k).sort();
  assert.deepEqual(zip, ['hash-max-ziplist-entries', 'hash-max-ziplist-value', 'list-max-ziplist-size',
    'zset-max-ziplist-entries', 'zset-max-ziplist-value']);
  assert.deepEqual(c.getMatching('nosuch'), []);
  assert.deepEqual(c.getMatchingMulti(['port', 'PORT', '*ort']).filter(([k]) => k.toLowerCase() === 'port'),
    [['port', '6379']]);
  assert.equal(globMatch('[a-c]x\\*', 'bx*'), true);
  assert.equal(globMatch('[^a-c]x', 'bx'), false);
});

test('getters: ints, bools, enums, lists', () => {
  const c = new Config();
  assert.equal(c.getInt('maxmemory'), 0);
  assert.equal(c.getInt('proto-max-bulk-len'), 512 * 1024 * 1024);
  assert.equal(c.getInt('list-max-ziplist-size'), -2);
  assert.equal(c.getBool('appendonly'), false);
  assert.equal(c.getEnum('maxmemory-policy'), 'noeviction');
  assert.deepEqual(c.getList('bind'), ['*', '-::*']);
  assert.deepEqual(c.getSaveParams(), [[3600, 1], [300, 100], [60, 10000]]);
  assert.throws(() => c.getInt('nosuch'));
  assert.throws(() => c.getBool('port'));
});

test('several Config instances are independent', () => {
  const a = new Config();
  const b = new Config();
  assert.equal(a.setRuntime([['maxmemory', '1mb']]), null);
  assert.equal(a.get('maxmemory'), '1048576');
  assert.equal(b.get('maxmemory'), '0');
});

// ---------------------------------------------------------------------------
// Values and validation (texts checked against redis-server 7.0.15)
// ---------------------------------------------------------------------------

test('memory units', () => {
  assert.equal(parseMemory('1gb'), 1073741824n);
  assert.equal(parseMemory('1G'), 1000000000n);
  assert.equal(parseMemory('100mb'), 104857600n);
  assert.equal(parseMemory('1k'), 1000n);
  assert.equal(parseMemory('1KB'), 1024n);
  assert.equal(parseMemory('5B'), 5n);
  assert.equal(parseMemory('00012'), 12n);
  assert.equal(parseMemory(''), 0n);
  assert.equal(parseMemory('-1'), null);
  assert.equal(parseMemory('1.5mb'), null);
  assert.equal(parseMemory('1 '), null);
  assert.equal(parseMemory('99999999999gb'), 15140462030378500096n); // wraps like C
  const c = new Config();
  for (const [v, want] of [['1gb', '1073741824'], ['100mb', '104857600'], ['1k', '1000'], ['1kb', '1024'],
    ['123', '123'], ['18446744073709551616', '18446744073709551615']] as const) {
    assert.equal(c.setRuntime([['maxmemory', v]]), null);
    assert.equal(c.get('maxmemory'), want);
  }
  assert.equal(c.setRuntime([['maxmemory-clients', '50%']]), null);
  assert.equal(c.get('maxmemory-clients'), '50%');
  assert.equal(c.setRuntime([['maxmemory-clients', '200%']]),
    "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100");
  assert.equal(c.setRuntime([['maxmemory', '1.5mb']]),
    "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value");
  assert.equal(c.setRuntime([['proto-max-bulk-len', '18446744073709551615']]),
    "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive");
});

test('bool / enum / int validation errors', () => {
  const c = new Config();
  const e = (n: string, msg: string): string => `ERR CONFIG SET failed (possibly related to argument '${n}') - ${msg}`;
  assert.equal(c.setRuntime([['appendonly', 'maybe']]), e('appendonly', "argument must be 'yes' or 'no'"));
  assert.equal(c.setRuntime([['loglevel', 'bad']]),
    e('loglevel', 'argument(s) must be one of the following: debug, verbose, notice, warning'));
  assert.equal(c.setRuntime([['loglevel', 'notice warning']]),
    e('loglevel', 'argument(s) must be one of the following: debug, verbose, notice, warning'));
  assert.equal(c.setRuntime([['port', 'abc']]), e('port', "argument couldn't be parsed into an integer"));
  assert.equal(c.setRuntime([['port', '+1']]), e('port', "argument couldn't be parsed into an integer"));
  assert.equal(c.setRuntime([['port', '99999']]), e('port', 'argument must be between 0 and 65535 inclusive'));
  assert.equal(c.setRuntime([['maxclients', '0']]), e('maxclients', 'argument must be between 1 and 4294967295 inclusive'));
  assert.equal(c.setRuntime([['save', '10']]), e('save', 'Invalid save parameters'));
  assert.equal(c.setRuntime([['notify-keyspace-events', 'Q']]),
    e('notify-keyspace-events', "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."));
  assert.equal(c.setRuntime([['shutdown-on-sigint', 'save nosave']]),
    e('shutdown-on-sigint', "shutdown options SAVE and NOSAVE can't be used simultaneously"));
  assert.equal(c.setRuntime([['client-output-buffer-limit', 'master 1 2 3']]),
    e('client-output-buffer-limit', 'Invalid client class specified in buffer limit configuration.'));
  // Successful conversions print canonically.
  assert.equal(c.setRuntime([['appendonly', 'YES'], ['loglevel', 'WARNING'], ['oom-score-adj', 'relative']]), null);
  assert.equal(c.get('appendonly'), 'yes');
  assert.equal(c.get('loglevel'), 'warning');
  assert.equal(c.get('oom-score-adj'), 'yes');
  assert.equal(c.setRuntime([['shutdown-on-sigint', 'force now save'], ['notify-keyspace-events', 'KEA']]), null);
  assert.equal(c.get('shutdown-on-sigint'), 'save now force');
  assert.equal(c.get('notify-keyspace-events'), 'AKE');
  assert.equal(c.setRuntime([['client-output-buffer-limit', 'replica 1mb 2k 3']]), null);
  assert.equal(c.get('client-output-buffer-limit'), 'normal 0 0 0 slave 1048576 2000 3 pubsub 33554432 8388608 60');
  assert.equal(c.setRuntime([['latency-tracking-info-percentiles', '1e1 0.0000001 33.3333333333']]), null);
  assert.equal(c.get('latency-tracking-info-percentiles'), '10 0 33.333333');
  assert.equal(c.setRuntime([['hz', '1000']]), null);
  assert.equal(c.get('hz'), '500');
});

test('CONFIG SET: unknown, immutable, protected, duplicate, loading', () => {
  const c = new Config();
  assert.equal(c.setRuntime([['foo', 'bar']]), "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  assert.equal(c.setRuntime([['daemonize', 'yes']]),
    "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config");
  assert.equal(c.setRuntime([['slaveof', 'a b']]),
    "ERR CONFIG SET failed (possibly related to argument 'slaveof') - can't set immutable config");
  // The first problem wins.
  assert.equal(c.setRuntime([['daemonize', 'yes'], ['foo', '1']]),
    "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config");
  assert.equal(c.setRuntime([['foo', '1'], ['daemonize', 'yes']]),
    "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  assert.equal(c.setRuntime([['dir', '/tmp']]),
    "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
  assert.equal(c.setRuntime([['port', '1'], ['PORT', '2']]),
    "ERR CONFIG SET failed (possibly related to argument 'PORT') - duplicate parameter");
  // A name and its alias are distinct entries in Redis: not a duplicate, last wins.
  assert.equal(c.setRuntime([['replica-read-only', 'yes'], ['slave-read-only', 'no']]), null);
  assert.equal(c.get('replica-read-only'), 'no');
  assert.equal(c.setRuntime([['SLAVE-read-only', 'abc']]),
    "ERR CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'");
  assert.equal(c.setRuntime([['appendonly', 'yes']], { loading: true }), 'LOADING Redis is loading the dataset in memory');
  // enable-protected-configs allows dir.
  const d = tmpDir();
  const p = new Config();
  assert.equal(p.setFromConfigFile('enable-protected-configs', ['local']), null);
  assert.equal(p.setRuntime([['dir', d]], { isLocalClient: false }),
    "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
  assert.equal(p.setRuntime([['dir', d]], { isLocalClient: true }), null);
  assert.equal(p.get('dir'), fs.realpathSync(d));
  assert.equal(p.setRuntime([['dir', path.join(d, 'nope')]], { isLocalClient: true }),
    "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory");
});

test('CONFIG SET is atomic: a bad value rolls back everything', () => {
  const c = new Config();
  assert.equal(c.setRuntime([['maxmemory', '1mb'], ['timeout', '5'], ['maxmemory-policy', 'nope']]),
    "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: " +
    'volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction');
  assert.equal(c.get('maxmemory'), '0');
  assert.equal(c.get('timeout'), '0');
  assert.equal(c.getInt('maxmemory'), 0);
});

test('CONFIG SET listeners: rejection rolls back and re-applies the previous values', () => {
  const c = new Config();
  const calls: string[] = [];
  c.onChange('timeout', (v) => { calls.push(`timeout=${v}`); });
  c.onChange('port', (v) => { calls.push(`port=${v}`); return v === '7000' ? 'Unable to listen on this port. Check server logs.' : undefined; });
  c.onChange('maxmemory', (v) => { calls.push(`maxmemory=${v}`); });
  assert.equal(c.setRuntime([['timeout', '9'], ['port', '7000'], ['maxmemory', '5']]),
    "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.");
  assert.deepEqual(calls, ['timeout=9', 'port=7000', 'timeout=0']);
  assert.equal(c.get('timeout'), '0');
  assert.equal(c.get('port'), '6379');
  assert.equal(c.get('maxmemory'), '0');
  calls.length = 0;
  assert.equal(c.setRuntime([['port', '7001'], ['timeout', '0']]), null);
  assert.deepEqual(calls, ['port=7001']); // timeout unchanged: no call
  assert.equal(c.getInt('port'), 7001);
});

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

test('splitArgs follows sdssplitargs', () => {
  assert.deepEqual(splitArgs('  set a   b  '), ['set', 'a', 'b']);
  assert.deepEqual(splitArgs('a "b c" \'d e\''), ['a', 'b c', 'd e']);
  assert.deepEqual(splitArgs('"\\n\\r\\t\\b\\a\\\\\\"\\x41\\q"'), ['\n\r\t\b\x07\\"Aq']);
  assert.deepEqual(splitArgs("'it\\'s \\n'"), ["it's \\n"]);
  assert.deepEqual(splitArgs('""'), ['']);
  assert.deepEqual(splitArgs('foo"bar baz"'), ['foobar baz']);
  assert.deepEqual(splitArgs('"\\xc3\\xa9"'), ['é']);
  assert.deepEqual(splitArgs(''), []);
  assert.equal(splitArgs('"unbalanced'), null);
  assert.equal(splitArgs("'unbalanced"), null);
  assert.equal(splitArgs('"closed"x'), null);
  for (const s of ['plain', 'a b', 'q"uo\\te', 'new\nline', 'é\x01']) assert.deepEqual(splitArgs(catRepr(s)), [s]);
  assert.equal(catRepr('a"b\n\x01é'), '"a\\"b\\n\\x01\\xc3\\xa9"');
});

test('parseConfigText: comments, blank lines, aliases, save accumulation', () => {
  const c = parseConfigText([
    '# comment',
    '',
    '   port 7000   ',
    '\tmaxmemory 100mb',
    'slaveof 10.0.0.1 6380',
    'slave-read-only no',
    'hash-max-ziplist-entries 7',
    'save 900 1',
    'save 300 10',
    'requirepass "a b"',
    'list-max-ziplist-entries 5',
    'rename-command FLUSHALL ""',
    'user alice on >pw ~* +@all',
    'loadmodule /x.so a b',
    'mymod.opt 5',
    'sentinel',
  ].join('\n'));
  assert.equal(c.get('port'), '7000');
  assert.equal(c.get('maxmemory'), '104857600');
  assert.deepEqual(c.getReplicaOf(), { host: '10.0.0.1', port: 6380 });
  assert.equal(c.get('replica-read-only'), 'no');
  assert.equal(c.get('hash-max-listpack-entries'), '7');
  assert.equal(c.get('save'), '900 1 300 10');
  assert.equal(c.get('requirepass'), 'a b');
  assert.deepEqual(c.directives.renameCommands, [['FLUSHALL', '']]);
  assert.deepEqual(c.directives.users, [['alice', 'on', '>pw', '~*', '+@all']]);
  assert.deepEqual(c.directives.loadModules, [{ path: '/x.so', args: ['a', 'b'] }]);
  assert.equal(c.directives.moduleConfigs.get('mymod.opt'), '5');

  // save "" clears, later lines accumulate again.
  assert.equal(parseConfigText('save 900 1\nsave ""\nsave 60 1\n').get('save'), '60 1');
  assert.equal(parseConfigText('save 900 1\nsave ""\n').get('save'), '');
  assert.equal(parseConfigText('port 1\n').get('save'), '3600 1 300 100 60 10000');
  assert.equal(parseConfigText('hz 0\n').get('hz'), '1');
});

test('parseConfigText: errors use the redis FATAL CONFIG FILE ERROR format', () => {
  const cases: Array<[string, number | undefined, string]> = [
    ['port 6379\nfoo bar\n', 2, 'Bad directive or wrong number of arguments'],
    ['port 6379 # c\n', 1, 'wrong number of arguments'],
    ['port abc\n', 1, "argument couldn't be parsed into an integer"],
    ['\nloglevel "bad\n', 2, 'Unbalanced quotes in configuration line'],
    ["loglevel 'notice'x\n", 1, 'Unbalanced quotes in configuration line'],
    ['sentinel monitor a b c\n', 1, 'sentinel directive while not in sentinel mode'],
    ['foo.bar\n', 1, 'Module config specified without value'],
    ['databases 0\n', 1, 'argument must be between 1 and 2147483647 inclusive'],
    ['unixsocketperm 999\n', 1, "argument couldn't be parsed as an octal number"],
    ['appendfilename a/b\n', 1, "appendfilename can't be a path, just a filename"],
    ['cluster-enabled yes\nreplicaof 1.2.3.4 5\n', undefined, 'replicaof directive not allowed in cluster mode'],
  ];
  for (const [text, line, reason] of cases) {
    let err: unknown;
    try { parseConfigText(text); } catch (e) { err = e; }
    assert.ok(err instanceof ConfigFileError, `error expected for ${JSON.stringify(text)}`);
    assert.equal(err.reason, reason);
    assert.equal(err.lineNumber, line);
    const lines = err.message.split('\n');
    assert.equal(lines[0], '*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***');
    if (line !== undefined) {
      assert.equal(lines[1], `Reading the configuration file, at line ${line}`);
      assert.equal(lines[2], `>>> '${text.split('\n')[line - 1]!.trim()}'`);
    }
    assert.equal(lines[lines.length - 1], reason);
    assert.equal(err.stderrText, `\n${err.message}\n`);
  }
});

test('include: relative to dir, glob patterns, missing files', () => {
  const d = tmpDir();
  fs.mkdirSync(path.join(d, 'conf.d'));
  fs.writeFileSync(path.join(d, 'conf.d', 'a.conf'), 'maxmemory 1mb\nsave 5 5\n');
  fs.writeFileSync(path.join(d, 'conf.d', 'b.conf'), 'timeout 7\n');
  fs.writeFileSync(path.join(d, 'one.conf'), 'loglevel warning\n');
  const c = parseConfigText(`dir ${d}\ninclude one.conf\ninclude conf.d/*.conf\ninclude nomatch/*.conf\n`);
  assert.equal(c.get('loglevel'), 'warning');
  assert.equal(c.get('maxmemory'), '1048576');
  assert.equal(c.get('timeout'), '7');
  assert.equal(c.get('save'), '5 5');
  // Like Redis: a `save` line after an include replaces instead of accumulating.
  const c2 = parseConfigText(`save 900 1\ninclude ${path.join(d, 'conf.d', 'a.conf')}\nsave 300 10\n`);
  assert.equal(c2.get('save'), '300 10');
  assert.throws(() => parseConfigText(`include ${path.join(d, 'missing.conf')}\n`), (e: unknown) =>
    e instanceof ConfigFileError &&
    e.message === `Fatal error, can't open config file '${path.join(d, 'missing.conf')}': No such file or directory`);
});

test('loadServerConfig: command line merging like redis-server', () => {
  const d = tmpDir();
  const file = path.join(d, 'redis.conf');
  fs.writeFileSync(file, 'port 7000\nsave 900 1\nsave 300 10\nmaxmemory 1mb\n');
  const r1 = loadServerConfig([file]);
  assert.equal(errOf(r1), undefined);
  assert.equal(r1.config.configFile, file);
  assert.equal(r1.config.get('port'), '7000');

  const r2 = loadServerConfig(['redis.conf', '--port', '7001', '--maxmemory', '2mb', '--replicaof', '127.0.0.1', '6379'], { cwd: d });
  assert.equal(errOf(r2), undefined);
  assert.equal(r2.config.configFile, file);
  assert.equal(r2.config.get('port'), '7001');
  assert.equal(r2.config.get('maxmemory'), '2097152');
  assert.equal(r2.config.get('replicaof'), '127.0.0.1 6379');

  // save lines from the command line accumulate after the file's (Redis 7.0 semantics) ...
  assert.equal(loadServerConfig([file, '--save', '60', '1']).config.get('save'), '900 1 300 10 60 1');
  // ... while `--save ""` / a bare `--save` clear them.
  assert.equal(loadServerConfig([file, '--save', '']).config.get('save'), '');
  assert.equal(loadServerConfig([file, '--save']).config.get('save'), '');
  assert.equal(loadServerConfig([file, '--save', '--timeout', '3']).config.get('timeout'), '3');
  assert.equal(loadServerConfig(['--save', '60', '1', '--save', '70', '2']).config.get('save'), '60 1 70 2');
  assert.equal(loadServerConfig(['--bind', '127.0.0.1', '::1']).config.get('bind'), '127.0.0.1 ::1');
  assert.equal(loadServerConfig(['--requirepass', 'sp ace"q']).config.get('requirepass'), 'sp ace"q');
  assert.equal(loadServerConfig(['--maxmemory 5mb']).config.get('maxmemory'), '5242880');
  assert.equal(loadServerConfig([]).config.configFile, undefined);

  // Errors: options are lines appended after the file ("\n" joined).
  const bad = loadServerConfig(['--port', '7002', '--foo', '1']);
  assert.equal(errOf(bad), "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> 'foo \"1\"'\nBad directive or wrong number of arguments\n");
  const missing = loadServerConfig([path.join(d, 'nope.conf')]);
  assert.equal(errOf(missing), `Fatal error, can't open config file '${path.join(d, 'nope.conf')}': No such file or directory\n`);

  // stdin, version, help.
  const st = loadServerConfig(['-', '--timeout', '4'], { readStdin: () => 'maxmemory 3mb\n' });
  assert.equal(st.fromStdin, true);
  assert.equal(st.config.get('maxmemory'), '3145728');
  assert.equal(st.config.get('timeout'), '4');
  assert.equal(loadServerConfig(['--version']).action, 'version');
  assert.equal(loadServerConfig(['-v']).action, 'version');
  assert.equal(loadServerConfig(['-h']).action, 'help');
  assert.equal(loadServerConfig(['--help']).action, 'help');
});

test('/etc/redis/redis.conf loads (when present), and its commented examples are accepted', (t) => {
  const file = '/etc/redis/redis.conf';
  if (!fs.existsSync(file)) { t.skip('no /etc/redis/redis.conf'); return; }
  const text = fs.readFileSync(file, 'utf8');
  let c: Config | undefined;
  try {
    c = parseConfigText(text, new Config({ configFile: file }), { checkLogfile: false });
  } catch (e) {
    // Not being allowed into /var/lib/redis (dir) is the only acceptable failure.
    if (e instanceof ConfigFileError && e.reason === 'Permission denied' && (e.lineText ?? '').startsWith('dir ')) {
      t.skip('no access to the dir of /etc/redis/redis.conf');
      return;
    }
    throw e;
  }
  assert.ok(c);
  // Every commented-out example line that is a real directive is accepted too.
  let checked = 0;
  for (const raw of text.split('\n')) {
    const m = /^#\s?([a-z][a-z0-9_.-]*)(\s.*)?$/.exec(raw.trim());
    if (!m) continue;
    const name = m[1]!;
    const def = lookupOption(name)?.def;
    if (!def && !(FILE_DIRECTIVES as readonly string[]).includes(name)) continue;
    const line = raw.trim().replace(/^#\s?/, '');
    const argv = splitArgs(line);
    // Skip prose and "<placeholder>" syntax descriptions.
    if (!argv || line.includes('<') || /[.:]$/.test(line) || (def && !def.multiArg && argv.length !== 2)) continue;
    if (name === 'include') continue; // example paths don't exist
    const err = new Config().setFromConfigFile(argv[0]!, argv.slice(1));
    assert.equal(err, null, `commented example rejected: ${line}`);
    checked++;
  }
  assert.ok(checked > 50, `only ${checked} commented examples checked`);
});

// ---------------------------------------------------------------------------
// CONFIG REWRITE
// ---------------------------------------------------------------------------

test('CONFIG REWRITE keeps comments and unknown lines, rewrites in place, appends new values', () => {
  const d = tmpDir();
  const file = path.join(d, 'redis.conf');
  fs.writeFileSync(file, [
    '# top comment',
    'port 7000',
    '',
    '# about save',
    'save 900 1',
    'save 300 10',
    'rename-command FLUSHALL ""',
    'slave-read-only yes',
    'maxmemory 100mb',
    'maxmemory 200mb',
    'hash-max-ziplist-entries 128',
    'appendfsync   everysec',
    'requirepass "a b"',
    '',
    '',
    '# trailing comment',
    '',
  ].join('\n'));
  const r = loadServerConfig([file]);
  assert.equal(errOf(r), undefined);
  const c = r.config;
  assert.equal(c.setRuntime([['maxmemory', '300mb'], ['timeout', '10'], ['notify-keyspace-events', 'KEA'], ['save', '60 5']]), null);
  fs.appendFileSync(file, 'bogus-directive 1\nunbalanced "quote\n');
  assert.equal(rewriteConfig(c), null);
  const out = fs.readFileSync(file, 'utf8');
  assert.equal(out, [
    '# top comment',
    'port 7000',
    '',
    '# about save',
    'save 60 5',
    '',
    'rename-command FLUSHALL ""',
    'replica-read-only yes',
    'maxmemory 300mb',
    '',
    'hash-max-listpack-entries 128',
    'appendfsync everysec',
    'requirepass "a b"',
    '',
    '# trailing comment',
    '# ??? bogus-directive 1',
    '# ??? unbalanced "quote',
    '',
    REWRITE_SIGNATURE,
    'timeout 10',
    `dir ${catRepr(c.get('dir')!)}`,
    'notify-keyspace-events "AKE"',
    'latency-tracking-info-percentiles 50 99 99.9',
    '',
  ].join('\n'));
  // Like Redis, the next rewrite keeps the final newline as a blank line;
  // from then on the output is stable, and it reloads to the same values.
  assert.equal(rewriteConfig(c), null);
  assert.equal(fs.readFileSync(file, 'utf8'), out + '\n');
  assert.equal(rewriteConfig(c), null);
  assert.equal(fs.readFileSync(file, 'utf8'), out + '\n');
  const again = loadServerConfig([file]);
  assert.equal(errOf(again), undefined);
  for (const n of ['maxmemory', 'timeout', 'notify-keyspace-events', 'save', 'requirepass', 'port']) {
    assert.equal(again.config.get(n), c.get(n), n);
  }
  assert.deepEqual(fs.readdirSync(d), ['redis.conf']); // no temp file left behind
});

test('CONFIG REWRITE: defaults, removals, users and errors', () => {
  const c = new Config();
  assert.equal(rewriteConfig(c), 'ERR The server is running without a config file');
  // Values at their default are not appended; unset strings and default bind remove lines.
  assert.equal(c.setRuntime([['maxmemory', '1gb'], ['client-output-buffer-limit', 'pubsub 64mb 16mb 90']]), null);
  const out = rewriteConfigContent(c, 'bind 127.0.0.1\nmasterauth x\nuser a on\n', { users: ['user default on nopass ~* &* +@all'] });
  const lines = out.split('\n');
  assert.equal(lines[0], '');
  assert.equal(lines[1], 'user default on nopass ~* &* +@all');
  assert.ok(lines.includes('maxmemory 1gb'));
  assert.ok(lines.includes('client-output-buffer-limit pubsub 64mb 16mb 90'));
  assert.ok(!lines.some((l) => l.startsWith('client-output-buffer-limit normal')));
  assert.ok(lines.includes('save 3600 1'));
  assert.ok(!lines.some((l) => l.startsWith('timeout')));
  // A new file is created when missing.
  const d = tmpDir();
  const file = path.join(d, 'new.conf');
  assert.equal(rewriteConfig(c, { path: file }), null);
  assert.ok(fs.readFileSync(file, 'utf8').startsWith(`${REWRITE_SIGNATURE}\n`));
  assert.match(rewriteConfig(c, { path: path.join(d, 'nodir', 'x.conf') }) ?? '',
    /^ERR Rewriting config file: No such file or directory$/);
});
