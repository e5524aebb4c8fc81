import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFlows, pickFlow } from '../../scenarios/engine/compile.ts';
import { compileJsonPath } from '../../scenarios/engine/jsonpath.ts';
import { effectiveScenarios, runEngine } from '../../scenarios/engine/run.ts';
import { compileJson, compileString, TemplateError } from '../../scenarios/engine/template.ts';
import type { UserSource } from '../../scenarios/engine/vu.ts';
import { parseScenarioSpec } from '../../scenarios/spec.ts';
import { CollectingSink, specOf, startServer, type TestServer } from './server.ts';

let server: TestServer;
beforeAll(async () => { server = await startServer(); });
afterAll(async () => { await server.close(); });

const users: UserSource = { count: 100, get: (i) => ({ id: `u${i}`, contacts: 10 + i, deviceModel: 'Mi 4' }) };
const scope = { user: { id: 'u1', n: 3, model: 'Mi 4' }, vars: { token: 'abc' }, env: { E: 'x' }, iteration: 7, vu: 2, scenario: 's' };

describe('templates and JSONPath', () => {
  it('renders strings, keeps types of whole placeholders in JSON, encodes URL values', () => {
    expect(compileString('/a/{{user.id}}?m={{user.model}}&i={{iteration}}', encodeURIComponent)(scope)).toBe('/a/u1?m=Mi%204&i=7');
    expect(compileJson({ n: '{{user.n}}', s: 'vu {{vu}}', a: ['{{vars.token}}', 1, null] })(scope)).toEqual({ n: 3, s: 'vu 2', a: ['abc', 1, null] });
    expect(() => compileString('{{vars.missing}}')(scope)).toThrow(TemplateError);
  });

  it('reads JSONPath-like expressions', () => {
    expect(compileJsonPath('$.items[0].id')({ items: [{ id: 'a' }] })).toBe('a');
    expect(compileJsonPath("$['odd key']")({ 'odd key': 1 })).toBe(1);
    expect(compileJsonPath('$.a.b')({ a: 1 })).toBeUndefined();
    expect(() => compileJsonPath('$..x')).toThrow(/not a supported JSONPath/);
  });
});

describe('flows', () => {
  it('setup, once + extract into vars, templates, expectedStatuses, checks and groups', async () => {
    const spec = parseScenarioSpec(specOf(server.url,
      { s: { executor: 'per-vu-iterations', vus: 2, iterations: 3 } },
      { default: { steps: [
        { name: 'register', once: true, method: 'POST', path: '/register', json: { userId: '{{user.id}}', contacts: '{{user.contacts}}' }, extract: { token: '$.token' }, checks: { status: 200 } },
        { name: 'sync', group: 'sync', method: 'POST', path: '/echo', headers: { Authorization: 'Bearer {{vars.token}} {{vars.boot}}' }, body: 'it={{iteration}} vu={{vu}}', checks: { status: 200, bodyIncludes: 'nope' } },
        { name: 'conflict', group: 'sync', path: '/status/409', expectedStatuses: [200, { min: 400, max: 409 }] },
        { name: 'gone', path: '/status/410' },
      ] } },
      { setup: { steps: [{ name: 'boot', path: '/json', extract: { boot: '$.items[0].id' } }] } }), 'spec');
    const sink = new CollectingSink();
    server.seen.length = 0;
    const result = await runEngine(spec, effectiveScenarios(spec), { sink, seed: 1, users });
    expect(result.iterationErrors).toBe(0);
    // Register ran once per VU; its token and setup's value went into every later request.
    const regs = server.seen.filter((r) => r.url === '/register');
    expect(regs.map((r) => JSON.parse(r.body)).sort((a, b) => a.userId.localeCompare(b.userId))).toEqual([{ userId: 'u0', contacts: 10 }, { userId: 'u1', contacts: 11 }]);
    const syncs = server.seen.filter((r) => r.url === '/echo');
    expect(syncs).toHaveLength(6);
    expect(new Set(syncs.map((r) => r.headers.authorization))).toEqual(new Set(['Bearer t-u0 a', 'Bearer t-u1 a']));
    expect(new Set(syncs.map((r) => r.body)).size).toBe(6); // {{iteration}} is unique test-wide
    // Setup: tagged ::setup, no iteration counted.
    expect(sink.count('http_reqs', { group: '::setup' })).toBe(1);
    expect(sink.sum('iterations')).toBe(6);
    // expectedStatuses decide http_req_failed; default is 200-399.
    expect(sink.sum('http_req_failed', { name: 'conflict' })).toBe(0);
    expect(sink.of('http_req_failed', { name: 'conflict' })[0]!.tags).toMatchObject({ status: '409', expected_response: 'true', group: '::sync', url: 'conflict', method: 'GET', scenario: 's', proto: 'HTTP/1.1' });
    expect(sink.sum('http_req_failed', { name: 'gone' })).toBe(6);
    // Checks: one sample per check per request, tagged with the check name.
    expect(sink.sum('checks', { check: 'register: status is 200' })).toBe(2);
    expect(sink.sum('checks', { check: 'sync: body includes "nope"' })).toBe(0);
    expect(sink.count('checks', { check: 'sync: body includes "nope"', group: '::sync' })).toBe(6);
    // One group_duration per iteration for the sync group.
    expect(sink.count('group_duration', { group: '::sync' })).toBe(6);
    expect(sink.sum('data_sent')).toBeGreaterThan(0);
    expect(sink.sum('data_received')).toBeGreaterThan(0);
  });

  it('a failing setup stops the run before any scenario', async () => {
    const spec = parseScenarioSpec(specOf(server.url, { s: { executor: 'shared-iterations', iterations: 5 } },
      { default: { steps: [{ path: '/ok' }] } },
      { setup: { steps: [{ name: 'boot', path: '/ok', extract: { token: '$.token' } }] } }), 'spec');
    const sink = new CollectingSink();
    const result = await runEngine(spec, effectiveScenarios(spec), { sink, seed: 1 });
    expect(result.setupError).toMatch(/setup step "boot": a value to extract is missing/);
    expect(sink.sum('iterations')).toBe(0);
  });

  it('tags requests without a response with status 0 and a k6 error_code', async () => {
    const spec = parseScenarioSpec(specOf(server.url, { s: { executor: 'shared-iterations', iterations: 1 } },
      { default: { steps: [{ name: 'refused', url: 'http://127.0.0.1:1/x' }, { name: 'late', path: '/slow?ms=400', timeout: '50ms' }] } }), 'spec');
    const sink = new CollectingSink();
    await runEngine(spec, effectiveScenarios(spec), { sink, seed: 1 });
    expect(sink.of('http_req_failed', { name: 'refused' })[0]).toMatchObject({ value: 1, tags: { status: '0', error_code: '1212', expected_response: 'false' } });
    expect(sink.of('http_req_failed', { name: 'late' })[0]).toMatchObject({ value: 1, tags: { status: '0', error_code: '1050' } });
  });

  it('an exception inside an iteration is counted, not fatal', async () => {
    const spec = parseScenarioSpec(specOf(server.url, { s: { executor: 'shared-iterations', iterations: 4 } },
      { default: { steps: [{ path: '/ok' }, { path: '/ok?t={{vars.never}}' }] } }), 'spec');
    const sink = new CollectingSink();
    const errors: string[] = [];
    const result = await runEngine(spec, effectiveScenarios(spec), { sink, seed: 1, onError: (m) => errors.push(m) });
    expect(result.iterationErrors).toBe(4);
    expect(errors[0]).toBe('{{vars.never}} is not set');
    expect(sink.sum('http_reqs')).toBe(4);
  });

  it('a mix picks flows by weight, reproducibly from the seed and iteration number', () => {
    const spec = parseScenarioSpec(specOf('http://127.0.0.1:1', {}, {
      a: { steps: [{ path: '/a' }] }, b: { steps: [{ path: '/b' }] }, default: { mix: { a: 3, b: 1 } },
    }), 'spec');
    const flows = compileFlows(spec, 42);
    const picks = Array.from({ length: 4000 }, (_, i) => pickFlow(flows.get('default')!, i).name);
    expect(picks.filter((p) => p === 'a').length / 4000).toBeCloseTo(0.75, 1);
    const again = compileFlows(spec, 42);
    expect(Array.from({ length: 4000 }, (_, i) => pickFlow(again.get('default')!, i).name)).toEqual(picks);
  });

  it('records custom metrics named in steps', async () => {
    const spec = parseScenarioSpec(specOf(server.url, { s: { executor: 'shared-iterations', iterations: 3 } },
      { default: { steps: [{ path: '/json', metrics: { answer: { type: 'trend', value: '$.n' }, json_ok: { type: 'rate', value: 'ok' }, calls: { type: 'counter', value: 1 } } }] } }), 'spec');
    const sink = new CollectingSink();
    await runEngine(spec, effectiveScenarios(spec), { sink, seed: 1 });
    expect(sink.of('answer').map((s) => s.value)).toEqual([42, 42, 42]);
    expect(sink.sum('json_ok')).toBe(3);
    expect(sink.sum('calls')).toBe(3);
  });
});
