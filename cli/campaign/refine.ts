/**
 * Refines each DC's SLO rate after the sweep by bisection: the sweep brackets it between its highest passing rate and
 * the next failing one (up to 37% apart at its spacing); each round runs one step per DC, side by side, at the
 * bracket's midpoint (a child `caplab run` of a one-step spec, with either runner) and the capacity model reads that
 * step with the sweep's, until the upper end is within the tolerance of the lower or the rounds run out
 * or their time (data/scenarios.json `refine`, `quick.refine`). The plan then counts on the refined lower end and shows its bracket.
 */
import { join } from 'node:path';
import type { SloInterval } from '../../models/capacity/node-capacity.ts';
import { nextRefineRate } from '../../pipeline/capacity.ts';
import { refineSpecFile } from '../../pipeline/layout.ts';
import { measuredSloInterval } from '../inputs/measurements.ts';

/** What {@link refineSloRates} needs. */
export interface RefineContext {
  /** The campaign's capacity/ folder. */
  capacityDir: string;
  /** DCs swept. */
  dcs: readonly string[];
  /** Relative width at which a bracket is fine enough: upper <= lower x (1 + tolerance). */
  tolerance: number;
  /** Most rounds. */
  maxRounds: number;
  /** No round starts when the rounds so far plus one more (as long as the longest so far) would pass this, seconds. */
  maxSeconds: number;
  /** Seconds excluded at the start of each step. */
  warmupS: number;
  /** Server-side p95 budget, ms. */
  serverBudgetP95Ms: number;
  /**
   * Writes scenarios/<dc>-refine-<round>.json for each DC at its rate and runs them side by side.
   * @param round 1-based round
   * @param rates rate by DC, requests/s
   */
  runRound: (round: number, rates: Record<string, number>) => Promise<void>;
  /** Where each round is reported. */
  log: (line: string) => void;
}

/** A DC's refined bracket and the rounds it took. */
export interface Refined {
  interval: SloInterval | undefined;
  rounds: number;
}


const show = (i: SloInterval | undefined): string => (i ? `[${i.lower}, ${i.upper ?? 'not bracketed'})` : 'no sweep');

/**
 * Runs the bisection rounds for every DC whose bracket is too wide (all such DCs side by side in each round).
 * @param ctx folders, DCs, tolerance, rounds and how to run a round
 * @returns each DC's bracket after refinement and its rounds
 * @throws whatever a round's run throws (an interrupt, a failed child)
 */
export async function refineSloRates(ctx: RefineContext): Promise<Record<string, Refined>> {
  const out: Record<string, Refined> = {};
  const measure = async (dc: string): Promise<SloInterval | undefined> => measuredSloInterval(ctx.capacityDir, dc, ctx.warmupS, ctx.serverBudgetP95Ms);
  for (const dc of ctx.dcs) out[dc] = { interval: await measure(dc), rounds: 0 };
  const t0 = performance.now();
  let longest = 0;
  for (let round = 1; round <= ctx.maxRounds; round++) {
    const spent = (performance.now() - t0) / 1000;
    if (round > 1 && spent + longest > ctx.maxSeconds) {
      ctx.log(`refinement stopped after ${round - 1} round${round === 2 ? '' : 's'}: another would pass its ${ctx.maxSeconds} s (rounds took up to ${longest.toFixed(0)} s)`);
      break;
    }
    const rates: Record<string, number> = {};
    for (const dc of ctx.dcs) {
      const next = nextRefineRate(out[dc]!.interval, ctx.tolerance);
      if (next !== undefined) rates[dc] = next;
    }
    if (Object.keys(rates).length === 0) break;
    ctx.log(`refine round ${round}: ${Object.entries(rates).map(([dc, r]) => `${dc} ${r} req/s in ${show(out[dc]!.interval)}`).join(', ')}`);
    const start = performance.now();
    await ctx.runRound(round, rates);
    longest = Math.max(longest, (performance.now() - start) / 1000);
    for (const dc of Object.keys(rates)) out[dc] = { interval: await measure(dc), rounds: round };
  }
  for (const dc of ctx.dcs) {
    const r = out[dc]!;
    const i = r.interval;
    const width = i && i.upper !== null && i.lower > 0 ? ` (${(((i.upper / i.lower) - 1) * 100).toFixed(1)}% wide)` : '';
    ctx.log(`SLO rate of ${dc}: ${show(i)}${width} after ${r.rounds} refinement round${r.rounds === 1 ? '' : 's'}`);
  }
  return out;
}

/** The refinement spec of a DC and round, under the campaign folder. */
export const refineSpecPath = (dir: string, dc: string, round: number): string => join(dir, refineSpecFile(dc, round));
