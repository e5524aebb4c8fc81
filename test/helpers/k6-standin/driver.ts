/**
 * Runs a generated k6 script the way the stand-in k6 binary needs: the script's k6 imports point at the Node
 * stand-ins of test/scenarios/k6/standins (one module instance per VU, as k6 gives every VU its own scope), its
 * requests go to the target for real (sync-http.ts), iterations start as schedule.ts says, and every request, check,
 * custom metric and iteration becomes a sample with k6's metric names and tags for the caller's sink (its NDJSON and
 * summary). setup() runs first in VU 0 under group `setup`; handleSummary is left to the caller.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDurationMs } from '../../../scenarios/duration.ts';
import { BUILTIN_METRICS } from '../../../scenarios/engine/metrics/builtin.ts';
import type { MetricDef, SampleSink, Tags } from '../../../scenarios/engine/metrics/types.ts';
import { maxPlannedVus } from '../../../scenarios/engine/run.ts';
import { createExecutionTuple } from '../../../scenarios/engine/segments.ts';
import { withStandins } from '../../scenarios/k6/standins/runner.ts';
import { resetStandins, standin } from '../../scenarios/k6/standins/state.ts';
import type { ScenarioConfig } from '../../../scenarios/spec.ts';
import { scheduleOf, type ScenarioSchedule, VuNumbers } from './schedule.ts';
import type { SyncHttp } from './sync-http.ts';

const M = BUILTIN_METRICS as Record<string, MetricDef>;

/** The exports of a generated script. */
export type ScriptModule = Record<string, unknown> & { options?: Record<string, unknown> };

/** A loaded script: its init-context module and a module instance per VU. */
export interface LoadedScript {
  /** The module k6 evaluates first (options, setup, handleSummary). */
  init: ScriptModule;
  /** The module instance of a VU (1-based), made on first use. */
  vu(id: number): Promise<ScriptModule>;
  /** Removes the rewritten script. */
  close(): void;
}

/**
 * Loads a generated script with the stand-ins. `open()` reads files relative to the script, as k6's does.
 * @param scriptPath the script k6 was given
 * @param env the script's __ENV (`-e` flags)
 * @param http where requests go
 * @returns the loaded script
 */
export async function loadScript(scriptPath: string, env: Record<string, string>, http: SyncHttp): Promise<LoadedScript> {
  const dir = resolve(scriptPath, '..');
  resetStandins((method, _path, body, req) => {
    const timeoutMs = parseDurationMs(req.timeout ?? 60_000) ?? 60_000;
    const r = http.request({ method, url: req.url, headers: req.headers, body: body === '' ? null : body, timeoutMs });
    ends.push({ at: performance.timeOrigin + performance.now(), bytes: r.bytes });
    return r.status === 0 ? { status: 0, body: '', error: r.body, timings: r.timings } : { status: r.status, body: r.body, timings: r.timings };
  }, new Map());
  const g = globalThis as Record<string, unknown>;
  g.__ENV = { ...env };
  g.open = (name: string): string => readFileSync(resolve(dir, name), 'utf8');
  const tmp = mkdtempSync(join(tmpdir(), 'caplab-k6-standin-'));
  const path = join(tmp, 'script.mjs');
  writeFileSync(path, withStandins(readFileSync(scriptPath, 'utf8')));
  const url = pathToFileURL(path).href;
  const mods = new Map<number, ScriptModule>();
  const load = async (id: number): Promise<ScriptModule> => {
    let m = mods.get(id);
    if (!m) mods.set(id, (m = (await import(/* @vite-ignore */ `${url}?vu=${id}`)) as ScriptModule));
    return m;
  };
  return { init: await load(0), vu: load, close: () => rmSync(tmp, { recursive: true, force: true }) };
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
}

const freeze = (t: Record<string, string>): Tags => Object.freeze(t);

/** Emits the samples of what the stand-ins recorded since the last call, and clears the recordings. */
function emitRecorded(sink: SampleSink, ctxTags: Tags, iteration: { start: number } | undefined): void {
  const add = (metric: MetricDef, value: number, tags: Tags, time: number): void => sink.add({ metric, value, tags, time });
  let last = performance.timeOrigin + performance.now();
  const bytes = { sent: 0, received: 0 };
  standin.requests.forEach((r, i) => {
    const end = ends[i] ?? { at: last, bytes: { sent: 0, received: 0 } };
    bytes.sent += end.bytes.sent;
    bytes.received += end.bytes.received;
    const tags = freeze({
      ...ctxTags, ...r.tags, group: r.group, name: r.tags.name ?? r.url, url: r.tags.url ?? r.url, method: r.method,
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
  for (const c of standin.checks) add(M.checks!, c.ok ? 1 : 0, freeze({ ...ctxTags, group: c.group, check: c.name }), last);
  for (const s of standin.samples) {
    add({ name: s.metric, type: s.type, contains: s.isTime ? 'time' : 'default' }, s.value, freeze({ ...ctxTags, ...s.tags }), last);
  }
  const base = freeze({ ...ctxTags, group: '' });
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
 * Runs setup() and the scenarios to their end (or until `stop`).
 * @param script the loaded script
 * @param opts scenarios, tags, env, sink, stop signal, error handler
 * @returns duration and setup failure
 */
export async function runTest(script: LoadedScript, opts: RunTestOptions): Promise<RunTestResult> {
  const { sink } = opts;
  const t0 = performance.now();
  const elapsed = (): number => performance.now() - t0;
  const globalTags = freeze({ ...opts.tags });
  const g = globalThis as Record<string, unknown>;
  let data: unknown;
  if (typeof script.init.setup === 'function') {
    Object.assign(standin.exec.vu, { idInTest: 0, idInInstance: 0, iterationInScenario: 0 });
    standin.groupStack.push('setup');
    try {
      data = (script.init.setup as () => unknown)();
    } catch (err) {
      emitRecorded(sink, globalTags, undefined);
      return { durationMs: elapsed(), setupError: (err as Error).message };
    }
    emitRecorded(sink, globalTags, undefined);
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
      Object.assign(standin.exec.scenario, {
        name: next.name, executor: next.config.executor, iterationInTest: st.iterationInTest, iterationInInstance: st.iterationInTest,
        startTime: next.config.startTime,
      });
      g.__ENV = { ...opts.env, ...next.config.env };
      const start = performance.now();
      try {
        if (typeof fn !== 'function') throw new Error(`function '${fnName}' not found in exports`);
        (fn as (d: unknown) => void)(data);
      } catch (err) {
        opts.onError((err as Error).message);
      }
      emitRecorded(sink, ctxTags.get(next.name)!, { start });
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
  return { durationMs: elapsed() };
}
