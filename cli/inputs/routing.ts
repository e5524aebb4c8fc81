/**
 * Loads the routing inputs for commands: data/rtt.json, data/residency.json, and a placement given by built-in name
 * (data/placements.json) or as a file.
 */
import { PlacementFileSchema, PlacementsSchema, type Placement, ResidencySchema, type Residency, RttSchema, type Rtt } from '../../models/routing/settings.ts';
import { parseWith } from '../../models/validation.ts';
import { loadData } from '../data.ts';
import { InputError } from '../errors.ts';
import { readJson } from './json.ts';

/** Routing inputs. */
export interface RoutingData {
  /** data/rtt.json. */
  rtt: Rtt;
  /** data/residency.json. */
  residency: Residency;
}

/**
 * Loads data/rtt.json and data/residency.json.
 * @returns validated data
 * @throws {ValidationError} when a file is malformed
 */
export function loadRoutingData(): RoutingData {
  return { rtt: loadData('rtt.json', RttSchema), residency: loadData('residency.json', ResidencySchema) };
}

/**
 * Resolves `--placement`: a built-in name from data/placements.json, or a path to a `caplab.placement/v1` file.
 * @param spec name or path
 * @param rtt RTT tables, to check the placement's DCs exist
 * @returns the placement
 * @throws {InputError} when neither a built-in name nor a readable file, or a DC has no RTT table
 * @throws {ValidationError} when the file is malformed
 */
export async function loadPlacement(spec: string, rtt: Rtt): Promise<Placement> {
  const builtins = loadData('placements.json', PlacementsSchema).placements;
  let placement: Placement;
  if (builtins[spec]) {
    placement = builtins[spec];
  } else if (/[./\\]/.test(spec)) {
    placement = parseWith(PlacementFileSchema, await readJson(spec, 'placement file'), spec);
  } else {
    throw new InputError(`--placement "${spec}" is neither a built-in placement (${Object.keys(builtins).join(', ')}) nor a file path`);
  }
  const unknown = placement.dcs.filter((d) => !rtt.dcs[d]);
  if (unknown.length > 0) throw new InputError(`placement ${placement.name}: no RTT table in data/rtt.json for ${unknown.join(', ')}`);
  return placement;
}
