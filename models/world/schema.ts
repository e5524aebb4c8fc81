/**
 * Schema of a world file (`caplab.world/v1`): the world a plan is made in. Its sites (label, price per node-month,
 * RTT from each country or region, limits, order lead time), its countries or regions (share of demand, time zone),
 * residency rules, today's fleet, the horizon, and the demand driver: (a) a growth forecast fitted to a history,
 * (b) a series of active users or devices per period, or (c) today's peak req/s growing by a low/mid/high rate per
 * period. The built-in story is data/world.json, read through this same schema. Cross-references (a rule naming an
 * unknown site, a fleet on a site the world lacks, an RTT for an unknown country) are listed with the shape's
 * problems, each with its JSON path.
 */
import { z } from 'zod';
import { IntentsBodySchema } from '../capacity/optimize/intents.ts';
import { ShapesSchema } from '../capacity/resources/shapes.ts';
import { quarterIndex } from '../quarter.ts';
import { MoveSchema } from './move-schema.ts';

const Quarter = z.string().regex(/^\d{4}Q[1-4]$/, 'must be a quarter like 2027Q1');
const CountryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code like DE');
const Name = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and dashes (at most 40), like eu-central');

const SiteSchema = z.object({
  /** How the reports name it. */
  label: z.string().min(1),
  about: z.string().optional(),
  /** One application node for a month (730 hours), in the world's currency. */
  pricePerNodeMonth: z.number().positive(),
  /** Node profile of data/hardware.json the site's nodes are emulated with (default: the file's first profile). */
  profile: z.string().min(1).optional(),
  /** Median RTT in ms from a client in a country (ISO code) or a region (key of `regions`); `default` for the rest. */
  rttMs: z.record(z.string(), z.number().nonnegative().max(10_000, 'at most 10,000 ms')),
  /** Most nodes the site can hold (racks, a cloud quota). */
  maxNodes: z.number().int().positive().optional(),
  /** Days from ordering nodes to having them in service. */
  leadTimeDays: z.number().int().nonnegative().max(730, 'at most 730 days').optional(),
}).strict();

const WorldCountrySchema = z.object({
  code: CountryCode,
  name: z.string().min(1),
  /** Key of `regions` (default: a region of its own, named after the country). */
  region: z.string().min(1).optional(),
  /** IANA time zone: where its busiest hour falls. */
  timeZone: z.string().min(1),
  /** Share of the world's demand (re-normalised over the countries); for a forecast driver, of new sales at `baseYear`. */
  share: z.number().positive(),
  /** faker locale of its synthetic users (default `en`). */
  locale: z.string().min(1).optional(),
  /** International calling code, digits only (default `1`). */
  callingCode: z.string().regex(/^\d{1,3}$/, 'must be 1-3 digits').optional(),
  /** Forecast driver only: yearly change of its log share, and when its sales began (decimal year). */
  trend: z.number().optional(),
  launch: z.number().optional(),
}).strict();

const Growth = z.object({
  low: z.number().gt(-1, 'must be above -1 (a fall of 100%)'),
  mid: z.number().gt(-1, 'must be above -1 (a fall of 100%)'),
  high: z.number().gt(-1, 'must be above -1 (a fall of 100%)'),
  reasoning: z.string().optional(),
}).strict().superRefine((g, ctx) => {
  if (!(g.low <= g.mid)) ctx.addIssue({ code: 'custom', path: ['mid'], message: 'must be at least low' });
  if (!(g.mid <= g.high)) ctx.addIssue({ code: 'custom', path: ['high'], message: 'must be at least mid' });
});

const Unit = z.object({ one: z.string().min(1), many: z.string().min(1) }).strict();

/** The demand driver: what grows. */
export const DriverSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('forecast'),
    /** The shipment or sign-up history (CSV or JSON), relative to the world file. */
    history: z.string().min(1),
    /** What the history counts (e.g. phone / phones). */
    unit: Unit,
    /** The yearly sales the plan is judged against, and its year. */
    target: z.object({ yearly: z.number().positive(), year: z.number().int() }).strict(),
    /** Instant (decimal year) at which the countries' `share` applies. */
    baseYear: z.number(),
    about: z.string().optional(),
  }).strict(),
  z.object({
    kind: z.literal('series'),
    /** CSV with `period` and `value` (or `p10`, `p50`, `p90`) columns, relative to the world file. */
    file: z.string().min(1),
    unit: Unit,
    about: z.string().optional(),
  }).strict(),
  z.object({
    kind: z.literal('peak-rps'),
    /** Today's peak, requests/s summed over the sites' busiest hours. */
    peakRps: z.number().positive(),
    /** The period of that peak (default: the fleet's as-of period). */
    at: Quarter.optional(),
    /** Growth of the peak per period: low and high compound as the p10 and p90 paths, mid as the median. */
    growthPerPeriod: Growth,
    about: z.string().optional(),
  }).strict(),
]);

/** A world's demand driver as written. */
export type DriverSpec = z.output<typeof DriverSchema>;

/** Schema of a world file. */
export const WorldSchema = z.object({
  schema: z.literal('caplab.world/v1'),
  /** The world's name, as the reports title it. */
  name: z.string().min(1),
  about: z.string().optional(),
  currency: z.string().min(1),
  pricing: z.string().optional(),
  regions: z.record(Name, z.string().min(1)).optional(),
  countries: z.array(WorldCountrySchema).min(1).max(300),
  countriesAbout: z.string().optional(),
  rtt: z.object({
    about: z.string().optional(),
    sources: z.array(z.string().min(1)).optional(),
    basis: z.record(z.string(), z.string()).optional(),
    /** sigma of the lognormal spread around each median (default 0.25). */
    jitter: z.object({ sigma: z.number().nonnegative().max(2), reasoning: z.string().min(1) }).strict().optional(),
  }).strict().optional(),
  sites: z.record(Name, SiteSchema).refine((s) => Object.keys(s).length > 0, 'must name at least one site'),
  residency: z.object({
    about: z.string().optional(),
    rules: z.array(z.object({
      name: z.string().min(1),
      countries: z.union([z.literal('*'), z.array(CountryCode).min(1)]),
      sites: z.array(z.string().min(1)).min(1),
      source: z.string().min(1),
    }).strict()).min(1),
  }).strict().optional(),
  /** Named subsets of the sites (default: one placement, `all`, with every site). */
  placements: z.record(Name, z.object({
    description: z.string().optional(),
    sites: z.array(z.string().min(1)).min(1),
    assign: z.record(CountryCode, z.string().min(1)).optional(),
  }).strict()).optional(),
  /** The placement a plan uses when none is named. */
  placement: z.string().min(1).optional(),
  /** The placement before the move, which `caplab traffic` compares RTTs with (none: no comparison). */
  baseline: z.string().min(1).optional(),
  fleet: z.object({
    about: z.string().optional(),
    asOf: Quarter,
    nodes: z.record(z.string(), z.number().int().nonnegative()),
    peakUtilization: z.number().gt(0).max(1, 'must be a share of capacity, at most 1').optional(),
    peakUtilizationReasoning: z.string().optional(),
    peakRps: z.number().positive().optional(),
  }).strict(),
  horizon: z.object({
    first: Quarter,
    periods: z.number().int().min(1).max(40, 'at most 40 periods'),
    unit: z.literal('quarters'),
    /** The period the campaign's users and replay are of (default: the first). */
    loadPeriod: Quarter.optional(),
  }).strict(),
  driver: DriverSchema,
  /** What the optimized placement must achieve (default data/intents.json). */
  intents: IntentsBodySchema.optional(),
  /** Hardware shapes and their prices per site (`caplab.shapes/v1`): a file relative to the world, or inline. */
  shapes: z.union([z.string().min(1), ShapesSchema]).optional(),
  /** A migration out of one site, in waves: what is copied, how long it takes, what it costs to run both sides. */
  move: MoveSchema.optional(),
}).strict().superRefine((w, ctx) => crossCheck(w, ctx), { when: (payload) => isRecord(payload.value) });

/** A parsed world file. */
export type WorldFile = z.output<typeof WorldSchema>;

/**
 * The world's cross-references. They run even when some field is malformed (every problem is listed at once): each
 * check reads only its own fields, and one whose fields are malformed (already a shape problem) is skipped.
 */
function crossCheck(w: WorldFile, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string): void => { ctx.addIssue({ code: 'custom', path, message }); };
  const guard = (check: () => void): void => {
    try {
      check();
    } catch {
      // Its fields have the wrong shape: zod has said so.
    }
  };
  const sites = isRecord(w.sites) ? Object.keys(w.sites) : [];
  const countries: unknown[] = Array.isArray(w.countries) ? w.countries : [];
  const codes = new Set(countries.flatMap((c) => (isRecord(c) && typeof c.code === 'string' ? [c.code] : [])));
  const regions: Record<string, unknown> = isRecord(w.regions) ? w.regions : {};
  guard(() => {
    const seen = new Set<string>();
    w.countries.forEach((c, i) => {
      if (seen.has(c.code)) issue(['countries', i, 'code'], `duplicate country ${c.code}`);
      seen.add(c.code);
      if (c.region !== undefined && !Object.hasOwn(regions, c.region)) issue(['countries', i, 'region'], `"${c.region}" is not one of regions (${Object.keys(regions).join(', ') || 'none given'})`);
      if (w.driver?.kind === 'forecast' && (c.trend === undefined || c.launch === undefined)) issue(['countries', i], 'a forecast driver needs each country\'s trend and launch');
    });
  });
  const siteRef = (path: (string | number)[], site: string): void => {
    if (!sites.includes(site)) issue(path, `"${site}" is not one of the sites (${sites.join(', ')})`);
  };
  for (const [site, s] of Object.entries(isRecord(w.sites) ? w.sites : {} as WorldFile['sites'])) {
    guard(() => {
      if (!Object.hasOwn(s.rttMs, 'default')) issue(['sites', site, 'rttMs', 'default'], 'missing: the RTT for countries not listed');
      for (const key of Object.keys(s.rttMs)) {
        if (key !== 'default' && !codes.has(key) && !Object.hasOwn(regions, key)) issue(['sites', site, 'rttMs', key], `"${key}" is neither a country nor a region of the world`);
      }
    });
  }
  guard(() => {
    const rules = w.residency?.rules ?? [];
    rules.forEach((r, i) => guard(() => {
      r.sites.forEach((s, j) => siteRef(['residency', 'rules', i, 'sites', j], s));
      if (r.countries !== '*') r.countries.forEach((c, j) => { if (!codes.has(c)) issue(['residency', 'rules', i, 'countries', j], `${c} is not a country of the world`); });
    }));
    if (rules.length > 0 && rules[rules.length - 1]!.countries !== '*') issue(['residency', 'rules', rules.length - 1, 'countries'], 'the last rule must be the catch-all "*"');
  });
  for (const [name, p] of Object.entries((isRecord(w.placements) ? w.placements : {}) as NonNullable<WorldFile['placements']>)) {
    guard(() => {
      p.sites.forEach((s, j) => siteRef(['placements', name, 'sites', j], s));
      for (const [c, s] of Object.entries(p.assign ?? {})) {
        if (!p.sites.includes(s)) issue(['placements', name, 'assign', c], `"${s}" is not one of the placement's sites (${p.sites.join(', ')})`);
        if (!codes.has(c)) issue(['placements', name, 'assign', c], `${c} is not a country of the world`);
      }
    });
  }
  const placements = Object.keys(isRecord(w.placements) ? w.placements : { all: 0 });
  for (const key of ['placement', 'baseline'] as const) {
    const v = w[key];
    if (typeof v === 'string' && !placements.includes(v)) issue([key], `"${v}" is not one of the placements (${placements.join(', ')})`);
  }
  guard(() => { for (const site of Object.keys(w.fleet.nodes)) siteRef(['fleet', 'nodes', site], site); });
  guard(() => {
    const first = quarterIndex(w.horizon.first);
    const last = first + w.horizon.periods - 1;
    guard(() => { if (quarterIndex(w.fleet.asOf) > first) issue(['fleet', 'asOf'], `today's fleet must be as of ${w.horizon.first} (the horizon's first period) or before`); });
    if (w.horizon.loadPeriod !== undefined) {
      const k = quarterIndex(w.horizon.loadPeriod);
      if (k < first || k > last) issue(['horizon', 'loadPeriod'], 'must lie within the horizon');
    }
    if (w.driver.kind === 'peak-rps' && w.driver.at !== undefined && quarterIndex(w.driver.at) > last) issue(['driver', 'at'], 'must come before the horizon ends');
  });
  guard(() => moveCheck(w, sites, codes, issue));
  guard(() => { if (w.driver.kind === 'peak-rps' && w.fleet.peakRps !== undefined) issue(['fleet', 'peakRps'], 'the driver states today\'s peak already (driver.peakRps); give the fleet\'s peakUtilization instead'); });
}

/** A move's sites, countries and periods against the world's. */
function moveCheck(w: WorldFile, sites: readonly string[], codes: ReadonlySet<string>, issue: (path: (string | number)[], message: string) => void): void {
  const m = w.move;
  if (m === undefined) return;
  const siteRef = (path: (string | number)[], site: string): void => {
    if (!sites.includes(site)) issue(path, `"${site}" is not one of the sites (${sites.join(', ')})`);
  };
  siteRef(['move', 'from'], m.from);
  const first = quarterIndex(w.horizon.first);
  const last = first + w.horizon.periods - 1;
  m.waves.forEach((wave, i) => {
    siteRef(['move', 'waves', i, 'to'], wave.to);
    if (wave.to === m.from) issue(['move', 'waves', i, 'to'], `a wave moves away from "${m.from}", not to it`);
    const k = quarterIndex(wave.start);
    if (k < first || k > last) issue(['move', 'waves', i, 'start'], `must lie within the horizon (${w.horizon.first} and ${w.horizon.periods} periods)`);
    (wave.countries ?? []).forEach((c, j) => { if (!codes.has(c)) issue(['move', 'waves', i, 'countries', j], `${c} is not a country of the world`); });
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
