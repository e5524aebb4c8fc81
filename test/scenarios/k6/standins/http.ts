/**
 * Stand-in for k6/http: `request` (and its shorthands `get`, `post`, ...) records the request and answers it
 * synchronously with the test's responder; `expectedStatuses` returns a marker the stand-in evaluates like k6's
 * response callback. A request is tagged with the VU's tags (exec.vu.tags) when sent, then its own params.tags,
 * which win on a clash as in k6. Redirects are followed as k6 v0.48's Go client does (params.redirects, else
 * options.maxRedirects, else 10; 301-303 -> GET without body, 307/308 keep both; Authorization and Cookie dropped
 * on another host:port; Referer set), each request of the chain recorded on its own, as k6 samples each.
 */
import { currentVuTags, groupPath, standin, type StandinResponse } from './state.ts';

type Expected = number | { min: number; max: number };

/** The marker `expectedStatuses` returns. */
interface ExpectedMarker {
  expected: Expected[];
}

function isExpected(status: number, cb: ExpectedMarker | undefined): boolean {
  if (cb === undefined) return status >= 200 && status <= 399;
  return cb.expected.some((e) => (typeof e === 'number' ? e === status : status >= e.min && status <= e.max));
}

/**
 * k6's http.expectedStatuses: statuses or inclusive ranges counted as expected.
 * @param list codes or `{min, max}` ranges
 * @returns the marker `request` reads from params.responseCallback
 */
function expectedStatuses(...list: Expected[]): ExpectedMarker {
  return { expected: list };
}

interface Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  timeout?: string | number;
  redirects?: number;
  responseType?: string;
  responseCallback?: ExpectedMarker;
}

/** Sends one request of a chain and records it. */
function send(method: string, url: string, headers: Record<string, string>, body: string | null, params: Params): StandinResponse {
  const path = url.replace(/^https?:\/\/[^/]+/, '') || '/';
  const r = standin.responder(method, path, body ?? '', { url, headers: { ...headers }, timeout: params.timeout });
  const timings = r.timings ?? { duration: 1, blocked: 0, connecting: 0, tls_handshaking: 0, sending: 0, waiting: 1, receiving: 0 };
  const error = r.status === 0 ? (r.error ?? 'dial: connection refused') : '';
  standin.requests.push({
    method, url, headers: { ...headers }, body, tags: { ...currentVuTags(), ...params.tags }, group: groupPath(), status: r.status,
    expected: r.status !== 0 && isExpected(r.status, params.responseCallback), responseType: params.responseType,
    redirects: params.redirects, timeout: params.timeout, timings, error,
  });
  return { ...r, timings, error };
}

const hostPort = (u: URL): string => `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;

/**
 * k6's http.request, answered by the responder, following redirects as k6 does.
 * @param method HTTP method
 * @param url full URL
 * @param body request body or null
 * @param params k6 params
 * @returns a k6-like Response (status, body, headers, url, request, timings, proto, error fields, json())
 */
function request(method: string, url: string, body: string | null, params: Params = {}) {
  const max = params.redirects ?? standin.maxRedirects ?? 10;
  let cur = { method, url, headers: { ...params.headers }, body };
  let r = send(cur.method, cur.url, cur.headers, cur.body, params);
  let dropSensitive = false;
  // Go's client: via = the requests made so far; k6 stops (returning the 3xx) once they exceed the limit.
  for (let made = 1; [301, 302, 303, 307, 308].includes(r.status); made++) {
    const location = Object.entries(r.headers ?? {}).find(([k]) => k.toLowerCase() === 'location')?.[1];
    if (!location || made > max) break;
    const from = new URL(cur.url);
    const to = new URL(location, from);
    to.hash = '';
    const keep = r.status === 307 || r.status === 308;
    // Go (1.22.11+): once dropped for another host, Authorization and cookies stay dropped for the rest of the chain.
    if (!(hostPort(to) === hostPort(from) || hostPort(to).endsWith(`.${hostPort(from)}`))) dropSensitive = true;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(params.headers ?? {})) {
      if (/^(authorization|www-authenticate|cookie|cookie2)$/i.test(k) && dropSensitive) continue;
      if (/^host$/i.test(k) && /^[a-z][a-z0-9+.-]*:/i.test(location)) continue;
      headers[k] = v;
    }
    if (!(from.protocol === 'https:' && to.protocol === 'http:')) {
      for (const k of Object.keys(headers)) if (/^referer$/i.test(k)) delete headers[k];
      headers.Referer = from.href;
    }
    cur = { method: keep || cur.method === 'GET' || cur.method === 'HEAD' ? cur.method : 'GET', url: to.href, headers, body: keep ? body : null };
    r = send(cur.method, cur.url, cur.headers, cur.body, params);
  }
  const timings = r.timings!;
  const error = r.error ?? '';
  const text = params.responseType === 'none' ? null : r.body;
  return {
    status: r.status,
    body: text,
    headers: { ...r.headers },
    url: cur.url,
    request: { method, url, headers: {}, body: body ?? '', cookies: {} },
    proto: r.status === 0 ? '' : 'HTTP/1.1',
    error,
    // k6: its code for a request without a response, 1000 + status for a response >= 400.
    error_code: r.status === 0 ? 1212 : r.status >= 400 ? 1000 + r.status : 0,
    timings,
    json: () => JSON.parse(text ?? 'null') as unknown,
  };
}

// k6's shorthands (a team's own script uses them; caplab's generated scripts call request): get and head take no
// body, the others take one before params, as in k6.
type Body = string | null | undefined;
const get = (url: string, params?: Params) => request('GET', url, null, params);
const head = (url: string, params?: Params) => request('HEAD', url, null, params);
const post = (url: string, body?: Body, params?: Params) => request('POST', url, body ?? null, params);
const put = (url: string, body?: Body, params?: Params) => request('PUT', url, body ?? null, params);
const patch = (url: string, body?: Body, params?: Params) => request('PATCH', url, body ?? null, params);
const del = (url: string, body?: Body, params?: Params) => request('DELETE', url, body ?? null, params);
const options = (url: string, body?: Body, params?: Params) => request('OPTIONS', url, body ?? null, params);

export default { request, expectedStatuses, get, head, post, put, patch, del, options };
