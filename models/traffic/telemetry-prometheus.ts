/**
 * Reads observed request rates from a Prometheus HTTP API range-query response (`/api/v1/query_range`, documented at
 * prometheus.io/docs/prometheus/latest/querying/api/#range-queries): `{status: 'success', data: {resultType:
 * 'matrix', result: [{metric: {labels}, values: [[unixSeconds, "value"], ...]}]}}`. Two labels name the data center
 * and the service; the values are taken as requests per second (what `rate()` returns). Pure: the CLI reads the file
 * or asks the server and passes the parsed JSON.
 */
import type { Problem } from '../errors.ts';
import type { ParsedTelemetry } from './telemetry-csv.ts';
import type { Observation } from './telemetry.ts';

/** Which labels name the data center and the service. */
export interface PrometheusLabels {
  /** Label holding the data center (default in the CLI: `dc`). */
  dcLabel: string;
  /** Label holding the service (default in the CLI: `service`). */
  serviceLabel: string;
}

/**
 * Parses a query_range response, collecting every problem.
 * @param value the parsed JSON body
 * @param source name for problems (file path or server URL); each problem adds the JSON path, e.g. `data.result[1].values[4]`
 * @param labels the DC and service labels
 * @returns samples (values as requests/s; `NaN`, `+Inf` kept as non-finite for the checks to report) and problems
 * @example parsePrometheusMatrix({ status: 'success', data: { resultType: 'matrix', result: [] } }, 'p.json', { dcLabel: 'dc', serviceLabel: 'service' }).observations // []
 */
export function parsePrometheusMatrix(value: unknown, source: string, labels: PrometheusLabels): ParsedTelemetry {
  const problems: Problem[] = [];
  const at = (path: string): string => `${source}: ${path}`;
  const body = value as { status?: unknown; error?: unknown; errorType?: unknown; data?: { resultType?: unknown; result?: unknown } } | null;
  if (typeof body !== 'object' || body === null) return { observations: [], problems: [{ where: at('(root)'), message: 'expected the JSON object of a Prometheus query_range response' }] };
  if (body.status !== 'success') {
    const why = typeof body.error === 'string' ? `: ${String(body.errorType ?? 'error')}: ${body.error}` : '';
    return { observations: [], problems: [{ where: at('status'), message: `status is ${JSON.stringify(body.status ?? null)}, not "success"${why}` }] };
  }
  if (body.data?.resultType !== 'matrix') {
    return { observations: [], problems: [{ where: at('data.resultType'), message: `resultType is ${JSON.stringify(body.data?.resultType ?? null)}: expected "matrix" (the answer of /api/v1/query_range, not /api/v1/query)` }] };
  }
  const result = body.data.result;
  if (!Array.isArray(result)) return { observations: [], problems: [{ where: at('data.result'), message: 'expected an array of series' }] };
  const observations: Observation[] = [];
  const seen = new Map<string, string>();
  result.forEach((series: unknown, i) => {
    const path = `data.result[${i}]`;
    const s = series as { metric?: Record<string, unknown>; values?: unknown } | null;
    const metric = s?.metric;
    if (typeof metric !== 'object' || metric === null) {
      problems.push({ where: at(`${path}.metric`), message: 'expected an object of labels' });
      return;
    }
    const dc = metric[labels.dcLabel];
    const service = metric[labels.serviceLabel];
    let named = true;
    for (const [label, v, flag] of [[labels.dcLabel, dc, '--dc-label'], [labels.serviceLabel, service, '--service-label']] as const) {
      if (typeof v !== 'string' || v === '') {
        problems.push({ where: at(`${path}.metric`), message: `no label "${label}" (labels: ${Object.keys(metric).join(', ') || 'none'}); aggregate by it or choose another with ${flag}` });
        named = false;
      }
    }
    if (!Array.isArray(s!.values)) {
      problems.push({ where: at(`${path}.values`), message: 'expected an array of [time, "value"] pairs' });
      return;
    }
    if (!named) return;
    const key = `${String(dc)}\u0000${String(service)}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({ where: at(path), message: `series ${String(dc)}/${String(service)} repeats ${first} (other labels differ): aggregate, e.g. sum by (${labels.dcLabel}, ${labels.serviceLabel}) (...)` });
      return;
    }
    seen.set(key, path);
    (s!.values as unknown[]).forEach((pair, j) => {
      const where = at(`${path}.values[${j}]`);
      const [t, v] = Array.isArray(pair) ? pair : [];
      if (typeof t !== 'number' || !Number.isFinite(t) || typeof v !== 'string') {
        problems.push({ where, message: 'expected [unix seconds, "value"]' });
        return;
      }
      observations.push({ time: t, dc: String(dc), service: String(service), rps: Number(v), where });
    });
  });
  return { observations, problems };
}
