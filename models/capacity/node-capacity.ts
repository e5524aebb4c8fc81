/**
 * Modeled capacity of one emulated node, from its hardware profile (workers W, USL sigma and kappa) and the mean
 * service time of the request mix: the USL ceiling (best throughput over concurrencies 1..W) and the highest rate
 * whose p95 response time stays within a server-side budget. The p95 is bounded from above by the p95 of the
 * (USL-inflated, lognormal) service time plus the p95 of the M/M/W queueing wait (Erlang C tail
 * P(Wq > t) = C e^{-(W/S - r) t}): a sum of quantiles, so the SLO rate errs on the safe side. Measured capacity
 * (probe and sweep results) replaces these figures when it exists.
 */
import { erlangC } from './erlang.ts';

/** What the model needs to know about a node and its work. */
export interface NodeModel {
  /** Request slots (a semaphore). */
  workers: number;
  /** USL contention coefficient. */
  sigma: number;
  /** USL coherency coefficient. */
  kappa: number;
  /** Mean service time of the request mix on an idle node, ms. */
  meanServiceMs: number;
  /** Coefficient of variation of the service time (sd / mean). */
  serviceCv: number;
}

/** The interval a measured SLO rate lies in: the sweep's highest passing rate and the next rate that failed. */
export interface SloInterval {
  /** Highest swept rate meeting the SLO, requests/s (0 when none did). */
  lower: number;
  /** Lowest swept rate above `lower` missing it, requests/s; null when none above was swept (not bracketed). */
  upper: number | null;
}

/** Capacity of one node, requests per second. */
export interface NodeCapacity {
  /** Highest throughput the node reaches (USL ceiling). */
  ceilingRps: number;
  /** Highest rate meeting the server-side p95 budget. */
  sloRps: number;
  /** The lower of the two, what a plan may count on. */
  perNodeRps: number;
  /** Which one binds. */
  binds: 'slo' | 'ceiling';
  /** Measured capacity: the interval the SLO rate lies in, from the sweep's steps (absent when modeled or not swept). */
  sloInterval?: SloInterval;
  /** Where the figures come from. */
  source: 'measured' | 'modeled';
  /** The inputs, for the report. */
  inputs: Record<string, number | string>;
}

const Z95 = 1.6448536269514722;

/**
 * USL slowdown factor with n requests in service: 1 + sigma (n - 1) + kappa n (n - 1).
 * @param node node model
 * @param n requests in service (>= 1)
 * @returns factor >= 1
 */
export function uslSlowdown(node: Pick<NodeModel, 'sigma' | 'kappa'>, n: number): number {
  const k = Math.max(1, n);
  return 1 + node.sigma * (k - 1) + node.kappa * k * (k - 1);
}

/**
 * p95 response time (ms) of a node at a given arrival rate, or Infinity when the rate is beyond what it serves.
 * @param node node model
 * @param rps arrival rate, requests per second
 * @returns upper bound of the p95 response time, ms
 */
export function p95ResponseMs(node: NodeModel, rps: number): number {
  const s0 = node.meanServiceMs / 1000;
  // Busy slots n solve n = r S f(n) (Little's law for requests in service); iterate from the idle service time.
  let n = rps * s0;
  for (let i = 0; i < 50; i++) {
    const next = rps * s0 * uslSlowdown(node, n);
    if (next >= node.workers) return Infinity;
    if (Math.abs(next - n) < 1e-9) break;
    n = next;
  }
  const s = s0 * uslSlowdown(node, n);
  const sigma2 = Math.log(1 + node.serviceCv * node.serviceCv);
  const serviceP95 = Math.exp(Math.log(s) - sigma2 / 2 + Z95 * Math.sqrt(sigma2));
  const load = rps * s;
  if (load >= node.workers) return Infinity;
  const c = erlangC(load, node.workers);
  const drain = node.workers / s - rps;
  const waitP95 = c > 0.05 ? Math.log(c / 0.05) / drain : 0;
  return (serviceP95 + waitP95) * 1000;
}

/**
 * Modeled capacity of one node.
 * @param node node model
 * @param serverBudgetP95Ms p95 response budget on the server side (end-to-end budget minus RTT), ms
 * @returns ceiling, SLO rate and which binds (sloRps is 0 when even an idle node misses the budget)
 * @throws {RangeError} when an input is not positive and finite
 * @example modeledNodeCapacity({ workers: 32, sigma: 0.05, kappa: 0.0005, meanServiceMs: 30, serviceCv: 0.5 }, 200)
 */
export function modeledNodeCapacity(node: NodeModel, serverBudgetP95Ms: number): NodeCapacity {
  for (const [k, v] of Object.entries({ ...node, serverBudgetP95Ms })) {
    if (!(Number.isFinite(v) && v >= 0) || ((k === 'workers' || k === 'meanServiceMs' || k === 'serverBudgetP95Ms') && !(v > 0))) {
      throw new RangeError(`modeledNodeCapacity: ${k} must be ${k === 'sigma' || k === 'kappa' || k === 'serviceCv' ? 'non-negative' : 'positive'} and finite, got ${v}`);
    }
  }
  const s0 = node.meanServiceMs / 1000;
  let ceiling = 0;
  for (let n = 1; n <= node.workers; n++) ceiling = Math.max(ceiling, n / (s0 * uslSlowdown(node, n)));
  // The p95 grows with the rate, so bisect for the highest rate within budget.
  let lo = 0;
  let hi = ceiling;
  if (p95ResponseMs(node, 1e-9) > serverBudgetP95Ms) hi = 0;
  for (let i = 0; i < 60 && hi > 0; i++) {
    const mid = (lo + hi) / 2;
    if (p95ResponseMs(node, mid) <= serverBudgetP95Ms) lo = mid;
    else hi = mid;
  }
  const slo = Math.min(lo, ceiling);
  // Rounded down: a capacity figure must never promise more than the model allows.
  const round = (v: number): number => Math.floor(v * 100) / 100;
  return {
    ceilingRps: round(ceiling),
    sloRps: round(slo),
    perNodeRps: round(Math.min(slo, ceiling)),
    binds: slo < ceiling - 1e-9 ? 'slo' : 'ceiling',
    source: 'modeled',
    inputs: { ...node, serverBudgetP95Ms },
  };
}
