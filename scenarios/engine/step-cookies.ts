/**
 * The cookies of a step's request, as k6 puts them together: the VU's jar (cookie-jar.ts) gives the cookies that match
 * the request's URL, the step's own `cookies` (k6's `cookies` request param, templates) come first, and a step cookie
 * with `replace: true` keeps the jar's cookie of that name out. The resulting Cookie header is appended to one the
 * step's headers set. Nothing is done (no allocation) for a step without cookies while the jar is empty.
 */
import { cookieHeader, type CookieJar } from './cookie-jar.ts';
import { type PreparedHeaders, prepareHeaders } from './http-request.ts';
import { labelKey } from './random.ts';
import type { Step } from '../spec.ts';
import { compileString, type StringTemplate, type TemplateScope } from './template.ts';

/** A step's own cookie, compiled. */
export interface StepCookie {
  name: string;
  value: StringTemplate;
  replace: boolean;
}

/**
 * Compiles a step's `cookies`.
 * @param cookies the step's cookies, if any
 * @param site the step's random key (random.ts stepRandomKey): each value's `{{random.*}}` draws from `cookie:<name>`
 * @returns them in spec order (empty when none)
 */
export function compileStepCookies(cookies: Step['cookies'], site?: number): StepCookie[] {
  return Object.entries(cookies ?? {}).map(([name, c]) => {
    const key = site === undefined ? undefined : labelKey(site, `cookie:${name}`);
    return typeof c === 'string'
      ? { name, value: compileString(c, undefined, key), replace: false }
      : { name, value: compileString(c.value, undefined, key), replace: c.replace };
  });
}

/**
 * The request's headers with its cookies added (see the module comment).
 * @param headers the step's rendered headers (flat pairs, or prepared once)
 * @param own the step's own cookies
 * @param jar the VU's jar
 * @param scope template scope of the iteration
 * @param origin the request's origin
 * @param path the request's path and query
 * @returns the headers to send: the same object when there is no cookie to add
 */
export function withCookies(headers: string[] | PreparedHeaders, own: readonly StepCookie[], jar: CookieJar, scope: TemplateScope, origin: string, path: string): string[] | PreparedHeaders {
  if (own.length === 0 && jar.size === 0) return headers;
  const fromJar = jar.cookies(origin, path);
  if (own.length === 0 && fromJar.length === 0) return headers;
  const pairs = Array.isArray(headers) ? headers : [...(headers as PreparedHeaders).pairs];
  const flat: string[] = [];
  let existing: string | undefined;
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    // Go keeps one Cookie header and AddCookie appends to it: the step's own header (its first value) is the start.
    if (pairs[i]!.length === 6 && pairs[i]!.toLowerCase() === 'cookie') existing ??= pairs[i + 1]!;
    else flat.push(pairs[i]!, pairs[i + 1]!);
  }
  const value = cookieHeader(existing, own.map((c) => ({ name: c.name, value: c.value(scope), replace: c.replace })), fromJar);
  if (value !== undefined) flat.push('Cookie', value);
  return Array.isArray(headers) ? flat : prepareHeaders(flat);
}
