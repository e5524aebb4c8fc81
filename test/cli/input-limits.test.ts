/**
 * Round 2 item 4: unbounded input. Repeated history rows gave one problem per pair of rows (499,500 lines for 1,000
 * rows, a crash at 4,000, heap exhaustion at 16,000), and big files hung past two minutes. Now problems are linear
 * and capped on screen, and oversized files are refused before parsing (data/limits.json), each with exit 104.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../models/limits.ts';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';

const dirs: string[] = [];
const dir = (): string => {
  const d = tempDir('caplab-limits-');
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach(removeDir));

const repeatedHistory = (d: string, rows: number): string => {
  const path = join(d, `rep-${rows}.csv`);
  writeFileSync(path, `period,shipments\n${'2013,5000000\n'.repeat(rows)}`);
  return path;
};

describe('oversized and repetitive inputs', () => {
  it('1,000 repeated history rows: 999 problems, the first 20 shown, then "... and 979 more"', async () => {
    const d = dir();
    const file = repeatedHistory(d, 1000);
    const { code, stderr } = await runCli(['--out-dir', join(d, 'out'), 'forecast', '--history', file]);
    expect(code).toBe(104);
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`caplab: ${file} is invalid: 999 problems`);
    expect(lines).toHaveLength(1 + LIMITS.problemsShown + 1);
    expect(lines[1]).toBe(`  ${file}:3: period 2013 duplicates ${file}:2`);
    expect(lines.at(-1)).toBe(`  ... and ${999 - LIMITS.problemsShown} more`);
  });

  it('16,000 repeated rows: a clear 104, no stack trace, no heap exhaustion', async () => {
    const d = dir();
    const file = repeatedHistory(d, 16_000);
    const { code, stderr } = await runCli(['--out-dir', join(d, 'out'), 'forecast', '--history', file]);
    expect(code).toBe(104);
    expect(stderr).toContain(`caplab: ${file} is invalid: 15,999 problems`);
    expect(stderr).toContain(`... and 15,${999 - LIMITS.problemsShown} more`);
    expect(stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it('a history file over its size limit is refused at once, naming the file, its size and the limit', async () => {
    const d = dir();
    const file = join(d, 'huge.csv');
    const row = '2013,5000000\n';
    writeFileSync(file, `period,shipments\n${row.repeat(Math.ceil((LIMITS.historyBytes + 1) / row.length))}`);
    const { code, stderr } = await runCli(['--out-dir', join(d, 'out'), 'forecast', '--history', file]);
    expect(code).toBe(104);
    expect(stderr).toMatch(new RegExp(`^caplab: history file ${file} is [\\d.]+ KiB \\(\\d+ bytes\\), over the limit of 256 KiB for this input \\(data/limits\\.json\\)\n$`));
  });

  it('any other input over the general limit (8 MiB) is refused the same way', async () => {
    const d = dir();
    const file = join(d, 'forecast.json');
    writeFileSync(file, `{"pad": "${'x'.repeat(LIMITS.inputBytes)}"}`);
    const { code, stderr } = await runCli(['--out-dir', join(d, 'out'), 'traffic', '--forecast', file, '--json']);
    expect(code).toBe(104);
    expect(stderr).toMatch(/^caplab: forecast file .*forecast\.json is 8\.0 MiB \(\d+ bytes\), over the limit of 8 MiB for this input/);
  });

  it('a YAML catalog over the YAML limit is refused before parsing', async () => {
    const d = dir();
    const file = join(d, 'catalog.yaml');
    const svc = '  - name: svc\n    flow: { steps: [] }\n';
    writeFileSync(file, `schema: caplab.catalog/v1\nservices:\n${svc.repeat(Math.ceil((LIMITS.yamlBytes + 1) / svc.length))}`);
    const { code, stderr } = await runCli(['--out-dir', join(d, 'out'), 'traffic', '--catalog', file, '--json']);
    expect(code).toBe(104);
    expect(stderr).toMatch(/service catalog .*catalog\.yaml is [\d.]+ MiB \(\d+ bytes\), over the limit of 1 MiB/);
  });

  it('a directory given as an input file is refused with 104', async () => {
    const d = dir();
    const folder = join(d, 'history.csv');
    mkdirSync(folder);
    const { code, stderr } = await runCli(['--out-dir', join(d, 'out'), 'forecast', '--history', folder]);
    expect(code).toBe(104);
    expect(stderr).toBe(`caplab: cannot read history file ${folder}: is a directory, not a file\n`);
  });
});
