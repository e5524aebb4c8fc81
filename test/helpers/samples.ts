/**
 * Test helper: deterministic k6-like samples of a small run (HTTP requests with k6's system tags, checks in nested
 * groups, iterations, vus), to feed registries and outputs in tests.
 */
import { BUILTIN_METRICS as M } from '../../scenarios/engine/metrics/builtin.ts';
import type { Sample } from '../../scenarios/engine/metrics/types.ts';
import { rng } from './rng.ts';

/** Start time of every synthetic run, ms since the epoch (2026-11-25T08:00:00Z). */
export const T0 = Date.UTC(2026, 10, 25, 8, 0, 0);

/**
 * Samples of `requests` HTTP requests over ~`requests * 10` ms: per request http_reqs, http_req_duration (log-normal,
 * median ~50 ms), http_req_failed (every 20th fails with 503), a check in `::sync` or `::sync::upload`, and every
 * 4th request an iteration; vus at the start and the end.
 * @param requests number of requests
 * @param seed PRNG seed
 * @param scenario scenario tag value
 * @returns samples in time order
 */
export function runSamples(requests: number, seed: number, scenario = 'peak'): Sample[] {
  const r = rng(seed);
  const out: Sample[] = [{ metric: M.vus!, time: T0, value: 1, tags: {} }];
  for (let i = 0; i < requests; i++) {
    const time = T0 + i * 10 + r();
    const failed = i % 20 === 19;
    const group = i % 3 === 0 ? '::sync::upload' : '::sync';
    const name = i % 2 === 0 ? 'contacts_sync' : 'ota_check';
    const tags = {
      scenario, group, name, url: name, method: i % 2 === 0 ? 'POST' : 'GET', status: failed ? '503' : '200',
      expected_response: failed ? 'false' : 'true', proto: 'HTTP/1.1',
    };
    const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    const duration = Math.exp(Math.log(50) + 0.6 * z);
    out.push({ metric: M.http_reqs!, time, value: 1, tags });
    out.push({ metric: M.http_req_duration!, time, value: duration, tags });
    out.push({ metric: M.http_req_failed!, time, value: failed ? 1 : 0, tags });
    out.push({ metric: M.checks!, time, value: failed ? 0 : 1, tags: { scenario, group, check: 'status is 200' } });
    if (i % 4 === 3) out.push({ metric: M.iterations!, time, value: 1, tags: { scenario, group: '' } });
  }
  out.push({ metric: M.vus!, time: T0 + requests * 10, value: 3, tags: {} });
  return out;
}
