/**
 * End to end: the connection probe of the built-in catalog's push service, run by `caplab run` against the built-in
 * stacks' push node scaled down, and read back from its NDJSON points. The node's session limit is known from its
 * figures (stacks/push-params.ts pushSessionLimit), and the probe must bracket it: the highest step that held every
 * session within the reply budget is at most the limit, and the lowest step that failed above it is past the limit.
 * The steps are placed around an expected figure that is NOT the node's limit, so the bracket is measured, not given.
 * A second node is bound by CPU (heartbeats far faster than planned on one core): its latency breaks the budget before
 * any session is refused.
 */
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../cli/inputs/catalog.ts';
import { measuredConnectionCapacity } from '../../models/capacity/connection-capacity.ts';
import { createConnectionStepSink } from '../../reports/ingest/connection-steps.ts';
import { readK6Ndjson } from '../../reports/ingest/ndjson.ts';
import type { Catalog, CatalogService } from '../../scenarios/catalog.ts';
import { buildConnectionProbe, type ConnectionProbeSettings } from '../../scenarios/connection-probe.ts';
import { pushSessionLimit, scalePushParams } from '../../stacks/push-params.ts';
import { loadStackData } from '../../stacks/config.ts';
import { type RunningStacks, startStacks } from '../../stacks/start.ts';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';

const dir = tempDir('caplab-e2e-connections-');
const DC = 'singapore';
let catalog: Catalog;
let push: CatalogService;
const running: RunningStacks[] = [];

beforeAll(async () => {
  catalog = await loadCatalog(undefined, 'engine');
  push = catalog.services.find((s) => s.resources?.connections !== undefined)!;
  // The DC's own users (residency holds for each), enough for the largest step.
  const u = await runCli(['--quiet', 'users', '--count', '20000', '--dc', DC, '--file', join(dir, `users-${DC}.ndjson`)]);
  expect(u.code, u.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  removeDir(dir);
}, 30_000);

const settings: ConnectionProbeSettings = {
  fractionsOfExpected: [0.5, 0.75, 0.9, 1.0, 1.1, 1.3, 1.6], warmupSeconds: 2, measureSeconds: 3, gapSeconds: 1, maxSessions: 400, minRoundTripSeconds: 0.25,
};

async function probe(name: string, url: string, expected: number, scale: number, budgetP95Ms: number) {
  const built = buildConnectionProbe({
    dc: DC, quarter: '2015Q1', baseUrl: url, seed: 1, service: push, settings, expectedPerNode: expected, scale, roundTripsPerSessionPerSecond: 0.001,
  });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(built.spec));
  const points = join(dir, `${name}.ndjson`);
  const r = await runCli(['--quiet', 'run', file, '-o', `json=${points}`, '--summary-json', join(dir, `${name}-summary.json`)]);
  expect(r.code, r.stderr).toBe(0);
  const sink = createConnectionStepSink();
  await readK6Ndjson(createReadStream(points), sink, points);
  const steps = sink.finish(settings.warmupSeconds);
  return { built, steps, capacity: measuredConnectionCapacity(steps, { budgetP95Ms, scale }) };
}

describe('the connection probe against the built-in push node', () => {
  it('brackets the session limit of a node scaled 1:1000 (refusals bind)', async () => {
    const data = loadStackData();
    const scale = 0.001;
    const stacks = await startStacks({ dataDir: join(dir, 'mem'), dcs: [DC], wan: false, seed: 3, push: { connectionScale: scale } });
    running.push(stacks);
    const limit = pushSessionLimit(scalePushParams(data.hardware.profiles[data.hardware.dcs[DC]!.profile]!.push!, { connectionScale: scale }));
    expect(limit).toBe(150);
    // Steps around 120,000 sessions (120 at this scale): 60, 90, 108, 120, 132, 156, 192.
    const { built, steps, capacity } = await probe('mem', stacks.urls[DC]!, 120_000, scale, 500);
    expect(built.levels).toEqual([60, 90, 108, 120, 132, 156, 192]);
    expect(capacity.interval.lower).toBeLessThanOrEqual(limit);
    expect(capacity.interval.upper).not.toBeNull();
    expect(capacity.interval.upper!).toBeGreaterThan(limit);
    expect(capacity.interval).toEqual({ lower: 132, upper: 156 });
    expect(capacity.binds).toBe('refused');
    expect(capacity.perNode).toBe(132_000);
    // Exactly the sessions past the limit were refused, with the node's 503; every step below it held all of them.
    const at = (n: number) => steps.find((s) => s.level === n)!;
    expect(at(156).refused).toBe(156 - limit);
    expect(at(156).refusedBy).toEqual({ 503: 156 - limit });
    expect(at(192).refused).toBe(192 - limit);
    for (const n of [60, 90, 108, 120, 132]) {
      expect(at(n).handshakes).toBe(n);
      expect(at(n).refused).toBe(0);
      expect(at(n).replies).toBeGreaterThan(0);
    }
  }, 180_000);

  it('finds the latency limit of a node whose heartbeats saturate its one core', async () => {
    // One core, 20 ms per heartbeat, heartbeats every 1 s (270 s x scale): utilization = sessions x 20 ms / 1 s, so
    // the core saturates at 50 sessions; sessions are not limited (10,000).
    const scale = 1 / 270;
    const stacks = await startStacks({
      dataDir: join(dir, 'cpu'), dcs: [DC], wan: false, seed: 4,
      push: { node: { cores: 1, heartbeatCpuMs: 20, deliveryCpuMs: 1, handshakeCpuMs: 1, costCv: 0, maxConnections: 10_000, memoryMiB: 10_000 } },
    });
    running.push(stacks);
    // Expected 10,800 real sessions (40 at this scale): 20, 30, 36, 40, 44, 52, 64.
    const { built, capacity, steps } = await probe('cpu', stacks.urls[DC]!, 10_800, scale, 200);
    expect(built.heartbeatMs).toBe(1000);
    expect(built.levels).toEqual([20, 30, 36, 40, 44, 52, 64]);
    for (const s of steps) expect(s.refused).toBe(0);
    expect(capacity.binds).toBe('latency');
    // Past saturation (52 and 64 sessions: 104% and 128% busy) the queue grows without bound over the step: at least
    // 52 x 0.04 s x 3 s of backlog, far past 200 ms; at 20 sessions (40% busy, deterministic costs) a reply waits at
    // most for the heartbeats ahead of it, 20 x 20 ms = 400 ms in the worst alignment and far less at p95.
    expect(capacity.interval.upper).not.toBeNull();
    expect(capacity.interval.upper!).toBeLessThanOrEqual(52);
    expect(capacity.interval.lower).toBeGreaterThanOrEqual(20);
  }, 180_000);
});
