#!/usr/bin/env node
/**
 * The caplab command line: commander program, global flags, and one lazily imported module per command, so that
 * `caplab --help` and every command start fast. One top-level catch maps errors to exit codes (cli/errors.ts).
 * Start-up imports only commander and dependency-free modules: the data defaults and the error module (zod and the
 * models behind them) load once a command runs or fails, so `caplab --version` and `--help` stay fast.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { CommandContext, CommandRun, GlobalOptions } from './context.ts';
import { parseCount, parsePositive, parseQuarter, parseSeed, parseShard } from './parse.ts';
import { PACKAGE_ROOT } from './self.ts';

const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };

/** Builds the commander program; exported so tests can check help texts without spawning a process. */
export function buildProgram(): Command {
  const program = new Command('caplab')
    .description('Capacity-planning and load-simulation lab: forecast -> users -> traffic -> load -> plan -> report.')
    .version(pkg.version, '-V, --version', 'print the caplab version')
    .option('--out-dir <dir>', 'directory for output files', 'caplab-out')
    .option('--seed <n>', 'seed for all randomness (same seed -> same bytes)', parseSeed)
    .option('--quiet', 'no progress display and no chatter', false)
    .option('--verbose', 'print stack traces and extra detail', false)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('campaign')
    .description('the whole lab: forecast, traffic, users, probe and sweep per DC, plan, replay, report (npm start)')
    .argument('[campaign]', 'campaign.yaml (every field optional; defaults in data/)')
    .option('--quick', 'smoke run: short steps, about a minute; the report says so', false)
    .action(lazy('./commands/campaign.ts'));

  program
    .command('forecast')
    .description('fit growth models to shipment history and forecast shipments and active devices per quarter')
    .option('--target <n>', 'yearly shipments target, e.g. 100e6 or 100M', parsePositive)
    .option('--horizon <quarter>', 'last quarter to forecast, e.g. 2017Q4', parseQuarter)
    .addOption(new Option('--model <name>', 'growth model').choices(['auto', 'logistic', 'bass', 'gompertz']).default('auto'))
    .option('--history <file>', 'shipment history (.csv or .json: yearly, half-yearly or quarterly rows) instead of data/history.json')
    .option('--draws <n>', 'Monte Carlo draws for the p10/p50/p90 bands', parseCount)
    .option('--backtest', 'also refit every model on each prefix of the history, score its forecasts of the next 1-4 periods (p10-p90 coverage, pinball loss, CRPS, MAPE) and record them in forecast.json', false)
    .addOption(new Option('--select <rule>', 'how --model auto chooses: aicc (lowest AICc) or crps (lowest mean backtest CRPS; needs --backtest)').choices(['aicc', 'crps']).default('aicc'))
    .option('--analogues', 'fit Bass with a lognormal prior on p and q from other makers\' sales (data/analogues.json: Bass fitted to each, geometric mean and spread); with --backtest also score it as bass+analogues', false)
    .option('--json', 'print forecast JSON to stdout and write nothing', false)
    .action(lazy('./commands/forecast.ts'));

  program
    .command('users')
    .description('stream synthetic users as NDJSON (a pure function of seed and index), and write population.json')
    .requiredOption('--count <n>', 'number of users in the whole run, e.g. 1000000 or 10M', parseCount)
    .option('--shard <k/n>', 'emit only the k-th of n contiguous slices (1-based), e.g. 2/4', parseShard)
    .option('--file <path>', 'write NDJSON to this file (atomically) instead of stdout')
    .option('--quarter <quarter>', 'quarter whose device base the users follow, e.g. 2015Q4', parseQuarter)
    .option('--forecast <file>', 'forecast.json to derive the population from (default: computed from data/)')
    .option('--placement <name|file>', 'placement whose routing fills each user\'s dc: one of the world\'s (built-in: seed-4dc, the default, or beijing-only) or a file')
    .option('--dc <name>', 'emit only the users routed to this data center (indices stay those of the whole run)')
    .action(lazy('./commands/users.ts'));

  program
    .command('traffic')
    .description('route countries to data centers and forecast requests/s per DC, quarter and service (traffic.json)')
    .option('--forecast <file>', 'forecast.json to start from (default: computed from data/)')
    .option('--placement <name|file>', 'placement: one of the world\'s (built-in: seed-4dc, the default, or beijing-only) or a caplab.placement/v1 file')
    .option('--baseline <name|file>', 'placement to compare RTTs against (default: the world\'s baseline, beijing-only in the built-in world)')
    .option('--from <quarter>', 'first quarter (default: the first forecast quarter after the history)', parseQuarter)
    .option('--to <quarter>', 'last quarter (default: the forecast horizon)', parseQuarter)
    .option('--demand <file>', 'caplab.demand/v1 file from `caplab demand fit`: its services\' rates and hourly curves replace the modeled ones')
    .option('--catalog <file>', 'caplab.catalog/v1 file (YAML or JSON) of the services to plan (default: data/catalog.json, the built-in API)')
    .option('--json', 'print traffic JSON to stdout and write nothing', false)
    .action(lazy('./commands/traffic.ts'));

  program
    .command('demand')
    .description('demand calibrated from telemetry')
    .command('fit')
    .description('fit requests per device per day and hourly curves per service to observed request rates; write <out-dir>/demand.json (caplab.demand/v1) for `caplab traffic --demand`')
    .option('--csv <file>', 'CSV with header time,dc,service,rps (or rpm); time ISO-8601 with a zone or unix seconds; rates may carry one unit for all rows (12/s, 700/min)')
    .option('--prometheus-file <file>', 'saved JSON answer of a Prometheus /api/v1/query_range (resultType matrix), values in requests/s')
    .option('--prometheus <url>', 'Prometheus server to run --query against with /api/v1/query_range; credentials come from the environment, not the URL: CAPLAB_PROMETHEUS_TOKEN (bearer) or CAPLAB_PROMETHEUS_USER + CAPLAB_PROMETHEUS_PASSWORD (basic auth)')
    .option('--query <promql>', 'PromQL giving requests/s by DC and service, e.g. \'sum by (dc, route) (rate(caplab_http_requests_total[5m]))\'')
    .option('--start <time>', 'query start, ISO-8601 or unix seconds (default: --end minus 24 h)')
    .option('--end <time>', 'query end, ISO-8601 or unix seconds (default: now)')
    .option('--step <duration>', 'query resolution, or the sampling step of a file (e.g. 60, 15s, 5m; default: 5m for a query, the most common spacing in a file)')
    .option('--dc-label <name>', 'Prometheus label naming the data center', 'dc')
    .option('--service-label <name>', 'Prometheus label naming the service', 'service')
    .option('--devices <list>', 'active devices per DC, e.g. singapore=12M,us-west-1=3e6 (default per DC: the forecast p50 of the quarter containing the telemetry)')
    .option('--services <list>', 'service names besides the catalog\'s, comma-separated')
    .option('--catalog <file>', 'caplab.catalog/v1 file (YAML or JSON) whose service names the telemetry may use (default: data/catalog.json, the built-in API)')
    .option('--placement <name|file>', 'placement whose routing gives each DC\'s countries and time zones (default: the world\'s, seed-4dc in the built-in world)')
    .option('--forecast <file>', 'forecast.json for the devices per country (default: computed from data/)')
    .option('--quarter <quarter>', 'forecast quarter whose devices to use (default: the one containing the middle of the telemetry)', parseQuarter)
    .option('--json', 'print demand JSON to stdout and write nothing', false)
    .action(lazy('./commands/demand-fit.ts'));

  program
    .command('plan')
    .description('nodes per data center and quarter: N+2, loss of a DC, cost, when today\'s fleet runs out (plan.json)')
    .option('--forecast <file>', 'forecast.json to start from when no --traffic is given (default: computed from data/)')
    .option('--traffic <file>', 'traffic.json to plan for (default: computed with the default placement)')
    .option('--fleet <file>', 'nodes in service today, a caplab.fleet/v1 file (default: the world\'s fleet)')
    .option('--results <dir>', 'results directory: <dir>/<dc>/points-probe.ndjson[.gz] and points-sweep... give measured capacity')
    .option('--catalog <file>', 'caplab.catalog/v1 file (YAML or JSON) of the services to plan (default: data/catalog.json, the built-in API)')
    .option('--optimize', 'also solve the least-cost placement per quarter under the intents (MIP, HiGHS): plan.json `optimized`, next to the greedy placement', false)
    .option('--intents <file>', 'caplab.intents/v1 file for --optimize: latency budgets, spares, utilization cap, DC losses to survive (default: data/intents.json)')
    .option('--candidates <file>', 'caplab.candidates/v1 what-if sites for --optimize (e.g. data/candidates.json): each tried alone and all together, which to open and when, what each saves or buys')
    .option('--calibrate-fleet', 'scale every service\'s demand so the model\'s peak at the fleet\'s as-of quarter is what today\'s fleet serves (its stated peakUtilization or peakRps); plan.json fleetCheck says by how much', false)
    .option('--json', 'print plan JSON to stdout and write nothing', false)
    .action(lazy('./commands/plan.ts'));

  program
    .command('scenarios')
    .description('load scenarios derived from traffic and plan')
    .command('build')
    .description('write probe, sweep and replay specs per data center for one quarter into <out-dir>/scenarios/')
    .option('--traffic <file>', 'traffic.json (default: computed from data/)')
    .option('--plan <file>', 'plan.json (default: computed from the traffic)')
    .option('--budgets <file>', 'caplab.budgets/v1 file whose limits become the replay\'s thresholds (default: data/budgets.json)')
    .option('--quarter <quarter>', 'quarter to load (default: the first quarter of the traffic)', parseQuarter)
    .option('--targets <file>', 'JSON {dc: baseUrl} (default: <out-dir>/stacks.json from `caplab stack up`, else http://127.0.0.1:8080)')
    .option('--quick', 'short smoke-run steps (data/scenarios.json quick)', false)
    .option('--catalog <file>', 'caplab.catalog/v1 file (YAML or JSON) of the services to load (default: data/catalog.json, the built-in API)')
    .action(lazy('./commands/scenarios-build.ts'));

  program
    .command('stack')
    .description('the built-in regional stacks under test')
    .command('up')
    .description('start one HTTP server per data center on 127.0.0.1 (SQLite, auth, residency, emulated nodes) until Ctrl-C')
    .option('--dcs <list>', 'comma-separated data centers (default: beijing,singapore,us-west-1,us-west-2)')
    .option('--nodes <n>', 'emulated nodes per data center, served round robin (default 1)')
    .option('--port <n>', 'port of the first data center, the next ones follow; 0 = any free port (default 0)')
    .option('--data-dir <dir>', 'directory of the SQLite files (default <out-dir>/stacks-data)')
    .option('--no-wan', 'do not delay responses by the modeled round-trip time')
    .action(lazy('./commands/stack-up.ts'));

  {
    const fit = program
      .command('fit')
      .description('fit capacity models: the Universal Scalability Law to measured throughput, Erlang C to a queue');
    fit
      .command('usl')
      .description('fit X(N) = λN / (1 + σ(N−1) + κN(N−1)) to measurements; print sigma, kappa, lambda, nStar, xMax, r2')
      .argument('<file>', 'CSV with a header naming columns concurrency,throughput (other columns are ignored)')
      .option('--json', 'print {sigma, kappa, lambda, nStar, xMax, r2} as JSON (nStar, xMax null when infinite)', false)
      .action(lazy('./commands/fit-usl.ts'));
    fit
      .command('erlang')
      .description('M/M/c queue by Erlang C: P(wait), mean wait, utilization, and servers needed for a target wait')
      .option('--rate <r>', 'arrival rate in requests/s, e.g. 120 or 1.5k (required)')
      .option('--service-time <t>', 'mean service time in seconds, or with a unit: 50ms, 250us, 2m (required)')
      .option('--servers <c>', 'number of servers, a positive integer (required)')
      .option('--target-wait <t>', 'target mean wait in the queue, e.g. 10ms: also print the fewest servers meeting it')
      .option('--json', 'print {pWait, meanWait, utilization, serversForTarget} as JSON (meanWait null when unstable)', false)
      .action(lazy('./commands/fit-erlang.ts'));
  }

  program
    .command('run')
    .description('run a scenario spec (caplab.scenario/v1, JSON or YAML) with the embedded k6-compatible engine')
    .argument('<spec>', 'scenario spec file (.json, .yaml or .yml)')
    .option('--vus <n>', 'VUs for the --duration/--iterations shortcut (replaces the spec\'s scenarios, as in k6)')
    .option('--duration <d>', 'run a constant-vus scenario for this long, e.g. 30s (replaces the spec\'s scenarios)')
    .option('--iterations <n>', 'run a shared-iterations scenario with this many iterations (replaces the spec\'s scenarios)')
    .option('--execution-segment <a:b>', 'run only this segment of the test, e.g. 0:1/2 or 1/3:2/3')
    .option('--execution-segment-sequence <list>', 'all segments of the split run, e.g. 0,1/3,2/3,1')
    .option('--workers <n>', 'worker threads sharing the test, each an equal execution segment, one set of outputs (default: the cores when the test asks for more than one worker drives, else 1)')
    .option('--tag <name=value>', 'tag every sample (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--summary-json <file>', 'write the summary in the shape k6 passes to handleSummary')
    .option('--summary-export <file>', 'write the summary in k6\'s flat --summary-export shape')
    .option('-o, --out <output>', 'stream points as k6 --out json lines: json=FILE or json=FILE.gz', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--insecure-skip-tls-verify', 'accept any TLS certificate, as k6\'s flag of that name (sets the spec option insecureSkipTLSVerify)')
    .option('--user-agent <ua>', 'the User-Agent of every request, as k6\'s flag (sets the spec option userAgent; "" sends none)')
    .option('--no-connection-reuse', 'one request per connection, as k6\'s flag (sets noConnectionReuse)')
    .option('--no-vu-connection-reuse', 'close each VU\'s connections at the end of every iteration, as k6\'s flag (sets noVUConnectionReuse)')
    .option('--discard-response-bodies', 'read and drop response bodies a step does not need, as k6\'s flag (sets discardResponseBodies)')
    .option('--max-redirects <n>', 'redirects a request follows, as k6\'s flag (sets maxRedirects; default 10)')
    .option('-e, --env <NAME=value>', 'set {{env.NAME}} (repeatable), over the process environment and the spec\'s env defaults, under a scenario\'s env, as k6\'s -e', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--no-system-env', '{{env.NAME}} does not read the process environment (k6\'s --include-system-env-vars=false)')
    .addOption(new Option('--runner <runner>', 'engine (embedded, default) or k6 (the real binary on PATH, running the script `caplab k6 build` writes)').choices(['engine', 'k6']).default('engine'))
    .action(lazy('./commands/run.ts'));

  program
    .command('merge')
    .description('merge k6 --out json files (ours or real k6\'s, plain or .gz) into one summary from their raw points')
    .argument('<files...>', 'NDJSON files written by `caplab run -o json=F` or `k6 run --out json=F` (.gz allowed)')
    .option('--summary-json <file>', 'write the summary in the shape k6 passes to handleSummary (default: to stdout)')
    .option('--summary-export <file>', 'write the summary in k6\'s flat --summary-export shape')
    .option('--spec <file>', 'scenario spec whose options.thresholds (and summaryTrendStats) to evaluate')
    .option('--thresholds <file>', 'JSON/YAML file of k6 thresholds ({"metric{tag:v}": ["p(95)<300"]}) to evaluate')
    .option('--summary-trend-stats <list>', 'trend stats to report, e.g. avg,min,med,max,p(90),p(95),p(99)')
    .action(lazy('./commands/merge.ts'));

  program
    .command('report')
    .description('write report.html (self-contained, charts), report.md and junit.xml into a campaign directory')
    .argument('<campaign-dir>', 'directory with plan.json (required), forecast.json, traffic.json, results/<dc>/summary.json and points.ndjson[.gz]')
    .option('--budgets <file>', 'caplab.budgets/v1 file (JSON or YAML) to judge per service (default: the budgets campaign.json names, else budgets.json or budgets.yaml in the campaign dir)')
    .option('--baseline <name|file>', 'placement the RTT comparison starts from (default: the world\'s baseline, beijing-only in the built-in world)')
    .option('--title <text>', 'report title')
    .action(lazy('./commands/report.ts'));

  program
    .command('compare')
    .description('compare two runs per DC and metric (p95, p99, rps, errors, capacity, nodes) against a bootstrap noise band')
    .argument('<baseline>', 'campaign dir (results/<dc>/, plan.json) or results dir (<dc>/summary.json, <dc>/points.ndjson[.gz])')
    .argument('<candidate>', 'the run to judge, same layout')
    .option('--resamples <n>', 'bootstrap resamples (default 2000)')
    .option('--level <p>', 'coverage of the noise band, e.g. 0.95 (default)')
    .option('--json', 'print the comparison as JSON and write nothing', false)
    .action(lazy('./commands/compare.ts'));

  {
    const k6 = program
      .command('k6')
      .description('real k6: generate scripts and k6-operator manifests from scenario specs');
    k6
      .command('build')
      .description('write script.js (k6; for a spec of team k6 scripts, caplab\'s wrapper with the scripts and their local files beside it), its users file, configmaps.yaml + testrun.yaml (k6-operator), collect.yaml and RUN.md into --out-dir')
      .argument('<spec>', 'scenario spec file (.json, .yaml or .yml)')
      .option('--users <file>', 'users NDJSON to ship instead of the file (or seed + count) named by the spec\'s data.users')
      .option('--parallelism <n>', 'k6-operator runner pods, each running an equal execution segment (default 1)')
      .option('--name <name>', 'TestRun name, a Kubernetes name (default: from the spec\'s name)')
      .option('--base-url <url>', 'pass -e BASE_URL=<url> to the k6-operator pods (default: the spec\'s baseUrl)')
      .action(lazy('./commands/k6-build.ts'));
  }

  program
    .command('gate')
    .description('CI gate: judge caplab.budgets/v1 budgets and the k6 thresholds of results per service and DC (exit 0 pass, 99 fail, 104 bad input)')
    .argument('<results>', 'campaign directory (campaign.json: its DCs must all have results) or its results/, a results directory (<dc>/summary.json, <dc>/points*.ndjson[.gz]), one DC\'s directory (results/<dc>: the DC is its name) or one summary.json (no DC; points*.ndjson beside it are read). Missing DCs, empty DC directories, damaged points and metrics a budget needs but the results lack are refused (104)')
    .option('--budgets <file>', 'caplab.budgets/v1 file, JSON or YAML (default: the budgets campaign.json names, else data/budgets.json, the built-in API\'s; the output says which)')
    .option('--junit <file>', 'where to write junit.xml (default: <results>/junit.xml, or beside the summary.json)')
    .option('--require-all', 'fail limits that have no measured value (default: reported as no data, not failing)')
    .action(lazy('./commands/gate.ts'));

  return program;
}

/**
 * Refuses an --out-dir that cannot be a directory (a file, or a path through a file) before any command works, so
 * the mistake is a 104 naming the flag rather than an internal error at the first write.
 * @throws {InputError} naming the path and why
 */
async function checkOutDir(dir: string): Promise<void> {
  const { InputError } = await import('./errors.ts');
  let st;
  try {
    st = statSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return; // created at the first write
    throw new InputError(`--out-dir ${dir}: ${code === 'ENOTDIR' ? 'a part of the path is a file, not a directory' : `cannot use it (${code ?? (err as Error).message})`}`);
  }
  if (!st.isDirectory()) throw new InputError(`--out-dir ${dir}: is a file, not a directory`);
}

function lazy(modulePath: string) {
  return async function action(this: Command, ...raw: unknown[]): Promise<void> {
    const cmd = raw[raw.length - 1] as Command;
    const all = cmd.optsWithGlobals() as Record<string, unknown>;
    const global: GlobalOptions = {
      outDir: String(all.outDir ?? 'caplab-out'),
      seed: typeof all.seed === 'number' ? all.seed : (await import('./data.ts')).loadDefaults().seed,
      quiet: Boolean(all.quiet),
      verbose: Boolean(all.verbose),
    };
    await checkOutDir(global.outDir);
    const ctx: CommandContext = { args: cmd.args, opts: cmd.opts(), global };
    const mod = (await import(modulePath)) as { run: CommandRun };
    process.exitCode = await mod.run(ctx);
  };
}

/**
 * Runs the CLI with the given argv and returns the exit code; never throws.
 * @param argv full argv (node, script, ...args)
 * @returns exit code
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    // Help and version shown end in commander's exit-0 error: answered without loading the error module.
    if (err instanceof CommanderError && err.exitCode === 0) return 0;
    const { exitCodeFor, formatError } = await import('./errors.ts');
    const code = exitCodeFor(err);
    // commander already printed its own usage errors, help and version.
    if (!(err instanceof Error && 'code' in err && String((err as { code: unknown }).code).startsWith('commander.'))) {
      process.stderr.write(`${formatError(err, verbose)}\n`);
    }
    return code;
  }
}

const invokedDirectly = process.argv[1] !== undefined &&
  /(?:^|[\\/])(?:main\.[jt]s|caplab(?:\.js)?)$/.test(process.argv[1]);
if (invokedDirectly) {
  process.exitCode = await main(process.argv);
}
