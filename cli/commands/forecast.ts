/**
 * `caplab forecast`: fit the growth models, forecast shipments and active devices per quarter with p10/p50/p90
 * bands, print the table and write <out-dir>/forecast.json (or print the JSON with --json and write nothing).
 * `--backtest` also scores every model by rolling origin on the history (models/growth/backtest.ts); `--analogues` fits
 * Bass with a prior on p and q from data/analogues.json (models/growth/analogue-prior.ts). The market-potential prior
 * always comes from data/market.json through data/growth.json's assumptions (cli/data.ts loadGrowthSettings).
 * The forecast itself is pipeline/forecast.ts, fed by cli/chain.ts.
 */
import { join } from 'node:path';
import type { GrowthModelName } from '../../models/growth/model.ts';
import type { Forecast } from '../../models/types.ts';
import { FORECAST } from '../../pipeline/layout.ts';
import { computeForecast } from '../chain.ts';
import type { CommandRun } from '../context.ts';
import { EXIT } from '../errors.ts';
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
  const path = join(global.outDir, FORECAST);
  await writeFileAtomic(path, json);
  process.stdout.write(renderForecast(forecast));
  if (forecast.backtest) process.stdout.write(`\n${renderBacktest(forecast.backtest)}`);
  if (!global.quiet) process.stdout.write(`\nwrote ${path}\n`);
  return EXIT.ok;
};
