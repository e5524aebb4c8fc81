/**
 * The messages between `caplab run --workers N` and its worker threads. A worker runs one execution segment of the
 * test and sends, every {@link WORKER_FLUSH_MS}, what its metrics registry gathered since the last message (then
 * starts a fresh one), its samples packed for the NDJSON output, and its counters; the parent adds the deltas up, so HDR
 * buckets are merged and no percentile is ever averaged.
 */
import type { ScenarioStats } from '../scenarios/engine/executor.ts';
import type { RegistrySnapshot } from '../scenarios/engine/metrics/registry.ts';
import type { RunResult } from '../scenarios/engine/run.ts';
import type { RunOptions } from './commands/run.ts';

/**
 * How often a worker sends its deltas, ms: they are at most this old at the parent's threshold checks (every 2 s, as
 * k6), and rare enough that turning histograms into buckets and back costs little.
 */
export const WORKER_FLUSH_MS = 500;

/** What a worker starts with (its workerData). */
export interface WorkerInit {
  /** The spec's path (for messages and its users file) and its text as the parent read it. */
  specPath: string;
  specText: string;
  /** The run's flags (the worker validates the same plan). */
  opts: RunOptions;
  /** The run's seed. */
  seed: number;
  /** This worker's index and the number of workers: it runs segment index of `0,1/count,...,1`. */
  index: number;
  count: number;
  /** Whether the parent writes NDJSON points (the worker then packs its samples into batches). */
  ndjson: boolean;
}

/** Parent to worker. */
export type ToWorker =
  | { type: 'start'; setupVars: Readonly<Record<string, unknown>> }
  | { type: 'stop' };

/** Worker to parent. */
export type FromWorker =
  | { type: 'ready' }
  | {
    type: 'flush';
    /** The registry's contents since the previous flush. */
    snapshot: RegistrySnapshot;
    /** Sample batches since the previous flush, for the NDJSON output (scenarios/engine/outputs/sample-batch.ts). */
    points?: ArrayBuffer[];
    /** Counters per scenario so far (totals, not deltas). */
    stats: Record<string, ScenarioStats>;
    /** VUs running and created now. */
    vus: number;
    vusMax: number;
  }
  | { type: 'log'; level: 'error' | 'warning'; message: string }
  | { type: 'done'; result: RunResult }
  | { type: 'failed'; message: string };
