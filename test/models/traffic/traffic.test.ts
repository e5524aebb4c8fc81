import { describe, expect, it } from 'vitest';
import { PlacementSchema, ResidencySchema, RttSchema } from '../../../models/routing/settings.ts';
import { routeCountries } from '../../../models/routing/route.ts';
import { utcCurve, utcOffsetHours } from '../../../models/traffic/diurnal.ts';
import { LoadShapeSchema } from '../../../models/traffic/settings.ts';
import { MODELED_SOURCE, type ServiceDemands } from '../../../models/traffic/service-demand.ts';
import { buildTraffic } from '../../../models/traffic/traffic.ts';
import type { Forecast } from '../../../models/types.ts';

/** Modeled sync demand at `rate` requests per device per day, with photo uploads at 0 (the built-in catalog's form). */
const modeled = (rate: number): ServiceDemands => ({
  sync: { perDevicePerDay: rate, source: MODELED_SOURCE }, photos_post: { perDevicePerDay: 0, source: MODELED_SOURCE },
});
const band = (v: number) => ({ p10: v / 2, p50: v, p90: v * 2 });
const forecast = {
  quarters: [{
    quarter: '2015Q1', kind: 'forecast', shipments: band(1), trailingYearShipments: band(1), activeDevices: band(3e6),
    byRegion: {}, byCountry: { AA: band(1e6), BB: band(2e6) }, pTargetReached: 0,
  }],
  horizon: { first: '2015Q1', last: '2015Q1' },
} as unknown as Forecast;
const rtt = RttSchema.parse({ schema: 'caplab.rtt/v1', sources: ['test'], jitter: { sigma: 0, reasoning: 't' }, dcs: { dc1: { default: 10 } } });
const residency = ResidencySchema.parse({ schema: 'caplab.residency/v1', rules: [{ name: 'any', countries: '*', dcs: ['dc1'], source: 't' }] });
const routing = routeCountries(PlacementSchema.parse({ name: 'one', dcs: ['dc1'] }), ['AA', 'BB'], rtt, residency);
const weights = Array.from({ length: 24 }, (_, h) => (h === 20 ? 2 : 1));
const shape = LoadShapeSchema.parse({
  schema: 'caplab.load-shape/v1',
  diurnal: { localHourWeights: weights },
  weekly: { dayWeights: [1, 1, 1, 1, 1, 1, 1] },
  flashSales: [{ name: 'bb-sale', countries: ['BB'], localHour: 12, multipliers: { sync: 5 } }],
});

describe('buildTraffic (hand-computed example)', () => {
  // AA in UTC, 1M devices; BB in Asia/Tokyo (UTC+9), 2M devices; 8.64 requests/device/day -> mean 100 and 200 rps.
  // Local weights: 2 at 20:00, 1 elsewhere; normalised to mean 1: 48/25 = 1.92 at 20:00, 24/25 = 0.96 elsewhere.
  // UTC 11:00 is 20:00 in Tokyo: 0.96*100 + 1.92*200 = 480 rps (the peak); UTC 20:00: 192 + 192 = 384.
  // BB's sale at 12:00 Tokyo = 03:00 UTC, x5: 0.96*100 + 0.96*200*5 = 1056 rps.
  const t = buildTraffic({
    forecast,
    countries: [{ code: 'AA', timeZone: 'UTC' }, { code: 'BB', timeZone: 'Asia/Tokyo' }],
    routing,
    services: modeled(8.64),
    shape,
    quarters: ['2015Q1'],
  });
  const q = t.dcs.dc1![0]!;

  it('gives mean, peak and flash-sale rates and the peak hour', () => {
    expect(q.services.sync!.meanRps).toEqual({ p50: 300, p90: 600 });
    expect(q.services.sync!.peakRps.p50).toBeCloseTo(480, 6);
    expect(q.services.sync!.peakRps.p90).toBeCloseTo(960, 6);
    expect(q.peakHourUtc).toBe(11);
    expect(q.services.sync!.flashSaleRps.p50).toBeCloseTo(1056, 6);
    expect(q.services.sync!.flashSale).toBe('bb-sale');
    expect(q.activeDevices).toEqual({ p50: 3e6, p90: 6e6 });
    // Each country alone: AA peaks at 20:00 UTC (1.92 x 100); BB's sale hour beats its evening (960 > 1.92 x 200).
    expect(q.countries.AA!.flashSaleRps.p50).toBeCloseTo(192, 6);
    expect(q.countries.BB!.flashSaleRps.p50).toBeCloseTo(960, 6);
  });

  it('keeps the day: the DC curve has mean 1 and services without demand are 0', () => {
    const mean = q.diurnalUtc.reduce((s, w) => s + w, 0) / 24;
    expect(mean).toBeCloseTo(1, 3);
    expect(q.services.photos_post!.peakRps).toEqual({ p50: 0, p90: 0 });
    expect(q.services.photos_post!.flashSale).toBeNull();
  });

  it('applies and records a flash sale only for the services it names that are planned (another catalog\'s are not)', () => {
    const sales = LoadShapeSchema.parse({ ...shape, flashSales: [
      { name: 'phone-sale', countries: ['BB'], localHour: 12, multipliers: { devices_register: 8 } },
      { name: 'mixed', countries: ['BB'], localHour: 12, multipliers: { sync: 5, devices_register: 8 } },
    ] });
    const t2 = buildTraffic({ forecast, countries: [{ code: 'AA', timeZone: 'UTC' }, { code: 'BB', timeZone: 'Asia/Tokyo' }], routing, services: modeled(8.64), shape: sales, quarters: ['2015Q1'] });
    expect(t2.flashSales).toEqual([{ name: 'mixed', countries: ['BB'], localHour: 12, multipliers: { sync: 5 } }]);
    // The same rates as the one-sale shape above: 'phone-sale' multiplies nothing planned.
    expect(t2.dcs.dc1![0]!.services.sync!.flashSaleRps.p50).toBeCloseTo(1056, 6);
    expect(t2.dcs.dc1![0]!.services.sync!.flashSale).toBe('mixed');
  });

  it('rejects a quarter outside the forecast', () => {
    expect(() => buildTraffic({ forecast, countries: [], routing, services: {}, shape, quarters: ['2016Q1'] }))
      .toThrow(/2016Q1 is outside/);
  });
});

describe('buildTraffic with a service on its own curve (hand-computed)', () => {
  // "own": 8.64 requests/device/day on a local curve of 2 at 08:00 and 1 elsewhere (1.92 and 0.96 at mean 1).
  // 08:00 in Tokyo is 23:00 UTC: 0.96*100 + 1.92*200 = 480 rps; 08:00 UTC (AA's morning): 192 + 192 = 384.
  // The DC curve weighs both services by requests (600 rps mean): UTC 11:00 = (480 + 288) / 600 = 1.28, as is 23:00;
  // UTC 20:00 = (384 + 288) / 600 = 1.12.
  const own = Array.from({ length: 24 }, (_, h) => (h === 8 ? 2 : 1));
  const services = { ...modeled(8.64), own: { perDevicePerDay: 8.64, localHourWeights: own, source: 'calibrated from t.csv' } };
  const t = buildTraffic({ forecast, countries: [{ code: 'AA', timeZone: 'UTC' }, { code: 'BB', timeZone: 'Asia/Tokyo' }], routing, services, shape, quarters: ['2015Q1'] });
  const q = t.dcs.dc1![0]!;

  it('spreads that service by its curve and the others by the shared one', () => {
    expect(q.services.own!.meanRps.p50).toBeCloseTo(300, 6);
    expect(q.services.own!.peakRps.p50).toBeCloseTo(480, 6);
    expect(q.services.sync!.peakRps.p50).toBeCloseTo(480, 6);
    expect(q.diurnalUtc[11]).toBeCloseTo(1.28, 4);
    expect(q.diurnalUtc[23]).toBeCloseTo(1.28, 4);
    expect(q.diurnalUtc[20]).toBeCloseTo(1.12, 4);
    // BB alone: its sale hour (03:00 UTC, sync x5) gives 0.96*200*5 + own's 0.96*200 = 1152.
    expect(q.countries.BB!.flashSaleRps.p50).toBeCloseTo(1152, 6);
  });

  it('records where every service\'s demand came from, and nothing when all are modeled', () => {
    expect(t.demand).toEqual({ sync: 8.64, photos_post: 0, own: 8.64 });
    expect(t.demandSources?.own).toEqual({ source: 'calibrated from t.csv', curve: 'own' });
    expect(t.demandSources?.sync).toEqual({ source: 'modeled (data/catalog.json)', curve: 'shared' });
    const allModeled = buildTraffic({ forecast, countries: [{ code: 'AA', timeZone: 'UTC' }, { code: 'BB', timeZone: 'Asia/Tokyo' }], routing, services: modeled(1), shape, quarters: ['2015Q1'] });
    expect('demandSources' in allModeled).toBe(false);
  });
});

describe('diurnal helpers', () => {
  it('reads UTC offsets including half hours and daylight saving', () => {
    expect(utcOffsetHours('Asia/Kolkata', new Date('2015-02-15'))).toBe(5.5);
    expect(utcOffsetHours('America/Los_Angeles', new Date('2015-01-15'))).toBe(-8);
    expect(utcOffsetHours('America/Los_Angeles', new Date('2015-07-15'))).toBe(-7);
    expect(() => utcOffsetHours('Mars/Olympus', new Date())).toThrow(RangeError);
  });

  it('shifts a local curve to UTC, interpolating half-hour offsets', () => {
    const local = Array.from({ length: 24 }, (_, h) => h);
    expect(utcCurve(local, 8)[4]).toBe(12);
    expect(utcCurve(local, -8)[4]).toBe(20);
    expect(utcCurve(local, 5.5)[0]).toBe(5.5);
  });
});
