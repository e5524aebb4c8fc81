// Entry point of the NDJSON writer thread. From the TypeScript sources (a checkout) a worker thread does not inherit
// the parent's module hooks, so it registers tsx itself before loading the writer; the compiled copy in dist/ (where
// tsc rewrote the import below to .js and no .ts lies beside it) loads the JavaScript with plain node, no tsx.
import { existsSync } from 'node:fs';

if (existsSync(new URL('./ndjson-writer-thread.ts', import.meta.url))) (await import('tsx/esm/api')).register();
await import('./ndjson-writer-thread.ts');
