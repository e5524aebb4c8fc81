/**
 * The first k users (in index order) that satisfy a predicate, e.g. the users routed to one DC: what a runner's
 * per-DC users file holds. Users stay a pure function of (seed, i); only which indices are kept depends on the
 * predicate.
 */
import type { UserGenerator } from './user.ts';

/**
 * NDJSON text of the first k users i < limit with keep(i).
 * @param gen user generator
 * @param keep predicate on the index (cheap: use gen.countryIndex)
 * @param k users wanted
 * @param limit highest index to look at (exclusive)
 * @returns the lines (each ending with a newline) and how many were found (fewer than k when limit was reached)
 */
export function firstUsers(gen: UserGenerator, keep: (i: number) => boolean, k: number, limit: number): { text: string; count: number } {
  const lines: string[] = [];
  for (let i = 0; i < limit && lines.length < k; i++) if (keep(i)) lines.push(gen.line(i));
  return { text: lines.join(''), count: lines.length };
}
