/**
 * The campaign's load runs: one child `caplab run` per DC for the probe, the sweep and each refinement round (one DC
 * at a time) and for the replay (side by side). Capacity runs (probe, sweep, refine) overload one node on purpose and write under
 * capacity/<dc>/; the replay, the run budgets and the gate judge, writes results/<dc>/.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type LoadKind, loadOutputs as layoutOutputs, specFile } from '../../pipeline/layout.ts';
import { EXIT, InterruptedError, ScriptError } from '../errors.ts';
import { childFailure, type ChildResult, type Children } from './children.ts';

export type { LoadKind };

/**
 * Where a DC's run writes a file: results/<dc>/ for the replay, capacity/<dc>/ for the rest.
 * @param dir the campaign folder
 * @param kind the run
 * @param dc data center
 * @returns the points and summary paths
 */
export function loadOutputs(dir: string, kind: LoadKind, dc: string): { points: string; summary: string } {
  const rel = layoutOutputs(kind, dc);
  return { points: join(dir, rel.points), summary: join(dir, rel.summary) };
}

/**
 * Arguments of the child `caplab run` of one DC's run: the campaign's seed (the engine's mix picks its flows from it,
 * and generated users too), one worker (the DCs already run side by side beside the stacks), k6's outputs.
 * @param o the campaign folder, the run, the DC, the seed and the runner
 * @returns arguments after `caplab`
 * @example childRunArgs({ dir, kind: 'probe', dc: 'singapore', seed: 7, runner: 'engine' })
 */
export function childRunArgs(o: { dir: string; kind: LoadKind; dc: string; seed: number; runner: 'engine' | 'k6' }): string[] {
  const out = loadOutputs(o.dir, o.kind, o.dc);
  return [
    '--quiet', '--seed', String(o.seed), 'run', join(o.dir, specFile(o.dc, o.kind)),
    ...(o.runner === 'k6' ? ['--runner', 'k6'] : ['--workers', '1']),
    '-o', `json=${out.points}`, '--summary-json', out.summary,
  ];
}

/** How {@link runLoad} runs. */
export interface LoadRunContext {
  /** The campaign (staging) folder. */
  dir: string;
  seed: number;
  runner: 'engine' | 'k6';
  children: Children;
  /** Whether SIGINT/SIGTERM arrived (read after the children end). */
  interrupted: () => boolean;
}

/**
 * Runs one kind of load for the given DCs and waits for all of them: capacity runs one DC after another, the replay
 * side by side.
 * @param ctx folder, seed, runner, children and the interrupt flag
 * @param kind the run
 * @param dcs the DCs to load (each has scenarios/<dc>-<kind>.json)
 * @returns each DC's child result (exit 0 or 99)
 * @throws {InterruptedError} on an interrupt, saying which DCs' outputs exist
 * @throws {CliError} when a child failed, with its exit code and its last stderr lines
 */
export async function runLoad(ctx: LoadRunContext, kind: LoadKind, dcs: readonly string[]): Promise<Record<string, ChildResult>> {
  // An interrupt that came while the specs were written starts no child.
  if (ctx.interrupted()) throw new InterruptedError(`campaign interrupted before the ${kind} started: no outputs written; later stages skipped`);
  // Every output directory exists before any runner starts: real k6 creates none (it exits 255, "could not open").
  for (const dc of dcs) {
    const dir = join(loadOutputs(ctx.dir, kind, dc).summary, '..');
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw new ScriptError(`cannot create the output directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const runOne = (dc: string): Promise<ChildResult> => ctx.children.run(childRunArgs({ dir: ctx.dir, kind, dc, seed: ctx.seed, runner: ctx.runner }));
  // A node's capacity (probe, sweep, refinement) is measured one DC at a time: run side by side on a 2-core runner,
  // the DCs' servers and load generators share the CPUs, and the SLO rate measured the machine, not the node (four
  // DCs at once measured 116 req/s where one alone measured 178). The replay, at each DC's planned share, runs them
  // together, as the DCs serve the day together.
  const results: ChildResult[] = [];
  if (kind === 'replay') results.push(...await Promise.all(dcs.map(runOne)));
  else {
    for (const dc of dcs) {
      if (ctx.interrupted()) break;
      results.push(await runOne(dc));
    }
  }
  if (ctx.interrupted()) {
    // Say what is there: a run stopped before it wrote (or while k6 still started) has no summary.
    const written = dcs.filter((dc) => existsSync(loadOutputs(ctx.dir, kind, dc).summary));
    const missing = dcs.filter((dc) => !written.includes(dc));
    throw new InterruptedError(`campaign interrupted during the ${kind}: ` +
      `${written.length > 0 ? `outputs written for ${written.join(', ')}` : 'no outputs written'}${missing.length > 0 && written.length > 0 ? `, none for ${missing.join(', ')}` : ''}; later stages skipped`);
  }
  const failed = results.map((r, i) => [dcs[i]!, r] as const).filter(([, r]) => r.code !== EXIT.ok && r.code !== EXIT.thresholdsCrossed);
  if (failed.length > 0) {
    const [dc, r] = failed[0]!;
    throw childFailure(`${kind} of ${dc}`, r);
  }
  return Object.fromEntries(results.map((r, i) => [dcs[i]!, r]));
}
