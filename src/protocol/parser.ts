// Request parser: turns the bytes a client sends into argument vectors.
//
// One retained Buffer holds the unread bytes between `start` and `end`; it
// grows when a value spans reads and compacts when the read half is large, so
// a pipeline of thousands of commands costs no allocation per command beyond
// the argument strings themselves. The parser is resumable at any byte: a
// multibulk that arrives one byte per read yields the same commands as one
// that arrives whole. Arguments are latin1 strings (one char per byte), never
// UTF-8-decoded.

import { splitArgs } from '../util/splitargs.js';

/** Longest inline command or multibulk/bulk header line, as Redis's PROTO_INLINE_MAX_SIZE. */
export const inlineBytesMax = 64 * 1024;
/** Bulks larger than this get a buffer of exactly their size (Redis's PROTO_MBULK_BIG_ARG). */
const bigArgBytes = 32 * 1024;
/** Limits that unauthenticated clients get, as in Redis 7.0's processMultibulkBuffer. */
const unauthMultibulkMax = 10;
const unauthBulkBytesMax = 16384;

export class ProtocolError extends Error {}

export interface ParserLimits {
  /** proto-max-bulk-len */
  bulkBytesMax: number;
  /** Whether the client has authenticated (tighter limits apply before). */
  authenticated: boolean;
}

const CR = 13;
const LF = 10;

export class RequestParser {
  private buf: Buffer = Buffer.alloc(0);
  /** Whether `buf` is a chunk we adopted: someone else's memory, never written into. */
  private adopted = false;
  private start = 0;
  private end = 0;
  /** Arguments still to read in the current multibulk; 0 when between commands. */
  private argsLeft = 0;
  /** Length of the bulk being read, or -1 while its `$` header is pending. */
  private bulkLen = -1;
  private args: string[] = [];

  /** Bytes received and not yet consumed: the query buffer in Redis's terms. */
  get pendingBytes(): number {
    return this.end - this.start;
  }

  /** Bytes allocated for the query buffer (qbuf + qbuf-free in CLIENT LIST). */
  get capacityBytes(): number {
    return this.buf.length;
  }

  /** The first `n` unread bytes, for log lines about a client's query buffer. */
  peek(n: number): string {
    return this.buf.toString('latin1', this.start, Math.min(this.end, this.start + n));
  }

  feed(chunk: Buffer): void {
    if (this.start === this.end && chunk.length > 0 && this.bulkLen < bigArgBytes) {
      // Nothing pending: adopt the chunk instead of copying it.
      this.buf = chunk;
      this.adopted = true;
      this.start = 0;
      this.end = chunk.length;
      return;
    }
    this.reserve(chunk.length);
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  /**
   * The next complete command, `null` when more bytes are needed, or an empty
   * array for a blank line (which Redis ignores but a replica counts as a
   * newline keep-alive). Throws ProtocolError on malformed input; the caller
   * must then close the connection.
   */
  next(limits: ParserLimits): string[] | null {
    for (;;) {
      if (this.start === this.end) return null;
      if (this.argsLeft === 0) {
        if (this.buf[this.start] !== 0x2a /* '*' */) return this.parseInline();
        const line = this.readLine('too big mbulk count string');
        if (line === null) return null;
        const count = parseDecimal(this.buf, line.from + 1, line.to);
        if (count === null || count > 2147483647) throw new ProtocolError('invalid multibulk length');
        if (!limits.authenticated && count > unauthMultibulkMax) {
          throw new ProtocolError('unauthenticated multibulk length');
        }
        if (count <= 0) continue; // "*0" and "*-1" are ignored, as Redis does
        this.argsLeft = count;
        this.args = [];
        this.bulkLen = -1;
      }
      while (this.argsLeft > 0) {
        if (this.bulkLen === -1) {
          if (this.start === this.end) return null;
          if (this.buf[this.start] !== 0x24 /* '$' */) {
            throw new ProtocolError(`expected '$', got '${String.fromCharCode(this.buf[this.start])}'`);
          }
          const line = this.readLine('too big bulk count string');
          if (line === null) return null;
          const len = parseDecimal(this.buf, line.from + 1, line.to);
          if (len === null || len < 0 || len > limits.bulkBytesMax) {
            throw new ProtocolError('invalid bulk length');
          }
          if (!limits.authenticated && len > unauthBulkBytesMax) {
            throw new ProtocolError('unauthenticated bulk length');
          }
          this.bulkLen = len;
          if (len >= bigArgBytes) this.reserve(len + 2);
        }
        if (this.end - this.start < this.bulkLen + 2) return null;
        const from = this.start;
        this.args.push(this.buf.toString('latin1', from, from + this.bulkLen));
        this.start = from + this.bulkLen + 2;
        this.bulkLen = -1;
        this.argsLeft--;
      }
      const args = this.args;
      this.args = [];
      this.release();
      return args;
    }
  }

  /** Inline command: one line split like redis-cli input (quotes, escapes). */
  private parseInline(): string[] | null {
    const nl = this.buf.indexOf(LF, this.start);
    if (nl === -1 || nl >= this.end) {
      if (this.end - this.start > inlineBytesMax) throw new ProtocolError('too big inline request');
      return null;
    }
    let to = nl;
    if (to > this.start && this.buf[to - 1] === CR) to--;
    const line = this.buf.toString('latin1', this.start, to);
    this.start = nl + 1;
    this.release();
    const args = splitArgs(line);
    if (args === null) throw new ProtocolError('unbalanced quotes in request');
    return args;
  }

  /** Finds a CRLF-terminated header line and consumes it; null if incomplete. */
  private readLine(tooBig: string): { from: number; to: number } | null {
    const cr = this.buf.indexOf(CR, this.start);
    if (cr === -1 || cr + 1 >= this.end) {
      if (this.end - this.start > inlineBytesMax) throw new ProtocolError(tooBig);
      return null;
    }
    const from = this.start;
    this.start = cr + 2;
    return { from, to: cr };
  }

  /** Makes room for `extra` more bytes after `end`, compacting or growing. */
  private reserve(extra: number): void {
    const pending = this.end - this.start;
    if (this.end + extra <= this.buf.length && !this.adopted) return;
    if (!this.adopted && pending + extra <= this.buf.length && this.start > this.buf.length >>> 1) {
      this.buf.copy(this.buf, 0, this.start, this.end);
    } else {
      const grown = Buffer.allocUnsafe(Math.max(pending + extra, this.buf.length * 2, 16 * 1024));
      this.buf.copy(grown, 0, this.start, this.end);
      this.buf = grown;
      this.adopted = false;
    }
    this.start = 0;
    this.end = pending;
  }

  /** Drops the buffer once everything is consumed, so idle clients hold nothing. */
  private release(): void {
    if (this.start === this.end && this.argsLeft === 0) {
      this.start = 0;
      this.end = 0;
      if (this.buf.length > bigArgBytes) this.buf = Buffer.alloc(0);
    }
  }
}

/** Strict decimal parse of buf[from, to): optional '-', digits only. */
function parseDecimal(buf: Buffer, from: number, to: number): number | null {
  if (from >= to || to - from > 20) return null;
  let neg = false;
  if (buf[from] === 0x2d) {
    neg = true;
    from++;
    if (from === to) return null;
  }
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return neg ? -n : n;
}
