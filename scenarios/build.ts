/**
 * The scenario builder: for each data center, three specs in the `caplab.scenario/v1` shape (docs/formats.md) derived from
 * the quarter's traffic and plan:
 * - probe: closed model, constant-vus steps up past the knee, each tagged `step:<vus>`, run against ONE node with
 *   WAN off and no think time; no thresholds (it overloads on purpose);
 * - sweep: open model, constant-arrival-rate steps at rising shares of the node's ceiling (measured by the probe, else the plan's), tagged
 *   `rate:<r>` (requests/s), for the capacity at the SLO (coordinated-omission corrected by the engine); no thresholds;
 * - refine: one such step at a given rate, between the sweep's last passing and first failing rate (the campaign's
 *   bisection of the SLO rate);
 * - replay: ramping-arrival-rate through the quarter's diurnal curve in compressed time at one node's share of the
 *   DC's load (DC rate / planned nodes), then a flash-sale spike; thresholds from the budgets, scoped to it; with a
 *   push service, a `push` scenario holds the node's planned share of its sessions meanwhile (build-push.ts);
 * - connections: a push service's connection probe, steps of held sessions on one push node (connection-probe.ts).
 * The flows are the catalog's (caplab.catalog/v1: the built-in API's or a user's), one per service with demand (under
 * the k6 runner a service's k6 script function where it has one), and a `mixed` flow weighting them by the DC's
 * design-peak rates. Rates are requests/s (traffic, ceilings, the sweep's `rate` tags) while arrival-rate executors
 * and the mix count iterations, one use of a service: a use making k requests (k steps, or a k6 service's
 * `requestsPerUse`) weighs 1/k of its request rate. Pure: data in, specs out.
 */
import type { Plan, Traffic } from '../models/types.ts';
import type { Budgets } from './budgets.ts';
import { budgetsToThresholds } from './budgets.ts';
import { connectionSettings, type ScenarioSettings } from './build-settings.ts';
import type { Catalog, RawStep } from './catalog.ts';
import { connectionsSpec, pushServiceOf, replayPush } from './build-push.ts';

/** Inputs of {@link buildScenarios}. */
export interface BuildInput {
  /** traffic.json. */
  traffic: Traffic;
  /** plan.json (planned nodes for the replay; per-node ceiling for the sweep when `ceilings` has none). No plan: no replay. */
  plan?: Plan;
  /** Per-node USL ceiling per DC (requests/s) to set the sweep's rates, e.g. measured by the probe; overrides the plan's. */
  ceilings?: Readonly<Record<string, number>>;
  /** The services and the requests each makes (caplab.catalog/v1, resolved). */
  catalog: Catalog;
  /** Budgets (`caplab.budgets/v1`, validated). */
  budgets: Budgets;
  /** data/scenarios.json. */
  settings: ScenarioSettings;
  /** Quarter to build for; must be in the traffic (and the plan when given). */
  quarter: string;
  /** Base URL per DC (the stack or the user's own service). */
  targets: Readonly<Record<string, string>>;
  /** Seed of the users. */
  seed: number;
  /** Smoke run: the `quick` step counts and durations. */
  quick: boolean;
  /** Replay seconds per hour of the day (campaign `timeScale`; default from data/scenarios.json). */
  secondsPerHour?: number;
  /** Replay share of the DC's load per node (campaign `rateScale`; default 1 / planned nodes). */
  rateScale?: number;
  /** The runner the specs are for: under `k6` a service with a k6 script runs it (default `engine`: flows only). */
  runner?: 'engine' | 'k6';
  /** Per DC, one rate (requests/s) to refine the SLO rate at: a one-step sweep, tagged `rate:<r>` like the sweep's. */
  refineRates?: Readonly<Record<string, number>>;
  /**
   * The push node the connection probe and the replay load: the share of a real node's sessions it holds (the
   * built-in stacks' push.connectionScale; 1 for a user's node). Absent: no connection probe and no held sessions in
   * the replay (the campaign gives it; `caplab scenarios build` does not).
   */
  pushScale?: number;
}

/** What {@link buildScenarios} returns. */
export interface BuiltScenarios {
  /** Specs by DC. */
  specs: Record<string, DcSpecs>;
  /** DCs left out because no demand reaches them in the quarter (e.g. a country not yet launched). */
  skipped: string[];
}

/** Specs of one DC: the probe always; the sweep once a ceiling is known; the replay once a plan is. */
export interface DcSpecs {
  /** Closed-model concurrency steps (one node, WAN off). */
  probe: Record<string, unknown>;
  /** Open-model rate steps (one node, WAN off). */
  sweep?: Record<string, unknown>;
  /** One open-model step between the sweep's last passing and first failing rate (one node, WAN off). */
  refine?: Record<string, unknown>;
  /** Diurnal replay and flash sale (one node's share, WAN on), with the push node's share of sessions held. */
  replay?: Record<string, unknown>;
  /** The push service's connection probe (one push node, WAN off), when the catalog has one and a push scale is given. */
  connections?: Record<string, unknown>;
}

const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];
/** Most VUs a replay may use: far more than one node's workers and queue hold. */
const MAX_REPLAY_VUS = 1000;

/**
 * Builds probe, sweep and replay specs for every DC of the traffic: the sweep when a per-node ceiling is known
 * (`ceilings`, else the plan's), the replay when a plan is given.
 * @param input traffic, plan, ceilings, catalog, budgets, settings, quarter, targets, seed, quick
 * @returns specs by DC (plain objects; parseScenarioSpec validates them) and the DCs without demand
 * @throws {RangeError} when the quarter is missing from traffic or plan, or a DC has no target
 */
export function buildScenarios(input: BuildInput): BuiltScenarios {
  const out: Record<string, DcSpecs> = {};
  const skipped: string[] = [];
  const s = input.settings;
  const probeCfg = input.quick ? s.quick.probe : s.probe;
  const sweepCfg = input.quick ? s.quick.sweep : s.sweep;
  const replayCfg = input.quick ? s.quick.replay : s.replay;
  const connectionsCfg = connectionSettings(s, input.quick);
  // What one use of each service runs, and how many requests it makes.
  const flowOf = new Map<string, { steps?: RawStep[]; k6?: { script: string; exec: string; requestsPerUse: number } }>();
  const perUse = new Map<string, number>();
  for (const c of input.catalog.services) {
    if (c.k6 && (input.runner === 'k6' || !c.flow)) {
      flowOf.set(c.name, { k6: c.k6 });
      perUse.set(c.name, c.k6.requestsPerUse);
    } else if (c.flow) {
      flowOf.set(c.name, c.flow);
      perUse.set(c.name, Math.max(1, c.flow.steps.filter((st) => st.once !== true).length));
    }
  }
  for (const [dc, quarters] of Object.entries(input.traffic.dcs)) {
    const tq = quarters.find((q) => q.quarter === input.quarter);
    const pq = input.plan?.dcs[dc]?.quarters.find((q) => q.quarter === input.quarter);
    if (!tq || (input.plan && !pq)) throw new RangeError(`buildScenarios: quarter ${input.quarter} is missing for ${dc} in ${tq ? 'plan.json' : 'traffic.json'}`);
    if (!(tq.total.flashSaleRps.p50 > 0)) {
      skipped.push(dc);
      continue;
    }
    const baseUrl = input.targets[dc];
    if (!baseUrl) throw new RangeError(`buildScenarios: no target URL for data center ${dc}`);
    // The request mix of the DC's design peak; services with no demand (or no flow to run) are left out.
    const mix: Record<string, number> = {};
    let requests = 0;
    let uses = 0;
    for (const [svc, v] of Object.entries(tq.services)) {
      if (!(v.flashSaleRps.p50 > 0 && flowOf.has(svc))) continue;
      mix[svc] = round(v.flashSaleRps.p50 / perUse.get(svc)!, 3);
      requests += v.flashSaleRps.p50;
      uses += v.flashSaleRps.p50 / perUse.get(svc)!;
    }
    // Iterations per request of the mix (1 when every use is one request): converts request rates to arrival rates.
    const perRequest = requests > 0 ? uses / requests : 1;
    const flows: Record<string, unknown> = { ...Object.fromEntries(Object.keys(mix).map((svc) => [svc, flowOf.get(svc)])), mixed: { mix } };
    const common = (kind: string) => ({
      schema: 'caplab.scenario/v1',
      name: `${dc}-${kind}-${input.quarter}`,
      baseUrl,
      data: { users: { seed: input.seed, dc, file: `users-${dc}.ndjson` } },
      flows,
    });
    // `wan` says whether responses carry the modeled WAN delay (the replay) or not (probe and sweep, next to the
    // node): server-side budgets are judged only where it is off.
    const tags = (kind: string) => ({ dc, kind, quarter: input.quarter, wan: kind === 'replay' ? 'on' : 'off' });

    const probeStep = probeCfg.warmupSeconds + probeCfg.measureSeconds;
    const probeScenarios = Object.fromEntries(probeCfg.vus.map((vus, i) => [`probe_${vus}`, {
      executor: 'constant-vus', vus, duration: `${probeStep}s`, startTime: `${i * probeStep}s`,
      gracefulStop: `${Math.min(1, probeCfg.warmupSeconds)}s`, exec: 'mixed', tags: { step: String(vus) },
    }]));
    const specs: DcSpecs = {
      probe: { ...common('probe'), options: { scenarios: probeScenarios, thresholds: {}, summaryTrendStats: TREND_STATS, tags: tags('probe') } },
    };
    const push = pushServiceOf(input.catalog.services);
    // The push parts need to know the node they load: without a scale (e.g. `caplab scenarios build`) there are none.
    const pushIn = push && input.pushScale !== undefined
      ? { dc, quarter: input.quarter, baseUrl, seed: input.seed, service: push, tq, weeklyPeakFactor: input.traffic.shape.weeklyPeakFactor, scale: input.pushScale } : undefined;
    if (pushIn) {
      // The steps go around the node's stated limit; without one, up to the generator's bound.
      const cap = push!.resources!.connections!.maxPerNode;
      specs.connections = connectionsSpec({ ...pushIn, settings: connectionsCfg, expectedPerNode: cap ?? connectionsCfg.maxSessions / pushIn.scale });
    }

    const ceiling = input.ceilings?.[dc] ?? input.plan?.dcs[dc]?.capacity.ceilingRps;
    const sweepStep = sweepCfg.warmupSeconds + sweepCfg.measureSeconds;
    // One open-model step at `rate` requests/s; its `rate` tag is what the capacity model reads back.
    const rateStep = (rate: number, startS: number, fine: boolean): Record<string, unknown> => {
      const maxVUs = Math.max(2, Math.ceil(rate * s.sweep.maxVusPerRate));
      return {
        // Refinement rates lie between two swept rates, often less than one request/s apart at a slow node: they
        // count iterations per 10 s so the step runs at the rate asked for, not the nearest whole one per second.
        executor: 'constant-arrival-rate', rate: Math.max(1, Math.round(rate * perRequest * (fine ? 10 : 1))), timeUnit: fine ? '10s' : '1s',
        duration: `${sweepStep}s`, startTime: `${startS}s`, gracefulStop: `${Math.min(1, sweepCfg.warmupSeconds)}s`,
        // All VUs up front: a VU added mid-step arrives late, and drops must mean the node, not the generator.
        preAllocatedVUs: maxVUs, maxVUs, exec: 'mixed', tags: { rate: String(rate) },
      };
    };
    if (ceiling !== undefined) {
      const sweepScenarios = Object.fromEntries(sweepCfg.fractionsOfCeiling.map((f, i) => [`sweep_${i + 1}`, rateStep(Math.max(1, Math.round(f * ceiling)), i * sweepStep, false)]));
      specs.sweep = { ...common('sweep'), options: { scenarios: sweepScenarios, thresholds: {}, summaryTrendStats: TREND_STATS, tags: tags('sweep') } };
    }
    const refine = input.refineRates?.[dc];
    if (refine !== undefined) {
      if (!(Number.isFinite(refine) && refine > 0)) throw new RangeError(`buildScenarios: refinement rate of ${dc} must be positive and finite, got ${refine}`);
      const rate = round(refine, 2);
      specs.refine = { ...common('refine'), options: { scenarios: { refine: rateStep(rate, 0, true) }, thresholds: {}, summaryTrendStats: TREND_STATS, tags: tags('refine') } };
    }

    if (pq) {
      // One node's share of the DC's load, hour by hour (the DC curve has mean 1, so mean x curve x peak day = hourly rate).
      if (!(Number.isFinite(pq.planned) && pq.planned >= 1)) throw new RangeError(`buildScenarios: ${dc} plans ${pq.planned} nodes in ${input.quarter}; a replay needs a finite count >= 1`);
      const nodes = pq.planned;
      const share = input.rateScale ?? 1 / nodes;
      const hourly = tq.diurnalUtc.map((w) => tq.total.meanRps.p50 * w * input.traffic.shape.weeklyPeakFactor * share * perRequest);
      const flash = tq.total.flashSaleRps.p50 * share * perRequest;
      const secondsPerHour = input.secondsPerHour ?? replayCfg.secondsPerHour;
      // Arrival rates are integers per timeUnit: per minute when a node's share is small, so the curve keeps its shape.
      const perMinute = Math.max(...hourly, flash) < 20;
      const scale = perMinute ? 60 : 1;
      const r = (v: number): number => Math.max(0, Math.round(v * scale));
      const top = Math.max(...hourly, flash);
      // Bounded so a replay far past a node's capacity (fewer nodes than planned) measures the node, not a melted generator.
      const maxVUs = Math.min(MAX_REPLAY_VUS, Math.max(2, Math.ceil(top * s.replay.maxVusPerRate)));
      const stages = [
        ...hourly.map((v) => ({ target: r(v), duration: `${secondsPerHour}s` })),
        { target: r(flash), duration: '1s' },
        { target: r(flash), duration: `${replayCfg.flashSaleSeconds}s` },
        { target: r(hourly[hourly.length - 1]!), duration: '1s' },
      ];
      // Every service a mixed request is tagged with (a prelude step may count as another service, e.g. sign-in).
      const services = [...new Set([...Object.keys(mix), ...Object.keys(mix).flatMap((svc) => (flowOf.get(svc)!.steps ?? []).map((st) => st.tags?.service ?? svc))])];
      // The replay runs with WAN delay on, which reaches the client before the first byte: server-side limits
      // (http_req_waiting) are judged on the probe and sweep, next to the node, and the replay keeps the end-to-end ones.
      const replayThresholds = Object.fromEntries(Object.entries(
        budgetsToThresholds(input.budgets, { scenario: 'replay', dc, services }),
      ).filter(([key]) => !key.startsWith('http_req_waiting')));
      const held = pushIn && replayPush({ ...pushIn, settings: connectionsCfg }, input.plan?.resources, stages.reduce((sum, st) => sum + parseFloat(st.duration), 0), input.budgets);
      specs.replay = {
        ...common('replay'),
        ...(held ? { flows: { ...flows, push: held.flow } } : {}),
        options: {
          scenarios: {
            replay: {
              executor: 'ramping-arrival-rate', startRate: r(hourly[0]!), timeUnit: perMinute ? '1m' : '1s', stages,
              preAllocatedVUs: maxVUs, maxVUs, exec: 'mixed', gracefulStop: '2s', tags: { nodes: String(nodes), share: String(round(share, 6)) },
              ...(held ? { startTime: `${held.lead}s` } : {}),
            },
            ...(held ? { push: held.scenario } : {}),
          },
          thresholds: { ...replayThresholds, ...(held?.thresholds ?? {}) },
          summaryTrendStats: TREND_STATS,
          tags: tags('replay'),
        },
      };
    }
    // The catalog's k6 transport options (TLS, hosts, userAgent, connection reuse) go into every spec's options.
    const transport = input.catalog.options;
    if (transport !== undefined) for (const spec of Object.values(specs)) Object.assign(spec.options as object, transport);
    out[dc] = specs;
  }
  return { specs: out, skipped };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
