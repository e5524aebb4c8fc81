/**
 * The k6 wrapper input of a scenario spec whose flows include a team's k6 script's functions (`flows.<service>.k6`):
 * what `caplab run --runner k6`, `caplab k6 build` and a `runner: k6` campaign hand to {@link buildK6Wrapper}. Each
 * flow is a service (its name is the flow's): a k6 flow runs its script's function, a flow of caplab steps runs from
 * caplab's own generated script of the spec's step flows ({@link stepFlowsSpec}, imported by the wrapper beside the
 * team scripts), so a campaign's catalog may mix services of both kinds, and of several scripts. The spec's mix flow
 * `mixed` gives the services' iteration weights, and the spec's options (probe / sweep / replay scenarios, tags,
 * thresholds) replace the scripts' load. Pure: the CLI reads the scripts' text.
 */
import type { Problem } from '../../models/errors.ts';
import { k6FlowsOf, type ScenarioSpec } from '../spec.ts';
import { execFunctionNames } from './exec-names.ts';
import { scriptExports } from './script-exports.ts';
import { type K6WrapperInput, type K6WrapperModule, MIX_EXEC } from './wrapper.ts';

/**
 * The k6 scripts a spec's k6 flows name, each once, in flow order.
 * @param spec validated spec
 * @returns the scripts as written in the spec (empty when no flow is a k6 script's)
 */
export function specK6Scripts(spec: ScenarioSpec): string[] {
  return [...new Set(k6FlowsOf(spec).map(([, ref]) => ref.script))];
}

/**
 * The first k6 script a spec's k6 flows name: whether the spec runs as a wrapper.
 * @param spec validated spec
 * @returns the script path as written in the spec, or undefined when no flow is a k6 script's
 */
export function specK6Script(spec: ScenarioSpec): string | undefined {
  return specK6Scripts(spec)[0];
}

/**
 * The part of a spec caplab's generated script runs beside a wrapper: its flows of steps and its setup, with the
 * spec's options (the scenario names, per-VU iterations and scenario env its runtime reads) and data.
 * @param spec validated spec
 * @returns the spec reduced to its step flows, or undefined when it has neither step flows nor a setup
 */
export function stepFlowsSpec(spec: ScenarioSpec): ScenarioSpec | undefined {
  const flows = Object.fromEntries(Object.entries(spec.flows).filter(([, f]) => f.steps !== undefined));
  if (Object.keys(flows).length === 0 && spec.setup === undefined) return undefined;
  return { ...spec, flows };
}

/** A team script as the CLI read it. */
export interface WrappedScript {
  /** Its import specifier for the wrapper (absolute, or relative to where the wrapper is written). */
  specifier: string;
  /** Its source text (to check the exec functions exist). */
  text: string;
}

/**
 * Builds the wrapper input for a spec, listing every reason it cannot run as a wrapper.
 * @param spec validated spec with at least one k6 flow
 * @param source spec path, for messages
 * @param scripts each script the spec names (as written, see {@link specK6Scripts}) -> its specifier and text
 * @param seed seed of the mix choices
 * @param steps the import specifier of caplab's generated script of {@link stepFlowsSpec}, when the spec has one
 * @returns the input, or the problems (a mix not named `mixed`, a script missing from `scripts` or unreadable)
 */
export function specWrapperInput(spec: ScenarioSpec, source: string, scripts: ReadonlyMap<string, WrappedScript>, seed: number, steps?: string): { input?: K6WrapperInput; problems: Problem[] } {
  const problems: Problem[] = [];
  const mixes = Object.entries(spec.flows).filter(([, f]) => f.mix !== undefined);
  for (const [name, f] of Object.entries(spec.flows)) {
    if (f.mix && name !== MIX_EXEC) problems.push({ where: `${source}: flows.${name}`, message: `a wrapper runs one mix, named "${MIX_EXEC}"` });
  }
  if (mixes.length > 1) problems.push({ where: `${source}: flows`, message: `has ${mixes.length} mixes; a wrapper runs one, named "${MIX_EXEC}"` });
  const stepSpec = stepFlowsSpec(spec);
  if (stepSpec && steps === undefined) problems.push({ where: `${source}: flows`, message: 'has flows of caplab steps beside k6 script functions: give the module of caplab\'s steps' });
  const modules = new Map<string, K6WrapperModule>();
  for (const script of specK6Scripts(spec)) {
    const got = scripts.get(script);
    if (got === undefined) {
      problems.push({ where: `${source}: flows`, message: `the k6 script ${script} was not read` });
      continue;
    }
    try {
      modules.set(script, { specifier: got.specifier, exports: scriptExports(got.text, script) });
    } catch (err) {
      problems.push({ where: script, message: `cannot read its exports: ${(err as Error).message}` });
    }
  }
  if (problems.length > 0) return { problems };
  const fnOfStep = stepSpec ? execFunctionNames(stepSpec) : new Map<string, string>();
  const weights = spec.flows[MIX_EXEC]?.mix ?? {};
  // Services: every flow but the mix, in the mix's order, as the engine's mix picks (the same seeded draw picks the
  // same service), then the rest in flow order.
  const rank = (name: string): number => { const i = Object.keys(weights).indexOf(name); return i < 0 ? Infinity : i; };
  const flows = Object.entries(spec.flows).filter(([, f]) => f.mix === undefined).sort((a, b) => rank(a[0]) - rank(b[0]));
  const [first, ...rest] = [...modules.values()];
  const stepModule: K6WrapperModule | undefined = stepSpec && steps !== undefined
    ? { specifier: steps, exports: { names: [...fnOfStep.values()], reExportsAllFrom: [] }, generated: true }
    : undefined;
  const input: K6WrapperInput = {
    script: first!.specifier,
    ...(first!.exports ? { exports: first!.exports } : {}),
    ...(rest.length > 0 || stepModule ? { modules: [...rest, ...(stepModule ? [stepModule] : [])] } : {}),
    services: flows.map(([name, f]) => (f.k6
      ? { name, exec: f.k6.exec, weight: weights[name] ?? 0, module: modules.get(f.k6.script)!.specifier }
      : { name, exec: fnOfStep.get(name)!, weight: weights[name] ?? 0, module: steps! })),
    options: spec.options,
    seed,
    label: spec.name,
  };
  return { input, problems };
}
