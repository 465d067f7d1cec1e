// Pub/Sub scenarios for differential tests: several raw connections to one
// server, a command sent on one of them, then a PING barrier on every
// connection so that everything each one received because of that command
// (replies, messages, confirmations) is collected, byte for byte. Running the
// same steps on real Redis and Tandem gives two transcripts to compare.

import { encodeCommand, RawConnection, replyEnd } from './resp.js';

export interface Step {
  /** Index of the connection that sends the command. */
  conn: number;
  args: string[];
  /** The step's output per connection is compared as a sorted list of replies (hash-ordered replies). */
  unordered?: boolean;
  /** Connections that would not answer a barrier (CLIENT REPLY OFF/SKIP): what they got shows at a later step. */
  quiet?: number[];
}

/** Shorthand: connection index then the arguments. */
export function step(conn: number, ...args: string[]): Step {
  return { conn, args };
}

let barrierCount = 0;
/** How long a barrier may take before the scenario fails instead of hanging. */
const barrierWaitMs = 10_000;

/** Connections to one server that a scenario drives. */
export class PubSubSession {
  private constructor(readonly conns: RawConnection[]) {}

  static async open(port: number, count: number): Promise<PubSubSession> {
    const conns: RawConnection[] = [];
    for (let i = 0; i < count; i++) conns.push(await RawConnection.open(port));
    return new PubSubSession(conns);
  }

  /**
   * Sends the step's command, then collects per connection what arrived up to
   * its barrier: the sender's barrier first, so that what the command
   * published is queued for the others before theirs.
   */
  async run(s: Step): Promise<string[]> {
    const sender = this.conns[s.conn];
    sender.send(encodeCommand(s.args));
    const out: string[] = new Array(this.conns.length).fill('');
    const quiet = new Set(s.quiet);
    if (!quiet.has(s.conn)) out[s.conn] = await collect(sender);
    await Promise.all(
      this.conns.map(async (conn, i) => {
        if (i !== s.conn && !quiet.has(i)) out[i] = await collect(conn);
      }),
    );
    return s.unordered ? out.map(sortReplies) : out;
  }

  /** Runs every step; the transcript names each step's sender and command. */
  async transcript(steps: Step[]): Promise<string[]> {
    const lines: string[] = [];
    for (const s of steps) {
      const out = await this.run(s);
      lines.push(`${s.conn}> ${s.args.join(' ')}\n` + out.map((o, i) => `  [${i}] ${JSON.stringify(o)}`).join('\n'));
    }
    return lines;
  }

  /** Leaves the server as found: RESET drops subscriptions before the connections go. */
  async close(): Promise<void> {
    for (const conn of this.conns) {
      if (!conn.isClosed) await conn.call('RESET');
      conn.close();
    }
  }
}

/** Replies up to (not including) a PING barrier's; "<closed>" once the server closed the connection. */
async function collect(conn: RawConnection): Promise<string> {
  if (conn.isClosed) return '<closed>';
  const token = `barrier-${++barrierCount}`;
  conn.send(encodeCommand(['PING', token]));
  let out = '';
  for (;;) {
    let reply: string;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no barrier reply; got so far: ${JSON.stringify(out)}`)), barrierWaitMs);
    });
    try {
      reply = (await Promise.race([conn.reply(), timeout])).toString('latin1');
    } catch (e) {
      if (conn.isClosed) return out + '<closed>';
      throw e;
    } finally {
      clearTimeout(timer);
    }
    // A plain PING reply, or the one of a subscribed RESP2 connection.
    if (reply === `$${token.length}\r\n${token}\r\n` || reply === `*2\r\n$4\r\npong\r\n$${token.length}\r\n${token}\r\n`) {
      return out;
    }
    out += reply;
  }
}

/**
 * An order-free form of `bytes` (complete replies): each reply's top-level
 * elements sorted, the replies sorted, and the integers among the elements
 * kept apart in the order they came (the running counts of (un)subscribe
 * confirmations).
 */
function sortReplies(bytes: string): string {
  const buf = Buffer.from(bytes, 'latin1');
  const replies: string[] = [];
  const ints: string[] = [];
  for (let at = 0; at < buf.length; at = replyEnd(buf, at)) {
    const elements: string[] = [];
    const aggregate = '*>~'.includes(String.fromCharCode(buf[at]));
    let p = aggregate ? buf.indexOf('\r\n', at) + 2 : at;
    const end = replyEnd(buf, at);
    while (p < end) {
      const next = replyEnd(buf, p);
      const element = buf.toString('latin1', p, next);
      if (element.startsWith(':')) ints.push(element);
      else elements.push(element);
      p = next;
    }
    replies.push(elements.sort().join(''));
  }
  return JSON.stringify({ replies: replies.sort(), ints });
}
