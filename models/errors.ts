/**
 * Errors raised below the CLI. They carry data, not exit codes: cli/errors.ts maps them to exit codes.
 */
import { LIMITS } from './limits.ts';

/**
 * How many problems a {@link ValidationError} keeps: far more than a terminal shows (data/limits.json problemsShown),
 * few enough that callers may spread them into another list (`push(...problems)` overflows the stack past ~100k).
 */
export const PROBLEMS_KEPT = Math.max(1000, LIMITS.problemsShown);

/** One problem found while validating input: where it is (file, line or JSON path) and what is wrong. */
export interface Problem {
  /** Location, e.g. `history.csv:4` or `the world's countries (data/world.json): countries[2].share`. */
  where: string;
  /** What is wrong, naming the bad value. */
  message: string;
}

/**
 * Input or configuration that cannot be used, with every problem found (validation never stops at the first).
 * @example throw new ValidationError('history is invalid', [{ where: 'h.csv:3', message: 'shipments "-2" is negative' }])
 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  /** The problems found, in input order: all of them, or the first {@link PROBLEMS_KEPT} of a longer list. */
  readonly problems: Problem[];
  /** How many problems were found beyond {@link ValidationError.problems} (0 unless the list was cut). */
  readonly omitted: number;

  /**
   * @param summary one line saying what was being validated
   * @param problems every problem found; at least one
   */
  constructor(summary: string, problems: Problem[]) {
    super(`${summary}: ${problems.length.toLocaleString('en-US')} problem${problems.length === 1 ? '' : 's'}`);
    this.problems = problems.length > PROBLEMS_KEPT ? problems.slice(0, PROBLEMS_KEPT) : problems;
    this.omitted = problems.length - this.problems.length;
  }
}
