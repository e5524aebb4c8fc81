/**
 * Runs a generated k6 script under Node with the stand-ins: its k6 imports are pointed at the stand-in modules, one
 * module instance is loaded per VU (k6 gives every VU its own module scope), setup() runs once, and each scenario's
 * iterations are driven as k6 would number them (exec.vu.idInTest, exec.vu.iterationInScenario,
 * exec.scenario.iterationInTest). Without an explicit plan only deterministic executors are driven: per-vu-iterations
 * (VU by VU) and shared-iterations with one VU; a plan drives any scenario (constant-vus, arrival rates) iteration by
 * iteration. Then handleSummary() gets a summary built from what was recorded.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { K6Group, K6SummaryData } from '../../../../scenarios/engine/outputs/summary-schema.ts';
import { type RecordedRequest, resetStandins, type Responder, standin } from './state.ts';

const STANDINS = fileURLToPath(new URL('./', import.meta.url));
const MODULES: Record<string, string> = {
  'k6/http': 'http.ts', k6: 'k6.ts', 'k6/data': 'data.ts', 'k6/execution': 'execution.ts', 'k6/metrics': 'metrics.ts', 'k6/ws': 'ws.ts',
};

type ScriptModule = Record<string, unknown> & { options?: { scenarios?: Record<string, Record<string, unknown>>; maxRedirects?: number } };

/** What a stand-in run produced. */
export interface StandinRun {
  /** Requests in the order the script made them. */
  requests: RecordedRequest[];
  /** Check results in order. */
  checks: { name: string; ok: boolean; group: string }[];
  /** Sleeps in seconds, in order. */
  sleeps: number[];
  /** Custom metric samples in order. */
  samples: { metric: string; value: number; tags: Record<string, string> }[];
  /** The iteration errors (thrown by the script), in order. */
  errors: string[];
  /** handleSummary()'s return value (file name -> content, `stdout`). */
  summaryOutput: Record<string, string>;
  /** The summary data passed to handleSummary(). */
  summaryData: K6SummaryData;
}

/** Iterations of a deterministic scenario in k6's numbering: per-vu-iterations VU by VU, shared-iterations on one VU. */
function derivePlan(name: string, sc: Record<string, unknown>): PlannedIteration[] {
  const out: PlannedIteration[] = [];
  const vus = (sc.vus as number | undefined) ?? 1;
  const iterations = (sc.iterations as number | undefined) ?? 1;
  if (sc.executor === 'per-vu-iterations') {
    let k = 0;
    for (let v = 1; v <= vus; v++) for (let i = 0; i < iterations; i++) out.push({ scenario: name, vu: v, iterationInScenario: i, iterationInTest: k++ });
  } else if (sc.executor === 'shared-iterations' && vus === 1) {
    for (let i = 0; i < iterations; i++) out.push({ scenario: name, vu: 1, iterationInScenario: i, iterationInTest: i });
  } else {
    throw new Error(`runWithStandins: scenario ${name} (${String(sc.executor)}) cannot be driven deterministically; pass a plan`);
  }
  return out;
}

/**
 * The stand-in of a k6 module.
 * @param spec import specifier (`k6`, `k6/http`, `k6/data`, `k6/execution`, `k6/metrics`, `k6/ws`)
 * @returns the stand-in's absolute path, or undefined when there is none
 */
export function standinModule(spec: string): string | undefined {
  const file = MODULES[spec];
  return file === undefined ? undefined : join(STANDINS, file);
}

/**
 * Points the script's k6 imports at the stand-ins.
 * @param script generated script text
 * @returns the rewritten text
 * @throws {Error} when the script imports a module with no stand-in
 */
export function withStandins(script: string): string {
  return script.replace(/from '([^']+)';/g, (all, spec: string) => {
    const file = standinModule(spec);
    if (file === undefined) throw new Error(`no stand-in for module "${spec}"`);
    return `from ${JSON.stringify(file)};`;
  });
}

function buildGroups(): K6Group {
  const root: K6Group = { name: '', path: '', id: '0'.repeat(32), groups: [], checks: [] };
  for (const c of standin.checks) {
    let g = root;
    for (const name of c.group.split('::').filter((x) => x !== '')) {
      let sub = g.groups.find((x) => x.name === name);
      if (!sub) g.groups.push((sub = { name, path: `${g.path}::${name}`, id: '0'.repeat(32), groups: [], checks: [] }));
      g = sub;
    }
    let chk = g.checks.find((x) => x.name === c.name);
    if (!chk) g.checks.push((chk = { name: c.name, path: `${g.path}::${c.name}`, id: '0'.repeat(32), passes: 0, fails: 0 }));
    if (c.ok) chk.passes++;
    else chk.fails++;
  }
  return root;
}

function summaryData(options: ScriptModule['options'] & { summaryTrendStats?: string[] }, iterations: number): K6SummaryData {
  const reqs = standin.requests.length;
  const failed = standin.requests.filter((r) => !r.expected).length;
  const passes = standin.checks.filter((c) => c.ok).length;
  return {
    root_group: buildGroups(),
    options: { summaryTrendStats: options?.summaryTrendStats ?? ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'], summaryTimeUnit: '', noColor: true },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1000 },
    metrics: {
      http_reqs: { type: 'counter', contains: 'default', values: { count: reqs, rate: reqs } },
      http_req_failed: { type: 'rate', contains: 'default', values: { rate: reqs ? failed / reqs : 0, passes: failed, fails: reqs - failed }, thresholds: { 'rate<0.5': { ok: failed / Math.max(1, reqs) < 0.5 } } },
      http_req_duration: { type: 'trend', contains: 'time', values: { avg: 1, min: 1, med: 1, max: 1, 'p(90)': 1, 'p(95)': 1, 'p(99)': 1 } },
      checks: { type: 'rate', contains: 'default', values: { rate: standin.checks.length ? passes / standin.checks.length : 0, passes, fails: standin.checks.length - passes } },
      iterations: { type: 'counter', contains: 'default', values: { count: iterations, rate: iterations } },
      data_received: { type: 'counter', contains: 'data', values: { count: 123456, rate: 1234 } },
    },
  };
}

/** One iteration to drive: which scenario, on which VU, with which k6 iteration numbers. */
export interface PlannedIteration {
  /** Scenario name (its `exec` and executor come from the script's options). */
  scenario: string;
  /** exec.vu.idInTest. */
  vu: number;
  /** exec.vu.iterationInScenario. */
  iterationInScenario: number;
  /** exec.scenario.iterationInTest. */
  iterationInTest: number;
}

/**
 * Runs a generated script with the stand-ins.
 * @param script generated script text
 * @param files files the script may open() (name -> text or bytes), e.g. the users file; open(name, 'b') gives an ArrayBuffer
 * @param responder answers every request
 * @param env the script's __ENV (`-e` flags); a scenario's env is added for its iterations, as k6 does
 * @param plan iterations to drive, in order (default: derived from options.scenarios, see the module comment)
 * @returns errors, handleSummary output and the summary data given to it
 * @throws {Error} when setup() throws or a scenario's executor cannot be driven deterministically
 */
export async function runWithStandins(script: string, files: Map<string, string | Uint8Array>, responder: Responder, env: Record<string, string> = {}, plan?: PlannedIteration[]): Promise<StandinRun> {
  resetStandins(responder, new Map());
  const g = globalThis as Record<string, unknown>;
  g.__ENV = env;
  g.open = (name: string, mode?: string): string | ArrayBuffer => {
    const content = files.get(name.replace(/^\.\//, ''));
    if (content === undefined) throw new Error(`open: no such file ${name}`);
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    if (mode === 'b') return new Uint8Array(bytes).buffer;
    return typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  };
  const dir = mkdtempSync(join(tmpdir(), 'caplab-k6-standin-'));
  const path = join(dir, 'script.mjs');
  writeFileSync(path, withStandins(script));
  const vus = new Map<number, ScriptModule>();
  const vuModule = async (id: number): Promise<ScriptModule> => {
    let m = vus.get(id);
    if (!m) vus.set(id, (m = (await import(/* @vite-ignore */ `${path}?vu=${id}`)) as ScriptModule));
    return m;
  };
  const errors: string[] = [];
  let iterations = 0;
  try {
    const init = await vuModule(0);
    standin.maxRedirects = init.options?.maxRedirects;
    standin.noCookiesReset = (init.options as { noCookiesReset?: boolean } | undefined)?.noCookiesReset === true;
    let data: unknown;
    if (typeof init.setup === 'function') {
      standin.iteration++;
      standin.exec.vu.idInTest = 0;
      standin.groupStack.push('setup');
      try {
        data = (init.setup as () => unknown)();
      } finally {
        standin.groupStack.length = 0;
      }
    }
    const scenarios = init.options?.scenarios ?? { default: { executor: 'per-vu-iterations', vus: 1, iterations: 1 } };
    const steps = plan ?? Object.entries(scenarios).flatMap(([name, sc]) => derivePlan(name, sc));
    for (const { scenario: name, vu: v, iterationInScenario: inScenario, iterationInTest: inTest } of steps) {
      const sc = scenarios[name];
      if (sc === undefined) throw new Error(`runWithStandins: no scenario ${name} in the script's options`);
      const fnName = (sc.exec as string | undefined) ?? 'default';
      const mod = await vuModule(v);
      const fn = mod[fnName] as ((d: unknown) => void) | undefined;
      if (typeof fn !== 'function') throw new Error(`runWithStandins: the script exports no function ${fnName}`);
      Object.assign(standin.exec.vu, { idInTest: v, idInInstance: v, iterationInScenario: inScenario });
      Object.assign(standin.exec.scenario, { name, executor: sc.executor, iterationInTest: inTest, iterationInInstance: inTest });
      // k6 (js/runner.go Activate): a scenario's env is merged over the global __ENV for its VUs.
      g.__ENV = { ...env, ...(sc.env as Record<string, string> | undefined) };
      standin.iteration++;
      try {
        fn(data);
      } catch (err) {
        errors.push((err as Error).message);
      }
      iterations++;
      standin.groupStack.length = 0;
    }
    const sd = summaryData(init.options as never, iterations);
    const handle = init.handleSummary as ((d: K6SummaryData) => Record<string, string>) | undefined;
    if (typeof handle !== 'function') throw new Error('runWithStandins: the script exports no handleSummary');
    const summaryOutput = handle(sd);
    return { requests: [...standin.requests], checks: [...standin.checks], samples: [...standin.samples], sleeps: [...standin.sleeps], errors, summaryOutput, summaryData: sd };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
