/**
 * End to end: `caplab campaign` planning a user's own services on a real third-party server, Debian's nginx, with no
 * built-in stack started. The user's catalog has two services: `page`, a static file, and `status`, an nginx
 * `return 200` JSON location. nginx is given a known capacity with its own request limiter (limit_req, which delays
 * requests over the rate: a FIFO queue, not a rejection): at most PER_CONNECTION req/s of pages per connection and
 * NODE_RATE req/s of pages in all; `return` answers before the limiter runs, so status requests are not limited.
 * Time, not the CPU, sets that capacity, so it is the same on a busy 2-core runner.
 *
 * Expected ceiling, by hand: the campaign mixes services by demand, page 4 : status 1 per device per day, so 4/5 of
 * requests are pages; with pages capped at NODE_RATE the node's throughput tops out at NODE_RATE / (4/5) = 125 req/s.
 * Tolerance: a probe step's page share is binomial over about 250 iterations (SE 2.5%), and the USL curve rounds the
 * limiter's sharp knee; 15% covers four SEs and that rounding (a run here measured 127.45).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { type RunningNginx, startNginx } from '../helpers/nginx.ts';

const NODE_RATE = 100;
const PER_CONNECTION = 20;
const EXPECTED_CEILING = NODE_RATE / (4 / 5);
const BUILT_IN = ['devices_register', 'contacts_sync', 'contacts_list', 'messages_post', 'messages_list', 'ota_check', 'photos_post', 'photos_get'];

const dir = tempDir('caplab-e2e-nginx-');
const out = join(dir, 'campaign');
const read = (...p: string[]) => JSON.parse(readFileSync(join(out, ...p), 'utf8'));
let nginx: RunningNginx | undefined;
let stdout = '';

beforeAll(async () => {
  const www = join(dir, 'www');
  mkdirSync(www, { recursive: true });
  writeFileSync(join(www, 'index.html'), `<!doctype html><title>shop</title>${'<p>caplab static page</p>\n'.repeat(80)}`);
  nginx = await startNginx(join(dir, 'nginx'),
    `  limit_req_zone $connection zone=perconn:1m rate=${PER_CONNECTION}r/s;\n  limit_req_zone $server_port zone=node:1m rate=${NODE_RATE}r/s;`,
    [
      `    root ${www};`,
      '    location / { limit_req zone=perconn burst=100; limit_req zone=node burst=5000; }',
      '    location = /api/status { default_type application/json; return 200 \'{"ok":true}\'; }',
    ].join('\n'));
  writeFileSync(join(dir, 'catalog.yaml'), [
    'schema: caplab.catalog/v1',
    'name: shop',
    'services:',
    '  - name: page',
    '    flow: { steps: [{ name: page, method: GET, path: /index.html, expectedStatuses: [200] }] }',
    '    demand: { perDevicePerDay: 4 }',
    '  - name: status',
    '    flow: { steps: [{ name: status, method: GET, path: /api/status, expectedStatuses: [200], checks: { status: [200] } }] }',
    '    demand: { perDevicePerDay: 1 }',
    '    budgets: { p95: 100ms }',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'campaign.yaml'), [
    'seed: 1',
    'catalog: catalog.yaml',
    'quick: true',
    'dcs: [singapore]',
    `targets: { singapore: "${nginx.url}" }`,
    '',
  ].join('\n'));
  const r = await runCli(['--out-dir', out, 'campaign', join(dir, 'campaign.yaml')]);
  stdout = r.stdout;
  expect(r.code, `${r.stdout.slice(-2000)}\n${r.stderr}`).toBe(0);
}, 300_000);

afterAll(async () => {
  await nginx?.stop();
  removeDir(dir);
}, 30_000);

describe('caplab campaign on a user catalog against nginx (no built-in stacks)', () => {
  it('plans the catalog\'s services only, from its demand', () => {
    const traffic = read('traffic.json');
    expect(traffic.demand).toEqual({ page: 4, status: 1 });
    expect(Object.keys(traffic.dcs)).toEqual(['singapore']);
    expect(Object.keys(traffic.dcs.singapore[0].services).sort()).toEqual(['page', 'status']);
    // The built-in flash sales multiply phone-sale services this catalog does not have.
    expect(traffic.flashSales).toEqual([]);
  });

  it('sent the pre-flight, probe, sweep, its refinement and the replay to nginx', () => {
    // Every GET nginx logged is one the engine counted (the helper's readiness check is a HEAD), or the pre-flight's
    // one request per service (page and status, each one step) before any load.
    const log = readFileSync(nginx!.accessLog, 'utf8').trimEnd().split('\n').filter((l) => l.startsWith('GET '));
    const served = (uri: string) => log.filter((l) => l === `GET 200 ${uri}`).length;
    const refine = readdirSync(join(out, 'capacity', 'singapore')).filter((f) => /^summary-refine-\d+\.json$/.test(f)).map((f) => `capacity/singapore/${f}`);
    let sent = 2;
    for (const f of ['capacity/singapore/summary-probe.json', 'capacity/singapore/summary-sweep.json', ...refine, 'results/singapore/summary.json']) {
      sent += read(...f.split('/')).metrics.http_reqs.values.count;
    }
    expect(served('/index.html') + served('/api/status')).toBe(sent);
    expect(log.length).toBe(sent);
    expect(served('/api/status')).toBeGreaterThan(0);
  });

  it('writes plan.json whose per-node capacity is measured on nginx, with its USL fit', () => {
    const cap = read('plan.json').dcs.singapore.capacity;
    expect(cap.source).toBe('measured');
    expect(cap.inputs.probe).toBe('capacity/singapore/points-probe.ndjson.gz');
    for (const k of ['sigma', 'kappa', 'lambda', 'lambdaSe']) expect(Number.isFinite(cap.inputs[k]), k).toBe(true);
    expect(cap.inputs.lambda).toBeGreaterThan(0);
    expect(Math.abs(cap.ceilingRps - EXPECTED_CEILING) / EXPECTED_CEILING, `ceiling ${cap.ceilingRps} req/s, expected about ${EXPECTED_CEILING}`).toBeLessThanOrEqual(0.15);
    expect(cap.perNodeRps).toBeGreaterThan(0);
    expect(cap.perNodeRps).toBeLessThanOrEqual(cap.ceilingRps * 1.0001);
  });

  it('replayed the quarter at the planned per-node share, tagging requests with the user\'s services', () => {
    const points = gunzipSync(readFileSync(join(out, 'results', 'singapore', 'points.ndjson.gz'))).toString('utf8').trimEnd().split('\n');
    const services = new Set<string>();
    for (const line of points) {
      const p = JSON.parse(line) as { type: string; metric: string; data: { tags?: Record<string, string> } };
      if (p.type === 'Point' && p.metric === 'http_reqs' && p.data.tags?.service) services.add(p.data.tags.service);
    }
    expect([...services].sort()).toEqual(['page', 'status']);
    const summary = read('results', 'singapore', 'summary.json');
    expect(summary.metrics.http_req_failed.values.rate).toBe(0);
    expect(Object.keys(summary.metrics)).toContain('http_req_duration{scenario:replay,service:status}');
  });

  it('writes a report that names the user\'s services and none of the built-in ones', () => {
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const text of [md, html]) {
      expect(text).toContain('page');
      expect(text).toMatch(/service:status/);
      for (const s of BUILT_IN) expect(text, s).not.toContain(s);
    }
    expect(md).toContain(`| page | 4 | modeled (${join(dir, 'catalog.yaml')}) | shared |`);
    expect(md).toMatch(/\| singapore \| 0 \| .* \| measured \/ measured \|/);
    expect(stdout).toMatch(/report: .*report\.html/);
  });
});
