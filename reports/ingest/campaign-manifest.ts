/**
 * The manifest of a campaign folder (`campaign.json`, `caplab.campaign/v1`): which run wrote the folder, what it
 * loaded and with which budgets, and every file it wrote with its size and SHA-256. Report and gate read it to
 * refuse a folder whose files come from different runs (a re-run killed half-way, files copied in by hand) and to
 * know which DCs must have results. Pure: parsed data and file digests in, problems out; the CLI reads the files.
 */
import { z } from 'zod';
import type { Problem } from '../../models/errors.ts';

/** The manifest's file name inside a campaign folder. */
export const CAMPAIGN_MANIFEST = 'campaign.json';

/** Size and digest of one file. */
export const FileDigestSchema = z.object({
  /** Size, bytes. */
  bytes: z.number().int().nonnegative(),
  /** SHA-256 of the contents, lowercase hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
}).strict();

/** Size and digest of one file. */
export type FileDigest = z.infer<typeof FileDigestSchema>;

/** `campaign.json`. */
export const CampaignManifestSchema = z.object({
  schema: z.literal('caplab.campaign/v1'),
  /** Unique id of the run that wrote the folder. */
  runId: z.string().min(1),
  /** When the run started and finished (ISO 8601); `finishedAt` is absent while the run is still going. */
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  /** Whether the run was a `--quick` smoke run. */
  quick: z.boolean(),
  /** The campaign's seed. */
  seed: z.number().int(),
  /** DCs whose probe, sweep and replay were loaded (each must have results/<dc>/). */
  dcs: z.array(z.string()),
  /** DCs of the placement with no demand, not loaded. */
  skipped: z.array(z.string()),
  /** Path (relative to the folder, inside it) of the budgets the run used, `caplab.budgets/v1`. */
  budgets: z.string().min(1).refine((p) => !/^([\\/]|[A-Za-z]:)/.test(p) && !p.split(/[\\/]/).includes('..'), {
    message: 'must be a path inside the campaign folder (relative, no ..): the budgets the run used are part of its folder',
  }),
  /** Every file the run wrote (paths relative to the folder, `/`-separated), except the manifest itself. */
  files: z.record(z.string(), FileDigestSchema),
}).strict();

/** `campaign.json`. */
export type CampaignManifest = z.infer<typeof CampaignManifestSchema>;

/**
 * Compares a folder's files with its manifest: every file the manifest lists must be there with its size and digest,
 * and no other file may sit among them (it came from another run).
 * @param manifest the parsed manifest
 * @param actual the folder's files (relative `/`-separated paths) with their digests, the manifest excluded
 * @param where how to name the folder in problems (e.g. its path)
 * @returns every problem, empty when the folder is exactly what the run wrote
 */
export function manifestProblems(manifest: CampaignManifest, actual: Readonly<Record<string, FileDigest>>, where: string): Problem[] {
  const problems: Problem[] = [];
  for (const [path, want] of Object.entries(manifest.files)) {
    const got = actual[path];
    if (!got) problems.push({ where: `${where}/${path}`, message: `missing: run ${manifest.runId} wrote it` });
    else if (got.sha256 !== want.sha256 || got.bytes !== want.bytes) problems.push({ where: `${where}/${path}`, message: `changed since run ${manifest.runId} wrote it (another run's file?)` });
  }
  for (const path of Object.keys(actual)) {
    if (!(path in manifest.files)) problems.push({ where: `${where}/${path}`, message: `not written by run ${manifest.runId} (a file from another run?)` });
  }
  return problems;
}
