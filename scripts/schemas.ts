/**
 * `npm run schemas`: writes schemas/*.schema.json, the JSON Schema (draft 2020-12) of every file format a user writes
 * or hands back to caplab, generated from the zod schemas the readers validate with, so the two cannot drift
 * (test/schemas.test.ts regenerates them in memory and compares byte for byte).
 *
 * The schemas describe what a user writes (zod's input side: durations as "500ms" or a number, fields with defaults
 * optional). Rules the readers check that JSON Schema cannot state (cross-references, refinements) are listed in each
 * schema's `$comment` and in docs/formats.md; a few of them are restated here as JSON Schema (`patches`).
 *
 * Every zod schema is imported here and nowhere else in scripts/ or docs/: when a module moves, fix the imports below.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CampaignSchema, readCampaign } from '../cli/campaign/config.ts';
import { CandidatesSchema } from '../models/capacity/optimize/candidates.ts';
import { IntentsSchema } from '../models/capacity/optimize/intents.ts';
import { FleetSchema } from '../models/capacity/settings.ts';
import { ShapesSchema } from '../models/capacity/resources/shapes.ts';
import { WorldSchema } from '../models/world/schema.ts';
import { ForecastFileSchema } from '../models/growth/forecast-file.ts';
import { HistoryFileSchema } from '../models/growth/history.ts';
import { PlacementFileSchema } from '../models/routing/settings.ts';
import { DemandFileSchema } from '../models/traffic/demand-file.ts';
import { TrafficFileSchema } from '../models/traffic/traffic-file.ts';
import { CampaignManifestSchema } from '../reports/ingest/campaign-manifest.ts';
import { PlanFileSchema } from '../reports/render/inputs.ts';
import { BudgetsSchema } from '../scenarios/budgets.ts';
import { CatalogDocumentSchema, validateCatalog } from '../scenarios/catalog.ts';
import { Duration } from '../scenarios/executor-schema.ts';
import { FlowSchema, parseScenarioSpec, SpecObject, StepSchema } from '../scenarios/spec.ts';
import { ValidationError } from '../models/errors.ts';

/** The folder the schemas are written to. */
export const SCHEMAS_DIR = fileURLToPath(new URL('../schemas/', import.meta.url));

/** A change to the generated schema at a JSON pointer: keys merged in, the node replaced, or another form allowed beside it. */
type Patch = { at: string; merge: Record<string, unknown> } | { at: string; replace: Record<string, unknown> } | { at: string; orAlso: Record<string, unknown> };

/** One published schema. */
export interface SchemaEntry {
  /** File name in schemas/. */
  file: string;
  /** The format's name: its `schema` value, or the file it describes. */
  format: string;
  /** The zod schema its reader validates with. */
  zod: z.ZodType;
  /** One-line title. */
  title: string;
  /** What the file is, for editors' hover text. */
  description: string;
  /** Rules caplab checks when it reads the file that this JSON Schema does not express. */
  gaps: string[];
  /** Rules restated in JSON Schema where zod's refinements cannot be converted. */
  patches?: Patch[];
  /** The reader's checks beyond the zod schema (cross-references), for tests of examples: every problem, or none. */
  crossCheck?: (value: unknown) => string[];
}

/** Problems a reader that throws {@link ValidationError} finds, as text. */
function problemsThrown(read: () => unknown): string[] {
  try {
    read();
    return [];
  } catch (err) {
    if (err instanceof ValidationError) return err.problems.map((p) => `${p.where}: ${p.message}`);
    throw err;
  }
}

const QUARTER = { pattern: '^\\d{4}Q[1-4]$' };
/** k6 durations as scenarios/duration.ts reads them: `0`, or number-unit pairs such as `1m30s`, `250ms`, `1.5h`. */
const DURATION_PATTERN = '^\\s*(?:0+(?:\\.0+)?|(?:\\d+(?:\\.\\d+)?(?:h|ms|m|s|us|µs|ns))+)\\s*$';
const DURATION_GAPS = 'durations are at most 720h (data/limits.json maxDuration)';

/** Parts shared by several formats, written once under `$defs` (zod's own registry is not used: sources set no metadata). */
const SHARED = z.registry<{ id: string }>();
SHARED.add(Duration, { id: 'duration' });
SHARED.add(StepSchema, { id: 'step' });

/** Every schema caplab publishes, in the order docs/formats.md describes them. */
export const SCHEMAS: readonly SchemaEntry[] = [
  {
    file: 'campaign.schema.json', format: 'campaign.yaml', zod: CampaignSchema,
    title: 'caplab campaign.yaml',
    description: 'A caplab campaign: forecast settings, placement, DCs and their targets, budgets, catalog, replay scaling and runner. Every field is optional; defaults come from data/.',
    gaps: [
      'a campaign with its own catalog needs targets',
      'a campaign with its own world needs targets',
      'a per-DC insecureSkipTLSVerify names DCs of targets',
      'insecureSkipTLSVerify is set at the top level or in targets, not both',
      'tlsAuth files of targets exist and hold a matching certificate and key',
      'intents and candidates cannot be combined with dcs',
      'relative paths are resolved against the campaign file',
    ],
    patches: [
      { at: '/properties/quarter', merge: QUARTER },
      { at: '/properties/forecast/properties/horizon', merge: QUARTER },
      // The reader validates an inline document with the format's own schema.
      { at: '/properties/budgets/anyOf/1', replace: { $ref: 'budgets.schema.json' } },
      { at: '/properties/catalog/anyOf/1', replace: { $ref: 'catalog.schema.json' } },
      { at: '/properties/fleet/anyOf/1', replace: { $ref: 'fleet.schema.json' } },
      { at: '/properties/world/anyOf/1', replace: { $ref: 'world.schema.json' } },
      // A target is read as `{ url }` when it is a plain URL (a zod preprocess, which JSON Schema cannot show).
      { at: '/properties/targets/additionalProperties', orAlso: { type: 'string', format: 'uri', pattern: '^(?:https?):' } },
    ],
    // The reader takes text (YAML is a superset of JSON); it reads no file it names.
    crossCheck: (value) => readCampaign(JSON.stringify(value), 'campaign.yaml').problems.map((p) => `${p.where}: ${p.message}`),
  },
  {
    file: 'catalog.schema.json', format: 'caplab.catalog/v1', zod: CatalogDocumentSchema,
    title: 'caplab.catalog/v1',
    description: 'A service catalog: the services a campaign plans, each with the requests one use makes (a flow or a k6 script function), its demand, and optionally its hourly curve, budgets and modeled service time.',
    gaps: [
      'service names are unique',
      'a service has a flow or k6 (runner engine: a flow)',
      'a service flow has steps (no mix, no k6)',
      'hourly has at least one positive weight',
      'resources: every low/mid/high interval has low <= mid <= high',
      'flow files named by path are validated when read (flow.schema.json)',
      'the scenario rules of steps (see scenario.schema.json)',
      DURATION_GAPS,
    ],
    crossCheck: (value) => validateCatalog(value, 'catalog', undefined).problems.map((p) => `${p.where}: ${p.message}`),
  },
  {
    file: 'flow.schema.json', format: 'caplab.scenario/v1 flow', zod: FlowSchema,
    title: 'caplab.scenario/v1 flow',
    description: 'A flow of caplab.scenario/v1: a sequence of steps (HTTP requests), a weighted mix of other flows, or a k6 script function. A catalog service\'s flow file holds steps.',
    gaps: [
      'a flow has exactly one of steps, mix or k6',
      'a step has exactly one of path or url, at most one of json or body',
      'templates are {{user.*}}, {{vars.*}}, {{env.*}}, {{iteration}}, {{vu}}, {{scenario}}',
      'custom metrics are not named as built-in metrics and keep one type',
      DURATION_GAPS,
    ],
  },
  {
    file: 'scenario.schema.json', format: 'caplab.scenario/v1', zod: SpecObject,
    title: 'caplab.scenario/v1',
    description: 'A scenario spec: k6 options (scenarios, thresholds, summaryTrendStats, tags) and the flows the scenarios run. The embedded engine runs it; caplab k6 build compiles it to a k6 script.',
    gaps: [
      'threshold expressions follow k6\'s syntax',
      'a flow named default, or scenarios naming their flows with exec',
      'mix names flows that exist and are not mixes',
      'scenario names are letters, digits, _ and -',
      'k6\'s executor rules (positive VUs and durations, maxVUs >= preAllocatedVUs, ...)',
      'path needs baseUrl',
      'the rules of flow.schema.json',
      DURATION_GAPS,
    ],
    crossCheck: (value) => problemsThrown(() => parseScenarioSpec(value, 'scenario')),
  },
  {
    file: 'budgets.schema.json', format: 'caplab.budgets/v1', zod: BudgetsSchema,
    title: 'caplab.budgets/v1',
    description: 'Latency and error budgets per service (and optionally DC), for the campaign, the scenario builder and caplab gate.',
    gaps: ['one budget per service and DC', 'a campaign refuses server-side limits (serverP95, serverP99)', DURATION_GAPS],
  },
  {
    file: 'intents.schema.json', format: 'caplab.intents/v1', zod: IntentsSchema,
    title: 'caplab.intents/v1',
    description: 'What an optimized placement must meet: RTT budgets per region or country, spares, utilization cap, DC losses to survive, demand band, cost cap and site limits.',
    gaps: ['regions, countries and DCs named must exist in the placement and the world (its countries and regions)'],
  },
  {
    file: 'candidates.schema.json', format: 'caplab.candidates/v1', zod: CandidatesSchema,
    title: 'caplab.candidates/v1',
    description: 'What-if sites the placement optimizer may open: price, RTT per country, and the DC whose residency and capacity each follows.',
    gaps: ['site names are unique and not DCs of the placement', 'residencyAs and capacityAs name DCs of the placement'],
    patches: [{ at: '/properties/sites/items/properties/rttMs', merge: { properties: { default: { type: 'number', minimum: 0 } }, required: ['default'] } }],
  },
  {
    file: 'demand.schema.json', format: 'caplab.demand/v1', zod: DemandFileSchema,
    title: 'caplab.demand/v1',
    description: 'Demand calibrated from telemetry by caplab demand fit: requests per device per day and local-hour curves per service, with the fit\'s residuals.',
    gaps: ['times are ISO-8601 with a date and time', 'localHourWeights have a mean of 1', 'at least one service, and at least one DC per service'],
    patches: [
      { at: '/properties/quarter/anyOf/0', merge: QUARTER },
      { at: '/properties/services', merge: { minProperties: 1 } },
      { at: '/properties/services/additionalProperties/properties/dcs', merge: { minProperties: 1 } },
    ],
  },
  {
    file: 'placement.schema.json', format: 'caplab.placement/v1', zod: PlacementFileSchema,
    title: 'caplab.placement/v1',
    description: 'A placement: the DCs in service and optional forced country -> DC assignments.',
    gaps: ['assign names DCs of dcs'],
  },
  {
    file: 'history.schema.json', format: 'caplab.history/v1', zod: HistoryFileSchema,
    title: 'caplab.history/v1',
    description: 'Shipment history (JSON form; a CSV with a period,shipments header is read too): one row per disjoint period (2013, 2013H2 or 2014Q1), shipments in phones.',
    gaps: ['periods are years, halves or quarters that do not overlap', 'shipments are within 1..1e11 phones'],
  },
  {
    file: 'fleet.schema.json', format: 'caplab.fleet/v1', zod: FleetSchema,
    title: 'caplab.fleet/v1',
    description: 'Today\'s fleet: application nodes in service per DC, as of a quarter.',
    gaps: [],
  },
  {
    file: 'world.schema.json', format: 'caplab.world/v1', zod: WorldSchema,
    title: 'caplab.world/v1',
    description: 'The world a plan is made in: sites (price, RTT per country or region, limits, lead time), countries (share, time zone), residency rules, placements, today\'s fleet, the horizon and the demand driver (a growth forecast of a history, a series of active units, or today\'s peak req/s with a growth interval).',
    gaps: [
      'country codes are unique; regions named exist in regions',
      'every site has an RTT `default`; RTT keys are countries or regions of the world',
      'residency rules, placements and the fleet name sites of the world; the last rule is the catch-all "*"',
      'the fleet is as of the horizon\'s first period or before; loadPeriod lies within the horizon',
      'a forecast driver needs every country\'s trend and launch',
      'growthPerPeriod has low <= mid <= high',
      'sites name node profiles of data/hardware.json',
      'the driver\'s file (history, series) and the shapes file are relative to the world file',
      'shapes: every site of the world prices an app-tier shape, prices only sites of the world, in the world\'s currency',
      'move: from and each wave\'s to are sites of the world and differ; a wave starts within the horizon; its countries are the world\'s',
    ],
    patches: [{ at: '/properties/shapes/anyOf/1', replace: { $ref: 'shapes.schema.json' } }],
  },
  {
    file: 'shapes.schema.json', format: 'caplab.shapes/v1', zod: ShapesSchema,
    title: 'caplab.shapes/v1',
    description: 'Hardware shapes (instance types or servers) with their vCPUs, memory, network and local disk, the tiers each may serve, their price per site and each site\'s egress price per GB, the per-node baseline and the target utilization per resource.',
    gaps: ['prices name shapes of the file'],
  },
  {
    file: 'forecast.schema.json', format: 'caplab.forecast/v1', zod: ForecastFileSchema,
    title: 'caplab.forecast/v1 (fields read back)',
    description: 'forecast.json as later stages read it back (caplab users, traffic, report): the fields they check. caplab writes more; other fields are allowed.',
    gaps: ['every band has p10 <= p50 <= p90', 'quarters are consecutive', 'priors.marketPotential.p90 is above its median'],
  },
  {
    file: 'traffic.schema.json', format: 'caplab.traffic/v1', zod: TrafficFileSchema,
    title: 'caplab.traffic/v1 (fields read back)',
    description: 'traffic.json as later stages read it back (plan, scenario builder): the fields they check. caplab writes more; other fields are allowed.',
    gaps: ['every band has p50 <= p90', 'every DC has the same quarters'],
  },
  {
    file: 'plan.schema.json', format: 'caplab.plan/v1', zod: PlanFileSchema,
    title: 'caplab.plan/v1 (fields read back)',
    description: 'plan.json as the report reads it back: the fields it checks. caplab writes more; other fields are allowed.',
    gaps: ['every band has p50 <= p90', 'at least one DC'],
    patches: [{ at: '/properties/dcs', merge: { minProperties: 1 } }],
  },
  {
    file: 'campaign-manifest.schema.json', format: 'caplab.campaign/v1 (campaign.json)', zod: CampaignManifestSchema,
    title: 'caplab.campaign/v1 manifest (campaign.json)',
    description: 'The manifest a campaign writes last into its folder: run id, times, seed, DCs, the budgets it used, and the size and SHA-256 of every file it wrote.',
    gaps: ['budgets is a relative path inside the campaign folder (no ..)'],
  },
];

/** Keywords first, in this order, in every schema object; the others keep zod's order (properties as declared). */
const LEADING = ['$schema', '$id', 'title', 'description', '$comment', '$ref', 'type', 'const', 'enum'];

function ordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ordered);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = [...LEADING.filter((k) => k in obj), ...Object.keys(obj).filter((k) => !LEADING.includes(k))];
  return Object.fromEntries(keys.map((k) => [k, ordered(obj[k])]));
}

function resolvePointer(root: Record<string, unknown>, pointer: string, file: string): { parent: Record<string, unknown> | unknown[]; key: string } {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = root;
  for (const p of parts.slice(0, -1)) {
    node = (node as Record<string, unknown> | undefined)?.[p];
    if (node === null || typeof node !== 'object') throw new Error(`scripts/schemas.ts: ${file} has no ${pointer} (did the zod schema change?)`);
  }
  const key = parts[parts.length - 1]!;
  if (!(key in (node as object))) throw new Error(`scripts/schemas.ts: ${file} has no ${pointer} (did the zod schema change?)`);
  return { parent: node as Record<string, unknown>, key };
}

/**
 * The JSON Schema of one entry.
 * @param entry the schema to convert
 * @returns the schema object, keys in a fixed order
 * @throws {Error} naming the file and pointer when a patch no longer fits the zod schema
 */
export function jsonSchemaOf(entry: SchemaEntry): Record<string, unknown> {
  const generated = z.toJSONSchema(entry.zod, {
    target: 'draft-2020-12',
    metadata: SHARED,
    // What a user writes: durations before they become milliseconds, defaults not yet filled in.
    io: 'input',
    // Every duration field: k6's duration syntax instead of zod's bare "string or number".
    override: ({ zodSchema, jsonSchema }) => {
      const schema = jsonSchema as Record<string, unknown>;
      if (zodSchema === (Duration as unknown)) {
        for (const k of Object.keys(schema)) delete schema[k];
        Object.assign(schema, {
          description: 'A k6 duration: "500ms", "10s", "1m30s", "1.5h", or a number of milliseconds.',
          anyOf: [{ type: 'string', pattern: DURATION_PATTERN }, { type: 'number', minimum: 0 }],
        });
        return;
      }
      // z.url({ protocol }) converts to a bare `format: uri`: keep the scheme it allows.
      const def = (zodSchema as unknown as { _zod: { def: { format?: string; protocol?: RegExp } } })._zod.def;
      if (def.format === 'url' && def.protocol instanceof RegExp) {
        schema.pattern = `^(?:${def.protocol.source.replace(/^\^/, '').replace(/\$$/, '')}):`;
      }
    },
  }) as Record<string, unknown>;
  for (const patch of entry.patches ?? []) {
    const { parent, key } = resolvePointer(generated, patch.at, entry.file);
    const target = parent as Record<string, unknown>;
    if ('replace' in patch) target[key] = patch.replace;
    else if ('orAlso' in patch) target[key] = { anyOf: [patch.orAlso, target[key]] };
    else Object.assign(target[key] as Record<string, unknown>, patch.merge);
  }
  return ordered({
    ...generated,
    $id: entry.file,
    title: entry.title,
    description: entry.description,
    ...(entry.gaps.length > 0 ? { $comment: `Also checked by caplab when it reads the file, not by this schema: ${entry.gaps.join('; ')}. See docs/formats.md.` } : {}),
  }) as Record<string, unknown>;
}

/**
 * Every schema file's text, as `npm run schemas` writes it: two-space JSON and a trailing newline.
 * @returns file name -> contents, in {@link SCHEMAS} order
 */
export function generateSchemas(): Map<string, string> {
  return new Map(SCHEMAS.map((e) => [e.file, `${JSON.stringify(jsonSchemaOf(e), null, 2)}\n`]));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const files = generateSchemas();
  mkdirSync(SCHEMAS_DIR, { recursive: true });
  for (const old of readdirSync(SCHEMAS_DIR)) if (old.endsWith('.schema.json') && !files.has(old)) rmSync(join(SCHEMAS_DIR, old));
  for (const [name, text] of files) writeFileSync(join(SCHEMAS_DIR, name), text);
  process.stdout.write(`wrote ${files.size} schemas to ${SCHEMAS_DIR}\n`);
}
