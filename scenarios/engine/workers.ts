/**
 * How `caplab run --workers N` splits a test: N equal execution segments of one sequence (`0,1/N,...,1`), so the
 * workers together run exactly the work one instance would (k6's striping gives each its VUs and iterations, numbered
 * test-wide), and the default N: one worker unless the test asks for more load than one worker drives.
 */
import type { ScenarioConfig } from '../spec.ts';
import { maxPlannedVus } from './run.ts';
import { createExecutionTuple, type ExecutionTuple, parseExecutionSegmentSequence } from './segments.ts';

/** The load one worker (one Node event loop) is expected to drive; past either figure a test asks for more. */
export interface WorkerLoad {
  /** VUs (planned at once, or an arrival-rate scenario's maxVUs). */
  vus: number;
  /** Iterations started per second (arrival-rate scenarios). */
  iterationsPerSecond: number;
}

/**
 * The execution tuples of N workers: equal segments of one sequence.
 * @param n number of workers (>= 1)
 * @returns one tuple per worker, in order
 * @throws {RangeError} when n is not a positive integer
 * @example workerTuples(2).map((t) => t.scale(5)) // [3, 2]
 */
export function workerTuples(n: number): ExecutionTuple[] {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`workerTuples: ${n} is not a positive integer`);
  if (n === 1) return [createExecutionTuple()];
  const seq = parseExecutionSegmentSequence(Array.from({ length: n + 1 }, (_, i) => (i === 0 ? '0' : i === n ? '1' : `${i}/${n}`)).join(','));
  return seq.map((s) => createExecutionTuple(s, seq));
}

/**
 * The load a test asks for at its peak: the most VUs planned at once (an arrival-rate scenario counted at its
 * maxVUs, which it may reach) and the highest arrival rate, per second.
 * @param scenarios the scenarios to run
 * @returns peak VUs and peak iterations per second
 */
export function peakLoad(scenarios: Record<string, ScenarioConfig>): WorkerLoad {
  const whole = createExecutionTuple();
  let vus = maxPlannedVus(scenarios, whole);
  let rate = 0;
  for (const c of Object.values(scenarios)) {
    if (c.executor === 'constant-arrival-rate') {
      rate = Math.max(rate, (c.rate * 1000) / c.timeUnit);
      vus = Math.max(vus, c.maxVUs ?? c.preAllocatedVUs);
    } else if (c.executor === 'ramping-arrival-rate') {
      rate = Math.max(rate, ...[c.startRate, ...c.stages.map((s) => s.target)].map((r) => (r * 1000) / c.timeUnit));
      vus = Math.max(vus, c.maxVUs ?? c.preAllocatedVUs);
    }
  }
  return { vus, iterationsPerSecond: rate };
}

/**
 * The default number of workers: `cores` when the test's peak load is more than one worker drives, else 1.
 * @param scenarios the scenarios to run
 * @param cores cores available (os.availableParallelism())
 * @param perWorker the load one worker drives (data/defaults.json run.workerLoad)
 * @returns the worker count
 */
export function defaultWorkers(scenarios: Record<string, ScenarioConfig>, cores: number, perWorker: WorkerLoad): number {
  const peak = peakLoad(scenarios);
  const more = peak.vus > perWorker.vus || peak.iterationsPerSecond > perWorker.iterationsPerSecond;
  return more ? Math.max(1, Math.floor(cores)) : 1;
}
