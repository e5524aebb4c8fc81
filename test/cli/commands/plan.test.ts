import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';

const dir = tempDir('caplab-plan-');
afterAll(() => removeDir(dir));

describe('caplab plan', () => {
  it('plans every DC and quarter of traffic.json and writes plan.json; same seed -> same bytes', async () => {
    const out = join(dir, 'a');
    expect((await runCli(['--out-dir', out, 'traffic', '--to', '2015Q4'])).code).toBe(0);
    const traffic = join(out, 'traffic.json');
    const [r, again] = await Promise.all([
      runCli(['--out-dir', out, 'plan', '--traffic', traffic]),
      runCli(['plan', '--traffic', traffic, '--json']),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(out, 'plan.json'), 'utf8');
    expect(again.stdout).toBe(text);
    const plan = JSON.parse(text);
    expect(plan.schema).toBe('caplab.plan/v1');
    expect(Object.keys(plan.dcs)).toEqual(['beijing', 'singapore', 'us-west-1', 'us-west-2']);
    for (const d of Object.values(plan.dcs) as { capacity: { source: string }; quarters: { quarter: string; nodes: { p50: number; p90: number }; planned: number; withRedundancy: number }[] }[]) {
      expect(d.capacity.source).toBe('modeled');
      expect(d.quarters.map((q) => q.quarter)).toEqual(['2015Q1', '2015Q2', '2015Q3', '2015Q4']);
      for (const q of d.quarters) {
        expect(q.nodes.p50).toBeLessThanOrEqual(q.nodes.p90);
        expect(q.planned).toBeGreaterThanOrEqual(q.withRedundancy);
      }
    }
    // Mainland China's data may live only in Beijing: losing Beijing strands it, and the plan says so.
    expect(plan.failover.beijing.stranded).toEqual([{ country: 'CN', rule: 'cn-data-stays-in-mainland' }]);
    expect(r.stdout).toMatch(/If beijing is lost, residency leaves nowhere to serve CN/);
    // Today's fleet is all in Beijing: the new sites need nodes from the first quarter.
    expect(plan.dcs.singapore.runsOut.p50).toBe('2015Q1');
  });

  it('rejects invalid traffic and fleet files with 104 naming the JSON path', async () => {
    const badTraffic = join(dir, 'traffic.json');
    writeFileSync(badTraffic, JSON.stringify({ schema: 'caplab.traffic/v1', dcs: {} }));
    const badFleet = join(dir, 'fleet.json');
    writeFileSync(badFleet, JSON.stringify({ schema: 'caplab.fleet/v1', asOf: 'soon', nodes: { beijing: -1 } }));
    const t = await runCli(['plan', '--traffic', badTraffic]);
    expect(t.code).toBe(104);
    expect(t.stderr).toMatch(/traffic\.json: placement/);
    const f = await runCli(['plan', '--fleet', badFleet, '--json']);
    expect(f.code).toBe(104);
    expect(f.stderr).toMatch(/asOf[\s\S]*nodes\.beijing/);
  });
});

describe('caplab plan --results', () => {
  it('names what is missing when a DC has a summary but no probe points (exit 104)', async () => {
    const { mkdirSync } = await import('node:fs');
    const res = join(dir, 'results');
    mkdirSync(join(res, 'singapore'), { recursive: true });
    writeFileSync(join(res, 'singapore', 'summary-probe.json'), JSON.stringify({ metrics: {} }));
    const r = await runCli(['plan', '--results', res, '--json']);
    expect(r.code).toBe(104);
    expect(r.stderr).toMatch(/singapore: summary-probe\.json without points-probe\.ndjson/);
  });

  it('--calibrate-fleet scales the demand to today\'s fleet and records it; with --traffic it is refused (104)', async () => {
    const r = await runCli(['plan', '--calibrate-fleet', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.fleetCheck).toMatchObject({ status: 'checked', asOf: '2014Q4', verdict: 'agrees', calibration: { before: { status: 'checked' } } });
    expect(plan.fleetCheck.calibration.factor).toBeCloseTo(plan.fleetCheck.calibration.before.fleetPeakRps / plan.fleetCheck.calibration.before.modelPeakRps.p50, 9);
    const traffic = join(dir, 'calibrate-traffic.json');
    expect((await runCli(['--out-dir', dir, 'traffic', '--to', '2015Q2'])).code).toBe(0);
    writeFileSync(traffic, readFileSync(join(dir, 'traffic.json')));
    const refused = await runCli(['plan', '--traffic', traffic, '--calibrate-fleet', '--json']);
    expect(refused.code).toBe(104);
    expect(refused.stderr).toContain('--calibrate-fleet scales the demand the traffic is computed from: it cannot be used with --traffic');
  }, 120_000);
});

describe('caplab plan --results with a connection probe', () => {
  // k6 NDJSON points of a probe at 1:1000: 100 and 140 sessions all opened with replies within the 500 ms default
  // budget of data/budgets.json; at 160, 10 handshakes refused with 503. The node holds [140, 160) at the probe's
  // scale, so 140,000 per real node, under the catalog's 150,000.
  const point = (metric: string, type: string, value: number, time: number, tags: Record<string, string>): string =>
    JSON.stringify({ type: 'Point', metric, data: { time: new Date(time).toISOString(), value, tags: { scale: '0.001', ...tags } } });
  const lines: string[] = [];
  for (const [i, n] of [100, 140, 160].entries()) {
    const t0 = Date.UTC(2026, 0, 1) + i * 10_000;
    for (let k = 0; k < n; k++) lines.push(point('ws_sessions', 'counter', 1, t0, { sessions: String(n), ...(k < 150 ? { status: '101' } : { status: '503' }) }));
    for (let k = 0; k < 50; k++) lines.push(point('caplab_ws_reply_duration', 'trend', 2 + k / 10, t0 + 3000 + k * 50, { sessions: String(n) }));
  }

  it('counts the measured connections per push node and says so', async () => {
    const { mkdirSync } = await import('node:fs');
    const res = join(dir, 'results-connections');
    mkdirSync(join(res, 'singapore'), { recursive: true });
    writeFileSync(join(res, 'singapore', 'points-connections.ndjson'), `${lines.join('\n')}\n`);
    const r = await runCli(['plan', '--results', res, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout).resources.sites.singapore.connections;
    expect(c).toMatchObject({ source: 'measured', perNode: 140_000, measured: { interval: { lower: 140, upper: 160 }, binds: 'refused', scale: 0.001, budgetP95Ms: 500 } });
    // The DCs without a probe keep the catalog's figure.
    expect(JSON.parse(r.stdout).resources.sites.beijing.connections).toMatchObject({ source: 'catalog', perNode: 150_000 });
    // Points that do not say what node they measured are refused, naming the file (a probe tags every sample).
    writeFileSync(join(res, 'singapore', 'points-connections.ndjson'), `${lines.map((l) => l.replace('"scale":"0.001",', '')).join('\n')}\n`);
    const bad = await runCli(['plan', '--results', res, '--json']);
    expect(bad.code).toBe(104);
    expect(bad.stderr).toMatch(/points-connections\.ndjson: its samples carry no single `scale` tag/);
  }, 60_000);
});
