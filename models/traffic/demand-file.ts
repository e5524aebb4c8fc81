/**
 * `caplab.demand/v1`: per-service demand calibrated from telemetry by `caplab demand fit`, read by `caplab traffic
 * --demand`. The one definition of the format: the fit builds values of this type, readers validate with the schema.
 */
import { z } from 'zod';

const n = z.number().finite();
const isoTime = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && Number.isFinite(Date.parse(s)), 'must be an ISO-8601 time');
const hourUtc = z.number().int().min(0).max(23);

const DcFitSchema = z.object({
  meanRps: n.nonnegative(),
  perDevicePerDay: n.nonnegative(),
  samples: z.number().int().positive(),
  hoursCovered: z.number().int().min(1).max(24),
  fittedMeanRps: n.nonnegative(),
  rmseRps: n.nonnegative(),
  mapePct: n.nonnegative().nullable(),
}).loose();

const ResidualSchema = z.object({ hourUtc, observedRps: n.nonnegative(), fittedRps: n.nonnegative(), samples: z.number().int().positive() }).loose();

const ServiceFitSchema = z.object({
  perDevicePerDay: n.nonnegative(),
  localHourWeights: z.array(n.nonnegative()).length(24).nullable()
    .refine((w) => w === null || Math.abs(w.reduce((s, x) => s + x, 0) / 24 - 1) < 1e-3, 'weights must have a mean of 1'),
  dcs: z.record(z.string(), DcFitSchema).refine((d) => Object.keys(d).length > 0, 'no data center'),
  fit: z.object({
    rmseRps: n.nonnegative(),
    mapePct: n.nonnegative().nullable(),
    note: z.string().nullable(),
    residuals: z.record(z.string(), z.array(ResidualSchema)),
  }).loose(),
}).loose();

/** Schema of a `caplab.demand/v1` file. */
export const DemandFileSchema = z.object({
  schema: z.literal('caplab.demand/v1'),
  source: z.object({
    kind: z.enum(['csv', 'prometheus-file', 'prometheus']),
    what: z.string().min(1),
    from: isoTime,
    to: isoTime,
    stepSeconds: n.positive(),
  }).loose(),
  placement: z.string().min(1),
  quarter: z.string().regex(/^\d{4}Q[1-4]$/, 'must be a quarter like 2015Q3').nullable(),
  devices: z.record(z.string(), z.object({ activeDevices: n.positive(), from: z.string().min(1) }).loose()),
  services: z.record(z.string().min(1), ServiceFitSchema).refine((s) => Object.keys(s).length > 0, 'no service'),
}).loose();

/** A `caplab.demand/v1` file. */
export type DemandFile = z.output<typeof DemandFileSchema>;

/** One service of a demand file. */
export type ServiceFit = DemandFile['services'][string];
