/**
 * A team's own k6 script, planned unchanged: the source of a wrapper module that imports the script and exports
 * caplab's load (probe / sweep / replay scenarios, step tags) with the script's other options and caplab's thresholds
 * beside its own, one function per catalog service calling the script's exec function, a `mixed` dispatcher picking
 * a service per iteration by weight, setup/teardown passed through, and caplab's handleSummary. Services may come
 * from several modules (`modules`): other team scripts, and caplab's generated script of a spec's step flows (a
 * catalog mixing services of both kinds); each module's setup runs, and its functions and teardown get its own data.
 * Pure: input in, text out.
 *
 * The script's own options. k6 reads `options` from the entry module's exports only (js/bundle.go getExports), once,
 * in the init context, and any object computed there is as valid as a literal. So the wrapper imports the script,
 * reads `script.options` at init and exports their merge with caplab's ({@link WRAPPER_REPLACED_OPTIONS}: the load and
 * its schedule are caplab's, dropped from the script's; thresholds are merged per metric, both lists applying; tags
 * merged, caplab's winning on a clash; summaryTrendStats merged; an option both set otherwise takes caplab's value;
 * every other option of the script (TLS, hosts, dns, userAgent, insecureSkipTLSVerify, discardResponseBodies,
 * noConnectionReuse, maxRedirects, batch, setupTimeout, ...) is kept as the script set it).
 * Which options were replaced and which kept cannot be known before the script runs (it is arbitrary JavaScript,
 * `options` may be computed from __ENV or files), so the wrapper says it itself, at init, with console.warn (k6 logs
 * it on stderr as `level=warning ... source=console`): once per k6 process, from a SharedArray's callback, which k6
 * runs only for the first init context that builds the array (js/modules/k6/data/data.go sharedArrays.get), not again for every VU
 * and for setup, teardown and handleSummary; nothing when the script sets no options, or with `-e CAPLAB_QUIET=1`
 * (what `caplab run --quiet` passes). On k6-operator each runner pod (and the initializer) says it once.
 *
 * What else k6 does that this relies on (js/runner.go Setup/Teardown):
 * - the script's handleSummary is not re-exported (caplab's writes the summary caplab reads); its init code runs in
 *   every VU, as k6 runs every imported module's.
 * - an exported `setup` or `teardown` that is not a function (e.g. `export const setup = user.setup` when the
 *   script has none, i.e. undefined) fails the test at load ("exported 'setup' must be a function"), so both are
 *   always functions here that call the script's when it has one. A setup returning undefined means "no data"
 *   to k6, exactly as without a setup, so `data` reaches exec functions and teardown unchanged.
 * - VU-wide tags (`exec.vu.metrics.tags`, k6 >= 0.45; `exec.vu.tags` since 0.35) are added to every metric the VU
 *   emits from then on and persist across its iterations, so each iteration sets `service` before calling the
 *   script: the script's requests carry `service:<name>` in the NDJSON, where caplab's per-service figures read it.
 */
import { type Problem, ValidationError } from '../../models/errors.ts';
import { streamKey } from '../../models/random.ts';
import type { ScenarioSpec } from '../spec.ts';
import { handleSummaryJs } from './handle-summary-js.ts';
import { ITERATION_NUMBER_JS, MIX_HASH_JS } from './runtime-js.ts';
import type { ScriptExports } from './script-exports.ts';
import { prefixedIdentifier } from './exec-names.ts';
import { k6OptionsOf, optionsJs } from './options.ts';
import { TEXT_SUMMARY_JS } from './summary-js.ts';
import { MERGE_OPTIONS_JS, WRAPPER_REPLACED_OPTIONS } from './wrapper-options.ts';

/** One catalog service the run serves. */
export interface K6WrapperService {
  /** Catalog service name: the `service` tag of what its iterations emit, and a scenario `exec` naming it. */
  name: string;
  /** The module's exported function making one use of the service (`default` for its default export). */
  exec: string;
  /**
   * Share of the `mixed` scenarios' iterations (any non-negative scale; 0: only scenarios naming the service run
   * it). One iteration is one use: when demand counts requests, divide by the requests one use makes.
   */
  weight: number;
  /** Specifier of the module exporting `exec`: the input's `script` (the default) or one of its `modules`. */
  module?: string;
}

/** A further module services' functions come from. */
export interface K6WrapperModule {
  /** Import specifier, relative to where the wrapper is written (`./`, `../` or absolute). */
  specifier: string;
  /** What it exports ({@link scriptExports}); when given, an exec it does not export is a problem. */
  exports?: ScriptExports;
  /**
   * caplab's own generated module of the spec's step flows (script.ts): its `options` are caplab's, not a team's,
   * so they are not merged, and the note does not name it.
   */
  generated?: boolean;
}

/** Input of {@link buildK6Wrapper}. */
export interface K6WrapperInput {
  /** Import specifier of the team's script, relative to where the wrapper is written (`./`, `../` or absolute). */
  script: string;
  /** The services, in catalog order (the mix's order, as in the engine). */
  services: readonly K6WrapperService[];
  /** caplab's validated options; a scenario's `exec` is `mixed` or a service name. */
  options: ScenarioSpec['options'];
  /** Seed of the mix choices (the campaign's `--seed`). */
  seed: number;
  /** Where handleSummary writes the summary JSON unless `-e CAPLAB_SUMMARY=...` (default `summary.json`). */
  summaryFile?: string;
  /** What the script exports ({@link scriptExports}); when given, an exec it does not export is a problem. */
  exports?: ScriptExports;
  /**
   * Further modules: other team scripts, and caplab's generated module of the spec's step flows when services of
   * caplab steps run beside the script's (a campaign mixing catalog services of both kinds).
   */
  modules?: readonly K6WrapperModule[];
  /** What to call the run in the header comment (e.g. the scenario spec's name). */
  label?: string;
}

/** The scenario `exec` that runs the weighted mix, as in caplab's scenario builder. */
export const MIX_EXEC = 'mixed';
/** Exports of a module that cannot serve as an iteration: options is data, the rest are k6 lifecycle hooks. */
const NOT_EXEC = new Set(['options', 'setup', 'teardown', 'handleSummary']);
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function js(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** Exported function name per service name (stable: catalog order). */
function serviceFunctions(services: readonly K6WrapperService[]): Map<string, string> {
  const taken = new Set([...NOT_EXEC, MIX_EXEC, 'default']);
  const out = new Map<string, string>();
  for (const s of services) {
    if (out.has(s.name)) continue;
    const fn = prefixedIdentifier('service_', s.name, taken);
    taken.add(fn);
    out.set(s.name, fn);
  }
  return out;
}

/** Every module of the input: the script first, then `modules` in order. */
function modulesOf(input: K6WrapperInput): K6WrapperModule[] {
  return [{ specifier: input.script, ...(input.exports ? { exports: input.exports } : {}) }, ...(input.modules ?? [])];
}

/** Problems of one import specifier. */
function specifierProblem(s: string): string | undefined {
  if (!/^(\.\.?\/|\/|file:\/\/|https?:\/\/)/.test(s)) return `${JSON.stringify(s)} is not an import specifier k6 resolves to a file: start it with ./, ../ or /`;
  if (/['\\\n\r]/.test(s)) return `${JSON.stringify(s)} holds a quote, backslash or line break; rename the file`;
  return undefined;
}

/**
 * Every problem with a wrapper's input, each with its path.
 * @param input see {@link K6WrapperInput}
 * @returns problems in input order; empty when the wrapper can be built
 * @example validateK6Wrapper({ script: 'team.js', ... }) // [{ where: 'script', message: '"team.js" ...' }]
 */
export function validateK6Wrapper(input: K6WrapperInput): Problem[] {
  const problems: Problem[] = [];
  const scriptProblem = specifierProblem(input.script);
  if (scriptProblem) problems.push({ where: 'script', message: scriptProblem });
  const specifiers = new Set([input.script]);
  (input.modules ?? []).forEach((m, i) => {
    const bad = specifierProblem(m.specifier);
    if (bad) problems.push({ where: `modules[${i}].specifier`, message: bad });
    else if (specifiers.has(m.specifier)) problems.push({ where: `modules[${i}].specifier`, message: `${m.specifier} is imported twice` });
    specifiers.add(m.specifier);
  });
  const bySpecifier = new Map(modulesOf(input).map((m) => [m.specifier, m]));
  if (input.services.length === 0) problems.push({ where: 'services', message: 'needs at least one service' });
  const seen = new Set<string>();
  input.services.forEach((svc, i) => {
    const where = `services[${i}]`;
    if (svc.name === '') problems.push({ where: `${where}.name`, message: 'is empty' });
    else if (seen.has(svc.name)) problems.push({ where: `${where}.name`, message: `"${svc.name}" is listed twice` });
    else if (svc.name === MIX_EXEC) problems.push({ where: `${where}.name`, message: `"${MIX_EXEC}" is the scenario exec of the weighted mix; give the service another name` });
    seen.add(svc.name);
    const mod = bySpecifier.get(svc.module ?? input.script);
    if (mod === undefined) problems.push({ where: `${where}.module`, message: `${svc.module} is neither the script nor one of the modules` });
    const exported = mod?.exports;
    const from = mod?.specifier ?? input.script;
    if (!IDENTIFIER.test(svc.exec)) {
      problems.push({ where: `${where}.exec`, message: `${JSON.stringify(svc.exec)} is not a JavaScript function name` });
    } else if (NOT_EXEC.has(svc.exec)) {
      problems.push({ where: `${where}.exec`, message: `"${svc.exec}" is the script's ${svc.exec === 'options' ? 'options object' : `${svc.exec}() hook`}, not a function k6 can iterate; name the function one use of "${svc.name}" runs` });
    } else if (exported && !exported.names.includes(svc.exec) && exported.reExportsAllFrom.length === 0) {
      const fns = exported.names.filter((n) => !NOT_EXEC.has(n));
      problems.push({ where: `${where}.exec`, message: `${from} exports no "${svc.exec}" (${fns.length > 0 ? `it exports ${fns.map((n) => `"${n}"`).join(', ')}` : 'it exports no function to run'})` });
    }
    if (!(Number.isFinite(svc.weight) && svc.weight >= 0)) problems.push({ where: `${where}.weight`, message: `${svc.weight} is not a finite number >= 0` });
  });
  const mixWeight = input.services.reduce((t, x) => t + (Number.isFinite(x.weight) && x.weight > 0 ? x.weight : 0), 0);
  const scenarios = Object.entries(input.options.scenarios ?? {});
  if (scenarios.length === 0) problems.push({ where: 'options.scenarios', message: 'needs at least one scenario (the wrapper exports no default function for k6 to run on its own)' });
  const names = input.services.map((x) => x.name);
  for (const [name, sc] of scenarios) {
    const where = `options.scenarios.${name}.exec`;
    if (sc.exec === MIX_EXEC) {
      if (!(mixWeight > 0)) problems.push({ where, message: `"${MIX_EXEC}" needs a service with a weight > 0` });
    } else if (!names.includes(sc.exec)) {
      problems.push({ where, message: `"${sc.exec}" is neither "${MIX_EXEC}" nor a service (${names.map((n) => `"${n}"`).join(', ')})` });
    }
  }
  return problems;
}

/**
 * The wrapper module's source.
 * @param input script specifier, services, caplab's options, seed, summary file, the script's exports, further modules
 * @returns an ES module for `k6 run` (plain JavaScript with JSDoc types, checked by tsc against @types/k6)
 * @throws {ValidationError} listing every problem of the input at once (see {@link validateK6Wrapper})
 * @example buildK6Wrapper({ script: './checkout.js', seed: 1, options: spec.options,
 *   services: [{ name: 'checkout', exec: 'checkout', weight: 3 }, { name: 'search', exec: 'default', weight: 1 }] })
 */
export function buildK6Wrapper(input: K6WrapperInput): string {
  const problems = validateK6Wrapper(input);
  if (problems.length > 0) throw new ValidationError(`k6 wrapper of ${input.script} is invalid`, problems);
  const modules = modulesOf(input);
  const index = new Map(modules.map((m, i) => [m.specifier, i]));
  const fnOf = serviceFunctions(input.services);
  const fnByExec = new Map([[MIX_EXEC, MIX_EXEC], ...fnOf]);
  const services = Object.fromEntries(input.services.map((s) => [s.name, { module: index.get(s.module ?? input.script)!, exec: s.exec }]));
  const mixed = input.services.filter((s) => s.weight > 0);
  const total = mixed.reduce((t, s) => t + s.weight, 0);
  let acc = 0;
  const mix = { key: streamKey(input.seed, `mix:${MIX_EXEC}`), choices: mixed.map((s) => { acc += s.weight; return [s.name, acc / total]; }) };
  const perVu: Record<string, number> = {};
  for (const [name, sc] of Object.entries(input.options.scenarios ?? {})) if (sc.executor === 'per-vu-iterations') perVu[name] = sc.iterations;
  const label = input.label === undefined ? '' : ` for ${JSON.stringify(input.label)}`;
  const alias = (i: number): string => (i === 0 ? 'user' : `module${i}`);
  const teams = modules.flatMap((m, i) => (m.generated ? [] : [`{ name: ${JSON.stringify(m.specifier)}, options: MODULES[${i}].options }`]));
  const generated = modules.find((m) => m.generated);

  const exports = [
    [
      '/**',
      ' * k6 setup(): each module\'s own setup when it has one; what module i\'s returns is the `data` its functions and its',
      ' * teardown get (key i: a setup returning undefined leaves its key out, so they get undefined, as without one).',
      ' * @returns {Record<string, unknown>}',
      ' */',
      'export function setup() {',
      '  /** @type {Record<string, unknown>} */',
      '  const data = {};',
      '  MODULES.forEach(function (m, i) { if (typeof m.setup === \'function\') data[i] = m.setup(); });',
      '  return data;',
      '}',
    ].join('\n'),
    [
      '/** k6 teardown(): each module\'s own teardown when it has one, with its setup\'s data. @param {any} data */',
      'export function teardown(data) {',
      '  MODULES.forEach(function (m, i) { if (typeof m.teardown === \'function\') m.teardown(data ? data[i] : undefined); });',
      '}',
    ].join('\n'),
    ...[...fnOf].map(([service, fn]) => [
      `/** Service ${JSON.stringify(service)}: one use is ${modules[services[service]!.module]!.specifier}'s ${services[service]!.exec}(). @param {any} data */`,
      `export function ${fn}(data) {`,
      `  return caplabUse(${JSON.stringify(service)}, data);`,
      '}',
    ].join('\n')),
    [
      '/** The weighted mix: the service of this iteration, from its test-wide number and the seed. @param {any} data */',
      `export function ${MIX_EXEC}(data) {`,
      '  return caplabUse(caplabPickService(caplabIterationNumber()), data);',
      '}',
    ].join('\n'),
    handleSummaryJs(input.summaryFile ?? 'summary.json'),
  ];
  const teamNames = modules.filter((m) => !m.generated).map((m) => m.specifier).join(', ');

  return [
    `// k6 wrapper generated by caplab${label}: it runs the team's k6 script${teamNames.includes(', ') ? 's' : ''} ${teamNames} unchanged under caplab's scenarios.`,
    '// Regenerate it rather than editing it.',
    '//',
    '// The script is imported, so its init code runs in every VU as it would on its own. k6 reads `options` only from',
    '// the entry module (this file): the options exported below are the script\'s own, less its load (scenarios, vus,',
    '// duration, iterations, stages, execution segments, rps, paused), merged with caplab\'s (probe / sweep / replay',
    '// scenarios, their step tags, thresholds applied beside the script\'s, tags). Its `handleSummary` is not re-exported.',
    ...(generated ? [`// Services described as caplab steps run from ${generated.specifier}, caplab's generated script of them.`] : []),
    '// Each iteration tags everything its VU emits with `service:<name>` (k6/execution VU tags).',
    '// Run: k6 run wrapper.js [--out json=points.ndjson] [-e CAPLAB_SUMMARY=summary.json]',
    'import { SharedArray } from \'k6/data\';',
    'import exec from \'k6/execution\';',
    ...modules.map((m, i) => `import * as ${alias(i)} from '${m.specifier}';`),
    '',
    '// The modules\' exports looked up by name: their own types are their authors\' business, not this check\'s.',
    '/** @type {Record<string, any>[]} */',
    `const MODULES = [${modules.map((_, i) => alias(i)).join(', ')}];`,
    '',
    `/** caplab's options: the load (scenarios, step tags), thresholds, tags. @type {Record<string, any>} */\nconst CAPLAB_OPTIONS = ${optionsJs(k6OptionsOf(input.options, fnByExec))};`,
    '',
    `/** The script's options that caplab's replace: the load and its schedule. */\nconst REPLACED_OPTIONS = ${JSON.stringify(WRAPPER_REPLACED_OPTIONS)};`,
    MERGE_OPTIONS_JS,
    `const caplabMerged = caplabMergeOptions([${teams.join(', ')}], CAPLAB_OPTIONS);`,
    '',
    '/** k6\'s options: the script\'s own, less its load, merged with caplab\'s. @type {import(\'k6/options\').Options} */',
    'export const options = caplabMerged.options;',
    '',
    '// Said once per k6 process: k6 runs a SharedArray\'s callback only for the first init context that builds it.',
    'new SharedArray(\'caplab options note\', function () {',
    '  if (caplabMerged.note === \'\' || __ENV.CAPLAB_QUIET === \'1\') return [];',
    '  // @ts-ignore: k6 provides console (logged as level=warning source=console); @types/k6 does not declare it.',
    '  console.warn(caplabMerged.note);',
    '  return [];',
    '});',
    '',
    `/** The modules' import specifiers, for messages. */\nconst MODULE_NAMES = ${JSON.stringify(modules.map((m) => m.specifier))};`,
    '',
    `/** Service -> the module and the exported function one use of it runs. @type {Record<string, {module: number, exec: string}>} */\nconst SERVICES = ${js(services)};`,
    '',
    '// A missing function fails the init (k6 exits before the first iteration) rather than every iteration.',
    'for (const name of Object.keys(SERVICES)) {',
    '  const s = SERVICES[name];',
    '  if (typeof MODULES[s.module][s.exec] !== \'function\') {',
    '    throw new Error(\'service \' + name + \': \' + MODULE_NAMES[s.module] + \' exports no function \' + s.exec);',
    '  }',
    '}',
    '',
    `/** The mix: seeded key (seed ${input.seed}) and cumulative weight bounds per service. @type {{key: number, choices: [string, number][]}} */\nconst MIX = ${js(mix)};`,
    '',
    `/** Iterations per VU of per-vu-iterations scenarios. @type {Record<string, number>} */\nconst PER_VU_ITERATIONS = ${js(perVu)};`,
    MIX_HASH_JS,
    ITERATION_NUMBER_JS.trimStart(),
    '/** The service a mix iteration runs: the first whose cumulative bound is above the hashed unit value. @param {number} iteration */',
    'function caplabPickService(iteration) {',
    '  const u = caplabToUnit(caplabHash32(MIX.key, iteration));',
    '  for (const c of MIX.choices) if (u < c[1]) return c[0];',
    '  return MIX.choices[MIX.choices.length - 1][0];',
    '}',
    '',
    '/**',
    ' * One use of a service: tag the VU first (the tag outlives the call, so iteration metrics carry it too), then',
    ' * run its module\'s function with that module\'s setup data and return what it returns (a promise, for an async',
    ' * one, which k6 then awaits).',
    ' * @param {string} service @param {any} data',
    ' */',
    'function caplabUse(service, data) {',
    '  // exec.vu.metrics.tags since k6 0.45; exec.vu.tags (deprecated) before.',
    '  const tags = exec.vu.metrics ? exec.vu.metrics.tags : exec.vu.tags;',
    '  tags.service = service;',
    '  const s = SERVICES[service];',
    '  return MODULES[s.module][s.exec](data ? data[s.module] : undefined);',
    '}',
    TEXT_SUMMARY_JS,
    exports.join('\n\n'),
    '',
  ].join('\n');
}
