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
