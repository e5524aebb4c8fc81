/**
 * The campaign's pre-flight: before any load, each service's first request(s) sent once to each target, as one user
 * of the DC would send them (a service's once-per-VU steps, e.g. the device registration its token comes from, then
 * its first own request). A target that refuses, never answers, fails TLS or answers a status the step does not
 * expect stops the campaign with the target, the request and the error, before anything is loaded: minutes of load
 * against a dead target would only end in a misleading failure further on (an empty fit, a blamed output). The
 * requests go with the DC's k6 options (TLS, client certificates, `hosts`, `userAgent`), as its load's will.
 */
import { TemplateError, type TemplateScope, compileJson, compileString } from '../../scenarios/engine/template.ts';
import { statusMatcher } from '../../scenarios/engine/compile.ts';
import { compileJsonPath } from '../../scenarios/engine/jsonpath.ts';
import { parseScenarioSpec, type ScenarioSpec, type Step } from '../../scenarios/spec.ts';
import { vuHttpOptionsOf } from '../../scenarios/engine/transport.ts';
import { K6_ERROR, k6ErrorOf } from '../../scenarios/engine/error-codes.ts';
import type { HttpResponse } from '../../scenarios/engine/http-response.ts';
import { VuHttp } from '../../scenarios/engine/vu-http.ts';
import type { Catalog, RawStep } from '../../scenarios/catalog.ts';
import { type Problem, ValidationError } from '../../models/errors.ts';
import { ScriptError } from '../errors.ts';
import { readTlsAuthFiles } from '../run/tls-files.ts';

type SpecOptions = Partial<ScenarioSpec['options']>;

/** One failed pre-flight request. */
export interface PreflightFailure {
  dc: string;
  /** The target's base URL. */
  target: string;
  service: string;
  /** `METHOD url` as sent (or as written, when it could not be rendered). */
  request: string;
  /** What went wrong: the network or TLS error, the timeout, or the unexpected status. */
  error: string;
}

/** Why a request got no response, in k6's words (as the load's own samples will tag it) with Node's code. */
function requestError(res: HttpResponse, timeoutS: number): string {
  const k6 = k6ErrorOf(res.error, res.errorCause);
  if (k6.code === K6_ERROR.requestTimeout) return `no response within ${timeoutS} s (k6 error_code ${k6.code})`;
  return `${k6.message} (k6 error_code ${k6.code}${res.errorCause?.code ? `, ${res.errorCause.code}` : ''})`;
}


/**
 * The steps one use sends up to its first request that is not once-per-VU (the service's own first request). A
 * WebSocket step is not sent: its session is the connection probe's to open, and a plain GET of it proves nothing.
 */
function firstSteps(all: readonly RawStep[]): RawStep[] {
  const steps = all.filter((s) => s.ws === undefined);
  const i = steps.findIndex((s) => s.once !== true);
  return i < 0 ? [...steps] : steps.slice(0, i + 1);
}

/**
 * Sends one service's first request(s) to one target.
 * @returns the failure, or undefined when every request got an expected status
 */
async function checkService(http: VuHttp, target: string, steps: readonly RawStep[], user: Record<string, unknown>, timeoutS: number, userAgent: string | undefined): Promise<{ request: string; error: string } | undefined> {
  const vars: Record<string, unknown> = {};
  const base = new URL(target);
  const prefix = base.pathname.replace(/\/$/, '');
  for (const step of firstSteps(steps)) {
    const method = typeof step.method === 'string' ? step.method : 'GET';
    const written = typeof step.path === 'string' ? `${base.origin}${prefix}${step.path.startsWith('/') ? '' : '/'}${step.path}` : String(step.url);
    const scope: TemplateScope = { user, vars, env: {}, iteration: 0, vu: 1, scenario: 'preflight' };
    let url: string;
    let body: string | undefined;
    const headers: Record<string, string> = {};
    // k6 `userAgent` as the load sends it: before the step's own headers, "" sends none.
    if (userAgent !== undefined && userAgent !== '') headers['user-agent'] = userAgent;
    try {
      url = compileString(written, encodeURIComponent)(scope);
      for (const [k, v] of Object.entries(step.headers ?? {})) headers[k] = compileString(v)(scope);
      if (step.json !== undefined) {
        body = JSON.stringify(compileJson(step.json)(scope));
        headers['content-type'] ??= 'application/json';
      } else if (typeof step.body === 'string') body = compileString(step.body)(scope);
    } catch (err) {
      // A value only a setup() would give: the request cannot be formed here, so reaching the target must do.
      if (!(err instanceof TemplateError)) throw err;
      url = target;
      body = undefined;
    }
    const request = `${method} ${url}`;
    // The engine's own client: the same TLS settings and the same errors as the load that follows.
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return { request, error: 'invalid URL (k6 error_code 1020): the step\'s URL does not parse' };
    }
    const res = await http.request({
      origin: u.origin, path: `${u.pathname}${u.search}`, method, headers: Object.entries(headers).flat(),
      ...(body !== undefined ? { body } : {}), timeoutMs: timeoutS * 1000, keepBody: true,
    });
    if (res.status === 0) return { request, error: requestError(res, timeoutS) };
    const text = res.body.toString('utf8');
    if (!statusMatcher(step.expectedStatuses as Step['expectedStatuses'])(res.status)) return { request, error: `HTTP ${res.status}${text ? `: ${text.slice(0, 120).replace(/\s+/g, ' ')}` : ''}` };
    for (const [name, path] of Object.entries((step.extract ?? {}) as Record<string, string>)) {
      try {
        vars[name] = compileJsonPath(path)(JSON.parse(text));
      } catch {
        // The load would fail the same way; the request itself was answered.
      }
    }
  }
  return undefined;
}

/**
 * Sends each service's first request(s) once to each DC's target(s), all at once.
 * Services run as k6 scripts (no flow) are checked by a GET of the target: any HTTP answer will do.
 * @param o targets by DC (one or more base URLs each), the catalog, one user of each DC, and the timeout per request
 * @returns every failure (empty when every target answered every request as expected)
 */
export async function preflightFailures(o: {
  targets: Readonly<Record<string, readonly string[]>>;
  catalog: Catalog;
  users: Readonly<Record<string, Record<string, unknown>>>;
  timeoutSeconds: number;
  /**
   * Per DC, the k6 options its load will run with (the DC's spec options, tlsAuth PEM read): the transport options
   * (TLS versions and ciphers, client certificates, `hosts`, `insecureSkipTLSVerify`) and `userAgent` apply here too.
   */
  options?: (dc: string) => SpecOptions;
}): Promise<PreflightFailure[]> {
  // Made once per DC: a bad option fails here, before any request, as it would fail the load.
  const http = Object.fromEntries(Object.keys(o.targets).map((dc) => [dc, vuHttpOptionsOf(o.options?.(dc) ?? {})]));
  const checks = Object.entries(o.targets).flatMap(([dc, urls]) => [...new Set(urls)].map(async (target) => {
    // A target's services are checked side by side (a WAN-delayed stack answers each after its modeled RTT).
    const found = await Promise.all(o.catalog.services.map(async (svc): Promise<PreflightFailure | undefined> => {
      const steps: RawStep[] = svc.flow ? svc.flow.steps : [{ method: 'GET', url: target, expectedStatuses: [{ min: 100, max: 599 }] }];
      const client = new VuHttp(http[dc]!);
      try {
        const f = await checkService(client, target, steps, o.users[dc] ?? {}, o.timeoutSeconds, o.options?.(dc).userAgent);
        return f ? { dc, target, service: svc.name, ...f } : undefined;
      } finally {
        await client.close();
      }
    }));
    const failures = found.filter((f) => f !== undefined);
    // A target that is down fails every service's first request the same way: name it once.
    const down = failures.filter((f) => !/^HTTP \d/.test(f.error));
    return down.length === failures.length && down.length > 0 ? [down[0]!] : failures;
  }));
  const perDc = await Promise.all(checks);
  return perDc.flat();
}

/**
 * The campaign's error for failed pre-flight requests: exit 107, as k6 exits when its setup() throws (the run cannot
 * start; the inputs are valid, the target is not serving them), one line per failure.
 * @param failures at least one
 * @returns the error to throw
 */
export function preflightError(failures: readonly PreflightFailure[]): ScriptError {
  const lines = failures.map((f) => `  ${f.dc} ${f.target}: ${f.service}: ${f.request}: ${f.error}`);
  return new ScriptError(`pre-flight: ${failures.length} request${failures.length === 1 ? '' : 's'} failed, nothing was loaded:\n${lines.join('\n')}`);
}

/**
 * The k6 options a DC's load runs with, for its pre-flight: the options of the DC's spec, its tlsAuth files read.
 * @param spec the DC's built spec (the probe's), if it has one
 * @param specPath where that spec is written (names it in a problem)
 * @returns the options (empty without a spec)
 * @throws {ValidationError} when a tlsAuth file cannot be read or is not a matching certificate and key
 */
export function preflightOptions(spec: Record<string, unknown> | undefined, specPath: string): SpecOptions {
  if (spec === undefined) return {};
  const problems: Problem[] = [];
  const read = readTlsAuthFiles(parseScenarioSpec(spec, specPath), specPath, problems);
  if (problems.length > 0) throw new ValidationError(`${specPath}: its TLS client certificates cannot be used`, problems);
  return read.options;
}
