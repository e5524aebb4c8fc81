/**
 * Expected values of the usage distributions of data/usage.json, for models that need the mean load a user creates
 * (traffic) rather than one user's draw.
 */
import type { Usage } from './settings.ts';

/**
 * Mean photos backed up per device per day: (1 - zeroShare) x median x e^(sigma^2 / 2), the mean of the
 * zero-inflated lognormal (the cap at `max` is ignored: it moves the mean by well under 0.1% at the shipped values).
 * @param usage data/usage.json
 * @returns photos per device per day
 * @example meanPhotosPerDay({ photosPerDay: { zeroShare: 0.3, median: 2, sigma: 1.1, ... }, ... }) // 2.5638
 */
export function meanPhotosPerDay(usage: Pick<Usage, 'photosPerDay'>): number {
  const p = usage.photosPerDay;
  return (1 - p.zeroShare) * p.median * Math.exp((p.sigma * p.sigma) / 2);
}
