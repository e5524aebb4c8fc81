/**
 * The data files the stage chain reads (pipeline/chain.ts ChainData), each read and validated on first use and then
 * kept: a command reads only the files of the stages it runs, and a file's problems surface where its stage needs it,
 * as they did when each command read its own.
 */
import { HardwareSchema, ServiceTimesSchema } from '../../models/capacity/hardware.ts';
import { FleetSchema, PlannerSettingsSchema } from '../../models/capacity/settings.ts';
import { AnaloguesSchema } from '../../models/growth/analogues.ts';
import { RegionsSchema } from '../../models/growth/settings.ts';
import { DevicesSchema, UsageSchema } from '../../models/population/settings.ts';
import { LoadShapeSchema } from '../../models/traffic/settings.ts';
import type { ChainData } from '../../pipeline/chain.ts';
import { ScenarioSettingsSchema } from '../../scenarios/build-settings.ts';
import { loadData, loadDefaults, loadGrowthSettings } from '../data.ts';
import { defaultHistory } from './history.ts';
import { loadRoutingData } from './routing.ts';

/**
 * The data files as the chain's data, each read on first use.
 * @returns the data; reading a property throws what loading its file throws (InputError when missing or not JSON,
 *   ValidationError when invalid)
 * @example chain(given, chainData(), seed).forecast()
 */
export function chainData(): ChainData {
  const cache = new Map<string, unknown>();
  const once = <T>(key: string, load: () => T): T => {
    if (!cache.has(key)) cache.set(key, load());
    return cache.get(key) as T;
  };
  const routing = () => once('routing', loadRoutingData);
  return {
    get defaults() { return once('defaults', loadDefaults); },
    get history() { return once('history', defaultHistory); },
    get growth() { return once('growth', loadGrowthSettings); },
    get analogues() { return once('analogues', () => loadData('analogues.json', AnaloguesSchema)); },
    get regions() { return once('regions', () => loadData('regions.json', RegionsSchema)); },
    get rtt() { return routing().rtt; },
    get residency() { return routing().residency; },
    get loadShape() { return once('loadShape', () => loadData('load-shape.json', LoadShapeSchema)); },
    get devices() { return once('devices', () => loadData('devices.json', DevicesSchema)); },
    get usage() { return once('usage', () => loadData('usage.json', UsageSchema)); },
    get hardware() { return once('hardware', () => loadData('hardware.json', HardwareSchema)); },
    get serviceTimes() { return once('serviceTimes', () => loadData('services.json', ServiceTimesSchema)); },
    get planner() { return once('planner', () => loadData('planner.json', PlannerSettingsSchema)); },
    get fleet() { return once('fleet', () => loadData('fleet.json', FleetSchema)); },
    get scenarios() { return once('scenarios', () => loadData('scenarios.json', ScenarioSettingsSchema)); },
  };
}
