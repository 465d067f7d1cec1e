// A raw RESP connection for tests: sends commands and returns each reply's
// exact bytes, so replies of Tandem and real Redis compare byte for byte.

import net from 'node:net';

export class RawConnection {
  private buf = Buffer.alloc(0);
  private waiting: Array<{ resolve: (b: Buffer) => void; reject: (e: Error) => void }> = [];
  private closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.pump();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w.reject(new Error('connection closed'));
    });
    socket.on('error', () => undefined);
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends one command as a multibulk; resolves with its reply's bytes. */
  call(...args: Array<string | Buffer>): Promise<Buffer> {
    this.socket.write(encodeCommand(args));
    return this.reply();
  }

  /** Sends bytes as they are (inline commands, malformed input, pipelines). */
  send(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** The next complete reply's bytes. */
  reply(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('connection closed'));
      this.waiting.push({ resolve, reject });
      this.pump();
    });
  }

  /** Resolves when the server closes the connection. */
  waitClosed(timeoutMs = 2000): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      const end = replyEnd(this.buf, 0);
      if (end === -1) return;
      const bytes = this.buf.subarray(0, end);
      this.buf = this.buf.subarray(end);
      this.waiting.shift()!.resolve(Buffer.from(bytes));
    }
  }
}

export function encodeCommand(args: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Offset just past the RESP2/RESP3 value starting at `at`, or -1 if incomplete. */
export function replyEnd(buf: Buffer, at: number): number {
  if (at >= buf.length) return -1;
  const nl = buf.indexOf('\r\n', at);
  if (nl === -1) return -1;
  const type = String.fromCharCode(buf[at]);
  const head = buf.toString('latin1', at + 1, nl);
  let p = nl + 2;
  switch (type) {
    case '+': case '-': case ':': case '_': case ',': case '#': case '(':
      return p;
    case '$': case '=': case '!': {
      const n = Number(head);
      if (n < 0) return p;
      return buf.length >= p + n + 2 ? p + n + 2 : -1;
    }
    case '*': case '~': case '>': case '%': case '|': {
      let n = Number(head);
      if (n < 0) return p;
      if (type === '%' || type === '|') n *= 2;
      for (let i = 0; i < n; i++) {
        p = replyEnd(buf, p);
        if (p === -1) return -1;
      }
      // An attribute is followed by the value it annotates.
      return type === '|' ? replyEnd(buf, p) : p;
    }
    default:
      throw new Error(`bad reply type byte ${JSON.stringify(type)} in ${JSON.stringify(buf.toString('latin1', at, at + 40))}`);
  }
}
