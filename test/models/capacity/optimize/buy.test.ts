/**
 * The plan to buy: what binds each site's count and what to order by when, on a problem small enough to work out by
 * hand (two sites of 100 req/s per node at a 50% cap, so 50 req/s per node; N+2; either site may be lost).
 */
import { describe, expect, it } from 'vitest';
import { buyPlan, siteBindings } from '../../../../models/capacity/optimize/buy.ts';
import type { PlacementProblem } from '../../../../models/capacity/optimize/problem.ts';

const problem: PlacementProblem = {
  dcs: [{ name: 'a', perNodeRps: 100, pricePerNodeMonth: 10 }, { name: 'b', perNodeRps: 100, pricePerNodeMonth: 20 }],
  countries: [{ code: 'XX', hourlyRps: [...Array(23).fill(60), 150], allowedDcs: ['a', 'b'], rttMs: { a: 10, b: 50 }, budgetMs: 80 }],
  intents: { spares: 2, maxUtilization: 0.5, survive: ['a', 'b'], latencyPenaltyPerRps: 0 },
};
const routing = { normal: { XX: { a: 1 } }, 'loss:a': { XX: { b: 1 } }, 'loss:b': { XX: { a: 1 } } };

describe('siteBindings', () => {
  it('names demand at the site that serves the peak, and the loss of the other at the site that takes it over', () => {
    // a: 150 req/s at its busiest hour / 50 per node = 3 nodes + 2 spares = 5. b: no load normally (2 spares), 3
    // nodes when a is lost (the spares are used then), more than the 2 normal operation needs: the loss binds.
    expect(siteBindings(problem, { nodes: { a: 5, b: 3 }, routing })).toEqual({
      a: { binds: 'demand', normalNodes: 5, lossNodes: 3 },
      b: { binds: 'site loss', lostSite: 'a', normalNodes: 2, lossNodes: 3 },
    });
  });

  it('names the spares alone, and a site at its limit', () => {
    const light = { ...problem, countries: [{ ...problem.countries[0]!, hourlyRps: Array(24).fill(40) }] };
    expect(siteBindings(light, { nodes: { a: 3, b: 2 }, routing }).b).toEqual({ binds: 'N+k', normalNodes: 2, lossNodes: 1 });
    const limited = { ...problem, dcs: [{ ...problem.dcs[0]!, maxNodes: 5 }, problem.dcs[1]!] };
    expect(siteBindings(limited, { nodes: { a: 5, b: 3 }, routing }).a!.binds).toBe('site limit');
  });
});

describe('buyPlan', () => {
  it('orders what the fleet and earlier quarters lack, by the quarter\'s start less the lead time', () => {
    const b = siteBindings(problem, { nodes: { a: 5, b: 3 }, routing });
    const plan = buyPlan([
      { quarter: '2027Q1', nodes: { a: 5, b: 3 }, bindings: b },
      { quarter: '2027Q2', nodes: { a: 4, b: 3 }, bindings: b },
      { quarter: '2027Q3', nodes: { a: 6, b: 3 }, bindings: b },
    ], { a: 2 }, { a: { pricePerNodeMonth: 10, leadTimeDays: 30 }, b: { pricePerNodeMonth: 20 } });
    // 2027-01-01 less 30 days is 2026-12-02; 2027-07-01 less 30 days is 2027-06-01. Nodes once bought stay: 2027Q2
    // needs 4 of a's 5 and orders none; 2027Q3 needs 6 and orders 1.
    expect(plan.map((q) => [q.quarter, q.sites.a!.have, q.sites.a!.order, q.sites.a!.orderBy, q.sites.a!.costPerMonth])).toEqual([
      ['2027Q1', 5, 3, '2026-12-02', 50], ['2027Q2', 4, 0, null, 40], ['2027Q3', 6, 1, '2027-06-01', 60],
    ]);
    // b states no lead time: its order has no date.
    expect(plan[0]!.sites.b).toMatchObject({ have: 3, order: 3, orderBy: null, costPerMonth: 60, binds: 'site loss' });
  });
});
