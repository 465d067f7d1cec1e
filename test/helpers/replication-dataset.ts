// What the replication integration tests check once a scenario is over:
// every node of a topology has applied the whole stream (one offset, links
// up), and their datasets are equal key by key — type, value read back by
// type, absolute expire time — and by DEBUG DIGEST. Also a background writer
// that keeps writing every data type while a scenario runs.

import assert from 'node:assert/strict';
import { digest, info, text, waitFor } from './aof.js';
import { RawConnection, encodeCommand } from './resp.js';

/** A RESP reply as a value: strings (latin1), integers, null, arrays, errors as { error }. */
export type Reply = string | number | null | Reply[] | { error: string };

function parseReply(buf: Buffer): Reply {
  let at = 0;
  const line = (): string => {
    const end = buf.indexOf('\r\n', at);
    const s = buf.toString('latin1', at, end);
    at = end + 2;
    return s;
  };
  const value = (): Reply => {
    const head = line();
    const rest = head.slice(1);
    switch (head[0]) {
      case '+':
        return rest;
      case '-':
        return { error: rest };
      case ':':
        return Number(rest);
      case '$': {
        const n = Number(rest);
        if (n < 0) return null;
        const s = buf.toString('latin1', at, at + n);
        at += n + 2;
        return s;
      }
      case '*': {
        const n = Number(rest);
        if (n < 0) return null;
        const out: Reply[] = [];
        for (let i = 0; i < n; i++) out.push(value());
        return out;
      }
      default:
        throw new Error(`unexpected reply ${JSON.stringify(head)}`);
    }
  };
  return value();
}

async function call(conn: RawConnection, ...args: string[]): Promise<Reply> {
  return parseReply(await conn.call(...args));
}

/** Databases a dataset is read from: Redis's default `databases 16`. */
const databases = 16;

/** TTL of the writer's expiring keys: they come and go while the scenario runs. */
const shortTtlMs = 200;

/**
 * XINFO STREAM FULL fields that depend on how the stream was built rather
 * than what it holds (radix tree shape), on the local clock (a consumer
 * created by a replicated XCLAIM is seen when the replica applies it), or
 * that Redis 7.0 does not replicate: XREADGROUP propagates as XCLAIM, which
 * carries no entries_read, so a real Redis replica's group shows another
 * entries-read (and lag) than its master's.
 */
const localStreamFields = new Set(['radix-tree-keys', 'radix-tree-nodes', 'seen-time', 'entries-read', 'lag']);

function withoutLocalFields(v: Reply): Reply {
  if (!Array.isArray(v)) return v;
  const out: Reply[] = [];
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] === 'string' && localStreamFields.has(v[i] as string) && i + 1 < v.length) {
      i++;
      continue;
    }
    out.push(withoutLocalFields(v[i]));
  }
  return out;
}

/** Pairs of a flat [k1, v1, k2, v2...] reply, sorted by key: hash field order is not part of the data. */
function sortedPairs(flat: Reply): string[][] {
  const a = flat as string[];
  const pairs: string[][] = [];
  for (let i = 0; i < a.length; i += 2) pairs.push([a[i], a[i + 1]]);
  return pairs.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
}

/** Sends commands in one write and returns their replies, parsed. */
export async function pipeline(conn: RawConnection, commands: string[][]): Promise<Reply[]> {
  conn.send(Buffer.concat(commands.map((c) => encodeCommand(c))));
  const replies: Promise<Buffer>[] = [];
  for (let i = 0; i < commands.length; i++) replies.push(conn.reply());
  return (await Promise.all(replies)).map(parseReply);
}

/** The command reading a key's value back by its type. */
function readCommand(key: string, type: string): string[] {
  switch (type) {
    case 'list':
      return ['LRANGE', key, '0', '-1'];
    case 'hash':
      return ['HGETALL', key];
    case 'set':
      return ['SMEMBERS', key];
    case 'zset':
      return ['ZRANGE', key, '0', '-1', 'WITHSCORES'];
    case 'stream':
      return ['XINFO', 'STREAM', key, 'FULL', 'COUNT', '0'];
    default:
      return ['GET', key];
  }
}

/** The value as compared: collections whose order is not part of the data sorted, local stream fields left out. */
function comparable(type: string, reply: Reply): Reply {
  switch (type) {
    case 'hash':
      return sortedPairs(reply);
    case 'set':
      return (reply as string[]).sort();
    case 'stream':
      return withoutLocalFields(reply);
    default:
      return reply;
  }
}

interface KeyState {
  type: string;
  value: Reply;
  /** PEXPIRETIME: the absolute expire time in ms (propagated and saved as such), -1 without one. */
  expireAt: number;
}

/** The keys SCAN gives in the connection's database (on a master, it deletes the expired ones it meets). */
async function scanKeys(conn: RawConnection): Promise<string[]> {
  let cursor = '0';
  const keys = new Set<string>();
  do {
    const [next, batch] = (await call(conn, 'SCAN', cursor, 'COUNT', '1000')) as [string, string[]];
    for (const k of batch) keys.add(k);
    cursor = next;
  } while (cursor !== '0');
  return [...keys].sort();
}

/** Calls `each` with every non-empty database selected; leaves the connection in database 0. */
async function forEachDb(conn: RawConnection, each: (db: number) => Promise<void>): Promise<void> {
  for (let db = 0; db < databases; db++) {
    await call(conn, 'SELECT', String(db));
    if ((await call(conn, 'DBSIZE')) !== 0) await each(db);
  }
  await call(conn, 'SELECT', '0');
}

/**
 * Every key of every database as "db:key" → type, value, expire time, read
 * with SCAN (which leaves out logically expired keys).
 */
async function readDataset(conn: RawConnection): Promise<Map<string, KeyState>> {
  const out = new Map<string, KeyState>();
  await forEachDb(conn, async (db) => {
    const keys = await scanKeys(conn);
    // Pipelined, a batch of keys at a time: populated datasets have many keys.
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const types = (await pipeline(conn, batch.map((key) => ['TYPE', key]))) as string[];
      const replies = await pipeline(
        conn,
        batch.flatMap((key, j) => [readCommand(key, types[j]), ['PEXPIRETIME', key]]),
      );
      for (const [j, key] of batch.entries()) {
        if (types[j] === 'none') continue;
        out.set(`${db}:${key}`, {
          type: types[j],
          value: comparable(types[j], replies[2 * j]),
          expireAt: replies[2 * j + 1] as number,
        });
      }
    }
  });
  return out;
}

/** The two datasets are equal key by key; the first differences found are reported by key. */
function assertSameKeys(expected: Map<string, KeyState>, actual: Map<string, KeyState>, what: string): void {
  const diffs: string[] = [];
  for (const [key, e] of expected) {
    const a = actual.get(key);
    if (a === undefined) diffs.push(`${key}: missing (${e.type})`);
    else if (a.type !== e.type) diffs.push(`${key}: type ${a.type}, expected ${e.type}`);
    else if (a.expireAt !== e.expireAt) diffs.push(`${key}: expire at ${a.expireAt}, expected ${e.expireAt}`);
    else {
      const [got, want] = [JSON.stringify(a.value), JSON.stringify(e.value)];
      if (got !== want) {
        // Where they part: values (streams above all) are long.
        let at = 0;
        while (got[at] === want[at]) at++;
        const from = Math.max(0, at - 80);
        diffs.push(`${key}: ...${got.slice(from, at + 120)}, expected ...${want.slice(from, at + 120)}`);
      }
    }
  }
  for (const key of actual.keys()) if (!expected.has(key)) diffs.push(`${key}: not expected`);
  assert.deepEqual(diffs.slice(0, 10), [], `${what}: ${diffs.length} keys differ`);
}

/** Waits until every node has the same master_repl_offset and every replica's link is up and applied it all. */
async function converged(nodes: RawConnection[], timeoutMs = 20000): Promise<void> {
  await waitFor(
    'the nodes to converge',
    async () => {
      let offset: string | undefined;
      for (const n of nodes) {
        const r = await info(n, 'replication');
        const applied = r.get('master_link_status') === 'up' && r.get('slave_repl_offset') === r.get('master_repl_offset');
        if (r.get('role') === 'slave' && !applied) return false;
        if (offset === undefined) offset = r.get('master_repl_offset');
        else if (r.get('master_repl_offset') !== offset) return false;
      }
      return true;
    },
    timeoutMs,
  );
}

/**
 * Once the writes have stopped: keys with a short TTL are given time to
 * expire, and the master deletes them (its SCAN expires them; the DELs go
 * down the stream); then every node applies the whole stream. After that
 * the master's stream stays still (but for PINGs) until the next write.
 */
export async function settled(master: RawConnection, replicas: RawConnection[]): Promise<void> {
  await new Promise((r) => setTimeout(r, shortTtlMs + 50));
  await forEachDb(master, async () => void (await scanKeys(master)));
  await converged([master, ...replicas]);
}

/** The scenario's end: settled, every dataset equals the master's, key by key and by DEBUG DIGEST. */
export async function assertConverged(master: RawConnection, replicas: RawConnection[]): Promise<void> {
  await settled(master, replicas);
  // Each node's own process answers: read them all at once.
  const [expected, ...actual] = await Promise.all([master, ...replicas].map((n) => readDataset(n)));
  assert.ok(expected.size > 0);
  for (const [i, a] of actual.entries()) assertSameKeys(expected, a, `replica ${i}`);
  const [expectedDigest, ...digests] = await Promise.all([master, ...replicas].map((n) => digest(n)));
  for (const [i, d] of digests.entries()) assert.equal(d, expectedDigest, `replica ${i} DEBUG DIGEST`);
}

/**
 * One round of writes of every type, `n` numbering the round: strings with
 * TTLs (relative and absolute, some expiring at once), counters, lists,
 * hashes, sets, sorted sets, streams read by a consumer group, MULTI/EXEC,
 * commands whose propagated form differs from what was sent (SPOP,
 * INCRBYFLOAT, EXPIRE, GETEX, BLPOP, XREADGROUP), deletions, three
 * databases, and with `populated`, changes to DEBUG POPULATE's keys; then
 * moreWrites. Keys cycle, so the dataset stays bounded.
 */
function writeRound(tag: string, n: number, populated = 0): string[][] {
  const k = (name: string, mod = 8) => `${tag}:${name}:${n % mod}`;
  const cmds: string[][] = [
    ['SET', k('str', 50), `value-${n}`, 'EX', '100000'],
    ['SET', k('plain', 50), `plain-${n}`],
    ['SET', k('short', 20), 'x', 'PX', String(shortTtlMs)],
    ['APPEND', k('plain', 50), '+'],
    ['INCR', `${tag}:counter`],
    ['INCRBYFLOAT', `${tag}:float`, '0.5'],
    ['EXPIRE', k('plain', 50), '90000'],
    ['GETEX', k('str', 50), 'PX', '800000'],
    ['RPUSH', k('list'), `a${n}`, `b${n}`, `c${n}`],
    ['LPUSH', k('list'), `z${n}`],
    ['BLPOP', k('list'), '1'],
    ['LTRIM', k('list'), '0', '40'],
    ['HSET', k('hash'), `f${n % 30}`, String(n), 'const', 'c'],
    ['HINCRBY', k('hash'), 'count', '1'],
    ['HDEL', k('hash'), `f${(n + 15) % 30}`],
    ['SADD', k('set'), `m${n % 40}`, `m${(n * 7) % 40}`, `m${(n * 13) % 40}`],
    ['SPOP', k('set')],
    ['SADD', k('intset'), String(n), String(-n)],
    ['ZADD', k('zset'), String(n % 17), `m${n % 25}`, String(n / 7), `x${n % 9}`],
    ['ZINCRBY', k('zset'), '1.5', `m${n % 25}`],
    ['ZREM', k('zset'), `x${(n + 3) % 9}`],
    ['XADD', k('stream', 4), 'MAXLEN', '200', '*', 'round', String(n), 'tag', tag],
    ['XREADGROUP', 'GROUP', 'grp', `consumer-${n % 3}`, 'COUNT', '2', 'STREAMS', k('stream', 4), '>'],
    ['MULTI'],
    ['INCR', `${tag}:tx-counter`],
    ['RPUSH', `${tag}:tx-list`, String(n)],
    ['LTRIM', `${tag}:tx-list`, '-30', '-1'],
    ['EXEC'],
    ['SET', k('gone', 10), 'soon'],
    ['DEL', k('gone', 10)],
    ['SELECT', '2'],
    ['SET', k('db2', 20), String(n), 'PX', '700000'],
    ['HSET', `${tag}:db2-hash`, `f${n % 20}`, String(n)],
    ['SELECT', '9'],
    ['ZADD', `${tag}:db9-zset`, String(n), `m${n % 30}`],
    ['SET', k('db9-short', 5), 'y', 'PX', String(shortTtlMs)],
    ['SELECT', '0'],
  ];
  if (n % 5 === 0) cmds.push(['PEXPIRE', k('hash'), String(shortTtlMs)]);
  cmds.push(...moreWrites(k, tag, n));
  // Keys of DEBUG POPULATE that a snapshot under way may not have reached yet.
  for (let i = 0; populated > 0 && i < 8; i++) {
    const key = `pop:${(n * 7919 + i * 104729) % populated}`;
    const change = [['SET', key, `overwritten-${n}`], ['DEL', key], ['PEXPIRE', key, '100000000'], ['APPEND', key, '+']];
    cmds.push(change[i % 4]);
  }
  // The group of each stream key, made with the key the first time round.
  if (n < 4) cmds.unshift(['XGROUP', 'CREATE', k('stream', 4), 'grp', '0', 'MKSTREAM']);
  return cmds;
}

/**
 * The rest of a round: commands rewritten for propagation (XAUTOCLAIM,
 * SPOP with a count, GETDEL, LMPOP, SET GET/KEEPTTL, EXPIREAT, PERSIST,
 * HINCRBYFLOAT, SMOVE), keys moved and copied between databases, SWAPDB,
 * the ...STORE commands, bitmaps, HyperLogLog, geo, and the queues the
 * writer's blocked client is served from.
 */
function moreWrites(k: (name: string, mod?: number) => string, tag: string, n: number): string[][] {
  const cmds: string[][] = [
    ['SET', k('kept', 10), `kept-${n}`, 'KEEPTTL', 'GET'],
    ['EXPIREAT', k('kept', 10), String(2_000_000_000 + n)],
    ['SETNX', k('nx', 10), String(n)],
    ['GETDEL', k('nx', 10)],
    ['SETRANGE', k('range', 5), String(n % 20), 'abc'],
    ['SETBIT', k('bits', 5), String((n * 37) % 500), '1'],
    ['BITOP', 'OR', k('bitor', 5), k('bits', 5), k('range', 5)],
    ['PFADD', k('hll', 4), `e${n}`, `f${n % 7}`],
    ['GEOADD', k('geo', 4), String((n % 360) - 180), String((n % 170) - 85), `place${n % 20}`],
    ['HINCRBYFLOAT', k('hash'), 'float', '0.25'],
    ['HSETNX', k('hash'), `nx${n % 5}`, String(n)],
    ['LINSERT', k('list'), 'BEFORE', `a${n}`, `ins${n}`],
    ['LMPOP', '2', k('list'), k('list', 4), 'RIGHT', 'COUNT', '2'],
    ['SPOP', k('set'), '2'],
    ['SMOVE', k('set'), k('set2'), `m${n % 40}`],
    ['SINTERSTORE', k('inter'), k('set'), k('set2')],
    ['ZUNIONSTORE', k('zunion'), '2', k('zset'), k('zset', 4), 'WEIGHTS', '1', '2'],
    ['ZRANGESTORE', k('zrange'), k('zset'), '0', '4'],
    ['ZPOPMIN', k('zset', 4)],
    ['XAUTOCLAIM', k('stream', 4), 'grp', `consumer-${(n + 1) % 3}`, '0', '0-0', 'COUNT', '2'],
    ['RPUSH', `${tag}:queue`, `job-${n}`],
    ['ZADD', `${tag}:zqueue`, String(n), `job-${n}`],
    ['COPY', k('hash'), k('hash-copy'), 'DB', '2', 'REPLACE'],
    ['SET', k('moved', 6), String(n)],
    ['MOVE', k('moved', 6), '9'],
    ['SORT', k('intset'), 'LIMIT', '0', '5', 'STORE', k('sorted', 4)],
    ['PERSIST', k('str', 50)],
  ];
  if (n % 10 === 9) cmds.push(['SWAPDB', '2', '9']);
  return cmds;
}

/** Sends a round pipelined and checks no reply is an error. */
export async function writeRoundTo(conn: RawConnection, tag: string, n: number, populated = 0): Promise<void> {
  const cmds = writeRound(tag, n, populated);
  const replies = await Promise.all(cmds.map((c) => conn.call(...c)));
  for (const [i, r] of replies.entries()) {
    assert.ok(r[0] !== 0x2d, `${cmds[i].join(' ')}: ${text(r)}`);
  }
}

export interface WriterOptions {
  /** Keys `pop:0`... made by DEBUG POPULATE, changed too (0: none). */
  populated?: number;
  /** The most rounds written: the load stays bounded. */
  maxRounds?: number;
  /** Pause between rounds (ms). */
  pauseMs?: number;
}

/**
 * Writes rounds (writeRound) on its own connection until stopped, while a
 * second connection keeps blocking on the round's queues (BLMOVE,
 * BZPOPMIN, XREADGROUP BLOCK): served by the rounds' pushes, its commands
 * are propagated in their plain forms.
 */
export class Writer {
  rounds = 0;
  private stopping = false;
  private readonly done: Promise<void>;

  private constructor(
    private readonly conn: RawConnection,
    private readonly blocker: RawConnection,
    private readonly tag: string,
    options: WriterOptions,
  ) {
    const maxRounds = options.maxRounds ?? 3000;
    this.done = Promise.all([
      this.loop(options.populated ?? 0, maxRounds, options.pauseMs ?? 2),
      this.block(maxRounds),
    ]).then(() => undefined);
    // The failure is reported by stop(); meanwhile it must not be unhandled.
    this.done.catch(() => undefined);
  }

  static async start(port: number, tag: string, options: WriterOptions = {}): Promise<Writer> {
    return new Writer(await RawConnection.open(port), await RawConnection.open(port), tag, options);
  }

  private async loop(populated: number, maxRounds: number, pauseMs: number): Promise<void> {
    try {
      while (!this.stopping && this.rounds < maxRounds) {
        await writeRoundTo(this.conn, this.tag, this.rounds, populated);
        this.rounds++;
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      }
    } finally {
      this.stopping = true;
      this.conn.close();
    }
  }

  private async block(maxRounds: number): Promise<void> {
    const t = this.tag;
    const blocking = [
      ['BLMOVE', `${t}:queue`, `${t}:served`, 'LEFT', 'RIGHT', '0.05'],
      ['BZPOPMIN', `${t}:zqueue`, '0.05'],
      ['XREADGROUP', 'GROUP', 'grp', 'blocked', 'COUNT', '1', 'BLOCK', '50', 'STREAMS', `${t}:stream:0`, '>'],
    ];
    try {
      for (let i = 0; !this.stopping && i < 3 * maxRounds; i++) {
        const reply = await this.blocker.call(...blocking[i % blocking.length]);
        assert.ok(reply[0] !== 0x2d, `${blocking[i % blocking.length].join(' ')}: ${text(reply)}`);
      }
    } finally {
      this.blocker.close();
    }
  }

  /** Stops after the current round; rejects if a write failed. Returns the rounds written. */
  async stop(): Promise<number> {
    this.stopping = true;
    await this.done;
    return this.rounds;
  }
}
