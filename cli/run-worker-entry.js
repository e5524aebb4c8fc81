// Entry point of a `caplab run --workers` thread: a worker thread does not inherit the parent's module hooks, so it
// registers tsx itself before loading the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('../scenarios/engine/parallel/worker.ts');
