// Entry point of a `caplab run --workers` thread. From the TypeScript sources (a checkout) a worker thread does not
// inherit the parent's module hooks, so it registers tsx itself before loading the worker; the compiled copy in dist/
// (where tsc rewrote the import below to .js and no .ts lies beside it) loads the JavaScript with plain node, no tsx.
import { existsSync } from 'node:fs';

if (existsSync(new URL('../scenarios/engine/parallel/worker.ts', import.meta.url))) (await import('tsx/esm/api')).register();
await import('../scenarios/engine/parallel/worker.ts');
