/**
 * `caplab demand fit` end to end on files: synthetic telemetry from known demand, generated with the country mix the
 * command itself derives (placement seed-4dc, forecast 2015Q1 shares, zones at the middle of the telemetry), is
 * recovered; bad telemetry lists every problem with its line and writes nothing.
 *
 * Tolerances (see test/models/traffic/demand-fit.test.ts for the reasoning): perDevicePerDay within 4 Poisson standard
 * errors of the truth (r / sqrt(total count)); each local-hour weight within 0.05.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeForecast } from '../../../cli/chain.ts';
import { loadPlacement, loadRoutingData } from '../../../cli/inputs/routing.ts';
import { routeCountries } from '../../../models/routing/route.ts';
import { type DcMix, dcMixes } from '../../../models/traffic/dc-mix.ts';
import { normaliseMean } from '../../../models/traffic/diurnal.ts';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';
import { syntheticTelemetry, telemetryCsv } from '../../helpers/telemetry.ts';
import { builtInWorld } from '../../../cli/inputs/world.ts';

const dir = tempDir('caplab-demand-fit-');
afterAll(() => removeDir(dir));

const EVENING = [0.75, 0.5, 0.35, 0.25, 0.22, 0.25, 0.4, 0.7, 1.0, 1.15, 1.2, 1.2, 1.25, 1.2, 1.15, 1.15, 1.2, 1.25, 1.35, 1.5, 1.65, 1.7, 1.5, 1.1];
const MORNING = Array.from({ length: 24 }, (_, h) => 0.3 + Math.exp(-(((h - 8) / 2.5) ** 2)) * 2);
const SERVICES = { contacts_sync: { perDevicePerDay: 4, localHourWeights: EVENING }, ota_check: { perDevicePerDay: 2, localHourWeights: MORNING } };
const DEVICES = { singapore: 2_000_000, 'us-west-1': 500_000 };
const FROM = Date.UTC(2015, 1, 2) / 1000;
const STEP = 300;
const STEPS = 2 * 288;

/** The mixes `caplab demand fit` derives for this period (seed 1, seed-4dc), with the devices of --devices. */
async function mixes(): Promise<Record<string, DcMix>> {
  const forecast = await computeForecast({}, 1);
  const { rtt, residency } = loadRoutingData();
  const regions = builtInWorld().world.regions;
  const routing = routeCountries(await loadPlacement('seed-4dc'), regions.countries.map((c) => c.code), rtt, residency);
  const q = forecast.quarters.find((x) => x.quarter === '2015Q1')!;
  const mid = new Date((FROM + ((STEPS - 1) * STEP) / 2) * 1000);
  const all = dcMixes(routing, Object.fromEntries(Object.entries(q.byCountry).map(([c, b]) => [c, b.p50])), Object.fromEntries(regions.countries.map((c) => [c.code, c.timeZone])), mid);
  return Object.fromEntries(Object.entries(DEVICES).map(([dc, n]) => [dc, { ...all[dc]!, devices: n }]));
}

describe('caplab demand fit --csv (synthetic telemetry)', () => {
  let counts: Record<string, number>;
  const csv = join(dir, 'telemetry.csv');
  const devicesFlag = Object.entries(DEVICES).map(([dc, n]) => `${dc}=${n}`).join(',');
  beforeAll(async () => {
    const m = await mixes();
    const a = syntheticTelemetry({ seed: 11, dcs: m, services: SERVICES, from: FROM, steps: STEPS, stepSeconds: STEP });
    const b = syntheticTelemetry({ seed: 11, dcs: m, services: SERVICES, from: FROM, steps: STEPS, stepSeconds: STEP });
    expect(telemetryCsv(b.rows)).toBe(telemetryCsv(a.rows));
    counts = a.counts;
    writeFileSync(csv, telemetryCsv(a.rows));
  });

  it('recovers the per-device rates and curves, prints the table and writes demand.json; same seed -> same bytes', async () => {
    const out = join(dir, 'fit');
    const [r, j] = await Promise.all([
      runCli(['--out-dir', out, '--seed', '1', 'demand', 'fit', '--csv', csv, '--devices', devicesFlag]),
      runCli(['--seed', '1', 'demand', 'fit', '--csv', csv, '--devices', devicesFlag, '--json']),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(j.code, j.stderr).toBe(0);
    const text = readFileSync(join(out, 'demand.json'), 'utf8');
    expect(j.stdout).toBe(text);
    const d = JSON.parse(text);
    expect(d.schema).toBe('caplab.demand/v1');
    expect(d.source).toEqual({ kind: 'csv', what: csv, from: '2015-02-02T00:00:00Z', to: '2015-02-03T23:55:00Z', stepSeconds: 300 });
    expect(d.quarter).toBe('2015Q1');
    expect(d.devices).toEqual({ singapore: { activeDevices: 2e6, from: '--devices' }, 'us-west-1': { activeDevices: 5e5, from: '--devices' } });
    for (const [s, truth] of Object.entries(SERVICES)) {
      const f = d.services[s];
      const se = truth.perDevicePerDay / Math.sqrt(counts[s]!);
      expect(Math.abs(f.perDevicePerDay - truth.perDevicePerDay), `${s}: ${f.perDevicePerDay}, SE ${se}`).toBeLessThan(4 * se);
      const w = normaliseMean(truth.localHourWeights);
      const err = Math.max(...f.localHourWeights.map((x: number, h: number) => Math.abs(x - w[h]!)));
      expect(err, `${s}: curve`).toBeLessThan(0.05);
      expect(f.fit.note).toBeNull();
    }
    expect(r.stdout).toMatch(/Demand calibrated from .*telemetry\.csv \(csv, 2015-02-02T00:00:00Z to 2015-02-03T23:55:00Z, step 300 s\); placement seed-4dc, device mix of 2015Q1/);
    expect(r.stdout).toMatch(/contacts_sync\s+[\d.]+\s+fitted\s+[\d.]+\s+[\d.]+%\s+singapore,us-west-1/);
    // A second run with the same seed and file gives the same bytes.
    const again = await runCli(['--seed', '1', 'demand', 'fit', '--csv', csv, '--devices', devicesFlag, '--json']);
    expect(again.stdout).toBe(text);
  });

  it('takes the devices from the forecast when --devices is absent', async () => {
    const r = await runCli(['--seed', '1', 'demand', 'fit', '--csv', csv, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.devices.singapore.from).toBe('forecast 2015Q1 p50');
    expect(d.devices.singapore.activeDevices).toBeGreaterThan(1e6);
  });
});

describe('caplab demand fit --prometheus-file', () => {
  it('reads a saved query_range answer with the chosen labels; a short window fits the rate only', async () => {
    const file = join(dir, 'query_range.json');
    const values = Array.from({ length: 13 }, (_, i) => [Date.UTC(2015, 1, 2, 10) / 1000 + i * 300, String(20 + (i % 2))]);
    writeFileSync(file, JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [
      { metric: { dc: 'singapore', route: 'ota_check' }, values },
    ] } }));
    const r = await runCli(['demand', 'fit', '--prometheus-file', file, '--service-label', 'route', '--devices', 'singapore=864000', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.source).toEqual({ kind: 'prometheus-file', what: file, from: '2015-02-02T10:00:00Z', to: '2015-02-02T11:00:00Z', stepSeconds: 300 });
    // Mean of 7 x 20 and 6 x 21 req/s over 864,000 devices: 20.4615... x 86400 / 864000 per device per day.
    expect(d.services.ota_check.perDevicePerDay).toBeCloseTo((266 / 13) / 10, 5);
    expect(d.services.ota_check.localHourWeights).toBeNull();
    expect(d.services.ota_check.fit.note).toMatch(/singapore: 2 of 24/);
    expect(d.services.ota_check.fit.residuals.singapore.map((x: { hourUtc: number }) => x.hourUtc)).toEqual([10, 11]);
  });
});

describe('caplab demand fit: bad telemetry', () => {
  it('lists a gap, a negative rate, an unknown DC, an unknown service and mixed units with their lines; exit 104, nothing written', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, [
      'time,dc,service,rps',
      '2015-02-02T00:00:00Z,singapore,ota_check,10',
      '2015-02-02T00:05:00Z,singapore,ota_check,11',
      '2015-02-02T00:10:00Z,singapore,ota_check,-3',
      '2015-02-02T00:20:00Z,singapore,ota_check,12',
      '2015-02-02T00:25:00Z,singapore,ota_check,700/min',
      '2015-02-02T00:25:00Z,mars,ota_check,1',
      '2015-02-02T00:25:00Z,singapore,teleport,1',
      '',
    ].join('\n'));
    const out = join(dir, 'bad-out');
    const r = await runCli(['--out-dir', out, 'demand', 'fit', '--csv', bad, '--devices', 'singapore=1M']);
    expect(r.code, r.stderr).toBe(104);
    expect(r.stderr).toMatch(/telemetry .*bad\.csv is invalid: 5 problems/);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('  '));
    expect(lines).toHaveLength(5);
    expect(r.stderr).toMatch(/bad\.csv:6: mixed units: this row's rate is per minute but 6 other rows are per second/);
    expect(r.stderr).toMatch(/bad\.csv:7: unknown data center "mars"/);
    expect(r.stderr).toMatch(/bad\.csv:8: unknown service "teleport"/);
    expect(r.stderr).toMatch(/bad\.csv:4: rate -3 of singapore\/ota_check is negative/);
    expect(r.stderr).toMatch(/bad\.csv:4: gap in singapore\/ota_check: no sample from 2015-02-02T00:15:00Z to 2015-02-02T00:15:00Z \(1 step of 300 s\) between .*bad\.csv:4 and .*bad\.csv:5/);
    expect(existsSync(out)).toBe(false);
  });

  it('knows the services of --catalog: a user catalog\'s names are fitted, the built-in ones are then unknown', async () => {
    const csv = join(dir, 'shop.csv');
    const rows = Array.from({ length: 4 }, (_, i) => `${new Date((FROM + i * STEP) * 1000).toISOString()},singapore,page,20`);
    writeFileSync(csv, ['time,dc,service,rps', ...rows, `${new Date(FROM * 1000).toISOString()},singapore,ota_check,1`, ''].join('\n'));
    const catalog = join(dir, 'shop-catalog.yaml');
    writeFileSync(catalog, 'schema: caplab.catalog/v1\nservices:\n  - { name: page, flow: { steps: [{ path: / }] }, demand: { perDevicePerDay: 4 } }\n');
    const r = await runCli(['demand', 'fit', '--csv', csv, '--devices', 'singapore=864000', '--catalog', catalog, '--json']);
    expect(r.code).toBe(104);
    expect(r.stderr).toMatch(/shop\.csv:6: unknown service "ota_check"/);
    writeFileSync(csv, ['time,dc,service,rps', ...rows, ''].join('\n'));
    const ok = await runCli(['demand', 'fit', '--csv', csv, '--devices', 'singapore=864000', '--catalog', catalog, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    // 20 req/s x 86400 s / 864000 devices = 2 requests per device per day.
    expect(JSON.parse(ok.stdout).services.page.perDevicePerDay).toBeCloseTo(2, 9);
  });

  it('rejects a wrong flag set, bad --devices and a Prometheus file with problems, with 104', async () => {
    const prom = join(dir, 'prom.json');
    writeFileSync(prom, JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { dc: 'singapore' }, values: [[1, '1']] }] } }));
    const cases: [string[], RegExp][] = [
      [['demand', 'fit'], /exactly one of --csv/],
      [['demand', 'fit', '--csv', 'a.csv', '--prometheus-file', prom], /exactly one of --csv/],
      [['demand', 'fit', '--prometheus', 'http://127.0.0.1:1'], /needs --query/],
      [['demand', 'fit', '--prometheus-file', prom], /prom\.json: data\.result\[0\]\.metric: no label "service"/],
      [['demand', 'fit', '--prometheus-file', prom, '--service-label', 'dc', '--devices', 'moon=3,singapore=x'], /--devices: unknown data center "moon"[\s\S]*"singapore=x" is not dc=N/],
    ];
    for (const [args, message] of cases) {
      const res = await runCli(args);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(104);
      expect(res.stderr).toMatch(message);
    }
  });
});
