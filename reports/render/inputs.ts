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

const band = z.object({ p10: n, p50: n, p90: n }).loose();
const pair = z.object({ p50: n, p90: n }).loose();
const binds = z.enum(['cpu', 'memory', 'network', 'disk', 'iops', 'connections', 'minimum']);
const sizing = z.object({ shape: z.string(), family: z.string(), binds, nodes: n.nonnegative(), costPerMonth: n }).loose();
const tierPlan = z.object({ chosen: sizing, families: z.array(sizing) }).loose();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date like 2027-01-01');
/** Hours that may be null (never) in the file; a non-finite figure is written as null by JSON.stringify. */
const hours = n.nonnegative().nullable();

/** plan.json `resources`, the fields the report uses. */
const ResourcesSchema = z.object({
  designQuantile: n.gt(0).lt(1),
  currency: z.string(),
  baseline: z.object({ cpuCores: n, memoryGiB: n }).loose(),
  targetUtilization: z.object({ cpu: n, memory: n, network: n, disk: n, iops: n }).loose(),
  sites: z.record(z.string(), z.object({
    cpu: z.object({ text: z.string() }).loose(),
    connections: z.object({ text: z.string(), perNode: n.nonnegative().nullable() }).loose().optional(),
    quarters: z.array(z.object({
      quarter,
      app: tierPlan.nullable(),
      storage: tierPlan.nullable().optional(),
      push: tierPlan.nullable().optional(),
      connections: z.object({ held: n.nonnegative(), heartbeatsPerSecond: n.nonnegative(), deliveriesPerSecond: n.nonnegative() }).loose().optional(),
      storedTB: band,
      rawTB: band,
      network: z.object({ inGbps: pair, outGbps: pair }).loose(),
      egress: z.object({ tbPerMonth: pair, costPerMonth: n }).loose(),
      costPerMonth: z.object({ total: n }).loose(),
    }).loose()),
  }).loose()),
}).loose();

const direction = z.object({ bandwidthGbps: n, lossRate: n, perStreamMbps: n }).loose();

/** plan.json `move`, the fields the report uses. */
const MoveFileSchema = z.object({
  from: z.string(),
  link: z.object({ outbound: direction, inbound: direction, rttMs: n, streams: n }).loose(),
  catchUpHours: n,
  cutoverHours: n,
  waves: z.array(z.object({
    to: z.string(),
    start: quarter,
    startDate: isoDate,
    countries: z.array(z.string()),
    dataTB: band,
    writeBytesPerSecond: n,
    throughputBytesPerSecond: n.positive(),
    limitedBy: z.enum(['bandwidth', 'loss']),
    hours: z.object({ bulk: n.nonnegative(), catchUp: hours, cutover: hours, total: hours }).loose(),
    bulkHoursP90: n,
    rounds: n.nullable(),
    endDate: isoDate.nullable(),
    held: z.object({ nodes: n, months: n.nullable(), cost: n.nullable() }).loose(),
    rollbackHours: n,
    latency: z.array(z.object({ country: z.string(), before: n, during: n, after: n }).loose()),
  }).loose()),
  notes: z.array(z.string()),
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
  resources: ResourcesSchema.optional(),
  move: MoveFileSchema.optional(),
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
