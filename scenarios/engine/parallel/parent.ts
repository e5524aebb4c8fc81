/**
 * A run split over N worker threads (worker.ts), each running its execution segment of `0,1/N,...,1` on its own
 * event loop, with one set of outputs, as autocannon keeps its workers in the library. The parent runs setup once (as
 * k6 does) and passes its variables to every worker, adds up the workers' metric deltas in the one registry (HDR
 * buckets merged, never percentiles averaged) and hands their sample batches to the one NDJSON output, samples
 * `vus`/`vus_max` as the sums over workers, judges thresholds with abortOnFail on the merged view while the run goes
 * (stopping every worker when one is crossed), and stops them all on its abort signal. It starts threads and nothing
 * else: the caller gives the worker's entry module, the validated test, the users as data and the outputs.
 */
import { Worker } from 'node:worker_threads';
import { newStats, type ScenarioStats } from '../executor.ts';
import { epochOf } from '../flow.ts';
import { BUILTIN_METRICS } from '../metrics/builtin.ts';
import type { Registry } from '../metrics/registry.ts';
import type { MetricDef, SampleSink } from '../metrics/types.ts';
import { runSetup, type RunProgress, type RunResult } from '../run.ts';
import { tee } from '../tee.ts';
import type { UsersData } from '../users.ts';
import type { SpecFiles } from '../../spec-files.ts';
import type { UserSource } from '../vu.ts';
import type { FromWorker, ParallelPlan, ToWorker, WorkerInit } from './protocol.ts';

const M = BUILTIN_METRICS as Record<string, MetricDef>;

/** What {@link runWithWorkers} needs besides the plan. */
export interface WorkersRunInput {
  /**
   * The worker's entry module: it must load ./worker.ts in the new thread (the CLI's entry registers its TypeScript
   * loader first, which a worker thread does not inherit).
   */
  entry: URL;
  /** The run's seed. */
  seed: number;
  /** The one registry every worker's metrics are added to. */
  registry: Registry;
  /** The one NDJSON output, when the run writes one: it takes the workers' packed sample batches. */
  ndjson?: SampleSink & { addBatch(batch: ArrayBuffer): void };
  /** The users: `source` for setup (which acts as user 0) and `data` for the workers, the same users. */
  users?: { source: UserSource; data: UsersData };
  /** Contents of the files the spec names (shared memory: not copied per worker). */
  files?: SpecFiles;
  /** Aborting it stops every worker (SIGINT/SIGTERM); the result says interrupted. */
  signal: AbortSignal;
  /** An iteration's exception (counted, not fatal), from any worker. */
  onError?: (message: string) => void;
  /** A warning from any worker. */
  onWarning?: (message: string) => void;
  /** Live figures summed over workers, every second. */
  onProgress?: (p: RunProgress) => void;
}

function sumStats(parts: Record<string, ScenarioStats>[]): Record<string, ScenarioStats> {
  const out: Record<string, ScenarioStats> = {};
  for (const part of parts) {
    for (const [name, s] of Object.entries(part)) {
      const t = (out[name] ??= newStats());
      for (const k of Object.keys(t) as (keyof ScenarioStats)[]) t[k] += s[k];
    }
  }
  return out;
}

/**
 * Runs the plan's test on `plan.workers` worker threads.
 * @param plan the validated test and the number of workers
 * @param input the worker entry, seed, the registry and output to fill, users, signal, callbacks
 * @returns how the run ended, summed over workers (duration from the parent's start, setup included)
 * @throws {Error} when a worker fails outside an iteration (an internal error: every worker is stopped first)
 */
export async function runWithWorkers(plan: ParallelPlan, input: WorkersRunInput): Promise<RunResult> {
  const n = plan.workers;
  const { registry, ndjson } = input;
  const sink = ndjson ? tee(registry, ndjson) : registry;
  let t0 = performance.now();
  const latest: { stats: Record<string, ScenarioStats>; vus: number; vusMax: number }[] = Array.from({ length: n }, () => ({ stats: {}, vus: 0, vusMax: 0 }));
  const results: (RunResult | undefined)[] = new Array<RunResult | undefined>(n).fill(undefined);
  let failure: Error | undefined;
  let thresholdsAborted = false;
  const workers: Worker[] = [];
  const post = (m: ToWorker): void => { for (const w of workers) w.postMessage(m); };
  const stopAll = (): void => post({ type: 'stop' });

  let markReady!: () => void;
  let readyCount = 0;
  const allReady = new Promise<void>((resolve) => { markReady = resolve; });
  let settle!: () => void;
  let doneCount = 0;
  const allDone = new Promise<void>((resolve) => { settle = resolve; });
  const fail = (index: number, message: string): void => {
    if (failure === undefined) failure = new Error(`worker ${index + 1} of ${n} failed: ${message}`);
    stopAll();
    markReady();
    settle();
  };

  for (let index = 0; index < n; index++) {
    const init: WorkerInit = {
      spec: plan.spec, flags: plan.flags, tags: plan.tags, seed: input.seed, index, count: n, ndjson: ndjson !== undefined,
      ...(input.users ? { users: input.users.data } : {}),
      ...(input.files ? { files: input.files } : {}),
    };
    const w = new Worker(input.entry, { workerData: init });
    workers.push(w);
    w.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'ready':
          if (++readyCount === n) markReady();
          break;
        case 'flush':
          registry.absorb(m.snapshot);
          if (m.points) for (const b of m.points) ndjson?.addBatch(b);
          latest[index] = { stats: m.stats, vus: m.vus, vusMax: m.vusMax };
          break;
        case 'log':
          (m.level === 'error' ? input.onError : input.onWarning)?.(m.message);
          break;
        case 'done':
          results[index] = m.result;
          void w.terminate();
          if (++doneCount === n) settle();
          break;
        case 'failed':
          fail(index, m.message);
          break;
      }
    });
    w.on('error', (err) => fail(index, err.message));
    w.on('exit', (code) => { if (results[index] === undefined) fail(index, `exited with code ${code} before it finished`); });
  }

  const onAbort = (): void => stopAll();
  input.signal.addEventListener('abort', onAbort, { once: true });
  const gaugeTags = Object.freeze({ ...plan.spec.options.tags, ...plan.tags });
  const gauges = (): void => {
    const now = epochOf(performance.now());
    let vus = 0;
    let vusMax = 0;
    for (const l of latest) { vus += l.vus; vusMax += l.vusMax; }
    sink.add({ metric: M.vus!, value: vus, tags: gaugeTags, time: now });
    sink.add({ metric: M.vus_max!, value: vusMax, tags: gaugeTags, time: now });
    return void input.onProgress?.({ elapsedMs: performance.now() - t0, vus, vusMax, scenarios: sumStats(latest.map((l) => l.stats)) });
  };
  let progressTimer: NodeJS.Timeout | undefined;
  let abortTimer: NodeJS.Timeout | undefined;
  try {
    // The test's clock starts once every worker is initialized (k6 leaves VU init out of the test duration). A signal
    // does not wait for that (workers load modules and users for seconds): the workers are terminated, nothing ran.
    const interrupted = new Promise<void>((resolve) => {
      if (input.signal.aborted) resolve();
      else input.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([allReady, interrupted]);
    if (failure) throw failure;
    if (readyCount < n) {
      return { durationMs: 0, interrupted: true, thresholdsAborted: false, iterationErrors: 0, scenarios: {}, vusMax: 0 };
    }
    t0 = performance.now();
    // Interrupted while the workers started: they have their stop already, so they run nothing, and neither does setup.
    const setup = input.signal.aborted ? { vars: {} } : await runSetup(plan.spec, { sink, seed: input.seed, ...(input.users ? { users: input.users.source } : {}), tags: plan.tags, ...(input.files ? { files: input.files } : {}) });
    if (setup.error !== undefined) {
      return { durationMs: performance.now() - t0, interrupted: input.signal.aborted, thresholdsAborted: false, setupError: setup.error, iterationErrors: 0, scenarios: {}, vusMax: 0 };
    }
    post({ type: 'start', setupVars: setup.vars });
    progressTimer = setInterval(gauges, 1000);
    // k6 checks thresholds for abortOnFail every 2 s; the workers' deltas are at most WORKER_FLUSH_MS old then.
    abortTimer = setInterval(() => {
      if (thresholdsAborted || input.signal.aborted) return;
      if (registry.evaluateThresholds(performance.now() - t0).some((r) => r.abortNow)) {
        thresholdsAborted = true;
        stopAll();
      }
    }, 2000);
    await allDone;
    if (failure) throw failure;
  } finally {
    clearInterval(progressTimer);
    clearInterval(abortTimer);
    input.signal.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const done = results as RunResult[];
  for (const l of latest) l.vus = 0;
  gauges();
  return {
    durationMs: performance.now() - t0,
    interrupted: input.signal.aborted,
    thresholdsAborted,
    iterationErrors: done.reduce((t, r) => t + r.iterationErrors, 0),
    scenarios: sumStats(done.map((r) => r.scenarios)),
    vusMax: done.reduce((t, r) => t + r.vusMax, 0),
  };
}
