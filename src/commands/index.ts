// Every command family, in one list: the server builds its command table from it.

import type { CommandSpec } from './registry.js';
import { connectionCommands } from './connection.js';

export const commandFamilies: ReadonlyArray<readonly CommandSpec[]> = [connectionCommands];
