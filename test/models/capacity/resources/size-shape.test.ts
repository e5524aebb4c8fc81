/**
 * Hand-derived sizing of one tier on two shapes. Sources of the shapes' figures: the EC2 instance-type table of 2014
 * (c3.2xlarge 8 vCPU, 15 GiB; r3.xlarge 4 vCPU, 30.5 GiB; hs1.8xlarge 24 x 2 TB), prices as stated in the test;
 * the arithmetic is written out beside each expectation.
 */
import { describe, expect, it } from 'vitest';
import type { PricedShape, Shapes } from '../../../../models/capacity/resources/shapes.ts';
import { chooseShape, sizeShape, usablePerNode } from '../../../../models/capacity/resources/size-shape.ts';

const rules = { baseline: { cpuCores: 0.5, memoryGiB: 2 }, targetUtilization: { cpu: 0.7, memory: 0.8, network: 0.5, disk: 0.75, iops: 0.7 } } as Pick<Shapes, 'baseline' | 'targetUtilization'>;
const c3: PricedShape = { name: 'c3.2xlarge', family: 'c3', tiers: ['app'], vcpu: 8, memoryGiB: 15, networkGbps: 1, disk: { kind: 'ssd', sizeGB: 160, iops: 20000 }, perMonth: 0.42 * 730 };
const r3: PricedShape = { name: 'r3.xlarge', family: 'r3', tiers: ['app'], vcpu: 4, memoryGiB: 30.5, networkGbps: 0.5, disk: { kind: 'ssd', sizeGB: 80, iops: 10000 }, perMonth: 0.35 * 730 };
const hs1: PricedShape = { name: 'hs1.8xlarge', family: 'hs1', tiers: ['storage'], vcpu: 16, memoryGiB: 117, networkGbps: 10, disk: { kind: 'hdd', sizeGB: 48000, iops: 2400 }, perMonth: 4.6 * 730 };
const i2: PricedShape = { name: 'i2.8xlarge', family: 'i2', tiers: ['storage'], vcpu: 32, memoryGiB: 244, networkGbps: 10, disk: { kind: 'ssd', sizeGB: 6400, iops: 365000 }, perMonth: 6.82 * 730 };
const app = { perNodeMemoryGiB: 0, minNodes: 1, spares: 2 };

describe('usablePerNode', () => {
  it('takes the target share of each resource less the baseline', () => {
    const u = usablePerNode(c3, rules, { perNodeMemoryGiB: 1 });
    expect(u.cpu).toBeCloseTo(8 * 0.7 - 0.5, 12); // 5.1 cores
    expect(u.memory).toBeCloseTo(15 * 0.8 - 2 - 1, 12); // 9 GiB
    expect(u.network).toBeCloseTo(0.5, 12);
    expect(u.disk).toBeCloseTo(0.16 * 0.75, 12); // TB
    expect(u.iops).toBeCloseTo(14000, 9);
  });
});

describe('sizeShape', () => {
  it('counts the nodes of each resource, takes the max and adds the spares (CPU binds)', () => {
    const needs = { cpu: 40, memory: 30, network: 1.2, disk: 0, iops: 0 };
    const a = sizeShape(needs, c3, rules, app);
    // cpu 40 / 5.1 = 7.84 -> 8; memory 30 / (12 - 2) = 3; network 1.2 / 0.5 = 2.4 -> 3
    expect(a.perResource).toEqual({ cpu: 8, memory: 3, network: 3, disk: 0, iops: 0, connections: 0 });
    expect(a.binds).toBe('cpu');
    expect(a.nodes).toBe(8 + 2);
    expect(a.costPerMonth).toBeCloseTo(10 * 306.6, 9);
    const b = sizeShape(needs, r3, rules, app);
    // cpu 40 / (2.8 - 0.5) = 17.39 -> 18; memory 30 / (24.4 - 2) = 1.34 -> 2; network 1.2 / 0.25 = 4.8 -> 5
    expect(b.perResource).toEqual({ cpu: 18, memory: 2, network: 5, disk: 0, iops: 0, connections: 0 });
    expect(b.nodes).toBe(20);
  });

  it('names memory when memory binds', () => {
    const s = sizeShape({ cpu: 10, memory: 120, network: 0, disk: 0, iops: 0 }, r3, rules, app);
    // cpu 10 / 2.3 = 4.35 -> 5; memory 120 / 22.4 = 5.36 -> 6
    expect(s.perResource.cpu).toBe(5);
    expect(s.perResource.memory).toBe(6);
    expect(s.binds).toBe('memory');
    expect(s.nodes).toBe(8);
  });

  it('does not buy a node for floating-point dust', () => {
    expect(sizeShape({ cpu: 5.1 * 10, memory: 0, network: 0, disk: 0, iops: 0 }, c3, rules, app).perResource.cpu).toBe(10);
  });

  it('says a shape cannot carry a resource it lacks (memory under the baseline)', () => {
    const tiny: PricedShape = { ...c3, name: 'tiny', memoryGiB: 2 };
    const s = sizeShape({ cpu: 1, memory: 1, network: 0, disk: 0, iops: 0 }, tiny, rules, app);
    expect(s.perResource.memory).toBeNull();
    expect(s.nodes).toBe(Infinity);
    // ... even when no memory is asked for: its baseline alone does not fit
    const idle = sizeShape({ cpu: 1, memory: 0, network: 0, disk: 0, iops: 0 }, tiny, rules, app);
    expect(idle).toMatchObject({ nodes: Infinity, binds: 'memory' });
  });

  it('holds the tier minimum (erasure-coded shards) and says so', () => {
    // 100 raw TB on hs1: 100 / (48 x 0.75 = 36) = 2.8 -> 3 nodes, but Reed-Solomon 10+4 needs 14 shards' nodes
    const s = sizeShape({ cpu: 0, memory: 0, network: 0, disk: 100, iops: 0 }, hs1, rules, { perNodeMemoryGiB: 0, minNodes: 14, spares: 0 });
    expect(s.perResource.disk).toBe(3);
    expect(s.binds).toBe('minimum');
    expect(s.nodes).toBe(14);
  });
});

describe('chooseShape', () => {
  it('picks the cheapest shape and keeps the best of each family', () => {
    const r = chooseShape({ cpu: 40, memory: 30, network: 1.2, disk: 0, iops: 0 }, [r3, c3], rules, app)!;
    // c3: 10 x 306.6 = 3066; r3: 20 x 255.5 = 5110
    expect(r.chosen.shape).toBe('c3.2xlarge');
    expect(r.families.map((f) => f.shape)).toEqual(['c3.2xlarge', 'r3.xlarge']);
  });

  it('picks a memory-rich shape when memory binds', () => {
    const r = chooseShape({ cpu: 10, memory: 120, network: 0, disk: 0, iops: 0 }, [c3, r3], rules, app)!;
    // c3: cpu 2, memory 120 / 10 = 12 -> 14 nodes, 4292.4; r3: 8 nodes, 2044
    expect(r.chosen.shape).toBe('r3.xlarge');
    expect(r.chosen.binds).toBe('memory');
  });

  it('sizes storage by disk or IOPS, whichever binds, on the cheaper shape', () => {
    // 500 raw TB: hs1 500 / 36 = 13.9 -> 14 nodes (3,358/month each = 47,012); i2 500 / 4.8 = 104.2 -> 105 (4,978.6 each)
    const byDisk = chooseShape({ cpu: 0, memory: 0, network: 0, disk: 500, iops: 10_000 }, [i2, hs1], rules, { perNodeMemoryGiB: 0, minNodes: 3, spares: 0 })!;
    expect(byDisk.chosen).toMatchObject({ shape: 'hs1.8xlarge', nodes: 14, binds: 'disk' });
    // 50 raw TB at 200,000 IOPS: hs1 needs 200,000 / 1,680 = 119.05 -> 120 nodes (IOPS bind); i2 needs 50 / 4.8 -> 11 by disk, 200,000 / 255,500 -> 1 by IOPS
    const byIops = chooseShape({ cpu: 0, memory: 0, network: 0, disk: 50, iops: 200_000 }, [hs1, i2], rules, { perNodeMemoryGiB: 0, minNodes: 3, spares: 0 })!;
    expect(byIops.families.find((f) => f.family === 'hs1')).toMatchObject({ nodes: 120, binds: 'iops' });
    expect(byIops.chosen).toMatchObject({ shape: 'i2.8xlarge', nodes: 11, binds: 'disk' });
  });

  it('holds no minimum when nothing is needed (a site before its countries launch): only the spares', () => {
    const s = sizeShape({ cpu: 0, memory: 0, network: 0, disk: 0, iops: 0 }, hs1, rules, { perNodeMemoryGiB: 0, minNodes: 14, spares: 2 });
    expect(s).toMatchObject({ nodes: 2, binds: 'minimum' });
  });

  it('returns null when no shape can carry the tier', () => {
    expect(chooseShape({ cpu: 0, memory: 0, network: 0, disk: 10, iops: 0 }, [{ ...c3, disk: { kind: 'none', sizeGB: 0, iops: 0 } }], rules, app)).toBeNull();
  });
});
