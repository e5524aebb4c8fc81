/**
 * Modeled WAN latency: a response to a client in country C from data center D is held back by a round-trip time
 * drawn around the median of the world's RTT tables with the file's lognormal jitter (the same model the planner uses for
 * its RTT p95), after the node has released its worker (network time does not occupy the server). Draws are seeded
 * per data center, so the same seed gives the same sequence of delays.
 */
import { createRng } from '../models/random.ts';
import type { StackData } from './config.ts';

/**
 * The median modeled round-trip time between a country and a data center.
 * @param rtt the world's RTT tables
 * @param dc data center
 * @param country ISO code, or undefined when unknown (no delay)
 * @returns milliseconds (0 when the country is unknown or the DC has no table)
 */
export function rttMs(rtt: StackData['rtt'], dc: string, country: string | undefined): number {
  if (country === undefined) return 0;
  const table = rtt.dcs[dc];
  if (!table) return 0;
  return table[country] ?? table.default ?? 0;
}

/** Draws per-request WAN delays for one data center. */
export type WanDelay = (country: string | undefined) => number;

/**
 * Creates the seeded WAN delay of one data center: median RTT times exp(sigma * z), z standard normal, so the
 * median of the delays is the table's figure and p95 = median * e^(1.645 sigma).
 * @param rtt the world's RTT tables (its `jitter.sigma`; 0 gives the median every time)
 * @param dc data center
 * @param seed stack seed
 * @returns the delay function, in milliseconds (0 for an unknown country)
 */
export function createWanDelay(rtt: StackData['rtt'], dc: string, seed: number): WanDelay {
  const rng = createRng(seed, `stacks.wan.${dc}`);
  const sigma = rtt.jitter.sigma;
  return (country) => {
    const median = rttMs(rtt, dc, country);
    return median > 0 && sigma > 0 ? median * Math.exp(sigma * rng.normal()) : median;
  };
}
