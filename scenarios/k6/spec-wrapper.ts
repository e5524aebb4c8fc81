/**
 * The k6 wrapper input of a scenario spec whose flows are a team's k6 script's functions (`flows.<service>.k6`):
 * what `caplab run --runner k6` and a `runner: k6` campaign hand to {@link buildK6Wrapper}. Each k6 flow is a service
 * (its name is the flow's), the spec's mix flow `mixed` gives the services' iteration weights, and the spec's options
 * (probe / sweep / replay scenarios, tags, thresholds) replace the script's. Pure: the CLI reads the script's text.
 */
import type { Problem } from '../../models/errors.ts';
import { k6FlowsOf, type ScenarioSpec } from '../spec.ts';
import { scriptExports } from './script-exports.ts';
import { type K6WrapperInput, MIX_EXEC } from './wrapper.ts';

/**
 * The one k6 script a spec's k6 flows name (the wrapper imports one script).
 * @param spec validated spec
 * @returns the script path as written in the spec, or undefined when no flow is a k6 script's
 */
export function specK6Script(spec: ScenarioSpec): string | undefined {
  return k6FlowsOf(spec)[0]?.[1].script;
}

/**
 * Builds the wrapper input for a spec, listing every reason it cannot run as a wrapper.
 * @param spec validated spec with at least one k6 flow
 * @param source spec path, for messages
 * @param script the script's import specifier for the wrapper (absolute, or relative to where the wrapper is written)
 *   and its source text (to check the exec functions exist)
 * @param seed seed of the mix choices
 * @returns the input, or the problems (flows of steps next to k6 ones, two scripts, a mix not named `mixed`)
 */
export function specWrapperInput(spec: ScenarioSpec, source: string, script: { specifier: string; text: string }, seed: number): { input?: K6WrapperInput; problems: Problem[] } {
  const problems: Problem[] = [];
  const refs = k6FlowsOf(spec);
  const first = refs[0]?.[1].script;
  for (const [name, ref] of refs) {
    if (ref.script !== first) problems.push({ where: `${source}: flows.${name}.k6.script`, message: `names ${ref.script}, another script than ${first}: one run wraps one team script` });
  }
  const mixes = Object.entries(spec.flows).filter(([, f]) => f.mix !== undefined);
  for (const [name, f] of Object.entries(spec.flows)) {
    if (f.steps) problems.push({ where: `${source}: flows.${name}`, message: 'is steps, next to flows that are k6 script functions: under the k6 runner a spec is either caplab steps (a generated script) or one team script (a wrapper)' });
    if (f.mix && name !== MIX_EXEC) problems.push({ where: `${source}: flows.${name}`, message: `a wrapper runs one mix, named "${MIX_EXEC}"` });
  }
  if (mixes.length > 1) problems.push({ where: `${source}: flows`, message: `has ${mixes.length} mixes; a wrapper runs one, named "${MIX_EXEC}"` });
  let exports;
  try {
    exports = scriptExports(script.text, first ?? script.specifier);
  } catch (err) {
    problems.push({ where: first ?? script.specifier, message: `cannot read its exports: ${(err as Error).message}` });
  }
  if (problems.length > 0) return { problems };
  const weights = spec.flows[MIX_EXEC]?.mix ?? {};
  // In the mix's order, as the engine's mix picks (the same seeded draw picks the same service), then the rest.
  const rank = (name: string): number => { const i = Object.keys(weights).indexOf(name); return i < 0 ? Infinity : i; };
  const ordered = [...refs].sort((a, b) => rank(a[0]) - rank(b[0]));
  const input: K6WrapperInput = {
    script: script.specifier,
    services: ordered.map(([name, ref]) => ({ name, exec: ref.exec, weight: weights[name] ?? 0 })),
    options: spec.options,
    seed,
    label: spec.name,
    ...(exports ? { exports } : {}),
  };
  return { input, problems };
}
