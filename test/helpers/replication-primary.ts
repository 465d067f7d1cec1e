// A hand-driven replica for the master-side replication tests: it speaks the
// replica's half of the protocol one step at a time (REPLCONF, PSYNC, ACK)
// and reads exactly what the master sends back, byte for byte.

import net from 'node:net';
import { encodeCommand } from './resp.js';

export class FakeReplica {
  /** Received and not consumed: `chunks` joined into `head` only when read (an RDB comes in many chunks). */
  private head: Buffer = Buffer.alloc(0);
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  private wake: (() => void) | null = null;
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.chunkBytes += d.length;
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<FakeReplica> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new FakeReplica(s)));
      s.once('error', reject);
    });
  }

  /** The handshake of a Redis 7.0 replica before its PSYNC: listening port and capabilities. */
  async handshake(listeningPort: number, capa: string[] = ['eof', 'psync2']): Promise<void> {
    this.send('REPLCONF', 'listening-port', String(listeningPort));
    await this.expectLine('+OK');
    if (capa.length > 0) {
      this.send('REPLCONF', ...capa.flatMap((c) => ['capa', c]));
      await this.expectLine('+OK');
    }
  }

  send(...args: string[]): void {
    this.socket.write(encodeCommand(args));
  }

  /** Stops reading: what the master sends piles up in its buffers. */
  pauseReading(): void {
    this.socket.pause();
  }

  close(): void {
    this.socket.destroy();
  }

  /** Bytes received and not consumed yet. */
  get pending(): Buffer {
    return this.buf;
  }

  private get buf(): Buffer {
    if (this.chunks.length > 0) {
      this.head = Buffer.concat([this.head, ...this.chunks]);
      this.chunks = [];
      this.chunkBytes = 0;
    }
    return this.head;
  }

  private set buf(b: Buffer) {
    this.head = b;
  }

  /** The next line, without its "\r\n"; lone "\n" keep-alives before it are skipped. */
  async line(): Promise<string> {
    for (;;) {
      while (this.buf.length > 0 && this.buf[0] === 0x0a) this.buf = this.buf.subarray(1);
      const at = this.buf.indexOf('\r\n');
      if (at !== -1) {
        const line = this.buf.subarray(0, at).toString('latin1');
        this.buf = this.buf.subarray(at + 2);
        return line;
      }
      await this.more('a line');
    }
  }

  async expectLine(expected: string): Promise<void> {
    const got = await this.line();
    if (got !== expected) throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
  }

  /** Exactly `n` bytes. */
  async bytes(n: number): Promise<Buffer> {
    while (this.head.length + this.chunkBytes < n) await this.more(`${n} bytes`);
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return Buffer.from(out);
  }

  /** Everything up to and including `marker`. */
  async until(marker: string | Buffer): Promise<Buffer> {
    for (;;) {
      const at = this.buf.indexOf(marker);
      if (at !== -1) return this.bytes(at + Buffer.byteLength(marker));
      await this.more(`"${marker}"`);
    }
  }

  /** The next command of the replication stream, as its arguments. */
  async command(): Promise<string[]> {
    const count = await this.line();
    if (!count.startsWith('*')) throw new Error(`not a command: ${JSON.stringify(count)}`);
    const args: string[] = [];
    for (let i = Number(count.slice(1)); i > 0; i--) {
      const len = Number((await this.line()).slice(1));
      args.push((await this.bytes(len + 2)).subarray(0, len).toString('latin1'));
    }
    return args;
  }

  /** The next commands of the stream, leaving out the PINGs the master may send in between. */
  async commands(n: number): Promise<string[][]> {
    const out: string[][] = [];
    while (out.length < n) {
      const args = await this.command();
      if (!(args.length === 1 && args[0] === 'PING')) out.push(args);
    }
    return out;
  }

  /** The RDB of a full sync: `$<len>\r\n` + file, or `$EOF:<mark>\r\n` + payload + mark. */
  async rdb(): Promise<{ payload: Buffer; diskless: boolean }> {
    const head = await this.line();
    if (head.startsWith('$EOF:')) {
      const mark = head.slice(5);
      const withMark = await this.until(mark);
      return { payload: withMark.subarray(0, withMark.length - mark.length), diskless: true };
    }
    if (!head.startsWith('$')) throw new Error(`not an RDB preamble: ${JSON.stringify(head)}`);
    return { payload: await this.bytes(Number(head.slice(1))), diskless: false };
  }

  /** Resolves once the master has closed the connection. */
  async closedByPeer(): Promise<void> {
    while (!this.closed) await this.more('the connection to close');
  }

  private more(what: string, timeoutMs = 20000): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`connection closed while waiting for ${what}`));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.wake = null;
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}

/** One RESP command as the replication stream carries it. */
export function streamCommand(...args: string[]): string {
  return encodeCommand(args).toString('latin1');
}

/** The AUX fields at the start of an RDB payload (name → value), for the plain-string encodings used there. */
export function rdbAux(payload: Buffer): Map<string, string> {
  const aux = new Map<string, string>();
  let at = 9;
  const readString = (): string => {
    const b = payload[at++];
    const type = b >> 6;
    if (type === 0) {
      const s = payload.subarray(at, at + (b & 0x3f)).toString('latin1');
      at += b & 0x3f;
      return s;
    }
    if (type === 1) {
      const len = ((b & 0x3f) << 8) | payload[at++];
      const s = payload.subarray(at, at + len).toString('latin1');
      at += len;
      return s;
    }
    // Integer encodings (0xC0 int8, 0xC1 int16, 0xC2 int32).
    const kind = b & 0x3f;
    if (kind === 0) return String(payload.readInt8(at++));
    if (kind === 1) {
      at += 2;
      return String(payload.readInt16LE(at - 2));
    }
    at += 4;
    return String(payload.readInt32LE(at - 4));
  };
  while (payload[at] === 0xfa) {
    at++;
    const name = readString();
    aux.set(name, readString());
  }
  return aux;
}
