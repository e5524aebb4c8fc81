/**
 * Schema of forecast.json as other stages read it back (users, traffic): the fields they rely on, checked so a
 * wrong or hand-edited file fails with its JSON path instead of deep inside a model.
 */
import { z } from 'zod';
import type { Forecast } from '../types.ts';

const BandSchema = z.object({ p10: z.number().nonnegative(), p50: z.number().nonnegative(), p90: z.number().nonnegative() })
  .refine((b) => b.p10 <= b.p50 && b.p50 <= b.p90, { message: 'band must satisfy p10 <= p50 <= p90' });

const QuarterSchema = z.object({
  quarter: z.string().regex(/^\d{4}Q[1-4]$/, 'must be a quarter like 2015Q3'),
  kind: z.enum(['history', 'forecast']),
  shipments: BandSchema,
  trailingYearShipments: BandSchema,
  activeDevices: BandSchema,
  byRegion: z.record(z.string(), BandSchema),
  byCountry: z.record(z.string(), BandSchema),
  pTargetReached: z.number().min(0).max(1),
}).loose();

/** Schema of forecast.json (`caplab.forecast/v1`). */
export const ForecastFileSchema = z.object({
  schema: z.literal('caplab.forecast/v1'),
  seed: z.number().int(),
  assumptions: z.object({
    seasonality: z.array(z.number()),
    survival: z.object({ distribution: z.string(), medianYears: z.number().positive(), shape: z.number().positive() }),
  }).loose(),
  horizon: z.object({ first: z.string(), last: z.string() }),
  // Written since the market prior came from data/market.json; older files have no priors and still read.
  priors: z.object({
    marketPotential: z.object({
      median: z.number().positive(), p90: z.number().positive(), sdLn: z.number().nonnegative(), usedBy: z.array(z.string()),
      basis: z.object({ series: z.string(), lifetimeYears: z.number().positive(), share: z.object({ median: z.number(), p90: z.number() }) }).loose(),
    }).loose().refine((p) => p.p90 > p.median, { message: 'p90 must be above the median', path: ['p90'] }),
    bassAnalogues: z.object({
      analogues: z.array(z.object({ id: z.string(), p: z.number().positive(), q: z.number().positive() }).loose()).min(1),
      p: z.object({ median: z.number().positive(), sdLn: z.number().nonnegative() }),
      q: z.object({ median: z.number().positive(), sdLn: z.number().nonnegative() }),
      usedBy: z.array(z.string()),
    }).loose().optional(),
  }).loose().optional(),
  quarters: z.array(QuarterSchema).min(1),
  // Written by `caplab forecast --backtest`; the report renders every field, so each is checked.
  backtest: z.object({
    selection: z.string(),
    draws: z.number().int().positive(),
    scores: z.array(z.object({ model: z.string(), evaluations: z.number().int(), coverage80: z.number(), pinball: z.number(), crps: z.number(), mapePct: z.number() }).loose()),
    evaluations: z.array(z.object({
      model: z.string(), fittedThrough: z.string(), target: z.string(), ahead: z.number().int().positive(),
      observed: z.number(), p10: z.number(), p50: z.number(), p90: z.number(), covered: z.boolean(),
    }).loose()),
  }).loose().optional(),
}).loose().superRefine((f, ctx) => {
  f.quarters.forEach((q, i) => {
    const prev = f.quarters[i - 1];
    if (prev && quarterNumber(q.quarter) !== quarterNumber(prev.quarter) + 1) {
      ctx.addIssue({ code: 'custom', message: `quarters must be consecutive (${prev.quarter} is followed by ${q.quarter})`, path: ['quarters', i, 'quarter'] });
    }
  });
}) as unknown as z.ZodType<Forecast>;

function quarterNumber(label: string): number {
  return Number(label.slice(0, 4)) * 4 + Number(label.slice(5)) - 1;
}
