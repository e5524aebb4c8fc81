/**
 * Names of the functions a caplab k6 module exports: one per flow (`default` for the flow named default, else
 * `flow_<name>`), which a scenario's `exec` names, and identifiers for names that need not be JavaScript ones.
 */
import type { ScenarioSpec } from '../spec.ts';

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
