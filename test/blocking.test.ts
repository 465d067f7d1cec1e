// Blocking commands: the same multi-client scenarios run against real Redis
// and Tandem with raw connections (replies compared byte for byte, and
// checked for what they must be), reply-for-reply differential cases for the
// immediate forms and errors, and, in process, what served pops propagate.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Config } from '../src/config/config.js';
import { Server } from '../src/server/server.js';
import { cmd, differentialSuite, type DiffCase } from './helpers/differential.js';
import { TestClient } from './helpers/in-process.js';
import { RawConnection } from './helpers/resp.js';
import { redisAvailable, startRedis, startTandem, type RunningServer } from './helpers/servers.js';

const skip = redisAvailable() ? false : 'redis-server not installed';

/** Polls INFO until `n` clients are blocked (guarding against a hang, not timing anything). */
async function waitBlocked(ctl: RawConnection, n: number): Promise<void> {
  const giveUp = Date.now() + 10_000;
  for (;;) {
    const info = (await ctl.call('INFO', 'clients')).toString('latin1');
    if (Number(/blocked_clients:(\d+)/.exec(info)?.[1]) === n) return;
    if (Date.now() > giveUp) throw new Error(`never saw ${n} blocked clients:\n${info}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A scenario: drives connections to one server and returns the replies it saw, in a fixed order. */
type Scenario = (port: number) => Promise<string[]>;

describe('blocking scenarios, Redis and Tandem side by side', { skip }, () => {
  let redis: RunningServer | undefined;
  let tandem: RunningServer | undefined;
  const open: RawConnection[] = [];
  before(async () => {
    [redis, tandem] = await Promise.all([startRedis(), startTandem()]);
  });
  after(async () => {
    for (const c of open) c.close();
    await Promise.all([redis?.stop(), tandem?.stop()]);
  });

  const connect = async (port: number): Promise<RawConnection> => {
    const c = await RawConnection.open(port);
    open.push(c);
    return c;
  };

  /** Runs `scenario` on a flushed Redis, then on a flushed Tandem; the replies must be identical. Returns them. */
  async function both(scenario: Scenario): Promise<string[]> {
    const results: string[][] = [];
    for (const server of [redis!, tandem!]) {
      const flusher = await connect(server.port);
      await flusher.call('FLUSHALL');
      flusher.close();
      results.push(await scenario(server.port));
      // Every wait of the scenario has ended.
      const ctl = await connect(server.port);
      await waitBlocked(ctl, 0);
      ctl.close();
    }
    assert.deepEqual(results[1], results[0]);
    return results[1];
  }

  test('three clients on one key are served in the order they blocked', async () => {
    const out = await both(async (port) => {
      const ctl = await connect(port);
      const waiters = [await connect(port), await connect(port), await connect(port)];
      const replies: Promise<Buffer>[] = [];
      for (let i = 0; i < waiters.length; i++) {
        replies.push(waiters[i].call('BLPOP', 'k', '0'));
        await waitBlocked(ctl, i + 1);
      }
      // One push of two elements serves the first two; the third keeps waiting.
      const pushed = await ctl.call('LPUSH', 'k', 'a', 'b');
      const first = await replies[0];
      const second = await replies[1];
      await waitBlocked(ctl, 1);
      const len = await ctl.call('LLEN', 'k');
      await ctl.call('RPUSH', 'k', 'c');
      const third = await replies[2];
      return [pushed, first, second, len, third].map((b) => b.toString('latin1'));
    });
    assert.deepEqual(out, [':2\r\n', '*2\r\n$1\r\nk\r\n$1\r\nb\r\n', '*2\r\n$1\r\nk\r\n$1\r\na\r\n', ':0\r\n', '*2\r\n$1\r\nk\r\n$1\r\nc\r\n']);
  });

  test('a key renamed onto the waited name serves the client', async () => {
    const out = await both(async (port) => {
      const [ctl, w] = [await connect(port), await connect(port)];
      const reply = w.call('BRPOP', 'dst', '0');
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'src', 'x', 'y');
      await ctl.call('RENAME', 'src', 'dst');
      return [(await reply).toString('latin1'), (await ctl.call('LRANGE', 'dst', '0', '-1')).toString('latin1')];
    });
    assert.equal(out[0], '*2\r\n$3\r\ndst\r\n$1\r\ny\r\n');
  });

  test('MULTI/EXEC serves after the whole transaction; a key created and emptied inside serves nobody', async () => {
    const out = await both(async (port) => {
      const [ctl, w] = [await connect(port), await connect(port)];
      const reply = w.call('BLPOP', 'k', '0');
      await waitBlocked(ctl, 1);
      for (const c of [cmd('MULTI'), cmd('LPUSH k a'), cmd('LPOP k'), cmd('EXEC')]) await ctl.call(...c);
      await waitBlocked(ctl, 1);
      const exec = [cmd('MULTI'), cmd('LPUSH k a'), cmd('LPUSH k b'), cmd('EXEC')];
      let execReply: Buffer = Buffer.alloc(0);
      for (const c of exec) execReply = await ctl.call(...c);
      return [execReply.toString('latin1'), (await reply).toString('latin1')];
    });
    // Served once both pushes had run: the head is then "b".
    assert.deepEqual(out, ['*2\r\n:1\r\n:2\r\n', '*2\r\n$1\r\nk\r\n$1\r\nb\r\n']);
  });

  test('several keys: the first key made ready wins', async () => {
    const out = await both(async (port) => {
      const [ctl, w] = [await connect(port), await connect(port)];
      const reply = w.call('BLPOP', 'k1', 'k2', 'k3', '0');
      await waitBlocked(ctl, 1);
      for (const c of [cmd('MULTI'), cmd('RPUSH k3 from3'), cmd('RPUSH k1 from1'), cmd('EXEC')]) await ctl.call(...c);
      return [(await reply).toString('latin1'), (await ctl.call('LLEN', 'k1')).toString('latin1')];
    });
    assert.deepEqual(out, ['*2\r\n$2\r\nk3\r\n$5\r\nfrom3\r\n', ':1\r\n']);
  });

  test('timeouts reply a null array in RESP2 and a null in RESP3, for every command', async () => {
    const out = await both(async (port) => {
      const w = await connect(port);
      const replies: string[] = [];
      const commands = [
        cmd('BLPOP k 0.01'),
        cmd('BRPOP k k2 0.01'),
        cmd('BLMOVE k d LEFT RIGHT 0.01'),
        cmd('BRPOPLPUSH k d 0.01'),
        cmd('BLMPOP 0.01 2 k k2 RIGHT COUNT 3'),
        cmd('BZPOPMIN z 0.01'),
        cmd('BZPOPMAX z 0.01'),
        cmd('BZMPOP 0.01 1 z MAX'),
      ];
      for (const c of commands) replies.push((await w.call(...c)).toString('latin1'));
      await w.call('HELLO', '3');
      for (const c of [commands[0], commands[2], commands[7]]) replies.push((await w.call(...c)).toString('latin1'));
      return replies;
    });
    assert.deepEqual(out, [...Array(8).fill('*-1\r\n'), ...Array(3).fill('_\r\n')]);
  });

  test('CLIENT UNBLOCK with TIMEOUT and with ERROR', async () => {
    const out = await both(async (port) => {
      const [ctl, w] = [await connect(port), await connect(port)];
      const id = (await w.call('CLIENT', 'ID')).toString('latin1').slice(1, -2);
      const replies: string[] = [];
      let reply = w.call('BLPOP', 'k', '0');
      await waitBlocked(ctl, 1);
      replies.push((await ctl.call('CLIENT', 'UNBLOCK', id)).toString('latin1'), (await reply).toString('latin1'));
      reply = w.call('BZPOPMIN', 'z', '0');
      await waitBlocked(ctl, 1);
      replies.push((await ctl.call('CLIENT', 'UNBLOCK', id, 'error')).toString('latin1'), (await reply).toString('latin1'));
      // Not blocked any more: nothing to do.
      replies.push((await ctl.call('CLIENT', 'UNBLOCK', id, 'TIMEOUT')).toString('latin1'));
      replies.push((await w.call('PING')).toString('latin1'));
      return replies;
    });
    assert.deepEqual(out, [':1\r\n', '*-1\r\n', ':1\r\n', '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n', ':0\r\n', '+PONG\r\n']);
  });

  test('BLMOVE feeds a client blocked on its destination; BRPOPLPUSH; a wrong-type destination ends the wait', async () => {
    const out = await both(async (port) => {
      const [ctl, a, b, d] = [await connect(port), await connect(port), await connect(port), await connect(port)];
      const onDst = a.call('BLPOP', 'dst', '0');
      await waitBlocked(ctl, 1);
      const mover = b.call('BLMOVE', 'src', 'dst', 'RIGHT', 'LEFT', '0');
      await waitBlocked(ctl, 2);
      const replies = [(await ctl.call('RPUSH', 'src', 'one', 'two')).toString('latin1')];
      replies.push((await mover).toString('latin1'), (await onDst).toString('latin1'));
      replies.push((await ctl.call('LRANGE', 'src', '0', '-1')).toString('latin1'), (await ctl.call('EXISTS', 'dst')).toString('latin1'));
      const rpoplpush = d.call('BRPOPLPUSH', 'q', 'q2', '0');
      await waitBlocked(ctl, 1);
      await ctl.call('LPUSH', 'q', 'x');
      replies.push((await rpoplpush).toString('latin1'), (await ctl.call('LRANGE', 'q2', '0', '-1')).toString('latin1'));
      await ctl.call('SET', 'str', 'v');
      const failing = d.call('BLMOVE', 'q3', 'str', 'LEFT', 'LEFT', '0');
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'q3', 'kept');
      replies.push((await failing).toString('latin1'), (await ctl.call('LRANGE', 'q3', '0', '-1')).toString('latin1'));
      return replies;
    });
    assert.deepEqual(out.slice(0, 3), [':2\r\n', '$3\r\ntwo\r\n', '*2\r\n$3\r\ndst\r\n$3\r\ntwo\r\n']);
    assert.equal(out[7], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
  });

  test('BZPOPMIN, BZPOPMAX and BZMPOP are served, in RESP2 and RESP3', async () => {
    const out = await both(async (port) => {
      const [ctl, a, b, c3] = [await connect(port), await connect(port), await connect(port), await connect(port)];
      await c3.call('HELLO', '3');
      const min = a.call('BZPOPMIN', 'z', '0');
      await waitBlocked(ctl, 1);
      const mpop = b.call('BZMPOP', '0', '2', 'y', 'z', 'MAX', 'COUNT', '10');
      await waitBlocked(ctl, 2);
      const max3 = c3.call('BZPOPMAX', 'z', 'y', '0');
      await waitBlocked(ctl, 3);
      const replies = [(await ctl.call('ZADD', 'z', '1', 'a', '2.5', 'b', '3', 'c', '4', 'd')).toString('latin1')];
      replies.push((await min).toString('latin1'), (await mpop).toString('latin1'));
      await waitBlocked(ctl, 1);
      await ctl.call('ZADD', 'y', '-1', 'm');
      replies.push((await max3).toString('latin1'), (await ctl.call('EXISTS', 'z', 'y')).toString('latin1'));
      return replies;
    });
    assert.equal(out[1], '*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n');
    assert.equal(out[3], '*3\r\n$1\r\ny\r\n$1\r\nm\r\n,-1\r\n');
  });

  test('BLMPOP serves up to COUNT elements', async () => {
    const out = await both(async (port) => {
      const [ctl, w] = [await connect(port), await connect(port)];
      const reply = w.call('BLMPOP', '0', '2', 'a', 'b', 'RIGHT', 'COUNT', '2');
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'b', '1', '2', '3');
      return [(await reply).toString('latin1'), (await ctl.call('LRANGE', 'b', '0', '-1')).toString('latin1')];
    });
    assert.deepEqual(out, ['*2\r\n$1\r\nb\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n', '*1\r\n$1\r\n1\r\n']);
  });

  test('commands pipelined after a blocking one wait for it; a fractional timeout ends the wait', async () => {
    const out = await both(async (port) => {
      const [ctl, w] = [await connect(port), await connect(port)];
      w.send('BLPOP k 0\r\nPING\r\nBLPOP k 0.1\r\nECHO done\r\n');
      await waitBlocked(ctl, 1);
      await ctl.call('RPUSH', 'k', 'v');
      const replies: string[] = [];
      for (let i = 0; i < 4; i++) replies.push((await w.reply()).toString('latin1'));
      return replies;
    });
    assert.deepEqual(out, ['*2\r\n$1\r\nk\r\n$1\r\nv\r\n', '+PONG\r\n', '*-1\r\n', '$4\r\ndone\r\n']);
  });

  test('a blocked client that disconnects is forgotten', async () => {
    const out = await both(async (port) => {
      const [ctl, w] = [await connect(port), await connect(port)];
      void w.call('BLPOP', 'k', '0').catch(() => undefined);
      await waitBlocked(ctl, 1);
      w.close();
      await waitBlocked(ctl, 0);
      await ctl.call('RPUSH', 'k', 'kept');
      return [(await ctl.call('LRANGE', 'k', '0', '-1')).toString('latin1')];
    });
    assert.deepEqual(out, ['*1\r\n$4\r\nkept\r\n']);
  });

  test('SWAPDB serves clients waiting on keys the swapped-in database holds', async () => {
    const out = await both(async (port) => {
      const [ctl, w] = [await connect(port), await connect(port)];
      const reply = w.call('BLPOP', 'k', '0');
      await waitBlocked(ctl, 1);
      await ctl.call('SELECT', '1');
      await ctl.call('RPUSH', 'k', 'from1');
      await ctl.call('SWAPDB', '0', '1');
      return [(await reply).toString('latin1')];
    });
    assert.deepEqual(out, ['*2\r\n$1\r\nk\r\n$5\r\nfrom1\r\n']);
  });

  test('the timeout config closes idle clients but not blocked ones', async () => {
    const out = await both(async (port) => {
      const [blocked, idle] = [await connect(port), await connect(port)];
      await idle.call('CONFIG', 'SET', 'timeout', '1');
      const reply = blocked.call('BLPOP', 'k', '0');
      // The idle client's last command comes after the blocked one's: it is closed no earlier.
      await waitBlocked(idle, 1);
      const idleClosed = await idle.waitClosed(10_000);
      const ctl = await connect(port);
      await ctl.call('CONFIG', 'SET', 'timeout', '0');
      await ctl.call('RPUSH', 'k', 'v');
      return [String(idleClosed), (await reply).toString('latin1')];
    });
    assert.deepEqual(out, ['true', '*2\r\n$1\r\nk\r\n$1\r\nv\r\n']);
  });

  test('a blocked client shows flag b and its arguments in CLIENT LIST, and is counted in INFO', async () => {
    const out = await both(async (port) => {
      const [ctl, w] = [await connect(port), await connect(port)];
      const id = (await w.call('CLIENT', 'ID')).toString('latin1').slice(1, -2);
      const reply = w.call('BLPOP', 'k', '100');
      await waitBlocked(ctl, 1);
      const line = (await ctl.call('CLIENT', 'LIST', 'ID', id)).toString('latin1');
      const info = (await ctl.call('INFO', 'clients')).toString('latin1');
      await ctl.call('RPUSH', 'k', 'v');
      await reply;
      return [
        /flags=\S+/.exec(line)![0],
        /argv-mem=\S+/.exec(line)![0],
        /cmd=\S+/.exec(line)![0],
        /clients_in_timeout_table:\d+/.exec(info)![0],
      ];
    });
    assert.deepEqual(out, ['flags=b', 'argv-mem=9', 'cmd=blpop', 'clients_in_timeout_table:1']);
  });
});

describe('blocking commands: immediate forms and errors against real Redis', () => {
  const cases: DiffCase[] = [
    {
      name: 'timeout argument errors',
      commands: [
        cmd('BLPOP k abc'),
        cmd('BLPOP k -1'),
        cmd('BLPOP k -0.5'),
        cmd('BLPOP k inf'),
        cmd('BLPOP k -inf'),
        cmd('BLPOP k nan'),
        cmd('BLPOP k 1e300'),
        cmd('BLPOP k 9.3e15'),
        cmd('BLPOP k 1e-5000'),
        ['BLPOP', 'k', ' 1'],
        ['BLPOP', 'k', '1 '],
        ['BLPOP', 'k', ''],
        cmd('BRPOP k x'),
        cmd('BZPOPMIN z -1'),
        cmd('BZPOPMAX z abc'),
        cmd('BLMOVE a b LEFT RIGHT -1'),
        cmd('BRPOPLPUSH a b nope'),
        cmd('BLMPOP -1 1 k LEFT'),
        cmd('BZMPOP x 1 z MIN'),
        cmd('BLPOP k 0.0001'),
        cmd('BZPOPMIN z 0.0001'),
      ],
    },
    {
      name: 'data already there: BLPOP/BRPOP pop at once, first non-empty key wins',
      commands: [
        cmd('RPUSH l2 a b c'),
        cmd('BLPOP l1 l2 0'),
        cmd('BRPOP l1 l2 0'),
        cmd('RPUSH l1 x'),
        cmd('BRPOP l2 l1 1'),
        cmd('BLPOP l1 l2 0'),
        cmd('EXISTS l1 l2'),
        cmd('SET s v'),
        cmd('BLPOP nokey s 0'),
        cmd('BLPOP s nokey 0'),
        cmd('RPUSH l3 y'),
        cmd('BLPOP s l3 0'),
        cmd('BLPOP l3 s 0'),
      ],
    },
    {
      name: 'BLMPOP and BZMPOP argument errors and immediate pops',
      commands: [
        cmd('BLMPOP 0 0 k LEFT'),
        cmd('BLMPOP 0 abc k LEFT'),
        cmd('BLMPOP 0 2 k LEFT'),
        cmd('BLMPOP 0 1 k MIDDLE'),
        cmd('BLMPOP 0 1 k LEFT COUNT 0'),
        cmd('BLMPOP 0 1 k LEFT COUNT -1'),
        cmd('BLMPOP 0 1 k LEFT COUNT 1 COUNT 1'),
        cmd('BLMPOP 0 1 k LEFT extra'),
        cmd('BLMPOP -1 0 k LEFT'),
        cmd('RPUSH k a b c d'),
        cmd('BLMPOP 0 2 none k LEFT'),
        cmd('BLMPOP 0 1 k RIGHT COUNT 2'),
        cmd('BLMPOP 0 1 k left count 10'),
        cmd('EXISTS k'),
        cmd('BZMPOP 0 0 z MIN'),
        cmd('BZMPOP 0 1 z LEFT'),
        cmd('BZMPOP 0 1 z MIN COUNT 0'),
        cmd('ZADD z 1 a 2 b 3 c'),
        cmd('BZMPOP 0 2 none z MIN'),
        cmd('BZMPOP 0 1 z MAX COUNT 5'),
        cmd('SET s v'),
        cmd('BZMPOP 0 1 s MIN'),
        cmd('BLMPOP 0 1 s LEFT'),
      ],
    },
    {
      name: 'BLMOVE and BRPOPLPUSH with data move at once',
      commands: [
        cmd('RPUSH src a b c'),
        cmd('BLMOVE src dst LEFT RIGHT 0'),
        cmd('BLMOVE src dst right left 0'),
        cmd('BRPOPLPUSH src dst 0'),
        cmd('LRANGE dst 0 -1'),
        cmd('EXISTS src'),
        cmd('BLMOVE src dst UP LEFT 0'),
        cmd('BLMOVE src dst LEFT DOWN 0'),
        cmd('SET s v'),
        cmd('BLMOVE s dst LEFT LEFT 0'),
        cmd('BLMOVE dst s LEFT LEFT 0'),
        cmd('BRPOPLPUSH dst s 0'),
        cmd('LRANGE dst 0 -1'),
        cmd('RPUSH one x'),
        cmd('BLMOVE one one LEFT RIGHT 0'),
        cmd('LRANGE one 0 -1'),
      ],
    },
    {
      name: 'BZPOPMIN/BZPOPMAX with data',
      commands: [
        cmd('ZADD z 1 a 2 b 3 c'),
        cmd('BZPOPMIN none z 0'),
        cmd('BZPOPMAX z 0'),
        cmd('ZADD z2 -inf m'),
        cmd('BZPOPMIN z2 z 0'),
        cmd('BZPOPMAX z 0'),
        cmd('EXISTS z z2'),
        cmd('SET s v'),
        cmd('BZPOPMIN s 0'),
        cmd('LPUSH l x'),
        cmd('BZPOPMAX l 0'),
      ],
    },
    {
      name: 'BZPOPMIN/BZMPOP with data in RESP3',
      resp3: true,
      commands: [
        cmd('ZADD z 1.5 a 2 b 3 c'),
        cmd('BZPOPMIN z 0'),
        cmd('BZMPOP 0 1 z MAX COUNT 1'),
        cmd('RPUSH l a'),
        cmd('BLPOP l 0'),
        cmd('BLPOP l 0.01'),
        cmd('BLMOVE l d LEFT LEFT 0.01'),
      ],
    },
    {
      name: 'inside MULTI blocking commands answer at once',
      commands: [
        cmd('MULTI'),
        cmd('BLPOP k 0'),
        cmd('BRPOP k 10'),
        cmd('BLMOVE k d LEFT LEFT 0'),
        cmd('BRPOPLPUSH k d 0'),
        cmd('BLMPOP 0 1 k LEFT'),
        cmd('BZPOPMIN z 0'),
        cmd('BZMPOP 0 1 z MIN'),
        cmd('BLPOP k -1'),
        cmd('RPUSH k a'),
        cmd('BLPOP k 0'),
        cmd('EXEC'),
      ],
    },
    {
      name: 'CLIENT UNBLOCK arguments',
      commands: [
        cmd('CLIENT UNBLOCK'),
        cmd('CLIENT UNBLOCK x'),
        cmd('CLIENT UNBLOCK 1 maybe'),
        cmd('CLIENT UNBLOCK abc maybe'),
        cmd('CLIENT UNBLOCK 99999'),
        cmd('CLIENT UNBLOCK -1 ERROR'),
        cmd('CLIENT UNBLOCK 1 timeout extra'),
      ],
    },
  ];
  differentialSuite(cases);
});

describe('served pops propagate as their plain commands (in process)', () => {
  const server = new Server(new Config(), { logSink: () => undefined });
  const waiter = new TestClient(server, 1, null);
  const pusher = new TestClient(server, 2, null);
  const propagated: Array<[number, string[]]> = [];
  server.propagationSinks.push((db, argv) => propagated.push([db, argv]));

  /** Blocks `waiter` with `blocking`, then runs `push`; returns the waiter's reply and what was propagated. */
  function serve(blocking: string[], ...push: string[][]): { reply: string; forms: string[][] } {
    server.execute(waiter, blocking);
    assert.equal(waiter.replies(), '', 'blocked: no reply yet');
    assert.notEqual(waiter.blocked, null);
    propagated.length = 0;
    for (const argv of push) server.execute(pusher, argv);
    assert.equal(waiter.blocked, null);
    return { reply: waiter.replies(), forms: propagated.map(([, argv]) => argv) };
  }

  test('BLPOP → LPOP, after the push that served it', () => {
    const { reply, forms } = serve(['BLPOP', 'k', '0'], ['RPUSH', 'k', 'a', 'b']);
    assert.equal(reply, '*2\r\n$1\r\nk\r\n$1\r\na\r\n');
    assert.deepEqual(forms, [['RPUSH', 'k', 'a', 'b'], ['LPOP', 'k']]);
  });

  test('BRPOP in another database → RPOP, propagated to that database', () => {
    server.execute(waiter, ['SELECT', '3']);
    server.execute(pusher, ['SELECT', '3']);
    waiter.replies();
    pusher.replies();
    propagated.length = 0;
    server.execute(waiter, ['BRPOP', 'x', 'q', '0']);
    server.execute(pusher, ['LPUSH', 'q', 'v']);
    assert.deepEqual(propagated, [[3, ['LPUSH', 'q', 'v']], [3, ['RPOP', 'q']]]);
    server.execute(waiter, ['SELECT', '0']);
    server.execute(pusher, ['SELECT', '0']);
    waiter.replies();
  });

  test('BLMPOP → LPOP key count (what was popped)', () => {
    const { forms } = serve(['BLMPOP', '0', '1', 'm', 'LEFT', 'COUNT', '5'], ['RPUSH', 'm', '1', '2']);
    assert.deepEqual(forms[1], ['LPOP', 'm', '2']);
  });

  test('BLMOVE → LMOVE, BRPOPLPUSH → RPOPLPUSH', () => {
    let { forms } = serve(['BLMOVE', 's', 'd', 'left', 'RIGHT', '0'], ['RPUSH', 's', 'x']);
    assert.deepEqual(forms[1], ['LMOVE', 's', 'd', 'left', 'right']);
    ({ forms } = serve(['BRPOPLPUSH', 's2', 'd', '0'], ['RPUSH', 's2', 'y']));
    assert.deepEqual(forms[1], ['RPOPLPUSH', 's2', 'd']);
  });

  test('BZPOPMIN → ZPOPMIN, BZMPOP → ZPOPMAX key count', () => {
    let { reply, forms } = serve(['BZPOPMIN', 'z', '0'], ['ZADD', 'z', '1', 'a', '2', 'b']);
    assert.equal(reply, '*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n');
    assert.deepEqual(forms[1], ['ZPOPMIN', 'z']);
    ({ forms } = serve(['BZMPOP', '0', '1', 'z2', 'MAX', 'COUNT', '3'], ['ZADD', 'z2', '1', 'a', '2', 'b']));
    assert.deepEqual(forms[1], ['ZPOPMAX', 'z2', '2']);
  });

  test('immediate pops propagate their plain form too', () => {
    server.execute(pusher, ['RPUSH', 'i', 'a', 'b', 'c']);
    server.execute(pusher, ['ZADD', 'iz', '1', 'a']);
    propagated.length = 0;
    for (const argv of [
      ['BLPOP', 'i', '0'],
      ['BLMPOP', '0', '1', 'i', 'RIGHT', 'COUNT', '9'],
      ['BZPOPMAX', 'iz', '0'],
    ]) {
      server.execute(pusher, argv);
    }
    pusher.replies();
    assert.deepEqual(
      propagated.map(([, argv]) => argv),
      [['LPOP', 'i'], ['RPOP', 'i', '2'], ['ZPOPMAX', 'iz']],
    );
  });

  after(() => server.close());
});
