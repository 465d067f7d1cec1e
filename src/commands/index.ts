// Every command family, in one list: the server builds its command table from it.

import type { CommandSpec } from './registry.js';
import { connectionCommands } from './connection.js';
import { clientCommands } from './client.js';
import { keyCommands } from './keys.js';
import { databaseCommands } from './databases.js';
import { stringCommands } from './strings.js';
import { bitmapCommands } from './bitmaps.js';
import { serverCommands } from './server.js';
import { commandCommands } from './command.js';
import { debugCommands } from './debug.js';
import { streamCommands } from './streams.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { geoCommands } from './geo.js';
import { listCommands } from './lists.js';
import { pubsubCommands } from './pubsub.js';
import { hashCommands } from './hashes.js';
import { setCommands } from './sets.js';
import { zsetCommands } from './zsets.js';
import { transactionCommands } from './transactions.js';
import { sortCommands } from './sort.js';
import { blockingCommands } from './blocking.js';
import { persistenceCommands } from './persistence.js';
import { aofCommands } from './aof.js';
import { replicationPrimaryCommands } from './replication-primary.js';
import { replicaCommands } from './replication-replica.js';

export const commandFamilies: ReadonlyArray<readonly CommandSpec[]> = [connectionCommands, clientCommands, keyCommands, databaseCommands, stringCommands, bitmapCommands, serverCommands, commandCommands, debugCommands, streamCommands, listCommands, hyperloglogCommands, geoCommands, pubsubCommands, hashCommands, setCommands, zsetCommands, sortCommands, transactionCommands, blockingCommands, persistenceCommands, aofCommands, replicationPrimaryCommands, replicaCommands];
