/**
 * One worker thread of `caplab run --workers N`: validates the same plan as its parent, runs its execution segment of
 * the test on the embedded engine once told to start, and streams its metrics to the parent as deltas (see
 * run-worker-protocol.ts). It never writes files or prints: the parent owns the outputs and the terminal.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createRegistry, type Registry } from '../scenarios/engine/metrics/registry.ts';
import type { SampleSink } from '../scenarios/engine/metrics/types.ts';
import { createSampleBatcher } from '../scenarios/engine/outputs/sample-batch.ts';
import { effectiveScenarios, runEngine, type RunProgress } from '../scenarios/engine/run.ts';
import { workerTuples } from '../scenarios/engine/workers.ts';
import { tee } from '../scenarios/engine/tee.ts';
import { WORKER_FLUSH_MS, type FromWorker, type ToWorker, type WorkerInit } from './run-worker-protocol.ts';
import { loadUsers, planRun } from './run-spec.ts';

const port = parentPort!;
const init = workerData as WorkerInit;
const post = (m: FromWorker): void => port.postMessage(m);

async function main(): Promise<void> {
  const p = planRun(init.specPath, init.specText, { ...init.opts, workers: '1' }, 1, false);
  const { spec } = p;
  const users = await loadUsers(spec, init.specPath, init.seed);
  const newRegistry = (): Registry => createRegistry({ thresholds: spec.thresholdSpecs, summaryTrendStats: spec.options.summaryTrendStats });
  let registry = newRegistry();
  const sinks: SampleSink[] = [{ add: (s) => registry.add(s) }];

  // Samples are packed here and formatted by the parent's writer thread; a batch moves without a copy.
  let batches: ArrayBuffer[] = [];
  const ndjson = init.ndjson ? createSampleBatcher((b) => batches.push(b), { source: init.index + 1 }) : undefined;
  if (ndjson) sinks.push(ndjson);

  const flush = (pr: Pick<RunProgress, 'scenarios' | 'vus' | 'vusMax'>): void => {
    const snapshot = registry.snapshot();
    registry = newRegistry();
    ndjson?.flush();
    const points = batches;
    batches = [];
    port.postMessage({ type: 'flush', snapshot, ...(points.length > 0 ? { points } : {}), stats: pr.scenarios, vus: pr.vus, vusMax: pr.vusMax } satisfies FromWorker, points);
  };

  const stop = new AbortController();
  const started = new Promise<Readonly<Record<string, unknown>>>((resolve) => {
    port.on('message', (m: ToWorker) => {
      if (m.type === 'start') resolve(m.setupVars);
      else {
        // A stop before the start (the run was interrupted while workers started) runs nothing.
        stop.abort();
        resolve({});
      }
    });
  });
  post({ type: 'ready' });
  const setupVars = await started;
  const result = await runEngine(spec, effectiveScenarios(spec, p.flags), {
    sink: tee(...sinks),
    seed: init.seed,
    signal: stop.signal,
    tuple: workerTuples(init.count)[init.index]!,
    ...(users ? { users } : {}),
    tags: p.tags,
    setupVars,
    vuGauges: false,
    onError: (message) => post({ type: 'log', level: 'error', message }),
    onWarning: (message) => post({ type: 'log', level: 'warning', message }),
    onProgress: flush,
    progressIntervalMs: WORKER_FLUSH_MS,
  });
  flush({ scenarios: result.scenarios, vus: 0, vusMax: result.vusMax });
  post({ type: 'done', result });
}

main().catch((err: unknown) => {
  post({ type: 'failed', message: err instanceof Error ? `${err.message}${err.stack ? `\n${err.stack}` : ''}` : String(err) });
});
