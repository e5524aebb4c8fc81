/**
 * The resource stage: given the world's shapes, plan.json's `resources` (every tier sized on every shape, the binding
 * resource, storage, network, egress) and, given the world's move, `move` (each wave's copy, dual running and latency).
 * Values in, values out.
 */
import type { ConnectionCapacity } from '../models/capacity/connection-capacity.ts';
import type { PlanInput } from '../models/capacity/planner.ts';
import { planMove } from '../models/capacity/resources/move.ts';
import { buildResourcePlan } from '../models/capacity/resources/resource-plan.ts';
import type { Shapes } from '../models/capacity/resources/shapes.ts';
import type { Hardware } from '../models/capacity/hardware.ts';
import type { Plan } from '../models/types.ts';
import type { World } from '../models/world/world.ts';
import type { Catalog } from '../scenarios/catalog.ts';
import { StageInputError } from './errors.ts';

/**
 * The resource plan and the move of a plan, when the world gives shapes (and a move).
 * @param plan the request plan (per-node capacity measured or modeled)
 * @param input the planner's input (traffic, settings)
 * @param catalog the services and their resources
 * @param data the world, its shapes and data/hardware.json's profiles
 * @param measuredConnections each site's connection probe, when the campaign ran one
 * @returns `{ resources, move }` to spread into the plan, or `{}` without shapes
 * @throws {StageInputError} when a site's CPU per request cannot be known or a site has no priced shape
 */
export function resourcesOf(plan: Plan, input: PlanInput, catalog: Catalog, data: { world: World; shapes?: Shapes; hardware: Hardware }, measuredConnections?: Readonly<Record<string, ConnectionCapacity | undefined>>): Pick<Plan, 'resources' | 'move'> {
  const shapes = data.shapes;
  if (!shapes) return {};
  const profileVcpu = Object.fromEntries(Object.entries(data.hardware.profiles).map(([name, p]) => [name, p.vcpu]));
  let resources;
  try {
    resources = buildResourcePlan({
      traffic: input.traffic, plan, services: catalog.services, shapes, profileVcpu, ...(measuredConnections ? { measuredConnections } : {}),
      settings: { redundancy: input.settings.redundancy, capacityCv: input.settings.capacityCv, regret: input.settings.regret },
    });
  } catch (err) {
    if (err instanceof RangeError) throw new StageInputError(`${data.world.source}: ${err.message.replace(/^buildResourcePlan: /, '')}`);
    throw err;
  }
  const move = data.world.move;
  if (!move) return { resources };
  const from = data.world.sites[move.from];
  return { resources, move: planMove({ move, traffic: input.traffic, plan, resources, rtt: data.world.rtt, fromPricePerNodeMonth: from!.pricePerNodeMonth }) };
}
