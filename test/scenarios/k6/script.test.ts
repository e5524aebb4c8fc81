import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFlows } from '../../../scenarios/engine/compile.ts';
import { Emitter, type IterationContext, runIteration } from '../../../scenarios/engine/flow.ts';
import { effectiveScenarios, runEngine } from '../../../scenarios/engine/run.ts';
import { textSummary } from '../../../scenarios/engine/outputs/text-summary.ts';
import { Vu, type UserSource } from '../../../scenarios/engine/vu.ts';
import { k6Options } from '../../../scenarios/k6/options.ts';
import { buildK6Script } from '../../../scenarios/k6/script.ts';
import { parseScenarioSpec } from '../../../scenarios/spec.ts';
import { removeDir, tempDir } from '../../helpers/cli.ts';
import { k6TypeErrors } from './k6-typecheck.ts';
import { DESIGN_SPEC } from '../design-spec.ts';
import { CollectingSink } from '../server.ts';
import { respond, type SeenRequest, startRecordingServer } from './responder.ts';
import { type PlannedIteration, runWithStandins } from './standins/runner.ts';
import type { RecordedRequest } from './standins/state.ts';


const USERS = [
  { id: 'u0', country: 'SG', contacts: 10, deviceModel: 'Mi 4', osVersion: 'MIUI 6', deviceSecret: 'a1' },
  { id: 'u1', country: 'ID', contacts: 11, deviceModel: 'Redmi Note', osVersion: 'MIUI 7/beta', deviceSecret: 'b2' },
  // Its register step always fails (503): the once-step is retried and {{vars.token}} is missing, in both runners.
  { id: 'fail-u2', country: 'MY', contacts: 12, deviceModel: 'Mi Pad', osVersion: 'MIUI 6', deviceSecret: 'c3' },
];
const USERS_TEXT = `${USERS.map((u) => JSON.stringify(u)).join('\n')}\n`;
const userSource: UserSource = { count: USERS.length, get: (i) => USERS[i]! };

/** A spec exercising everything the runtime does: setup, once + extract, templates, groups, mix, checks, metrics. */
function richSpec(baseUrl: string, scenarios: Record<string, unknown>): Record<string, unknown> {
  const vu = { 'X-Vu': '{{vu}}' };
  return {
    schema: 'caplab.scenario/v1',
    name: 'rich',
    baseUrl: `${baseUrl}/api/`,
    data: { users: { file: 'users.ndjson' } },
    options: { scenarios, thresholds: { 'http_req_failed{scenario:s}': ['rate<0.5'] }, tags: { dc: 'singapore' } },
    setup: { steps: [{ name: 'boot', path: '/json', headers: vu, extract: { boot: '$.items[0].id' } }] },
    flows: {
      default: { steps: [
        { name: 'register', once: true, method: 'POST', path: '/register', headers: vu,
          json: { userId: '{{user.id}}', contacts: '{{user.contacts}}', tag: 'c-{{user.country}}', list: ['{{vu}}', 1, null] },
          extract: { token: '$.token' }, checks: { status: 200 }, metrics: { reg_ok: { type: 'rate', value: 'ok' } } },
        { name: 'sync', group: 'sync', method: 'POST', path: 'echo?it={{iteration}}&m={{user.deviceModel}}',
          headers: { ...vu, Authorization: 'Bearer {{vars.token}} {{vars.boot}}' }, body: 'it={{iteration}} vu={{vu}} sc={{scenario}} r={{env.REGION}}',
          checks: { status: [200, 409], maxDuration: '5s', bodyIncludes: 'ok' },
          metrics: { sync_ms: { type: 'trend', value: 'duration' }, sync_bytes: { type: 'counter', value: 'bytes' } }, think: '1ms' },
        { name: 'conflict', group: 'sync', path: '/status/409', headers: vu, expectedStatuses: [200, { min: 400, max: 409 }] },
        { name: 'gone', path: '/status/410', headers: vu, metrics: { gone_n: { type: 'counter', value: 1 } } },
      ] },
      'ota-check': { steps: [
        { name: 'ota', path: '/json?model={{user.deviceModel}}', headers: vu, metrics: { ota_n: { type: 'gauge', value: '$.n' } } },
      ] },
      mixed: { mix: { default: 2, 'ota-check': 1 } },
    },
  };
}

/** The parts of a request both runners must agree on. */
function essence(method: string, pathAndQuery: string, headers: Record<string, unknown>, body: string | null): string {
  const h: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) {
    const key = k.toLowerCase();
    // user-agent differs on purpose (k6's own), host/length/connection are transport details.
    if (['authorization', 'content-type', 'x-vu'].includes(key)) h[key] = v;
  }
  return JSON.stringify([method, pathAndQuery, Object.fromEntries(Object.entries(h).sort()), body ?? '']);
}

const fromEngine = (r: SeenRequest): string => essence(r.method, r.url, r.headers, r.body);
const fromK6 = (r: RecordedRequest): string => essence(r.method, r.url.replace(/^https?:\/\/[^/]+/, ''), r.headers, r.body);

function byVu<T>(list: T[], vuOf: (r: T) => string, key: (r: T) => string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of list) (out[vuOf(r)] ??= []).push(key(r));
  return out;
}

async function compare(scenarios: Record<string, unknown>, seed: number) {
  const server = await startRecordingServer();
  try {
    const spec = parseScenarioSpec(richSpec(server.url, scenarios), 'rich.json');
    const sink = new CollectingSink();
    const engineErrors: string[] = [];
    const result = await runEngine(spec, effectiveScenarios(spec), { sink, seed, users: userSource, onError: (m) => engineErrors.push(m) });
    expect(result.iterationErrors).toBe(engineErrors.length);
    const script = buildK6Script(spec, { seed, usersFile: 'users.ndjson' });
    const k6 = await runWithStandins(script, new Map([['users.ndjson', USERS_TEXT]]), respond);
    // An exception ends the iteration in both runners (the engine counts it; k6 logs it), with the same message.
    expect(k6.errors.sort()).toEqual(engineErrors.sort());
    return { server, sink, k6, spec, engineErrors };
  } finally {
    await server.close();
  }
}

describe('generated k6 script', () => {
  let dir: string;
  beforeAll(() => { dir = tempDir('caplab-k6-script-'); });
  afterAll(() => removeDir(dir));

  it('type-checks with tsc against @types/k6 (checkJs on the very file k6 runs)', async () => {
    // The script is JavaScript, as k6 runs it; tsc checks that exact file with allowJs + checkJs + strict against
    // @types/k6 (its JSDoc types make the check meaningful) rather than a .ts variant that could drift from it.
    const design = parseScenarioSpec(structuredClone(DESIGN_SPEC), 'design.json');
    writeFileSync(join(dir, 'design.js'), buildK6Script(design, { seed: 1, usersFile: 'users-singapore.ndjson' }));
    const rich = parseScenarioSpec(richSpec('http://127.0.0.1:8080', { s: { executor: 'per-vu-iterations', vus: 2, iterations: 4, exec: 'mixed' } }), 'rich.json');
    writeFileSync(join(dir, 'rich.js'), buildK6Script(rich, { seed: 7, usersFile: 'users.ndjson' }));
    const bare = parseScenarioSpec({ schema: 'caplab.scenario/v1', name: 'bare', flows: { default: { steps: [{ url: 'http://x/{{vu}}' }] } } }, 'bare.json');
    writeFileSync(join(dir, 'bare.js'), buildK6Script(bare, { seed: 1 }));
    // A control: a wrong call into k6/http must fail, so a passing check is not a silent no-op.
    writeFileSync(join(dir, 'control.js'), "import http from 'k6/http';\nhttp.request(1);\n");
    const errors = await k6TypeErrors(dir, ['design.js', 'rich.js', 'bare.js', 'control.js']);
    expect(errors.filter((l) => !l.startsWith('control.js'))).toEqual([]);
    expect(errors.some((l) => l.startsWith('control.js'))).toBe(true);
  });

  it('imports only k6 modules and exports options, setup, one function per flow and handleSummary', () => {
    const spec = parseScenarioSpec(richSpec('http://h:1', { s: { executor: 'per-vu-iterations', vus: 2, iterations: 4, exec: 'mixed' } }), 'rich.json');
    const script = buildK6Script(spec, { seed: 1, usersFile: 'users.ndjson' });
    expect([...script.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1])).toEqual(['k6/http', 'k6', 'k6/data', 'k6/execution', 'k6/metrics']);
    expect(script).not.toMatch(/https:\/\/jslib|require\(/);
    for (const e of ['export const options', 'export function setup()', 'export default function', 'export function flow_ota_check(', 'export function flow_mixed(', 'export function handleSummary(']) {
      expect(script).toContain(e);
    }
    expect(script).toContain("new SharedArray('caplab users'");
    expect(script).toContain("new Trend(\"sync_ms\", true)");
  });

  it('maps options to k6 syntax: durations as strings, exec as exported names, thresholds and tags as given', () => {
    const spec = parseScenarioSpec(structuredClone(DESIGN_SPEC), 'design.json');
    const o = k6Options(spec) as { scenarios: Record<string, Record<string, unknown>>; thresholds: unknown; summaryTrendStats: string[] };
    expect(o.scenarios.probe_4).toEqual({ executor: 'constant-vus', vus: 4, duration: '10s', startTime: '0ms', gracefulStop: '30s', tags: { step: '4' } });
    expect(o.scenarios.peak).toMatchObject({ executor: 'ramping-arrival-rate', exec: 'flow_mixed', startTime: '10s', timeUnit: '1s', stages: [{ duration: '30s', target: 400 }], preAllocatedVUs: 20, maxVUs: 200 });
    expect(o.thresholds).toEqual(DESIGN_SPEC.options.thresholds);
    expect(o.summaryTrendStats).toEqual(DESIGN_SPEC.options.summaryTrendStats);
    expect(o).not.toHaveProperty('insecureSkipTLSVerify');
  });

  it('passes insecureSkipTLSVerify to k6 as k6 has it', () => {
    const spec = parseScenarioSpec({ ...structuredClone(DESIGN_SPEC), options: { ...structuredClone(DESIGN_SPEC.options), insecureSkipTLSVerify: true } }, 'design.json');
    expect(k6Options(spec)).toMatchObject({ insecureSkipTLSVerify: true });
  });

  it('makes the same requests as the engine, VU by VU, with per-vu-iterations, setup, once, groups and a mix', async () => {
    const { server, sink, k6, engineErrors } = await compare({ s: { executor: 'per-vu-iterations', vus: 4, iterations: 3, exec: 'mixed', env: { REGION: 'sg' } } }, 7);
    const engine = byVu(server.seen, (r) => String(r.headers['x-vu']), fromEngine);
    const script = byVu(k6.requests, (r) => r.headers['X-Vu']!, fromK6);
    expect(Object.keys(engine).sort()).toEqual(['0', '1', '2', '3', '4']);
    expect(script).toEqual(engine);
    // VU 4 wraps around to the first user; VU 3's user cannot register, so its default-flow iterations fail.
    expect(engine['4']!.some((r) => r.includes('"userId\\":\\"u0\\"'))).toBe(true);
    expect(engineErrors.length).toBeGreaterThan(0);
    expect(new Set(engineErrors)).toEqual(new Set(['{{vars.token}} is not set']));
    // Both flows of the mix ran; register succeeded once per VU, and was retried by VU 3.
    const all = server.seen.map((r) => r.url.split('?')[0]);
    expect(all.filter((u) => u === '/api/register').length).toBe(3 + engineErrors.length);
    expect(all.filter((u) => u === '/api/json').length).toBeGreaterThan(1);
    // Checks: same names, same pass/fail counts.
    const counts = (list: { name: string; ok: boolean }[]): Record<string, [number, number]> => {
      const out: Record<string, [number, number]> = {};
      for (const c of list) { const e = (out[c.name] ??= [0, 0]); e[c.ok ? 0 : 1]++; }
      return out;
    };
    expect(counts(k6.checks)).toEqual(counts(sink.of('checks').map((s) => ({ name: s.tags.check!, ok: s.value === 1 }))));
    // http_req_failed per request name, and groups per request name.
    const failed = (pairs: [string, boolean, string][]): string[] => pairs.map(([n, ok, g]) => `${n} ${ok} ${g}`).sort();
    expect(failed(k6.requests.map((r) => [r.tags.name!, r.expected, r.group])))
      .toEqual(failed(sink.of('http_req_failed').map((s) => [s.tags.name!, s.value === 0, s.tags.group!])));
    // Custom metrics: same metrics, same number of samples.
    for (const m of ['reg_ok', 'sync_ms', 'sync_bytes', 'ota_n']) expect(k6.samples.filter((s) => s.metric === m).length).toBe(sink.count(m));
    expect(k6.samples.filter((s) => s.metric === 'sync_bytes').map((s) => s.value)).toEqual(sink.of('sync_bytes').map((s) => s.value));
    // A response >= 400 carries k6's error_code 1000 + status on the request's custom metrics too, in both runners.
    const codes = (list: { tags: Record<string, string> }[]): (string | undefined)[] => [...new Set(list.map((s) => s.tags.error_code))];
    expect(codes(sink.of('gone_n'))).toEqual(['1410']);
    expect(codes(k6.samples.filter((s) => s.metric === 'gone_n'))).toEqual(['1410']);
  });

  it('makes the same requests in the same order as the engine with shared-iterations on one VU', async () => {
    const { server, k6, spec } = await compare({ s: { executor: 'shared-iterations', vus: 1, iterations: 9, exec: 'mixed', env: { REGION: 'sg' } } }, 3);
    expect(k6.errors).toEqual([]);
    expect(k6.requests.map(fromK6)).toEqual(server.seen.map(fromEngine));
    expect(server.seen.length).toBeGreaterThan(9);
    // The comparison is sensitive: another seed picks other flows, and the sequences differ.
    const other = await runWithStandins(buildK6Script(spec, { seed: 4, usersFile: 'users.ndjson' }), new Map([['users.ndjson', USERS_TEXT]]), respond);
    expect(other.requests.map(fromK6)).not.toEqual(server.seen.map(fromEngine));
  });

  it('prints caplab\'s text summary and writes summary.json from handleSummary', async () => {
    const { k6 } = await compare({ s: { executor: 'shared-iterations', vus: 1, iterations: 3, exec: 'mixed', env: { REGION: 'sg' } } }, 3);
    expect(k6.summaryOutput.stdout).toBe(textSummary(k6.summaryData, { colors: false }));
    expect(k6.summaryOutput.stdout).toContain('█ sync');
    expect(JSON.parse(k6.summaryOutput['summary.json']!)).toEqual(k6.summaryData);
  });

  it('makes the same requests in the same order as the engine\'s flows for the canonical example spec, iteration by iteration', async () => {
    // constant-vus and arrival-rate scenarios interleave VUs by timing, so both sides are driven through one fixed
    // plan of (scenario, VU, test-wide iteration): the engine with flow.ts's runIteration on real sockets, k6 with
    // the stand-ins. The mix of scenario "peak" and register-once are what this checks.
    const server = await startRecordingServer();
    try {
      const raw = structuredClone(DESIGN_SPEC) as Record<string, any>;
      raw.baseUrl = server.url;
      const spec = parseScenarioSpec(raw, 'design.json');
      const plan: PlannedIteration[] = [];
      for (let i = 0; i < 4; i++) plan.push({ scenario: 'probe_4', vu: 1 + (i % 2), iterationInScenario: Math.floor(i / 2), iterationInTest: i });
      for (let i = 0; i < 16; i++) plan.push({ scenario: 'peak', vu: 3 + (i % 3), iterationInScenario: Math.floor(i / 3), iterationInTest: i });
      const seed = 11;
      const flows = compileFlows(spec, seed);
      const sink = new CollectingSink();
      const emitter = new Emitter(sink);
      const vus = new Map<number, Vu>();
      const errors: string[] = [];
      for (const p of plan) {
        let vu = vus.get(p.vu);
        if (!vu) vus.set(p.vu, (vu = new Vu(p.vu, p.vu, userSource.get((p.vu - 1) % userSource.count), {})));
        const sc = spec.options.scenarios![p.scenario]!;
        const ctx: IterationContext = { scenario: p.scenario, tags: { scenario: p.scenario }, env: sc.env, sink, onError: (e) => errors.push((e as Error).message) };
        await runIteration(ctx, emitter, vu, flows.get(sc.exec)!, p.iterationInTest, performance.now());
      }
      await Promise.all([...vus.values()].map((v) => v.http.close()));
      const script = buildK6Script(spec, { seed, usersFile: 'users-singapore.ndjson' });
      const k6 = await runWithStandins(script, new Map([['users-singapore.ndjson', USERS_TEXT]]), respond, {}, plan);
      // VU 3 acts as the user whose register fails: its default-flow iterations end at {{vars.token}} in both.
      expect(k6.errors).toEqual(errors);
      expect(k6.requests.map(fromK6)).toEqual(server.seen.map(fromEngine));
      const paths = new Set(server.seen.map((r) => r.url.split('?')[0]));
      expect(paths).toEqual(new Set(['/v1/devices/register', '/v1/contacts/sync', '/v1/ota/check']));
      expect(k6.sleeps.every((s) => s === 0.1)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('fails setup with the engine\'s message when a setup value is missing (k6 then exits 107)', async () => {
    const server = await startRecordingServer();
    try {
      const raw = richSpec(server.url, { s: { executor: 'shared-iterations', vus: 1, iterations: 2, env: { REGION: 'sg' } } });
      raw.setup = { steps: [{ name: 'boot', path: '/json', extract: { boot: '$.missing' } }] };
      const spec = parseScenarioSpec(raw, 'rich.json');
      const result = await runEngine(spec, effectiveScenarios(spec), { sink: new CollectingSink(), seed: 1, users: userSource });
      expect(result.setupError).toMatch(/setup step "boot": a value to extract is missing/);
      const script = buildK6Script(spec, { seed: 1, usersFile: 'users.ndjson' });
      await expect(runWithStandins(script, new Map([['users.ndjson', USERS_TEXT]]), respond)).rejects.toThrow(result.setupError!);
    } finally {
      await server.close();
    }
  });

  it('reads BASE_URL, CAPLAB_USERS_FILES and CAPLAB_SUMMARY from the environment', async () => {
    const spec = parseScenarioSpec(richSpec('http://127.0.0.1:1', { s: { executor: 'shared-iterations', vus: 1, iterations: 2, env: { REGION: 'sg' } } }), 'rich.json');
    const script = buildK6Script(spec, { seed: 1, usersFile: 'users.ndjson' });
    const [a, b] = [USERS_TEXT.split('\n').slice(0, 1).join('\n') + '\n', USERS_TEXT.split('\n').slice(1).join('\n')];
    const k6 = await runWithStandins(script, new Map([['/u/p0', a], ['/u/p1', b]]), respond,
      { BASE_URL: 'http://other:9000/v2/', CAPLAB_USERS_FILES: '/u/p0,/u/p1', CAPLAB_SUMMARY: '/r/s.json' });
    expect(k6.errors).toEqual([]);
    expect(k6.requests[0]!.url).toBe('http://other:9000/v2/json');
    expect(JSON.parse(k6.requests[1]!.body!)).toMatchObject({ userId: 'u0' });
    expect(Object.keys(k6.summaryOutput).sort()).toEqual(['/r/s.json', 'stdout']);
  });
});
