/**
 * End to end: a campaign with `runner: k6` (one DC, quick) on the built-in stacks, with the stand-in `k6` of
 * test/helpers/k6-standin on PATH. Like real k6 it runs the generated script against the target and writes only into
 * directories that exist, so this is where a campaign that forgets to make capacity/<dc>/ and results/<dc>/ fails
 * (k6 exits 255, "could not open ..."). A runner that fails on its own is a runner failure (107, quoting k6), not
 * invalid input (104). A second campaign plans a catalog whose services are functions of a team's own k6 script,
 * run through caplab's wrapper, against Debian's nginx.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { installK6Standin } from '../helpers/k6-standin/main.ts';
import { type RunningNginx, startNginx } from '../helpers/nginx.ts';

const dir = tempDir('caplab-e2e-campaign-k6-');
const bin = installK6Standin(join(dir, 'bin'));
const PATH = `${bin}:${process.env.PATH ?? ''}`;
const DC = 'singapore';
// The smallest campaign that still runs every stage: one DC, quick steps, the replay's day at half a second an hour.
const config = join(dir, 'campaign.yaml');
writeFileSync(config, `runner: k6\nquick: true\ndcs: [${DC}]\ntimeScale: 0.5\n`);
afterAll(() => removeDir(dir));

const gunzipLines = (path: string): string[] => gunzipSync(readFileSync(path)).toString('utf8').trimEnd().split('\n');

describe('caplab campaign with runner: k6', () => {
  const out = join(dir, 'ok');
  let r: CliResult;
  beforeAll(async () => {
    r = await runCli(['--out-dir', out, 'campaign', config], { env: { PATH } });
  }, 300_000);

  it('completes (exit 0): the output directories exist before k6 writes into them', () => {
    expect(r.code, `${r.stdout.slice(-1500)}\n${r.stderr.slice(-3000)}`).toBe(0);
    expect(r.stdout).toMatch(/report: .*report\.html/);
  });

  it('writes capacity/<dc>/ and results/<dc>/ from k6\'s own files: handleSummary JSON and --out json NDJSON', () => {
    expect(readdirSync(join(out, 'capacity', DC)).filter((f) => !f.includes('-refine-')).sort()).toEqual(['points-connections.ndjson.gz', 'points-probe.ndjson.gz', 'points-sweep.ndjson.gz', 'summary-connections.json', 'summary-probe.json', 'summary-sweep.json']);
    expect(readdirSync(join(out, 'results', DC)).sort()).toEqual(['points.ndjson.gz', 'summary.json']);
    const summary = JSON.parse(readFileSync(join(out, 'results', DC, 'summary.json'), 'utf8'));
    expect(summary.root_group).toBeDefined();
    expect(summary.metrics.http_reqs.values.count).toBeGreaterThan(0);
    // The probe's points carry the step tags the capacity fit groups them by.
    const probe = gunzipLines(join(out, 'capacity', DC, 'points-probe.ndjson.gz'));
    const steps = new Set(probe.filter((l) => l.includes('"metric":"http_reqs"') && l.startsWith('{"type":"Point"'))
      .map((l) => (JSON.parse(l) as { data: { tags: { step?: string } } }).data.tags.step));
    expect(steps.size).toBeGreaterThanOrEqual(3);
    const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8'));
    expect(plan.dcs[DC].capacity.perNodeRps).toBeGreaterThan(0);
    // Named relative to the campaign folder, which was written as a staging folder and moved into place.
    expect(plan.dcs[DC].capacity.inputs.probe).toBe(`capacity/${DC}/points-probe.ndjson.gz`);
    // The push node's connection probe ran as a k6 script (k6/ws) too. The stand-in runs its VUs one after another, so
    // no step ever held its sessions at once: every step is unmeasured, and the plan keeps the catalog's figure and
    // says why, where real k6 (a goroutine per VU) would measure the node.
    const conn = plan.resources.sites[DC].connections;
    const probePoints = gunzipLines(join(out, 'capacity', DC, 'points-connections.ndjson.gz'));
    expect(probePoints.some((l) => l.includes('"metric":"ws_sessions"') && l.includes('"sessions":"'))).toBe(true);
    expect(conn.measured.steps.length).toBeGreaterThan(0);
    expect(conn.measured.steps.every((s: { why?: string }) => s.why === 'unmeasured')).toBe(true);
    expect(conn).toMatchObject({ source: 'catalog', perNode: 150_000 });
    expect(conn.text).toMatch(/measured no step/);
    // And the replay's push scenario held sessions through k6/ws: one at a time under the stand-in (its first VU's
    // session lasts the whole replay), all of them at once under real k6.
    const spec = JSON.parse(readFileSync(join(out, 'scenarios', `${DC}-replay.json`), 'utf8'));
    expect(spec.options.scenarios.push.stages[1].target).toBeGreaterThan(1);
    expect(summary.metrics.ws_sessions.values.count).toBeGreaterThanOrEqual(1);
  });

  it('refines the SLO rate with k6 too: each round a k6 run at a rate inside the bracket, read with the sweep', () => {
    const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8'));
    const cap = plan.dcs[DC].capacity;
    const rounds = readdirSync(join(out, 'capacity', DC)).filter((f) => /^summary-refine-\d+\.json$/.test(f)).length;
    expect(r.stderr).toMatch(new RegExp(`SLO rate of ${DC}: .* after ${rounds} refinement rounds?`));
    if (cap.source === 'measured' && cap.sloInterval?.upper != null) {
      const { lower, upper } = cap.sloInterval;
      if (rounds > 0) expect(cap.inputs.refineRounds).toBe(rounds);
      // Within 5% of the lower end unless the rounds or their time ran out.
      if (!(lower > 0 && upper <= lower * 1.05)) expect(rounds === 3 || /refinement stopped after/.test(r.stderr), `[${lower}, ${upper}) after ${rounds} rounds`).toBe(true);
    }
    for (let i = 1; i <= rounds; i++) {
      // k6's own handleSummary shape: the refinement ran through the k6 runner.
      const summary = JSON.parse(readFileSync(join(out, 'capacity', DC, `summary-refine-${i}.json`), 'utf8'));
      expect(summary.root_group, `round ${i}`).toBeDefined();
      expect(gunzipLines(join(out, 'capacity', DC, `points-refine-${i}.ndjson.gz`)).some((l) => l.includes('"rate":"')), `round ${i}`).toBe(true);
    }
  });
});

describe('caplab campaign with runner: k6 on a catalog of a team\'s own k6 script and a caplab flow (Debian nginx as the target)', () => {
  // The team's script exports `browse` (one GET) and `buy` (two GETs: requestsPerUse 2); its own options (50 VUs for
  // an hour) must not be what runs. A third service, `cart`, is a caplab flow: it runs beside the script's functions
  // in the same runs, from caplab's generated script the wrapper imports. nginx serves both as static files, each connection limited to 50 req/s by its
  // limiter (a delay, not a rejection): the stand-in k6 runs one request at a time on one connection, so its
  // throughput is then about 50 req/s whatever the machine's load, as with the built-in stacks' modeled service
  // times, and the probe has a ceiling to measure.
  const team = join(dir, 'team');
  const out = join(dir, 'team-out');
  let r: CliResult;
  let nginx: RunningNginx | undefined;
  beforeAll(async () => {
    mkdirSync(team, { recursive: true });
    mkdirSync(join(team, 'www'), { recursive: true });
    writeFileSync(join(team, 'www', 'browse'), '{"items":[]}');
    writeFileSync(join(team, 'www', 'cart'), '{"ok":true}');
    nginx = await startNginx(join(dir, 'nginx'), '  limit_req_zone $connection zone=perconn:1m rate=50r/s;', [
      `    root ${join(team, 'www')};`,
      '    location / { limit_req zone=perconn burst=1000; }',
    ].join('\n'));
    writeFileSync(join(team, 'shop.js'), [
      "import http from 'k6/http';",
      "import { check } from 'k6';",
      "export const options = { vus: 50, duration: '1h' };",
      `const BASE = '${nginx.url}';`,
      "export function browse() { check(http.get(`${BASE}/browse`), { 'browse 200': (res) => res.status === 200 }); }",
      'export function buy() { http.get(`${BASE}/browse`); http.get(`${BASE}/cart`); }',
      '',
    ].join('\n'));
    writeFileSync(join(team, 'catalog.yaml'), [
      'schema: caplab.catalog/v1',
      'services:',
      '  - { name: browse, k6: { script: shop.js, exec: browse }, demand: { perDevicePerDay: 3 }, model: { meanMs: 20, cv: 0.5 } }',
      '  - { name: buy, k6: { script: shop.js, exec: buy, requestsPerUse: 2 }, demand: { perDevicePerDay: 2 }, model: { meanMs: 20, cv: 0.5 } }',
      '  - { name: cart, flow: { steps: [{ name: cart, path: /cart }] }, demand: { perDevicePerDay: 1 }, model: { meanMs: 20, cv: 0.5 } }',
      '',
    ].join('\n'));
    writeFileSync(join(team, 'campaign.yaml'), `runner: k6\nquick: true\ndcs: [${DC}]\ntimeScale: 0.5\ncatalog: catalog.yaml\ntargets: { ${DC}: "${nginx.url}" }\n`);
    r = await runCli(['--out-dir', out, 'campaign', join(team, 'campaign.yaml')], { env: { PATH } });
  }, 300_000);
  afterAll(async () => nginx?.stop());

  it('probes, plans and replays through the wrapper: requests tagged with the catalog\'s services, of both kinds', () => {
    expect(r.code, `${r.stdout.slice(-1500)}\n${r.stderr.slice(-3000)}`).toBe(0);
    const spec = JSON.parse(readFileSync(join(out, 'scenarios', `${DC}-probe.json`), 'utf8'));
    expect(spec.flows.buy).toEqual({ k6: { script: join(team, 'shop.js'), exec: 'buy', requestsPerUse: 2 } });
    // Demand 3 : 2 requests, so uses 3 : 1.
    expect(spec.flows.mixed.mix.browse / spec.flows.mixed.mix.buy).toBeCloseTo(3, 2);
    expect(spec.flows.cart.steps).toHaveLength(1);
    for (const file of [join(out, 'capacity', DC, 'points-probe.ndjson.gz'), join(out, 'results', DC, 'points.ndjson.gz')]) {
      const byService = new Map<string, number>();
      for (const l of gunzipLines(file)) {
        if (!l.includes('"metric":"http_reqs"') || !l.startsWith('{"type":"Point"')) continue;
        const svc = (JSON.parse(l) as { data: { tags: { service?: string } } }).data.tags.service ?? '(none)';
        byService.set(svc, (byService.get(svc) ?? 0) + 1);
      }
      expect([...byService.keys()].sort(), file).toEqual(['browse', 'buy', 'cart']);
    }
    // nginx saw the team script's requests, all answered.
    const log = readFileSync(nginx!.accessLog, 'utf8').trimEnd().split('\n').filter((l) => l.startsWith('GET '));
    expect(log.length).toBeGreaterThan(0);
    // Besides them only the pre-flight: a service run as a k6 script is checked by one GET of the target's root each.
    const other = log.filter((l) => l !== 'GET 200 /browse' && l !== 'GET 200 /cart');
    expect(other.length, other.join('\n')).toBeLessThanOrEqual(2);
    for (const l of other) expect(l).toMatch(/^GET \d{3} \/$/);
    const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8'));
    expect(plan.dcs[DC].capacity.perNodeRps).toBeGreaterThan(0);
    // The stand-in runs one request at a time, so its probe may not show a USL curve: the campaign then sweeps at
    // the catalog's modeled ceiling and says so, and the plan falls back to the model with a note.
    if (/measured no ceiling/.test(r.stderr)) expect(r.stderr).toMatch(/sweeping at the modeled ceiling/);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/\| browse \| 3 \|/);
  });
});

describe('caplab campaign with runner: k6 when k6 itself fails', () => {
  it('exits 107 (runner failure) with k6\'s message, not 104', async () => {
    const message = "could not open '/nowhere/summary-probe.json': open /nowhere/summary-probe.json: no such file or directory";
    const r = await runCli(['--out-dir', join(dir, 'failed'), 'campaign', config], { env: { PATH, CAPLAB_K6_STANDIN_FAIL: message } });
    expect(r.code, r.stderr).toBe(107);
    expect(r.stderr).toMatch(/probe of singapore failed \(exit 107\)/);
    expect(r.stderr).toMatch(/k6 failed: it exited with code 255/);
    expect(r.stderr).toContain(message);
  }, 120_000);
});
