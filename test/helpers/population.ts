/**
 * The real population of data/ (forecast from data/history.json, quarter from data/defaults.json), built once per
 * test file: tests of users draw from what `caplab users` would use.
 */
import { computePopulation } from '../../cli/chain.ts';
import type { Population } from '../../models/types.ts';

const cache = new Map<string, Promise<Population>>();

/**
 * Population of data/ for a seed and quarter.
 * @param seed seed
 * @param quarter quarter label, default from data/defaults.json
 * @returns the population (shared, do not mutate)
 */
export function realPopulation(seed = 1, quarter?: string): Promise<Population> {
  const key = `${seed}:${quarter ?? ''}`;
  let p = cache.get(key);
  if (!p) {
    p = computePopulation({ quarter }, seed);
    cache.set(key, p);
  }
  return p;
}
