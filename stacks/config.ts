/**
 * The stacks' data files (data/hardware.json, services.json, residency.json, rtt.json): their schemas and one
 * loader. Every problem of every file is reported at once, each with its file and JSON path. residency.json and
 * rtt.json are read with the routing model's schemas (models/routing/settings.ts), so the stacks and the planner
 * agree on one definition of them.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type Problem, ValidationError } from '../models/errors.ts';
import { ResidencySchema, RttSchema } from '../models/routing/settings.ts';
import { formatPath } from '../models/validation.ts';

const nonNeg = z.number().finite().nonnegative();

/** One emulated node's parameters (see data/hardware.json `about`). */
export const NodeParamsSchema = z.object({
  workers: z.number().int().min(1).max(4096),
  sigma: z.number().min(0).max(1),
  kappa: z.number().min(0).max(1),
  queue: z.number().int().min(0).max(1_000_000),
});

/** Parameters of one emulated node: W workers, USL sigma and kappa, queue bound. */
export type NodeParams = z.output<typeof NodeParamsSchema>;

/** data/hardware.json. */
export const HardwareSchema = z
  .object({
    schema: z.literal('caplab.hardware/v1'),
    profiles: z.record(z.string(), NodeParamsSchema.extend({ about: z.string().optional() })),
    dcs: z.record(z.string(), z.object({ profile: z.string(), about: z.string().optional() })),
  })
  .superRefine((h, ctx) => {
    for (const [dc, v] of Object.entries(h.dcs)) {
      if (!(v.profile in h.profiles)) {
        ctx.addIssue({ code: 'custom', path: ['dcs', dc, 'profile'], message: `unknown profile "${v.profile}"` });
      }
    }
  });

/** A route's service-time distribution: lognormal with this mean (ms) and coefficient of variation. */
export const ServiceTimeSchema = z.object({ meanMs: nonNeg, cv: z.number().min(0).max(10) });

/** Service-time distribution of one route. */
export type ServiceTime = z.output<typeof ServiceTimeSchema>;

/** Names of the routes that go through an emulated node (keys of data/services.json `routes`). */
export const ROUTE_NAMES = [
  'devices_register', 'contacts_sync', 'contacts_list', 'messages_post', 'messages_list', 'ota_check', 'photos_post',
  'photos_get',
] as const;

/** A route that goes through an emulated node. */
export type RouteName = (typeof ROUTE_NAMES)[number];

/** data/services.json. */
export const ServicesSchema = z.object({
  schema: z.literal('caplab.services/v1'),
  routes: z.object(Object.fromEntries(ROUTE_NAMES.map((r) => [r, ServiceTimeSchema])) as Record<RouteName, typeof ServiceTimeSchema>),
  limits: z.object({
    maxBodyBytes: z.number().int().min(1024),
    maxContactsPerSync: z.number().int().min(1),
    maxListLimit: z.number().int().min(1),
    defaultListLimit: z.number().int().min(1),
    maxMessageChars: z.number().int().min(1),
    maxPhotoBytes: z.number().int().min(1),
  }),
  ota: z.object({
    latest: z.record(z.string(), z.string().regex(/^MIUI \d+$/)),
    packageBytes: z.number().int().positive(),
  }),
});

/** Validated content of the four data files. */
export interface StackData {
  /** data/hardware.json. */
  hardware: z.output<typeof HardwareSchema>;
  /** data/services.json. */
  services: z.output<typeof ServicesSchema>;
  /** data/residency.json. */
  residency: z.output<typeof ResidencySchema>;
  /** data/rtt.json. */
  rtt: z.output<typeof RttSchema>;
}

const FILES = {
  hardware: ['hardware.json', HardwareSchema],
  services: ['services.json', ServicesSchema],
  residency: ['residency.json', ResidencySchema],
  rtt: ['rtt.json', RttSchema],
} as const;

/** The repository's data/ directory. */
export const STACK_DATA_DIR = new URL('../data/', import.meta.url);

/**
 * Reads and validates the four data files of the stacks.
 * @param dir directory holding them (default: the repository's data/)
 * @returns the validated data
 * @throws {ValidationError} listing every problem of every file (unreadable file, bad JSON, schema issues) with its path
 */
export function loadStackData(dir: URL | string = STACK_DATA_DIR): StackData {
  const base = typeof dir === 'string' ? dir.replace(/\/?$/, '/') : dir.href;
  const problems: Problem[] = [];
  const out: Partial<Record<keyof StackData, unknown>> = {};
  for (const [key, [name, schema]] of Object.entries(FILES) as Array<[keyof StackData, (typeof FILES)[keyof StackData]]>) {
    const where = `data/${name}`;
    let value: unknown;
    try {
      const path = base.startsWith('file:') ? new URL(name, base) : `${base}${name}`;
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      problems.push({ where, message: `cannot read as JSON: ${(err as Error).message}` });
      continue;
    }
    const r = (schema as z.ZodType).safeParse(value);
    if (r.success) out[key] = r.data;
    else for (const i of r.error.issues) problems.push({ where: `${where}: ${formatPath(i.path)}`, message: i.message });
  }
  if (problems.length > 0) throw new ValidationError('stack data files are invalid', problems);
  return out as StackData;
}
