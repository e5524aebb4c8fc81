/**
 * The spec's flows as data for the generated script: each step with its names, checks, random keys and defaults
 * exactly as the engine's compile.ts compiles them, and the mixes with the engine's seeded choices. The script emits
 * them as constants and the embedded runtime (runtime-js.ts) runs them, which keeps the engine's semantics.
 */
import { streamKey } from '../../models/random.ts';
import { DEFAULT_FILE_CONTENT_TYPE } from '../engine/step-body.ts';
import { defaultFilename } from '../spec-files.ts';
import { wsReceiveCheck } from '../engine/compile.ts';
import { extractData } from '../engine/extract.ts';
import { templateParts } from '../engine/template.ts';
import { isRandomKey, labelKey, parseRandomKey, placeholderKey, randomCallData, stepRandomKey } from '../engine/random.ts';
import type { Flow, ScenarioSpec, Step } from '../spec.ts';


/** A placeholder as the runtime reads it: `{k}`, plus for a random helper its key and call (random.ts). */
type Placeholder = { k: string; r?: number; x?: unknown[] };

function placeholder(key: string, site: number | undefined, n: number): Placeholder {
  if (!isRandomKey(key)) return { k: key };
  const call = parseRandomKey(key);
  // The spec has validated random placeholders; an invalid one fails when rendered, as in the engine.
  return typeof call === 'string' ? { k: key } : { k: key, r: placeholderKey(site, n), x: randomCallData(call) };
}

/**
 * A template as the runtime renders it: literal parts and `{k}` placeholders (template.ts's compileString), random
 * helpers with their keys from `site` (the field's random key, random.ts labelKey).
 */
function template(source: string, site?: number): (string | Placeholder)[] {
  return templateParts(source, (key, randomIndex) => placeholder(key, site, randomIndex));
}

/**
 * A JSON template node (template.ts's compileJson): whole placeholders keep the value's type; random helpers draw
 * from `json<pointer>` under the step's random key.
 */
function jsonTemplate(value: unknown, site?: number, pointer = ''): unknown[] {
  if (typeof value === 'string') {
    const leaf = site === undefined ? undefined : labelKey(site, `json${pointer}`);
    const whole = /^\{\{\s*([^}]*?)\s*\}\}$/.exec(value);
    if (whole) {
      const p = placeholder(whole[1]!, leaf, 0);
      return p.x === undefined ? ['g', p.k] : ['g', p.k, p.r, p.x];
    }
    return value.includes('{{') ? ['s', template(value, leaf)] : ['v', value];
  }
  if (Array.isArray(value)) return ['a', value.map((v, i) => jsonTemplate(v, site, `${pointer}/${i}`))];
  if (value !== null && typeof value === 'object') {
    return ['o', Object.entries(value).map(([k, v]) => [k, jsonTemplate(v, site, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`)])];
  }
  return ['v', value];
}

/** JSONPath subset (`$`, `.key`, `['key']`, `[index]`) as a key list; the spec has validated the syntax. */
function jsonPathKeys(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) throw new Error(`jsonPathKeys: "${path}" is not a supported JSONPath`);
    keys.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]!));
  }
  return keys;
}

/** The step as data for the runtime, with names, checks and defaults exactly as compile.ts compiles them. */
function stepData(step: Step, key: string, baseUrl: string | undefined, seed: number): Record<string, unknown> {
  let rawUrl: string;
  const out: Record<string, unknown> = { key };
  // The random keys of compile.ts compileStep: (seed, step key, field).
  const rk = stepRandomKey(seed, key);
  if (step.path !== undefined) {
    const base = new URL(baseUrl!);
    const prefix = base.pathname.replace(/\/$/, '');
    rawUrl = `${base.origin}${prefix}${step.path.startsWith('/') ? '' : '/'}${step.path}`;
    out.path = template(`${step.path.startsWith('/') ? '' : '/'}${step.path}`, labelKey(rk, 'path'));
  } else {
    rawUrl = step.url!;
    out.url = template(step.url!, labelKey(rk, 'url'));
  }
  const name = step.name ?? rawUrl;
  const headers: [string, unknown][] = Object.entries(step.headers).map(([k, v]) => [k, template(v, labelKey(rk, `header:${k}`))]);
  const lower = new Set(Object.keys(step.headers).map((k) => k.toLowerCase()));
  if (step.json !== undefined) {
    out.json = jsonTemplate(step.json, rk);
    if (!lower.has('content-type')) headers.push(['content-type', ['application/json']]);
  } else if (typeof step.body === 'string') {
    out.body = template(step.body, labelKey(rk, 'body'));
  } else if (step.body !== undefined) {
    // The file's bytes as they are (open(file, 'b') in the init context), typed as the step says or as bytes.
    out.file = step.body.file;
    if (!lower.has('content-type')) headers.push(['content-type', [DEFAULT_FILE_CONTENT_TYPE]]);
  } else if (step.multipart !== undefined) {
    // An object with http.file values: k6 sends it as multipart/form-data, with a Content-Type of its own.
    out.multipart = Object.entries(step.multipart).map(([field, v]) => [field, typeof v === 'string' ? template(v, labelKey(rk, `multipart:${field}`))
      : { file: v.file, filename: v.filename ?? defaultFilename(v.file), contentType: v.contentType ?? DEFAULT_FILE_CONTENT_TYPE }]);
  }
  if (step.cookies !== undefined) {
    // Random helpers draw from `cookie:<name>` under the step's key, as compile.ts (step-cookies.ts) does.
    out.cookies = Object.entries(step.cookies).map(([n, c]) => (typeof c === 'string'
      ? [n, template(c, labelKey(rk, `cookie:${n}`)), false]
      : [n, template(c.value, labelKey(rk, `cookie:${n}`)), c.replace]));
  }
  const checks: Record<string, unknown>[] = [];
  const c = step.checks;
  if (c?.status !== undefined) {
    const want = Array.isArray(c.status) ? c.status : [c.status];
    checks.push({ kind: 'status', name: `${name}: status ${want.length === 1 ? `is ${want[0]}` : `in [${want.join(', ')}]`}`, want });
  }
  if (c?.maxDuration !== undefined) checks.push({ kind: 'duration', name: `${name}: duration < ${c.maxDuration}ms`, max: c.maxDuration });
  if (c?.bodyIncludes !== undefined) checks.push({ kind: 'body', name: `${name}: body includes ${JSON.stringify(c.bodyIncludes)}`, needle: c.bodyIncludes });
  const metrics = Object.entries(step.metrics).map(([mname, m]) => ({
    name: mname,
    value: typeof m.value === 'string' && m.value.startsWith('$') ? jsonPathKeys(m.value) : m.value,
  }));
  const jsonMetrics = metrics.some((m) => Array.isArray(m.value));
  if (step.ws !== undefined) out.ws = wsData(step, name, rk);
  const extract = Object.entries(step.extract).map(([k, src]) => [k, extractData(src, jsonPathKeys)]);
  const extractKinds = new Set(extract.map((e) => (e[1] as unknown[])[0]));
  const extractJson = extractKinds.has('json');
  const extractText = extractKinds.has('regex') || extractKinds.has('between');
  return {
    ...out,
    name,
    group: step.group ?? '',
    once: step.once,
    method: step.method,
    headers,
    expected: step.expectedStatuses ?? null,
    checks,
    extract,
    metrics,
    think: step.think ?? 0,
    timeout: step.timeout,
    // k6's redirects param when the step sets it; else k6 applies options.maxRedirects (default 10), as the engine.
    redirects: step.redirects ?? null,
    // The engine tags a step's requests with name and url = name, under the step's own tags; a WebSocket session's url
    // is the URL opened (k6/ws sets it over any given).
    tags: step.ws !== undefined ? { ...step.tags, name } : { ...step.tags, name, url: name },
    // k6 must keep a body the engine reads (extract, body checks, JSONPath metrics) or sizes ('bytes' metrics).
    keepBody: extractJson || extractText || c?.bodyIncludes !== undefined || jsonMetrics || metrics.some((m) => m.value === 'bytes'),
    needsJson: extractJson || jsonMetrics,
  };
}

/** A WebSocket step's data: its actions, heartbeat and check names as compile.ts compileWs makes them. */
function wsData(step: Step, name: string, rk: number): Record<string, unknown> {
  const w = step.ws!;
  let receives = 0;
  const receiveChecks: string[] = [];
  const actions = w.actions.map((a, i) => {
    if ('send' in a) return { send: template(a.send, labelKey(rk, `ws:${i}`)) };
    if ('ping' in a) return { ping: a.ping.timeout };
    if ('hold' in a) return { hold: a.hold };
    receives++;
    receiveChecks.push(wsReceiveCheck(name, receives, a.receive.contains));
    return { receive: { ...(a.receive.contains !== undefined ? { contains: a.receive.contains } : {}), timeout: a.receive.timeout } };
  });
  return {
    actions, receiveChecks,
    ...(w.subprotocols ? { subprotocols: w.subprotocols } : {}),
    ...(w.heartbeat ? { heartbeat: { every: w.heartbeat.every, ...(w.heartbeat.send !== undefined ? { send: template(w.heartbeat.send, labelKey(rk, 'ws:heartbeat')) } : {}) } } : {}),
  };
}

/**
 * A flow's steps as data for the runtime (see stepData), keyed `<flow>#<index>` as the engine keys them.
 * @param name flow name (`::setup` for the setup flow)
 * @param flow the flow
 * @param baseUrl the spec's baseUrl (required when a step has a `path`)
 * @param seed seed of the random helpers (the engine's `--seed`)
 * @returns one plain object per step, ready for JSON
 * @throws {Error} when a step's JSONPath is not one the runtime reads, or a path step has no valid baseUrl (a validated
 *   spec has neither)
 */
export function flowSteps(name: string, flow: Flow, baseUrl: string | undefined, seed: number): Record<string, unknown>[] {
  return (flow.steps ?? []).map((s, i) => stepData(s, `${name}#${i}`, baseUrl, seed));
}

/**
 * Mix choices with the engine's cumulative bounds and seeded key (compile.ts compileFlows).
 * @param spec validated spec
 * @param seed seed of the mix choices (the engine's `--seed`)
 * @returns mix flow name -> its seeded key and each flow's cumulative weight bound (0..1]
 */
export function mixData(spec: ScenarioSpec, seed: number): Record<string, { key: number; choices: [string, number][] }> {
  const out: Record<string, { key: number; choices: [string, number][] }> = {};
  for (const [name, f] of Object.entries(spec.flows)) {
    if (!f.mix) continue;
    const entries = Object.entries(f.mix);
    const total = entries.reduce((t, [, w]) => t + w, 0);
    let acc = 0;
    out[name] = { key: streamKey(seed, `mix:${name}`), choices: entries.map(([flow, w]) => { acc += w; return [flow, acc / total]; }) };
  }
  return out;
}
