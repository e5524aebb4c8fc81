/**
 * The data files the stage chain reads (pipeline/chain.ts ChainData), each read and validated on first use and then
 * kept: a command reads only the files of the stages it runs, and a file's problems surface where its stage needs it,
 * as they did when each command read its own. The world (its countries, sites, fleet, horizon and driver) is the
 * built-in data/world.json unless a user's is given.
 */
import { HardwareProfilesSchema, ServiceTimesSchema } from '../../models/capacity/hardware.ts';
import { PlannerSettingsSchema } from '../../models/capacity/settings.ts';
import { AnaloguesSchema } from '../../models/growth/analogues.ts';
import { DevicesSchema, UsageSchema } from '../../models/population/settings.ts';
import { LoadShapeSchema } from '../../models/traffic/settings.ts';
import { lastPeriod, worldHardware } from '../../models/world/world.ts';
import type { ChainData } from '../../pipeline/chain.ts';
import { ScenarioSettingsSchema } from '../../scenarios/build-settings.ts';
import { loadData, loadDefaults, loadGrowthSettings } from '../data.ts';
import { builtInWorld, type LoadedWorld } from './world.ts';

/**
 * The data files as the chain's data, each read on first use.
 * @param loaded the world (default: the built-in data/world.json, read on first use)
 * @returns the data; reading a property throws what loading its file throws (InputError when missing or not JSON,
 *   ValidationError when invalid)
 * @example chain(given, chainData(), seed).forecast()
 */
export function chainData(loaded?: LoadedWorld): ChainData {
  const cache = new Map<string, unknown>();
  const once = <T>(key: string, load: () => T): T => {
    if (!cache.has(key)) cache.set(key, load());
    return cache.get(key) as T;
  };
  const w = (): LoadedWorld => loaded ?? builtInWorld();
  return {
    get world() { return w().world; },
    get series() { return w().series; },
    get defaults() {
      return once('defaults', () => {
        const d = loadDefaults();
        const { world } = w();
        const target = world.driver.kind === 'forecast' ? world.driver.target : { yearly: 0, year: Number(world.horizon.periods[0]!.slice(0, 4)) };
        return { forecast: { ...d.forecast, target: target.yearly, targetYear: target.year, horizon: lastPeriod(world) }, users: { quarter: world.horizon.loadPeriod } };
      });
    },
    get history() {
      return once('history', () => {
        const h = w().history;
        if (!h) throw new Error(`chainData: ${w().world.source} has no history (its driver is ${w().world.driver.kind})`);
        return h();
      });
    },
    get growth() { return once('growth', loadGrowthSettings); },
    get analogues() { return once('analogues', () => loadData('analogues.json', AnaloguesSchema)); },
    get regions() { return w().world.regions; },
    get rtt() { return w().world.rtt; },
    get residency() { return w().world.residency; },
    get loadShape() { return once('loadShape', () => loadData('load-shape.json', LoadShapeSchema)); },
    get devices() { return once('devices', () => loadData('devices.json', DevicesSchema)); },
    get usage() { return once('usage', () => loadData('usage.json', UsageSchema)); },
    get hardware() {
      return once('hardware', () => {
        const file = loadData('hardware.json', HardwareProfilesSchema);
        return worldHardware(w().world, file.profiles, file.about);
      });
    },
    get serviceTimes() { return once('serviceTimes', () => loadData('services.json', ServiceTimesSchema)); },
    get planner() { return once('planner', () => loadData('planner.json', PlannerSettingsSchema)); },
    get fleet() { return w().world.fleet; },
    get shapes() { return w().shapes; },
    get scenarios() { return once('scenarios', () => loadData('scenarios.json', ScenarioSettingsSchema)); },
  };
}
