/**
 * Loading the service catalog for the commands: a `caplab.catalog/v1` file (YAML or JSON), an inline catalog from
 * campaign.yaml, or, by default, data/catalog.json (the built-in mobile-cloud API), all through the same validation.
 * Flow files the catalog names are read here (the one place that touches files), relative to the catalog's file;
 * every problem of the document and of its files is listed at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type Problem, ValidationError } from '../../models/errors.ts';
import type { DemandFile } from '../../models/traffic/demand-file.ts';
import { type Catalog, catalogFlowFiles, catalogSentFiles, resolveCatalog, validateCatalog } from '../../scenarios/catalog.ts';
import { withTlsAuthFiles } from '../../scenarios/transport-options.ts';
import { DATA_DIR } from '../data.ts';
import { readDemandFile } from './demand.ts';
import { InputError } from '../errors.ts';
import { checkYamlSize, readTextInput } from '../io.ts';

/** Where a catalog comes from. */
export type CatalogInput =
  | { path: string }
  /** An inline catalog; relative paths in it are resolved against `baseDir`. */
  | { inline: unknown; source: string; baseDir: string };

/** The built-in catalog's file. */
export const DEFAULT_CATALOG = `${DATA_DIR}catalog.json`;

/** How the built-in catalog is named in messages and in traffic.json's demand source (models MODELED_SOURCE). */
const DEFAULT_CATALOG_NAME = 'data/catalog.json';

/**
 * Parses YAML or JSON text, naming the line of a syntax error.
 * @param text file text
 * @param source file path
 * @returns the value, or a problem
 */
function parseDocument(text: string, source: string): { value?: unknown; problem?: Problem } {
  try {
    checkYamlSize(text, source);
  } catch (err) {
    return { problem: { where: source, message: (err as Error).message.replace(`${source} is `, 'the file is ') } };
  }
  try {
    return { value: parseYaml(text) as unknown };
  } catch (err) {
    const e = err as Error & { linePos?: { line: number }[] };
    return { problem: { where: `${source}${e.linePos?.[0] ? `:${e.linePos[0].line}` : ''}`, message: `not valid YAML or JSON: ${e.message.split('\n')[0]}` } };
  }
}

/**
 * Loads and resolves a catalog.
 * @param input a file, an inline document, or undefined for data/catalog.json
 * @param runner the runner that will load the services (a k6 script is refused under `engine`); undefined when the
 *   command runs nothing (traffic, plan), so flows and k6 scripts are both accepted
 * @returns the catalog, flows read and paths resolved
 * @throws {InputError} when the catalog file cannot be read
 * @throws {ValidationError} listing every problem of the document and of the flow files it names (missing,
 *   unparsable, not a flow), and every k6 script or observed-demand file that does not exist
 */
export async function loadCatalog(input: CatalogInput | undefined, runner: 'engine' | 'k6' | undefined): Promise<Catalog> {
  const src = input ?? { path: DEFAULT_CATALOG };
  const source = input === undefined ? DEFAULT_CATALOG_NAME : 'path' in src ? src.path : src.source;
  const baseDir = 'path' in src ? dirname(src.path) : src.baseDir;
  let value: unknown;
  if ('path' in src) {
    const parsed = parseDocument(await readTextInput(src.path, 'service catalog'), src.path);
    if (parsed.problem) throw new ValidationError(`${source} is invalid`, [parsed.problem]);
    value = parsed.value;
  } else value = src.inline;
  const { doc, raw, problems } = validateCatalog(value, source, runner);
  if (!doc || !raw) throw new ValidationError(`${source} is invalid`, problems);
  const flows = new Map<string, unknown>();
  for (const rel of catalogFlowFiles(doc)) {
    const path = resolve(baseDir, rel);
    let text: string;
    try {
      text = await readTextInput(path, 'flow file');
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push({ where: `${source}: flow ${rel}`, message: err.message });
      continue;
    }
    const parsed = parseDocument(text, path);
    if (parsed.problem) problems.push(parsed.problem);
    else flows.set(path, parsed.value);
  }
  doc.services.forEach((s, i) => {
    const files: [string, string | undefined][] = [['k6.script', s.k6?.script], ['demand.observed', s.demand !== undefined && 'observed' in s.demand ? s.demand.observed : undefined]];
    for (const [key, rel] of files) {
      if (rel !== undefined && !existsSync(resolve(baseDir, rel))) problems.push({ where: `${source}: services[${i}].${key}`, message: `${resolve(baseDir, rel)}: no such file` });
    }
  });
  // tlsAuth files are read now to say early what is wrong with them; the specs name them and `caplab run` reads them.
  for (const p of withTlsAuthFiles(doc, [], (rel) => resolve(baseDir, rel), (path) => readFileSync(path, 'utf8')).problems) problems.push({ where: `${source}: ${p.where}`, message: p.message });
  if (problems.length > 0) throw new ValidationError(`${source} is invalid`, problems);
  const catalog = resolveCatalog(doc, raw, source, { resolve: (p) => resolve(baseDir, p), flows });
  // The files steps send are read by each run (`caplab run` of a built spec): say now which one is missing.
  const unreadable = catalogSentFiles(catalog).flatMap(({ file, where }) => (existsSync(file) ? [] : [{ where: `${source}: ${where}`, message: `${file}: no such file` }]));
  if (unreadable.length > 0) throw new ValidationError(`${source} is invalid`, unreadable);
  return catalog;
}

/**
 * The catalog a command works with: one already loaded (by campaign), a file named on the command line, or the
 * built-in one.
 * @param catalog a loaded catalog, a catalog file path, or undefined for data/catalog.json
 * @param runner as for {@link loadCatalog}
 * @returns the catalog
 * @throws {InputError|ValidationError} as {@link loadCatalog}
 */
export async function catalogOf(catalog: Catalog | string | undefined, runner: 'engine' | 'k6' | undefined): Promise<Catalog> {
  if (typeof catalog === 'object') return catalog;
  return loadCatalog(catalog === undefined ? undefined : { path: catalog }, runner);
}

/**
 * The `observed` demand files a catalog's services name (caplab.demand/v1, from `caplab demand fit`), each read once;
 * pipeline/traffic.ts serviceDemands turns the catalog and these into the demand per service.
 * @param catalog resolved catalog (paths absolute)
 * @returns each file by its resolved path, validated
 * @throws {InputError} when a demand file cannot be read
 * @throws {ValidationError} when a demand file is invalid
 */
export async function readObservedDemand(catalog: Catalog): Promise<Map<string, DemandFile>> {
  const observed = new Map<string, DemandFile>();
  for (const s of catalog.services) {
    if (s.demand !== undefined && 'observed' in s.demand && !observed.has(s.demand.observed)) observed.set(s.demand.observed, await readDemandFile(s.demand.observed));
  }
  return observed;
}
