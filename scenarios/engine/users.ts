/**
 * The users a run's VUs act as, described as plain data so it can be handed to worker threads (structured clone):
 * the text of a users NDJSON file the caller has read, or the seed, count and population to generate them from.
 * The engine never reads files; the CLI reads the users file (cli/inputs/users-file.ts, with this module's parser)
 * and passes its text in.
 */
import { createUserGenerator } from '../../models/population/user.ts';
import type { Population } from '../../models/types.ts';
import type { UserSource } from './vu.ts';

/** Users as data: NDJSON text (one JSON object per line, blank lines ignored), or what generates them. */
export type UsersData =
  | { kind: 'ndjson'; text: string }
  | { kind: 'generated'; seed: number; count: number; population: Population };

/** A users NDJSON text parsed: its users in order, and the 1-based numbers of the lines that are not JSON objects. */
export interface ParsedUsers {
  /** One record per non-blank line that is a JSON object. */
  users: Record<string, unknown>[];
  /** Lines that are not a JSON object (1-based), at most `maxBadLines` of them. */
  badLines: number[];
  /** Bad lines in all, listed or not. */
  badCount: number;
}

/**
 * Parses users NDJSON: every non-blank line must be a JSON object (a user record); blank lines are skipped.
 * @param text the file's text (without a byte-order mark)
 * @param maxBadLines how many bad line numbers to keep (a file of garbage must not make a list as long as itself)
 * @returns the users, and the bad lines
 * @example parseUsersNdjson('{"id":1}\n\n[2]\n').badLines // [3]
 */
export function parseUsersNdjson(text: string, maxBadLines = 20): ParsedUsers {
  const users: Record<string, unknown>[] = [];
  const badLines: number[] = [];
  let badCount = 0;
  let start = 0;
  // Line by line without split('\n'): a 512 MiB file would otherwise hold every line twice at once.
  for (let line = 1; start <= text.length; line++) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    const s = text.slice(start, end);
    start = end + 1;
    if (s.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch {
      v = undefined;
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) users.push(v as Record<string, unknown>);
    else if (badCount++ < maxBadLines) badLines.push(line);
  }
  return { users, badLines, badCount };
}

/**
 * A user source over records already in memory: user i is records[i].
 * @param users the records (not copied)
 * @returns the source
 */
export function userSourceFromList(users: readonly Record<string, unknown>[]): UserSource {
  return { count: users.length, get: (i) => users[i]! };
}

/**
 * The user source described by `data`: NDJSON text is parsed (its lines were checked by whoever read the file; a
 * line that is not an object is skipped here), generated users are made on demand from their seed and population.
 * @param data users as data
 * @returns the source VUs pick their users from
 * @throws {RangeError} when a generated population has no countries or an unknown locale (createUserGenerator)
 */
export function userSourceOf(data: UsersData): UserSource {
  if (data.kind === 'ndjson') return userSourceFromList(parseUsersNdjson(data.text, 0).users);
  const gen = createUserGenerator(data.seed, data.population);
  return { count: data.count, get: (i) => gen.user(i) as unknown as Record<string, unknown> };
}
