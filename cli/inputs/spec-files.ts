/**
 * The one reader of the files a scenario spec names (scenarios/spec-files.ts): bodies and multipart parts sent from
 * files, and data sets (CSV with a header row, or a JSON array of objects). Paths are relative to the spec. Every file
 * is checked before anything runs, all problems at once, each naming the field (JSON path) that names the file or the
 * file's bad line: a missing or unreadable file, one over data/limits.json `specFileBytes` (or all of them over
 * `specFilesTotalBytes`), a bad CSV row, a JSON data set that is not an array of objects, a `{{data.<set>.<column>}}`
 * whose column the file does not have. Used by both runners: the engine gets the contents (shared memory, so worker
 * threads read one copy), k6 gets them as files beside its script.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type Problem, ValidationError } from '../../models/errors.ts';
import { formatBytes, LIMITS } from '../../models/limits.ts';
import { formatPath } from '../../models/validation.ts';
import { packRows, parseCsvRows, parseJsonRows, type ParsedRows } from '../../scenarios/data-files.ts';
import { dataFormatOf, dataKeysOf, fileRefsOf, type SpecFiles } from '../../scenarios/spec-files.ts';
import type { ScenarioSpec } from '../../scenarios/spec.ts';

/** Why a file cannot be read, in words. */
function failure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : code === 'EACCES' ? 'permission denied' : code;
}

/**
 * Reads every file the spec names.
 * @param spec validated spec
 * @param specPath its path (files are relative to its directory; problems are prefixed with it)
 * @returns the contents, or undefined when the spec names no file
 * @throws {ValidationError} listing every problem (exit 104)
 */
export async function readSpecFiles(spec: ScenarioSpec, specPath: string): Promise<SpecFiles | undefined> {
  const refs = fileRefsOf(spec);
  if (refs.length === 0) return undefined;
  const problems: Problem[] = [];
  const at = (path: (string | number)[]): string => `${specPath}: ${formatPath(path)}`;
  const dir = dirname(specPath);
  // Sizes first: nothing is read when a file is missing or too large, and the total is known before any read.
  const sizes = new Map<string, number>();
  let total = 0;
  for (const ref of refs) {
    const path = resolve(dir, ref.file);
    if (sizes.has(path)) continue;
    try {
      const st = await stat(path);
      if (st.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
      if (st.size > LIMITS.specFileBytes) {
        problems.push({ where: at(ref.at), message: `${ref.file} is ${formatBytes(st.size)}, over the limit of ${formatBytes(LIMITS.specFileBytes)} for one file (data/limits.json specFileBytes)` });
        sizes.set(path, -1);
        continue;
      }
      sizes.set(path, st.size);
      total += st.size;
    } catch (err) {
      problems.push({ where: at(ref.at), message: `cannot read ${ref.file} (${path}): ${failure(err)}` });
      sizes.set(path, -1);
    }
  }
  if (total > LIMITS.specFilesTotalBytes) {
    problems.push({ where: specPath, message: `its files are ${formatBytes(total)} together, over the limit of ${formatBytes(LIMITS.specFilesTotalBytes)} (data/limits.json specFilesTotalBytes)` });
    throw new ValidationError(`${specPath}: its files cannot be used`, problems);
  }
  // The files that can be read are read and checked even when others cannot: every problem at once.
  const usable = (path: string): boolean => (sizes.get(path) ?? -1) >= 0;

  const files: SpecFiles = { blobs: {}, data: {} };
  const bytesOf = new Map<string, Uint8Array>();
  const read = async (path: string): Promise<Uint8Array> => {
    let b = bytesOf.get(path);
    if (b === undefined) {
      const buf = await readFile(path);
      // On shared memory: worker threads get this very copy (structured clone shares a SharedArrayBuffer).
      b = new Uint8Array(new SharedArrayBuffer(Math.max(1, buf.length)), 0, buf.length);
      b.set(buf);
      bytesOf.set(path, b);
    }
    return b;
  };
  for (const ref of refs) {
    if (ref.kind === 'blob' && usable(resolve(dir, ref.file))) files.blobs[ref.file] = await read(resolve(dir, ref.file));
  }
  for (const [name, set] of Object.entries(spec.data.sets ?? {})) {
    const path = resolve(dir, set.file);
    if (!usable(path)) continue;
    const raw = Buffer.from(await readFile(path));
    const text = raw.toString('utf8').replace(/^\uFEFF/, '');
    const parsed: ParsedRows = dataFormatOf(set) === 'csv' ? parseCsvRows(text, path, LIMITS.problemsShown) : parseJsonRows(text, path, LIMITS.problemsShown);
    for (const p of parsed.problems) problems.push({ where: p.where, message: `data set "${name}" (data.sets.${name}): ${p.message}` });
    if (parsed.problems.length > 0) continue;
    const columns = parsed.columns !== null ? new Set(parsed.columns) : new Set(parsed.rows.flatMap((r) => Object.keys(r)));
    for (const k of dataKeysOf(spec)) {
      if (k.set === name && !columns.has(k.column)) {
        problems.push({ where: at(k.at), message: `{{data.${k.set}.${k.column}}}: ${set.file} has no column "${k.column}"${parsed.columns ? ` (its header: ${parsed.columns.join(', ')})` : ''}` });
      }
    }
    files.data[name] = packRows(parsed);
  }
  if (problems.length > 0) throw new ValidationError(`${specPath}: its files cannot be used`, problems);
  return files;
}
