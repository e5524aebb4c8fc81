/**
 * The users a run's VUs act as, for either runner: the spec's `data.users` names a users NDJSON file (relative to the
 * spec) or a seed and count to generate them from. The engine gets them as a user source plus the same users as data
 * for its worker threads; k6 gets a file name and NDJSON text to put beside its script.
 */
import { basename, dirname, resolve } from 'node:path';
import { type Problem, ValidationError } from '../../models/errors.ts';
import { createUserGenerator } from '../../models/population/user.ts';
import { userSourceFromList, userSourceOf, type UsersData } from '../../scenarios/engine/users.ts';
import type { UserSource } from '../../scenarios/engine/vu.ts';
import { k8sName } from '../../scenarios/k6/operator.ts';
import type { ScenarioSpec } from '../../scenarios/spec.ts';
import { computePopulation } from '../chain.ts';
import { InputError } from '../errors.ts';
import { readUsersFile } from '../inputs/users-file.ts';
import { K6_FILES } from './k6-files.ts';

/** The users of an engine run: the source setup and a single thread pick from, and the same users as data for workers. */
export interface RunUsers {
  /** User i for VU i (mod count). */
  source: UserSource;
  /** The same users as plain data (the file's text, or what generates them), to hand to worker threads. */
  data: UsersData;
}

/** Generated users as data: `count` users from the spec's seed (else the run's) over the default population. */
async function generatedUsers(u: NonNullable<ScenarioSpec['data']['users']>, seed: number): Promise<Extract<UsersData, { kind: 'generated' }>> {
  const userSeed = u.seed ?? seed;
  return { kind: 'generated', seed: userSeed, count: u.count!, population: await computePopulation({}, userSeed) };
}

/**
 * The users the engine's VUs act as: a users NDJSON file (relative to the spec), or `count` users generated from the
 * spec's seed, else the run's.
 * @param spec validated spec
 * @param specPath its path (the users file is relative to it)
 * @param seed the run's seed (for generated users without their own)
 * @returns the users, or undefined when the spec names none
 * @throws {ValidationError} naming each bad line of the users file
 * @throws {InputError} when the users file cannot be read, is too large or has no users
 */
export async function loadUsers(spec: ScenarioSpec, specPath: string, seed: number): Promise<RunUsers | undefined> {
  const u = spec.data.users;
  if (!u) return undefined;
  if (u.file !== undefined) {
    const file = await readUsersFile(resolve(dirname(specPath), u.file));
    return { source: userSourceFromList(file.users), data: { kind: 'ndjson', text: file.text } };
  }
  const data = await generatedUsers(u, seed);
  return { source: userSourceOf(data), data };
}

/**
 * The users to ship with a k6 script: `users` (a file), else the spec's file (relative to the spec), else seed +
 * count generated as the engine generates them. Used by `caplab k6 build` and `caplab run --runner k6`.
 * @param spec validated spec
 * @param specPath its path (users files are relative to it)
 * @param opts `users`: a users file replacing the spec's (`caplab k6 build --users`)
 * @param seed run seed
 * @param problems collects every problem (unreadable file, bad lines, a name clashing with a generated file)
 * @returns file name and NDJSON text, or undefined when the spec has no users or they cannot be read
 */
export async function usersOf(spec: ScenarioSpec, specPath: string, opts: { users?: string }, seed: number, problems: Problem[]): Promise<{ file: string; text: string } | undefined> {
  const u = spec.data.users;
  if (u === undefined) {
    if (opts.users !== undefined) problems.push({ where: '--users', message: `${specPath} has no data.users, so its flows use no users (the engine would not either)` });
    return undefined;
  }
  const source = opts.users ?? (u.file !== undefined ? resolve(dirname(specPath), u.file) : undefined);
  const name = basename(u.file ?? opts.users ?? `users-${u.dc ?? k8sName(spec.name)}.ndjson`);
  if (source !== undefined) {
    if ((Object.values(K6_FILES) as string[]).includes(name)) problems.push({ where: specPath, message: `users file name "${name}" clashes with a generated file` });
    try {
      return { file: name, text: (await readUsersFile(source)).text };
    } catch (err) {
      // Listed with the other problems of the build rather than thrown: every problem at once.
      if (err instanceof ValidationError) problems.push(...err.problems);
      else if (err instanceof InputError) problems.push({ where: opts.users !== undefined ? '--users' : `${specPath}: data.users.file`, message: err.message });
      else throw err;
      return undefined;
    }
  }
  const data = await generatedUsers(u, seed);
  const gen = createUserGenerator(data.seed, data.population);
  const lines: string[] = [];
  for (let i = 0; i < data.count; i++) lines.push(gen.line(i));
  return { file: name, text: lines.join('') };
}
