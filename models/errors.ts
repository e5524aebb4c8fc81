/**
 * Errors raised below the CLI. They carry data, not exit codes: cli/errors.ts maps them to exit codes.
 */

/** One problem found while validating input: where it is (file, line or JSON path) and what is wrong. */
export interface Problem {
  /** Location, e.g. `history.csv:4` or `data/regions.json: countries[2].share`. */
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
  /** Every problem found, in input order. */
  readonly problems: Problem[];

  /**
   * @param summary one line saying what was being validated
   * @param problems every problem found; at least one
   */
  constructor(summary: string, problems: Problem[]) {
    super(`${summary}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    this.problems = problems;
  }
}
