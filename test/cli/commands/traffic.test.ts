import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';

const dir = tempDir('caplab-traffic-');
afterAll(() => removeDir(dir));

describe('caplab traffic', () => {
  it('writes traffic.json for every DC and quarter and prints the tables and the RTT comparison', async () => {
    const out = join(dir, 'a');
    const r = await runCli(['--out-dir', out, 'traffic', '--from', '2015Q1', '--to', '2015Q4']);
    expect(r.code, r.stderr).toBe(0);
    const t = JSON.parse(readFileSync(join(out, 'traffic.json'), 'utf8'));
    expect(t.schema).toBe('caplab.traffic/v1');
    expect(t.placement).toBe('seed-4dc');
    expect(Object.keys(t.dcs)).toEqual(['beijing', 'singapore', 'us-west-1', 'us-west-2']);
    expect(t.dcs.beijing.map((q: { quarter: string }) => q.quarter)).toEqual(['2015Q1', '2015Q2', '2015Q3', '2015Q4']);
    expect(t.violations).toEqual([]);
    for (const quarters of Object.values(t.dcs) as { services: Record<string, { meanRps: { p50: number; p90: number }; peakRps: { p50: number; p90: number }; flashSaleRps: { p50: number } }> }[][]) {
      for (const q of quarters) {
        for (const s of Object.values(q.services)) {
          expect(s.meanRps.p50).toBeLessThanOrEqual(s.meanRps.p90);
          expect(s.meanRps.p50).toBeLessThanOrEqual(s.peakRps.p50);
          expect(s.peakRps.p50).toBeLessThanOrEqual(s.flashSaleRps.p50);
        }
      }
    }
    // Beijing's busiest hour is the evening in China (21:00 at UTC+8 = 13:00 UTC).
    expect(t.dcs.beijing[0].peakHourUtc).toBe(13);
    expect(r.stdout).toMatch(/beijing-only -> seed-4dc/);
    expect(r.stdout).toMatch(/residency breaches 11 -> 0/);
  });

  it('--json prints the same JSON and writes nothing; same seed -> same bytes', async () => {
    const out = join(dir, 'json');
    const [a, b] = await Promise.all([
      runCli(['--out-dir', out, 'traffic', '--json', '--to', '2015Q2']),
      runCli(['traffic', '--json', '--to', '2015Q2']),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.stdout).schema).toBe('caplab.traffic/v1');
    expect(existsSync(out)).toBe(false);
  });

  it('beijing-only reports its residency breaches in the table', async () => {
    const r = await runCli(['traffic', '--placement', 'beijing-only', '--to', '2015Q1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Residency breaches of beijing-only: HK in beijing \(rule international-data-out-of-beijing\)/);
  });

  it('rejects unknown placements, bad placement files and bad quarter ranges with 104', async () => {
    const bad = join(dir, 'placement.json');
    writeFileSync(bad, JSON.stringify({ schema: 'caplab.placement/v1', name: 'p', dcs: [], assign: { cn: 'beijing' } }));
    const cases: [string[], RegExp][] = [
      [['traffic', '--placement', 'moon-only'], /moon-only/],
      [['traffic', '--placement', bad], /dcs[\s\S]*assign/],
      [['traffic', '--from', '2016Q1', '--to', '2015Q1'], /comes after/],
      [['traffic', '--from', '2030Q1'], /within the forecast/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(104);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('caplab traffic --demand (calibrated demand)', () => {
  // A demand file giving ota_check 8.64 requests/device/day on its own local curve: 2 at 20:00, 1 elsewhere, i.e.
  // 1.92 and 0.96 at mean 1. us-west-1 serves only the US (America/Los_Angeles, UTC-8 in 2015Q1), so by hand:
  // mean = devices x 8.64 / 86400 = devices / 10000; peak = mean x 1.92 (its busiest local hour, 04:00 UTC) x the
  // weekly peak-day factor; no flash sale covers the US, so the flash-sale rate is the peak.
  const weights = Array.from({ length: 24 }, (_, h) => (h === 20 ? 2 : 1));
  const demand = {
    schema: 'caplab.demand/v1',
    source: { kind: 'csv', what: 'observed.csv', from: '2015-02-02T00:00:00Z', to: '2015-02-03T23:55:00Z', stepSeconds: 300 },
    placement: 'seed-4dc', quarter: '2015Q1',
    devices: { 'us-west-1': { activeDevices: 100000, from: '--devices' } },
    services: {
      ota_check: {
        perDevicePerDay: 8.64, localHourWeights: weights.map((w) => w / (25 / 24)),
        dcs: { 'us-west-1': { meanRps: 10, perDevicePerDay: 8.64, samples: 576, hoursCovered: 24, fittedMeanRps: 10, rmseRps: 0.5, mapePct: 4.2 } },
        fit: { rmseRps: 0.5, mapePct: 4.2, note: null, residuals: { 'us-west-1': [{ hourUtc: 0, observedRps: 9.5, fittedRps: 9.6, samples: 24 }] } },
      },
    },
  };

  it('uses the calibrated rate and curve for that service only, and records the source and fit', async () => {
    const file = join(dir, 'demand.json');
    writeFileSync(file, JSON.stringify(demand));
    const [cal, base] = await Promise.all([
      runCli(['traffic', '--json', '--from', '2015Q1', '--to', '2015Q1', '--demand', file]),
      runCli(['traffic', '--json', '--from', '2015Q1', '--to', '2015Q1']),
    ]);
    expect(cal.code, cal.stderr).toBe(0);
    const t = JSON.parse(cal.stdout);
    const b = JSON.parse(base.stdout);
    const q = t.dcs['us-west-1'][0];
    const devices = q.activeDevices.p50;
    expect(t.demand.ota_check).toBe(8.64);
    expect(q.services.ota_check.meanRps.p50).toBeCloseTo(devices / 10000, 1);
    expect(q.services.ota_check.peakRps.p50).toBeCloseTo((devices / 10000) * 1.92 * t.shape.weeklyPeakFactor, 1);
    expect(q.services.ota_check.flashSaleRps.p50).toBe(q.services.ota_check.peakRps.p50);
    // Every other service is as modeled.
    expect(q.services.contacts_sync).toEqual(b.dcs['us-west-1'][0].services.contacts_sync);
    expect(t.demandSources.ota_check).toEqual({
      source: 'calibrated from observed.csv', curve: 'own',
      fit: { rmseRps: 0.5, mapePct: 4.2, curve: 'fitted', note: null, dcs: { 'us-west-1': { observedMeanRps: 10, fittedMeanRps: 10, rmseRps: 0.5, mapePct: 4.2, samples: 576 } } },
    });
    expect(t.demandSources.contacts_sync).toEqual({ source: 'modeled (data/catalog.json)', curve: 'shared' });
    expect(b.demandSources).toBeUndefined();
  });

  it('rejects a file of another schema with its JSON path', async () => {
    const file = join(dir, 'not-demand.json');
    writeFileSync(file, JSON.stringify({ ...demand, schema: 'caplab.traffic/v1' }));
    const r = await runCli(['traffic', '--demand', file, '--to', '2015Q1']);
    expect(r.code).toBe(104);
    expect(r.stderr).toMatch(/not-demand\.json: schema: .*caplab\.demand\/v1/);
  });
});

describe('caplab traffic --catalog (a user\'s services)', () => {
  // A shop with two services: search at 8.64 requests/device/day on the shared curve, checkout at 0.864 on its own
  // local curve (2 at 20:00, 1 elsewhere: 1.92 and 0.96 at mean 1). By hand, per DC: mean = devices x rate / 86400,
  // i.e. devices / 10000 and devices / 100000; us-west-1 serves only the US (America/Los_Angeles), so checkout peaks
  // at 1.92 x its mean x the weekly peak-day factor.
  const catalog = [
    'schema: caplab.catalog/v1',
    'name: shop',
    'services:',
    '  - { name: search, flow: { steps: [{ path: /search }] }, demand: { perDevicePerDay: 8.64 } }',
    `  - { name: checkout, k6: { script: shop.js, exec: checkout }, demand: { perDevicePerDay: 0.864 }, hourly: [${Array.from({ length: 24 }, (_, h) => (h === 20 ? 2 : 1)).join(', ')}] }`,
  ].join('\n');

  it('plans only the catalog\'s services, at their stated rates and curves, and says where the demand came from', async () => {
    const sub = join(dir, 'shop');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'shop.js'), 'export function checkout() {}\n');
    const path = join(sub, 'catalog.yaml');
    writeFileSync(path, catalog);
    // A k6 service is fine here: traffic runs nothing.
    const r = await runCli(['traffic', '--json', '--from', '2015Q1', '--to', '2015Q1', '--catalog', path]);
    expect(r.code, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.demand).toEqual({ search: 8.64, checkout: 0.864 });
    expect(t.demandSources).toEqual({ search: { source: `modeled (${path})`, curve: 'shared' }, checkout: { source: `modeled (${path})`, curve: 'own' } });
    const q = t.dcs['us-west-1'][0];
    expect(Object.keys(q.services).sort()).toEqual(['checkout', 'search']);
    expect(q.services.search.meanRps.p50).toBeCloseTo(q.activeDevices.p50 / 10000, 1);
    expect(q.services.checkout.meanRps.p50).toBeCloseTo(q.activeDevices.p50 / 100000, 2);
    expect(q.services.checkout.peakRps.p50).toBeCloseTo((q.activeDevices.p50 / 100000) * 1.92 * t.shape.weeklyPeakFactor, 2);
  });

  it('takes a service\'s observed demand from its caplab.demand/v1 file, calibrated, with the fit', async () => {
    const sub = join(dir, 'observed');
    mkdirSync(sub, { recursive: true });
    const file = {
      schema: 'caplab.demand/v1',
      source: { kind: 'csv', what: 'shop.csv', from: '2015-02-02T00:00:00Z', to: '2015-02-02T01:00:00Z', stepSeconds: 300 },
      placement: 'seed-4dc', quarter: '2015Q1', devices: { singapore: { activeDevices: 864000, from: '--devices' } },
      services: { search: {
        perDevicePerDay: 6.5, localHourWeights: null,
        dcs: { singapore: { meanRps: 65, perDevicePerDay: 6.5, samples: 12, hoursCovered: 1, fittedMeanRps: 65, rmseRps: 1.1, mapePct: 1.5 } },
        fit: { rmseRps: 1.1, mapePct: 1.5, note: 'telemetry does not cover every UTC hour', residuals: {} },
      } },
    };
    writeFileSync(join(sub, 'demand.json'), JSON.stringify(file));
    writeFileSync(join(sub, 'catalog.yaml'), 'schema: caplab.catalog/v1\nservices:\n  - { name: search, flow: { steps: [{ path: /s }] }, demand: { observed: demand.json } }\n  - { name: cart, flow: { steps: [{ path: /c }] }, demand: { observed: demand.json } }\n');
    const bad = await runCli(['traffic', '--json', '--to', '2015Q1', '--catalog', join(sub, 'catalog.yaml')]);
    expect(bad.code).toBe(104);
    expect(bad.stderr).toContain(`${join(sub, 'catalog.yaml')}: services[1].demand.observed`);
    expect(bad.stderr).toMatch(/has no fit for service "cart" \(it has search\)/);
    writeFileSync(join(sub, 'catalog.yaml'), 'schema: caplab.catalog/v1\nservices:\n  - { name: search, flow: { steps: [{ path: /s }] }, demand: { observed: demand.json } }\n');
    const r = await runCli(['traffic', '--json', '--from', '2015Q1', '--to', '2015Q1', '--catalog', join(sub, 'catalog.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.demand).toEqual({ search: 6.5 });
    expect(t.demandSources.search).toMatchObject({ source: 'calibrated from shop.csv', curve: 'shared', fit: { rmseRps: 1.1, curve: 'modeled' } });
  });

  it('lists every problem of a bad catalog with its path and exits 104', async () => {
    const path = join(dir, 'bad-catalog.yaml');
    writeFileSync(path, 'schema: caplab.catalog/v1\nservices:\n  - { name: search, demand: { perDevicePerDay: 1 } }\n  - { name: Cart, flow: { steps: [{ path: /c }] }, demand: { perDevicePerDay: -1 } }\n');
    const r = await runCli(['traffic', '--json', '--catalog', path]);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain(`${path}: services[1].name`);
    expect(r.stderr).toMatch(/services\[1\]\.demand/);
    expect(r.stdout).toBe('');
  });
});
