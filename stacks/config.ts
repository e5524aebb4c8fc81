/**
 * The stacks' data files (data/hardware.json, services.json and world.json) and one loader. Every problem of every
 * file is reported at once, each with its file and JSON path. Each file is read with the one schema the models define
 * for it (hardware.json and services.json: models/capacity; world.json: models/world), and the world's sites, RTTs and
 * residency rules are resolved by the same function the planner uses, so the stacks and the planner agree on one
 * definition of each.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type Problem, ValidationError } from '../models/errors.ts';
import { HardwareProfilesSchema, type Hardware } from '../models/capacity/hardware.ts';
import { ServicesSchema } from '../models/capacity/services.ts';
import type { Residency, Rtt } from '../models/routing/settings.ts';
import { formatPath } from '../models/validation.ts';
import { WorldSchema } from '../models/world/schema.ts';
import { profileProblems, resolveWorld, worldHardware } from '../models/world/world.ts';

// The schemas of hardware.json and services.json are the planner's (models/capacity): one schema per data file.
// They are re-exported under the names the stacks' modules import.
export {
  HardwareSchema, type NodeParams, NodeParamsSchema,
} from '../models/capacity/hardware.ts';
export {
  ROUTE_NAMES, type RouteName, type ServiceTime, ServiceTimeSchema, ServicesSchema,
} from '../models/capacity/services.ts';

/** Validated content of the data files. */
export interface StackData {
  /** data/hardware.json's profiles with the world's sites. */
  hardware: Hardware;
  /** data/services.json. */
  services: z.output<typeof ServicesSchema>;
  /** The world's residency rules. */
  residency: Residency;
  /** The world's RTT tables. */
  rtt: Rtt;
}

const FILES = {
  hardware: ['hardware.json', HardwareProfilesSchema],
  services: ['services.json', ServicesSchema],
  world: ['world.json', WorldSchema],
} as const;

/** The package's data/ directory: one level up from stacks/config.ts, two from the compiled dist/stacks/config.js. */
export const STACK_DATA_DIR = new URL(import.meta.url.endsWith('.ts') ? '../data/' : '../../data/', import.meta.url);

/**
 * Reads and validates the data files of the stacks.
 * @param dir directory holding them (default: the repository's data/)
 * @returns the validated data
 * @throws {ValidationError} listing every problem of every file (unreadable file, bad JSON, schema issues, a site
 *   naming an unknown node profile) with its path
 */
export function loadStackData(dir: URL | string = STACK_DATA_DIR): StackData {
  const base = typeof dir === 'string' ? dir.replace(/\/?$/, '/') : dir.href;
  const problems: Problem[] = [];
  const out: Partial<Record<keyof typeof FILES, unknown>> = {};
  for (const [key, [name, schema]] of Object.entries(FILES) as Array<[keyof typeof FILES, (typeof FILES)[keyof typeof FILES]]>) {
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
  const hardware = out.hardware as z.output<typeof HardwareProfilesSchema> | undefined;
  const worldFile = out.world as z.output<typeof WorldSchema> | undefined;
  if (hardware && worldFile) problems.push(...profileProblems(worldFile, 'data/world.json', Object.keys(hardware.profiles)));
  if (problems.length > 0 || !hardware || !worldFile) throw new ValidationError('stack data files are invalid', problems);
  const world = resolveWorld(worldFile, 'data/world.json', Object.keys(hardware.profiles));
  return {
    hardware: worldHardware(world, hardware.profiles, hardware.about),
    services: out.services as z.output<typeof ServicesSchema>,
    residency: world.residency,
    rtt: world.rtt,
  };
}
