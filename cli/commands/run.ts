/**
 * `caplab run spec.(json|yaml)`: runs a scenario spec with the embedded k6-compatible engine and writes k6's outputs
 * (end-of-test summary on stdout, `--summary-json` in handleSummary's shape, `--summary-export` in the old flat shape,
 * `-o json=F[.gz]` points). Exit codes as k6: 0 ok, 99 thresholds crossed, 104 invalid spec or flags (nothing run,
 * nothing written), 105 interrupted (outputs still written), 107 setup failed or an output could not be written.
 */
import { dirname, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { ValidationError, type Problem } from '../../models/errors.ts';
import { createUserGenerator } from '../../models/population/user.ts';
import { parseDurationMs } from '../../scenarios/duration.ts';
import { customMetrics } from '../../scenarios/engine/compile.ts';
import { createRegistry } from '../../scenarios/engine/metrics/registry.ts';
import type { SampleSink } from '../../scenarios/engine/metrics/types.ts';
import { createNdjsonOutput, type NdjsonOutput } from '../../scenarios/engine/outputs/ndjson.ts';
import { toSummaryExport } from '../../scenarios/engine/outputs/summary-export.ts';
import { buildSummaryData } from '../../scenarios/engine/outputs/summary-json.ts';
import { textSummary } from '../../scenarios/engine/outputs/text-summary.ts';
import { effectiveScenarios, runEngine, type RunProgress } from '../../scenarios/engine/run.ts';
import {
  createExecutionTuple, type ExecutionTuple, parseExecutionSegment, parseExecutionSegmentSequence,
} from '../../scenarios/engine/segments.ts';
import { tee } from '../../scenarios/engine/tee.ts';
import type { UserSource } from '../../scenarios/engine/vu.ts';
import { k6FlowsOf, parseScenarioText, type ScenarioSpec } from '../../scenarios/spec.ts';
import type { CommandRun } from '../context.ts';
import { EXIT, InputError, ScriptError } from '../errors.ts';
import { type AtomicFileStream, openAtomicStream, readTextInput, writeFileAtomic } from '../io.ts';
import { formatRunProgress, totalRequests } from '../print/run-progress.ts';
import { runWithK6 } from './run-k6.ts';
import { computePopulation } from './users.ts';

/** Options of `caplab run` as commander parses them. */
export interface RunOptions {
  vus?: string;
  duration?: string;
  iterations?: string;
  executionSegment?: string;
  executionSegmentSequence?: string;
  tag?: string[];
  summaryJson?: string;
  summaryExport?: string;
  out?: string[];
  runner?: 'engine' | 'k6';
}

interface Plan {
  spec: ScenarioSpec;
  flags: { vus?: number; durationMs?: number; iterations?: number };
  tuple: ExecutionTuple;
  tags: Record<string, string>;
  ndjsonPath?: string;
}

/** Validates the spec and every flag, listing all problems at once; nothing is run or written on failure. */
function plan(specPath: string, specText: string, opts: RunOptions): Plan {
  const problems: Problem[] = [];
  let spec: ScenarioSpec | undefined;
  try {
    spec = parseScenarioText(specText, specPath);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    problems.push(...err.problems);
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
  const flags: Plan['flags'] = {};
  const vus = int('vus', opts.vus);
  const iterations = int('iterations', opts.iterations);
  if (vus !== undefined) flags.vus = vus;
  if (iterations !== undefined) flags.iterations = iterations;
  if (opts.duration !== undefined) {
    const ms = parseDurationMs(opts.duration);
    if (ms === undefined || ms <= 0) flag('duration', `"${opts.duration}" is not a duration like "30s" or "1m30s"`);
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
  let ndjsonPath: string | undefined;
  for (const o of opts.out ?? []) {
    const m = /^json=(.+)$/.exec(o);
    if (!m) flag('out', `"${o}" is not supported (use json=FILE or json=FILE.gz)`);
    else if (ndjsonPath !== undefined) flag('out', 'only one json output is supported');
    else ndjsonPath = m[1]!;
  }
  if (spec) {
    const scenarios = effectiveScenarios(spec, flags);
    for (const [name, sc] of Object.entries(scenarios)) {
      if (spec.flows[sc.exec] === undefined) problems.push({ where: `${specPath}: flows`, message: `scenario "${name}" runs flow "${sc.exec}", which does not exist` });
    }
  }
  if (problems.length > 0 || !spec) throw new ValidationError(`${specPath} cannot be run`, problems);
  return { spec, flags, tuple, tags, ...(ndjsonPath === undefined ? {} : { ndjsonPath }) };
}

/** The users the VUs act as: a users NDJSON file (relative to the spec), or `count` users generated from `seed`. */
async function loadUsers(spec: ScenarioSpec, specPath: string, seed: number): Promise<UserSource | undefined> {
  const u = spec.data.users;
  if (!u) return undefined;
  if (u.file !== undefined) {
    const path = resolve(dirname(specPath), u.file);
    const text = await readTextInput(path, 'users file');
    const users: Record<string, unknown>[] = [];
    const problems: Problem[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        users.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        if (problems.length < 20) problems.push({ where: `${path}:${i + 1}`, message: 'not a JSON object' });
      }
    });
    if (problems.length > 0) throw new ValidationError(`users file ${path} is invalid`, problems);
    if (users.length === 0) throw new InputError(`users file ${path} has no users`);
    return { count: users.length, get: (i) => users[i]! };
  }
  const userSeed = u.seed ?? seed;
  const gen = createUserGenerator(userSeed, await computePopulation({}, userSeed));
  return { count: u.count!, get: (i) => gen.user(i) as unknown as Record<string, unknown> };
}

interface Ndjson {
  sink: NdjsonOutput;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

async function openNdjson(path: string, spec: ScenarioSpec): Promise<Ndjson> {
  let file: AtomicFileStream;
  try {
    file = await openAtomicStream(path);
  } catch (err) {
    throw new ScriptError(`cannot write ${path}: ${(err as Error).message}`);
  }
  const gz = /\.gz$/i.test(path) ? createGzip() : undefined;
  const piping = gz ? pipeline(gz, file.stream) : undefined;
  piping?.catch(() => {}); // reported by finish()
  const sink = createNdjsonOutput(gz ?? file.stream, { thresholds: spec.thresholdSpecs });
  return {
    sink,
    async finish() {
      await sink.close();
      await piping;
      await file.commit();
    },
    abort: () => file.abort(),
  };
}

function progressLine(p: RunProgress, stream: NodeJS.WriteStream, last: { n: number; t: number }): void {
  const reqs = totalRequests(p);
  const rps = last.t > 0 ? ((reqs - last.n) * 1000) / Math.max(1, p.elapsedMs - last.t) : 0;
  last.n = reqs;
  last.t = p.elapsedMs;
  stream.write(`\r\x1b[2K${formatRunProgress(p, rps)}`);
}

/** Runs `caplab run`. */
export const run: CommandRun<RunOptions> = async ({ args, opts, global }) => {
  const specPath = args[0];
  if (specPath === undefined) throw new InputError('caplab run needs a spec file (spec.json or spec.yaml)');
  if (opts.runner === 'k6') return runWithK6(specPath, opts, global);
  const specText = await readTextInput(specPath, 'scenario spec');
  const p = plan(specPath, specText, opts);
  const { spec } = p;
  const users = await loadUsers(spec, specPath, global.seed);
  const registry = createRegistry({ thresholds: spec.thresholdSpecs, summaryTrendStats: spec.options.summaryTrendStats });
  for (const def of customMetrics(spec)) registry.declare(def);

  const ndjson = p.ndjsonPath ? await openNdjson(p.ndjsonPath, spec) : undefined;
  const sinks: SampleSink[] = [registry];
  if (ndjson) sinks.push(ndjson.sink);
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const showProgress = !global.quiet && process.stderr.isTTY === true;
  const lastReqs = { n: 0, t: 0 };
  let errorsShown = 0;
  let result;
  try {
    result = await runEngine(spec, effectiveScenarios(spec, p.flags), {
      sink: tee(...sinks),
      seed: global.seed,
      signal: abort.signal,
      tuple: p.tuple,
      ...(users ? { users } : {}),
      tags: p.tags,
      shouldAbort: (elapsed) => registry.evaluateThresholds(elapsed).some((r) => r.abortNow),
      onError: (message) => {
        if (global.quiet || errorsShown >= 10) return;
        errorsShown++;
        process.stderr.write(`${showProgress ? '\r\x1b[2K' : ''}caplab: error in iteration: ${message}\n`);
      },
      onWarning: (message) => {
        if (!global.quiet) process.stderr.write(`${showProgress ? '\r\x1b[2K' : ''}caplab: warning: ${message}\n`);
      },
      ...(showProgress ? { onProgress: (pr: RunProgress) => progressLine(pr, process.stderr, lastReqs) } : {}),
    });
  } catch (err) {
    await ndjson?.abort();
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (showProgress) process.stderr.write('\r\x1b[2K');
  }

  const failures: string[] = [];
  if (ndjson) {
    try {
      await ndjson.finish();
    } catch (err) {
      await ndjson.abort();
      failures.push(`cannot write ${p.ndjsonPath}: ${(err as Error).message}`);
    }
  }
  if (result.setupError !== undefined) {
    throw new ScriptError(`setup failed: ${result.setupError}${failures.length ? `; ${failures.join('; ')}` : ''}`);
  }
  const data = buildSummaryData(
    registry,
    { testRunDurationMs: result.durationMs, isStdOutTTY: process.stdout.isTTY === true, isStdErrTTY: process.stderr.isTTY === true },
    { summaryTrendStats: spec.options.summaryTrendStats, ...(spec.options.summaryTimeUnit ? { summaryTimeUnit: spec.options.summaryTimeUnit } : {}), noColor: !process.stdout.isTTY || process.env.NO_COLOR !== undefined },
  );
  process.stdout.write(textSummary(data, { colors: process.stdout.isTTY === true && process.env.NO_COLOR === undefined }));
  const writes: [string | undefined, () => unknown][] = [[opts.summaryJson, () => data], [opts.summaryExport, () => toSummaryExport(data)]];
  for (const [path, make] of writes) {
    if (path === undefined) continue;
    try {
      await writeFileAtomic(path, `${JSON.stringify(make(), null, 2)}\n`);
    } catch (err) {
      failures.push(`cannot write ${path}: ${(err as Error).message}`);
    }
  }
  if (failures.length > 0) throw new ScriptError(failures.join('; '));
  if (result.iterationErrors > 0 && !global.quiet) process.stderr.write(`caplab: ${result.iterationErrors} iteration(s) ended with an error\n`);
  if (result.interrupted) {
    process.stderr.write('caplab: interrupted; outputs written\n');
    return EXIT.interrupted;
  }
  const crossed = registry.lastThresholdResults().some((r) => !r.ok);
  if (result.thresholdsAborted) process.stderr.write('caplab: a threshold with abortOnFail was crossed; the test stopped early\n');
  return crossed || result.thresholdsAborted ? EXIT.thresholdsCrossed : EXIT.ok;
};
