#!/usr/bin/env node
// Entry of the stand-in `k6` binary (test/helpers/k6-standin/main.ts): registers tsx so the TypeScript sources run as
// they are, as bin/caplab.js does, then exits with main()'s code. `k6 version` answers without loading them, since
// caplab runs it before every run to see whether k6 is installed.
if (process.argv[2] === 'version') {
  process.stdout.write('k6 v1.0.0 (caplab test stand-in)\n');
  process.exit(0);
}
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('./main.ts');
process.exit(await main(process.argv.slice(2)));
