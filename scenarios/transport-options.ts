/**
 * k6's transport options, with k6's names and meaning (k6 v0.48 lib/options.go, lib/tlsconfig.go, lib/types/hosts.go),
 * as a scenario spec's `options` and a service catalog state them: `tlsVersion`, `tlsCipherSuites`, `tlsAuth`
 * (client certificates), `hosts` (name -> address overrides), `userAgent`, `noConnectionReuse`,
 * `noVUConnectionReuse`, `discardResponseBodies`. The same values reach the embedded engine (engine/transport.ts)
 * and k6 (the generated script's `options`, k6/options.ts).
 *
 * k6 reads `tlsAuth` certificates as PEM text (in a script, usually from `open()`); a spec may also name files,
 * `certFile` / `keyFile`, relative to the spec: the CLI reads them ({@link withTlsAuthFiles}) and hands the PEM in.
 * Pure: validation and matching only (PEM text is parsed with node:crypto, nothing is read here).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { formatPath } from '../models/validation.ts';

/** k6's TLS version names and Node's names for them (tls.connect `minVersion` / `maxVersion`). */
export const TLS_VERSIONS = { 'tls1.0': 'TLSv1', 'tls1.1': 'TLSv1.1', 'tls1.2': 'TLSv1.2', 'tls1.3': 'TLSv1.3' } as const;
/** A k6 TLS version name. */
export type TlsVersionName = keyof typeof TLS_VERSIONS;
const VERSION_ORDER: readonly TlsVersionName[] = ['tls1.0', 'tls1.1', 'tls1.2', 'tls1.3'];

/**
 * k6's cipher suite names (Go's, lib/tlsconfig.go) -> OpenSSL's name of the same suite. Go's `CipherSuites` governs
 * TLS 1.0-1.2 only; the three TLS 1.3 suites are always on in Go whatever the list says, and k6 accepts their names.
 */
export const TLS_CIPHER_SUITES: Readonly<Record<string, string>> = {
  TLS_RSA_WITH_RC4_128_SHA: 'RC4-SHA',
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: 'DES-CBC3-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: 'ECDHE-ECDSA-RC4-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: 'ECDHE-RSA-RC4-SHA',
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: 'ECDHE-RSA-DES-CBC3-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  // TLS 1.3 (OpenSSL names them as IANA does).
  TLS_AES_128_GCM_SHA256: 'TLS_AES_128_GCM_SHA256',
  TLS_AES_256_GCM_SHA384: 'TLS_AES_256_GCM_SHA384',
  TLS_CHACHA20_POLY1305_SHA256: 'TLS_CHACHA20_POLY1305_SHA256',
};

/** The TLS 1.3 suites among {@link TLS_CIPHER_SUITES}. */
export const TLS13_CIPHER_SUITES: readonly string[] = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

const BY_OPENSSL_NAME = new Map(Object.entries(TLS_CIPHER_SUITES).map(([go, ossl]) => [ossl.toLowerCase(), go]));

/** k6's host pattern of `hosts` keys (lib/types/hosts.go validHostPattern): a name, `*.name` or `*name`, and an optional port. */
const HOST_PATTERN = /^(\*\.?)?((([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))?(:[0-9]{1,5})?$/;
/** A `tlsAuth` domain: a host name or a `*.` wildcard of one. */
const DOMAIN_PATTERN = /^(\*\.)?(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;

const TlsVersionSchema = z.enum(VERSION_ORDER as [TlsVersionName, ...TlsVersionName[]], { error: 'not a TLS version k6 knows (tls1.0, tls1.1, tls1.2, tls1.3)' });

/** k6's `tlsVersion`: one version (min = max), or `{min, max}` (either may be left out: any). */
export const TlsVersionOption = z.union([TlsVersionSchema, z.strictObject({ min: TlsVersionSchema.optional(), max: TlsVersionSchema.optional() })])
  .superRefine((v, ctx) => {
    if (typeof v !== 'object' || v.max === undefined) return;
    // Go's client (k6) takes tls1.2 as the least version when min is not given.
    const min = v.min ?? 'tls1.2';
    if (VERSION_ORDER.indexOf(min) > VERSION_ORDER.indexOf(v.max)) {
      ctx.addIssue({
        code: 'custom', path: [v.min === undefined ? 'max' : 'min'],
        message: v.min === undefined
          ? `max ${v.max} is below tls1.2, the least version when min is not given (Go's client default, as k6 runs it): set min as well`
          : `min ${v.min} is above max ${v.max}: no TLS version satisfies both`,
      });
    }
  });

const CipherSuiteName = z.string().superRefine((name, ctx) => {
  if (TLS_CIPHER_SUITES[name] !== undefined) return;
  const go = BY_OPENSSL_NAME.get(name.toLowerCase()) ?? (TLS_CIPHER_SUITES[name.toUpperCase()] !== undefined ? name.toUpperCase() : undefined);
  ctx.addIssue({
    code: 'custom',
    message: `unknown cipher suite "${name}"${go !== undefined ? ` (k6 names it ${go})` : ''}: k6 takes Go's names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (docs/formats.md lists them)`,
  });
});

/** Checks one PEM certificate and key pair as k6's tls.X509KeyPair would; the problems are relative to the entry. */
export function pemProblems(cert: string, key: string, password: string | undefined): { path: string[]; message: string }[] {
  const out: { path: string[]; message: string }[] = [];
  let x509: X509Certificate | undefined;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    out.push({ path: ['cert'], message: `not a PEM certificate (-----BEGIN CERTIFICATE-----): ${(err as Error).message}` });
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(key)) {
    // k6 v0.48 decryptPrivateKey: only legacy PEM encryption (Proc-Type: 4,ENCRYPTED) is supported.
    out.push({ path: ['key'], message: 'encrypted pkcs8 formatted key is not supported (k6): use a legacy encrypted PEM key with `password`, or an unencrypted key' });
    return out;
  }
  const encrypted = /Proc-Type:\s*4,ENCRYPTED/.test(key);
  if (password !== undefined && !encrypted) out.push({ path: ['password'], message: 'the key is not encrypted (k6 fails on a password for it): leave `password` out' });
  if (password === undefined && encrypted) out.push({ path: ['password'], message: 'the key is encrypted: give its `password`' });
  if (out.length > 0) return out;
  try {
    const k = createPrivateKey({ key, format: 'pem', ...(password !== undefined ? { passphrase: password } : {}) });
    if (x509 !== undefined && !x509.checkPrivateKey(k)) out.push({ path: ['key'], message: 'private key does not match public key in the certificate' });
  } catch (err) {
    out.push({ path: ['key'], message: `not a usable PEM private key${encrypted ? ' (or a wrong password)' : ''}: ${(err as Error).message}` });
  }
  return out;
}

/**
 * One `tlsAuth` entry: the client certificate presented to the hosts `domains` names (k6's fields: `domains`, `cert`,
 * `key`, `password`), with the certificate and key as PEM text or, in a spec or catalog, as files (`certFile`,
 * `keyFile`, relative to the file that names them).
 */
export const TlsAuthEntry = z.strictObject({
  domains: z.array(z.string().regex(DOMAIN_PATTERN, 'not a host name or a *.wildcard of one')).default([]),
  cert: z.string().optional(),
  key: z.string().optional(),
  certFile: z.string().min(1).optional(),
  keyFile: z.string().min(1).optional(),
  /** Password of a legacy encrypted PEM key (k6 `password`). */
  password: z.string().optional(),
}).superRefine((e, ctx) => {
  if ((e.cert === undefined) === (e.certFile === undefined)) ctx.addIssue({ code: 'custom', message: 'needs exactly one of `cert` (PEM text) or `certFile` (a path)' });
  if ((e.key === undefined) === (e.keyFile === undefined)) ctx.addIssue({ code: 'custom', message: 'needs exactly one of `key` (PEM text) or `keyFile` (a path)' });
  // Inline PEM is checked now; files once the CLI has read them (withTlsAuthFiles).
  if (e.cert !== undefined && e.key !== undefined && e.certFile === undefined && e.keyFile === undefined) {
    for (const p of pemProblems(e.cert, e.key, e.password)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  }
});

/** k6's `hosts`: host name (optionally `:port`, `*.` wildcards) -> IP address or `IP:port`. */
export const HostsOption = z.record(
  z.string().regex(HOST_PATTERN, 'not a host pattern k6 takes (a name, *.name, optionally :port)'),
  z.string().refine((v) => parseAddress(v) !== undefined, 'not an IP address or IP:port (k6 v0.48 maps names to addresses; "[::1]:8443" for IPv6 with a port)'),
  { error: (issue) => (issue.code === 'invalid_key' ? 'not a host pattern k6 takes (a name, *.name, optionally :port)' : undefined) },
);

/**
 * The transport options, k6's names; spread into a zod object (a spec's `options`, a catalog).
 */
export const TRANSPORT_OPTIONS = {
  /** TLS versions the client offers (k6 `tlsVersion`; default: Go's, TLS 1.2 to 1.3). */
  tlsVersion: TlsVersionOption.optional(),
  /** Cipher suites of TLS 1.0-1.2, Go's names (k6 `tlsCipherSuites`; TLS 1.3's are always on, as in Go). */
  tlsCipherSuites: z.array(CipherSuiteName).min(1).optional(),
  /** Client certificates by domain (k6 `tlsAuth`). */
  tlsAuth: z.array(TlsAuthEntry).optional(),
  /** Host name -> address overrides (k6 `hosts`): no DNS; Host header and SNI keep the name. */
  hosts: HostsOption.optional(),
  /** The User-Agent header of every request (k6 `userAgent`); `""` sends none. */
  userAgent: z.string().optional(),
  /** No keep-alive at all: one request per connection (k6 `noConnectionReuse`). */
  noConnectionReuse: z.boolean().optional(),
  /** Connections are closed at the end of each iteration (k6 `noVUConnectionReuse`). */
  noVUConnectionReuse: z.boolean().optional(),
  /** Response bodies are read and dropped unless a step needs them (k6 `discardResponseBodies`). */
  discardResponseBodies: z.boolean().optional(),
};

const TransportOptionsSchema = z.strictObject(TRANSPORT_OPTIONS);
/** The transport options, validated. */
export type TransportOptions = z.output<typeof TransportOptionsSchema>;
/** One validated `tlsAuth` entry. */
export type TlsAuth = z.output<typeof TlsAuthEntry>;

/** The names of the transport options, in the order docs and outputs list them. */
export const TRANSPORT_OPTION_NAMES = Object.keys(TRANSPORT_OPTIONS) as (keyof TransportOptions)[];

/**
 * The transport options among some options (those set).
 * @param options validated options (a spec's `options`, a catalog)
 * @returns only the transport options that are set
 */
export function transportOptionsOf(options: Partial<TransportOptions>): TransportOptions {
  const out: Record<string, unknown> = {};
  for (const k of TRANSPORT_OPTION_NAMES) if (options[k] !== undefined) out[k] = options[k];
  return out as TransportOptions;
}

/**
 * An address of `hosts`: an IP, or IP:port (IPv6 in brackets when with a port).
 * @param value the value as written
 * @returns the address and port (0: keep the URL's), or undefined when it is not one
 * @example parseAddress('10.0.0.7:8443') // { ip: '10.0.0.7', port: 8443 }
 */
export function parseAddress(value: string): { ip: string; port: number } | undefined {
  if (isIP(value) !== 0) return { ip: value, port: 0 };
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  if (!m) return undefined;
  const ip = m[1] ?? m[2]!;
  const port = Number(m[3]);
  if (isIP(ip) === 0 || port > 65535) return undefined;
  return { ip, port };
}

/** Whether a k6 host pattern (`name`, `*.name` or `*name`, no port) covers a host name; exact ones first, as k6's trie does. */
function patternMatches(pattern: string, host: string): boolean {
  return pattern.startsWith('*') ? host.endsWith(pattern.slice(1)) : host === pattern;
}

/**
 * k6's `hosts` lookup (lib/netext/dialer.go findRemote): `host:port` first, then `host` (keeping the URL's port
 * unless the entry has one); an exact name wins over a wildcard, a longer wildcard over a shorter one; case-insensitive.
 * @param hosts the option
 * @param host the URL's host name
 * @param port the URL's port
 * @returns where to connect instead, or undefined to resolve the name as usual
 * @example resolveHostOverride({ 'api.test': '127.0.0.1' }, 'api.test', 8443) // { host: '127.0.0.1', port: 8443 }
 */
export function resolveHostOverride(hosts: Readonly<Record<string, string>>, host: string, port: number): { host: string; port: number } | undefined {
  const name = host.toLowerCase();
  const withPort = new Map<string, string>();
  const bare = new Map<string, string>();
  for (const [k, v] of Object.entries(hosts)) {
    const m = /^(.*):(\d+)$/.exec(k.toLowerCase());
    if (m) { if (Number(m[2]) === port) withPort.set(m[1]!, v); } else bare.set(k.toLowerCase(), v);
  }
  const pick = (table: Map<string, string>): string | undefined => {
    const exact = table.get(name);
    if (exact !== undefined) return exact;
    let best: [string, string] | undefined;
    for (const [p, v] of table) if (p.startsWith('*') && patternMatches(p, name) && (best === undefined || p.length > best[0].length)) best = [p, v];
    return best?.[1];
  };
  const value = pick(withPort) ?? pick(bare);
  if (value === undefined) return undefined;
  const a = parseAddress(value);
  if (a === undefined) return undefined;
  return { host: a.ip, port: a.port === 0 ? port : a.port };
}

/**
 * The `tlsAuth` entry whose certificate a host gets: the first whose `domains` name it (exact, or a `*.` wildcard of
 * a parent), else the first without domains. (Go's client, and so k6, picks among all entries by the CAs the server's
 * certificate request names and ignores `domains`; the same choice wherever each host is given the certificate its
 * server accepts.)
 * @param entries the option
 * @param host the URL's host name
 * @returns the entry's index, or -1 for none
 */
export function tlsAuthFor(entries: readonly Pick<TlsAuth, 'domains'>[], host: string): number {
  const name = host.toLowerCase();
  const named = entries.findIndex((e) => e.domains.some((d) => {
    const p = d.toLowerCase();
    return p.startsWith('*.') ? name.endsWith(p.slice(1)) : name === p;
  }));
  return named >= 0 ? named : entries.findIndex((e) => e.domains.length === 0);
}

/**
 * The options with their `tlsAuth` files named by the path `resolve` gives (nothing read): what a catalog or a
 * campaign writes into the specs it builds elsewhere, so that `caplab run` finds the files wherever the spec is.
 * @param options transport options
 * @param resolve a path as written -> the path the specs name (absolute)
 * @returns the same options when they name no file, else a copy with the paths resolved
 */
export function withTlsAuthPaths<O extends { tlsAuth?: TlsAuth[] | undefined }>(options: O, resolve: (path: string) => string): O {
  if (!options.tlsAuth?.some((e) => e.certFile !== undefined || e.keyFile !== undefined)) return options;
  return {
    ...options,
    tlsAuth: options.tlsAuth.map((e) => ({
      ...e, ...(e.certFile !== undefined ? { certFile: resolve(e.certFile) } : {}), ...(e.keyFile !== undefined ? { keyFile: resolve(e.keyFile) } : {}),
    })),
  };
}

/**
 * The `tlsAuth` files of some options, resolved: `certFile` / `keyFile` made absolute by `resolve` and their PEM text
 * read by `read` into `cert` / `key` (the paths are kept: the k6 script opens them itself), each checked as k6 checks
 * a key pair. Every problem is returned, with its JSON path under `at`.
 * @param options validated options
 * @param at JSON path of the options (`['options']` in a spec)
 * @param resolve a path as written -> the path to read
 * @param read reads a file's text; throws when it cannot
 * @returns the options with PEM text in, and the problems
 */
export function withTlsAuthFiles<O extends { tlsAuth?: TlsAuth[] | undefined }>(
  options: O, at: (string | number)[], resolve: (path: string) => string, read: (path: string) => string,
): { options: O; problems: { where: string; message: string }[] } {
  const problems: { where: string; message: string }[] = [];
  if (!options.tlsAuth?.some((e) => e.certFile !== undefined || e.keyFile !== undefined)) return { options, problems };
  const tlsAuth = options.tlsAuth.map((e, i) => {
    const path = [...at, 'tlsAuth', i];
    const out: TlsAuth = { ...e };
    const load = (field: 'certFile' | 'keyFile'): string | undefined => {
      const written = e[field];
      if (written === undefined) return undefined;
      const abs = resolve(written);
      out[field] = abs;
      try {
        return read(abs);
      } catch (err) {
        problems.push({ where: formatPath([...path, field]), message: `cannot read ${abs}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
        return undefined;
      }
    };
    const cert = load('certFile') ?? e.cert;
    const key = load('keyFile') ?? e.key;
    if (cert !== undefined) out.cert = cert;
    if (key !== undefined) out.key = key;
    if (cert !== undefined && key !== undefined && (e.certFile !== undefined || e.keyFile !== undefined)) {
      for (const p of pemProblems(cert, key, e.password)) {
        const field = p.path[0] === 'cert' && e.certFile !== undefined ? 'certFile' : p.path[0] === 'key' && e.keyFile !== undefined ? 'keyFile' : p.path[0]!;
        problems.push({ where: formatPath([...path, field]), message: p.message });
      }
    }
    return out;
  });
  return { options: { ...options, tlsAuth }, problems };
}
