/**
 * The scenario builder: for each data center, three specs in the `caplab.scenario/v1` shape (DESIGN.md) derived from
 * the quarter's traffic and plan:
 * - probe: closed model, constant-vus steps up past the knee, each tagged `step:<vus>`, run against ONE node with
 *   WAN off and no think time; no thresholds (it overloads on purpose);
 * - sweep: open model, constant-arrival-rate steps at rising shares of the node's modeled ceiling, tagged
 *   `rate:<r>` (requests/s), for the capacity at the SLO (coordinated-omission corrected by the engine); no thresholds;
 * - replay: ramping-arrival-rate through the quarter's diurnal curve in compressed time at one node's share of the
 *   DC's load (DC rate / planned nodes), then a flash-sale spike; thresholds from the budgets, scoped to it.
 * Every flow registers its VU once (a `once` step extracting the token) and reuses the token. Pure: data in, specs out.
 */
import type { Plan, Traffic } from '../models/types.ts';
import type { Budgets } from './budgets.ts';
import { budgetsToThresholds } from './budgets.ts';
import type { ScenarioSettings, ServiceRequest } from './build-settings.ts';

/** Inputs of {@link buildScenarios}. */
export interface BuildInput {
  /** traffic.json. */
  traffic: Traffic;
  /** plan.json (per-node ceiling and planned nodes). */
  plan: Plan;
  /** Budgets (`caplab.budgets/v1`, validated). */
  budgets: Budgets;
  /** data/scenarios.json. */
  settings: ScenarioSettings;
  /** Quarter to build for; must be in traffic and plan. */
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
}

/** What {@link buildScenarios} returns. */
export interface BuiltScenarios {
  /** Specs by DC. */
  specs: Record<string, DcSpecs>;
  /** DCs left out because no demand reaches them in the quarter (e.g. a country not yet launched). */
  skipped: string[];
}

/** Specs of one DC. */
export interface DcSpecs {
  /** Closed-model concurrency steps (one node, WAN off). */
  probe: Record<string, unknown>;
  /** Open-model rate steps (one node, WAN off). */
  sweep: Record<string, unknown>;
  /** Diurnal replay and flash sale (one node's share, WAN on). */
  replay: Record<string, unknown>;
}

const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];
/** Most VUs a replay may use: far more than one node's workers and queue hold. */
const MAX_REPLAY_VUS = 1000;

/**
 * Builds probe, sweep and replay specs for every DC of the traffic.
 * @param input traffic, plan, budgets, settings, quarter, targets, seed, quick
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
  for (const [dc, quarters] of Object.entries(input.traffic.dcs)) {
    const tq = quarters.find((q) => q.quarter === input.quarter);
    const pq = input.plan.dcs[dc]?.quarters.find((q) => q.quarter === input.quarter);
    if (!tq || !pq) throw new RangeError(`buildScenarios: quarter ${input.quarter} is missing for ${dc} in ${tq ? 'plan.json' : 'traffic.json'}`);
    if (!(tq.total.flashSaleRps.p50 > 0)) {
      skipped.push(dc);
      continue;
    }
    const baseUrl = input.targets[dc];
    if (!baseUrl) throw new RangeError(`buildScenarios: no target URL for data center ${dc}`);
    // The request mix of the DC's design peak; services with no demand are left out.
    const mix: Record<string, number> = {};
    for (const [svc, v] of Object.entries(tq.services)) if (v.flashSaleRps.p50 > 0 && requestOf(s, svc)) mix[svc] = round(v.flashSaleRps.p50, 3);
    const flows = flowsFor(s, mix);
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

    const ceiling = input.plan.dcs[dc]!.capacity.ceilingRps;
    const sweepStep = sweepCfg.warmupSeconds + sweepCfg.measureSeconds;
    const sweepScenarios = Object.fromEntries(sweepCfg.fractionsOfCeiling.map((f, i) => {
      const rate = Math.max(1, Math.round(f * ceiling));
      const maxVUs = Math.max(2, Math.ceil(rate * s.sweep.maxVusPerRate));
      return [`sweep_${i + 1}`, {
        executor: 'constant-arrival-rate', rate, timeUnit: '1s', duration: `${sweepCfg.measureSeconds + sweepCfg.warmupSeconds}s`,
        startTime: `${i * sweepStep}s`, gracefulStop: `${Math.min(1, sweepCfg.warmupSeconds)}s`,
        // All VUs up front: a VU added mid-step arrives late, and drops must mean the node, not the generator.
        preAllocatedVUs: maxVUs, maxVUs, exec: 'mixed', tags: { rate: String(rate) },
      }];
    }));

    // One node's share of the DC's load, hour by hour (the DC curve has mean 1, so mean x curve x peak day = hourly rate).
    if (!(Number.isFinite(pq.planned) && pq.planned >= 1)) throw new RangeError(`buildScenarios: ${dc} plans ${pq.planned} nodes in ${input.quarter}; a replay needs a finite count >= 1`);
    const nodes = pq.planned;
    const share = input.rateScale ?? 1 / nodes;
    const hourly = tq.diurnalUtc.map((w) => tq.total.meanRps.p50 * w * input.traffic.shape.weeklyPeakFactor * share);
    const flash = tq.total.flashSaleRps.p50 * share;
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
    const services = Object.keys(mix);
    // The replay runs with WAN delay on, which reaches the client before the first byte: server-side limits
    // (http_req_waiting) are judged on the probe and sweep, next to the node, and the replay keeps the end-to-end ones.
    const replayThresholds = Object.fromEntries(Object.entries(
      budgetsToThresholds(input.budgets, { scenario: 'replay', dc, services: [...new Set([...services, 'devices_register'])] }),
    ).filter(([key]) => !key.startsWith('http_req_waiting')));

    out[dc] = {
      probe: {
        ...common('probe'),
        options: { scenarios: probeScenarios, thresholds: {}, summaryTrendStats: TREND_STATS, tags: tags('probe') },
      },
      sweep: {
        ...common('sweep'),
        options: { scenarios: sweepScenarios, thresholds: {}, summaryTrendStats: TREND_STATS, tags: tags('sweep') },
      },
      replay: {
        ...common('replay'),
        options: {
          scenarios: {
            replay: {
              executor: 'ramping-arrival-rate', startRate: r(hourly[0]!), timeUnit: perMinute ? '1m' : '1s', stages,
              preAllocatedVUs: maxVUs, maxVUs, exec: 'mixed', gracefulStop: '2s', tags: { nodes: String(nodes), share: String(round(share, 6)) },
            },
          },
          thresholds: replayThresholds,
          summaryTrendStats: TREND_STATS,
          tags: tags('replay'),
        },
      },
    };
  }
  return { specs: out, skipped };
}

function requestOf(s: ScenarioSettings, service: string): ServiceRequest | undefined {
  const r = s.requests[service];
  return typeof r === 'object' ? r : undefined;
}

/** One flow per service (register once, optional once-per-VU prerequisite, then the service request) and the mix. */
function flowsFor(s: ScenarioSettings, mix: Record<string, number>): Record<string, unknown> {
  const reg = s.requests.devices_register;
  const register = {
    name: 'devices_register', once: true, method: reg.method, path: reg.path, json: reg.json,
    extract: { token: '$.token' }, expectedStatuses: reg.expectedStatuses, checks: { status: reg.expectedStatuses },
    tags: { service: 'devices_register' },
  };
  const auth = { Authorization: 'Bearer {{vars.token}}' };
  const flows: Record<string, unknown> = {};
  for (const svc of Object.keys(mix)) {
    const req = requestOf(s, svc)!;
    const steps: unknown[] = [register];
    if (req.needs) {
      const n = req.needs;
      steps.push({
        name: `${svc}_setup`, once: true, method: n.method, path: n.path, headers: auth, ...(n.json !== undefined ? { json: n.json } : {}),
        extract: n.extract ?? {}, expectedStatuses: n.expectedStatuses, tags: { service: n.service },
      });
    }
    if (svc !== 'devices_register') {
      steps.push({
        name: svc, method: req.method, path: req.path, headers: auth, ...(req.json !== undefined ? { json: req.json } : {}),
        expectedStatuses: req.expectedStatuses, checks: { status: req.expectedStatuses }, tags: { service: svc },
      });
    } else {
      steps[0] = { ...register, once: false };
    }
    flows[svc] = { steps };
  }
  flows.mixed = { mix };
  return flows;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
