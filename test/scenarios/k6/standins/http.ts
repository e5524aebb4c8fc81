/**
 * Stand-in for k6/http: `request` (and its shorthands `get`, `post`, ...) records the request and answers it
 * synchronously with the test's responder; `expectedStatuses` returns a marker the stand-in evaluates like k6's
 * response callback. A request is tagged with the VU's tags (exec.vu.tags) when sent, then its own params.tags,
 * which win on a clash as in k6.
 *
 * Bodies and cookies as k6 has them (js/modules/k6/http/request.go): an ArrayBuffer is sent as its bytes; an object
 * with an `http.file` value as multipart/form-data (Go's mime/multipart layout, a random boundary), any other object
 * url-encoded. Every VU has a cookie jar (the engine's Go-compatible jar: k6's is Go's net/http/cookiejar), emptied
 * at the start of each of its iterations unless noCookiesReset; Set-Cookie headers of responses are stored in it,
 * matching cookies go with later requests after a Cookie header of the request's own and its params.cookies.
 */
import { randomBytes } from 'node:crypto';
import { CookieJar, cookieHeader } from '../../../../scenarios/engine/cookie-jar.ts';
import { buildMultipart, multipartContentType, type MultipartPart } from '../../../../scenarios/engine/multipart.ts';
import { currentVuTags, groupPath, standin } from './state.ts';

/** What http.file returns (k6's FileData). */
interface FileData {
  data: Uint8Array;
  filename: string;
  content_type: string;
}

/**
 * k6's http.file: a file part for a multipart body.
 * @param data the bytes (open(path, 'b')) or text
 * @param filename default: the time in nanoseconds, as k6
 * @param contentType default application/octet-stream
 * @returns the file data
 */
function file(data: string | ArrayBuffer, filename?: string, contentType?: string): FileData {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : new Uint8Array(data);
  return { data: bytes, filename: filename ?? String(BigInt(Date.now()) * 1_000_000n), content_type: contentType ?? 'application/octet-stream' };
}

const isFile = (v: unknown): v is FileData => v !== null && typeof v === 'object' && 'data' in v && 'content_type' in v;

/** The bytes and Content-Type k6 makes of a request body. */
function encodeBody(body: unknown): { text: string | null; bytes?: Uint8Array; contentType?: string } {
  if (body === null || body === undefined) return { text: null };
  if (typeof body === 'string') return { text: body };
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const bytes = body instanceof ArrayBuffer ? new Uint8Array(body) : new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    return { text: Buffer.from(bytes).toString('utf8'), bytes };
  }
  const entries = Object.entries(body as Record<string, unknown>);
  if (!entries.some(([, v]) => isFile(v))) {
    const text = new URLSearchParams(entries.map(([k, v]) => [k, String(v)] as [string, string])).toString();
    return { text, contentType: 'application/x-www-form-urlencoded' };
  }
  const parts: MultipartPart[] = entries.map(([name, v]) => (isFile(v)
    ? { name, data: v.data, filename: v.filename, contentType: v.content_type }
    : { name, text: String(v) }));
  // Go's multipart.Writer: 30 random bytes, in hex.
  const boundary = randomBytes(30).toString('hex');
  const bytes = buildMultipart(parts, boundary);
  return { text: bytes.toString('utf8'), bytes, contentType: multipartContentType(boundary) };
}

/** The running VU's jar, emptied when a new iteration of it began (k6: a new jar per iteration). */
function jarOfVu(): CookieJar {
  const vu = standin.exec.vu.idInTest;
  let j = standin.jars.get(vu) as { jar: CookieJar; at: number } | undefined;
  if (j === undefined || (j.at !== standin.iteration && !standin.noCookiesReset)) standin.jars.set(vu, (j = { jar: new CookieJar(), at: standin.iteration }));
  j.at = standin.iteration;
  return j.jar;
}

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
  cookies?: Record<string, string | { value?: string; replace?: boolean }>;
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
function request(method: string, url: string, rawBody: unknown, params: Params = {}) {
  const path = url.replace(/^https?:\/\/[^/]+/, '') || '/';
  const origin = url.slice(0, url.length - (url.replace(/^https?:\/\/[^/]+/, '').length));
  const encoded = encodeBody(rawBody);
  const body = encoded.text;
  const sent: Record<string, string> = { ...params.headers };
  if (encoded.contentType !== undefined && !Object.keys(sent).some((k) => k.toLowerCase() === 'content-type')) sent['Content-Type'] = encoded.contentType;
  const jar = jarOfVu();
  const own = Object.entries(params.cookies ?? {}).map(([name, c]) => (typeof c === 'string' ? { name, value: c } : { name, value: c.value ?? '', replace: c.replace === true }));
  const cookieKey = Object.keys(sent).find((k) => k.toLowerCase() === 'cookie');
  const cookie = cookieHeader(cookieKey === undefined ? undefined : sent[cookieKey], own, jar.cookies(origin, path));
  if (cookieKey !== undefined) delete sent[cookieKey];
  if (cookie !== undefined) sent.Cookie = cookie;
  const r = standin.responder(method, path, body ?? '', { url, headers: sent, timeout: params.timeout, ...(encoded.bytes ? { bodyBytes: encoded.bytes } : {}) });
  const setCookie = r.headers?.['set-cookie'];
  if (r.status !== 0 && setCookie !== undefined) jar.store(origin, path, Array.isArray(setCookie) ? setCookie : [setCookie]);
  const timings = r.timings ?? { duration: 1, blocked: 0, connecting: 0, tls_handshaking: 0, sending: 0, waiting: 1, receiving: 0 };
  const error = r.status === 0 ? (r.error ?? 'dial: connection refused') : '';
  standin.requests.push({
    method, url, headers: { ...params.headers }, body, ...(encoded.bytes ? { bodyBytes: encoded.bytes } : {}), tags: { ...currentVuTags(), ...params.tags }, group: groupPath(), status: r.status,
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
type Body = unknown;
const get = (url: string, params?: Params) => request('GET', url, null, params);
const head = (url: string, params?: Params) => request('HEAD', url, null, params);
const post = (url: string, body?: Body, params?: Params) => request('POST', url, body ?? null, params);
const put = (url: string, body?: Body, params?: Params) => request('PUT', url, body ?? null, params);
const patch = (url: string, body?: Body, params?: Params) => request('PATCH', url, body ?? null, params);
const del = (url: string, body?: Body, params?: Params) => request('DELETE', url, body ?? null, params);
const options = (url: string, body?: Body, params?: Params) => request('OPTIONS', url, body ?? null, params);

export default { request, expectedStatuses, file, get, head, post, put, patch, del, options };
