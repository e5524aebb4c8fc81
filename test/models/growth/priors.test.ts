/**
 * forecast.json says which priors were used and from what (priors.marketPotential, priors.bassAnalogues), the
 * forecast file reader accepts files with and without them and rejects a wrong schema, and a forecast with the
 * analogue prior is reproducible to the byte.
 */
import { describe, expect, it } from 'vitest';
import { computeForecast } from '../../../cli/chain.ts';
import { forecastJson } from '../../../cli/commands/forecast.ts';
import { loadGrowthSettings } from '../../../cli/data.ts';
import { ValidationError } from '../../../models/errors.ts';
import { buildForecast } from '../../../models/growth/forecast.ts';
import { ForecastFileSchema } from '../../../models/growth/forecast-file.ts';
import { parsePeriod } from '../../../models/quarter.ts';
import type { Forecast } from '../../../models/types.ts';
import { parseWith } from '../../../models/validation.ts';
import { builtInWorld } from '../../../cli/inputs/world.ts';

describe('forecast.json priors', () => {
  const plain = computeForecast({ draws: 50 }, 1);
  const withAnalogues = computeForecast({ draws: 50, analogues: true }, 1);

  it('records the market-potential prior, its basis and that no model needed it on the bundled history', async () => {
    const mp = (await plain).priors!.marketPotential;
    expect(mp.median).toBe(650550000); // 5% x 1,301.1M x 10 years
    expect(mp.p90).toBe(1040880000); // 8% x 1,301.1M x 10 years
    expect(mp.usedBy).toEqual([]); // all three models identify m on 7 periods
    expect(mp.basis).toMatchObject({ series: 'world-idc', publisher: 'IDC', lifetimeYears: 10, annualUnits: 1301.1e6, share: { median: 0.05, p90: 0.08 } });
    expect((mp.basis.figures as { source: string }[])[0]!.source).toMatch(/IDC press release, 2015-01-29/);
    expect((await plain).priors!.bassAnalogues).toBeUndefined();
  });

  it('names the candidates that fixed m from the prior', () => {
    // Four yearly periods: n < k + 2 for every model, so each fixes m from the prior.
    const observations = [['2011', 1e6], ['2012', 3e6], ['2013', 8e6], ['2014', 18e6]].map(([label, shipments]) => ({ period: parsePeriod(label as string)!, shipments: shipments as number, where: label as string }));
    const f = buildForecast({
      history: { source: 'test', observations, launch: 2011 }, settings: loadGrowthSettings(), regions: builtInWorld().world.regions,
      model: 'auto', target: 100e6, targetYear: 2015, horizon: '2016Q4', draws: 20, seed: 1,
    });
    expect(f.priors!.marketPotential.usedBy).toEqual(['logistic', 'bass', 'gompertz']);
    for (const c of f.candidates) expect(c.fixedFromPrior).toEqual(['m']);
    expect(f.model.params.m).toBeCloseTo(650550000, -2);
  });

  it('with --analogues records the analogues, their p and q, the prior and that Bass used it', async () => {
    const f = await withAnalogues;
    const ba = f.priors!.bassAnalogues!;
    expect(ba.analogues.map((a) => a.id)).toEqual(['apple-iphone', 'samsung-smartphones', 'huawei-smartphones']);
    expect(ba.usedBy).toEqual(['bass']);
    // Geometric mean of the analogues' p and q, as recorded per analogue.
    const geo = (v: number[]): number => Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length);
    expect(ba.p.median / geo(ba.analogues.map((a) => a.p)) - 1).toBeCloseTo(0, 4);
    expect(ba.q.median / geo(ba.analogues.map((a) => a.q)) - 1).toBeCloseTo(0, 4);
    expect(ba.noiseSd).toBeGreaterThan(0);
    // The Bass candidate moved toward the analogues' q (below the plain fit's 1.69).
    const bass = f.candidates.find((c) => c.model === 'bass')!;
    const plainBass = (await plain).candidates.find((c) => c.model === 'bass')!;
    expect(bass.params.q!).toBeLessThan(plainBass.params.q!);
    expect(bass.params.q!).toBeGreaterThan(ba.q.median);
  });

  it('is reproducible: the same seed gives the same bytes with the analogue prior', async () => {
    const again = await computeForecast({ draws: 50, analogues: true }, 1);
    expect(forecastJson(again)).toBe(forecastJson(await withAnalogues));
  });

  it('the reader accepts files with the priors and files written before them, and rejects another schema', async () => {
    const f = JSON.parse(forecastJson(await withAnalogues)) as Forecast;
    expect(() => parseWith(ForecastFileSchema, f, 'forecast.json')).not.toThrow();
    const old = { ...f } as Partial<Forecast>;
    delete old.priors;
    expect(() => parseWith(ForecastFileSchema, old, 'old.json')).not.toThrow();
    const wrong = { ...f, schema: 'caplab.plan/v1' };
    expect(() => parseWith(ForecastFileSchema, wrong, 'x.json')).toThrow(ValidationError);
    const badPrior = { ...f, priors: { ...f.priors, marketPotential: { ...f.priors!.marketPotential, p90: 1 } } };
    try {
      parseWith(ForecastFileSchema, badPrior, 'f.json');
      expect.unreachable();
    } catch (err) {
      expect((err as ValidationError).problems.map((p) => p.where)).toContain('f.json: priors.marketPotential.p90');
    }
  });
});
