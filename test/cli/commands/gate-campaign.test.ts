import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCampaignManifest } from '../../../cli/campaign/manifest.ts';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';
import { twoDcResults } from '../../helpers/gate-results.ts';
import { startServer, type TestServer } from '../../scenarios/server.ts';

// `caplab gate` on a campaign folder (campaign.json at its top): the folder is checked against the manifest, the DCs
// the campaign loaded must have results, and the budgets the campaign ran with judge (never the built-in API's).
// One real engine run gives the results of two DCs (the same files); the manifest is written by the CLI's own writer.
let server: TestServer;
let dir: string;
let results: string;

beforeAll(async () => {
  server = await startServer();
  dir = tempDir('caplab-gate-campaign-');
  // A user's own service names: the built-in budgets (data/budgets.json) know none of them.
  results = await twoDcResults({ dir, baseUrl: server.url, name: 'gate-campaign', iterations: 10, steps: [
    { name: 'page', path: '/ok', tags: { service: 'page' } },
    { name: 'checkout', path: '/slow?ms=40', tags: { service: 'checkout' } },
  ] });
}, 60_000);

afterAll(async () => {
  await server.close();
  removeDir(dir);
});

const noGithub = { GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '' };
const runBudgets = { schema: 'caplab.budgets/v1', defaults: { errorRate: 0.01, droppedIterations: 0 }, budgets: [{ service: 'checkout', p95: '20ms' }] };

/** A campaign folder as a campaign leaves it: results, the budgets it ran with, and campaign.json last. */
async function campaign(name: string, dcs = ['singapore', 'us-west-1'], skipped: string[] = []): Promise<string> {
  const c = join(dir, name);
  cpSync(results, join(c, 'results'), { recursive: true });
  writeFileSync(join(c, 'budgets.json'), JSON.stringify(runBudgets));
  writeFileSync(join(c, 'plan.json'), '{}');
  await writeCampaignManifest(c, { runId: `run-${name}`, startedAt: '2026-12-05T10:00:00Z', finishedAt: '2026-12-05T10:04:00Z', quick: false, seed: 7, dcs, skipped, budgets: 'budgets.json' });
  return c;
}

describe('caplab gate on a campaign folder', () => {
  it('judges with the budgets the campaign ran with, from the folder or its results/, and keeps the folder checkable', async () => {
    const c = await campaign('ok');
    const r = await runCli(['gate', c], { env: noGithub });
    // checkout's 20 ms p95 against a 40 ms endpoint: the campaign's own budget is broken (exit 99), not the built-in ones.
    expect(r.code, r.stderr).toBe(99);
    expect(r.stdout.split('\n')[0]).toBe(`budgets: ${join(c, 'budgets.json')} (the budgets campaign run run-ok ran with (${join(c, 'campaign.json')}))`);
    expect(r.stdout).toMatch(/singapore\s+checkout\s+p95\s+[\d.]+ ms\s+< 20 ms\s+FAIL/);
    expect(r.stdout).not.toContain('photos_post');
    expect(r.stdout).toContain(`wrote ${join(c, 'results', 'junit.xml')}`);
    // The gate's junit.xml is now in the manifest, so a second gate (on results/) still accepts the folder.
    const manifest = JSON.parse(readFileSync(join(c, 'campaign.json'), 'utf8')) as { files: Record<string, unknown> };
    expect(Object.keys(manifest.files)).toContain('results/junit.xml');
    const again = await runCli(['gate', join(c, 'results')], { env: noGithub });
    expect(again.code, again.stderr).toBe(99);
    expect(again.stdout).toContain(`budgets: ${join(c, 'budgets.json')} (the budgets campaign run run-ok ran with`);
    // --budgets still wins over the manifest's.
    const loose = join(dir, 'loose.json');
    writeFileSync(loose, JSON.stringify({ schema: 'caplab.budgets/v1', budgets: [{ service: 'checkout', p95: '10s' }] }));
    const given = await runCli(['gate', '--budgets', loose, '--junit', join(dir, 'ok-junit.xml'), c], { env: noGithub });
    expect(given.code, given.stderr).toBe(0);
    expect(given.stdout.split('\n')[0]).toBe(`budgets: ${loose} (given with --budgets)`);
  }, 60_000);

  it('judges one DC\'s results/<dc> of a campaign folder with the campaign\'s budgets, also given as `.`', async () => {
    const c = await campaign('dcdir');
    const dcDir = join(c, 'results', 'us-west-1');
    const r = await runCli(['gate', dcDir], { env: noGithub });
    expect(r.code, r.stderr).toBe(99);
    expect(r.stdout.split('\n')[0]).toBe(`budgets: ${join(c, 'budgets.json')} (the budgets campaign run run-dcdir ran with (${join(c, 'campaign.json')}))`);
    expect(r.stdout).toMatch(/us-west-1\s+checkout\s+p95\s+[\d.]+ ms\s+< 20 ms\s+FAIL/);
    expect(r.stdout).not.toContain('singapore');
    const dot = await runCli(['gate', '--quiet', '.'], { cwd: dcDir, env: noGithub });
    expect(dot.code, dot.stderr).toBe(99);
  }, 60_000);

  it('fails (exit 104) when a DC the campaign loaded has no results, naming it', async () => {
    const c = await campaign('missing', ['singapore', 'us-west-1', 'us-west-2'], ['beijing']);
    const r = await runCli(['gate', c], { env: noGithub });
    expect(r.code).toBe(104);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${join(c, 'results')}/us-west-2: missing: no results for DC us-west-2 (campaign run run-missing loaded it (${join(c, 'campaign.json')}))`);
    expect(r.stderr).not.toContain('beijing');
    expect(existsSync(join(c, 'results', 'junit.xml'))).toBe(false);
  }, 30_000);

  it('refuses (exit 104) a campaign folder with no results at all, even when its manifest lists no DC', async () => {
    const c = join(dir, 'none');
    mkdirSync(c, { recursive: true });
    writeFileSync(join(c, 'budgets.json'), JSON.stringify(runBudgets));
    await writeCampaignManifest(c, { runId: 'run-none', startedAt: '2026-12-05T10:00:00Z', quick: false, seed: 7, dcs: [], skipped: ['singapore'], budgets: 'budgets.json' });
    const r = await runCli(['gate', c], { env: noGithub });
    expect(r.code).toBe(104);
    expect(r.stderr).toContain(`${join(c, 'results')}: no results to judge`);
  }, 30_000);

  it('refuses (exit 104) a folder mixing files of different runs: a file changed and a file added after the manifest', async () => {
    const c = await campaign('mixed');
    appendFileSync(join(c, 'results', 'singapore', 'points.ndjson'), '');
    writeFileSync(join(c, 'results', 'singapore', 'summary.json'), readFileSync(join(c, 'results', 'singapore', 'summary.json'), 'utf8').replace('{', '{ '));
    cpSync(join(c, 'results', 'us-west-1', 'points.ndjson'), join(c, 'results', 'us-west-1', 'points-old.ndjson'));
    for (const target of [c, join(c, 'results')]) {
      const r = await runCli(['gate', target], { env: noGithub });
      expect(r.code).toBe(104);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${c}/results/singapore/summary.json: changed since run run-mixed wrote it (another run's file?)`);
      expect(r.stderr).toContain(`${c}/results/us-west-1/points-old.ndjson: not written by run run-mixed (a file from another run?)`);
      expect(r.stderr).not.toContain('singapore/points.ndjson');
    }
    expect(existsSync(join(c, 'results', 'junit.xml'))).toBe(false);
  }, 60_000);
});
