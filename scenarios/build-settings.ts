/**
 * Schema of data/scenarios.json: step counts and durations of the probe, sweep and replay, their quick variants,
 * and the request each service makes against the stack API.
 */
import { z } from 'zod';

const Probe = z.object({ vus: z.array(z.number().int().positive()).min(3), warmupSeconds: z.number().nonnegative(), measureSeconds: z.number().positive() }).loose();
const Sweep = z.object({ fractionsOfCeiling: z.array(z.number().positive()).min(3), warmupSeconds: z.number().nonnegative(), measureSeconds: z.number().positive() }).loose();
const Replay = z.object({ secondsPerHour: z.number().positive(), flashSaleSeconds: z.number().positive() }).loose();

const RequestSchema = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  path: z.string().startsWith('/'),
  json: z.unknown().optional(),
  expectedStatuses: z.array(z.number().int().min(100).max(599)).min(1),
  extract: z.record(z.string(), z.string()).optional(),
});

/** A service's request, possibly needing a once-per-VU request first (e.g. a photo to read back). */
const ServiceRequestSchema = RequestSchema.extend({ needs: RequestSchema.extend({ service: z.string() }).optional() });

/** Schema of data/scenarios.json. */
export const ScenarioSettingsSchema = z.object({
  schema: z.literal('caplab.scenarios/v1'),
  probe: Probe.extend({ maxVusPerRate: z.number().positive().optional() }),
  sweep: Sweep.extend({ maxVusPerRate: z.number().positive() }),
  replay: Replay.extend({ maxVusPerRate: z.number().positive() }),
  quick: z.object({ probe: Probe, sweep: Sweep, replay: Replay }).loose(),
  usersPerDc: z.number().int().positive(),
  requests: z.object({ devices_register: ServiceRequestSchema }).catchall(z.union([ServiceRequestSchema, z.string()])),
}).loose();

/** Parsed data/scenarios.json. */
export type ScenarioSettings = z.output<typeof ScenarioSettingsSchema>;

/** One service's request settings. */
export type ServiceRequest = z.output<typeof ServiceRequestSchema>;
