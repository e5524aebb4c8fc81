/**
 * A stand-in `k6` binary for tests (real k6 cannot be installed here), put on PATH by {@link installK6Standin}.
 * `k6 version`; `k6 run [flags] script.js` with the flags caplab passes (`--quiet`, `--vus`, `--duration`,
 * `--iterations`, `--tag k=v`, `--out json=F[.gz]`, `--summary-export F`, `-e K=V`, `--insecure-skip-tls-verify`,
 * `--include-system-env-vars[=bool]`; execution segments are accepted and ignored: it always runs the whole test). As
 * `k6 run`, it gives the script the system's environment in __ENV unless `--include-system-env-vars=false`, `-e`
 * values winning, and honours the options `insecureSkipTLSVerify` (https targets with a self-signed certificate),
 * `thresholds`, `tags` and `summaryTrendStats` (sync-http.ts speaks http and https). It runs the generated script for real against its target (driver.ts;
 * one iteration at a time, see schedule.ts), writes k6's NDJSON and the files handleSummary returns, prints the
 * handleSummary stdout, and exits as k6 does: 0, 99 thresholds crossed, 104 invalid options, 105 interrupted,
 * 107 the init code (of the script or a local module it imports), setup or teardown threw. The script may be a
 * caplab wrapper importing a team's own script (modules.ts loads local imports; VU tags tag what a VU emits).
 * Like k6 it creates no directories: an output whose directory does not exist ends the run with exit 255 and
 * "could not open ...". `CAPLAB_K6_STANDIN_FAIL=message` makes `k6 run` fail at once with that message and exit
 * 255, `CAPLAB_K6_STANDIN_FAIL=SIGKILL` (or another signal) makes it kill itself: runner failures.
 */
import { chmodSync, createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { createRegistry } from '../../../scenarios/engine/metrics/registry.ts';
import type { SampleSink } from '../../../scenarios/engine/metrics/types.ts';
import { createNdjsonOutput, type NdjsonOutput } from '../../../scenarios/engine/outputs/ndjson.ts';
import { toSummaryExport } from '../../../scenarios/engine/outputs/summary-export.ts';
import { buildSummaryData, type K6SummaryData } from '../../../scenarios/engine/outputs/summary-json.ts';
import { tee } from '../../../scenarios/engine/tee.ts';
import { parseThresholds } from '../../../scenarios/engine/thresholds.ts';
import { parseDurationMs } from '../../../scenarios/duration.ts';
import { ScenarioSchema } from '../../../scenarios/executor-schema.ts';
import { DEFAULT_SUMMARY_TREND_STATS, type ScenarioConfig } from '../../../scenarios/spec.ts';
import { loadScript, runTest } from './driver.ts';
import { createSyncHttp, type SyncHttpOptions } from './sync-http.ts';

const BIN = fileURLToPath(new URL('./bin.mjs', import.meta.url));

/**
 * Writes an executable `k6` into `dir` that runs this stand-in; prepend `dir` to PATH.
 * @param dir a directory (created when missing)
 * @returns the path of the `k6` file
 * @example const bin = installK6Standin(join(tmp, 'bin')); runCli([...], { env: { PATH: `${bin}:${process.env.PATH}` } })
 */
export function installK6Standin(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'k6');
  writeFileSync(path, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
  chmodSync(path, 0o755);
  return dir;
}

/** k6's log line (logfmt, as k6 writes it when stderr is not a terminal). */
function logError(message: string): void {
  process.stderr.write(`time="${new Date().toISOString()}" level=error msg=${JSON.stringify(message)}\n`);
}

interface Flags {
  quiet: boolean;
  vus?: number;
  durationMs?: number;
  iterations?: number;
  tags: Record<string, string>;
  env: Record<string, string>;
  /** k6's --include-system-env-vars (default true for k6 run). */
  systemEnv: boolean;
  outs: string[];
  summaryExport?: string;
  insecureSkipTlsVerify: boolean;
  script?: string;
}

function parseFlags(args: string[]): Flags | string {
  const f: Flags = { quiet: false, tags: {}, env: {}, systemEnv: true, outs: [], insecureSkipTlsVerify: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => args[++i] ?? '';
    const pair = (text: string, into: Record<string, string>): void => {
      const at = text.indexOf('=');
      if (at > 0) into[text.slice(0, at)] = text.slice(at + 1);
    };
    if (a === '--quiet' || a === '-q') f.quiet = true;
    else if (a === '--vus' || a === '-u') f.vus = Number(value());
    else if (a === '--duration' || a === '-d') f.durationMs = parseDurationMs(value());
    else if (a === '--iterations' || a === '-i') f.iterations = Number(value());
    else if (a === '--execution-segment' || a === '--execution-segment-sequence') value();
    else if (a === '--tag') pair(value(), f.tags);
    else if (a === '-e' || a === '--env') pair(value(), f.env);
    else if (a === '--include-system-env-vars' || a.startsWith('--include-system-env-vars=')) f.systemEnv = a.split('=')[1] !== 'false';
    else if (a === '--out' || a === '-o') f.outs.push(value());
    else if (a === '--summary-export') f.summaryExport = value();
    else if (a === '--insecure-skip-tls-verify') f.insecureSkipTlsVerify = true;
    else if (a.startsWith('-')) return `unknown flag: ${a}`;
    else f.script = a;
  }
  for (const o of f.outs) if (!o.startsWith('json=')) return `invalid output type '${o.split('=')[0]}', available types are: json (stand-in)`;
  return f;
}

/** k6 opens output files where it is told and creates no directories. */
function openable(path: string): string | undefined {
  const dir = dirname(path);
  if (existsSync(dir) && statSync(dir).isDirectory()) return undefined;
  return `could not open '${path}': open ${path}: no such file or directory`;
}

/** The scenarios k6 runs: `--iterations`/`--duration` replace options.scenarios, as in k6 (engine/run.ts effectiveScenarios). */
function scenariosOf(options: Record<string, unknown>, f: Flags): Record<string, ScenarioConfig> | string {
  const base = { executor: 'constant-vus', startTime: 0, gracefulStop: 30_000, exec: 'default', env: {}, tags: {} };
  if (f.iterations !== undefined) return { default: ScenarioSchema.parse({ ...base, executor: 'shared-iterations', vus: f.vus ?? 1, iterations: f.iterations, maxDuration: f.durationMs ?? 600_000 }) };
  if (f.durationMs !== undefined) return { default: ScenarioSchema.parse({ ...base, vus: f.vus ?? 1, duration: f.durationMs }) };
  const given = (options.scenarios ?? {}) as Record<string, unknown>;
  if (Object.keys(given).length === 0) return { default: ScenarioSchema.parse({ ...base, executor: 'per-vu-iterations', vus: f.vus ?? 1, iterations: 1 }) };
  const out: Record<string, ScenarioConfig> = {};
  for (const [name, sc] of Object.entries(given)) {
    const r = ScenarioSchema.safeParse(sc);
    if (!r.success) return `invalid scenario ${name}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
    out[name] = r.data;
  }
  return out;
}

interface Output {
  sink: NdjsonOutput;
  finish(): Promise<void>;
}

function openNdjson(path: string, thresholds: Parameters<typeof createNdjsonOutput>[1]): Output {
  const file = createWriteStream(path);
  const gz = path.endsWith('.gz') ? createGzip() : undefined;
  const piping = gz ? pipeline(gz, file) : undefined;
  piping?.catch(() => {});
  const sink = createNdjsonOutput(gz ?? file, thresholds);
  return { sink, finish: async () => { await sink.close(); await piping; } };
}

/**
 * Runs the stand-in.
 * @param args argv after `k6`
 * @returns the exit code
 */
export async function main(args: string[]): Promise<number> {
  if (args[0] === 'version') {
    process.stdout.write('k6 v1.0.0 (caplab test stand-in)\n');
    return 0;
  }
  if (args[0] !== 'run') {
    logError(`unknown command "${args[0] ?? ''}" for "k6"`);
    return 255;
  }
  const fail = process.env.CAPLAB_K6_STANDIN_FAIL;
  if (fail !== undefined && fail !== '') {
    if (/^SIG[A-Z]+$/.test(fail)) {
      process.kill(process.pid, fail as NodeJS.Signals);
      await new Promise((r) => setTimeout(r, 10_000));
    }
    logError(fail);
    return 255;
  }
  const f = parseFlags(args.slice(1));
  if (typeof f === 'string' || f.script === undefined) {
    logError(typeof f === 'string' ? f : 'k6 run needs a script');
    return 255;
  }
  const jsonPaths = f.outs.map((o) => resolve(o.slice('json='.length)));
  for (const p of jsonPaths) {
    const problem = openable(p);
    if (problem) {
      logError(problem);
      return 255;
    }
  }

  const http = createSyncHttp();
  // k6 (cmd/runtime_options.go): --include-system-env-vars is on by default for k6 run: __ENV holds the environment,
  // then the -e values; with it false, the -e values only.
  const systemEnv = f.systemEnv ? Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)) : {};
  const env = { ...systemEnv, ...f.env };
  let script;
  try {
    script = await loadScript(resolve(f.script), env, http);
  } catch (err) {
    // k6 fails a test whose init context throws (or whose modules it cannot load) before it starts, exit 107.
    logError(`${(err as Error).message} at init`);
    await http.close();
    return 107;
  }
  try {
    const options = script.init.options ?? {};
    // The --insecure-skip-tls-verify flag sets the option over the script's, as k6 consolidates them.
    http.configure({ ...options, ...(f.insecureSkipTlsVerify ? { insecureSkipTLSVerify: true } : {}) } as SyncHttpOptions);
    const scenarios = scenariosOf(options, f);
    const th = parseThresholds(options.thresholds);
    if (typeof scenarios === 'string' || th.problems.length > 0) {
      logError(typeof scenarios === 'string' ? scenarios : `invalid thresholds: ${th.problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')}`);
      return 104;
    }
    const summaryTrendStats = (options.summaryTrendStats as string[] | undefined) ?? DEFAULT_SUMMARY_TREND_STATS;
    const registry = createRegistry({ thresholds: th.specs, summaryTrendStats });
    const outputs = jsonPaths.map((p) => openNdjson(p, { thresholds: th.specs }));
    const sink: SampleSink = tee(registry, ...outputs.map((o) => o.sink));
    const stop = new AbortController();
    let interrupted = false;
    let aborted = false;
    const onSignal = (): void => {
      interrupted = true;
      stop.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const t0 = performance.now();
    const abortCheck = setInterval(() => {
      if (registry.evaluateThresholds(performance.now() - t0).some((r) => r.abortNow)) {
        aborted = true;
        stop.abort();
      }
    }, 2000);
    let result;
    try {
      result = await runTest(script, {
        scenarios, sink, stop: stop.signal, env,
        tags: { ...(options.tags as Record<string, string> | undefined), ...f.tags },
        onError: (message) => logError(`Uncaught (in promise) ${message}`),
      });
    } finally {
      clearInterval(abortCheck);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    for (const o of outputs) await o.finish();
    if (result.setupError !== undefined) {
      logError(`${result.setupError} at setup`);
      return 107;
    }
    if (result.teardownError !== undefined) {
      logError(`${result.teardownError} at teardown`);
      return 107;
    }

    const data: K6SummaryData = buildSummaryData(
      registry,
      { testRunDurationMs: result.durationMs, isStdOutTTY: process.stdout.isTTY === true, isStdErrTTY: process.stderr.isTTY === true },
      { summaryTrendStats, ...(typeof options.summaryTimeUnit === 'string' ? { summaryTimeUnit: options.summaryTimeUnit } : {}), noColor: process.stdout.isTTY !== true },
    );
    const files: [string, string][] = [];
    const handle = script.init.handleSummary;
    if (typeof handle === 'function') {
      for (const [k, v] of Object.entries((handle as (d: K6SummaryData) => Record<string, string>)(data))) {
        if (k === 'stdout') process.stdout.write(v);
        else if (k === 'stderr') process.stderr.write(v);
        else files.push([resolve(k), v]);
      }
    }
    if (f.summaryExport !== undefined) files.push([resolve(f.summaryExport), `${JSON.stringify(toSummaryExport(data), null, 2)}\n`]);
    for (const [path, text] of files) {
      const problem = openable(path);
      if (problem) {
        logError(problem);
        return 255;
      }
      writeFileSync(path, text);
    }
    if (interrupted) return 105;
    return aborted || registry.lastThresholdResults().some((r) => !r.ok) ? 99 : 0;
  } finally {
    script.close();
    await http.close();
  }
}
