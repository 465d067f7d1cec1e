// Helpers for the replica-side replication tests: the processes a test
// starts, waiting for a replica's link and for it to catch up with its
// master, and reading INFO fields.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { digest, info, tempDir, waitFor } from './aof.js';
import { RawConnection } from './resp.js';
import { startRedis, startTandem, type RunningServer } from './servers.js';

/** Waits until the replica says master_link_status:up. */
export async function linkUp(replica: RawConnection, timeoutMs = 30000): Promise<void> {
  await waitFor('the link to the master', async () => (await info(replica, 'replication')).get('master_link_status') === 'up', timeoutMs);
}

/** Waits until the replica has applied everything its master produced so far. */
export async function caughtUp(master: RawConnection, replica: RawConnection): Promise<void> {
  await linkUp(replica);
  await waitFor('the replica to catch up', async () => {
    const target = (await info(master, 'replication')).get('master_repl_offset');
    const r = await info(replica, 'replication');
    // The replica's own offset (what its replicas and backlog got) is the one it applied.
    return r.get('master_link_status') === 'up' && r.get('slave_repl_offset') === target && r.get('master_repl_offset') === target;
  });
}

/** Caught up, the two datasets are the same: same keys, types, values and TTLs (DEBUG DIGEST). */
export async function sameDataset(master: RawConnection, replica: RawConnection): Promise<void> {
  await caughtUp(master, replica);
  assert.equal(await digest(replica), await digest(master));
}

/** One INFO replication field. */
export async function replField(conn: RawConnection, name: string): Promise<string | undefined> {
  return (await info(conn, 'replication')).get(name);
}

export async function statField(conn: RawConnection, name: string): Promise<string | undefined> {
  return (await info(conn, 'stats')).get(name);
}

/**
 * What a test file starts (servers, connections, temp dirs, processes
 * frozen with SIGSTOP), all released by cleanup() in its `after` hook:
 * servers stopped by PID, frozen ones thawed first.
 */
export class TestProcesses {
  private readonly servers: RunningServer[] = [];
  private readonly conns: RawConnection[] = [];
  private readonly dirs: string[] = [];
  private readonly frozen = new Set<number>();

  /** A real redis-server, DEBUG allowed, diskless syncs starting at once. */
  redis(args: string[] = []): Promise<RunningServer> {
    return this.track(startRedis(['--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0', ...args]));
  }

  tandem(args: string[] = [], configFile?: string): Promise<RunningServer> {
    return this.track(
      startTandem(['--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0', ...args], configFile),
    );
  }

  async open(port: number): Promise<RawConnection> {
    const c = await RawConnection.open(port);
    this.conns.push(c);
    return c;
  }

  dir(prefix: string): string {
    const d = tempDir(prefix);
    this.dirs.push(d);
    return d;
  }

  freeze(pid: number): void {
    this.frozen.add(pid);
    process.kill(pid, 'SIGSTOP');
  }

  thaw(pid: number): void {
    process.kill(pid, 'SIGCONT');
    this.frozen.delete(pid);
  }

  async cleanup(): Promise<void> {
    for (const pid of this.frozen) process.kill(pid, 'SIGCONT');
    for (const c of this.conns) c.close();
    for (const s of this.servers.reverse()) await s.stop();
    for (const d of this.dirs) fs.rmSync(d, { recursive: true, force: true });
  }

  private async track(starting: Promise<RunningServer>): Promise<RunningServer> {
    const s = await starting;
    this.servers.push(s);
    return s;
  }
}
