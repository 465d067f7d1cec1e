// The slow log: commands that took longer than slowlog-log-slower-than
// microseconds, newest first, at most slowlog-max-len entries.

import type { Config } from '../config/config.js';
import type { Command } from '../commands/registry.js';
import type { Client } from './client.js';

/** Arguments and bytes per argument kept per entry (Redis's SLOWLOG_ENTRY_MAX_ARGC / _STRING). */
const entryArgsMax = 32;
const entryArgBytesMax = 128;

export interface SlowLogEntry {
  id: number;
  /** Unix time in seconds when the command ran. */
  time: number;
  durationUsec: number;
  argv: string[];
  clientAddr: string;
  clientName: string;
}

export class SlowLog {
  /** Newest first. */
  readonly entries: SlowLogEntry[] = [];
  private nextId = 0;
  private readonly config: Config;

  constructor(config: Config) {
    this.config = config;
  }

  consider(c: Client, cmd: Command, argv: string[], usec: number): void {
    const threshold = this.config.getInt('slowlog-log-slower-than');
    if (threshold < 0 || usec < threshold || cmd.has('skip_slowlog')) return;
    this.entries.unshift({
      id: this.nextId++,
      time: Math.floor(Date.now() / 1000),
      durationUsec: usec,
      argv: trimArgs(argv),
      clientAddr: c.addr,
      clientName: c.name,
    });
    const max = this.config.getInt('slowlog-max-len');
    if (this.entries.length > max) this.entries.length = max;
  }

  reset(): void {
    this.entries.length = 0;
  }
}

function trimArgs(argv: string[]): string[] {
  const n = Math.min(argv.length, entryArgsMax);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i === entryArgsMax - 1 && argv.length > entryArgsMax) {
      out.push(`... (${argv.length - entryArgsMax + 1} more arguments)`);
    } else if (argv[i].length > entryArgBytesMax) {
      out.push(`${argv[i].slice(0, entryArgBytesMax)}... (${argv[i].length - entryArgBytesMax} more bytes)`);
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}
