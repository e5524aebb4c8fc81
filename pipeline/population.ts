/**
 * The population stage: the synthetic population of one quarter (countries, device mix, usage) from the forecast's
 * active devices, from which every user is a pure function of (seed, index) (models/population). Values in, values
 * out: the forecast and the data files' contents are handed in.
 */
import type { Regions } from '../models/growth/settings.ts';
import { buildPopulation } from '../models/population/population.ts';
import type { Devices, Usage } from '../models/population/settings.ts';
import type { Forecast, Population } from '../models/types.ts';
import type { DemandBase } from '../models/world/demand-base.ts';

/** What the population stage reads besides the forecast. */
export interface PopulationData {
  /** data/devices.json. */
  devices: Devices;
  /** the world's countries (data/world.json). */
  regions: Regions;
  /** data/usage.json. */
  usage: Usage;
  /** data/defaults.json `users.quarter`: the quarter when none is given. */
  defaultQuarter: string;
}

/**
 * Builds population.json's content.
 * @param forecast the forecast whose p50 path gives the active devices
 * @param quarter the quarter to describe, e.g. `2015Q4` (default: data/defaults.json `users.quarter`)
 * @param data devices, regions, usage, default quarter
 * @param seed seed of the users
 * @returns the population
 * @throws {ValidationError} when the quarter is outside the forecast or no country has active devices then
 * @example populationStage(forecast, '2015Q4', data, 1).countries.length
 */
export function populationStage(forecast: Forecast | DemandBase, quarter: string | undefined, data: PopulationData, seed: number): Population {
  return buildPopulation({
    forecast,
    quarter: quarter ?? data.defaultQuarter,
    devices: data.devices,
    regions: data.regions,
    usage: data.usage,
    seed,
  });
}
