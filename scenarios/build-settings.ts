/**
 * Schema of data/scenarios.json: step counts and durations of the probe, sweep and replay and their quick variants.
 * The requests each service makes are the catalog's (scenarios/catalog.ts, data/catalog.json).
 */
import { z } from 'zod';

const Probe = z.object({ vus: z.array(z.number().int().positive()).min(3), warmupSeconds: z.number().nonnegative(), measureSeconds: z.number().positive() }).loose();
const Sweep = z.object({ fractionsOfCeiling: z.array(z.number().positive()).min(3), warmupSeconds: z.number().nonnegative(), measureSeconds: z.number().positive() }).loose();
const Refine = z.object({ tolerance: z.number().positive().max(1), maxRounds: z.number().int().nonnegative().max(10), maxSeconds: z.number().positive() }).loose();
/** The connection probe (scenarios/connection-probe.ts). */
const Connections = z.object({
  fractionsOfExpected: z.array(z.number().positive()).min(3),
  warmupSeconds: z.number().nonnegative(),
  measureSeconds: z.number().positive(),
  gapSeconds: z.number().nonnegative(),
  maxSessions: z.number().int().positive().max(20_000),
  minRoundTripSeconds: z.number().positive(),
  connectionScale: z.number().gt(0).max(1),
  /** Seconds before the replay's day in which its held sessions open, one after another. */
  replayLeadSeconds: z.number().positive(),
}).loose();
const Replay = z.object({ secondsPerHour: z.number().positive(), flashSaleSeconds: z.number().positive() }).loose();

/** Schema of data/scenarios.json. */
export const ScenarioSettingsSchema = z.object({
  schema: z.literal('caplab.scenarios/v1'),
  probe: Probe.extend({ maxVusPerRate: z.number().positive().optional() }),
  sweep: Sweep.extend({ maxVusPerRate: z.number().positive() }),
  replay: Replay.extend({ maxVusPerRate: z.number().positive() }),
  /** Bisection of the SLO rate after the sweep: until upper <= lower x (1 + tolerance), at most maxRounds steps and maxSeconds. */
  refine: Refine,
  /** The campaign's pre-flight request per service and target: seconds to wait for each answer. */
  preflight: z.object({ timeoutSeconds: z.number().positive() }).loose(),
  quick: z.object({ probe: Probe, sweep: Sweep, replay: Replay, refine: Refine, connections: Connections.partial().optional() }).loose(),
  /** The connection probe of a push service, and how far the built-in stacks' push node is scaled down for it. */
  connections: Connections,
  usersPerDc: z.number().int().positive(),
}).loose();

/** Parsed data/scenarios.json. */
export type ScenarioSettings = z.output<typeof ScenarioSettingsSchema>;

/**
 * The connection probe's settings of a run: the full ones, or with `quick` their smoke-run replacements laid over them.
 * @param s data/scenarios.json
 * @param quick a smoke run
 * @returns the settings
 */
export function connectionSettings(s: ScenarioSettings, quick: boolean): ScenarioSettings['connections'] {
  return quick ? { ...s.connections, ...s.quick.connections } : s.connections;
}
