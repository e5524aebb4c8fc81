/**
 * Schema of data/market.json (`caplab.market/v1`): the total smartphone market per calendar year as market trackers
 * published it, one series per publisher and market, every figure with its source. The market-potential prior is
 * derived from it (market-prior.ts) instead of being a hand-made number.
 */
import { z } from 'zod';

const FigureSchema = z.object({
  year: z.number().int().min(1990).max(2100),
  /** Smartphones in the calendar year. */
  units: z.number().positive(),
  source: z.string().min(1, 'every figure names its source'),
  derivation: z.string().optional(),
}).loose();

const SeriesSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, 'must be lowercase letters, digits and dashes, like world-idc'),
  market: z.string().min(1),
  publisher: z.string().min(1),
  measure: z.string().min(1),
  figures: z.array(FigureSchema).min(1),
}).loose();

/** Schema of data/market.json. */
export const MarketSchema = z.object({
  schema: z.literal('caplab.market/v1'),
  unit: z.string().optional(),
  series: z.array(SeriesSchema).min(1),
}).loose().superRefine((m, ctx) => {
  const ids = new Set<string>();
  m.series.forEach((s, i) => {
    if (ids.has(s.id)) ctx.addIssue({ code: 'custom', message: `duplicate series id "${s.id}"`, path: ['series', i, 'id'] });
    ids.add(s.id);
    const years = new Set<number>();
    s.figures.forEach((f, j) => {
      if (years.has(f.year)) ctx.addIssue({ code: 'custom', message: `year ${f.year} appears twice in series ${s.id}`, path: ['series', i, 'figures', j, 'year'] });
      years.add(f.year);
    });
  });
});

/** Parsed data/market.json. */
export type Market = z.output<typeof MarketSchema>;

/** One series of data/market.json. */
export type MarketSeries = Market['series'][number];
