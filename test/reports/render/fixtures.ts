/**
 * Test fixtures for the report: a real campaign's forecast, traffic and RTT comparison (computed the way the CLI
 * computes them, small draw count), a plan from models/capacity/planner.ts buildPlan on that traffic, and synthetic
 * k6 NDJSON points / handleSummary objects of a USL-shaped probe, seeded so that the same seed gives the same bytes.
 */
import { computeForecast, computeTraffic } from '../../../cli/chain.ts';
import { loadData } from '../../../cli/data.ts';
import { loadRoutingData } from '../../../cli/inputs/routing.ts';
import { chainData } from '../../../cli/inputs/chain-data.ts';
import { buildPlan, type DcCapacity, type PlanInput } from '../../../models/capacity/planner.ts';
import { PlannerSettingsSchema } from '../../../models/capacity/settings.ts';
import { uslThroughput } from '../../../models/capacity/usl.ts';
import { createRng } from '../../../models/random.ts';
import type { RoutingComparison } from '../../../models/routing/compare.ts';
import type { Forecast, Plan, Traffic } from '../../../models/types.ts';
import type { K6SummaryData } from '../../../scenarios/engine/outputs/summary-schema.ts';

/** A campaign's modeled files. */
export interface CampaignFixture {
  forecast: Forecast;
  traffic: Traffic;
  plan: Plan;
  comparison: RoutingComparison;
  /** What the plan was built from. */
  input: PlanInput;
}

let cached: Promise<CampaignFixture> | undefined;

/**
 * Forecast (seed 1, 200 draws), traffic for 2015Q1..2016Q4 on seed-4dc vs beijing-only, and a plan with modeled
 * capacity (beijing measured, to show both tags). Cached per test file.
 */
export function campaignFixture(): Promise<CampaignFixture> {
  cached ??= (async () => {
    const forecast = await computeForecast({ draws: 200 }, 1);
    const { traffic, comparison } = await computeTraffic({ from: '2015Q1', to: '2016Q4', placement: 'seed-4dc', baseline: 'beijing-only' }, 1);
    const hw = chainData().hardware;
    const capacity: Record<string, DcCapacity> = {};
    const price: Record<string, number> = {};
    for (const dc of Object.keys(traffic.dcs)) {
      const measured = dc === 'beijing';
      capacity[dc] = {
        ceilingRps: 420, sloRps: measured ? 300 : 330, perNodeRps: measured ? 300 : 330, binds: 'slo', source: measured ? 'measured' : 'modeled',
        ...(measured ? { sloInterval: { lower: 300, upper: 340 } } : {}),
        inputs: { workers: 32, sigma: 0.05, kappa: 0.0005, meanServiceMs: 40 }, workers: 32,
      };
      price[dc] = hw.dcs[dc]!.pricePerNodeMonth;
    }
    const { rtt, residency } = loadRoutingData();
    const input: PlanInput = {
      traffic, capacity, fleet: chainData().fleet, pricePerNodeMonth: price, currency: hw.currency, rtt, residency,
      settings: { ...loadData('planner.json', PlannerSettingsSchema), draws: 64 }, seed: 1,
    };
    return { forecast, traffic, plan: buildPlan(input), comparison: comparison!, input };
  })();
  return cached;
}

/** Options of {@link probeNdjson}. */
export interface ProbeOptions {
  /** Seed of the noise. */
  seed: number;
  /** Multiplies every latency (1.3 = a planted 30% regression). */
  latencyScale?: number;
  /** Concurrency steps (default 1, 2, 4, 8, 16, 24, 32). */
  steps?: number[];
  /** Seconds per step (default 4). */
  stepS?: number;
  /** USL of the emulated node (default σ 0.05, κ 0.002, λ 25 req/s). */
  usl?: { sigma: number; kappa: number; lambda: number };
  /** Share of failed requests (default 0.002). */
  errorRate?: number;
  /** Sweep rates appended after the probe (tag `rate:R`), default none. */
  rates?: number[];
  /** Service tags cycled over requests (default contacts, messages, ota). */
  services?: string[];
  /** Epoch ms of the first point (default 2026-01-01T00:00:00Z). */
  start?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Synthetic k6 `--out json` lines of a closed-loop probe on a USL node: in step N, requests complete at rate X(N),
 * each taking N / X(N) s on average (Little's law) with lognormal noise; `vus` every second; optional sweep rates
 * with coordinated-omission-corrected durations. Same options -> same bytes.
 * @param o options
 * @returns NDJSON text
 */
export function probeNdjson(o: ProbeOptions): string {
  const rng = createRng(o.seed, 'fixture:probe');
  const usl = o.usl ?? { sigma: 0.05, kappa: 0.002, lambda: 25 };
  const steps = o.steps ?? [1, 2, 4, 8, 16, 24, 32];
  const stepS = o.stepS ?? 4;
  const scale = o.latencyScale ?? 1;
  const errorRate = o.errorRate ?? 0.002;
  const services = o.services ?? ['contacts', 'messages', 'ota'];
  const lines: string[] = [];
  const metric = (name: string, type: string, contains: string): void => {
    lines.push(JSON.stringify({ type: 'Metric', data: { name, type, contains, thresholds: [], submetrics: null }, metric: name }));
  };
  metric('vus', 'gauge', 'default');
  metric('http_reqs', 'counter', 'default');
  metric('http_req_duration', 'trend', 'time');
  metric('http_req_waiting', 'trend', 'time');
  metric('http_req_failed', 'rate', 'default');
  metric('dropped_iterations', 'counter', 'default');
  metric('caplab_req_duration_intended', 'trend', 'time');
  const point = (name: string, t: number, value: number, tags: Record<string, string> | null): void => {
    lines.push(JSON.stringify({ metric: name, type: 'Point', data: { time: iso(t), value, tags } }));
  };
  let t0 = o.start ?? Date.UTC(2026, 0, 1);
  let i = 0;
  const request = (t: number, meanMs: number, tags: Record<string, string>, lagMs = 0): void => {
    const dur = meanMs * Math.exp(0.25 * rng.normal() - 0.03125) * scale;
    const failed = rng.next() < errorRate ? 1 : 0;
    const all = { ...tags, name: 'sync', method: 'POST', status: failed ? '503' : '200', service: services[i++ % services.length]! };
    point('http_reqs', t, 1, all);
    point('http_req_duration', t, Math.round(dur * 1000) / 1000, all);
    point('http_req_waiting', t, Math.round(dur * 0.9 * 1000) / 1000, all);
    point('http_req_failed', t, failed, all);
    if (lagMs >= 0 && tags.rate !== undefined) point('caplab_req_duration_intended', t, Math.round((dur + lagMs) * 1000) / 1000, all);
  };
  for (const n of steps) {
    const x = uslThroughput(usl, n);
    for (let s = 0; s < stepS; s++) point('vus', t0 + s * 1000, n, null);
    const count = Math.round(x * stepS);
    for (let k = 0; k < count; k++) request(t0 + (k * 1000) / x, (n / x) * 1000, { scenario: 'probe', step: String(n) });
    t0 += stepS * 1000;
  }
  for (const r of o.rates ?? []) {
    const count = Math.round(r * stepS);
    for (let k = 0; k < count; k++) request(t0 + (k * 1000) / r, 40 * (1 + r / 400), { scenario: 'sweep', rate: String(r) }, r > 200 ? 30 * rng.next() : 0);
    if (r > 200) point('dropped_iterations', t0 + 500, 3, { scenario: 'sweep', rate: String(r) });
    t0 += stepS * 1000;
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A handleSummary object with thresholds, some crossed, in k6's exact shape.
 * @param o p95 (ms), error rate, whether the p95 threshold holds
 * @returns the summary
 */
export function summaryFixture(o: { p95: number; p99?: number; errorRate: number; rps: number; durationMs?: number }): K6SummaryData {
  const durationMs = o.durationMs ?? 30_000;
  const count = Math.round(o.rps * durationMs / 1000);
  const root = { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: [] };
  return {
    root_group: root,
    options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'], summaryTimeUnit: '', noColor: true },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: durationMs },
    metrics: {
      http_reqs: { type: 'counter', contains: 'default', values: { count, rate: o.rps } },
      http_req_duration: {
        type: 'trend', contains: 'time',
        values: { avg: o.p95 / 2, min: 1, med: o.p95 / 2, max: o.p95 * 2, 'p(90)': o.p95 * 0.9, 'p(95)': o.p95, 'p(99)': o.p99 ?? o.p95 * 1.4 },
        thresholds: { 'p(95)<300': { ok: o.p95 < 300 }, 'p(99)<800': { ok: (o.p99 ?? o.p95 * 1.4) < 800 } },
      },
      http_req_failed: {
        type: 'rate', contains: 'default', values: { rate: o.errorRate, passes: Math.round(count * o.errorRate), fails: count - Math.round(count * o.errorRate) },
        thresholds: { 'rate<0.01': { ok: o.errorRate < 0.01 } },
      },
      dropped_iterations: { type: 'counter', contains: 'default', values: { count: 0, rate: 0 } },
      vus: { type: 'gauge', contains: 'default', values: { value: 8, min: 1, max: 32 } },
    },
  };
}

