/**
 * Schemas of the population's data files (data/devices.json, data/usage.json), owned here so the CLI validates
 * them with the model's own definition.
 */
import { z } from 'zod';

const DeviceModelSchema = z.object({
  model: z.string().min(1),
  launch: z.number(),
  endOfSale: z.number(),
  weight: z.number().positive(),
}).refine((m) => m.endOfSale > m.launch, { message: 'endOfSale must come after launch', path: ['endOfSale'] });

/** Schema of data/devices.json. */
export const DevicesSchema = z.object({
  schema: z.literal('caplab.devices/v1'),
  models: z.array(DeviceModelSchema).min(1),
  os: z.object({
    decay: z.number().positive().max(1),
    supportYears: z.number().nonnegative(),
    versions: z.array(z.object({ version: z.string().min(1), released: z.number() })).min(1),
  }).loose(),
}).loose().superRefine((d, ctx) => {
  const seen = new Set<string>();
  d.models.forEach((m, i) => {
    if (seen.has(m.model)) ctx.addIssue({ code: 'custom', message: `duplicate model "${m.model}"`, path: ['models', i, 'model'] });
    seen.add(m.model);
  });
  d.os.versions.forEach((v, i) => {
    const prev = d.os.versions[i - 1];
    if (prev && !(v.released > prev.released)) {
      ctx.addIssue({ code: 'custom', message: 'versions must be listed in release order', path: ['os', 'versions', i, 'released'] });
    }
  });
});

/** Parsed data/devices.json. */
export type Devices = z.output<typeof DevicesSchema>;

const LognormalSchema = z.object({
  distribution: z.literal('lognormal'),
  median: z.number().positive(),
  sigma: z.number().positive(),
  max: z.number().positive(),
}).loose();

/** Schema of data/usage.json. */
export const UsageSchema = z.object({
  schema: z.literal('caplab.usage/v1'),
  contacts: LognormalSchema,
  photosPerDay: z.object({
    distribution: z.literal('zero-inflated-lognormal'),
    zeroShare: z.number().min(0).max(1),
    median: z.number().positive(),
    sigma: z.number().positive(),
    max: z.number().positive(),
  }).loose(),
}).loose();

/** Parsed data/usage.json. */
export type Usage = z.output<typeof UsageSchema>;
