/**
 * The VUs' transport from a spec's k6 options (scenarios/transport-options.ts), compiled once per run and shared by
 * every VU: TLS settings as Node secure contexts (k6 `tlsVersion` -> minVersion/maxVersion, `tlsCipherSuites` ->
 * OpenSSL cipher names, `tlsAuth` -> a context per client certificate, chosen by host name), `hosts` overrides,
 * and the connection-reuse switches. As Go's client (k6), TLS 1.3's suites stay on whatever `tlsCipherSuites` says,
 * and TLS 1.0/1.1 are possible when `tlsVersion` allows them (OpenSSL 3 needs its security level 0 for them).
 */
import { createSecureContext, getCiphers, type SecureContext, type SecureContextOptions } from 'node:tls';
import { type Problem, ValidationError } from '../../models/errors.ts';
import { formatPath } from '../../models/validation.ts';
import type { ScenarioSpec } from '../spec.ts';
import {
  resolveHostOverride, TLS13_CIPHER_SUITES, TLS_CIPHER_SUITES, TLS_VERSIONS, tlsAuthFor, type TlsVersionName, type TransportOptions,
} from '../transport-options.ts';
import type { VuHttpOptions } from './vu-http.ts';

type Options = Pick<ScenarioSpec['options'], 'insecureSkipTLSVerify'> & Partial<TransportOptions>;

/**
 * What the embedded engine cannot do of options k6 accepts: cipher suites this Node's OpenSSL lacks (RC4, 3DES),
 * and `tlsAuth` files not read yet.
 * @param options validated options of a spec
 * @param source prefix of each problem (the spec's file)
 * @returns the problems, each with its JSON path
 */
export function engineTransportProblems(options: Options, source: string): Problem[] {
  const problems: Problem[] = [];
  const have = new Set(getCiphers());
  options.tlsCipherSuites?.forEach((name, i) => {
    const ossl = TLS_CIPHER_SUITES[name];
    if (ossl !== undefined && !have.has(ossl.toLowerCase())) {
      problems.push({
        where: `${source}: ${formatPath(['options', 'tlsCipherSuites', i])}`,
        message: `${name} (OpenSSL ${ossl}) is not available in this Node's OpenSSL ${process.versions.openssl}, so the embedded engine cannot offer it: leave it out, or run it with --runner k6`,
      });
    }
  });
  options.tlsAuth?.forEach((e, i) => {
    if (e.cert === undefined || e.key === undefined) {
      problems.push({ where: `${source}: ${formatPath(['options', 'tlsAuth', i])}`, message: 'its certFile / keyFile were not read (the CLI reads them relative to the spec)' });
    }
  });
  return problems;
}

function versionsOf(v: TransportOptions['tlsVersion']): { min?: TlsVersionName; max?: TlsVersionName } {
  if (v === undefined) return {};
  return typeof v === 'string' ? { min: v, max: v } : v;
}

/**
 * Node's secure context options for k6's tlsVersion and tlsCipherSuites (no certificate).
 * @param options validated options
 * @returns minVersion, maxVersion and ciphers, those that differ from Node's defaults (which are Go's)
 */
export function tlsContextOptions(options: Pick<TransportOptions, 'tlsVersion' | 'tlsCipherSuites'>): SecureContextOptions {
  const out: SecureContextOptions = {};
  const { min, max } = versionsOf(options.tlsVersion);
  if (min !== undefined) out.minVersion = TLS_VERSIONS[min];
  if (max !== undefined) out.maxVersion = TLS_VERSIONS[max];
  const legacy = min === 'tls1.0' || min === 'tls1.1';
  if (options.tlsCipherSuites !== undefined) {
    const tls12 = options.tlsCipherSuites.filter((n) => !TLS13_CIPHER_SUITES.includes(n)).map((n) => TLS_CIPHER_SUITES[n]!);
    // Go keeps every TLS 1.3 suite on; only the TLS 1.0-1.2 list is the user's.
    out.ciphers = [...TLS13_CIPHER_SUITES, ...tls12, ...(legacy ? ['@SECLEVEL=0'] : [])].join(':');
  } else if (legacy) {
    // OpenSSL 3 refuses TLS 1.0/1.1 (SHA-1 signatures) above security level 0; Go offers them when MinVersion says so.
    out.ciphers = 'DEFAULT:@SECLEVEL=0';
  }
  return out;
}

/**
 * The VUs' transport options from a spec's options.
 * @param options validated options, `tlsAuth` PEM read (see {@link engineTransportProblems})
 * @returns the options every VuHttp of the run gets
 * @throws {ValidationError} when Node cannot make a secure context of them (a cipher OpenSSL lacks, a bad key)
 */
export function vuHttpOptionsOf(options: Options): VuHttpOptions {
  const out: VuHttpOptions = {};
  if (options.insecureSkipTLSVerify === true) out.insecureSkipTLSVerify = true;
  if (options.noConnectionReuse === true) out.noConnectionReuse = true;
  if (options.noVUConnectionReuse === true) out.noVUConnectionReuse = true;
  const hosts = options.hosts;
  if (hosts !== undefined && Object.keys(hosts).length > 0) out.resolveHost = (host, port) => resolveHostOverride(hosts, host, port);
  const auth = options.tlsAuth ?? [];
  const base = tlsContextOptions(options);
  if (Object.keys(base).length === 0 && auth.length === 0) return out;
  const problems: Problem[] = [];
  const make = (extra: SecureContextOptions, at: (string | number)[]): SecureContext | undefined => {
    try {
      return createSecureContext({ ...base, ...extra });
    } catch (err) {
      problems.push({ where: formatPath(['options', ...at]), message: `Node cannot use it: ${(err as Error).message}` });
      return undefined;
    }
  };
  // A context without a certificate, for hosts no tlsAuth entry is for (its failures are the versions' or ciphers').
  const plain = make({}, [options.tlsCipherSuites !== undefined ? 'tlsCipherSuites' : 'tlsVersion']);
  const withCert = auth.map((e, i) => make({ cert: e.cert, key: e.key, ...(e.password !== undefined ? { passphrase: e.password } : {}) }, ['tlsAuth', i]));
  if (problems.length > 0) throw new ValidationError('the TLS options cannot be used', problems);
  const byHost = new Map<string, SecureContext | undefined>();
  out.secureContextFor = (host) => {
    if (byHost.has(host)) return byHost.get(host);
    const i = tlsAuthFor(auth, host);
    const ctx = i >= 0 ? withCert[i] : plain;
    byHost.set(host, ctx);
    return ctx;
  };
  return out;
}
