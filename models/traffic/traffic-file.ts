/**
 * Schema of traffic.json as later stages read it back (planner, scenario builder, report): the fields they rely on,
 * checked so a wrong or hand-edited file fails with its JSON path.
 */
import { z } from 'zod';
import type { Traffic } from '../types.ts';

const Band2 = z.object({ p50: z.number().nonnegative(), p90: z.number().nonnegative() })
  .refine((b) => b.p50 <= b.p90, { message: 'band must satisfy p50 <= p90' });

const ServiceSchema = z.object({ meanRps: Band2, peakRps: Band2, flashSaleRps: Band2, flashSale: z.string().nullable() }).loose();

const DcQuarterSchema = z.object({
  quarter: z.string().regex(/^\d{4}Q[1-4]$/, 'must be a quarter like 2015Q3'),
  activeDevices: Band2,
  peakHourUtc: z.number().int().min(0).max(23),
  diurnalUtc: z.array(z.number().nonnegative()).length(24),
  services: z.record(z.string(), ServiceSchema),
  total: z.object({ meanRps: Band2, peakRps: Band2, flashSaleRps: Band2 }),
  countries: z.record(z.string(), z.object({ flashSaleRps: Band2 })),
}).loose();

const nullablePct = z.number().nonnegative().nullable();

/** Schema of traffic.json's optional `demandSources` (absent in files where every service is modeled). */
export const DemandSourcesSchema = z.record(z.string(), z.object({
  source: z.string().min(1),
  curve: z.enum(['own', 'shared']),
  fit: z.object({
    rmseRps: z.number().nonnegative(),
    mapePct: nullablePct,
    curve: z.enum(['fitted', 'modeled']),
    note: z.string().nullable(),
    dcs: z.record(z.string(), z.object({
      observedMeanRps: z.number().nonnegative(), fittedMeanRps: z.number().nonnegative(), rmseRps: z.number().nonnegative(), mapePct: nullablePct,
      samples: z.number().int().nonnegative(),
    }).loose()),
  }).loose().optional(),
}).loose());

/** Schema of traffic.json (`caplab.traffic/v1`). */
export const TrafficFileSchema = z.object({
  schema: z.literal('caplab.traffic/v1'),
  placement: z.string(),
  demand: z.record(z.string(), z.number().nonnegative()),
  demandSources: DemandSourcesSchema.optional(),
  shape: z.object({ localHourWeights: z.array(z.number()), weeklyPeakFactor: z.number().positive() }).loose(),
  flashSales: z.array(z.object({ name: z.string(), countries: z.array(z.string()), localHour: z.number(), multipliers: z.record(z.string(), z.number()) }).loose()),
  routing: z.array(z.object({
    country: z.string(), dc: z.string(), rttMs: z.object({ p50: z.number(), p95: z.number() }), rule: z.string(), allowed: z.boolean(), reason: z.string(),
  }).loose()),
  violations: z.array(z.object({ country: z.string(), dc: z.string(), rule: z.string(), allowedDcs: z.array(z.string()) }).loose()),
  dcs: z.record(z.string(), z.array(DcQuarterSchema).min(1)),
}).loose().superRefine((t, ctx) => {
  const counts = Object.entries(t.dcs).map(([dc, qs]) => [dc, qs.map((q) => q.quarter).join(',')] as const);
  const first = counts[0];
  for (const [dc, qs] of counts.slice(1)) {
    if (first && qs !== first[1]) ctx.addIssue({ code: 'custom', path: ['dcs', dc], message: `quarters differ from those of ${first[0]}` });
  }
}) as unknown as z.ZodType<Traffic>;
