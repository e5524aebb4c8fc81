/**
 * Measured node capacity from a results directory: results/<dc>/points-probe.ndjson[.gz], points-sweep... and the
 * campaign's refinement steps points-refine-<n>... (sweep steps at rates between the sweep's), written by
 * `caplab run -o json=...` or real k6, read as a stream into per-step figures and turned into capacity by
 * models/capacity/measured.ts. Paths in the result are relative to the results directory's parent (the campaign
 * folder), so a folder moved into place after the run still names its own files.
 */
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { measuredNodeCapacity, sloInterval, type SweepStep } from '../models/capacity/measured.ts';
import type { NodeCapacity, SloInterval } from '../models/capacity/node-capacity.ts';
import { readK6Ndjson } from '../reports/ingest/ndjson.ts';
import { createStepSink, type StepFigures } from '../reports/ingest/steps.ts';
import { ValidationError } from '../models/errors.ts';
import { InputError } from './errors.ts';

/** Finds `points-<kind>.ndjson` or `.ndjson.gz` in a DC's results directory. */
function pointsFile(dir: string, kind: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  return readdirSync(dir).filter((f) => f === `points-${kind}.ndjson` || f === `points-${kind}.ndjson.gz`).map((f) => join(dir, f))[0];
}

/** The sweep's points file and the refinement rounds' (points-refine-<n>), in round order. */
function sweepFiles(dir: string): string[] {
  const sweep = pointsFile(dir, 'sweep');
  if (!existsSync(dir)) return [];
  const refine = readdirSync(dir).map((f) => /^points-refine-(\d+)\.ndjson(\.gz)?$/.exec(f)).filter((m) => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1])).map((m) => join(dir, m[0]));
  return [...(sweep ? [sweep] : []), ...refine];
}

async function sweepSteps(files: readonly string[], warmupS: number): Promise<SweepStep[]> {
  const out: SweepStep[] = [];
  for (const f of files) {
    for (const s of (await steps(f, warmupS)).filter((x) => x.kind === 'rate')) out.push({ rate: s.level, p95: s.p95Corrected ?? s.waitingP95, dropped: s.dropped, errorRate: s.errorRate });
  }
  return out;
}

/**
 * Where one DC's SLO rate lies after its sweep and refinement steps (no probe needed).
 * @param resultsDir the results directory (capacity/<dc>/...)
 * @param dc data center
 * @param warmupS seconds excluded at the start of each step (capped at a third of the shortest step)
 * @param serverBudgetP95Ms server-side p95 budget, ms
 * @returns the interval, or undefined when the DC has no sweep points
 * @throws {NotK6NdjsonError} when a points file is not k6 NDJSON
 */
export async function measuredSloInterval(resultsDir: string, dc: string, warmupS: number, serverBudgetP95Ms: number): Promise<SloInterval | undefined> {
  const files = sweepFiles(join(resultsDir, dc));
  if (files.length === 0) return undefined;
  return sloInterval(await sweepSteps(files, warmupS), serverBudgetP95Ms);
}

async function steps(file: string, warmupS: number): Promise<StepFigures[]> {
  const sink = createStepSink();
  await readK6Ndjson(createReadStream(file), sink, file);
  // finish() is pure over what was collected: measure the steps' spans first, then cap the warm-up at a third of
  // the shortest step so a quick run's short steps keep a window.
  const shortest = Math.min(...sink.finish(0).map((f) => f.windowS), Infinity);
  return sink.finish(Math.min(warmupS, shortest / 3));
}

/**
 * Measured capacity of one DC's node, or undefined when its results hold no probe.
 * @param resultsDir the results directory (results/<dc>/...)
 * @param dc data center
 * @param warmupS seconds excluded at the start of each step (capped at a third of the shortest step)
 * @param serverBudgetP95Ms server-side p95 budget, ms
 * @returns capacity with source `measured`, or undefined
 * @throws {ValidationError} when the probe's points cannot be fitted (fewer than 3 steps with throughput)
 * @throws {NotK6NdjsonError} when a points file is not k6 NDJSON
 * @throws {InputError} when the DC has summaries but no probe points (a summary has no per-step figures)
 */
export async function measuredCapacity(resultsDir: string, dc: string, warmupS: number, serverBudgetP95Ms: number): Promise<NodeCapacity | undefined> {
  const dir = join(resultsDir, dc);
  const probeFile = pointsFile(dir, 'probe');
  if (!probeFile) {
    // A summary alone cannot give capacity: k6 summaries hold no per-step sub-metrics unless thresholds named them.
    const summaries = existsSync(dir) ? readdirSync(dir).filter((f) => /^summary.*\.json$/.test(f)) : [];
    if (summaries.length > 0) {
      throw new InputError(`${dir}: ${summaries.join(', ')} without points-probe.ndjson[.gz]: per-step throughput needs the probe's NDJSON points ` +
        '(run it with -o json=points-probe.ndjson.gz, or k6 --out json=...)');
    }
    return undefined;
  }
  const probe = (await steps(probeFile, warmupS)).filter((s) => s.kind === 'step');
  const files = sweepFiles(dir);
  const sweep = await sweepSteps(files, warmupS);
  const rel = (f: string): string => relative(dirname(resultsDir), f);
  try {
    const cap = measuredNodeCapacity(
      // The USL's N is what the node held (Little's law), not the VU count: see ProbeStep.concurrency.
      probe.map((s) => ({ concurrency: s.inFlight > 0 ? s.inFlight : s.level, throughput: s.throughput, errorRate: s.errorRate })),
      sweep,
      serverBudgetP95Ms,
    );
    return {
      ...cap,
      inputs: {
        ...cap.inputs, concurrency: 'in flight (Little\'s law: throughput x mean duration)', probe: rel(probeFile),
        ...(files.length > 0 ? { sweep: files.map(rel).join(', ') } : {}),
        ...(files.length > 1 ? { refineRounds: files.length - 1 } : {}),
      },
    };
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(`${probeFile}: the probe cannot be fitted`, err.problems);
    throw err;
  }
}
