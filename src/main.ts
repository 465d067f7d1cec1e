// bin/tandem-server: parse redis-server's command line, start a Server,
// shut it down on SIGTERM/SIGINT as Redis does.

import { spawn } from 'node:child_process';
import { loadServerConfig } from './config/parse.js';
import { Server } from './server/server.js';
import { shutdownFlagsFromBits } from './server/shutdown.js';
import { redisVersion, tandemVersion } from './version.js';

const usage = `Usage: ./tandem-server [/path/to/tandem.conf] [options] [-]
       ./tandem-server - (read config from stdin)
       ./tandem-server -v or --version
       ./tandem-server -h or --help

Examples:
       ./tandem-server (run the server with default config)
       ./tandem-server /etc/redis/6379.conf
       ./tandem-server --port 7777
       ./tandem-server --port 7777 --replicaof 127.0.0.1 8888
       ./tandem-server /etc/myredis.conf --loglevel verbose -
`;

export async function main(args: string[]): Promise<void> {
  if (args[0] === '-v' || args[0] === '--version') {
    process.stdout.write(`Tandem server v=${tandemVersion} redis_version=${redisVersion} bits=64\n`);
    return;
  }
  if (args[0] === '-h' || args[0] === '--help') {
    process.stdout.write(usage);
    return;
  }
  const loaded = await loadServerConfig(args);
  if ('error' in loaded) {
    process.stderr.write(loaded.error.endsWith('\n') ? loaded.error : loaded.error + '\n');
    process.exit(1);
  }
  const config = loaded.config;
  if (config.getBool('daemonize') && process.env.TANDEM_DAEMON_CHILD !== '1') {
    // Node cannot fork itself; a detached copy of this process stands in for the daemon.
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, TANDEM_DAEMON_CHILD: '1' },
    });
    child.unref();
    return;
  }
  const server = new Server(config);
  try {
    await server.start();
  } catch (e) {
    server.log.warning((e as Error).message);
    process.exit(1);
  }
  server.onShutdown = () => process.exit(0);
  // As Redis: the shutdown flags of shutdown-on-sigterm / shutdown-on-sigint; a second
  // SIGINT while replicas are waited for exits at once. A failed final save keeps the
  // server running (a second signal tries again).
  const onSignal = (name: 'SIGTERM' | 'SIGINT') => {
    if (name === 'SIGINT' && server.shutdown.initiated) {
      server.log.warning('You insist... exiting now.');
      process.exit(1);
    }
    server.log.warning(
      server.persistence.loading !== null
        ? 'Received shutdown signal during loading, scheduling shutdown.'
        : `Received ${name} scheduling shutdown...`,
    );
    const bits = server.config.getInt(name === 'SIGTERM' ? 'shutdown-on-sigterm' : 'shutdown-on-sigint');
    server.shutdown.request(shutdownFlagsFromBits(bits), null);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}
