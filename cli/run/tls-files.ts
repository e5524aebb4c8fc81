/**
 * The files a spec's `options.tlsAuth` names (`certFile`, `keyFile`, relative to the spec): read here, at the CLI's
 * edge, so the engine gets PEM text and the k6 script an absolute path to `open()`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Problem } from '../../models/errors.ts';
import type { ScenarioSpec } from '../../scenarios/spec.ts';
import { withTlsAuthFiles } from '../../scenarios/transport-options.ts';

/**
 * The spec with its tlsAuth files read (paths made absolute, PEM text in `cert` / `key`).
 * @param spec validated spec
 * @param specPath its file (paths are relative to its directory)
 * @param problems receives a file that cannot be read or is not a matching PEM certificate and key, with its JSON path
 * @returns the spec (the same object when it names no files)
 */
export function readTlsAuthFiles(spec: ScenarioSpec, specPath: string, problems: Problem[]): ScenarioSpec {
  const dir = dirname(resolve(specPath));
  const r = withTlsAuthFiles(spec.options, ['options'], (p) => resolve(dir, p), (p) => readFileSync(p, 'utf8'));
  for (const p of r.problems) problems.push({ where: `${specPath}: ${p.where}`, message: p.message });
  return r.options === spec.options ? spec : { ...spec, options: r.options };
}
