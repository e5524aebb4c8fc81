/**
 * The one reader of a JSON (or YAML) input file for the commands: the file is size-checked and read with an error that
 * names it (cli/io.ts), and a syntax error names its line.
 */
import { parseJsonInput, parseYamlInput, readTextInput } from '../io.ts';

/**
 * Reads and parses a JSON file.
 * @param path file path
 * @param what what the file is for, used in messages (e.g. "traffic file")
 * @returns the parsed value, not yet validated
 * @throws {InputError} when the file cannot be read, is larger than data/limits.json allows, or is not JSON
 * @example const value = await readJson('caplab-out/plan.json', 'plan file')
 */
export async function readJson(path: string, what: string): Promise<unknown> {
  return parseJsonInput(await readTextInput(path, what), path);
}

/**
 * Reads and parses a document that may be YAML (`.yaml`/`.yml`) or JSON (any other name).
 * @param path file path
 * @param what what the file is for, used in messages (e.g. "intents file")
 * @returns the parsed value, not yet validated
 * @throws {InputError} when the file cannot be read or is not JSON, or YAML over data/limits.json `yamlBytes`
 * @throws {ValidationError} on a YAML syntax error
 */
export async function readDocument(path: string, what: string): Promise<unknown> {
  const text = await readTextInput(path, what);
  return /\.ya?ml$/i.test(path) ? parseYamlInput(text, path) : parseJsonInput(text, path);
}
