/**
 * `caplab forecast`: fit the growth models, forecast shipments and active devices per quarter with p10/p50/p90
 * bands, print the table and write <out-dir>/forecast.json (or print the JSON with --json and write nothing).
 */
import { join } from 'node:path';
import type { GrowthModelName } from '../../models/growth/model.ts';
import { buildForecast } from '../../models/growth/forecast.ts';
import { GrowthSettingsSchema, RegionsSchema } from '../../models/growth/settings.ts';
import type { Forecast } from '../../models/types.ts';
import type { CommandRun } from '../context.ts';
import { loadData, loadDefaults } from '../data.ts';
import { EXIT } from '../errors.ts';
import { loadHistory } from '../history.ts';
import { writeFileAtomic } from '../io.ts';
import { renderForecast } from '../print/forecast.ts';

/** Options of `caplab forecast` as commander parses them. */
export interface ForecastOptions {
  target?: number;
  horizon?: string;
  model: GrowthModelName | 'auto';
  history?: string;
  draws?: number;
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
  return buildForecast({
    history,
    settings: loadData('growth.json', GrowthSettingsSchema),
    regions: loadData('regions.json', RegionsSchema),
    model: opts.model ?? defaults.forecast.model,
    target: opts.target ?? defaults.forecast.target,
    targetYear: defaults.forecast.targetYear,
    horizon: opts.horizon ?? defaults.forecast.horizon,
    draws: opts.draws ?? defaults.forecast.draws,
    seed,
  });
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
  if (!global.quiet) process.stdout.write(`\nwrote ${path}\n`);
  return EXIT.ok;
};
