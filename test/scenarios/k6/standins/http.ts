/**
 * Stand-in for k6/http: `request` records the request and answers it synchronously with the test's responder;
 * `expectedStatuses` returns a marker the stand-in evaluates like k6's response callback.
 */
import { groupPath, standin } from './state.ts';

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

/**
 * k6's http.request, answered by the responder.
 * @param method HTTP method
 * @param url full URL
 * @param body request body or null
 * @param params k6 params
 * @returns a k6-like Response (status, body, timings, proto, error fields, json())
 */
function request(method: string, url: string, body: string | null, params: Params = {}) {
  const path = url.replace(/^https?:\/\/[^/]+/, '') || '/';
  const r = standin.responder(method, path, body ?? '', { url, headers: { ...params.headers }, timeout: params.timeout });
  const timings = r.timings ?? { duration: 1, blocked: 0, connecting: 0, tls_handshaking: 0, sending: 0, waiting: 1, receiving: 0 };
  const error = r.status === 0 ? (r.error ?? 'dial: connection refused') : '';
  standin.requests.push({
    method, url, headers: { ...params.headers }, body, tags: { ...params.tags }, group: groupPath(), status: r.status,
    expected: r.status !== 0 && isExpected(r.status, params.responseCallback), responseType: params.responseType,
    redirects: params.redirects, timeout: params.timeout, timings, error,
  });
  const text = params.responseType === 'none' ? null : r.body;
  return {
    status: r.status,
    body: text,
    proto: r.status === 0 ? '' : 'HTTP/1.1',
    error,
    error_code: r.status === 0 ? 1212 : 0,
    timings,
    json: () => JSON.parse(text ?? 'null') as unknown,
  };
}

export default { request, expectedStatuses };
