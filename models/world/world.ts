/**
 * A world resolved from its file (models/world/schema.ts) into the documents the stages read: the countries and
 * regions, the RTT tables, the residency rules, the placements, today's fleet, the sites' prices, the horizon and the
 * driver. The built-in story and a user's world go through this one function.
 */
import type { Problem } from '../errors.ts';
import type { Fleet } from '../capacity/settings.ts';
import type { Hardware } from '../capacity/hardware.ts';
import type { Regions } from '../growth/settings.ts';
import { quarterIndex, quarterLabel } from '../quarter.ts';
import type { Placement, Residency, Rtt } from '../routing/settings.ts';
import type { MoveSpec } from './move-schema.ts';
import type { DriverSpec, WorldFile } from './schema.ts';

/** One site of a world, as the planner and the reports use it. */
export interface WorldSite {
  label: string;
  pricePerNodeMonth: number;
  /** data/hardware.json profile of its nodes. */
  profile: string;
  maxNodes?: number;
  leadTimeDays?: number;
}

/** A resolved world. */
export interface World {
  /** The world's name and the file it came from, as messages name it. */
  name: string;
  source: string;
  currency: string;
  regions: Regions;
  rtt: Rtt;
  residency: Residency;
  sites: Record<string, WorldSite>;
  placements: Record<string, Placement>;
  /** The placement used when none is named. */
  placement: string;
  /** The placement before the move, which RTTs are compared with, when the world names one. */
  baseline?: string;
  fleet: Fleet;
  /** Every period of the horizon in order, and the period the campaign loads. */
  horizon: { periods: string[]; loadPeriod: string };
  driver: DriverSpec;
  /** The world's own intents, when it states them (else data/intents.json). */
  intents?: WorldFile['intents'];
  /** A migration out of one site, when the world states one. */
  move?: MoveSpec;
}

/** The jitter of RTTs when the world states none: the built-in world's (data/world.json rtt.jitter). */
const DEFAULT_JITTER = { sigma: 0.25, reasoning: 'not stated by the world: the lognormal spread of mobile last-mile RTTs the built-in world uses (p95 = 1.51 x median)' };

/**
 * Resolves a parsed world file.
 * @param w the world file, validated by WorldSchema
 * @param source how messages name it (e.g. `data/world.json`)
 * @param profiles the node profiles data/hardware.json defines, in its order (the first is a site's default; check the
 *   sites' own with {@link profileProblems})
 * @returns the world
 * @example resolveWorld(parseWith(WorldSchema, doc, 'world.yaml'), 'world.yaml', ['app-8vcpu']).rtt.dcs
 */
export function resolveWorld(w: WorldFile, source: string, profiles: readonly string[]): World {
  const defaultProfile = profiles[0]!;
  const regionOf = (c: WorldFile['countries'][number]): string => c.region ?? c.code.toLowerCase();
  const regionLabels: Record<string, string> = { ...(w.regions ?? {}) };
  for (const c of w.countries) if (c.region === undefined) regionLabels[regionOf(c)] = c.name;
  const firstYear = Number(w.horizon.first.slice(0, 4));
  const regions: Regions = {
    schema: 'caplab.regions/v1',
    ...(w.countriesAbout ? { about: w.countriesAbout } : {}),
    baseYear: w.driver.kind === 'forecast' ? w.driver.baseYear : firstYear,
    regions: regionLabels,
    countries: w.countries.map((c) => ({
      code: c.code, name: c.name, region: regionOf(c), timeZone: c.timeZone, locale: c.locale ?? 'en',
      callingCode: c.callingCode ?? '1', share: c.share, trend: c.trend ?? 0, launch: c.launch ?? -Infinity,
    })),
  };
  const rtt: Rtt = {
    schema: 'caplab.rtt/v1',
    ...(w.rtt?.about ? { about: w.rtt.about } : {}),
    sources: w.rtt?.sources ?? [`${source}: sites.*.rttMs`],
    ...(w.rtt?.basis ? { basis: w.rtt.basis } : {}),
    jitter: w.rtt?.jitter ?? DEFAULT_JITTER,
    dcs: Object.fromEntries(Object.entries(w.sites).map(([site, s]) => [site, rttTable(s.rttMs, regions)])),
  };
  const siteNames = Object.keys(w.sites);
  const residency: Residency = {
    schema: 'caplab.residency/v1',
    ...(w.residency?.about ? { about: w.residency.about } : {}),
    rules: w.residency
      ? w.residency.rules.map((r) => ({ name: r.name, countries: r.countries, dcs: r.sites, source: r.source }))
      : [{ name: 'no-residency-rule', countries: '*', dcs: siteNames, source: `${source} states no residency rule: every site may serve every country` }],
  };
  const placements: Record<string, Placement> = w.placements
    ? Object.fromEntries(Object.entries(w.placements).map(([name, p]) => [name, {
      name, dcs: p.sites, ...(p.description ? { description: p.description } : {}), ...(p.assign ? { assign: p.assign } : {}),
    }]))
    : { all: { name: 'all', description: `every site of ${w.name}`, dcs: siteNames } };
  const first = quarterIndex(w.horizon.first);
  const periods = Array.from({ length: w.horizon.periods }, (_, k) => quarterLabel(first + k));
  const { about: _a, peakUtilizationReasoning: _r, ...fleet } = w.fleet;
  return {
    name: w.name, source, currency: w.currency, regions, rtt, residency, placements,
    placement: w.placement ?? Object.keys(placements)[0]!, ...(w.baseline ? { baseline: w.baseline } : {}),
    sites: Object.fromEntries(Object.entries(w.sites).map(([site, s]) => [site, {
      label: s.label, pricePerNodeMonth: s.pricePerNodeMonth, profile: s.profile ?? defaultProfile,
      ...(s.maxNodes !== undefined ? { maxNodes: s.maxNodes } : {}), ...(s.leadTimeDays !== undefined ? { leadTimeDays: s.leadTimeDays } : {}),
    }])),
    fleet: { schema: 'caplab.fleet/v1', ...fleet, nodes: Object.fromEntries(siteNames.map((s) => [s, w.fleet.nodes[s] ?? 0])) },
    horizon: { periods, loadPeriod: w.horizon.loadPeriod ?? periods[0]! },
    driver: w.driver,
    ...(w.intents ? { intents: w.intents } : {}),
    ...(w.move ? { move: w.move } : {}),
  };
}

/**
 * Sites of a world file naming a node profile data/hardware.json does not define.
 * @param w the world file
 * @param source how messages name it
 * @param profiles the profiles data/hardware.json defines
 * @returns one problem per such site, with its path
 */
export function profileProblems(w: Pick<WorldFile, 'sites'>, source: string, profiles: readonly string[]): Problem[] {
  return Object.entries(w.sites).flatMap(([site, s]) => (s.profile !== undefined && !profiles.includes(s.profile)
    ? [{ where: `${source}: sites.${site}.profile`, message: `unknown node profile "${s.profile}" (data/hardware.json defines ${profiles.join(', ')})` }]
    : []));
}

/** A site's RTT table per country: a country's own figure, else its region's, else `default`. */
function rttTable(rttMs: Readonly<Record<string, number>>, regions: Regions): Record<string, number> {
  const out: Record<string, number> = { default: rttMs.default! };
  for (const c of regions.countries) {
    const v = rttMs[c.code] ?? rttMs[c.region];
    if (v !== undefined) out[c.code] = v;
  }
  return out;
}

/**
 * The hardware the planner and the stacks read: the profiles of data/hardware.json with the world's sites and prices.
 * @param world the world
 * @param profiles data/hardware.json's node profiles
 * @param about the file's description of its profiles
 * @returns a `caplab.hardware/v1` document
 */
export function worldHardware(world: World, profiles: Hardware['profiles'], about?: string): Hardware {
  return {
    schema: 'caplab.hardware/v1', ...(about ? { about } : {}), currency: world.currency, profiles,
    dcs: Object.fromEntries(Object.entries(world.sites).map(([site, s]) => [site, { profile: s.profile, pricePerNodeMonth: s.pricePerNodeMonth, about: s.label }])),
  };
}

/**
 * The last period of a world's horizon.
 * @param world the world
 * @returns its label, e.g. `2028Q4`
 */
export function lastPeriod(world: World): string {
  return world.horizon.periods[world.horizon.periods.length - 1]!;
}
