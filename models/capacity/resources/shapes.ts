/**
 * Hardware shapes as data (`caplab.shapes/v1`): instance types or owned servers with their vCPUs, memory, network
 * bandwidth and local disk (size and IOPS), which tiers each may serve (application, storage), their price at each
 * site, the egress price per site, the per-node baseline (OS, agents, runtime) and the target utilization per
 * resource. After Netflix's service-capacity-modeling, whose hardware and prices are data files beside the models.
 */
import { z } from 'zod';

/**
 * The tiers a plan sizes: stateless application nodes and the nodes that hold stored data. Push nodes (long-lived
 * connections) are sized on the application tier's shapes.
 */
export const TIERS = ['app', 'storage'] as const;
/** One tier. */
export type Tier = (typeof TIERS)[number];

/** The resources a node provides and a plan sizes. */
export const RESOURCES = ['cpu', 'memory', 'network', 'disk', 'iops', 'connections'] as const;
/** One resource. */
export type Resource = (typeof RESOURCES)[number];

const Share = z.number().gt(0).max(1, 'must be a share, at most 1');

/** One shape: an instance type or a server model. */
export const ShapeSchema = z.object({
  family: z.string().min(1),
  /** The tiers it may serve. */
  tiers: z.array(z.enum(TIERS)).min(1),
  vcpu: z.number().positive().max(1024),
  memoryGiB: z.number().positive().max(65_536),
  /** Sustained network bandwidth, Gbit/s (each direction). */
  networkGbps: z.number().positive().max(1000),
  /** Local disk: total usable size in GB (10^9 bytes) and random IOPS over all its drives. */
  disk: z.object({
    kind: z.enum(['ssd', 'hdd', 'ebs', 'none']),
    sizeGB: z.number().nonnegative(),
    iops: z.number().nonnegative(),
  }).strict(),
  about: z.string().optional(),
}).strict();

/** A shape as written. */
export type Shape = z.output<typeof ShapeSchema>;

const Price = z.union([
  z.object({ perHour: z.number().positive(), source: z.string().min(1).optional() }).strict(),
  z.object({ perMonth: z.number().positive(), source: z.string().min(1).optional() }).strict(),
]);

/** Schema of a shapes file. Cross-references (a price for a shape the file lacks) are problems with their path. */
export const ShapesSchema = z.object({
  schema: z.literal('caplab.shapes/v1'),
  about: z.string().optional(),
  currency: z.string().min(1),
  /** Hours in a month, to turn hourly prices into monthly ones (730 = 8760 / 12). */
  hoursPerMonth: z.number().positive().max(744).default(730),
  /** What every node spends before serving anything: OS, agents, the runtime. */
  baseline: z.object({
    cpuCores: z.number().nonnegative(),
    memoryGiB: z.number().nonnegative(),
    about: z.string().optional(),
  }).strict(),
  /** The share of each resource a plan may use at the design peak. */
  targetUtilization: z.object({
    cpu: Share, memory: Share, network: Share, disk: Share, iops: Share,
    /** Of a node's connection limit (default 1: the limit is already the planned ceiling). */
    connections: Share.optional(),
    about: z.string().optional(),
  }).strict(),
  shapes: z.record(z.string().min(1), ShapeSchema).refine((s) => Object.keys(s).length > 0, 'must define at least one shape'),
  /** Per site: the price of each shape offered there, and the price of a GB sent out to the internet. */
  sites: z.record(z.string().min(1), z.object({
    prices: z.record(z.string().min(1), Price),
    egressPerGB: z.number().nonnegative(),
    egressSource: z.string().optional(),
    about: z.string().optional(),
  }).strict()),
}).strict().superRefine((s, ctx) => {
  const shapes = isRecord(s.shapes) ? s.shapes : {};
  for (const [site, v] of Object.entries(isRecord(s.sites) ? s.sites : {})) {
    const prices = isRecord(v) && isRecord(v.prices) ? v.prices : {};
    for (const name of Object.keys(prices)) {
      if (!Object.hasOwn(shapes, name)) ctx.addIssue({ code: 'custom', path: ['sites', site, 'prices', name], message: `"${name}" is not one of the shapes` });
    }
  }
}, { when: (payload) => isRecord(payload.value) });

/** A parsed shapes file. */
export type Shapes = z.output<typeof ShapesSchema>;

/** A shape offered at a site, with its monthly price. */
export interface PricedShape extends Shape {
  name: string;
  /** One node for a month, in the shapes' currency. */
  perMonth: number;
}

/**
 * The shapes a site offers for a tier, with monthly prices, in the file's order.
 * @param shapes the shapes file
 * @param site the site
 * @param tier the tier
 * @returns the priced shapes (empty when the site has none for the tier)
 * @example offered(shapes, 'us-west-2', 'app').map((s) => s.name) // ['c3.2xlarge', ...]
 */
export function offered(shapes: Shapes, site: string, tier: Tier): PricedShape[] {
  const prices = shapes.sites[site]?.prices ?? {};
  return Object.entries(prices).flatMap(([name, p]) => {
    const shape = shapes.shapes[name];
    if (!shape || !shape.tiers.includes(tier)) return [];
    return [{ ...shape, name, perMonth: 'perHour' in p ? p.perHour * shapes.hoursPerMonth : p.perMonth }];
  });
}

/**
 * The sites of a world a shapes file cannot plan: a site with no application shape priced, and prices for a site the
 * world lacks.
 * @param shapes the shapes file
 * @param sites the world's sites
 * @param source how messages name the shapes file
 * @returns one problem per such site, with its path
 */
export function shapeSiteProblems(shapes: Shapes, sites: readonly string[], source: string): { where: string; message: string }[] {
  const out: { where: string; message: string }[] = [];
  for (const site of sites) {
    if (offered(shapes, site, 'app').length === 0) out.push({ where: `${source}: sites.${site}`, message: `site "${site}" has no shape priced for the app tier` });
  }
  for (const site of Object.keys(shapes.sites)) {
    if (!sites.includes(site)) out.push({ where: `${source}: sites.${site}`, message: `"${site}" is not one of the world's sites (${sites.join(', ')})` });
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
