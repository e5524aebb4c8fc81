/**
 * Measured node capacity, the pure half: from the per-step figures a probe, a sweep and the sweep's refinement rounds
 * collected (reports/ingest/steps.ts sinks, filled by the CLI from each points file), the warm-up excluded, the USL fit
 * of the probe and the SLO rate of the sweep (models/capacity/measured.ts), with the files recorded as the plan's
 * inputs; and why a probe gives no ceiling for the campaign's sweep to start from. Values in, values out: reading the
 * NDJSON files is the CLI's (cli/inputs/measurements.ts).
 */
import { measuredNodeCapacity, type SweepStep, sloInterval } from '../models/capacity/measured.ts';
import type { NodeCapacity, SloInterval } from '../models/capacity/node-capacity.ts';
import { ValidationError } from '../models/errors.ts';
import type { StepFigures, StepSink } from '../reports/ingest/steps.ts';

/** The steps one points file held. */
export interface PointsRead {
  /** The file as messages name it. */
  file: string;
  /** The file as plan.json records it (relative to the campaign folder, so a moved folder still names its files). */
  shown: string;
  /** The step sink the file was read into. */
  sink: StepSink;
}

/** A DC's capacity runs: its probe (if any), and its sweep followed by the refinement rounds in round order. */
export interface DcPoints {
  probe?: PointsRead;
  sweeps: readonly PointsRead[];
}

/**
 * A file's steps, each step's warm-up excluded: the warm-up is capped at a third of the file's shortest step, so a
 * quick run's short steps keep a window.
 * @param sink the sink the file was read into
 * @param warmupS seconds to exclude at the start of each step (data/scenarios.json probe.warmupSeconds)
 * @returns the steps' figures
 */
export function finishSteps(sink: StepSink, warmupS: number): StepFigures[] {
  // finish() is pure over what was collected: measure the steps' spans first, then cut the warm-up.
  const shortest = Math.min(...sink.finish(0).map((f) => f.windowS), Infinity);
  return sink.finish(Math.min(warmupS, shortest / 3));
}

/** The sweep's and the refinement rounds' rate steps, in file order. */
function sweepSteps(files: readonly PointsRead[], warmupS: number): SweepStep[] {
  const out: SweepStep[] = [];
  for (const f of files) {
    for (const s of finishSteps(f.sink, warmupS).filter((x) => x.kind === 'rate')) out.push({ rate: s.level, p95: s.p95Corrected ?? s.waitingP95, dropped: s.dropped, errorRate: s.errorRate });
  }
  return out;
}

/**
 * Where one DC's SLO rate lies after its sweep and refinement steps (no probe needed).
 * @param sweeps the sweep's points, then each refinement round's
 * @param warmupS seconds excluded at the start of each step (capped at a third of the shortest step)
 * @param serverBudgetP95Ms server-side p95 budget, ms
 * @returns the interval, or undefined when there are no sweep points
 */
export function measuredSloInterval(sweeps: readonly PointsRead[], warmupS: number, serverBudgetP95Ms: number): SloInterval | undefined {
  if (sweeps.length === 0) return undefined;
  return sloInterval(sweepSteps(sweeps, warmupS), serverBudgetP95Ms);
}

/**
 * Measured capacity of one DC's node from its probe and sweeps.
 * @param points the probe and the sweeps (the probe required)
 * @param warmupS seconds excluded at the start of each step (capped at a third of the shortest step)
 * @param serverBudgetP95Ms server-side p95 budget, ms
 * @returns capacity with source `measured`, its inputs naming the files
 * @throws {ValidationError} when the probe's points cannot be fitted (fewer than 3 steps with throughput), named by
 *   the probe file
 */
export function measuredCapacity(points: DcPoints & { probe: PointsRead }, warmupS: number, serverBudgetP95Ms: number): NodeCapacity {
  const { probe: probeFile, sweeps } = points;
  const probe = finishSteps(probeFile.sink, warmupS).filter((s) => s.kind === 'step');
  const sweep = sweepSteps(sweeps, warmupS);
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
        ...cap.inputs, concurrency: 'in flight (Little\'s law: throughput x mean duration)', probe: probeFile.shown,
        ...(sweeps.length > 0 ? { sweep: sweeps.map((f) => f.shown).join(', ') } : {}),
        ...(sweeps.length > 1 ? { refineRounds: sweeps.length - 1 } : {}),
      },
    };
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(`${probeFile.file}: the probe cannot be fitted`, err.problems);
    throw err;
  }
}

/**
 * Why a DC's probe gives the campaign no ceiling to set its sweep's rates from, or undefined when it gives one.
 * @param dc data center
 * @param outcome the measured capacity, or the error measuring it threw (its problems are listed)
 * @returns the reason in one line, or undefined when the USL ceiling is positive
 */
export function noCeilingReason(dc: string, outcome: { capacity?: NodeCapacity | undefined; error?: unknown }): string | undefined {
  const { capacity, error } = outcome;
  if (error === undefined && capacity && capacity.ceilingRps > 0) return undefined;
  const message = error === undefined
    ? (capacity ? `the USL fit gives no positive ceiling (${capacity.ceilingRps})` : 'no probe points')
    : (error as Error).message;
  const problems = error instanceof ValidationError ? `: ${error.problems.map((p) => `${p.where}: ${p.message}`).join('; ')}` : '';
  return `probe of ${dc} measured no ceiling to sweep from (${message}${problems})`;
}

/**
 * The rate to try next inside a bracket, or undefined when it needs none: fine enough, not bracketed (no rate failed,
 * or none swept), or narrower than the rates a step can be given (0.01 req/s).
 * @param interval the bracket so far
 * @param tolerance relative width that is fine enough
 * @returns the midpoint (half the upper end when nothing passed), rounded to 0.01 req/s
 * @example nextRefineRate({ lower: 121, upper: 166 }, 0.05) // 143.5
 */
export function nextRefineRate(interval: SloInterval | undefined, tolerance: number): number | undefined {
  if (!interval || interval.upper === null) return undefined;
  const { lower, upper } = interval;
  if (lower > 0 && upper <= lower * (1 + tolerance)) return undefined;
  const mid = Math.round(((lower + upper) / 2) * 100) / 100;
  return mid > lower && mid < upper ? mid : undefined;
}
