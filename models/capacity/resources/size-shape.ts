/**
 * Sizes one tier on every shape a site offers: for each resource the nodes the shape needs (the need over what one
 * node gives at its target utilization, less the per-node baseline), the node count (the max over resources, at
 * least the tier's minimum, plus spares), the resource that binds, the monthly cost; then picks the cheapest shape.
 * As Netflix's service-capacity-modeling does per instance type, before it keeps the best plan per family.
 */
import { type PricedShape, RESOURCES, type Resource, type Shapes } from './shapes.ts';

/** What a tier needs at its design point, in each resource's unit. */
export interface TierNeeds {
  /** CPU cores (one vCPU busy for a second per second). */
  cpu: number;
  /** Memory GiB in use by requests (the per-node part is `perNodeMemoryGiB`). */
  memory: number;
  /** Network Gbit/s, the busier direction. */
  network: number;
  /** Disk TB (10^12 bytes), raw (after redundancy). */
  disk: number;
  /** Random disk operations per second. */
  iops: number;
  /** Concurrent connections held (push tier only). */
  connections?: number;
}

/** How a tier is sized besides its needs. */
export interface TierRules {
  /** Memory every node of the tier keeps for its services whatever the load (caches, heap floors), GiB. */
  perNodeMemoryGiB: number;
  /** Fewest nodes (e.g. one per replica or erasure-coded shard). */
  minNodes: number;
  /** Nodes added beyond the need (N+k). */
  spares: number;
  /** Most connections one node holds whatever its memory (absent: memory alone limits them). */
  connectionsPerNode?: number;
}

/** One shape sized for a tier. */
export interface ShapeSizing {
  shape: string;
  family: string;
  /** Nodes each resource needs (0 where the need is 0; null where one node cannot give any of it). */
  perResource: Record<Resource, number | null>;
  /** The resource setting the count, or `minimum` when the tier's minimum does. */
  binds: Resource | 'minimum';
  /** Nodes to run: max over resources and the minimum, plus spares. */
  nodes: number;
  /** Monthly cost of the nodes. */
  costPerMonth: number;
  perNodeMonth: number;
}

/**
 * What one node of a shape gives the tier of each resource, at the target utilization and after the baseline.
 * @param shape the shape
 * @param shapes the shapes file (baseline and target utilization)
 * @param rules the tier's per-node memory
 * @returns usable cores, GiB, Gbit/s, TB and IOPS per node (0 or less: none)
 * @example usablePerNode(c3_2xlarge, shapes, rules).cpu // 8 x 0.7 - 0.5 = 5.1
 */
export function usablePerNode(shape: PricedShape, shapes: Pick<Shapes, 'baseline' | 'targetUtilization'>, rules: Pick<TierRules, 'perNodeMemoryGiB' | 'connectionsPerNode'>): Record<Resource, number> {
  const t = shapes.targetUtilization;
  return {
    cpu: shape.vcpu * t.cpu - shapes.baseline.cpuCores,
    memory: shape.memoryGiB * t.memory - shapes.baseline.memoryGiB - rules.perNodeMemoryGiB,
    network: shape.networkGbps * t.network,
    disk: (shape.disk.sizeGB / 1000) * t.disk,
    iops: shape.disk.iops * t.iops,
    connections: rules.connectionsPerNode === undefined ? Infinity : rules.connectionsPerNode * (t.connections ?? 1),
  };
}

/**
 * Sizes a tier on one shape.
 * @param needs the tier's needs at its design point
 * @param shape the shape with its monthly price
 * @param shapes baseline and target utilization
 * @param rules per-node memory, minimum nodes, spares
 * @returns the nodes per resource, the count, what binds and the cost; `nodes` is Infinity when a resource is needed
 *   that one node of the shape cannot give (e.g. disk on a diskless shape, or memory below the baseline)
 * @example sizeShape({ cpu: 51, memory: 0, network: 0, disk: 0, iops: 0 }, c3_2xlarge, shapes, { perNodeMemoryGiB: 0, minNodes: 1, spares: 2 }).nodes // 10 + 2
 */
export function sizeShape(needs: TierNeeds, shape: PricedShape, shapes: Pick<Shapes, 'baseline' | 'targetUtilization'>, rules: TierRules): ShapeSizing {
  const usable = usablePerNode(shape, shapes, rules);
  const perResource = {} as Record<Resource, number | null>;
  // Nothing to carry, nothing to hold: the minimum (one node, a redundancy's shards) applies once there is a need.
  let count = RESOURCES.some((r) => (needs[r] ?? 0) > 0) ? rules.minNodes : 0;
  let binds: Resource | 'minimum' = 'minimum';
  for (const r of Object.keys(usable) as Resource[]) {
    const need = needs[r] ?? 0;
    // Floating point in need / usable (e.g. 5.1 x 10 / 5.1) must not buy a node: a millionth of a node is no node.
    const n = !(need > 0) ? 0 : usable[r] > 0 ? Math.ceil(need / usable[r] - 1e-9) : null;
    perResource[r] = n;
    const eff = n === null ? Infinity : n;
    if (eff > count) {
      count = eff;
      binds = r;
    }
  }
  // A node whose baseline (and the services' per-node memory) takes all its CPU or memory serves nothing at any load.
  if (!(usable.cpu > 0) || !(usable.memory > 0)) {
    count = Infinity;
    binds = usable.cpu > 0 ? 'memory' : 'cpu';
  }
  const nodes = count + rules.spares;
  return { shape: shape.name, family: shape.family, perResource, binds, nodes, costPerMonth: nodes * shape.perMonth, perNodeMonth: shape.perMonth };
}

/**
 * Sizes a tier on every shape offered and picks the cheapest (ties: fewer nodes, then the file's order).
 * @param needs the tier's needs
 * @param offered the shapes the site offers for the tier, priced
 * @param shapes baseline and target utilization
 * @param rules per-node memory, minimum nodes, spares
 * @returns the chosen sizing and the best sizing of each family (cheapest first), or null when no shape can carry it
 */
export function chooseShape(needs: TierNeeds, offered: readonly PricedShape[], shapes: Pick<Shapes, 'baseline' | 'targetUtilization'>, rules: TierRules): { chosen: ShapeSizing; families: ShapeSizing[] } | null {
  const sized = offered.map((s) => sizeShape(needs, s, shapes, rules)).filter((s) => Number.isFinite(s.nodes));
  if (sized.length === 0) return null;
  const order = (a: ShapeSizing, b: ShapeSizing): number => a.costPerMonth - b.costPerMonth || a.nodes - b.nodes;
  const sorted = sized.map((s, i) => ({ s, i })).sort((a, b) => order(a.s, b.s) || a.i - b.i).map((x) => x.s);
  const families: ShapeSizing[] = [];
  for (const s of sorted) if (!families.some((f) => f.family === s.family)) families.push(s);
  return { chosen: sorted[0]!, families };
}
