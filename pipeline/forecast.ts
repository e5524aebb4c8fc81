/**
 * The forecast stage: fit the growth models to the shipment history and forecast shipments and active devices per
 * quarter, with the choices `caplab forecast` offers: the model (or `auto`), a rolling-origin backtest of every model,
 * choosing by the lowest mean backtest CRPS instead of AICc, and a prior on Bass p and q from analogue products. What
 * the user did not choose comes from data/defaults.json's `forecast` section. Values in, values out: the history and
 * the data files' contents are handed in.
 */
import { analoguePrior } from '../models/growth/analogue-prior.ts';
import type { Analogues } from '../models/growth/analogues.ts';
import { backtestGrowth, growthModelOf } from '../models/growth/backtest.ts';
import { buildForecast } from '../models/growth/forecast.ts';
import type { History } from '../models/growth/history.ts';
import type { GrowthModelName } from '../models/growth/model.ts';
import { MODEL_NAMES } from '../models/growth/select.ts';
import type { GrowthSettings, Regions } from '../models/growth/settings.ts';
import type { Forecast } from '../models/types.ts';
import { StageInputError } from './errors.ts';

/** What the user chose for the forecast; each choice left out takes its default. */
export interface ForecastChoices {
  /** Yearly shipments target, phones (default: defaults `target`). */
  target?: number;
  /** Last quarter to forecast, e.g. `2017Q4` (default: defaults `horizon`). */
  horizon?: string;
  /** Growth model, or `auto` (default: defaults `model`). */
  model?: GrowthModelName | 'auto';
  /** Monte Carlo draws for the p10/p50/p90 bands (default: defaults `draws`). */
  draws?: number;
  /** Also backtest every model on the history (rolling origin) and record the scores. */
  backtest?: boolean;
  /** How `auto` chooses: `aicc` (default) or `crps`, the lowest mean backtest CRPS (needs `backtest`). */
  select?: 'aicc' | 'crps';
  /** Fit Bass with a prior on p and q from the analogue products (and backtest it as bass+analogues). */
  analogues?: boolean;
}

/** data/defaults.json's `forecast` section. */
export interface ForecastDefaults {
  /** Yearly shipments target, phones. */
  target: number;
  /** Calendar year the target is set for. */
  targetYear: number;
  /** Last quarter, e.g. `2017Q4`. */
  horizon: string;
  model: GrowthModelName | 'auto';
  /** Monte Carlo draws. */
  draws: number;
}

/** What the forecast stage reads besides the user's choices. */
export interface ForecastData {
  /** The validated shipment history (data/history.json or the user's). */
  history: History;
  /** data/growth.json with its market-potential prior resolved. */
  growth: GrowthSettings;
  /** the world's countries (data/world.json). */
  regions: Regions;
  /** data/defaults.json `forecast`. */
  defaults: ForecastDefaults;
  /** data/analogues.json; read only under `analogues`, so a getter may load it on first use. */
  readonly analogues: Analogues;
}

/**
 * Forecasts shipments and active devices.
 * @param choices what the user chose (model, target, horizon, draws, backtest, select, analogues)
 * @param data history and data files
 * @param seed seed of the Monte Carlo draws and the backtest
 * @returns the forecast (with `backtest` when asked for)
 * @throws {StageInputError} on `select: 'crps'` without `backtest` or with a fixed model, a history too short to
 *   backtest, or analogues whose history does not identify Bass p and q
 * @throws {ValidationError} when the horizon does not lie after the history
 * @example forecastStage({ draws: 200 }, data, 1).quarters.length
 */
export function forecastStage(choices: ForecastChoices, data: ForecastData, seed: number): Forecast {
  const { defaults, history, growth: settings } = data;
  const model = choices.model ?? defaults.model;
  if (choices.select === 'crps' && !choices.backtest) throw new StageInputError('--select crps chooses by the backtest: add --backtest');
  if (choices.select === 'crps' && model !== 'auto') throw new StageInputError(`--select crps chooses among all models: drop --model ${model}`);
  const b = settings.backtest;
  if (choices.backtest && history.observations.length <= b.minPoints) {
    throw new StageInputError(`--backtest needs more than ${b.minPoints} periods of history (${history.source} has ${history.observations.length})`);
  }
  const analogues = choices.analogues ? analoguePriorOf(data) : undefined;
  const backtest = choices.backtest
    ? backtestGrowth(history, settings, { models: MODEL_NAMES, draws: b.draws, seed, maxAhead: b.maxAhead, minPoints: b.minPoints, ...(analogues ? { analogues } : {}) })
    : undefined;
  // Lowest mean CRPS; ties go to the earlier model (MODEL_NAMES, then bass+analogues).
  const byCrps = backtest && choices.select === 'crps' ? backtest.scores.reduce((a, x) => (x.crps < a.crps ? x : a)) : undefined;
  // Under analogues the Bass candidate carries the prior, unless the backtest chose plain Bass over it.
  const useAnalogues = analogues && byCrps?.model !== 'bass' ? analogues : undefined;
  const forecast = buildForecast({
    history,
    settings,
    regions: data.regions,
    ...(useAnalogues ? { analogues: useAnalogues } : {}),
    model: byCrps ? growthModelOf(byCrps.model) : model,
    target: choices.target ?? defaults.target,
    targetYear: defaults.targetYear,
    horizon: choices.horizon ?? defaults.horizon,
    draws: choices.draws ?? defaults.draws,
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
 * The analogue prior on Bass p and q.
 * @throws {StageInputError} when an analogue's history does not identify its p and q
 */
function analoguePriorOf(data: ForecastData): ReturnType<typeof analoguePrior> {
  try {
    return analoguePrior(data.analogues);
  } catch (err) {
    if (err instanceof RangeError) throw new StageInputError(`data/analogues.json: ${err.message}`);
    throw err;
  }
}
