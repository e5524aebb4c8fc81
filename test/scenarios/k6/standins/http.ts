/**
 * Stand-in for k6/http: `request` (and its shorthands `get`, `post`, ...) records the request and answers it
 * synchronously with the test's responder; `expectedStatuses` returns a marker the stand-in evaluates like k6's
 * response callback. A request is tagged with the VU's tags (exec.vu.tags) when sent, then its own params.tags,
 * which win on a clash as in k6.
 */
import { currentVuTags, groupPath, standin } from './state.ts';

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

/** A request body: text, or an object k6 sends as a form. */
type Body = string | Record<string, unknown> | null | undefined;

interface Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  timeout?: string | number;
  redirects?: number;
  responseType?: string;
  responseCallback?: ExpectedMarker;
}

/**
 * k6's http.request, answered by the responder.
 * @param method HTTP method
 * @param url full URL
 * @param body request body or null
 * @param params k6 params
 * @returns a k6-like Response (status, body, timings, proto, error fields, json())
 */
function request(method: string, url: string, body: Body, params: Params = {}) {
  const path = url.replace(/^https?:\/\/[^/]+/, '') || '/';
  // An object body is sent as a form, as k6 sends it (application/x-www-form-urlencoded unless the script says).
  if (body !== null && body !== undefined && typeof body === 'object') {
    const form = new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)]));
    if (!Object.keys(params.headers ?? {}).some((h) => h.toLowerCase() === 'content-type')) {
      params = { ...params, headers: { ...params.headers, 'Content-Type': 'application/x-www-form-urlencoded' } };
    }
    body = form.toString();
  }
  const r = standin.responder(method, path, body ?? '', { url, headers: { ...params.headers }, timeout: params.timeout });
  const timings = r.timings ?? { duration: 1, blocked: 0, connecting: 0, tls_handshaking: 0, sending: 0, waiting: 1, receiving: 0 };
  const error = r.status === 0 ? (r.error ?? 'dial: connection refused') : '';
  standin.requests.push({
    method, url, headers: { ...params.headers }, body: body ?? null, tags: { ...currentVuTags(), ...params.tags }, group: groupPath(), status: r.status,
    expected: r.status !== 0 && isExpected(r.status, params.responseCallback), responseType: params.responseType,
    redirects: params.redirects, timeout: params.timeout, timings, error,
  });
  const text = params.responseType === 'none' ? null : r.body;
  return {
    status: r.status,
    body: text,
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
const get = (url: string, params?: Params) => request('GET', url, null, params);
const head = (url: string, params?: Params) => request('HEAD', url, null, params);
const post = (url: string, body?: Body, params?: Params) => request('POST', url, body ?? null, params);
const put = (url: string, body?: Body, params?: Params) => request('PUT', url, body ?? null, params);
const patch = (url: string, body?: Body, params?: Params) => request('PATCH', url, body ?? null, params);
const del = (url: string, body?: Body, params?: Params) => request('DELETE', url, body ?? null, params);
const options = (url: string, body?: Body, params?: Params) => request('OPTIONS', url, body ?? null, params);

export default { request, expectedStatuses, get, head, post, put, patch, del, options };
