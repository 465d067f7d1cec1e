// Differential testing: the same command sequences against real redis-server
// and Tandem, replies compared byte for byte. One pair of servers serves a
// whole test file; every case starts from FLUSHALL on both.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RawConnection } from './resp.js';
import { redisAvailable, startRedis, startTandem, type RunningServer } from './servers.js';

export type Command = Array<string | Buffer>;

export interface DiffCase {
  name: string;
  commands: Command[];
  /** Compare this case's replies as sorted arrays (KEYS, SMEMBERS-like orderless replies). */
  unordered?: boolean;
  /** Run the case over RESP3 (HELLO 3 first; its reply, which holds the connection id, is not compared). */
  resp3?: boolean;
}

/** Extra arguments both servers start with (e.g. enable-debug-command). */
const sharedArgs = ['--enable-debug-command', 'yes'];

/**
 * Registers one node:test test per case. Skips everything, with a reason, when
 * redis-server is not installed (CI installs it).
 */
export function differentialSuite(cases: DiffCase[], extraArgs: string[] = []): void {
  const ok = redisAvailable();
  let redis: RunningServer | undefined;
  let tandem: RunningServer | undefined;
  let r: RawConnection;
  let t: RawConnection;
  let currentProtocol = '2';
  before(async () => {
    if (!ok) return;
    [redis, tandem] = await Promise.all([startRedis([...sharedArgs, ...extraArgs]), startTandem([...sharedArgs, ...extraArgs])]);
    [r, t] = await Promise.all([RawConnection.open(redis.port), RawConnection.open(tandem.port)]);
  });
  after(async () => {
    r?.close();
    t?.close();
    await Promise.all([redis?.stop(), tandem?.stop()]);
  });
  for (const c of cases) {
    test(c.name, { skip: ok ? false : 'redis-server not installed' }, async () => {
      await Promise.all([r.call('FLUSHALL'), t.call('FLUSHALL')]);
      await Promise.all([r.call('SELECT', '0'), t.call('SELECT', '0')]);
      const protocol = c.resp3 ? '3' : '2';
      if (protocol !== currentProtocol) {
        await Promise.all([r.call('HELLO', protocol), t.call('HELLO', protocol)]);
        currentProtocol = protocol;
      }
      for (const cmd of c.commands) {
        const [expected, actual] = await Promise.all([r.call(...cmd), t.call(...cmd)]);
        const shown = cmd.map((a) => (typeof a === 'string' ? a : `<${a.length} bytes>`)).join(' ');
        if (c.unordered) {
          assert.deepEqual(sortedLines(actual), sortedLines(expected), `reply to: ${shown}`);
        } else {
          assert.equal(actual.toString('latin1'), expected.toString('latin1'), `reply to: ${shown}`);
        }
      }
    });
  }
}

/** A reply's lines sorted, so that element order does not matter. */
function sortedLines(reply: Buffer): string[] {
  return reply.toString('latin1').split('\r\n').sort();
}

/** Shorthand: a command from a space-separated string (no spaces inside arguments). */
export function cmd(line: string): Command {
  return line.split(' ');
}
