/**
 * `caplab run` against Caddy with its own CA (`tls internal`), as a new user meets it: without trusting the CA every
 * request fails with k6's error_code 1310 and error tag, and the run says so on stderr (with --quiet too) while
 * exiting 0 as k6 does without thresholds; `insecureSkipTLSVerify` (k6's option) makes them pass, every sample
 * `proto: HTTP/2.0`; trusting the CA
 * (NODE_EXTRA_CA_CERTS) makes an IP URL pass, checked against the certificate's IP SAN; a certificate naming another
 * host gives 1311; --workers runs print the merged counts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { type RunningCaddy, startCaddy } from '../helpers/caddy.ts';

let dir: string;
let caddy: RunningCaddy;
beforeAll(async () => {
  dir = tempDir('caplab-tls-caddy-');
  caddy = await startCaddy(join(dir, 'caddy'));
}, 60_000);
afterAll(async () => {
  await caddy?.stop();
  removeDir(dir);
});

interface Point { type: string; metric: string; data: { value: number; tags: Record<string, string> } }

const ITERATIONS = 6;

function writeSpec(name: string, baseUrl: string, options: Record<string, unknown> = {}): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({
    schema: 'caplab.scenario/v1', name, baseUrl,
    options: { scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: ITERATIONS, maxDuration: '60s' } }, ...options },
    flows: { default: { steps: [{ name: 'home', method: 'GET', path: '/' }] } },
  }));
  return path;
}

async function run(spec: string, extra: string[] = [], env: Record<string, string> = {}): Promise<{ code: number; stderr: string; failed: number; reqs: number; points: Point[] }> {
  const base = spec.replace(/\.json$/, '');
  const r = await runCli(['--quiet', 'run', spec, '--summary-json', `${base}.summary.json`, '-o', `json=${base}.ndjson`, ...extra], { env });
  if (r.code !== 0) throw new Error(`caplab run exited ${r.code}\n${r.stderr}`);
  const summary = JSON.parse(readFileSync(`${base}.summary.json`, 'utf8')) as { metrics: Record<string, { values: Record<string, number> }> };
  const points = readFileSync(`${base}.ndjson`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Point);
  return { code: r.code, stderr: r.stderr, failed: summary.metrics.http_req_failed!.values.passes!, reqs: summary.metrics.http_reqs!.values.count!, points };
}

const failedPoints = (points: Point[]): Point[] => points.filter((p) => p.type === 'Point' && p.metric === 'http_req_failed' && p.data.value === 1);

describe('TLS against Caddy (tls internal)', () => {
  it('an untrusted CA: every request fails with error_code 1310 and k6\'s error, and the run prints the errors', async () => {
    const r = await run(writeSpec('untrusted', caddy.url));
    expect(r.reqs).toBe(ITERATIONS);
    expect(r.failed).toBe(ITERATIONS);
    const failed = failedPoints(r.points);
    expect(failed).toHaveLength(ITERATIONS);
    for (const p of failed) expect(p.data.tags).toMatchObject({ status: '0', error_code: '1310', error: 'x509: unknown authority' });
    // Every http_req_* sample of the request carries the tags, as in k6.
    expect(r.points.filter((p) => p.type === 'Point' && p.metric === 'http_req_duration').every((p) => p.data.tags.error_code === '1310')).toBe(true);
    expect(r.stderr).toContain(`caplab: ${ITERATIONS} of ${ITERATIONS} requests failed (100.00%); most frequent errors:`);
    expect(r.stderr).toMatch(/1310\s+6\s+100\.00%\s+x509: unknown authority/);
    expect(r.stderr).toContain('x509: certificate signed by unknown authority');
    expect(r.stderr).toContain('insecureSkipTLSVerify');
  }, 60_000);

  it('insecureSkipTLSVerify: true in the spec\'s options: no request fails and nothing is printed', async () => {
    const r = await run(writeSpec('insecure', caddy.url, { insecureSkipTLSVerify: true }));
    expect([r.reqs, r.failed]).toEqual([ITERATIONS, 0]);
    expect(r.stderr).not.toContain('requests failed');
    // Caddy offers h2 by ALPN: every request sample of the run says HTTP/2.0, as k6's do against it.
    const samples = r.points.filter((p) => p.type === 'Point' && p.metric.startsWith('http_req'));
    expect(samples.length).toBeGreaterThanOrEqual(ITERATIONS * 8);
    for (const p of samples) expect(p.data.tags.proto, p.metric).toBe('HTTP/2.0');
  }, 60_000);

  it('--insecure-skip-tls-verify (k6\'s flag) on a spec without the option: no request fails', async () => {
    const r = await run(writeSpec('insecure-flag', caddy.url), ['--insecure-skip-tls-verify']);
    expect([r.reqs, r.failed]).toEqual([ITERATIONS, 0]);
  }, 60_000);

  it('the CA trusted (NODE_EXTRA_CA_CERTS): an IP URL is verified against the certificate\'s IP SAN and passes', async () => {
    const r = await run(writeSpec('trusted-ip', caddy.url), [], { NODE_EXTRA_CA_CERTS: caddy.caFile });
    expect([r.reqs, r.failed]).toEqual([ITERATIONS, 0]);
    expect(r.stderr).not.toContain('requests failed');
  }, 60_000);

  it('--workers 2: the errors of both workers, merged', async () => {
    const r = await run(writeSpec('untrusted-workers', caddy.url), ['--workers', '2']);
    expect([r.reqs, r.failed]).toEqual([ITERATIONS, ITERATIONS]);
    expect(r.stderr).toMatch(/1310\s+6\s+100\.00%\s+x509: unknown authority/);
  }, 60_000);

  it('a certificate for another host: error_code 1311 even with its CA trusted', async () => {
    const other = await startCaddy(join(dir, 'caddy-other'), { site: 'caddy.test' });
    try {
      const r = await run(writeSpec('mismatch', other.url), [], { NODE_EXTRA_CA_CERTS: other.caFile });
      expect([r.reqs, r.failed]).toEqual([ITERATIONS, ITERATIONS]);
      for (const p of failedPoints(r.points)) expect(p.data.tags).toMatchObject({ error_code: '1311', error: "x509: certificate doesn't match hostname" });
      expect(r.stderr).toMatch(/1311\s+6\s+100\.00%/);
    } finally {
      await other.stop();
    }
  }, 60_000);
});
