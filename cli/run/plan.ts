/**
 * What `caplab run` checks before anything runs: the spec and every flag, all problems at once, into the plan the
 * embedded engine runs (on one thread, or split over worker threads by scenarios/engine/parallel/).
 */
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { ValidationError, type Problem } from '../../models/errors.ts';
import { durationProblem, MAX_DURATION_MS, parseDurationMs } from '../../scenarios/duration.ts';
import { effectiveScenarios } from '../../scenarios/engine/run.ts';
import {
  createExecutionTuple, type ExecutionTuple, parseExecutionSegment, parseExecutionSegmentSequence,
} from '../../scenarios/engine/segments.ts';
import { humanizeBytes } from '../../scenarios/engine/outputs/text-summary.ts';
import { shortcutFlow } from '../../scenarios/engine/shortcut-flow.ts';
import { estimateVuMemory } from '../../scenarios/engine/vu-memory.ts';
import { engineTransportProblems } from '../../scenarios/engine/transport.ts';
import { defaultWorkers } from '../../scenarios/engine/workers.ts';
import { k6FlowsOf, parseScenarioText, type ScenarioSpec } from '../../scenarios/spec.ts';
import { loadDefaults } from '../data.ts';
import { parseEnvFlags, runEnvOf } from './env.ts';
import type { RunOptions } from './options.ts';
import { readTlsAuthFiles } from './tls-files.ts';

/** Most workers `--workers` takes (each is a thread with its own event loop and copy of the users). */
export const MAX_WORKERS = 64;

/** A validated `caplab run`: the spec and what its flags ask. */
export interface RunPlan {
  /** The validated spec. */
  spec: ScenarioSpec;
  /** k6's shortcut flags (durations in ms), which replace the spec's scenarios, and the flow they run. */
  flags: { vus?: number; durationMs?: number; iterations?: number; exec?: string };
  /** This instance's execution segment (`--execution-segment`), or the whole test. */
  tuple: ExecutionTuple;
  /** `--tag` tags. */
  tags: Record<string, string>;
  /** `-o json=` path. */
  ndjsonPath?: string;
  /** Worker count: `--workers`, else the default for the test's load (see scenarios/engine/workers.ts). */
  workers: number;
  /** The run's environment for `{{env.*}}` (env.ts): the process's variables the spec reads, then `-e`. */
  env: Record<string, string>;
}

/**
 * Validates the spec and every flag of `caplab run`, listing all problems at once; nothing is run or written.
 * @param specPath the spec's path (for messages and relative files)
 * @param specText its text
 * @param opts the flags as commander parsed them
 * @param cores cores available, for the default worker count
 * @param processEnv the process environment (`{{env.*}}` reads it unless `--no-system-env`)
 * @returns the plan
 * @throws {ValidationError} listing every problem with its flag or JSON path (exit 104)
 */
export function planRun(specPath: string, specText: string, opts: RunOptions, cores: number, processEnv: NodeJS.ProcessEnv = {}): RunPlan {
  const problems: Problem[] = [];
  let spec: ScenarioSpec | undefined;
  try {
    spec = parseScenarioText(specText, specPath);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    problems.push(...err.problems);
  }
  // tlsAuth files are read now (PEM text for the engine); what the engine cannot do of the TLS options is said now.
  if (spec) {
    spec = readTlsAuthFiles(spec, specPath, problems);
    if (problems.length === 0) problems.push(...engineTransportProblems(spec.options, specPath));
  }
  // The engine runs steps, not JavaScript: a flow that is a k6 script's function needs real k6.
  for (const [name, ref] of spec ? k6FlowsOf(spec) : []) {
    problems.push({ where: `${specPath}: flows.${name}.k6`, message: `names the k6 script ${ref.script}, which the embedded engine cannot run (it runs caplab.scenario/v1 steps, not k6 JavaScript): run it with --runner k6 (k6 on PATH)` });
  }
  const flag = (name: string, message: string): void => { problems.push({ where: `--${name}`, message }); };
  const int = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) flag(name, `"${text}" is not a positive integer`);
    return n;
  };
  const flags: RunPlan['flags'] = {};
  const vus = int('vus', opts.vus);
  const iterations = int('iterations', opts.iterations);
  if (vus !== undefined) flags.vus = vus;
  if (iterations !== undefined) flags.iterations = iterations;
  if (opts.duration !== undefined) {
    const ms = parseDurationMs(opts.duration);
    if (ms === undefined || ms <= 0) flag('duration', `"${opts.duration}" is not a duration like "30s" or "1m30s"`);
    else if (ms > MAX_DURATION_MS) flag('duration', durationProblem(opts.duration)!);
    else flags.durationMs = ms;
  }
  if (flags.vus !== undefined && flags.iterations !== undefined && flags.iterations < flags.vus) {
    flag('iterations', `the number of iterations (${flags.iterations}) can't be less than the number of VUs (${flags.vus})`);
  }
  let tuple = createExecutionTuple();
  try {
    const seg = opts.executionSegment !== undefined ? parseExecutionSegment(opts.executionSegment) : undefined;
    const seq = opts.executionSegmentSequence !== undefined ? parseExecutionSegmentSequence(opts.executionSegmentSequence) : [];
    tuple = createExecutionTuple(seg, seq);
  } catch (err) {
    flag(opts.executionSegmentSequence !== undefined ? 'execution-segment-sequence' : 'execution-segment', (err as Error).message);
  }
  const tags: Record<string, string> = {};
  for (const t of opts.tag ?? []) {
    const m = /^([^=]+)=(.*)$/.exec(t);
    if (!m) flag('tag', `"${t}" is not name=value`);
    else tags[m[1]!.trim()] = m[2]!;
  }
  const cliEnv = parseEnvFlags(opts.env);
  problems.push(...cliEnv.problems);
  let ndjsonPath: string | undefined;
  for (const o of opts.out ?? []) {
    const m = /^json=(.+)$/.exec(o);
    if (!m) flag('out', `"${o}" is not supported (use json=FILE or json=FILE.gz)`);
    else if (ndjsonPath !== undefined) flag('out', 'only one json output is supported');
    else ndjsonPath = m[1]!;
  }
  // k6's option flags: each sets its option, as k6's CLI flags override the script's options.
  const optionFlags: Partial<ScenarioSpec['options']> = {
    ...(opts.insecureSkipTlsVerify === true ? { insecureSkipTLSVerify: true } : {}),
    ...(opts.userAgent !== undefined ? { userAgent: opts.userAgent } : {}),
    ...(opts.connectionReuse === false ? { noConnectionReuse: true } : {}),
    ...(opts.vuConnectionReuse === false ? { noVUConnectionReuse: true } : {}),
    ...(opts.discardResponseBodies === true ? { discardResponseBodies: true } : {}),
  };
  if (opts.maxRedirects !== undefined) {
    const n = Number(opts.maxRedirects);
    if (!/^\d+$/.test(opts.maxRedirects.trim()) || !Number.isSafeInteger(n)) flag('max-redirects', `"${opts.maxRedirects}" is not a whole number >= 0`);
    else optionFlags.maxRedirects = n;
  }
  if (spec && Object.keys(optionFlags).length > 0) spec = { ...spec, options: { ...spec.options, ...optionFlags } };
  if (spec && (flags.durationMs !== undefined || flags.iterations !== undefined || (flags.vus !== undefined && !spec.options.scenarios))) {
    // The shortcut's one scenario runs the spec's default flow, else the flow its scenarios run (shortcut-flow.ts).
    const picked = shortcutFlow(spec);
    spec = picked.spec;
    flags.exec = picked.exec;
  }
  if (spec) {
    const scenarios = effectiveScenarios(spec, flags);
    for (const [name, sc] of Object.entries(scenarios)) {
      if (spec.flows[sc.exec] === undefined) problems.push({ where: `${specPath}: flows`, message: `scenario "${name}" runs flow "${sc.exec}", which does not exist` });
    }
  }
  const segmented = opts.executionSegment !== undefined || opts.executionSegmentSequence !== undefined;
  let workers = int('workers', opts.workers);
  if (workers !== undefined && workers > MAX_WORKERS) flag('workers', `${workers} workers is more than ${MAX_WORKERS}`);
  if (workers !== undefined && workers > 1 && segmented) {
    flag('workers', 'cannot split an execution segment further: run each segment with --workers 1, or drop --execution-segment and let the workers split the test');
  }
  if (spec && workers === undefined) workers = segmented ? 1 : defaultWorkers(effectiveScenarios(spec, flags), cores, loadDefaults().run.workerLoad);
  if (spec) {
    const { bytesPerVu } = loadDefaults().run.vuMemory;
    const m = estimateVuMemory(effectiveScenarios(spec, flags), bytesPerVu, vuMemoryBudget(workers ?? 1), tuple);
    if (!m.fits) {
      problems.push({
        where: `${specPath}: options.scenarios`,
        message: `${m.vus.toLocaleString('en-US')} VUs at once would take about ${humanizeBytes(m.bytes)} (${humanizeBytes(bytesPerVu)} per VU), more than the ${humanizeBytes(m.budgetBytes)} this machine allows for VUs (data/defaults.json run.vuMemory): lower vus / preAllocatedVUs / maxVUs, or split the test over machines with --execution-segment`,
      });
    }
  }
  if (problems.length > 0 || !spec) throw new ValidationError(`${specPath} cannot be run`, problems);
  const env = runEnvOf(spec, cliEnv.env, opts.systemEnv !== false, processEnv);
  return { spec, flags, tuple, tags, workers: workers ?? 1, env, ...(ndjsonPath === undefined ? {} : { ndjsonPath }) };
}

/**
 * Memory the VUs of a run may take here, bytes: the smaller of a share of the machine's memory and a share of the JS
 * heap limit of each worker (a VU lives on its worker's heap) times the workers (data/defaults.json run.vuMemory).
 * @param workers worker threads of the run
 * @returns the budget in bytes
 */
export function vuMemoryBudget(workers: number): number {
  const { totalMemoryShare, heapShare } = loadDefaults().run.vuMemory;
  return Math.min(totalmem() * totalMemoryShare, getHeapStatistics().heap_size_limit * heapShare * Math.max(1, workers));
}
