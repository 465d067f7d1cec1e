// Reply encoder: RESP2 and RESP3 into one growable buffer per client.
//
// Replies of everything a client sent in one read accumulate here and leave in
// one socket write (see Client.flush), which is what makes pipelining cheap.
// Values larger than `inlineValueBytes` are not copied: they are queued as
// their own chunk after the bytes before them.

import { formatDouble17g } from '../util/numbers.js';

/** Values up to this size are copied into the reply buffer; larger ones are queued whole. */
const inlineValueBytes = 16 * 1024;
const initialBytes = 1024;

export type Resp = 2 | 3;
export type Bulk = string | Buffer;

const CRLF = '\r\n';

export abstract class ReplyWriter {
  resp: Resp = 2;
  private out: Buffer = Buffer.allocUnsafe(initialBytes);
  private pos = 0;
  /** Completed chunks waiting for the next flush, before `out[0, pos)`. */
  private chunks: Buffer[] = [];

  /** False while replies are to be dropped (CLIENT REPLY OFF/SKIP, replication links). */
  protected abstract replyEnabled(): boolean;
  /** Called for every error reply, for INFO errorstats and the like. */
  protected abstract onErrorReply(message: string): void;

  // ---- low-level appends -------------------------------------------------

  protected rawString(s: string): void {
    const len = s.length;
    if (this.pos + len > this.out.length) this.grow(len);
    this.pos += this.out.write(s, this.pos, len, 'latin1');
  }

  protected rawBytes(b: Buffer): void {
    if (b.length > inlineValueBytes) {
      this.sealChunk();
      this.chunks.push(b);
      return;
    }
    if (this.pos + b.length > this.out.length) this.grow(b.length);
    b.copy(this.out, this.pos);
    this.pos += b.length;
  }

  private sealChunk(): void {
    if (this.pos === 0) return;
    this.chunks.push(Buffer.from(this.out.subarray(0, this.pos)));
    this.pos = 0;
  }

  private grow(extra: number): void {
    if (extra > inlineValueBytes) {
      this.sealChunk();
      if (extra <= this.out.length) return;
    }
    const next = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.pos + extra));
    this.out.copy(next, 0, 0, this.pos);
    this.out = next;
  }

  /** Bytes queued and not yet handed to the socket. */
  get pendingReplyBytes(): number {
    let n = this.pos;
    for (const c of this.chunks) n += c.length;
    return n;
  }

  /** Takes everything queued, as buffers ready to write; resets the writer. */
  protected takeOutput(): Buffer[] | null {
    if (this.pos === 0 && this.chunks.length === 0) return null;
    this.sealChunk();
    const chunks = this.chunks;
    this.chunks = [];
    if (this.out.length > 64 * 1024) this.out = Buffer.allocUnsafe(initialBytes);
    return chunks;
  }

  // ---- replies ---------------------------------------------------------------

  /** Pre-encoded reply bytes (shared replies, or a reply produced elsewhere). */
  raw(bytes: string | Buffer): void {
    if (!this.replyEnabled()) return;
    if (typeof bytes === 'string') this.rawString(bytes);
    else this.rawBytes(bytes);
  }

  ok(): void {
    this.raw('+OK\r\n');
  }

  simple(s: string): void {
    this.raw('+' + s + CRLF);
  }

  /** An error reply; `message` starts with its code, e.g. "ERR syntax error". */
  error(message: string): void {
    this.onErrorReply(message);
    if (!this.replyEnabled()) return;
    // Newlines would break the protocol, as Redis's addReplyErrorLength notes.
    const safe = /[\r\n]/.test(message) ? message.replace(/[\r\n]/g, ' ') : message;
    this.rawString('-' + safe + CRLF);
  }

  int(n: number | bigint): void {
    if (!this.replyEnabled()) return;
    if (n === 0) this.rawString(':0\r\n');
    else if (n === 1) this.rawString(':1\r\n');
    else this.rawString(':' + n + CRLF);
  }

  bulk(v: Bulk | null | undefined): void {
    if (!this.replyEnabled()) return;
    if (v === null || v === undefined) {
      this.rawString(this.resp === 3 ? '_\r\n' : '$-1\r\n');
    } else if (typeof v === 'string') {
      if (v.length > inlineValueBytes) {
        this.rawString('$' + v.length + CRLF);
        this.rawBytes(Buffer.from(v, 'latin1'));
        this.rawString(CRLF);
      } else {
        this.rawString('$' + v.length + CRLF + v + CRLF);
      }
    } else {
      this.rawString('$' + v.length + CRLF);
      this.rawBytes(v);
      this.rawString(CRLF);
    }
  }

  bulks(values: ReadonlyArray<Bulk | null | undefined>): void {
    this.arrayLen(values.length);
    for (const v of values) this.bulk(v);
  }

  nullBulk(): void {
    this.raw(this.resp === 3 ? '_\r\n' : '$-1\r\n');
  }

  nullArray(): void {
    this.raw(this.resp === 3 ? '_\r\n' : '*-1\r\n');
  }

  arrayLen(n: number): void {
    this.raw(n === 0 ? '*0\r\n' : '*' + n + CRLF);
  }

  /** A map of n pairs: `%n` in RESP3, a flat array of 2n in RESP2. */
  mapLen(n: number): void {
    this.raw(this.resp === 3 ? '%' + n + CRLF : '*' + 2 * n + CRLF);
  }

  /** A set: `~n` in RESP3, an array in RESP2. */
  setLen(n: number): void {
    this.raw(this.resp === 3 ? '~' + n + CRLF : '*' + n + CRLF);
  }

  /** Attribute-free out-of-band push: `>n` in RESP3, an array in RESP2. */
  pushLen(n: number): void {
    this.raw(this.resp === 3 ? '>' + n + CRLF : '*' + n + CRLF);
  }

  /** A double: `,d` in RESP3, a bulk of its %.17g form in RESP2. */
  double(d: number): void {
    if (this.resp === 3) {
      this.raw(',' + (Number.isNaN(d) ? 'nan' : d === Infinity ? 'inf' : d === -Infinity ? '-inf' : formatDouble17g(d)) + CRLF);
    } else {
      this.bulk(formatDouble17g(d));
    }
  }

  bool(b: boolean): void {
    if (this.resp === 3) this.raw(b ? '#t\r\n' : '#f\r\n');
    else this.raw(b ? ':1\r\n' : ':0\r\n');
  }

  /** Verbatim string: `=len\r\ntxt:...` in RESP3, a plain bulk in RESP2. */
  verbatim(text: string, format = 'txt'): void {
    if (this.resp === 3) this.raw('=' + (text.length + 4) + CRLF + format + ':' + text + CRLF);
    else this.bulk(text);
  }
}
