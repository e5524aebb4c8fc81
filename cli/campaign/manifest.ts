/**
 * Reading and writing a campaign folder's manifest (`campaign.json`, reports/ingest/campaign-manifest.ts): the
 * digests of every file under the folder, and the check report and gate run before they trust a folder.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { type Problem, ValidationError } from '../../models/errors.ts';
import { CAMPAIGN_MANIFEST, type CampaignManifest, CampaignManifestSchema, type FileDigest, manifestProblems } from '../../reports/ingest/campaign-manifest.ts';
import { collect } from '../collect.ts';
import { writeFileAtomic } from '../io.ts';
import { readJson } from '../inputs/json.ts';

/** Temp files of an atomic write in progress (cli/io.ts) are not part of a folder. */
const TEMP = /\.tmp-\d+-[0-9a-f]{8}$/;

async function digest(path: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * Size and SHA-256 of every file under a folder (recursively), the manifest and temp files excluded.
 * @param dir the folder
 * @returns digests by `/`-separated path relative to the folder
 */
export async function folderDigests(dir: string): Promise<Record<string, FileDigest>> {
  const out: Record<string, FileDigest> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && !TEMP.test(e.name)) {
        const rel = relative(dir, p).split(sep).join('/');
        if (rel !== CAMPAIGN_MANIFEST) out[rel] = await digest(p);
      }
    }
  };
  await walk(dir);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Writes `campaign.json` into a campaign folder, listing every file now under it with its digest.
 * @param dir the campaign folder
 * @param info the manifest without its file list
 */
export async function writeCampaignManifest(dir: string, info: Omit<CampaignManifest, 'schema' | 'files'>): Promise<void> {
  const manifest: CampaignManifest = { schema: 'caplab.campaign/v1', ...info, files: await folderDigests(dir) };
  await writeFileAtomic(join(dir, CAMPAIGN_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** What {@link inspectCampaignFolder} found. */
export interface CampaignFolderCheck {
  /** The manifest, when it is valid (even if the folder's files do not match it). */
  manifest?: CampaignManifest;
  /** Every problem: an invalid manifest, or files missing, changed or added since the run wrote them. */
  problems: Problem[];
}

/**
 * Reads a campaign folder's manifest and compares the folder's files with it, returning every problem instead of
 * throwing, so a command can list them with its own (and still use the manifest's DCs and budgets).
 * @param dir the campaign folder
 * @returns undefined when the folder has no manifest, else the manifest (if valid) and the problems
 * @throws {Error} on I/O failures other than a missing manifest
 */
export async function inspectCampaignFolder(dir: string): Promise<CampaignFolderCheck | undefined> {
  const path = join(dir, CAMPAIGN_MANIFEST);
  if (!(await stat(path).then((s) => s.isFile(), () => false))) return undefined;
  const problems: Problem[] = [];
  const value = await collect(problems, path, async () => readJson(path, 'campaign manifest'));
  if (problems.length > 0) return { problems };
  const parsed = CampaignManifestSchema.safeParse(value);
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((i) => ({ where: `${path}: ${i.path.join('.') || '(root)'}`, message: i.message })) };
  }
  return { manifest: parsed.data, problems: manifestProblems(parsed.data, await folderDigests(dir), dir) };
}

/**
 * Reads a campaign folder's manifest and checks the folder against it.
 * @param dir the campaign folder
 * @returns the manifest, or undefined when the folder has none (not written by a campaign: e.g. real k6 results)
 * @throws {ValidationError} when the manifest is invalid or the folder's files are not exactly the run's
 */
export async function checkCampaignFolder(dir: string): Promise<CampaignManifest | undefined> {
  const found = await inspectCampaignFolder(dir);
  if (!found) return undefined;
  if (!found.manifest) throw new ValidationError(`${join(dir, CAMPAIGN_MANIFEST)} is invalid`, found.problems);
  if (found.problems.length > 0) throw new ValidationError(`${dir} mixes files of different runs`, found.problems);
  return found.manifest;
}

/**
 * Records files a command rewrote inside a checked campaign folder (report.html, report.md, junit.xml) in its
 * manifest, so the folder still checks; every other entry is kept as the run wrote it.
 * @param dir the campaign folder
 * @param manifest the manifest as read before the command wrote (the folder matched it then)
 * @param files the rewritten files, paths relative to `dir`
 * @throws {Error} when a file cannot be read or the manifest cannot be written
 */
export async function updateCampaignManifest(dir: string, manifest: CampaignManifest, files: readonly string[]): Promise<void> {
  const entries = { ...manifest.files };
  for (const f of files) entries[f.split(sep).join('/')] = await digest(join(dir, f));
  const sorted = Object.fromEntries(Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  await writeFileAtomic(join(dir, CAMPAIGN_MANIFEST), `${JSON.stringify({ ...manifest, files: sorted }, null, 2)}\n`);
}
