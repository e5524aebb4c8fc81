/**
 * End to end: `caplab demand fit --prometheus` against a real Prometheus (Debian's `prometheus` package) scraping the
 * built-in stacks' /metrics, recovers the request rate of a known load. Everything on 127.0.0.1, started and stopped
 * here: two stacks (singapore, us-west-1; WAN off), Prometheus on a free port with its TSDB in a temp dir, scraping
 * both every second with a `dc` label per target, and the engine running a constant-arrival-rate load of 40 req/s of
 * ota_check against singapore for 25 s. The fit is asked for the window in which every rate() range lies inside the
 * load, with --devices singapore=864000, so the recovered rate is perDevicePerDay x 864000 / 86400 req/s. It is
 * compared with what was sent, counted from the engine's own request times per 5 s range (40 req/s within 1 req/s:
 * an iteration the engine drops while its first VUs connect is not sent).
 *
 * Tolerance: the arrivals are on an absolute schedule (40 per second, nothing dropped: checked), so the requests
 * counted between two scrapes L seconds apart are 40 L ± 1 (checked: at most 3 dropped). rate(x[5s]) at 1 s scrapes divides the increase between
 * the first and last of about 5 samples (L ≈ 4 s) by their spacing and extrapolates it to the 5 s range, which for a
 * constant rate changes nothing as long as no scrape is missing (Prometheus extrapolates fully when the range edge is
 * within 1.1 scrape intervals). What remains is the ±1 request of discreteness and the lag δ between a scrape's
 * timestamp and the moment the stack read its counter: per evaluation at most (1 + 2 x 40 δ) / L req/s, where δ is
 * at most the scrape's own duration, which Prometheus records (scrape_duration_seconds; the largest in the window is
 * used, and never less than 50 ms): 1.25 req/s on a quiet machine, more while the host is busy. The mean over the
 * window must be within that of what was sent. Up to 400 VUs keep the arrivals on schedule even when a busy host
 * slows every response to seconds (an iteration with no free VU would be dropped and not sent).
 * A Prometheus that is not installed fails the test with the message saying so: nothing is skipped.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningStacks, startStacks } from '../../stacks/start.ts';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { freePort, stopChild, waitFor } from '../helpers/process.ts';

const RATE = 40;
const DEVICES = 864_000;
const dir = tempDir('caplab-e2e-prometheus-');
let stacks: RunningStacks | undefined;
let prometheus: ChildProcess | undefined;
let promUrl = '';
let promLog = '';

/** Polls until `check` holds, with Prometheus' log in the timeout message. */
const until = (what: string, ms: number, check: () => Promise<boolean>): Promise<void> => waitFor(what, ms, check, () => `prometheus log:\n${promLog}`);

beforeAll(async () => {
  const probe = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('this test needs Prometheus on PATH (Debian: apt-get install -y prometheus); `prometheus --version` failed: ' +
      `${probe.error?.message ?? probe.stderr}`);
  }
  stacks = await startStacks({ dataDir: join(dir, 'db'), dcs: ['singapore', 'us-west-1'], wan: false });
  const targets = Object.entries(stacks.urls).map(([dc, url]) => `      - targets: ['${new URL(url).host}']\n        labels: { dc: '${dc}' }`).join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), [
    'global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }',
    'scrape_configs:',
    '  - job_name: caplab',
    '    metrics_path: /metrics',
    '    static_configs:',
    targets,
    '',
  ].join('\n'));
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  prometheus.stdout!.on('data', (b: Buffer) => (promLog += b.toString()));
  prometheus.stderr!.on('data', (b: Buffer) => (promLog += b.toString()));
  await until('Prometheus /-/ready', 30_000, async () => (await fetch(`${promUrl}/-/ready`)).status === 200);
  await until('both stacks scraped (targets up)', 20_000, async () => {
    const t = (await (await fetch(`${promUrl}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string }[] } };
    return t.data.activeTargets.length === 2 && t.data.activeTargets.every((x) => x.health === 'up');
  });
}, 90_000);

afterAll(async () => {
  await stopChild(prometheus);
  await stacks?.stop();
  removeDir(dir);
}, 30_000);

describe('caplab demand fit --prometheus (real Prometheus scraping the stacks)', () => {
  it('recovers the rate of a known constant-arrival-rate load', async () => {
    const spec = {
      schema: 'caplab.scenario/v1', name: 'prometheus-known-load', baseUrl: stacks!.urls.singapore,
      options: { scenarios: { load: { executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: '25s', preAllocatedVUs: 40, maxVUs: 400 } } },
      flows: { default: { steps: [{ name: 'ota_check', path: '/v1/ota/check?model=Mi%204&version=MIUI%206', expectedStatuses: [200] }] } },
    };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const points = join(dir, 'points.ndjson');
    const run = await runCli(['--quiet', 'run', join(dir, 'spec.json'), '-o', `json=${points}`, '--summary-json', join(dir, 'summary.json')]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.metrics.http_req_failed.values.rate).toBe(0);
    // An iteration the engine could not start on time (dropped, e.g. while its first VUs connect) is simply not sent.
    expect(summary.metrics.dropped_iterations?.values.count ?? 0).toBeLessThanOrEqual(3);

    // The load's first and last request, from the engine's own points.
    const times = readFileSync(points, 'utf8').split('\n').filter((l) => l.includes('"metric":"http_reqs"') && l.includes('"type":"Point"'))
      .map((l) => Date.parse((JSON.parse(l) as { data: { time: string } }).data.time) / 1000);
    const first = Math.min(...times);
    const last = Math.max(...times);
    expect(times.length).toBeGreaterThanOrEqual(RATE * 25 - 3);
    // Every 5 s range of the window starts a second after the first request and ends before the last.
    const start = Math.ceil(first + 6);
    const end = Math.floor(last - 1);
    expect(end - start).toBeGreaterThanOrEqual(15);
    await until('the window to be scraped', 10_000, async () => Date.now() / 1000 > end + 3);

    const query = 'sum by (dc, route) (rate(caplab_http_requests_total{route="ota_check"}[5s]))';
    const fit = await runCli(['demand', 'fit', '--prometheus', promUrl, '--query', query, '--service-label', 'route',
      '--devices', `singapore=${DEVICES}`, '--start', String(start), '--end', String(end), '--step', '1s', '--json']);
    expect(fit.code, fit.stderr).toBe(0);
    const d = JSON.parse(fit.stdout);
    expect(d.source).toMatchObject({ kind: 'prometheus', what: `${promUrl} ${query}`, stepSeconds: 1 });
    const f = d.services.ota_check;
    expect(Object.keys(d.services)).toEqual(['ota_check']);
    expect(Object.keys(f.dcs)).toEqual(['singapore']);
    expect(f.dcs.singapore.samples).toBe(end - start + 1);
    // 25 s of load cover one or two UTC hours: the rate is fitted, the modeled curve kept, and the file says so.
    expect(f.localHourWeights).toBeNull();
    expect(f.fit.note).toMatch(/does not cover every UTC hour/);
    // What rate() should give, from the engine's own request times: per evaluation the requests of its 5 s range / 5.
    let sum = 0;
    for (let t = start; t <= end; t++) sum += times.filter((x) => x > t - 5 && x <= t).length / 5;
    const sent = sum / (end - start + 1);
    expect(Math.abs(sent - RATE)).toBeLessThanOrEqual(1);
    const recovered = (f.perDevicePerDay * DEVICES) / 86400;
    const scrape = `max_over_time(scrape_duration_seconds{dc="singapore"}[${end - start + 6}s])`;
    const lag = (await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(scrape)}&time=${end}`)).json()) as { data: { result: { value: [number, string] }[] } };
    const delta = Math.max(0.05, Number(lag.data.result[0]?.value[1]));
    expect(Number.isFinite(delta), `scrape durations: ${JSON.stringify(lag)}`).toBe(true);
    const tolerance = (1 + 2 * RATE * delta) / 4;
    expect(Math.abs(recovered - sent), `recovered ${recovered} req/s, sent ${sent} (tolerance ${tolerance}, longest scrape ${delta} s)`).toBeLessThanOrEqual(tolerance);
    console.log(`demand fit --prometheus: recovered ${recovered.toFixed(3)} req/s, sent ${sent.toFixed(3)} req/s in the window, RMSE ${f.fit.rmseRps}`);
    expect(f.dcs.singapore.meanRps).toBeCloseTo(recovered, 3);
  }, 120_000);
});
