import type { z } from 'zod';
import { type Problem, ValidationError } from './errors.ts';

/**
 * Formats a JSON path the way our messages show it: `countries[2].share`.
 * @param path zod issue path (keys and indexes)
 * @returns the dotted path, or `(root)` for an empty path
 */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/**
 * Validates `value` against a zod schema and returns the parsed data, or throws with ALL problems.
 * @param schema the zod schema
 * @param value the untrusted value (parsed JSON or YAML)
 * @param source where the value came from, used as the prefix of each problem (e.g. `data/regions.json`)
 * @throws {ValidationError} listing every issue zod found, each with its JSON path
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, source: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems: Problem[] = result.error.issues.map((issue) => ({
    where: `${source}: ${formatPath(issue.path)}`,
    message: issue.message,
  }));
  throw new ValidationError(`${source} is invalid`, problems);
}
