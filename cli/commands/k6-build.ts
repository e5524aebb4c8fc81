/**
 * `caplab k6 build spec.(json|yaml)`: writes into the out-dir a real k6 script for the spec (script.js), the users
 * file it opens, the k6-operator manifests (configmaps.yaml, testrun.yaml, collect.yaml) and RUN.md with the exact
 * commands. Everything is validated first, every problem listed at once (exit 104), and nothing is written then;
 * each file is written atomically.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ValidationError, type Problem } from '../../models/errors.ts';
import { createUserGenerator } from '../../models/population/user.ts';
import { buildOperatorManifests, k8sName } from '../../scenarios/k6/operator.ts';
import { buildRunMd } from '../../scenarios/k6/run-md.ts';
import { buildK6Script } from '../../scenarios/k6/script.ts';
import { parseScenarioText, type ScenarioSpec } from '../../scenarios/spec.ts';
import { specK6Script } from '../../scenarios/k6/spec-wrapper.ts';
import type { CommandRun } from '../context.ts';
import { EXIT, InputError } from '../errors.ts';
import { writeFileAtomic } from '../io.ts';
import { computePopulation } from '../chain.ts';

/** Options of `caplab k6 build` as commander parses them. */
export interface K6BuildOptions {
  users?: string;
  parallelism?: string;
  name?: string;
  baseUrl?: string;
}

const FILES = { script: 'script.js', testRun: 'testrun.yaml', configMaps: 'configmaps.yaml', collector: 'collect.yaml', runMd: 'RUN.md' };

/** Reads a users NDJSON file, listing unreadable lines (at most 20) as problems. */
async function readUsers(path: string, problems: Problem[]): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    problems.push({ where: path, message: `cannot read users file: ${code === 'ENOENT' ? 'no such file' : code}` });
    return undefined;
  }
  let bad = 0;
  let count = 0;
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    count++;
    let ok = false;
    try {
      const v = JSON.parse(line) as unknown;
      ok = v !== null && typeof v === 'object' && !Array.isArray(v);
    } catch {
      ok = false;
    }
    if (!ok && bad++ < 20) problems.push({ where: `${path}:${i + 1}`, message: 'not a JSON object' });
  });
  if (count === 0) problems.push({ where: path, message: 'the users file has no users' });
  return text.endsWith('\n') || text === '' ? text : `${text}\n`;
}

/**
 * The users to ship: --users, else the spec's file (relative to the spec), else seed + count generated as `caplab run`
 * does. Shared with `caplab run --runner k6`.
 * @param spec validated spec
 * @param specPath its path (users files are relative to it)
 * @param opts `users` override
 * @param seed run seed
 * @param problems collects unreadable users (every problem listed)
 * @returns file name and NDJSON text, or undefined when the spec has no users
 */
export async function usersOf(spec: ScenarioSpec, specPath: string, opts: Pick<K6BuildOptions, 'users'>, seed: number, problems: Problem[]): Promise<{ file: string; text: string } | undefined> {
  const u = spec.data.users;
  if (u === undefined) {
    if (opts.users !== undefined) problems.push({ where: '--users', message: `${specPath} has no data.users, so its flows use no users (the engine would not either)` });
    return undefined;
  }
  const source = opts.users ?? (u.file !== undefined ? resolve(dirname(specPath), u.file) : undefined);
  const name = basename(u.file ?? opts.users ?? `users-${u.dc ?? k8sName(spec.name)}.ndjson`);
  if (source !== undefined) {
    if (Object.values(FILES).includes(name)) problems.push({ where: specPath, message: `users file name "${name}" clashes with a generated file` });
    const text = await readUsers(source, problems);
    return text === undefined ? undefined : { file: name, text };
  }
  const userSeed = u.seed ?? seed;
  const gen = createUserGenerator(userSeed, await computePopulation({}, userSeed));
  const lines: string[] = [];
  for (let i = 0; i < u.count!; i++) lines.push(gen.line(i));
  return { file: name, text: lines.join('') };
}

/** Runs `caplab k6 build`. */
export const run: CommandRun<K6BuildOptions> = async ({ args, opts, global }) => {
  const specPath = args[0];
  if (specPath === undefined) throw new InputError('caplab k6 build needs a spec file (spec.json or spec.yaml)');
  let specText: string;
  try {
    specText = await readFile(specPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new InputError(`cannot read scenario spec ${specPath}: ${code === 'ENOENT' ? 'no such file' : code}`);
  }
  const problems: Problem[] = [];
  let spec: ScenarioSpec | undefined;
  try {
    spec = parseScenarioText(specText.replace(/^\uFEFF/, ''), specPath);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    problems.push(...err.problems);
  }
  const teamScript = spec ? specK6Script(spec) : undefined;
  if (teamScript !== undefined) {
    problems.push({ where: `${specPath}: flows`, message: `its flows are functions of the team script ${teamScript}: \`caplab k6 build\` writes caplab's generated scripts only; run it with \`caplab run --runner k6\`, which wraps the script` });
  }
  const parallelism = opts.parallelism === undefined ? 1 : Number(opts.parallelism);
  if (opts.parallelism !== undefined && (!/^\d+$/.test(opts.parallelism.trim()) || parallelism < 1)) {
    problems.push({ where: '--parallelism', message: `"${opts.parallelism}" is not a positive integer` });
  }
  const name = opts.name ?? k8sName(spec?.name ?? basename(specPath).replace(/\.[^.]*$/, ''));
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 52) {
    problems.push({ where: '--name', message: `"${name}" is not a Kubernetes name (lower-case letters, digits and "-", at most 52 characters)` });
  }
  if (opts.baseUrl !== undefined && !/^https?:\/\/\S+$/.test(opts.baseUrl)) {
    problems.push({ where: '--base-url', message: `"${opts.baseUrl}" is not an http(s) URL without spaces` });
  }
  const users = spec ? await usersOf(spec, specPath, opts, global.seed, problems) : undefined;
  if (problems.length > 0 || !spec) throw new ValidationError(`${specPath} cannot be built for k6`, problems);

  const script = buildK6Script(spec, { seed: global.seed, ...(users ? { usersFile: users.file } : {}) });
  let manifests;
  try {
    manifests = buildOperatorManifests({
      name, parallelism, scriptFile: FILES.script, script, ...(users ? { users } : {}),
      ...(opts.baseUrl !== undefined ? { arguments: ['-e', `BASE_URL=${opts.baseUrl}`] } : {}),
    });
  } catch (err) {
    throw new InputError((err as Error).message.replace(/^buildOperatorManifests: /, ''));
  }
  const runMd = buildRunMd({
    specName: spec.name, specPath, seed: global.seed, baseUrl: spec.baseUrl ?? '',
    files: { script: FILES.script, ...(users ? { users: users.file } : {}), testRun: FILES.testRun, configMaps: FILES.configMaps, collector: FILES.collector },
    parallelism, manifests,
  });
  const out = global.outDir;
  const writes: [string, string][] = [
    [FILES.script, script],
    ...(users ? [[users.file, users.text] as [string, string]] : []),
    [FILES.configMaps, manifests.configMaps],
    [FILES.testRun, manifests.testRun],
    [FILES.collector, manifests.collector],
    [FILES.runMd, runMd],
  ];
  for (const [file, text] of writes) await writeFileAtomic(join(out, file), text);
  if (!global.quiet) {
    process.stdout.write(`caplab: wrote ${writes.map(([f]) => join(out, f)).join(', ')}\n`);
    process.stdout.write(`caplab: run it with: cd ${out} && k6 run ${FILES.script}   (see ${join(out, FILES.runMd)} for k6-operator)\n`);
  }
  return EXIT.ok;
};
