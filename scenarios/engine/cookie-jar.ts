/**
 * A VU's cookie jar, as k6 has it: k6 gives every VU a Go `net/http/cookiejar` made without a public suffix list
 * (`cookiejar.New(nil)`), stores the cookies of every response's Set-Cookie headers in it and adds the matching ones
 * to every request, and makes the VU a new, empty jar at the start of each iteration unless `noCookiesReset` is set
 * (js/runner.go). This module follows that jar (Go 1.21, which k6 v0.48 is built with) rule by rule:
 *
 * - Set-Cookie lines are parsed as Go's `readSetCookies`: a token name, a value of cookie-octets (surrounding quotes
 *   dropped), attributes `Domain`, `Path`, `Max-Age` (digits; 0 or less deletes), `Expires` (RFC 1123, or with
 *   dashes), `Secure`; anything else is ignored.
 * - Domain: none makes a host-only cookie; one that the host does not domain-match is refused; an IP host accepts only
 *   its own address. With no public suffix list (k6's choice) a server may set a cookie for its parent domain.
 * - Path: the attribute when it starts with `/`, else the directory of the request path (RFC 6265 5.1.4); sent to
 *   request paths that path-match it.
 * - Expiry: Max-Age wins over Expires; a cookie already expired deletes the stored one of the same domain, path and
 *   name. Session cookies last as long as the jar.
 * - Secure cookies go over https only.
 * - Sent in RFC 6265 5.4 order: longer paths first, then older first.
 *
 * - Bounded, where Go's jar is not (every run is bounded in memory): a VU keeps at most {@link MAX_COOKIES} cookies and
 *   ignores one whose name and value pass {@link MAX_COOKIE_BYTES}, the least RFC 6265 6.1 asks a user agent to keep;
 *   a server that sets more (with noCookiesReset, across iterations) cannot grow a VU's memory without end.
 *
 * Why not tough-cookie (the usual Node jar): it applies the public suffix list, treats `localhost` as a secure
 * origin and accepts many more date formats, so a test would send other cookies than k6 sends; and it costs a URL
 * parse per request where this jar costs nothing while it is empty (most flows never get a cookie).
 */

/** Most cookies one VU's jar keeps (RFC 6265 6.1: at least 3000 in all); more are ignored until some expire. */
export const MAX_COOKIES = 3000;
/** Longest cookie (name plus value) a jar keeps (RFC 6265 6.1: at least 4096 bytes per cookie). */
export const MAX_COOKIE_BYTES = 4096;

/** A cookie to send: its name and value. */
export interface CookiePair {
  readonly name: string;
  readonly value: string;
}

/** A Set-Cookie line parsed as Go's readSetCookies does. */
export interface SetCookie {
  name: string;
  value: string;
  /** Domain attribute as written ('' when absent). */
  domain: string;
  /** Path attribute as written ('' when absent). */
  path: string;
  /** Max-Age: 0 when absent, -1 for "delete now" (0 or negative), else seconds. */
  maxAge: number;
  /** Expires as epoch ms, or undefined when absent or not a date Go reads. */
  expires: number | undefined;
  secure: boolean;
}

interface Entry {
  name: string;
  value: string;
  domain: string;
  path: string;
  secure: boolean;
  hostOnly: boolean;
  /** Epoch ms; Infinity for a session cookie. */
  expires: number;
  seq: number;
}

/** RFC 9110 token characters (Go's isCookieNameValid). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Go's validCookieValueByte: 0x20-0x7e except `"`, `;` and `\`. */
function validValue(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x3b || c === 0x5c) return false;
  }
  return true;
}

/** Go's parseCookieValue. */
function cookieValue(raw: string, allowQuotes: boolean): string | undefined {
  const v = allowQuotes && raw.length > 1 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  return validValue(v) ? v : undefined;
}

/** textproto.TrimString: ASCII space and tab (and CR/LF) at both ends. */
function trim(s: string): string {
  return s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
// Go's time.RFC1123 ("Mon, 02 Jan 2006 15:04:05 MST") and "Mon, 02-Jan-2006 15:04:05 MST"; the zone is an
// abbreviation, read as UTC (GMT is what servers send).
const EXPIRES = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2})([ -])(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\2(\d{4}) (\d{2}):(\d{2}):(\d{2}) [A-Z]{3,5}$/;

/**
 * Parses an Expires attribute as Go's readSetCookies does.
 * @param text the attribute's value
 * @returns epoch ms, or undefined when it is not one of Go's two layouts
 * @example parseExpires('Wed, 09 Jun 2021 10:18:14 GMT') // 1623233894000
 */
export function parseExpires(text: string): number | undefined {
  const m = EXPIRES.exec(text);
  if (!m) return undefined;
  const [day, month, year, h, min, s] = [Number(m[1]), MONTHS[m[3]!]!, Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7])];
  if (day < 1 || day > 31 || h > 23 || min > 59 || s > 59) return undefined;
  const t = Date.UTC(year, month, day, h, min, s);
  // Go refuses a day past the month's end (31 Feb) rather than rolling over.
  return new Date(t).getUTCDate() === day ? t : undefined;
}

/**
 * Parses one Set-Cookie header value as Go's net/http readSetCookies does.
 * @param line the header value
 * @returns the cookie, or undefined when Go drops the line (no `=`, a name that is not a token, a bad value)
 * @example parseSetCookie('sid=abc; Path=/; HttpOnly') // { name: 'sid', value: 'abc', path: '/', ... }
 */
export function parseSetCookie(line: string): SetCookie | undefined {
  const parts = trim(line).split(';');
  const first = trim(parts[0]!);
  const eq = first.indexOf('=');
  if (eq < 0) return undefined;
  const name = trim(first.slice(0, eq));
  if (!TOKEN.test(name)) return undefined;
  const value = cookieValue(first.slice(eq + 1), true);
  if (value === undefined) return undefined;
  const c: SetCookie = { name, value, domain: '', path: '', maxAge: 0, expires: undefined, secure: false };
  for (let i = 1; i < parts.length; i++) {
    const p = trim(parts[i]!);
    if (p === '') continue;
    const at = p.indexOf('=');
    const attr = (at < 0 ? p : p.slice(0, at)).toLowerCase();
    const val = cookieValue(at < 0 ? '' : p.slice(at + 1), false);
    if (val === undefined) continue;
    switch (attr) {
      case 'secure': c.secure = true; break;
      case 'domain': c.domain = val; break;
      case 'path': c.path = val; break;
      case 'max-age': {
        // Go: strconv.Atoi, and no leading zero on a non-zero number.
        if (!/^[+-]?\d+$/.test(val) || (val !== '0' && val.startsWith('0'))) break;
        const secs = Number(val);
        c.maxAge = secs <= 0 ? -1 : secs;
        break;
      }
      case 'expires': c.expires = parseExpires(val); break;
      default: break;
    }
  }
  return c;
}

/** An origin as the jar needs it. */
interface JarOrigin {
  https: boolean;
  /** Canonical host: lower case, no port, no trailing dot, IPv6 without brackets. */
  host: string;
  /** Key of the jar's map (Go's jarKey without a public suffix list). */
  key: string;
  ip: boolean;
}

const origins = new Map<string, JarOrigin | null>();

function isIp(host: string): boolean {
  return host.includes(':') || host.includes('%') || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host);
}

function originOf(origin: string): JarOrigin | undefined {
  let o = origins.get(origin);
  if (o !== undefined) return o ?? undefined;
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') o = null;
    else {
      let host = u.hostname.toLowerCase().replace(/\.$/, '');
      if (host.startsWith('[')) host = host.slice(1, -1);
      const ip = isIp(host);
      let key = host;
      if (!ip) {
        const i = host.lastIndexOf('.');
        if (i > 0) key = host.slice(host.lastIndexOf('.', i - 1) + 1);
      }
      o = { https: u.protocol === 'https:', host, key, ip };
    }
  } catch {
    o = null;
  }
  if (origins.size < 10_000) origins.set(origin, o);
  return o ?? undefined;
}

/** RFC 6265 5.1.4 default-path of a request path (query left off). */
function defaultPath(path: string): string {
  if (path === '' || path[0] !== '/') return '/';
  const i = path.lastIndexOf('/');
  return i === 0 ? '/' : path.slice(0, i);
}

function hasDotSuffix(s: string, suffix: string): boolean {
  return s.length > suffix.length && s.endsWith(suffix) && s[s.length - suffix.length - 1] === '.';
}

function pathMatch(cookiePath: string, requestPath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** The request path of a path-and-query, percent-decoded as Go's URL.Path is. */
function requestPathOf(pathAndQuery: string): string {
  const q = pathAndQuery.search(/[?#]/);
  const p = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
  if (!p.includes('%')) return p;
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

/** One VU's cookies (see the module comment). Not shared between VUs. */
export class CookieJar {
  /** Entries by jar key, then by `domain;path;name` (made on the first cookie: most VUs never get one). */
  #entries: Map<string, Map<string, Entry>> | undefined;
  #seq = 0;
  #size = 0;

  /** Cookies stored (expired ones included until a request meets them). */
  get size(): number {
    return this.#size;
  }

  /** Forgets every cookie (k6's new jar at the start of an iteration). */
  clear(): void {
    if (this.#size === 0) return;
    this.#entries = undefined;
    this.#size = 0;
    this.#seq = 0;
  }

  /**
   * Stores the cookies of a response's Set-Cookie headers (Go's Jar.SetCookies).
   * @param origin `http(s)://host[:port]` the request went to
   * @param pathAndQuery its path (and query)
   * @param lines the Set-Cookie header values, in order
   * @param now epoch ms (tests pass their own)
   */
  store(origin: string, pathAndQuery: string, lines: readonly string[], now = Date.now()): void {
    if (lines.length === 0) return;
    const o = originOf(origin);
    if (o === undefined) return;
    const defPath = defaultPath(requestPathOf(pathAndQuery));
    const entries = (this.#entries ??= new Map());
    let sub = entries.get(o.key);
    for (const line of lines) {
      const c = parseSetCookie(line);
      if (c === undefined) continue;
      const dom = this.#domainOf(o, c.domain);
      if (dom === undefined) continue;
      const path = c.path === '' || c.path[0] !== '/' ? defPath : c.path;
      const id = `${dom.domain};${path};${c.name}`;
      let expires = Infinity;
      let remove = false;
      if (c.maxAge < 0) remove = true;
      else if (c.maxAge > 0) expires = now + c.maxAge * 1000;
      else if (c.expires !== undefined) {
        if (c.expires <= now) remove = true;
        else expires = c.expires;
      }
      if (remove) {
        if (sub?.delete(id)) this.#size--;
        continue;
      }
      if (c.name.length + c.value.length > MAX_COOKIE_BYTES) continue;
      if (sub === undefined) entries.set(o.key, (sub = new Map()));
      const old = sub.get(id);
      if (old === undefined && this.#size >= MAX_COOKIES) continue;
      if (old === undefined) this.#size++;
      sub.set(id, { name: c.name, value: c.value, domain: dom.domain, path, secure: c.secure, hostOnly: dom.hostOnly, expires, seq: old?.seq ?? this.#seq++ });
    }
    if (sub !== undefined && sub.size === 0) entries.delete(o.key);
  }

  /** Go's domainAndType (no public suffix list). */
  #domainOf(o: JarOrigin, attr: string): { domain: string; hostOnly: boolean } | undefined {
    if (attr === '') return { domain: o.host, hostOnly: true };
    if (o.ip) return attr === o.host ? { domain: o.host, hostOnly: true } : undefined;
    let d = attr.startsWith('.') ? attr.slice(1) : attr;
    if (d === '' || d.startsWith('.') || !/^[\x00-\x7f]*$/.test(d)) return undefined;
    d = d.toLowerCase();
    if (d.endsWith('.')) return undefined;
    if (o.host !== d && !hasDotSuffix(o.host, d)) return undefined;
    return { domain: d, hostOnly: false };
  }

  /**
   * The cookies to send with a request (Go's Jar.Cookies): domain, path and secure matched, expired ones dropped,
   * longer paths first, then in the order they were first stored.
   * @param origin `http(s)://host[:port]`
   * @param pathAndQuery the request's path (and query)
   * @param now epoch ms
   * @returns name/value pairs (empty when none match)
   */
  cookies(origin: string, pathAndQuery: string, now = Date.now()): CookiePair[] {
    if (this.#size === 0) return [];
    const o = originOf(origin);
    if (o === undefined) return [];
    const sub = this.#entries?.get(o.key);
    if (sub === undefined) return [];
    const path = requestPathOf(pathAndQuery) || '/';
    const selected: Entry[] = [];
    for (const [id, e] of sub) {
      if (e.expires <= now) {
        sub.delete(id);
        this.#size--;
        continue;
      }
      if (!(e.domain === o.host || (!e.hostOnly && hasDotSuffix(o.host, e.domain)))) continue;
      if (!pathMatch(e.path, path)) continue;
      if (e.secure && !o.https) continue;
      selected.push(e);
    }
    if (sub.size === 0) this.#entries!.delete(o.key);
    selected.sort((a, b) => b.path.length - a.path.length || a.seq - b.seq);
    return selected.map((e) => ({ name: e.name, value: e.value }));
  }
}

/**
 * A cookie as Go's Request.AddCookie writes it: CR/LF in the name become `-`, bytes that are not cookie-octets are
 * dropped from the value, and a value holding a space or a comma is quoted.
 * @param c the cookie
 * @returns `name=value`
 * @example cookiePairText({ name: 'a', value: 'x y' }) // 'a="x y"'
 */
export function cookiePairText(c: CookiePair): string {
  const name = c.name.replace(/[\r\n]/g, '-');
  let v = '';
  for (const ch of c.value) {
    const code = ch.charCodeAt(0);
    if (ch.length === 1 && code >= 0x20 && code < 0x7f && code !== 0x22 && code !== 0x3b && code !== 0x5c) v += ch;
  }
  if (v.includes(' ') || v.includes(',')) v = `"${v}"`;
  return `${name}=${v}`;
}

/**
 * The Cookie header k6 sends (httpext SetRequestCookies): a Cookie header the step set, then the step's own cookies
 * in order, then the jar's cookies except those a step cookie replaces, joined by `; ` as Go's AddCookie joins them.
 * @param header the step's own Cookie header value, if any
 * @param own the step's cookies (`replace`: the jar's cookie of that name is not sent)
 * @param jar the jar's matching cookies
 * @returns the header value, or undefined when there is no cookie at all
 */
export function cookieHeader(header: string | undefined, own: readonly (CookiePair & { replace?: boolean })[], jar: readonly CookiePair[]): string | undefined {
  const parts: string[] = header !== undefined && header !== '' ? [header] : [];
  let replaced: Set<string> | undefined;
  for (const c of own) {
    parts.push(cookiePairText(c));
    if (c.replace) (replaced ??= new Set()).add(c.name);
  }
  for (const c of jar) if (replaced === undefined || !replaced.has(c.name)) parts.push(cookiePairText(c));
  return parts.length === 0 ? undefined : parts.join('; ');
}
