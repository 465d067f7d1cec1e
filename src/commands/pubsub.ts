// Pub/Sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE,
// SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB introspection. The
// registries and message delivery are in src/server/pubsub.ts.

import type { Client } from '../server/client.js';
import type { SubscriptionKind } from '../server/pubsub.js';
import { compileGlob } from '../util/glob.js';
import { replyHelp, subcommandSyntaxError } from './client.js';
import type { CommandSpec } from './registry.js';

function subscribeGeneric(c: Client, argv: string[], kind: SubscriptionKind): void {
  // Inside EXEC one reply per command is expected; Redis lets only SUBSCRIBE and PSUBSCRIBE through, for compatibility.
  if (kind === 'shard' && c.denyBlocking) {
    c.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    return;
  }
  const registry = c.server.pubsub.registry(kind);
  for (let j = 1; j < argv.length; j++) registry.subscribe(c, argv[j]);
}

/** Without arguments: from every channel (pattern, shard channel) of that kind. */
function unsubscribeGeneric(c: Client, argv: string[], kind: SubscriptionKind): void {
  const registry = c.server.pubsub.registry(kind);
  if (argv.length === 1) registry.unsubscribeAll(c, true);
  else for (let j = 1; j < argv.length; j++) registry.unsubscribe(c, argv[j], true);
}

function publish(c: Client, argv: string[]): void {
  c.int(c.server.pubsub.publish(argv[1], argv[2]));
  propagateToReplicas(c);
}

function spublish(c: Client, argv: string[]): void {
  c.int(c.server.pubsub.spublish(argv[1], argv[2]));
  propagateToReplicas(c);
}

/** Outside cluster mode Redis sends PUBLISH to replicas (their subscribers get it too), not to the AOF. */
function propagateToReplicas(c: Client): void {
  c.propagationForced = true;
  c.propagateToReplicasOnly = true;
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]: the names anyone listens to. */
function channelList(c: Client, argv: string[], kind: SubscriptionKind): void {
  if (argv.length > 3) {
    subcommandSyntaxError(c, argv);
    return;
  }
  const match = argv.length === 3 ? compileGlob(argv[2]) : null;
  const names: string[] = [];
  for (const name of c.server.pubsub.registry(kind).entries.keys()) {
    if (match === null || match(name)) names.push(name);
  }
  c.bulks(names);
}

/** PUBSUB NUMSUB / SHARDNUMSUB [channel ...]: channel, subscriber count, ... (patterns not counted). */
function numsub(c: Client, argv: string[], kind: SubscriptionKind): void {
  const entries = c.server.pubsub.registry(kind).entries;
  c.arrayLen((argv.length - 2) * 2);
  for (let j = 2; j < argv.length; j++) {
    c.bulk(argv[j]);
    c.int(entries.get(argv[j])?.clients.size ?? 0);
  }
}

const helpLines = [
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
];

const subscribeFlags = ['pubsub', 'noscript', 'loading', 'stale', 'sentinel'] as const;
const introspection = ['pubsub', 'loading', 'stale'] as const;

export const pubsubCommands: CommandSpec[] = [
  { name: 'subscribe', arity: -2, flags: subscribeFlags, run: (c, argv) => subscribeGeneric(c, argv, 'channel') },
  { name: 'unsubscribe', arity: -1, flags: subscribeFlags, run: (c, argv) => unsubscribeGeneric(c, argv, 'channel') },
  { name: 'psubscribe', arity: -2, flags: subscribeFlags, run: (c, argv) => subscribeGeneric(c, argv, 'pattern') },
  { name: 'punsubscribe', arity: -1, flags: subscribeFlags, run: (c, argv) => unsubscribeGeneric(c, argv, 'pattern') },
  {
    name: 'ssubscribe',
    arity: -2,
    flags: ['pubsub', 'noscript', 'loading', 'stale'],
    keys: [1, -1, 1],
    run: (c, argv) => subscribeGeneric(c, argv, 'shard'),
  },
  {
    name: 'sunsubscribe',
    arity: -1,
    flags: ['pubsub', 'noscript', 'loading', 'stale'],
    keys: [1, -1, 1],
    run: (c, argv) => unsubscribeGeneric(c, argv, 'shard'),
  },
  { name: 'publish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate', 'sentinel'], run: publish },
  {
    name: 'spublish',
    arity: 3,
    flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'],
    keys: [1, 1, 1],
    run: spublish,
  },
  {
    name: 'pubsub',
    arity: -2,
    flags: [],
    // In the order Redis lists them (COMMAND INFO / DOCS).
    subcommands: [
      { name: 'numpat', arity: 2, flags: introspection, run: (c) => c.int(c.server.pubsub.patterns.entries.size) },
      { name: 'channels', arity: -2, flags: introspection, run: (c, argv) => channelList(c, argv, 'channel') },
      { name: 'numsub', arity: -2, flags: introspection, run: (c, argv) => numsub(c, argv, 'channel') },
      { name: 'shardchannels', arity: -2, flags: introspection, run: (c, argv) => channelList(c, argv, 'shard') },
      { name: 'shardnumsub', arity: -2, flags: introspection, run: (c, argv) => numsub(c, argv, 'shard') },
      { name: 'help', arity: 2, flags: ['loading', 'stale'], run: (c) => replyHelp(c, helpLines) },
    ],
  },
];
