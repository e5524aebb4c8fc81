/**
 * Reads a traffic.json (`caplab traffic`'s output, or a campaign's) given with `--traffic`, validated.
 */
import { TrafficFileSchema } from '../../models/traffic/traffic-file.ts';
import type { Traffic } from '../../models/types.ts';
import { parseWith } from '../../models/validation.ts';
import { readJson } from './json.ts';

/**
 * Reads and validates a traffic file.
 * @param path file path
 * @returns the traffic
 * @throws {InputError} when the file cannot be read or is not JSON
 * @throws {ValidationError} when it is not a valid `caplab.traffic/v1` file (every problem, with its JSON path)
 */
export async function readTrafficFile(path: string): Promise<Traffic> {
  return parseWith(TrafficFileSchema, await readJson(path, 'traffic file'), path);
}
