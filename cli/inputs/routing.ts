/**
 * Loads the routing inputs for commands from a world (default: the built-in data/world.json): its RTT tables and
 * residency rules, and a placement given by the world's name for it or as a file.
 */
import { PlacementFileSchema, type Placement, type Residency, type Rtt } from '../../models/routing/settings.ts';
import { parseWith } from '../../models/validation.ts';
import type { World } from '../../models/world/world.ts';
import { InputError } from '../errors.ts';
import { readJson } from './json.ts';
import { builtInWorld } from './world.ts';

/** Routing inputs. */
export interface RoutingData {
  /** The world's RTT tables per site. */
  rtt: Rtt;
  /** The world's residency rules. */
  residency: Residency;
}

/**
 * The RTT tables and residency rules of a world.
 * @param world the world (default: the built-in one)
 * @returns its routing data
 * @throws {ValidationError} when the built-in world is malformed
 */
export function loadRoutingData(world: World = builtInWorld().world): RoutingData {
  return { rtt: world.rtt, residency: world.residency };
}

/**
 * Resolves `--placement`: a placement the world names, or a path to a `caplab.placement/v1` file.
 * @param spec name or path (default: the world's placement)
 * @param world the world (default: the built-in one)
 * @returns the placement
 * @throws {InputError} when neither a placement of the world nor a readable file, or a DC is not a site of the world
 * @throws {ValidationError} when the file is malformed
 */
export async function loadPlacement(spec: string | undefined, world: World = builtInWorld().world): Promise<Placement> {
  const name = spec ?? world.placement;
  let placement: Placement;
  if (world.placements[name]) {
    placement = world.placements[name];
  } else if (/[./\\]/.test(name)) {
    placement = parseWith(PlacementFileSchema, await readJson(name, 'placement file'), name);
  } else {
    throw new InputError(`--placement "${name}" is neither a placement of ${world.source} (${Object.keys(world.placements).join(', ')}) nor a file path`);
  }
  const unknown = placement.dcs.filter((d) => !world.rtt.dcs[d]);
  if (unknown.length > 0) throw new InputError(`placement ${placement.name}: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a site' : 'are not sites'} of ${world.source} (${Object.keys(world.sites).join(', ')})`);
  return placement;
}
