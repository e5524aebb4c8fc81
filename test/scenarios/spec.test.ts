import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../models/errors.ts';
import { parseDurationMs } from '../../scenarios/duration.ts';
import { k6FlowsOf, parseScenarioSpec, parseScenarioText } from '../../scenarios/spec.ts';
import { DESIGN_SPEC } from './design-spec.ts';

function problemsOf(value: unknown): string[] {
  try {
    parseScenarioSpec(value, 'spec.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).problems.map((p) => `${p.where}: ${p.message}`);
  }
  throw new Error('expected a ValidationError');
}

describe('parseDurationMs', () => {
  it('reads k6 durations and numbers as milliseconds', () => {
    expect(parseDurationMs('1m30s')).toBe(90_000);
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('1.5h')).toBe(5_400_000);
    expect(parseDurationMs('250us')).toBe(0.25);
    expect(parseDurationMs('0')).toBe(0);
    expect(parseDurationMs(1500)).toBe(1500);
    expect(parseDurationMs('10')).toBeUndefined();
    expect(parseDurationMs('ten seconds')).toBeUndefined();
    expect(parseDurationMs(-1)).toBeUndefined();
  });
});

describe('parseScenarioSpec', () => {
  it('accepts the canonical example spec and applies k6 defaults in ms', () => {
    const spec = parseScenarioSpec(DESIGN_SPEC, 'spec.json');
    const probe = spec.options.scenarios!.probe_4!;
    expect(probe).toMatchObject({ executor: 'constant-vus', vus: 4, duration: 10_000, gracefulStop: 30_000, startTime: 0 });
    const peak = spec.options.scenarios!.peak!;
    expect(peak).toMatchObject({ executor: 'ramping-arrival-rate', startRate: 50, timeUnit: 1000, startTime: 10_000 });
    expect(spec.flows.default!.steps![1]!.think).toBe(100);
    expect(spec.flows.default!.steps![1]!.checks!.maxDuration).toBe(500);
    expect(Object.keys(spec.thresholdSpecs)).toEqual(Object.keys(DESIGN_SPEC.options.thresholds));
    expect(spec.thresholdSpecs['http_req_failed{scenario:peak}']![0]).toMatchObject({ threshold: 'rate<0.01', abortOnFail: false });
  });

  it('reads the same spec from YAML', () => {
    const yaml = `schema: caplab.scenario/v1
name: y
baseUrl: http://127.0.0.1:1
options:
  scenarios:
    s: { executor: shared-iterations, vus: 2, iterations: 10 }
flows:
  default:
    steps:
      - { name: a, path: /a }
`;
    const spec = parseScenarioText(yaml, 'spec.yaml');
    expect(spec.options.scenarios!.s).toMatchObject({ executor: 'shared-iterations', vus: 2, iterations: 10, maxDuration: 600_000 });
  });

  it('reports a syntax error with its line', () => {
    expect(() => parseScenarioText('{\n "a": 1,\n}', 'bad.json')).toThrow(ValidationError);
    try {
      parseScenarioText('a: [1\nb: 2', 'bad.yaml');
    } catch (err) {
      expect((err as ValidationError).problems[0]!.where).toMatch(/^bad\.yaml:\d+$/);
    }
  });

  it('lists every problem at once, each with its JSON path', () => {
    const bad = structuredClone(DESIGN_SPEC) as Record<string, any>;
    bad.options.scenarios.probe_4.duration = 'ten';
    bad.options.scenarios.probe_4.vuz = 3;
    bad.options.scenarios.peak.maxVUs = 10;
    bad.options.scenarios.peak.exec = 'nope';
    bad.options.scenarios['bad name'] = { executor: 'shared-iterations', vus: 5, iterations: 2 };
    bad.options.scenarios.x = { executor: 'warp-drive' };
    bad.options.thresholds['http_req_duration'] = ['p95 < 300'];
    bad.flows.default.steps[0].extract = { token: 'token' };
    bad.flows.default.steps[1].headers.Authorization = 'Bearer {{secrets.token}}';
    bad.flows.mixed.mix.missing = 1;
    const problems = problemsOf(bad);
    const expected = [
      'options.scenarios.probe_4.duration',
      'options.scenarios.probe_4',
      'options.scenarios.x.executor',
      'options.thresholds.http_req_duration[0]',
      'flows.default.steps[0].extract.token',
    ];
    for (const path of expected) expect(problems.some((p) => p.startsWith(`spec.json: ${path}`)), `${path} in\n${problems.join('\n')}`).toBe(true);
    // Cross-field rules run only when the shapes are right: fix shapes and check them.
    const shapesOk = structuredClone(DESIGN_SPEC) as Record<string, any>;
    shapesOk.options.scenarios.peak.maxVUs = 10;
    shapesOk.options.scenarios.peak.exec = 'nope';
    shapesOk.options.scenarios['bad name'] = { executor: 'shared-iterations', vus: 5, iterations: 2 };
    shapesOk.flows.default.steps[1].headers.Authorization = 'Bearer {{secrets.token}}';
    shapesOk.flows.mixed.mix.missing = 1;
    shapesOk.flows.ota.steps[0].url = 'http://127.0.0.1:1/x';
    const cross = problemsOf(shapesOk);
    expect(cross).toEqual(expect.arrayContaining([
      'spec.json: flows.default.steps[1]: unknown template {{secrets.token}} (use {{user.*}}, {{vars.*}}, {{env.*}}, {{iteration}}, {{vu}}, {{scenario}})',
      'spec.json: flows.ota.steps[0]: a step has exactly one of "path" or "url"',
      'spec.json: flows.mixed.mix.missing: no flow named "missing"',
      'spec.json: options.scenarios.peak.exec: no flow named "nope"',
      'spec.json: options.scenarios.peak.maxVUs: maxVUs (10) must not be less than preAllocatedVUs (20)',
      'spec.json: options.scenarios.bad name: scenario name "bad name" may only contain letters, digits, "_" and "-"',
      "spec.json: options.scenarios.bad name.iterations: the number of iterations (2) can't be less than the number of VUs (5)",
    ]));
    expect(cross).toHaveLength(7);
  });

  it('rejects custom metrics named like built-ins or declared with two types', () => {
    const spec = { schema: 'caplab.scenario/v1', name: 'm', baseUrl: 'http://127.0.0.1:1', flows: { default: { steps: [
      { path: '/a', metrics: { http_reqs: { type: 'counter', value: 1 }, sync_ms: { type: 'trend', value: 'duration' } } },
      { path: '/b', metrics: { sync_ms: { type: 'rate', value: 'ok' } } },
    ] } } };
    expect(problemsOf(spec)).toEqual([
      'spec.json: flows.default.steps[0].metrics.http_reqs: "http_reqs" is a built-in metric; name custom metrics differently',
      'spec.json: flows.default.steps[1].metrics.sync_ms.type: "sync_ms" is a trend elsewhere; one metric has one type',
    ]);
  });

  it('takes a flow that is a team k6 script\'s function, with defaults, and only one kind of flow each', () => {
    const spec = parseScenarioSpec({ schema: 'caplab.scenario/v1', name: 't', flows: { default: { k6: { script: 'team.js' } } } }, 's');
    expect(spec.flows.default!.k6).toEqual({ script: 'team.js', exec: 'default', requestsPerUse: 1 });
    expect(k6FlowsOf(spec)).toEqual([['default', { script: 'team.js', exec: 'default', requestsPerUse: 1 }]]);
    expect(problemsOf({
      schema: 'caplab.scenario/v1', name: 't', baseUrl: 'http://127.0.0.1:1',
      setup: { k6: { script: 'team.js' } },
      flows: { default: { k6: { script: 'team.js', exec: 'not-a-name', requestsPerUse: 0 } }, both: { steps: [{ path: '/' }], k6: { script: 'team.js' } } },
    })).toEqual(expect.arrayContaining([
      expect.stringMatching(/^spec\.json: flows\.default\.k6\.exec: not a JavaScript function name/),
      expect.stringMatching(/^spec\.json: flows\.default\.k6\.requestsPerUse: /),
    ]));
    expect(problemsOf({
      schema: 'caplab.scenario/v1', name: 't', baseUrl: 'http://127.0.0.1:1',
      setup: { k6: { script: 'team.js' } },
      flows: { default: { k6: { script: 'team.js' } }, both: { steps: [{ path: '/' }], k6: { script: 'team.js' } } },
    })).toEqual(expect.arrayContaining([
      'spec.json: flows.both: a flow has exactly one of "steps", "mix" or "k6"',
      expect.stringMatching(/^spec\.json: setup\.k6: setup is steps/),
    ]));
  });

  it('takes k6\'s insecureSkipTLSVerify as a boolean in options, and names the path of anything else', () => {
    const spec = parseScenarioSpec({ ...structuredClone(DESIGN_SPEC), options: { ...structuredClone(DESIGN_SPEC.options), insecureSkipTLSVerify: true } }, 'spec.json');
    expect(spec.options.insecureSkipTLSVerify).toBe(true);
    expect(parseScenarioSpec(structuredClone(DESIGN_SPEC), 'spec.json').options.insecureSkipTLSVerify).toBeUndefined();
    const problems = problemsOf({ ...structuredClone(DESIGN_SPEC), options: { ...structuredClone(DESIGN_SPEC.options), insecureSkipTLSVerify: 'yes' } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^spec\.json: options\.insecureSkipTLSVerify: .*boolean/);
  });

  it('rejects a wrong schema key with a clear error', () => {
    expect(problemsOf({ ...DESIGN_SPEC, schema: 'caplab.scenario/v2' })).toEqual(['spec.json: schema: expected "caplab.scenario/v1", got "caplab.scenario/v2"']);
  });
});
