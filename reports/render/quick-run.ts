/**
 * The label of a `--quick` campaign's report: a smoke run's fits rest on a few short steps, so the first screen of
 * report.html and the top of report.md say so. Whether a run was quick comes from its manifest (campaign.json
 * `quick`); a folder written before manifests existed is recognised by its probe specs, whose steps are the quick
 * settings' (data/scenarios.json `quick.probe`: fewer concurrency steps, each shorter). Pure.
 */

/** How a run was found to be quick. */
export type QuickEvidence = 'manifest' | 'probe-specs';

/** The quick probe's steps (data/scenarios.json `quick.probe`). */
export interface QuickProbeSettings {
  /** VUs of each concurrency step, in order. */
  vus: readonly number[];
  /** Warm-up and measured seconds of each step. */
  warmupSeconds: number;
  measureSeconds: number;
}

/**
 * Whether a probe spec (`scenarios/<dc>-probe.json`) has exactly the quick probe's steps: one `probe_<vus>` scenario per
 * quick step, each lasting warm-up + measure seconds.
 * @param spec the parsed spec (anything; a spec of another shape is not quick)
 * @param quick the quick probe settings
 * @returns true when its steps are the quick ones
 * @example isQuickProbeSpec(JSON.parse(text), { vus: [1, 4], warmupSeconds: 1, measureSeconds: 2 })
 */
export function isQuickProbeSpec(spec: unknown, quick: QuickProbeSettings): boolean {
  const scenarios = (spec as { options?: { scenarios?: unknown } } | null)?.options?.scenarios;
  if (typeof scenarios !== 'object' || scenarios === null) return false;
  const steps = Object.entries(scenarios as Record<string, { vus?: unknown; duration?: unknown }>).filter(([name]) => name.startsWith('probe_'));
  const want = `${quick.warmupSeconds + quick.measureSeconds}s`;
  return steps.length === quick.vus.length &&
    quick.vus.every((v, i) => steps[i]?.[0] === `probe_${v}` && steps[i]?.[1].vus === v && steps[i]?.[1].duration === want);
}

/**
 * The note shown first in both reports for a quick run.
 * @param evidence how the run was found to be quick
 * @returns one sentence for the report's notes
 */
export function quickRunNote(evidence: QuickEvidence): string {
  const how = evidence === 'manifest' ? 'campaign.json says quick: true' : 'no campaign.json; its probe specs have the quick steps';
  return `Quick run (caplab campaign --quick; ${how}): a smoke run with few, short load steps, so the capacity fits and ` +
    'the replay figures are less certain than a full campaign\'s. Run caplab campaign without --quick before sizing on it.';
}
