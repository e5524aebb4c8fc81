import { describe, expect, it } from 'vitest';
import { serversForWait } from '../../../models/capacity/erlang.ts';
import { buildPlan, type DcCapacity, type PlanInput } from '../../../models/capacity/planner.ts';
import { leastRegret } from '../../../models/capacity/regret.ts';
import { PlannerSettingsSchema } from '../../../models/capacity/settings.ts';
import { ResidencySchema, RttSchema } from '../../../models/routing/settings.ts';
import type { Traffic, TrafficDcQuarter } from '../../../models/types.ts';

const b = (p50: number, p90 = p50) => ({ p50, p90 });
function dcQuarter(quarter: string, rps: { p50: number; p90: number }, countries: Record<string, number>): TrafficDcQuarter {
  return {
    quarter, activeDevices: b(0), peakHourUtc: 0, diurnalUtc: [], services: {},
    total: { meanRps: rps, peakRps: rps, flashSaleRps: rps },
    countries: Object.fromEntries(Object.entries(countries).map(([c, v]) => [c, { flashSaleRps: b(v) }])),
  };
}
// Two DCs: A serves X (whose data may live only in A), B serves Y (allowed in A and B).
const traffic = {
  schema: 'caplab.traffic/v1', placement: 'two', demand: {}, shape: { localHourWeights: [], weeklyPeakFactor: 1 }, flashSales: [],
  routing: [
    { country: 'XX', dc: 'A', rttMs: { p50: 10, p95: 10 }, rule: 'x-in-a', allowed: true, reason: 'nearest-allowed' },
    { country: 'YY', dc: 'B', rttMs: { p50: 10, p95: 10 }, rule: 'rest', allowed: true, reason: 'nearest-allowed' },
  ],
  violations: [],
  dcs: {
    A: [dcQuarter('2015Q1', b(700), { XX: 700 }), dcQuarter('2015Q2', b(1400), { XX: 1400 })],
    B: [dcQuarter('2015Q1', b(300), { YY: 300 }), dcQuarter('2015Q2', b(300), { YY: 300 })],
  },
} as Traffic;
const capacity = (over: Partial<DcCapacity> = {}): DcCapacity => ({
  ceilingRps: 200, sloRps: 100, perNodeRps: 100, binds: 'slo', source: 'modeled', inputs: {}, workers: 10, ...over,
});
const settings = PlannerSettingsSchema.parse({
  schema: 'caplab.planner/v1', targetUtilization: 0.7, redundancy: 2, draws: 64, capacityCv: 0,
  queueWaitTargetMs: 1000, serverBudgetP95Ms: 200, regret: { shortage: 4, surplus: 1 },
});
const input: PlanInput = {
  traffic,
  capacity: { A: capacity(), B: capacity() },
  fleet: { schema: 'caplab.fleet/v1', asOf: '2014Q4', nodes: { A: 12, B: 7 } },
  pricePerNodeMonth: { A: 1000, B: 2000 },
  currency: 'USD',
  rtt: RttSchema.parse({ schema: 'caplab.rtt/v1', sources: ['t'], jitter: { sigma: 0, reasoning: 't' }, dcs: { A: { default: 10 }, B: { default: 20 } } }),
  residency: ResidencySchema.parse({ schema: 'caplab.residency/v1', rules: [
    { name: 'x-in-a', countries: ['XX'], dcs: ['A'], source: 't' },
    { name: 'rest', countries: '*', dcs: ['A', 'B'], source: 't' },
  ] }),
  settings,
  seed: 1,
};

describe('buildPlan (hand-computed small case)', () => {
  const plan = buildPlan(input);
  const a = plan.dcs.A!;
  const bq = plan.dcs.B!;

  it('sizes nodes at the target utilization, adds N+2, and survives the loss of the other DC', () => {
    // A 2015Q1: 700 rps / (100 x 0.7) = 10 nodes in every draw (no uncertainty); N+2 = 12.
    // Losing B moves YY (300 rps, allowed in A) to A: (700 + 300) / 70 = 14.3 -> 15 nodes, which binds.
    expect(a.quarters[0]!.nodes).toEqual({ p50: 10, p90: 10, leastRegret: 10 });
    expect(a.quarters[0]!.withRedundancy).toBe(12);
    expect(a.quarters[0]!.dcLoss).toEqual({ nodes: 15, worstLostDc: 'B', moved: [{ country: 'YY', from: 'B', rps: 300 }] });
    expect(a.quarters[0]!.planned).toBe(15);
    expect(a.quarters[0]!.cost).toBe(15 * 1000 * 3);
    expect(a.quarters[0]!.gap).toBe(3);
    // B: 300 / 70 = 4.3 -> 5, +2 = 7; losing A strands XX (its data may live only in A), so nothing moves to B.
    expect(bq.quarters[0]!.planned).toBe(7);
    expect(bq.quarters[0]!.dcLoss.worstLostDc).toBeNull();
    expect(plan.failover.A).toEqual({ moves: [], stranded: [{ country: 'XX', rule: 'x-in-a' }] });
    expect(plan.failover.B).toEqual({ moves: [{ country: 'YY', to: 'A' }], stranded: [] });
  });

  it('finds the quarter today\'s fleet runs out', () => {
    // A's fleet of 12: Q1 needs 10 + 2 = 12 at p50 (enough), Q2 needs 1400 / 70 = 20 + 2; with DC loss 15 > 12 in Q1.
    expect(a.runsOut).toEqual({ p50: '2015Q2', p90: '2015Q1' });
    expect(bq.runsOut).toEqual({ p50: null, p90: null });
  });

  it('sizes by Erlang C when the queue-wait target binds', () => {
    const tight = { ...settings, targetUtilization: 1, queueWaitTargetMs: 0.1 };
    const p = buildPlan({ ...input, settings: tight, capacity: { A: capacity({ perNodeRps: 200 }), B: capacity({ perNodeRps: 200 }) } });
    // 700 rps, service time W / ceiling = 10 / 200 = 0.05 s: 35 erlangs; utilization alone would need 700 / 200 = 4 nodes.
    const slots = serversForWait({ arrivalRate: 700, serviceTime: 0.05, targetWait: 0.0001 });
    expect(Math.ceil(slots / 10)).toBeGreaterThan(4);
    expect(p.dcs.A!.quarters[0]!.nodes.p50).toBe(Math.ceil(slots / 10));
  });

  it('with uncertain demand: p50 <= least regret <= p90 when shortage costs more, and same seed -> same plan', () => {
    const uncertain = { ...traffic, dcs: { ...traffic.dcs, A: [dcQuarter('2015Q1', b(700, 1400), { XX: 700 }), traffic.dcs.A![1]!] } } as Traffic;
    const p1 = buildPlan({ ...input, traffic: uncertain, settings: { ...settings, draws: 512, capacityCv: 0.1 } });
    const p2 = buildPlan({ ...input, traffic: uncertain, settings: { ...settings, draws: 512, capacityCv: 0.1 } });
    expect(JSON.stringify(p1)).toBe(JSON.stringify(p2));
    const n = p1.dcs.A!.quarters[0]!.nodes;
    expect(n.p50).toBeLessThanOrEqual(n.leastRegret);
    expect(n.leastRegret).toBeLessThanOrEqual(n.p90);
    // Demand p90 is twice p50: the p90 need is about twice the p50 need.
    expect(n.p90 / n.p50).toBeGreaterThan(1.6);
    const p3 = buildPlan({ ...input, traffic: uncertain, seed: 2, settings: { ...settings, draws: 512, capacityCv: 0.1 } });
    expect(JSON.stringify(p3)).not.toBe(JSON.stringify(p1));
  });

  it('rejects a DC without capacity or price', () => {
    expect(() => buildPlan({ ...input, capacity: { A: capacity() } })).toThrow(/no capacity for data center B/);
    expect(() => buildPlan({ ...input, pricePerNodeMonth: { A: 1 } })).toThrow(/no price for data center B/);
    expect(() => buildPlan({ ...input, capacity: { A: capacity(), B: capacity({ perNodeRps: 0 }) } })).toThrow(/capacity of B is 0 req\/s/);
  });
});

describe('leastRegret (newsvendor)', () => {
  it('returns the shortage / (shortage + surplus) quantile of the need', () => {
    expect(leastRegret([1, 2, 3, 10], 3, 1)).toBe(3);
    expect(leastRegret([1, 2, 3, 10], 1, 3)).toBe(1);
    expect(leastRegret(Array.from({ length: 100 }, (_, i) => i + 1), 9, 1)).toBe(90);
    expect(leastRegret([], 1, 1)).toBe(0);
  });
});
