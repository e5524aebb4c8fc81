/**
 * Reads k6 summary documents, ours or real k6's, recognised by shape: the handleSummary data object
 * (`--summary-json`, or `JSON.stringify(data)` from a handleSummary script) and the older `--summary-export` file.
 * Takes parsed JSON (the CLI reads files) and returns validated data.
 */
import { z } from 'zod';
import { ValidationError } from '../../models/errors.ts';
import { parseWith } from '../../models/validation.ts';
import type { SummaryExport } from '../../scenarios/engine/outputs/summary-export.ts';
import { type K6SummaryData, K6SummaryDataSchema } from '../../scenarios/engine/outputs/summary-schema.ts';

const ExportCheckSchema = z.looseObject({
  name: z.string(), path: z.string(), id: z.string(), passes: z.number().int().nonnegative(), fails: z.number().int().nonnegative(),
});

interface ExportGroupShape {
  name: string;
  path: string;
  id: string;
  groups: Record<string, ExportGroupShape>;
  checks: Record<string, z.infer<typeof ExportCheckSchema>>;
}

const ExportGroupSchema: z.ZodType<ExportGroupShape> = z.looseObject({
  name: z.string(),
  path: z.string(),
  id: z.string(),
  get groups() {
    return z.record(z.string(), ExportGroupSchema);
  },
  checks: z.record(z.string(), ExportCheckSchema),
});

/** zod schema of k6's `--summary-export` document. */
export const SummaryExportSchema = z.looseObject({
  root_group: ExportGroupSchema,
  metrics: z.record(z.string(), z.record(z.string(), z.union([z.number(), z.record(z.string(), z.boolean())]))),
});

/** Which k6 summary document a value is. */
export type SummaryKind = 'handleSummary' | 'summary-export';

/**
 * Tells the two k6 summary shapes apart: handleSummary metrics have `type`/`values`, export metrics are flat.
 * @param value parsed JSON
 * @returns the kind, or undefined when it is neither
 */
export function detectSummaryKind(value: unknown): SummaryKind | undefined {
  if (typeof value !== 'object' || value === null || !('metrics' in value) || !('root_group' in value)) return undefined;
  const metrics = (value as { metrics: unknown }).metrics;
  if (typeof metrics !== 'object' || metrics === null) return undefined;
  const first = Object.values(metrics)[0] as Record<string, unknown> | undefined;
  if (first === undefined) return 'state' in value ? 'handleSummary' : 'summary-export';
  return typeof first === 'object' && first !== null && 'values' in first && 'type' in first ? 'handleSummary' : 'summary-export';
}

/**
 * Validates a handleSummary data object.
 * @param value parsed JSON
 * @param source file name for messages
 * @returns the data
 * @throws {ValidationError} listing every shape problem with its JSON path
 */
export function readSummaryJson(value: unknown, source: string): K6SummaryData {
  if (detectSummaryKind(value) === 'summary-export') {
    throw new ValidationError(`${source} is invalid`, [{ where: source, message: 'this is a k6 --summary-export file, not a handleSummary (--summary-json) object' }]);
  }
  return parseWith(K6SummaryDataSchema, value, source);
}

/**
 * Validates a `--summary-export` document.
 * @param value parsed JSON
 * @param source file name for messages
 * @returns the document
 * @throws {ValidationError} listing every shape problem with its JSON path
 */
export function readSummaryExport(value: unknown, source: string): SummaryExport {
  if (detectSummaryKind(value) === 'handleSummary') {
    throw new ValidationError(`${source} is invalid`, [{ where: source, message: 'this is a handleSummary (--summary-json) object, not a k6 --summary-export file' }]);
  }
  return parseWith(SummaryExportSchema, value, source) as SummaryExport;
}
