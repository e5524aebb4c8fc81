/**
 * The rolling-origin backtest on data/history.json (7 periods): every prefix from 3 periods forecasts the next 1-4,
 * so each model makes 4 + 3 + 2 + 1 = 10 forecasts; each is scored from its own p10/p50/p90 and draws, the model
 * scores are the means of its evaluations, and the same seed gives the same scores.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadGrowthSettings } from '../../../cli/data.ts';
import { backtestGrowth } from '../../../models/growth/backtest.ts';
import { parseHistoryJson } from '../../../models/growth/history.ts';
import { pinballLoss } from '../../../models/growth/scores.ts';

const settings = loadGrowthSettings();
const history = parseHistoryJson(JSON.parse(readFileSync(new URL('../../../data/history.json', import.meta.url), 'utf8')), 'data/history.json');
const run = (seed: number) => backtestGrowth(history, settings, { models: ['logistic', 'gompertz'], draws: 60, seed });

describe('backtestGrowth', () => {
  const r = run(1);

  it('forecasts the next 1-4 periods from every prefix of 3 or more', () => {
    const g = r.evaluations.filter((e) => e.model === 'gompertz');
    expect(g.map((e) => `${e.fittedThrough}>${e.target}+${e.ahead}`)).toEqual([
      '2013H1>2013H2+1', '2013H1>2014Q1+2', '2013H1>2014Q2+3', '2013H1>2014H2+4',
      '2013H2>2014Q1+1', '2013H2>2014Q2+2', '2013H2>2014H2+3',
      '2014Q1>2014Q2+1', '2014Q1>2014H2+2',
      '2014Q2>2014H2+1',
    ]);
    expect(g.map((e) => e.observed)).toEqual([11.67e6, 11e6, 15.1e6, 35e6, 11e6, 15.1e6, 35e6, 15.1e6, 35e6, 35e6]);
  });

  it('scores each forecast from its own quantiles, and each model by the means', () => {
    for (const e of r.evaluations) {
      expect(e.p10).toBeLessThanOrEqual(e.p50);
      expect(e.p50).toBeLessThanOrEqual(e.p90);
      expect(e.covered).toBe(e.p10 <= e.observed && e.observed <= e.p90);
      const y = e.observed;
      expect(e.pinball).toBeCloseTo((pinballLoss(0.1, e.p10, y) + pinballLoss(0.5, e.p50, y) + pinballLoss(0.9, e.p90, y)) / 3 / y, 12);
      expect(e.ape).toBeCloseTo(Math.abs(e.p50 - y) / y, 12);
      expect(e.crps).toBeGreaterThanOrEqual(0);
    }
    for (const s of r.scores) {
      const e = r.evaluations.filter((x) => x.model === s.model);
      expect(s.evaluations).toBe(10);
      expect(s.coverage80).toBeCloseTo(e.filter((x) => x.covered).length / 10, 12);
      expect(s.mapePct).toBeCloseTo((100 * e.reduce((t, x) => t + x.ape, 0)) / 10, 9);
    }
  });

  it('is seeded: the same seed gives the same scores, another seed other draws', () => {
    expect(run(1)).toEqual(r);
    expect(run(2).evaluations[0]!.p90).not.toBe(r.evaluations[0]!.p90);
  });

  it('refuses a history too short to score', () => {
    expect(() => backtestGrowth({ ...history, observations: history.observations.slice(0, 3) }, settings, { models: ['logistic'], draws: 10, seed: 1 })).toThrow(/nothing to score/);
  });
});
