/**
 * Runs a k6 script the way the stand-in k6 binary needs: the script's k6 imports, and those of the local modules it
 * imports (modules.ts; a caplab wrapper imports the team's script), point at the Node stand-ins of
 * test/scenarios/k6/standins (one instance of every module per VU, as k6 gives every VU its own scope), its
 * requests go to the target for real (sync-http.ts), iterations start as schedule.ts says, and every request, check,
 * custom metric and iteration becomes a sample with k6's metric names and tags for the caller's sink (its NDJSON and
 * summary). Tags as k6's: a VU's tags (exec.vu.tags) start as the run's and its scenario's when the scenario
 * activates the VU, keep what the script writes across the VU's iterations, and tag every sample the VU emits.
 * setup() runs first and teardown(data) last, in VU 0 under groups `setup` and `teardown`; handleSummary is left to
 * the caller.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDurationMs } from '../../../scenarios/duration.ts';
import { BUILTIN_METRICS } from '../../../scenarios/engine/metrics/builtin.ts';
import type { MetricDef, SampleSink, Tags } from '../../../scenarios/engine/metrics/types.ts';
import { maxPlannedVus } from '../../../scenarios/engine/run.ts';
import { createExecutionTuple } from '../../../scenarios/engine/segments.ts';
import { activateVuTags, currentVuTags, resetStandins, standin } from '../../scenarios/k6/standins/state.ts';
import type { ScenarioConfig } from '../../../scenarios/spec.ts';
import { loadGraph, OPEN_FROM } from './modules.ts';
import { scheduleOf, type ScenarioSchedule, VuNumbers } from './schedule.ts';
import type { SyncHttp } from './sync-http.ts';

const M = BUILTIN_METRICS as Record<string, MetricDef>;

/** The exports of a generated script. */
export type ScriptModule = Record<string, unknown> & { options?: Record<string, unknown> };

/** A loaded script: its init-context module and a module instance per VU. */
export interface LoadedScript {
  /** The module k6 evaluates first (options, setup, teardown, handleSummary). */
  init: ScriptModule;
  /** The module instance of a VU (1-based), made on first use. */
  vu(id: number): Promise<ScriptModule>;
  /** Removes the rewritten modules. */
  close(): void;
}

/**
 * Loads a script and the local modules it imports with the stand-ins. `open()` reads a relative path against the
 * directory of the module whose code calls it (modules.ts), as k6 0.48 resolves it against the module being loaded
 * when it is called at a module's top level or from a SharedArray callback there; absolute paths as they are.
 * @param scriptPath the script k6 was given
 * @param env the script's __ENV (the system's environment and `-e` flags, as `k6 run` gives it)
 * @param http where requests go
 * @returns the loaded script
 * @throws {Error} when a module is missing or has no stand-in (modules.ts), or the init code throws (as k6's init)
 */
export async function loadScript(scriptPath: string, env: Record<string, string>, http: SyncHttp): Promise<LoadedScript> {
  const dir = resolve(scriptPath, '..');
  resetStandins((method, _path, body, req) => {
    const timeoutMs = parseDurationMs(req.timeout ?? 60_000) ?? 60_000;
    const r = http.request({ method, url: req.url, headers: req.headers, body: req.bodyBytes ?? (body === '' ? null : body), timeoutMs });
    ends.push({ at: performance.timeOrigin + performance.now(), bytes: r.bytes });
    return r.status === 0 ? { status: 0, body: '', error: r.body, timings: r.timings } : { status: r.status, body: r.body, timings: r.timings, headers: r.headers };
  }, new Map());
  const g = globalThis as Record<string, unknown>;
  g.__ENV = { ...env };
  const read = (from: string, name: string, mode?: string): string | ArrayBuffer => {
    const bytes = readFileSync(resolve(from, name));
    return mode === 'b' ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) : bytes.toString('utf8');
  };
  g.open = (name: string, mode?: string) => read(dir, name, mode);
  g[OPEN_FROM] = read;
  const tmp = mkdtempSync(join(tmpdir(), 'caplab-k6-standin-'));
  const close = (): void => rmSync(tmp, { recursive: true, force: true });
  try {
    const graph = loadGraph(scriptPath, tmp);
    const mods = new Map<number, ScriptModule>();
    const load = async (id: number): Promise<ScriptModule> => {
      let m = mods.get(id);
      if (!m) mods.set(id, (m = (await import(/* @vite-ignore */ graph.entryUrl(id))) as ScriptModule));
      return m;
    };
    const init = await load(0);
    standin.maxRedirects = (init.options as { maxRedirects?: number } | undefined)?.maxRedirects;
    return { init, vu: load, close };
  } catch (err) {
    close();
    throw err;
  }
}

// Request end times and bytes, in request order, for the samples (the stand-in records timings, not times).
const ends: { at: number; bytes: { sent: number; received: number } }[] = [];

/** Options of {@link runTest}. */
export interface RunTestOptions {
  /** Scenarios to run (validated, durations in ms), as k6 derives them from options and flags. */
  scenarios: Record<string, ScenarioConfig>;
  /** Tags on every sample: options.tags and `--tag`. */
  tags: Record<string, string>;
  /** The script's __ENV (`-e` flags); a scenario's env is added for its iterations. */
  env: Record<string, string>;
  /** Where samples go. */
  sink: SampleSink;
  /** Aborted on SIGINT or an abortOnFail threshold: no new iteration starts. */
  stop: AbortSignal;
  /** An iteration's exception (counted and logged, not fatal, as in k6). */
  onError(message: string): void;
}

/** How the test ended. */
export interface RunTestResult {
  /** Test duration, ms. */
  durationMs: number;
  /** setup() threw: its message (nothing else ran). */
  setupError?: string;
  /** teardown() threw: its message (k6 fails the run, exit 107). */
  teardownError?: string;
}

const freeze = (t: Record<string, string>): Tags => Object.freeze(t);

/**
 * Emits the samples of what the stand-ins recorded since the last call, and clears the recordings. Requests, checks
 * and custom metrics carry the VU's tags as they were when recorded (the stand-ins copy them in); iteration and
 * data samples the VU's tags now, at the iteration's end, as k6 emits them then.
 */
function emitRecorded(sink: SampleSink, iteration: { start: number } | undefined): void {
  const add = (metric: MetricDef, value: number, tags: Tags, time: number): void => sink.add({ metric, value, tags, time });
  let last = performance.timeOrigin + performance.now();
  const bytes = { sent: 0, received: 0 };
  standin.requests.forEach((r, i) => {
    const end = ends[i] ?? { at: last, bytes: { sent: 0, received: 0 } };
    bytes.sent += end.bytes.sent;
    bytes.received += end.bytes.received;
    const tags = freeze({
      ...r.tags, group: r.group, name: r.tags.name ?? r.url, url: r.tags.url ?? r.url, method: r.method,
      status: String(r.status), expected_response: String(r.expected), proto: r.status === 0 ? '' : 'HTTP/1.1',
      ...(r.status === 0 ? { error_code: '1000' } : {}),
    });
    const tm = r.timings;
    add(M.http_reqs!, 1, tags, end.at);
    add(M.http_req_duration!, tm.duration, tags, end.at);
    add(M.http_req_blocked!, tm.blocked, tags, end.at);
    add(M.http_req_connecting!, tm.connecting, tags, end.at);
    add(M.http_req_tls_handshaking!, tm.tls_handshaking, tags, end.at);
    add(M.http_req_sending!, tm.sending, tags, end.at);
    add(M.http_req_waiting!, tm.waiting, tags, end.at);
    add(M.http_req_receiving!, tm.receiving, tags, end.at);
    add(M.http_req_failed!, r.expected ? 0 : 1, tags, end.at);
  });
  last = performance.timeOrigin + performance.now();
  for (const c of standin.checks) add(M.checks!, c.ok ? 1 : 0, freeze({ ...c.tags, group: c.group, check: c.name }), last);
  for (const s of standin.samples) {
    add({ name: s.metric, type: s.type, contains: s.isTime ? 'time' : 'default' }, s.value, freeze({ ...s.tags }), last);
  }
  const base = freeze({ ...currentVuTags(), group: '' });
  if (bytes.sent > 0) add(M.data_sent!, bytes.sent, base, last);
  if (bytes.received > 0) add(M.data_received!, bytes.received, base, last);
  if (iteration) {
    add(M.iterations!, 1, base, last);
    add(M.iteration_duration!, last - performance.timeOrigin - iteration.start, base, last);
  }
  standin.requests.length = 0;
  standin.checks.length = 0;
  standin.samples.length = 0;
  standin.sleeps.length = 0;
  standin.groupStack.length = 0;
  ends.length = 0;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one of VU 0's lifecycle functions (setup, teardown) under its group, with the run's tags (what k6 tags them
 * with) as VU 0's tags, and emits what it recorded.
 * @returns its result, or the message it threw
 */
function lifecycle(sink: SampleSink, name: 'setup' | 'teardown', globalTags: Record<string, string>, call: () => unknown): { value?: unknown; error?: string } {
  Object.assign(standin.exec.vu, { idInTest: 0, idInInstance: 0, iterationInScenario: 0 });
  activateVuTags(0, globalTags);
  standin.iteration++;
  standin.groupStack.push(name);
  try {
    return { value: call() };
  } catch (err) {
    return { error: (err as Error).message };
  } finally {
    emitRecorded(sink, undefined);
  }
}

/**
 * Runs setup(), the scenarios to their end (or until `stop`), then teardown(data) (also after a stop, as k6 does).
 * @param script the loaded script
 * @param opts scenarios, tags, env, sink, stop signal, error handler
 * @returns duration and setup or teardown failure
 */
export async function runTest(script: LoadedScript, opts: RunTestOptions): Promise<RunTestResult> {
  const { sink } = opts;
  const t0 = performance.now();
  const elapsed = (): number => performance.now() - t0;
  const globalTags = freeze({ ...opts.tags });
  const g = globalThis as Record<string, unknown>;
  standin.noCookiesReset = script.init.options?.noCookiesReset === true;
  let data: unknown;
  const { setup, teardown } = script.init;
  if (typeof setup === 'function') {
    const r = lifecycle(sink, 'setup', globalTags, () => (setup as () => unknown)());
    if (r.error !== undefined) return { durationMs: elapsed(), setupError: r.error };
    data = r.value;
  }

  const pool = new VuNumbers();
  const runs: ScenarioSchedule[] = Object.entries(opts.scenarios).map(([name, c]) => scheduleOf(name, c, pool));
  const ctxTags = new Map(runs.map((r) => [r.name, freeze({ ...globalTags, ...r.config.tags, scenario: r.name })]));
  const planned = maxPlannedVus(opts.scenarios, createExecutionTuple());
  const gauges = (): void => {
    const now = performance.timeOrigin + performance.now();
    sink.add({ metric: M.vus!, value: runs.reduce((t, r) => t + r.vus(), 0), tags: globalTags, time: now });
    sink.add({ metric: M.vus_max!, value: planned, tags: globalTags, time: now });
  };
  gauges();
  const timer = setInterval(gauges, 1000);
  // The scenario each VU was last activated for: a VU taken by another scenario starts over with that one's tags.
  const activeIn = new Map<number, string>();
  try {
    while (!opts.stop.aborted) {
      const now = elapsed();
      let next: ScenarioSchedule | undefined;
      let at = Infinity;
      for (const r of runs) {
        const due = r.nextDue(now);
        if (due !== undefined && due < at) [next, at] = [r, due];
      }
      if (next === undefined) break;
      if (at > now) {
        // Short naps, so a stop is noticed soon.
        await sleep(Math.min(at - now, 200));
        continue;
      }
      const st = next.start();
      const mod = await script.vu(st.vu);
      const fnName = (next.config.exec as string | undefined) ?? 'default';
      const fn = mod[fnName];
      Object.assign(standin.exec.vu, { idInTest: st.vu, idInInstance: st.vu, iterationInScenario: st.iterationInScenario, iterationInInstance: st.iterationInScenario });
      if (activeIn.get(st.vu) !== next.name) {
        activateVuTags(st.vu, ctxTags.get(next.name)!);
        activeIn.set(st.vu, next.name);
      }
      Object.assign(standin.exec.scenario, {
        name: next.name, executor: next.config.executor, iterationInTest: st.iterationInTest, iterationInInstance: st.iterationInTest,
        startTime: next.config.startTime,
      });
      g.__ENV = { ...opts.env, ...next.config.env };
      standin.iteration++;
      const start = performance.now();
      try {
        if (typeof fn !== 'function') throw new Error(`function '${fnName}' not found in exports`);
        (fn as (d: unknown) => void)(data);
      } catch (err) {
        opts.onError((err as Error).message);
      }
      emitRecorded(sink, { start });
      const end = elapsed();
      for (const r of runs) {
        const dropped = r.afterIteration(end);
        if (dropped > 0) sink.add({ metric: M.dropped_iterations!, value: dropped, tags: ctxTags.get(r.name)!, time: performance.timeOrigin + performance.now() });
      }
      // Let the outputs write and signals arrive between iterations.
      await new Promise((r) => setImmediate(r));
    }
    for (const r of runs) {
      const left = r.leftover();
      if (left > 0) sink.add({ metric: M.dropped_iterations!, value: left, tags: ctxTags.get(r.name)!, time: performance.timeOrigin + performance.now() });
    }
  } finally {
    clearInterval(timer);
    gauges();
  }
  if (typeof teardown === 'function') {
    g.__ENV = { ...opts.env };
    const r = lifecycle(sink, 'teardown', globalTags, () => (teardown as (d: unknown) => unknown)(data));
    if (r.error !== undefined) return { durationMs: elapsed(), teardownError: r.error };
  }
  return { durationMs: elapsed() };
}
