/**
 * The stand-in k6 binary runs a caplab wrapper (scenarios/k6/wrapper.ts) end to end, as real k6 would: `k6 run
 * wrapper.js` loads the team's script the wrapper imports (and what that imports), one instance per VU, runs
 * caplab's scenarios instead of the script's own options, and tags everything a VU emits with the `service` VU tag
 * the wrapper sets, against a real HTTP server. Also VU tags on their own: they persist across a VU's iterations
 * and start over when another scenario activates the VU.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFlows, pickFlow } from '../../../scenarios/engine/compile.ts';
import { buildK6Wrapper } from '../../../scenarios/k6/wrapper.ts';
import { parseScenarioSpec } from '../../../scenarios/spec.ts';
import { type CliResult, removeDir, tempDir } from '../cli.ts';
import { runK6 } from './run-k6.ts';
import { installK6Standin } from './main.ts';

const SEED = 1;
const ITERATIONS = 40;

/** One NDJSON Point as k6 writes it. */
interface Point {
  metric: string;
  data: { value: number; tags: Record<string, string> };
}

/** Runs `k6 ...args` (the stand-in on PATH) in `cwd`. */
const k6 = (args: string[], cwd: string, bin: string): Promise<CliResult> => runK6(args, cwd, bin);

/** The Points of an NDJSON file, in file order. */
function points(path: string): Point[] {
  return readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string } & Point).filter((p) => p.type === 'Point');
}

/** The team's own script, as a team would write it: k6 shorthands, its own options, setup, a helper module. */
const TEAM = `import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { path, expectOk } from "./lib/paths.js";

// Ignored under the wrapper: k6 reads options from the entry module only.
export const options = { vus: 50, duration: '1h' };

// Module scope: k6 gives every VU its own copy, so this counts the VU's own requests.
let sent = 0;
function get(name, data) {
  sent++;
  const res = http.get(__ENV.BASE_URL + path(name), { headers: { 'x-t': String(data.t), 'x-vu': String(exec.vu.idInTest), 'x-sent': String(sent) } });
  check(res, { [name + ' is 200']: (r) => r.status === 200 });
  expectOk(res);
}

export function setup() { return { t: 1 }; }
export function browse(data) { get('a', data); }
export function buy(data) { get('b', data); get('a', data); }
`;

// Imported by the team's script, and importing a k6 module and a module of its own through '../': the graph is
// loaded transitively, each module with its k6 imports rewritten.
const PATHS = `import { Counter } from 'k6/metrics';
import { PREFIX } from '../prefix.js';
const ok = new Counter('team_ok');
export function path(name) { return PREFIX + name; }
export function expectOk(res) { ok.add(res.status === 200 ? 1 : 0); }
`;

describe('the stand-in k6 binary runs a caplab wrapper of a team\'s script', () => {
  let dir: string;
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  let server: Server;
  let r: CliResult;
  let pts: Point[];
  const spec = parseScenarioSpec({
    schema: 'caplab.scenario/v1',
    name: 'team-mixed',
    options: {
      scenarios: { mixed: { executor: 'shared-iterations', vus: 2, iterations: ITERATIONS, exec: 'mixed' } },
      tags: { dc: 'singapore' },
    },
    // The engine's twin of the wrapper's mix (same weights, same seed), for the expected picks.
    flows: { browse: { steps: [{ url: 'http://x/a' }] }, buy: { steps: [{ url: 'http://x/b' }] }, mixed: { mix: { browse: 3, buy: 1 } } },
  }, 'team-mixed.json');

  beforeAll(async () => {
    dir = tempDir('caplab-k6-wrapper-run-');
    const bin = installK6Standin(join(dir, 'bin'));
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(req.url === '/a' || req.url === '/b' ? 200 : 404).end('ok');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'team.js'), TEAM);
    writeFileSync(join(dir, 'lib', 'paths.js'), PATHS);
    writeFileSync(join(dir, 'prefix.js'), "export const PREFIX = '/';\n");
    writeFileSync(join(dir, 'wrapper.js'), buildK6Wrapper({
      script: './team.js',
      services: [{ name: 'browse', exec: 'browse', weight: 3 }, { name: 'buy', exec: 'buy', weight: 1 }],
      options: spec.options,
      seed: SEED,
    }));
    r = await k6(['run', '--out', 'json=points.ndjson', '-e', 'CAPLAB_SUMMARY=summary.json', '-e', `BASE_URL=${base}`, 'wrapper.js'], dir, bin);
    if (r.code === 0) pts = points(join(dir, 'points.ndjson'));
  }, 120_000);
  afterAll(async () => {
    await new Promise((done) => server.close(done));
    removeDir(dir);
  });

  it('exits 0 and writes the summary handleSummary returns', () => {
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.metrics.iterations.values.count).toBe(ITERATIONS);
    expect(summary.metrics.http_reqs.values.count).toBe(seen.length);
  });

  it('runs caplab\'s scenario, not the script\'s options: 40 iterations on 2 VUs, and the run ends', () => {
    const iterations = pts.filter((p) => p.metric === 'iterations');
    expect(iterations.reduce((t, p) => t + p.data.value, 0)).toBe(ITERATIONS);
    expect(new Set(iterations.map((p) => p.data.tags.scenario))).toEqual(new Set(['mixed']));
    expect(Math.max(...pts.filter((p) => p.metric === 'vus_max').map((p) => p.data.value))).toBe(2);
    expect(new Set(seen.map((s) => s.headers['x-vu']))).toEqual(new Set(['1', '2']));
    // setup's data reached every iteration.
    expect(seen.every((s) => s.headers['x-t'] === '1')).toBe(true);
  });

  it('gives every VU its own instance of the team\'s module: each VU counts its own requests from 1', () => {
    for (const vu of ['1', '2']) {
      const counts = seen.filter((s) => s.headers['x-vu'] === vu).map((s) => Number(s.headers['x-sent']));
      expect(counts.length).toBeGreaterThan(0);
      expect(counts).toEqual(counts.map((_, i) => i + 1));
    }
  });

  it('tags every sample a VU emits with its service: requests (both of a buy), checks, custom metrics, iterations', () => {
    const reqs = pts.filter((p) => p.metric === 'http_reqs');
    expect(reqs).toHaveLength(seen.length);
    for (const p of reqs) expect(['browse', 'buy']).toContain(p.data.tags.service);
    const of = (service: string, path: string): number => reqs.filter((p) => p.data.tags.service === service && p.data.tags.url!.endsWith(path)).length;
    // The mix picks as the engine does for iterations 0..39 (shared-iterations numbers them test-wide).
    const mixed = compileFlows(spec, SEED).get('mixed')!;
    const buys = Array.from({ length: ITERATIONS }, (_, i) => pickFlow(mixed, i).name).filter((n) => n === 'buy').length;
    expect(buys).toBeGreaterThan(0);
    expect(buys).toBeLessThan(ITERATIONS);
    // A buy's /b and its /a are both tagged buy; browse makes /a only.
    expect([of('buy', '/b'), of('buy', '/a'), of('browse', '/b'), of('browse', '/a')]).toEqual([buys, buys, 0, ITERATIONS - buys]);
    // What the server received, per path, matches the per-service counts.
    const got = (path: string): number => seen.filter((s) => s.url === path).length;
    expect([got('/b'), got('/a')]).toEqual([of('buy', '/b'), of('buy', '/a') + of('browse', '/a')]);
    // Every request of a buy iteration: in the stand-in's one-at-a-time order, each /b is followed by its /a.
    reqs.forEach((p, i) => {
      if (p.data.tags.url!.endsWith('/b')) expect([reqs[i + 1]!.data.tags.url!.slice(-2), reqs[i + 1]!.data.tags.service]).toEqual(['/a', 'buy']);
    });
    // Run and scenario tags stay beside the VU tag; setup (VU 0) has none.
    for (const p of reqs) expect(p.data.tags).toMatchObject({ dc: 'singapore', scenario: 'mixed', method: 'GET', status: '200' });
    const count = (metric: string, service: string): number => pts.filter((p) => p.metric === metric && p.data.tags.service === service).reduce((t, p) => t + p.data.value, 0);
    expect([count('iterations', 'buy'), count('iterations', 'browse')]).toEqual([buys, ITERATIONS - buys]);
    expect([count('checks', 'buy'), count('checks', 'browse')]).toEqual([2 * buys, ITERATIONS - buys]);
    expect([count('team_ok', 'buy'), count('team_ok', 'browse')]).toEqual([2 * buys, ITERATIONS - buys]);
    expect(pts.filter((p) => ['http_req_duration', 'iteration_duration', 'data_sent'].includes(p.metric)).every((p) => p.data.tags.service !== undefined)).toBe(true);
  });
});

describe('VU tags in the stand-in k6 binary', () => {
  let dir: string;
  let bin: string;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    dir = tempDir('caplab-k6-vu-tags-');
    bin = installK6Standin(join(dir, 'bin'));
    server = createServer((_req, res) => res.writeHead(200).end('ok'));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
    removeDir(dir);
  });

  it('persist across a VU\'s iterations, lose to a request\'s own tags, and start over in the next scenario', async () => {
    // Scenario one tags its VU in its first iteration only; two starts later on the VU one gave back.
    writeFileSync(join(dir, 'tags.js'), `import http from 'k6/http';
import exec from 'k6/execution';
export const options = { scenarios: {
  one: { executor: 'per-vu-iterations', vus: 1, iterations: 3, exec: 'one', tags: { step: '1' } },
  two: { executor: 'per-vu-iterations', vus: 1, iterations: 1, exec: 'two', startTime: '2s' },
} };
export function one() {
  if (exec.vu.iterationInScenario === 0) { exec.vu.metrics.tags.kind = 'first'; exec.vu.tags.n = 7; }
  http.get(__ENV.BASE_URL + '/x?scenario=' + exec.vu.tags.scenario);
  http.get(__ENV.BASE_URL + '/y', { tags: { kind: 'own' } });
}
export function two() { http.get(__ENV.BASE_URL + '/z?kind=' + exec.vu.tags.kind); }
`);
    const r = await k6(['run', '--out', 'json=tags.ndjson', '-e', `BASE_URL=${base}`, 'tags.js'], dir, bin);
    expect(r.code, r.stderr).toBe(0);
    const reqs = points(join(dir, 'tags.ndjson')).filter((p) => p.metric === 'http_reqs');
    expect(reqs.map((p) => [p.data.tags.url!.replace(base, ''), p.data.tags.scenario, p.data.tags.kind, p.data.tags.n, p.data.tags.step])).toEqual([
      ['/x?scenario=one', 'one', 'first', '7', '1'], ['/y', 'one', 'own', '7', '1'],
      ['/x?scenario=one', 'one', 'first', '7', '1'], ['/y', 'one', 'own', '7', '1'],
      ['/x?scenario=one', 'one', 'first', '7', '1'], ['/y', 'one', 'own', '7', '1'],
      // VU 1 again, activated by another scenario: its tags are that scenario's, what one set is gone.
      ['/z?kind=undefined', 'two', undefined, undefined, undefined],
    ]);
  });

  it('fails the init, exit 107, when a local module the script imports is missing, as k6 does', async () => {
    writeFileSync(join(dir, 'broken.js'), "import * as user from './nowhere/team.js';\nexport default function () { user.x(); }\n");
    const r = await k6(['run', 'broken.js'], dir, bin);
    expect(r.code, r.stderr).toBe(107);
    expect(r.stderr).toMatch(/the module \\?"\.\/nowhere\/team\.js\\?" couldn't be found on local disk/);
  });
});
