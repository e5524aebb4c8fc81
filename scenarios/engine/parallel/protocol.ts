/**
 * The messages between a run split over worker threads (parent.ts) and its workers (worker.ts). A worker runs one
 * execution segment of the test and sends, every {@link WORKER_FLUSH_MS}, what its metrics registry gathered since the
 * last message (then starts a fresh one), its samples packed for the NDJSON output, and its counters; the parent adds
 * the deltas up, so HDR buckets are merged and no percentile is ever averaged. Everything here is plain data (it
 * crosses threads by structured clone), so a worker gets the test as the parent validated it and never reads a file.
 */
import type { ScenarioStats } from '../executor.ts';
import type { RegistrySnapshot } from '../metrics/registry.ts';
import type { effectiveScenarios, RunResult } from '../run.ts';
import type { ScenarioSpec } from '../../spec.ts';
import type { UsersData } from '../users.ts';
import type { SpecFiles } from '../../spec-files.ts';

/**
 * How often a worker sends its deltas, ms: they are at most this old at the parent's threshold checks (every 2 s, as
 * k6), and rare enough that turning histograms into buckets and back costs little.
 */
export const WORKER_FLUSH_MS = 500;

/** k6's shortcut flags (`--vus/--duration/--iterations`, durations in ms) and the flow they run, as the engine takes them. */
export type ShortcutFlags = NonNullable<Parameters<typeof effectiveScenarios>[1]>;

/** The validated test every worker runs a segment of. */
export interface ParallelPlan {
  /** The validated spec, with the run's flags applied (e.g. the shortcut's flow, insecureSkipTLSVerify). */
  spec: ScenarioSpec;
  /** Shortcut flags, which replace the spec's scenarios. */
  flags: ShortcutFlags;
  /** Tags added to every sample (`--tag`). */
  tags: Record<string, string>;
  /** Number of workers: the test is split into this many equal execution segments. */
  workers: number;
}

/** What a worker starts with (its workerData). */
export interface WorkerInit {
  /** The test, as the parent validated it. */
  spec: ScenarioSpec;
  flags: ShortcutFlags;
  tags: Record<string, string>;
  /** The run's seed. */
  seed: number;
  /** This worker's index and the number of workers: it runs segment index of `0,1/count,...,1`. */
  index: number;
  count: number;
  /** Whether the parent writes NDJSON points (the worker then packs its samples into batches). */
  ndjson: boolean;
  /** The users, as data (the worker makes its own copy of them). */
  users?: UsersData;
  /** The files the spec names: their bytes are on SharedArrayBuffers, so every worker reads the parent's copy. */
  files?: SpecFiles;
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
    /** Sample batches since the previous flush, for the NDJSON output (../outputs/sample-batch.ts). */
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
