/**
 * The push figures: the session limit they imply, the scaling for small-machine probes, data/hardware.json's push
 * blocks (valid, reasoned figure by figure) and startStacks' push options.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HardwareProfilesSchema } from '../../models/capacity/hardware.ts';
import { ValidationError } from '../../models/errors.ts';
import { loadStackData, STACK_DATA_DIR } from '../../stacks/config.ts';
import { type PushParams, pushSessionLimit, scalePushParams } from '../../stacks/push-params.ts';
import { startStacks } from '../../stacks/start.ts';

const FIGURES = ['memoryMiB', 'memoryPerConnectionKiB', 'maxConnections', 'cores', 'handshakeCpuMs', 'heartbeatCpuMs', 'deliveryCpuMs', 'costCv', 'heartbeatIntervalS'] as const;
const app = (): PushParams => loadStackData().hardware.profiles['app-8vcpu']!.push!;

describe('pushSessionLimit', () => {
  it('is the memory budget over the memory per session, or maxConnections when lower, and at least 1', () => {
    expect(pushSessionLimit({ memoryMiB: 10240, memoryPerConnectionKiB: 64 })).toBe(163_840);
    expect(pushSessionLimit({ memoryMiB: 10240, memoryPerConnectionKiB: 64, maxConnections: 150_000 })).toBe(150_000);
    expect(pushSessionLimit({ memoryMiB: 10240, memoryPerConnectionKiB: 64, maxConnections: 200_000 })).toBe(163_840);
    expect(pushSessionLimit({ memoryMiB: 1.25, memoryPerConnectionKiB: 64 })).toBe(20);
    expect(pushSessionLimit({ memoryMiB: 0.01, memoryPerConnectionKiB: 64 })).toBe(1);
  });

  it('gives the story\'s node 150,000 sessions (maxConnections binds below the memory bound of 163,840)', () => {
    expect(pushSessionLimit(app())).toBe(150_000);
    expect(pushSessionLimit({ ...app(), maxConnections: undefined })).toBe(163_840);
  });
});

describe('scalePushParams', () => {
  it('with costScale = 1 / connectionScale keeps a session\'s share of the CPU: same utilization at the same share of the limit', () => {
    const real = app();
    const small = scalePushParams(real, { connectionScale: 0.001, costScale: 1000 });
    expect(pushSessionLimit(small)).toBe(150);
    expect(small.heartbeatCpuMs).toBeCloseTo(100, 9);
    expect(small.deliveryCpuMs).toBeCloseTo(300, 9);
    expect(small.handshakeCpuMs).toBeCloseTo(2000, 9);
    expect([small.cores, small.costCv, small.heartbeatIntervalS]).toEqual([real.cores, real.costCv, real.heartbeatIntervalS]);
    const utilization = (p: PushParams): number => (pushSessionLimit(p) / p.heartbeatIntervalS) * p.heartbeatCpuMs / 1000 / p.cores;
    expect(utilization(small)).toBeCloseTo(utilization(real), 9);
  });

  it('defaults to no scaling and refuses factors that would grow the node or make costs negative', () => {
    expect(scalePushParams(app())).toEqual(app());
    expect(scalePushParams(app(), { costScale: 0 }).heartbeatCpuMs).toBe(0);
    expect(() => scalePushParams(app(), { connectionScale: 2 })).toThrow(RangeError);
    expect(() => scalePushParams(app(), { connectionScale: 0 })).toThrow(/connectionScale/);
    expect(() => scalePushParams(app(), { costScale: -1 })).toThrow(/costScale/);
  });
});

describe('data/hardware.json push blocks', () => {
  const file = JSON.parse(readFileSync(new URL('hardware.json', STACK_DATA_DIR), 'utf8')) as { profiles: Record<string, { push?: Record<string, unknown> & { about?: Record<string, string> } }> };

  it('every profile has one, with the reasoning of every figure beside it', () => {
    for (const [name, profile] of Object.entries(file.profiles)) {
      const push = profile.push;
      expect(push, name).toBeDefined();
      for (const f of FIGURES) {
        expect(typeof push![f], `${name}.push.${f}`).toBe('number');
        expect(push!.about?.[f]?.length ?? 0, `${name}.push.about.${f}`).toBeGreaterThan(10);
      }
      expect(push!.about?.model?.length ?? 0, `${name}.push.about.model`).toBeGreaterThan(10);
    }
  });

  it('are read by the one schema, which lists every bad figure with its path', () => {
    expect(HardwareProfilesSchema.safeParse(file).success).toBe(true);
    const bad = { ...file, profiles: { p: { workers: 1, sigma: 0, kappa: 0, queue: 0, push: { ...file.profiles['app-8vcpu']!.push, cores: 0, heartbeatCpuMs: -1, memoryMiB: 0 } } } };
    const r = HardwareProfilesSchema.safeParse(bad);
    expect((r.error?.issues ?? []).map((i) => i.path.join('.')).sort()).toEqual(['profiles.p.push.cores', 'profiles.p.push.heartbeatCpuMs', 'profiles.p.push.memoryMiB']);
  });
});

describe('startStacks push options', () => {
  it('lists bad scale factors and, for a profile without a push block, incomplete figures', async () => {
    await expect(startStacks({ dataDir: '/nonexistent/never-created', push: { connectionScale: 0, costScale: -1 } })).rejects.toThrow(ValidationError);
    const data = loadStackData();
    const profiles = Object.fromEntries(Object.entries(data.hardware.profiles).map(([k, { push: _push, ...rest }]) => [k, rest]));
    const bare = { ...data, hardware: { ...data.hardware, profiles } };
    await expect(startStacks({ dataDir: '/nonexistent/never-created', dcs: ['singapore'], data: bare, push: { node: { cores: 2 } } })).rejects.toMatchObject({
      problems: expect.arrayContaining([expect.objectContaining({ where: 'stack options: push.node.memoryMiB', message: expect.stringContaining('no push block') })]),
    });
  });
});
