/**
 * Reads the optimizer's documents: a `caplab.intents/v1` file (default data/intents.json) and a `caplab.candidates/v1`
 * file of what-if sites, JSON or YAML. pipeline/optimize.ts validates them against the plan's DCs.
 */
import type { NamedDocument } from '../../pipeline/document.ts';
import { DATA_DIR } from '../data.ts';
import type { World } from '../../models/world/world.ts';
import { readDocument } from './json.ts';
import { builtInWorld } from './world.ts';

/**
 * Reads an intents file.
 * @param path the file, or undefined for the world's own intents, else data/intents.json
 * @param world the world (default: the built-in one)
 * @returns the parsed document, named as messages show it
 * @throws {InputError} when the file cannot be read or is not JSON
 * @throws {ValidationError} on a YAML syntax error
 */
export async function readIntents(path: string | undefined, world: World = builtInWorld().world): Promise<NamedDocument> {
  if (path === undefined && world.intents) return { doc: { schema: 'caplab.intents/v1', ...world.intents }, source: `${world.source}: intents` };
  return { doc: await readDocument(path ?? `${DATA_DIR}intents.json`, 'intents file'), source: path ?? 'data/intents.json' };
}

/**
 * Reads a candidates file.
 * @param path the file
 * @returns the parsed document, named by its path
 * @throws {InputError} when the file cannot be read or is not JSON
 * @throws {ValidationError} on a YAML syntax error
 */
export async function readCandidates(path: string): Promise<NamedDocument> {
  return { doc: await readDocument(path, 'candidates file'), source: path };
}
