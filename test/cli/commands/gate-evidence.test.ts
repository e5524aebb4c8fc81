import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';
import { budgetsFile as budgetsFileOf, copyResults as copyResultsOf, twoDcResults } from '../../helpers/gate-results.ts';
import { startServer, type TestServer } from '../../scenarios/server.ts';

// The gate must fail closed: missing DCs, empty DC folders, damaged points and summaries without metrics are refused
// (exit 104, every problem named), never passed. One real engine run gives the results of two DCs (the same files).
let server: TestServer;
let dir: string;
let results: string;

beforeAll(async () => {
  server = await startServer();
  dir = tempDir('caplab-gate-evidence-');
  results = await twoDcResults({ dir, baseUrl: server.url, name: 'gate-evidence', iterations: 20, steps: [
    { name: 'contacts_sync', path: '/ok', tags: { service: 'contacts_sync' } },
    { name: 'photos_post', path: '/ok', tags: { service: 'photos_post' } },
  ] });
}, 60_000);

afterAll(async () => {
  await server.close();
  removeDir(dir);
});

const copyResults = (name: string): string => copyResultsOf(dir, results, name);
const budgetsFile = (name: string, body: unknown): string => budgetsFileOf(dir, name, body);
const loose = { schema: 'caplab.budgets/v1', defaults: { p95: '10s', errorRate: 0.5, droppedIterations: 0 } };
const noGithub = { GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '' };

describe('caplab gate refuses missing or damaged evidence (exit 104, nothing written)', () => {
  it('passes the complete results (the baseline of the cases below)', async () => {
    const res = copyResults('complete');
    const r = await runCli(['gate', '--budgets', budgetsFile('loose.json', loose), res], { env: noGithub });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('gate passed');
  }, 30_000);

  it('names the DCs the budgets name that have no results', async () => {
    const res = copyResults('missing');
    const budgets = budgetsFile('missing.json', { ...loose, budgets: [{ service: 'photos_post', dc: 'us-west-2', p95: '5s' }, { service: 'photos_post', dc: 'beijing', p95: '5s' }] });
    const r = await runCli(['gate', '--budgets', budgets, res], { env: noGithub });
    expect(r.code).toBe(104);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${res}/beijing: missing: no results for DC beijing (${budgets}: budgets[1] names it)`);
    expect(r.stderr).toContain(`${res}/us-west-2: missing: no results for DC us-west-2 (${budgets}: budgets[0] names it)`);
    expect(existsSync(join(res, 'junit.xml'))).toBe(false);
  }, 30_000);

  it('refuses an empty DC folder', async () => {
    const res = copyResults('empty');
    rmSync(join(res, 'us-west-1'), { recursive: true });
    mkdirSync(join(res, 'us-west-1'));
    const r = await runCli(['gate', '--budgets', budgetsFile('loose.json', loose), res], { env: noGithub });
    expect(r.code).toBe(104);
    expect(r.stderr).toContain(`${res}/us-west-1: no evidence: the directory holds no summary.json and no points*.ndjson[.gz] (an empty DC folder)`);
    expect(existsSync(join(res, 'junit.xml'))).toBe(false);
  }, 30_000);

  it('refuses points with damaged lines, naming the file, the count and the lines', async () => {
    const res = copyResults('damaged');
    const file = join(res, 'singapore', 'points.ndjson');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    // Damage all but the first 30 lines (which keep the stream recognisable as k6 NDJSON), as a truncated copy would.
    const damaged = lines.map((l, i) => (i < 30 ? l : `${l.slice(0, 17)}\u0000`));
    writeFileSync(file, `${damaged.join('\n')}\n`);
    const r = await runCli(['gate', '--budgets', budgetsFile('loose.json', loose), res], { env: noGithub });
    expect(r.code).toBe(104);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${res}/singapore/points.ndjson: ${lines.length - 30} damaged lines (lines 31, 32, 33,`);
    expect(existsSync(join(res, 'junit.xml'))).toBe(false);
  }, 30_000);

  it('refuses a summary whose metrics are empty ({}), with no points', async () => {
    const res = copyResults('nometrics');
    const s = JSON.parse(readFileSync(join(res, 'us-west-1', 'summary.json'), 'utf8')) as { metrics: unknown };
    s.metrics = {};
    writeFileSync(join(res, 'us-west-1', 'summary.json'), JSON.stringify(s));
    rmSync(join(res, 'us-west-1', 'points.ndjson'));
    const r = await runCli(['gate', '--budgets', budgetsFile('loose.json', loose), res], { env: noGithub });
    expect(r.code).toBe(104);
    expect(r.stderr).toContain(`${res}/us-west-1/summary.json: no evidence: the summary's metrics are empty (metrics: {}) and there are no points`);
  }, 30_000);

  it('lists every problem at once', async () => {
    const res = copyResults('all');
    rmSync(join(res, 'us-west-1'), { recursive: true });
    mkdirSync(join(res, 'us-west-1'));
    const budgets = budgetsFile('all.json', { ...loose, budgets: [{ service: 'photos_post', dc: 'us-west-2', p95: '5s' }] });
    const r = await runCli(['gate', '--budgets', budgets, res], { env: noGithub });
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('cannot judge');
    expect(r.stderr).toContain(': 2 problems');
    expect(r.stderr).toContain(`${res}/us-west-1: no evidence`);
    expect(r.stderr).toContain(`${res}/us-west-2: missing`);
  }, 30_000);
});
