/**
 * Scenario spec -> a real k6 script (ES module text). The script imports k6/http, k6 (check, group, sleep), k6/data
 * (SharedArray over the users file and the spec's data sets; the files steps send are open()ed in the init context and
 * sent as ArrayBuffers or `http.file` multipart parts, with k6's per-VU cookie jar and `cookies` params), k6/execution (test-wide VU and iteration numbers) and k6/metrics (custom
 * metrics); exports `options` built from the spec (options.ts), `setup` when the spec has one, one function per flow
 * (`default` for the flow named default, exec-names.ts) and a `handleSummary` that writes summary.json and prints
 * caplab's text summary with the printer embedded (no remote imports). The flows are emitted as data (flow-data.ts)
 * and run by the embedded runtime (runtime-js.ts), which keeps the engine's semantics. Pure: spec in, text out.
 */
import { dataPickKey } from '../engine/data-rows.ts';
import { specHasFiles, type K6BundleNames } from './bundle-files.ts';
import type { ScenarioSpec } from '../spec.ts';
import { execFunctionNames } from './exec-names.ts';
import { flowSteps, mixData } from './flow-data.ts';
import { k6Options, optionsJs } from './options.ts';
import { RUNTIME_JS, RUNTIME_TYPES_JS } from './runtime-js.ts';
import { WS_RUNTIME_JS, WS_TYPES_JS, wsImportJs } from './ws-runtime-js.ts';
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
    wsImportJs(usesWs(spec)),
    RUNTIME_TYPES_JS,
    WS_TYPES_JS,
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
    WS_RUNTIME_JS,
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

/** Whether any step of the spec (its flows or setup) opens a WebSocket session. */
function usesWs(spec: ScenarioSpec): boolean {
  return [...Object.values(spec.flows), ...(spec.setup ? [spec.setup] : [])].some((f) => (f.steps ?? []).some((st) => st.ws !== undefined));
}
