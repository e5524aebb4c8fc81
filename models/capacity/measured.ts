/**
 * Measured capacity of one node, from a probe and a sweep run against it (docs/design.md "Measuring a node's capacity"):
 * the USL fitted to the probe's throughput per concurrency gives the ceiling (the best fitted throughput within
 * the tested range, X(min(N*, largest N tested))) and N*; the sweep's highest offered rate whose p95 (corrected for
 * coordinated omission when available) stays within the server-side budget with no dropped iterations gives the
 * capacity at the SLO. The plan uses the lower and says which binds. Failed requests never count: a probe step with
 * more than 1% of its requests failed is left out of the fit (a refused connection or a TLS error "completes" far
 * faster than a real answer), the others count only their successful throughput, and a sweep step with them misses
 * the SLO.
 */
import { ValidationError } from '../errors.ts';
import type { NodeCapacity, SloInterval } from './node-capacity.ts';
import { fitUsl, uslThroughput } from './usl.ts';

/** One probe step: closed-model concurrency and measured throughput. */
export interface ProbeStep {
  /**
   * Concurrency the target held: requests in flight by Little's law (throughput x mean response time), or the VU
   * count when no durations are known. The in-flight figure is the USL's N: a busy load generator keeps fewer
   * requests in flight than it has VUs, and fitting on VUs would charge its overhead to the node.
   */
  concurrency: number;
  /** Requests per second in the step's window. */
  throughput: number;
  /** Failed share of the step's requests (absent: none known to have failed). */
  errorRate?: number;
}

/** One sweep step: offered rate and what the node did with it. */
export interface SweepStep {
  /** Offered arrival rate, requests/s. */
  rate: number;
  /** p95 response time, ms (coordinated-omission corrected when available). */
  p95: number;
  /** Dropped iterations. */
  dropped: number;
  /** Failed share of requests. */
  errorRate: number;
}

/** Largest failed share a sweep step may have and still count as meeting the SLO. */
const MAX_ERROR_RATE = 0.01;

/**
 * Measured per-node capacity.
 * @param probe probe steps (at least 3 distinct concurrencies with throughput)
 * @param sweep sweep steps (may be empty: the SLO rate is then unknown and the ceiling binds)
 * @param serverBudgetP95Ms server-side p95 budget, ms
 * @returns capacity with source `measured` and the fit in its inputs
 * @throws {ValidationError} when the probe cannot be fitted (fewer than 3 levels, non-positive values), naming
 *   the steps left out for failed requests
 * @example measuredNodeCapacity(steps, rates, 200).perNodeRps
 */
export function measuredNodeCapacity(probe: readonly ProbeStep[], sweep: readonly SweepStep[], serverBudgetP95Ms: number): NodeCapacity {
  const failing = probe.filter((p) => (p.errorRate ?? 0) > MAX_ERROR_RATE);
  const usable = probe.filter((p) => (p.errorRate ?? 0) <= MAX_ERROR_RATE && p.throughput > 0)
    .map((p) => ({ concurrency: p.concurrency, throughput: p.throughput * (1 - (p.errorRate ?? 0)) }));
  if (failing.length > 0 && new Set(usable.map((p) => p.concurrency)).size < 3) {
    throw new ValidationError('measuredNodeCapacity: no capacity is fitted on failed requests', failing.map((p) => ({
      where: `probe step at concurrency ${round(p.concurrency, 2)}`,
      message: `${round((p.errorRate ?? 0) * 100, 1)}% of its requests failed (more than ${MAX_ERROR_RATE * 100}%), left out; ${usable.length} step${usable.length === 1 ? '' : 's'} left, the USL needs 3`,
    })));
  }
  const fit = fitUsl(usable);
  const maxN = Math.max(...usable.map((p) => p.concurrency));
  const atN = Number.isFinite(fit.nStar) ? Math.min(fit.nStar, maxN) : maxN;
  const ceiling = uslThroughput(fit, atN);
  const interval = sloInterval(sweep, serverBudgetP95Ms);
  const slo = sweep.length > 0 ? interval.lower : ceiling;
  const floor2 = (v: number): number => Math.floor(v * 100) / 100;
  const se = fit.standardErrors;
  return {
    ceilingRps: floor2(ceiling),
    sloRps: floor2(slo),
    perNodeRps: floor2(Math.min(slo, ceiling)),
    binds: slo < ceiling ? 'slo' : 'ceiling',
    source: 'measured',
    ...(sweep.length > 0 ? { sloInterval: interval } : {}),
    inputs: {
      sigma: round(fit.sigma, 6), kappa: round(fit.kappa, 8), lambda: round(fit.lambda, 4),
      ...(se ? { sigmaSe: round(se.sigma, 6), kappaSe: round(se.kappa, 8), lambdaSe: round(se.lambda, 4) } : {}),
      nStar: Number.isFinite(fit.nStar) ? round(fit.nStar, 2) : 'Infinity', r2: round(fit.r2, 4),
      probeSteps: probe.length, ...(failing.length > 0 ? { probeStepsFailed: failing.length } : {}), sweepSteps: sweep.length, sweepPassing: sweep.filter((s) => meetsSlo(s, serverBudgetP95Ms)).length, serverBudgetP95Ms,
      ...(sweep.length === 0 ? { note: 'no sweep: the SLO rate is not measured, the USL ceiling is used' } : {}),
    },
  };
}

function meetsSlo(s: SweepStep, serverBudgetP95Ms: number): boolean {
  return s.p95 <= serverBudgetP95Ms && s.dropped === 0 && s.errorRate <= MAX_ERROR_RATE;
}

/**
 * Where the SLO rate lies, as far as a sweep's steps tell: at least the highest rate that met the SLO, and below
 * the lowest rate above it that did not. The sweep measures only its own rates, so this interval is the
 * measurement's resolution; the plan counts on the lower end.
 * @param sweep sweep steps (any order)
 * @param serverBudgetP95Ms server-side p95 budget, ms
 * @returns {lower, upper}; lower 0 when no step met the SLO, upper null when no step above lower missed it
 * @example sloInterval([{ rate: 100, p95: 50, dropped: 0, errorRate: 0 }, { rate: 150, p95: 300, dropped: 0, errorRate: 0 }], 200) // {lower: 100, upper: 150}
 */
export function sloInterval(sweep: readonly SweepStep[], serverBudgetP95Ms: number): SloInterval {
  const lower = Math.max(0, ...sweep.filter((s) => meetsSlo(s, serverBudgetP95Ms)).map((s) => s.rate));
  const above = sweep.filter((s) => s.rate > lower && !meetsSlo(s, serverBudgetP95Ms)).map((s) => s.rate);
  return { lower, upper: above.length > 0 ? Math.min(...above) : null };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
