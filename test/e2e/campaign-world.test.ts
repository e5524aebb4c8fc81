/**
 * End to end: `caplab campaign --quick` in a user's own world, against two Debian nginx servers, one per site. The
 * world is a fictional bookkeeping service, Tidepool Ledger: two sites of its own naming (harbor in Lagos, cliff in
 * Lisbon), three countries, a residency rule, its own prices and fleet, eight quarters from 2027Q1, and demand given
 * as today's peak req/s with a growth interval (driver `peak-rps`). Its catalog has two services. The plan and both
 * reports must speak only of that world: its sites, countries and periods, none of the built-in story's words.
 *
 * Hand-derived expectations: today's peak is 40 req/s at 2026Q4 summed over the sites' busiest hours; growth of
 * 3% / 6% / 10% a quarter compounds to 40 x 1.06^8 = 63.8 req/s (p50) at 2028Q4 and 40 x 1.03^8 = 50.7 to
 * 40 x 1.10^8 = 85.7 (p10 to p90). The model is linear in the driver, so each quarter's summed peak is exactly these.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { type RunningNginx, startNginx } from '../helpers/nginx.ts';

const PEAK = 40;
const GROWTH = { low: 0.03, mid: 0.06, high: 0.1 };
const QUARTERS = ['2027Q1', '2027Q2', '2027Q3', '2027Q4', '2028Q1', '2028Q2', '2028Q3', '2028Q4'];
// Words of the built-in story that must not appear in another world's plan or reports.
// A year is a period label or a year on its own, not digits inside a figure such as 1.2015 or 12,015.
const BUILT_IN_WORDS = [/beijing/i, /singapore/i, /us-west/i, /phone/i, /shipment/i, /(?<![\d.,])201\d(?![\d.,])/, /mainland/i, /\bMi \d/];

const dir = tempDir('caplab-e2e-world-');
const out = join(dir, 'campaign');
const read = (...p: string[]) => JSON.parse(readFileSync(join(out, ...p), 'utf8'));
const servers: RunningNginx[] = [];

const world = `schema: caplab.world/v1
name: Tidepool Ledger
about: A fictional bookkeeping service for small traders, run from two sites of its own.
currency: EUR
regions: { west-africa: West Africa, iberia: Iberia }
countries:
  - { code: NG, name: Nigeria, region: west-africa, timeZone: Africa/Lagos, share: 0.6 }
  - { code: GH, name: Ghana, region: west-africa, timeZone: Africa/Accra, share: 0.15 }
  - { code: PT, name: Portugal, region: iberia, timeZone: Europe/Lisbon, share: 0.25 }
sites:
  harbor: { label: Harbor (Lagos), pricePerNodeMonth: 210, rttMs: { NG: 15, GH: 35, default: 140 }, leadTimeDays: 60 }
  cliff: { label: Cliff (Lisbon), pricePerNodeMonth: 260, rttMs: { PT: 10, west-africa: 110, default: 120 }, leadTimeDays: 30 }
residency:
  rules:
    - { name: pt-ledgers-in-lisbon, countries: [PT], sites: [cliff], source: The traders' contract keeps Portuguese ledgers in Portugal. }
    - { name: anywhere, countries: "*", sites: [harbor, cliff], source: No rule for the others. }
fleet: { asOf: 2026Q4, nodes: { harbor: 2, cliff: 1 }, peakUtilization: 0.4 }
horizon: { first: 2027Q1, periods: 8, unit: quarters }
driver:
  kind: peak-rps
  peakRps: ${PEAK}
  growthPerPeriod: { low: ${GROWTH.low}, mid: ${GROWTH.mid}, high: ${GROWTH.high}, reasoning: Sign-ups of the last four quarters. }
`;

beforeAll(async () => {
  const www = join(dir, 'www');
  mkdirSync(www, { recursive: true });
  writeFileSync(join(www, 'ledger.json'), JSON.stringify({ entries: Array.from({ length: 40 }, (_, i) => ({ id: i, amount: i * 3 })) }));
  for (const site of ['harbor', 'cliff']) {
    // A known capacity, the same on a busy runner: 20 ledger req/s per connection and 100 in all (campaign-nginx.test.ts).
    servers.push(await startNginx(join(dir, `nginx-${site}`), '  limit_req_zone $connection zone=perconn:1m rate=20r/s;\n  limit_req_zone $server_port zone=node:1m rate=100r/s;', [
      `    root ${www};`,
      '    location / { limit_req zone=perconn burst=100; limit_req zone=node burst=5000; }',
      '    location = /api/sync { default_type application/json; return 200 \'{"ok":true}\'; }',
    ].join('\n')));
  }
  writeFileSync(join(dir, 'world.yaml'), world);
  writeFileSync(join(dir, 'catalog.yaml'), [
    'schema: caplab.catalog/v1',
    'name: ledger',
    'services:',
    '  - name: ledger',
    '    flow: { steps: [{ name: ledger, method: GET, path: /ledger.json, expectedStatuses: [200] }] }',
    '    demand: { perDevicePerDay: 3 }',
    '  - name: sync',
    '    flow: { steps: [{ name: sync, method: GET, path: /api/sync, expectedStatuses: [200] }] }',
    '    demand: { perDevicePerDay: 1 }',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'campaign.yaml'), [
    'seed: 3',
    'world: world.yaml',
    'catalog: catalog.yaml',
    `targets: { harbor: "${servers[0]!.url}", cliff: "${servers[1]!.url}" }`,
    '',
  ].join('\n'));
  const r = await runCli(['--out-dir', out, 'campaign', '--quick', join(dir, 'campaign.yaml')]);
  expect(r.code, `${r.stdout.slice(-2000)}\n${r.stderr}`).toBe(0);
}, 600_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  removeDir(dir);
}, 30_000);

describe('caplab campaign in a user\'s own world (peak-rps driver, two sites) against nginx', () => {
  it('plans the world\'s sites and quarters, its peak grown by the stated interval', () => {
    const traffic = read('traffic.json');
    expect(Object.keys(traffic.dcs).sort()).toEqual(['cliff', 'harbor']);
    expect(traffic.routing.map((r: { country: string; dc: string }) => `${r.country}:${r.dc}`).sort()).toEqual(['GH:harbor', 'NG:harbor', 'PT:cliff']);
    expect(traffic.driver.kind).toBe('peak-rps');
    const summed = (q: number, band: 'p50' | 'p90') => Object.values(traffic.dcs as Record<string, { total: { peakRps: Record<string, number> } }[]>)
      .reduce((s, qs) => s + qs[q]!.total.peakRps[band]!, 0);
    for (let k = 0; k < QUARTERS.length; k++) {
      expect(traffic.dcs.harbor[k].quarter).toBe(QUARTERS[k]);
      // The peak is linear in the driver: exact up to the rounding of the traffic file's figures (0.01 req/s per site).
      expect(summed(k, 'p50')).toBeCloseTo(PEAK * (1 + GROWTH.mid) ** (k + 1), 1);
      expect(summed(k, 'p90')).toBeCloseTo(PEAK * (1 + GROWTH.high) ** (k + 1), 1);
    }
    const plan = read('plan.json');
    expect(Object.keys(plan.dcs).sort()).toEqual(['cliff', 'harbor']);
    expect(plan.currency).toBe('EUR');
    expect(plan.dcs.harbor.pricePerNodeMonth).toBe(210);
    expect(plan.fleet).toEqual({ asOf: '2026Q4', nodes: { harbor: 2, cliff: 1 } });
    expect(plan.dcs.harbor.quarters.map((q: { quarter: string }) => q.quarter)).toEqual(QUARTERS);
    expect(plan.dcs.harbor.capacity.source).toBe('measured');
  });

  it('recommends the optimized placement on the least-regret basis, never costlier than the greedy one, with order dates from the lead times', () => {
    const o = read('plan.json').optimized;
    expect(o.demand).toBe('least-regret');
    for (const q of o.quarters) expect(q.costPerMonth, q.quarter).toBeLessThanOrEqual(q.greedy.costPerMonth * (1 + 1e-6));
    expect(o.buy.map((q: { quarter: string }) => q.quarter)).toEqual(QUARTERS);
    // harbor states a 60-day lead time: what it orders for 2027Q1 is due by 2027-01-01 less 60 days.
    const first = o.buy[0].sites.harbor;
    expect(first.have).toBe(o.quarters[0].nodes.harbor);
    expect(first.order).toBe(Math.max(0, first.have - 2));
    if (first.order > 0) expect(first.orderBy).toBe('2026-11-02');
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md.indexOf('## The plan to buy')).toBeGreaterThan(0);
    expect(md.indexOf('## The plan to buy')).toBeLessThan(md.indexOf('## Recommendation per data center'));
    expect(md).toMatch(/\| 2027Q1 \| harbor \| \d+ \| \d+ \| (2026-11-02|—) \|/);
  });

  it('names only the world\'s sites, countries and periods in plan.json and both reports', () => {
    const texts = { 'plan.json': readFileSync(join(out, 'plan.json'), 'utf8'), 'report.md': readFileSync(join(out, 'report.md'), 'utf8'), 'report.html': readFileSync(join(out, 'report.html'), 'utf8') };
    for (const [name, text] of Object.entries(texts)) {
      for (const word of BUILT_IN_WORDS) expect(text.match(word)?.[0], `${name} says ${word}`).toBeUndefined();
      for (const site of ['harbor', 'cliff']) expect(text, `${name} names ${site}`).toContain(site);
      expect(text).toContain('2028Q4');
    }
    for (const name of ['report.md', 'report.html'] as const) {
      expect(texts[name]).toContain('Tidepool Ledger');
      expect(texts[name]).toMatch(/40 req\/s \(2026Q4\)/);
    }
  });
});
