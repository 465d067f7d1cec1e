// Log lines in Redis's format, which operators, Sentinel tooling and test
// harnesses parse: `pid:R dd Mon yyyy hh:mm:ss.mmm L message`, where R is the
// role (M master, S replica, C child/startup, X sentinel) and L the level mark.

import fs from 'node:fs';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';

const levelRank: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3 };
const levelMark: Record<LogLevel, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export type RoleMark = 'M' | 'S' | 'C' | 'X';

export class Logger {
  level: LogLevel = 'notice';
  role: RoleMark = 'C';
  /** File descriptor of `logfile`, or null for standard output. */
  private fd: number | null = null;
  /** Lines kept in memory too (tests and DEBUG LOG inspection may read them). */
  private readonly sink: ((line: string) => void) | null;

  constructor(sink: ((line: string) => void) | null = null) {
    this.sink = sink;
  }

  /** Sends lines to `path` (appending), or to stdout for "". */
  setFile(path: string): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = path === '' ? null : fs.openSync(path, 'a');
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  debug(msg: string): void {
    this.log('debug', msg);
  }
  verbose(msg: string): void {
    this.log('verbose', msg);
  }
  notice(msg: string): void {
    this.log('notice', msg);
  }
  warning(msg: string): void {
    this.log('warning', msg);
  }

  log(level: LogLevel, msg: string): void {
    if (levelRank[level] < levelRank[this.level]) return;
    this.write(`${process.pid}:${this.role} ${timestamp(new Date())} ${levelMark[level]} ${msg}\n`);
  }

  /** A line without the prefix (the startup banner does this in Redis). */
  raw(text: string): void {
    this.write(text.endsWith('\n') ? text : text + '\n');
  }

  private write(line: string): void {
    if (this.sink) this.sink(line);
    else if (this.fd !== null) fs.writeSync(this.fd, line);
    else process.stdout.write(line);
  }
}

function timestamp(d: Date): string {
  const p2 = (n: number) => (n < 10 ? '0' + n : String(n));
  const ms = d.getMilliseconds();
  return (
    `${p2(d.getDate())} ${months[d.getMonth()]} ${d.getFullYear()} ` +
    `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${ms < 10 ? '00' + ms : ms < 100 ? '0' + ms : ms}`
  );
}
