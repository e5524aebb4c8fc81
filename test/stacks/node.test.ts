import { afterAll, describe, expect, it } from 'vitest';
import { loadStackData, type StackData } from '../../stacks/config.ts';
import { createNode, uslFactor } from '../../stacks/node.ts';
import { createServiceTimeSampler, lognormal } from '../../stacks/service-time.ts';
import { createRng } from '../../models/random.ts';
import { call, startTestStacks, type TestStacks } from './helpers.ts';

/** data/ with the OTA route's service time replaced (the test's known S). */
function withOtaTime(meanMs: number, cv: number): StackData {
  const data = loadStackData();
  return { ...data, services: { ...data.services, routes: { ...data.services.routes, ota_check: { meanMs, cv } } } };
}

const OTA = '/v1/ota/check?model=Mi%204&version=MIUI%206';

describe('service times', () => {
  it('same seed -> same draws; another seed or node -> different draws', () => {
    const routes = loadStackData().services.routes;
    const draws = (seed: number, label: string): number[] => {
      const s = createServiceTimeSampler(routes, seed, label);
      return Array.from({ length: 50 }, (_, i) => s.draw(i % 2 ? 'ota_check' : 'contacts_sync'));
    };
    expect(draws(7, 'sg/0')).toEqual(draws(7, 'sg/0'));
    expect(draws(8, 'sg/0')).not.toEqual(draws(7, 'sg/0'));
    expect(draws(7, 'sg/1')).not.toEqual(draws(7, 'sg/0'));
  });

  it('each route has its own stream, so interleaving does not change a route\'s k-th draw', () => {
    const routes = loadStackData().services.routes;
    const a = createServiceTimeSampler(routes, 3, 'n');
    const b = createServiceTimeSampler(routes, 3, 'n');
    const onlyOta = [a.draw('ota_check'), a.draw('ota_check')];
    b.draw('photos_post');
    const mixed = [b.draw('ota_check'), (b.draw('messages_post'), b.draw('ota_check'))];
    expect(mixed).toEqual(onlyOta);
  });

  it('lognormal draws have the requested mean and coefficient of variation', () => {
    const rng = createRng(1, 'test.lognormal');
    const xs = Array.from({ length: 40_000 }, () => lognormal(rng, 40, 0.5));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
    expect(mean).toBeCloseTo(40, 0);
    expect(sd / mean).toBeGreaterThan(0.47);
    expect(sd / mean).toBeLessThan(0.53);
  });

  it('uslFactor is 1 + sigma (n-1) + kappa n (n-1)', () => {
    expect(uslFactor(1, 0.05, 0.002)).toBe(1);
    expect(uslFactor(10, 0.05, 0.002)).toBeCloseTo(1 + 0.45 + 0.18, 12);
  });
});

describe('node queue', () => {
  it('runs at most W at once, queues up to the bound in FIFO order, and sheds the rest with 503 + Retry-After', async () => {
    const data = withOtaTime(30, 0);
    const node = createNode({ workers: 2, sigma: 0, kappa: 0, queue: 2 }, createServiceTimeSampler(data.services.routes, 1, 'q'));
    const order: number[] = [];
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => node.run('ota_check', () => order.push(i))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
    // The two running requests finish first (in either order: their equal deadlines may fire in one timer tick),
    // then the two queued ones: served in FIFO order, never overtaken by later arrivals.
    expect(new Set(order.slice(0, 2))).toEqual(new Set([0, 1]));
    expect(new Set(order.slice(2))).toEqual(new Set([2, 3]));
    const err = (results[4] as PromiseRejectedResult).reason as { status: number; headers: Record<string, string> };
    expect(err.status).toBe(503);
    expect(Number(err.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(node.stats()).toMatchObject({ busy: 0, queued: 0, shed: 2, served: 4 });
  });
});

describe('overload over HTTP', () => {
  let stacks: TestStacks | undefined;
  afterAll(() => stacks?.close());

  it('sheds past the queue with 503 + Retry-After, and /healthz keeps answering meanwhile', async () => {
    stacks = await startTestStacks({ dcs: ['singapore'], serviceTimeScale: 1, data: withOtaTime(400, 0), node: { workers: 2, queue: 3 } });
    const base = stacks.urls.singapore!;
    const load = Promise.all(Array.from({ length: 12 }, () => call(base, 'GET', OTA)));
    // Poll until the node is full; each /healthz answer while it is full proves the bypass.
    let full = false;
    for (let i = 0; i < 100 && !full; i++) {
      const h = await call(base, 'GET', '/healthz');
      expect(h.status).toBe(200);
      full = h.body.nodes[0].busy === 2 && h.body.nodes[0].queued === 3;
    }
    expect(full).toBe(true);
    const rs = await load;
    const by = (s: number) => rs.filter((r) => r.status === s);
    expect(by(200)).toHaveLength(5);
    expect(by(503)).toHaveLength(7);
    for (const r of by(503)) {
      expect(r.body.error).toBe('overloaded');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    const metrics = (await call(base, 'GET', '/metrics')).body as string;
    expect(metrics).toContain('caplab_requests_shed_total{dc="singapore",route="ota_check"} 7');
    expect(metrics).toContain('caplab_http_requests_total{dc="singapore",route="ota_check",method="GET",status="503"} 7');
  });
});
