import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInWorld } from '../../cli/inputs/world.ts';
import { loadStackData } from '../../stacks/config.ts';
import { createWanDelay, rttMs } from '../../stacks/wan.ts';
import { call, register, startTestStacks, type TestStacks } from './helpers.ts';

const { rtt } = loadStackData();

describe('rttMs', () => {
  it('reads the median RTT of a country at a data center, with the default for unlisted countries', () => {
    expect(rttMs(rtt, 'singapore', 'BR')).toBe(330);
    expect(rttMs(rtt, 'us-west-1', 'US')).toBe(20);
    expect(rttMs(rtt, 'singapore', 'FR')).toBe(rtt.dcs.singapore!.default);
    expect(rttMs(rtt, 'singapore', undefined)).toBe(0);
  });

  it('covers every country of the built-in world (data/world.json) at every data center', () => {
    for (const table of Object.values(rtt.dcs)) {
      for (const c of builtInWorld().world.regions.countries) expect(table[c.code], c.code).toBeTypeOf('number');
    }
  });
});

describe('createWanDelay', () => {
  it('draws around the median with the lognormal jitter of data/rtt.json, the same for the same seed', () => {
    const draws = (seed: number): number[] => {
      const d = createWanDelay(rtt, 'singapore', seed);
      return Array.from({ length: 4000 }, () => d('BR'));
    };
    const a = draws(3);
    expect(draws(3)).toEqual(a);
    expect(draws(4)).not.toEqual(a);
    const sorted = [...a].sort((x, y) => x - y);
    expect(sorted[2000]! / 330).toBeGreaterThan(0.97);
    expect(sorted[2000]! / 330).toBeLessThan(1.03);
    const p95 = 330 * Math.exp(1.6448536 * rtt.jitter.sigma);
    expect(Math.abs(sorted[3800]! / p95 - 1)).toBeLessThan(0.05);
    expect(createWanDelay(rtt, 'singapore', 3)(undefined)).toBe(0);
  });
});

describe('WAN delay over HTTP', () => {
  let stacks: TestStacks;
  beforeAll(async () => {
    stacks = await startTestStacks({ dcs: ['singapore'], wan: true });
  });
  afterAll(() => stacks.close());

  /** Sends `n` requests at once; returns each one's elapsed time and announced WAN delay. */
  const burst = async (n: number, f: () => ReturnType<typeof call>): Promise<Array<{ elapsed: number; wan: number }>> =>
    Promise.all(Array.from({ length: n }, async () => {
      const t0 = performance.now();
      const r = await f();
      return { elapsed: performance.now() - t0, wan: Number(r.headers.get('x-caplab-wan-ms')) };
    }));
  const geomean = (xs: number[]): number => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

  it('delays each response by the RTT drawn for the X-Client-Country header, or for the user\'s country', async () => {
    const base = stacks.urls.singapore!;
    const token = await register(base, 'u-wan-us', 'US');
    const fromBr = await burst(12, () => call(base, 'GET', '/v1/ota/check?model=Mi%204&version=MIUI%206', { headers: { 'x-client-country': 'BR' } }));
    const fromUs = await burst(12, () => call(base, 'GET', '/v1/contacts', { token }));
    // The header wins over the user's record: a traveller is as far as where they are.
    const travelling = await burst(12, () => call(base, 'GET', '/v1/contacts', { token, headers: { 'x-client-country': 'BR' } }));
    // A delay can be late on a busy machine, never early (the sleep is within 1 ms of its deadline).
    for (const r of [...fromBr, ...fromUs, ...travelling]) expect(r.elapsed).toBeGreaterThanOrEqual(r.wan - 1);
    // 12 draws with sigma 0.25: the geometric mean is within 25% of the median (3 standard errors).
    expect(Math.abs(geomean(fromBr.map((r) => r.wan)) / 330 - 1)).toBeLessThan(0.25);
    expect(Math.abs(geomean(fromUs.map((r) => r.wan)) / 175 - 1)).toBeLessThan(0.25);
    expect(Math.abs(geomean(travelling.map((r) => r.wan)) / 330 - 1)).toBeLessThan(0.25);
  });

  it('does not delay /healthz or /metrics', async () => {
    const h = await call(stacks.urls.singapore!, 'GET', '/healthz', { headers: { 'x-client-country': 'BR' } });
    expect(h.status).toBe(200);
    expect(h.headers.get('x-caplab-wan-ms')).toBeNull();
  });
});
