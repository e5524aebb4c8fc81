/**
 * The error a stage raises for an input it cannot use as given (a flag combination, a quarter outside the forecast, a
 * data center without hardware): one line naming what is wrong. It carries no exit code; cli/errors.ts maps it to 104
 * (invalid input), as it maps models' ValidationError.
 */

/**
 * An input a stage cannot use, explained in one line.
 * @example throw new StageInputError('--select crps chooses by the backtest: add --backtest')
 */
export class StageInputError extends Error {
  override readonly name = 'StageInputError';
}
