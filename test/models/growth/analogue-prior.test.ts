import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../models/errors.ts';
import { analoguePrior, bassPenalty } from '../../../models/growth/analogue-prior.ts';
import { type Analogues, AnaloguesSchema } from '../../../models/growth/analogues.ts';
import { bassModel } from '../../../models/growth/bass.ts';
import { fitGrowth, periodShipments } from '../../../models/growth/fit.ts';
import type { Observation } from '../../../models/growth/history.ts';
import { parsePeriod } from '../../../models/quarter.ts';
import { parseWith } from '../../../models/validation.ts';

/** Exact yearly sales of a Bass curve launched at the start of `first`, for `years` years. */
function bassYears(m: number, p: number, q: number, first: number, years: number): { period: string; units: number; source: string }[] {
  const b = bassModel(first);
  return Array.from({ length: years }, (_, i) => ({
    period: String(first + i),
    units: b.cumulative({ m, p, q }, first + i + 1) - b.cumulative({ m, p, q }, first + i),
    source: 'synthetic',
  }));
}

const known: Analogues = {
  schema: 'caplab.analogues/v1',
  analogues: [
    { id: 'a', maker: 'A', product: 'a', launch: 2005, periods: bassYears(500e6, 0.01, 0.4, 2005, 10) },
    { id: 'b', maker: 'B', product: 'b', launch: 2006, periods: bassYears(800e6, 0.02, 0.8, 2006, 10) },
    { id: 'c', maker: 'C', product: 'c', launch: 2007, periods: bassYears(300e6, 0.04, 1.6, 2007, 8) },
  ],
};

describe('analoguePrior (hand-computed on exact Bass curves)', () => {
  const prior = analoguePrior(known);

  it('recovers each analogue\'s p and q', () => {
    expect(prior.analogues.map((a) => a.id)).toEqual(['a', 'b', 'c']);
    const truth = [[0.01, 0.4, 500e6], [0.02, 0.8, 800e6], [0.04, 1.6, 300e6]] as const;
    prior.analogues.forEach((a, i) => {
      expect(a.p / truth[i]![0] - 1).toBeCloseTo(0, 4);
      expect(a.q / truth[i]![1] - 1).toBeCloseTo(0, 4);
      expect(a.m / truth[i]![2] - 1).toBeCloseTo(0, 4);
      expect(a.residualSd).toBeLessThan(1e-5);
    });
  });

  it('centres on the geometric mean, spread = sample sd of the logs x sqrt(1 + 1/k)', () => {
    // p = 0.01, 0.02, 0.04: ln p = ln 0.02 + (-1, 0, 1) ln 2, so the geometric mean is 0.02 and the sample sd of
    // the logs ln 2 x sd(-1, 0, 1) = 0.693147 x 1; times sqrt(1 + 1/3) = 1.154701: 0.800377. q alike around 0.8.
    expect(prior.p.median).toBeCloseTo(0.02, 5);
    expect(prior.q.median).toBeCloseTo(0.8, 3);
    expect(prior.p.sdLn).toBeCloseTo(0.800377, 3);
    expect(prior.q.sdLn).toBeCloseTo(0.800377, 3);
  });

  it('builds the Bass penalty on ln p (index 1) and ln q (index 2), naming a bad noise sd', () => {
    const pen = bassPenalty(prior, 0.2);
    expect(pen.noiseSd).toBe(0.2);
    expect(pen.priors.map((x) => x.index)).toEqual([1, 2]);
    expect(pen.priors[0]!.mean).toBeCloseTo(Math.log(0.02), 4);
    expect(() => bassPenalty(prior, 0)).toThrow(/noiseSd 0 must be positive/);
  });

  it('rejects an analogue whose history does not identify p or q, naming it', () => {
    // Sales that halve every year from launch: no imitation at all, so the fit runs q to its lower bound.
    const flat: Analogues = {
      schema: 'caplab.analogues/v1',
      analogues: [known.analogues[0]!, { id: 'fading', maker: 'E', product: 'e', launch: 2010, periods: [16, 8, 4, 2, 1].map((u, i) => ({ period: String(2010 + i), units: u * 1e6, source: 's' })) }],
    };
    expect(() => analoguePrior(flat)).toThrow(/the Bass fit of fading runs q to a search bound/);
  });
});

describe('MAP fit (fitGrowth with a penalty)', () => {
  // Brand: exact Bass sales, m and p held fixed, q = 1.2 free. Prior on ln q at ln 1.2 + 0.05 with sd tau.
  const launch = 2010;
  const truth = { m: 400e6, p: 0.01, q: 1.2 };
  const b = bassModel(launch);
  const obs = (years: number): Observation[] => Array.from({ length: years }, (_, i) => {
    const period = parsePeriod(String(launch + i))!;
    return { period, shipments: b.cumulative(truth, period.end) - b.cumulative(truth, period.start), where: period.label };
  });
  const fixed = { 0: Math.log(truth.m), 1: Math.log(truth.p) };
  const s = 0.1;
  const lnQ = Math.log(truth.q);
  const mapQ = (o: Observation[], tau: number) => fitGrowth(b, o, launch, { fixed, penalty: { priors: [{ index: 2, mean: lnQ + 0.05, sd: tau }], noiseSd: s } });
  /** J'J of log period sales with respect to ln q at the truth, by central differences (independent of the fit). */
  const jtj = (o: Observation[]): number => {
    const h = 1e-5;
    const f = (lq: number): number[] => periodShipments(b, { ...truth, q: Math.exp(lq) }, o).map(Math.log);
    const up = f(lnQ + h);
    const dn = f(lnQ - h);
    return up.reduce((acc, u, i) => acc + ((u - dn[i]!) / (2 * h)) ** 2, 0);
  };

  it('is the precision-weighted mean of the data and the prior (to first order), with the posterior variance', () => {
    for (const [years, tau] of [[3, 0.05], [3, 0.2], [6, 0.05]] as const) {
      const o = obs(years);
      const wData = jtj(o) / s ** 2;
      const wPrior = 1 / tau ** 2;
      const fit = mapQ(o, tau);
      // Exact data put the data's own estimate at ln q = ln 1.2; the prior sits 0.05 above it.
      const expected = lnQ + (0.05 * wPrior) / (wData + wPrior);
      expect(Math.log(fit.params.q!)).toBeCloseTo(expected, 3);
      expect(fit.covariance![0]![0]).toBeCloseTo(1 / (wData + wPrior), 4);
      expect(fit.dof).toBe(years - 1 + 1);
    }
  });

  it('pulls harder toward the prior when data are few or the prior is tight', () => {
    const shift = (years: number, tau: number): number => Math.log(mapQ(obs(years), tau).params.q!) - lnQ;
    // More years of data -> less pull; a tighter prior -> more pull; all between the data (0) and the prior (0.05).
    expect(shift(3, 0.05)).toBeGreaterThan(shift(6, 0.05));
    expect(shift(3, 0.05)).toBeGreaterThan(shift(3, 0.2));
    for (const v of [shift(3, 0.05), shift(6, 0.05), shift(3, 0.2)]) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(0.05);
    }
  });

  it('without a penalty gives exactly the plain fit', () => {
    const o = obs(5);
    const a = fitGrowth(b, o, launch, { fixed });
    const c = fitGrowth(b, o, launch, { fixed, penalty: { priors: [], noiseSd: s } });
    expect(c.theta).toEqual(a.theta);
    expect(c.dof).toBe(a.n - a.k);
  });

  it('names a bad prior sd', () => {
    expect(() => fitGrowth(b, obs(4), launch, { fixed, penalty: { priors: [{ index: 2, mean: 0, sd: 0 }], noiseSd: s } })).toThrow(/prior sd 0 of parameter q must be positive/);
  });
});

describe('data/analogues.json', () => {
  const raw = JSON.parse(readFileSync(new URL('../../../data/analogues.json', import.meta.url), 'utf8')) as unknown;

  it('validates, every figure sourced; Bass fits each analogue with p and q inside their bounds', () => {
    const data = parseWith(AnaloguesSchema, raw, 'data/analogues.json');
    for (const a of data.analogues) for (const p of a.periods) expect(p.source.length).toBeGreaterThan(10);
    const prior = analoguePrior(data);
    expect(prior.analogues.map((a) => a.id)).toEqual(['apple-iphone', 'samsung-smartphones', 'huawei-smartphones']);
    for (const a of prior.analogues) {
      expect(a.p).toBeGreaterThan(1e-4);
      expect(a.p).toBeLessThan(0.1);
      expect(a.q).toBeGreaterThan(0.1);
      expect(a.q).toBeLessThan(3);
    }
    console.log(`analogue prior: p ${prior.p.median.toFixed(5)} (sd ln ${prior.p.sdLn.toFixed(3)}), q ${prior.q.median.toFixed(4)} (sd ln ${prior.q.sdLn.toFixed(3)})`);
  });

  it('lists every problem with its JSON path', () => {
    const bad = {
      schema: 'caplab.analogues/v1',
      analogues: [
        { id: 'x', maker: 'X', product: 'x', launch: 2010, periods: [
          { period: 'FY2011', units: 1, source: 's' },
          { period: '2012', start: 2012, units: 1, source: 's' },
          { period: '2009', units: 1, source: 's' },
          { period: '2013', units: -5, source: '' },
        ] },
      ],
    };
    try {
      parseWith(AnaloguesSchema, bad, 'a.json');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      const where = (err as ValidationError).problems.map((p) => p.where);
      expect(where).toEqual(expect.arrayContaining([
        'a.json: analogues',
        'a.json: analogues[0].periods[0].period',
        'a.json: analogues[0].periods[1].end',
        'a.json: analogues[0].periods[3].units',
        'a.json: analogues[0].periods[3].source',
      ]));
    }
  });
});
