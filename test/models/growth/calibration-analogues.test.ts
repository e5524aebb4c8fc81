/**
 * Calibration of the analogue-prior (MAP) Bass forecast (`caplab forecast --analogues`): synthetic brands whose
 * Bass p and q are drawn from a known analogue prior (p median 0.008, sd of ln p 0.3; q median 0.8, sd of ln q 0.35)
 * and whose m is drawn from the data/growth.json market prior, observed for their first 5 years after launch with
 * lognormal noise of sd 0.1, fitted MAP with that same prior and asked for years 6 and 7. A Bayesian band is
 * calibrated over its prior, so the truth is drawn from the priors the fit uses. Each horizon's 200 outcomes are
 * independent (one per seed): binomial standard error sqrt(0.8 x 0.2 / 200) = 2.8 points, tolerance 3 SE.
 * Measured (seeded): 76.5% one year ahead and 75.5% two years ahead (1.2 and 1.6 SE below nominal: slightly narrow,
 * within the tolerance; with 4 years fitted instead, 79.5% and 84.0%).
 */
import { describe, expect, it } from 'vitest';
import { loadGrowthSettings } from '../../../cli/data.ts';
import type { AnaloguePrior } from '../../../models/growth/analogue-prior.ts';
import { backtestGrowth } from '../../../models/growth/backtest.ts';
import { bassModel } from '../../../models/growth/bass.ts';
import type { History } from '../../../models/growth/history.ts';
import { parsePeriod } from '../../../models/quarter.ts';
import { createRng } from '../../../models/random.ts';

const settings = loadGrowthSettings();
const LAUNCH = 2010;
const PRIOR: AnaloguePrior = { analogues: [], p: { median: 0.008, sdLn: 0.3 }, q: { median: 0.8, sdLn: 0.35 }, pooledResidualSd: 0.1, method: 'synthetic' };

/** A brand drawn from the priors, its first `years` years of sales with lognormal noise (sd 0.1). */
function brand(seed: number, years: number): History {
  const truth = createRng(seed, 'truth');
  const mp = settings.marketPotentialPrior;
  const m = mp.median * Math.exp(mp.sdLn * truth.normal());
  const p = PRIOR.p.median * Math.exp(PRIOR.p.sdLn * truth.normal());
  const q = PRIOR.q.median * Math.exp(PRIOR.q.sdLn * truth.normal());
  const b = bassModel(LAUNCH);
  const rng = createRng(seed, 'synthetic-history');
  const observations = Array.from({ length: years }, (_, i) => {
    const period = parsePeriod(String(LAUNCH + i))!;
    return { period, shipments: (b.cumulative({ m, p, q }, period.end) - b.cumulative({ m, p, q }, period.start)) * Math.exp(0.1 * rng.normal()), where: period.label };
  });
  return { source: `synthetic seed ${seed}`, observations, launch: LAUNCH };
}

describe('forecast calibration with the analogue prior (MAP Bass)', () => {
  it('covers about 80% of the next 2 years when p and q come from the analogues\' population', () => {
    const S = 200;
    const inside = [0, 0];
    for (let seed = 1; seed <= S; seed++) {
      const { evaluations } = backtestGrowth(brand(seed, 7), settings, { models: [], draws: 100, seed, maxAhead: 2, minPoints: 5, origins: [5], analogues: PRIOR });
      expect(evaluations.map((e) => `${e.model} +${e.ahead}`)).toEqual(['bass+analogues +1', 'bass+analogues +2']);
      for (const e of evaluations) if (e.covered) inside[e.ahead - 1]!++;
    }
    const coverage = inside.map((v) => v / S);
    console.log(`MAP Bass: p10-p90 coverage ahead 1..2 = ${coverage.map((c) => `${(100 * c).toFixed(1)}%`).join(' / ')} over ${S} seeds (SE 2.8 points)`);
    for (const c of coverage) expect(Math.abs(c - 0.8), `coverage ${c}`).toBeLessThanOrEqual(3 * Math.sqrt((0.8 * 0.2) / S));
  }, 120_000);
});
