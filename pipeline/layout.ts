/**
 * The names of a campaign folder's files, written once: every path inside a campaign folder (and the files the stage
 * commands write into their `--out-dir`, which share the names) comes from here, relative to the folder and
 * `/`-separated, so that campaign, report, gate, compare, refine, load runs and the manifest agree on them. Joining
 * with the folder (node:path `join`) is the caller's: this module touches no file.
 */
import { CAMPAIGN_MANIFEST } from '../reports/ingest/campaign-manifest.ts';

/** The campaign's manifest, written last: a folder holding it is a finished run (`caplab.campaign/v1`). */
export const MANIFEST = CAMPAIGN_MANIFEST;
/** The world the campaign planned in (`caplab.world/v1`, its driver's file named absolutely). */
export const WORLD = 'world.json';
/** The growth forecast (`caplab.forecast/v1`), when the world's driver is one. */
export const FORECAST = 'forecast.json';
/** Demand per DC, quarter and service (`caplab.traffic/v1`). */
export const TRAFFIC = 'traffic.json';
/** The population of the loaded quarter (`caplab.population/v1`). */
export const POPULATION = 'population.json';
/** The capacity plan (`caplab.plan/v1`). */
export const PLAN = 'plan.json';
/** The budgets the run judged by (`caplab.budgets/v1`), copied whatever their source. */
export const BUDGETS = 'budgets.json';
/** Where `caplab report` looks for budgets in a folder whose manifest names none, in this order. */
export const BUDGETS_FILES: readonly string[] = ['budgets.json', 'budgets.yaml', 'budgets.yml'];
/** Calibrated demand (`caplab.demand/v1`) of `caplab demand fit`. */
export const DEMAND = 'demand.json';
/** The built-in stacks' URLs as `caplab stack up` writes them. */
export const STACKS = 'stacks.json';
/** Folder of the scenario specs and their users files. */
export const SCENARIOS_DIR = 'scenarios';
/** Folder of the capacity runs (probe, sweep, refinement rounds), one sub-folder per DC. */
export const CAPACITY_DIR = 'capacity';
/** Folder of the replay runs, one sub-folder per DC: what budgets and the gate judge. */
export const RESULTS_DIR = 'results';
/** Folder of generated k6 scripts. */
export const K6_DIR = 'k6';
/** The report, self-contained HTML, rewritten by every `caplab report`. */
export const REPORT_HTML = 'report.html';
/** The report in Markdown, rewritten by every `caplab report`. */
export const REPORT_MD = 'report.md';
/** The JUnit file of the report (campaign folder) or of the gate (results folder). */
export const JUNIT = 'junit.xml';
/** `caplab compare`'s table in Markdown. */
export const COMPARE_MD = 'compare.md';
/** `caplab compare`'s page. */
export const COMPARE_HTML = 'compare.html';

/**
 * Entries a campaign, or another caplab command sharing the default --out-dir, writes at the top of the folder: a
 * folder holding only these may be replaced by a campaign; anything else is the user's.
 */
export const CAMPAIGN_ENTRIES: readonly string[] = [
  MANIFEST, WORLD, FORECAST, TRAFFIC, POPULATION, BUDGETS, PLAN, SCENARIOS_DIR, CAPACITY_DIR,
  RESULTS_DIR, REPORT_HTML, REPORT_MD, JUNIT, K6_DIR, DEMAND, COMPARE_MD, COMPARE_HTML,
];

/** A load run of the campaign: the probe, the sweep, a refinement round (`refine-<n>`), the connection probe or the replay. */
export type LoadKind = 'probe' | 'sweep' | 'replay' | 'connections' | `refine-${number}`;

/**
 * A scenario spec of the folder.
 * @param dc data center
 * @param kind `probe`, `sweep`, `replay` or `refine-<n>`
 * @returns `scenarios/<dc>-<kind>.json`
 * @example specFile('singapore', 'probe') // 'scenarios/singapore-probe.json'
 */
export function specFile(dc: string, kind: string): string {
  return `${SCENARIOS_DIR}/${dc}-${kind}.json`;
}

/**
 * Whether a file of the scenarios folder is a probe spec (`<dc>-probe.json`).
 * @param name file name
 * @returns whether it is
 */
export function isProbeSpec(name: string): boolean {
  return name.endsWith('-probe.json');
}

/**
 * The refinement spec of a DC and round.
 * @param dc data center
 * @param round 1-based round
 * @returns `scenarios/<dc>-refine-<round>.json`
 */
export function refineSpecFile(dc: string, round: number): string {
  return specFile(dc, `refine-${round}`);
}

/**
 * The users file a DC's specs read (beside them).
 * @param dc data center
 * @returns `scenarios/users-<dc>.ndjson`
 */
export function usersFile(dc: string): string {
  return `${SCENARIOS_DIR}/${usersFileName(dc)}`;
}

/**
 * The users file's name alone, as a spec names it (relative to the spec).
 * @param dc data center
 * @returns `users-<dc>.ndjson`
 */
export function usersFileName(dc: string): string {
  return `users-${dc}.ndjson`;
}

/**
 * One DC's folder of capacity runs.
 * @param dc data center
 * @returns `capacity/<dc>`
 */
export function capacityDir(dc: string): string {
  return `${CAPACITY_DIR}/${dc}`;
}

/**
 * One DC's folder of replay results.
 * @param dc data center
 * @returns `results/<dc>`
 */
export function resultsDir(dc: string): string {
  return `${RESULTS_DIR}/${dc}`;
}

/**
 * Where a load run of one DC writes: the replay into results/<dc>/ (what budgets and the gate judge), the capacity runs
 * into capacity/<dc>/ with the run's kind in the names.
 * @param kind the run
 * @param dc data center
 * @returns the points (gzipped k6 NDJSON) and summary (handleSummary shape) files
 * @example loadOutputs('probe', 'singapore') // { points: 'capacity/singapore/points-probe.ndjson.gz', summary: 'capacity/singapore/summary-probe.json' }
 */
export function loadOutputs(kind: LoadKind, dc: string): { points: string; summary: string } {
  if (kind === 'replay') return { points: `${resultsDir(dc)}/points.ndjson.gz`, summary: `${resultsDir(dc)}/summary.json` };
  return { points: `${capacityDir(dc)}/points-${kind}.ndjson.gz`, summary: `${capacityDir(dc)}/summary-${kind}.json` };
}

/** A DC's summary file in a results folder. */
export const SUMMARY = 'summary.json';

/** Names of a DC's k6 points files: one per run, execution segment or k6-operator pod. */
export const POINTS_FILE = /^points.*\.ndjson(\.gz)?$/;

/**
 * Whether a file of a DC's folder is a points file of one capacity run: `points-<kind>.ndjson[.gz]`.
 * @param name file name
 * @param kind `probe` or `sweep`
 * @returns whether it is
 */
export function isPointsOf(name: string, kind: string): boolean {
  return name === `points-${kind}.ndjson` || name === `points-${kind}.ndjson.gz`;
}

/**
 * The refinement round of a points file, when it is one: `points-refine-<n>.ndjson[.gz]`.
 * @param name file name
 * @returns the round, or undefined
 */
export function refineRoundOf(name: string): number | undefined {
  const m = /^points-refine-(\d+)\.ndjson(\.gz)?$/.exec(name);
  return m ? Number(m[1]) : undefined;
}
