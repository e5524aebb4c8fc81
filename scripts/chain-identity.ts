/**
 * Byte-identity check of the stage chain across a refactor: records what `caplab forecast|traffic|plan|users|scenarios
 * build` print or write for a fixed set of cases with one caplab (`record`), compares two such recordings byte for byte
 * (`compare`), and compares a campaign folder's forecast.json, traffic.json, population.json and plan.json with
 * another's, the run id removed (`campaign`). Every case runs the bin as a child process from a scratch folder, so the
 * caplab under test is exactly the one the bin belongs to.
 *
 *   tsx scripts/chain-identity.ts record <bin/caplab.js> <out-dir>
 *   tsx scripts/chain-identity.ts compare <recording-a> <recording-b>
 *   tsx scripts/chain-identity.ts campaign <campaign-dir-a> <campaign-dir-b>
 *
 * With CAMPAIGN=<campaign folder> set, `record` also plans from that campaign's forecast.json and capacity/ (as the
 * campaign does: greedy plan on the measured capacity plus the optimized placement), so old and new code can be
 * compared on the same measurements, and `campaign` compares the campaign's plan.json with such a recording.
 *
 * plan.json's `optimized` section records the solver's wall time per solve (`seconds`): it differs from run to run
 * whatever the code, so where the bytes differ the files are compared again with every `seconds` under `optimized`
 * set to 0, and the result says so.
 *
 * Exit 0 when everything compared is identical, 1 when anything differs (each difference named), 2 on misuse.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A demand file calibrating one built-in service, so `traffic --demand` is covered. */
const DEMAND = {
  schema: 'caplab.demand/v1',
  source: { kind: 'prometheus', what: 'identity check', from: '2015-02-01T10:00:00Z', to: '2015-02-01T11:35:00Z', stepSeconds: 300 },
  placement: 'seed-4dc',
  quarter: '2015Q1',
  devices: { singapore: { activeDevices: 1.4e6, from: 'forecast 2015Q1 p50' } },
  services: {
    ota_check: {
      perDevicePerDay: 2.5, localHourWeights: null,
      dcs: { singapore: { meanRps: 40.1, perDevicePerDay: 2.5, samples: 20, hoursCovered: 1, fittedMeanRps: 40.1, rmseRps: 0.4, mapePct: 3.25 } },
      fit: { rmseRps: 0.4, mapePct: 3.25, note: 'identity check', residuals: {} },
    },
  },
};

/**
 * One case: caplab arguments and what to keep. `stdout` keeps the printed JSON; `files` keeps files the command
 * wrote into its --out-dir (relative names). `{in}` in an argument is replaced by the recording's inputs folder.
 */
interface Case {
  name: string;
  args: string[];
  stdout?: boolean;
  files?: string[];
}

const data = (f: string): string => join(ROOT, 'data', f);

const CASES: Case[] = [
  { name: 'forecast', args: ['forecast', '--json'], stdout: true },
  { name: 'forecast-seed7', args: ['--seed', '7', 'forecast', '--json', '--draws', '300', '--target', '80M', '--horizon', '2017Q2'], stdout: true },
  { name: 'forecast-gompertz', args: ['forecast', '--json', '--model', 'gompertz'], stdout: true },
  { name: 'forecast-backtest', args: ['forecast', '--json', '--backtest', '--draws', '200'], stdout: true },
  { name: 'forecast-backtest-crps', args: ['forecast', '--json', '--backtest', '--select', 'crps', '--draws', '200'], stdout: true },
  { name: 'forecast-analogues-backtest', args: ['forecast', '--json', '--analogues', '--backtest', '--draws', '200'], stdout: true },
  { name: 'forecast-bass-analogues', args: ['forecast', '--json', '--analogues', '--model', 'bass'], stdout: true },
  { name: 'forecast-history-csv', args: ['forecast', '--json', '--history', '{in}/history.csv'], stdout: true },
  { name: 'forecast-file', args: ['--seed', '3', 'forecast', '--out-dir', '{out}'], files: ['forecast.json'] },
  { name: 'traffic', args: ['traffic', '--json'], stdout: true },
  { name: 'traffic-seed7-range', args: ['--seed', '7', 'traffic', '--json', '--placement', 'beijing-only', '--from', '2015Q2', '--to', '2016Q1'], stdout: true },
  { name: 'traffic-forecast-file', args: ['traffic', '--json', '--forecast', '{in}/forecast.json'], stdout: true },
  { name: 'traffic-demand', args: ['traffic', '--json', '--demand', '{in}/demand.json', '--from', '2015Q1', '--to', '2015Q4'], stdout: true },
  { name: 'traffic-catalog', args: ['traffic', '--json', '--catalog', join(ROOT, 'examples/shop/catalog.yaml')], stdout: true },
  { name: 'plan', args: ['plan', '--json'], stdout: true },
  { name: 'plan-seed7', args: ['--seed', '7', 'plan', '--json'], stdout: true },
  { name: 'plan-traffic-file', args: ['plan', '--json', '--traffic', '{in}/traffic.json'], stdout: true },
  { name: 'plan-forecast-file', args: ['plan', '--json', '--forecast', '{in}/forecast.json'], stdout: true },
  { name: 'plan-catalog', args: ['plan', '--json', '--catalog', join(ROOT, 'examples/shop/catalog.yaml')], stdout: true },
  { name: 'plan-optimize', args: ['plan', '--json', '--optimize'], stdout: true },
  { name: 'plan-optimize-candidates', args: ['--seed', '7', 'plan', '--json', '--optimize', '--candidates', data('candidates.json')], stdout: true },
  { name: 'users', args: ['--seed', '5', 'users', '--count', '50', '--quarter', '2015Q3', '--out-dir', '{out}', '--file', '{out}/users.ndjson'], files: ['population.json', 'users.ndjson'] },
  { name: 'users-dc', args: ['users', '--count', '200', '--dc', 'singapore', '--forecast', '{in}/forecast.json', '--out-dir', '{out}', '--file', '{out}/users.ndjson'], files: ['population.json', 'users.ndjson'] },
  {
    name: 'scenarios-build', args: ['scenarios', 'build', '--quick', '--out-dir', '{out}'],
    files: ['scenarios/singapore-probe.json', 'scenarios/singapore-sweep.json', 'scenarios/singapore-replay.json', 'scenarios/users-singapore.ndjson', 'scenarios/us-west-1-replay.json', 'scenarios/beijing-replay.json'],
  },
  { name: 'scenarios-build-traffic', args: ['--seed', '7', 'scenarios', 'build', '--traffic', '{in}/traffic.json', '--quarter', '2015Q3', '--out-dir', '{out}'], files: ['scenarios/us-west-2-probe.json', 'scenarios/us-west-2-replay.json', 'scenarios/users-us-west-2.ndjson'] },
];

/** Cases on a campaign's own files (CAMPAIGN set): its forecast, its measured capacity, its seed. */
function campaignCases(dir: string): Case[] {
  const seed = String((JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { seed: number }).seed);
  const quarter = (JSON.parse(readFileSync(join(dir, 'population.json'), 'utf8')) as { quarter: string }).quarter;
  return [
    { name: 'campaign-traffic', args: ['--seed', seed, 'traffic', '--json', '--forecast', join(dir, 'forecast.json')], stdout: true },
    { name: 'campaign-plan', args: ['--seed', seed, 'plan', '--json', '--optimize', '--forecast', join(dir, 'forecast.json'), '--results', join(dir, 'capacity')], stdout: true },
    { name: 'campaign-population', args: ['--seed', seed, 'users', '--count', '1', '--quarter', quarter, '--forecast', join(dir, 'forecast.json'), '--out-dir', '{out}', '--file', '{out}/users.ndjson'], files: ['population.json'] },
  ];
}

function run(bin: string, args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Inputs the cases read: a forecast and traffic from the same bin (seed 11), a history CSV, a demand file. */
function writeInputs(bin: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const f = run(bin, ['--seed', '11', 'forecast', '--json', '--draws', '200'], dir);
  if (f.code !== 0) throw new Error(`forecast for the inputs failed: ${f.stderr}`);
  writeFileSync(join(dir, 'forecast.json'), f.stdout);
  const t = run(bin, ['--seed', '11', 'traffic', '--json', '--forecast', join(dir, 'forecast.json')], dir);
  if (t.code !== 0) throw new Error(`traffic for the inputs failed: ${t.stderr}`);
  writeFileSync(join(dir, 'traffic.json'), t.stdout);
  writeFileSync(join(dir, 'history.csv'), 'period,shipments\n2011,3.0e6\n2012,7.19e6\n2013,18.7e6\n2014,61.1e6\n');
  writeFileSync(join(dir, 'demand.json'), JSON.stringify(DEMAND));
}

function record(bin: string, out: string, only: string | undefined): void {
  const inputs = join(out, 'inputs');
  writeInputs(resolve(bin), inputs);
  const cases = [...CASES, ...(process.env.CAMPAIGN ? campaignCases(resolve(process.env.CAMPAIGN)) : [])];
  for (const c of cases.filter((x) => only === undefined || x.name.includes(only))) {
    const scratch = mkdtempSync(join(tmpdir(), 'caplab-identity-'));
    const args = c.args.map((a) => a.replaceAll('{in}', inputs).replaceAll('{out}', join(scratch, 'out')));
    const t0 = Date.now();
    const r = run(resolve(bin), args, scratch);
    const dir = join(out, c.name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'exit'), `${r.code}\n`);
    // Paths in an output (a history's or catalog's source) name where this recording ran: recorded as placeholders.
    const placeheld = (text: string): string => text.replaceAll(inputs, '{in}').replaceAll(ROOT.replace(/\/$/, ''), '{root}');
    if (c.stdout) writeFileSync(join(dir, 'stdout'), placeheld(r.stdout));
    for (const f of c.files ?? []) {
      const p = join(scratch, 'out', f);
      writeFileSync(join(dir, f.replaceAll('/', '__')), existsSync(p) ? readFileSync(p) : '(missing)\n');
    }
    if (r.code !== 0) writeFileSync(join(dir, 'stderr'), placeheld(r.stderr));
    process.stdout.write(`${c.name}: exit ${r.code} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    rmSync(scratch, { recursive: true, force: true });
  }
}

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** JSON text with every `seconds` under `optimized` set to 0 (the solver's wall time), or undefined when not JSON. */
function withoutSolverTime(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const zero = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(zero);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'seconds' && typeof x === 'number' ? 0 : zero(x)]));
  };
  const o = value as Record<string, unknown>;
  return JSON.stringify(o && typeof o === 'object' && 'optimized' in o ? { ...o, optimized: zero(o.optimized) } : o);
}

/** 'identical', 'identical but for the solver time', or 'DIFFERS'. */
function sameText(a: string, b: string): 'identical' | 'identical but for the solver time' | 'DIFFERS' {
  if (a === b) return 'identical';
  const [x, y] = [withoutSolverTime(a), withoutSolverTime(b)];
  return x !== undefined && x === y ? 'identical but for the solver time' : 'DIFFERS';
}

function compare(a: string, b: string): number {
  const fa = files(a);
  const fb = files(b);
  let diffs = 0;
  for (const f of [...new Set([...fa, ...fb])].sort()) {
    // The inputs folder holds absolute paths of nothing; still compared: both bins must compute the same inputs.
    const pa = join(a, f);
    const pb = join(b, f);
    if (!existsSync(pa) || !existsSync(pb)) {
      process.stdout.write(`ONLY IN ${existsSync(pa) ? a : b}: ${f}\n`);
      diffs++;
    } else {
      const verdict = sameText(readFileSync(pa, 'utf8'), readFileSync(pb, 'utf8'));
      if (verdict === 'DIFFERS') diffs++;
      process.stdout.write(`${verdict}: ${f} (${statSync(pa).size} bytes)\n`);
    }
  }
  process.stdout.write(diffs === 0 ? 'all identical\n' : `${diffs} difference(s)\n`);
  return diffs === 0 ? 0 : 1;
}

/** A campaign file's text with its `runId` key removed and re-serialised as the campaign writes it. */
function withoutRunId(path: string): string {
  const { runId: _drop, ...rest } = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  return `${JSON.stringify(rest, null, 2)}\n`;
}

/**
 * Compares a campaign folder's files with another campaign folder's (runId removed), or its plan.json and traffic.json
 * with a recording's campaign-plan and campaign-traffic cases (a folder holding `campaign-plan/stdout`).
 */
function compareCampaigns(a: string, b: string): number {
  let diffs = 0;
  const recording = existsSync(join(b, 'campaign-plan', 'stdout'));
  const pairs: [string, string][] = recording
    ? [['plan.json', 'campaign-plan/stdout'], ['traffic.json', 'campaign-traffic/stdout'], ['population.json', 'campaign-population/population.json']]
    : ['forecast.json', 'traffic.json', 'population.json', 'plan.json'].map((f) => [f, f]);
  for (const [fa, fb] of pairs) {
    const pa = join(a, fa);
    const pb = join(b, fb);
    if (!existsSync(pa) || !existsSync(pb)) {
      process.stdout.write(`missing: ${existsSync(pa) ? pb : pa}\n`);
      diffs++;
      continue;
    }
    const verdict = sameText(withoutRunId(pa), recording ? readFileSync(pb, 'utf8') : withoutRunId(pb));
    if (verdict === 'DIFFERS') diffs++;
    process.stdout.write(`${verdict} (runId removed): ${fa}${fa === fb ? '' : ` vs ${fb}`}\n`);
  }
  return diffs === 0 ? 0 : 1;
}

const [cmd, x, y, only] = process.argv.slice(2);
if (cmd === 'record' && x && y) record(x, resolve(y), only);
else if (cmd === 'compare' && x && y) process.exitCode = compare(resolve(x), resolve(y));
else if (cmd === 'campaign' && x && y) process.exitCode = compareCampaigns(resolve(x), resolve(y));
else {
  process.stderr.write('usage: tsx scripts/chain-identity.ts record <bin> <out> [case-filter] | compare <a> <b> | campaign <dir-a> <dir-b>\n');
  process.exitCode = 2;
}
