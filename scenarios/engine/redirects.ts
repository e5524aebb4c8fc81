/**
 * Following redirects as k6 v0.48 does (lib/netext/httpext/request.go: Go's http.Client with k6's CheckRedirect):
 * - 301, 302, 303: the next request is a GET without a body (a HEAD stays HEAD, a GET stays GET); 307, 308: same
 *   method and the original body. A 3xx without a Location (or another 3xx: 300, 304, ...) is the response.
 * - Location is resolved against the URL of the request it answered; another origin gets its own connection (the
 *   VU keeps one per origin).
 * - Headers: the original request's, minus Host when Location is absolute, minus Authorization, Www-Authenticate,
 *   Cookie and Cookie2 from the first hop to a host:port that is neither the previous one nor a subdomain of it
 *   (Go's shouldCopyHeaderOnRedirect) to the end of the chain; plus `Referer: <previous URL>`, unless going from
 *   https to http. (k6 v0.48's Go 1.21 put them back on a later same-host hop, CVE-2024-45336; Go 1.22.11+, in k6
 *   builds since, keeps them dropped, and so does caplab: credentials do not follow a chain to another host.)
 * - Limit: k6's CheckRedirect stops when the requests made so far exceed the limit (step `redirects`, else
 *   `options.maxRedirects`, else 10) and returns that last 3xx response as the response: no error, no error code, a
 *   status 3xx (expected under the default 200-399). k6 logs a warning then when neither was set.
 * - Every request of the chain is its own sample set in k6 (the tracer transport records each round trip): the same
 *   `name`/`url` tags (a step's name), each with its own method, status, expected_response and http_req_failed; checks,
 *   custom metrics and extract read the last response only, and `res.timings` are the last request's.
 * - The step's timeout covers the whole chain (k6 puts one deadline on client.Do).
 * - A Location that does not parse fails the request: status 0, the error on the last request's samples, as k6
 *   tags the pending round trip with client.Do's error.
 * - Cookies (k6's CheckRedirect with the VU's jar): the Set-Cookie of each 3xx that is followed is stored in the jar
 *   for the request it answered, and each hop's Cookie header is made anew, the step's own `cookies` then the jar's
 *   cookies for the hop's URL (a Cookie header the step set itself is not carried on, as k6 deletes it): see
 *   {@link RedirectCookies}.
 */
import type { HttpRequest, PreparedHeaders } from './http-request.ts';
import type { HttpResponse } from './http-response.ts';
import { headerValue } from './headers.ts';

/** k6's default of `maxRedirects`. */
export const DEFAULT_MAX_REDIRECTS = 10;

/** Headers Go drops on a redirect to another host (net/http shouldCopyHeaderOnRedirect). */
const SENSITIVE = new Set(['authorization', 'www-authenticate', 'cookie', 'cookie2']);

/** What sends one request (a VU's VuHttp). */
export interface Sender {
  request(req: HttpRequest): Promise<HttpResponse>;
}

/** The cookie jar's part in a chain (flow.ts builds it over the VU's jar and the step's own cookies). */
export interface RedirectCookies {
  /** Stores the Set-Cookie of a redirect response (`res.setCookies`) for the request it answered. */
  store(req: HttpRequest, res: HttpResponse): void;
  /** A hop's headers (its Cookie left out) with the Cookie header for its URL added (step-cookies.ts withCookies). */
  headers(headers: string[], origin: string, path: string): string[] | PreparedHeaders;
}

/** The end of a chain. */
export interface ChainEnd {
  /** The last request sent. */
  req: HttpRequest;
  /** Its response: the step's response. */
  res: HttpResponse;
  /** Set when the limit stopped the chain: the redirects followed. */
  stoppedAfter?: number;
}

/**
 * Whether a status is one Go's client follows.
 * @param status HTTP status
 */
export function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** `host:port` with the scheme's default port, as Go's canonicalAddr. */
function hostPort(u: URL): string {
  return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
}

/** Go's isDomainOrSubdomain (k6 v0.48's Go: on canonicalAddr, host:port). */
function sameOrSubdomain(sub: string, parent: string): boolean {
  if (sub === parent) return true;
  return sub.endsWith(parent) && sub[sub.length - parent.length - 1] === '.';
}

function pairsOf(headers: HttpRequest['headers']): readonly string[] {
  return Array.isArray(headers) ? headers : (headers as PreparedHeaders).pairs;
}

/**
 * Follows the redirects of a response (call it when {@link isRedirect} says the status is one).
 * @param http the VU's client
 * @param first the step's request
 * @param firstRes its response
 * @param max most redirects to follow (k6 `redirects` / `maxRedirects`)
 * @param onHop called with each request that was answered by a redirect that is followed (its samples), in order
 * @param cookies the VU's jar and the step's cookies: Set-Cookie of each hop stored, Cookie made anew per hop (without
 *   it, the first request's headers are carried as Go's client carries them, Cookie included)
 * @returns the last request and its response
 */
export async function followRedirects(http: Sender, first: HttpRequest, firstRes: HttpResponse, max: number, onHop: (req: HttpRequest, res: HttpResponse) => void, cookies?: RedirectCookies): Promise<ChainEnd> {
  // k6 puts one deadline on the whole chain; the first request's share of it is spent already.
  const deadline = firstRes.endedAt - firstRes.timings.blocked - firstRes.timings.duration + first.timeoutMs;
  let req = first;
  let made = 0;
  let dropSensitive = false;
  let next: HttpResponse | undefined = firstRes;
  for (;;) {
    const res: HttpResponse = next ?? await http.request(req);
    next = undefined;
    made++;
    if (!isRedirect(res.status)) return { req, res };
    const location = headerValue(res.head, 'location');
    if (location === undefined || location === '') return { req, res };
    const from = new URL(`${req.origin}${req.path}`);
    let to: URL;
    try {
      to = new URL(location, from);
    } catch (err) {
      const failed: HttpResponse = { ...res, status: 0, body: Buffer.alloc(0), bodySize: 0, error: `failed to parse Location header ${JSON.stringify(location)}: ${(err as Error).message}` };
      delete failed.setCookies; // a failed request stores no cookie
      return { req, res: failed };
    }
    if (made > max) return { req, res, stoppedAfter: made - 1 };
    onHop(req, res);
    if (cookies !== undefined && res.setCookies !== undefined) cookies.store(req, res);
    const keepBody = res.status === 307 || res.status === 308;
    const method = keepBody || req.method === 'GET' || req.method === 'HEAD' ? req.method : 'GET';
    const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(location);
    if (!sameOrSubdomain(hostPort(to), hostPort(from))) dropSensitive = true;
    const referer = from.protocol === 'https:' && to.protocol === 'http:' ? undefined : from.href;
    const headers: string[] = [];
    const original = pairsOf(first.headers);
    for (let i = 0; i + 1 < original.length; i += 2) {
      const name = original[i]!.toLowerCase();
      if ((name === 'referer' && referer !== undefined) || (name === 'host' && absolute) || (SENSITIVE.has(name) && dropSensitive)) continue;
      if (cookies !== undefined && name === 'cookie') continue; // made anew below, from the jar
      headers.push(original[i]!, original[i + 1]!);
    }
    if (referer !== undefined) headers.push('referer', referer);
    to.hash = '';
    const origin = to.origin === 'null' ? `${to.protocol}//${to.host}` : to.origin;
    const path = `${to.pathname}${to.search}`;
    req = {
      ...first,
      origin,
      path,
      method,
      headers: cookies === undefined ? headers : cookies.headers(headers, origin, path),
      timeoutMs: Math.max(1, deadline - performance.now()),
    };
    if (keepBody && first.body !== undefined) req.body = first.body;
    else delete req.body;
  }
}
