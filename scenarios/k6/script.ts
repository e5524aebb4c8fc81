/**
 * Scenario spec -> a real k6 script (ES module text). The script imports k6/http, k6 (check, group, sleep), k6/data
 * (SharedArray over the users file and the spec's data sets; the files steps send are open()ed in the init context and
 * sent as ArrayBuffers or `http.file` multipart parts, with k6's per-VU cookie jar and `cookies` params), k6/execution (test-wide VU and iteration numbers) and k6/metrics (custom
 * metrics); exports `options` built from the spec, `setup` when the spec has one, one function per flow (`default`
 * for the flow named default) and a `handleSummary` that writes summary.json and prints caplab's text summary with
 * the printer embedded (no remote imports). The flows are emitted as data and run by the embedded runtime
 * (runtime-js.ts), which keeps the engine's semantics. Pure: spec in, text out.
 */
import { streamKey } from '../../models/random.ts';
import { dataPickKey } from '../engine/data-rows.ts';
import { DEFAULT_FILE_CONTENT_TYPE } from '../engine/step-body.ts';
import { specHasFiles, type K6BundleNames } from './bundle-files.ts';
import { defaultFilename } from '../spec-files.ts';
import { formatDurationMs } from '../duration.ts';
import { extractData } from '../engine/extract.ts';
import { isRandomKey, labelKey, parseRandomKey, placeholderKey, randomCallData, stepRandomKey } from '../engine/random.ts';
import type { Flow, ScenarioConfig, ScenarioSpec, Step } from '../spec.ts';
import { type TransportOptions, transportOptionsOf } from '../transport-options.ts';
import { RUNTIME_JS, RUNTIME_TYPES_JS } from './runtime-js.ts';
import { handleSummaryJs } from './handle-summary-js.ts';
import { TEXT_SUMMARY_JS } from './summary-js.ts';

/** Options of {@link buildK6Script}. */
export interface K6ScriptOptions {
  /** Seed of the mix choices: the engine's `--seed`, so both runners pick the same flows. */
  seed: number;
  /** File name (relative to the script) of the users NDJSON; omit when the spec has no users. */
  usersFile?: string;
  /** Where handleSummary writes the summary JSON unless `-e CAPLAB_SUMMARY=...` says otherwise (default `summary.json`). */
  summaryFile?: string;
  /** Names beside the script of the files the spec names (bundle-files.ts); required when it names any. */
  files?: K6BundleNames;
}

/**
 * Name of the exported function that runs a flow: `default` for the flow named default, else `flow_<name>` with
 * every character outside `[A-Za-z0-9_]` replaced by `_` (flow names need not be JavaScript identifiers).
 * @param flow flow name
 * @param taken names already used (a numeric suffix keeps the result unique)
 * @returns the function name
 * @example execFunctionName('ota-check') // 'flow_ota_check'
 */
export function execFunctionName(flow: string, taken: ReadonlySet<string> = new Set()): string {
  if (flow === 'default') return 'default';
  return prefixedIdentifier('flow_', flow, taken);
}

/**
 * A JavaScript identifier for a name that need not be one: `prefix` + the name with every character outside
 * `[A-Za-z0-9_]` replaced by `_`, then `_2`, `_3`, ... until it is not in `taken`. The prefix keeps it clear of
 * reserved words and of the module's own exports (`options`, `setup`, `handleSummary`).
 * @param prefix a non-empty identifier start, e.g. `flow_` or `service_`
 * @param name any text
 * @param taken names already used
 * @returns the identifier
 * @example prefixedIdentifier('service_', 'photo-backup') // 'service_photo_backup'
 */
export function prefixedIdentifier(prefix: string, name: string, taken: ReadonlySet<string> = new Set()): string {
  const base = `${prefix}${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  let out = base;
  for (let i = 2; taken.has(out); i++) out = `${base}_${i}`;
  return out;
}

/**
 * Exported function names of every flow, unique and stable (flow order of the spec).
 * @param spec the spec's flows
 * @returns flow name -> function name
 */
export function execFunctionNames(spec: Pick<ScenarioSpec, 'flows'>): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const name of Object.keys(spec.flows)) {
    const fn = execFunctionName(name, taken);
    taken.add(fn);
    out.set(name, fn);
  }
  return out;
}

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/** A placeholder as the runtime reads it: `{k}`, plus for a random helper its key and call (random.ts). */
type Placeholder = { k: string; r?: number; x?: unknown[] };

function placeholder(key: string, site: number | undefined, n: number): Placeholder {
  if (!isRandomKey(key)) return { k: key };
  const call = parseRandomKey(key);
  // The spec has validated random placeholders; an invalid one fails when rendered, as in the engine.
  return typeof call === 'string' ? { k: key } : { k: key, r: placeholderKey(site, n), x: randomCallData(call) };
}

/**
 * A template as the runtime renders it: literal parts and `{k}` placeholders (template.ts's compileString), random
 * helpers with their keys from `site` (the field's random key, random.ts labelKey).
 */
function template(source: string, site?: number): (string | Placeholder)[] {
  const parts: (string | Placeholder)[] = [];
  let last = 0;
  let randoms = 0;
  for (const m of source.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push(source.slice(last, m.index));
    parts.push(placeholder(m[1]!, site, isRandomKey(m[1]!) ? randoms++ : 0));
    last = m.index + m[0].length;
  }
  if (last < source.length) parts.push(source.slice(last));
  return parts;
}

/**
 * A JSON template node (template.ts's compileJson): whole placeholders keep the value's type; random helpers draw
 * from `json<pointer>` under the step's random key.
 */
function jsonTemplate(value: unknown, site?: number, pointer = ''): unknown[] {
  if (typeof value === 'string') {
    const leaf = site === undefined ? undefined : labelKey(site, `json${pointer}`);
    const whole = /^\{\{\s*([^}]*?)\s*\}\}$/.exec(value);
    if (whole) {
      const p = placeholder(whole[1]!, leaf, 0);
      return p.x === undefined ? ['g', p.k] : ['g', p.k, p.r, p.x];
    }
    return value.includes('{{') ? ['s', template(value, leaf)] : ['v', value];
  }
  if (Array.isArray(value)) return ['a', value.map((v, i) => jsonTemplate(v, site, `${pointer}/${i}`))];
  if (value !== null && typeof value === 'object') {
    return ['o', Object.entries(value).map(([k, v]) => [k, jsonTemplate(v, site, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`)])];
  }
  return ['v', value];
}

/** JSONPath subset (`$`, `.key`, `['key']`, `[index]`) as a key list; the spec has validated the syntax. */
function jsonPathKeys(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) throw new Error(`jsonPathKeys: "${path}" is not a supported JSONPath`);
    keys.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]!));
  }
  return keys;
}

/** The step as data for the runtime, with names, checks and defaults exactly as compile.ts compiles them. */
function stepData(step: Step, key: string, baseUrl: string | undefined, seed: number): Record<string, unknown> {
  let rawUrl: string;
  const out: Record<string, unknown> = { key };
  // The random keys of compile.ts compileStep: (seed, step key, field).
  const rk = stepRandomKey(seed, key);
  if (step.path !== undefined) {
    const base = new URL(baseUrl!);
    const prefix = base.pathname.replace(/\/$/, '');
    rawUrl = `${base.origin}${prefix}${step.path.startsWith('/') ? '' : '/'}${step.path}`;
    out.path = template(`${step.path.startsWith('/') ? '' : '/'}${step.path}`, labelKey(rk, 'path'));
  } else {
    rawUrl = step.url!;
    out.url = template(step.url!, labelKey(rk, 'url'));
  }
  const name = step.name ?? rawUrl;
  const headers: [string, unknown][] = Object.entries(step.headers).map(([k, v]) => [k, template(v, labelKey(rk, `header:${k}`))]);
  const lower = new Set(Object.keys(step.headers).map((k) => k.toLowerCase()));
  if (step.json !== undefined) {
    out.json = jsonTemplate(step.json, rk);
    if (!lower.has('content-type')) headers.push(['content-type', ['application/json']]);
  } else if (typeof step.body === 'string') {
    out.body = template(step.body, labelKey(rk, 'body'));
  } else if (step.body !== undefined) {
    // The file's bytes as they are (open(file, 'b') in the init context), typed as the step says or as bytes.
    out.file = step.body.file;
    if (!lower.has('content-type')) headers.push(['content-type', [DEFAULT_FILE_CONTENT_TYPE]]);
  } else if (step.multipart !== undefined) {
    // An object with http.file values: k6 sends it as multipart/form-data, with a Content-Type of its own.
    out.multipart = Object.entries(step.multipart).map(([field, v]) => [field, typeof v === 'string' ? template(v, labelKey(rk, `multipart:${field}`))
      : { file: v.file, filename: v.filename ?? defaultFilename(v.file), contentType: v.contentType ?? DEFAULT_FILE_CONTENT_TYPE }]);
  }
  if (step.cookies !== undefined) {
    // Random helpers draw from `cookie:<name>` under the step's key, as compile.ts (step-cookies.ts) does.
    out.cookies = Object.entries(step.cookies).map(([n, c]) => (typeof c === 'string'
      ? [n, template(c, labelKey(rk, `cookie:${n}`)), false]
      : [n, template(c.value, labelKey(rk, `cookie:${n}`)), c.replace]));
  }
  const checks: Record<string, unknown>[] = [];
  const c = step.checks;
  if (c?.status !== undefined) {
    const want = Array.isArray(c.status) ? c.status : [c.status];
    checks.push({ kind: 'status', name: `${name}: status ${want.length === 1 ? `is ${want[0]}` : `in [${want.join(', ')}]`}`, want });
  }
  if (c?.maxDuration !== undefined) checks.push({ kind: 'duration', name: `${name}: duration < ${c.maxDuration}ms`, max: c.maxDuration });
  if (c?.bodyIncludes !== undefined) checks.push({ kind: 'body', name: `${name}: body includes ${JSON.stringify(c.bodyIncludes)}`, needle: c.bodyIncludes });
  const metrics = Object.entries(step.metrics).map(([mname, m]) => ({
    name: mname,
    value: typeof m.value === 'string' && m.value.startsWith('$') ? jsonPathKeys(m.value) : m.value,
  }));
  const jsonMetrics = metrics.some((m) => Array.isArray(m.value));
  const extract = Object.entries(step.extract).map(([k, src]) => [k, extractData(src, jsonPathKeys)]);
  const extractKinds = new Set(extract.map((e) => (e[1] as unknown[])[0]));
  const extractJson = extractKinds.has('json');
  const extractText = extractKinds.has('regex') || extractKinds.has('between');
  return {
    ...out,
    name,
    group: step.group ?? '',
    once: step.once,
    method: step.method,
    headers,
    expected: step.expectedStatuses ?? null,
    checks,
    extract,
    metrics,
    think: step.think ?? 0,
    timeout: step.timeout,
    // k6's redirects param when the step sets it; else k6 applies options.maxRedirects (default 10), as the engine.
    redirects: step.redirects ?? null,
    // The engine tags a step's requests with name and url = name, under the step's own tags.
    tags: { ...step.tags, name, url: name },
    // k6 must keep a body the engine reads (extract, body checks, JSONPath metrics) or sizes ('bytes' metrics).
    keepBody: extractJson || extractText || c?.bodyIncludes !== undefined || jsonMetrics || metrics.some((m) => m.value === 'bytes'),
    needsJson: extractJson || jsonMetrics,
  };
}

function flowSteps(name: string, flow: Flow, baseUrl: string | undefined, seed: number): Record<string, unknown>[] {
  return (flow.steps ?? []).map((s, i) => stepData(s, `${name}#${i}`, baseUrl, seed));
}

/** Mix choices with the engine's cumulative bounds and seeded key (compile.ts compileFlows). */
function mixData(spec: ScenarioSpec, seed: number): Record<string, { key: number; choices: [string, number][] }> {
  const out: Record<string, { key: number; choices: [string, number][] }> = {};
  for (const [name, f] of Object.entries(spec.flows)) {
    if (!f.mix) continue;
    const entries = Object.entries(f.mix);
    const total = entries.reduce((t, [, w]) => t + w, 0);
    let acc = 0;
    out[name] = { key: streamKey(seed, `mix:${name}`), choices: entries.map(([flow, w]) => { acc += w; return [flow, acc / total]; }) };
  }
  return out;
}

const DURATION_FIELDS = new Set(['startTime', 'gracefulStop', 'duration', 'timeUnit', 'maxDuration', 'gracefulRampDown']);

/** One scenario in k6's own option syntax: durations as k6 strings, exec naming the exported function. */
function scenarioOption(sc: ScenarioConfig, fnByExec: ReadonlyMap<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(sc)) {
    if (v === undefined) continue;
    if (k === 'exec') {
      const fn = fnByExec.get(String(v)) ?? String(v);
      if (fn !== 'default') out.exec = fn;
    } else if ((k === 'env' || k === 'tags') && Object.keys(v as object).length === 0) {
      continue;
    } else if (DURATION_FIELDS.has(k)) {
      out[k] = formatDurationMs(v as number);
    } else if (k === 'stages') {
      out.stages = (v as { duration: number; target: number }[]).map((s) => ({ duration: formatDurationMs(s.duration), target: s.target }));
    } else {
      out[k] = v;
    }
  }
  return out;
}

/**
 * k6 `options` from the spec: scenarios (omitted when the spec has none, so k6's own default of one iteration of
 * one VU, the engine's default too, applies and `--vus/--duration/--iterations` work as in k6), thresholds,
 * summaryTrendStats, summaryTimeUnit, tags, insecureSkipTLSVerify, maxRedirects, noCookiesReset and the transport
 * options (TLS, hosts, userAgent, connection reuse, discardResponseBodies: {@link k6TransportOptions}).
 * @param spec validated spec
 * @returns the options object
 */
export function k6Options(spec: ScenarioSpec): Record<string, unknown> {
  return k6OptionsOf(spec.options, execFunctionNames(spec));
}

/**
 * k6 `options` in k6's own syntax from validated spec options (see {@link k6Options}), each scenario's `exec`
 * replaced by the exported function that runs it (left out when that is `default`, k6's default).
 * @param o validated `options` of a spec (durations in ms)
 * @param fnByExec a scenario's `exec` -> the module's exported function; an exec not in it is kept as written
 * @returns the options object, ready for JSON
 * @example k6OptionsOf(spec.options, new Map([['mixed', 'mixed']]))
 */
export function k6OptionsOf(o: ScenarioSpec['options'], fnByExec: ReadonlyMap<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (o.scenarios && Object.keys(o.scenarios).length > 0) {
    out.scenarios = Object.fromEntries(Object.entries(o.scenarios).map(([n, sc]) => [n, scenarioOption(sc, fnByExec)]));
  }
  if (Object.keys(o.thresholds).length > 0) {
    // k6 reads delayAbortEval as a duration string only; the spec also allows milliseconds as a number.
    out.thresholds = Object.fromEntries(Object.entries(o.thresholds).map(([metric, list]) => [metric, list.map((t) => (
      typeof t === 'object' && typeof t.delayAbortEval === 'number' ? { ...t, delayAbortEval: formatDurationMs(t.delayAbortEval) } : t))]));
  }
  out.summaryTrendStats = o.summaryTrendStats;
  if (o.summaryTimeUnit !== undefined) out.summaryTimeUnit = o.summaryTimeUnit;
  if (Object.keys(o.tags).length > 0) out.tags = o.tags;
  if (o.insecureSkipTLSVerify !== undefined) out.insecureSkipTLSVerify = o.insecureSkipTLSVerify;
  if (o.maxRedirects !== undefined) out.maxRedirects = o.maxRedirects;
  Object.assign(out, k6TransportOptions(o));
  if (o.noCookiesReset !== undefined) out.noCookiesReset = o.noCookiesReset;
  return out;
}

/** How {@link k6TransportOptions} marks a `tlsAuth` file the script reads with `open()` ({@link optionsJs} writes the call). */
const OPEN_MARK = 'caplab:open:';

/**
 * The transport options in k6's syntax: as written, but a `tlsVersion` object with both ends (a missing `min` is
 * Go's client default tls1.2, a missing `max` tls1.3: the same for k6, and @types/k6 wants both), and a `tlsAuth`
 * file as `open(<path>)` (k6 reads PEM text; the key stays in its file rather than in the script).
 * @param o validated options
 * @returns the options that are set, ready for {@link optionsJs}
 */
export function k6TransportOptions(o: Partial<TransportOptions>): Record<string, unknown> {
  const out: Record<string, unknown> = transportOptionsOf(o);
  const v = o.tlsVersion;
  if (typeof v === 'object') out.tlsVersion = { min: v.min ?? 'tls1.2', max: v.max ?? 'tls1.3' };
  if (o.tlsAuth !== undefined) {
    out.tlsAuth = o.tlsAuth.map((e) => ({
      ...(e.domains.length > 0 ? { domains: e.domains } : {}),
      cert: e.certFile !== undefined ? `${OPEN_MARK}${e.certFile}` : e.cert,
      key: e.keyFile !== undefined ? `${OPEN_MARK}${e.keyFile}` : e.key,
      ...(e.password !== undefined ? { password: e.password } : {}),
    }));
  }
  return out;
}

/**
 * k6 options as script text: JSON, except the files `tlsAuth` names, read with k6's `open()` in the init context.
 * @param options from {@link k6OptionsOf}
 * @returns a JavaScript expression
 */
export function optionsJs(options: Record<string, unknown>): string {
  return js(options).replace(/"caplab:open:(?:[^"\\]|\\.)*"/g, (lit) => `open(${JSON.stringify((JSON.parse(lit) as string).slice(OPEN_MARK.length))})`);
}

/**
 * The generated script's default base URL (what it uses unless `-e BASE_URL=...`): origin and path prefix as the
 * engine joins them (compile.ts compileStep).
 * @param spec validated spec
 * @returns the URL without a trailing slash, or '' when the spec has no baseUrl
 */
export function baseUrlOf(spec: Pick<ScenarioSpec, 'baseUrl'>): string {
  if (spec.baseUrl === undefined) return '';
  const base = new URL(spec.baseUrl);
  return `${base.origin}${base.pathname.replace(/\/$/, '')}`;
}

function js(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** Steps one per line: a flow reads top to bottom like the spec, not as hundreds of one-token lines. */
function stepsJs(steps: unknown[], indent: string): string {
  return steps.length === 0 ? '[]' : `[\n${steps.map((st) => `${indent}  ${JSON.stringify(st)},`).join('\n')}\n${indent}]`;
}

function flowsJs(flows: Record<string, unknown[]>): string {
  const entries = Object.entries(flows);
  return entries.length === 0 ? '{}' : `{\n${entries.map(([n, st]) => `  ${JSON.stringify(n)}: ${stepsJs(st, '  ')},`).join('\n')}\n}`;
}

function metricDecls(spec: ScenarioSpec): string {
  const seen = new Map<string, string>();
  const all = [...Object.values(spec.flows), ...(spec.setup ? [spec.setup] : [])];
  for (const f of all) {
    for (const s of f.steps ?? []) {
      for (const [name, m] of Object.entries(s.metrics)) {
        if (seen.has(name)) continue;
        const cls = { counter: 'Counter', gauge: 'Gauge', rate: 'Rate', trend: 'Trend' }[m.type];
        // k6 marks time trends with isTime; k6 has no "data" trend, so byte trends print as plain numbers.
        seen.set(name, `  ${JSON.stringify(name)}: new ${cls}(${JSON.stringify(name)}${m.type === 'trend' && m.value === 'duration' ? ', true' : ''}),`);
      }
    }
  }
  return `/** Custom metrics the steps record. @type {Record<string, import('k6/metrics').Counter | import('k6/metrics').Gauge | import('k6/metrics').Rate | import('k6/metrics').Trend>} */\nconst METRICS = {\n${[...seen.values()].join('\n')}\n};`;
}

/**
 * Builds the k6 script for a spec.
 * @param spec validated spec (parseScenarioSpec/parseScenarioText)
 * @param opts seed of the mix choices, users file name, summary file name
 * @returns the script text (an ES module for k6)
 * @throws {Error} when the spec's users need a file and `usersFile` is missing
 * @example buildK6Script(spec, { seed: 1, usersFile: 'users-singapore.ndjson' })
 */
export function buildK6Script(spec: ScenarioSpec, opts: K6ScriptOptions): string {
  if (spec.data.users !== undefined && opts.usersFile === undefined) {
    throw new Error(`buildK6Script: spec "${spec.name}" has users; pass the users file name (usersFile)`);
  }
  if (specHasFiles(spec) && opts.files === undefined) {
    throw new Error(`buildK6Script: spec "${spec.name}" names files of its own; pass their names beside the script (files)`);
  }
  const fnByFlow = execFunctionNames(spec);
  const flows: Record<string, unknown[]> = {};
  for (const [name, f] of Object.entries(spec.flows)) if (f.steps) flows[name] = flowSteps(name, f, spec.baseUrl, opts.seed);
  const perVu: Record<string, number> = {};
  const scenarios = spec.options.scenarios ?? {};
  for (const [name, sc] of Object.entries(scenarios)) {
    if (sc.executor === 'per-vu-iterations') perVu[name] = sc.iterations;
  }
  // No scenarios: k6 and the engine both run `default` as per-vu-iterations with 1 iteration per VU.
  if (Object.keys(scenarios).length === 0) perVu.default = 1;
  const usersFile = opts.usersFile;
  const summaryFile = opts.summaryFile ?? 'summary.json';
  const users = usersFile === undefined
    ? '/** No users in this spec: {{user.*}} fails as in the engine. @type {Record<string, unknown>[]} */\nconst caplabUsers = [];'
    : [
      '// The DC\'s users, parsed once and shared by all VUs. -e CAPLAB_USERS_FILES=a,b,... reads parts in order instead',
      '// (k6-operator mounts them when the file is over the ConfigMap limit); user i stays line i of the whole file.',
      `const USERS_FILES = (__ENV.CAPLAB_USERS_FILES || ${JSON.stringify(usersFile)}).split(',');`,
      '/** @type {Record<string, unknown>[]} */',
      'const caplabUsers = new SharedArray(\'caplab users\', function () {',
      '  /** @type {Record<string, unknown>[]} */',
      '  const out = [];',
      '  for (const f of USERS_FILES) {',
      '    for (const line of open(f).split(\'\\n\')) if (line.trim() !== \'\') out.push(JSON.parse(line));',
      '  }',
      '  return out;',
      '});',
    ].join('\n');
  const exports: string[] = [];
  if (spec.setup?.steps) {
    exports.push(`/** k6 setup(): the spec's setup flow; what it extracts becomes every VU's vars. */\nexport function setup() {\n  return caplabSetup(SETUP);\n}`);
  }
  for (const [flow, fn] of fnByFlow) {
    const head = fn === 'default' ? 'export default function (/** @type {unknown} */ data)' : `export function ${fn}(/** @type {unknown} */ data)`;
    exports.push(`/** Flow ${JSON.stringify(flow)}. */\n${head} {\n  caplabIteration(${JSON.stringify(flow)}, data);\n}`);
  }
  exports.push(handleSummaryJs(summaryFile));

  return [
    `// k6 script generated by \`caplab k6 build\` from scenario ${JSON.stringify(spec.name)} (caplab.scenario/v1).`,
    '// Regenerate it rather than editing it: the engine and this script must stay in step.',
    '// Run: k6 run script.js [-e BASE_URL=http://host:port] [--out json=points.ndjson]',
    'import http from \'k6/http\';',
    'import { check, group, sleep } from \'k6\';',
    'import { SharedArray } from \'k6/data\';',
    'import exec from \'k6/execution\';',
    'import { Counter, Gauge, Rate, Trend } from \'k6/metrics\';',
    RUNTIME_TYPES_JS,
    `/** k6 options from the spec. @type {import('k6/options').Options} */\nexport const options = ${optionsJs(k6Options(spec))};`,
    '',
    `/** Base URL of path steps; -e BASE_URL=... points the test elsewhere. */\nconst BASE_URL = (__ENV.BASE_URL || ${JSON.stringify(baseUrlOf(spec))}).replace(/\\/$/, '');`,
    '',
    users,
    '',
    filesJs(spec, opts),
    '',
    `/** Flows with steps (one step per line). @type {Record<string, CaplabStep[]>} */\nconst FLOWS = ${flowsJs(flows)};`,
    '',
    `/** The setup flow. @type {CaplabStep[]} */\nconst SETUP = ${stepsJs(spec.setup ? flowSteps('::setup', spec.setup, spec.baseUrl, opts.seed) : [], '')};`,
    '',
    `/** Mixes: seeded key (seed ${opts.seed}) and cumulative weight bounds. @type {Record<string, {key: number, choices: [string, number][]}>} */\nconst MIXES = ${js(mixData(spec, opts.seed))};`,
    '',
    `/** Iterations per VU of per-vu-iterations scenarios. @type {Record<string, number>} */\nconst PER_VU_ITERATIONS = ${js(perVu)};`,
    '',
    '/**',
    ' * Defaults of {{env.*}}: the spec\'s env. {{env.NAME}} reads __ENV.NAME first, which k6 fills from -e, the process',
    ' * environment and the scenario\'s env; no value from the environment is ever written here.',
    ` * @type {Record<string, string>} */\nconst SPEC_ENV = ${js(spec.env)};`,
    '',
    metricDecls(spec),
    RUNTIME_JS,
    TEXT_SUMMARY_JS,
    exports.join('\n\n'),
    '',
  ].join('\n');
}

/**
 * The script's own files: each file a step sends, opened once in the init context (open() is init-only in k6; every
 * VU holds its bytes as k6 does), and each data set as a SharedArray of its rows (JSON beside the script) with how
 * its rows are picked (the engine's data-rows.ts, seeded the same way).
 */
function filesJs(spec: ScenarioSpec, opts: K6ScriptOptions): string {
  const names = opts.files ?? { blobs: {}, data: {} };
  const blobs = Object.entries(names.blobs).map(([file, name]) => `  ${JSON.stringify(file)}: open(${JSON.stringify(name)}, 'b'),`);
  const sets = Object.entries(spec.data.sets ?? {});
  const data = sets.map(([set]) => `  ${JSON.stringify(set)}: new SharedArray(${JSON.stringify(`caplab data ${set}`)}, function () { return JSON.parse(open(${JSON.stringify(names.data[set] ?? `data-${set}.json`)})); }),`);
  const picks = Object.fromEntries(sets.map(([set, d]) => [set, { pick: d.pick, key: dataPickKey(d.seed ?? opts.seed, set) }]));
  return [
    `/** Files the steps send, read once in the init context. @type {Record<string, ArrayBuffer>} */\nconst CAPLAB_FILES = ${blobs.length === 0 ? '{}' : `{\n${blobs.join('\n')}\n}`};`,
    '',
    `/** Data sets ({{data.<set>.<column>}}): rows shared by all VUs. @type {Record<string, Record<string, unknown>[]>} */\nconst CAPLAB_DATA = ${data.length === 0 ? '{}' : `{\n${data.join('\n')}\n}`};`,
    '',
    `/** How each data set's row is picked (seed ${opts.seed} unless the set has its own). @type {Record<string, {pick: string, key: number}>} */\nconst CAPLAB_DATA_PICK = ${js(picks)};`,
  ].join('\n');
}
