/**
 * Load results over time and per probe step, from k6 `--out json` points (ours or real k6's): a sample sink that
 * reports/ingest's NDJSON reader feeds, then {@link LoadSeriesSink.finish} turns what it collected into windows
 * (requests/s, VUs, p95/p99, errors, dropped iterations), probe steps (`step:N` tag: throughput and latency per
 * concurrency), sweep rates (`rate:R` tag: p95 and coordinated-omission-corrected p95) and per-service figures
 * (`service` tag, for budgets). Percentiles are exact (sorted values, k6's interpolation), so the sink keeps every
 * `http_req_duration` value: 8 bytes per request per view, fine for a campaign's runs; merge huge runs first.
 */
import type { IngestSink } from '../ingest/ndjson.ts';
import type { Sample } from '../../scenarios/engine/metrics/types.ts';
import { percentileSorted } from '../ingest/percentile.ts';

/** One time window of a run. */
export interface LoadWindow {
  /** Start, seconds since the first point. */
  t: number;
  /** Requests completed in the window. */
  requests: number;
  /** Requests per second over the window. */
  rps: number;
  /** Highest `vus` gauge value in the window, or null when none was reported. */
  vus: number | null;
  /** http_req_duration percentiles in the window, ms (null without requests). */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Failed requests (`http_req_failed` = 1). */
  errors: number;
  /** errors / requests (null without requests). */
  errorRate: number | null;
  /** Dropped iterations. */
  dropped: number;
}

/** One probe step (points tagged `step:N`, N = concurrency). */
export interface LoadStep {
  /** The tag's value. */
  step: string;
  /** N when the tag is a number, else null. */
  concurrency: number | null;
  /** Requests in the step. */
  requests: number;
  /** Span of the step's requests, seconds. */
  durationS: number;
  /** Requests per second: (requests − 1) / durationS (null when the span is 0). */
  throughput: number | null;
  /** http_req_duration percentiles, ms. */
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  /** Failed share. */
  errorRate: number | null;
}

/** One rate of an open-model sweep (points tagged `rate:R`, R = arrival rate per second). */
export interface LoadRate {
  /** Offered rate, iterations/s. */
  rate: number;
  /** Requests in the step. */
  requests: number;
  /** http_req_duration p95, ms (timed from the send: k6's meaning). */
  p95: number | null;
  /** caplab_req_duration_intended p95, ms (from the intended start: corrected for coordinated omission), or null. */
  p95Corrected: number | null;
  /** Dropped iterations. */
  dropped: number;
  /** Failed share. */
  errorRate: number | null;
}

/** Per-service figures (points tagged `service:X`). */
export interface LoadService {
  /** Service name. */
  service: string;
  /**
   * Requests; for a service that made no HTTP request but held WebSocket sessions (a push service), the replies its
   * sessions awaited, and then p95/p99 are those replies' times (caplab_ws_reply_duration) and errorRate the share of
   * handshakes that opened no session.
   */
  requests: number;
  /** End-to-end http_req_duration percentiles, ms. */
  p95: number | null;
  p99: number | null;
  /** Server-side http_req_waiting percentiles, ms. */
  serverP95: number | null;
  serverP99: number | null;
  /** Failed share. */
  errorRate: number | null;
  /** Dropped iterations tagged with the service (usually 0: k6 tags them by scenario only). */
  dropped: number;
}

/** Everything {@link LoadSeriesSink.finish} derives. */
export interface LoadSeries {
  /** Points read. */
  points: number;
  /** First and last point time, ms since the epoch (null without points). */
  startMs: number | null;
  endMs: number | null;
  /** Window length, seconds. */
  windowS: number;
  /** Windows in time order. */
  windows: LoadWindow[];
  /** Probe steps, by concurrency (non-numeric tags last, by name). */
  steps: LoadStep[];
  /** Sweep rates, ascending. */
  rates: LoadRate[];
  /** Services, by name. */
  services: LoadService[];
  /** Whole-run http_req_duration percentiles, ms, and request count. */
  overall: { requests: number; p95: number | null; p99: number | null; errorRate: number | null; rps: number | null };
}

interface Bucket {
  durations: number[];
  /** caplab_ws_reply_duration values, and WebSocket handshakes with those that opened no session. */
  replies: number[];
  handshakes: number;
  refused: number;
  intended: number[];
  waiting: number[];
  requests: number;
  failed: number;
  failedSeen: number;
  dropped: number;
  vus: number | null;
  first: number;
  last: number;
}

const newBucket = (): Bucket => ({ durations: [], replies: [], handshakes: 0, refused: 0, intended: [], waiting: [], requests: 0, failed: 0, failedSeen: 0, dropped: 0, vus: null, first: Infinity, last: -Infinity });

// k6's percentile rule, shared with the step readers; re-exported for the render modules that import it from here.
export { percentileSorted };

const asc = (a: number, b: number): number => a - b;
const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** Collects points per second, per step, per rate and per service; {@link finish} derives the series. */
export class LoadSeriesSink implements IngestSink {
  private readonly seconds = new Map<number, Bucket>();
  private readonly stepBuckets = new Map<string, Bucket>();
  private readonly rateBuckets = new Map<string, Bucket>();
  private readonly serviceBuckets = new Map<string, Bucket>();
  private points = 0;
  private first = Infinity;
  private last = -Infinity;

  /**
   * Takes one point (called by readK6Ndjson).
   * @param s the sample; times in ms since the epoch, durations in ms
   */
  add(s: Sample): void {
    this.points++;
    if (s.time < this.first) this.first = s.time;
    if (s.time > this.last) this.last = s.time;
    const targets: Bucket[] = [];
    const sec = Math.floor(s.time / 1000);
    let b = this.seconds.get(sec);
    if (!b) this.seconds.set(sec, (b = newBucket()));
    targets.push(b);
    const tags = s.tags;
    const add = (map: Map<string, Bucket>, key: string | undefined): void => {
      if (key === undefined || key === '') return;
      let x = map.get(key);
      if (!x) map.set(key, (x = newBucket()));
      targets.push(x);
    };
    add(this.stepBuckets, tags.step);
    add(this.rateBuckets, tags.rate);
    add(this.serviceBuckets, tags.service);
    for (const t of targets) fold(t, s);
  }

  /**
   * Derives windows, steps, rates and services.
   * @param maxWindows most windows to produce (default 120): the window length is the run's span divided by it,
   *   rounded up to whole seconds
   * @returns the series (empty arrays without points)
   */
  finish(maxWindows = 120): LoadSeries {
    const series: LoadSeries = {
      points: this.points, startMs: null, endMs: null, windowS: 1, windows: [], steps: [], rates: [], services: [],
      overall: { requests: 0, p95: null, p99: null, errorRate: null, rps: null },
    };
    if (this.points === 0) return series;
    series.startMs = this.first;
    series.endMs = this.last;
    const firstSec = Math.floor(this.first / 1000);
    const spanS = Math.floor(this.last / 1000) - firstSec + 1;
    const w = Math.max(1, Math.ceil(spanS / maxWindows));
    series.windowS = w;
    const all = newBucket();
    for (let start = 0; start < spanS; start += w) {
      const win = newBucket();
      for (let s = start; s < Math.min(spanS, start + w); s++) {
        const b = this.seconds.get(firstSec + s);
        if (b) merge(win, b);
      }
      merge(all, win);
      const d = win.durations.sort(asc);
      const len = Math.min(w, spanS - start);
      series.windows.push({
        t: start, requests: win.requests, rps: win.requests / len, vus: win.vus,
        p50: percentileSorted(d, 50), p95: percentileSorted(d, 95), p99: percentileSorted(d, 99),
        errors: win.failed, errorRate: ratio(win.failed, win.failedSeen), dropped: win.dropped,
      });
    }
    const d = all.durations.sort(asc);
    series.overall = {
      requests: all.requests, p95: percentileSorted(d, 95), p99: percentileSorted(d, 99),
      errorRate: ratio(all.failed, all.failedSeen), rps: ratio(all.requests, Math.max(0.001, (this.last - this.first) / 1000)),
    };
    for (const [step, b] of this.stepBuckets) {
      const v = b.durations.sort(asc);
      const n = Number(step);
      const durationS = b.last > b.first ? (b.last - b.first) / 1000 : 0;
      series.steps.push({
        step, concurrency: Number.isFinite(n) && n > 0 ? n : null, requests: b.requests, durationS,
        // n requests span n-1 inter-arrival gaps: (n-1)/span estimates the rate without the edge bias of n/span.
        throughput: durationS > 0 && b.requests > 1 ? (b.requests - 1) / durationS : null,
        p50: percentileSorted(v, 50), p90: percentileSorted(v, 90), p95: percentileSorted(v, 95), p99: percentileSorted(v, 99),
        errorRate: ratio(b.failed, b.failedSeen),
      });
    }
    series.steps.sort((a, b) => (a.concurrency ?? Infinity) - (b.concurrency ?? Infinity) || a.step.localeCompare(b.step));
    for (const [rate, b] of this.rateBuckets) {
      const r = Number(rate);
      if (!Number.isFinite(r)) continue;
      series.rates.push({
        rate: r, requests: b.requests, p95: percentileSorted(b.durations.sort(asc), 95),
        p95Corrected: percentileSorted(b.intended.sort(asc), 95), dropped: b.dropped, errorRate: ratio(b.failed, b.failedSeen),
      });
    }
    series.rates.sort((a, b) => a.rate - b.rate);
    for (const [service, b] of [...this.serviceBuckets].sort(([a], [c]) => a.localeCompare(c))) {
      const wt = b.waiting.sort(asc);
      if (b.requests === 0 && (b.replies.length > 0 || b.handshakes > 0)) {
        const r = b.replies.sort(asc);
        series.services.push({
          service, requests: r.length, p95: percentileSorted(r, 95), p99: percentileSorted(r, 99),
          serverP95: null, serverP99: null, errorRate: ratio(b.refused, b.handshakes), dropped: b.dropped,
        });
        continue;
      }
      const v = b.durations.sort(asc);
      series.services.push({
        service, requests: b.requests, p95: percentileSorted(v, 95), p99: percentileSorted(v, 99),
        serverP95: percentileSorted(wt, 95), serverP99: percentileSorted(wt, 99), errorRate: ratio(b.failed, b.failedSeen), dropped: b.dropped,
      });
    }
    return series;
  }
}

function fold(b: Bucket, s: Sample): void {
  switch (s.metric.name) {
    case 'http_reqs':
      b.requests += s.value;
      if (s.time < b.first) b.first = s.time;
      if (s.time > b.last) b.last = s.time;
      break;
    case 'http_req_duration':
      b.durations.push(s.value);
      break;
    case 'http_req_waiting':
      // A run tagged wan:on went through the stacks' modeled WAN delay, which lands before the first byte: its
      // time to first byte is not server-side time, so server-side budgets are not judged on it.
      if (s.tags.wan !== 'on') b.waiting.push(s.value);
      break;
    case 'caplab_req_duration_intended':
      b.intended.push(s.value);
      break;
    case 'caplab_ws_reply_duration':
      b.replies.push(s.value);
      break;
    case 'ws_sessions':
      b.handshakes += s.value;
      if (s.tags.status !== '101') b.refused += s.value;
      break;
    case 'http_req_failed':
      b.failedSeen++;
      if (s.value !== 0) b.failed++;
      break;
    case 'dropped_iterations':
      b.dropped += s.value;
      break;
    case 'vus':
      b.vus = Math.max(b.vus ?? 0, s.value);
      break;
    default:
  }
}

function merge(into: Bucket, b: Bucket): void {
  for (const v of b.durations) into.durations.push(v);
  for (const v of b.replies) into.replies.push(v);
  into.handshakes += b.handshakes;
  into.refused += b.refused;
  for (const v of b.intended) into.intended.push(v);
  for (const v of b.waiting) into.waiting.push(v);
  into.requests += b.requests;
  into.failed += b.failed;
  into.failedSeen += b.failedSeen;
  into.dropped += b.dropped;
  if (b.vus !== null) into.vus = Math.max(into.vus ?? 0, b.vus);
  into.first = Math.min(into.first, b.first);
  into.last = Math.max(into.last, b.last);
}
