/**
 * The placement MIP with stored data and egress priced per site (issue: the optimizer places every tier): hand-derived
 * optima solved by the real HiGHS. A country's data stays where it is served (replicas included), so serving it
 * somewhere also buys its storage and egress there.
 */
import type { Highs } from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHighs } from '../../../../cli/highs.ts';
import { greedyPlacement } from '../../../../models/capacity/optimize/greedy.ts';
import { dataCostOf, type PlacementCountry, type PlacementProblem } from '../../../../models/capacity/optimize/problem.ts';
import { type PlacementSolution, solvePlacement } from '../../../../models/capacity/optimize/solve.ts';

let highs: Highs;
beforeAll(async () => {
  highs = await loadHighs();
});

const flat = (v: number): number[] => new Array<number>(24).fill(v);
const intents: PlacementProblem['intents'] = { spares: 0, maxUtilization: 1, survive: [], latencyPenaltyPerRps: 1 };
const dcs = [{ name: 'near', perNodeRps: 100, pricePerNodeMonth: 10 }, { name: 'far', perNodeRps: 100, pricePerNodeMonth: 10 }];

describe('placement with data costs', () => {
  it('serves a country where its data is cheaper when both sites meet its budget', () => {
    // Both sites: 1 node (10) for 100 req/s, within the 100 ms budget. Data: 30 a month at near, 12 at far.
    // Optimum: far, 10 + 12 = 22; greedy (nearest): near, 10 + 30 = 40; saving 18.
    const c: PlacementCountry = { code: 'A', hourlyRps: flat(100), rttMs: { near: 10, far: 60 }, budgetMs: 100, allowedDcs: ['near', 'far'], dataCostPerMonth: { near: 30, far: 12 } };
    const p: PlacementProblem = { dcs, countries: [c], intents };
    const s = solvePlacement(p, highs) as PlacementSolution;
    expect(s.routing.normal).toEqual({ A: { far: 1 } });
    expect(s.costPerMonth).toBe(10);
    expect(s.dataCostPerMonth).toBe(12);
    const g = greedyPlacement(p);
    expect(g.routing.normal).toEqual({ A: { near: 1 } });
    expect(g.dataCostPerMonth).toBe(30);
  });

  it('keeps a country where residency says, whatever its data costs elsewhere', () => {
    const c: PlacementCountry = { code: 'A', hourlyRps: flat(100), rttMs: { near: 10, far: 60 }, budgetMs: 100, allowedDcs: ['near'], dataCostPerMonth: { near: 30, far: 1 } };
    const s = solvePlacement({ dcs, countries: [c], intents }, highs) as PlacementSolution;
    expect(s.routing.normal).toEqual({ A: { near: 1 } });
    expect(s.dataCostPerMonth).toBe(30);
  });

  it('prices nothing when no country carries data costs', () => {
    const c: PlacementCountry = { code: 'A', hourlyRps: flat(100), rttMs: { near: 10 }, budgetMs: 100, allowedDcs: ['near'] };
    expect(dataCostOf({ dcs, countries: [c], intents }, { A: { near: 1 } })).toBeUndefined();
    expect(solvePlacement({ dcs, countries: [c], intents }, highs)).not.toHaveProperty('dataCostPerMonth');
  });
});
