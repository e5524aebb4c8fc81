/**
 * The planner's view of data/hardware.json (node profiles per DC, prices) and of the service times in
 * data/services.json, and the service-time mix of a DC's demand.
 */
import { z } from 'zod';

const NodeParams = z.object({
  workers: z.number().int().min(1).max(4096),
  sigma: z.number().min(0).max(1),
  kappa: z.number().min(0).max(1),
  queue: z.number().int().min(0),
}).loose();

/** Schema of data/hardware.json as the planner reads it. */
export const HardwareSchema = z.object({
  schema: z.literal('caplab.hardware/v1'),
  currency: z.string().min(1),
  profiles: z.record(z.string(), NodeParams),
  dcs: z.record(z.string(), z.object({ profile: z.string(), pricePerNodeMonth: z.number().positive() }).loose()),
}).loose().superRefine((h, ctx) => {
  for (const [dc, v] of Object.entries(h.dcs)) {
    if (!(v.profile in h.profiles)) ctx.addIssue({ code: 'custom', path: ['dcs', dc, 'profile'], message: `unknown profile "${v.profile}"` });
  }
});

/** Parsed data/hardware.json. */
export type Hardware = z.output<typeof HardwareSchema>;

/** Schema of the service times of data/services.json. */
export const ServiceTimesSchema = z.object({
  schema: z.literal('caplab.services/v1'),
  routes: z.record(z.string(), z.object({ meanMs: z.number().positive(), cv: z.number().min(0) }).loose()),
}).loose();

/** Parsed service times. */
export type ServiceTimes = z.output<typeof ServiceTimesSchema>;

/**
 * Mean and coefficient of variation of the service time of a request mix: a mixture of the routes' distributions,
 * mean = sum w_i m_i, variance = sum w_i (s_i^2 + m_i^2) - mean^2.
 * @param routes per route mean (ms) and cv
 * @param weights requests of each route (any scale; routes without a service time are ignored)
 * @returns mix mean (ms) and cv
 * @throws {RangeError} when no weighted route has a service time
 * @example serviceMix({ a: { meanMs: 10, cv: 0 }, b: { meanMs: 30, cv: 0 } }, { a: 1, b: 1 }) // { meanMs: 20, cv: 0.5 }
 */
export function serviceMix(routes: ServiceTimes['routes'], weights: Readonly<Record<string, number>>): { meanMs: number; cv: number } {
  let total = 0;
  let mean = 0;
  let second = 0;
  for (const [route, w] of Object.entries(weights)) {
    const r = routes[route];
    if (!r || !(w > 0)) continue;
    const sd = r.cv * r.meanMs;
    total += w;
    mean += w * r.meanMs;
    second += w * (sd * sd + r.meanMs * r.meanMs);
  }
  if (!(total > 0)) throw new RangeError(`serviceMix: none of the routes ${Object.keys(weights).join(', ')} has a service time`);
  mean /= total;
  second /= total;
  return { meanMs: mean, cv: Math.sqrt(Math.max(0, second - mean * mean)) / mean };
}
