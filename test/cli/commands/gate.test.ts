import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, removeDir, runCli, tempDir } from '../../helpers/cli.ts';
import { findAll, parseXml } from '../../reports/render/xml.ts';
import { budgetsFile as budgetsFileOf, copyResults as copyResultsOf, twoDcResults } from '../../helpers/gate-results.ts';
import { startServer, type TestServer } from '../../scenarios/server.ts';

// One real engine run against a local server gives the results of two DCs (the same files copied): contacts_sync hits
// /ok, photos_post /slow?ms=60 (so its p95 is at least 60 ms), each step tagged with its service.
let server: TestServer;
let dir: string;
let results: string;

beforeAll(async () => {
  server = await startServer();
  dir = tempDir('caplab-gate-');
  results = await twoDcResults({
    dir, baseUrl: server.url, name: 'gate', iterations: 8, results: join(dir, 'campaign', 'results'),
    thresholds: { 'http_req_duration{service:photos_post}': ['p(95)<10000'] },
    steps: [
      { name: 'contacts_sync', path: '/ok', tags: { service: 'contacts_sync' } },
      { name: 'photos_post', path: '/slow?ms=60', tags: { service: 'photos_post' } },
    ],
  });
}, 60_000);

afterAll(async () => {
  await server.close();
  removeDir(dir);
});

const copyResults = (name: string): string => copyResultsOf(dir, results, name);
const budgetsFile = (name: string, body: unknown): string => budgetsFileOf(dir, name, body);

const passing = { schema: 'caplab.budgets/v1', defaults: { p95: '5s', errorRate: 0.01, droppedIterations: 0 }, budgets: [{ service: 'photos_post', serverP95: '5s' }] };
const failing = { schema: 'caplab.budgets/v1', defaults: { errorRate: 0.01 }, budgets: [{ service: 'photos_post', dc: 'us-west-1', p95: '20ms' }] };
const noGithub = { GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '' };

describe('caplab gate', () => {
  it('passes (exit 0) when every budget holds, and writes junit.xml into the results directory', async () => {
    const res = copyResults('pass');
    const r = await runCli(['gate', '--budgets', budgetsFile('pass.json', passing), res], { env: noGithub });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/singapore\s+photos_post\s+p95\s+[\d.]+ ms\s+< 5,000 ms\s+pass\s+points/);
    expect(r.stdout).toMatch(/us-west-1\s+threshold http_req_duration\{service:photos_post\}\s+p\(95\)<10000/);
    expect(r.stdout).toContain('gate passed');
    expect(r.stdout).not.toContain('::');
    const xml = parseXml(readFileSync(join(res, 'junit.xml'), 'utf8'));
    expect(xml.attrs).toMatchObject({ failures: '0', errors: '0' });
    expect(findAll(xml, 'testsuite').map((s) => s.attrs.name)).toEqual(['thresholds singapore', 'budgets singapore', 'thresholds us-west-1', 'budgets us-west-1']);
  }, 30_000);

  it('uses data/budgets.json by default, and says plainly that it does', async () => {
    const r = await runCli(['gate', '--junit', join(dir, 'default', 'junit.xml'), results], { env: noGithub });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe("budgets: data/budgets.json (caplab's built-in budgets for the built-in mobile-cloud API: no --budgets was given and no campaign.json names the budgets the run used)");
    expect(r.stdout).toMatch(/singapore\s+photos_post\s+p95\s+[\d.]+ ms\s+< 800 ms\s+pass/); // photos_post's own budget
    expect(existsSync(join(dir, 'default', 'junit.xml'))).toBe(true);
  }, 30_000);

  it('fails (exit 99) on a broken budget with the measured value and the limit in the output and in junit.xml', async () => {
    const res = copyResults('fail');
    const r = await runCli(['gate', '--budgets', budgetsFile('fail.json', failing), res], { env: noGithub });
    expect(r.code).toBe(99);
    const line = /photos_post in us-west-1: p95 = ([\d.]+) ms, limit < 20 ms \(budget broken\)/.exec(r.stdout);
    expect(line, r.stdout).not.toBeNull();
    expect(Number(line![1])).toBeGreaterThanOrEqual(60);
    expect(r.stdout).toMatch(/us-west-1\s+photos_post\s+p95\s+[\d.]+ ms\s+< 20 ms\s+FAIL/);
    expect(r.stdout).toMatch(/singapore\s+photos_post\s+errorRate\s+0%\s+< 1\.0%\s+pass/); // the DC budget stays in its DC
    expect(r.stdout).toContain('gate FAILED: 1 failing');
    const xml = parseXml(readFileSync(join(res, 'junit.xml'), 'utf8'));
    expect(xml.attrs.failures).toBe('1');
    const failure = findAll(xml, 'failure')[0]!;
    expect(failure.attrs.type).toBe('budget');
    expect(failure.attrs.message).toMatch(/^photos_post in us-west-1: p95 = [\d.]+ ms, limit 20 ms$/);
  }, 30_000);

  it('rejects a bad budgets file (exit 104) listing every problem with its JSON path, and writes nothing', async () => {
    const res = copyResults('bad');
    const bad = budgetsFile('bad.json', {
      schema: 'caplab.budgets/v2', defaults: { p95: 'fast', errorRate: 2 },
      budgets: [{ service: '' }, { service: 'a', droppedIterations: -1, surprise: true }, { service: 'a' }],
    });
    const r = await runCli(['gate', '--budgets', bad, '--junit', join(dir, 'bad-junit.xml'), res], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(dir, 'bad-summary.md') } });
    expect(r.code).toBe(104);
    expect(r.stdout).toBe('');
    for (const path of ['schema', 'defaults.p95', 'defaults.errorRate', 'budgets[0].service', 'budgets[1].droppedIterations', 'budgets[1]']) {
      expect(r.stderr).toContain(`${bad}: ${path}`);
    }
    expect(r.stderr).toContain('surprise');
    expect(existsSync(join(dir, 'bad-junit.xml'))).toBe(false);
    expect(existsSync(join(res, 'junit.xml'))).toBe(false);
    expect(existsSync(join(dir, 'bad-summary.md'))).toBe(false);
    const notJson = await runCli(['gate', '--budgets', budgetsFile('broken.json', '{"schema": '), res]);
    expect(notJson.code).toBe(104);
    expect(notJson.stderr).toMatch(/broken\.json(:1)?: not valid JSON/);
    expect(notJson.stderr.match(/broken\.json/g)).toHaveLength(1);
  }, 30_000);

  it('reads YAML budgets, and reports broken YAML as bad input', async () => {
    const yaml = budgetsFile('budgets.yaml', 'schema: caplab.budgets/v1\nbudgets:\n  - { service: photos_post, p95: 30ms }\n');
    const r = await runCli(['gate', '--budgets', yaml, '--junit', join(dir, 'yaml', 'junit.xml'), results], { env: noGithub });
    expect(r.code).toBe(99);
    expect(r.stdout).toMatch(/singapore\s+photos_post\s+p95\s+[\d.]+ ms\s+< 30 ms\s+FAIL/);
    const broken = await runCli(['gate', '--budgets', budgetsFile('broken.yaml', 'schema: [unclosed\n'), results]);
    expect(broken.code).toBe(104);
    expect(broken.stderr).toContain('broken.yaml: not valid YAML');
  }, 30_000);

  it('rejects missing or empty results (exit 104) and hints at a campaign directory', async () => {
    const missing = await runCli(['gate', join(dir, 'nope')]);
    expect(missing.code).toBe(104);
    expect(missing.stderr).toContain('no such file or directory');
    const campaign = await runCli(['gate', join(dir, 'campaign')]);
    expect(campaign.code).toBe(104);
    expect(campaign.stderr).toContain(`try ${results}`);
  }, 30_000);

  it('judges a DC\'s own directory (results/<dc>), the DC taken from its name, also given as `.` or with a trailing /', async () => {
    const dcDir = join(copyResults('dcdir'), 'us-west-1');
    const summaryFile = join(dir, 'dcdir-summary.md');
    const r = await runCli(['gate', '--budgets', budgetsFile('dcdir.json', failing), dcDir], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(99);
    // The DC budget applies: the run is us-west-1's, not a run without a DC.
    expect(r.stdout).toMatch(/photos_post in us-west-1: p95 = [\d.]+ ms, limit < 20 ms \(budget broken\)/);
    expect(r.stdout).not.toContain('(no dc)');
    expect(r.stdout).not.toContain('singapore');
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations).toHaveLength(1);
    expect(annotations[0]!.startsWith(`::error file=${dcDir}/summary.json,title=caplab budget photos_post p95 (us-west-1)::photos_post in us-west-1: p95 = `)).toBe(true);
    const md = readFileSync(summaryFile, 'utf8');
    expect(md).toContain(`## caplab gate (${dcDir}): FAILED`);
    expect(md).toMatch(/\| us-west-1 \| photos_post \| p95 \| [\d.]+ ms \| < 20 ms \| ❌ fail \|/);
    const xml = parseXml(readFileSync(join(dcDir, 'junit.xml'), 'utf8'));
    expect(findAll(xml, 'testsuite').map((s) => s.attrs.name)).toEqual(['thresholds us-west-1', 'budgets us-west-1']);
    expect(xml.attrs.failures).toBe('1');

    const dot = await runCli(['gate', '--budgets', budgetsFile('dcdir.json', failing), '--junit', join(dir, 'dcdir-dot.xml'), '.'], { cwd: dcDir, env: noGithub });
    expect(dot.code, dot.stderr).toBe(99);
    expect(dot.stdout).toMatch(/photos_post in us-west-1: p95 = [\d.]+ ms, limit < 20 ms \(budget broken\)/);
    const slash = await runCli(['gate', '--budgets', budgetsFile('dcdir-pass.json', passing), '--junit', join(dir, 'dcdir-slash.xml'), `${dcDir}/`], { env: noGithub });
    expect(slash.code, slash.stderr).toBe(0);
    expect(slash.stdout).toMatch(/us-west-1\s+photos_post\s+p95\s+[\d.]+ ms\s+< 5,000 ms\s+pass\s+points/);
  }, 30_000);

  it('judges a DC directory holding only points (annotations point at the points file)', async () => {
    const dcDir = join(copyResults('dcpoints'), 'singapore');
    rmSync(join(dcDir, 'summary.json'));
    const budgets = budgetsFile('dcpoints.json', { schema: 'caplab.budgets/v1', budgets: [{ service: 'photos_post', dc: 'singapore', p95: '20ms' }] });
    const r = await runCli(['gate', '--budgets', budgets, dcDir], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: '' } });
    expect(r.code, r.stderr).toBe(99);
    expect(r.stdout).toMatch(/singapore\s+photos_post\s+p95\s+[\d.]+ ms\s+< 20 ms\s+FAIL\s+points/);
    expect(r.stdout).toContain(`::error file=${dcDir}/points.ndjson,title=caplab budget photos_post p95 (singapore)::`);
  }, 30_000);

  it('rejects (exit 104) a DC directory not named after a known DC, naming it and the known DCs, and writes nothing', async () => {
    const run42 = join(dir, 'run-42');
    cpSync(join(results, 'us-west-1'), run42, { recursive: true });
    const r = await runCli(['gate', '--budgets', budgetsFile('run42.json', failing), run42], { env: noGithub });
    expect(r.code).toBe(104);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${run42}: "run-42" is not a known DC`);
    expect(r.stderr).toContain('beijing, singapore, us-west-1, us-west-2');
    expect(existsSync(join(run42, 'junit.xml'))).toBe(false);
    // A DC the budgets name is known, though data/ has no RTT table for it.
    const moon = join(dir, 'moon-base');
    cpSync(join(results, 'us-west-1'), moon, { recursive: true });
    const ok = await runCli(['gate', '--budgets', budgetsFile('moon.json', { schema: 'caplab.budgets/v1', budgets: [{ service: 'photos_post', dc: 'moon-base', p95: '10s' }] }), moon], { env: noGithub });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/moon-base\s+photos_post\s+p95\s+[\d.]+ ms\s+< 10,000 ms\s+pass/);
  }, 30_000);

  it('rejects (exit 104) a directory holding both its own results and <dc>/ results', async () => {
    const both = copyResults('both');
    cpSync(join(results, 'singapore', 'summary.json'), join(both, 'summary.json'));
    const r = await runCli(['gate', '--budgets', budgetsFile('both.json', passing), both], { env: noGithub });
    expect(r.code).toBe(104);
    expect(r.stderr).toContain(`${both}: holds both its own results (summary.json) and results of DCs in sub-directories (singapore, us-west-1)`);
    expect(existsSync(join(both, 'junit.xml'))).toBe(false);
  }, 30_000);

  it('with GITHUB_ACTIONS=true prints ::error annotations and appends to $GITHUB_STEP_SUMMARY, keeping what was there', async () => {
    const res = copyResults('gh');
    const summaryFile = join(dir, 'step-summary.md');
    writeFileSync(summaryFile, '# Earlier step\n\nkept\n');
    const r = await runCli(['gate', '--budgets', budgetsFile('gh.json', failing), res], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile } });
    expect(r.code).toBe(99);
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).toMatch(new RegExp(`^::error file=${res.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/us-west-1/summary\\.json,title=caplab budget photos_post p95 \\(us-west-1\\)::photos_post in us-west-1: p95 = [\\d.]+ ms, limit < 20 ms \\(budget broken\\)$`));
    const md = readFileSync(summaryFile, 'utf8');
    expect(md.startsWith('# Earlier step\n\nkept\n')).toBe(true);
    expect(md).toContain(`## caplab gate (${res}): FAILED\n\nBudgets: ${join(dir, 'gh.json')} (given with --budgets)\n`);
    expect(md).toContain('| DC | service | limit | measured | budget | result |');
    expect(md).toMatch(/\| us-west-1 \| photos_post \| p95 \| [\d.]+ ms \| < 20 ms \| ❌ fail \|/);
    // A second gate appends again.
    await runCli(['gate', '--budgets', budgetsFile('gh2.json', passing), res], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile } });
    const twice = readFileSync(summaryFile, 'utf8');
    expect(twice.startsWith(md)).toBe(true);
    expect(twice).toContain(`## caplab gate (${res}): passed`);
  }, 30_000);

  it('prints annotations but skips the step summary when GITHUB_STEP_SUMMARY is unset', async () => {
    const r = await runCli(['gate', '--quiet', '--budgets', budgetsFile('q.json', failing), '--junit', join(dir, 'q', 'junit.xml'), results], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: '' } });
    expect(r.code).toBe(99);
    expect(r.stdout.trim().split('\n')).toHaveLength(1); // --quiet: the annotation only
    expect(r.stdout).toMatch(/^::error file=/);
    expect(r.stderr).toBe('');
  }, 30_000);

  it('judges a lone summary.json without a DC: DC budgets do not apply, no-data fails only with --require-all', async () => {
    const lone = join(dir, 'lone');
    mkdirSync(lone, { recursive: true });
    cpSync(join(results, 'singapore', 'summary.json'), join(lone, 'summary.json'));
    // The summary has http_req_duration{service:photos_post} (its threshold) and no sub-metric of contacts_sync.
    const budgets = budgetsFile('lone.json', { schema: 'caplab.budgets/v1', budgets: [{ service: 'photos_post', p95: '10s' }, { service: 'contacts_sync', p95: '10s' }, { service: 'photos_post', dc: 'us-west-1', p95: '1ms' }] });
    const r = await runCli(['gate', '--budgets', budgets, join(lone, 'summary.json')], { env: noGithub });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\(no dc\)\s+photos_post\s+p95\s+[\d.]+ ms\s+< 10,000 ms\s+pass\s+summary/);
    expect(r.stdout).toMatch(/\(no dc\)\s+contacts_sync\s+p95\s+not measured\s+< 10,000 ms\s+no data/);
    expect(r.stdout).toContain('DC-specific budgets do not apply (photos_post@us-west-1)');
    expect(existsSync(join(lone, 'junit.xml'))).toBe(true);
    const strict = await runCli(['gate', '--require-all', '--budgets', budgets, join(lone, 'summary.json')], { env: noGithub });
    expect(strict.code).toBe(99);
    expect(strict.stdout).toMatch(/contacts_sync\s+p95\s+not measured\s+< 10,000 ms\s+FAIL \(no data\)/);
  }, 30_000);

  it('refuses (exit 104) a budget field no service of the results can measure, instead of skipping it as no data', async () => {
    const lone = join(dir, 'lone-server');
    mkdirSync(lone, { recursive: true });
    cpSync(join(results, 'singapore', 'summary.json'), join(lone, 'summary.json'));
    const budgets = budgetsFile('lone-server.json', { schema: 'caplab.budgets/v1', budgets: [{ service: 'photos_post', p95: '10s', serverP95: '10s' }] });
    const r = await runCli(['gate', '--budgets', budgets, join(lone, 'summary.json')], { env: noGithub });
    expect(r.code).toBe(104);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${join(lone, 'summary.json')}: budget serverP95 (photos_post) needs http_req_waiting per service, which this run cannot measure: it has no points and its summary has no http_req_waiting{service:...} sub-metric`);
    expect(existsSync(join(lone, 'junit.xml'))).toBe(false);
  }, 30_000);

  it('fails on a k6 threshold a real k6 summary crossed', async () => {
    const k6dir = join(dir, 'k6');
    mkdirSync(k6dir, { recursive: true });
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'k6', 'real-k6-summary.json'), join(k6dir, 'summary.json'));
    const r = await runCli(['gate', '--budgets', budgetsFile('empty.json', { schema: 'caplab.budgets/v1' }), join(k6dir, 'summary.json')], { env: noGithub });
    expect(r.code).toBe(99);
    expect(r.stdout).toContain('(no dc): k6 threshold crossed: http_req_failed rate = 0.5, limit < 0.01');
    const xml = parseXml(readFileSync(join(k6dir, 'junit.xml'), 'utf8'));
    expect(findAll(xml, 'failure').map((f) => f.attrs.message)).toEqual(['http_req_failed rate = 0.5, limit < 0.01']);
  }, 30_000);
});
