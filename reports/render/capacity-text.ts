/**
 * The per-node capacity cell of the recommendation table, the same words in the HTML and Markdown reports: the rate a
 * plan counts on, which limit binds, and for a measured SLO rate the interval the sweep's steps bracket it in.
 */
import { num } from './format.ts';
import type { RecommendationRow } from './model.ts';

/**
 * Capacity text of one DC.
 * @param x a recommendation row
 * @returns e.g. `176 req/s, SLO binds (SLO rate measured between 176 and 224 req/s)`
 * @example capacityText({ perNodeRps: 176, binds: 'slo', sloInterval: { lower: 176, upper: 224 } }) // '176 req/s, SLO binds (SLO rate measured between 176 and 224 req/s)'
 */
export function capacityText(x: Pick<RecommendationRow, 'perNodeRps' | 'binds' | 'sloInterval'>): string {
  const head = `${num(x.perNodeRps)} req/s, ${x.binds === 'slo' ? 'SLO' : 'USL ceiling'} binds`;
  const i = x.sloInterval;
  if (!i) return head;
  if (i.upper === null) return `${head} (SLO rate measured at least ${num(i.lower)} req/s: no swept rate above it missed the SLO)`;
  return `${head} (SLO rate measured between ${num(i.lower)} and ${num(i.upper)} req/s)`;
}
