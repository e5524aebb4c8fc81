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
import { computePlan, optimizePlan, placementProblems, type QuarterProblems } from '../../cli/chain.ts';
import type { OptimizedPlacement } from '../../models/capacity/optimize/result.ts';
import { greedyPlacement } from '../../models/capacity/optimize/greedy.ts';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { verifyPlacement } from '../helpers/placement-verify.ts';

const dir = tempDir('caplab-plan-optimize-');
afterAll(() => removeDir(dir));

let problems: QuarterProblems;
let optimized: OptimizedPlacement;
let plan: Awaited<ReturnType<typeof computePlan>>;
beforeAll(async () => {
  plan = await computePlan({}, 1);
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

  it('never costs more than the greedy placement on the same terms: the least-regret basis of the plan\'s sizing', () => {
    // data/world.json intents: demand least-regret, the 5 / (5 + 1) fractile of data/planner.json's regret weights.
    expect(optimized.demand).toBe('least-regret');
    expect(optimized.demandQuantile).toBeCloseTo(5 / 6, 12);
    for (const q of optimized.quarters) {
      // The program's objective: nodes, the countries' stored data and egress where served, and the latency penalty.
      const total = (x: { costPerMonth: number; dataCostPerMonth?: number; latencyPenalty: number }): number => x.costPerMonth + (x.dataCostPerMonth ?? 0) + x.latencyPenalty;
      expect(q.dataCostPerMonth, q.quarter).toBeGreaterThan(0);
      expect(total(q), q.quarter).toBeLessThanOrEqual(total(q.greedy) * (1 + 1e-6));
      expect(q.savingPerMonth).toBeCloseTo(q.greedy.costPerMonth + q.greedy.dataCostPerMonth! - q.costPerMonth - q.dataCostPerMonth!, 2);
    }
  });

  it('strands mainland China when Beijing is lost (residency), and keeps it in Beijing otherwise', () => {
    for (const q of optimized.quarters) {
      expect(q.stranded['loss:beijing']).toEqual(['CN']);
      expect(q.routing.normal!.CN).toEqual({ beijing: 1 });
    }
  });
});

describe('caplab plan --optimize --candidates data/candidates.json (what-if sites)', () => {
  let whatIf: QuarterProblems;
  let result: OptimizedPlacement;
  beforeAll(async () => {
    whatIf = await placementProblems(plan, { candidates: 'data/candidates.json' }, 1);
    result = await optimizePlan(plan, { candidates: 'data/candidates.json' }, 1);
  }, 120_000);

  it('tries each site alone and both together, each placement meeting every intent', () => {
    expect(result.whatIf!.map((w) => w.sites)).toEqual([['shanghai'], ['mumbai'], ['shanghai', 'mumbai']]);
    result.whatIf!.forEach((w, i) => w.quarters.forEach((q, k) => {
      expect(q.status).toBe('optimal');
      const problem = whatIf.whatIf[i]!.quarters[k]!.problem;
      expect(verifyPlacement(problem, q), `${w.sites.join('+')} ${q.quarter}`).toEqual([]);
    }));
  });

  it('a second mainland site ends the stranding of China when Beijing is lost, at the cost of its reserve', () => {
    const sh = result.whatIf![0]!;
    expect(sh.firstOpened).toEqual({ shanghai: '2015Q1' });
    for (const [i, q] of sh.quarters.entries()) {
      const base = result.quarters[i]!;
      expect(base.stranded['loss:beijing']).toEqual(['CN']);
      expect(q.stranded['loss:beijing']).toEqual([]);
      expect(q.lossesSurvived).toEqual({ survived: 5, of: 5 });
      expect(base.lossesSurvived).toEqual({ survived: 3, of: 4 });
      // Surviving Beijing's loss means holding its load a second time: the site costs at least Beijing's N.
      expect(q.deltaPerMonth).toBeGreaterThan(0);
    }
  });

  it('says what Mumbai buys: India\'s p95 RTT and the latency penalty of a Singapore loss, for its cost', () => {
    const mu = result.whatIf![1]!;
    for (const [i, q] of mu.quarters.entries()) {
      // Mumbai is 25 ms from India at the median (Singapore 60): p95 = 25 x e^(1.645 x 0.25) = 37.7 ms.
      if (q.opened.includes('mumbai')) expect(q.p95RttMs.IN).toBe(37.7);
      // The optimizer opens it only where cost plus penalty falls.
      expect(q.deltaPerMonth + q.penaltyDelta).toBeLessThanOrEqual(1e-6 * (result.quarters[i]!.costPerMonth + result.quarters[i]!.latencyPenalty));
    }
  });

  it('rejects a candidates file naming unknown DCs or an existing one, listing each', async () => {
    const bad = join(dir, 'candidates.json');
    writeFileSync(bad, JSON.stringify({ schema: 'caplab.candidates/v1', sites: [
      { name: 'singapore', residencyAs: 'singapore', pricePerNodeMonth: 1, rttMs: { default: 1 } },
      { name: 'moon', residencyAs: 'tranquility', capacityAs: 'base', pricePerNodeMonth: 1, rttMs: { SG: 1 } },
    ] }));
    const r = await runCli(['plan', '--optimize', '--candidates', bad]);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain(`${bad}: sites[1].rttMs`);
    writeFileSync(bad, JSON.stringify({ schema: 'caplab.candidates/v1', sites: [
      { name: 'singapore', residencyAs: 'singapore', pricePerNodeMonth: 1, rttMs: { default: 1 } },
      { name: 'moon', residencyAs: 'tranquility', capacityAs: 'base', pricePerNodeMonth: 1, rttMs: { default: 1 } },
    ] }));
    const r2 = await runCli(['plan', '--optimize', '--candidates', bad]);
    expect(r2.code).toBe(104);
    for (const w of ['sites[0].name', 'sites[1].residencyAs', 'sites[1].capacityAs']) expect(r2.stderr).toContain(`${bad}: ${w}`);
  }, 120_000);
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
