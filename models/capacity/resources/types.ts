/**
 * plan.json's `resources` and `move` (docs/formats.md): per site and period the needs of each tier, the shape chosen
 * and the resource that binds, stored and raw TB, network Gbit/s and egress; and the move's waves with their copy
 * times, the capacity held in both sites and the latency each country sees.
 */
import type { Band, Band2 } from '../../bands.ts';
import type { ConnectionCapacity } from '../connection-capacity.ts';
import type { Resource } from './shapes.ts';
import type { ShapeSizing, TierNeeds } from './size-shape.ts';

/** One tier's sizing at a site in a period: the shape chosen and the best of each family. */
export interface TierPlan {
  /** Needs at the design point, in each resource's unit (cores, GiB, Gbit/s, raw TB, IOPS). */
  needs: TierNeeds;
  /** The cheapest shape's sizing. */
  chosen: ShapeSizing;
  /** The best sizing of each family, cheapest first (the chosen one first). */
  families: ShapeSizing[];
}

/** A site in a period. */
export interface ResourceQuarter {
  quarter: string;
  /** Application tier (stateless serving); null when no shape offered can carry it. */
  app: TierPlan | null;
  /** Storage tier; absent when no service of the site stores data. */
  storage?: TierPlan | null;
  /** Push tier (services holding a connection per online device); absent when the catalog has none. */
  push?: TierPlan | null;
  /** The push tier's load at the design point: connections held, heartbeats and deliveries per second. */
  connections?: { held: number; heartbeatsPerSecond: number; deliveriesPerSecond: number };
  /** Data at the period's end, TB (10^12 bytes): as stored by users, and raw after each service's redundancy. */
  storedTB: Band;
  rawTB: Band;
  /** Per storing service: stored and raw TB and its redundancy. */
  byService: Record<string, { storedTB: Band; rawTB: Band; redundancy: string; writeBytesPerSecond: number }>;
  /** Busiest-hour traffic in and out of the site (what caches and CDNs serve left out), Gbit/s. */
  network: { inGbps: Band2; outGbps: Band2 };
  /** Bytes sent to the internet in a month, TB, and their cost at the site's egress price (p50). */
  egress: { tbPerMonth: Band2; costPerMonth: number };
  /** Monthly cost of the chosen shapes and egress. */
  costPerMonth: { app: number; storage: number; push?: number; egress: number; total: number };
}

/** Where a site's CPU per request comes from. */
export interface CpuBasis {
  /** `measured`: the probe's rate at the SLO; `catalog`: the services' cpuMsPerRequest; `modeled`: the plan's modeled node. */
  source: 'measured' | 'catalog' | 'modeled';
  /** Mean CPU per request of the site's mix, ms of one core. */
  msPerRequest: number;
  /** The sentence saying how. */
  text: string;
}

/** Where a site's connections per push node come from. */
export interface ConnectionsBasis {
  /**
   * `measured`: the connection probe's sessions at the reply budget (the lower end of its bracket, the real node's
   * figure); `catalog`: the push service's maxPerNode; `none`: no limit but memory, CPU and network.
   */
  source: 'measured' | 'catalog' | 'none';
  /** Connections one node may hold, as the plan counts it (null: no limit of its own). */
  perNode: number | null;
  /** The probe's result, when one ran: what it measured even when the plan could not count on it. */
  measured?: ConnectionCapacity;
  /** The sentence saying how. */
  text: string;
}

/** plan.json `resources`. */
export interface ResourcePlan {
  /** The demand quantile every tier is sized at (least regret). */
  designQuantile: number;
  currency: string;
  /** The shapes file's per-node baseline and target utilization. */
  baseline: { cpuCores: number; memoryGiB: number };
  targetUtilization: Record<Resource, number>;
  sites: Record<string, {
    cpu: CpuBasis;
    /** Connections per push node and where the figure comes from; absent without a push service. */
    connections?: ConnectionsBasis;
    egressPerGB: number;
    /** The cheapest storage shape's price per raw TB a month at its target disk use (null: none offered). */
    storagePerRawTBMonth?: number | null;
    quarters: ResourceQuarter[];
  }>;
}

/** One wave of a move. */
export interface MoveWave {
  to: string;
  start: string;
  /** The wave's first day (the start period's first day), ISO date. */
  startDate: string;
  countries: string[];
  /** The wave's countries' share of the destination's demand at the start period. */
  share: number;
  /** Logical data to copy (before the destination's own redundancy), TB. */
  dataTB: Band;
  /** Bytes the wave's countries keep writing per second while the copy runs (p50). */
  writeBytesPerSecond: number;
  /** Copy throughput over the link's outbound direction, bytes/s, and what limits it. */
  throughputBytesPerSecond: number;
  limitedBy: 'bandwidth' | 'loss';
  /** Hours of each step (p50 data); catch-up is null when writes outpace the link (the copy never converges). */
  hours: { bulk: number; catchUp: number | null; cutover: number | null; total: number | null };
  /** Bulk copy at the p90 data, hours. */
  bulkHoursP90: number;
  /** Catch-up rounds until the rest copies within catchUpHours. */
  rounds: number | null;
  /** The day the cut-over ends (p50), ISO date, or null when it never does. */
  endDate: string | null;
  /** Application nodes the source keeps for the wave's countries until the cut-over, and what running both costs. */
  held: { nodes: number; months: number | null; cost: number | null };
  /** Copying the data back over the inbound direction (a roll-back), hours at p50. */
  rollbackHours: number;
  /** Round trip each country sees, ms (median): before (the source), during (still the source), after (the new site). */
  latency: { country: string; before: number; during: number; after: number }[];
}

/** plan.json `move`. */
export interface MovePlan {
  from: string;
  /** The link as stated, with each direction's TCP limit per stream (Mathis et al.), Mbit/s. */
  link: {
    outbound: { bandwidthGbps: number; lossRate: number; perStreamMbps: number };
    inbound: { bandwidthGbps: number; lossRate: number; perStreamMbps: number };
    rttMs: number;
    streams: number;
  };
  catchUpHours: number;
  cutoverHours: number;
  waves: MoveWave[];
  /** What the move could not plan (a wave outside the planned periods, a country the destination does not serve). */
  notes: string[];
}
