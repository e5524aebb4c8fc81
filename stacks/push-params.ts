/**
 * The push service's parameters (data/hardware.json `profiles.<p>.push`): the session limit they imply, and the
 * scaling that lets one emulated node be measured on a small machine. A real node's figures (150,000 sessions,
 * 0.1 ms heartbeats) cannot be probed on a 2-core runner: opening that many sockets takes minutes and sub-millisecond
 * costs drown in timer granularity. Scaling shrinks the node instead, the way `serviceTimeScale` stretches requests.
 */
import type { PushParams } from '../models/capacity/hardware.ts';

// One schema per data file: the model's; re-exported under the names the stacks import.
export { type PushParams, PushParamsSchema } from '../models/capacity/hardware.ts';

/** How a node's push figures are scaled for a measurement (see {@link scalePushParams}). */
export interface PushScale {
  /** Multiplies the memory budget and maxConnections, hence the session limit (default 1). */
  connectionScale?: number;
  /** Multiplies the handshake, heartbeat and delivery CPU times (default 1; 0 = no emulated CPU time). */
  costScale?: number;
}

/**
 * The sessions one node holds: its memory budget over the memory of one session, or `maxConnections` when lower,
 * and at least 1 (a node that cannot hold one session would not be deployed).
 * @param p push parameters
 * @returns max(1, min(floor(memoryMiB * 1024 / memoryPerConnectionKiB), maxConnections))
 * @example pushSessionLimit({ memoryMiB: 10240, memoryPerConnectionKiB: 64, maxConnections: 150000, ... }) // 150000 (memory alone: 163840)
 */
export function pushSessionLimit(p: Pick<PushParams, 'memoryMiB' | 'memoryPerConnectionKiB' | 'maxConnections'>): number {
  // The small epsilon keeps an exact quotient such as 1.25 MiB / 64 KiB = 20 from flooring to 19 on rounding error.
  const byMemory = Math.floor((p.memoryMiB * 1024) / p.memoryPerConnectionKiB + 1e-9);
  return Math.max(1, Math.min(byMemory, p.maxConnections ?? Infinity));
}

/**
 * Scales a node's push figures. With costScale = 1 / connectionScale a scaled node at N x connectionScale sessions,
 * each heartbeating at the planned rate, is as busy as the real node at N sessions
 * (utilization = sessions x rate x cost / cores is unchanged) and its latencies are the real ones x costScale: a
 * probe of the small node reads the real one's curve.
 * @param p push parameters as in data/hardware.json
 * @param scale connection and cost factors
 * @returns the scaled parameters (maxConnections rounded, at least 1); cores, costCv and the heartbeat interval unchanged
 * @throws {RangeError} when connectionScale is not in (0, 1] or costScale is negative or not finite
 * @example scalePushParams(p, { connectionScale: 0.001, costScale: 1000 }) // 150 sessions, 100 ms heartbeats
 */
export function scalePushParams(p: PushParams, scale: PushScale = {}): PushParams {
  const conn = scale.connectionScale ?? 1;
  const cost = scale.costScale ?? 1;
  // Scaling up would only make a larger node than the data describes; a larger one is a different profile.
  if (!(conn > 0 && conn <= 1)) throw new RangeError(`scalePushParams: connectionScale ${conn} is not in (0, 1]`);
  if (!(cost >= 0) || !Number.isFinite(cost)) throw new RangeError(`scalePushParams: costScale ${cost} is not a finite number >= 0`);
  return {
    ...p,
    memoryMiB: p.memoryMiB * conn,
    ...(p.maxConnections !== undefined ? { maxConnections: Math.max(1, Math.round(p.maxConnections * conn)) } : {}),
    handshakeCpuMs: p.handshakeCpuMs * cost,
    heartbeatCpuMs: p.heartbeatCpuMs * cost,
    deliveryCpuMs: p.deliveryCpuMs * cost,
  };
}
