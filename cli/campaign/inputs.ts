/**
 * Everything a campaign reads before it writes or loads anything: campaign.yaml, its catalog, its budgets, the DCs it
 * names against its placement, a target for every DC and the optimized placement's intents and candidates. Every
 * problem of all of them is listed at once (exit 104), so a wrong DC name or a missing target costs no forecast
 * and no load.
 */
import { dirname, resolve } from 'node:path';
import { type Fleet, FleetSchema, PlannerSettingsSchema } from '../../models/capacity/settings.ts';
import { type Problem, ValidationError } from '../../models/errors.ts';
import { formatPath } from '../../models/validation.ts';
import type { NamedDocument } from '../../pipeline/document.ts';
import { BUDGETS } from '../../pipeline/layout.ts';
import { optimizeInputProblems } from '../../pipeline/optimize.ts';
import { collect } from '../collect.ts';
import { parseBudgets, serverSideLimitProblems } from '../../scenarios/budgets.ts';
import type { Catalog } from '../../scenarios/catalog.ts';
import { loadCatalog } from '../inputs/catalog.ts';
import { DATA_DIR, loadData, loadDefaults } from '../data.ts';
import { InputError } from '../errors.ts';
import { readCandidates, readIntents } from '../inputs/intents.ts';
import { parseJsonInput, parseYamlInput, readTextInput } from '../io.ts';
import { loadPlacement } from '../inputs/routing.ts';
import type { World } from '../../models/world/world.ts';
import { builtInWorld, type LoadedWorld, readWorld } from '../inputs/world.ts';
import { parse as parseYaml } from 'yaml';
import { type Campaign, CampaignSchema, readCampaign } from './config.ts';

/** A campaign's inputs, all checked. */
export interface CampaignInputs {
  campaign: Campaign;
  catalog: Catalog;
  /**
   * The budgets the run judges by: the campaign's (inline, its file, or data/budgets.json) as written, less entries
   * for services no request of the catalog is tagged with, plus the catalog's own service budgets (ms).
   */
  budgets: unknown;
  /** Where the budgets came from, for messages and the log. */
  budgetsSource: string;
  /** The placement's DCs (all of them; the campaign may load fewer). */
  placementDcs: string[];
  /** Today's fleet when the campaign gives one (else the world's), and where it came from. */
  fleet?: { fleet: Fleet; source: string };
  /** The world the campaign plans in (campaign.yaml `world`, else the built-in data/world.json). */
  world: LoadedWorld;
}

/**
 * The fields of an invalid campaign.yaml that can still be checked against the placement: `dcs`, `targets` and
 * `placement` where each has the right shape (their own problems are the schema's).
 */
function wellFormedFields(text: string): Pick<Campaign, 'dcs' | 'placement'> & { targets?: Record<string, unknown> } | undefined {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  const r = CampaignSchema.pick({ dcs: true, targets: true, placement: true }).safeParse({ dcs: o.dcs, targets: o.targets, placement: o.placement });
  // A placement file's path would need resolving against the campaign's folder: only built-in placements here.
  if (!r.success || (r.data.placement && /[./\\]/.test(r.data.placement))) return undefined;
  return r.data;
}

/** The `fleet` field of an invalid campaign.yaml, when it has the right shape (a path resolved against the file). */
function rawFleetField(text: string, source: string): Campaign['fleet'] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    return undefined;
  }
  const r = CampaignSchema.pick({ fleet: true }).safeParse({ fleet: (raw as Record<string, unknown> | null)?.fleet });
  if (!r.success || r.data.fleet === undefined) return undefined;
  return typeof r.data.fleet === 'string' ? resolve(dirname(source), r.data.fleet) : r.data.fleet;
}

/**
 * A valid budgets document narrowed to a catalog: entries for services none of its requests carry are dropped (the
 * built-in budgets name the built-in API's services), and the catalog's service budgets are added where the document
 * names the service for no DC, as the scenario builder adds them (scenarios/catalog-budgets.ts).
 */
function effectiveBudgets(doc: unknown, catalog: Catalog): unknown {
  const d = doc as { budgets?: { service: string; dc?: string }[] } & Record<string, unknown>;
  const tagged = new Set(catalog.services.flatMap((svc) => [svc.name, ...(svc.flow?.steps ?? []).map((st) => st.tags?.service).filter((t) => t !== undefined)]));
  const kept = (d.budgets ?? []).filter((b) => tagged.has(b.service));
  const named = new Set(kept.filter((b) => b.dc === undefined).map((b) => b.service));
  const added = catalog.services.flatMap((svc) => (svc.budgets && !named.has(svc.name) ? [{ service: svc.name, ...svc.budgets }] : []));
  return { ...d, budgets: [...kept, ...added] };
}

/**
 * The optimized placement's intents (default data/intents.json) and candidates files checked against the placement's
 * DCs: every problem, an unreadable file included.
 */
async function optimizeDocumentProblems(intents: string | undefined, candidates: string | undefined, dcs: readonly string[], world: LoadedWorld['world']): Promise<Problem[]> {
  const problems: Problem[] = [];
  const read = async (load: () => Promise<NamedDocument>): Promise<NamedDocument | undefined> => {
    try {
      return await load();
    } catch (err) {
      if (err instanceof ValidationError) problems.push(...err.problems);
      else if (err instanceof InputError) problems.push({ where: 'campaign', message: err.message });
      else throw err;
      return undefined;
    }
  };
  const i = await read(() => readIntents(intents, world));
  const c = candidates === undefined ? undefined : await read(() => readCandidates(candidates));
  // A file that could not be read is one problem already; the other is still checked.
  return [...problems, ...optimizeInputProblems(i, c, dcs, { regions: world.regions, planner: loadData('planner.json', PlannerSettingsSchema) })];
}

/**
 * Reads and checks a campaign (campaign.yaml when given, else all defaults) with everything it names.
 * @param path campaign.yaml, or undefined for the defaults
 * @returns the campaign, catalog, budgets document and placement DCs
 * @throws {ValidationError} listing every problem of the campaign, its catalog, budgets, DCs, targets and intents
 */
export async function loadCampaignInputs(path: string | undefined): Promise<CampaignInputs> {
  const source = path === undefined ? undefined : resolve(path);
  const name = source ?? 'the campaign';
  const text = source === undefined ? undefined : await readTextInput(source, 'campaign file');
  const read = source === undefined || text === undefined ? { campaign: {}, problems: [] } : readCampaign(text, source);
  const defaults = loadDefaults().campaign;
  const runner = read.campaign?.runner ?? defaults.runner;
  const problems: Problem[] = [...read.problems];
  let world: LoadedWorld | undefined;
  // A world whose own document is valid names the sites the rest is checked against, even when its driver's file is not.
  let sites: World | undefined;
  await collect(problems, `${name}: world`, async () => {
    const r = await readWorld(read.world);
    problems.push(...r.problems);
    world = r.loaded;
    sites = r.world;
  });
  let catalog: Catalog | undefined;
  await collect(problems, `${name}: catalog`, async () => {
    catalog = await loadCatalog(read.catalog, runner);
  });
  const c = read.campaign;
  let budgets: unknown;
  let budgetsSource = 'data/budgets.json';
  let placementDcs: string[] = [];
  if (c) {
    await collect(problems, `${name}: budgets`, async () => {
      if (typeof c.budgets === 'object') {
        budgets = c.budgets;
        budgetsSource = `${name}: budgets`;
      } else {
        const file = c.budgets ?? resolve(DATA_DIR, BUDGETS);
        const text = await readTextInput(file, 'budgets file');
        budgets = /\.ya?ml$/i.test(file) ? parseYamlInput(text, file) : parseJsonInput(text, file);
        budgetsSource = c.budgets ?? 'data/budgets.json';
      }
      // Limits no campaign run can measure are refused now, with the rest, not skipped later by the gate.
      const invalid = serverSideLimitProblems(parseBudgets(budgets, budgetsSource), budgetsSource);
      if (invalid.length > 0) throw new ValidationError(`${budgetsSource} is invalid`, invalid);
    });
    if (budgets !== undefined && catalog) budgets = effectiveBudgets(budgets, catalog);
  }
  let fleet: CampaignInputs['fleet'];
  // Checked even when another field is wrong, so every problem shows at once.
  const fleetField = c ? c.fleet : text === undefined || source === undefined ? undefined : rawFleetField(text, source);
  if (fleetField !== undefined) {
    const f = fleetField;
    await collect(problems, `${name}: fleet`, async () => {
      const source = typeof f === 'string' ? f : `${name}: fleet`;
      const value = typeof f === 'string' ? (/\.ya?ml$/i.test(f) ? parseYamlInput(await readTextInput(f, 'fleet file'), f) : parseJsonInput(await readTextInput(f, 'fleet file'), f)) : f;
      const r = FleetSchema.safeParse(value);
      if (!r.success) throw new ValidationError(`${source} is invalid`, r.error.issues.map((i) => ({ where: `${source}: ${formatPath(i.path)}`, message: i.message })));
      // A site the world does not know would only fail the plan, after the load: say it now.
      const w = sites ?? builtInWorld().world;
      const unknown = Object.keys(r.data.nodes).filter((dc) => !w.sites[dc]);
      if (unknown.length > 0) {
        throw new ValidationError(`${source} is invalid`, unknown.map((dc) => ({ where: `${source}: nodes.${dc}`, message: `unknown site "${dc}" (the sites of ${w.source}: ${Object.keys(w.sites).join(', ')})` })));
      }
      fleet = { fleet: r.data, source };
    });
  }
  // The DCs and targets are checked even when another field is wrong, so every problem shows at once.
  const fields = c ?? (text === undefined ? undefined : wellFormedFields(text));
  if (fields && sites) {
    const w = sites;
    const placement = fields.placement ?? w.placement;
    await collect(problems, `${name}: placement`, async () => {
      placementDcs = (await loadPlacement(placement, w)).dcs;
    });
    if (placementDcs.length > 0) {
      fields.dcs?.forEach((dc, i) => {
        if (!placementDcs.includes(dc)) problems.push({ where: `${name}: dcs[${i}]`, message: `"${dc}" is not a DC of placement ${placement} (${placementDcs.join(', ')})` });
      });
      const loaded = fields.dcs ?? placementDcs;
      const missing = fields.targets ? loaded.filter((d) => !fields.targets![d]) : [];
      if (missing.length > 0) problems.push({ where: `${name}: targets`, message: `no URL for ${missing.join(', ')} (every DC the campaign plans needs one)` });
    }
  }
  if (c && c.dcs === undefined && placementDcs.length > 0) {
    // The optimized placement's intents and what-if sites, checked now rather than after the load runs.
    problems.push(...await optimizeDocumentProblems(c.intents, c.candidates, placementDcs, sites!));
  }
  if (!read.campaign || !catalog || !world || problems.length > 0) throw new ValidationError(`${name} is invalid`, problems);
  return { campaign: read.campaign, catalog, budgets, budgetsSource, placementDcs, world, ...(fleet ? { fleet } : {}) };
}
