/**
 * campaign.yaml (docs/formats.md "campaign.yaml"): every field optional, defaults in data/. Validation lists every problem at
 * once with its path; budgets and the service catalog may be inline (`caplab.budgets/v1`, `caplab.catalog/v1`) or a
 * path relative to the campaign file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type Problem, ValidationError } from '../../models/errors.ts';
import { formatPath } from '../../models/validation.ts';
import { parsePeriod } from '../../models/quarter.ts';
import { TRANSPORT_OPTIONS, type TransportOptions, transportOptionsOf, withTlsAuthFiles, withTlsAuthPaths } from '../../scenarios/transport-options.ts';
import type { InsecureSkipTLSVerifySetting } from '../../scenarios/tls-verify.ts';
import type { CatalogInput } from '../inputs/catalog.ts';
import type { WorldInput } from '../inputs/world.ts';

const TargetUrl = z.url({ protocol: /^https?$/ });
/**
 * One DC's target: its base URL, or the URL with k6's transport options for it (a node behind DNS reached through
 * `hosts`, a mesh that wants a client certificate, ...). A plain URL is read as `{ url }`.
 */
const TargetSchema = z.preprocess((v) => (typeof v === 'string' ? { url: v } : v), z.strictObject({
  url: TargetUrl,
  insecureSkipTLSVerify: z.boolean().optional(),
  ...TRANSPORT_OPTIONS,
}, { error: 'must be a base URL (http or https) or { url, ...k6 transport options }' }));

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
  targets: z.record(z.string(), TargetSchema).optional(),
  budgets: z.union([z.string().min(1), z.object({ schema: z.literal('caplab.budgets/v1') }).loose()]).optional(),
  // The document itself is checked by the catalog's own validation (scenarios/catalog.ts), with its paths.
  catalog: z.union([z.string().min(1), z.object({ schema: z.literal('caplab.catalog/v1') }).loose()]).optional(),
  timeScale: z.number().positive().optional(),
  rateScale: z.number().gt(0).max(1).optional(),
  runner: z.enum(['engine', 'k6']).optional(),
  /** k6's option: accept any TLS certificate, for every target (a boolean) or per DC (DC -> boolean). */
  insecureSkipTLSVerify: z.union([z.boolean(), z.record(z.string(), z.boolean())], 'must be true, false, or a map of DC -> true/false').optional(),
  /** caplab.intents/v1 file for the optimized placement (default data/intents.json). */
  intents: z.string().min(1).optional(),
  /** caplab.candidates/v1 file of what-if sites for the optimized placement. */
  candidates: z.string().min(1).optional(),
  quick: z.boolean().optional(),
  /** Today's fleet: inline `caplab.fleet/v1` or a path to one (default the world's fleet); checked by its own schema. */
  fleet: z.union([z.string().min(1), z.object({ schema: z.literal('caplab.fleet/v1') }).loose()]).optional(),
  /** `fleet`: scale the demand so the model's peak at today's fleet's as-of quarter is what that fleet serves. */
  // The document itself is checked by the world's own schema (models/world/schema.ts), with its paths.
  world: z.union([z.string().min(1), z.object({ schema: z.literal('caplab.world/v1') }).loose()]).optional(),
  calibrate: z.literal('fleet', { error: 'must be `fleet` (scale the demand to today\'s fleet)' }).optional(),
});

type ParsedCampaign = z.output<typeof CampaignSchema>;

/**
 * A parsed campaign.yaml (paths resolved against its directory), its targets split into URLs and the transport
 * options given with them, and `insecureSkipTLSVerify` gathered from the top level or the targets.
 */
export type Campaign = Omit<ParsedCampaign, 'targets' | 'insecureSkipTLSVerify'> & {
  /** Base URL per DC. */
  targets?: Record<string, string>;
  /** k6 transport options per DC, from `targets` entries (tlsAuth files made absolute); they win over the catalog's. */
  transport?: Record<string, TransportOptions>;
  insecureSkipTLSVerify?: InsecureSkipTLSVerifySetting;
};

/** A campaign.yaml read: the campaign when valid, its catalog input when its `catalog` field is usable, and every problem. */
export interface CampaignRead {
  campaign?: Campaign;
  /** The campaign's own catalog (path resolved, or inline with the campaign's directory as base); absent: the built-in. */
  catalog?: CatalogInput;
  /** The world as written (a path resolved against the file, or inline), read even when other fields are wrong. */
  world?: WorldInput;
  problems: Problem[];
}

/**
 * Reads campaign.yaml text without throwing on its content, so the caller can list the catalog's problems with the
 * campaign's.
 * @param text YAML (or JSON) text
 * @param source file path, for messages and to resolve relative paths
 * @returns the campaign (history, budgets, placement and catalog paths resolved) or its problems
 */
export function readCampaign(text: string, source: string): CampaignRead {
  let value: unknown;
  try {
    value = parseYaml(text) ?? {};
  } catch (err) {
    const e = err as Error & { linePos?: { line: number }[] };
    return { problems: [{ where: `${source}${e.linePos?.[0] ? `:${e.linePos[0].line}` : ''}`, message: `not valid YAML: ${e.message.split('\n')[0]}` }] };
  }
  const base = dirname(source);
  const r = CampaignSchema.safeParse(value);
  const raw = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  // A target written as a plain URL is read as `{ url }`: its problem is the target's, not a field the user never wrote.
  const written = (path: PropertyKey[]): PropertyKey[] =>
    (path[0] === 'targets' && path[2] === 'url' && path.length === 3 && typeof (raw.targets as Record<string, unknown> | undefined)?.[String(path[1])] === 'string' ? path.slice(0, 2) : path);
  const problems: Problem[] = r.success ? [] : r.error.issues.map((i) => ({ where: `${source}: ${formatPath(written(i.path))}`, message: i.message }));
  // The built-in stacks serve only the built-in API: another catalog's services live at the user's URLs.
  if (raw.catalog !== undefined && raw.targets === undefined) {
    problems.push({ where: `${source}: targets`, message: 'a campaign with its own `catalog` needs `targets` (a base URL per DC serving those services): the built-in stacks serve only the built-in API' });
  }
  if (raw.world !== undefined && raw.targets === undefined) {
    problems.push({ where: `${source}: targets`, message: 'a campaign in its own `world` needs `targets` (a base URL per site): the built-in stacks emulate only the built-in world\'s sites' });
  }
  // A per-DC insecureSkipTLSVerify names targets: a DC without one is a typo.
  const insecure = raw.insecureSkipTLSVerify;
  const rawTargets = typeof raw.targets === 'object' && raw.targets !== null ? raw.targets as Record<string, unknown> : undefined;
  if (typeof insecure === 'object' && insecure !== null && rawTargets) {
    for (const dc of Object.keys(insecure)) {
      if (!(dc in rawTargets)) problems.push({ where: `${source}: insecureSkipTLSVerify.${dc}`, message: `names no DC of \`targets\` (${Object.keys(rawTargets).join(', ')})` });
    }
  }
  if (insecure !== undefined && rawTargets) {
    for (const [dc, t] of Object.entries(rawTargets)) {
      if (typeof t === 'object' && t !== null && 'insecureSkipTLSVerify' in t) {
        problems.push({ where: `${source}: targets.${dc}.insecureSkipTLSVerify`, message: 'is also set at the top level (insecureSkipTLSVerify): give it in one place' });
      }
    }
  }
  // tlsAuth files are relative to the campaign file; read now, to say early what is wrong with them.
  if (r.success) {
    for (const [dc, t] of Object.entries(r.data.targets ?? {})) {
      for (const p of withTlsAuthFiles(t, ['targets', dc], (rel) => resolve(base, rel), (path) => readFileSync(path, 'utf8')).problems) {
        problems.push({ where: `${source}: ${p.where}`, message: p.message });
      }
    }
  }
  // The optimized placement covers the whole placement: with a subset of DCs it is not solved, so its inputs would be ignored.
  for (const key of ['intents', 'candidates'] as const) {
    if (raw[key] !== undefined && raw.dcs !== undefined) problems.push({ where: `${source}: ${key}`, message: 'the optimized placement is solved for the whole placement: remove `dcs` to use it' });
  }
  const catalog: CatalogInput | undefined = typeof raw.catalog === 'string' && raw.catalog !== ''
    ? { path: resolve(base, raw.catalog) }
    : typeof raw.catalog === 'object' && raw.catalog !== null ? { inline: raw.catalog, source: `${source}: catalog`, baseDir: base } : undefined;
  const world: WorldInput | undefined = typeof raw.world === 'string' && raw.world !== ''
    ? resolve(base, raw.world)
    : typeof raw.world === 'object' && raw.world !== null ? { inline: raw.world, source: `${source}: world`, baseDir: base } : undefined;
  const inputs = { ...(catalog ? { catalog } : {}), ...(world !== undefined ? { world } : {}) };
  if (!r.success || problems.length > 0) return { ...inputs, problems };
  const { targets, insecureSkipTLSVerify, ...c } = r.data;
  const transport = Object.fromEntries(Object.entries(targets ?? {}).flatMap(([dc, t]) => {
    // Only the paths go into the specs (a key's PEM text is not copied into the campaign folder): `caplab run` reads them.
    const o = withTlsAuthPaths(transportOptionsOf(t), (rel) => resolve(base, rel));
    return Object.keys(o).length > 0 ? [[dc, o]] : [];
  }));
  const perTarget = Object.fromEntries(Object.entries(targets ?? {}).flatMap(([dc, t]) => (t.insecureSkipTLSVerify !== undefined ? [[dc, t.insecureSkipTLSVerify]] : [])));
  const insecureSetting = insecureSkipTLSVerify ?? (Object.keys(perTarget).length > 0 ? perTarget : undefined);
  const campaign: Campaign = {
    ...c,
    ...(targets ? { targets: Object.fromEntries(Object.entries(targets).map(([dc, t]) => [dc, t.url])) } : {}),
    ...(Object.keys(transport).length > 0 ? { transport } : {}),
    ...(insecureSetting !== undefined ? { insecureSkipTLSVerify: insecureSetting } : {}),
    ...(c.forecast?.history ? { forecast: { ...c.forecast, history: resolve(base, c.forecast.history) } } : {}),
    ...(typeof c.budgets === 'string' ? { budgets: resolve(base, c.budgets) } : {}),
    ...(typeof c.fleet === 'string' ? { fleet: resolve(base, c.fleet) } : {}),
    ...(typeof c.world === 'string' ? { world: resolve(base, c.world) } : {}),
    ...(typeof c.catalog === 'string' ? { catalog: resolve(base, c.catalog) } : {}),
    ...(c.intents ? { intents: resolve(base, c.intents) } : {}),
    ...(c.candidates ? { candidates: resolve(base, c.candidates) } : {}),
    ...(c.placement && /[./\\]/.test(c.placement) ? { placement: resolve(base, c.placement) } : {}),
  };
  return { campaign, ...inputs, problems };
}

/**
 * Parses campaign.yaml text.
 * @param text YAML (or JSON) text
 * @param source file path, for messages and to resolve relative paths
 * @returns the campaign with history, budgets, placement and catalog paths resolved
 * @throws {ValidationError} on a syntax error (with its line) or any schema problem (all listed)
 */
export function parseCampaign(text: string, source: string): Campaign {
  const { campaign, problems } = readCampaign(text, source);
  if (!campaign) throw new ValidationError(`${source} is invalid`, problems);
  return campaign;
}
