import { afterAll, describe, expect, it } from 'vitest';
import { loadStackData, type StackData } from '../../stacks/config.ts';
import { call, startTestStacks, type TestStacks } from './helpers.ts';

function withOtaTime(meanMs: number): StackData {
  const data = loadStackData();
  return { ...data, services: { ...data.services, routes: { ...data.services.routes, ota_check: { meanMs, cv: 0 } } } };
}

const OTA = '/v1/ota/check?model=Mi%204&version=MIUI%206';
const open: TestStacks[] = [];
afterAll(async () => {
  for (const s of open) await s.close().catch(() => {});
});

describe('startStacks', () => {
  it('starts one server per data center, each on its own port and SQLite file', async () => {
    const s = await startTestStacks();
    open.push(s);
    expect(Object.keys(s.urls)).toEqual(['beijing', 'singapore', 'us-west-1', 'us-west-2']);
    expect(new Set(Object.values(s.urls)).size).toBe(4);
    for (const [dc, url] of Object.entries(s.urls)) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await call(url, 'GET', '/healthz')).body.dc).toBe(dc);
    }
  });

  it('serves N nodes per data center round robin', async () => {
    const s = await startTestStacks({ dcs: ['us-west-1'], nodes: 3 });
    open.push(s);
    const url = s.urls['us-west-1']!;
    for (let i = 0; i < 9; i++) expect((await call(url, 'GET', OTA)).status).toBe(200);
    expect((await call(url, 'GET', '/healthz')).body.nodes).toHaveLength(3);
    const metrics = (await call(url, 'GET', '/metrics')).body as string;
    for (const n of [0, 1, 2]) expect(metrics).toContain(`caplab_node_served_total{dc="us-west-1",node="${n}"} 3`);
  });

  it('same seed -> same service-time draws over HTTP; another seed -> different ones', async () => {
    const modeled = async (seed: number): Promise<string> => {
      const s = await startTestStacks({ dcs: ['singapore'], serviceTimeScale: 0.05, seed });
      open.push(s);
      const url = s.urls.singapore!;
      const token = await call(url, 'POST', '/v1/devices/register', { json: { userId: 'u-seed', deviceSecret: 'seeded-secret-0123456789', country: 'SG' } });
      for (let i = 0; i < 10; i++) {
        await call(url, 'GET', OTA);
        await call(url, 'POST', '/v1/messages', { token: token.body.token, json: { peer: 'p', body: `m${i}` } });
      }
      const metrics = (await call(url, 'GET', '/metrics')).body as string;
      return /caplab_node_modeled_seconds_total\{[^}]*\} (\S+)/.exec(metrics)![1]!;
    };
    const [a, b, c] = [await modeled(5), await modeled(5), await modeled(6)];
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('stop() lets in-flight requests finish, then refuses new connections', async () => {
    const s = await startTestStacks({ dcs: ['singapore'], serviceTimeScale: 1, data: withOtaTime(300) });
    const url = s.urls.singapore!;
    const inFlight = call(url, 'GET', OTA);
    // Wait until the node holds the request, then stop.
    for (let i = 0; i < 100 && (await call(url, 'GET', '/healthz')).body.nodes[0].busy === 0; i++);
    const stopped = s.close();
    expect((await inFlight).status).toBe(200);
    await stopped;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
