/**
 * Schemas of the growth forecast's data files (data/growth.json, data/regions.json), owned here so the CLI
 * validates them with the model's own definition.
 */
import { z } from 'zod';

/** Schema of data/growth.json. */
export const GrowthSettingsSchema = z.object({
  schema: z.literal('caplab.growth/v1'),
  marketPotentialPrior: z.object({ median: z.number().positive(), p90: z.number().positive(), reasoning: z.string() })
    .refine((p) => p.p90 > p.median, { message: 'p90 must be above the median', path: ['p90'] }),
  fit: z.object({ objective: z.literal('log'), bootstrapMinPoints: z.number().int().min(4), maxLnMarketSd: z.number().positive() }).loose(),
  monteCarlo: z.object({ draws: z.number().int().min(10), yearNoise: z.boolean() }).loose(),
  seasonality: z.object({ quarterWeights: z.tuple([z.number().positive(), z.number().positive(), z.number().positive(), z.number().positive()]) }).loose(),
  survival: z.object({ distribution: z.literal('weibull'), medianYears: z.number().positive(), shape: z.number().positive() }).loose(),
  backtest: z.object({ draws: z.number().int().min(10), maxAhead: z.number().int().min(1), minPoints: z.number().int().min(2) }).loose()
    .default({ draws: 200, maxAhead: 4, minPoints: 3 }),
}).loose();

/** Parsed data/growth.json. */
export type GrowthSettings = z.output<typeof GrowthSettingsSchema>;

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

/** A country of data/regions.json. */
export type Country = z.output<typeof CountrySchema>;

/** Schema of data/regions.json. */
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

/** Parsed data/regions.json. */
export type Regions = z.output<typeof RegionsSchema>;
