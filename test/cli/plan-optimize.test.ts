/**
 * `caplab plan --optimize` on the default data: per quarter the least-cost placement under data/intents.json, solved
 * by HiGHS, next to the greedy placement on the same terms. Every optimized and greedy placement is replayed by the
 * independent verifier (test/helpers/placement-verify.ts) in normal operation and after each DC loss, and the
 * optimized one never costs more than the greedy one (the greedy placement is a feasible point of the program, so
 * the optimum, proved to a relative gap of 1e-6, cannot be costlier by more than that gap). Conflicting and invalid
 * intents exit 104 and write nothing.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computePlan } from '../../cli/commands/plan.ts';
import { type OptimizedPlacement, optimizePlan, placementProblems, type QuarterProblems } from '../../cli/optimize.ts';
import { greedyPlacement } from '../../models/capacity/optimize/greedy.ts';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { verifyPlacement } from '../helpers/placement-verify.ts';

const dir = tempDir('caplab-plan-optimize-');
afterAll(() => removeDir(dir));

let problems: QuarterProblems;
let optimized: OptimizedPlacement;
beforeAll(async () => {
  const plan = await computePlan({}, 1);
  problems = await placementProblems(plan, {}, 1);
  optimized = await optimizePlan(plan, {}, 1);
}, 120_000);

describe('caplab plan --optimize (default data)', () => {
  it('solves every quarter to optimality and meets every intent in every scenario', () => {
    expect(optimized.quarters.map((q) => q.quarter)).toEqual(problems.quarters.map((q) => q.quarter));
    for (const [i, q] of optimized.quarters.entries()) {
      const { problem } = problems.quarters[i]!;
      expect(q.status, q.quarter).toBe('optimal');
      expect(q.gap, q.quarter).toBeLessThanOrEqual(1e-6);
      expect(Object.keys(q.routing)).toEqual(['normal', 'loss:beijing', 'loss:singapore', 'loss:us-west-1', 'loss:us-west-2']);
      expect(verifyPlacement(problem, q), `optimized ${q.quarter}`).toEqual([]);
      expect(verifyPlacement(problem, greedyPlacement(problem)), `greedy ${q.quarter}`).toEqual([]);
    }
  });

  it('never costs more than the greedy placement on the same terms', () => {
    for (const q of optimized.quarters) {
      expect(q.costPerMonth, q.quarter).toBeLessThanOrEqual(q.greedy.costPerMonth * (1 + 1e-6));
      expect(q.savingPerMonth).toBeCloseTo(q.greedy.costPerMonth - q.costPerMonth, 2);
    }
  });

  it('strands mainland China when Beijing is lost (residency), and keeps it in Beijing otherwise', () => {
    for (const q of optimized.quarters) {
      expect(q.stranded['loss:beijing']).toEqual(['CN']);
      expect(q.routing.normal!.CN).toEqual({ beijing: 1 });
    }
  });
});

describe('caplab plan --optimize on bad intents', () => {
  it('names the intents that conflict when no placement meets them (exit 104, nothing written)', async () => {
    const intents = join(dir, 'tight.json');
    writeFileSync(intents, JSON.stringify({
      schema: 'caplab.intents/v1', latency: { defaultBudgetMs: 80, penaltyPerRpsMs: 0.05 }, survive: 'none', costCapPerMonth: 1000,
    }));
    const out = join(dir, 'out-tight');
    const r = await runCli(['--out-dir', out, 'plan', '--optimize', '--intents', intents]);
    expect(r.code, r.stderr).toBe(104);
    expect(r.stderr).toMatch(/no placement meets every intent in 2015Q1/);
    expect(r.stderr).toMatch(/monthly cost at most 1000/);
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it('lists every problem of an invalid intents file with its path', async () => {
    const intents = join(dir, 'bad.json');
    writeFileSync(intents, JSON.stringify({
      schema: 'caplab.intents/v1', latency: { defaultBudgetMs: 80, penaltyPerRpsMs: 0.05, regions: { atlantis: 50 }, countries: { XX: 10 } }, survive: ['beijing', 'mumbai'],
    }));
    const r = await runCli(['plan', '--optimize', '--intents', intents]);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain(`${intents}: latency.regions.atlantis`);
    expect(r.stderr).toContain(`${intents}: latency.countries.XX`);
    expect(r.stderr).toContain(`${intents}: survive[1]`);
    const r2 = await runCli(['plan', '--intents', intents]);
    expect(r2.code).toBe(104);
    expect(r2.stderr).toMatch(/--intents is for --optimize/);
  }, 120_000);
});
