import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';
import { probeNdjson, type ProbeOptions } from '../../reports/render/fixtures.ts';

const dir = tempDir('caplab-compare-');
afterAll(() => removeDir(dir));

/** A results dir (layout <dc>/points.ndjson), optionally under a campaign dir's results/. */
function run(name: string, o: ProbeOptions, campaign = false): string {
  const root = join(dir, name);
  const dcDir = join(root, ...(campaign ? ['results'] : []), 'singapore');
  mkdirSync(dcDir, { recursive: true });
  writeFileSync(join(dcDir, 'points.ndjson'), probeNdjson(o));
  return root;
}

describe('caplab compare', () => {
  it('prints the Markdown table, writes compare.md and compare.html, and flags a 30% p95 regression', async () => {
    const a = run('base', { seed: 3 }, true);
    const b = run('cand', { seed: 3, latencyScale: 1.3 });
    const out = join(dir, 'out');
    const r = await runCli(['--out-dir', out, 'compare', a, b]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| singapore \| p95 latency \| .* \| ❌ regression \|/);
    expect(r.stdout).toMatch(/\| singapore \| requests\/s \| .* \| no change \|/);
    expect(readFileSync(join(out, 'compare.md'), 'utf8')).toContain('# Run comparison:');
    expect(readFileSync(join(out, 'compare.html'), 'utf8')).toContain('id="comparison-table"');
  });

  it('calls the same run twice "no change" and prints JSON with --json, writing nothing', async () => {
    const a = run('same-a', { seed: 4 });
    const b = run('same-b', { seed: 4 });
    const out = join(dir, 'json-out');
    const r = await runCli(['--out-dir', out, '--seed', '9', 'compare', a, b, '--json', '--resamples', '500']);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.schema).toBe('caplab.comparison/v1');
    expect(c.seed).toBe(9);
    expect(c.resamples).toBe(500);
    expect(c.summary.regressions + c.summary.improvements).toBe(0);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 104 for missing or empty directories and bad options', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    const r = await runCli(['compare', join(dir, 'nope'), empty]);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain(`${join(dir, 'nope')}: no such directory`);
    expect(r.stderr).toContain(`${empty}: no results`);
    expect((await runCli(['compare', empty])).code).toBe(104);
    const a = run('opt', { seed: 1 });
    const bad = await runCli(['compare', a, a, '--level', '2']);
    expect(bad.code).toBe(104);
    expect(bad.stderr).toContain('--level "2" is out of range');
  });
});
