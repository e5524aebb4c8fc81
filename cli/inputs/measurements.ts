/**
 * Reading a results folder's capacity runs: results/<dc>/points-probe.ndjson[.gz], points-sweep... and the campaign's
 * refinement rounds points-refine-<n>... (sweep steps at rates between the sweep's), written by `caplab run -o
 * json=...` or real k6, each read as a stream into a step sink; pipeline/capacity.ts turns the steps into measured
 * capacity. Paths recorded in the plan are relative to the results folder's parent (the campaign folder), so a folder
 * moved into place after the run still names its own files.
 */
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { NodeCapacity, SloInterval } from '../../models/capacity/node-capacity.ts';
import { measuredCapacity as capacityOf, measuredSloInterval as sloIntervalOf, type PointsRead } from '../../pipeline/capacity.ts';
import { isPointsOf, refineRoundOf } from '../../pipeline/layout.ts';
import { readK6Ndjson } from '../../reports/ingest/ndjson.ts';
import { createStepSink } from '../../reports/ingest/steps.ts';
import { createConnectionStepSink } from '../../reports/ingest/connection-steps.ts';
import { type ConnectionCapacity, measuredConnectionCapacity } from '../../models/capacity/connection-capacity.ts';
import { InputError } from '../errors.ts';

/** Finds `points-<kind>.ndjson` or `.ndjson.gz` in a DC's results directory. */
function pointsFile(dir: string, kind: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  return readdirSync(dir).filter((f) => isPointsOf(f, kind)).map((f) => join(dir, f))[0];
}

/** The sweep's points file and the refinement rounds' (points-refine-<n>), in round order. */
function sweepFiles(dir: string): string[] {
  const sweep = pointsFile(dir, 'sweep');
  if (!existsSync(dir)) return [];
  const refine = readdirSync(dir).map((f) => [f, refineRoundOf(f)] as const).filter((x): x is readonly [string, number] => x[1] !== undefined)
    .sort((a, b) => a[1] - b[1]).map(([f]) => join(dir, f));
  return [...(sweep ? [sweep] : []), ...refine];
}

/** Reads one points file into a step sink. */
async function read(file: string, resultsDir: string): Promise<PointsRead> {
  const sink = createStepSink();
  await readK6Ndjson(createReadStream(file), sink, file);
  return { file, shown: relative(dirname(resultsDir), file), sink };
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
  const sweeps: PointsRead[] = [];
  for (const f of sweepFiles(join(resultsDir, dc))) sweeps.push(await read(f, resultsDir));
  return sloIntervalOf(sweeps, warmupS, serverBudgetP95Ms);
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
  const probe = await read(probeFile, resultsDir);
  const sweeps: PointsRead[] = [];
  for (const f of sweepFiles(dir)) sweeps.push(await read(f, resultsDir));
  return capacityOf({ probe, sweeps }, warmupS, serverBudgetP95Ms);
}

/**
 * Each DC's connection probe read back (capacity/<dc>/points-connections.ndjson[.gz]): its push node's sessions at the
 * reply budget, with the bracket, at the scale the probe's points say their node was scaled to.
 * @param resultsDir the results directory (capacity/<dc>/...)
 * @param dcs data centers
 * @param warmupS seconds excluded at the start of each step from replies and checks
 * @param budgetP95Ms the reply budget of a DC, ms
 * @returns capacity by DC; a DC without connection points is left out
 * @throws {InputError} when a file's points name no scale (a probe's spec tags every sample with one)
 * @throws {ValidationError|NotK6NdjsonError} when the points hold no step or are not k6 NDJSON
 */
export async function measuredConnections(resultsDir: string, dcs: readonly string[], warmupS: number, budgetP95Ms: (dc: string) => number): Promise<Record<string, ConnectionCapacity>> {
  const out: Record<string, ConnectionCapacity> = {};
  for (const dc of dcs) {
    const file = pointsFile(join(resultsDir, dc), 'connections');
    if (!file) continue;
    const sink = createConnectionStepSink();
    await readK6Ndjson(createReadStream(file), sink, file);
    const scale = sink.scale();
    if (scale === undefined) throw new InputError(`${file}: its samples carry no single \`scale\` tag in (0, 1]: a connection probe's spec tags every sample with the share of a real node it loads`);
    out[dc] = measuredConnectionCapacity(sink.finish(warmupS), { budgetP95Ms: budgetP95Ms(dc), scale });
  }
  return out;
}

/**
 * Measured capacity of each planned DC from a results directory given with `--results` (or a campaign's capacity/).
 * @param resultsDir the results directory
 * @param dcs the planned DCs
 * @param warmupS seconds excluded at the start of each step
 * @param serverBudgetP95Ms server-side p95 budget, ms
 * @returns capacity by DC (undefined for a DC without a probe)
 * @throws {InputError} when the directory is missing, not a directory, or holds no planned DC, or as {@link measuredCapacity}
 * @throws {ValidationError|NotK6NdjsonError} as {@link measuredCapacity}
 */
export async function measuredCapacities(resultsDir: string, dcs: readonly string[], warmupS: number, serverBudgetP95Ms: number): Promise<Record<string, NodeCapacity | undefined>> {
  await checkResultsDir(resultsDir, dcs);
  const out: Record<string, NodeCapacity | undefined> = {};
  for (const dc of dcs) out[dc] = await measuredCapacity(resultsDir, dc, warmupS, serverBudgetP95Ms);
  return out;
}

/**
 * An explicit --results must be a directory holding results of at least one planned DC (`<dir>/<dc>/`); otherwise
 * the plan would quietly fall back to modeled capacity.
 * @throws {InputError} naming the directory and what is missing
 */
async function checkResultsDir(dir: string, dcs: readonly string[]): Promise<void> {
  const st = await stat(dir).catch((err: NodeJS.ErrnoException) => err);
  if (st instanceof Error) throw new InputError(`--results ${dir}: ${st.code === 'ENOENT' ? 'no such directory' : `cannot read it (${st.code ?? st.message})`}`);
  if (!st.isDirectory()) throw new InputError(`--results ${dir}: not a directory (expected <dir>/<dc>/points-probe.ndjson[.gz] per data center)`);
  const present = await Promise.all(dcs.map((dc) => stat(join(dir, dc)).then((s) => s.isDirectory(), () => false)));
  if (!present.some(Boolean)) {
    throw new InputError(`--results ${dir}: holds no results of a planned data center (expected a folder per DC with points-probe.ndjson[.gz]: ${dcs.map((dc) => join(dir, dc)).join(', ')})`);
  }
}
