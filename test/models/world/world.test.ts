/**
 * caplab.world/v1: the schema lists every problem at once with its path; a world resolves into the documents the
 * stages read (countries and regions, RTT per site with region figures expanded, residency, placements, fleet,
 * horizon); the built-in story (data/world.json) goes through the same schema and resolution.
 */
import { describe, expect, it } from 'vitest';
import { builtInWorld } from '../../../cli/inputs/world.ts';
import { WorldSchema } from '../../../models/world/schema.ts';
import { profileProblems, resolveWorld } from '../../../models/world/world.ts';
import { formatPath } from '../../../models/validation.ts';

const base = {
  schema: 'caplab.world/v1', name: 'Tidepool Ledger', currency: 'EUR',
  regions: { 'west-africa': 'West Africa' },
  countries: [
    { code: 'NG', name: 'Nigeria', region: 'west-africa', timeZone: 'Africa/Lagos', share: 0.6 },
    { code: 'GH', name: 'Ghana', region: 'west-africa', timeZone: 'Africa/Accra', share: 0.15 },
    { code: 'PT', name: 'Portugal', timeZone: 'Europe/Lisbon', share: 0.25 },
  ],
  sites: {
    harbor: { label: 'Harbor', pricePerNodeMonth: 210, rttMs: { NG: 15, GH: 35, default: 140 } },
    cliff: { label: 'Cliff', pricePerNodeMonth: 260, rttMs: { PT: 10, 'west-africa': 110, default: 120 } },
  },
  fleet: { asOf: '2026Q4', nodes: { harbor: 2 }, peakUtilization: 0.4 },
  horizon: { first: '2027Q1', periods: 8, unit: 'quarters' },
  driver: { kind: 'peak-rps', peakRps: 40, growthPerPeriod: { low: 0.03, mid: 0.06, high: 0.1 } },
};

const problems = (value: unknown): string[] => {
  const r = WorldSchema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
};

describe('caplab.world/v1 schema', () => {
  it('accepts a two-site world with a peak-rps driver', () => {
    expect(problems(base)).toEqual([]);
  });

  it('lists every problem at once, shape and cross-references, each with its path', () => {
    const bad = {
      ...base,
      countries: [...base.countries, { code: 'NG', name: 'Nigeria again', region: 'atlantis', timeZone: 'Africa/Lagos', share: 0.1 }],
      sites: { ...base.sites, cliff: { ...base.sites.cliff, rttMs: { PT: 10, FR: 30 }, pricePerNodeMonth: -1 } },
      residency: { rules: [{ name: 'pt', countries: ['PT'], sites: ['lisbon'], source: 'contract' }] },
      fleet: { asOf: '2027Q3', nodes: { harbor: 2, mars: 1 } },
      horizon: { first: '2027Q1', periods: 8, unit: 'months' },
      driver: { kind: 'peak-rps', peakRps: 40, growthPerPeriod: { low: 0.1, mid: 0.06, high: 0.05 } },
    };
    const where = problems(bad).map((p) => p.split(': ')[0]);
    // The shape's problems (a negative price, months, growth out of order) and the cross-references (a duplicate
    // country, an unknown region, a missing default RTT and an RTT for an unknown country, an unknown site in a rule
    // and in the fleet, a non-catch-all last rule) are all listed in one pass.
    expect(where).toEqual(expect.arrayContaining([
      'sites.cliff.pricePerNodeMonth', 'horizon.unit', 'driver.growthPerPeriod.mid', 'driver.growthPerPeriod.high',
      'countries[3].code', 'countries[3].region', 'sites.cliff.rttMs.default', 'sites.cliff.rttMs.FR',
      'residency.rules[0].sites[0]', 'residency.rules[0].countries', 'fleet.nodes.mars',
    ]));
  });

  it('checks the fleet and the load period against the horizon, and a forecast driver\'s countries', () => {
    expect(problems({ ...base, fleet: { ...base.fleet, asOf: '2027Q2' } })).toEqual(['fleet.asOf: today\'s fleet must be as of 2027Q1 (the horizon\'s first period) or before']);
    expect(problems({ ...base, horizon: { ...base.horizon, loadPeriod: '2029Q1' } })).toEqual(['horizon.loadPeriod: must lie within the horizon']);
    const forecast = { ...base, driver: { kind: 'forecast', history: 'h.csv', unit: { one: 'ledger', many: 'ledgers' }, target: { yearly: 1e6, year: 2028 }, baseYear: 2027 } };
    expect(problems(forecast)).toEqual(['countries[0]: a forecast driver needs each country\'s trend and launch',
      'countries[1]: a forecast driver needs each country\'s trend and launch', 'countries[2]: a forecast driver needs each country\'s trend and launch']);
  });
});

describe('resolveWorld', () => {
  const w = resolveWorld(WorldSchema.parse(base), 'world.yaml', ['app-8vcpu']);

  it('expands a region\'s RTT to its countries, a country\'s own figure winning, and keeps the default', () => {
    expect(w.rtt.dcs.cliff).toEqual({ default: 120, NG: 110, GH: 110, PT: 10 });
    expect(w.rtt.dcs.harbor).toEqual({ default: 140, NG: 15, GH: 35 });
  });

  it('gives a country without a region one of its own, every site a placement, every site a fleet count', () => {
    expect(w.regions.regions).toEqual({ 'west-africa': 'West Africa', pt: 'Portugal' });
    expect(w.regions.countries.find((c) => c.code === 'PT')).toMatchObject({ region: 'pt', locale: 'en', callingCode: '1' });
    expect(w.placements).toEqual({ all: { name: 'all', description: 'every site of Tidepool Ledger', dcs: ['harbor', 'cliff'] } });
    expect(w.placement).toBe('all');
    expect(w.fleet).toEqual({ schema: 'caplab.fleet/v1', asOf: '2026Q4', nodes: { harbor: 2, cliff: 0 }, peakUtilization: 0.4 });
    expect(w.residency.rules).toEqual([expect.objectContaining({ countries: '*', dcs: ['harbor', 'cliff'] })]);
    expect(w.horizon).toEqual({ periods: ['2027Q1', '2027Q2', '2027Q3', '2027Q4', '2028Q1', '2028Q2', '2028Q3', '2028Q4'], loadPeriod: '2027Q1' });
  });

  it('names every site whose node profile data/hardware.json lacks, with its path', () => {
    const doc = WorldSchema.parse({ ...base, sites: { ...base.sites, cliff: { ...base.sites.cliff, profile: 'big-iron' } } });
    expect(profileProblems(doc, 'world.yaml', ['app-8vcpu'])).toEqual([
      { where: 'world.yaml: sites.cliff.profile', message: 'unknown node profile "big-iron" (data/hardware.json defines app-8vcpu)' },
    ]);
    expect(profileProblems(WorldSchema.parse(base), 'world.yaml', ['app-8vcpu'])).toEqual([]);
  });

  it('reads the built-in story through the same schema: data/world.json', () => {
    const b = builtInWorld().world;
    expect(Object.keys(b.sites)).toEqual(['beijing', 'singapore', 'us-west-1', 'us-west-2']);
    expect(b.placement).toBe('seed-4dc');
    expect(b.baseline).toBe('beijing-only');
    expect(b.horizon.periods[0]).toBe('2015Q1');
    expect(b.horizon.periods.at(-1)).toBe('2017Q4');
    expect(b.fleet.nodes.beijing).toBe(420);
    expect(b.driver.kind).toBe('forecast');
  });
});
