/**
 * Reading several inputs and reporting every problem at once: a read that fails with a validation or input error
 * adds its problems to a list instead of stopping the command, so one run names them all.
 */
import { type Problem, ValidationError } from '../models/errors.ts';
import { CliError } from './errors.ts';

/**
 * Runs a read, turning input errors into listed problems.
 * @param problems where problems go
 * @param where location to show when the error does not name one (usually the file)
 * @param f the read
 * @returns its value, or undefined when it failed with an input error
 * @throws whatever else it throws (bugs are not input problems)
 */
export async function collect<T>(problems: Problem[], where: string, f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof ValidationError) problems.push(...err.problems);
    else if (err instanceof CliError) {
      // Messages like "<file>:2: not valid JSON" already name the file: keep their location, do not repeat it.
      const i = err.message.startsWith(where) ? err.message.indexOf(': ', where.length) : -1;
      problems.push(i > 0 ? { where: err.message.slice(0, i), message: err.message.slice(i + 2) } : { where, message: err.message });
    }
    else if (err instanceof Error && /gzip|header check|unexpected end/i.test(err.message)) problems.push({ where, message: `cannot read: ${err.message}` });
    else throw err;
    return undefined;
  }
}
