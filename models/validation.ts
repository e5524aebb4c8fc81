import { z } from 'zod';
import { type Problem, ValidationError } from './errors.ts';

/** How many issues of one union alternative a message quotes. */
const ISSUES_PER_ALTERNATIVE = 2;

/**
 * The message of a union issue, which zod leaves as "Invalid input": what each alternative expected, with the first
 * issues of each (`expected string, received object; or steps: ...`), or the allowed values of a discriminator.
 * @param issue zod's raw issue for a union that nothing matched
 * @returns the message, or undefined to keep zod's
 */
export function unionMessage(issue: { errors?: readonly (readonly { path?: readonly PropertyKey[]; message: string; code?: string }[])[]; discriminator?: string; options?: readonly unknown[]; note?: string }): string | undefined {
  const alternatives = (issue.errors ?? []).filter((alt) => alt.length > 0);
  if (alternatives.length === 0) {
    if (issue.options && issue.options.length > 0) return `expected one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}`;
    return undefined;
  }
  const describe = (alt: readonly { path?: readonly PropertyKey[]; message: string }[]): string => {
    const parts = alt.slice(0, ISSUES_PER_ALTERNATIVE).map((i) => {
      const msg = i.message.replace(/^Invalid input: /, '');
      return i.path && i.path.length > 0 ? `${formatPath(i.path)}: ${msg}` : msg;
    });
    return `${parts.join(', ')}${alt.length > ISSUES_PER_ALTERNATIVE ? ` (+${alt.length - ISSUES_PER_ALTERNATIVE} more)` : ''}`;
  };
  if (alternatives.length === 1) return describe(alternatives[0]!);
  return `matches none of its ${alternatives.length} allowed forms: ${alternatives.map((alt, k) => `(${k + 1}) ${describe(alt)}`).join('; ')}`;
}

// Every zod issue of every schema gets its message here, so a union (a flow that is a file or an object, a duration
// that is a string or a number) says what it expected instead of "Invalid input", wherever it is formatted.
z.config({
  customError: (issue) => (issue.code === 'invalid_union' ? unionMessage(issue as Parameters<typeof unionMessage>[0]) : undefined),
});

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
 * @param source where the value came from, used as the prefix of each problem (e.g. `the world's countries (data/world.json)`)
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
