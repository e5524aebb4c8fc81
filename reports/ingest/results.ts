/**
 * Per-service figures of one run (one DC), the inputs the budget gate judges: p95/p99 end to end
 * (`http_req_duration`), server side (`http_req_waiting`), error rate (`http_req_failed`) per `service` request tag,
 * and the run's dropped iterations. They come from the NDJSON points when the run has them (every request counted,
 * whatever thresholds the run had), else from the handleSummary's sub-metrics, which exist only where a threshold
 * named them (`http_req_duration{service:X}`, or scoped `{scenario:S,service:X}` as budgetsToThresholds writes them).
 * Pure: parsed data in, figures out; the CLI reads the files.
 */
import type { K6SummaryData } from '../../scenarios/engine/outputs/summary-schema.ts';
import type { LoadSeries } from '../render/series.ts';

/** Where a figure was read from. */
export type FigureSource = 'points' | 'summary';

/** Measured figures of one service in one run. Latencies in ms, error rate a ratio 0..1; null = not measured. */
export interface ServiceFigures {
  /** Service name (value of the `service` tag). */
  service: string;
  /** Requests counted, or null when the source does not say (a summary without an `http_reqs{service:X}` sub-metric). */
  requests: number | null;
  /** End-to-end `http_req_duration` percentiles, ms. */
  p95: number | null;
  p99: number | null;
  /** Server-side `http_req_waiting` percentiles, ms. */
  serverP95: number | null;
  serverP99: number | null;
  /** `http_req_failed` rate, 0..1. */
  errorRate: number | null;
  /** Where the figures came from. */
  source: FigureSource;
}

/** Figures of one run. */
export interface RunFigures {
  /** Per service, by name. */
  services: ServiceFigures[];
  /** Dropped iterations of the whole run (k6 tags them by scenario only), or null when nothing says. */
  dropped: number | null;
  /** Where `dropped` came from. */
  droppedSource: FigureSource | null;
}

/**
 * Splits a k6 metric key into the metric name and its sub-metric tags.
 * @param key e.g. `http_req_duration{scenario:replay,service:contacts_sync}`
 * @returns name and tags (empty for a plain metric), or undefined when the braces are malformed
 * @example parseMetricKey('http_reqs{service:ota}') // { name: 'http_reqs', tags: { service: 'ota' } }
 */
export function parseMetricKey(key: string): { name: string; tags: Record<string, string> } | undefined {
  const open = key.indexOf('{');
  if (open === -1) return { name: key, tags: {} };
  if (!key.endsWith('}')) return undefined;
  const tags: Record<string, string> = {};
  for (const part of key.slice(open + 1, -1).split(',')) {
    const colon = part.indexOf(':');
    if (colon <= 0) return undefined;
    // k6 allows quoted values (`name:"a b"`); strip the quotes so they compare with tag values in points.
    tags[part.slice(0, colon).trim()] = part.slice(colon + 1).trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  return { name: key.slice(0, open), tags };
}

/**
 * Figures from NDJSON points (the report's series): every service the points tag.
 * @param series what LoadSeriesSink derived from the run's points
 * @returns figures; `dropped` is the sum over the run (0 when points exist but none was dropped), null without points
 */
export function figuresFromSeries(series: LoadSeries): RunFigures {
  const services = series.services.map((s): ServiceFigures => ({
    service: s.service, requests: s.requests, p95: s.p95, p99: s.p99, serverP95: s.serverP95, serverP99: s.serverP99,
    errorRate: s.errorRate, source: 'points',
  }));
  const has = series.points > 0;
  return { services, dropped: has ? series.windows.reduce((a, w) => a + w.dropped, 0) : null, droppedSource: has ? 'points' : null };
}

/**
 * Figures from a handleSummary object's `service` sub-metrics. A sub-metric tagged only `service:X` wins; one also
 * tagged `scenario:S` is used when it is the only scenario for that service and metric (several scenarios cannot be
 * combined: percentiles do not merge), other tags make it a narrower population and it is ignored.
 * @param summary handleSummary data (ours or real k6's, or an export lifted into that shape)
 * @returns figures; `dropped` is `dropped_iterations` count, 0 when the metric is absent (k6 leaves out metrics that
 *   never got a sample)
 */
export function figuresFromSummary(summary: Pick<K6SummaryData, 'metrics'>): RunFigures {
  // service -> metric name -> candidates (exact first)
  const found = new Map<string, Map<string, { exact?: Record<string, number>; scoped: Record<string, number>[] }>>();
  for (const [key, m] of Object.entries(summary.metrics)) {
    const k = parseMetricKey(key);
    const service = k?.tags.service;
    if (!k || service === undefined) continue;
    const others = Object.keys(k.tags).filter((t) => t !== 'service');
    if (others.length > 1 || (others.length === 1 && others[0] !== 'scenario')) continue;
    let byMetric = found.get(service);
    if (!byMetric) found.set(service, (byMetric = new Map()));
    let slot = byMetric.get(k.name);
    if (!slot) byMetric.set(k.name, (slot = { scoped: [] }));
    if (others.length === 0) slot.exact = m.values;
    else slot.scoped.push(m.values);
  }
  const pick = (byMetric: Map<string, { exact?: Record<string, number>; scoped: Record<string, number>[] }>, name: string, stat: string): number | null => {
    const slot = byMetric.get(name);
    const values = slot?.exact ?? (slot?.scoped.length === 1 ? slot.scoped[0] : undefined);
    const v = values?.[stat];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  const services = [...found.keys()].sort().map((service): ServiceFigures => {
    const byMetric = found.get(service)!;
    return {
      service, requests: pick(byMetric, 'http_reqs', 'count'),
      p95: pick(byMetric, 'http_req_duration', 'p(95)'), p99: pick(byMetric, 'http_req_duration', 'p(99)'),
      serverP95: pick(byMetric, 'http_req_waiting', 'p(95)'), serverP99: pick(byMetric, 'http_req_waiting', 'p(99)'),
      errorRate: pick(byMetric, 'http_req_failed', 'rate'), source: 'summary',
    };
  });
  const dropped = summary.metrics.dropped_iterations?.values.count;
  return { services, dropped: typeof dropped === 'number' ? dropped : 0, droppedSource: 'summary' };
}

/**
 * The figures of a run: per service from its points when they tag the service, else from its summary's
 * sub-metrics; dropped iterations from the points when there are any, else from the summary.
 * @param run the run's summary and/or series (either may be absent)
 * @returns figures (no services and `dropped` null when there is neither)
 */
export function runFigures(run: { summary?: Pick<K6SummaryData, 'metrics'>; series?: LoadSeries }): RunFigures {
  const fromPoints = run.series && run.series.points > 0 ? figuresFromSeries(run.series) : undefined;
  const fromSummary = run.summary ? figuresFromSummary(run.summary) : undefined;
  if (!fromPoints) return fromSummary ?? { services: [], dropped: null, droppedSource: null };
  if (!fromSummary) return fromPoints;
  // Points count every request, so they win; a service only the summary names (points without the tag) is kept.
  const seen = new Set(fromPoints.services.map((s) => s.service));
  const services = [...fromPoints.services, ...fromSummary.services.filter((s) => !seen.has(s.service))].sort((a, b) => a.service.localeCompare(b.service));
  return { services, dropped: fromPoints.dropped, droppedSource: fromPoints.droppedSource };
}
