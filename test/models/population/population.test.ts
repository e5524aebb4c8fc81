import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RegionsSchema } from '../../../models/growth/settings.ts';
import { ValidationError } from '../../../models/errors.ts';
import { buildPopulation } from '../../../models/population/population.ts';
import { DevicesSchema, UsageSchema } from '../../../models/population/settings.ts';
import type { Forecast } from '../../../models/types.ts';
import { realPopulation } from '../../helpers/population.ts';

const data = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../data/${name}`, import.meta.url), 'utf8'));
const devices = DevicesSchema.parse(data('devices.json'));
const usage = UsageSchema.parse(data('usage.json'));
const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);

/** A two-quarter forecast with one country: small enough to derive the device mix by hand. */
function tinyForecast(): Forecast {
  const band = (v: number) => ({ p10: v, p50: v, p90: v });
  const q = (quarter: string, ship: number, active: number) => ({
    quarter, kind: 'forecast' as const, shipments: band(ship), trailingYearShipments: band(ship), activeDevices: band(active),
    byRegion: { r: band(active) }, byCountry: { AA: band(active) }, pTargetReached: 0,
  });
  return {
    schema: 'caplab.forecast/v1', seed: 1,
    history: { source: 'test', launch: 2020, periods: [] },
    model: {} as Forecast['model'], candidates: [],
    uncertainty: { method: 'none', draws: 1, note: '', yearNoiseSd: null },
    assumptions: { seasonality: [1, 1, 1, 1], survival: { distribution: 'weibull', medianYears: 1000, shape: 1 } },
    target: { yearlyShipments: 1, year: 2020, pReachedInYear: 0, reachedQuarter: null, pReachedAtQuarter: null, pByYear: {} },
    activeBase: { threshold: 1, p10Quarter: null, p50Quarter: null, p90Quarter: null },
    horizon: { first: '2020Q1', last: '2020Q2' }, regions: { r: 'R' },
    quarters: [q('2020Q1', 100, 100), q('2020Q2', 300, 400)],
  };
}

const tinyRegions = RegionsSchema.parse({
  schema: 'caplab.regions/v1', baseYear: 2020, regions: { r: 'R' },
  countries: [{ code: 'AA', name: 'A-land', region: 'r', timeZone: 'UTC', locale: 'en', callingCode: '1', share: 1, trend: 0, launch: 2019 }],
});
const tinyDevices = DevicesSchema.parse({
  schema: 'caplab.devices/v1',
  models: [
    { model: 'A', launch: 2019.5, endOfSale: 2020.25, weight: 1 },
    { model: 'B', launch: 2020.25, endOfSale: 2021, weight: 1 },
  ],
  os: { decay: 0.5, supportYears: 0, versions: [{ version: 'v1', released: 2019 }, { version: 'v2', released: 2020.3 }] },
});

describe('buildPopulation', () => {
  it('mixes models by surviving vintage and OS releases by decay (hand-derived)', () => {
    const pop = buildPopulation({ forecast: tinyForecast(), quarter: '2020Q2', devices: tinyDevices, regions: tinyRegions, usage, seed: 1 });
    // Weibull shape 1, median 1000 y: S(a) = exp(-a ln2 / 1000). Q1 phones (model A) are 0.375 y old at the end of Q2,
    // Q2 phones (model B) 0.125 y. A ships with v1 and, with no support after its end of sale (2020.25), never gets v2
    // (released 2020.3). B ships with v1 and gets v2 by 2020.5: v2 weight 1, v1 weight 0.5 -> 2/3 and 1/3.
    const s = (a: number) => Math.exp((-a * Math.LN2) / 1000);
    const a = 100 * s(0.375);
    const b = 300 * s(0.125);
    const cells = Object.fromEntries(pop.countries[0]!.devices.map((d) => [`${d.model}/${d.osVersion}`, d.share]));
    expect(cells['A/v1']).toBeCloseTo(a / (a + b), 5);
    expect(cells['B/v2']).toBeCloseTo(((b / (a + b)) * 2) / 3, 5);
    expect(cells['B/v1']).toBeCloseTo(((b / (a + b)) * 1) / 3, 5);
    expect(cells['A/v2']).toBeUndefined();
    expect(pop.countries[0]!.share).toBe(1);
    expect(pop.activeDevices.p50).toBe(400);
  });

  it('rejects a quarter outside the forecast with a located problem', () => {
    const build = () => buildPopulation({ forecast: tinyForecast(), quarter: '2021Q1', devices: tinyDevices, regions: tinyRegions, usage, seed: 1 });
    expect(build).toThrow(ValidationError);
    try { build(); } catch (err) {
      expect((err as ValidationError).problems[0]).toMatchObject({ where: '--quarter' });
      expect((err as ValidationError).problems[0]!.message).toMatch(/2020Q1 to 2020Q2/);
    }
  });

  it('on the real data: shares sum to 1 and only launched models, released OS versions and launched countries appear', async () => {
    const pop = await realPopulation(1, '2014Q4');
    expect(pop.schema).toBe('caplab.population/v1');
    expect(sum(pop.countries.map((c) => c.share))).toBeCloseTo(1, 4);
    const end = 2015;
    for (const c of pop.countries) {
      expect(sum(c.devices.map((d) => d.share))).toBeCloseTo(1, 4);
      for (const d of c.devices) {
        expect(devices.models.find((m) => m.model === d.model)!.launch).toBeLessThan(end);
        expect(devices.os.versions.find((v) => v.version === d.osVersion)!.released).toBeLessThanOrEqual(end);
      }
    }
    // Brazil launched mid 2015 (data/regions.json): not in the 2014Q4 base.
    expect(pop.countries.map((c) => c.code)).not.toContain('BR');
    expect(pop.countries[0]!.code).toBe('CN');
    expect(pop.countries[0]!.share).toBeGreaterThan(0.85);
    expect(sum(Object.values(pop.deviceModels))).toBeCloseTo(1, 4);
    expect(sum(Object.values(pop.osVersions))).toBeCloseTo(1, 4);
  });

  it('later quarters shift the base toward newer phones and newer countries', async () => {
    const early = await realPopulation(1, '2014Q4');
    const late = await realPopulation(1, '2016Q4');
    expect(late.countries.map((c) => c.code)).toContain('BR');
    const share = (p: typeof early, code: string) => p.countries.find((c) => c.code === code)?.share ?? 0;
    expect(share(late, 'IN')).toBeGreaterThan(share(early, 'IN'));
    expect(late.deviceModels['Mi 1'] ?? 0).toBeLessThan(early.deviceModels['Mi 1'] ?? 0);
    expect(late.osVersions['MIUI 8'] ?? 0).toBeGreaterThan(0);
    expect(early.osVersions['MIUI 8']).toBeUndefined();
  });
});
