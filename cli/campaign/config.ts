/**
 * campaign.yaml (DESIGN.md "Contracts"): every field optional, defaults in data/. Validation lists every problem at
 * once with its path; budgets may be inline (`caplab.budgets/v1`) or a path relative to the campaign file.
 */
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ValidationError } from '../../models/errors.ts';
import { parseWith } from '../../models/validation.ts';
import { parsePeriod } from '../../models/quarter.ts';

const Quarter = z.string().refine((q) => parsePeriod(q)?.kind === 'quarter', 'must be a quarter like 2015Q4');

/** Schema of campaign.yaml. */
export const CampaignSchema = z.strictObject({
  schema: z.literal('caplab.campaign/v1').optional(),
  name: z.string().min(1).optional(),
  seed: z.number().int().nonnegative().optional(),
  forecast: z.strictObject({
    history: z.string().min(1).optional(),
    target: z.number().positive().optional(),
    horizon: Quarter.optional(),
    model: z.enum(['auto', 'logistic', 'bass', 'gompertz']).optional(),
    draws: z.number().int().min(10).optional(),
  }).optional(),
  placement: z.string().min(1).optional(),
  quarter: Quarter.optional(),
  dcs: z.array(z.string().min(1)).min(1).optional(),
  targets: z.record(z.string(), z.url({ protocol: /^https?$/ })).optional(),
  budgets: z.union([z.string().min(1), z.object({ schema: z.literal('caplab.budgets/v1') }).loose()]).optional(),
  timeScale: z.number().positive().optional(),
  rateScale: z.number().gt(0).max(1).optional(),
  runner: z.enum(['engine', 'k6']).optional(),
  quick: z.boolean().optional(),
});

/** A parsed campaign.yaml (paths resolved against its directory). */
export type Campaign = z.output<typeof CampaignSchema>;

/**
 * Parses campaign.yaml text.
 * @param text YAML (or JSON) text
 * @param source file path, for messages and to resolve relative paths
 * @returns the campaign with history, budgets paths resolved
 * @throws {ValidationError} on a syntax error (with its line) or any schema problem (all listed)
 */
export function parseCampaign(text: string, source: string): Campaign {
  let value: unknown;
  try {
    value = parseYaml(text) ?? {};
  } catch (err) {
    const e = err as Error & { linePos?: { line: number }[] };
    throw new ValidationError(`${source} is invalid`, [{ where: `${source}${e.linePos?.[0] ? `:${e.linePos[0].line}` : ''}`, message: `not valid YAML: ${e.message.split('\n')[0]}` }]);
  }
  const c = parseWith(CampaignSchema, value, source);
  const base = dirname(source);
  return {
    ...c,
    ...(c.forecast?.history ? { forecast: { ...c.forecast, history: resolve(base, c.forecast.history) } } : {}),
    ...(typeof c.budgets === 'string' ? { budgets: resolve(base, c.budgets) } : {}),
    ...(c.placement && /[./\\]/.test(c.placement) ? { placement: resolve(base, c.placement) } : {}),
  };
}
