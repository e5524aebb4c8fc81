/**
 * Seeded service-time draws for the emulated nodes: each (node, route) pair has its own sfc32 stream, so the k-th
 * request of a route on a node takes the same time for the same seed however routes interleave.
 */
import { createRng, type Rng } from '../models/random.ts';
import type { RouteName, ServiceTime } from './config.ts';

/** Draws service times. */
export interface ServiceTimeSampler {
  /**
   * The next service time of a route.
   * @param route route name
   * @returns milliseconds on an idle node (>= 0)
   */
  draw(route: RouteName): number;
  /**
   * The mean service time of a route, after scaling.
   * @param route route name
   * @returns milliseconds
   */
  mean(route: RouteName): number;
}

/**
 * A lognormal draw with a given mean and coefficient of variation.
 * @param rng generator
 * @param mean mean (any unit, >= 0)
 * @param cv coefficient of variation (sd / mean, >= 0); 0 gives `mean` exactly
 * @returns a positive deviate (0 when mean is 0)
 * @example lognormal(createRng(1, 'x'), 40, 0.5) // about 40 on average
 */
export function lognormal(rng: Rng, mean: number, cv: number): number {
  if (mean <= 0) return 0;
  if (cv <= 0) return mean;
  const s2 = Math.log(1 + cv * cv);
  return Math.exp(Math.log(mean) - s2 / 2 + Math.sqrt(s2) * rng.normal());
}

/**
 * Creates a sampler for one node.
 * @param routes per-route distributions (data/services.json `routes`)
 * @param seed stack seed
 * @param label the node's name, e.g. `singapore/0`, so nodes draw independent streams
 * @param scale multiplies every time (1 = as modeled, 0 = no waiting, e.g. for functional tests)
 * @returns the sampler
 * @throws {RangeError} when scale is negative or not finite
 */
export function createServiceTimeSampler(routes: Record<RouteName, ServiceTime>, seed: number, label: string, scale = 1): ServiceTimeSampler {
  if (!(scale >= 0) || !Number.isFinite(scale)) throw new RangeError(`createServiceTimeSampler: scale ${scale} is not a finite number >= 0`);
  const rngs = new Map<RouteName, Rng>();
  return {
    draw(route) {
      let rng = rngs.get(route);
      if (!rng) {
        rng = createRng(seed, `stacks.service.${label}.${route}`);
        rngs.set(route, rng);
      }
      const d = routes[route];
      return lognormal(rng, d.meanMs, d.cv) * scale;
    },
    mean: (route) => routes[route].meanMs * scale,
  };
}
