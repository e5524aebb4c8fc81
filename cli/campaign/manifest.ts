/**
 * Reading and writing a campaign folder's manifest (`campaign.json`, reports/ingest/campaign-manifest.ts): the
 * digests of every file under the folder, and the check report and gate run before they trust a folder.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ValidationError } from '../../models/errors.ts';
import { CAMPAIGN_MANIFEST, type CampaignManifest, CampaignManifestSchema, type FileDigest, manifestProblems } from '../../reports/ingest/campaign-manifest.ts';
import { parseJsonInput, readTextInput, writeFileAtomic } from '../io.ts';

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

/**
 * Reads a campaign folder's manifest and checks the folder against it.
 * @param dir the campaign folder
 * @returns the manifest, or undefined when the folder has none (not written by a campaign: e.g. real k6 results)
 * @throws {ValidationError} when the manifest is invalid or the folder's files are not exactly the run's
 */
export async function checkCampaignFolder(dir: string): Promise<CampaignManifest | undefined> {
  const path = join(dir, CAMPAIGN_MANIFEST);
  try {
    if (!(await stat(path)).isFile()) return undefined;
  } catch {
    return undefined;
  }
  const parsed = CampaignManifestSchema.safeParse(parseJsonInput(await readTextInput(path, 'campaign manifest'), path));
  if (!parsed.success) {
    throw new ValidationError(`${path} is invalid`, parsed.error.issues.map((i) => ({ where: `${path}: ${i.path.join('.') || '(root)'}`, message: i.message })));
  }
  const problems = manifestProblems(parsed.data, await folderDigests(dir), dir);
  if (problems.length > 0) throw new ValidationError(`${dir} mixes files of different runs`, problems);
  return parsed.data;
}
