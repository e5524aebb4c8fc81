/**
 * Per-step figures of a probe or sweep run from k6 `--out json` points (ours or real k6's): a sample sink that groups
 * requests by their `step:N` (probe, N = concurrency) or `rate:R` (sweep, R = arrival rate per second) tag, and after
 * reading excludes each step's warm-up (its first seconds) before measuring throughput and latency. This is what
 * measured node capacity is computed from (docs/design.md "Measuring a node's capacity").
 */
import type { Sample } from '../../scenarios/engine/metrics/types.ts';
import type { IngestSink } from './ndjson.ts';
import { percentile as k6Percentile } from './percentile.ts';

/** Measured figures of one step, over its window after warm-up. */
export interface StepFigures {
  /** Kind of step: a probe concurrency or a sweep rate. */
  kind: 'step' | 'rate';
  /** The tag's numeric value (concurrency or requests/s). */
  level: number;
  /** Requests completed in the window. */
  requests: number;
  /** Window length, seconds. */
  windowS: number;
  /** Requests per second in the window. */
  throughput: number;
  /** Mean http_req_duration in the window, ms. */
  meanDurationMs: number;
  /**
   * Requests in flight at the target on average over the window, by Little's law: throughput x mean duration.
   * In a closed loop it is below the VU count by the share of each cycle the VU spends outside the request (its
   * own work, scheduling on a busy host): the concurrency the target actually held, which is the USL's N.
   */
  inFlight: number;
  /** http_req_duration p95, ms (from the send). */
  p95: number;
  /** caplab_req_duration_intended p95, ms (from the intended start; coordinated omission corrected), or null. */
  p95Corrected: number | null;
  /** http_req_waiting p95, ms (server side when measured next to the node). */
  waitingP95: number;
  /** Failed share of requests. */
  errorRate: number;
  /** Dropped iterations in the whole step. */
  dropped: number;
}

interface Acc {
  ends: number[];
  durations: number[];
  waiting: number[];
  intended: number[];
  failed: number;
  failedSeen: number;
  dropped: number;
}

/** A sink collecting step figures; call {@link StepSink.finish} after reading. */
export interface StepSink extends IngestSink {
  /**
   * Figures per step: probe steps then sweep rates, each ascending by level.
   * @param warmupS seconds excluded at the start of every step
   */
  finish(warmupS: number): StepFigures[];
}

/**
 * Creates the sink.
 * @returns a sink for readK6Ndjson
 */
export function createStepSink(): StepSink {
  const accs = new Map<string, Acc>();
  const accFor = (tags: Readonly<Record<string, string>>): Acc | undefined => {
    const key = tags.step !== undefined && Number.isFinite(Number(tags.step)) ? `step:${tags.step}`
      : tags.rate !== undefined && Number.isFinite(Number(tags.rate)) ? `rate:${tags.rate}` : undefined;
    if (!key) return undefined;
    let a = accs.get(key);
    if (!a) {
      a = { ends: [], durations: [], waiting: [], intended: [], failed: 0, failedSeen: 0, dropped: 0 };
      accs.set(key, a);
    }
    return a;
  };
  return {
    add(s: Sample) {
      const a = accFor(s.tags);
      if (!a) return;
      switch (s.metric.name) {
        case 'http_req_duration': a.ends.push(s.time); a.durations.push(s.value); break;
        case 'http_req_waiting': a.waiting.push(s.time, s.value); break;
        case 'caplab_req_duration_intended': a.intended.push(s.time, s.value); break;
        case 'http_req_failed': a.failedSeen++; if (s.value !== 0) a.failed++; break;
        case 'dropped_iterations': a.dropped += s.value; break;
        default: break;
      }
    },
    finish(warmupS) {
      const out: StepFigures[] = [];
      for (const [key, a] of accs) {
        if (a.ends.length === 0) continue;
        const [kind, level] = key.split(':') as ['step' | 'rate', string];
        const first = Math.min(...a.ends);
        const last = Math.max(...a.ends);
        // The window starts after warm-up; a step shorter than its warm-up keeps its second half.
        const from = last - first > warmupS * 1000 ? first + warmupS * 1000 : first + (last - first) / 2;
        const keep = a.durations.filter((_, i) => a.ends[i]! >= from);
        const windowS = (last - from) / 1000;
        const throughput = windowS > 0 ? keep.length / windowS : 0;
        const meanDurationMs = keep.length > 0 ? keep.reduce((sum, v) => sum + v, 0) / keep.length : 0;
        const pairs = (xs: number[]): number[] => xs.filter((_, i) => i % 2 === 1 && xs[i - 1]! >= from);
        const intended = pairs(a.intended);
        out.push({
          kind,
          level: Number(level),
          requests: keep.length,
          windowS,
          throughput,
          meanDurationMs,
          inFlight: (throughput * meanDurationMs) / 1000,
          p95: percentile(keep, 95),
          p95Corrected: intended.length > 0 ? percentile(intended, 95) : null,
          waitingP95: percentile(pairs(a.waiting), 95),
          errorRate: a.failedSeen > 0 ? a.failed / a.failedSeen : 0,
          dropped: a.dropped,
        });
      }
      return out.sort((x, y) => (x.kind === y.kind ? x.level - y.level : x.kind < y.kind ? 1 : -1));
    },
  };
}

/** k6's percentile; 0 for no values (a step's figures are numbers). */
function percentile(values: number[], p: number): number {
  return k6Percentile(values, p) ?? 0;
}
