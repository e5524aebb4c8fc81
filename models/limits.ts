/**
 * Bounds on what caplab reads (data/limits.json, with the reasoning for each): input file sizes, how many problems an
 * error lists, the longest k6 duration, and the range of numbers the models take without overflowing. Loaded as a
 * JSON module so models and scenarios can use the bounds in their schemas without touching files.
 */
import { z } from 'zod';
import file from '../data/limits.json' with { type: 'json' };

const Bytes = z.number().int().positive();
const LimitsSchema = z.object({
  schema: z.literal('caplab.limits/v1'),
  inputBytes: Bytes,
  yamlBytes: Bytes,
  historyBytes: Bytes,
  usersFileBytes: Bytes,
  specFileBytes: Bytes,
  specFilesTotalBytes: Bytes,
  problemsShown: z.number().int().positive(),
  maxDuration: z.string(),
  shipments: z.object({ min: z.number().positive(), max: z.number().positive() }),
  modelNumber: z.object({ min: z.number().positive(), max: z.number().positive() }),
  intents: z.object({ penaltyPerRpsMs: z.number().positive(), budgetMs: z.number().positive(), costCapPerMonth: z.number().positive(), maxNodes: z.number().int().positive() }),
}).loose();

/** The validated bounds of data/limits.json. Sizes in bytes; `maxDuration` a k6 duration string. */
export type Limits = z.output<typeof LimitsSchema>;

/** The bounds of data/limits.json (validated when this module loads; a malformed file is a bug of the repository). */
export const LIMITS: Limits = LimitsSchema.parse(file);

/**
 * Formats a byte count for messages in binary units (`52 KiB`, `8 MiB`), the units data/limits.json states its bounds
 * in. k6's summary text uses decimal units instead (`humanizeBytes` in scenarios/engine/outputs/text-summary.ts): the
 * two differ on purpose.
 * @param bytes a size in bytes
 * @returns the size with a binary unit
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}
