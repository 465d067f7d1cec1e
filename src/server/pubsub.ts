// Pub/Sub: who listens to which channel, pattern and shard channel, and the
// delivery of messages and (un)subscribe confirmations in Redis 7.0's exact
// encoding (RESP2 arrays, RESP3 `>` pushes). Messages go into the
// subscribers' reply buffers and leave in one write per subscriber after the
// publishing code has run (a microtask), as Redis writes them in beforeSleep.

import type { Client } from './client.js';
import { compileGlob } from '../util/glob.js';

/** What one client is subscribed to (Redis's c->pubsub_channels / pubsub_patterns / pubsubshard_channels). */
export class Subscriptions {
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();

  /** All subscriptions: non-zero is Redis's CLIENT_PUBSUB flag. */
  get total(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }
}

export type SubscriptionKind = 'channel' | 'pattern' | 'shard';

interface Entry {
  /** Subscribers in subscription order: PUBLISH delivers in this order, as Redis 7.0's client lists. */
  readonly clients: Set<Client>;
  /** Patterns only: the compiled matcher. */
  readonly match: ((channel: string) => boolean) | null;
}

/** One kind of subscription: the server-wide name → subscribers map and the words its confirmations use. */
class Registry {
  readonly entries = new Map<string, Entry>();

  constructor(
    readonly subscribeWord: string,
    readonly unsubscribeWord: string,
    /** The client's own set of names of this kind. */
    private readonly own: (c: Client) => Set<string>,
    /** The count confirmations carry: channels and patterns together, shard channels apart. */
    private readonly count: (c: Client) => number,
    private readonly isPattern: boolean,
  ) {}

  subscribe(c: Client, name: string): void {
    const own = this.own(c);
    if (!own.has(name)) {
      own.add(name);
      let entry = this.entries.get(name);
      if (entry === undefined) {
        entry = { clients: new Set(), match: this.isPattern ? compileGlob(name) : null };
        this.entries.set(name, entry);
      }
      entry.clients.add(c);
    }
    this.confirm(c, this.subscribeWord, name);
  }

  /** Removes one subscription; `notify` sends the confirmation (even when there was none to remove). */
  unsubscribe(c: Client, name: string, notify: boolean): void {
    if (this.own(c).delete(name)) {
      const entry = this.entries.get(name)!;
      entry.clients.delete(c);
      // Forget names nobody listens to, so that churn cannot grow the map.
      if (entry.clients.size === 0) this.entries.delete(name);
    }
    if (notify) this.confirm(c, this.unsubscribeWord, name);
  }

  /** UNSUBSCRIBE without arguments: every name of this kind, or one confirmation with a null name if none. */
  unsubscribeAll(c: Client, notify: boolean): void {
    const own = this.own(c);
    if (own.size === 0) {
      if (notify) this.confirm(c, this.unsubscribeWord, null);
      return;
    }
    for (const name of [...own]) this.unsubscribe(c, name, notify);
  }

  private confirm(c: Client, word: string, name: string | null): void {
    c.pushing = true;
    c.pushLen(3);
    c.bulk(word);
    c.bulk(name);
    c.int(this.count(c));
    c.pushing = false;
  }
}

/**
 * A message as every subscriber receives it: the elements after the
 * array/push header, encoded once however many subscribers there are.
 */
class Push {
  private body: Buffer | null = null;
  constructor(private readonly parts: readonly string[]) {}

  deliverTo(c: Client): void {
    if (this.body === null) {
      let s = '';
      for (const p of this.parts) s += '$' + p.length + '\r\n' + p + '\r\n';
      this.body = Buffer.from(s, 'latin1');
    }
    c.pushing = true;
    c.raw((c.resp === 3 ? '>' : '*') + this.parts.length + '\r\n');
    c.raw(this.body);
    c.pushing = false;
  }
}

function channelCount(c: Client): number {
  return c.subscriptions.channels.size + c.subscriptions.patterns.size;
}

/** The server's Pub/Sub state (Redis's server.pubsub_channels, pubsub_patterns, pubsubshard_channels). */
export class PubSub {
  readonly channels = new Registry('subscribe', 'unsubscribe', (c) => c.subscriptions.channels, channelCount, false);
  readonly patterns = new Registry('psubscribe', 'punsubscribe', (c) => c.subscriptions.patterns, channelCount, true);
  readonly shardChannels = new Registry(
    'ssubscribe',
    'sunsubscribe',
    (c) => c.subscriptions.shardChannels,
    (c) => c.subscriptions.shardChannels.size,
    false,
  );
  /** Subscribers with messages waiting to be written. */
  private readonly unflushed = new Set<Client>();

  registry(kind: SubscriptionKind): Registry {
    return kind === 'channel' ? this.channels : kind === 'pattern' ? this.patterns : this.shardChannels;
  }

  /**
   * PUBLISH: delivers `message` to the subscribers of `channel`, then to those
   * of every matching pattern; returns how many deliveries were made.
   */
  publish(channel: string, message: string): number {
    let receivers = this.deliver(this.channels, channel, ['message', channel, message]);
    for (const [pattern, entry] of this.patterns.entries) {
      if (!entry.match!(channel)) continue;
      const push = new Push(['pmessage', pattern, channel, message]);
      for (const c of entry.clients) this.send(c, push);
      receivers += entry.clients.size;
    }
    return receivers;
  }

  /** SPUBLISH: shard channels only, never patterns. */
  spublish(channel: string, message: string): number {
    return this.deliver(this.shardChannels, channel, ['smessage', channel, message]);
  }

  /** Drops every subscription of a client that goes away or is RESET, without confirmations. */
  unsubscribeAll(c: Client): void {
    if (c.subscriptions.total === 0) return;
    this.channels.unsubscribeAll(c, false);
    this.shardChannels.unsubscribeAll(c, false);
    this.patterns.unsubscribeAll(c, false);
  }

  private deliver(registry: Registry, channel: string, parts: string[]): number {
    const entry = registry.entries.get(channel);
    if (entry === undefined) return 0;
    const push = new Push(parts);
    for (const c of entry.clients) this.send(c, push);
    return entry.clients.size;
  }

  private send(c: Client, push: Push): void {
    push.deliverTo(c);
    if (this.unflushed.size === 0) queueMicrotask(() => this.flush());
    this.unflushed.add(c);
  }

  private flush(): void {
    for (const c of this.unflushed) c.flush();
    this.unflushed.clear();
  }
}
