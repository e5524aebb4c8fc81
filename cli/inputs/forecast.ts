/**
 * The forecast a command works from: read from a forecast.json (`--forecast F`, validated) or computed from data/
 * with the run's seed, the same way `caplab forecast` computes it.
 */
import { ForecastFileSchema } from '../../models/growth/forecast-file.ts';
import type { Forecast } from '../../models/types.ts';
import { parseWith } from '../../models/validation.ts';
import { computeForecast } from '../commands/forecast.ts';
import { readJson } from './json.ts';

/**
 * Loads or computes the forecast.
 * @param path forecast.json path, or undefined to compute from data/
 * @param seed seed for a computed forecast
 * @returns the forecast
 * @throws {InputError} when the file cannot be read or is not JSON
 * @throws {ValidationError} when the file or data/ is invalid
 */
export async function forecastInput(path: string | undefined, seed: number): Promise<Forecast> {
  if (path === undefined) return computeForecast({}, seed);
  return parseWith(ForecastFileSchema, await readJson(path, 'forecast file'), path);
}
