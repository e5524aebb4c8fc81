/**
 * The flow k6's shortcut flags run. In k6, `--vus`/`--duration`/`--iterations` replace the scenarios with one that
 * runs the script's default function; a caplab spec may have no flow named `default` (the campaign's specs name
 * theirs `mixed`), so the shortcut runs, in order of preference:
 * 1. the `default` flow, when the spec has one (k6's rule);
 * 2. else the one flow every scenario of the spec executes (`exec`), which is what the spec's own run does;
 * 3. else a mix of the scenarios' flows with each scenario equally likely (a scenario running a mix contributes its
 *    flows by their weights), added to the spec as the `default` flow, so one run samples what the scenarios do.
 */
import type { ScenarioSpec } from '../spec.ts';

/**
 * Picks (or builds) the flow of a shortcut run; see the module comment for the rule.
 * @param spec validated spec
 * @returns the spec to run (with a `default` mix added in case 3, else unchanged) and the flow name to execute
 */
export function shortcutFlow(spec: ScenarioSpec): { spec: ScenarioSpec; exec: string } {
  if (spec.flows.default !== undefined) return { spec, exec: 'default' };
  const scenarios = Object.values(spec.options.scenarios ?? {});
  const execs = [...new Set(scenarios.map((s) => s.exec))].filter((name) => spec.flows[name] !== undefined);
  if (execs.length === 0) return { spec, exec: 'default' }; // nothing to run: planRun reports the missing flow
  if (execs.length === 1) return { spec, exec: execs[0]! };
  // Mixes do not nest: flatten each scenario's flow into step flows with their share.
  const mix: Record<string, number> = {};
  for (const s of scenarios) {
    const flow = spec.flows[s.exec];
    if (flow === undefined) continue;
    const parts: [string, number][] = flow.mix ? Object.entries(flow.mix) : [[s.exec, 1]];
    const total = parts.reduce((t, [, w]) => t + w, 0);
    for (const [name, w] of parts) mix[name] = (mix[name] ?? 0) + w / total;
  }
  return { spec: { ...spec, flows: { ...spec.flows, default: { mix } } }, exec: 'default' };
}
