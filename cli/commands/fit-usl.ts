/**
 * `caplab fit usl <file.csv> [--json]`: fit the Universal Scalability Law to measured throughput and print σ, κ,
 * λ, N*, X(N*) and r2 (with 95% bounds), or with --json exactly {sigma, kappa, lambda, nStar, xMax, r2}.
 * Writes nothing.
 */
import { parseUslCsv } from '../../models/capacity/usl-csv.ts';
import { fitUsl, type UslFit, uslSummary } from '../../models/capacity/usl.ts';
import type { CommandRun } from '../context.ts';
import { EXIT } from '../errors.ts';
import { readTextInput } from '../io.ts';

/** Options of `caplab fit usl` as commander parses them. */
export interface FitUslOptions {
  /** Print the JSON object instead of the text summary. */
  json: boolean;
}

/**
 * The text summary of a fit. Pure.
 * @param fit USL fit
 * @param source where the points came from (file name)
 * @returns lines ending with a newline
 * @example renderUslFit(fit, 'probe.csv') // "USL fit of probe.csv: 11 points at 11 concurrency levels\n..."
 */
export function renderUslFit(fit: UslFit, source: string): string {
  const ci = fit.confidence;
  const pct = ci ? `${Math.round(ci.level * 100)}%` : '';
  const bounds = (k: 'sigma' | 'kappa' | 'lambda'): string => (ci ? `   ${pct} [${num(ci[k].lower)}, ${num(ci[k].upper)}]` : '');
  const lines = [
    `USL fit of ${source}: ${fit.n} points at ${fit.levels} concurrency levels, X(N) = λN / (1 + σ(N−1) + κN(N−1))`,
    `  sigma   ${num(fit.sigma).padEnd(12)} contention${bounds('sigma')}`,
    `  kappa   ${num(fit.kappa).padEnd(12)} coherency${bounds('kappa')}`,
    `  lambda  ${num(fit.lambda).padEnd(12)} throughput per unit of concurrency at low load${bounds('lambda')}`,
  ];
  if (Number.isFinite(fit.nStar)) {
    lines.push(`  nStar   ${num(fit.nStar).padEnd(12)} concurrency of peak throughput, sqrt((1−σ)/κ)`);
    lines.push(`  xMax    ${num(fit.xMax).padEnd(12)} peak throughput X(nStar); more concurrency lowers throughput`);
  } else if (Number.isFinite(fit.xMax)) {
    lines.push(`  nStar   ${'infinite'.padEnd(12)} kappa = 0: no retrograde region (Amdahl's law)`);
    lines.push(`  xMax    ${num(fit.xMax).padEnd(12)} asymptote λ/σ, approached but never reached`);
  } else {
    lines.push(`  nStar   ${'infinite'.padEnd(12)} sigma = kappa = 0: linear scaling over the measured range`);
    lines.push(`  xMax    ${'infinite'.padEnd(12)} no ceiling in the data`);
  }
  lines.push(`  r2      ${fit.r2.toFixed(4).padEnd(12)} residual sd ${num(fit.residualSd)} on ${fit.dof} degrees of freedom`);
  if (!ci) lines.push('  (no confidence bounds: 3 points leave no residual degrees of freedom)');
  else lines.push(`  bounds: estimate ± t(${fit.dof})·se, se from s²(J'J)⁻¹; lower bounds clipped at 0`);
  return `${lines.join('\n')}\n`;
}

/** Four significant digits, without exponent noise for ordinary magnitudes. */
function num(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e7 ? String(Number(v.toPrecision(4))) : v.toExponential(3);
}

/** Runs `caplab fit usl`. */
export const run: CommandRun<FitUslOptions> = async ({ args, opts }) => {
  const file = args[0]!;
  const fit = fitUsl(parseUslCsv(await readTextInput(file, 'USL data file'), file));
  process.stdout.write(opts.json ? `${JSON.stringify(uslSummary(fit), null, 2)}\n` : renderUslFit(fit, file));
  return EXIT.ok;
};
