// A server driven in-process, with no socket: each command's reply bytes,
// its decoded reply, and the forms it propagated. For tests of propagation
// and of replies that are random (checked by their properties, not bytes).

import { Config } from '../../src/config/config.js';
import { Client } from '../../src/server/client.js';
import { Server } from '../../src/server/server.js';

/** A socketless client whose replies the test reads. */
export class TestClient extends Client {
  replies(): string {
    return Buffer.concat(this.takeOutput() ?? []).toString('latin1');
  }
}

/** A decoded reply: bulk and simple strings as latin1 strings, RESP3 maps flattened into arrays. */
export type Reply = string | number | boolean | null | Error | Reply[];

export interface InProcessServer {
  server: Server;
  /** Runs one command; returns its reply bytes (latin1). */
  call(...argv: string[]): string;
  /** Runs one command; returns its decoded reply. */
  value(...argv: string[]): Reply;
  /** Runs one command; returns the forms it propagated (none when the dataset did not change). */
  run(...argv: string[]): string[][];
}

export function inProcessServer(): InProcessServer {
  const server = new Server(new Config(), { logSink: () => undefined });
  const client = new TestClient(server, 1, null);
  const propagated: string[][] = [];
  server.propagationSinks.push((_db, argv) => propagated.push(argv));
  const call = (...argv: string[]): string => {
    propagated.length = 0;
    server.execute(client, argv);
    return client.replies();
  };
  return {
    server,
    call,
    value: (...argv) => decodeReply(call(...argv)),
    run: (...argv) => {
      call(...argv);
      return propagated.slice();
    },
  };
}

/** Decodes one complete RESP2/RESP3 reply. */
export function decodeReply(bytes: string): Reply {
  let p = 0;
  const line = (): string => {
    const end = bytes.indexOf('\r\n', p);
    const s = bytes.slice(p, end);
    p = end + 2;
    return s;
  };
  const next = (): Reply => {
    const type = bytes[p++];
    const head = line();
    switch (type) {
      case '+':
        return head;
      case '-':
        return new Error(head);
      case ':':
        return Number(head);
      case '_':
        return null;
      case '#':
        return head === 't';
      case ',':
        return Number(head);
      case '$': {
        const n = Number(head);
        if (n < 0) return null;
        const s = bytes.slice(p, p + n);
        p += n + 2;
        return s;
      }
      case '*':
      case '~':
      case '>':
      case '%': {
        const n = Number(head);
        if (n < 0) return null;
        const out: Reply[] = [];
        for (let i = 0; i < (type === '%' ? 2 * n : n); i++) out.push(next());
        return out;
      }
      default:
        throw new Error(`unexpected reply type ${JSON.stringify(type)}`);
    }
  };
  return next();
}
