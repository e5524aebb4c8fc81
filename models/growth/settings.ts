/**
 * Schemas of the growth forecast's data files (data/growth.json, the world's countries (data/world.json)), owned here so the CLI
 * validates them with the model's own definition.
 */
import { z } from 'zod';
import type { Market } from './market.ts';
import { deriveMarketPrior, type MarketPrior } from './market-prior.ts';

const ShareSchema = z.object({
  median: z.number().positive().max(1, 'a share is a fraction of the market, at most 1'),
  p90: z.number().positive().max(1, 'a share is a fraction of the market, at most 1'),
}).refine((s) => s.p90 > s.median, { message: 'p90 must be above the median', path: ['p90'] });

/** Schema of data/growth.json. */
export const GrowthSettingsSchema = z.object({
  schema: z.literal('caplab.growth/v1'),
  // The assumptions that turn data/market.json into the prior of m (models/growth/market-prior.ts).
  marketPotentialPrior: z.object({
    series: z.string().min(1),
    referenceYears: z.array(z.number().int()).min(1),
    lifetimeYears: z.number().positive(),
    share: ShareSchema,
    reasoning: z.string(),
  }).loose(),
  fit: z.object({ objective: z.literal('log'), bootstrapMinPoints: z.number().int().min(4), maxLnMarketSd: z.number().positive() }).loose(),
  monteCarlo: z.object({ draws: z.number().int().min(10), yearNoise: z.boolean() }).loose(),
  seasonality: z.object({ quarterWeights: z.tuple([z.number().positive(), z.number().positive(), z.number().positive(), z.number().positive()]) }).loose(),
  survival: z.object({ distribution: z.literal('weibull'), medianYears: z.number().positive(), shape: z.number().positive() }).loose(),
  backtest: z.object({ draws: z.number().int().min(10), maxAhead: z.number().int().min(1), minPoints: z.number().int().min(2) }).loose()
    .default({ draws: 200, maxAhead: 4, minPoints: 3 }),
}).loose();

/** Parsed data/growth.json, as the file holds it (the prior's assumptions, not the prior). */
export type GrowthSettingsFile = z.output<typeof GrowthSettingsSchema>;

/** data/growth.json with its market-potential prior derived from data/market.json: what the models use. */
export type GrowthSettings = Pick<GrowthSettingsFile, 'schema' | 'fit' | 'monteCarlo' | 'seasonality' | 'survival' | 'backtest'> & {
  /** The prior of m (median, p90 in phones) and what it was derived from. */
  marketPotentialPrior: MarketPrior;
};

/**
 * Resolves data/growth.json against data/market.json: derives the market-potential prior from its assumptions.
 * @param file parsed data/growth.json
 * @param market parsed data/market.json
 * @returns the settings the models use
 * @throws {RangeError} when the prior's assumptions do not fit the market data (unknown series, missing year)
 */
export function resolveGrowthSettings(file: GrowthSettingsFile, market: Market): GrowthSettings {
  return { ...file, marketPotentialPrior: deriveMarketPrior(market, file.marketPotentialPrior) };
}

const CountrySchema = z.object({
  code: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code like CN'),
  name: z.string().min(1),
  region: z.string().min(1),
  timeZone: z.string().min(1),
  locale: z.string().min(1),
  callingCode: z.string().regex(/^\d{1,3}$/, 'must be 1-3 digits'),
  share: z.number().positive(),
  trend: z.number(),
  launch: z.number(),
});

/** A country of the world's countries (data/world.json). */
export type Country = z.output<typeof CountrySchema>;

/** Schema of the world's countries (data/world.json). */
export const RegionsSchema = z.object({
  schema: z.literal('caplab.regions/v1'),
  baseYear: z.number(),
  regions: z.record(z.string(), z.string()),
  countries: z.array(CountrySchema).min(1),
}).loose().superRefine((r, ctx) => {
  const seen = new Set<string>();
  r.countries.forEach((c, i) => {
    if (seen.has(c.code)) ctx.addIssue({ code: 'custom', message: `duplicate country ${c.code}`, path: ['countries', i, 'code'] });
    seen.add(c.code);
    if (!(c.region in r.regions)) ctx.addIssue({ code: 'custom', message: `region "${c.region}" is not listed in regions`, path: ['countries', i, 'region'] });
  });
});

/** Parsed the world's countries (data/world.json). */
export type Regions = z.output<typeof RegionsSchema>;
