/**
 * The spec's own files as a k6 bundle needs them (`caplab k6 build`, `caplab run --runner k6`): each file a step
 * sends, under its name beside the script, and each data set's rows as JSON (`data-<set>.json`), which the script
 * reads into a SharedArray. Read and checked by the same reader as the engine's (cli/inputs/spec-files.ts).
 */
import { type Problem, ValidationError } from '../../models/errors.ts';
import { rowsOf } from '../../scenarios/data-files.ts';
import { type K6BundleNames, k6BundleNames, specHasFiles } from '../../scenarios/k6/bundle-files.ts';
import type { ScenarioSpec } from '../../scenarios/spec.ts';
import { readSpecFiles } from '../inputs/spec-files.ts';

/** The bundle's share of the spec's files. */
export interface SpecBundle {
  /** Where the script finds them. */
  names: K6BundleNames;
  /** Files to write beside the script: name and bytes. */
  files: { file: string; bytes: Uint8Array }[];
}

/**
 * Reads the spec's files for a k6 bundle.
 * @param spec validated spec
 * @param specPath its path (files are relative to it)
 * @param taken names the bundle already uses (script, users file, manifests)
 * @param problems collects every problem (listed with the others of the build rather than thrown)
 * @returns the bundle files, or undefined when the spec names none or they cannot be read
 */
export async function specBundleOf(spec: ScenarioSpec, specPath: string, taken: Iterable<string>, problems: Problem[]): Promise<SpecBundle | undefined> {
  if (!specHasFiles(spec)) return undefined;
  let files;
  try {
    files = await readSpecFiles(spec, specPath);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    problems.push(...err.problems);
    return undefined;
  }
  if (files === undefined) return undefined;
  const names = k6BundleNames(spec, taken);
  const out: SpecBundle['files'] = [];
  for (const [path, name] of Object.entries(names.blobs)) out.push({ file: name, bytes: files.blobs[path]! });
  for (const [set, name] of Object.entries(names.data)) out.push({ file: name, bytes: Buffer.from(JSON.stringify(rowsOf(files.data[set]!).all())) });
  return { names, files: out };
}
