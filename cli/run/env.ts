/**
 * The environment `{{env.NAME}}` reads in `caplab run`, with k6's rules (cmd/runtime_options.go): the process
 * environment unless `--no-system-env` (k6's `--include-system-env-vars=false`), then `-e NAME=value` flags over it;
 * the engine puts both over the spec's `env` defaults and under a scenario's own `env` (scenarios/engine/run.ts envOf).
 * Only the variables the spec's templates name are taken from the process environment, so no other secret of the
 * shell travels into the run (worker threads, messages); none is ever written into a generated script, which reads
 * `__ENV` instead.
 */
import type { Problem } from '../../models/errors.ts';
import { ENV_NAME, type ScenarioSpec } from '../../scenarios/spec.ts';

/**
 * Parses `-e NAME=value` flags as k6 does: the text up to the first `=` is the name (no `=`: an empty value).
 * @param flags the flags' values, in order (a later one wins)
 * @returns the variables, and a problem for each name k6 would refuse
 * @example parseEnvFlags(['A=1', 'B=x=y']) // { env: { A: '1', B: 'x=y' }, problems: [] }
 */
export function parseEnvFlags(flags: readonly string[] | undefined): { env: Record<string, string>; problems: Problem[] } {
  const env: Record<string, string> = {};
  const problems: Problem[] = [];
  for (const kv of flags ?? []) {
    const at = kv.indexOf('=');
    const name = at < 0 ? kv : kv.slice(0, at);
    if (!ENV_NAME.test(name)) problems.push({ where: '--env', message: `invalid environment variable name ${JSON.stringify(name)} in "${kv}" (letters, digits and _, not starting with a digit)` });
    else env[name] = at < 0 ? '' : kv.slice(at + 1);
  }
  return { env, problems };
}

/**
 * The variables a spec's templates read (`{{env.NAME}}`), in its flows and setup.
 * @param spec validated spec
 * @returns names, sorted
 */
export function envNamesOf(spec: Pick<ScenarioSpec, 'flows' | 'setup'>): string[] {
  const text = JSON.stringify([spec.flows, spec.setup ?? null]);
  return [...new Set([...text.matchAll(/\{\{\s*env\.([A-Za-z_]\w*)\s*\}\}/g)].map((m) => m[1]!))].sort();
}

/**
 * The run's environment: the process's variables the spec reads (unless `systemEnv` is false), then `-e` flags.
 * @param spec validated spec
 * @param cliEnv parsed `-e` flags
 * @param systemEnv whether the process environment counts (`--no-system-env` makes it false)
 * @param processEnv the process environment
 * @returns name -> value
 */
export function runEnvOf(spec: Pick<ScenarioSpec, 'flows' | 'setup'>, cliEnv: Readonly<Record<string, string>>, systemEnv: boolean, processEnv: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  if (systemEnv) {
    for (const name of envNamesOf(spec)) {
      const v = processEnv[name];
      if (v !== undefined) out[name] = v;
    }
  }
  return { ...out, ...cliEnv };
}
