/**
 * The placement MIP on small instances whose optimum is derived by hand (each derivation next to its case), solved by
 * the real HiGHS (WebAssembly). Every solution is also replayed by the independent verifier of
 * test/helpers/placement-verify.ts, written from the intents alone, not from the formulation.
 */
import type { Highs } from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHighs } from '../../../../cli/highs.ts';
import type { PlacementCountry, PlacementProblem } from '../../../../models/capacity/optimize/problem.ts';
import { verifyPlacement as verify } from '../../../helpers/placement-verify.ts';
import { type PlacementSolution, solvePlacement } from '../../../../models/capacity/optimize/solve.ts';

let highs: Highs;
beforeAll(async () => {
  highs = await loadHighs();
});

const flat = (v: number): number[] => new Array<number>(24).fill(v);
const country = (code: string, hourlyRps: number[], rttMs: Record<string, number>, budgetMs = 100, allowedDcs = Object.keys(rttMs)): PlacementCountry => ({ code, hourlyRps, rttMs, budgetMs, allowedDcs });
const intents = (o: Partial<PlacementProblem['intents']> = {}): PlacementProblem['intents'] => ({ spares: 0, maxUtilization: 1, survive: [], latencyPenaltyPerRps: 1, ...o });

function solved(p: PlacementProblem): PlacementSolution {
  const s = solvePlacement(p, highs);
  if (s.status === 'infeasible') throw new Error(`infeasible: ${JSON.stringify(s)}`);
  expect(verify(p, s as PlacementSolution)).toEqual([]);
  return s as PlacementSolution;
}

describe('solvePlacement (hand-derived optima)', () => {
  it('one DC: N+2 at the utilization cap, in integer nodes', () => {
    // 120 req/s <= 0.5 x 100 x (n - 2)  =>  n >= 4.4  =>  5 nodes, cost 5 x 10.
    const s = solved({ dcs: [{ name: 'x', perNodeRps: 100, pricePerNodeMonth: 10 }], countries: [country('A', flat(120), { x: 10 })], intents: intents({ spares: 2, maxUtilization: 0.5 }) });
    expect(s).toMatchObject({ status: 'optimal', nodes: { x: 5 }, costPerMonth: 50, gap: 0 });
    expect(s.routing.normal).toEqual({ A: { x: 1 } });
  });

  it('checks capacity hour by hour: two countries peaking twelve hours apart share one node', () => {
    // A sends 100 req/s in UTC hours 0-11 and nothing after, B the reverse: every hour carries 100 = one node of 100,
    // where adding the two peaks would buy two.
    const am = Array.from({ length: 24 }, (_, h) => (h < 12 ? 100 : 0));
    const pm = Array.from({ length: 24 }, (_, h) => (h < 12 ? 0 : 100));
    const s = solved({ dcs: [{ name: 'x', perNodeRps: 100, pricePerNodeMonth: 10 }], countries: [country('A', am, { x: 10 }), country('B', pm, { x: 10 })], intents: intents() });
    expect(s.nodes).toEqual({ x: 1 });
  });

  it('pools the reserve for any one DC loss: 5 nodes where moving each country to its next-nearest DC takes 6', () => {
    // Three DCs of 100 req/s per node at 10 a month; countries A, B, C of 100 req/s each, all within budget of every
    // DC. After the loss of any one DC the other two carry 300: n_i + n_j >= 3 for every pair, so 2(n_x + n_y + n_z)
    // >= 9 and the total is at least 5 (e.g. 2, 2, 1: pairs 4, 3, 3). The greedy rule (A->x, B->y, C->z, a lost
    // DC's country to its next-nearest) needs 2 nodes wherever a stranded country lands: 2 + 2 + 2 = 6.
    const rtt = (a: number, b: number, c: number) => ({ x: a, y: b, z: c });
    const s = solved({
      dcs: ['x', 'y', 'z'].map((name) => ({ name, perNodeRps: 100, pricePerNodeMonth: 10 })),
      countries: [country('A', flat(100), rtt(10, 20, 30)), country('B', flat(100), rtt(30, 10, 20)), country('C', flat(100), rtt(20, 30, 10))],
      intents: intents({ survive: ['x', 'y', 'z'] }),
    });
    expect(s.costPerMonth).toBe(50);
    expect(Object.values(s.nodes).reduce((t, n) => t + n, 0)).toBe(5);
    expect(Object.keys(s.routing)).toEqual(['normal', 'loss:x', 'loss:y', 'loss:z']);
  });

  it('keeps a country within its latency budget where a DC can, pays for the nearest beyond it where none can, and strands what residency allows nowhere', () => {
    // IN: singapore at 60 ms (budget 100) or the cheaper us-west at 200 ms. Normal: singapore, as the budget is hard
    // where it can be met. Loss of singapore: only us-west is live, 100 ms beyond the budget: soft, penalty
    // 2 per req/s-ms x 100 ms x 50 req/s = 10000. CN may only use beijing: stranded when beijing is lost.
    const s = solved({
      dcs: [{ name: 'beijing', perNodeRps: 100, pricePerNodeMonth: 5 }, { name: 'singapore', perNodeRps: 100, pricePerNodeMonth: 50 }, { name: 'us-west', perNodeRps: 100, pricePerNodeMonth: 1 }],
      countries: [
        country('IN', flat(50), { beijing: 150, singapore: 60, 'us-west': 200 }, 100, ['singapore', 'us-west']),
        country('CN', flat(80), { beijing: 20, singapore: 90, 'us-west': 170 }, 100, ['beijing']),
      ],
      intents: intents({ survive: ['singapore', 'beijing'], latencyPenaltyPerRps: 2 }),
    });
    expect(s.routing.normal).toEqual({ IN: { singapore: 1 }, CN: { beijing: 1 } });
    expect(s.routing['loss:singapore']!.IN).toEqual({ 'us-west': 1 });
    expect(s.beyondBudget['loss:singapore']).toEqual([{ country: 'IN', dc: 'us-west', share: 1, rttMs: 200, budgetMs: 100 }]);
    expect(s.latencyPenalty).toBe(10000);
    expect(s.stranded['loss:beijing']).toEqual(['CN']);
    expect(s.nodes).toEqual({ beijing: 1, singapore: 1, 'us-west': 1 });
  });
});

describe('solvePlacement with what-if sites', () => {
  it('opens a second mainland site when only it lets China survive the loss of Beijing', () => {
    // CN (150 req/s) may use beijing (10 a node) or the candidate shanghai (12), both within budget. Surviving the
    // loss of either means the other alone carries 150: 2 nodes each, 20 + 24 = 44. Without shanghai, CN is stranded
    // when beijing is lost and beijing needs just 2 nodes (20).
    const dcs = [{ name: 'beijing', perNodeRps: 100, pricePerNodeMonth: 10 }, { name: 'shanghai', perNodeRps: 100, pricePerNodeMonth: 12, candidate: true }];
    const cn = country('CN', flat(150), { beijing: 20, shanghai: 25 }, 80);
    const s = solved({ dcs, countries: [cn], intents: intents({ survive: ['beijing', 'shanghai'] }) });
    expect(s).toMatchObject({ opened: ['shanghai'], nodes: { beijing: 2, shanghai: 2 }, costPerMonth: 44 });
    expect(s.stranded['loss:beijing']).toEqual([]);
    const base = solved({ dcs: dcs.slice(0, 1), countries: [{ ...cn, allowedDcs: ['beijing'] }], intents: intents({ survive: ['beijing'] }) });
    expect(base).toMatchObject({ opened: [], nodes: { beijing: 2 }, costPerMonth: 20 });
    expect(base.stranded['loss:beijing']).toEqual(['CN']);
  });

  it('opens a cheaper site only when it pays for its own spares', () => {
    // IN (100 req/s) may use singapore (50 a node, 60 ms) or the candidate mumbai (20 a node, 15 ms), budget 100.
    // N+2: singapore keeps its 2 spares whatever happens, so serving IN there costs 3 x 50 = 150, while opening
    // mumbai costs 2 x 50 (singapore's spares) + 3 x 20 = 160: stay closed. N+0: singapore may hold none, mumbai
    // serves IN on 1 node: 20 instead of 50.
    const dcs = [{ name: 'singapore', perNodeRps: 100, pricePerNodeMonth: 50 }, { name: 'mumbai', perNodeRps: 100, pricePerNodeMonth: 20, candidate: true }];
    const india = [country('IN', flat(100), { singapore: 60, mumbai: 15 })];
    expect(solved({ dcs, countries: india, intents: intents({ spares: 2 }) })).toMatchObject({ opened: [], nodes: { singapore: 3, mumbai: 0 }, costPerMonth: 150 });
    expect(solved({ dcs, countries: india, intents: intents({ spares: 0 }) })).toMatchObject({ opened: ['mumbai'], nodes: { singapore: 0, mumbai: 1 }, costPerMonth: 20 });
  });
});

describe('solvePlacement on conflicting intents', () => {
  it('names the cost cap and the capacity intent that cannot both hold', () => {
    // 120 req/s at 100 per node and N+2 needs 4 nodes = 40 a month; a cap of 30 cannot be met.
    const r = solvePlacement({ dcs: [{ name: 'x', perNodeRps: 100, pricePerNodeMonth: 10 }], countries: [country('A', flat(120), { x: 10 })], intents: intents({ spares: 2, costCapPerMonth: 30 }) }, highs);
    expect(r.status).toBe('infeasible');
    const words = (r as { conflicts: { intent: string }[] }).conflicts.map((c) => c.intent).join(' | ');
    expect(words).toMatch(/monthly cost at most 30/);
    expect(words).toMatch(/x at most 100% utilized with 2 spare nodes/);
  });

  it('names a site limit that keeps a country from its only DC within budget', () => {
    // SG must be served from sg (the only DC within its 50 ms budget), which needs 3 nodes but holds 2.
    const r = solvePlacement({
      dcs: [{ name: 'sg', perNodeRps: 100, pricePerNodeMonth: 10, maxNodes: 2 }, { name: 'far', perNodeRps: 100, pricePerNodeMonth: 10 }],
      countries: [country('SG', flat(300), { sg: 5, far: 180 }, 50)],
      intents: intents(),
    }, highs);
    expect(r.status).toBe('infeasible');
    const words = (r as { conflicts: { intent: string }[] }).conflicts.map((c) => c.intent).join(' | ');
    expect(words).toMatch(/serve all of SG's traffic in normal .*within its 50 ms budget/);
    expect(words).toMatch(/sg .*2-node site limit|sg holds between 0 and 2 nodes/);
  });
});
