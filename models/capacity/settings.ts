/**
 * Schemas of the planner's data files: data/planner.json (utilization target, redundancy, Monte Carlo, regret
 * weights, queue-wait target) and the world's fleet (nodes in service today).
 */
import { z } from 'zod';

/** A low..high interval of one input, low below high. */
function Interval(value: z.ZodNumber) {
  return z.object({ low: value, high: value }).loose().refine((i) => i.low < i.high, { message: 'low must be below high' });
}

/** Schema of data/planner.json. */
export const PlannerSettingsSchema = z.object({
  schema: z.literal('caplab.planner/v1'),
  targetUtilization: z.number().gt(0).max(1),
  redundancy: z.number().int().nonnegative(),
  draws: z.number().int().min(16),
  capacityCv: z.number().nonnegative(),
  queueWaitTargetMs: z.number().positive(),
  serverBudgetP95Ms: z.number().positive(),
  regret: z.object({ shortage: z.number().positive(), surplus: z.number().positive() }).loose(),
  /** Intervals the sensitivity analysis moves each stated input over (factors, or a utilization), low < high. */
  sensitivity: z.object({
    demandPerDevice: Interval(z.number().positive()),
    targetUtilization: Interval(z.number().gt(0).max(1)),
    prices: Interval(z.number().positive()),
    flashSaleMultiplier: Interval(z.number().nonnegative()),
  }).loose().optional(),
}).loose();

/** Parsed data/planner.json. */
export type PlannerSettings = z.output<typeof PlannerSettingsSchema>;

/** Schema of a fleet file (the world's fleet or `--fleet F`). */
export const FleetSchema = z.object({
  schema: z.literal('caplab.fleet/v1'),
  asOf: z.string().regex(/^\d{4}Q[1-4]$/, 'must be a quarter like 2014Q4'),
  nodes: z.record(z.string(), z.number().int().nonnegative()),
  /** Share of the fleet's capacity in use at the as-of period's busiest hour, as its operators know it. */
  peakUtilization: z.number().gt(0).max(1, 'must be a share of capacity, at most 1').optional(),
  /** The fleet's measured peak, requests/s summed over its sites (wins over peakUtilization for the check). */
  peakRps: z.number().positive().optional(),
}).loose();

/** Parsed fleet file. */
export type Fleet = z.output<typeof FleetSchema>;
