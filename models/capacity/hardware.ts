/**
 * The one schema of data/hardware.json (node profiles, which profile each DC runs and at what price), read by the
 * planner (cli plan) and by the built-in stacks (stacks/config.ts) alike, and the service-time mix of a DC's demand.
 */
import { z } from 'zod';
import { type ServiceTime, ServicesSchema } from './services.ts';

/**
 * One node's parameters: W `workers` (request slots, 1..4096), USL `sigma` (contention) and `kappa` (coherency),
 * each 0..1, and the `queue` of requests waiting for a slot (0..1,000,000: a bound, not a buffer to exhaust memory).
 */
export const NodeParamsSchema = z.object({
  workers: z.number().int().min(1).max(4096),
  sigma: z.number().min(0).max(1),
  kappa: z.number().min(0).max(1),
  queue: z.number().int().min(0).max(1_000_000),
});

/** Parameters of one node: W workers, USL sigma and kappa, queue bound. */
export type NodeParams = z.output<typeof NodeParamsSchema>;

/**
 * One node's push (WebSocket) service, for the emulated node's sessions (stacks/push-node.ts): its session limit is
 * floor(memoryMiB * 1024 / memoryPerConnectionKiB), or `maxConnections` when lower; `cores` CPU servers take each
 * handshake, heartbeat and delivery for its modeled CPU time (ms, drawn lognormal with `costCv`); `heartbeatIntervalS`
 * is the devices' planned heartbeat period (s). `about` gives the reasoning, figure by figure.
 */
export const PushParamsSchema = z.object({
  memoryMiB: z.number().positive().max(1 << 30),
  memoryPerConnectionKiB: z.number().positive().max(1 << 20),
  maxConnections: z.number().int().min(1).max(1_000_000_000).optional(),
  cores: z.number().int().min(1).max(4096),
  handshakeCpuMs: z.number().min(0).max(60_000),
  heartbeatCpuMs: z.number().min(0).max(60_000),
  deliveryCpuMs: z.number().min(0).max(60_000),
  costCv: z.number().min(0).max(10),
  heartbeatIntervalS: z.number().positive().max(86_400),
  about: z.record(z.string(), z.string()).optional(),
});

/** Parameters of one node's push service (see {@link PushParamsSchema}). */
export type PushParams = z.output<typeof PushParamsSchema>;

/** Schema of data/hardware.json; a DC naming a profile the file does not define is a problem at `dcs.<dc>.profile`. */
export const HardwareSchema = z.object({
  schema: z.literal('caplab.hardware/v1'),
  about: z.string().optional(),
  currency: z.string().min(1),
  pricing: z.string().optional(),
  profiles: z.record(z.string(), NodeParamsSchema.extend({ about: z.string().optional(), vcpu: z.number().positive().max(1024).optional(), push: PushParamsSchema.optional() })),
  dcs: z.record(z.string(), z.object({ profile: z.string(), pricePerNodeMonth: z.number().positive(), about: z.string().optional() })),
}).superRefine((h, ctx) => {
  // Runs even when other fields are invalid (every problem is listed at once), so each entry is checked for shape.
  for (const [dc, v] of Object.entries(h.dcs)) {
    const profile: unknown = isObject(v) ? v.profile : undefined;
    if (typeof profile === 'string' && !Object.hasOwn(h.profiles, profile)) {
      ctx.addIssue({ code: 'custom', path: ['dcs', dc, 'profile'], message: `unknown profile "${profile}"` });
    }
  }
}, { when: (payload) => isObject(payload.value) && isObject(payload.value.profiles) && isObject(payload.value.dcs) });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The hardware the planner and stacks read: data/hardware.json's profiles with a world's sites and prices. */
export type Hardware = z.output<typeof HardwareSchema>;

/** Schema of data/hardware.json: the node profiles a world's sites name (each site's price is the world's). */
export const HardwareProfilesSchema = z.object({
  schema: z.literal('caplab.hardware/v1'),
  about: z.string().optional(),
  profiles: z.record(z.string(), NodeParamsSchema.extend({
    about: z.string().optional(),
    /** vCPUs of the machine the profile stands for: what a rate measured on one node is per core of (resource plan). */
    vcpu: z.number().positive().max(1024).optional(),
    /** The node's push (WebSocket) service; a profile without one serves no `/v1/push` sessions. */
    push: PushParamsSchema.optional(),
  }))
    .refine((p) => Object.keys(p).length > 0, 'must define at least one profile'),
}).strict();

/** Parsed data/hardware.json. */
export type HardwareProfiles = z.output<typeof HardwareProfilesSchema>;

/**
 * The schema of data/services.json under the name the planner has used for its service times: the same schema as
 * {@link ServicesSchema} (one schema per data file), kept so existing imports keep working.
 */
export const ServiceTimesSchema = ServicesSchema;

/** Parsed data/services.json (see {@link ServiceTimesSchema}). */
export type ServiceTimes = z.output<typeof ServicesSchema>;

/**
 * Mean and coefficient of variation of the service time of a request mix: a mixture of the routes' distributions,
 * mean = sum w_i m_i, variance = sum w_i (s_i^2 + m_i^2) - mean^2.
 * @param routes per route mean (ms) and cv
 * @param weights requests of each route (any scale; routes without a service time are ignored)
 * @returns mix mean (ms) and cv
 * @throws {RangeError} when no weighted route has a service time
 * @example serviceMix({ a: { meanMs: 10, cv: 0 }, b: { meanMs: 30, cv: 0 } }, { a: 1, b: 1 }) // { meanMs: 20, cv: 0.5 }
 */
export function serviceMix(routes: Readonly<Record<string, ServiceTime>>, weights: Readonly<Record<string, number>>): { meanMs: number; cv: number } {
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
