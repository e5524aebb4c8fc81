/**
 * The forecast's priors, the same cells in report.md and report.html: the market-potential prior of m (median, p90,
 * the basis in one phrase, which models used it) and, under `caplab forecast --analogues`, the analogue prior on Bass
 * p and q (each analogue's fitted p and q, the prior's medians and spreads, which models used it). Pure; reads the
 * basis defensively because forecast.json records it as free-form data.
 */
import type { ForecastPriors } from '../../models/types.ts';
import { NONE } from './format.ts';
import { Z90 } from '../../models/normal-quantile.ts';

/** Header of the priors table. */
export const PRIORS_HEADER = ['prior', 'value', 'basis', 'used by'];
/** Header of the analogues table. */
export const PRIOR_ANALOGUES_HEADER = ['analogue', 'maker', 'periods', 'Bass p (1/year)', 'Bass q (1/year)'];

/** Said when no candidate fixed m from the market prior. */
export const MARKET_PRIOR_UNUSED = 'no model needed it: every model identified m from the history';

/**
 * A phone count in millions or billions with 3 significant digits.
 * @param v phones
 * @returns e.g. `651M`, `1.04B`, or {@link NONE}
 */
export function phones(v: number | null | undefined): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return NONE;
  return Math.abs(v) >= 1e9 ? `${Number((v / 1e9).toPrecision(3))}B` : `${Number((v / 1e6).toPrecision(3))}M`;
}

/** A coefficient with 2 significant digits (`0.0079`, `0.76`, `1.0`). */
function coef(v: number): string {
  if (!Number.isFinite(v)) return NONE;
  return Math.abs(v) >= 10 ? v.toFixed(0) : v.toPrecision(2);
}

/** A share as a percentage without trailing zeros (`5%`, `8.5%`). */
function share(v: number): string {
  return `${Number((v * 100).toPrecision(4))}%`;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** Years as `2014`, `2013-2014` (consecutive) or `2012, 2014`. */
function years(ys: number[]): string {
  const s = [...ys].sort((a, b) => a - b);
  if (s.length === 1) return String(s[0]);
  const consecutive = s.every((y, i) => i === 0 || y === s[i - 1]! + 1);
  return consecutive ? `${s[0]}-${s[s.length - 1]}` : s.join(', ');
}

/**
 * The market-potential prior's basis in one phrase.
 * @param basis forecast.json `priors.marketPotential.basis`
 * @returns e.g. `5% (p90 8%) of IDC's 2014 world shipments over 10 years`; as much of it as the basis holds
 */
export function marketPriorBasis(basis: Readonly<Record<string, unknown>>): string {
  const sh = (basis.share ?? {}) as Record<string, unknown>;
  const median = num(sh.median);
  const p90 = num(sh.p90);
  const publisher = str(basis.publisher);
  const market = str(basis.market);
  // "shipments (sell-in), IDC Worldwide Quarterly Mobile Phone Tracker" -> "shipments".
  const measure = str(basis.measure)?.split(/[(,;]/)[0]?.trim() || 'sales';
  const figures = Array.isArray(basis.figures) ? basis.figures : [];
  const ys = figures.map((f) => num((f as Record<string, unknown>)?.year)).filter((y): y is number => y !== undefined);
  const lifetime = num(basis.lifetimeYears);
  const whose = publisher ? `${publisher}'s ` : '';
  let what: string;
  if (ys.length === 0) what = `${whose}${market ? `${market} ` : ''}${measure}`.trim() || str(basis.series) || 'the market';
  else if (ys.length === 1) what = `${whose}${ys[0]} ${market ? `${market} ` : ''}${measure}`;
  else what = `${whose}${market ? `${market} ` : ''}${measure} (yearly mean of ${years(ys)})`;
  const head = median === undefined ? 'a share' : `${share(median)}${p90 === undefined ? '' : ` (p90 ${share(p90)})`}`;
  return `${head} of ${what}${lifetime === undefined ? '' : ` over ${lifetime} years`}`;
}

/**
 * The figures the market prior was derived from, with their sources, each a sentence.
 * @param basis forecast.json `priors.marketPotential.basis`
 * @returns e.g. `2014: 1,301.1M, per IDC press release, 2015-01-29 (...): 1,301.1 million in 2014.`, or null when
 *   none are recorded
 */
export function marketPriorFigures(basis: Readonly<Record<string, unknown>>): string | null {
  const figures = Array.isArray(basis.figures) ? (basis.figures as Record<string, unknown>[]) : [];
  const parts = figures.flatMap((f) => {
    const year = num(f?.year);
    const units = num(f?.units);
    if (year === undefined || units === undefined) return [];
    const source = str(f.source);
    const text = `${year}: ${(units / 1e6).toLocaleString('en-US', { maximumFractionDigits: 1 })}M${source ? `, per ${source}` : ''}`;
    return [/[.!?]$/.test(text) ? text : `${text}.`];
  });
  return parts.length > 0 ? parts.join(' ') : null;
}

/** A lognormal coefficient prior: median, sd of its log and the p10-p90 it implies. */
function coefPrior(name: string, x: { median: number; sdLn: number }): string {
  const lo = x.median * Math.exp(-Z90 * x.sdLn);
  const hi = x.median * Math.exp(Z90 * x.sdLn);
  return `median ${coef(x.median)}, sd of ln ${name} ${x.sdLn.toFixed(2)} (p10-p90 ${coef(lo)}-${coef(hi)})`;
}

/**
 * Rows of the priors table: the market prior of m, and the analogue prior's p and q when recorded.
 * @param p forecast.json's priors
 * @returns one row per prior
 */
export function priorRows(p: ForecastPriors): string[][] {
  const mp = p.marketPotential;
  const rows = [[
    'market potential m (phones)',
    `median ${phones(mp.median)}, p90 ${phones(mp.p90)}`,
    marketPriorBasis(mp.basis ?? {}),
    mp.usedBy.length > 0 ? `${mp.usedBy.join(', ')} (m fixed from the prior)` : MARKET_PRIOR_UNUSED,
  ]];
  const a = p.bassAnalogues;
  if (a) {
    const basis = `geometric mean and spread of ${a.analogues.length} analogues' Bass fits (${a.analogues.map((x) => x.maker || x.id).join(', ')})`;
    const used = a.usedBy.length > 0
      ? `${a.usedBy.join(', ')} (MAP fit${a.noiseSd !== null && a.noiseSd !== undefined ? `, data weighed by log residual sd ${a.noiseSd.toFixed(2)}` : ''})`
      : 'no model used it (no Bass candidate fitted)';
    rows.push(['Bass p (analogues)', coefPrior('p', a.p), basis, used]);
    rows.push(['Bass q (analogues)', coefPrior('q', a.q), basis, used]);
  }
  return rows;
}

/**
 * Rows of the analogues table (empty without an analogue prior).
 * @param p forecast.json's priors
 * @returns one row per analogue
 */
export function priorAnalogueRows(p: ForecastPriors): string[][] {
  return (p.bassAnalogues?.analogues ?? []).map((x) => [x.id, x.maker ?? NONE, x.periods === undefined ? NONE : String(x.periods), coef(x.p), coef(x.q)]);
}
