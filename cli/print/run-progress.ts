/**
 * The live progress line of `caplab run` (k6's running line): elapsed time, running scenarios, VUs, iterations,
 * dropped iterations and request rate. Pure: the command decides when and where to draw it.
 */
import type { RunProgress } from '../../scenarios/engine/run.ts';

/**
 * Formats one progress line.
 * @param p live figures from the engine
 * @param rps requests per second since the previous line
 * @returns the line, without a newline
 * @example formatRunProgress(p, 1234) // "running (12.0s) peak: 20/40 VUs, 4211 complete iterations, 0 dropped, 1234 req/s"
 */
export function formatRunProgress(p: RunProgress, rps: number): string {
  const names = Object.keys(p.scenarios);
  let completed = 0;
  let dropped = 0;
  const running: string[] = [];
  for (const n of names) {
    const s = p.scenarios[n]!;
    completed += s.completed;
    dropped += s.dropped;
    if (s.vus > 0) running.push(n);
  }
  return `running (${(p.elapsedMs / 1000).toFixed(1)}s) ${running.join(',') || '-'}: ${p.vus}/${p.vusMax} VUs, ` +
    `${completed} complete iterations, ${dropped} dropped, ${Math.round(rps)} req/s`;
}

/**
 * Total requests so far, for computing the rate between two lines.
 * @param p live figures
 * @returns requests sent in all scenarios
 */
export function totalRequests(p: RunProgress): number {
  let n = 0;
  for (const s of Object.values(p.scenarios)) n += s.requests;
  return n;
}
