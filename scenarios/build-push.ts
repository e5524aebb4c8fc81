/**
 * The push service's part of a DC's specs (scenarios/build.ts): its connection probe, and the sessions the replay
 * holds on the one node it loads. A catalog has at most one push service (a service with `resources.connections`).
 * Rates are the design peak's at the mid figures: a held session's deliveries per second are the devices' messages of
 * the day at the DC's busiest hour, over the devices online. On a node scaled down by `scale` each session stands for
 * 1/scale real ones, so it heartbeats and delivers 1/scale times as often (connection-probe.ts). Pure.
 */
import type { ResourcePlan } from '../models/capacity/resources/types.ts';
import { interval } from '../models/capacity/resources/desires.ts';
import type { TrafficDcQuarter } from '../models/types.ts';
import { type Budgets, limitsFor } from './budgets.ts';
import type { CatalogService } from './catalog.ts';
import { buildConnectionProbe, type ConnectionProbeSettings } from './connection-probe.ts';
import { heldSessionFlow } from './held-session.ts';

/**
 * The catalog's push service, if any.
 * @param services the catalog's services
 * @returns the one with `resources.connections` and a flow
 */
export function pushServiceOf(services: readonly CatalogService[]): CatalogService | undefined {
  return services.find((s) => s.resources?.connections !== undefined && s.flow !== undefined);
}

/**
 * Round trips (deliveries) per held session per second at the DC's busiest hour, on a real node.
 * @param service the push service
 * @param tq the quarter's traffic of the DC (its hourly curve)
 * @param weeklyPeakFactor traffic.json's busiest-day factor
 * @returns messagesPerDevicePerDay (mid) / 86,400 x the busiest hour's weight x the weekly peak / onlineShare (mid)
 */
export function roundTripsPerSession(service: CatalogService, tq: TrafficDcQuarter, weeklyPeakFactor: number): number {
  const c = service.resources!.connections!;
  const peak = Math.max(...tq.diurnalUtc, 0) * weeklyPeakFactor;
  const v = interval(c.messagesPerDevicePerDay).mid / 86_400 * peak / interval(c.onlineShare).mid;
  // A day without a curve (no devices yet) still needs a finite rate for the probe: one a day.
  return v > 0 && Number.isFinite(v) ? v : 1 / 86_400;
}

/** The reply budget of the push service in a DC, ms: its server-side p95 (the probe runs next to the node), else its p95. */
export function replyBudgetMs(budgets: Budgets, service: string, dc: string): number | undefined {
  const l = limitsFor(budgets, service, dc);
  return l.serverP95 ?? l.p95;
}

/** What the push part of a DC's specs needs. */
export interface PushSpecsInput {
  dc: string;
  quarter: string;
  baseUrl: string;
  seed: number;
  service: CatalogService;
  tq: TrafficDcQuarter;
  weeklyPeakFactor: number;
  settings: ConnectionProbeSettings;
  /** Share of a real node's sessions the loaded node holds. */
  scale: number;
  /** Sessions a real node is expected to hold (where the probe's steps go). */
  expectedPerNode: number;
}

/**
 * The connection probe's spec of a DC.
 * @param input DC, target, push service, traffic, settings, scale and expected sessions per node
 * @returns a `caplab.scenario/v1` spec object
 * @throws {RangeError} as buildConnectionProbe
 */
export function connectionsSpec(input: PushSpecsInput): Record<string, unknown> {
  return buildConnectionProbe({
    dc: input.dc, quarter: input.quarter, baseUrl: input.baseUrl, seed: input.seed, service: input.service, settings: input.settings,
    expectedPerNode: input.expectedPerNode, scale: input.scale, roundTripsPerSessionPerSecond: roundTripsPerSession(input.service, input.tq, input.weeklyPeakFactor),
  }).spec;
}

/**
 * The sessions a replay holds on its one node: the planned connections of the quarter over the planned push nodes, x
 * scale (at most the generator's maxSessions), opened one after another over the lead before the day (the replay
 * scenario starts after it) and held to the end, with heartbeats and deliveries at the design peak's rate per session; and the
 * thresholds that judge them (reply p95 within the push service's budget, 99% of checks passed).
 * @param input as {@link connectionsSpec}, without the probe's placement
 * @param resources plan.json's `resources` (undefined, or no push tier this quarter: nothing to hold)
 * @param durationS the replay's length, seconds
 * @param budgets the budgets (the push service's p95)
 * @returns the flow, scenario and thresholds to add to the replay, or undefined
 */
export function replayPush(input: Omit<PushSpecsInput, 'expectedPerNode' | 'settings'> & { settings: Pick<ConnectionProbeSettings, 'minRoundTripSeconds' | 'maxSessions'> & { replayLeadSeconds: number } }, resources: ResourcePlan | undefined, durationS: number, budgets: Budgets):
  { flow: { steps: unknown[] }; scenario: Record<string, unknown>; thresholds: Record<string, string[]>; lead: number } | undefined {
  const rq = resources?.sites[input.dc]?.quarters.find((q) => q.quarter === input.quarter);
  const nodes = rq?.push?.chosen.nodes;
  if (!rq?.connections || !(nodes !== undefined && nodes > 0)) return undefined;
  const planned = Math.max(1, Math.round(rq.connections.held / nodes * input.scale));
  // The generator's bound holds whatever the plan asks (a user's unscaled node): the `planned` tag keeps the figure.
  const sessions = Math.min(planned, input.settings.maxSessions);
  const c = input.service.resources!.connections!;
  const heartbeatMs = Math.max(1, Math.round(c.heartbeatSeconds * 1000 * input.scale));
  const roundTripEveryMs = Math.max(input.settings.minRoundTripSeconds * 1000, Math.round(1000 * input.scale / roundTripsPerSession(input.service, input.tq, input.weeklyPeakFactor)));
  const lead = input.settings.replayLeadSeconds;
  // Held past the scenario's end: the sessions close when it ends (1001, going away), none before.
  const flow = heldSessionFlow(input.service, { holdSeconds: lead + durationS + 2, heartbeatMs, roundTripEveryMs });
  const budget = replyBudgetMs(budgets, input.service.name, input.dc);
  const sel = '{scenario:push}';
  return {
    flow,
    lead,
    scenario: {
      // The sessions open one after another over the lead, before the day starts, then are all held through it.
      executor: 'ramping-vus', startVUs: 0, stages: [{ duration: `${lead}s`, target: sessions }, { duration: `${durationS}s`, target: sessions }],
      gracefulRampDown: '0s', gracefulStop: '0s', exec: 'push',
      tags: { held: String(sessions), planned: String(planned), nodes: String(nodes) },
    },
    thresholds: {
      ...(budget !== undefined ? { [`caplab_ws_reply_duration${sel}`]: [`p(95)<${budget}`] } : {}),
      [`checks${sel}`]: ['rate>0.99'],
    },
  };
}
