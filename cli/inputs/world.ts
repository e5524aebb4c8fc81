/**
 * Reads a world: data/world.json (the built-in story) or a user's `caplab.world/v1` file, YAML or JSON, or one written
 * inline in campaign.yaml. The file names of its driver (a history, a series) are relative to the world file. The
 * built-in and a user's world go through the same schema and resolution (models/world); every problem of the file,
 * its node profiles and its driver's file is listed at once, each with its path or line.
 */
import { dirname, resolve } from 'node:path';
import { readFileSync, statSync } from 'node:fs';
import { HardwareProfilesSchema } from '../../models/capacity/hardware.ts';
import { shapeSiteProblems, type Shapes, ShapesSchema } from '../../models/capacity/resources/shapes.ts';
import { type Problem, ValidationError } from '../../models/errors.ts';
import type { History } from '../../models/growth/history.ts';
import { LIMITS } from '../../models/limits.ts';
import { formatPath, parseWith } from '../../models/validation.ts';
import type { SeriesRow } from '../../models/world/demand-base.ts';
import { type WorldFile, WorldSchema } from '../../models/world/schema.ts';
import { parseSeriesCsv } from '../../models/world/series-csv.ts';
import { profileProblems, resolveWorld, type World } from '../../models/world/world.ts';
import { DATA_DIR, loadData } from '../data.ts';
import { InputError } from '../errors.ts';
import { parseJsonInput, parseYamlInput, readTextInput } from '../io.ts';
import { defaultHistory, loadHistory } from './history.ts';

/** A world with what its driver reads: the history (driver `forecast`, read on first use) or the series rows. */
export interface LoadedWorld {
  world: World;
  /** The world file as read, its driver's file named absolutely: what a campaign records as world.json. */
  doc: WorldFile;
  /** Driver `forecast`: the history, read on first use. */
  history?: () => History;
  /** Driver `series`: its rows. */
  series?: readonly SeriesRow[];
  /** The world's hardware shapes and prices (`shapes`), when it names them. */
  shapes?: Shapes;
}

/** A world as campaign.yaml or a flag gives it. */
export type WorldInput = string | { inline: unknown; baseDir: string; source: string };

/** The built-in world's file. */
export const BUILT_IN_WORLD = `${DATA_DIR}world.json`;

let builtIn: LoadedWorld | undefined;

/**
 * The built-in story, data/world.json (read once).
 * @returns the world; its history is data/history.json
 * @throws {InputError} when a data file is missing or not JSON
 * @throws {ValidationError} listing every problem of data/world.json
 */
export function builtInWorld(): LoadedWorld {
  if (builtIn) return builtIn;
  const doc = loadData('world.json', WorldSchema);
  const profiles = profileNames();
  const problems = profileProblems(doc, 'data/world.json', profiles);
  if (problems.length > 0) throw new ValidationError('data/world.json is invalid', problems);
  const world = resolveWorld(doc, 'data/world.json', profiles);
  const shapes = readShapes(doc, DATA_DIR, 'data/world.json', world);
  problems.push(...shapes.problems);
  if (problems.length > 0) throw new ValidationError('data/world.json is invalid', problems);
  if (doc.driver.kind !== 'forecast' || resolve(DATA_DIR, doc.driver.history) !== resolve(DATA_DIR, 'history.json')) {
    throw new ValidationError('data/world.json is invalid', [{ where: 'data/world.json: driver', message: 'the built-in world is driven by the forecast of data/history.json' }]);
  }
  let history: History | undefined;
  return (builtIn = { world, doc: withShapes(absoluteDriver(doc, DATA_DIR), shapes.shapes), history: () => (history ??= defaultHistory()), ...(shapes.shapes ? { shapes: shapes.shapes } : {}) });
}

/**
 * Reads and checks a world.
 * @param input a path, an inline document with its folder, or undefined for the built-in world
 * @returns the world and its driver's data
 * @throws {InputError} when a file cannot be read, is over data/limits.json's size, or is not JSON
 * @throws {ValidationError} listing every problem of the world and of its driver's file
 */
export async function loadWorld(input: WorldInput | undefined): Promise<LoadedWorld> {
  const r = await readWorld(input);
  if (!r.loaded) throw new ValidationError(`${typeof input === 'string' ? input : input?.source ?? 'data/world.json'} is invalid`, r.problems);
  return r.loaded;
}

/**
 * Reads a world and lists its problems without throwing on them: a world whose document is valid is returned even
 * when its driver's file is not, so a campaign can check its DCs, fleet and targets against the sites in the same pass.
 * @param input a path, an inline document with its folder, or undefined for the built-in world
 * @returns the loaded world when everything is valid, the resolved world when its document is, and every problem
 * @throws {InputError} when the world file cannot be read, is over data/limits.json's size, or is not JSON
 * @throws {ValidationError} on a YAML syntax error
 */
export async function readWorld(input: WorldInput | undefined): Promise<{ loaded?: LoadedWorld; world?: World; problems: Problem[] }> {
  if (input === undefined) {
    const loaded = builtInWorld();
    return { loaded, world: loaded.world, problems: [] };
  }
  const source = typeof input === 'string' ? input : input.source;
  const baseDir = typeof input === 'string' ? dirname(resolve(input)) : input.baseDir;
  const value = typeof input === 'string'
    ? (/\.ya?ml$/i.test(input) ? parseYamlInput(await readTextInput(input, 'world file'), input) : parseJsonInput(await readTextInput(input, 'world file'), input))
    : input.inline;
  const r = WorldSchema.safeParse(value);
  const problems: Problem[] = r.success ? [] : r.error.issues.map((i) => ({ where: `${source}: ${formatPath(i.path)}`, message: i.message }));
  if (!r.success) return { problems };
  const doc = r.data;
  const profiles = profileNames();
  problems.push(...profileProblems(doc, source, profiles));
  const world = resolveWorld(doc, source, profiles);
  const shapes = readShapes(doc, baseDir, source, world);
  problems.push(...shapes.problems);
  let history: History | undefined;
  let series: SeriesRow[] | undefined;
  const driver = doc.driver;
  try {
    if (driver.kind === 'forecast') history = await loadHistory(resolve(baseDir, driver.history));
    if (driver.kind === 'series') {
      const file = resolve(baseDir, driver.file);
      series = parseSeriesCsv(await readTextInput(file, 'series file', LIMITS.historyBytes), file, [...new Set([world.fleet.asOf, ...world.horizon.periods])]);
    }
  } catch (err) {
    if (err instanceof ValidationError) problems.push(...err.problems);
    else if (err instanceof InputError) problems.push({ where: `${source}: driver`, message: err.message });
    else throw err;
  }
  if (problems.length > 0) return { world, problems };
  return {
    loaded: {
      world, doc: withShapes(absoluteDriver(doc, baseDir), shapes.shapes), ...(history ? { history: () => history! } : {}), ...(series ? { series } : {}),
      ...(shapes.shapes ? { shapes: shapes.shapes } : {}),
    },
    world, problems,
  };
}

/**
 * The world's shapes: read from the file it names (relative to the world) or taken inline, and checked against its
 * sites; every problem with its path.
 */
function readShapes(doc: WorldFile, baseDir: string, source: string, world: World): { shapes?: Shapes; problems: Problem[] } {
  if (doc.shapes === undefined) return { problems: [] };
  let shapes: Shapes;
  let where = `${source}: shapes`;
  if (typeof doc.shapes === 'string') {
    const file = resolve(baseDir, doc.shapes);
    where = file.startsWith(DATA_DIR) ? `data/${file.slice(DATA_DIR.length)}` : file;
    let value: unknown;
    try {
      if (statSync(file).size > LIMITS.historyBytes) return { problems: [{ where: `${source}: shapes`, message: `${file} is over ${LIMITS.historyBytes} bytes (data/limits.json historyBytes)` }] };
      const text = readFileSync(file, 'utf8');
      value = /\.ya?ml$/i.test(file) ? parseYamlInput(text, where) : parseJsonInput(text, where);
    } catch (err) {
      if (err instanceof ValidationError) return { problems: err.problems };
      if (err instanceof InputError) return { problems: [{ where: `${source}: shapes`, message: err.message }] };
      return { problems: [{ where: `${source}: shapes`, message: `cannot read ${file}: ${(err as Error).message}` }] };
    }
    const r = ShapesSchema.safeParse(value);
    if (!r.success) return { problems: r.error.issues.map((i) => ({ where: `${where}: ${formatPath(i.path)}`, message: i.message })) };
    shapes = r.data;
  } else {
    shapes = doc.shapes;
  }
  const problems = shapeSiteProblems(shapes, Object.keys(world.sites), where);
  if (shapes.currency !== world.currency) problems.push({ where: `${where}: currency`, message: `prices are in ${shapes.currency}, the world's in ${world.currency}: give both in one currency` });
  return problems.length > 0 ? { problems } : { shapes, problems };
}

/** The world file with its shapes inline (what a campaign records reads the same without the shapes file). */
function withShapes(doc: WorldFile, shapes: Shapes | undefined): WorldFile {
  return shapes ? { ...doc, shapes } : doc;
}

/** The world file with its driver's file named absolutely, so the document reads the same from any folder. */
function absoluteDriver(doc: WorldFile, baseDir: string): WorldFile {
  const d = doc.driver;
  if (d.kind === 'forecast') return { ...doc, driver: { ...d, history: resolve(baseDir, d.history) } };
  if (d.kind === 'series') return { ...doc, driver: { ...d, file: resolve(baseDir, d.file) } };
  return doc;
}

/**
 * A world a campaign recorded (its world.json), without reading its driver's file: what the report routes and names.
 * @param value the parsed document
 * @param source the file as messages name it
 * @returns the world
 * @throws {ValidationError} listing every problem of the document
 */
export function recordedWorld(value: unknown, source: string): World {
  const doc = parseWith(WorldSchema, value, source);
  const profiles = profileNames();
  const problems = profileProblems(doc, source, profiles);
  if (problems.length > 0) throw new ValidationError(`${source} is invalid`, problems);
  return resolveWorld(doc, source, profiles);
}

/** The node profiles of data/hardware.json, in its order. */
function profileNames(): string[] {
  return Object.keys(loadData('hardware.json', HardwareProfilesSchema).profiles);
}
