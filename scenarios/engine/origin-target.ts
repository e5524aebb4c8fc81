/**
 * Where a request's origin (`http://host:port`, `https://...`) connects: host, port, TLS and Host header, parsed
 * once per process and shared by every VU (a VU's own `hosts` address and TLS settings are added on top of it, in
 * vu-http.ts).
 */
import type { Http1Target } from './http1-connection.ts';

const targets = new Map<string, Http1Target>();

/**
 * Parses an origin once per process.
 * @param origin `http://host:port` or `https://host:port` (the port may be left out)
 * @returns host (IPv6 without brackets), port (the scheme's default when left out), TLS or not, Host header value
 * @throws {Error} when the origin is not a URL, or its protocol is neither http nor https
 */
export function targetOf(origin: string): Http1Target {
  let t = targets.get(origin);
  if (t !== undefined) return t;
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    throw new Error(`invalid URL origin ${JSON.stringify(origin)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`unsupported protocol ${u.protocol} in ${origin}`);
  const secure = u.protocol === 'https:';
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  t = { host, port: Number(u.port || (secure ? 443 : 80)), secure, hostHeader: u.host };
  targets.set(origin, t);
  return t;
}
