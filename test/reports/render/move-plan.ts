/**
 * A small hand-written plan.json with `resources` and `move`: two sites (beijing, frankfurt), two quarters, and a move
 * out of beijing in two waves, the first converging (120 TB over a loss-limited link, two catch-up rounds), the second
 * never (its countries write 80 MB/s, the link copies 57.2 MB/s). The figures are what models/capacity/resources
 * computes for these inputs (mathisBps, copyTime), rounded where the file would not be.
 */
import type { ShapeSizing, TierNeeds } from '../../../models/capacity/resources/size-shape.ts';
import type { ResourceQuarter, TierPlan } from '../../../models/capacity/resources/types.ts';
import type { Plan, PlanQuarter } from '../../../models/types.ts';

const NO_NEEDS: TierNeeds = { cpu: 0, memory: 0, network: 0, disk: 0, iops: 0 };

function sized(shape: string, family: string, nodes: number, binds: ShapeSizing['binds'], perNodeMonth: number): ShapeSizing {
  return {
    shape, family, nodes, binds, perNodeMonth, costPerMonth: nodes * perNodeMonth,
    perResource: { cpu: binds === 'cpu' ? nodes - 2 : 1, memory: binds === 'memory' ? nodes - 2 : 1, network: 1, disk: binds === 'disk' ? nodes : 0, iops: binds === 'iops' ? nodes : 0, connections: 0 },
  };
}

function tier(chosen: ShapeSizing, ...others: ShapeSizing[]): TierPlan {
  return { needs: { ...NO_NEEDS, cpu: 40 }, chosen, families: [chosen, ...others] };
}

function quarter(q: string, app: TierPlan | null, storage: TierPlan | null | undefined, storedP50: number, egressTB: number, egressPerGB: number): ResourceQuarter {
  const appCost = app?.chosen.costPerMonth ?? 0;
  const storageCost = storage?.chosen.costPerMonth ?? 0;
  const egress = egressTB * 1000 * egressPerGB;
  return {
    quarter: q, app, ...(storage !== undefined ? { storage } : {}),
    storedTB: { p10: storedP50 * 0.8, p50: storedP50, p90: storedP50 * 1.25 },
    rawTB: { p10: storedP50 * 0.8 * 1.5, p50: storedP50 * 1.5, p90: storedP50 * 1.25 * 1.5 },
    byService: { photos: { storedTB: { p10: storedP50 * 0.8, p50: storedP50, p90: storedP50 * 1.25 }, rawTB: { p10: storedP50 * 1.2, p50: storedP50 * 1.5, p90: storedP50 * 1.875 }, redundancy: 'erasure 6+3', writeBytesPerSecond: 5e6 } },
    network: { inGbps: { p50: storedP50 / 100, p90: storedP50 / 80 }, outGbps: { p50: storedP50 / 20, p90: storedP50 / 16 } },
    egress: { tbPerMonth: { p50: egressTB, p90: egressTB * 1.3 }, costPerMonth: egress },
    costPerMonth: { app: appCost, storage: storageCost, egress, total: appCost + storageCost + egress },
  };
}

function planQuarter(q: string, planned: number, fleet: number, price: number): PlanQuarter {
  return {
    quarter: q, demandRps: { p50: planned * 250, p90: planned * 300 }, nodes: { p50: planned - 4, p90: planned - 2, leastRegret: planned - 3 },
    withRedundancy: planned - 1, dcLoss: { nodes: planned, worstLostDc: null, moved: [] }, planned, cost: planned * price * 3, fleet, gap: planned - fleet,
  };
}

const capacity = { ceilingRps: 420, sloRps: 330, perNodeRps: 330, binds: 'slo' as const, source: 'modeled' as const, inputs: { profile: 'standard', workers: 32 } };

/** Hours of the converging wave (120 TB at 57.22 MB/s; writes 5 MB/s: two rounds, the last delta 0.39 h). */
export const WAVE1 = { bulk: 582.546, catchUp: 55.352, cutover: 4, total: 641.898 };
/** Bulk hours of the wave that never converges (40 TB). */
export const WAVE2_BULK = 194.182;

/**
 * The plan.
 * @returns a fresh plan.json object (caplab.plan/v1) with resources and move
 */
export function movePlan(): Plan {
  const c7i = (n: number, b: ShapeSizing['binds']): ShapeSizing => sized('c7i.2xlarge', 'c7i', n, b, 250);
  const m7i = (n: number, b: ShapeSizing['binds']): ShapeSizing => sized('m7i.2xlarge', 'm7i', n, b, 290);
  const i4i = (n: number, b: ShapeSizing['binds']): ShapeSizing => sized('i4i.4xlarge', 'i4i', n, b, 900);
  return {
    schema: 'caplab.plan/v1', seed: 1, placement: 'beijing-frankfurt',
    settings: { targetUtilization: 0.6, redundancy: 2, draws: 64, capacityCv: 0.15, queueWaitTargetMs: 5, regret: { shortage: 5, surplus: 1 } },
    fleet: { asOf: '2026Q4', nodes: { beijing: 30, frankfurt: 4 } },
    currency: 'USD',
    failover: {},
    dcs: {
      beijing: { capacity, pricePerNodeMonth: 350, runsOut: { p50: null, p90: '2027Q2' }, quarters: [planQuarter('2027Q1', 28, 30, 350), planQuarter('2027Q2', 31, 30, 350)] },
      frankfurt: { capacity, pricePerNodeMonth: 420, runsOut: { p50: '2027Q1', p90: '2027Q1' }, quarters: [planQuarter('2027Q1', 8, 4, 420), planQuarter('2027Q2', 12, 4, 420)] },
    },
    resources: {
      designQuantile: 5 / 6, currency: 'USD',
      baseline: { cpuCores: 0.5, memoryGiB: 2 },
      targetUtilization: { cpu: 0.7, memory: 0.8, network: 0.6, disk: 0.8, iops: 0.7, connections: 1 },
      sites: {
        beijing: {
          cpu: { source: 'modeled', msPerRequest: 22.7, text: 'modeled: 330 req/s per node at the SLO on 8 vCPUs (standard), less the 0.5-core baseline: 22.7 ms of CPU per request' },
          egressPerGB: 0.08,
          quarters: [
            quarter('2027Q1', tier(c7i(24, 'cpu'), m7i(22, 'cpu')), tier(i4i(9, 'disk')), 310, 95, 0.08),
            quarter('2027Q2', tier(c7i(26, 'cpu'), m7i(24, 'cpu')), tier(i4i(10, 'disk')), 342.5, 104, 0.08),
          ],
        },
        frankfurt: {
          cpu: { source: 'catalog', msPerRequest: 18.4, text: 'catalog: each service\'s cpuMsPerRequest, 18.4 ms per request over the site\'s mix' },
          egressPerGB: 0.05,
          quarters: [
            quarter('2027Q1', tier(c7i(6, 'memory')), tier(i4i(3, 'minimum')), 12.5, 3.2, 0.05),
            quarter('2027Q2', tier(c7i(8, 'memory')), tier(i4i(4, 'iops')), 131.25, 31, 0.05),
          ],
        },
      },
    },
    move: {
      from: 'beijing',
      link: {
        outbound: { bandwidthGbps: 10, lossRate: 0.0001, perStreamMbps: 7.152510048926879 },
        inbound: { bandwidthGbps: 5, lossRate: 0.0001, perStreamMbps: 7.152510048926879 },
        rttMs: 200, streams: 64,
      },
      catchUpHours: 1, cutoverHours: 4,
      waves: [
        {
          to: 'frankfurt', start: '2027Q1', startDate: '2027-01-01', countries: ['DE', 'FR'], share: 0.7,
          dataTB: { p10: 96, p50: 120, p90: 150 }, writeBytesPerSecond: 5e6, throughputBytesPerSecond: 57_220_080.39, limitedBy: 'loss',
          hours: { ...WAVE1 }, bulkHoursP90: 728.183, rounds: 2, endDate: '2027-01-27',
          held: { nodes: 20, months: 0.8787, cost: 6151 }, rollbackHours: 638.636,
          latency: [{ country: 'DE', before: 182, during: 182, after: 9.5 }, { country: 'FR', before: 190, during: 190, after: 14 }],
        },
        {
          // A non-finite cut-over is written as null by JSON.stringify (the file's `cutover` of a wave that never converges).
          to: 'frankfurt', start: '2027Q2', startDate: '2027-04-01', countries: ['GB'], share: 0.3,
          dataTB: { p10: 32, p50: 40, p90: 55 }, writeBytesPerSecond: 80e6, throughputBytesPerSecond: 57_220_080.39, limitedBy: 'loss',
          hours: { bulk: WAVE2_BULK, catchUp: null, cutover: null as unknown as number, total: null }, bulkHoursP90: 267.0, rounds: null, endDate: null,
          held: { nodes: 9, months: null, cost: null }, rollbackHours: 194.182,
          latency: [{ country: 'GB', before: 205, during: 205, after: 16.5 }],
        },
      ],
      notes: ['the wave to mumbai in 2028Q1 is not planned: 2028Q1 is outside the planned periods'],
    },
  };
}
