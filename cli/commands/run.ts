/**
 * `caplab run spec.(json|yaml)`: runs a scenario spec with the embedded k6-compatible engine and writes k6's outputs
 * (end-of-test summary on stdout, `--summary-json` in handleSummary's shape, `--summary-export` in the old flat shape,
 * `-o json=F[.gz]` points). Exit codes as k6: 0 ok, 99 thresholds crossed, 104 invalid spec or flags (nothing run,
 * nothing written), 105 interrupted (outputs still written), 107 setup failed or an output could not be written.
 */
import { availableParallelism } from 'node:os';
import { customMetrics } from '../../scenarios/engine/compile.ts';
import { createRegistry } from '../../scenarios/engine/metrics/registry.ts';
import type { SampleSink } from '../../scenarios/engine/metrics/types.ts';
import { toSummaryExport } from '../../scenarios/engine/outputs/summary-export.ts';
import { buildSummaryData } from '../../scenarios/engine/outputs/summary-json.ts';
import { textSummary } from '../../scenarios/engine/outputs/text-summary.ts';
import { runWithWorkers } from '../../scenarios/engine/parallel/parent.ts';
import { effectiveScenarios, runEngine, type RunProgress, type RunResult } from '../../scenarios/engine/run.ts';
import { tee } from '../../scenarios/engine/tee.ts';
import type { ScenarioSpec } from '../../scenarios/spec.ts';
import type { CommandRun } from '../context.ts';
import { EXIT, InputError, ScriptError } from '../errors.ts';
import { loadDefaults } from '../data.ts';
import { readTextInput, writeFileAtomic } from '../io.ts';
import { type NdjsonFile, openNdjsonFile } from '../ndjson-writer.ts';
import { formatRequestFailures } from '../print/request-failures.ts';
import { formatRunProgress, totalRequests } from '../print/run-progress.ts';
import { runWithK6 } from '../run/k6.ts';
import type { RunOptions } from '../run/options.ts';
import { planRun } from '../run/plan.ts';
import { readSpecFiles } from '../inputs/spec-files.ts';
import { loadUsers } from '../run/users.ts';

/** The module a worker thread of `--workers` starts from: it registers tsx, then loads the engine's worker. */
const WORKER_ENTRY = new URL('../run-worker-entry.js', import.meta.url);

async function openNdjson(path: string, spec: ScenarioSpec): Promise<NdjsonFile> {
  const d = loadDefaults().outputs.ndjson;
  try {
    return await openNdjsonFile(path, { thresholds: spec.thresholdSpecs, gzipLevel: d.gzipLevel, maxMemoryBytes: d.maxMemoryMB * 1024 * 1024, flushIntervalMs: d.flushIntervalMs });
  } catch (err) {
    throw new ScriptError(`cannot write ${path}: ${(err as Error).message}`);
  }
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
  const p = planRun(specPath, specText, opts, availableParallelism());
  const { spec } = p;
  const users = await loadUsers(spec, specPath, global.seed);
  const files = await readSpecFiles(spec, specPath);
  const registry = createRegistry({ thresholds: spec.thresholdSpecs, summaryTrendStats: spec.options.summaryTrendStats });
  for (const def of customMetrics(spec)) registry.declare(def);

  const ndjson = p.ndjsonPath ? await openNdjson(p.ndjsonPath, spec) : undefined;
  const sinks: SampleSink[] = [registry];
  if (ndjson) sinks.push(ndjson);
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const showProgress = !global.quiet && process.stderr.isTTY === true;
  const lastReqs = { n: 0, t: 0 };
  let errorsShown = 0;
  const onError = (message: string): void => {
    if (global.quiet || errorsShown >= 10) return;
    errorsShown++;
    process.stderr.write(`${showProgress ? '\r\x1b[2K' : ''}caplab: error in iteration: ${message}\n`);
  };
  const onWarning = (message: string): void => {
    if (!global.quiet) process.stderr.write(`${showProgress ? '\r\x1b[2K' : ''}caplab: warning: ${message}\n`);
  };
  const progress = showProgress ? { onProgress: (pr: RunProgress) => progressLine(pr, process.stderr, lastReqs) } : {};
  let result: RunResult;
  try {
    result = p.workers > 1
      ? await runWithWorkers(p, {
        entry: WORKER_ENTRY, seed: global.seed, registry, ...(ndjson ? { ndjson } : {}), ...(users ? { users } : {}),
        ...(files ? { files } : {}), signal: abort.signal, onError, onWarning, ...progress,
      })
      : await runEngine(spec, effectiveScenarios(spec, p.flags), {
        sink: tee(...sinks),
        seed: global.seed,
        signal: abort.signal,
        tuple: p.tuple,
        ...(users ? { users: users.source } : {}),
        ...(files ? { files } : {}),
        tags: p.tags,
        shouldAbort: (elapsed) => registry.evaluateThresholds(elapsed).some((r) => r.abortNow),
        onError,
        onWarning,
        ...progress,
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
  // Even with --quiet, as the summary itself: failed requests are what a quiet CI run must not hide (k6's --quiet
  // hides only its progress, not its warnings).
  process.stderr.write(formatRequestFailures(registry.failures(), data.metrics.http_reqs?.values.count ?? 0));
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
