/**
 * The standard normal quantile caplab's p10/p90 bands are built on. Kept exact (simple-statistics' probit is an
 * approximation, 1.28105 for 0.9, and would move every band by 0.04%).
 */

/**
 * z such that P(Z < z) = 0.9 for a standard normal: a lognormal with median m and log sd s has p90 = m exp(Z90 s).
 * @example Math.log(p90 / median) / Z90 // the log sd of a lognormal from its median and p90
 */
export const Z90 = 1.2815515655446004;
