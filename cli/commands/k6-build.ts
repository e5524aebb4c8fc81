/**
 * `caplab k6 build spec.(json|yaml)`: writes into the out-dir a real k6 script for the spec (script.js), the users
 * file it opens, the k6-operator manifests (configmaps.yaml, testrun.yaml, collect.yaml) and RUN.md with the exact
 * commands. Everything is validated first, every problem listed at once (exit 104), and nothing is written then;
 * each file is written atomically.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ValidationError, type Problem } from '../../models/errors.ts';
import { buildOperatorManifests, k8sName } from '../../scenarios/k6/operator.ts';
import { buildRunMd } from '../../scenarios/k6/run-md.ts';
import { buildK6Script } from '../../scenarios/k6/script.ts';
import { parseScenarioText, type ScenarioSpec } from '../../scenarios/spec.ts';
import { specK6Script } from '../../scenarios/k6/spec-wrapper.ts';
import type { CommandRun } from '../context.ts';
import { EXIT, InputError } from '../errors.ts';
import { writeFileAtomic } from '../io.ts';
import { K6_FILES } from '../run/k6-files.ts';
import { readTlsAuthFiles } from '../run/tls-files.ts';
import { usersOf } from '../run/users.ts';
import { specBundleOf } from '../run/spec-bundle.ts';

/** Options of `caplab k6 build` as commander parses them. */
export interface K6BuildOptions {
  users?: string;
  parallelism?: string;
  name?: string;
  baseUrl?: string;
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
    spec = readTlsAuthFiles(parseScenarioText(specText.replace(/^\uFEFF/, ''), specPath), specPath, problems);
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
  const bundle = spec ? await specBundleOf(spec, specPath, [...Object.values(K6_FILES), ...(users ? [users.file] : [])], problems) : undefined;
  if (problems.length > 0 || !spec) throw new ValidationError(`${specPath} cannot be built for k6`, problems);

  const script = buildK6Script(spec, { seed: global.seed, ...(users ? { usersFile: users.file } : {}), ...(bundle ? { files: bundle.names } : {}) });
  let manifests;
  try {
    manifests = buildOperatorManifests({
      name, parallelism, scriptFile: K6_FILES.script, script, ...(users ? { users } : {}), ...(bundle ? { files: bundle.files } : {}),
      ...(opts.baseUrl !== undefined ? { arguments: ['-e', `BASE_URL=${opts.baseUrl}`] } : {}),
    });
  } catch (err) {
    throw new InputError((err as Error).message.replace(/^buildOperatorManifests: /, ''));
  }
  const runMd = buildRunMd({
    specName: spec.name, specPath, seed: global.seed, baseUrl: spec.baseUrl ?? '',
    files: { script: K6_FILES.script, ...(users ? { users: users.file } : {}), testRun: K6_FILES.testRun, configMaps: K6_FILES.configMaps, collector: K6_FILES.collector },
    parallelism, manifests,
  });
  const out = global.outDir;
  const writes: [string, string | Uint8Array][] = [
    [K6_FILES.script, script],
    ...(users ? [[users.file, users.text] as [string, string]] : []),
    ...(bundle?.files ?? []).map((f) => [f.file, f.bytes] as [string, Uint8Array]),
    [K6_FILES.configMaps, manifests.configMaps],
    [K6_FILES.testRun, manifests.testRun],
    [K6_FILES.collector, manifests.collector],
    [K6_FILES.runMd, runMd],
  ];
  for (const [file, text] of writes) await writeFileAtomic(join(out, file), text);
  if (!global.quiet) {
    process.stdout.write(`caplab: wrote ${writes.map(([f]) => join(out, f)).join(', ')}\n`);
    process.stdout.write(`caplab: run it with: cd ${out} && k6 run ${K6_FILES.script}   (see ${join(out, K6_FILES.runMd)} for k6-operator)\n`);
  }
  return EXIT.ok;
};
