/**
 * The stacks' data files (data/hardware.json, services.json, residency.json, rtt.json) and one loader. Every problem
 * of every file is reported at once, each with its file and JSON path. Each file is read with the one schema the
 * models define for it (hardware.json and services.json: models/capacity; residency.json and rtt.json:
 * models/routing/settings.ts), so the stacks and the planner agree on one definition of each.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type Problem, ValidationError } from '../models/errors.ts';
import { HardwareSchema } from '../models/capacity/hardware.ts';
import { ServicesSchema } from '../models/capacity/services.ts';
import { ResidencySchema, RttSchema } from '../models/routing/settings.ts';
import { formatPath } from '../models/validation.ts';

// The schemas of hardware.json and services.json are the planner's (models/capacity): one schema per data file.
// They are re-exported under the names the stacks' modules import.
export {
  HardwareSchema, type NodeParams, NodeParamsSchema,
} from '../models/capacity/hardware.ts';
export {
  ROUTE_NAMES, type RouteName, type ServiceTime, ServiceTimeSchema, ServicesSchema,
} from '../models/capacity/services.ts';

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

/** The package's data/ directory: one level up from stacks/config.ts, two from the compiled dist/stacks/config.js. */
export const STACK_DATA_DIR = new URL(import.meta.url.endsWith('.ts') ? '../data/' : '../../data/', import.meta.url);

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
