/**
 * `caplab forecast`: fit the growth models, forecast shipments and active devices per quarter with p10/p50/p90
 * bands, print the table and write <out-dir>/forecast.json (or print the JSON with --json and write nothing).
 * `--backtest` also scores every model by rolling origin on the history (models/growth/backtest.ts); `--analogues` fits
 * Bass with a prior on p and q from data/analogues.json (models/growth/analogue-prior.ts). The market-potential prior
 * always comes from data/market.json through data/growth.json's assumptions (cli/data.ts loadGrowthSettings).
 */
import { join } from 'node:path';
import type { GrowthModelName } from '../../models/growth/model.ts';
import { analoguePrior } from '../../models/growth/analogue-prior.ts';
import { AnaloguesSchema } from '../../models/growth/analogues.ts';
import { backtestGrowth, growthModelOf } from '../../models/growth/backtest.ts';
import { buildForecast } from '../../models/growth/forecast.ts';
import { MODEL_NAMES } from '../../models/growth/select.ts';
import { RegionsSchema } from '../../models/growth/settings.ts';
import type { Forecast } from '../../models/types.ts';
import type { CommandRun } from '../context.ts';
import { loadData, loadDefaults, loadGrowthSettings } from '../data.ts';
import { EXIT, InputError } from '../errors.ts';
import { loadHistory } from '../inputs/history.ts';
import { writeFileAtomic } from '../io.ts';
import { renderBacktest, renderForecast } from '../print/forecast.ts';

/** Options of `caplab forecast` as commander parses them. */
export interface ForecastOptions {
  target?: number;
  horizon?: string;
  model: GrowthModelName | 'auto';
  history?: string;
  draws?: number;
  /** Also backtest every model on the history (rolling origin) and record the scores in forecast.json. */
  backtest?: boolean;
  /** How to choose the model under `--model auto`: `aicc` (default) or `crps`, the lowest mean backtest CRPS. */
  select?: 'aicc' | 'crps';
  /** Fit Bass with a prior on p and q from the analogue products of data/analogues.json (and backtest it as bass+analogues). */
  analogues?: boolean;
  json: boolean;
}

/**
 * Computes the forecast from flags and data/ defaults (shared with commands that need a forecast in memory).
 * @param opts forecast options
 * @param seed seed
 * @returns the forecast
 * @throws {ValidationError} on bad history, data files or horizon
 */
export async function computeForecast(opts: Partial<ForecastOptions>, seed: number): Promise<Forecast> {
  const defaults = loadDefaults();
  const history = await loadHistory(opts.history);
  const settings = loadGrowthSettings();
  const model = opts.model ?? defaults.forecast.model;
  if (opts.select === 'crps' && !opts.backtest) throw new InputError('--select crps chooses by the backtest: add --backtest');
  if (opts.select === 'crps' && model !== 'auto') throw new InputError(`--select crps chooses among all models: drop --model ${model}`);
  const b = settings.backtest;
  if (opts.backtest && history.observations.length <= b.minPoints) {
    throw new InputError(`--backtest needs more than ${b.minPoints} periods of history (${history.source} has ${history.observations.length})`);
  }
  const analogues = opts.analogues ? analoguePriorFromData() : undefined;
  const backtest = opts.backtest
    ? backtestGrowth(history, settings, { models: MODEL_NAMES, draws: b.draws, seed, maxAhead: b.maxAhead, minPoints: b.minPoints, ...(analogues ? { analogues } : {}) })
    : undefined;
  // Lowest mean CRPS; ties go to the earlier model (MODEL_NAMES, then bass+analogues).
  const byCrps = backtest && opts.select === 'crps' ? backtest.scores.reduce((a, x) => (x.crps < a.crps ? x : a)) : undefined;
  // Under --analogues the Bass candidate carries the prior, unless the backtest chose plain Bass over it.
  const useAnalogues = analogues && byCrps?.model !== 'bass' ? analogues : undefined;
  const forecast = buildForecast({
    history,
    settings,
    regions: loadData('regions.json', RegionsSchema),
    ...(useAnalogues ? { analogues: useAnalogues } : {}),
    model: byCrps ? growthModelOf(byCrps.model) : model,
    target: opts.target ?? defaults.forecast.target,
    targetYear: defaults.forecast.targetYear,
    horizon: opts.horizon ?? defaults.forecast.horizon,
    draws: opts.draws ?? defaults.forecast.draws,
    seed,
  });
  if (!backtest) return forecast;
  const rule = byCrps
    ? `lowest mean backtest CRPS (${backtest.scores.map((x) => `${x.model} ${x.crps.toFixed(3)}`).join(', ')})`
    : undefined;
  return {
    ...forecast,
    ...(rule ? { model: { ...forecast.model, selection: rule } } : {}),
    backtest: { selection: rule ? `chosen by the backtest: ${rule}` : `${forecast.model.selection}; the backtest scores are reported beside it, not used to choose`, draws: b.draws, ...backtest },
  };
}

/**
 * The analogue prior on Bass p and q from data/analogues.json.
 * @returns the prior
 * @throws {ValidationError} when data/analogues.json is invalid
 * @throws {InputError} when an analogue's history does not identify its p and q
 */
function analoguePriorFromData(): ReturnType<typeof analoguePrior> {
  const data = loadData('analogues.json', AnaloguesSchema);
  try {
    return analoguePrior(data);
  } catch (err) {
    if (err instanceof RangeError) throw new InputError(`data/analogues.json: ${err.message}`);
    throw err;
  }
}

/**
 * Serialises a forecast exactly as forecast.json holds it (stable key order, trailing newline).
 * @param f forecast
 * @returns JSON text
 */
export function forecastJson(f: Forecast): string {
  return `${JSON.stringify(f, null, 2)}\n`;
}

/** Runs `caplab forecast`. */
export const run: CommandRun<ForecastOptions> = async ({ opts, global }) => {
  const forecast = await computeForecast(opts, global.seed);
  const json = forecastJson(forecast);
  if (opts.json) {
    process.stdout.write(json);
    return EXIT.ok;
  }
  const path = join(global.outDir, 'forecast.json');
  await writeFileAtomic(path, json);
  process.stdout.write(renderForecast(forecast));
  if (forecast.backtest) process.stdout.write(`\n${renderBacktest(forecast.backtest)}`);
  if (!global.quiet) process.stdout.write(`\nwrote ${path}\n`);
  return EXIT.ok;
};
