/**
 * Schema of data/analogues.json (`caplab.analogues/v1`): other makers' published smartphone sales, each period with
 * its source, used as analogue products for the Bass coefficients (analogue-prior.ts). A period is a calendar
 * label (`2012`, `2013H1`, `2014Q2`) or any label with its `start` and `end` as decimal years (fiscal years).
 */
import { z } from 'zod';
import { type Period, parsePeriod } from '../quarter.ts';
import type { Observation } from './history.ts';

const AnaloguePeriodSchema = z.object({
  period: z.string().min(1),
  start: z.number().optional(),
  end: z.number().optional(),
  units: z.number().positive(),
  source: z.string().min(1, 'every figure names its source'),
}).loose().superRefine((r, ctx) => {
  if (r.start === undefined && r.end === undefined) {
    if (!parsePeriod(r.period)) ctx.addIssue({ code: 'custom', message: `period "${r.period}" is not a year (2013), half (2013H1) or quarter (2013Q2): give its start and end`, path: ['period'] });
  } else if (r.start === undefined || r.end === undefined) {
    ctx.addIssue({ code: 'custom', message: 'give both start and end (decimal years), or neither', path: [r.start === undefined ? 'start' : 'end'] });
  } else if (!(r.end > r.start)) {
    ctx.addIssue({ code: 'custom', message: `end ${r.end} must come after start ${r.start}`, path: ['end'] });
  }
});

const AnalogueSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, 'must be lowercase letters, digits and dashes, like apple-iphone'),
  maker: z.string().min(1),
  product: z.string().min(1),
  launch: z.number(),
  periods: z.array(AnaloguePeriodSchema).min(4, 'a Bass fit of 3 parameters needs at least 4 periods'),
}).loose();

/** Schema of data/analogues.json. */
export const AnaloguesSchema = z.object({
  schema: z.literal('caplab.analogues/v1'),
  analogues: z.array(AnalogueSchema).min(2, 'a spread of p and q needs at least 2 analogues'),
}).loose().superRefine((d, ctx) => {
  const ids = new Set<string>();
  d.analogues.forEach((a, i) => {
    if (ids.has(a.id)) ctx.addIssue({ code: 'custom', message: `duplicate analogue id "${a.id}"`, path: ['analogues', i, 'id'] });
    ids.add(a.id);
    const periods = analoguePeriods(a);
    periods.forEach((p, j) => {
      if (!p) return;
      if (p.start < a.launch - 1e-9) ctx.addIssue({ code: 'custom', message: `period ${p.label} starts (${p.start}) before the launch ${a.launch}`, path: ['analogues', i, 'periods', j] });
      const prev = periods[j - 1];
      if (prev && p.start < prev.end - 1e-9) ctx.addIssue({ code: 'custom', message: `period ${p.label} overlaps or precedes ${prev.label}: periods must be disjoint and in time order`, path: ['analogues', i, 'periods', j] });
    });
  });
});

/** Parsed data/analogues.json. */
export type Analogues = z.output<typeof AnaloguesSchema>;

/** One analogue product. */
export type Analogue = Analogues['analogues'][number];

function analoguePeriods(a: Analogue): (Period | undefined)[] {
  return a.periods.map((r) => (r.start !== undefined && r.end !== undefined
    ? { label: r.period, start: r.start, end: r.end, kind: 'year' as const }
    : parsePeriod(r.period)));
}

/**
 * An analogue's periods as observations a growth model is fitted to.
 * @param a a validated analogue
 * @returns its observations in time order
 * @throws {RangeError} when a period cannot be read (the analogue was not validated by {@link AnaloguesSchema})
 */
export function analogueObservations(a: Analogue): Observation[] {
  return analoguePeriods(a).map((period, i) => {
    if (!period) throw new RangeError(`analogueObservations: period "${a.periods[i]!.period}" of ${a.id} is not a calendar period and has no start/end`);
    return { period, shipments: a.periods[i]!.units, where: `${a.id} ${period.label}` };
  });
}
