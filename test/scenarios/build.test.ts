import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../cli/inputs/catalog.ts';
import { computePlan, computeTraffic } from '../../cli/chain.ts';
import { sloInterval } from '../../models/capacity/measured.ts';
import { modeledNodeCapacity, p95ResponseMs } from '../../models/capacity/node-capacity.ts';
import { parseBudgets } from '../../scenarios/budgets.ts';
import { ScenarioSettingsSchema } from '../../scenarios/build-settings.ts';
import { buildScenarios, type BuildInput } from '../../scenarios/build.ts';
import { parseScenarioSpec, type ScenarioConfig } from '../../scenarios/spec.ts';

const data = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../data/${name}`, import.meta.url), 'utf8'));
const { traffic } = await computeTraffic({ to: '2015Q2' }, 1);
const plan = await computePlan({}, 1);
const catalog = await loadCatalog(undefined, 'engine');
const settings = ScenarioSettingsSchema.parse(data('scenarios.json'));
const input: BuildInput = {
  traffic, plan: { ...plan, dcs: Object.fromEntries(Object.entries(plan.dcs).map(([dc, d]) => [dc, { ...d, quarters: d.quarters.slice(0, 2) }])) },
  budgets: parseBudgets(data('budgets.json'), 'data/budgets.json'), settings, quarter: '2015Q2',
  targets: { beijing: 'http://127.0.0.1:1', singapore: 'http://127.0.0.1:2', 'us-west-1': 'http://127.0.0.1:3', 'us-west-2': 'http://127.0.0.1:4' },
  seed: 1, quick: false, catalog,
};
const { specs, skipped } = buildScenarios(input);
const scenariosOf = (spec: Record<string, unknown>) => (spec.options as { scenarios: Record<string, ScenarioConfig> }).scenarios;

describe('buildScenarios', () => {
  it('writes probe, sweep and replay for every DC with demand, each a valid caplab.scenario/v1 spec', () => {
    // Oregon serves Brazil only, which launches mid-2015 (data/regions.json): no demand in 2015Q2, no scenarios.
    expect(Object.keys(specs)).toEqual(['beijing', 'singapore', 'us-west-1']);
    expect(skipped).toEqual(['us-west-2']);
    for (const [dc, kinds] of Object.entries(specs)) {
      for (const [kind, spec] of Object.entries(kinds)) {
        if (!spec) continue;
        const parsed = parseScenarioSpec(spec, `${dc}-${kind}`);
        expect(parsed.baseUrl).toBe(input.targets[dc]);
        expect(parsed.data.users).toEqual({ seed: 1, dc, file: `users-${dc}.ndjson` });
        // Every flow registers its VU once and reuses the token.
        for (const [name, flow] of Object.entries(parsed.flows)) {
          if (!flow.steps || name === 'devices_register') continue;
          expect(flow.steps[0]).toMatchObject({ name: 'devices_register', once: true, extract: { token: '$.token' } });
          expect(flow.steps[flow.steps.length - 1]!.headers.Authorization).toBe('Bearer {{vars.token}}');
        }
      }
    }
  });

  it('probe: 10-12 sequential constant-vus steps tagged step:N, no thresholds', () => {
    const sc = scenariosOf(specs.singapore!.probe);
    const steps = Object.values(sc);
    expect(steps.length).toBeGreaterThanOrEqual(10);
    expect(steps.length).toBeLessThanOrEqual(12);
    const len = (settings.probe.warmupSeconds + settings.probe.measureSeconds) * 1000;
    steps.forEach((s, i) => {
      expect(s.executor).toBe('constant-vus');
      expect(s.tags.step).toBe(String(settings.probe.vus[i]));
      expect(parseScenarioSpec(specs.singapore!.probe, 'p').options.scenarios![Object.keys(sc)[i]!]!.startTime).toBe(i * len);
    });
    expect((specs.singapore!.probe.options as { thresholds: object }).thresholds).toEqual({});
  });

  it('sweep: arrival rates at the configured shares of the node ceiling', () => {
    const ceiling = input.plan!.dcs.beijing!.capacity.ceilingRps;
    const rates = Object.values(scenariosOf(specs.beijing!.sweep!)).map((s) => (s as { rate: number }).rate);
    expect(rates).toEqual(settings.sweep.fractionsOfCeiling.map((f) => Math.max(1, Math.round(f * ceiling))));
  });

  it('quick sweep: brackets the SLO rate as tightly as the full sweep, so a smoke run is less certain but not biased', () => {
    // A node that behaves exactly as modeled (models/capacity/node-capacity.ts p95 bound): each swept rate passes or
    // fails by its modeled p95, and the SLO interval of either sweep must hold the modeled SLO rate. Before the fix
    // the quick sweep (15/30/60/90% of the ceiling) put the default DCs' SLO rate in [30%, 60%) and counted 30%.
    const quick = buildScenarios({ ...input, quick: true }).specs;
    for (const dc of Object.keys(specs)) {
      const inputs = input.plan!.dcs[dc]!.capacity.inputs as Record<string, number>;
      const node = { workers: inputs.workers!, sigma: inputs.sigma!, kappa: inputs.kappa!, meanServiceMs: inputs.meanServiceMs!, serviceCv: inputs.serviceCv! };
      const slo = modeledNodeCapacity(node, inputs.serverBudgetP95Ms!).sloRps;
      const interval = (sweep: Record<string, unknown>) => sloInterval(Object.values(scenariosOf(sweep)).map((s) => {
        const rate = (s as { rate: number }).rate;
        return { rate, p95: p95ResponseMs(node, rate), dropped: 0, errorRate: 0 };
      }), inputs.serverBudgetP95Ms!);
      const full = interval(specs[dc]!.sweep!);
      expect(full.lower, dc).toBeLessThanOrEqual(slo);
      expect(full.upper, dc).toBeGreaterThan(slo);
      expect(interval(quick[dc]!.sweep!), dc).toEqual(full);
    }
  });

  it('replay: one node\'s share of each hour, then the flash sale; end-to-end budgets only, scoped to the replay', () => {
    const tq = traffic.dcs.singapore!.find((q) => q.quarter === '2015Q2')!;
    const nodes = input.plan!.dcs.singapore!.quarters.find((q) => q.quarter === '2015Q2')!.planned;
    const replay = scenariosOf(specs.singapore!.replay!).replay as unknown as { stages: { target: number }[]; timeUnit: string };
    const perNode = (h: number) => (tq.total.meanRps.p50 * tq.diurnalUtc[h]! * traffic.shape.weeklyPeakFactor) / nodes;
    const scale = replay.timeUnit === '1m' ? 60 : 1;
    expect(replay.stages).toHaveLength(24 + 3);
    for (const h of [0, 7, 13, 23]) expect(replay.stages[h]!.target).toBe(Math.round(perNode(h) * scale));
    expect(replay.stages[25]!.target).toBe(Math.round((tq.total.flashSaleRps.p50 / nodes) * scale));
    const keys = Object.keys((specs.singapore!.replay!.options as { thresholds: object }).thresholds);
    expect(keys.length).toBeGreaterThan(0);
    // The requests' budgets are scoped to the replay, the held push sessions' to their own scenario.
    expect(keys.every((k) => k.includes('scenario:replay') || k.includes('scenario:push'))).toBe(true);
    expect(keys.some((k) => k.startsWith('http_req_waiting'))).toBe(false);
    expect(keys).toContain('http_req_duration{scenario:replay,service:contacts_sync}');
  });

  it('uses per-minute rates when a node\'s share is small, and quick mode shortens the probe', () => {
    const replay = scenariosOf(specs['us-west-1']!.replay!).replay as unknown as { timeUnit: string };
    expect(replay.timeUnit).toBe('1m');
    const quick = buildScenarios({ ...input, quick: true });
    expect(Object.keys(scenariosOf(quick.specs.beijing!.probe))).toHaveLength(settings.quick.probe.vus.length);
  });

  it('rejects a quarter missing from the inputs and a DC without a target', () => {
    expect(() => buildScenarios({ ...input, quarter: '2016Q1' })).toThrow(/2016Q1 is missing for beijing/);
    expect(() => buildScenarios({ ...input, targets: { beijing: 'http://x' } })).toThrow(/no target URL for data center singapore/);
  });
});

// A shop: `browse` is one request per use (4 req/device/day); `checkout` two steps per use (2 req/device/day, so 1
// use); `report` a k6 script function making 3 requests per use (3 req/device/day, so 1 use), whose flow (one step)
// the engine runs instead. By hand, per DC: under k6 requests = 9 units and uses = 4 + 1 + 1 = 6, so iterations per
// request = 6/9; under the engine uses = 4 + 1 + 3 = 8, so 8/9.
const shop = {
  source: 'shop.yaml', name: 'shop', services: [
    { name: 'browse', flow: { steps: [{ path: '/b' }] }, demand: { perDevicePerDay: 4 } },
    { name: 'checkout', flow: { steps: [{ path: '/cart' }, { path: '/pay' }] }, demand: { perDevicePerDay: 2 } },
    { name: 'report', flow: { steps: [{ path: '/r' }] }, k6: { script: '/t/team.js', exec: 'report', requestsPerUse: 3 }, demand: { perDevicePerDay: 3 } },
  ],
} satisfies BuildInput['catalog'];
const shopTraffic = (await computeTraffic({ to: '2015Q2' }, 1, shop)).traffic;
const shopSpecs = (runner: 'engine' | 'k6') => buildScenarios({
  ...input, traffic: shopTraffic, plan: undefined, ceilings: { singapore: 90 }, catalog: shop, runner,
}).specs.singapore!;
type ShopFlows = Record<string, { mix?: Record<string, number>; steps?: unknown[]; k6?: unknown }>;

describe('buildScenarios for a user catalog: requests per use and k6 scripts', () => {
  it('weighs each service by its uses and converts request rates to arrival rates', () => {
    const sg = shopSpecs('engine');
    const flows = sg.probe.flows as ShopFlows;
    const mix = flows.mixed!.mix!;
    expect(mix.checkout! / mix.browse!).toBeCloseTo(1 / 4, 2);
    expect(mix.report! / mix.browse!).toBeCloseTo(3 / 4, 2);
    expect(flows.report!.steps).toBeDefined();
    // The sweep's `rate` tag stays requests/s (what the plan reads); its arrival rate counts iterations.
    for (const sc of Object.values(scenariosOf(sg.sweep!))) {
      expect((sc as unknown as { rate: number }).rate).toBe(Math.max(1, Math.round(Number(sc.tags.rate) * (8 / 9))));
    }
  });

  it('under the k6 runner runs the service\'s k6 script function, at its requests per use', () => {
    const sg = shopSpecs('k6');
    const flows = sg.probe.flows as ShopFlows;
    expect(flows.report).toEqual({ k6: { script: '/t/team.js', exec: 'report', requestsPerUse: 3 } });
    expect(flows.mixed!.mix!.report! / flows.mixed!.mix!.browse!).toBeCloseTo(1 / 4, 2);
    for (const sc of Object.values(scenariosOf(sg.sweep!))) {
      expect((sc as unknown as { rate: number }).rate).toBe(Math.max(1, Math.round(Number(sc.tags.rate) * (6 / 9))));
    }
    expect(() => parseScenarioSpec(sg.sweep!, 'sweep')).not.toThrow();
  });
});

describe('buildScenarios: a refinement step of the SLO rate', () => {
  it('runs one sweep-like step at the rate asked for (iterations per 10 s), tagged with it, as a valid spec', () => {
    const sg = buildScenarios({ ...input, traffic: shopTraffic, plan: undefined, ceilings: { singapore: 90 }, catalog: shop, runner: 'engine', refineRates: { singapore: 43.25 } }).specs.singapore!;
    const sc = Object.values(scenariosOf(sg.refine!));
    expect(sc).toHaveLength(1);
    // 43.25 req/s at 8/9 iteration per request: 38.4 it/s, 384 per 10 s (a whole number per second would be 38).
    expect(sc[0]).toMatchObject({ executor: 'constant-arrival-rate', rate: 384, timeUnit: '10s', tags: { rate: '43.25' }, startTime: '0s' });
    expect((sg.refine!.options as { tags: Record<string, string> }).tags).toMatchObject({ kind: 'refine', wan: 'off' });
    expect(() => parseScenarioSpec(sg.refine!, 'refine')).not.toThrow();
    // Without a refinement rate there is no refinement spec; a bad rate is refused.
    expect(sgShop().refine).toBeUndefined();
    expect(() => buildScenarios({ ...input, refineRates: { beijing: 0 } })).toThrow(/refinement rate of beijing/);
  });
});

function sgShop() {
  return shopSpecs('engine');
}

describe('buildScenarios: the push service', () => {
  const held = (spec: Record<string, unknown>) => {
    const sc = scenariosOf(spec).push as unknown as { stages: { duration: string; target: number }[]; tags: Record<string, string> };
    return { ...sc, vus: sc.stages[1]!.target };
  };
  const resources = plan.resources!;

  it('builds the connection probe of a scaled push node around its stated limit, and holds the planned share in the replay', () => {
    const scaled = buildScenarios({ ...input, pushScale: 0.001 }).specs;
    const conn = scaled.singapore!.connections!;
    const parsed = parseScenarioSpec(conn, 'singapore-connections');
    // The catalog's maxPerNode, 150,000, at 1:1000, times data/scenarios.json's fractions.
    const levels = Object.values(parsed.options.scenarios ?? {}).map((s) => (s as { vus: number }).vus);
    expect(levels).toEqual(settings.connections.fractionsOfExpected.map((f) => Math.round(f * 150)));
    expect((conn.options as { tags: Record<string, string> }).tags).toMatchObject({ kind: 'connections', scale: '0.001', wan: 'off' });
    // The replay's push node holds its planned connections over its planned nodes, x 1/1000, for the whole replay.
    const rq = resources.sites.singapore!.quarters.find((q) => q.quarter === '2015Q2')!;
    const h = held(scaled.singapore!.replay!);
    expect(h.vus).toBe(Math.round(rq.connections!.held / rq.push!.chosen.nodes * 0.001));
    // They open one after another over the lead, before the day, whose scenario starts after it; then held throughout.
    const day = scenariosOf(scaled.singapore!.replay!).replay as unknown as { stages: { duration: string }[]; startTime: string };
    const lead = settings.connections.replayLeadSeconds;
    expect(day.startTime).toBe(`${lead}s`);
    expect(h.stages).toEqual([{ duration: `${lead}s`, target: h.vus }, { duration: `${day.stages.reduce((s, st) => s + parseFloat(st.duration), 0)}s`, target: h.vus }]);
    const thresholds = (scaled.singapore!.replay!.options as { thresholds: Record<string, string[]> }).thresholds;
    // data/budgets.json's default p95, 500 ms, judges the replies; 99% of the push checks must pass.
    expect(thresholds['caplab_ws_reply_duration{scenario:push}']).toEqual(['p(95)<500']);
    expect(thresholds['checks{scenario:push}']).toEqual(['rate>0.99']);
    expect(parseScenarioSpec(scaled.singapore!.replay!, 'replay').flows.push).toBeDefined();
  });

  it('builds no push parts without a push scale, and bounds a replay of an unscaled node by the generator\'s sessions', () => {
    expect(specs.singapore!.connections).toBeUndefined();
    expect(scenariosOf(specs.singapore!.replay!).push).toBeUndefined();
    const h = held(buildScenarios({ ...input, pushScale: 1 }).specs.singapore!.replay!);
    expect(h.vus).toBe(settings.connections.maxSessions);
    expect(Number(h.tags.planned)).toBeGreaterThan(settings.connections.maxSessions);
  });
});
