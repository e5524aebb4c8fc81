/**
 * The shape every growth model of cumulative shipments shares, so fitting, selection and Monte Carlo treat
 * logistic, Bass and Gompertz alike. Models are fitted on internal parameters (logs of the positive ones), so
 * least squares and covariance draws never leave the valid domain.
 */

/** Names of the growth models caplab fits. */
export type GrowthModelName = 'logistic' | 'bass' | 'gompertz';

/** A model of cumulative shipments N(t), t in decimal years. */
export interface GrowthModel {
  /** Model name. */
  readonly name: GrowthModelName;
  /** Names of the natural parameters, in internal order; the first is always `m`, the market potential (phones). */
  readonly paramNames: readonly string[];
  /** Formula as text, for reports. */
  readonly formula: string;
  /**
   * Cumulative shipments at time t (phones).
   * @param p natural parameters by name
   * @param t decimal year
   */
  cumulative(p: Readonly<Record<string, number>>, t: number): number;
  /** Internal vector -> natural parameters by name. */
  fromInternal(theta: readonly number[]): Record<string, number>;
  /** Natural parameters -> internal vector. */
  toInternal(p: Readonly<Record<string, number>>): number[];
  /**
   * Starting points for the multi-start fit and bounds of the internal parameters.
   * @param ctx what the data says: cumulative observed shipments, first and last observed instants, launch
   */
  searchSpace(ctx: SearchContext): { starts: number[][]; min: number[]; max: number[] };
}

/** Facts about the data a model uses to place its starting points and bounds. */
export interface SearchContext {
  /** Sum of observed shipments (phones); m is at least this. */
  observedTotal: number;
  /** Start of the first observed period (decimal year). */
  firstStart: number;
  /** End of the last observed period (decimal year). */
  lastEnd: number;
  /** Launch instant (decimal year), cumulative shipments are 0 before it for Bass. */
  launch: number;
}

/** Largest market potential considered (phones): far beyond any phone maker, a guard for the optimizer. */
export const MAX_MARKET_POTENTIAL = 1e12;

/**
 * Cartesian product of candidate values per coordinate, for multi-start fitting.
 * @param axes candidate values per internal parameter
 * @returns every combination
 */
export function grid(axes: readonly (readonly number[])[]): number[][] {
  let out: number[][] = [[]];
  for (const axis of axes) out = out.flatMap((prefix) => axis.map((v) => [...prefix, v]));
  return out;
}
