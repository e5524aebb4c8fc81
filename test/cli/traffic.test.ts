import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';

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
