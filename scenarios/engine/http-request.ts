/**
 * One request of the engine's HTTP client (vu-http.ts) and how it goes on the wire: its headers checked and rendered
 * once ({@link prepareHeaders}), the HTTP/1.1 request head ({@link requestHead}) and the HTTP/2 header block
 * ({@link h2Headers}), each as Go's transport (k6) writes it.
 */
import type { OutgoingHttpHeaders } from 'node:http2';
import type { Http1Target } from './http1-connection.ts';

/** One request to make. */
export interface HttpRequest {
  /** `http://host:port`. */
  origin: string;
  /** Path with query string. */
  path: string;
  /** HTTP method. */
  method: string;
  /** Header name/value pairs, flattened ([name, value, name, value, ...]), or prepared once by {@link prepareHeaders}. */
  headers: string[] | PreparedHeaders;
  /** Request body, if any. */
  body?: string | Buffer;
  /** Give up when the whole request has not ended after this many ms (k6 `timeout`, default 60 s). */
  timeoutMs: number;
  /** Keep the response body (for extract, body checks); otherwise only its size is counted. */
  keepBody: boolean;
  /**
   * Most body bytes kept when {@link HttpRequest.keepBody} (default: no limit): a longer body fails the request
   * (status 0, an error naming the cap) and closes its connection (HTTP/2: resets its stream, the session stays).
   */
  maxBodyBytes?: number;
  /** Keep the response's header lines in HttpResponse.head (http-response.ts; 3xx responses keep them anyway, for redirects). */
  keepHeaders?: boolean;
}

/** Methods whose empty body is still announced with Content-Length: 0, as Go's client does. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** RFC 9110 token: a method or header name. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Characters a header value cannot hold: controls other than HTAB (CR/LF would inject headers). */
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
/** Path characters to percent-encode, as Go's URL.EscapedPath does: spaces, controls and non-ASCII. */
const PATH_ESCAPE = /[^\x21-\x7e]+/g;

/** Header lines rendered once for the wire, with what {@link requestHead} needs to know about them. */
export interface PreparedHeaders {
  /** `name: value\r\n` lines. */
  readonly lines: string;
  /** A Host header is among them. */
  readonly hasHost: boolean;
  /** A Content-Length header is among them. */
  readonly hasLength: boolean;
  /** Why these headers cannot be sent (a name that is not a token, a control character in a value); a request with them fails with status 0. */
  readonly error?: string;
  /** The name/value pairs themselves (the array given to {@link prepareHeaders}, not a copy), for HTTP/2. */
  readonly pairs: readonly string[];
}

/**
 * Renders and checks header pairs once, for headers that do not change between requests.
 * @param flat [name, value, name, value, ...]
 * @returns the prepared headers (with `error` set instead of throwing when a pair cannot be sent)
 */
export function prepareHeaders(flat: readonly string[]): PreparedHeaders {
  let lines = '';
  let hasHost = false;
  let hasLength = false;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i]!;
    const value = flat[i + 1]!;
    if (!TOKEN.test(name)) return { lines: '', hasHost, hasLength, pairs: flat, error: `invalid header name ${JSON.stringify(name)}: not an HTTP token` };
    if (BAD_VALUE.test(value)) {
      return { lines: '', hasHost, hasLength, pairs: flat, error: `invalid header ${JSON.stringify(name)}: the value holds a control character (CR, LF, NUL, ...)` };
    }
    if (name.length === 4 && name.toLowerCase() === 'host') hasHost = true;
    else if (name.length === 14 && name.toLowerCase() === 'content-length') hasLength = true;
    lines += `${name}: ${value}\r\n`;
  }
  return { lines, hasHost, hasLength, pairs: flat };
}

/**
 * The request line and headers; Host and Content-Length added unless the step set them, and `Connection: close` when
 * the connection serves one request (k6 noConnectionReuse: Go's transport adds it unless a Connection header is set).
 * @param req the request
 * @param target where it goes (its Host header value)
 * @param close whether the connection serves this request only
 * @returns the head, ending with the blank line
 * @throws {Error} when a header cannot be sent ({@link PreparedHeaders.error}) or the method is not an HTTP token
 */
export function requestHead(req: HttpRequest, target: Http1Target, close: boolean): string {
  const h = Array.isArray(req.headers) ? prepareHeaders(req.headers) : req.headers as PreparedHeaders;
  if (h.error !== undefined) throw new Error(h.error);
  if (!TOKEN.test(req.method)) throw new Error(`invalid method ${JSON.stringify(req.method)}: not an HTTP token`);
  let head = `${req.method} ${escapePath(req.path)} HTTP/1.1\r\n${h.lines}`;
  if (!h.hasHost) head += `host: ${target.hostHeader}\r\n`;
  if (close && !/^connection:/im.test(h.lines)) head += 'connection: close\r\n';
  const length = bodyLength(req.body);
  if (!h.hasLength && (length > 0 || BODY_METHODS.has(req.method))) head += `content-length: ${length}\r\n`;
  return `${head}\r\n`;
}

function escapePath(path: string): string {
  PATH_ESCAPE.lastIndex = 0;
  return PATH_ESCAPE.test(path) ? path.replace(PATH_ESCAPE, encodeURIComponent) : path;
}

function bodyLength(body: string | Buffer | undefined): number {
  return body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
}

/** Header fields Go's HTTP/2 transport leaves out: connection-specific in HTTP/1.1, forbidden in HTTP/2 (RFC 9113 8.2.2). */
const H2_DROPPED = new Set(['connection', 'proxy-connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'http2-settings']);

/**
 * The request's HTTP/2 header block, as Go's transport writes it (http2 encodeHeaders): pseudo-headers; `:authority`
 * from a Host header when the step set one; field names in lower case; Content-Length computed (a step's own is left
 * out) and sent for a body or an empty POST/PUT/PATCH; connection-specific fields dropped, TE kept only as `trailers`.
 * @param req the request
 * @param target where it goes (its Host header value is the default `:authority`)
 * @returns the header block for node:http2
 * @throws {Error} when a header cannot be sent ({@link PreparedHeaders.error}) or the method is not an HTTP token
 */
export function h2Headers(req: HttpRequest, target: Http1Target): OutgoingHttpHeaders {
  const h = Array.isArray(req.headers) ? prepareHeaders(req.headers) : req.headers as PreparedHeaders;
  if (h.error !== undefined) throw new Error(h.error);
  if (!TOKEN.test(req.method)) throw new Error(`invalid method ${JSON.stringify(req.method)}: not an HTTP token`);
  const out: OutgoingHttpHeaders = { ':method': req.method, ':scheme': 'https', ':authority': target.hostHeader, ':path': escapePath(req.path) || '/' };
  const p = h.pairs;
  for (let i = 0; i + 1 < p.length; i += 2) {
    const name = p[i]!.toLowerCase();
    const value = p[i + 1]!;
    if (name === 'host') out[':authority'] = value;
    else if (name === 'content-length' || H2_DROPPED.has(name) || (name === 'te' && value.toLowerCase() !== 'trailers')) continue;
    else {
      const prev = out[name];
      out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [String(prev), value];
    }
  }
  const length = bodyLength(req.body);
  if (length > 0 || BODY_METHODS.has(req.method)) out['content-length'] = String(length);
  return out;
}
