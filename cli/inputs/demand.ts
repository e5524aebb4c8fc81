/**
 * Reads a `caplab.demand/v1` file (written by `caplab demand fit`) for `caplab traffic --demand` and whoever else
 * plans from calibrated demand; a wrong schema or a malformed file fails with its JSON path.
 */
import { DemandFileSchema, type DemandFile } from '../../models/traffic/demand-file.ts';
import { parseWith } from '../../models/validation.ts';
import { readJson } from './json.ts';

/**
 * Reads and validates a demand file.
 * @param path file path
 * @returns the validated file
 * @throws {InputError} when the file cannot be read or is not JSON
 * @throws {ValidationError} when it is not a valid `caplab.demand/v1` file (every problem, with its JSON path)
 * @example const demand = await readDemandFile('caplab-out/demand.json')
 */
export async function readDemandFile(path: string): Promise<DemandFile> {
  return parseWith(DemandFileSchema, await readJson(path, 'demand file'), path);
}
