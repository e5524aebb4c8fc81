/**
 * The capacity plan: per data center and quarter, the nodes that carry the design demand (busiest hour with flash
 * sales) at a target utilization, with uncertainty from a seeded Monte Carlo over demand (lognormal through the
 * traffic's p50 and p90) and per-node capacity (lognormal around it), each draw also sized by Erlang C so the queue
 * wait stays within target; then redundancy (N+2), the nodes to survive the loss of any other DC (its countries fail
 * over to their nearest DC allowed by residency, at median demand; those with none are listed as stranded), cost,
 * and the quarter today's fleet runs out. Pure: same inputs and seed -> same plan.
 */
import { quantileSorted } from 'simple-statistics';
import { createRng } from '../random.ts';
import { residencyFor } from '../routing/residency.ts';
import { rttBand } from '../routing/rtt.ts';
import type { Residency, Rtt } from '../routing/settings.ts';
import type { Plan, PlanQuarter, Traffic } from '../types.ts';
import { serversForWait } from './erlang.ts';
import type { NodeCapacity } from './node-capacity.ts';
import { leastRegret } from './regret.ts';
import type { Fleet, PlannerSettings } from './settings.ts';
import { Z90 } from '../normal-quantile.ts';

/** Per-DC capacity with what the Erlang check needs. */
export interface DcCapacity extends NodeCapacity {
  /** Request slots per node. */
  workers: number;
}

/** Inputs of {@link buildPlan}. */
export interface PlanInput {
  /** traffic.json. */
  traffic: Traffic;
  /** Per-node capacity per DC. */
  capacity: Readonly<Record<string, DcCapacity>>;
  /** Today's fleet. */
  fleet: Fleet;
  /** Price of one node per month, per DC. */
  pricePerNodeMonth: Readonly<Record<string, number>>;
  /** Currency of prices. */
  currency: string;
  /** the world's RTT tables and the world's residency rules, to decide where a lost DC's countries go. */
  rtt: Rtt;
  residency: Residency;
  /** data/planner.json. */
  settings: PlannerSettings;
  /** Seed. */
  seed: number;
  /** Size each draw by Erlang C too (default true); false sizes by utilization alone, to measure what the check costs. */
  erlangCheck?: boolean;
}

/**
 * Builds plan.json's content.
 * @param input traffic, capacity, fleet, prices, routing data, settings, seed
 * @returns the plan
 * @throws {RangeError} when a DC of the traffic has no capacity or price, or a capacity of 0
 */
export function buildPlan(input: PlanInput): Plan {
  const { traffic, settings } = input;
  const dcNames = Object.keys(traffic.dcs);
  for (const dc of dcNames) {
    if (!input.capacity[dc]) throw new RangeError(`buildPlan: no capacity for data center ${dc}`);
    if (!(input.capacity[dc].perNodeRps > 0) || !(input.capacity[dc].ceilingRps > 0)) {
      throw new RangeError(`buildPlan: per-node capacity of ${dc} is ${input.capacity[dc].perNodeRps} req/s: no node count can carry its demand`);
    }
    if (input.pricePerNodeMonth[dc] === undefined) throw new RangeError(`buildPlan: no price for data center ${dc}`);
  }
  const failover = failoverTable(traffic, dcNames, input.rtt, input.residency);
  const dcs: Plan['dcs'] = {};
  for (const dc of dcNames) {
    const cap = input.capacity[dc]!;
    const fleetNodes = input.fleet.nodes[dc] ?? 0;
    const quarters: PlanQuarter[] = traffic.dcs[dc]!.map((tq, qi) => {
      const demand = tq.total.flashSaleRps;
      const needs = drawNeeds(demand, cap, settings, createRng(input.seed, `plan:${dc}:${tq.quarter}`), input.erlangCheck ?? true);
      const sorted = [...needs].sort((a, b) => a - b);
      const nodes = {
        p50: Math.ceil(quantileSorted(sorted, 0.5)),
        p90: Math.ceil(quantileSorted(sorted, 0.9)),
        leastRegret: leastRegret(needs, settings.regret.shortage, settings.regret.surplus),
      };
      const withRedundancy = nodes.leastRegret + settings.redundancy;
      const dcLoss = lossSizing(dc, qi, traffic, failover, cap, settings);
      const planned = Math.max(withRedundancy, dcLoss.nodes);
      return {
        quarter: tq.quarter,
        demandRps: { ...demand },
        nodes,
        withRedundancy,
        dcLoss,
        planned,
        cost: Math.round(planned * input.pricePerNodeMonth[dc]! * 3),
        fleet: fleetNodes,
        gap: planned - fleetNodes,
      };
    });
    // p50 basis: the median need plus redundancy; p90 basis: the planned count (which covers p90 demand and DC loss).
    const runsOut = {
      p50: quarters.find((q) => q.nodes.p50 + settings.redundancy > fleetNodes)?.quarter ?? null,
      p90: quarters.find((q) => Math.max(q.nodes.p90 + settings.redundancy, q.planned) > fleetNodes)?.quarter ?? null,
    };
    dcs[dc] = { capacity: { ...cap, inputs: { ...cap.inputs } }, pricePerNodeMonth: input.pricePerNodeMonth[dc]!, runsOut, quarters };
  }
  return {
    schema: 'caplab.plan/v1',
    seed: input.seed,
    placement: traffic.placement,
    settings: {
      targetUtilization: settings.targetUtilization,
      redundancy: settings.redundancy,
      draws: settings.draws,
      capacityCv: settings.capacityCv,
      queueWaitTargetMs: settings.queueWaitTargetMs,
      regret: { shortage: settings.regret.shortage, surplus: settings.regret.surplus },
    },
    fleet: { asOf: input.fleet.asOf, nodes: { ...input.fleet.nodes } },
    currency: input.currency,
    failover: Object.fromEntries([...failover].map(([lost, moves]) => [lost, {
      moves: [...moves].filter(([, m]) => m.to !== null).map(([country, m]) => ({ country, to: m.to! })),
      stranded: [...moves].filter(([, m]) => m.to === null).map(([country, m]) => ({ country, rule: m.rule })),
    }])),
    dcs,
  };
}

/**
 * Nodes needed in each Monte Carlo draw: demand / (capacity x utilization), and at least enough worker slots that an
 * M/M/c queue over all of them keeps its mean wait within target (service time at full concurrency, W / ceiling).
 */
function drawNeeds(demand: { p50: number; p90: number }, cap: DcCapacity, settings: PlannerSettings, rng: ReturnType<typeof createRng>, erlang: boolean): number[] {
  const sigmaD = demand.p50 > 0 && demand.p90 > demand.p50 ? Math.log(demand.p90 / demand.p50) / Z90 : 0;
  const serviceTime = cap.workers / cap.ceilingRps;
  const out: number[] = [];
  for (let d = 0; d < settings.draws; d++) {
    const lambda = demand.p50 * Math.exp(sigmaD * rng.normal());
    const perNode = cap.perNodeRps * Math.exp(settings.capacityCv * rng.normal());
    if (!(lambda > 0)) {
      out.push(0);
      continue;
    }
    const byUtil = perNode > 0 ? Math.ceil(lambda / (perNode * settings.targetUtilization)) : Infinity;
    if (!erlang) {
      out.push(byUtil);
      continue;
    }
    const slots = serversForWait({ arrivalRate: lambda, serviceTime, targetWait: settings.queueWaitTargetMs / 1000 });
    out.push(Math.max(byUtil, Math.ceil(slots / cap.workers)));
  }
  return out;
}

/** For each DC that may be lost: where each of its countries goes (null: nowhere allowed) and under which rule. */
function failoverTable(traffic: Traffic, dcs: readonly string[], rtt: Rtt, residency: Residency): Map<string, Map<string, { to: string | null; rule: string }>> {
  const table = new Map<string, Map<string, { to: string | null; rule: string }>>();
  for (const lost of dcs) {
    const moves = new Map<string, { to: string | null; rule: string }>();
    for (const r of traffic.routing.filter((x) => x.dc === lost)) {
      const { rule, dcs: allowed } = residencyFor(residency, r.country);
      const candidates = dcs.filter((d) => d !== lost && allowed.includes(d));
      const to = candidates.length === 0 ? null
        : candidates.reduce((a, b) => (rttBand(rtt, b, r.country).p50 < rttBand(rtt, a, r.country).p50 ? b : a));
      moves.set(r.country, { to, rule });
    }
    table.set(lost, moves);
  }
  return table;
}

/**
 * Nodes to carry the median design demand plus the worst single other-DC failover, at the target utilization (the
 * headroom is kept during the incident; forecast risk is carried by the least-regret count and redundancy).
 */
function lossSizing(dc: string, qi: number, traffic: Traffic, failover: Map<string, Map<string, { to: string | null; rule: string }>>, cap: DcCapacity, settings: PlannerSettings): PlanQuarter['dcLoss'] {
  const own = traffic.dcs[dc]![qi]!.total.flashSaleRps.p50;
  const nodesFor = (rps: number): number => (rps > 0 ? Math.ceil(rps / (cap.perNodeRps * settings.targetUtilization)) : 0);
  let worst: PlanQuarter['dcLoss'] = { nodes: nodesFor(own), worstLostDc: null, moved: [] };
  let worstExtra = -1;
  for (const [lost, moves] of failover) {
    if (lost === dc) continue;
    const lostQuarter = traffic.dcs[lost]![qi]!;
    const moved: PlanQuarter['dcLoss']['moved'] = [];
    for (const [country, m] of moves) {
      if (m.to === dc) moved.push({ country, from: lost, rps: lostQuarter.countries[country]?.flashSaleRps.p50 ?? 0 });
    }
    // Peaks of different countries need not coincide, so adding them is the conservative bound.
    const extra = moved.reduce((s, x) => s + x.rps, 0);
    if (extra > worstExtra) {
      worstExtra = extra;
      worst = { nodes: nodesFor(own + extra), worstLostDc: extra > 0 ? lost : null, moved };
    }
  }
  return worst;
}
