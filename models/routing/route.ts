/**
 * Country -> data center routing for a placement: each country goes to the in-service DC with the lowest modeled
 * RTT among those its residency rule allows. Where no allowed DC is in service (e.g. everyone in Beijing before the
 * move), the country is served by the nearest in-service DC and the breach is listed, never hidden.
 */
import { residencyFor } from './residency.ts';
import { rttBand } from './rtt.ts';
import type { Placement, Residency, Rtt } from './settings.ts';

/** Where one country is served. */
export interface CountryRoute {
  /** ISO code. */
  country: string;
  /** Serving data center. */
  dc: string;
  /** Modeled RTT to it, ms. */
  rttMs: { p50: number; p95: number };
  /** Residency rule that governs the country. */
  rule: string;
  /** Whether the rule allows the serving DC. */
  allowed: boolean;
  /** Why this DC: the nearest allowed one, forced by the placement, or the nearest at all because none is allowed. */
  reason: 'nearest-allowed' | 'assigned' | 'no-allowed-dc-in-service';
}

/** A residency breach of a placement. */
export interface ResidencyViolation {
  /** ISO code. */
  country: string;
  /** DC that would store the data. */
  dc: string;
  /** Rule broken. */
  rule: string;
  /** DCs the rule allows. */
  allowedDcs: string[];
}

/** The routing of every country under one placement. */
export interface Routing {
  /** Placement name. */
  placement: string;
  /** DCs in service. */
  dcs: string[];
  /** One entry per country, in input order. */
  countries: CountryRoute[];
  /** Breaches (empty for a valid placement). */
  violations: ResidencyViolation[];
}

/**
 * Routes countries for a placement.
 * @param placement DCs in service and forced assignments
 * @param countries ISO codes to route
 * @param rtt the world's RTT tables
 * @param residency the world's residency rules
 * @returns the routing and its residency breaches
 * @throws {RangeError} when a placement DC has no RTT table
 */
export function routeCountries(placement: Placement, countries: readonly string[], rtt: Rtt, residency: Residency): Routing {
  const routes: CountryRoute[] = [];
  const violations: ResidencyViolation[] = [];
  for (const country of countries) {
    const { rule, dcs: allowedDcs } = residencyFor(residency, country);
    const forced = placement.assign?.[country];
    let dc: string;
    let reason: CountryRoute['reason'];
    if (forced !== undefined) {
      dc = forced;
      reason = 'assigned';
    } else {
      const allowed = placement.dcs.filter((d) => allowedDcs.includes(d));
      reason = allowed.length > 0 ? 'nearest-allowed' : 'no-allowed-dc-in-service';
      dc = nearest(allowed.length > 0 ? allowed : placement.dcs, country, rtt);
    }
    const ok = allowedDcs.includes(dc);
    routes.push({ country, dc, rttMs: rttBand(rtt, dc, country), rule, allowed: ok, reason });
    if (!ok) violations.push({ country, dc, rule, allowedDcs });
  }
  return { placement: placement.name, dcs: [...placement.dcs], countries: routes, violations };
}

/** The DC with the lowest median RTT; ties go to the earlier DC in the placement, so results are stable. */
function nearest(dcs: readonly string[], country: string, rtt: Rtt): string {
  let best = dcs[0]!;
  let bestRtt = rttBand(rtt, best, country).p50;
  for (const dc of dcs.slice(1)) {
    const r = rttBand(rtt, dc, country).p50;
    if (r < bestRtt) {
      best = dc;
      bestRtt = r;
    }
  }
  return best;
}

/**
 * The DC serving each country, as a lookup.
 * @param routing a routing
 * @returns country -> DC
 */
export function dcByCountry(routing: Routing): Record<string, string> {
  return Object.fromEntries(routing.countries.map((r) => [r.country, r.dc]));
}
