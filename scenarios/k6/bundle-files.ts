/**
 * Names of the spec's own files in a k6 bundle (the directory of a generated script, and its k6-operator ConfigMap):
 * every file a step sends keeps its base name, data sets become `data-<set>.json` (their rows as JSON, which the
 * script reads into a SharedArray: one parser for CSV and JSON alike, and no CSV parser in the script). Names are
 * ConfigMap keys (`[-._a-zA-Z0-9]`, anything else becomes `_`) and unique (`-2`, `-3` before the extension), clear of
 * the bundle's other files. Pure: spec in, names out.
 */
import { defaultFilename, fileRefsOf } from '../spec-files.ts';
import type { ScenarioSpec } from '../spec.ts';

/** Where the script finds each file. */
export interface K6BundleNames {
  /** A sent file's path as the spec writes it -> its name beside the script. */
  blobs: Record<string, string>;
  /** A data set's name -> the JSON file of its rows beside the script. */
  data: Record<string, string>;
}

function unique(name: string, taken: Set<string>): string {
  const clean = name.replace(/[^-._a-zA-Z0-9]/g, '_').replace(/^\.+/, '_') || 'file';
  const dot = clean.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [clean.slice(0, dot), clean.slice(dot)] : [clean, ''];
  let out = clean;
  for (let i = 2; taken.has(out.toLowerCase()); i++) out = `${stem}-${i}${ext}`;
  taken.add(out.toLowerCase());
  return out;
}

/**
 * The bundle names of a spec's files.
 * @param spec validated spec
 * @param taken names the bundle already uses (script, users file, manifests)
 * @returns the names
 * @example k6BundleNames(spec, ['script.js']).blobs['photos/beach.jpg'] // 'beach.jpg'
 */
export function k6BundleNames(spec: ScenarioSpec, taken: Iterable<string>): K6BundleNames {
  const used = new Set([...taken].map((t) => t.toLowerCase()));
  const out: K6BundleNames = { blobs: {}, data: {} };
  for (const name of Object.keys(spec.data.sets ?? {})) out.data[name] = unique(`data-${name}.json`, used);
  for (const ref of fileRefsOf(spec)) {
    if (ref.kind === 'blob' && out.blobs[ref.file] === undefined) out.blobs[ref.file] = unique(defaultFilename(ref.file), used);
  }
  return out;
}

/**
 * Whether a spec names files of its own (then the script needs {@link K6BundleNames}).
 * @param spec validated spec
 * @returns true when a step sends a file or the spec has data sets
 */
export function specHasFiles(spec: ScenarioSpec): boolean {
  return fileRefsOf(spec).length > 0;
}
