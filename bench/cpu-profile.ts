// Preloaded into tandem-server by `npm run bench -- --profile`
// (NODE_OPTIONS="--import .../cpu-profile.js", TANDEM_CPU_PROFILE=<file>).
// Node refuses --cpu-prof in NODE_OPTIONS and the test helper passes no node
// flags, so the V8 profiler is driven from inside through the inspector; an
// in-process session answers synchronously, so the profile can be written at exit.

import fs from 'node:fs';
import inspector from 'node:inspector';

const file = process.env.TANDEM_CPU_PROFILE;
if (file) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (err) process.stderr.write(`cpu profile: ${err.message}\n`);
      else fs.writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}
