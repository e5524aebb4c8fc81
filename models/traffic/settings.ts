/**
 * Schema of the traffic model's shape input, data/load-shape.json (diurnal, weekly, flash sales). The demand per
 * service comes from the service catalog (scenarios/catalog.ts).
 */
import { z } from 'zod';

/** Schema of data/load-shape.json. */
export const LoadShapeSchema = z.object({
  schema: z.literal('caplab.load-shape/v1'),
  diurnal: z.object({ localHourWeights: z.array(z.number().nonnegative()).length(24) }).loose()
    .refine((d) => d.localHourWeights.some((w) => w > 0), { message: 'at least one hour must have a positive weight', path: ['localHourWeights'] }),
  weekly: z.object({ dayWeights: z.array(z.number().positive()).length(7) }).loose(),
  flashSales: z.array(z.object({
    name: z.string().min(1),
    countries: z.array(z.string().regex(/^[A-Z]{2}$/)).min(1),
    localHour: z.number().int().min(0).max(23),
    multipliers: z.record(z.string(), z.number().min(1)),
  }).loose()),
}).loose();

/** Parsed data/load-shape.json. */
export type LoadShape = z.output<typeof LoadShapeSchema>;
