/**
 * Test helper: results of two DCs for gate tests, from one real engine run against the test server (the same files
 * copied to a second DC), plus per-test copies and budgets files.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from './cli.ts';

/** What {@link twoDcResults} runs. */
export interface TwoDcRun {
  /** The test's directory (spec and results go under it). */
  dir: string;
  /** The test server's base URL. */
  baseUrl: string;
  /** The spec's name. */
  name: string;
  /** Iterations shared by 2 VUs. */
  iterations: number;
  /** The default flow's steps. */
  steps: unknown[];
  /** k6 thresholds of the run, if any. */
  thresholds?: Record<string, string[]>;
  /** Where the results go (default `<dir>/results`). */
  results?: string;
}

/**
 * Runs the spec once and lays its summary.json and points.ndjson out as `<results>/singapore` and `/us-west-1`.
 * @returns the results directory
 */
export async function twoDcResults(o: TwoDcRun): Promise<string> {
  const results = o.results ?? join(o.dir, 'results');
  const sg = join(results, 'singapore');
  mkdirSync(sg, { recursive: true });
  const spec = join(o.dir, 'spec.json');
  writeFileSync(spec, JSON.stringify({
    schema: 'caplab.scenario/v1', name: o.name, baseUrl: o.baseUrl,
    options: { scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: o.iterations } }, ...(o.thresholds ? { thresholds: o.thresholds } : {}) },
    flows: { default: { steps: o.steps } },
  }));
  const r = await runCli(['run', spec, '--summary-json', join(sg, 'summary.json'), '-o', `json=${join(sg, 'points.ndjson')}`]);
  expect(r.code, r.stderr).toBe(0);
  cpSync(sg, join(results, 'us-west-1'), { recursive: true });
  return results;
}

/**
 * A fresh copy of the results, so each test sees only its own changes (and its own junit.xml).
 * @returns `<dir>/<name>/results`
 */
export function copyResults(dir: string, results: string, name: string): string {
  const to = join(dir, name, 'results');
  cpSync(results, to, { recursive: true });
  return to;
}

/**
 * Writes a budgets file (JSON, or the text as given).
 * @returns its path, `<dir>/<name>`
 */
export function budgetsFile(dir: string, name: string, body: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body));
  return p;
}
