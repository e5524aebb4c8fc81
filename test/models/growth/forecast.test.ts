import { describe, expect, it } from 'vitest';
import { loadDefaults, loadGrowthSettings } from '../../../cli/data.ts';
import { loadHistory } from '../../../cli/inputs/history.ts';
import { ValidationError } from '../../../models/errors.ts';
import { buildForecast, type ForecastInput } from '../../../models/growth/forecast.ts';
import { activeDevices, survivalByLag } from '../../../models/growth/survival.ts';
import type { Band, Forecast } from '../../../models/types.ts';
import { builtInWorld } from '../../../cli/inputs/world.ts';

// The same inputs `caplab forecast` builds (cli/chain.ts computeForecast, pipeline/forecast.ts) from data/.
const defaults = loadDefaults();
const settings = loadGrowthSettings();
const regions = builtInWorld().world.regions;
const history = await loadHistory(undefined);
const baseInput: ForecastInput = {
  history,
  settings,
  regions,
  model: defaults.forecast.model,
  // The built-in world's target and horizon (data/world.json driver.target, horizon).
  target: 100_000_000,
  targetYear: 2015,
  horizon: '2017Q4',
  draws: defaults.forecast.draws,
  seed: defaults.seed,
};
const forecast = (over: Partial<ForecastInput> = {}): Forecast => buildForecast({ ...baseInput, ...over });

const f = forecast();

function bandsOf(q: Forecast['quarters'][number]): [string, Band][] {
  return [
    ['shipments', q.shipments],
    ['trailingYearShipments', q.trailingYearShipments],
    ['activeDevices', q.activeDevices],
    ...Object.entries(q.byRegion).map(([k, b]) => [`byRegion.${k}`, b] as [string, Band]),
    ...Object.entries(q.byCountry).map(([k, b]) => [`byCountry.${k}`, b] as [string, Band]),
  ];
}

describe('buildForecast on data/ (default settings)', () => {
  it('covers the quarters from the first observed period to the horizon, history then forecast', () => {
    expect(f.schema).toBe('caplab.forecast/v1');
    expect(f.horizon).toEqual({ first: '2011Q1', last: '2017Q4' });
    expect(f.quarters).toHaveLength(28);
    expect(f.quarters[0]!.quarter).toBe('2011Q1');
    expect(f.quarters.at(-1)!.quarter).toBe('2017Q4');
    expect(f.quarters.filter((q) => q.kind === 'history').map((q) => q.quarter).at(-1)).toBe('2014Q4');
    expect(f.quarters.findIndex((q) => q.kind === 'forecast')).toBe(16);
    expect(f.history.periods).toHaveLength(7);
    expect(f.uncertainty.draws).toBe(500);
  });

  it('reports the chosen model with its fit quality and every candidate', () => {
    console.log(`forecast model ${f.model.model} (${f.model.selection}) fit ${JSON.stringify(f.model.fit)}`);
    expect(f.candidates.map((c) => c.model)).toEqual(['logistic', 'bass', 'gompertz']);
    const best = Math.min(...f.candidates.map((c) => c.fit.aicc!));
    expect(f.model.fit.aicc).toBe(best);
    expect(f.candidates.reduce((s, c) => s + c.akaikeWeight!, 0)).toBeCloseTo(1, 3);
    expect(f.model.fit.r2).toBeGreaterThan(0.9);
    expect(Number.isFinite(f.model.fit.rmse)).toBe(true);
    expect(Object.keys(f.model.params).length).toBe(3);
  });

  it('has p10 <= p50 <= p90 for every band in every quarter', () => {
    let checked = 0;
    for (const q of f.quarters) {
      for (const [name, b] of bandsOf(q)) {
        expect(b.p10, `${q.quarter} ${name}`).toBeLessThanOrEqual(b.p50);
        expect(b.p50, `${q.quarter} ${name}`).toBeLessThanOrEqual(b.p90);
        expect(b.p10, `${q.quarter} ${name}`).toBeGreaterThanOrEqual(0);
        checked++;
      }
    }
    expect(checked).toBe(28 * (3 + Object.keys(regions.regions).length + regions.countries.length));
    // Uncertainty is real: the forecast quarters have a spread.
    const q2016 = f.quarters.find((q) => q.quarter === '2016Q4')!;
    expect(q2016.activeDevices.p90).toBeGreaterThan(q2016.activeDevices.p10);
  });

  it('never has more active devices than phones shipped so far (per band, with slack for the split)', () => {
    let cum10 = 0;
    let cum90 = 0;
    for (const q of f.quarters) {
      cum10 += q.shipments.p10;
      cum90 += q.shipments.p90;
      expect(q.activeDevices.p50, q.quarter).toBeLessThanOrEqual(cum90);
      expect(q.activeDevices.p10, q.quarter).toBeLessThanOrEqual(Math.max(cum90, cum10));
    }
  });

  it('splits active devices by country and region that sum to the total p50 (within 3%)', () => {
    for (const q of f.quarters.filter((x) => x.activeDevices.p50 > 1e6)) {
      const countries = Object.values(q.byCountry).reduce((s, b) => s + b.p50, 0);
      const regionsSum = Object.values(q.byRegion).reduce((s, b) => s + b.p50, 0);
      expect(Math.abs(countries / q.activeDevices.p50 - 1), q.quarter).toBeLessThan(0.03);
      expect(Math.abs(regionsSum / q.activeDevices.p50 - 1), q.quarter).toBeLessThan(0.03);
    }
    expect(Object.keys(f.quarters[0]!.byCountry).sort()).toEqual(regions.countries.map((c) => c.code).sort());
    expect(Object.keys(f.quarters[0]!.byRegion).sort()).toEqual(Object.keys(regions.regions).sort());
  });

  it('keeps probabilities in [0, 1] and milestones consistent with the quarters', () => {
    for (const q of f.quarters) {
      expect(q.pTargetReached).toBeGreaterThanOrEqual(0);
      expect(q.pTargetReached).toBeLessThanOrEqual(1);
    }
    expect(f.target.pReachedInYear).toBe(f.quarters.find((q) => q.quarter === '2015Q4')!.pTargetReached);
    const p50q = f.activeBase.p50Quarter;
    if (p50q !== null) {
      const i = f.quarters.findIndex((q) => q.quarter === p50q);
      expect(f.quarters[i]!.activeDevices.p50).toBeGreaterThanOrEqual(f.target.yearlyShipments);
      if (i > 0) expect(f.quarters[i - 1]!.activeDevices.p50).toBeLessThan(f.target.yearlyShipments);
    }
  });
});

describe('buildForecast reproducibility', () => {
  it('gives identical JSON for the same seed', () => {
    const a = forecast({ draws: 200, seed: 9 });
    const b = forecast({ draws: 200, seed: 9 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('gives different bands for a different seed', () => {
    const a = forecast({ draws: 200, seed: 9 });
    const b = forecast({ draws: 200, seed: 10 });
    expect(b.seed).toBe(10);
    expect(JSON.stringify(a.quarters)).not.toBe(JSON.stringify(b.quarters));
  });
});

describe('buildForecast with a single draw (bands collapse to that draw)', () => {
  it.each(['auto', 'bass'] as const)('model %s: trailing year = last 4 quarters, active = survival convolution of the shipments', (model) => {
    const one = forecast({ draws: 1, model });
    const ship = one.quarters.map((q) => q.shipments.p50);
    one.quarters.forEach((q, i) => {
      expect(q.shipments.p10).toBe(q.shipments.p90);
      const trailing = ship.slice(Math.max(0, i - 3), i + 1).reduce((s, v) => s + v, 0);
      expect(Math.abs(q.trailingYearShipments.p50 - trailing)).toBeLessThanOrEqual(2);
    });
    // Every phone shipped is counted as a device, decaying with the Weibull survival of data/growth.json.
    const expected = activeDevices(ship, survivalByLag(ship.length, settings.survival.medianYears, settings.survival.shape));
    one.quarters.forEach((q, i) => expect(Math.abs(q.activeDevices.p50 - expected[i]!), q.quarter).toBeLessThanOrEqual(50));
  });

  // Sales are counted from launch (2011.75): logistic and Gompertz would otherwise sell phones before it that never
  // become active devices (country shares are 0 before launch).
  it.each(['logistic', 'gompertz'] as const)('model %s: active = survival convolution of the shipments', (model) => {
    const one = forecast({ draws: 1, model });
    const ship = one.quarters.map((q) => q.shipments.p50);
    const expected = activeDevices(ship, survivalByLag(ship.length, settings.survival.medianYears, settings.survival.shape));
    one.quarters.forEach((q, i) => expect(Math.abs(q.activeDevices.p50 - expected[i]!), q.quarter).toBeLessThanOrEqual(50));
  });
});

describe('buildForecast input checks', () => {
  it('rejects a horizon that does not lie after the history, naming --horizon', () => {
    let err: unknown;
    try {
      forecast({ horizon: '2014Q4', draws: 10 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems).toEqual([{ where: '--horizon', message: expect.stringMatching(/2014Q4 must come after the last observed quarter 2014Q4/) }]);
    expect(forecast({ horizon: '2015Q1', draws: 10 }).quarters.at(-1)!.quarter).toBe('2015Q1');
  });
});
