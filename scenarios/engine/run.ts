/**
 * The run orchestrator: takes a validated spec, runs setup, starts every scenario at its `startTime` with its
 * executor, keeps `vus`/`vus_max` gauges, checks abort conditions (thresholds with abortOnFail, via a callback) and
 * stops gracefully on an AbortSignal (the CLI's SIGINT/SIGTERM). Samples go to a SampleSink; the result says how the
 * run ended. It opens sockets and reads the clock, and touches no files.
 */
import type { ScenarioConfig, ScenarioSpec } from '../spec.ts';
import type { SpecFiles } from '../spec-files.ts';
import { type DataRows, dataRowsOf } from './data-rows.ts';
import { type ExecutorEnv, newStats, type ScenarioStats, wait } from './executor.ts';
import * as constantArrivalRate from './executors/constant-arrival-rate.ts';
import * as constantVus from './executors/constant-vus.ts';
import * as perVuIterations from './executors/per-vu-iterations.ts';
import * as rampingArrivalRate from './executors/ramping-arrival-rate.ts';
import * as rampingVus from './executors/ramping-vus.ts';
import * as sharedIterations from './executors/shared-iterations.ts';
import { type CompiledFlow, compileFlows, SETUP_FLOW } from './compile.ts';
import { Emitter, epochOf, type IterationContext, runIteration } from './flow.ts';
import { BUILTIN_METRICS } from './metrics/builtin.ts';
import type { MetricDef, SampleSink } from './metrics/types.ts';
import { createExecutionTuple, type ExecutionTuple } from './segments.ts';
import { TemplateError } from './template.ts';
import { vuHttpOptionsOf } from './transport.ts';
import type { VuHttpOptions } from './vu-http.ts';
import { Vu, VuPool, type UserSource } from './vu.ts';

const M = BUILTIN_METRICS as Record<string, MetricDef>;

const EXECUTORS: Record<ScenarioConfig['executor'], (env: ExecutorEnv<never>) => Promise<void>> = {
  'constant-vus': constantVus.run,
  'ramping-vus': rampingVus.run,
  'constant-arrival-rate': constantArrivalRate.run,
  'ramping-arrival-rate': rampingArrivalRate.run,
  'per-vu-iterations': perVuIterations.run,
  'shared-iterations': sharedIterations.run,
};

/** Live figures for a progress line. */
export interface RunProgress {
  /** Milliseconds since the test started. */
  elapsedMs: number;
  /** VUs running now. */
  vus: number;
  /** VUs created so far. */
  vusMax: number;
  /** Per scenario: counters so far. */
  scenarios: Record<string, ScenarioStats>;
}

/** Options of {@link runEngine}. */
export interface RunEngineOptions {
  /** Where samples go (the metrics registry, an NDJSON writer, or a tee of both). */
  sink: SampleSink;
  /** Seed of the mix choices. */
  seed: number;
  /** Aborting it stops the test now (SIGINT/SIGTERM): running iterations are interrupted; the result says so. */
  signal?: AbortSignal;
  /** This instance's execution segment (default: the whole test). */
  tuple?: ExecutionTuple;
  /** Users the VUs act as; user of VU v is `users.get((v - 1) % users.count)`. */
  users?: UserSource;
  /** Tags on every sample (`--tag`), under the spec's `options.tags`. */
  tags?: Record<string, string>;
  /**
   * The run's environment for `{{env.*}}` (the process environment unless `--no-system-env`, under `-e`): over the
   * spec's `env` defaults and under a scenario's `env`, as k6 merges a scenario's env into `__ENV`.
   */
  env?: Readonly<Record<string, string>>;
  /** Checked every `abortCheckIntervalMs`: return true to stop the test (thresholds with abortOnFail). */
  shouldAbort?: (elapsedMs: number) => boolean;
  /** Period of {@link RunEngineOptions.shouldAbort} checks, ms (default 2000). */
  abortCheckIntervalMs?: number;
  /** Receives each iteration exception's message (counted, not fatal). */
  onError?: (message: string) => void;
  /** Receives warnings (e.g. an arrival-rate scenario ran out of VUs). */
  onWarning?: (message: string) => void;
  /** Receives live figures every `progressIntervalMs`. */
  onProgress?: (p: RunProgress) => void;
  /** Period of progress reports and of the vus/vus_max gauge samples, ms (default 1000). */
  progressIntervalMs?: number;
  /**
   * Variables the setup flow produced where it already ran (the parent of `caplab run --workers`, which runs setup
   * once as k6 does): setup is then not run here, and every VU starts with these.
   */
  setupVars?: Readonly<Record<string, unknown>>;
  /** Whether this run samples the vus/vus_max gauges (default true); a worker leaves them to its parent, which sums. */
  vuGauges?: boolean;
  /** Contents of the files the spec names (bodies, multipart parts, data sets), read by the CLI. */
  files?: SpecFiles;
}

/** How a run ended. */
export interface RunResult {
  /** Test duration from start (setup included) to the end, ms. */
  durationMs: number;
  /** Stopped by {@link RunEngineOptions.signal}. */
  interrupted: boolean;
  /** Stopped because {@link RunEngineOptions.shouldAbort} said so. */
  thresholdsAborted: boolean;
  /** The setup flow failed (nothing else ran): its message. */
  setupError?: string;
  /** Exceptions inside iterations. */
  iterationErrors: number;
  /** Counters per scenario. */
  scenarios: Record<string, ScenarioStats>;
  /** VUs created (k6 vus_max). */
  vusMax: number;
}

/**
 * Scenarios implied by k6's shortcut options, which replace the spec's scenarios as in k6:
 * `--iterations` -> shared-iterations (with `--duration` as maxDuration), `--duration` -> constant-vus; `--vus`
 * alone keeps the spec's scenarios unless it has none. No scenarios at all -> one iteration of one VU.
 * @param spec validated spec
 * @param flags shortcut values (durations in ms) and the flow they run (default `default`; see shortcut-flow.ts)
 * @returns the scenarios to run
 */
export function effectiveScenarios(spec: ScenarioSpec, flags: { vus?: number; durationMs?: number; iterations?: number; exec?: string } = {}): Record<string, ScenarioConfig> {
  const base = { startTime: 0, gracefulStop: 30_000, exec: flags.exec ?? 'default', env: {}, tags: {} };
  if (flags.iterations !== undefined) {
    return { default: { ...base, executor: 'shared-iterations', vus: flags.vus ?? 1, iterations: flags.iterations, maxDuration: flags.durationMs ?? 600_000 } };
  }
  if (flags.durationMs !== undefined) {
    return { default: { ...base, executor: 'constant-vus', vus: flags.vus ?? 1, duration: flags.durationMs } };
  }
  if (spec.options.scenarios && Object.keys(spec.options.scenarios).length > 0) return spec.options.scenarios;
  return { default: { ...base, executor: 'per-vu-iterations', vus: flags.vus ?? 1, iterations: 1, maxDuration: 600_000 } };
}

/**
 * VUs a scenario plans for this segment (k6 initializes them before the test starts) and the time window it holds
 * them, ms from the test start (regular duration plus graceful stop; iteration-based ones up to maxDuration).
 * @param config the scenario
 * @param tuple the execution segment
 * @returns planned VUs, start and end
 */
export function plannedWindow(config: ScenarioConfig, tuple: ExecutionTuple): { vus: number; start: number; end: number } {
  const stages = (xs: { duration: number }[]): number => xs.reduce((t, s) => t + s.duration, 0);
  let vus: number;
  let length: number;
  switch (config.executor) {
    case 'constant-vus': vus = tuple.scale(config.vus); length = config.duration; break;
    case 'ramping-vus': vus = rampingVus.plannedVuSteps(config, tuple).reduce((m, s) => Math.max(m, s.vus), 0); length = stages(config.stages) + config.gracefulRampDown; break;
    case 'constant-arrival-rate': vus = tuple.scale(config.preAllocatedVUs); length = config.duration; break;
    case 'ramping-arrival-rate': vus = tuple.scale(config.preAllocatedVUs); length = stages(config.stages); break;
    case 'per-vu-iterations': vus = tuple.scale(config.vus); length = config.maxDuration; break;
    case 'shared-iterations': vus = Math.min(tuple.scale(config.vus), tuple.scale(config.iterations)); length = config.maxDuration; break;
  }
  return { vus, start: config.startTime, end: config.startTime + length + config.gracefulStop };
}

/**
 * Most VUs the scenarios plan at the same time (k6's max planned VUs, which it initializes up front).
 * @param scenarios the scenarios
 * @param tuple the execution segment
 * @returns the peak of the summed planned VUs over time
 */
export function maxPlannedVus(scenarios: Record<string, ScenarioConfig>, tuple: ExecutionTuple): number {
  const windows = Object.values(scenarios).map((c) => plannedWindow(c, tuple));
  let peak = 0;
  for (const w of windows) {
    const at = w.start;
    peak = Math.max(peak, windows.reduce((t, x) => t + (x.start <= at && at < x.end ? x.vus : 0), 0));
  }
  return peak;
}

/** What the setup flow left: the variables every VU starts with, or why it failed. */
export interface SetupOutcome {
  /** Variables it extracted (empty without a setup flow). */
  vars: Readonly<Record<string, unknown>>;
  /** Its failure, when it failed (k6: exit 107, nothing else runs). */
  error?: string;
}

/** What every iteration context of a run gets from its files and options: data rows, cookie reset. */
function contextExtras(spec: ScenarioSpec, seed: number, files: SpecFiles | undefined): { data?: DataRows; noCookiesReset?: boolean } {
  const sets = spec.data.sets ?? {};
  return {
    ...(Object.keys(sets).length > 0 ? { data: dataRowsOf(sets, files?.data ?? {}, seed) } : {}),
    ...(spec.options.noCookiesReset === true ? { noCookiesReset: true } : {}),
  };
}

/**
 * The environment `{{env.*}}` reads: the spec's `env` defaults, then the run's (process environment and `-e`), then
 * the scenario's `env` (k6 js/runner.go Activate: a scenario's env overrides the global __ENV).
 * @param spec validated spec
 * @param runEnv the run's environment
 * @param scenarioEnv the scenario's `env` (none for setup)
 */
export function envOf(spec: Pick<ScenarioSpec, 'env'>, runEnv: Readonly<Record<string, string>> = {}, scenarioEnv: Readonly<Record<string, string>> = {}): Readonly<Record<string, string>> {
  return Object.freeze({ ...spec.env, ...runEnv, ...scenarioEnv });
}

/** The VUs' transport options from the spec's k6 options (TLS, hosts, connection reuse: transport.ts). */
function httpOptionsOf(spec: ScenarioSpec): VuHttpOptions {
  return vuHttpOptionsOf(spec.options);
}

async function setupWith(flows: Map<string, CompiledFlow>, emitter: Emitter, opts: {
  sink: SampleSink; users?: UserSource; tags: Readonly<Record<string, string>>; http: VuHttpOptions; extras: ReturnType<typeof contextExtras>;
  env: Readonly<Record<string, string>>; onWarning?: (message: string) => void;
}): Promise<SetupOutcome> {
  const setupFlow = flows.get(SETUP_FLOW);
  if (!setupFlow) return { vars: {} };
  const user = opts.users && opts.users.count > 0 ? opts.users.get(0) : {};
  // k6 runs setup in its own VU, numbered 0.
  const vu = new Vu(0, 0, user, {}, opts.http);
  let failure: string | undefined;
  const ctx: IterationContext = {
    scenario: '', tags: opts.tags, env: opts.env, sink: opts.sink, setup: true, ...opts.extras,
    ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
    onError: (err) => { failure = err instanceof Error ? err.message : String(err); },
  };
  await runIteration(ctx, emitter, vu, setupFlow, 0, performance.now());
  await vu.http.close();
  return failure === undefined ? { vars: vu.vars } : { vars: {}, error: failure };
}

/**
 * Runs a spec's setup flow once (k6's `setup()`), for runs whose scenarios then go to several workers.
 * @param spec validated spec
 * @param opts sink of its samples, seed, users (setup acts as user 0), tags on its samples (`--tag`), the spec's files,
 *   the run's env
 * @returns the variables every VU starts with, or the setup's failure
 */
export async function runSetup(spec: ScenarioSpec, opts: {
  sink: SampleSink; seed: number; users?: UserSource; tags?: Record<string, string>; files?: SpecFiles; env?: Readonly<Record<string, string>>; onWarning?: (message: string) => void;
}): Promise<SetupOutcome> {
  const flows = compileFlows(spec, opts.seed, opts.files);
  return setupWith(flows, new Emitter(opts.sink), {
    sink: opts.sink, ...(opts.users ? { users: opts.users } : {}), tags: Object.freeze({ ...spec.options.tags, ...opts.tags }), http: httpOptionsOf(spec),
    extras: contextExtras(spec, opts.seed, opts.files), env: envOf(spec, opts.env), ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
  });
}

/**
 * Runs a spec's scenarios to their end (or until stopped).
 * @param spec validated spec
 * @param scenarios the scenarios to run (see {@link effectiveScenarios})
 * @param opts sink, seed, signal, segment, users, tags, callbacks
 * @returns how the run ended; never rejects for errors inside iterations
 */
export async function runEngine(spec: ScenarioSpec, scenarios: Record<string, ScenarioConfig>, opts: RunEngineOptions): Promise<RunResult> {
  const tuple = opts.tuple ?? createExecutionTuple();
  const flows = compileFlows(spec, opts.seed, opts.files);
  const extras = contextExtras(spec, opts.seed, opts.files);
  const emitter = new Emitter(opts.sink);
  const http = httpOptionsOf(spec);
  const pool = new VuPool(tuple, opts.users, http);
  const internal = new AbortController();
  const stop = opts.signal ? AbortSignal.any([opts.signal, internal.signal]) : internal.signal;
  const onStop = (): void => pool.interruptAll();
  stop.addEventListener('abort', onStop, { once: true });
  const globalTags = { ...spec.options.tags, ...opts.tags };
  let iterationErrors = 0;
  const onError = (err: unknown): void => {
    iterationErrors++;
    const msg = err instanceof TemplateError || err instanceof Error ? err.message : String(err);
    opts.onError?.(msg);
  };
  const stats: Record<string, ScenarioStats> = {};
  for (const name of Object.keys(scenarios)) stats[name] = newStats();
  const t0 = performance.now();
  let thresholdsAborted = false;
  const gaugeTags = Object.freeze({ ...globalTags });
  const gauges = (): void => {
    if (opts.vuGauges === false) return;
    const now = epochOf(performance.now());
    emitter.emit(M.vus!, pool.active, gaugeTags, now);
    emitter.emit(M.vus_max!, pool.created, gaugeTags, now);
  };
  const progressTimer = setInterval(() => {
    gauges();
    opts.onProgress?.({ elapsedMs: performance.now() - t0, vus: pool.active, vusMax: pool.created, scenarios: stats });
  }, opts.progressIntervalMs ?? 1000);
  const abortTimer = opts.shouldAbort
    ? setInterval(() => {
      if (!stop.aborted && opts.shouldAbort!(performance.now() - t0)) {
        thresholdsAborted = true;
        internal.abort();
      }
    }, opts.abortCheckIntervalMs ?? 2000)
    : undefined;
  const release = async (): Promise<void> => {
    clearInterval(progressTimer);
    clearInterval(abortTimer);
    stop.removeEventListener('abort', onStop);
    await pool.close();
  };
  const finish = async (setupError?: string): Promise<RunResult> => {
    gauges();
    await release();
    return {
      durationMs: performance.now() - t0,
      interrupted: opts.signal?.aborted ?? false,
      thresholdsAborted,
      ...(setupError === undefined ? {} : { setupError }),
      iterationErrors,
      scenarios: stats,
      vusMax: pool.created,
    };
  };

  let runs: Promise<void>[] = [];
  try {
    if (opts.setupVars !== undefined) pool.setInitialVars(opts.setupVars);
    else {
      const setup = await setupWith(flows, emitter, { ...opts, tags: gaugeTags, http, extras, env: envOf(spec, opts.env) });
      if (setup.error !== undefined) return finish(setup.error);
      pool.setInitialVars(setup.vars);
    }

    // Initialize the planned VUs before the start, as k6 does: vus_max is known from the first second.
    await pool.create(maxPlannedVus(scenarios, tuple), stop);
    gauges();

    runs = Object.entries(scenarios).map(async ([name, config]) => {
      await wait(config.startTime - (performance.now() - t0), stop);
      if (stop.aborted) return;
      const env: ExecutorEnv = {
        name,
        config,
        tuple,
        pool,
        flow: flows.get(config.exec)!,
        ctx: {
          scenario: name, tags: Object.freeze({ ...globalTags, ...config.tags, scenario: name }), env: envOf(spec, opts.env, config.env), sink: opts.sink, onError, ...extras,
          ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
        },
        emitter,
        stop,
        stats: stats[name]!,
        warn: (message) => opts.onWarning?.(message),
      };
      const running = EXECUTORS[config.executor](env as ExecutorEnv<never>);
      // Executors take their initial VUs synchronously: sample the gauges now, so short scenarios show them too.
      gauges();
      await running;
    });
    await Promise.all(runs);
    return finish();
  } catch (err) {
    // An internal failure must not leave the other scenarios or the timers holding the process open (it hung with
    // them, silent): stop everything, let the executors wind down, then release.
    internal.abort();
    await Promise.allSettled(runs);
    await release();
    throw err;
  }
}
