/**
 * `caplab k6 build spec.(json|yaml)`: writes into the out-dir a real k6 script for the spec (script.js), the users
 * file it opens, the k6-operator manifests (configmaps.yaml, testrun.yaml, collect.yaml) and RUN.md with the exact
 * commands. For a spec whose flows are a team's own k6 script's functions, script.js is caplab's wrapper of it (as
 * `caplab run --runner k6` runs it) and the script goes beside it with its local modules and opened files, found
 * statically (scenarios/k6/local-files.ts), in the out-dir and in the ConfigMap. Everything is validated first, every
 * problem listed at once (exit 104), and nothing is written then; each file is written atomically.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ValidationError, type Problem } from '../../models/errors.ts';
import { collectScriptFiles, type ReadResult, shippedFrom, type ShippedFile } from '../../scenarios/k6/local-files.ts';
import { buildOperatorManifests, k8sName } from '../../scenarios/k6/operator.ts';
import { buildRunMd } from '../../scenarios/k6/run-md.ts';
import { buildK6Script, type K6ScriptOptions } from '../../scenarios/k6/script.ts';
import { parseScenarioText, type ScenarioSpec } from '../../scenarios/spec.ts';
import { specK6Script, specK6Scripts, specWrapperInput, stepFlowsSpec, type WrappedScript } from '../../scenarios/k6/spec-wrapper.ts';
import { buildK6Wrapper } from '../../scenarios/k6/wrapper.ts';
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
  // The steps caplab's generated script runs: all of a spec without team scripts, else those beside the scripts.
  const stepSpec = spec && teamScript !== undefined ? stepFlowsSpec(spec) : spec;
  if (spec && teamScript !== undefined && !stepSpec && opts.users !== undefined) {
    problems.push({ where: '--users', message: `a wrapper of the team script ${teamScript} with no caplab steps beside it reads no caplab users (the script reads its own data)` });
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
  const users = stepSpec ? await usersOf(stepSpec, specPath, opts, global.seed, problems) : undefined;
  const reserved = [...Object.values(K6_FILES), ...(users ? [users.file] : [])];
  // The team's files first: the spec's own files (bodies, data sets) then take names beside them.
  const teamFiles = spec && teamScript !== undefined ? collectTeamFiles(spec, specPath, reserved, problems) : undefined;
  const bundle = stepSpec ? await specBundleOf(stepSpec, specPath, [...reserved, ...(teamFiles ?? []).map((f) => f.key)], problems) : undefined;
  const team = spec && teamFiles ? wrapTeamScripts(spec, specPath, global.seed, teamFiles, { ...(users ? { usersFile: users.file } : {}), ...(bundle ? { files: bundle.names } : {}) }, problems) : undefined;
  if (problems.length > 0 || !spec) throw new ValidationError(`${specPath} cannot be built for k6`, problems);

  const script = team?.wrapper ?? buildK6Script(spec, { seed: global.seed, ...(users ? { usersFile: users.file } : {}), ...(bundle ? { files: bundle.names } : {}) });
  const files: BesideFile[] = [...(team?.files ?? []), ...(bundle?.files ?? [])];
  let manifests;
  try {
    manifests = buildOperatorManifests({
      name, parallelism, scriptFile: K6_FILES.script, script, ...(users ? { users } : {}), ...(files.length > 0 ? { files } : {}),
      ...(opts.baseUrl !== undefined ? { arguments: ['-e', `BASE_URL=${opts.baseUrl}`] } : {}),
    });
  } catch (err) {
    throw new InputError((err as Error).message.replace(/^buildOperatorManifests: /, ''));
  }
  const runMd = buildRunMd({
    specName: spec.name, specPath, seed: global.seed, baseUrl: spec.baseUrl ?? '',
    files: { script: K6_FILES.script, ...(users ? { users: users.file } : {}), testRun: K6_FILES.testRun, configMaps: K6_FILES.configMaps, collector: K6_FILES.collector },
    parallelism, manifests,
    ...(team ? { team: { scripts: specK6Scripts(spec), files: team.what, steps: stepSpec !== undefined } } : {}),
  });
  const out = global.outDir;
  const writes: [string, string | Uint8Array][] = [
    [K6_FILES.script, script],
    ...files.map((f): [string, string | Uint8Array] => [f.file, f.text ?? f.bytes ?? '']),
    ...(users ? [[users.file, users.text] as [string, string]] : []),
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

/** A file's bytes for the scanner, or why it cannot be read. */
function readBytes(path: string): ReadResult {
  try {
    return { bytes: readFileSync(path) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code ?? (err as Error).message };
  }
}

/**
 * The team scripts of a spec, their local modules and the files they open, or undefined with the problems added.
 * @param spec validated spec with k6 flows
 * @param specPath spec file (the scripts' paths are relative to its folder)
 * @param reserved names the files must not take
 * @param problems where problems go
 */
function collectTeamFiles(spec: ScenarioSpec, specPath: string, reserved: readonly string[], problems: Problem[]): ShippedFile[] | undefined {
  const entries = specK6Scripts(spec).map((script) => resolve(dirname(specPath), script));
  const collected = collectScriptFiles(entries, readBytes, { reserved });
  problems.push(...collected.problems);
  return collected.problems.length > 0 ? undefined : collected.files;
}

/** A file beside the wrapper, as the operator manifests and the out-dir take it. */
interface BesideFile {
  file: string;
  text?: string;
  bytes?: Uint8Array;
}

/**
 * The wrapper of a spec's team scripts and the files shipped beside it (the scripts, their local modules and opened
 * files, and caplab's generated script of the spec's step flows if it has any), or undefined with the problems added.
 * @param spec validated spec with k6 flows
 * @param specPath spec file (the scripts' paths are relative to its folder)
 * @param seed seed of the mix choices
 * @param collected the scripts' files ({@link collectTeamFiles}), the scripts first
 * @param steps the users file and the spec's own files beside them, for caplab's generated script of the step flows
 * @param problems where problems go
 */
function wrapTeamScripts(spec: ScenarioSpec, specPath: string, seed: number, collected: ShippedFile[], steps: Omit<K6ScriptOptions, 'seed'>, problems: Problem[]): { wrapper: string; files: BesideFile[]; what: { key: string; what: string }[] } | undefined {
  const scripts = specK6Scripts(spec);
  const entries = scripts.map((script) => resolve(dirname(specPath), script));
  const stepSpec = stepFlowsSpec(spec);
  const read = new Map<string, WrappedScript>();
  scripts.forEach((script, i) => {
    const f = collected.find((x) => x.path === entries[i])!;
    read.set(script, { specifier: `./${f.key}`, text: f.text ?? '' });
  });
  const { input, problems: found } = specWrapperInput(spec, specPath, read, seed, stepSpec ? `./${K6_FILES.steps}` : undefined);
  problems.push(...found);
  if (!input) return undefined;
  let wrapper: string;
  try {
    wrapper = buildK6Wrapper(input);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    problems.push(...err.problems.map((p) => ({ where: `${specPath}: k6 wrapper ${p.where}`, message: p.message })));
    return undefined;
  }
  const what = shippedFrom(entries[0]!, collected).map(({ key, from }, i) => ({ key, what: `${i < scripts.length ? 'a team script' : 'beside it'}: \`${from}\`` }));
  const files: BesideFile[] = collected.map((f) => (f.text !== undefined ? { file: f.key, text: f.text } : { file: f.key, bytes: Buffer.from(f.base64 ?? '', 'base64') }));
  if (stepSpec) {
    files.push({ file: K6_FILES.steps, text: buildK6Script(stepSpec, { seed, ...steps }) });
    what.push({ key: K6_FILES.steps, what: 'caplab\'s generated script of the spec\'s flows of steps, which the wrapper runs beside the team\'s' });
  }
  return { wrapper, files, what };
}
