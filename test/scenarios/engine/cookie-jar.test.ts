/**
 * The VU cookie jar against the behaviour of Go's net/http/cookiejar without a public suffix list (k6's jar): cases
 * taken from Go's own jar_test.go (basics, domain handling, update and delete) and its readSetCookies tests.
 */
import { describe, expect, it } from 'vitest';
import { CookieJar, cookieHeader, cookiePairText, MAX_COOKIE_BYTES, MAX_COOKIES, parseExpires, parseSetCookie } from '../../../scenarios/engine/cookie-jar.ts';

const T0 = Date.UTC(2013, 0, 1, 12, 0, 0);

/** Go's jar tests: set cookies from a URL, then the `name=value` list sent to each query URL. */
function jarCase(from: string, lines: string[], queries: Record<string, string>, jar = new CookieJar(), now = T0): void {
  const u = new URL(from);
  jar.store(u.origin, `${u.pathname}${u.search}`, lines, now);
  for (const [to, want] of Object.entries(queries)) {
    const q = new URL(to);
    expect(jar.cookies(q.origin, `${q.pathname}${q.search}`, now).map((c) => `${c.name}=${c.value}`).join(' '), `${to}`).toBe(want);
  }
}

describe('Set-Cookie lines as Go reads them', () => {
  it('reads name, value and the attributes Go knows, and drops what Go drops', () => {
    expect(parseSetCookie('Cookie-1=v$1; Path=/p; Domain=.example.com; Max-Age=3600; Secure; HttpOnly; SameSite=Lax')).toEqual({
      name: 'Cookie-1', value: 'v$1', domain: '.example.com', path: '/p', maxAge: 3600, expires: undefined, secure: true,
    });
    expect(parseSetCookie('q="quoted"')?.value).toBe('quoted');
    expect(parseSetCookie('a=b;Expires=Wed, 09 Jun 2021 10:18:14 GMT')?.expires).toBe(Date.UTC(2021, 5, 9, 10, 18, 14));
    expect(parseSetCookie('a=b; expires=Wed, 09-Jun-2021 10:18:14 GMT')?.expires).toBe(Date.UTC(2021, 5, 9, 10, 18, 14));
    // Max-Age 0 or negative means delete now (-1); a leading zero is not a number to Go.
    expect(parseSetCookie('a=b; Max-Age=0')?.maxAge).toBe(-1);
    expect(parseSetCookie('a=b; Max-Age=-5')?.maxAge).toBe(-1);
    expect(parseSetCookie('a=b; Max-Age=010')?.maxAge).toBe(0);
    for (const bad of ['novalue', '=x', 'bad name=x', 'a=b"c', 'a=ä']) expect(parseSetCookie(bad), bad).toBeUndefined();
    expect(parseExpires('Sun, 31 Feb 2021 10:00:00 GMT')).toBeUndefined();
    expect(parseExpires('2021-06-09T10:18:14Z')).toBeUndefined();
  });

  it('writes cookies as Go\'s AddCookie: invalid bytes dropped, a value with a space or comma quoted', () => {
    expect(cookiePairText({ name: 'a', value: 'x y' })).toBe('a="x y"');
    expect(cookiePairText({ name: 'a', value: 'x;"\\y' })).toBe('a=xy');
    expect(cookieHeader('pre=1', [{ name: 'own', value: 'o' }, { name: 'sid', value: 'mine', replace: true }], [{ name: 'sid', value: 'jar' }, { name: 'j', value: '2' }]))
      .toBe('pre=1; own=o; sid=mine; j=2');
    expect(cookieHeader(undefined, [{ name: 'sid', value: 'mine' }], [{ name: 'sid', value: 'jar' }])).toBe('sid=mine; sid=jar');
    expect(cookieHeader(undefined, [], [])).toBeUndefined();
  });
});

describe('cookie jar (Go jar_test.go cases)', () => {
  it('keeps host cookies to their host and secure cookies to https', () => {
    jarCase('http://www.host.test', ['A=a'], { 'http://www.host.test': 'A=a', 'http://www.host.test/some/path': 'A=a', 'http://other.host.test': '', 'http://host.test': '' });
    jarCase('http://www.host.test', ['A=a; secure'], { 'https://www.host.test': 'A=a', 'http://www.host.test': '' });
  });

  it('matches paths: explicit, and the default path of the request', () => {
    jarCase('http://www.host.test', ['A=a; path=/some/path'], {
      'http://www.host.test/some/path': 'A=a', 'http://www.host.test/some/path/foo': 'A=a', 'http://www.host.test/some/paths': '', 'http://www.host.test/some': '',
    });
    jarCase('http://www.host.test/some/path/', ['A=a'], { 'http://www.host.test/some/path/x': 'A=a', 'http://www.host.test/some/path': 'A=a', 'http://www.host.test/some': '' });
    jarCase('http://www.host.test/some/path/foo?q=1', ['A=a', 'B=b; path=relative'], { 'http://www.host.test/some/path/x': 'A=a B=b', 'http://www.host.test/': '' });
  });

  it('sends longer paths first, then older cookies first, and keeps a replaced cookie\'s place', () => {
    const jar = new CookieJar();
    jarCase('http://www.host.test/', ['A=a; path=/', 'B=b; path=/foo', 'C=c; path=/foo/bar', 'D=d; path=/'], { 'http://www.host.test/foo/bar/x': 'C=c B=b A=a D=d' }, jar);
    jarCase('http://www.host.test/', ['A=new; path=/'], { 'http://www.host.test/foo/bar/x': 'C=c B=b A=new D=d' }, jar);
  });

  it('handles Domain as Go without a public suffix list', () => {
    jarCase('http://www.host.test', ['A=a; domain=host.test'], { 'http://www.host.test': 'A=a', 'http://other.host.test': 'A=a', 'http://host.test': 'A=a', 'http://foo.test': '' });
    jarCase('http://www.host.test', ['A=a; domain=.host.test'], { 'http://x.y.host.test': 'A=a' });
    jarCase('http://www.host.test', ['A=a; domain=other.test', 'B=b; domain=www.host.test.', 'C=c; domain=..host.test'], { 'http://www.host.test': '', 'http://other.test': '' });
    // No public suffix list: foo.co.uk may set a cookie for all of co.uk (Go's documented caveat, k6's behaviour).
    jarCase('http://foo.co.uk', ['A=a; domain=co.uk'], { 'http://bar.co.uk': 'A=a' });
    // An IP address takes only its own address as Domain, and the cookie stays host-only.
    jarCase('http://127.0.0.1:8080', ['A=a; domain=127.0.0.1', 'B=b; domain=.127.0.0.1', 'C=c'], { 'http://127.0.0.1:9090/x': 'A=a C=c', 'http://127.0.0.2': '' });
  });

  it('deletes with Max-Age <= 0 or a past Expires, expires persistent cookies, and clears', () => {
    const jar = new CookieJar();
    jarCase('http://www.host.test', ['A=a', 'B=b; max-age=60', 'C=c; expires=Mon, 01 Jan 2029 00:00:00 GMT'], { 'http://www.host.test': 'A=a B=b C=c' }, jar);
    jarCase('http://www.host.test', ['A=x; max-age=0', 'C=c; expires=Mon, 01 Jan 2001 00:00:00 GMT'], { 'http://www.host.test': 'B=b' }, jar);
    expect(jar.cookies('http://www.host.test', '/', T0 + 61_000)).toEqual([]);
    expect(jar.size).toBe(0);
    jarCase('http://www.host.test', ['A=a'], { 'http://www.host.test': 'A=a' }, jar);
    jar.clear();
    expect(jar.cookies('http://www.host.test', '/')).toEqual([]);
  });

  it('is bounded: at most MAX_COOKIES cookies, none longer than MAX_COOKIE_BYTES; updates still apply when full', () => {
    const jar = new CookieJar();
    jar.store('http://h.test', '/', Array.from({ length: MAX_COOKIES + 50 }, (_, i) => `c${i}=v`), T0);
    expect(jar.size).toBe(MAX_COOKIES);
    jar.store('http://h.test', '/', ['c0=new', `big=${'x'.repeat(MAX_COOKIE_BYTES)}`], T0);
    const sent = jar.cookies('http://h.test', '/', T0);
    expect(sent).toHaveLength(MAX_COOKIES);
    expect(sent[0]).toEqual({ name: 'c0', value: 'new' });
    expect(sent.some((c) => c.name === 'big')).toBe(false);
  });
});
