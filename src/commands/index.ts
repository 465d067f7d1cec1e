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

export const commandFamilies: ReadonlyArray<readonly CommandSpec[]> = [connectionCommands, clientCommands, keyCommands, databaseCommands, stringCommands, bitmapCommands, serverCommands, commandCommands, debugCommands];
