/**
 * The resource plan of one site, worked out by hand: an upload service of 100 req/s at the busiest hour (no spread,
 * so the least-regret point is the figure itself), 50 req/s over the day, 20 ms of CPU, 200 ms in service holding
 * 50 MB, 3 MB in and 1 kB out per request, every upload kept in 3 replicas. Shapes as the 2014 EC2 table gives them
 * (c3.2xlarge, r3.xlarge for the app tier; hs1.8xlarge, i2.8xlarge for storage).
 */
import { probit } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { buildResourcePlan, type ResourcePlanInput } from '../../../../models/capacity/resources/resource-plan.ts';
import type { Shapes } from '../../../../models/capacity/resources/shapes.ts';
import type { ConnectionCapacity } from '../../../../models/capacity/connection-capacity.ts';
import type { Plan, Traffic, TrafficDcQuarter } from '../../../../models/types.ts';

const shapes: Shapes = {
  schema: 'caplab.shapes/v1', currency: 'USD', hoursPerMonth: 730,
  baseline: { cpuCores: 0.5, memoryGiB: 2 },
  targetUtilization: { cpu: 0.7, memory: 0.8, network: 0.5, disk: 0.75, iops: 0.7 },
  shapes: {
    'c3.2xlarge': { family: 'c3', tiers: ['app'], vcpu: 8, memoryGiB: 15, networkGbps: 1, disk: { kind: 'ssd', sizeGB: 160, iops: 20000 } },
    'r3.xlarge': { family: 'r3', tiers: ['app'], vcpu: 4, memoryGiB: 30.5, networkGbps: 0.5, disk: { kind: 'ssd', sizeGB: 80, iops: 10000 } },
    'hs1.8xlarge': { family: 'hs1', tiers: ['storage'], vcpu: 16, memoryGiB: 117, networkGbps: 10, disk: { kind: 'hdd', sizeGB: 48000, iops: 2400 } },
    'i2.8xlarge': { family: 'i2', tiers: ['storage'], vcpu: 32, memoryGiB: 244, networkGbps: 10, disk: { kind: 'ssd', sizeGB: 6400, iops: 365000 } },
  },
  sites: { a: { prices: { 'c3.2xlarge': { perHour: 0.42 }, 'r3.xlarge': { perHour: 0.35 }, 'hs1.8xlarge': { perHour: 4.6 }, 'i2.8xlarge': { perHour: 6.82 } }, egressPerGB: 0.12 } },
};

const band = (v: number) => ({ p50: v, p90: v });
const quarter = (label: string): TrafficDcQuarter => ({
  quarter: label, activeDevices: band(1e6), peakHourUtc: 12, diurnalUtc: Array(24).fill(1),
  services: { upload: { meanRps: band(50), peakRps: band(100), flashSaleRps: band(100), flashSale: null } },
  total: { meanRps: band(50), peakRps: band(100), flashSaleRps: band(100) },
  countries: { XX: { flashSaleRps: band(100) } },
});
const traffic = { dcs: { a: [quarter('2030Q1'), quarter('2030Q2')] } } as unknown as Traffic;
const plan = { dcs: { a: { capacity: { perNodeRps: 250, source: 'modeled', inputs: { profile: 'p8' } } } } } as unknown as Plan;
const services: ResourcePlanInput['services'] = [{
  name: 'upload',
  resources: {
    cpuMsPerRequest: 20,
    memory: { perInFlightMB: 50, perNodeMB: 0, inServiceMs: 200 },
    network: { bytesInPerRequest: 3e6, bytesOutPerRequest: 1e3, cachedShare: 0 },
    storage: { bytesPerRequest: 3e6, bytesPerDevice: 0, retentionDays: null, deletedShare: 0, priorDays: 0, redundancy: { replicas: 3 }, iopsPerRequest: 0 },
  },
}];
const input: ResourcePlanInput = { traffic, plan, services, shapes, profileVcpu: { p8: 8 }, settings: { redundancy: 2, capacityCv: 0.1, regret: { shortage: 5, surplus: 1 } } };

describe('buildResourcePlan', () => {
  it('sizes the app tier by its binding resource (network) on the cheapest shape', () => {
    const r = buildResourcePlan(input);
    expect(r.designQuantile).toBeCloseTo(5 / 6, 12);
    const q1 = r.sites.a!.quarters[0]!;
    expect(r.sites.a!.cpu.source).toBe('catalog');
    // cpu 100 x 20 ms = 2 cores; memory 100 x 0.2 s x 50 MB = 1,000 MB = 0.931 GiB; network in 100 x 3 MB x 8 = 2.4 Gbit/s
    expect(q1.app!.needs.cpu).toBeCloseTo(2, 12);
    expect(q1.app!.needs.memory).toBeCloseTo(1000 / 1073.741824, 9);
    expect(q1.app!.needs.network).toBeCloseTo(2.4, 12);
    // c3.2xlarge: cpu 2 / 5.1 -> 1, memory 0.93 / 10 -> 1, network 2.4 / 0.5 -> 5; + 2 spares = 7 x 306.6 = 2,146.2
    // r3.xlarge: network 2.4 / 0.25 -> 10; + 2 = 12 x 255.5 = 3,066
    expect(q1.app!.chosen).toMatchObject({ shape: 'c3.2xlarge', binds: 'network', nodes: 7 });
    expect(q1.app!.chosen.costPerMonth).toBeCloseTo(7 * 306.6, 9);
    expect(q1.network.inGbps.p50).toBeCloseTo(2.4, 12);
  });

  it('stores a quarter of uploads, raw after 3 replicas, on the storage shape disk binds', () => {
    const q = buildResourcePlan(input).sites.a!.quarters;
    const stored1 = 50 * 86_400 * 91.3125 * 3e6 / 1e12; // 1,183.4 TB
    expect(q[0]!.storedTB.p50).toBeCloseTo(stored1, 9);
    expect(q[0]!.rawTB.p50).toBeCloseTo(3 * stored1, 9);
    expect(q[1]!.storedTB.p50).toBeCloseTo(2 * stored1, 9);
    // hs1: 3,550.3 TB / (48 x 0.75 = 36) = 98.6 -> 99 nodes (ingest 100 x 3 MB x 3 x 8 = 7.2 Gbit/s: 2 nodes)
    expect(q[0]!.storage!.chosen).toMatchObject({ shape: 'hs1.8xlarge', binds: 'disk', nodes: 99 });
    expect(q[0]!.storage!.needs.network).toBeCloseTo(7.2, 12);
    expect(q[0]!.byService.upload!.redundancy).toBe('3 replicas');
  });

  it('prices egress at the site', () => {
    const q1 = buildResourcePlan(input).sites.a!.quarters[0]!;
    const tb = 50 * 1e3 * 86_400 * 365.25 / 12 / 1e12; // 0.1315 TB a month
    expect(q1.egress.tbPerMonth.p50).toBeCloseTo(tb, 12);
    expect(q1.egress.costPerMonth).toBeCloseTo(tb * 1000 * 0.12, 9);
    expect(q1.costPerMonth.total).toBeCloseTo(q1.costPerMonth.app + q1.costPerMonth.storage + q1.costPerMonth.egress, 9);
  });

  it('takes CPU per request from a measured rate on the profile\'s vCPUs', () => {
    const measured = { dcs: { a: { capacity: { perNodeRps: 300, source: 'measured', inputs: { profile: 'p8' } } } } } as unknown as Plan;
    const r = buildResourcePlan({ ...input, plan: measured });
    // (8 - 0.5) cores x 1000 / 300 req/s = 25 ms per request; at the design point with capacityCv 0.1:
    // 100 x 25 ms x exp(z(5/6) x 0.1) = 2.5 x 1.1016
    expect(r.sites.a!.cpu).toMatchObject({ source: 'measured', msPerRequest: 25 });
    expect(r.sites.a!.quarters[0]!.app!.needs.cpu).toBeCloseTo(2.5 * Math.exp(probit(5 / 6) * 0.1), 12);
  });

  it('refuses a site the shapes do not price', () => {
    expect(() => buildResourcePlan({ ...input, traffic: { dcs: { b: traffic.dcs.a } } as unknown as Traffic })).toThrow(/prices nothing at site b/);
  });
});

describe('buildResourcePlan: a push service on its own tier', () => {
  // 1,000,000 active devices, 40% online at the busiest hour, a heartbeat every 300 s at 1 ms of CPU, 64 KiB per
  // connection, 100,000 connections per node at most; 4.32 messages per device per day at 2 ms each, which on a flat
  // day (every hour's weight 1, weekly peak factor 1) is 1e6 x 4.32 / 86,400 = 50 deliveries/s. The push service is
  // not in traffic: it makes no requests, its load comes from the devices.
  const push = {
    name: 'push',
    resources: {
      cpuMsPerRequest: 2,
      connections: { onlineShare: 0.4, heartbeatSeconds: 300, cpuMsPerHeartbeat: 1, memoryKiBPerConnection: 64, messagesPerDevicePerDay: 4.32, bytesPerHeartbeat: 100, maxPerNode: 100_000 },
    },
  };
  const t = { ...traffic, shape: { localHourWeights: Array(24).fill(1), weeklyPeakFactor: 1 } } as unknown as Traffic;

  it('sizes push nodes by the connections a node may hold, memory, heartbeats and deliveries, naming what binds', () => {
    const q1 = buildResourcePlan({ ...input, traffic: t, services: [...services, push] }).sites.a!.quarters[0]!;
    // connections 1e6 x 0.4 = 400,000; heartbeats 400,000 / 300 = 1,333.3/s
    expect(q1.connections!.held).toBeCloseTo(400_000, 6);
    expect(q1.connections!.heartbeatsPerSecond).toBeCloseTo(400_000 / 300, 6);
    expect(q1.connections!.deliveriesPerSecond).toBeCloseTo(50, 9);
    // cpu 1,333.3 x 1 ms + 50 x 2 ms = 1.433 cores; memory 400,000 x 64 KiB = 24.41 GiB
    expect(q1.push!.needs.cpu).toBeCloseTo(400_000 / 300 / 1000 + 0.1, 9);
    expect(q1.push!.needs.memory).toBeCloseTo(400_000 * 64 * 1024 / 2 ** 30, 9);
    // c3.2xlarge: connections 4, memory 24.41 / 10 -> 3, cpu 1; 4 + 2 = 6 x 306.6 = 1,839.6
    // r3.xlarge:  connections 4, memory 24.41 / 22.4 -> 2, cpu 1.433 / 2.3 -> 1; 6 x 255.5 = 1,533: chosen
    expect(q1.push!.chosen).toMatchObject({ shape: 'r3.xlarge', binds: 'connections', nodes: 6 });
    expect(q1.push!.chosen.perResource).toMatchObject({ connections: 4, memory: 2, cpu: 1 });
    // The application tier no longer carries the push service: the upload alone, as above.
    expect(q1.app!.chosen).toMatchObject({ shape: 'c3.2xlarge', binds: 'network', nodes: 7 });
    expect(q1.costPerMonth.total).toBeCloseTo(q1.costPerMonth.app + q1.costPerMonth.storage + q1.costPerMonth.push! + q1.costPerMonth.egress, 9);
    // Egress adds the pongs (the push service states no delivery bytes): 400,000 / 300 s x 100 B / 2 out = 66,667 B/s,
    // x 2,629,800 s a month (365.25 / 12 days) = 0.17532 TB.
    const without = buildResourcePlan({ ...input, traffic: t }).sites.a!.quarters[0]!;
    expect(q1.egress.tbPerMonth.p50 - without.egress.tbPerMonth.p50).toBeCloseTo(400_000 / 300 * 50 * 2_629_800 / 1e12, 9);
  });

  it('lets memory bind when a node has no connection limit of its own', () => {
    const free = { ...push, resources: { ...push.resources, connections: { ...push.resources.connections, maxPerNode: undefined } } };
    const q1 = buildResourcePlan({ ...input, traffic: t, services: [...services, free] }).sites.a!.quarters[0]!;
    // r3.xlarge: memory 2 + 2 = 4 x 255.5 = 1,022; c3.2xlarge: memory 3 + 2 = 5 x 306.6 = 1,533
    expect(q1.push!.chosen).toMatchObject({ shape: 'r3.xlarge', binds: 'memory', nodes: 4 });
  });

  // A connection probe's result at 1:1000: sessions 40 held within budget, 50 refused.
  const probe = (over: Partial<ConnectionCapacity>): ConnectionCapacity => ({
    interval: { lower: 40, upper: 50 }, binds: 'refused', perNode: 40_000, perNodeInterval: { lower: 40_000, upper: 50_000 },
    scale: 0.001, budgetP95Ms: 200, steps: [], ...over,
  });

  it('counts the connection probe\'s figure per node when it found the limit, and says where it comes from', () => {
    const plan = buildResourcePlan({ ...input, traffic: t, services: [...services, push], measuredConnections: { a: probe({}) } });
    const site = plan.sites.a!;
    expect(site.connections).toMatchObject({ source: 'measured', perNode: 40_000 });
    expect(site.connections!.text).toMatch(/measured: 40,000 connections per node .*bracket 40,000–50,000.*refused sessions.*1:1,000/);
    // 400,000 connections / 40,000 = 10 on every shape (memory needs 2 or 3): connections bind, 10 + 2 spares.
    expect(site.quarters[0]!.push!.chosen).toMatchObject({ binds: 'connections', nodes: 12 });
    expect(site.quarters[0]!.push!.chosen.perResource.connections).toBe(10);
    // Without the probe the catalog's 100,000 counts.
    const stated = buildResourcePlan({ ...input, traffic: t, services: [...services, push] }).sites.a!.connections!;
    expect(stated).toMatchObject({ source: 'catalog', perNode: 100_000 });
  });

  it('keeps the stated limit when the probe did not break or had no step within budget, and the lower of the two', () => {
    const run = (m: ConnectionCapacity) => buildResourcePlan({ ...input, traffic: t, services: [...services, push], measuredConnections: { a: m } }).sites.a!.connections!;
    const notReached = run(probe({ binds: 'not reached', interval: { lower: 50, upper: null }, perNode: 50_000, perNodeInterval: { lower: 50_000, upper: null } }));
    expect(notReached).toMatchObject({ source: 'catalog', perNode: 100_000 });
    expect(notReached.text).toMatch(/held 50,000 without breaking/);
    const nothing = run(probe({ binds: 'latency', interval: { lower: 0, upper: 10 }, perNode: 0, perNodeInterval: { lower: 0, upper: 10_000 } }));
    expect(nothing).toMatchObject({ source: 'catalog', perNode: 100_000 });
    expect(nothing.text).toMatch(/no step within the reply budget/);
    const serial = run(probe({
      binds: 'not reached', interval: { lower: 0, upper: null }, perNode: 0, perNodeInterval: { lower: 0, upper: null },
      steps: [{ level: 40, passed: false, refused: 0, replies: 3, replyP95Ms: 2, why: 'unmeasured' }],
    }));
    expect(serial).toMatchObject({ source: 'catalog', perNode: 100_000 });
    expect(serial.text).toMatch(/measured no step \(its load generator opened fewer sessions than each step holds\)/);
    // A probe above the catalog's cap: the cap counts.
    const above = run(probe({ perNode: 120_000, perNodeInterval: { lower: 120_000, upper: 130_000 } }));
    expect(above).toMatchObject({ source: 'measured', perNode: 100_000 });
    expect(above.text).toMatch(/maxPerNode, 100,000, is lower and counts/);
  });
});
