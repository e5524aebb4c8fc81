/**
 * Compiling flows: a spec's flows and setup turned once into steps ready to run (templates compiled, checks and
 * custom metrics resolved, expected statuses as a matcher), and the seeded pick of a mix's flow per iteration: a hash
 * of the test-wide iteration number, so the choice is reproducible and the same on every execution segment.
 */
import { hash32, streamKey, toUnit } from '../../models/random.ts';
import type { Flow, ScenarioSpec, Step } from '../spec.ts';
import type { SpecFiles } from '../spec-files.ts';
import { type CompiledExtract, compileExtract } from './extract.ts';
import { prepareHeaders, type PreparedHeaders } from './http-request.ts';
import type { HttpResponse } from './http-response.ts';
import { compileJsonPath } from './jsonpath.ts';
import { labelKey, stepRandomKey } from './random.ts';
import { DEFAULT_MAX_REDIRECTS } from './redirects.ts';
import type { MetricDef, Tags } from './metrics/types.ts';
import { compileStepBody } from './step-body.ts';
import { compileStepCookies, type StepCookie } from './step-cookies.ts';
import { compileJson, compileString, type StringTemplate, type TemplateScope } from './template.ts';

/** The engine's User-Agent when the spec sets no `userAgent` (k6 sends its own, `k6/<version> (https://k6.io/)`). */
export const DEFAULT_USER_AGENT = 'caplab/0.1 (k6-compatible engine)';
const EMPTY_SCOPE: TemplateScope = { user: {}, vars: {}, env: {}, iteration: 0, vu: 0, scenario: '' };

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
  /** Tag `name` (and `url`: k6 sets `url` to the `name` tag when one is given; docs/k6-compatibility.md). */
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
  /** The headers prepared once when none is templated (reused by every request), else undefined. */
  staticHeaders: PreparedHeaders | undefined;
  /** Tags per scenario context and status (built once each). */
  tagCache: WeakMap<object, Map<number | string, Tags>>;
  /** Renders the request body (JSON text, a body template, a file's bytes or a multipart body). */
  body: ((scope: TemplateScope) => string | Buffer) | undefined;
  /** The step's own cookies (k6's `cookies` param), added to the jar's. */
  cookies: StepCookie[];
  /** Whether a status is expected (k6 `expectedStatuses`; default 200-399); others count in http_req_failed. */
  expected(status: number): boolean;
  /** Checks, in spec order. */
  checks: CompiledCheck[];
  /** The extracts (extract.ts), in spec order. */
  extract: CompiledExtract[];
  /** Whether response header lines are kept (a header extract). */
  keepHeaders: boolean;
  /** Redirects followed (step `redirects`, else `options.maxRedirects`, else k6's 10). */
  redirects: number;
  /** Neither the step nor the options set the limit: stopping at it is warned about, as k6 does. */
  warnRedirects: boolean;
  /** Set once the stop at the limit was warned about (once per step, where k6 warns every time). */
  warnedRedirects?: boolean;
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
  /** Most body bytes kept (`options.caplabMaxBodyBytes`); a longer kept body fails the request. */
  maxBody: number;
  /** Extra tags of the step's requests. */
  tags: Readonly<Record<string, string>>;
  /** A WebSocket session instead of a request. */
  ws?: CompiledWs;
}

/** A WebSocket step ready to run. */
export interface CompiledWs {
  /** Renders the ws:// or wss:// URL. */
  url(scope: TemplateScope): string;
  subprotocols?: readonly string[];
  actions: ({ kind: 'send'; text: StringTemplate } | { kind: 'receive'; contains?: string; timeoutMs: number } | { kind: 'ping'; timeoutMs: number } | { kind: 'hold'; ms: number })[];
  heartbeat?: { everyMs: number; text?: StringTemplate };
  /** Check names of the `receive` actions, in order. */
  receiveChecks: string[];
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

/**
 * k6's `http.expectedStatuses` as a predicate: the listed codes and inclusive ranges, or 200-399 when none are given.
 * @param list the step's expected statuses
 * @returns whether a status counts as expected (not failed)
 */
export function statusMatcher(list: Step['expectedStatuses']): (status: number) => boolean {
  // k6's default expected statuses: 200-399.
  if (!list) return (s) => s >= 200 && s < 400;
  const codes = new Set<number>();
  const ranges: [number, number][] = [];
  for (const e of list) if (typeof e === 'number') codes.add(e); else ranges.push([e.min, e.max]);
  return (s) => codes.has(s) || ranges.some(([a, b]) => s >= a && s <= b);
}

function compileStep(step: Step, key: string, baseUrl: string | undefined, groupPrefix = '', maxBody = Infinity, userAgent = DEFAULT_USER_AGENT, files?: SpecFiles, seed = 0, maxRedirects?: number): CompiledStep {
  let target: CompiledStep['target'];
  let rawUrl: string;
  // Random placeholders draw from keys of (seed, step, field): random.ts.
  const rk = stepRandomKey(seed, key);
  if (step.path !== undefined) {
    const base = new URL(baseUrl!);
    const prefix = base.pathname.replace(/\/$/, '');
    const path = compileString(`${prefix}${step.path.startsWith('/') ? '' : '/'}${step.path}`, encodeURIComponent, labelKey(rk, 'path'));
    const origin = base.origin;
    target = (s) => ({ origin, path: path(s) });
    rawUrl = `${origin}${prefix}${step.path.startsWith('/') ? '' : '/'}${step.path}`; // the URL requested, as the tags name it
  } else {
    const url = compileString(step.url!, encodeURIComponent, labelKey(rk, 'url'));
    target = (s) => {
      const u = url(s);
      const m = /^(https?:\/\/[^/?#]+)(.*)$/.exec(u);
      if (!m) throw new Error(`"${u}" is not an http(s) URL`);
      return { origin: m[1]!, path: m[2] || '/' };
    };
    rawUrl = step.url!;
  }
  const name = step.name ?? rawUrl;
  const headers: [string, StringTemplate][] = Object.entries(step.headers).map(([k, v]) => [k, compileString(v, undefined, labelKey(rk, `header:${k}`))]);
  const lower = new Set(headers.map(([k]) => k.toLowerCase()));
  // k6 `userAgent`: set before the step's headers (a step's own User-Agent wins); "" sends none.
  if (!lower.has('user-agent') && userAgent !== '') headers.push(['user-agent', () => userAgent]);
  let body: CompiledStep['body'];
  const fileBody = compileStepBody(step, key, files, seed, rk);
  if (fileBody !== undefined) {
    body = fileBody.body;
    const i = headers.findIndex(([k]) => k.toLowerCase() === 'content-type');
    if (i < 0) headers.push(['content-type', () => fileBody.contentType]);
    else if (fileBody.forced) headers[i] = ['content-type', () => fileBody.contentType];
  } else if (step.json !== undefined) {
    const json = compileJson(step.json, rk);
    body = (s) => JSON.stringify(json(s));
    if (!lower.has('content-type')) headers.push(['content-type', () => 'application/json']);
  } else if (typeof step.body === 'string') {
    body = compileString(step.body, undefined, labelKey(rk, 'body'));
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
  const ws = step.ws === undefined ? undefined : compileWs(step, baseUrl, label, rk);
  const extract = Object.entries(step.extract).map(([k, src]) => compileExtract(k, src));
  const extractNeeds = new Set(extract.map((e) => e.needs));
  return {
    key,
    name,
    group: `${groupPrefix}${step.group ? `::${step.group}` : ''}`,
    once: step.once,
    method: step.method,
    target,
    headers,
    staticHeaders: Object.values(step.headers).some((v) => v.includes('{{')) ? undefined : prepareHeaders(headers.flatMap(([k, v]) => [k, v(EMPTY_SCOPE)])),
    tagCache: new WeakMap(),
    body,
    cookies: compileStepCookies(step.cookies, rk),
    expected: statusMatcher(step.expectedStatuses),
    checks,
    extract,
    metrics,
    keepBody: extractNeeds.has('json') || extractNeeds.has('text') || c?.bodyIncludes !== undefined || jsonMetrics,
    needsJson: extractNeeds.has('json') || jsonMetrics,
    keepHeaders: extractNeeds.has('header'),
    redirects: step.redirects ?? maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    warnRedirects: step.redirects === undefined && maxRedirects === undefined,
    think: step.think ?? 0,
    timeout: step.timeout,
    maxBody,
    tags: step.tags,
    ...(ws !== undefined ? { ws } : {}),
  };
}

/**
 * The check name of a WebSocket step's n-th `receive` action (the engine and the generated k6 script name it alike).
 * @param label the step's name (or URL)
 * @param n 1-based index among the step's receives
 * @param contains the text the message must contain, if any
 * @returns e.g. `chat: message 1 contains "hello"`
 */
export function wsReceiveCheck(label: string, n: number, contains: string | undefined): string {
  return `${label}: message ${n}${contains !== undefined ? ` contains ${JSON.stringify(contains)}` : ''}`;
}

/** http(s) becomes ws(s); ws(s) stays. */
function toWsUrl(u: string): string {
  const m = /^(https?|wss?):\/\//i.exec(u);
  if (!m) throw new Error(`"${u}" is not a ws://, wss:// or http(s) URL`);
  const scheme = m[1]!.toLowerCase();
  return `${scheme === 'https' || scheme === 'wss' ? 'wss' : 'ws'}://${u.slice(m[0].length)}`;
}

function compileWs(step: Step, baseUrl: string | undefined, label: string, rk: number): CompiledWs {
  const w = step.ws!;
  let url: CompiledWs['url'];
  if (step.path !== undefined) {
    const base = new URL(baseUrl!);
    const prefix = base.pathname.replace(/\/$/, '');
    const path = compileString(`${prefix}${step.path.startsWith('/') ? '' : '/'}${step.path}`, encodeURIComponent, labelKey(rk, 'path'));
    const origin = toWsUrl(base.origin);
    url = (s) => `${origin}${path(s)}`;
  } else {
    const tpl = compileString(step.url!, encodeURIComponent, labelKey(rk, 'url'));
    url = (s) => toWsUrl(tpl(s));
  }
  let receives = 0;
  const receiveChecks: string[] = [];
  const actions = w.actions.map((a, i): CompiledWs['actions'][number] => {
    if ('send' in a) return { kind: 'send', text: compileString(a.send, undefined, labelKey(rk, `ws:${i}`)) };
    if ('ping' in a) return { kind: 'ping', timeoutMs: a.ping.timeout };
    if ('hold' in a) return { kind: 'hold', ms: a.hold };
    receives++;
    receiveChecks.push(wsReceiveCheck(label, receives, a.receive.contains));
    return { kind: 'receive', ...(a.receive.contains !== undefined ? { contains: a.receive.contains } : {}), timeoutMs: a.receive.timeout };
  });
  return {
    url, actions, receiveChecks,
    ...(w.subprotocols ? { subprotocols: w.subprotocols } : {}),
    ...(w.heartbeat ? { heartbeat: { everyMs: w.heartbeat.every, ...(w.heartbeat.send !== undefined ? { text: compileString(w.heartbeat.send, undefined, labelKey(rk, 'ws:heartbeat')) } : {}) } } : {}),
  };
}

/**
 * Compiles every flow of a spec (and its setup flow under the name `setup`).
 * @param spec validated spec
 * @param seed seed of the mix choices, multipart boundaries and `{{random.*}}`/`{{uuid}}` values
 * @param files contents of the files the steps send (`body: {file}`, multipart), read by the CLI
 * @returns flows by name
 * @throws {Error} when a step sends a file whose contents are not in `files`
 */
export function compileFlows(spec: ScenarioSpec, seed: number, files?: SpecFiles): Map<string, CompiledFlow> {
  const out = new Map<string, CompiledFlow>();
  const stepsOf = (name: string, f: Flow, groupPrefix = ''): CompiledFlow & { kind: 'steps' } => ({
    kind: 'steps', name, steps: f.steps!.map((s, i) => compileStep(s, `${name}#${i}`, spec.baseUrl, groupPrefix, spec.options.caplabMaxBodyBytes, spec.options.userAgent, files, seed, spec.options.maxRedirects)),
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
