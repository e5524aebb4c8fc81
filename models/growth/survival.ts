/**
 * Device survival: the share of phones still in active use at a given age after sale. A Weibull survival function
 * S(a) = exp(-(a / lambda)^k), parameterised by its median life (S(median) = 1/2), so lambda = median / (ln 2)^(1/k).
 */

/**
 * Weibull survival at age `ageYears`.
 * @param ageYears age since sale (years); ages <= 0 survive with probability 1
 * @param medianYears median active life (years), > 0
 * @param shape Weibull shape k, > 0
 * @returns probability the phone is still active, in [0, 1]
 * @throws {RangeError} when median or shape is not positive
 * @example weibullSurvival(2.5, 2.5, 2) // 0.5
 */
export function weibullSurvival(ageYears: number, medianYears: number, shape: number): number {
  if (!(medianYears > 0) || !(shape > 0)) throw new RangeError(`weibullSurvival: median ${medianYears} and shape ${shape} must be > 0`);
  if (ageYears <= 0) return 1;
  const lambda = medianYears / Math.log(2) ** (1 / shape);
  return Math.exp(-((ageYears / lambda) ** shape));
}

/**
 * Survival by quarter lag: element L is the share of phones sold in quarter j (at its midpoint) still active at
 * the end of quarter j + L.
 * @param quarters number of lags
 * @param medianYears median active life (years)
 * @param shape Weibull shape
 * @returns survival per lag
 */
export function survivalByLag(quarters: number, medianYears: number, shape: number): Float64Array {
  const out = new Float64Array(quarters);
  for (let lag = 0; lag < quarters; lag++) out[lag] = weibullSurvival(lag * 0.25 + 0.125, medianYears, shape);
  return out;
}

/**
 * Active devices at the end of each quarter: sales of every earlier quarter times their survival.
 * @param shipments phones sold per quarter, in time order
 * @param survival survival by quarter lag (at least as long as shipments)
 * @returns active devices at the end of each quarter
 */
export function activeDevices(shipments: ArrayLike<number>, survival: ArrayLike<number>): Float64Array {
  const n = shipments.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let a = 0;
    for (let j = 0; j <= i; j++) a += shipments[j]! * survival[i - j]!;
    out[i] = a;
  }
  return out;
}
