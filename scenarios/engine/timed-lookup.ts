/**
 * A DNS lookup for `net.connect` that reports how long the name took to resolve: k6 counts it in `blocked` but not in
 * `connecting`, so both the plain HTTP/1.1 dial and the TLS dial need it apart from the TCP connect.
 */
import { type LookupAddress, lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';

/**
 * Wraps Node's default lookup so each resolution's time reaches `onMs`.
 * @param onMs receives the lookup's duration, milliseconds (performance.now() clock)
 * @returns a lookup function for `net.connect`/`tls.connect`'s `lookup` option
 */
export function timedLookup(onMs: (ms: number) => void): LookupFunction {
  return (host, options, callback) => {
    const t = performance.now();
    dnsLookup(host, options, (err, address, family) => {
      onMs(performance.now() - t);
      (callback as (e: NodeJS.ErrnoException | null, a: string | LookupAddress[], f?: number) => void)(err, address, family);
    });
  };
}
