/**
 * What every executor gets (config, execution segment, VU pool, flow, sample emitter, stop signal) and the pieces
 * closed-model executors share: a VU's iteration loop and k6's graceful stop (let running iterations finish for
 * `gracefulStop`, then interrupt them; interrupted iterations are not counted).
 */
import type { ScenarioConfig } from '../spec.ts';
import type { CompiledFlow } from './compile.ts';
import { type Emitter, epochOf, type IterationContext, runIteration } from './flow.ts';
import { BUILTIN_METRICS } from './metrics/builtin.ts';
import type { MetricDef } from './metrics/types.ts';
import type { ExecutionTuple } from './segments.ts';
import type { Vu, VuPool } from './vu.ts';

/** Counters of one scenario, for the run result and the progress line. */
export interface ScenarioStats {
  /** Iterations started. */
  started: number;
  /** Iterations that ran to the end. */
  completed: number;
  /** Iterations cut off by graceful stop / ramp-down / interruption. */
  interrupted: number;
  /** Iterations dropped (k6 `dropped_iterations`). */
  dropped: number;
  /** Iterations the executor planned in this segment (arrival-rate and iteration-based), for checks and reports. */
  scheduled: number;
  /** VUs the scenario holds now. */
  vus: number;
  /** Most VUs the scenario held at once. */
  vusMax: number;
  /** Requests sent. */
  requests: number;
}

/** Everything an executor needs; durations in ms, times from performance.now(). */
export interface ExecutorEnv<C extends ScenarioConfig = ScenarioConfig> {
  /** Scenario name. */
  name: string;
  /** Validated executor config. */
  config: C;
  /** This instance's execution segment. */
  tuple: ExecutionTuple;
  /** The run's VUs. */
  pool: VuPool;
  /** The flow the scenario executes (`exec`). */
  flow: CompiledFlow;
  /** Tags, env, sink and error handler of the scenario's iterations. */
  ctx: IterationContext;
  /** Sample emitter. */
  emitter: Emitter;
  /** Aborted when the whole test must stop now (SIGINT, abortOnFail): executors interrupt their VUs and return. */
  stop: AbortSignal;
  /** Counters the executor keeps up to date. */
  stats: ScenarioStats;
  /** Reports a condition worth a warning (k6 logs it too), e.g. insufficient VUs. */
  warn(message: string): void;
}

/** Fresh zeroed stats. */
export function newStats(): ScenarioStats {
  return { started: 0, completed: 0, interrupted: 0, dropped: 0, scheduled: 0, vus: 0, vusMax: 0, requests: 0 };
}

/**
 * Runs one iteration on a VU and updates the scenario's counters.
 * @param env executor environment
 * @param vu the VU
 * @param iteration test-wide iteration number
 * @param intendedStart performance.now() time it was due
 * @returns whether it completed
 */
export async function iterate(env: ExecutorEnv, vu: Vu, iteration: number, intendedStart: number): Promise<boolean> {
  env.stats.started++;
  const r = await runIteration(env.ctx, env.emitter, vu, env.flow, iteration, intendedStart);
  env.stats.requests += r.requests;
  if (r.full) env.stats.completed++;
  else env.stats.interrupted++;
  return r.full;
}

/** Takes `n` VUs from the pool for a scenario. */
export function takeVus(env: ExecutorEnv, n: number): Vu[] {
  const vus: Vu[] = [];
  for (let i = 0; i < n; i++) vus.push(env.pool.acquire());
  env.stats.vus += n;
  env.stats.vusMax = Math.max(env.stats.vusMax, env.stats.vus);
  return vus;
}

/** Returns a scenario's VUs to the pool. */
export function giveBack(env: ExecutorEnv, vus: Vu[]): void {
  for (const vu of vus) env.pool.release(vu);
  env.stats.vus -= vus.length;
}

/**
 * Resolves after `ms`, or at once when `signal` aborts. For coarse waits (stage ends, durations): the open model's
 * per-iteration schedule lives in scheduler.ts.
 */
export function wait(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * k6's graceful stop: waits for `loops` to end on their own for at most `graceMs`, then interrupts `vus` and waits
 * for the loops to notice. Interrupts at once when the test is stopping.
 * @param loops the VU loops still running
 * @param vus the VUs to interrupt when the grace period runs out
 * @param graceMs gracefulStop / gracefulRampDown, ms
 * @param stop the test's stop signal
 */
export async function finishGracefully(loops: Promise<unknown>[], vus: Vu[], graceMs: number, stop: AbortSignal): Promise<void> {
  const all = Promise.all(loops);
  if (!stop.aborted) {
    let timer: NodeJS.Timeout | undefined;
    const onStop = (): void => { clearTimeout(timer); for (const vu of vus) if (!vu.interrupted) vu.interrupt(); };
    stop.addEventListener('abort', onStop, { once: true });
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); });
    await Promise.race([all, timeout]);
    clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }
  // A stopped test has interrupted every VU already (VuPool.interruptAll): skip them, it counts with 200,000 VUs.
  for (const vu of vus) if (!vu.interrupted) vu.interrupt();
  await all;
}

const DROPPED = (BUILTIN_METRICS as Record<string, MetricDef>).dropped_iterations!;

/**
 * Counts and emits dropped iterations (tagged with the scenario's tags, no group, as k6 does).
 * @param env executor environment
 * @param n how many
 */
export function drop(env: ExecutorEnv, n: number): void {
  if (n <= 0) return;
  env.stats.dropped += n;
  env.emitter.emit(DROPPED, n, env.ctx.tags, epochOf(performance.now()));
}
