/**
 * The connection probe of one data center (docs/formats.md "Connection probe"): on ONE push node, steps of N virtual
 * users, each holding one WebSocket session of the catalog's push service for the whole step, heartbeating and
 * repeating the service's delivery round trip (its ws actions, e.g. an echo sent and awaited) at the design peak's
 * rate per session. Each step is a constant-vus scenario tagged `sessions:<N>`; steps are apart by a gap so one
 * step's sessions are closed before the next opens. The node's connections at the budget are read back from the
 * points (reports/ingest/connection-steps.ts, models/capacity/connection-capacity.ts), as the SLO rate is for requests.
 *
 * A node scaled by `scale` (the built-in stacks' push.connectionScale) holds scale x the real node's sessions; each of
 * its sessions stands for 1/scale real ones, so it heartbeats and delivers 1/scale times as often, which keeps the
 * node's CPU as busy as the real one's at the matching count and its latencies the real ones. Pure: data in, spec out.
 */
import type { CatalogService } from './catalog.ts';
import { heldSessionFlow } from './held-session.ts';

/** data/scenarios.json `connections`. */
export interface ConnectionProbeSettings {
  /** Session counts of the steps, as shares of the node's expected limit (ascending). */
  fractionsOfExpected: readonly number[];
  /** Seconds at the start of each step left out of its measurement (the sessions open). */
  warmupSeconds: number;
  /** Seconds measured per step. */
  measureSeconds: number;
  /** Seconds between two steps, for the last step's sessions to close. */
  gapSeconds: number;
  /** Most sessions a step may hold: a load generator's bound, whatever the node would hold. */
  maxSessions: number;
  /** Shortest time between two round trips of one session, seconds (a faster rate is slowed to it). */
  minRoundTripSeconds: number;
}

/** Inputs of {@link buildConnectionProbe}. */
export interface ConnectionProbeInput {
  dc: string;
  quarter: string;
  /** The push node's base URL (the stack or the user's service). */
  baseUrl: string;
  /** Seed of the users. */
  seed: number;
  /** The catalog's push service: `resources.connections` and a flow with one WebSocket step. */
  service: CatalogService;
  settings: ConnectionProbeSettings;
  /** Sessions one real node is expected to hold (the model's or the catalog's figure): where the steps are placed. */
  expectedPerNode: number;
  /** Share of a real node's sessions the probed node holds (0 < scale <= 1; 1 for a user's own node). */
  scale: number;
  /** Round trips per held session per second at the design peak, on a real node. */
  roundTripsPerSessionPerSecond: number;
  /** Transport options of the catalog (TLS...), merged into the spec's options. */
  transport?: Record<string, unknown>;
}

/** The probe's spec and the step levels it holds. */
export interface ConnectionProbe {
  /** A `caplab.scenario/v1` spec (parseScenarioSpec validates it). */
  spec: Record<string, unknown>;
  /** Sessions per step, ascending. */
  levels: number[];
  /** Heartbeat period of a probe session, ms (the service's, x scale). */
  heartbeatMs: number;
  /** Time between two round trips of one session, ms. */
  roundTripEveryMs: number;
}

const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

/**
 * Builds one DC's connection probe.
 * @param input DC, target, push service, settings, expected sessions per node, scale, round-trip rate
 * @returns the spec, its levels and its session timing
 * @throws {RangeError} when the service has no `resources.connections`, no flow or not exactly one WebSocket step, or
 *   a figure is out of range (scale outside (0, 1], expected or rate not positive and finite)
 * @example buildConnectionProbe({ ..., expectedPerNode: 150_000, scale: 0.001 }).levels // [38, 75, 113, 135, 150, ...]
 */
export function buildConnectionProbe(input: ConnectionProbeInput): ConnectionProbe {
  const { service, settings: s, scale } = input;
  const c = service.resources?.connections;
  if (!c) throw new RangeError(`buildConnectionProbe: service ${service.name} has no resources.connections`);
  if (!(scale > 0 && scale <= 1)) throw new RangeError(`buildConnectionProbe: scale ${scale} is not in (0, 1]`);
  if (!(input.expectedPerNode > 0 && Number.isFinite(input.expectedPerNode))) throw new RangeError(`buildConnectionProbe: expected sessions per node ${input.expectedPerNode} is not positive and finite`);
  if (!(input.roundTripsPerSessionPerSecond > 0 && Number.isFinite(input.roundTripsPerSessionPerSecond))) {
    throw new RangeError(`buildConnectionProbe: round trips per session per second ${input.roundTripsPerSessionPerSecond} is not positive and finite`);
  }

  // The steps sit around the expected limit, and below the generator's bound when that is lower (then the probe
  // may end without finding the limit, and says so).
  const top = Math.max(...s.fractionsOfExpected);
  const expected = Math.min(input.expectedPerNode * scale, s.maxSessions / top);
  const levels = [...new Set(s.fractionsOfExpected.map((f) => Math.max(1, Math.round(f * expected))))].sort((a, b) => a - b);

  const stepS = s.warmupSeconds + s.measureSeconds;
  const heartbeatMs = Math.max(1, Math.round(c.heartbeatSeconds * 1000 * scale));
  const roundTripEveryMs = Math.min(stepS * 250, Math.max(s.minRoundTripSeconds * 1000, Math.round(1000 * scale / input.roundTripsPerSessionPerSecond)));
  const flow = heldSessionFlow(service, { holdSeconds: stepS, heartbeatMs, roundTripEveryMs });

  const scenarios = Object.fromEntries(levels.map((n, i) => [`connections_${n}`, {
    executor: 'constant-vus', vus: n, duration: `${stepS}s`, startTime: `${i * (stepS + s.gapSeconds)}s`,
    gracefulStop: `${Math.max(1, Math.min(s.gapSeconds, 5))}s`, exec: 'push', tags: { sessions: String(n) },
  }]));
  const spec = {
    schema: 'caplab.scenario/v1',
    name: `${input.dc}-connections-${input.quarter}`,
    baseUrl: input.baseUrl,
    data: { users: { seed: input.seed, dc: input.dc, file: `users-${input.dc}.ndjson` } },
    flows: { push: flow },
    options: {
      scenarios, thresholds: {}, summaryTrendStats: TREND_STATS,
      // The scale goes on every sample, so the points say what node they measured whoever reads them later.
      tags: { dc: input.dc, kind: 'connections', quarter: input.quarter, wan: 'off', scale: String(scale) },
      ...(input.transport ?? {}),
    },
  };
  return { spec, levels, heartbeatMs, roundTripEveryMs };
}
