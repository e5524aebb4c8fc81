/**
 * The population behind each data center: the countries routed to it, each one's share of the DC's active devices
 * and its UTC offset at a given time. The traffic model builds a DC's day from it; the demand fit inverts the same
 * mixture to recover the local-hour curve from what the DC observed in UTC.
 */
import type { Routing } from '../routing/route.ts';
import { utcOffsetHours } from './diurnal.ts';

/** One country in a DC's mix. */
export interface MixCountry {
  /** ISO code. */
  country: string;
  /** Share of the DC's active devices (the shares of a DC sum to 1). */
  share: number;
  /** Hours east of UTC at the time of the mix. */
  offsetHours: number;
}

/** The population of one data center. */
export interface DcMix {
  /** Active devices routed to the DC. */
  devices: number;
  /** Its countries with devices, in routing order. */
  countries: MixCountry[];
}

/**
 * Mixes per data center.
 * @param routing the placement's routing
 * @param devicesByCountry active devices per country (e.g. a forecast quarter's byCountry p50)
 * @param timeZones country -> IANA time zone
 * @param at the instant whose UTC offsets (daylight saving) apply
 * @returns DC -> mix; a DC whose countries have no devices has devices 0 and no countries
 * @throws {RangeError} when a routed country has no time zone
 * @example dcMixes(routing, { SG: 1e6 }, { SG: 'Asia/Singapore' }, new Date()).singapore.countries[0].offsetHours // 8
 */
export function dcMixes(routing: Routing, devicesByCountry: Readonly<Record<string, number>>, timeZones: Readonly<Record<string, string>>, at: Date): Record<string, DcMix> {
  const out: Record<string, DcMix> = {};
  for (const dc of routing.dcs) {
    const served = routing.countries.filter((r) => r.dc === dc && (devicesByCountry[r.country] ?? 0) > 0);
    const devices = served.reduce((s, r) => s + devicesByCountry[r.country]!, 0);
    out[dc] = {
      devices,
      countries: served.map((r) => {
        const tz = timeZones[r.country];
        if (!tz) throw new RangeError(`dcMixes: country ${r.country} has no time zone`);
        return { country: r.country, share: devicesByCountry[r.country]! / devices, offsetHours: utcOffsetHours(tz, at) };
      }),
    };
  }
  return out;
}
