// Entry point of the NDJSON writer thread: a worker thread does not inherit the parent's module hooks, so it
// registers tsx itself before loading the TypeScript writer.
import { register } from 'tsx/esm/api';

register();
await import('./ndjson-writer-thread.ts');
