import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadGrowthSettings } from '../../../cli/data.ts';
import { ValidationError } from '../../../models/errors.ts';
import { type Market, MarketSchema } from '../../../models/growth/market.ts';
import { deriveMarketPrior } from '../../../models/growth/market-prior.ts';
import { parseWith } from '../../../models/validation.ts';

const market = (series: Market['series']): Market => ({ schema: 'caplab.market/v1', series });
const toy = market([
  { id: 'world-x', market: 'world', publisher: 'X', measure: 'shipments', figures: [{ year: 2013, units: 1000e6, source: 's' }, { year: 2014, units: 1200e6, source: 't' }] },
]);

describe('deriveMarketPrior (hand-computed)', () => {
  it('m = share x mean yearly market over the reference years x lifetime years', () => {
    const p = deriveMarketPrior(toy, { series: 'world-x', referenceYears: [2013, 2014], lifetimeYears: 10, share: { median: 0.05, p90: 0.08 } });
    // Mean of 1,000M and 1,200M = 1,100M/year; x 10 years = 11,000M; x 5% = 550M; x 8% = 880M.
    expect(p.basis.annualUnits).toBe(1100e6);
    expect(p.basis.lifetimeMarket).toBe(11000e6);
    expect(p.median).toBeCloseTo(550e6, 0);
    expect(p.p90).toBeCloseTo(880e6, 0);
    // sd of ln m: ln(0.08 / 0.05) / 1.2816 = 0.4700 / 1.2816 = 0.36674.
    expect(p.sdLn).toBeCloseTo(0.36674, 4);
    expect(p.basis.figures.map((f) => f.source)).toEqual(['s', 't']);
  });

  it('names the bad value: unknown series, missing year, lifetime, share', () => {
    const a = { series: 'world-x', referenceYears: [2014], lifetimeYears: 10, share: { median: 0.05, p90: 0.08 } };
    expect(() => deriveMarketPrior(toy, { ...a, series: 'china-x' })).toThrow(/series "china-x" is not in the market data \(have world-x\)/);
    expect(() => deriveMarketPrior(toy, { ...a, referenceYears: [2015] })).toThrow(/no figure for reference year 2015 \(has 2013, 2014\)/);
    expect(() => deriveMarketPrior(toy, { ...a, referenceYears: [] })).toThrow(/referenceYears is empty/);
    expect(() => deriveMarketPrior(toy, { ...a, lifetimeYears: 0 })).toThrow(/lifetimeYears 0 must be positive/);
    expect(() => deriveMarketPrior(toy, { ...a, share: { median: 1.5, p90: 2 } })).toThrow(/share median 1.5 must lie in \(0, 1\]/);
    expect(() => deriveMarketPrior(toy, { ...a, share: { median: 0.05, p90: 0.04 } })).toThrow(/share p90 0.04 must lie above the median 0.05/);
  });
});

describe('data/market.json and the bundled prior', () => {
  const raw = JSON.parse(readFileSync(new URL('../../../data/market.json', import.meta.url), 'utf8')) as unknown;

  it('validates, and every figure names its source', () => {
    const m = parseWith(MarketSchema, raw, 'data/market.json');
    for (const s of m.series) for (const f of s.figures) expect(f.source.length).toBeGreaterThan(10);
    // IDC's announced world shipments, 2011-2015.
    expect(m.series.find((s) => s.id === 'world-idc')!.figures.map((f) => f.units)).toEqual([491.4e6, 722.4e6, 1004.2e6, 1301.1e6, 1432.9e6]);
  });

  it('derives the growth.json prior: 5% (p90 8%) of IDC 2014 world shipments (1,301.1M) over 10 years', () => {
    const p = loadGrowthSettings().marketPotentialPrior;
    expect(p.basis.series).toBe('world-idc');
    expect(p.median).toBeCloseTo(0.05 * 1301.1e6 * 10, 0); // 650.55M
    expect(p.p90).toBeCloseTo(0.08 * 1301.1e6 * 10, 0); // 1,040.88M
    expect(p.reasoning).toMatch(/world/);
  });

  it('lists every problem of a bad market file with its JSON path', () => {
    const bad = {
      schema: 'caplab.market/v1',
      series: [
        { id: 'World IDC', market: 'world', publisher: 'IDC', measure: 'shipments', figures: [{ year: 2014, units: -1, source: '' }] },
        { id: 'a', market: 'world', publisher: 'IDC', measure: 'shipments', figures: [{ year: 2014, units: 1, source: 's' }, { year: 2014, units: 2, source: 's' }] },
      ],
    };
    try {
      parseWith(MarketSchema, bad, 'data/market.json');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      const where = (err as ValidationError).problems.map((p) => p.where);
      expect(where).toEqual(expect.arrayContaining([
        'data/market.json: series[0].id',
        'data/market.json: series[0].figures[0].units',
        'data/market.json: series[0].figures[0].source',
        'data/market.json: series[1].figures[1].year',
      ]));
    }
  });

  it('rejects a file of another schema clearly', () => {
    expect(() => parseWith(MarketSchema, { schema: 'caplab.history/v1', series: [] }, 'm.json')).toThrow(ValidationError);
    try {
      parseWith(MarketSchema, { schema: 'caplab.history/v1', series: [] }, 'm.json');
    } catch (err) {
      expect((err as ValidationError).problems[0]!.where).toBe('m.json: schema');
    }
  });
});
