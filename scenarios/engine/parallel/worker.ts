/**
 * One worker thread of a run split by parent.ts: runs its execution segment of the test it was given (already
 * validated by the parent, with its users as data) on the embedded engine once told to start, and streams its metrics
 * to the parent as deltas (see protocol.ts). It never reads or writes files or prints: the parent owns the inputs,
 * the outputs and the terminal. Loading this module starts the worker (it is the body of the thread).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createRegistry, type Registry } from '../metrics/registry.ts';
import type { SampleSink } from '../metrics/types.ts';
import { createSampleBatcher } from '../outputs/sample-batch.ts';
import { effectiveScenarios, runEngine, type RunProgress } from '../run.ts';
import { tee } from '../tee.ts';
import { userSourceOf } from '../users.ts';
import { workerTuples } from '../workers.ts';
import { WORKER_FLUSH_MS, type FromWorker, type ToWorker, type WorkerInit } from './protocol.ts';

const port = parentPort!;
const init = workerData as WorkerInit;
const post = (m: FromWorker): void => port.postMessage(m);

async function main(): Promise<void> {
  const { spec } = init;
  // Each worker makes its own users from the same data (a thread cannot share the parent's objects).
  const users = init.users ? userSourceOf(init.users) : undefined;
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
  const result = await runEngine(spec, effectiveScenarios(spec, init.flags), {
    sink: tee(...sinks),
    seed: init.seed,
    signal: stop.signal,
    tuple: workerTuples(init.count)[init.index]!,
    ...(users ? { users } : {}),
    ...(init.files ? { files: init.files } : {}),
    tags: init.tags,
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
