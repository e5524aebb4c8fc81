/**
 * Reads a forecast.json given with `--forecast` (`caplab forecast`'s output, or a campaign's), validated. Without
 * one, the chain computes the forecast from data/ (pipeline/chain.ts).
 */
import { ForecastFileSchema } from '../../models/growth/forecast-file.ts';
import type { Forecast } from '../../models/types.ts';
import { parseWith } from '../../models/validation.ts';
import { readJson } from './json.ts';

/**
 * Reads and validates a forecast file.
 * @param path forecast.json path
 * @returns the forecast
 * @throws {InputError} when the file cannot be read or is not JSON
 * @throws {ValidationError} when it is not a valid `caplab.forecast/v1` file
 */
export async function readForecastFile(path: string): Promise<Forecast> {
  return parseWith(ForecastFileSchema, await readJson(path, 'forecast file'), path);
}
