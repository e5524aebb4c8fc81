/** What every command receives from cli/main.ts. */

/** Global flags (`--out-dir`, `--seed`, `--quiet`, `--verbose`). */
export interface GlobalOptions {
  /** Directory for output files. */
  outDir: string;
  /** Seed for all randomness. */
  seed: number;
  /** No progress display and no chatter. */
  quiet: boolean;
  /** Stack traces and extra detail. */
  verbose: boolean;
}

/** A command's inputs: positional arguments, its own options, and the global ones. */
export interface CommandContext<O = Record<string, unknown>> {
  /** Positional arguments in order. */
  args: string[];
  /** The command's own options as commander parsed them. */
  opts: O;
  /** Global options. */
  global: GlobalOptions;
}

/** A command module's entry point: resolves to the process exit code. */
export type CommandRun<O = Record<string, unknown>> = (ctx: CommandContext<O>) => Promise<number>;
