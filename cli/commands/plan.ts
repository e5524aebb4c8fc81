/**
 * `caplab plan`: size every data center per quarter from traffic.json and per-node capacity (measured from a probe
 * and sweep in --results when present, else modeled from data/hardware.json and data/services.json), print the
 * table and write <out-dir>/plan.json; with --optimize also the least-cost placement under the intents. The plan
 * itself is pipeline/plan.ts (and pipeline/optimize.ts), fed by cli/chain.ts.
 */
import { join } from 'node:path';
import { PLAN } from '../../pipeline/layout.ts';
import { computePlan, type PlanFlags } from '../chain.ts';
import type { CommandRun } from '../context.ts';
import { EXIT, InputError } from '../errors.ts';
import { writeFileAtomic } from '../io.ts';
import { renderPlan } from '../print/plan.ts';

/** Options of `caplab plan`. */
export interface PlanOptions extends PlanFlags {
  /** A `caplab.catalog/v1` file (default: data/catalog.json). */
  catalog?: string;
  json: boolean;
}

/** Runs `caplab plan`. */
export const run: CommandRun<PlanOptions> = async ({ opts, global }) => {
  if ((opts.intents !== undefined || opts.candidates !== undefined) && !opts.optimize) throw new InputError(`${opts.intents !== undefined ? '--intents' : '--candidates'} is for --optimize`);
  if (opts.optimize && opts.traffic !== undefined) {
    throw new InputError('--optimize recomputes every country\'s design day from the forecast and the catalog: give --forecast (or neither), not --traffic');
  }
  const plan = await computePlan(opts, global.seed);
  const json = `${JSON.stringify(plan, null, 2)}\n`;
  if (opts.json) {
    process.stdout.write(json);
    return EXIT.ok;
  }
  const path = join(global.outDir, PLAN);
  await writeFileAtomic(path, json);
  process.stdout.write(renderPlan(plan));
  if (!global.quiet) process.stdout.write(`\nwrote ${path}\n`);
  return EXIT.ok;
};
