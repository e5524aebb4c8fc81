/**
 * End to end test of the method (DESIGN.md "Measuring a node's capacity"): a node with known W, sigma and kappa ->
 * the probe's USL fit recovers them -> the plan's node count for a demand -> a replay at that count's per-node rate
 * meets the SLO, and one at fewer nodes does not. Real stack on 127.0.0.1 (WAN off), real engine runs in child
 * processes. Tolerances are those of the stacks' own USL test (timer granularity and a shared 2-core host):
 * sigma within 0.03, kappa within 50%, lambda within 15%.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlan } from '../../models/capacity/planner.ts';
import { measuredNodeCapacity } from '../../models/capacity/measured.ts';
import { PlannerSettingsSchema } from '../../models/capacity/settings.ts';
import { ResidencySchema, RttSchema } from '../../models/routing/settings.ts';
import type { Traffic } from '../../models/types.ts';
import { startStacks, type RunningStacks } from '../../stacks/start.ts';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { readK6Ndjson } from '../../reports/ingest/ndjson.ts';
import { createStepSink } from '../../reports/ingest/steps.ts';
import { createReadStream } from 'node:fs';

const KNOWN = { workers: 32, sigma: 0.05, kappa: 0.002, queue: 64 };
/** data/services.json: ota_check takes 20 ms on an idle node, so lambda = 1000 / 20 = 50 requests/s per VU. */
const LAMBDA = 50;
const STEPS = [1, 2, 4, 8, 12, 16, 20, 24, 28, 32];
const dir = tempDir('caplab-e2e-method-');
let stacks: RunningStacks;
let base: string;

const spec = (name: string, scenarios: Record<string, unknown>, thresholds: Record<string, string[]> = {}) => ({
  schema: 'caplab.scenario/v1', name, baseUrl: base,
  options: { scenarios, thresholds, summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max'] },
  flows: { default: { steps: [{ name: 'ota_check', path: '/v1/ota/check?model=Mi%204&version=MIUI%206', expectedStatuses: [200] }] } },
});

beforeAll(async () => {
  stacks = await startStacks({ dataDir: join(dir, 'db'), dcs: ['singapore'], wan: false, node: KNOWN });
  base = stacks.urls.singapore!;
}, 60_000);

afterAll(async () => {
  await stacks?.stop();
  removeDir(dir);
});

describe('known node -> probe -> USL -> plan -> replay', () => {
  let perNode = 0;
  let nodes = 0;
  const demand = 2000;

  it('the probe\'s USL fit recovers sigma, kappa and lambda', async () => {
    const scenarios = Object.fromEntries(STEPS.map((vus, i) => [`probe_${vus}`, {
      executor: 'constant-vus', vus, duration: '4s', startTime: `${i * 4}s`, gracefulStop: '0s', tags: { step: String(vus) },
    }]));
    writeFileSync(join(dir, 'probe.json'), JSON.stringify(spec('probe', scenarios)));
    const r = await runCli(['--quiet', 'run', join(dir, 'probe.json'), '-o', `json=${join(dir, 'probe.ndjson')}`]);
    expect(r.code, r.stderr).toBe(0);
    const sink = createStepSink();
    await readK6Ndjson(createReadStream(join(dir, 'probe.ndjson')), sink, 'probe.ndjson');
    const steps = sink.finish(1).filter((s) => s.kind === 'step');
    expect(steps.map((s) => s.level)).toEqual(STEPS);
    const cap = measuredNodeCapacity(steps.map((s) => ({ concurrency: s.level, throughput: s.throughput })), [], 100);
    expect(Math.abs(Number(cap.inputs.sigma) - KNOWN.sigma)).toBeLessThan(0.03);
    expect(Math.abs(Number(cap.inputs.kappa) - KNOWN.kappa) / KNOWN.kappa).toBeLessThan(0.5);
    expect(Math.abs(Number(cap.inputs.lambda) - LAMBDA) / LAMBDA).toBeLessThan(0.15);
    perNode = cap.perNodeRps;
  }, 120_000);

  it('plans nodes for a demand, and a replay at that count meets the SLO while fewer nodes do not', async () => {
    expect(perNode).toBeGreaterThan(0);
    const band = (v: number) => ({ p50: v, p90: v });
    const traffic = {
      schema: 'caplab.traffic/v1', placement: 'one', demand: {}, shape: { localHourWeights: [], weeklyPeakFactor: 1 }, flashSales: [],
      routing: [{ country: 'SG', dc: 'singapore', rttMs: { p50: 5, p95: 5 }, rule: 'any', allowed: true, reason: 'nearest-allowed' }], violations: [],
      dcs: { singapore: [{ quarter: '2015Q4', activeDevices: band(1), peakHourUtc: 0, diurnalUtc: [], services: {}, countries: { SG: { flashSaleRps: band(demand) } },
        total: { meanRps: band(demand), peakRps: band(demand), flashSaleRps: band(demand) } }] },
    } as unknown as Traffic;
    const plan = buildPlan({
      traffic, capacity: { singapore: { ceilingRps: perNode, sloRps: perNode, perNodeRps: perNode, binds: 'ceiling', source: 'measured', inputs: {}, workers: KNOWN.workers } },
      fleet: { schema: 'caplab.fleet/v1', asOf: '2015Q3', nodes: {} }, pricePerNodeMonth: { singapore: 1 }, currency: 'USD',
      rtt: RttSchema.parse({ schema: 'caplab.rtt/v1', sources: ['t'], jitter: { sigma: 0, reasoning: 't' }, dcs: { singapore: { default: 5 } } }),
      residency: ResidencySchema.parse({ schema: 'caplab.residency/v1', rules: [{ name: 'any', countries: '*', dcs: ['singapore'], source: 't' }] }),
      settings: PlannerSettingsSchema.parse({ schema: 'caplab.planner/v1', targetUtilization: 0.7, redundancy: 2, draws: 32, capacityCv: 0, queueWaitTargetMs: 10, serverBudgetP95Ms: 100, regret: { shortage: 5, surplus: 1 } }),
      seed: 1,
    });
    nodes = plan.dcs.singapore!.quarters[0]!.nodes.p50;
    // ceil(demand / (capacity x 0.7)): at least the utilization bound.
    expect(nodes).toBeGreaterThanOrEqual(Math.ceil(demand / (perNode * 0.7)));
    const replay = async (n: number): Promise<number> => {
      const rate = Math.round(demand / n);
      writeFileSync(join(dir, `replay-${n}.json`), JSON.stringify(spec(`replay-${n}`, {
        replay: { executor: 'constant-arrival-rate', rate, timeUnit: '1s', duration: '8s', preAllocatedVUs: 200, maxVUs: 200 },
      }, { http_req_duration: ['p(95)<100'], http_req_failed: ['rate<0.01'] })));
      return (await runCli(['--quiet', 'run', join(dir, `replay-${n}.json`)])).code;
    };
    expect(await replay(nodes)).toBe(0);
    // Fewer nodes: each must take more than its ceiling, so latency or errors break the SLO (thresholds crossed: 99).
    const fewer = Math.max(1, Math.floor(demand / (perNode * 1.15)));
    expect(fewer).toBeLessThan(nodes);
    expect(await replay(fewer)).toBe(99);
  }, 120_000);
});
