/**
 * Typed CLI errors and the one mapping from any thrown value to an exit code and a message.
 * Exit codes follow k6 where k6 has one (docs/cli.md lists them).
 */
import { ValidationError } from '../models/errors.ts';
import { LIMITS } from '../models/limits.ts';
import { StageInputError } from '../pipeline/errors.ts';

/** Exit codes shared by every command. */
export const EXIT = {
  ok: 0,
  internal: 1,
  thresholdsCrossed: 99,
  invalidInput: 104,
  interrupted: 105,
  scriptOrOutput: 107,
} as const;

/** An error the CLI expects and explains in one line, with the exit code it maps to. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  /** Process exit code for this error. */
  readonly exitCode: number;

  /**
   * @param message one line for the user, naming what is wrong and where
   * @param exitCode one of {@link EXIT}
   */
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Bad flags, arguments, files or config: exit 104 (k6's "invalid config"). */
export class InputError extends CliError {
  override readonly name = 'InputError';
  /** @param message what is wrong and where (file, line or JSON path) */
  constructor(message: string) {
    super(message, EXIT.invalidInput);
  }
}

/** The run was stopped by SIGINT/SIGTERM after writing what it could: exit 105. */
export class InterruptedError extends CliError {
  override readonly name = 'InterruptedError';
  /** @param message what was interrupted */
  constructor(message = 'interrupted') {
    super(message, EXIT.interrupted);
  }
}

/** Setup code or writing outputs failed, or the runner itself (k6 ended with a code of its own, or was killed): exit 107. */
export class ScriptError extends CliError {
  override readonly name = 'ScriptError';
  /** @param message what failed */
  constructor(message: string) {
    super(message, EXIT.scriptOrOutput);
  }
}

/**
 * Exit code for any thrown value: typed errors keep theirs, validation errors and a stage's input errors are invalid input (104),
 * commander's usage errors are 104 (help and version are 0), anything else is an internal failure (1).
 * @param err the thrown value
 * @returns the process exit code
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof ValidationError || err instanceof StageInputError) return EXIT.invalidInput;
  if (isCommanderError(err)) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
    // `caplab help` exits 0; help shown because the command was missing exits non-zero.
    if (err.code === 'commander.help') return err.exitCode === 0 ? EXIT.ok : EXIT.invalidInput;
    return EXIT.invalidInput;
  }
  return EXIT.internal;
}

/**
 * The text to print for an error: one line, plus one line per validation problem up to `maxProblems` and then
 * `... and N more` (a file with thousands of bad rows must not print thousands of lines); the stack only when verbose.
 * Every command's error printing goes through here.
 * @param err the thrown value
 * @param verbose whether to append the stack trace
 * @param maxProblems how many problems to list (default data/limits.json `problemsShown`)
 * @returns text without a trailing newline
 */
export function formatError(err: unknown, verbose: boolean, maxProblems: number = LIMITS.problemsShown): string {
  const lines: string[] = [];
  if (err instanceof ValidationError) {
    lines.push(`caplab: ${err.message}`);
    for (const p of err.problems.slice(0, maxProblems)) lines.push(`  ${p.where}: ${p.message}`);
    const more = err.problems.length + err.omitted - Math.min(maxProblems, err.problems.length);
    if (more > 0) lines.push(`  ... and ${more.toLocaleString('en-US')} more`);
  } else if (err instanceof CliError || err instanceof StageInputError) {
    lines.push(`caplab: ${err.message}`);
  } else if (err instanceof Error) {
    lines.push(`caplab: internal error: ${err.message.split('\n')[0] ?? ''}`);
    if (!verbose) lines.push('  (run again with --verbose for the stack trace)');
  } else {
    lines.push(`caplab: internal error: ${String(err)}`);
  }
  if (verbose && err instanceof Error && err.stack) lines.push(err.stack);
  return lines.join('\n');
}

interface CommanderLikeError {
  code: string;
  exitCode: number;
}

function isCommanderError(err: unknown): err is CommanderLikeError {
  return err instanceof Error && typeof (err as Partial<CommanderLikeError>).code === 'string' &&
    (err as Partial<CommanderLikeError>).code!.startsWith('commander.');
}
