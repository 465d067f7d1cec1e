// Pub/Sub, black box: subscribe/publish flows over RESP2 and RESP3 compared
// byte for byte with the reference redis-server (several connections per
// server, see helpers/pubsub.ts), subscriber-mode restrictions, PUBSUB
// introspection, CLIENT LIST/KILL for subscribers, the idle timeout, output
// buffer limits that disconnect slow subscribers, and real client libraries.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { PubSubSession, step, type Step } from './helpers/pubsub.js';
import { encodeCommand, RawConnection } from './helpers/resp.js';
import { redisAvailable, startRedis, startTandem, type RunningServer } from './helpers/servers.js';

const noRedis = redisAvailable() ? false : 'redis-server not installed';

interface Scenario {
  name: string;
  /** Connections the scenario uses (default 2). */
  conns?: number;
  steps: Step[];
}

/** Switches a connection to RESP3 (the reply holds the connection id: masked when compared). */
const hello3 = (conn: number): Step => step(conn, 'HELLO', '3');

const scenarios: Scenario[] = [
  {
    name: 'SUBSCRIBE, PUBLISH, UNSUBSCRIBE: confirmations with counts, messages, receiver counts',
    steps: [
      step(0, 'SUBSCRIBE', 'news', 'sport', 'news'),
      step(1, 'PUBLISH', 'news', 'hello'),
      step(1, 'PUBLISH', 'nobody', 'x'),
      step(0, 'UNSUBSCRIBE', 'news', 'never-subscribed'),
      step(1, 'PUBLISH', 'news', 'lost'),
      step(1, 'PUBLISH', 'sport', 'goal'),
      step(0, 'UNSUBSCRIBE', 'sport'),
      step(0, 'UNSUBSCRIBE'),
      step(0, 'PUNSUBSCRIBE'),
      step(0, 'SUNSUBSCRIBE'),
      step(0, 'GET', 'k'),
    ],
  },
  {
    name: 'binary-safe channels and messages, empty ones included',
    steps: [
      step(0, 'SUBSCRIBE', 'a\0b', '\xff\xfe', '', 'line\r\nbreak'),
      step(1, 'PUBLISH', 'a\0b', 'bin\0ary\r\n'),
      step(1, 'PUBLISH', '\xff\xfe', ''),
      step(1, 'PUBLISH', '', 'to the empty channel'),
      step(1, 'PUBLISH', 'line\r\nbreak', 'x'.repeat(70000)),
      step(1, 'PUBSUB', 'NUMSUB', '', 'a\0b', 'a'),
    ],
  },
  {
    name: 'PSUBSCRIBE: pmessage with the pattern, glob rules, pattern list order on PUNSUBSCRIBE',
    steps: [
      step(0, 'PSUBSCRIBE', 'news.*', 'h?llo', '[ab]*', 'news.*'),
      step(1, 'PUBLISH', 'news.tech', 'chips'),
      step(1, 'PUBLISH', 'hello', 'world'),
      step(1, 'PUBLISH', 'hallo', 'welt'),
      step(1, 'PUBLISH', 'bee', 'buzz'),
      step(1, 'PUBLISH', 'news', 'no match'),
      step(0, 'PUNSUBSCRIBE', 'h?llo', 'zz*'),
      step(1, 'PUBLISH', 'hello', 'gone'),
      step(0, 'PUNSUBSCRIBE'),
      step(0, 'PUNSUBSCRIBE'),
    ],
  },
  {
    name: 'pattern "*" never matches the empty channel, as Redis\'s matcher',
    steps: [step(0, 'PSUBSCRIBE', '*'), step(1, 'PUBLISH', '', 'm'), step(1, 'PUBLISH', 'x', 'm')],
  },
  {
    name: 'channel and pattern on one connection: message first, then pmessage; counts add up',
    conns: 3,
    steps: [
      step(0, 'SUBSCRIBE', 'ch'),
      step(0, 'PSUBSCRIBE', 'c*'),
      step(1, 'SUBSCRIBE', 'ch'),
      step(2, 'PUBLISH', 'ch', 'both'),
      step(0, 'UNSUBSCRIBE', 'ch'),
      step(2, 'PUBLISH', 'ch', 'pattern only for 0'),
      step(2, 'PUBSUB', 'NUMSUB', 'ch'),
      step(2, 'PUBSUB', 'NUMPAT'),
    ],
  },
  {
    name: 'shard channels: SSUBSCRIBE/SPUBLISH/SUNSUBSCRIBE, counted apart, never reached by PUBLISH or patterns',
    conns: 3,
    steps: [
      step(0, 'SSUBSCRIBE', 's1', 's2', 's1'),
      step(0, 'SUBSCRIBE', 's1'),
      step(2, 'PSUBSCRIBE', '*'),
      step(1, 'SPUBLISH', 's1', 'sharded'),
      step(1, 'PUBLISH', 's1', 'plain'),
      step(1, 'SPUBLISH', 'nobody', 'x'),
      { conn: 1, args: ['PUBSUB', 'SHARDCHANNELS'], unordered: true },
      step(1, 'PUBSUB', 'SHARDNUMSUB', 's1', 's2', 's3'),
      { conn: 1, args: ['PUBSUB', 'SHARDCHANNELS', 's?'], unordered: true },
      step(0, 'SUNSUBSCRIBE', 's1'),
      step(0, 'SUNSUBSCRIBE', 's1'),
      step(0, 'UNSUBSCRIBE'),
      step(0, 'SUNSUBSCRIBE'),
      step(0, 'SUNSUBSCRIBE'),
    ],
  },
  {
    name: 'RESP2 subscriber mode: only (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT, RESET',
    steps: [
      step(0, 'SSUBSCRIBE', 'only-shard'),
      step(0, 'GET', 'k'),
      step(0, 'PUBSUB', 'NUMPAT'),
      step(0, 'CLIENT', 'ID'),
      step(0, 'MULTI'),
      step(0, 'PUBLISH', 'x', 'y'),
      step(0, 'PING'),
      step(0, 'PING', 'hi'),
      step(0, 'PING', 'a', 'b'),
      step(0, 'NOSUCHCOMMAND', 'x'),
      step(0, 'SUBSCRIBE'),
      step(0, 'PSUBSCRIBE', 'p*'),
      step(0, 'UNSUBSCRIBE', 'x'),
      step(0, 'RESET'),
      step(0, 'PING'),
      step(0, 'SUBSCRIBE', 'c'),
      step(1, 'PUBLISH', 'c', 'before quit'),
      step(0, 'QUIT'),
      step(1, 'PUBLISH', 'c', 'after quit'),
    ],
  },
  {
    name: 'RESP3: pushes, any command allowed while subscribed, own messages before the reply',
    steps: [
      hello3(0),
      step(0, 'SUBSCRIBE', 'x', 'y'),
      step(0, 'SET', 'k', 'v'),
      step(0, 'GET', 'k'),
      step(0, 'PING'),
      step(0, 'PUBLISH', 'x', 'to myself'),
      step(0, 'PSUBSCRIBE', '*'),
      step(0, 'PUBLISH', 'y', 'twice'),
      step(1, 'PUBLISH', 'z', 'pattern'),
      step(0, 'PUBSUB', 'NUMSUB', 'x', 'y'),
      step(0, 'UNSUBSCRIBE', 'x'),
      step(0, 'PUNSUBSCRIBE'),
      step(0, 'PUNSUBSCRIBE'),
      step(0, 'UNSUBSCRIBE', 'y'),
      step(0, 'UNSUBSCRIBE'),
      step(0, 'SSUBSCRIBE', 's'),
      step(1, 'SPUBLISH', 's', 'sm'),
      step(0, 'SUNSUBSCRIBE'),
      step(0, 'SUBSCRIBE', 'back'),
      step(0, 'HELLO', '2'),
      step(0, 'GET', 'k'),
      step(0, 'PING'),
    ],
  },
  {
    name: 'pushes ignore CLIENT REPLY OFF and SKIP; replies do not',
    steps: [
      step(0, 'SUBSCRIBE', 'c'),
      step(0, 'RESET'),
      hello3(0),
      { conn: 0, args: ['CLIENT', 'REPLY', 'OFF'], quiet: [0] },
      { conn: 0, args: ['SUBSCRIBE', 'c'], quiet: [0] },
      { conn: 1, args: ['PUBLISH', 'c', 'while off'], quiet: [0] },
      { conn: 0, args: ['GET', 'k'], quiet: [0] },
      step(0, 'CLIENT', 'REPLY', 'ON'),
      { conn: 0, args: ['CLIENT', 'REPLY', 'SKIP'], quiet: [0] },
      step(0, 'PUBLISH', 'c', 'own message, reply skipped'),
      step(1, 'PUBLISH', 'c', 'after skip'),
      step(0, 'HELLO', '2'),
      { conn: 0, args: ['CLIENT', 'REPLY', 'OFF'], quiet: [0] },
      { conn: 1, args: ['PUBLISH', 'c', 'RESP2 while off'], quiet: [0] },
      { conn: 0, args: ['UNSUBSCRIBE'], quiet: [0] },
      step(0, 'RESET'),
    ],
  },
  {
    name: 'RESET leaves subscriber mode silently',
    steps: [
      step(0, 'SUBSCRIBE', 'a', 'b'),
      step(0, 'PSUBSCRIBE', 'p*'),
      step(0, 'SSUBSCRIBE', 's'),
      step(0, 'RESET'),
      step(1, 'PUBLISH', 'a', 'nobody'),
      step(1, 'PUBLISH', 'pa', 'nobody'),
      step(1, 'PUBSUB', 'NUMPAT'),
      step(1, 'PUBSUB', 'NUMSUB', 'a', 'b'),
      step(1, 'PUBSUB', 'SHARDNUMSUB', 's'),
      step(0, 'GET', 'k'),
    ],
  },
  {
    name: 'UNSUBSCRIBE without arguments confirms every channel (in hash order in Redis)',
    steps: [
      step(0, 'SUBSCRIBE', 'c1', 'c2', 'c3', 'c4'),
      step(0, 'PSUBSCRIBE', 'p1'),
      { conn: 0, args: ['UNSUBSCRIBE'], unordered: true },
      step(1, 'PUBLISH', 'c1', 'gone'),
      step(0, 'SSUBSCRIBE', 's1', 's2', 's3'),
      { conn: 0, args: ['SUNSUBSCRIBE'], unordered: true },
    ],
  },
  {
    name: 'PUBSUB introspection and its errors',
    conns: 3,
    steps: [
      step(0, 'SUBSCRIBE', 'news.a', 'news.b', 'other'),
      step(1, 'SUBSCRIBE', 'news.a'),
      step(1, 'PSUBSCRIBE', 'news.*', 'x'),
      step(0, 'PSUBSCRIBE', 'news.*'),
      { conn: 2, args: ['PUBSUB', 'CHANNELS'], unordered: true },
      { conn: 2, args: ['PUBSUB', 'CHANNELS', 'news.*'], unordered: true },
      step(2, 'PUBSUB', 'CHANNELS', 'nothing*'),
      step(2, 'PUBSUB', 'NUMSUB', 'news.a', 'news.b', 'news.*', 'none'),
      step(2, 'PUBSUB', 'NUMSUB'),
      step(2, 'PUBSUB', 'NUMPAT'),
      step(2, 'PUBSUB', 'SHARDCHANNELS'),
      step(2, 'PUBSUB', 'SHARDNUMSUB'),
      step(2, 'PUBSUB', 'HELP'),
      step(2, 'pubsub', 'help'),
      step(2, 'PUBSUB', 'CHANNELS', 'a', 'b'),
      step(2, 'PUBSUB', 'ShardChannels', 'a', 'b'),
      step(2, 'PUBSUB', 'NUMPAT', 'x'),
      step(2, 'PUBSUB', 'HELP', 'x'),
      step(2, 'PUBSUB', 'NOPE'),
      step(2, 'PUBSUB'),
      step(2, 'PUBLISH', 'x'),
      step(2, 'SPUBLISH', 'x', 'y', 'z'),
      hello3(2),
      step(2, 'PUBSUB', 'NUMSUB', 'news.a'),
      { conn: 2, args: ['PUBSUB', 'CHANNELS', '*.a'], unordered: true },
    ],
  },
  {
    name: 'inside MULTI/EXEC: SUBSCRIBE replies inside the EXEC array, SSUBSCRIBE is refused',
    steps: [
      // A barrier PING would be queued too: the replies are collected with EXEC's.
      { conn: 0, args: ['MULTI'], quiet: [0] },
      { conn: 0, args: ['SUBSCRIBE', 'x'], quiet: [0] },
      { conn: 0, args: ['SSUBSCRIBE', 'y'], quiet: [0] },
      { conn: 0, args: ['PING'], quiet: [0] },
      step(0, 'EXEC'),
      step(1, 'PUBLISH', 'x', 'after exec'),
      step(0, 'GET', 'x'),
      step(0, 'MULTI'),
      step(1, 'PUBSUB', 'SHARDNUMSUB', 'y'),
    ],
  },
  {
    name: 'a subscriber that disconnects is forgotten',
    conns: 3,
    steps: [
      step(0, 'SUBSCRIBE', 'c'),
      step(1, 'SUBSCRIBE', 'c'),
      step(0, 'QUIT'),
      step(2, 'PUBLISH', 'c', 'one left'),
      step(2, 'PUBSUB', 'NUMSUB', 'c'),
    ],
  },
];

/** A subscriber that stops reading: its socket is paused right after the subscription is confirmed. */
async function stalledSubscriber(port: number, channel: string): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.on('error', () => undefined);
  socket.write(encodeCommand(['SUBSCRIBE', channel]));
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.pause();
  return socket;
}

/**
 * With `limit` set, a stalled subscriber receives `message` every
 * `intervalMs` until the server drops it (its subscription disappears);
 * false if it is still there after 15 s.
 */
async function dropsStalledSubscriber(port: number, limit: string, message: string, intervalMs: number) {
  const pub = await RawConnection.open(port);
  await pub.call('CONFIG', 'SET', 'client-output-buffer-limit', limit);
  const sub = await stalledSubscriber(port, 'firehose');
  const deadline = Date.now() + 15_000;
  let dropped = false;
  while (!dropped && Date.now() < deadline) {
    await pub.call('PUBLISH', 'firehose', message);
    dropped = (await pub.call('PUBSUB', 'NUMSUB', 'firehose')).toString().endsWith(':0\r\n');
    if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
  }
  await pub.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
  pub.close();
  sub.destroy();
  return dropped;
}

describe('pub/sub, differential', { skip: noRedis }, () => {
  let redis: RunningServer;
  let tandem: RunningServer;
  before(async () => {
    [redis, tandem] = await Promise.all([startRedis(), startTandem()]);
  });
  after(async () => {
    await Promise.all([redis?.stop(), tandem?.stop()]);
  });

  for (const sc of scenarios) {
    test(sc.name, async () => {
      const [r, t] = await Promise.all([
        PubSubSession.open(redis.port, sc.conns ?? 2),
        PubSubSession.open(tandem.port, sc.conns ?? 2),
      ]);
      try {
        const [expected, actual] = await Promise.all([r.transcript(sc.steps), t.transcript(sc.steps)]);
        assert.deepEqual(actual.map(maskHello), expected.map(maskHello));
      } finally {
        await Promise.all([r.close(), t.close()]);
      }
    });
  }

  test('INFO stats counts channels, patterns and shard channels', async () => {
    const stats = async (port: number) => {
      const subscriber = await RawConnection.open(port);
      const other = await RawConnection.open(port);
      await subscriber.call('SUBSCRIBE', 'a', 'b');
      await subscriber.call('SUBSCRIBE', 'c');
      await other.call('SUBSCRIBE', 'a');
      await other.call('PSUBSCRIBE', 'p*', 'q*');
      await other.call('SSUBSCRIBE', 's');
      const info = (await RawConnection.open(port).then(async (c) => {
        const reply = await c.call('INFO', 'stats');
        c.close();
        return reply;
      })).toString('latin1');
      subscriber.close();
      other.close();
      return info.split('\r\n').filter((l) => l.startsWith('pubsub'));
    };
    const [expected, actual] = await Promise.all([stats(redis.port), stats(tandem.port)]);
    assert.deepEqual(actual, expected);
    assert.deepEqual(actual, ['pubsub_channels:3', 'pubsub_patterns:2', 'pubsubshard_channels:1']);
  });

  test('client-output-buffer-limit pubsub, hard: a stalled subscriber over it is dropped', async () => {
    const run = (s: RunningServer) => dropsStalledSubscriber(s.port, 'pubsub 1mb 0 0', 'x'.repeat(256 * 1024), 0);
    const [r, t] = await Promise.all([run(redis), run(tandem)]);
    assert.equal(r, true, 'redis drops the subscriber');
    assert.equal(t, true, 'tandem drops the subscriber');
    assert.match(
      tandem.output(),
      /Client id=\d+ addr=\S+ .*flags=P .*sub=1 .* scheduled to be closed ASAP for overcoming of output buffer limits\./,
    );
  });

  test('client-output-buffer-limit pubsub, soft: dropped once over it for longer than its seconds', async () => {
    const run = (s: RunningServer) => dropsStalledSubscriber(s.port, 'pubsub 0 256kb 1', 'y'.repeat(512 * 1024), 200);
    const [r, t] = await Promise.all([run(redis), run(tandem)]);
    assert.equal(r, true, 'redis drops the subscriber');
    assert.equal(t, true, 'tandem drops the subscriber');
  });
});

/** HELLO's reply holds the connection id, which differs between servers. */
function maskHello(line: string): string {
  return line.replace(/(\$2\\r\\nid\\r\\n:)\d+/g, '$1<id>');
}

/** CLIENT LIST output as maps of field → value, one per line. */
function clientFields(reply: Buffer): Array<Map<string, string>> {
  const s = reply.toString('latin1');
  const body = s.slice(s.indexOf('\r\n') + 2, -2);
  return body
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => new Map(l.split(' ').map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)])));
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('subscribers as clients: CLIENT LIST/KILL, timeout, client libraries', () => {
  let tandem: RunningServer;
  before(async () => {
    tandem = await startTandem();
  });
  after(async () => {
    await tandem?.stop();
  });

  test('CLIENT LIST shows sub/psub/ssub and flag P; TYPE pubsub selects subscribers', async () => {
    const sub = await RawConnection.open(tandem.port);
    const admin = await RawConnection.open(tandem.port);
    try {
      await sub.call('CLIENT', 'SETNAME', 'listener');
      await sub.call('SUBSCRIBE', 'a', 'b');
      await sub.call('PSUBSCRIBE', 'p*');
      await sub.call('SSUBSCRIBE', 's1', 's2', 's3');
      const line = clientFields(await admin.call('CLIENT', 'LIST')).find((f) => f.get('name') === 'listener')!;
      assert.equal(line.get('flags'), 'P');
      assert.deepEqual([line.get('sub'), line.get('psub'), line.get('ssub')], ['2', '1', '3']);
      const pubsubOnly = clientFields(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
      assert.deepEqual(pubsubOnly.map((f) => f.get('name')), ['listener']);
      const normal = clientFields(await admin.call('CLIENT', 'LIST', 'TYPE', 'normal'));
      assert.ok(!normal.some((f) => f.get('name') === 'listener'));
      assert.equal((await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toString(), ':1\r\n');
      assert.equal(await sub.waitClosed(), true);
      assert.equal((await admin.call('PUBSUB', 'NUMSUB', 'a')).toString(), '*2\r\n$1\r\na\r\n:0\r\n');
    } finally {
      sub.close();
      admin.close();
    }
  });

  test('timeout closes idle clients but not subscribers', async () => {
    const sub = await RawConnection.open(tandem.port);
    const idle = await RawConnection.open(tandem.port);
    try {
      await sub.call('SUBSCRIBE', 'c');
      await idle.call('CONFIG', 'SET', 'timeout', '1');
      assert.equal(await idle.waitClosed(5000), true);
      assert.equal(sub.isClosed, false);
      const admin = await RawConnection.open(tandem.port);
      await admin.call('CONFIG', 'SET', 'timeout', '0');
      await admin.call('PUBLISH', 'c', 'still here');
      admin.close();
      assert.equal((await sub.reply()).toString(), '*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$10\r\nstill here\r\n');
    } finally {
      sub.close();
      idle.close();
    }
  });

  test('ioredis: subscribe, psubscribe, messages, unsubscribe', async () => {
    const sub = new Redis(tandem.port, '127.0.0.1', { lazyConnect: true });
    const pub = new Redis(tandem.port, '127.0.0.1', { lazyConnect: true });
    try {
      await Promise.all([sub.connect(), pub.connect()]);
      const got: string[] = [];
      sub.on('message', (ch: string, msg: string) => got.push(`${ch}:${msg}`));
      sub.on('pmessage', (p: string, ch: string, msg: string) => got.push(`${p}|${ch}:${msg}`));
      assert.equal(await sub.subscribe('one', 'two'), 2);
      assert.equal(await sub.psubscribe('t*'), 3);
      assert.equal(await pub.publish('one', 'a'), 1);
      assert.equal(await pub.publish('two', 'b'), 2);
      await until(async () => got.length === 3);
      assert.deepEqual(got, ['one:a', 'two:b', 't*|two:b']);
      await sub.unsubscribe('one', 'two');
      await sub.punsubscribe('t*');
      // Out of subscriber mode: ordinary commands again.
      assert.equal(await sub.get('nothing'), null);
    } finally {
      sub.disconnect();
      pub.disconnect();
    }
  });

  test('node-redis over RESP2: subscribe and sharded subscribe', async () => {
    const pub = createClient({ socket: { port: tandem.port, host: '127.0.0.1' } });
    const sub = pub.duplicate();
    try {
      await Promise.all([pub.connect(), sub.connect()]);
      const got: string[] = [];
      await sub.subscribe('chan', (msg, ch) => got.push(`${ch}:${msg}`));
      await sub.sSubscribe('shard', (msg, ch) => got.push(`s ${ch}:${msg}`));
      assert.equal(await pub.publish('chan', 'hi'), 1);
      assert.equal(await pub.sPublish('shard', 'there'), 1);
      await until(async () => got.length === 2);
      assert.deepEqual(got, ['chan:hi', 's shard:there']);
      assert.deepEqual({ ...(await pub.pubSubNumSub('chan')) }, { chan: 1 });
    } finally {
      await Promise.all([sub.quit(), pub.quit()]);
    }
  });
});
