/**
 * Flows: compiled once from the spec, run once per iteration by a VU. A step renders its templates, sends its
 * request, emits k6's per-request samples (http_reqs, http_req_duration and its breakdown, http_req_failed per
 * `expectedStatuses`), its checks and custom metrics, extracts values into the VU's vars, and sleeps its think time.
 * `once` steps run until they succeed once per VU; `group` steps are tagged `group=::name` and timed as
 * group_duration. A mix picks one flow per iteration by a seeded hash of the test-wide iteration number, so the
 * choice is reproducible and the same on every execution segment.
 */
import { hash32, streamKey, toUnit } from '../../models/random.ts';
import type { Flow, ScenarioSpec, Step } from '../spec.ts';
import type { HttpResponse } from './http.ts';
import { compileJsonPath } from './jsonpath.ts';
import { BUILTIN_METRICS } from './metrics/builtin.ts';
import type { MetricDef, Sample, SampleSink, Tags } from './metrics/types.ts';
import { compileJson, compileString, type StringTemplate, type TemplateScope } from './template.ts';
import type { Vu } from './vu.ts';

const M = BUILTIN_METRICS as Record<string, MetricDef>;
const USER_AGENT = 'caplab/0.1 (k6-compatible engine)';

interface CompiledCheck {
  name: string;
  test(res: HttpResponse): boolean;
}

interface CompiledMetric {
  def: MetricDef;
  value(res: HttpResponse, ok: boolean, doc: unknown): number | undefined;
}

/** A step ready to run. */
export interface CompiledStep {
  /** `<flow>#<index>`, the key of once-steps. */
  key: string;
  /** Tag `name` (and `url`, as DESIGN.md says). */
  name: string;
  /** Tag `group`: `''` or `::<group>`. */
  group: string;
  /** Run until it succeeds once per VU (expected status and every extract found). */
  once: boolean;
  /** HTTP method. */
  method: string;
  /** Renders `{origin, path}`. */
  target(scope: TemplateScope): { origin: string; path: string };
  /** Header templates (user-agent and content-type added when missing). */
  headers: [string, StringTemplate][];
  /** The flattened headers when none is templated (reused by every request), else undefined. */
  staticHeaders: string[] | undefined;
  /** Tags per scenario context and status (built once each). */
  tagCache: WeakMap<object, Map<number, Tags>>;
  /** Renders the request body (JSON text or a body template). */
  body: ((scope: TemplateScope) => string) | undefined;
  /** Whether a status is expected (k6 `expectedStatuses`; default 200-399); others count in http_req_failed. */
  expected(status: number): boolean;
  /** Checks, in spec order. */
  checks: CompiledCheck[];
  /** Variable name and JSONPath reader of each extract. */
  extract: [string, (doc: unknown) => unknown][];
  /** Custom metrics to record. */
  metrics: CompiledMetric[];
  /** Whether the response body is kept (extract, body checks, JSONPath metrics). */
  keepBody: boolean;
  /** Whether the response body is parsed as JSON (extract or a JSONPath metric). */
  needsJson: boolean;
  /** Sleep after the step, ms. */
  think: number;
  /** Request timeout, ms. */
  timeout: number;
  /** Extra tags of the step's requests. */
  tags: Readonly<Record<string, string>>;
}

/** A flow ready to run: steps, or a weighted choice of step flows. */
export type CompiledFlow =
  | { kind: 'steps'; name: string; steps: CompiledStep[] }
  | { kind: 'mix'; name: string; key: number; choices: { flow: CompiledFlow & { kind: 'steps' }; upTo: number }[] };

/** Name under which {@link compileFlows} stores the setup flow (not a valid flow name clash: flows cannot start with ::). */
export const SETUP_FLOW = '::setup';

/** Custom metrics the flows declare (so outputs list them even without samples). */
export function customMetrics(spec: ScenarioSpec): MetricDef[] {
  const out = new Map<string, MetricDef>();
  const all = [...Object.values(spec.flows), ...(spec.setup ? [spec.setup] : [])];
  for (const f of all) for (const s of f.steps ?? []) for (const [name, m] of Object.entries(s.metrics)) {
    out.set(name, metricDefOf(name, m));
  }
  return [...out.values()];
}

/** A custom metric's definition: trends of `duration` hold time, of `bytes` data, anything else plain numbers. */
function metricDefOf(name: string, m: Step['metrics'][string]): MetricDef {
  const contains = m.type === 'trend' && m.value === 'duration' ? 'time' : m.type === 'trend' && m.value === 'bytes' ? 'data' : 'default';
  return { name, type: m.type, contains };
}

function statusMatcher(list: Step['expectedStatuses']): (status: number) => boolean {
  // k6's default expected statuses: 200-399.
  if (!list) return (s) => s >= 200 && s < 400;
  const codes = new Set<number>();
  const ranges: [number, number][] = [];
  for (const e of list) if (typeof e === 'number') codes.add(e); else ranges.push([e.min, e.max]);
  return (s) => codes.has(s) || ranges.some(([a, b]) => s >= a && s <= b);
}

function compileStep(step: Step, key: string, baseUrl: string | undefined, groupPrefix = ''): CompiledStep {
  let target: CompiledStep['target'];
  let rawUrl: string;
  if (step.path !== undefined) {
    const base = new URL(baseUrl!);
    const prefix = base.pathname.replace(/\/$/, '');
    const path = compileString(`${prefix}${step.path.startsWith('/') ? '' : '/'}${step.path}`, encodeURIComponent);
    const origin = base.origin;
    target = (s) => ({ origin, path: path(s) });
    rawUrl = `${origin}${prefix}${step.path}`;
  } else {
    const url = compileString(step.url!, encodeURIComponent);
    target = (s) => {
      const u = url(s);
      const m = /^(https?:\/\/[^/?#]+)(.*)$/.exec(u);
      if (!m) throw new Error(`"${u}" is not an http(s) URL`);
      return { origin: m[1]!, path: m[2] || '/' };
    };
    rawUrl = step.url!;
  }
  const name = step.name ?? rawUrl;
  const headers: [string, StringTemplate][] = Object.entries(step.headers).map(([k, v]) => [k, compileString(v)]);
  const lower = new Set(headers.map(([k]) => k.toLowerCase()));
  if (!lower.has('user-agent')) headers.push(['user-agent', () => USER_AGENT]);
  let body: CompiledStep['body'];
  if (step.json !== undefined) {
    const json = compileJson(step.json);
    body = (s) => JSON.stringify(json(s));
    if (!lower.has('content-type')) headers.push(['content-type', () => 'application/json']);
  } else if (step.body !== undefined) {
    body = compileString(step.body);
  }
  const label = step.name ?? rawUrl;
  const checks: CompiledCheck[] = [];
  const c = step.checks;
  if (c?.status !== undefined) {
    const want = Array.isArray(c.status) ? c.status : [c.status];
    checks.push({ name: `${label}: status ${want.length === 1 ? `is ${want[0]}` : `in [${want.join(', ')}]`}`, test: (r) => want.includes(r.status) });
  }
  if (c?.maxDuration !== undefined) {
    const max = c.maxDuration;
    checks.push({ name: `${label}: duration < ${max}ms`, test: (r) => r.status !== 0 && r.timings.duration < max });
  }
  if (c?.bodyIncludes !== undefined) {
    const needle = Buffer.from(c.bodyIncludes);
    checks.push({ name: `${label}: body includes ${JSON.stringify(c.bodyIncludes)}`, test: (r) => r.body.includes(needle) });
  }
  const metrics: CompiledMetric[] = Object.entries(step.metrics).map(([mname, m]) => {
    const def = metricDefOf(mname, m);
    const v = m.value;
    let value: CompiledMetric['value'];
    if (typeof v === 'number') value = () => v;
    else if (v === 'duration') value = (r) => r.timings.duration;
    else if (v === 'ok') value = (_r, ok) => (ok ? 1 : 0);
    else if (v === 'bytes') value = (r) => r.bodySize;
    else {
      const get = compileJsonPath(v);
      value = (_r, _ok, doc) => {
        const x = get(doc);
        return typeof x === 'number' ? x : typeof x === 'boolean' ? Number(x) : undefined;
      };
    }
    return { def, value };
  });
  const jsonMetrics = Object.values(step.metrics).some((m) => typeof m.value === 'string' && m.value.startsWith('$'));
  const extract = Object.entries(step.extract).map(([k, p]) => [k, compileJsonPath(p)] as [string, (doc: unknown) => unknown]);
  return {
    key,
    name,
    group: `${groupPrefix}${step.group ? `::${step.group}` : ''}`,
    once: step.once,
    method: step.method,
    target,
    headers,
    staticHeaders: Object.values(step.headers).some((v) => v.includes('{{')) ? undefined : headers.flatMap(([k, v]) => [k, v(EMPTY_SCOPE)]),
    tagCache: new WeakMap(),
    body,
    expected: statusMatcher(step.expectedStatuses),
    checks,
    extract,
    metrics,
    keepBody: extract.length > 0 || c?.bodyIncludes !== undefined || jsonMetrics,
    needsJson: extract.length > 0 || jsonMetrics,
    think: step.think ?? 0,
    timeout: step.timeout,
    tags: step.tags,
  };
}

/**
 * Compiles every flow of a spec (and its setup flow under the name `setup`).
 * @param spec validated spec
 * @param seed seed of the mix choices
 * @returns flows by name
 */
export function compileFlows(spec: ScenarioSpec, seed: number): Map<string, CompiledFlow> {
  const out = new Map<string, CompiledFlow>();
  const stepsOf = (name: string, f: Flow, groupPrefix = ''): CompiledFlow & { kind: 'steps' } => ({
    kind: 'steps', name, steps: f.steps!.map((s, i) => compileStep(s, `${name}#${i}`, spec.baseUrl, groupPrefix)),
  });
  for (const [name, f] of Object.entries(spec.flows)) if (f.steps) out.set(name, stepsOf(name, f));
  // k6 tags setup's samples with group `::setup`.
  if (spec.setup?.steps) out.set(SETUP_FLOW, stepsOf(SETUP_FLOW, spec.setup, '::setup'));
  for (const [name, f] of Object.entries(spec.flows)) {
    if (!f.mix) continue;
    let acc = 0;
    const entries = Object.entries(f.mix);
    const total = entries.reduce((t, [, w]) => t + w, 0);
    const choices = entries.map(([flow, w]) => {
      acc += w;
      return { flow: out.get(flow) as CompiledFlow & { kind: 'steps' }, upTo: acc / total };
    });
    out.set(name, { kind: 'mix', name, key: streamKey(seed, `mix:${name}`), choices });
  }
  return out;
}

/**
 * The flow a mix runs for a given iteration.
 * @param flow compiled flow
 * @param iteration test-wide iteration number
 * @returns the steps flow to run
 */
export function pickFlow(flow: CompiledFlow, iteration: number): CompiledFlow & { kind: 'steps' } {
  if (flow.kind === 'steps') return flow;
  const u = toUnit(hash32(flow.key, iteration));
  for (const c of flow.choices) if (u < c.upTo) return c.flow;
  return flow.choices[flow.choices.length - 1]!.flow;
}

/** What a scenario gives the iterations it runs. */
export interface IterationContext {
  /** Scenario name (tag `scenario`); `''` for setup. */
  scenario: string;
  /** Tags on every sample of the scenario (global tags, scenario tags, `scenario`). */
  tags: Readonly<Record<string, string>>;
  /** Scenario `env`. */
  env: Readonly<Record<string, string>>;
  /** Where samples go. */
  sink: SampleSink;
  /** Called with an iteration's exception (it is counted and logged, not fatal). */
  onError(err: unknown, vu: Vu): void;
  /**
   * The setup flow: no `iterations`/`iteration_duration` samples, and a request without a response or a missing
   * extract value is an exception (k6 setup failures end the run with exit 107).
   */
  setup?: boolean;
}

/** Epoch milliseconds (fractional) of a performance.now() reading. */
export function epochOf(perfMs: number): number {
  return performance.timeOrigin + perfMs;
}

/**
 * Emits samples with one reused object: the SampleSink contract forbids keeping a sample beyond `add`, so one
 * allocation per run instead of one per sample.
 */
export class Emitter {
  readonly #sink: SampleSink;
  readonly #sample: { metric: MetricDef; time: number; value: number; tags: Tags };

  /** @param sink where samples go */
  constructor(sink: SampleSink) {
    this.#sink = sink;
    this.#sample = { metric: M.iterations!, time: 0, value: 0, tags: {} };
  }

  /**
   * Emits one sample.
   * @param metric metric definition
   * @param value value (ms, bytes, 0/1, count)
   * @param tags tags (not copied: must not be mutated afterwards)
   * @param time epoch ms
   */
  emit(metric: MetricDef, value: number, tags: Tags, time: number): void {
    const s = this.#sample;
    s.metric = metric;
    s.value = value;
    s.tags = tags;
    s.time = time;
    this.#sink.add(s as Sample);
  }
}

const EMPTY_SCOPE: TemplateScope = { user: {}, vars: {}, env: {}, iteration: 0, vu: 0, scenario: '' };

/** Caches of tag objects per (context, key), so the hot path allocates no tags. */
const tagCache = new WeakMap<Readonly<Record<string, string>>, Map<string, Tags>>();

/**
 * k6's error_code for a request without a response (k6 docs "Error codes"): 1050 timeout, 1212 connection
 * refused, 1220 reset by peer, 1210 other dial errors, 1000 anything else.
 */
export function errorCode(message: string | undefined): number {
  const m = message ?? '';
  if (/timeout/i.test(m)) return 1050;
  if (/ECONNREFUSED/.test(m)) return 1212;
  if (/ECONNRESET|other side closed/i.test(m)) return 1220;
  if (/EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|ENOTFOUND|EAI_AGAIN/.test(m)) return 1210;
  return 1000;
}

function requestTags(ctx: IterationContext, step: CompiledStep, status: number, ok: boolean, error: string | undefined): Tags {
  let byKey = step.tagCache.get(ctx.tags);
  if (!byKey) step.tagCache.set(ctx.tags, (byKey = new Map()));
  // Keys: status * 2 + ok for responses, 1e6 + k6 error code for requests without one (checks use negative keys).
  const code = status === 0 ? errorCode(error) : 0;
  const key = status === 0 ? 1e6 + code : status * 2 + (ok ? 1 : 0);
  let t = byKey.get(key);
  if (!t) {
    t = Object.freeze({
      ...ctx.tags, ...step.tags, group: step.group, name: step.name, url: step.name, method: step.method,
      status: String(status), expected_response: ok ? 'true' : 'false', proto: status === 0 ? '' : 'HTTP/1.1',
      ...(status === 0 ? { error_code: String(code) } : {}),
    });
    byKey.set(key, t);
  }
  return t;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function checkTags(ctx: IterationContext, step: CompiledStep, i: number): Tags {
  let byKey = step.tagCache.get(ctx.tags);
  if (!byKey) step.tagCache.set(ctx.tags, (byKey = new Map()));
  // Negative keys: checks; non-negative: statuses (see requestTags).
  let t = byKey.get(-1 - i);
  if (!t) {
    t = Object.freeze({ ...ctx.tags, group: step.group, check: step.checks[i]!.name });
    byKey.set(-1 - i, t);
  }
  return t;
}

/** Tags of a group's group_duration and of iteration-level samples (group ''), built once per context. */
function groupTags(ctx: IterationContext, group: string): Tags {
  let byKey = tagCache.get(ctx.tags);
  if (!byKey) tagCache.set(ctx.tags, (byKey = new Map()));
  let t = byKey.get(group);
  if (!t) byKey.set(group, (t = Object.freeze({ ...ctx.tags, group })));
  return t;
}

function emitGroupDuration(ctx: IterationContext, emitter: Emitter, group: string, start: number, now: number): void {
  if (group !== '') emitter.emit(M.group_duration!, now - start, groupTags(ctx, group), epochOf(now));
}

/** Result of one iteration. */
export interface IterationOutcome {
  /** False when the iteration was interrupted (not counted in `iterations`, as in k6). */
  full: boolean;
  /** Requests sent. */
  requests: number;
}

/**
 * Runs one iteration of a flow on a VU and emits its samples.
 * @param ctx scenario context
 * @param emitter sample emitter
 * @param vu the VU
 * @param flow the flow (a mix picks one by `iteration`)
 * @param iteration test-wide iteration number
 * @param intendedStart performance.now() time the iteration was due (the actual start for closed models)
 * @returns whether it ran to the end
 */
export async function runIteration(
  ctx: IterationContext, emitter: Emitter, vu: Vu, flow: CompiledFlow, iteration: number, intendedStart: number,
): Promise<IterationOutcome> {
  const started = performance.now();
  const steps = pickFlow(flow, iteration);
  const scope: TemplateScope = { user: vu.user, vars: vu.vars, env: ctx.env, iteration, vu: vu.idInTest, scenario: ctx.scenario };
  vu.iterations++;
  let requests = 0;
  let group = '';
  let groupStart = started;
  try {
    for (const step of steps.steps) {
      if (vu.interrupted) break;
      if (step.once && vu.onceDone.has(step.key)) continue;
      if (step.group !== group) {
        const now = performance.now();
        emitGroupDuration(ctx, emitter, group, groupStart, now);
        group = step.group;
        groupStart = now;
      }
      const { origin, path } = step.target(scope);
      let headers = step.staticHeaders;
      if (headers === undefined) {
        headers = [];
        for (const [k, v] of step.headers) headers.push(k, v(scope));
      }
      const body = step.body === undefined ? undefined : step.body(scope);
      const res = await vu.http.request({ origin, path, method: step.method, headers, body, timeoutMs: step.timeout, keepBody: step.keepBody });
      requests++;
      if (vu.interrupted && res.status === 0) break; // an aborted request is not a result
      const ok = res.status !== 0 && step.expected(res.status);
      const tags = requestTags(ctx, step, res.status, ok, res.error);
      const t = epochOf(res.endedAt);
      const tm = res.timings;
      emitter.emit(M.http_reqs!, 1, tags, t);
      emitter.emit(M.http_req_duration!, tm.duration, tags, t);
      emitter.emit(M.http_req_blocked!, tm.blocked, tags, t);
      emitter.emit(M.http_req_connecting!, tm.connecting, tags, t);
      emitter.emit(M.http_req_tls_handshaking!, tm.tlsHandshaking, tags, t);
      emitter.emit(M.http_req_sending!, tm.sending, tags, t);
      emitter.emit(M.http_req_waiting!, tm.waiting, tags, t);
      emitter.emit(M.http_req_receiving!, tm.receiving, tags, t);
      emitter.emit(M.http_req_failed!, ok ? 0 : 1, tags, t);
      emitter.emit(M.caplab_req_duration_intended!, res.endedAt - intendedStart, tags, t);
      const doc = step.needsJson ? parseJson(res.body) : undefined;
      for (let i = 0; i < step.checks.length; i++) {
        const c = step.checks[i]!;
        emitter.emit(M.checks!, c.test(res) ? 1 : 0, checkTags(ctx, step, i), t);
      }
      for (const m of step.metrics) {
        const v = m.value(res, ok, doc);
        if (v !== undefined) emitter.emit(m.def, v, tags, t);
      }
      let extracted = true;
      for (const [k, get] of step.extract) {
        const v = get(doc);
        if (v === undefined) extracted = false;
        else vu.vars[k] = v;
      }
      if (ctx.setup && res.status === 0) throw new Error(`setup step "${step.name}": no response (${res.error ?? 'network error'})`);
      if (ctx.setup && !extracted) throw new Error(`setup step "${step.name}": a value to extract is missing from the response (status ${res.status})`);
      if (step.once && ok && extracted) vu.onceDone.add(step.key);
      if (step.think > 0) await vu.sleep(step.think);
    }
  } catch (err) {
    ctx.onError(err, vu);
  }
  const end = performance.now();
  emitGroupDuration(ctx, emitter, group, groupStart, end);
  const bytes = vu.http.takeBytes();
  const base = groupTags(ctx, '');
  const t = epochOf(end);
  if (bytes.sent > 0) emitter.emit(M.data_sent!, bytes.sent, base, t);
  if (bytes.received > 0) emitter.emit(M.data_received!, bytes.received, base, t);
  if (vu.interrupted) return { full: false, requests };
  if (ctx.setup) return { full: true, requests };
  emitter.emit(M.iterations!, 1, base, t);
  emitter.emit(M.iteration_duration!, end - started, base, t);
  return { full: true, requests };
}
