/**
 * What one request of a service asks of the hardware (a catalog service's `resources`, docs/formats.md): CPU time,
 * memory held while in flight, bytes in and out, and bytes stored with their retention, deletes and redundancy
 * (replicas or erasure coding). Uncertain figures are a low/mid/high interval read as the p10/p50/p90 of a lognormal,
 * the form every band of the traffic model has.
 */
import { z } from 'zod';
import { Z90 } from '../../normal-quantile.ts';

const IntervalObject = z.object({
  low: z.number().nonnegative(),
  mid: z.number().nonnegative(),
  high: z.number().nonnegative(),
  source: z.string().min(1).optional(),
}).strict().superRefine((v, ctx) => {
  if (!(v.low <= v.mid)) ctx.addIssue({ code: 'custom', path: ['mid'], message: 'must be at least low' });
  if (!(v.mid <= v.high)) ctx.addIssue({ code: 'custom', path: ['high'], message: 'must be at least mid' });
});

/** A figure: one number when known, or a low/mid/high interval (its p10/p50/p90). */
export const IntervalSchema = z.union([z.number().nonnegative(), IntervalObject]);
/** A figure as written. */
export type IntervalInput = z.output<typeof IntervalSchema>;
/** A figure with its three points. */
export interface Interval { low: number; mid: number; high: number }

/** Replication or erasure coding of stored data: the raw bytes per stored byte, and the fewest nodes it needs. */
export const RedundancySchema = z.union([
  z.object({ replicas: z.number().int().min(1).max(10) }).strict(),
  z.object({ erasure: z.object({ data: z.number().int().min(1).max(64), parity: z.number().int().min(0).max(32) }).strict() }).strict(),
]);
/** Redundancy as written. */
export type Redundancy = z.output<typeof RedundancySchema>;

/** Schema of a catalog service's `resources` (every group optional). */
export const ResourcesSchema = z.object({
  about: z.string().optional(),
  /** CPU time of one request on one core, ms. */
  cpuMsPerRequest: IntervalSchema.optional(),
  memory: z.object({
    /** Memory a request holds while in service, MB (10^6 bytes). */
    perInFlightMB: IntervalSchema,
    /** Memory the service keeps on every node it runs on (caches, heap floor), MB. */
    perNodeMB: z.number().nonnegative().default(0),
    /** Time a request is in service, ms (Little's law: in flight = rate x time); default the CPU time. */
    inServiceMs: z.number().positive().optional(),
    about: z.string().optional(),
  }).strict().optional(),
  network: z.object({
    bytesInPerRequest: IntervalSchema,
    bytesOutPerRequest: IntervalSchema,
    /** Share of the bytes out served by a cache or CDN in front of the site (not the site's bandwidth or egress). */
    cachedShare: z.number().min(0).max(1).default(0),
    about: z.string().optional(),
  }).strict().optional(),
  storage: z.object({
    /** Bytes one request writes and keeps (before redundancy). */
    bytesPerRequest: IntervalSchema,
    /** Bytes every active device keeps stored whatever it does (an account, a contact list). */
    bytesPerDevice: IntervalSchema.default(0),
    /** Days written data is kept (null: until the user deletes it). */
    retentionDays: z.number().positive().nullable().default(null),
    /** Share of written bytes users delete within the retention. */
    deletedShare: z.number().min(0).max(1).default(0),
    /** Days of writes already stored when the horizon begins, at its first period's rate. */
    priorDays: z.number().nonnegative().max(36_500).default(0),
    redundancy: RedundancySchema,
    /** Disk operations of one request on the storage tier, every copy's or shard's counted (the planner does not multiply). */
    iopsPerRequest: z.number().nonnegative().default(0),
    about: z.string().optional(),
  }).strict().optional(),
  /**
   * A push service: one long-lived connection per online device. It makes no requests of its own (no `demand`): its
   * deliveries are `messagesPerDevicePerDay`, its `cpuMsPerRequest` and network bytes per request are those of one
   * delivery, and it is sized on its own tier.
   */
  connections: z.object({
    /** Share of the active devices connected at the busiest hour. */
    onlineShare: IntervalSchema,
    /** Seconds between two heartbeats of a connection. */
    heartbeatSeconds: z.number().positive().max(86_400),
    /** CPU time of one heartbeat, ms. */
    cpuMsPerHeartbeat: IntervalSchema,
    /** Memory a held connection takes (socket buffers, TLS state, session), KiB. */
    memoryKiBPerConnection: IntervalSchema,
    /** Messages delivered to one active device per day (its share of the push tier's deliveries). */
    messagesPerDevicePerDay: IntervalSchema,
    /** Bytes of one heartbeat and its answer on the wire. */
    bytesPerHeartbeat: z.number().nonnegative().default(0),
    /** Most connections one node may hold whatever its memory (file descriptors, the kernel's tables), if any. */
    maxPerNode: z.number().int().positive().optional(),
    about: z.string().optional(),
  }).strict().optional(),
}).strict();

/** A service's resources as written. */
export type Resources = z.output<typeof ResourcesSchema>;

/**
 * A figure's three points.
 * @param v one number or an interval
 * @returns low, mid and high (all equal for a number)
 * @example interval(3) // { low: 3, mid: 3, high: 3 }
 */
export function interval(v: IntervalInput): Interval {
  return typeof v === 'number' ? { low: v, mid: v, high: v } : { low: v.low, mid: v.mid, high: v.high };
}

/**
 * The log standard deviation of a figure read as a lognormal with p10 = low, p50 = mid and p90 = high: the wider
 * side, so an asymmetric interval is never made narrower than stated.
 * @param v the interval
 * @returns sigma (0 for a point, or when mid is 0)
 * @example intervalSigma({ low: 50, mid: 100, high: 200 }) // ln 2 / 1.2816 = 0.541
 */
export function intervalSigma(v: Interval): number {
  if (!(v.mid > 0)) return 0;
  const up = v.high > v.mid ? Math.log(v.high / v.mid) : 0;
  const down = v.low > 0 && v.low < v.mid ? Math.log(v.mid / v.low) : (v.low === 0 && v.mid > 0 ? up : 0);
  return Math.max(up, down) / Z90;
}

/**
 * Raw bytes per stored byte of a redundancy scheme, and the fewest nodes that can hold it (one per copy or shard).
 * @param r replicas or erasure coding
 * @returns the factor (3 replicas: 3; Reed-Solomon 10+4: 1.4) and the minimum node count
 * @example redundancyFactor({ erasure: { data: 10, parity: 4 } }) // { factor: 1.4, minNodes: 14, label: 'Reed-Solomon 10+4' }
 */
export function redundancyFactor(r: Redundancy): { factor: number; minNodes: number; label: string } {
  if ('replicas' in r) return { factor: r.replicas, minNodes: r.replicas, label: `${r.replicas} replica${r.replicas === 1 ? '' : 's'}` };
  const { data, parity } = r.erasure;
  return { factor: (data + parity) / data, minNodes: data + parity, label: `Reed-Solomon ${data}+${parity}` };
}
