/**
 * The resource plan: per site and period, what the application tier needs of CPU, memory and network and what the
 * storage tier needs of disk, IOPS and network, at the least-regret quantile of demand; each tier sized on every shape
 * the site offers (node count = the max over resources), the cheapest shape chosen, the binding resource named; data
 * stored and raw; egress and its cost. CPU per request comes from the probe where one measured the site, else from
 * the catalog's `cpuMsPerRequest`, else from the plan's modeled node. Pure: data in, data out.
 */
import { probit } from 'simple-statistics';
import type { Band, Band2, Plan, Traffic } from '../../types.ts';
import { atQuantile } from '../optimize/design-demand.ts';
import { interval, intervalSigma, redundancyFactor, type Resources } from './desires.ts';
import { offered, RESOURCES, type Shapes } from './shapes.ts';
import { chooseShape, type TierNeeds } from './size-shape.ts';
import { storedBytes } from './storage.ts';
import type { ConnectionCapacity } from '../connection-capacity.ts';
import type { ConnectionsBasis, CpuBasis, ResourcePlan, ResourceQuarter, TierPlan } from './types.ts';

/** Bytes in a GiB, and MB (10^6 bytes) in a GiB. */
const MB_PER_GIB = 2 ** 30 / 1e6;
/** Seconds in an average month (365.25 / 12 days). */
const MONTH_S = 86_400 * 365.25 / 12;

/** Inputs of {@link buildResourcePlan}. */
export interface ResourcePlanInput {
  traffic: Traffic;
  /** The request plan: each site's per-node capacity (measured or modeled) and its node profile. */
  plan: Plan;
  /** The catalog's services and what each request asks of the hardware. */
  services: readonly { name: string; resources?: Resources }[];
  shapes: Shapes;
  /** vCPUs of each node profile of data/hardware.json (what a measured rate per node is per core of). */
  profileVcpu: Readonly<Record<string, number | undefined>>;
  /** Each site's connection probe, when one ran (the campaign's; the node's connections at the reply budget). */
  measuredConnections?: Readonly<Record<string, ConnectionCapacity | undefined>>;
  /** The planner's spares (N+k), capacity spread and regret weights. */
  settings: { redundancy: number; capacityCv: number; regret: { shortage: number; surplus: number } };
}

/**
 * Builds plan.json's `resources`.
 * @param input traffic, request plan, services, shapes, profiles' vCPUs, planner settings
 * @returns per site and period the tiers, the chosen shapes, storage, network and egress
 * @throws {RangeError} when a site has no price in the shapes file, or its CPU per request is known neither from a
 *   measurement on a profile with vCPUs nor from the catalog
 */
export function buildResourcePlan(input: ResourcePlanInput): ResourcePlan {
  const { traffic, shapes, settings } = input;
  const q = settings.regret.shortage / (settings.regret.shortage + settings.regret.surplus);
  const z = probit(q);
  const byName = new Map(input.services.map((s) => [s.name, s.resources]));
  const sites: ResourcePlan['sites'] = {};
  for (const [dc, quarters] of Object.entries(traffic.dcs)) {
    const site = shapes.sites[dc];
    if (!site) throw new RangeError(`buildResourcePlan: the shapes file prices nothing at site ${dc} (it prices ${Object.keys(shapes.sites).join(', ')})`);
    const names = Object.keys(quarters[0]?.services ?? {});
    // Push services hold connections on their own tier, planned from the devices (they make no requests, so traffic
    // has no rate for them); the application tier serves the others.
    const pushNames = input.services.filter((s) => s.resources?.connections !== undefined).map((s) => s.name);
    const appNames = names.filter((s) => !pushNames.includes(s));
    const cpu = cpuBasis(dc, input, quarters, appNames);
    const conn = pushNames.length === 0 ? undefined : connectionsBasis(pushNames.map((s) => byName.get(s)!), input.measuredConnections?.[dc]);
    // Storage per service over the whole horizon: a stock accumulates period by period.
    const stored = new Map(names.flatMap((s) => {
      const st = byName.get(s)?.storage;
      if (!st) return [];
      const bands = storedBytes(st, quarters.map((tq) => ({ meanRps: tq.services[s]!.meanRps, activeDevices: tq.activeDevices })));
      return [[s, { bands, redundancy: redundancyFactor(st.redundancy), iops: st.iopsPerRequest, perRequest: interval(st.bytesPerRequest).mid }]];
    }));
    const appOffered = offered(shapes, dc, 'app');
    const storageOffered = offered(shapes, dc, 'storage');
    const perNodeMemoryGiB = appNames.reduce((s, n) => s + (byName.get(n)?.memory?.perNodeMB ?? 0), 0) / MB_PER_GIB;
    const out: ResourceQuarter[] = quarters.map((tq, t) => {
      const design = (s: string): number => atQuantile(tq.services[s]!.flashSaleRps, q);
      const sumOf = (list: readonly string[], f: (s: string, r: Resources | undefined) => number): number => list.reduce((acc, s) => acc + f(s, byName.get(s)), 0);
      const sum = (f: (s: string, r: Resources | undefined) => number): number => sumOf(names, f);
      const cpuCores = cpu.source === 'catalog'
        ? sumOf(appNames, (s, r) => design(s) * spread(r!.cpuMsPerRequest!, z) / 1000)
        : sumOf(appNames, (s) => design(s)) * cpu.msPerRequest / 1000 * Math.exp(z * settings.capacityCv);
      const memory = sumOf(appNames, (s, r) => {
        const m = r?.memory;
        const ms = m?.inServiceMs ?? (r?.cpuMsPerRequest !== undefined ? interval(r.cpuMsPerRequest).mid : undefined);
        return m && ms !== undefined ? design(s) * (ms / 1000) * spread(m.perInFlightMB, z) / MB_PER_GIB : 0;
      });
      // Gbit/s of a service at a request rate, its bytes at the design point or at their mid.
      const gbps = (r: Resources | undefined, dir: 'in' | 'out', rps: number, bytes: 'design' | 'mid'): number => {
        const n = r?.network;
        if (!n) return 0;
        const v = dir === 'in' ? n.bytesInPerRequest : n.bytesOutPerRequest;
        const b = (bytes === 'design' ? spread(v, z) : interval(v).mid) * (dir === 'out' ? 1 - n.cachedShare : 1);
        return rps * b * 8 / 1e9;
      };
      const inDesign = sumOf(appNames, (s, r) => gbps(r, 'in', design(s), 'design'));
      const outDesign = sumOf(appNames, (s, r) => gbps(r, 'out', design(s), 'design'));
      const band2 = (dir: 'in' | 'out'): Band2 => ({
        p50: sum((s, r) => gbps(r, dir, tq.services[s]!.flashSaleRps.p50, 'mid')),
        p90: sum((s, r) => gbps(r, dir, tq.services[s]!.flashSaleRps.p90, 'mid')),
      });
      const appNeeds: TierNeeds = { cpu: cpuCores, memory, network: Math.max(inDesign, outDesign), disk: 0, iops: 0 };
      const app = tier(appNeeds, chooseShape(appNeeds, appOffered, shapes, { perNodeMemoryGiB, minNodes: 1, spares: settings.redundancy }));
      // Deliveries at the design point: the devices' messages of a day, at the DC's busiest hour and day.
      const devices = atQuantile(tq.activeDevices, q);
      const deliveries = (r: Resources): number => devices * spread(r.connections!.messagesPerDevicePerDay, z) / 86_400 * Math.max(...tq.diurnalUtc) * traffic.shape.weeklyPeakFactor;
      const push = pushNames.length === 0 ? undefined : pushTier(pushNames.map((s) => ({ name: s, r: byName.get(s)!, deliveries: deliveries(byName.get(s)!) })), devices, z, conn?.perNode ?? undefined, (needs, rules) => tier(needs, chooseShape(needs, appOffered, shapes, { ...rules, minNodes: 1, spares: settings.redundancy })), gbps);
      const egressTB = (pick: 'p50' | 'p90'): number => sum((s, r) => {
        const n = r?.network;
        return n ? tq.services[s]!.meanRps[pick] * interval(n.bytesOutPerRequest).mid * (1 - n.cachedShare) * MONTH_S / 1e12 : 0;
      }) + sumOf(pushNames, (_, r) => pushEgressBytesPerSecond(r!, tq.activeDevices[pick]) * MONTH_S / 1e12);
      const egress = { tbPerMonth: { p50: egressTB('p50'), p90: egressTB('p90') }, costPerMonth: egressTB('p50') * 1000 * site.egressPerGB };
      const byService: ResourceQuarter['byService'] = {};
      let storage: TierPlan | null | undefined;
      const storedTB: Band = { p10: 0, p50: 0, p90: 0 };
      const rawTB: Band = { p10: 0, p50: 0, p90: 0 };
      if (stored.size > 0) {
        let rawDesign = 0;
        let iops = 0;
        let ingest = 0;
        let minNodes = 1;
        for (const [s, st] of stored) {
          const b = st.bands[t]!;
          const f = st.redundancy.factor;
          const sTB = { p10: b.p10 / 1e12, p50: b.p50 / 1e12, p90: b.p90 / 1e12 };
          const rTB = { p10: sTB.p10 * f, p50: sTB.p50 * f, p90: sTB.p90 * f };
          byService[s] = { storedTB: sTB, rawTB: rTB, redundancy: st.redundancy.label, writeBytesPerSecond: b.writeBytesPerSecond };
          for (const k of ['p10', 'p50', 'p90'] as const) {
            storedTB[k] += sTB[k];
            rawTB[k] += rTB[k];
          }
          rawDesign += atQuantile(rTB, q);
          iops += design(s) * st.iops;
          ingest += design(s) * st.perRequest * f * 8 / 1e9;
          minNodes = Math.max(minNodes, st.redundancy.minNodes);
        }
        const needs: TierNeeds = { cpu: 0, memory: 0, network: ingest, disk: rawDesign, iops };
        // Nothing stored yet (a site before its countries launch): no storage tier to size.
        if (rawDesign > 0 || iops > 0 || ingest > 0) storage = tier(needs, chooseShape(needs, storageOffered, shapes, { perNodeMemoryGiB: 0, minNodes, spares: 0 }));
      }
      const appCost = app?.chosen.costPerMonth ?? 0;
      const storageCost = storage?.chosen.costPerMonth ?? 0;
      const pushCost = push?.tier?.chosen.costPerMonth ?? 0;
      return {
        quarter: tq.quarter,
        app,
        ...(storage !== undefined ? { storage } : {}),
        ...(push !== undefined ? { push: push.tier, connections: push.load } : {}),
        storedTB, rawTB, byService,
        network: { inGbps: band2('in'), outGbps: band2('out') },
        egress,
        costPerMonth: { app: appCost, storage: storageCost, ...(push !== undefined ? { push: pushCost } : {}), egress: egress.costPerMonth, total: appCost + storageCost + pushCost + egress.costPerMonth },
      };
    });
    const perTB = storageOffered.filter((s) => s.disk.sizeGB > 0).map((s) => s.perMonth / (s.disk.sizeGB / 1000 * shapes.targetUtilization.disk));
    sites[dc] = { cpu, ...(conn ? { connections: conn } : {}), egressPerGB: site.egressPerGB, storagePerRawTBMonth: perTB.length > 0 ? Math.min(...perTB) : null, quarters: out };
  }
  return {
    designQuantile: q,
    currency: shapes.currency,
    baseline: { cpuCores: shapes.baseline.cpuCores, memoryGiB: shapes.baseline.memoryGiB },
    targetUtilization: Object.fromEntries(RESOURCES.map((r) => [r, shapes.targetUtilization[r] ?? 1])) as ResourcePlan['targetUtilization'],
    sites,
  };
}

/**
 * CPU per request of a site: from the probe's rate on the profile's vCPUs when measured, else the catalog's figures
 * when every service states one, else the plan's modeled rate on the profile's vCPUs.
 */
function cpuBasis(dc: string, input: ResourcePlanInput, quarters: Traffic['dcs'][string], names: readonly string[]): CpuBasis {
  const cap = input.plan.dcs[dc]?.capacity;
  const profile = cap ? String(cap.inputs.profile ?? '') : '';
  const vcpu = input.profileVcpu[profile];
  const fromRate = (source: 'measured' | 'modeled'): CpuBasis => {
    // The node also ran its baseline while it served the measured rate: only the rest served requests.
    const cores = vcpu! - input.shapes.baseline.cpuCores;
    const ms = cores * 1000 / cap!.perNodeRps;
    return { source, msPerRequest: ms, text: `${source === 'measured' ? 'measured' : 'modeled'}: ${fmt(cap!.perNodeRps)} req/s per node at the SLO on ${vcpu} vCPUs (${profile}), less the ${input.shapes.baseline.cpuCores}-core baseline: ${fmt(ms)} ms of CPU per request` };
  };
  if (cap?.source === 'measured' && vcpu !== undefined && cap.perNodeRps > 0) return fromRate('measured');
  const resources = names.map((n) => input.services.find((s) => s.name === n)?.resources);
  if (names.length > 0 && resources.every((r) => r?.cpuMsPerRequest !== undefined)) {
    let w = 0;
    let ms = 0;
    names.forEach((n, i) => {
      const rate = quarters.reduce((s, tq) => s + tq.services[n]!.flashSaleRps.p50, 0);
      w += rate;
      ms += rate * interval(resources[i]!.cpuMsPerRequest!).mid;
    });
    const mean = w > 0 ? ms / w : 0;
    return { source: 'catalog', msPerRequest: mean, text: `catalog: each service's cpuMsPerRequest, ${fmt(mean)} ms per request over the site's mix` };
  }
  if (cap && vcpu !== undefined && cap.perNodeRps > 0) return fromRate('modeled');
  throw new RangeError(`buildResourcePlan: ${dc}'s CPU per request is unknown: its node profile "${profile}" states no vcpu (data/hardware.json) and not every service states resources.cpuMsPerRequest`);
}

/**
 * The push tier: connections (active devices x online share), heartbeats (connections / interval) and deliveries
 * (each service's messages per device per day at the busiest hour, given), and what they ask: CPU (heartbeats and
 * deliveries), memory (per connection), network (heartbeats and messages), and connections against `perNode`, the
 * connections one node may hold (connectionsBasis), if any.
 */
function pushTier(
  services: readonly { name: string; r: Resources; deliveries: number }[], devices: number, z: number, perNode: number | undefined,
  size: (needs: TierNeeds, rules: { perNodeMemoryGiB: number; connectionsPerNode?: number }) => TierPlan | null,
  gbps: (r: Resources | undefined, dir: 'in' | 'out', rps: number, bytes: 'design' | 'mid') => number,
): { tier: TierPlan | null; load: NonNullable<ResourceQuarter['connections']> } {
  let connections = 0;
  let heartbeats = 0;
  let deliveries = 0;
  let cpu = 0;
  let memory = 0;
  let bytesPerSecond = 0;
  let perNodeMemoryGiB = 0;
  let netIn = 0;
  let netOut = 0;
  for (const { r, deliveries: d } of services) {
    const c = r.connections!;
    const held = devices * spread(c.onlineShare, z);
    const beats = held / c.heartbeatSeconds;
    connections += held;
    heartbeats += beats;
    deliveries += d;
    cpu += beats * spread(c.cpuMsPerHeartbeat, z) / 1000 + (r.cpuMsPerRequest !== undefined ? d * spread(r.cpuMsPerRequest, z) / 1000 : 0);
    memory += held * spread(c.memoryKiBPerConnection, z) * 1024 / 2 ** 30;
    bytesPerSecond += beats * c.bytesPerHeartbeat;
    perNodeMemoryGiB += (r.memory?.perNodeMB ?? 0) / MB_PER_GIB;
    netIn += gbps(r, 'in', d, 'design');
    netOut += gbps(r, 'out', d, 'design');
  }
  const network = Math.max(netIn, netOut) + bytesPerSecond * 8 / 1e9;
  const needs: TierNeeds = { cpu, memory, network, disk: 0, iops: 0, connections };
  return {
    tier: size(needs, { perNodeMemoryGiB, ...(perNode !== undefined ? { connectionsPerNode: perNode } : {}) }),
    load: { held: connections, heartbeatsPerSecond: heartbeats, deliveriesPerSecond: deliveries },
  };
}

/**
 * Connections one push node may hold: the connection probe's figure when it found one (the lower end of its bracket,
 * below the services' own maxPerNode at most), else the services' smallest maxPerNode, else no limit of its own. A
 * probe that did not break (`not reached`) only says the node held that many: the stated limit stays. A probe in which
 * no step passed measured nothing to count on: the stated limit stays, and the sentence says so.
 */
function connectionsBasis(services: readonly Resources[], measured: ConnectionCapacity | undefined): ConnectionsBasis {
  const caps = services.flatMap((r) => (r.connections?.maxPerNode !== undefined ? [r.connections.maxPerNode] : []));
  const stated = caps.length > 0 ? Math.min(...caps) : null;
  const statedText = stated !== null ? `the catalog's maxPerNode, ${int(stated)}` : 'no limit of its own (memory, CPU and network bind)';
  const found = measured !== undefined && measured.binds !== 'not reached' && measured.perNode > 0;
  if (measured !== undefined && found) {
    const perNode = stated !== null ? Math.min(stated, measured.perNode) : measured.perNode;
    const b = measured.perNodeInterval;
    const why = measured.binds === 'refused' ? 'the node refused sessions' : measured.binds === 'latency' ? `replies broke the ${fmt(measured.budgetP95Ms)} ms p95 budget` : 'sessions failed';
    return {
      source: 'measured', perNode, measured,
      text: `measured: ${int(measured.perNode)} connections per node at the reply budget (bracket ${int(b.lower)}–${b.upper === null ? '?' : int(b.upper)}: past it ${why})` +
        `${measured.scale < 1 ? `, on a node scaled 1:${int(Math.round(1 / measured.scale))}` : ''}${perNode < measured.perNode ? `; the catalog's maxPerNode, ${int(perNode)}, is lower and counts` : ''}`,
    };
  }
  const note = measured === undefined ? ''
    : measured.steps.length > 0 && measured.steps.every((s) => s.why === 'unmeasured')
      ? '; the connection probe measured no step (its load generator opened fewer sessions than each step holds), so it is not counted on'
      : measured.binds === 'not reached'
        ? `; the connection probe held ${int(measured.perNode)} without breaking, which does not find the limit`
        : '; the connection probe had no step within the reply budget, so it is not counted on';
  return { source: stated !== null ? 'catalog' : 'none', perNode: stated, ...(measured ? { measured } : {}), text: `${statedText}${note}` };
}

function int(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

/**
 * What a push service sends to the internet per second over a mean day: its deliveries' bytes out (less the cached
 * share) and half of each heartbeat's bytes (the figure counts the ping and its answer, both ways; the answer goes out).
 */
function pushEgressBytesPerSecond(r: Resources, devices: number): number {
  const c = r.connections!;
  const n = r.network;
  const deliveries = devices * interval(c.messagesPerDevicePerDay).mid / 86_400;
  const beats = devices * interval(c.onlineShare).mid / c.heartbeatSeconds;
  return (n ? deliveries * interval(n.bytesOutPerRequest).mid * (1 - n.cachedShare) : 0) + beats * c.bytesPerHeartbeat / 2;
}

/** A figure at the design quantile: its mid times its lognormal spread at z. */
function spread(v: Parameters<typeof interval>[0], z: number): number {
  const i = interval(v);
  return i.mid * Math.exp(z * intervalSigma(i));
}

function tier(needs: TierNeeds, r: ReturnType<typeof chooseShape>): TierPlan | null {
  return r ? { needs, chosen: r.chosen, families: r.families } : null;
}

function fmt(v: number): string {
  return v >= 100 ? String(Math.round(v)) : String(Math.round(v * 10) / 10);
}
