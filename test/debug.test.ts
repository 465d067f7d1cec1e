// DEBUG against a real redis-server: DEBUG POPULATE + DEBUG DIGEST prove
// dataset equality, DEBUG PROTOCOL must be byte-identical in RESP2 and RESP3.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RawConnection } from './helpers/resp.js';
import { redisAvailable, startRedis, startTandem, type RunningServer } from './helpers/servers.js';

const skip = redisAvailable() ? false : 'redis-server not installed';

const lines = (b: Buffer) => b.toString('latin1');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('DEBUG against redis-server', { skip }, () => {
  let redis: RunningServer | undefined;
  let tandem: RunningServer | undefined;
  let r: RawConnection;
  let t: RawConnection;

  before(async () => {
    const args = ['--enable-debug-command', 'yes'];
    [redis, tandem] = await Promise.all([startRedis(args), startTandem(args)]);
    [r, t] = await Promise.all([RawConnection.open(redis.port), RawConnection.open(tandem.port)]);
  });
  after(async () => {
    r?.close();
    t?.close();
    await Promise.all([redis?.stop(), tandem?.stop()]);
  });

  async function both(...args: Array<string | Buffer>): Promise<[Buffer, Buffer]> {
    return Promise.all([r.call(...args), t.call(...args)]);
  }

  async function same(...args: Array<string | Buffer>): Promise<Buffer> {
    const [expected, actual] = await both(...args);
    assert.equal(lines(actual), lines(expected), args.map(String).join(' '));
    return actual;
  }

  test('DEBUG POPULATE builds the same dataset as Redis (DEBUG DIGEST)', async () => {
    await same('FLUSHALL');
    await same('DEBUG', 'DIGEST');
    await same('SET', 'key:3', 'mine');
    await same('SET', 'other', 'x', 'EX', '1000');
    await same('DEBUG', 'POPULATE', '1000');
    await same('DEBUG', 'POPULATE', '100', 'pre', '20');
    await same('DEBUG', 'POPULATE', '100', 'short', '3');
    await same('DEBUG', 'POPULATE', '10', 'zero', '0');
    await same('DEBUG', 'POPULATE', '10', Buffer.from('nul\0cut'));
    await same('DEBUG', 'POPULATE', '3', 'p'.repeat(200));
    await same('DEBUG', 'POPULATE', '0');
    await same('SELECT', '5');
    await same('DEBUG', 'POPULATE', '50', 'five', '64');
    await same('SELECT', '0');
    await same('DBSIZE');
    await same('GET', 'key:3');
    await same('GET', 'pre:7');
    await same('GET', 'short:42');
    await same('GET', 'nul:1');
    await same('DEBUG', 'DIGEST');
    await same('DEBUG', 'DIGEST-VALUE', 'key:3', 'other', 'pre:99', 'nosuch');
    await same('DEBUG', 'DIGEST-VALUE');
  });

  test('DEBUG POPULATE handles a million keys, equal to Redis', async () => {
    await same('FLUSHALL');
    await same('DEBUG', 'POPULATE', '1000000', 'key', '16');
    await same('DBSIZE');
    // A full DEBUG DIGEST of a million keys is slow in Tandem (a SHA1 object per step): sample instead.
    await same('DEBUG', 'DIGEST-VALUE', 'key:0', 'key:1', 'key:500000', 'key:999999', 'key:1000000');
    await same('GET', 'key:999999');
    await same('FLUSHALL');
  });

  test('DEBUG POPULATE argument errors', async () => {
    for (const args of [['-1'], ['abc'], ['1', 'x', 'abc'], ['1', 'x', '-1'], [], ['1', '2', '3', '4']]) {
      await same('DEBUG', 'POPULATE', ...args);
    }
  });

  for (const resp of ['2', '3']) {
    test(`DEBUG PROTOCOL is byte-identical, RESP${resp}`, async () => {
      await both('HELLO', resp);
      for (const type of ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'push', 'verbatim', 'true', 'false', 'nosuch', 'STRING']) {
        if (type === 'push' && resp === '3') {
          // The push message, then the reply proper.
          const [expected, actual] = await both('DEBUG', 'PROTOCOL', type);
          const [e2, a2] = await Promise.all([r.reply(), t.reply()]);
          assert.equal(lines(actual) + lines(a2), lines(expected) + lines(e2));
        } else {
          await same('DEBUG', 'PROTOCOL', type);
        }
      }
      await both('HELLO', '2');
    });
  }

  test('DEBUG OBJECT describes values as Redis', async () => {
    await same('FLUSHALL');
    const values = ['bar', '100', '-5', '12345678901234', '', 'a'.repeat(44), 'a'.repeat(45), 'a'.repeat(100), 'x y', '007'];
    for (const [i, v] of values.entries()) await same('SET', `k${i}`, v);
    await same('SET', 'r', 'abc');
    await same('APPEND', 'r', 'def');
    // Addresses and LRU clocks differ; the rest must not.
    const strip = (b: Buffer) =>
      lines(b).replace(/at:0x[0-9a-f]+/, 'at:ADDR').replace(/lru:\d+ lru_seconds_idle:\d+/, 'lru:LRU');
    for (const key of [...values.keys()].map((i) => `k${i}`)) {
      const [expected, actual] = await both('DEBUG', 'OBJECT', key);
      assert.equal(strip(actual), strip(expected), key);
      assert.match(lines(actual), /^\+Value at:0x[0-9a-f]+ refcount:\d+ encoding:\w+ serializedlength:\d+ lru:\d+ lru_seconds_idle:\d+\r\n$/);
    }
    await same('DEBUG', 'OBJECT', 'nosuch');
  });

  test('DEBUG SET-ACTIVE-EXPIRE stops and restarts the background expiry', async () => {
    await same('FLUSHALL');
    await same('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await same('SET', 'short', 'v', 'PX', '20');
    await sleep(400);
    // DBSIZE counts stored keys: the expired key is still there.
    await same('DBSIZE');
    await same('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    await sleep(1000);
    await same('DBSIZE');
  });

  test('DEBUG SLEEP, LOG, ERROR and argument errors', async () => {
    await same('DEBUG', 'SLEEP', '0');
    await same('DEBUG', 'SLEEP', '0.05');
    await same('DEBUG', 'SLEEP', 'abc');
    await same('DEBUG', 'LOG', 'hello from the test');
    await same('DEBUG', 'ERROR', 'something broke');
    await same('DEBUG', 'ERROR', '-CUSTOM code\nline');
    await same('DEBUG', 'STRINGMATCH-TEST');
    assert.match(tandem!.output(), /# DEBUG LOG: hello from the test\n/);
    for (const args of [
      ['nosuch'],
      ['SLEEP'],
      ['SLEEP', '1', '2'],
      ['OBJECT'],
      ['LOG'],
      ['DIGEST', 'x'],
      ['PROTOCOL'],
      ['SET-ACTIVE-EXPIRE'],
      ['HELP', 'x'],
    ]) {
      await same('DEBUG', ...args);
    }
    await same('DEBUG');
  });

  test('DEBUG HELP lists our subcommands in Redis format', async () => {
    const help = lines(await t.call('DEBUG', 'HELP'));
    assert.match(help, /^\*\d+\r\n\+DEBUG <subcommand> \[<arg> \[value\] \[opt\] \.\.\.\]\. Subcommands are:\r\n/);
    assert.match(help, /\+POPULATE <count> \[<prefix>\] \[<size>\]\r\n/);
    assert.match(help, /\+HELP\r\n\+    Prints this help\.\r\n$/);
  });
});

describe('DEBUG is protected', { skip }, () => {
  test('refused unless enable-debug-command allows it, as Redis', async () => {
    const [redis, tandem] = await Promise.all([startRedis(), startTandem()]);
    try {
      const [r, t] = await Promise.all([RawConnection.open(redis.port), RawConnection.open(tandem.port)]);
      const [expected, actual] = await Promise.all([r.call('DEBUG', 'DIGEST'), t.call('DEBUG', 'DIGEST')]);
      assert.equal(lines(actual), lines(expected));
      r.close();
      t.close();
    } finally {
      await Promise.all([redis.stop(), tandem.stop()]);
    }
  });
});
