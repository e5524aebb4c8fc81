/**
 * Schemas of traffic.json and plan.json as the report reads them back: the fields it renders, checked so that a wrong
 * or hand-edited file fails with its JSON path (exit 104) instead of as a blank chart. Unknown keys are kept.
 * (forecast.json has its schema in models/growth/forecast-file.ts.)
 */
import { z } from 'zod';
import { DemandSourcesSchema } from '../../models/traffic/traffic-file.ts';
import type { Plan, Traffic } from '../../models/types.ts';

const quarter = z.string().regex(/^\d{4}Q[1-4]$/, 'must be a quarter like 2015Q3');
const n = z.number().finite();
const band2 = z.object({ p50: n.nonnegative(), p90: n.nonnegative() }).loose()
  .refine((b) => b.p50 <= b.p90, { message: 'band must satisfy p50 <= p90' });

const TrafficService = z.object({ meanRps: band2, peakRps: band2, flashSaleRps: band2, flashSale: z.string().nullable() }).loose();

/** Schema of traffic.json (`caplab.traffic/v1`), the fields the report uses. */
export const TrafficFileSchema = z.object({
  schema: z.literal('caplab.traffic/v1'),
  placement: z.string(),
  demand: z.record(z.string(), n),
  demandSources: DemandSourcesSchema.optional(),
  shape: z.object({ localHourWeights: z.array(n), weeklyPeakFactor: n }).loose(),
  flashSales: z.array(z.object({ name: z.string(), countries: z.array(z.string()), localHour: n, multipliers: z.record(z.string(), n) }).loose()),
  routing: z.array(z.object({
    country: z.string(), dc: z.string(), rttMs: z.object({ p50: n, p95: n }).loose(), rule: z.string(), allowed: z.boolean(), reason: z.string(),
  }).loose()),
  violations: z.array(z.object({ country: z.string(), dc: z.string(), rule: z.string(), allowedDcs: z.array(z.string()) }).loose()),
  dcs: z.record(z.string(), z.array(z.object({
    quarter,
    activeDevices: band2,
    peakHourUtc: z.number().int().min(0).max(23),
    diurnalUtc: z.array(n).length(24),
    services: z.record(z.string(), TrafficService),
    total: z.object({ meanRps: band2, peakRps: band2, flashSaleRps: band2 }).loose(),
  }).loose()).min(1)),
}).loose() as unknown as z.ZodType<Traffic>;

const PlanQuarter = z.object({
  quarter,
  demandRps: band2,
  nodes: z.object({ p50: n.nonnegative(), p90: n.nonnegative(), leastRegret: n.nonnegative() }).loose(),
  withRedundancy: n,
  dcLoss: z.object({ nodes: n, worstLostDc: z.string().nullable(), moved: z.array(z.object({ country: z.string(), from: z.string(), rps: n }).loose()) }).loose(),
  planned: n.nonnegative(),
  cost: n.nonnegative(),
  fleet: n.nonnegative(),
  gap: n,
}).loose();

/** Schema of plan.json (`caplab.plan/v1`), the fields the report uses. */
export const PlanFileSchema = z.object({
  schema: z.literal('caplab.plan/v1'),
  seed: n,
  placement: z.string(),
  settings: z.object({ targetUtilization: n, redundancy: n, draws: n }).loose(),
  fleet: z.object({ asOf: z.string(), nodes: z.record(z.string(), n) }).loose(),
  currency: z.string(),
  fleetCheck: z.object({ status: z.enum(['checked', 'unavailable']), asOf: z.string(), nodes: n }).loose().optional(),
  sensitivity: z.object({
    baseCost: n, currency: z.string(),
    inputs: z.array(z.object({ name: z.string(), label: z.string(), low: z.object({ value: z.string(), cost: n }).loose(), high: z.object({ value: z.string(), cost: n }).loose(), swing: n }).loose()),
  }).loose().optional(),
  failover: z.record(z.string(), z.object({
    moves: z.array(z.object({ country: z.string(), to: z.string() }).loose()),
    stranded: z.array(z.object({ country: z.string(), rule: z.string() }).loose()),
  }).loose()).default({}),
  dcs: z.record(z.string(), z.object({
    capacity: z.object({
      ceilingRps: n, sloRps: n, perNodeRps: n.positive(), binds: z.enum(['slo', 'ceiling']), source: z.enum(['measured', 'modeled']),
      sloInterval: z.object({ lower: n.nonnegative(), upper: n.nullable() }).loose().optional(),
      inputs: z.record(z.string(), z.union([n, z.string()])).default({}),
    }).loose(),
    pricePerNodeMonth: n.nonnegative(),
    runsOut: z.object({ p50: quarter.nullable(), p90: quarter.nullable() }).loose(),
    quarters: z.array(PlanQuarter).min(1),
  }).loose()).refine((d) => Object.keys(d).length > 0, { message: 'plan has no data centers' }),
}).loose() as unknown as z.ZodType<Plan>;
