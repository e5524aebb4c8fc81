/**
 * Progress display for long work: a cli-progress bar on a TTY (stderr, so stdout stays clean for data), and
 * nothing at all with --quiet or when stderr is not a terminal.
 */
import cliProgress from 'cli-progress';

/** A progress handle; every method is a no-op when progress is off. */
export interface Progress {
  /** Advances by `n` units. */
  increment(n?: number): void;
  /** Sets the absolute position. */
  update(value: number): void;
  /** Removes the bar. */
  stop(): void;
}

/**
 * Starts a progress bar when it should be shown.
 * @param label what is being done, e.g. "users"
 * @param total units of work
 * @param quiet true with --quiet
 * @param stream where to draw (default stderr)
 * @returns the handle
 */
export function startProgress(label: string, total: number, quiet: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (quiet || !stream.isTTY) return { increment() {}, update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`,
      hideCursor: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    increment: (n = 1) => bar.increment(n),
    update: (v) => bar.update(v),
    stop: () => bar.stop(),
  };
}
