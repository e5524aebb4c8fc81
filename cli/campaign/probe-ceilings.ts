/**
 * Each DC's per-node USL ceiling from its probe, which sets the sweep's rates (scenarios/build.ts).
 */
import { join } from 'node:path';
import type { NodeCapacity } from '../../models/capacity/node-capacity.ts';
import { noCeilingReason } from '../../pipeline/capacity.ts';
import { PlannerSettingsSchema } from '../../models/capacity/settings.ts';
import { ScenarioSettingsSchema } from '../../scenarios/build-settings.ts';
import { loadData } from '../data.ts';
import { ScriptError } from '../errors.ts';
import { measuredCapacity } from '../inputs/measurements.ts';

/**
 * Each DC's per-node USL ceiling from its probe (capacity/<dc>/points-probe.ndjson.gz).
 * A DC whose probe gives no ceiling sweeps at its modeled ceiling when it has one (as the scenario builder does
 * without a measurement), and the campaign says so; the plan then judges the measurement again.
 * @param capacityDir the campaign's capacity/ folder
 * @param dcs the DCs probed
 * @param modeled per-node modeled ceilings by DC, when every service of the DC has a modeled service time
 * @param warn where the fallback is reported
 * @returns ceilings by DC, requests/s
 * @throws {ScriptError} 107 when a probe cannot be fitted and there is no model: the measurement failed, not the input
 */
export async function probeCeilings(capacityDir: string, dcs: readonly string[], modeled: () => Promise<Record<string, number> | undefined>, warn: (line: string) => void): Promise<Record<string, number>> {
  const settings = loadData('scenarios.json', ScenarioSettingsSchema);
  const budget = loadData('planner.json', PlannerSettingsSchema).serverBudgetP95Ms;
  const out: Record<string, number> = {};
  for (const dc of dcs) {
    let capacity: NodeCapacity | undefined;
    let error: unknown;
    try {
      capacity = await measuredCapacity(capacityDir, dc, settings.probe.warmupSeconds, budget);
    } catch (err) {
      error = err;
    }
    const why = noCeilingReason(dc, { capacity, error });
    if (why === undefined) {
      out[dc] = capacity!.ceilingRps;
      continue;
    }
    const model = (await modeled())?.[dc];
    if (!(model !== undefined && model > 0)) throw new ScriptError(why);
    warn(`${why}: sweeping at the modeled ceiling, ${model} req/s`);
    out[dc] = model;
  }
  return out;
}
