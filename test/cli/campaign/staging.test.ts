/**
 * The campaign's staging folder on real temp folders: `<out>` is only ever replaced whole, leftovers of a run that
 * did not finish are removed (or, for a finished run whose swap a kill cut short, completed), and a folder that is
 * not a campaign's is never touched.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutDir, commitStaging, lockOutDir, newRunId, prepareStaging, stagingDir } from '../../../cli/campaign/staging.ts';
import { removeDir, tempDir } from '../../helpers/cli.ts';

const root = tempDir('caplab-staging-');
afterAll(() => removeDir(root));
let n = 0;
const fresh = (): string => join(root, `case-${n++}`, 'out');
const put = (path: string, text: string): void => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
};

describe('campaign staging folder', () => {
  it('makes unique run ids usable in file names', () => {
    const a = newRunId();
    expect(a).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(newRunId()).not.toBe(a);
  });

  it('writes beside <out> and swaps the finished run in whole, the old folder gone', async () => {
    const out = fresh();
    put(join(out, 'plan.json'), 'old plan');
    put(join(out, 'results', 'singapore', 'summary.json'), 'old summary');
    const lines: string[] = [];
    const dir = await prepareStaging(out, 'r2', (l) => lines.push(l));
    expect(dir).toBe(stagingDir(out, 'r2'));
    expect(readdirSync(dir)).toEqual([]);
    put(join(dir, 'forecast.json'), 'new forecast');
    // Until the swap <out> is the old run, untouched.
    expect(readFileSync(join(out, 'plan.json'), 'utf8')).toBe('old plan');
    await commitStaging(dir, out, 'r2');
    expect(readdirSync(out)).toEqual(['forecast.json']);
    expect(readdirSync(join(out, '..')).sort()).toEqual(['out']);
    expect(lines).toEqual([]);
  });

  it('removes the leftovers of a run that did not finish, naming them', async () => {
    const out = fresh();
    put(join(out, 'campaign.json'), '{}');
    put(join(stagingDir(out, 'dead'), 'forecast.json'), 'half a run');
    put(join(`${out}.trash-older`, 'plan.json'), 'an old run');
    const lines: string[] = [];
    await prepareStaging(out, 'r3', (l) => lines.push(l));
    expect(readdirSync(join(out, '..')).sort()).toEqual(['out', 'out.staging-r3']);
    expect(lines.join('\n')).toMatch(/removed .*out\.staging-dead/);
    expect(lines.join('\n')).toMatch(/removed .*out\.trash-older/);
  });

  it('completes a swap a kill cut short: a staging folder with its manifest and no <out> is the finished run', async () => {
    const out = fresh();
    put(join(stagingDir(out, 'done'), 'campaign.json'), '{"runId":"done"}');
    put(join(`${out}.trash-done`, 'campaign.json'), '{"runId":"old"}');
    const lines: string[] = [];
    await prepareStaging(out, 'r4', (l) => lines.push(l));
    expect(readFileSync(join(out, 'campaign.json'), 'utf8')).toContain('"done"');
    expect(readdirSync(join(out, '..')).sort()).toEqual(['out', 'out.staging-r4']);
    // With no finished staging folder, the previous run moved aside comes back.
    const out2 = fresh();
    put(join(`${out2}.trash-x`, 'campaign.json'), '{"runId":"old"}');
    put(join(stagingDir(out2, 'half'), 'forecast.json'), 'half');
    await prepareStaging(out2, 'r5', () => {});
    expect(readFileSync(join(out2, 'campaign.json'), 'utf8')).toContain('"old"');
    expect(existsSync(stagingDir(out2, 'half'))).toBe(false);
  });

  it('locks <out> against a second campaign while the first runs; a lock whose process is gone is taken over', () => {
    const out = fresh();
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(`${out}.lock`, `${process.ppid}\n`); // a live process other than this one
    expect(() => lockOutDir(out)).toThrow(new RegExp(`campaign process ${process.ppid} is writing into it`));
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: its pid is free
    writeFileSync(`${out}.lock`, `${gone}\n`);
    const release = lockOutDir(out);
    expect(readFileSync(`${out}.lock`, 'utf8').trim()).toBe(String(process.pid));
    release();
    expect(existsSync(`${out}.lock`)).toBe(false);
  });

  it('refuses an --out-dir holding files a campaign does not write, before any work', () => {
    const out = fresh();
    expect(() => checkOutDir(out)).not.toThrow();
    put(join(out, 'plan.json'), 'a campaign file');
    put(join(out, 'results', 'x'), 'inside a campaign folder');
    expect(() => checkOutDir(out)).not.toThrow();
    put(join(out, 'thesis.tex'), 'the user\'s');
    expect(() => checkOutDir(out)).toThrow(/--out-dir .*out: holds thesis\.tex, not written by a campaign/);
    put(join(out, 'campaign.json'), '{}');
    expect(() => checkOutDir(out)).not.toThrow();
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    expect(() => checkOutDir(file)).toThrow(/is a file/);
  });
});
