/**
 * Stand-in for k6/http: `request` (and its shorthands `get`, `post`, ...) records the request and answers it
 * synchronously with the test's responder; `expectedStatuses` returns a marker the stand-in evaluates like k6's
 * response callback. A request is tagged with the VU's tags (exec.vu.tags) when sent, then its own params.tags,
 * which win on a clash as in k6. Redirects are followed as k6 v0.48's Go client does (params.redirects, else
 * options.maxRedirects, else 10; 301-303 -> GET without body, 307/308 keep both; Authorization and Cookie dropped
 * on another host:port; Referer set), each request of the chain recorded on its own, as k6 samples each.
 *
 * Bodies and cookies as k6 has them (js/modules/k6/http/request.go): an ArrayBuffer is sent as its bytes; an object
 * with an `http.file` value as multipart/form-data (Go's mime/multipart layout, a random boundary), any other object
 * url-encoded. Every VU has a cookie jar (the engine's Go-compatible jar: k6's is Go's net/http/cookiejar), emptied
 * at the start of each of its iterations unless noCookiesReset; Set-Cookie headers of responses (each redirect's
 * too) are stored in it, matching cookies go with later requests after a Cookie header of the request's own and its
 * params.cookies. On a redirect, as k6's CheckRedirect: the Cookie header is made anew for the hop's URL from
 * params.cookies and the jar (a Cookie header the script set is not carried on).
 */
import { randomBytes } from 'node:crypto';
import { CookieJar, cookieHeader, type CookiePair } from '../../../../scenarios/engine/cookie-jar.ts';
import { buildMultipart, multipartContentType, type MultipartPart } from '../../../../scenarios/engine/multipart.ts';
import { currentVuTags, groupPath, standin, type StandinResponse } from './state.ts';

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

/** What one request of a chain sends. */
interface Hop {
  method: string;
  url: string;
  /** Headers as the script passed them (carried on by redirects): what is recorded. */
  headers: Record<string, string>;
  body: string | null;
}

/** A response header's values, any case (a repeated header as a list). */
function headerValues(headers: StandinResponse['headers'], name: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === name) out.push(...(Array.isArray(v) ? v : [v]));
  return out;
}

/** Go's CanonicalMIMEHeaderKey, as k6's res.headers names headers. */
const canonical = (k: string): string => k.toLowerCase().replace(/(^|-)([a-z])/g, (_all, dash: string, c: string) => dash + c.toUpperCase());

/** k6's res.headers: Go's canonical names, a repeated header's values joined with ", ". */
function k6Headers(headers: StandinResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const name = canonical(k);
    const value = Array.isArray(v) ? v.join(', ') : v;
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}

/** `scheme://host[:port]` of a URL. */
const originOf = (u: string): string => u.slice(0, u.length - (u.replace(/^https?:\/\/[^/]+/, '').length));
/** Path and query of a URL (`/` when none). */
const pathOf = (u: string): string => u.replace(/^https?:\/\/[^/]+/, '') || '/';

/**
 * Sends one request of a chain and records it; the Set-Cookie of its response goes to the jar.
 * @param hop the request (its headers as recorded)
 * @param wire the headers sent: the hop's, with a body's Content-Type and the Cookie header made for its URL
 * @param bytes the body's bytes, when not a string
 * @param jar the VU's jar
 * @param params the script's params
 */
function send(hop: Hop, wire: Record<string, string>, bytes: Uint8Array | undefined, jar: CookieJar, params: Params): StandinResponse {
  const { method, url, body } = hop;
  const path = pathOf(url);
  const origin = originOf(url);
  const r = standin.responder(method, path, body ?? '', { url, headers: wire, timeout: params.timeout, ...(bytes ? { bodyBytes: bytes } : {}) });
  const setCookies = headerValues(r.headers, 'set-cookie');
  if (r.status !== 0 && setCookies.length > 0) jar.store(origin, path, setCookies);
  const timings = r.timings ?? { duration: 1, blocked: 0, connecting: 0, tls_handshaking: 0, sending: 0, waiting: 1, receiving: 0 };
  const error = r.status === 0 ? (r.error ?? 'dial: connection refused') : '';
  standin.requests.push({
    method, url, headers: { ...hop.headers }, body, ...(bytes ? { bodyBytes: bytes } : {}), tags: { ...currentVuTags(), ...params.tags }, group: groupPath(), status: r.status,
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
 * @param rawBody request body (string, bytes, an object: form or multipart) or null
 * @param params k6 params
 * @returns a k6-like Response (status, body, headers, url, request, timings, proto, error fields, json())
 */
function request(method: string, url: string, rawBody: unknown, params: Params = {}) {
  const max = params.redirects ?? standin.maxRedirects ?? 10;
  const encoded = encodeBody(rawBody);
  const body = encoded.text;
  const jar = jarOfVu();
  const own: (CookiePair & { replace?: boolean })[] = Object.entries(params.cookies ?? {})
    .map(([name, c]) => (typeof c === 'string' ? { name, value: c } : { name, value: c.value ?? '', replace: c.replace === true }));
  /**
   * The headers a hop sends: its own (a Cookie header among them starts the Cookie header, then params.cookies, then
   * the jar's cookies for its URL), and the Content-Type of an encoded body unless one is set.
   */
  const wireOf = (hop: Hop): Record<string, string> => {
    const wire: Record<string, string> = { ...hop.headers };
    if (encoded.contentType !== undefined && !Object.keys(wire).some((k) => k.toLowerCase() === 'content-type')) wire['Content-Type'] = encoded.contentType;
    const cookieKey = Object.keys(wire).find((k) => k.toLowerCase() === 'cookie');
    const cookie = cookieHeader(cookieKey === undefined ? undefined : wire[cookieKey], own, jar.cookies(originOf(hop.url), pathOf(hop.url)));
    if (cookieKey !== undefined) delete wire[cookieKey];
    if (cookie !== undefined) wire.Cookie = cookie;
    return wire;
  };
  let cur: Hop = { method, url, headers: { ...params.headers }, body };
  let r = send(cur, wireOf(cur), encoded.bytes, jar, params);
  let dropSensitive = false;
  // Go's client: via = the requests made so far; k6 stops (returning the 3xx) once they exceed the limit.
  for (let made = 1; [301, 302, 303, 307, 308].includes(r.status); made++) {
    const location = headerValues(r.headers, 'location')[0];
    if (!location || made > max) break;
    const from = new URL(cur.url);
    const to = new URL(location, from);
    to.hash = '';
    const keep = r.status === 307 || r.status === 308;
    // Go (1.22.11+): once dropped for another host, Authorization and cookies stay dropped for the rest of the chain.
    if (!(hostPort(to) === hostPort(from) || hostPort(to).endsWith(`.${hostPort(from)}`))) dropSensitive = true;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(params.headers ?? {})) {
      if (/^(authorization|www-authenticate|cookie2)$/i.test(k) && dropSensitive) continue;
      // k6's CheckRedirect deletes the Cookie header and makes it anew from the jar and params.cookies.
      if (/^cookie$/i.test(k)) continue;
      if (/^host$/i.test(k) && /^[a-z][a-z0-9+.-]*:/i.test(location)) continue;
      headers[k] = v;
    }
    if (!(from.protocol === 'https:' && to.protocol === 'http:')) {
      for (const k of Object.keys(headers)) if (/^referer$/i.test(k)) delete headers[k];
      headers.Referer = from.href;
    }
    cur = { method: keep || cur.method === 'GET' || cur.method === 'HEAD' ? cur.method : 'GET', url: to.href, headers, body: keep ? body : null };
    r = send(cur, wireOf(cur), keep ? encoded.bytes : undefined, jar, params);
  }
  const timings = r.timings!;
  const error = r.error ?? '';
  const text = params.responseType === 'none' ? null : r.body;
  return {
    status: r.status,
    body: text,
    headers: k6Headers(r.headers),
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
type Body = unknown;
const get = (url: string, params?: Params) => request('GET', url, null, params);
const head = (url: string, params?: Params) => request('HEAD', url, null, params);
const post = (url: string, body?: Body, params?: Params) => request('POST', url, body ?? null, params);
const put = (url: string, body?: Body, params?: Params) => request('PUT', url, body ?? null, params);
const patch = (url: string, body?: Body, params?: Params) => request('PATCH', url, body ?? null, params);
const del = (url: string, body?: Body, params?: Params) => request('DELETE', url, body ?? null, params);
const options = (url: string, body?: Body, params?: Params) => request('OPTIONS', url, body ?? null, params);

export default { request, expectedStatuses, file, get, head, post, put, patch, del, options };
