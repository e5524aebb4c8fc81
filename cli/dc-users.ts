/**
 * Users files per data center for runners (`users-<dc>.ndjson` beside the specs): the first users of the quarter's
 * population whose country routes to the DC under the placement, with their `dc` filled in.
 */
import { firstUsers } from '../models/population/first-users.ts';
import { createUserGenerator, MAX_USERS } from '../models/population/user.ts';
import { dcByCountry, routeCountries } from '../models/routing/route.ts';
import { computePopulation } from './commands/users.ts';
import { loadPlacement, loadRoutingData } from './inputs/routing.ts';

/**
 * Builds the users file text of every DC of a placement.
 * @param seed user seed
 * @param quarter population quarter
 * @param placement placement name or file
 * @param perDc users per DC
 * @returns NDJSON text by DC; DCs that no user of the quarter routes to are left out
 * @throws {ValidationError} on invalid data files
 */
export async function dcUsersFiles(seed: number, quarter: string, placement: string, perDc: number): Promise<Record<string, string>> {
  const population = await computePopulation({ quarter }, seed);
  const { rtt, residency } = loadRoutingData();
  const routing = routeCountries(await loadPlacement(placement, rtt), population.countries.map((c) => c.code), rtt, residency);
  const byCountry = dcByCountry(routing);
  const gen = createUserGenerator(seed, population, { dcByCountry: byCountry });
  const out: Record<string, string> = {};
  for (const dc of routing.dcs) {
    const served = population.countries.map((c) => byCountry[c.code] === dc);
    // Small DCs hold a tiny share of users: look far enough to fill the file, but never forever.
    const share = population.countries.reduce((s, c, i) => s + (served[i] ? c.share : 0), 0);
    if (!(share > 0)) continue;
    const limit = Math.min(MAX_USERS, Math.ceil((perDc / Math.max(share, 1e-9)) * 4) + 1000);
    const { text, count } = firstUsers(gen, (i) => served[gen.countryIndex(i)]!, perDc, limit);
    if (count > 0) out[dc] = text;
  }
  return out;
}
