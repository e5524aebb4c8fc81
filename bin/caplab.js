#!/usr/bin/env node
// Development entry point (a checkout; not shipped): registers tsx so the TypeScript sources run as they are, then
// hands over to the CLI. Tests and the campaign's children started from the sources run this, so they never run a
// stale dist/. The installed package's `caplab` is the compiled dist/cli/main.js (`npm run build`).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
