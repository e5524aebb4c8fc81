/**
 * Run comparison: per DC and metric, baseline vs candidate (p95, p99, requests/s, error rate from the load results;
 * capacity per node and nodes needed from the plans), the relative change, and a verdict against a noise band.
 *
 * The noise band comes from a seeded bootstrap over per-window figures of the NDJSON points (the same windows the
 * report draws): windows are resampled with replacement and the statistic (relative change of the mean per-window
 * p95, p99, rate; absolute change of the error rate) recomputed each time; its central `level` interval is the band.
 * Runs of one campaign follow the same schedule, so window i of both runs saw the same offered load: windows are
 * resampled in pairs, which removes the load profile's own variation from the band. When the window counts differ by
 * more than 10% the runs are resampled independently instead.
 * Verdict: "no change" when the interval contains 0 or the change is below `minEffect`; else "regression" or
 * "improvement" by the metric's direction. Without windows (summaries only) the band is `fallbackBand`.
 * Pure: same inputs and seed -> same result.
 */
import type { Plan } from '../models/types.ts';
import { createRng } from '../models/random.ts';
import type { DcResults } from './render/model.ts';
import type { LoadWindow } from './render/series.ts';

/** One side of a comparison. */
export interface CompareSide {
  /** Label shown (e.g. the directory). */
  label: string;
  /** Load results per DC. */
  results: Readonly<Record<string, DcResults>>;
  /** plan.json, when the side has one. */
  plan?: Plan;
}

/** Options of {@link compareRuns}. */
export interface CompareOptions {
  /** Seed of the bootstrap. */
  seed: number;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** Coverage of the noise interval (default 0.95). */
  level?: number;
  /** Smallest relative change that counts (default 0.02; for error rate an absolute 0.001). */
  minEffect?: number;
  /** Relative band used when there are no windows to bootstrap (default 0.05). */
  fallbackBand?: number;
}

/** Metrics compared. */
export type CompareMetric = 'p95' | 'p99' | 'rps' | 'errorRate' | 'capacityPerNode' | 'nodesNeeded';

/** A verdict. */
export type Verdict = 'regression' | 'improvement' | 'no change' | 'n/a';

/** One DC and metric. */
export interface MetricComparison {
  dc: string;
  metric: CompareMetric;
  /** Unit of the values: ms, req/s, ratio, nodes. */
  unit: 'ms' | 'req/s' | 'ratio' | 'nodes';
  baseline: number | null;
  candidate: number | null;
  /** (candidate − baseline) / baseline; null when either is missing or the baseline is 0. */
  change: number | null;
  /** Noise interval of the change: relative, or absolute (error rate); null when not estimated. */
  noise: { low: number; high: number; kind: 'relative' | 'absolute'; method: 'paired bootstrap' | 'bootstrap' | 'fixed' | 'exact' } | null;
  verdict: Verdict;
}

/** The comparison. */
export interface Comparison {
  schema: 'caplab.comparison/v1';
  baseline: string;
  candidate: string;
  seed: number;
  resamples: number;
  level: number;
  rows: MetricComparison[];
  /** Counts of verdicts. */
  summary: { regressions: number; improvements: number; unchanged: number; notComparable: number };
}

const HIGHER_IS_BETTER: Record<CompareMetric, boolean> = { p95: false, p99: false, rps: true, errorRate: false, capacityPerNode: true, nodesNeeded: false };

function quantile(sorted: readonly number[], q: number): number {
  const i = q * (sorted.length - 1);
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (i - lo);
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Bootstrap interval of a statistic of two window series.
 * @returns [low, high] and the method, or null with fewer than 3 usable windows per side
 */
function bootstrap(a: (number | null)[], b: (number | null)[], stat: (x: number[], y: number[]) => number, seed: number, label: string, resamples: number, level: number):
  { low: number; high: number; method: 'paired bootstrap' | 'bootstrap' } | null {
  const rng = createRng(seed, `compare:${label}`);
  const pick = (n: number): number => Math.min(n - 1, Math.floor(rng.next() * n));
  const draws: number[] = [];
  let method: 'paired bootstrap' | 'bootstrap';
  if (a.length > 0 && Math.abs(a.length - b.length) <= 0.1 * Math.max(a.length, b.length)) {
    method = 'paired bootstrap';
    const pairs: [number, number][] = [];
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] != null && b[i] != null) pairs.push([a[i]!, b[i]!]);
    if (pairs.length < 3) return null;
    for (let r = 0; r < resamples; r++) {
      const x: number[] = [];
      const y: number[] = [];
      for (let k = 0; k < pairs.length; k++) {
        const p = pairs[pick(pairs.length)]!;
        x.push(p[0]);
        y.push(p[1]);
      }
      draws.push(stat(x, y));
    }
  } else {
    method = 'bootstrap';
    const xa = a.filter((v): v is number => v != null);
    const xb = b.filter((v): v is number => v != null);
    if (xa.length < 3 || xb.length < 3) return null;
    for (let r = 0; r < resamples; r++) {
      draws.push(stat(xa.map(() => xa[pick(xa.length)]!), xb.map(() => xb[pick(xb.length)]!)));
    }
  }
  const finite = draws.filter(Number.isFinite).sort((p, q) => p - q);
  if (finite.length === 0) return null;
  return { low: quantile(finite, (1 - level) / 2), high: quantile(finite, 1 - (1 - level) / 2), method };
}

function loadValue(r: DcResults | undefined, metric: 'p95' | 'p99' | 'rps' | 'errorRate'): number | null {
  if (!r) return null;
  const s = r.series?.overall;
  const m = r.summary?.metrics;
  switch (metric) {
    case 'p95': return s?.p95 ?? m?.http_req_duration?.values['p(95)'] ?? null;
    case 'p99': return s?.p99 ?? m?.http_req_duration?.values['p(99)'] ?? null;
    case 'rps': return m?.http_reqs?.values.rate ?? s?.rps ?? null;
    default: return m?.http_req_failed?.values.rate ?? s?.errorRate ?? null;
  }
}

const windowField: Record<'p95' | 'p99' | 'rps' | 'errorRate', (w: LoadWindow) => number | null> = {
  p95: (w) => w.p95, p99: (w) => w.p99, rps: (w) => (w.requests > 0 ? w.rps : null), errorRate: (w) => w.errorRate,
};

function verdictOf(metric: CompareMetric, effect: number | null, noise: { low: number; high: number } | null, minEffect: number): Verdict {
  if (effect === null) return 'n/a';
  if (Math.abs(effect) < minEffect) return 'no change';
  if (noise && noise.low <= 0 && noise.high >= 0) return 'no change';
  const worse = HIGHER_IS_BETTER[metric] ? effect < 0 : effect > 0;
  return worse ? 'regression' : 'improvement';
}

/**
 * Compares two runs per DC and metric.
 * @param base baseline side
 * @param cand candidate side
 * @param opts seed and bootstrap settings
 * @returns rows for every DC of either side (metrics a side lacks are `n/a`) and verdict counts
 * @throws {RangeError} when resamples < 100 or level is not in (0, 1)
 * @example compareRuns(a, b, { seed: 1 }).rows.find((r) => r.metric === 'p95')?.verdict // 'no change'
 */
export function compareRuns(base: CompareSide, cand: CompareSide, opts: CompareOptions): Comparison {
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  const minEffect = opts.minEffect ?? 0.02;
  const fallback = opts.fallbackBand ?? 0.05;
  if (!(resamples >= 100)) throw new RangeError(`compareRuns: resamples ${resamples} must be at least 100`);
  if (!(level > 0 && level < 1)) throw new RangeError(`compareRuns: level ${level} must be in (0, 1)`);
  const dcs = [...new Set([...Object.keys(base.results), ...Object.keys(cand.results), ...Object.keys(base.plan?.dcs ?? {}), ...Object.keys(cand.plan?.dcs ?? {})])].sort();
  const rows: MetricComparison[] = [];
  for (const dc of dcs) {
    const a = base.results[dc];
    const b = cand.results[dc];
    for (const metric of ['p95', 'p99', 'rps', 'errorRate'] as const) {
      const va = loadValue(a, metric);
      const vb = loadValue(b, metric);
      const unit = metric === 'rps' ? 'req/s' : metric === 'errorRate' ? 'ratio' : 'ms';
      const change = va !== null && vb !== null && va > 0 ? (vb - va) / va : null;
      const absolute = metric === 'errorRate';
      const wa = (a?.series?.windows ?? []).map(windowField[metric]);
      const wb = (b?.series?.windows ?? []).map(windowField[metric]);
      const stat = absolute ? (x: number[], y: number[]) => mean(y) - mean(x) : (x: number[], y: number[]) => mean(y) / mean(x) - 1;
      const band = va !== null && vb !== null ? bootstrap(wa, wb, stat, opts.seed, `${dc}:${metric}`, resamples, level) : null;
      const noise = band ? { ...band, kind: absolute ? 'absolute' as const : 'relative' as const }
        : va !== null && vb !== null && !absolute ? { low: -fallback, high: fallback, kind: 'relative' as const, method: 'fixed' as const } : null;
      const effect = absolute ? (va !== null && vb !== null ? vb - va : null) : change;
      // The fixed band is symmetric around 0, not around the change: a change beyond it counts.
      const judged = noise && noise.method === 'fixed' && effect !== null ? (Math.abs(effect) > fallback ? null : noise) : noise;
      rows.push({ dc, metric, unit, baseline: va, candidate: vb, change, noise, verdict: verdictOf(metric, effect, judged, absolute ? 0.001 : minEffect) });
    }
    for (const metric of ['capacityPerNode', 'nodesNeeded'] as const) {
      const pa = base.plan?.dcs[dc];
      const pb = cand.plan?.dcs[dc];
      const get = (p: typeof pa): number | null => (!p ? null : metric === 'capacityPerNode' ? p.capacity.perNodeRps : p.quarters[p.quarters.length - 1]?.planned ?? null);
      const va = get(pa);
      const vb = get(pb);
      const change = va !== null && vb !== null && va > 0 ? (vb - va) / va : null;
      rows.push({
        dc, metric, unit: metric === 'capacityPerNode' ? 'req/s' : 'nodes', baseline: va, candidate: vb, change,
        noise: va !== null && vb !== null ? { low: 0, high: 0, kind: 'relative', method: 'exact' } : null,
        verdict: va === null || vb === null ? 'n/a' : va === vb ? 'no change' : verdictOf(metric, change ?? (vb > va ? 1 : -1), null, 0),
      });
    }
  }
  const count = (v: Verdict): number => rows.filter((r) => r.verdict === v).length;
  return {
    schema: 'caplab.comparison/v1', baseline: base.label, candidate: cand.label, seed: opts.seed, resamples, level, rows,
    summary: { regressions: count('regression'), improvements: count('improvement'), unchanged: count('no change'), notComparable: count('n/a') },
  };
}
