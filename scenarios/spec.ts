/**
 * The scenario spec (`caplab.scenario/v1`): the one definition of a scenario, read by the embedded engine and by the
 * k6 script generator. `options` is a subset of k6's options with k6's names, defaults and validation rules (the six
 * executors of k6 lib/executor, `thresholds`, `summaryTrendStats`, `tags`); `setup` and `flows` describe the requests.
 * Validation lists every problem at once, each with its JSON path (k6's `validate()` style).
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ValidationError, type Problem } from '../models/errors.ts';
import { jsonErrorLocation, jsonErrorReason } from '../models/json-syntax.ts';
import { formatPath } from '../models/validation.ts';
import { Duration, ScenarioSchema } from './executor-schema.ts';
import { WsSchema, wsStepProblems } from './ws-schema.ts';
import { regexProblem } from './engine/extract.ts';
import { BUILTIN_METRICS } from './engine/metrics/builtin.ts';
import { isRandomKey, parseRandomKey } from './engine/random.ts';
import { parseThresholds } from './engine/thresholds.ts';
import { TRANSPORT_OPTIONS } from './transport-options.ts';
import type { ThresholdSpec } from './engine/metrics/types.ts';
import { BodyFileSchema, DataSetsSchema, dataKeyProblem, MultipartSchema, multipartTemplates, specFileIssues } from './spec-files.ts';

const Positive = z.number().int().positive();
const StringMap = z.record(z.string(), z.string());
/** k6 scenario names: letters, digits, `_` and `-`. */
const SCENARIO_NAME = /^[0-9A-Za-z_-]+$/;

/** A threshold as written: an expression or an object with `abortOnFail` / `delayAbortEval`. */
const ThresholdEntry = z.union([
  z.string(),
  z.strictObject({ threshold: z.string(), abortOnFail: z.boolean().optional(), delayAbortEval: z.union([z.string(), z.number()]).optional() }),
]);

/** k6's default `summaryTrendStats`. */
export const DEFAULT_SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

/** Default of `options.caplabMaxBodyBytes`: 10 MB, far above an API's JSON answer, far below the memory. */
export const DEFAULT_MAX_BODY_BYTES = 10_000_000;

const OptionsSchema = z.strictObject({
  scenarios: z.record(z.string(), ScenarioSchema).optional(),
  /** k6's option: keep a VU's cookies across its iterations (default false: each iteration starts with an empty jar). */
  noCookiesReset: z.boolean().optional(),
  thresholds: z.record(z.string(), z.array(ThresholdEntry)).default({}),
  summaryTrendStats: z.array(z.string().regex(/^(avg|min|med|max|count|p\(\d+(\.\d+)?\))$/, 'not a trend stat (avg, min, med, max, count, p(N))'))
    .default(DEFAULT_SUMMARY_TREND_STATS),
  summaryTimeUnit: z.enum(['s', 'ms', 'us']).optional(),
  tags: StringMap.default({}),
  /** k6's option: accept any TLS certificate (self-signed, another CA, another host name). Default false. */
  insecureSkipTLSVerify: z.boolean().optional(),
  /** k6's TLS, hosts and connection options (transport-options.ts): tlsVersion, tlsCipherSuites, tlsAuth, hosts, userAgent, ... */
  ...TRANSPORT_OPTIONS,
  /**
   * caplab's own option (no k6 counterpart; the k6 script generator leaves it out): most bytes of a response body
   * kept for `extract`, body checks and JSONPath metrics. A longer body fails its request (status 0, the cap named in
   * the error), so one huge response cannot fill the memory. Bodies not kept are only counted, at any size.
   */
  caplabMaxBodyBytes: z.number().int().positive().default(DEFAULT_MAX_BODY_BYTES),
  /** k6's option: redirects a request follows (default 10); a step's `redirects` overrides it. */
  maxRedirects: z.number().int().nonnegative().optional(),
});

/** Expected statuses as k6's `http.expectedStatuses`: codes or inclusive `{min, max}` ranges. */
const ExpectedStatus = z.union([z.number().int().min(100).max(599), z.strictObject({ min: z.number().int(), max: z.number().int() })]);

/** Checks on a response; each becomes a `checks` sample tagged `check:<step> <kind>`. */
const ChecksSchema = z.strictObject({
  status: z.union([z.number().int(), z.array(z.number().int()).min(1)]).optional(),
  maxDuration: Duration.optional(),
  bodyIncludes: z.string().optional(),
});

/** JSONPath-like expression: `$`, `.key`, `['key']`, `[index]`. */
const JSON_PATH = /^\$(?:\.[A-Za-z_$][\w$-]*|\[\d+\]|\['[^']*'\])*$/;

/** A JSONPath string, as `extract` and custom metrics take it. */
const JsonPath = z.string().regex(JSON_PATH, 'not a JSONPath like $.token or $.items[0].id');

/**
 * Where an extracted value comes from: a JSONPath string, or exactly one of `json` (JSONPath), `header` (a response
 * header), `regex` (one capture group, over the body) or `between` ([left, right], k6 jslib findBetween).
 */
const ExtractSource = z.union([
  JsonPath,
  z.strictObject({
    json: JsonPath.optional(),
    header: z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'not a header name').optional(),
    regex: z.string().min(1).superRefine((v, ctx) => {
      const problem = regexProblem(v);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    }).optional(),
    between: z.tuple([z.string().min(1), z.string().min(1)]).optional(),
  }).superRefine((o, ctx) => {
    const n = [o.json, o.header, o.regex, o.between].filter((x) => x !== undefined).length;
    if (n !== 1) ctx.addIssue({ code: 'custom', message: 'an extract is a JSONPath string or an object with exactly one of "json", "header", "regex" or "between"' });
  }),
], { error: 'an extract is a JSONPath string (like $.token) or an object with one of "json", "header", "regex" or "between"' });

/** A custom metric a step records: k6 type plus what to record. */
const CustomMetric = z.strictObject({
  type: z.enum(['counter', 'gauge', 'rate', 'trend']),
  /** `duration` (ms, a time trend), `ok` (1 when the response was expected), `bytes` (response body size), a number, or a JSONPath into the response body. */
  value: z.union([z.enum(['duration', 'ok', 'bytes']), z.number(), z.string().regex(JSON_PATH, 'not a JSONPath like $.a.b[0]')]),
});

/** A cookie a step adds to its request (k6's `cookies` param): a value, or `{value, replace}` to drop the jar's one of that name. */
const StepCookie = z.union([z.string(), z.strictObject({ value: z.string(), replace: z.boolean().default(false) })]);

/** One request of a flow. Strings in `path`, `url`, `headers`, `json`, `body`, `cookies` and multipart fields are templates. */
export const StepSchema = z.strictObject({
  name: z.string().min(1).optional(),
  group: z.string().min(1).optional(),
  once: z.boolean().default(false),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
  path: z.string().optional(),
  url: z.string().optional(),
  headers: StringMap.default({}),
  json: z.unknown().optional(),
  body: z.union([z.string(), BodyFileSchema]).optional(),
  multipart: MultipartSchema.optional(),
  cookies: z.record(z.string(), StepCookie).optional(),
  extract: z.record(z.string().regex(/^[A-Za-z_]\w*$/, 'not a variable name'), ExtractSource).default({}),
  /** k6's `redirects` param: redirects this request follows (default options.maxRedirects, else 10). */
  redirects: z.number().int().nonnegative().optional(),
  expectedStatuses: z.array(ExpectedStatus).min(1).optional(),
  checks: ChecksSchema.optional(),
  think: Duration.optional(),
  timeout: Duration.default(60_000),
  tags: StringMap.default({}),
  metrics: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/, 'not a k6 metric name'), CustomMetric).default({}),
  /** A WebSocket session instead of a request (k6/ws). */
  ws: WsSchema.optional(),
});

/**
 * A team's existing k6 script as a flow: one use is one call of its exported function `exec`. Only the k6 runner can
 * run it (through a generated wrapper, scenarios/k6/wrapper.ts); the embedded engine runs no JavaScript.
 */
export const K6FlowSchema = z.strictObject({
  script: z.string().min(1),
  exec: z.string().regex(/^[A-Za-z_$][\w$]*$/, 'not a JavaScript function name').default('default'),
  /** HTTP requests one call makes, so that request rates convert to iterations (default 1). */
  requestsPerUse: z.number().positive().default(1),
});

/** A flow: a sequence of steps, a weighted mix of other flows, or a k6 script's function. */
export const FlowSchema = z.strictObject({
  steps: z.array(StepSchema).min(1).optional(),
  mix: z.record(z.string(), z.number().positive()).optional(),
  k6: K6FlowSchema.optional(),
});

const UsersSchema = z.strictObject({
  seed: z.number().int().nonnegative().optional(),
  dc: z.string().optional(),
  file: z.string().optional(),
  count: Positive.optional(),
});

/** k6's rule for environment variable names (cmd/runtime_options.go userEnvVarName). */
export const ENV_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const SpecObject = z.strictObject({
  schema: z.literal('caplab.scenario/v1'),
  name: z.string().min(1),
  /**
   * Defaults of `{{env.NAME}}`: the process environment and `caplab run -e NAME=value` override them (the k6 script
   * reads `__ENV`, falling back to these). Not for secrets: these values are written into generated scripts.
   */
  env: z.record(z.string(), z.string()).superRefine((env, ctx) => {
    for (const name of Object.keys(env)) {
      if (!ENV_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not an environment variable name (letters, digits and _, not starting with a digit)` });
    }
  }).default({}),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  data: z.strictObject({ users: UsersSchema.optional(), sets: DataSetsSchema.optional() }).default({}),
  options: OptionsSchema.default({ thresholds: {}, summaryTrendStats: DEFAULT_SUMMARY_TREND_STATS, tags: {}, caplabMaxBodyBytes: DEFAULT_MAX_BODY_BYTES }),
  setup: FlowSchema.optional(),
  flows: z.record(z.string(), FlowSchema),
});

/** The scenario spec after validation: defaults applied, durations in ms, thresholds normalised. */
export type ScenarioSpec = z.output<typeof SpecObject> & { thresholdSpecs: Record<string, ThresholdSpec[]> };
/** One validated scenario (a k6 executor config). */
export type ScenarioConfig = z.output<typeof ScenarioSchema>;
/** One validated step. */
export type Step = z.output<typeof StepSchema>;
/** One validated flow. */
export type Flow = z.output<typeof FlowSchema>;
/** A k6-script flow, validated. */
export type K6Flow = z.output<typeof K6FlowSchema>;

/**
 * The spec's flows that are k6 scripts' functions, in flow order.
 * @param spec validated spec
 * @returns [flow name, reference] pairs; empty for a spec of steps and mixes only
 */
export function k6FlowsOf(spec: Pick<ScenarioSpec, 'flows'>): [string, K6Flow][] {
  return Object.entries(spec.flows).flatMap(([name, f]) => (f.k6 ? [[name, f.k6] as [string, K6Flow]] : []));
}

/** The k6 executor types. */
export type ExecutorType = ScenarioConfig['executor'];

type Issue = { path: (string | number)[]; message: string };

/** Cross-field rules zod cannot express per field: k6's executor `validate()` rules and references between flows. */
function crossCheck(spec: z.output<typeof SpecObject>, issues: Issue[]): void {
  const flows = spec.flows;
  if (flows.default === undefined && spec.options.scenarios === undefined) {
    issues.push({ path: ['flows'], message: 'no flow named "default" and no options.scenarios naming another flow' });
  }
  const checkFlow = (flow: Flow, path: (string | number)[], allowMix: boolean): void => {
    if ([flow.steps, flow.mix, flow.k6].filter((x) => x !== undefined).length !== 1) {
      issues.push({ path, message: 'a flow has exactly one of "steps", "mix" or "k6"' });
    }
    if (flow.k6 !== undefined && !allowMix) issues.push({ path: [...path, 'k6'], message: 'setup is steps; a k6 script\'s own setup() runs under the k6 runner' });
    if (flow.mix !== undefined) {
      if (!allowMix) issues.push({ path: [...path, 'mix'], message: 'setup cannot be a mix' });
      for (const name of Object.keys(flow.mix)) {
        const target = flows[name];
        if (target === undefined) issues.push({ path: [...path, 'mix', name], message: `no flow named "${name}"` });
        else if (target.mix !== undefined) issues.push({ path: [...path, 'mix', name], message: `"${name}" is itself a mix; a mix names flows with steps (or k6 scripts)` });
      }
    }
    flow.steps?.forEach((step, i) => {
      const sp = [...path, 'steps', i];
      if ((step.path === undefined) === (step.url === undefined)) issues.push({ path: sp, message: 'a step has exactly one of "path" or "url"' });
      if (step.path !== undefined && spec.baseUrl === undefined) issues.push({ path: [...sp, 'path'], message: '"path" needs a top-level "baseUrl" (or use "url")' });
      if (step.ws !== undefined) for (const p of wsStepProblems(step)) issues.push({ path: [...sp, ...p.path], message: p.message });
      step.expectedStatuses?.forEach((e, j) => {
        if (typeof e === 'object' && e.min > e.max) issues.push({ path: [...sp, 'expectedStatuses', j], message: `min ${e.min} is above max ${e.max}` });
      });
      for (const key of templateKeys(step)) {
        if (key.startsWith('data.')) {
          const problem = dataKeyProblem(key, spec);
          if (problem !== undefined) issues.push({ path: sp, message: problem });
          continue;
        }
        if (isRandomKey(key)) {
          const call = parseRandomKey(key);
          if (typeof call === 'string') issues.push({ path: sp, message: call });
        } else if (!/^(user\.[A-Za-z_]\w*|vars\.[A-Za-z_]\w*|env\.[A-Za-z_]\w*|iteration|vu|scenario)$/.test(key)) {
          issues.push({ path: sp, message: `unknown template {{${key}}} (use {{user.*}}, {{vars.*}}, {{env.*}}, {{iteration}}, {{vu}}, {{scenario}}, {{data.<set>.<column>}}, {{random.int MIN MAX}}, {{random.pick a b c}}, {{uuid}})` });
        }
      }
    });
  };
  for (const [name, flow] of Object.entries(flows)) checkFlow(flow, ['flows', name], true);
  if (spec.setup) checkFlow(spec.setup, ['setup'], false);
  specFileIssues(spec, issues);
  // Custom metrics: not a built-in name, and one type per name across all steps.
  const customTypes = new Map<string, string>();
  const stepsWithPath: [Flow, (string | number)[]][] = [...Object.entries(flows).map(([n, f]) => [f, ['flows', n]] as [Flow, (string | number)[]]), ...(spec.setup ? [[spec.setup, ['setup']] as [Flow, (string | number)[]]] : [])];
  for (const [flow, path] of stepsWithPath) {
    flow.steps?.forEach((step, i) => {
      for (const [metric, def] of Object.entries(step.metrics)) {
        const mp = [...path, 'steps', i, 'metrics', metric];
        if (BUILTIN_METRICS[metric] !== undefined) issues.push({ path: mp, message: `"${metric}" is a built-in metric; name custom metrics differently` });
        const seen = customTypes.get(metric);
        if (seen !== undefined && seen !== def.type) issues.push({ path: [...mp, 'type'], message: `"${metric}" is a ${seen} elsewhere; one metric has one type` });
        customTypes.set(metric, def.type);
      }
    });
  }

  for (const [name, sc] of Object.entries(spec.options.scenarios ?? {})) {
    const p = ['options', 'scenarios', name];
    if (!SCENARIO_NAME.test(name)) issues.push({ path: p, message: `scenario name "${name}" may only contain letters, digits, "_" and "-"` });
    if (flows[sc.exec] === undefined) issues.push({ path: [...p, 'exec'], message: `no flow named "${sc.exec}"` });
    switch (sc.executor) {
      case 'constant-vus':
        if (sc.vus === 0) issues.push({ path: [...p, 'vus'], message: 'the number of VUs must be more than 0' });
        if (sc.duration <= 0) issues.push({ path: [...p, 'duration'], message: 'the duration must be more than 0' });
        break;
      case 'ramping-vus':
        if (sc.startVUs === 0 && sc.stages.every((s) => s.target === 0)) issues.push({ path: [...p, 'stages'], message: 'either startVUs or one of the stage targets must be more than 0' });
        if (sc.stages.reduce((t, s) => t + s.duration, 0) <= 0) issues.push({ path: [...p, 'stages'], message: 'the total duration of the stages must be more than 0' });
        break;
      case 'constant-arrival-rate':
      case 'ramping-arrival-rate':
        if (sc.timeUnit <= 0) issues.push({ path: [...p, 'timeUnit'], message: 'the timeUnit must be more than 0' });
        if (sc.maxVUs !== undefined && sc.maxVUs < sc.preAllocatedVUs) issues.push({ path: [...p, 'maxVUs'], message: `maxVUs (${sc.maxVUs}) must not be less than preAllocatedVUs (${sc.preAllocatedVUs})` });
        if (Math.max(sc.preAllocatedVUs, sc.maxVUs ?? 0) === 0) issues.push({ path: [...p, 'preAllocatedVUs'], message: 'preAllocatedVUs or maxVUs must be more than 0' });
        if (sc.executor === 'constant-arrival-rate' && sc.duration <= 0) issues.push({ path: [...p, 'duration'], message: 'the duration must be more than 0' });
        if (sc.executor === 'ramping-arrival-rate' && sc.stages.reduce((t, s) => t + s.duration, 0) <= 0) issues.push({ path: [...p, 'stages'], message: 'the total duration of the stages must be more than 0' });
        break;
      case 'shared-iterations':
        if (sc.iterations < sc.vus) issues.push({ path: [...p, 'iterations'], message: `the number of iterations (${sc.iterations}) can't be less than the number of VUs (${sc.vus})` });
        break;
      case 'per-vu-iterations':
        break;
    }
  }
  const users = spec.data.users;
  if (users && (users.file === undefined) === (users.count === undefined)) {
    issues.push({ path: ['data', 'users'], message: 'users come from a "file" or from "seed" + "count" (exactly one of file or count)' });
  }
}

/** Every `{{key}}` used in a step's templated fields. */
function templateKeys(step: Step): string[] {
  const out: string[] = [];
  const scan = (v: unknown): void => {
    if (typeof v === 'string') for (const m of v.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) out.push(m[1]!);
    else if (Array.isArray(v)) v.forEach(scan);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(scan);
  };
  scan([step.path, step.url, step.headers, step.json, typeof step.body === 'string' ? step.body : undefined, step.cookies, multipartTemplates(step.multipart),
    step.ws?.actions.map((a) => ('send' in a ? a.send : undefined)), step.ws?.heartbeat?.send]);
  return out;
}

/**
 * Validates a parsed scenario spec and returns it with k6's defaults applied.
 * @param value parsed JSON or YAML
 * @param source file name used as the prefix of every problem
 * @returns the validated spec; durations in ms; `thresholdSpecs` normalised for the metrics registry
 * @throws {ValidationError} listing every problem, each with its JSON path (exit 104 in the CLI)
 */
export function parseScenarioSpec(value: unknown, source: string): ScenarioSpec {
  const problems: Problem[] = [];
  const add = (path: ReadonlyArray<PropertyKey>, message: string): void => {
    problems.push({ where: `${source}: ${formatPath(path)}`, message });
  };
  if (value !== null && typeof value === 'object' && 'schema' in value && (value as { schema: unknown }).schema !== 'caplab.scenario/v1') {
    throw new ValidationError(`${source} is invalid`, [{ where: `${source}: schema`, message: `expected "caplab.scenario/v1", got ${JSON.stringify((value as { schema: unknown }).schema)}` }]);
  }
  const result = SpecObject.safeParse(value);
  // Thresholds are checked by the metrics side's parser even when other parts failed, so every problem shows at once.
  const rawThresholds = (value as { options?: { thresholds?: unknown } } | null)?.options?.thresholds;
  const th = parseThresholds(rawThresholds ?? {});
  for (const p of th.problems) add(['options', 'thresholds', ...p.path], p.message);
  if (!result.success) {
    for (const issue of result.error.issues) {
      // Threshold shape errors are already reported by parseThresholds with better messages.
      if (issue.path[0] === 'options' && issue.path[1] === 'thresholds') continue;
      add(issue.path, issue.message);
    }
  } else {
    const issues: Issue[] = [];
    crossCheck(result.data, issues);
    for (const i of issues) add(i.path, i.message);
  }
  if (problems.length > 0 || !result.success) throw new ValidationError(`${source} is invalid`, problems);
  return { ...result.data, thresholdSpecs: th.specs };
}

/**
 * Parses a spec file's text (JSON, or YAML when the name ends in .yaml/.yml) and validates it.
 * @param text file contents
 * @param source file name: picks the syntax and prefixes problems
 * @returns the validated spec
 * @throws {ValidationError} on a syntax error (with its line) or any schema problem
 */
export function parseScenarioText(text: string, source: string): ScenarioSpec {
  if (/\.(?:[cm]?js|ts)$/i.test(source)) {
    throw new ValidationError(`${source} is not a scenario spec`, [{ where: source, message: 'this is a script: caplab runs a caplab.scenario/v1 spec (.json, .yaml or .yml). ' +
      'The embedded engine runs no JavaScript; to run a k6 script, name it in a spec\'s flows ({"flows": {"default": {"k6": {"script": "script.js", "exec": "default"}}}}) ' +
      'and run `caplab run --runner k6 spec.json`, or run it with k6 itself (`k6 run script.js`)' }]);
  }
  const yaml = /\.ya?ml$/i.test(source);
  let value: unknown;
  try {
    value = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    const e = err as Error & { linePos?: { line: number }[] };
    const at = yaml ? undefined : jsonErrorLocation(text);
    const line = e.linePos?.[0]?.line ?? at?.line;
    const reason = yaml ? e.message.split('\n')[0] : `${jsonErrorReason(e.message)}${at ? `, column ${at.column}` : ''}`;
    throw new ValidationError(`${source} is invalid`, [{ where: `${source}${line ? `:${line}` : ''}`, message: `not valid ${yaml ? 'YAML' : 'JSON'}: ${reason}` }]);
  }
  return parseScenarioSpec(value, source);
}
