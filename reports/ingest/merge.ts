/**
 * Merges k6 NDJSON files (runs split over execution segments or k6-operator pods, ours or real k6's) into one
 * registry from their raw points, and rebuilds the handleSummary object from it. Percentiles come from the merged
 * histograms of every point, never from averaging per-file percentiles.
 */
import { createRegistry, DEFAULT_SUMMARY_TREND_STATS, type Registry } from '../../scenarios/engine/metrics/registry.ts';
import type { ThresholdResult, ThresholdSpec } from '../../scenarios/engine/metrics/types.ts';
import { buildSummaryData, type K6SummaryData } from '../../scenarios/engine/outputs/summary-json.ts';
import { type NdjsonReadReport, readK6Ndjson } from './ndjson.ts';

/** One input: a name (file path) and its bytes (plain or gzip). */
export interface MergeSource {
  /** Name for reports and errors. */
  name: string;
  /** The bytes, e.g. a file read stream. */
  stream: AsyncIterable<Uint8Array | string>;
}

/** Options of {@link mergeNdjson}. */
export interface MergeOptions {
  /** Thresholds to evaluate (validated, from parseThresholds); none by default. */
  thresholds?: Record<string, ThresholdSpec[]>;
  /** summaryTrendStats (default k6's). */
  summaryTrendStats?: string[];
  /** k6 summaryTimeUnit, reported in options. */
  summaryTimeUnit?: string;
  /** Test run duration, ms; default: from the earliest to the latest point over all inputs. */
  testRunDurationMs?: number;
}

/** What a merge produced. */
export interface MergeResult {
  /** The handleSummary object of all points. */
  data: K6SummaryData;
  /** The registry holding them (for further reads). */
  registry: Registry;
  /** Per input, what was read (damaged lines included). */
  reports: NdjsonReadReport[];
  /** Threshold results at the end (empty without thresholds). */
  thresholds: ThresholdResult[];
  /** True when every threshold holds. */
  thresholdsOk: boolean;
}

/**
 * Reads every source into one registry and builds the summary. The run duration (for counters' rates) is the span
 * of the points unless given: points are stamped when measured, so the span is the measured part of the run.
 * @param sources the NDJSON inputs, read one after another
 * @param opts thresholds and summary options
 * @returns the summary, the registry, per-file reports and threshold results
 * @throws {NotK6NdjsonError} when an input is not k6 NDJSON
 * @throws {Error} when an input cannot be read (I/O, corrupt gzip)
 * @example const { data } = await mergeNdjson([{ name: 'a.ndjson', stream: createReadStream('a.ndjson') }])
 */
export async function mergeNdjson(sources: readonly MergeSource[], opts: MergeOptions = {}): Promise<MergeResult> {
  const summaryTrendStats = opts.summaryTrendStats ?? [...DEFAULT_SUMMARY_TREND_STATS];
  const registry = createRegistry({ thresholds: opts.thresholds ?? {}, summaryTrendStats });
  const reports: NdjsonReadReport[] = [];
  for (const src of sources) reports.push(await readK6Ndjson(src.stream, registry, src.name));
  const range = registry.timeRange();
  const testRunDurationMs = opts.testRunDurationMs ?? (range ? range.last - range.first : 0);
  const data = buildSummaryData(registry, { testRunDurationMs, isStdOutTTY: false, isStdErrTTY: false },
    { summaryTrendStats, noColor: true, ...(opts.summaryTimeUnit !== undefined ? { summaryTimeUnit: opts.summaryTimeUnit } : {}) });
  const thresholds = registry.lastThresholdResults();
  return { data, registry, reports, thresholds, thresholdsOk: thresholds.every((t) => t.ok) };
}
