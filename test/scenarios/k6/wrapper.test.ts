import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../models/errors.ts';
import { compileFlows, pickFlow } from '../../../scenarios/engine/compile.ts';
import { scriptExports } from '../../../scenarios/k6/script-exports.ts';
import { k6OptionsOf } from '../../../scenarios/k6/options.ts';
import { buildK6Wrapper, type K6WrapperInput, validateK6Wrapper } from '../../../scenarios/k6/wrapper.ts';
import { parseScenarioSpec, type ScenarioSpec } from '../../../scenarios/spec.ts';
import { REPO_ROOT, removeDir, tempDir } from '../../helpers/cli.ts';
import { k6TypeErrors } from './k6-typecheck.ts';
import { respond } from './responder.ts';
import type { PlannedIteration } from './standins/runner.ts';
import { constJson, importSpecifiers, tsExports } from './ts-exports.ts';
import { runWrapper } from './wrapper-standins/runner.ts';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'k6', 'team-script.js');
const TEAM = readFileSync(FIXTURE, 'utf8');
const SEED = 5;

/** A probe as caplab's scenario builder makes it (constant-vus steps tagged step:N, exec mixed), plus run tags. */
function probeSpec(extra: Record<string, unknown> = {}): ScenarioSpec {
  return parseScenarioSpec({
    schema: 'caplab.scenario/v1',
    name: 'singapore-probe-2015Q1',
    options: {
      scenarios: {
        probe_2: { executor: 'constant-vus', vus: 2, duration: '4s', startTime: '0s', gracefulStop: '1s', exec: 'mixed', tags: { step: '2' } },
        probe_4: { executor: 'constant-vus', vus: 4, duration: '4s', startTime: '4s', gracefulStop: '1s', exec: 'mixed', tags: { step: '4' } },
        ...extra,
      },
      thresholds: {},
      summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
      tags: { dc: 'singapore', kind: 'probe', quarter: '2015Q1', wan: 'off' },
    },
    // The same mix as engine flows, so the engine's own pick can be compared with the wrapper's.
    flows: {
      shop_checkout: { steps: [{ url: 'http://x/checkout' }] },
      shop_browse: { steps: [{ url: 'http://x/browse' }] },
      mixed: { mix: { shop_checkout: 3, shop_browse: 1 } },
    },
  }, 'probe.json');
}

function input(spec: ScenarioSpec, over: Partial<K6WrapperInput> = {}): K6WrapperInput {
  return {
    script: './team-script.js',
    services: [{ name: 'shop_checkout', exec: 'checkout', weight: 3 }, { name: 'shop_browse', exec: 'browse', weight: 1 }],
    options: spec.options,
    seed: SEED,
    exports: scriptExports(TEAM, 'team-script.js'),
    label: spec.name,
    ...over,
  };
}

describe('k6 wrapper of a team\'s own script', () => {
  let dir: string;
  beforeAll(() => { dir = tempDir('caplab-k6-wrapper-'); });
  afterAll(() => removeDir(dir));

  it('exports the script\'s options merged with caplab\'s, one function per service, the mix, setup, teardown and handleSummary', () => {
    const spec = probeSpec();
    const wrapper = buildK6Wrapper(input(spec));
    expect(tsExports(wrapper)).toEqual({
      names: ['options', 'setup', 'teardown', 'service_shop_checkout', 'service_shop_browse', 'mixed', 'handleSummary'],
      reExportsAllFrom: [],
    });
    expect(importSpecifiers(wrapper)).toEqual(['k6/data', 'k6/execution', './team-script.js']);
    expect(wrapper).toContain('const MODULES = [user];');
    const options = constJson(wrapper, 'CAPLAB_OPTIONS') as Record<string, any>;
    expect(options).toEqual(k6OptionsOf(spec.options, new Map([['mixed', 'mixed']])));
    expect(options.scenarios).toEqual({
      probe_2: { executor: 'constant-vus', startTime: '0ms', gracefulStop: '1s', exec: 'mixed', tags: { step: '2' }, vus: 2, duration: '4s' },
      probe_4: { executor: 'constant-vus', startTime: '4s', gracefulStop: '1s', exec: 'mixed', tags: { step: '4' }, vus: 4, duration: '4s' },
    });
    expect(options.tags).toEqual({ dc: 'singapore', kind: 'probe', quarter: '2015Q1', wan: 'off' });
    expect(options.summaryTrendStats).toContain('p(99)');
    // The team's options are read at init (next test), never copied into the wrapper's text nor re-exported whole.
    for (const own of ['team_soak', 'team_browse', '777', 'p(99)<1234', 'team:own', 'team-report']) expect(wrapper).not.toContain(own);
    expect(wrapper).not.toMatch(/export\s*\*|export\s*\{[^}]*\}\s*from/);
    expect(wrapper).toContain('k6 reads `options` only from\n// the entry module (this file)');
    expect(wrapper).toContain('export const options = caplabMerged.options;');
  });

  it('at init, keeps the script\'s thresholds beside caplab\'s and its other options, drops its load, and says so once', async () => {
    const spec = parseScenarioSpec({
      schema: 'caplab.scenario/v1', name: 'merge',
      options: {
        scenarios: { load: { executor: 'constant-vus', vus: 2, duration: '4s', exec: 'mixed' } },
        thresholds: { http_req_duration: ['p(95)<300'], http_req_failed: ['rate<0.01'] },
        summaryTrendStats: ['avg', 'p(95)', 'p(99)'],
        tags: { dc: 'singapore', team: 'caplab' },
      },
      flows: { shop_browse: { k6: { script: 'team.js', exec: 'browse' } }, mixed: { mix: { shop_browse: 1 } } },
    }, 'merge.json');
    const team = [
      "import http from 'k6/http';",
      'export const options = {',
      "  vus: 1000, duration: '1h', stages: [{ duration: '1m', target: 10 }], rps: 5, paused: false,",
      "  scenarios: { own: { executor: 'constant-vus', vus: 1000, duration: '1h' } },",
      "  thresholds: { http_req_duration: ['p(95)<0.001', { threshold: 'p(99)<1', abortOnFail: true }], 'checks{team:own}': ['rate>0.99'], http_req_failed: ['rate<0.01'] },",
      "  insecureSkipTLSVerify: true, hosts: { 'shop.test': '127.0.0.1' }, userAgent: 'team/1.0', discardResponseBodies: true,",
      "  noConnectionReuse: true, maxRedirects: 2, batch: 3, dns: { ttl: '1m', select: 'first' }, tlsVersion: { min: 'tls1.2' },",
      "  summaryTrendStats: ['med', 'p(99.9)'], tags: { team: 'own', env: 'staging' }, setupTimeout: '2m',",
      '};',
      "export function browse() { http.get('http://127.0.0.1:9/b'); }",
      '',
    ].join('\n');
    const wrapper = buildK6Wrapper(input(spec, { exports: scriptExports(team, 'team.js'), services: [{ name: 'shop_browse', exec: 'browse', weight: 1 }] }));
    const warned: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => { warned.push(args.join(' ')); };
    let k6;
    try {
      const plan: PlannedIteration[] = [1, 2].map((vu) => ({ scenario: 'load', vu, iterationInScenario: 0, iterationInTest: vu - 1 }));
      k6 = await runWrapper(wrapper, { 'team-script.js': team }, respond, plan);
    } finally {
      console.warn = warn;
    }
    expect(k6.errors).toEqual([]);
    expect(k6.module.options).toEqual({
      // caplab's load only: the script's scenarios, vus, duration, stages, rps and paused are gone.
      scenarios: (constJson(wrapper, 'CAPLAB_OPTIONS') as Record<string, unknown>).scenarios,
      // Both lists apply to the same metric; an expression both name is listed once.
      thresholds: {
        http_req_duration: ['p(95)<0.001', { threshold: 'p(99)<1', abortOnFail: true }, 'p(95)<300'],
        'checks{team:own}': ['rate>0.99'],
        http_req_failed: ['rate<0.01'],
      },
      insecureSkipTLSVerify: true, hosts: { 'shop.test': '127.0.0.1' }, userAgent: 'team/1.0', discardResponseBodies: true,
      noConnectionReuse: true, maxRedirects: 2, batch: 3, dns: { ttl: '1m', select: 'first' }, tlsVersion: { min: 'tls1.2' },
      summaryTrendStats: ['avg', 'p(95)', 'p(99)', 'med', 'p(99.9)'],
      tags: { team: 'caplab', env: 'staging', dc: 'singapore' },
      setupTimeout: '2m',
    });
    // Once for the run, though three module instances (init, two VUs) ran the wrapper's init code.
    expect(warned).toEqual([
      'caplab: k6 wrapper of ./team-script.js: replaced by caplab\'s: vus, duration, stages, rps, paused, scenarios; '
      + 'kept: thresholds (applied beside caplab\'s), insecureSkipTLSVerify, hosts, userAgent, discardResponseBodies, noConnectionReuse, '
      + 'maxRedirects, batch, dns, tlsVersion, summaryTrendStats (with caplab\'s), tags (caplab\'s win on the same tag), setupTimeout',
    ]);
    // -e CAPLAB_QUIET=1 (caplab run --quiet) silences it; a script without options has nothing to say.
    for (const [text, env] of [[team, { CAPLAB_QUIET: '1' }], ["export function browse() {}\n", {}]] as const) {
      const quiet: string[] = [];
      console.warn = (...args: unknown[]) => { quiet.push(args.join(' ')); };
      try {
        const w = buildK6Wrapper(input(spec, { exports: undefined, services: [{ name: 'shop_browse', exec: 'browse', weight: 1 }] }));
        await runWrapper(w, { 'team-script.js': text }, respond, [], env);
      } finally {
        console.warn = warn;
      }
      expect(quiet).toEqual([]);
    }
  });

  it('type-checks with tsc against @types/k6, together with the team\'s script it imports', async () => {
    const spec = probeSpec({ browse_only: { executor: 'per-vu-iterations', vus: 1, iterations: 3, exec: 'shop_browse' } });
    writeFileSync(join(dir, 'wrapper.js'), buildK6Wrapper(input(spec)));
    writeFileSync(join(dir, 'team-script.js'), TEAM);
    // A control: a wrong call into k6/execution must fail, so a passing check is not a silent no-op.
    writeFileSync(join(dir, 'control.js'), "import exec from 'k6/execution';\nexec.vu.metrics.tags.x = {};\n");
    // And a wrapper of two modules (a second team script), with its services' data per module.
    writeFileSync(join(dir, 'other.js'), "/** @param {unknown} data */\nexport function search(data) { return data; }\n");
    writeFileSync(join(dir, 'wrapper2.js'), buildK6Wrapper(input(spec, {
      modules: [{ specifier: './other.js', exports: { names: ['search'], reExportsAllFrom: [] } }],
      services: [{ name: 'shop_checkout', exec: 'checkout', weight: 3 }, { name: 'shop_browse', exec: 'search', weight: 1, module: './other.js' }],
    })));
    const errors = await k6TypeErrors(dir, ['wrapper.js', 'wrapper2.js', 'team-script.js', 'other.js', 'control.js']);
    expect(errors.filter((l) => !l.startsWith('control.js'))).toEqual([]);
    expect(errors.some((l) => l.startsWith('control.js'))).toBe(true);
  });

  it('runs under the k6 stand-ins: setup\'s data reaches every call, the mix picks as the engine does, by weight, and tags by service', async () => {
    const spec = probeSpec();
    const plan: PlannedIteration[] = [];
    // k6 numbers each scenario's iterations test-wide from 0; VUs 1-2 run probe_2, VUs 3-6 probe_4.
    for (let i = 0; i < 200; i++) plan.push({ scenario: 'probe_2', vu: 1 + (i % 2), iterationInScenario: Math.floor(i / 2), iterationInTest: i });
    for (let i = 0; i < 200; i++) plan.push({ scenario: 'probe_4', vu: 3 + (i % 4), iterationInScenario: Math.floor(i / 4), iterationInTest: i });
    const k6 = await runWrapper(buildK6Wrapper(input(spec)), { 'team-script.js': TEAM }, respond, plan, { SHOP_URL: 'http://127.0.0.1:9/shop' });
    expect(k6.errors).toEqual([]);
    // The service of each iteration, from what it requested.
    const served = k6.iterations.map((it) => {
      const paths = it.requests.map((r) => r.url.replace(/^http:\/\/[^/]+/, ''));
      if (paths.length === 1 && paths[0] === '/shop/cart/checkout') return 'shop_checkout';
      if (paths.length === 2 && paths.every((p) => p.startsWith('/shop/json?page='))) return 'shop_browse';
      return `unexpected ${JSON.stringify(paths)}`;
    });
    // The engine's pick for the same test-wide iteration numbers and seed.
    const mixed = compileFlows(spec, SEED).get('mixed')!;
    expect(served).toEqual(plan.map((p) => pickFlow(mixed, p.iterationInTest).name));
    const checkouts = served.filter((s) => s === 'shop_checkout').length;
    // 3:1 weights over 400 iterations: 300 expected, binomial sd 8.7; 4 sd either side.
    expect(Math.abs(checkouts - 300)).toBeLessThan(35);
    expect(served.filter((s) => s === 'shop_browse').length).toBe(400 - checkouts);
    // Every request of an iteration carries its service (a VU tag), beside the script's own request tags.
    for (const [i, it] of k6.iterations.entries()) for (const r of it.requests) expect(r.tags).toEqual({ service: served[i], name: r.url.includes('checkout') ? 'checkout' : 'browse' });
    // setup ran once (the first request); its token reached every iteration and teardown.
    expect(k6.requests[0]!.url).toBe('http://127.0.0.1:9/shop/register');
    expect(k6.requests.filter((r) => r.url.endsWith('/register'))).toHaveLength(1);
    expect(k6.requests.slice(1).every((r) => r.headers.authorization === 'Bearer t-team-setup')).toBe(true);
    expect(k6.teardownRequests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([['DELETE', 'http://127.0.0.1:9/shop/session', 'Bearer t-team-setup']]);
    expect(k6.teardownRequests[0]!.tags).toEqual({});
    // caplab's handleSummary, not the team's.
    expect(Object.keys(k6.summaryOutput).sort()).toEqual(['stdout', 'summary.json']);
  });

  it('runs a scenario naming one service on that service alone, and a script without setup or teardown', async () => {
    const spec = probeSpec({ browse_only: { executor: 'per-vu-iterations', vus: 2, iterations: 2, exec: 'shop_browse' } });
    // `calls` is module scope: k6 gives every VU its own copy of each module, so it counts per VU.
    const bare = "import http from 'k6/http';\nexport const options = { vus: 1000 };\nlet calls = 0;\n"
      + "export function browse(data) { calls++; http.request('GET', 'http://h/json', null, { headers: { d: String(data), n: String(calls) } }); }\n";
    const wrapper = buildK6Wrapper(input(spec, { exports: scriptExports(bare, 'bare.js'), services: [{ name: 'shop_browse', exec: 'browse', weight: 1 }] }));
    expect(constJson(wrapper, 'CAPLAB_OPTIONS')).toMatchObject({ scenarios: { browse_only: { exec: 'service_shop_browse', iterations: 2 } } });
    const plan: PlannedIteration[] = [1, 2].flatMap((vu) => [0, 1].map((i) => ({ scenario: 'browse_only', vu, iterationInScenario: i, iterationInTest: (vu - 1) * 2 + i })));
    const k6 = await runWrapper(wrapper, { 'team-script.js': bare }, respond, plan);
    expect(k6.errors).toEqual([]);
    // No setup in the script: data is undefined, as k6 gives it when setup returns undefined or is absent.
    expect(k6.requests.map((r) => [r.tags.service, r.headers.d, r.headers.n])).toEqual([
      ['shop_browse', 'undefined', '1'], ['shop_browse', 'undefined', '2'], ['shop_browse', 'undefined', '1'], ['shop_browse', 'undefined', '2'],
    ]);
    expect(k6.teardownRequests).toEqual([]);
  });

  it('fails the init when the script lacks a service\'s function and nobody checked its exports', async () => {
    const wrapper = buildK6Wrapper(input(probeSpec(), { exports: undefined }));
    const noCheckout = TEAM.replace('export function checkout(', 'function checkout(');
    await expect(runWrapper(wrapper, { 'team-script.js': noCheckout }, respond, []))
      .rejects.toThrow('service shop_checkout: ./team-script.js exports no function checkout');
  });

  it('lists every problem at once, each with its path', () => {
    const spec = probeSpec({ odd: { executor: 'constant-vus', vus: 1, duration: '1s', exec: 'shop_browse' } });
    // The spec requires an exec naming one of its flows; the wrapper's own check must hold without it.
    spec.options.scenarios!.odd!.exec = 'nope';
    const bad = input(spec, {
      script: 'team-script.js',
      services: [
        { name: 'shop_checkout', exec: 'check-out', weight: 3 },
        { name: 'shop_checkout', exec: 'setup', weight: 1 },
        { name: 'mixed', exec: 'options', weight: 1 },
        { name: 'pay', exec: 'pay', weight: Number.NaN },
        { name: 'home', exec: 'default', weight: 0 },
        { name: 'summary', exec: 'handleSummary', weight: 1 },
      ],
    });
    const problems = validateK6Wrapper(bad);
    expect(problems.map((p) => p.where)).toEqual([
      'script', 'services[0].exec', 'services[1].name', 'services[1].exec', 'services[2].name', 'services[2].exec',
      'services[3].exec', 'services[3].weight', 'services[5].exec', 'options.scenarios.odd.exec',
    ]);
    expect(problems.find((p) => p.where === 'services[3].exec')!.message)
      .toBe('team-script.js exports no "pay" (it exports "checkout", "browse", "default")');
    expect(problems.find((p) => p.where === 'options.scenarios.odd.exec')!.message).toContain('"nope" is neither "mixed" nor a service');
    expect(() => buildK6Wrapper(bad)).toThrow(ValidationError);
    try {
      buildK6Wrapper(bad);
    } catch (err) {
      expect((err as ValidationError).problems).toEqual(problems);
      expect((err as ValidationError).message).toBe('k6 wrapper of team-script.js is invalid: 10 problems');
    }
    // `export * from` may supply the function: no verdict without reading that module (the init check remains).
    const star = { names: ['options'], reExportsAllFrom: ['./lib.js'] };
    expect(validateK6Wrapper(input(spec, { exports: star })).map((p) => p.where)).toEqual(['options.scenarios.odd.exec']);
    // A mix with no weight cannot run.
    const zero = input(probeSpec(), { services: [{ name: 'shop_browse', exec: 'browse', weight: 0 }] });
    expect(validateK6Wrapper(zero).map((p) => [p.where, p.message])).toEqual([
      ['options.scenarios.probe_2.exec', '"mixed" needs a service with a weight > 0'],
      ['options.scenarios.probe_4.exec', '"mixed" needs a service with a weight > 0'],
    ]);
  });

  it('is reproducible: same input, same bytes; another seed, another mix key', () => {
    const a = buildK6Wrapper(input(probeSpec()));
    expect(buildK6Wrapper(input(probeSpec()))).toBe(a);
    expect(buildK6Wrapper(input(probeSpec(), { seed: SEED + 1 }))).not.toBe(a);
  });
});
