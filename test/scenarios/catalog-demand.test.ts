import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../models/errors.ts';
import type { DemandFile } from '../../models/traffic/demand-file.ts';
import type { Catalog } from '../../scenarios/catalog.ts';
import { catalogDemands } from '../../scenarios/catalog-demand.ts';

const flow = { steps: [{ path: '/x' }] };
const morning = Array.from({ length: 24 }, (_, h) => (h === 8 ? 2 : 1));
const fitted = Array.from({ length: 24 }, (_, h) => (h === 20 ? 24 - 23 * (23 / 24) : 23 / 24));

/** A demand file fitting `search` (with a curve) and `cart` (rate only), as `caplab demand fit` writes them. */
const file: DemandFile = {
  schema: 'caplab.demand/v1',
  source: { kind: 'csv', what: 't.csv', from: '2015-02-01T00:00:00Z', to: '2015-02-02T00:00:00Z', stepSeconds: 300 },
  placement: 'seed-4dc',
  quarter: '2015Q1',
  devices: { singapore: { activeDevices: 1e6, from: '--devices' } },
  services: {
    search: {
      perDevicePerDay: 7.5, localHourWeights: fitted,
      dcs: { singapore: { meanRps: 86.8, perDevicePerDay: 7.5, samples: 288, hoursCovered: 24, fittedMeanRps: 86.8, rmseRps: 1.5, mapePct: 1.2 } },
      fit: { rmseRps: 1.5, mapePct: 1.2, note: null, residuals: {} },
    },
    cart: {
      perDevicePerDay: 0.5, localHourWeights: null,
      dcs: { singapore: { meanRps: 5.8, perDevicePerDay: 0.5, samples: 3, hoursCovered: 1, fittedMeanRps: 5.8, rmseRps: 0.2, mapePct: 3 } },
      fit: { rmseRps: 0.2, mapePct: 3, note: 'telemetry does not cover every UTC hour', residuals: {} },
    },
  },
};

const catalog = (services: Catalog['services']): Catalog => ({ source: 'shop.yaml', name: 'shop', services });

describe('catalogDemands', () => {
  it('states, derives and calibrates each service in catalog order', () => {
    const d = catalogDemands(catalog([
      { name: 'home', flow, demand: { perDevicePerDay: 3 }, hourly: morning },
      { name: 'uploads', flow, demand: { usage: 'photosPerDay' } },
      { name: 'search', flow, demand: { observed: '/t/demand.json' }, hourly: morning },
      { name: 'cart', flow, demand: { observed: '/t/demand.json' }, hourly: morning },
    ]), { photosPerDay: 2.563_849, observed: new Map([['/t/demand.json', file]]) });
    expect(Object.keys(d)).toEqual(['home', 'uploads', 'search', 'cart']);
    expect(d.home).toEqual({ perDevicePerDay: 3, localHourWeights: morning, source: 'modeled (shop.yaml)' });
    // Rounded to 4 decimals, as traffic.json has always recorded photo uploads: 2.563849 -> 2.5638.
    expect(d.uploads).toEqual({ perDevicePerDay: 2.5638, source: 'modeled (shop.yaml)' });
    // A fitted curve wins over the catalog's; a rate-only fit keeps the catalog's curve.
    expect(d.search).toMatchObject({ perDevicePerDay: 7.5, localHourWeights: fitted, source: 'calibrated from t.csv', fit: { rmseRps: 1.5, curve: 'fitted' } });
    expect(d.cart).toMatchObject({ perDevicePerDay: 0.5, localHourWeights: morning, source: 'calibrated from t.csv', fit: { curve: 'modeled', note: 'telemetry does not cover every UTC hour' } });
    expect(d.cart!.fit!.dcs.singapore).toEqual({ observedMeanRps: 5.8, fittedMeanRps: 5.8, rmseRps: 0.2, mapePct: 3, samples: 3 });
  });

  it('names every observed service its file does not fit, with the catalog path', () => {
    const err = (() => {
      try {
        return catalogDemands(catalog([
          { name: 'search', flow, demand: { observed: '/t/demand.json' } },
          { name: 'wishlist', flow, demand: { observed: '/t/demand.json' } },
          { name: 'reviews', flow, demand: { observed: '/t/other.json' } },
        ]), { photosPerDay: 0, observed: new Map([['/t/demand.json', file]]) });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    const problems = (err as ValidationError).problems;
    expect(problems.map((p) => p.where)).toEqual(['shop.yaml: services[1].demand.observed', 'shop.yaml: services[2].demand.observed']);
    expect(problems[0]!.message).toMatch(/\/t\/demand.json has no fit for service "wishlist" \(it has search, cart\)/);
    expect(problems[1]!.message).toMatch(/it has nothing/);
  });
});
