/**
 * Round 2 item 8: exit 1 where the input is at fault. A directory or a damaged .gz given to merge/gate/compare/plan,
 * an --out-dir naming a file, numbers that overflow the models (1e308, 1e-300), a 99999999999999999h duration, a
 * missing --results and a fleet in an unknown DC are input errors: exit 104 naming the file and what is wrong.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, REPO_ROOT, runCli, tempDir } from '../helpers/cli.ts';

const dir = tempDir('caplab-input-faults-');
const REAL = join(REPO_ROOT, 'test/fixtures/k6/real-k6-points.ndjson');
const whole = gzipSync(readFileSync(REAL));
const TRUNCATED = join(dir, 'truncated.ndjson.gz');
const GARBAGE = join(dir, 'garbage.ndjson.gz');
const NOT_A_FILE = join(dir, 'folder.ndjson');

beforeAll(() => {
  writeFileSync(TRUNCATED, whole.subarray(0, Math.floor(whole.length / 2)));
  // gzip's magic bytes, then bytes that are not deflate data.
  writeFileSync(GARBAGE, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]), Buffer.from('this is not deflate data '.repeat(20))]));
  mkdirSync(NOT_A_FILE);
  writeFileSync(join(dir, 'whole.gz'), whole);
});
afterAll(() => removeDir(dir));

/** A results directory with one DC whose points file is `file`. */
function resultsWith(name: string, file: string): string {
  const d = join(dir, name);
  mkdirSync(join(d, 'singapore'), { recursive: true });
  copyFileSync(file, join(d, 'singapore', 'points.ndjson.gz'));
  return d;
}

describe('damaged NDJSON inputs exit 104 naming the file', () => {
  it.each([
    ['a truncated .gz', TRUNCATED, /truncated\.ndjson\.gz cannot be read: 1 problem\n.*the gzip data is truncated/],
    ['a .gz that is not deflate data', GARBAGE, /garbage\.ndjson\.gz cannot be read: 1 problem\n.*the gzip data is damaged/],
    ['a directory', NOT_A_FILE, /folder\.ndjson cannot be read: 1 problem\n.*is a directory, not an NDJSON file/],
  ])('caplab merge of %s', async (_what, file, message) => {
    const { code, stdout, stderr } = await runCli(['merge', file, '--summary-json', join(dir, 'never.json')]);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/internal error/);
    expect(code).toBe(104);
    expect(stdout).toBe('');
  });

  it('caplab gate and compare on a results directory with a truncated .gz', async () => {
    const bad = resultsWith('gate-bad', TRUNCATED);
    const gate = await runCli(['gate', bad]);
    expect(gate.stderr).toMatch(/points\.ndjson\.gz.*the gzip data is truncated/);
    expect(gate.code).toBe(104);
    const good = resultsWith('compare-good', join(dir, 'whole.gz'));
    const compare = await runCli(['compare', good, bad, '--json']);
    expect(compare.stderr).toMatch(/gate-bad.*points\.ndjson\.gz.*the gzip data is truncated/);
    expect(compare.code).toBe(104);
  });
});

describe('refused options and files', () => {
  it('--out-dir naming a file', async () => {
    const file = join(dir, 'out-file');
    writeFileSync(file, 'x');
    const { code, stderr } = await runCli(['--out-dir', file, 'fit', 'erlang', '--rate', '10', '--service-time', '50ms']);
    expect(stderr).toBe(`caplab: --out-dir ${file}: is a file, not a directory\n`);
    expect(code).toBe(104);
  });

  it('fit usl with a throughput of 1e308', async () => {
    const csv = join(dir, 'usl.csv');
    writeFileSync(csv, 'concurrency,throughput\n1,100\n2,190\n4,1e308\n8,600\n');
    const { code, stderr } = await runCli(['fit', 'usl', csv]);
    expect(stderr).toMatch(new RegExp(`${csv}:4: throughput "1e308" is outside`));
    expect(code).toBe(104);
  });

  it('a history with shipments of 1e308 and 1e-300 (the forecast was full of null)', async () => {
    const csv = join(dir, 'history.csv');
    writeFileSync(csv, 'period,shipments\n2012,7190000\n2013,1e308\n2014,1e-300\n2015,9000000\n');
    const out = join(dir, 'forecast-out');
    const { code, stderr } = await runCli(['--out-dir', out, 'forecast', '--history', csv]);
    expect(stderr).toMatch(new RegExp(`${csv}:3: shipments 1e\\+308 is more than`));
    expect(stderr).toMatch(new RegExp(`${csv}:4: shipments 1e-300 is less than 1 phone`));
    expect(code).toBe(104);
  });

  it('a scenario duration of 99999999999999999h (ran one iteration)', async () => {
    const spec = join(dir, 'long.json');
    writeFileSync(spec, JSON.stringify({
      schema: 'caplab.scenario/v1', name: 'long', baseUrl: 'http://127.0.0.1:9',
      options: { scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '99999999999999999h' } } },
      flows: { default: { steps: [{ name: 'x', method: 'GET', path: '/' }] } },
    }));
    const { code, stderr } = await runCli(['run', spec]);
    expect(stderr).toMatch(/long\.json: options\.scenarios\.s\.duration: "99999999999999999h" is longer than 720h/);
    expect(code).toBe(104);
  });

  it('plan --results naming nothing, and a fleet in an unknown DC', async () => {
    const missing = await runCli(['plan', '--json', '--results', join(dir, 'nonexistent')]);
    expect(missing.stderr).toMatch(/--results .*nonexistent: no such directory/);
    expect(missing.code).toBe(104);
    const fleet = join(dir, 'fleet.json');
    writeFileSync(fleet, JSON.stringify({ schema: 'caplab.fleet/v1', asOf: '2014Q4', nodes: { beijing: 10, 'sinagpore': 2 } }));
    const unknown = await runCli(['plan', '--json', '--fleet', fleet]);
    expect(unknown.stderr).toMatch(/fleet\.json: nodes\.sinagpore: unknown data center "sinagpore"/);
    expect(unknown.code).toBe(104);
  });

  it('plan --results with a truncated probe .gz', async () => {
    const d = join(dir, 'probe-bad');
    mkdirSync(join(d, 'singapore'), { recursive: true });
    copyFileSync(TRUNCATED, join(d, 'singapore', 'points-probe.ndjson.gz'));
    const { code, stderr } = await runCli(['plan', '--json', '--results', d]);
    expect(stderr).toMatch(/points-probe\.ndjson\.gz cannot be read: 1 problem\n.*the gzip data is truncated/);
    expect(code).toBe(104);
  });

  it('intents with penaltyPerRpsMs 1e308 are refused before the optimizer runs', async () => {
    const intents = join(dir, 'intents.json');
    const base = JSON.parse(readFileSync(join(REPO_ROOT, 'data/intents.json'), 'utf8')) as { latency: Record<string, unknown> };
    base.latency.penaltyPerRpsMs = 1e308;
    writeFileSync(intents, JSON.stringify(base));
    const { code, stderr } = await runCli(['plan', '--json', '--optimize', '--intents', intents]);
    expect(stderr).toMatch(/intents\.json: latency\.penaltyPerRpsMs: must be at most 1000/);
    expect(code).toBe(104);
  });

  it('a campaign with those intents stops before any load (it loaded for 53 s, then exited 1)', async () => {
    const d = join(dir, 'campaign-intents');
    mkdirSync(d);
    const base = JSON.parse(readFileSync(join(REPO_ROOT, 'data/intents.json'), 'utf8')) as { latency: Record<string, unknown> };
    base.latency.penaltyPerRpsMs = 1e308;
    writeFileSync(join(d, 'intents.json'), JSON.stringify(base));
    writeFileSync(join(d, 'campaign.yaml'), 'intents: intents.json\n');
    const out = join(d, 'out');
    const { code, stderr } = await runCli(['--out-dir', out, 'campaign', join(d, 'campaign.yaml')]);
    expect(stderr).toContain(`${join(d, 'intents.json')}: latency.penaltyPerRpsMs: must be at most 1000`);
    expect(code).toBe(104);
    expect(existsSync(out)).toBe(false);
  });

  it('caplab report on a campaign directory whose points are a truncated .gz', async () => {
    const d = join(dir, 'report-campaign');
    const made = await runCli(['--out-dir', d, 'plan']);
    expect(made.code, made.stderr).toBe(0);
    mkdirSync(join(d, 'results', 'singapore'), { recursive: true });
    copyFileSync(TRUNCATED, join(d, 'results', 'singapore', 'points.ndjson.gz'));
    const { code, stderr } = await runCli(['report', d]);
    expect(stderr).toMatch(/points\.ndjson\.gz.*the gzip data is truncated/);
    expect(code).toBe(104);
  });
});
