import { describe, expect, it } from 'vitest';
import { compareRoutings } from '../../../models/routing/compare.ts';
import { residencyFor } from '../../../models/routing/residency.ts';
import { dcByCountry, routeCountries } from '../../../models/routing/route.ts';
import { rttBand } from '../../../models/routing/rtt.ts';
import { PlacementSchema, ResidencySchema, RttSchema } from '../../../models/routing/settings.ts';
import { builtInWorld } from '../../../cli/inputs/world.ts';

// The built-in world (data/world.json), resolved as every command reads it.
const { rtt, residency, placements } = builtInWorld().world;
const countries = ['CN', 'HK', 'TW', 'SG', 'MY', 'PH', 'ID', 'TH', 'VN', 'IN', 'BR', 'US'];

describe('routeCountries on the shipped data', () => {
  it('seed-4dc respects every residency rule and serves each country from its nearest allowed DC', () => {
    const r = routeCountries(placements['seed-4dc']!, countries, rtt, residency);
    expect(r.violations).toEqual([]);
    const by = dcByCountry(r);
    expect(by).toMatchObject({ CN: 'beijing', SG: 'singapore', IN: 'singapore', US: 'us-west-1', BR: 'us-west-2' });
    for (const route of r.countries) {
      const { dcs } = residencyFor(residency, route.country);
      const allowedInService = placements['seed-4dc']!.dcs.filter((d) => dcs.includes(d));
      const best = Math.min(...allowedInService.map((d) => rttBand(rtt, d, route.country).p50));
      expect(route.rttMs.p50).toBe(best);
      expect(route.allowed).toBe(true);
    }
  });

  it('beijing-only lists a breach for every country whose data must leave Beijing', () => {
    const r = routeCountries(placements['beijing-only']!, countries, rtt, residency);
    expect(r.violations.map((v) => v.country)).toEqual(countries.filter((c) => c !== 'CN'));
    expect(r.violations[0]).toMatchObject({ dc: 'beijing', rule: 'international-data-out-of-beijing' });
    expect(r.countries.every((c) => c.dc === 'beijing')).toBe(true);
  });

  it('a forced assignment that breaks residency is served as asked and reported', () => {
    const p = PlacementSchema.parse({ name: 'cn-abroad', dcs: ['beijing', 'singapore'], assign: { CN: 'singapore' } });
    const r = routeCountries(p, ['CN', 'SG'], rtt, residency);
    expect(r.countries[0]).toMatchObject({ dc: 'singapore', reason: 'assigned', allowed: false });
    expect(r.violations).toEqual([{ country: 'CN', dc: 'singapore', rule: 'cn-data-stays-in-mainland', allowedDcs: ['beijing'] }]);
  });

  it('rejects an assignment to a DC outside the placement, naming the path', () => {
    const res = PlacementSchema.safeParse({ name: 'x', dcs: ['beijing'], assign: { SG: 'singapore' } });
    expect(res.success).toBe(false);
    expect(res.error!.issues[0]!.path).toEqual(['assign', 'SG']);
  });

  it('p95 RTT is the median times e^(1.645 sigma) (lognormal jitter of data/rtt.json)', () => {
    const b = rttBand(rtt, 'singapore', 'ID');
    expect(b.p50).toBe(20);
    expect(b.p95).toBeCloseTo(20 * Math.exp(1.6448536 * rtt.jitter.sigma), 1);
    expect(rttBand(rtt, 'beijing', 'ZZ').p50).toBe(rtt.dcs.beijing!.default);
    expect(() => rttBand(rtt, 'mars', 'CN')).toThrow(/mars/);
  });
});

describe('compareRoutings', () => {
  it('weights RTT by device counts (hand-computed) and counts breaches', () => {
    const before = routeCountries(placements['beijing-only']!, ['CN', 'SG'], rtt, residency);
    const after = routeCountries(placements['seed-4dc']!, ['CN', 'SG'], rtt, residency);
    const c = compareRoutings(before, after, { CN: 3, SG: 1 });
    // before: CN 30, SG 95 -> (3*30 + 95)/4 = 46.25; after: CN 30, SG 5 -> (90 + 5)/4 = 23.75
    expect(c.weightedMean.before.p50).toBe(46.3);
    expect(c.weightedMean.after.p50).toBe(23.8);
    expect(c.violations).toEqual({ before: 1, after: 0 });
    expect(() => compareRoutings(before, after, {})).toThrow(/sum to 0/);
  });
});
