/**
 * Where a campaign writes: a staging folder beside the output folder (`<out>.staging-<runId>`, same parent, so the
 * final move is a rename on one filesystem), swapped into place when the run has finished and its manifest is
 * written. `<out>` therefore always holds one complete run: the previous one until the swap, the new one after it.
 * A run killed half-way leaves its staging folder (named in its log); the next run into the same `<out>` removes
 * such leftovers, and first completes a swap a kill cut short (a staging folder with its manifest is a finished run).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CAMPAIGN_ENTRIES as ENTRIES, MANIFEST } from '../../pipeline/layout.ts';
import { InputError, ScriptError } from '../errors.ts';

/**
 * Entries a campaign, or another caplab command sharing the default --out-dir, writes at the top of the folder: a
 * folder holding only these (and no manifest, e.g. one written before manifests existed) may be replaced; anything
 * else is the user's, or a running `caplab stack up`'s (stacks.json, stacks-data), and is never moved or deleted.
 */
const CAMPAIGN_ENTRIES: ReadonlySet<string> = new Set(ENTRIES);

/**
 * A new run id: UTC time to the second and 6 random hex digits, e.g. `20261205T161000Z-a1b2c3`; safe in file names.
 * @returns the id
 */
export function newRunId(): string {
  const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  return `${t}-${randomBytes(3).toString('hex')}`;
}

/**
 * The staging folder of a run.
 * @param out the output folder (absolute)
 * @param runId the run's id
 * @returns `<out>.staging-<runId>`
 */
export function stagingDir(out: string, runId: string): string {
  return `${out}.staging-${runId}`;
}

/** Leftovers of earlier runs into `out`: staging and trash folders beside it. */
function leftovers(out: string): { staging: string[]; trash: string[] } {
  const parent = dirname(out);
  const name = basename(out);
  const entries = existsSync(parent) ? readdirSync(parent) : [];
  const pick = (kind: string): string[] => entries.filter((e) => e.startsWith(`${name}.${kind}-`)).map((e) => join(parent, e)).sort();
  return { staging: pick('staging'), trash: pick('trash') };
}

/**
 * Checks that `out` may be replaced by a campaign: absent, empty, a campaign folder (it has `campaign.json`), or
 * holding only what a campaign writes. Called before any work, so a wrong `--out-dir` costs nothing.
 * @param out the output folder (absolute)
 * @throws {InputError} when `out` is a file, or a folder holding anything a campaign does not write
 */
export function checkOutDir(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new InputError(`--out-dir ${out}: is a file, not a folder`);
  const entries = readdirSync(out);
  if (entries.includes(MANIFEST)) return;
  const foreign = entries.filter((e) => !CAMPAIGN_ENTRIES.has(e));
  if (foreign.length > 0) {
    throw new InputError(`--out-dir ${out}: holds ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? `, and ${foreign.length - 5} more` : ''}, ` +
      'not written by a campaign; a campaign replaces its whole folder when it finishes: choose an empty or new folder, or a campaign\'s');
  }
}

/** Whether a process with this pid is running (EPERM: it is, under another user). */
function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<out>.lock` for this process, so that a second campaign into the same folder does not take the first one's
 * staging folder for a leftover (and remove it). A lock whose process is gone is stale and taken over.
 * @param out the output folder (absolute)
 * @returns the release (removes the lock)
 * @throws {InputError} when a running campaign holds the folder
 * @throws {ScriptError} when the lock cannot be written
 */
export function lockOutDir(out: string): () => void {
  const lock = `${out}.lock`;
  for (let attempt = 1; ; attempt++) {
    try {
      mkdirSync(dirname(lock), { recursive: true });
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) {
        throw new ScriptError(`cannot lock ${out} (${lock}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      let holder = NaN;
      try {
        holder = Number(readFileSync(lock, 'utf8').trim());
      } catch { /* removed meanwhile: try again */ }
      if (alive(holder) && holder !== process.pid) throw new InputError(`--out-dir ${out}: campaign process ${holder} is writing into it (${lock}); wait for it to finish or choose another folder`);
      rmSync(lock, { force: true });
    }
  }
}

/**
 * Cleans up after earlier runs into `out` and creates this run's staging folder. A staging folder with its manifest
 * is a finished run whose swap was cut short: it becomes `<out>` when `<out>` is missing. A trash folder with no
 * `<out>` is the previous run, restored. Every other leftover is removed.
 * @param out the output folder (absolute)
 * @param runId this run's id
 * @param log where each action is reported
 * @returns the staging folder, created and empty
 * @throws {ScriptError} when a folder cannot be created, moved or removed
 */
export async function prepareStaging(out: string, runId: string, log: (line: string) => void): Promise<string> {
  const { staging, trash } = leftovers(out);
  try {
    if (!existsSync(out)) {
      const finished = staging.filter((s) => existsSync(join(s, MANIFEST))).pop();
      const restore = finished ?? trash.pop();
      if (restore) {
        await rename(restore, out);
        log(`completed an interrupted swap: ${restore} -> ${out}`);
      }
    }
    for (const dir of [...staging, ...trash]) {
      if (!existsSync(dir)) continue;
      await rm(dir, { recursive: true, force: true });
      log(`removed ${dir}, left by an earlier run that did not finish`);
    }
    const dir = stagingDir(out, runId);
    await mkdir(dir, { recursive: true });
    return dir;
  } catch (err) {
    throw new ScriptError(`cannot prepare the staging folder beside ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * Moves a finished run's staging folder into place: the old `<out>` is renamed aside to `<out>.trash-<runId>`, the
 * staging folder renamed to `<out>`, and the old one deleted. Both renames are within one parent folder.
 * @param staging the finished staging folder (its manifest written)
 * @param out the output folder (absolute)
 * @param runId the run's id
 * @throws {ScriptError} when a rename fails (the staging folder is then left, and named)
 */
export async function commitStaging(staging: string, out: string, runId: string): Promise<void> {
  const trash = `${out}.trash-${runId}`;
  try {
    if (existsSync(out)) await rename(out, trash);
    await rename(staging, out);
  } catch (err) {
    throw new ScriptError(`cannot move ${staging} into place as ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // The run is in place by now: an old folder that cannot be removed is the next run's leftover to clean, not a failure.
  await rm(trash, { recursive: true, force: true }).catch(() => {});
}
