/**
 * An emulated application node, in virtual time (docs/design.md "Measuring a node's capacity"): W workers (a semaphore),
 * a bounded FIFO queue in front of them, and a per-request time that is the route's seeded service time stretched by
 * the Universal Scalability Law: with n requests in service, 1 + sigma (n - 1) + kappa n (n - 1).
 * The sigma term is the time a request spends waiting for its turn in a serialized section (on average sigma of
 * each of the n - 1 others' work: Gunther's reading of contention), the kappa term the pairwise cost of keeping
 * shared state coherent. So a closed loop of N <= W clients sees X(N) = N / (S (1 + sigma (N-1) + kappa N (N-1))),
 * the USL with lambda = 1 / S, whatever this machine's CPU does: time is spent waiting on timers, not computing.
 */
import type { NodeParams, RouteName } from './config.ts';
import { nowNs, sleepMs } from './clock.ts';
import { HttpError } from './http-error.ts';
import type { ServiceTimeSampler } from './service-time.ts';

/** Counters and gauges of one node. */
export interface NodeStats {
  /** Workers busy now. */
  busy: number;
  /** Requests waiting for a worker now. */
  queued: number;
  /** Worker count W. */
  workers: number;
  /** Queue bound. */
  queue: number;
  /** Requests refused with 503 since start. */
  shed: number;
  /** Requests that got through their service time since start (whatever status their handler then gave). */
  served: number;
  /** Modeled service time of the served requests, in ms (service-time draw times the USL stretch). */
  modeledMs: number;
  /**
   * How much longer than modeled the waits actually took, in ms, summed: timer granularity plus any event-loop
   * stall of this host. Small against `modeledMs` means the node's curve is the model's; large means the host is
   * interfering and a measurement taken now is the host's, not the node's.
   */
  lateMs: number;
}

/** An emulated node. */
export interface EmulatedNode {
  /** The node's parameters. */
  readonly params: NodeParams;
  /**
   * Runs `work` in a worker slot after the emulated service time of `route`.
   * @param route route name (selects the service-time distribution)
   * @param work the request's real work (synchronous: validation, SQLite)
   * @returns what `work` returns
   * @throws {HttpError} 503 `overloaded` with Retry-After when all workers are busy and the queue is full;
   *   anything `work` throws
   */
  run<T>(route: RouteName, work: () => T): Promise<T>;
  /** Current counters. */
  stats(): NodeStats;
}

/**
 * The USL stretch factor for n requests in service.
 * @param n requests in service (>= 1)
 * @param sigma contention coefficient
 * @param kappa coherency coefficient
 * @returns 1 + sigma (n - 1) + kappa n (n - 1)
 * @example uslFactor(1, 0.05, 0.002) // 1
 */
export function uslFactor(n: number, sigma: number, kappa: number): number {
  return 1 + sigma * (n - 1) + kappa * n * (n - 1);
}

/**
 * Creates an emulated node.
 * @param params W, sigma, kappa, queue bound
 * @param sampler seeded service times
 * @returns the node
 */
export function createNode(params: NodeParams, sampler: ServiceTimeSampler): EmulatedNode {
  let busy = 0;
  let shed = 0;
  let served = 0;
  let modeledMs = 0;
  let lateMs = 0;
  const waiters: Array<() => void> = [];

  const acquire = (route: RouteName): Promise<void> | undefined => {
    if (busy < params.workers) {
      busy++;
      return undefined;
    }
    if (waiters.length < params.queue) return new Promise<void>((resolve) => waiters.push(resolve));
    shed++;
    // A client should come back when the queue ahead of it has drained: queue / W service times at full stretch.
    const drainMs = ((params.queue + params.workers) / params.workers) * sampler.mean(route) *
      uslFactor(params.workers, params.sigma, params.kappa);
    const retryAfter = Math.max(1, Math.ceil(drainMs / 1000));
    throw new HttpError(503, 'overloaded',
      `all ${params.workers} workers are busy and ${params.queue} requests are queued; retry after ${retryAfter} s`,
      {}, { 'Retry-After': String(retryAfter) });
  };

  const release = (): void => {
    const next = waiters.shift();
    // The slot passes straight to the next waiter, so `busy` stays and nobody can overtake the queue.
    if (next) next();
    else busy--;
  };

  return {
    params,
    async run(route, work) {
      const waiting = acquire(route);
      if (waiting) await waiting;
      try {
        const n = busy;
        const modeled = sampler.draw(route) * uslFactor(n, params.sigma, params.kappa);
        const t0 = nowNs();
        await sleepMs(modeled);
        lateMs += Number(nowNs() - t0) / 1e6 - modeled;
        modeledMs += modeled;
        served++;
        return work();
      } finally {
        release();
      }
    },
    stats: () => ({ busy, queued: waiters.length, workers: params.workers, queue: params.queue, shed, served, modeledMs, lateMs }),
  };
}
