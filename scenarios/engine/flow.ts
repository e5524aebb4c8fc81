/**
 * Running flows (compiled by compile.ts) once per iteration by a VU. A step renders its templates, sends its
 * request, emits k6's per-request samples (http_reqs, http_req_duration and its breakdown, http_req_failed per
 * `expectedStatuses`), its checks and custom metrics, extracts values into the VU's vars, and sleeps its think time.
 * `once` steps run until they succeed once per VU; `group` steps are tagged `group=::name` and timed as
 * group_duration.
 */
import { type CompiledFlow, type CompiledStep, pickFlow } from './compile.ts';
import { k6ErrorOf } from './error-codes.ts';
import type { HttpRequest, PreparedHeaders } from './http-request.ts';
import type { HttpResponse } from './http-response.ts';
import { BUILTIN_METRICS } from './metrics/builtin.ts';
import type { MetricDef, Sample, SampleSink, Tags } from './metrics/types.ts';
import type { DataRows } from './data-rows.ts';
import { followRedirects, isRedirect, type RedirectCookies } from './redirects.ts';
import { withCookies } from './step-cookies.ts';
import type { TemplateScope } from './template.ts';
import { Emitter, epochOf, type IterationContext } from './iteration-context.ts';
import type { Vu } from './vu.ts';
import { runWsStep } from './ws-step.ts';

const M = BUILTIN_METRICS as Record<string, MetricDef>;

export { Emitter, epochOf, type IterationContext } from './iteration-context.ts';

/** Caches of tag objects per (context, key), so the hot path allocates no tags. */
const tagCache = new WeakMap<Readonly<Record<string, string>>, Map<string, Tags>>();

/**
 * Tags of a request's samples. As k6 (httpext/transport.go): a request without a response gets `error` (k6's
 * message) and `error_code` (error-codes.ts); a response with status >= 400 gets `error_code` 1000 + status.
 */
function requestTags(ctx: IterationContext, step: CompiledStep, res: HttpResponse, ok: boolean, method = step.method): Tags {
  let byKey = step.tagCache.get(ctx.tags);
  if (!byKey) step.tagCache.set(ctx.tags, (byKey = new Map()));
  // Keys: (status * 2 + ok) * 2 + HTTP/2 for responses, "code message" for requests without one (checks use negative keys).
  const status = res.status;
  const h2 = res.proto === 'HTTP/2.0';
  const failure = status === 0 ? k6ErrorOf(res.error, res.errorCause) : undefined;
  const plain = failure === undefined ? (status * 2 + (ok ? 1 : 0)) * 2 + (h2 ? 1 : 0) : `${failure.code} ${failure.message}`;
  // A redirect may change the method (303 -> GET): such requests are keyed by their method too.
  const key = method === step.method ? plain : `${method} ${plain}`;
  let t = byKey.get(key);
  if (!t) {
    t = Object.freeze({
      // k6 (since v0.41) tags url with the name when a request has one, and the generated script names every step.
      ...ctx.tags, ...step.tags, group: step.group, name: step.name, url: step.name, method,
      status: String(status), expected_response: ok ? 'true' : 'false', proto: status === 0 ? '' : h2 ? 'HTTP/2.0' : 'HTTP/1.1',
      ...(failure !== undefined ? { error: failure.message, error_code: String(failure.code) } : {}),
      ...(status >= 400 ? { error_code: String(1000 + status) } : {}),
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

/**
 * Emits k6's samples of one request (http_reqs, http_req_duration and its breakdown, http_req_failed) and caplab's
 * intended-start duration.
 * @returns whether its status was expected, the samples' time and tags
 */
function emitRequest(ctx: IterationContext, emitter: Emitter, step: CompiledStep, res: HttpResponse, method: string, intendedStart: number): { ok: boolean; t: number; tags: Tags } {
  const ok = res.status !== 0 && step.expected(res.status);
  const tags = requestTags(ctx, step, res, ok, method);
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
  return { ok, t, tags };
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
  if (ctx.data !== undefined) scope.data = ctx.data;
  // k6 (js/runner.go) gives the VU a new cookie jar at the start of every iteration, unless noCookiesReset.
  if (ctx.noCookiesReset !== true) vu.jar.clear();
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
      if (step.ws !== undefined) {
        requests++;
        const ok = await runWsStep(ctx, emitter, vu, step, scope);
        if (ctx.setup && !ok) throw new Error(`setup step "${step.name}": the WebSocket session failed`);
        if (step.once && ok) vu.onceDone.add(step.key);
        if (step.think > 0) await vu.sleep(step.think);
        continue;
      }
      const { origin, path } = step.target(scope);
      let headers: string[] | PreparedHeaders | undefined = step.staticHeaders;
      if (headers === undefined) {
        const flat: string[] = [];
        for (const [k, v] of step.headers) flat.push(k, v(scope));
        headers = flat;
      }
      headers = withCookies(headers, step.cookies, vu.jar, scope, origin, path);
      const body = step.body === undefined ? undefined : step.body(scope);
      const req: HttpRequest = { origin, path, method: step.method, headers, body, timeoutMs: step.timeout, keepBody: step.keepBody, maxBodyBytes: step.maxBody };
      if (step.keepHeaders) req.keepHeaders = true;
      let res = await vu.http.request(req);
      let method = step.method;
      let last = req;
      if (isRedirect(res.status)) {
        // Each request of a redirect chain is its own sample set, as in k6; the step reads the last response. Each
        // hop's Set-Cookie goes to the jar and each hop's Cookie is made anew from it (k6's CheckRedirect).
        const cookies: RedirectCookies = {
          store: (r, hopRes) => vu.jar.store(r.origin, r.path, hopRes.setCookies!),
          headers: (h, o, p) => withCookies(h, step.cookies, vu.jar, scope, o, p),
        };
        const chain = await followRedirects(vu.http, req, res, step.redirects, (hop, hopRes) => { requests++; emitRequest(ctx, emitter, step, hopRes, hop.method, intendedStart); }, cookies);
        res = chain.res;
        last = chain.req;
        method = chain.req.method;
        if (chain.stoppedAfter !== undefined && step.warnRedirects && !step.warnedRedirects) {
          step.warnedRedirects = true;
          ctx.onWarning?.(`step "${step.name}": stopped after ${chain.stoppedAfter} redirects and returned the redirection; set the step's "redirects" or options.maxRedirects to silence this`);
        }
      }
      requests++;
      if (vu.interrupted && res.status === 0) break; // an aborted request is not a result
      // The jar stores the final response's cookies for the URL that answered (after redirects, the last hop's).
      if (res.setCookies !== undefined) vu.jar.store(last.origin, last.path, res.setCookies);
      const { ok, t, tags } = emitRequest(ctx, emitter, step, res, method, intendedStart);
      const doc = step.needsJson ? parseJson(res.body) : undefined;
      for (let i = 0; i < step.checks.length; i++) {
        const c = step.checks[i]!;
        emitter.emit(M.checks!, c.test(res) ? 1 : 0, checkTags(ctx, step, i), t);
      }
      // Custom metrics are tagged with the step's method, as the k6 script tags them (not a redirect's GET).
      const metricTags = method === step.method || step.metrics.length === 0 ? tags : requestTags(ctx, step, res, ok);
      for (const m of step.metrics) {
        const v = m.value(res, ok, doc);
        if (v !== undefined) emitter.emit(m.def, v, metricTags, t);
      }
      let extracted = true;
      let text: string | undefined;
      const bodyText = (): string => (text ??= res.body.toString('utf8'));
      for (const e of step.extract) {
        const v = e.read(res, doc, bodyText);
        if (v === undefined) extracted = false;
        else vu.vars[e.name] = v;
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
  vu.http.endIteration(); // k6 noVUConnectionReuse: closes the VU's connections
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
