/**
 * Runs a k6 wrapper (scenarios/k6/wrapper.ts) and the team script it imports under Node with the k6 stand-ins.
 * standins/runner.ts runs one self-contained script; a wrapper imports a local module, which k6 instantiates once
 * per VU like the entry module: each VU here gets its own copy of both (`?vu=N`). The VU tags it writes through
 * k6/execution are the stand-ins' own (standins/execution.ts; http.ts adds them to requests).
 * Lifecycle as k6's: init, setup() once, the planned iterations, teardown(data), handleSummary(summary).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { K6SummaryData } from '../../../../scenarios/engine/outputs/summary-schema.ts';
import { type PlannedIteration, standinModule } from '../standins/runner.ts';
import { type RecordedRequest, resetStandins, type Responder, standin } from '../standins/state.ts';

type Module = Record<string, unknown> & { options?: { scenarios?: Record<string, { exec?: string; executor: string }>; summaryTrendStats?: string[] } };

/** What a run produced. */
export interface WrapperRun {
  /** The wrapper's exports (VU 0's module), as k6 sees them. */
  module: Module;
  /** Requests in order, tags including the VU's. */
  requests: RecordedRequest[];
  /** Per planned iteration: its scenario and the requests it made. */
  iterations: { scenario: string; requests: RecordedRequest[] }[];
  /** Errors thrown by iterations, in order. */
  errors: string[];
  /** Requests made by teardown. */
  teardownRequests: RecordedRequest[];
  /** handleSummary()'s return value. */
  summaryOutput: Record<string, string>;
}

/** Points k6 imports at the stand-ins; relative imports get the VU's query so each VU has its own instance. */
function rewrite(text: string, vu: number): string {
  return text.replace(/from '([^']+)';/g, (all, spec: string) => {
    if (spec.startsWith('./') || spec.startsWith('../')) return `from '${spec}?vu=${vu}';`;
    const file = standinModule(spec);
    if (file === undefined) throw new Error(`no stand-in for module "${spec}"`);
    return `from ${JSON.stringify(file)};`;
  });
}

function emptySummary(options: Module['options']): K6SummaryData {
  return {
    root_group: { name: '', path: '', id: '0'.repeat(32), groups: [], checks: [] },
    options: { summaryTrendStats: options?.summaryTrendStats ?? ['avg'], summaryTimeUnit: '', noColor: true },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1000 },
    metrics: { http_reqs: { type: 'counter', contains: 'default', values: { count: standin.requests.length, rate: standin.requests.length } } },
  };
}

/**
 * Runs a wrapper with the stand-ins.
 * @param wrapper the wrapper's source (buildK6Wrapper)
 * @param scripts local modules it imports: file name next to the wrapper -> source (k6 imports are rewritten)
 * @param responder answers every request
 * @param plan iterations to drive, in order (scenario, VU, k6's iteration numbers)
 * @param env the scripts' __ENV
 * @returns requests, per-iteration requests, errors, teardown's requests and handleSummary's output
 * @throws {Error} when init or setup throws, as k6 would stop the run
 */
export async function runWrapper(wrapper: string, scripts: Record<string, string>, responder: Responder, plan: PlannedIteration[], env: Record<string, string> = {}): Promise<WrapperRun> {
  // Also forgets every VU's tags.
  resetStandins(responder, new Map());
  (globalThis as Record<string, unknown>).__ENV = env;
  const dir = mkdtempSync(join(tmpdir(), 'caplab-k6-wrapper-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  const loaded = new Map<number, Module>();
  const vuModule = async (vu: number): Promise<Module> => {
    let m = loaded.get(vu);
    if (!m) {
      // Each VU's copy of the local modules is the same file under its own query, so module scope is per VU.
      for (const [name, text] of Object.entries(scripts)) writeFileSync(join(dir, name), rewrite(text, vu));
      const path = join(dir, `wrapper-vu${vu}.mjs`);
      writeFileSync(path, rewrite(wrapper, vu));
      loaded.set(vu, (m = (await import(/* @vite-ignore */ path)) as Module));
    }
    return m;
  };
  try {
    const init = await vuModule(0);
    Object.assign(standin.exec.vu, { idInTest: 0, idInInstance: 0, iterationInScenario: 0 });
    const data = typeof init.setup === 'function' ? (init.setup as () => unknown)() : undefined;
    const scenarios = init.options?.scenarios ?? {};
    const errors: string[] = [];
    const iterations: WrapperRun['iterations'] = [];
    for (const p of plan) {
      const sc = scenarios[p.scenario];
      if (sc === undefined) throw new Error(`runWrapper: no scenario ${p.scenario} in the wrapper's options`);
      const fn = (await vuModule(p.vu))[sc.exec ?? 'default'];
      if (typeof fn !== 'function') throw new Error(`runWrapper: the wrapper exports no function ${sc.exec ?? 'default'}`);
      Object.assign(standin.exec.vu, { idInTest: p.vu, idInInstance: p.vu, iterationInScenario: p.iterationInScenario });
      Object.assign(standin.exec.scenario, { name: p.scenario, executor: sc.executor, iterationInTest: p.iterationInTest, iterationInInstance: p.iterationInTest });
      const before = standin.requests.length;
      try {
        (fn as (d: unknown) => unknown)(data);
      } catch (err) {
        errors.push((err as Error).message);
      }
      iterations.push({ scenario: p.scenario, requests: standin.requests.slice(before) });
    }
    // k6 runs teardown in a VU of its own, which has no VU tags yet.
    Object.assign(standin.exec.vu, { idInTest: 0, idInInstance: 0 });
    const beforeTeardown = standin.requests.length;
    if (typeof init.teardown === 'function') (init.teardown as (d: unknown) => unknown)(data);
    const teardownRequests = standin.requests.slice(beforeTeardown);
    const handle = init.handleSummary as ((d: K6SummaryData) => Record<string, string>) | undefined;
    if (typeof handle !== 'function') throw new Error('runWrapper: the wrapper exports no handleSummary');
    const summaryOutput = handle(emptySummary(init.options));
    return { module: init, requests: [...standin.requests], iterations, errors, teardownRequests, summaryOutput };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
