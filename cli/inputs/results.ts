/**
 * Reading load results: a DC's summary (k6 handleSummary or --summary-export shape) and its points*.ndjson[.gz] (k6
 * --out json), and a results folder of such DCs. The one reader of these files for report, gate and compare, so they
 * are read, merged and their problems named alike.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Problem } from '../../models/errors.ts';
import { POINTS_FILE, RESULTS_DIR, SUMMARY } from '../../pipeline/layout.ts';
import type { DamagedFile } from '../../reports/gate.ts';
import { readK6Ndjson } from '../../reports/ingest/ndjson.ts';
import type { DcResults, ProvenanceEntry } from '../../reports/render/model.ts';
import { LoadSeriesSink } from '../../reports/render/series.ts';
import { readAnySummary } from '../../reports/render/summary-shape.ts';
import { collect } from '../collect.ts';
import { readJson } from './json.ts';

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

/**
 * The result files a directory holds itself: summary.json and every points*.ndjson[.gz], sorted. Tells a DC's own
 * directory (it holds some) from a results directory (its DCs' sub-directories do).
 * @param dir directory
 * @returns file names (empty when it holds none or does not exist)
 * @throws {Error} on I/O failures other than a missing directory
 */
export async function resultFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return [] as string[];
    throw err;
  });
  return names.filter((f) => f === SUMMARY || POINTS_FILE.test(f)).sort();
}

/** Where {@link loadDcResults} reads and how it names what it read. */
export interface DcSource {
  /** The DC's directory, holding summary.json and points*.ndjson[.gz]. */
  dir: string;
  /** DC name (or what stands for it) in provenance. */
  dc: string;
  /** How `dir` is shown in provenance, e.g. `results/singapore` (default `dir`). */
  shown?: string;
  /** Summary to read instead of `dir`/summary.json (a lone summary file of any name). */
  summary?: string;
}

/**
 * Reads one DC's results: its summary (handleSummary or --summary-export shape) and every points*.ndjson[.gz] beside
 * it, merged into one series. The one reader of a DC's files, whether the DC came from a results directory's
 * sub-directory, a DC directory or a lone summary's directory, so they are read (and their problems named) alike.
 * @param src the DC's directory, name and how to show it
 * @param problems where invalid files are reported
 * @param provenance where read files are recorded (as `shown`/file)
 * @param warnings where damaged-line notes go
 * @param damaged where points files with damaged lines go instead of a warning (the gate refuses them), if given
 * @returns the DC's results, or undefined when it holds neither a readable summary nor readable points
 * @throws {Error} only on I/O failures other than a missing or invalid file
 */
export async function loadDcResults(src: DcSource, problems: Problem[], provenance: ProvenanceEntry[], warnings: string[], damaged?: DamagedFile[]): Promise<DcResults | undefined> {
  const { dir, dc } = src;
  const shown = src.shown ?? dir;
  const r: DcResults = {};
  const summaryPath = src.summary ?? join(dir, SUMMARY);
  if (await exists(summaryPath)) {
    const s = await collect(problems, summaryPath, async () => readAnySummary(await readJson(summaryPath, 'summary'), summaryPath));
    if (s) {
      r.summary = s;
      provenance.push({ file: src.summary ?? `${shown}/summary.json`, what: `k6 summary of ${dc}`, kind: 'measured', status: 'read', detail: `${Object.keys(s.metrics).length} metrics, ${(s.state.testRunDurationMs / 1000).toFixed(1)} s` });
    }
  }
  // Every points*.ndjson[.gz] of the DC (segments or k6-operator pods of one run) goes into one series: merged by
  // points, never by averaging per-file percentiles.
  const files = (await resultFiles(dir)).filter((f) => POINTS_FILE.test(f));
  const sink = new LoadSeriesSink();
  let read = 0;
  for (const name of files) {
    const p = join(dir, name);
    const rep = await collect(problems, p, () => readK6Ndjson(createReadStream(p), sink, p));
    if (!rep) continue;
    read++;
    if (rep.damaged > 0 && damaged) damaged.push({ file: `${shown}/${name}`, count: rep.damaged, lines: rep.damagedLines });
    else if (rep.damaged > 0) warnings.push(`${p}: skipped ${rep.damaged} damaged line${rep.damaged === 1 ? '' : 's'} (${rep.damagedLines.join(', ')}${rep.damaged > rep.damagedLines.length ? ', ...' : ''})`);
    provenance.push({ file: `${shown}/${name}`, what: `k6 points of ${dc}`, kind: 'measured', status: 'read', detail: `${rep.points} points${rep.damaged > 0 ? `, ${rep.damaged} damaged lines skipped` : ''}` });
  }
  if (read > 0) r.series = sink.finish();
  return r.summary || r.series ? r : undefined;
}

/**
 * Reads per-DC results from a results directory (`<dir>/<dc>/summary.json`, `<dir>/<dc>/points*.ndjson[.gz]`), each
 * sub-directory's name taken as its DC.
 * @param dir results directory (missing: no results)
 * @param problems where invalid files are reported
 * @param provenance where read files are recorded
 * @param warnings where damaged-line notes go
 * @param label how paths are shown (e.g. `results`)
 * @returns results per DC (DCs with neither file are left out)
 * @throws {Error} only on I/O failures other than a missing or invalid file
 */
export async function loadResults(dir: string, problems: Problem[], provenance: ProvenanceEntry[], warnings: string[], label = RESULTS_DIR): Promise<Record<string, DcResults>> {
  const results: Record<string, DcResults> = {};
  if (!(await exists(dir))) return results;
  const dcs = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (const dc of dcs) {
    const r = await loadDcResults({ dir: join(dir, dc), dc, shown: `${label}/${dc}` }, problems, provenance, warnings);
    if (r) results[dc] = r;
  }
  return results;
}
