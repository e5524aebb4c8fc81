/**
 * The one reader of users NDJSON files (`data.users.file` of a spec, `caplab k6 build --users`): one JSON object per
 * line, as `caplab users` writes them. Used by both runners: the engine takes the parsed users, k6 gets the text.
 */
import { LIMITS } from '../../models/limits.ts';
import { type Problem, ValidationError } from '../../models/errors.ts';
import { parseUsersNdjson } from '../../scenarios/engine/users.ts';
import { InputError } from '../errors.ts';
import { readTextInput } from '../io.ts';

/** Most bad lines a users file's error lists (a file of garbage must not print itself). */
const MAX_BAD_LINES = 20;

/** A users file read and checked. */
export interface UsersFile {
  /** Its text, ending with a newline (k6 reads it line by line; the engine's workers parse it again). */
  text: string;
  /** Its users, one record per non-blank line, in order. */
  users: Record<string, unknown>[];
}

/**
 * Reads and checks a users NDJSON file: its size first (data/limits.json usersFileBytes: the text is one string),
 * then every line.
 * @param path the file
 * @returns its text and users
 * @throws {InputError} when it cannot be read, is over the size limit, or has no users (exit 104)
 * @throws {ValidationError} naming each line that is not a JSON object, the first 20 (exit 104)
 */
export async function readUsersFile(path: string): Promise<UsersFile> {
  // NDJSON of many users: not the 8 MiB limit of other inputs.
  const text = await readTextInput(path, 'users file', LIMITS.usersFileBytes);
  const parsed = parseUsersNdjson(text, MAX_BAD_LINES);
  if (parsed.badLines.length > 0) {
    const problems: Problem[] = parsed.badLines.map((n) => ({ where: `${path}:${n}`, message: 'not a JSON object' }));
    throw new ValidationError(`users file ${path} is invalid`, problems);
  }
  if (parsed.users.length === 0) throw new InputError(`users file ${path} has no users`);
  return { text: text.endsWith('\n') ? text : `${text}\n`, users: parsed.users };
}
