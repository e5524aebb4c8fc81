/**
 * Loads caplab's data files (data/*.json) for the commands. Each file is validated by the schema its model owns,
 * and problems name the file and the JSON path.
 */
import { readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../models/errors.ts';
import { MarketSchema } from '../models/growth/market.ts';
import { type GrowthSettings, GrowthSettingsSchema, resolveGrowthSettings } from '../models/growth/settings.ts';
import { parseWith } from '../models/validation.ts';
import { InputError } from './errors.ts';
import { PACKAGE_ROOT } from './self.ts';

/** Absolute path of the package's data/ directory, with a trailing separator. */
export const DATA_DIR = `${PACKAGE_ROOT}data${sep}`;

/**
 * Reads and validates one data file.
 * @param name file name inside data/, e.g. `regions.json`
 * @param schema the zod schema the owning model exports
 * @returns the parsed, validated content
 * @throws {InputError} when the file is missing or not JSON
 * @throws {ValidationError} when it does not match the schema (every problem listed)
 */
export function loadData<S extends z.ZodType>(name: string, schema: S): z.output<S> {
  const path = `${DATA_DIR}${name}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(`cannot read data file data/${name}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`data/${name}: not valid JSON (${(err as Error).message})`);
  }
  return parseWith(schema, value, `data/${name}`);
}

/**
 * Loads data/growth.json and derives its market-potential prior from data/market.json.
 * @returns the settings the growth models use
 * @throws {InputError} when a file is missing or not JSON
 * @throws {ValidationError} when a file does not match its schema, or the prior's assumptions name a series or a
 *   year data/market.json does not hold (the problem points at data/growth.json marketPotentialPrior)
 */
export function loadGrowthSettings(): GrowthSettings {
  const file = loadData('growth.json', GrowthSettingsSchema);
  const market = loadData('market.json', MarketSchema);
  try {
    return resolveGrowthSettings(file, market);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new ValidationError('data/growth.json is invalid', [{ where: 'data/growth.json: marketPotentialPrior', message: `${err.message} (data/market.json)` }]);
  }
}

const DefaultsSchema = z.object({
  schema: z.literal('caplab.defaults/v1'),
  seed: z.number().int().nonnegative(),
  forecast: z.object({
    model: z.enum(['auto', 'logistic', 'bass', 'gompertz']),
    draws: z.number().int().positive(),
  }),
  campaign: z.object({ runner: z.enum(['engine', 'k6']), quick: z.boolean() }),
  run: z.object({
    workerLoad: z.object({ vus: z.number().int().positive(), iterationsPerSecond: z.number().positive() }),
    reasoning: z.string(),
    vuMemory: z.object({
      bytesPerVu: z.number().positive(), totalMemoryShare: z.number().positive().max(1), heapShare: z.number().positive().max(1), reasoning: z.string(),
    }),
  }),
  outputs: z.object({
    ndjson: z.object({ gzipLevel: z.number().int().min(1).max(9), maxMemoryMB: z.number().positive(), flushIntervalMs: z.number().int().positive() }),
    reasoning: z.string(),
  }),
});

/** The defaults of data/defaults.json. */
export type Defaults = z.output<typeof DefaultsSchema>;

/**
 * Loads data/defaults.json.
 * @returns validated defaults
 * @throws {ValidationError} when the file is malformed
 */
export function loadDefaults(): Defaults {
  return loadData('defaults.json', DefaultsSchema);
}
