// The package's public API: start a Tandem server inside this process.

export { Server, type ServerOptions, type PropagationSink } from './server/server.js';
export { Config } from './config/config.js';
