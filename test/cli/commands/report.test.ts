import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCampaignManifest } from '../../../cli/campaign/manifest.ts';
import { toSummaryExport } from '../../../scenarios/engine/outputs/summary-export.ts';
import { REPO_ROOT, removeDir, runCli, tempDir } from '../../helpers/cli.ts';
import { campaignFixture, probeNdjson, summaryFixture } from '../../reports/render/fixtures.ts';
import { findAll, parseXml } from '../../reports/render/xml.ts';

const dir = tempDir('caplab-report-');
afterAll(() => removeDir(dir));

/** Writes a campaign dir; `files` overrides or removes (undefined) entries. */
async function campaign(name: string, files: Record<string, string | Buffer | undefined> = {}): Promise<string> {
  const c = await campaignFixture();
  const d = join(dir, name);
  const all: Record<string, string | Buffer | undefined> = {
    'forecast.json': JSON.stringify(c.forecast), 'traffic.json': JSON.stringify(c.traffic), 'plan.json': JSON.stringify(c.plan),
    'results/singapore/summary.json': JSON.stringify(summaryFixture({ p95: 350, errorRate: 0.001, rps: 120 })),
    'results/singapore/points.ndjson': probeNdjson({ seed: 1 }),
    'results/beijing/points.ndjson.gz': gzipSync(probeNdjson({ seed: 2 })),
    ...files,
  };
  for (const [f, text] of Object.entries(all)) {
    if (text === undefined) continue;
    mkdirSync(join(d, f, '..'), { recursive: true });
    writeFileSync(join(d, f), text);
  }
  return d;
}

let full: string;
beforeAll(async () => {
  full = await campaign('full', {
    'budgets.yaml': 'schema: caplab.budgets/v1\nbudgets:\n  - service: contacts\n    p95: 10s\n  - service: ota\n    p95: 1ms\n',
  });
});

describe('caplab report', () => {
  it('writes report.html, report.md and junit.xml into the campaign dir and prints the recommendation', async () => {
    const r = await runCli(['report', full]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}beijing: \d+ nodes in 2015Q1, \d+ in 2016Q4 \(fleet 420; runs out 2015Q\d\)$/m);
    expect(r.stdout).toContain(`wrote ${join(full, 'report.html')}`);
    const html = readFileSync(join(full, 'report.html'), 'utf8');
    expect(html).toContain('Chart.js v4');
    expect(html).toContain('<canvas data-chart="usl:beijing"');
    const md = readFileSync(join(full, 'report.md'), 'utf8');
    expect(md).toMatch(/^\| beijing \| 420 \|/m);
    expect(md).toContain('| singapore | ota | p95 | ');
    expect(md).toContain('| results/beijing/points.ndjson.gz | k6 points of beijing | measured | read |');
    const xml = parseXml(readFileSync(join(full, 'junit.xml'), 'utf8'));
    // singapore: 3 thresholds (p95 crossed) + per DC 2 budgets (ota's 1 ms p95 broken in both DCs)
    expect(findAll(xml, 'testsuite').map((s) => s.attrs.name)).toEqual(['budgets beijing', 'thresholds singapore', 'budgets singapore']);
    expect(xml.attrs).toMatchObject({ tests: '7', failures: '3' });
    expect(r.stdout).toContain('3 threshold/budget checks failed (see junit.xml)');
    // Atomic writes leave no temp files behind.
    expect(readdirSync(full).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('needs only plan.json, and reads a --summary-export shaped summary', async () => {
    const d = await campaign('minimal', {
      'forecast.json': undefined, 'traffic.json': undefined, 'results/singapore/points.ndjson': undefined, 'results/beijing/points.ndjson.gz': undefined,
      'results/singapore/summary.json': JSON.stringify(toSummaryExport(summaryFixture({ p95: 100, errorRate: 0.05, rps: 10 }))),
    });
    const r = await runCli(['report', d, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const md = readFileSync(join(d, 'report.md'), 'utf8');
    expect(md).toContain('_Not available: no forecast.json._');
    expect(md).toContain('| singapore | http_req_failed | rate<0.01 | 0.05 | ❌ fail |');
    expect(md).toContain('| forecast.json | growth forecast | modeled | absent | optional |');
  });

  it('merges a DC\'s several points files (segments, pods) by points', async () => {
    const lines = probeNdjson({ seed: 5, steps: [1, 2, 4] }).trimEnd().split('\n');
    const header = lines.filter((l) => l.includes('"Metric"'));
    const points = lines.filter((l) => l.includes('"Point"'));
    const half = Math.floor(points.length / 2);
    const d = await campaign('segments', {
      'forecast.json': undefined, 'traffic.json': undefined, 'results/singapore/summary.json': undefined, 'results/singapore/points.ndjson': undefined,
      'results/beijing/points.ndjson.gz': undefined,
      'results/us-west-2/points-0.ndjson': `${[...header, ...points.slice(0, half)].join('\n')}\n`,
      'results/us-west-2/points-1.ndjson.gz': gzipSync(`${[...header, ...points.slice(half)].join('\n')}\n`),
    });
    const r = await runCli(['report', d, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const requests = points.filter((l) => l.includes('"metric":"http_reqs"')).length;
    const md = readFileSync(join(d, 'report.md'), 'utf8');
    expect(md).toMatch(new RegExp(`^\\| us-west-2 \\| ${requests.toLocaleString('en-US')} \\|`, 'm'));
    expect(md).toContain('| results/us-west-2/points-1.ndjson.gz | k6 points of us-west-2 | measured | read |');
  });

  it('exits 104 naming every missing or invalid file and JSON path, and writes nothing', async () => {
    const plan = JSON.parse(JSON.stringify((await campaignFixture()).plan));
    plan.dcs.beijing.capacity.binds = 'neither';
    delete plan.dcs.singapore.quarters[0].planned;
    const d = await campaign('bad', {
      'plan.json': JSON.stringify(plan),
      'traffic.json': '{"schema": "caplab.traffic/v1",\n "placement": 3',
      'results/singapore/points.ndjson': 'hello\nworld\n',
    });
    const r = await runCli(['report', d]);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain(`${join(d, 'plan.json')}: dcs.beijing.capacity.binds`);
    expect(r.stderr).toContain(`${join(d, 'plan.json')}: dcs.singapore.quarters[0].planned`);
    expect(r.stderr).toContain(`\n  ${join(d, 'traffic.json')}:2: not valid JSON`);
    expect(r.stderr).toContain(`${join(d, 'results', 'singapore', 'points.ndjson')}: no line is a k6`);
    expect(r.stderr).toContain('cannot be reported: 4 problems');
    expect(existsSync(join(d, 'report.html'))).toBe(false);
    expect(existsSync(join(d, 'junit.xml'))).toBe(false);
  });

  it('exits 104 when plan.json is missing or the directory does not exist', async () => {
    const d = await campaign('noplan', { 'plan.json': undefined });
    const r = await runCli(['report', d]);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain(`${join(d, 'plan.json')}: no such file: the report's first screen needs the capacity plan`);
    const r2 = await runCli(['report', join(dir, 'nowhere')]);
    expect(r2.code).toBe(104);
    expect(r2.stderr).toContain('no such directory');
    const r3 = await runCli(['report']);
    expect(r3.code).toBe(104);
  });
});

/** A campaign dir as a campaign leaves it: its files, then campaign.json listing them (the CLI's own writer). */
async function withManifest(name: string, quick: boolean, files: Record<string, string | Buffer | undefined> = {}): Promise<string> {
  const d = await campaign(name, { 'budgets.json': JSON.stringify({ schema: 'caplab.budgets/v1', budgets: [{ service: 'ota', p95: '1ms' }] }), ...files });
  await writeCampaignManifest(d, { runId: `run-${name}`, startedAt: '2026-12-05T10:00:00Z', finishedAt: '2026-12-05T10:04:00Z', quick, seed: 1, dcs: ['beijing', 'singapore'], skipped: [], budgets: 'budgets.json' });
  return d;
}

const manifestFiles = (d: string): Record<string, { sha256: string }> =>
  (JSON.parse(readFileSync(join(d, 'campaign.json'), 'utf8')) as { files: Record<string, { sha256: string }> }).files;

describe('caplab report on a campaign folder with campaign.json', () => {
  it('reports, records exactly the files it wrote in the manifest, and reports the same folder again', async () => {
    const d = await withManifest('manifest', false);
    const before = manifestFiles(d);
    const r = await runCli(['report', d, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const after = manifestFiles(d);
    expect(Object.keys(after).sort()).toEqual([...Object.keys(before), 'junit.xml', 'report.html', 'report.md'].sort());
    for (const [f, e] of Object.entries(before)) expect(after[f], f).toEqual(e);
    // The budgets the campaign ran with (campaign.json `budgets`) judge: ota's 1 ms p95 is broken.
    expect(readFileSync(join(d, 'report.md'), 'utf8')).toContain('| singapore | ota | p95 | ');
    // No quick label on a full run.
    expect(readFileSync(join(d, 'report.md'), 'utf8')).not.toContain('Quick run');
    const again = await runCli(['report', d, '--quiet']);
    expect(again.code, again.stderr).toBe(0);
  });

  it('refuses (exit 104) a folder mixing files of different runs, naming each, and writes nothing', async () => {
    const d = await withManifest('mixed', false);
    appendFileSync(join(d, 'plan.json'), ' ');
    writeFileSync(join(d, 'results', 'singapore', 'points-old.ndjson'), probeNdjson({ seed: 9 }));
    const r = await runCli(['report', d]);
    expect(r.code).toBe(104);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${d}/plan.json: changed since run run-mixed wrote it (another run's file?)`);
    expect(r.stderr).toContain(`${d}/results/singapore/points-old.ndjson: not written by run run-mixed (a file from another run?)`);
    expect(existsSync(join(d, 'report.html'))).toBe(false);
    expect(existsSync(join(d, 'report.md'))).toBe(false);
  });

  it('labels a --quick campaign as quick at the top of report.md and in report.html\'s header', async () => {
    const d = await withManifest('quick', true);
    const r = await runCli(['report', d, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(join(d, 'report.md'), 'utf8');
    const top = md.slice(0, md.indexOf('## '));
    expect(top).toContain('> Quick run (caplab campaign --quick; campaign.json says quick: true): a smoke run with few, short load steps');
    expect(readFileSync(join(d, 'report.html'), 'utf8')).toMatch(/<header>.*<p class="note">Quick run \(caplab campaign --quick; campaign\.json says quick: true\)/);
  });

  it('recognises a quick campaign without campaign.json by its probe specs (the quick steps of data/scenarios.json)', async () => {
    const settings = JSON.parse(readFileSync(join(REPO_ROOT, 'data', 'scenarios.json'), 'utf8')) as { probe: { vus: number[]; warmupSeconds: number; measureSeconds: number }; quick: { probe: { vus: number[]; warmupSeconds: number; measureSeconds: number } } };
    const probe = (p: { vus: number[]; warmupSeconds: number; measureSeconds: number }): string => JSON.stringify({
      schema: 'caplab.scenario/v1', name: 'singapore-probe',
      options: { scenarios: Object.fromEntries(p.vus.map((v) => [`probe_${v}`, { executor: 'constant-vus', vus: v, duration: `${p.warmupSeconds + p.measureSeconds}s` }])) },
    });
    const quick = await campaign('old-quick', { 'scenarios/singapore-probe.json': probe(settings.quick.probe), 'scenarios/beijing-probe.json': probe(settings.quick.probe) });
    expect((await runCli(['report', quick, '--quiet'])).code).toBe(0);
    expect(readFileSync(join(quick, 'report.md'), 'utf8')).toContain('> Quick run (caplab campaign --quick; no campaign.json; its probe specs have the quick steps)');
    const full = await campaign('old-full', { 'scenarios/singapore-probe.json': probe(settings.probe) });
    expect((await runCli(['report', full, '--quiet'])).code).toBe(0);
    expect(readFileSync(join(full, 'report.md'), 'utf8')).not.toContain('Quick run');
  });
});
