/**
 * The two shapes every uncertain figure of caplab's files takes: p10/p50/p90 across Monte Carlo draws, and a median
 * with its 90th percentile. Their own module, so the plan's parts (models/capacity/resources/types.ts) and the file
 * types (models/types.ts, which re-exports them) share one definition without importing each other.
 */

/** Three quantiles of a quantity across Monte Carlo draws. */
export interface Band {
  /** 10th percentile. */
  p10: number;
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
}

/** A median and a 90th percentile. */
export interface Band2 {
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
}
