/**
 * k6's transport options in a spec (scenarios/transport-options.ts): k6's forms accepted, every bad value named with
 * its JSON path at once, k6's `hosts` matching (its own test cases, lib/types/hosts_test.go), the tlsAuth entry a
 * host gets, tlsAuth files read by the CLI's reader, and the Go -> OpenSSL cipher names against @types/k6's list.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../models/errors.ts';
import { engineTransportProblems, tlsContextOptions } from '../../scenarios/engine/transport.ts';
import { parseScenarioSpec } from '../../scenarios/spec.ts';
import { resolveHostOverride, TLS_CIPHER_SUITES, tlsAuthFor, withTlsAuthFiles } from '../../scenarios/transport-options.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { type TestPki, testPki } from '../helpers/tls-certs.ts';

const spec = (options: Record<string, unknown>): Record<string, unknown> => ({
  schema: 'caplab.scenario/v1', name: 't', options, flows: { default: { steps: [{ url: 'https://api.test/' }] } },
});

function problemsOf(options: Record<string, unknown>): string[] {
  try {
    parseScenarioSpec(spec(options), 'spec.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).problems.map((p) => `${p.where}: ${p.message}`);
  }
  throw new Error('expected a ValidationError');
}

let pki: TestPki;
beforeAll(() => { pki = testPki(['DNS:api.test']); });

describe('transport options in a spec', () => {
  it('accepts k6\'s forms and keeps them as written', () => {
    const options = {
      tlsVersion: { min: 'tls1.2', max: 'tls1.3' }, tlsCipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256'],
      tlsAuth: [{ domains: ['api.test', '*.example.com'], cert: pki.client.cert, key: pki.client.key }, { certFile: 'c.pem', keyFile: 'k.pem' }],
      hosts: { 'api.test': '127.0.0.1', 'api.test:8443': '127.0.0.1:9443', '*.svc.test': '::1', 'v6.test:443': '[::1]:8443' },
      userAgent: '', noConnectionReuse: true, noVUConnectionReuse: false, discardResponseBodies: true,
    };
    const o = parseScenarioSpec(spec(options), 'spec.json').options;
    expect(o).toMatchObject({ ...options, tlsAuth: [options.tlsAuth[0], { domains: [], certFile: 'c.pem', keyFile: 'k.pem' }] });
    expect(parseScenarioSpec(spec({ tlsVersion: 'tls1.3' }), 'spec.json').options.tlsVersion).toBe('tls1.3');
    const bare = parseScenarioSpec(spec({}), 'spec.json').options;
    for (const k of ['tlsVersion', 'tlsCipherSuites', 'tlsAuth', 'hosts', 'userAgent', 'noConnectionReuse', 'noVUConnectionReuse', 'discardResponseBodies']) expect(bare).not.toHaveProperty(k);
  });

  it('names every bad value at once, with its JSON path', () => {
    const problems = problemsOf({
      tlsVersion: { min: 'tls1.3', max: 'tls1.2' },
      tlsCipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'TLS_FOO'],
      tlsAuth: [{ domains: ['api.test'], cert: 'not a pem', key: pki.client.key }, { domains: ['bad domain'], cert: pki.client.cert, keyFile: 'k.pem', key: pki.client.key }, { cert: pki.client.cert, key: pki.stranger.key }],
      hosts: { 'api.test': 'not-an-ip', 'bad host!': '127.0.0.1', 'ok.test': '10.0.0.1:99999' },
      userAgent: 7, noConnectionReuse: 'yes',
    });
    const where = problems.map((p) => p.split(': ').slice(0, 2).join(': '));
    expect(where.sort()).toEqual([
      'spec.json: hosts.api.test', 'spec.json: hosts.bad host!', 'spec.json: hosts.ok.test',
    ].map((w) => w.replace('spec.json: ', 'spec.json: options.')).concat([
      'spec.json: options.noConnectionReuse', 'spec.json: options.tlsAuth[0].cert', 'spec.json: options.tlsAuth[1]', 'spec.json: options.tlsAuth[1].domains[0]',
      'spec.json: options.tlsAuth[2].key', 'spec.json: options.tlsCipherSuites[1]', 'spec.json: options.tlsCipherSuites[2]', 'spec.json: options.tlsVersion.min', 'spec.json: options.userAgent',
    ]).sort());
    expect(problems).toContain('spec.json: options.tlsVersion.min: min tls1.3 is above max tls1.2: no TLS version satisfies both');
    expect(problems.find((p) => p.includes('tlsCipherSuites[1]'))).toContain('(k6 names it TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)');
    expect(problems.find((p) => p.includes('tlsCipherSuites[2]'))).toMatch(/unknown cipher suite "TLS_FOO": k6 takes Go's names/);
    expect(problems).toContain('spec.json: options.tlsAuth[1]: needs exactly one of `key` (PEM text) or `keyFile` (a path)');
    expect(problems).toContain('spec.json: options.tlsAuth[2].key: private key does not match public key in the certificate');
    expect(problems.find((p) => p.includes('hosts.api.test'))).toContain('not an IP address or IP:port');
    expect(problems).toContain('spec.json: options.hosts.bad host!: not a host pattern k6 takes (a name, *.name, optionally :port)');
  });

  it('says why {max} alone can never work (Go\'s client starts at tls1.2) and refuses a version k6 does not know', () => {
    expect(problemsOf({ tlsVersion: { max: 'tls1.1' } })).toEqual([
      'spec.json: options.tlsVersion.max: max tls1.1 is below tls1.2, the least version when min is not given (Go\'s client default, as k6 runs it): set min as well',
    ]);
    expect(problemsOf({ tlsVersion: 'tls1.4' })[0]).toMatch(/^spec\.json: options\.tlsVersion: .*not a TLS version k6 knows \(tls1\.0, tls1\.1, tls1\.2, tls1\.3\)/);
    expect(problemsOf({ tlsVersion: { min: 'tls1.1', max: 'tls1.3', extra: 1 } })[0]).toMatch(/^spec\.json: options\.tlsVersion/);
  });

  it('refuses a key k6 cannot read: encrypted PKCS#8, or a password for a key that is not encrypted', () => {
    const pkcs8 = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n';
    expect(problemsOf({ tlsAuth: [{ cert: pki.client.cert, key: pkcs8, password: 'x' }] })).toEqual([
      'spec.json: options.tlsAuth[0].key: encrypted pkcs8 formatted key is not supported (k6): use a legacy encrypted PEM key with `password`, or an unencrypted key',
    ]);
    expect(problemsOf({ tlsAuth: [{ cert: pki.client.cert, key: pki.client.key, password: 'x' }] })).toEqual([
      'spec.json: options.tlsAuth[0].password: the key is not encrypted (k6 fails on a password for it): leave `password` out',
    ]);
  });
});

describe('k6\'s hosts matching', () => {
  // lib/types/hosts_test.go (k6 v0.48): the same table, as addresses with the port each dial gets.
  const hosts = {
    'simple.io': '1.2.3.4', 'simple.io:80': '1.2.3.4:80', 'simple.io:443': '1.2.3.4:8443', 'only-port.io:443': '5.6.7.8:8443',
    '*.wildcard.io': '9.10.11.12', 'specific.wildcard.io': '90.100.110.120', '*wildcard-2.io': '13.14.15.16', 'specific.wildcard-2.io': '130.140.150.160',
    'simple-ipv6.io:443': '[aa::bb]:8443',
  };
  it.each([
    ['simple.io', 9999, '1.2.3.4', 9999], ['simple.io', 80, '1.2.3.4', 80], ['simple.io', 443, '1.2.3.4', 8443],
    ['only-port.io', 443, '5.6.7.8', 8443], ['foo.wildcard.io', 1, '9.10.11.12', 1], ['specific.wildcard.io', 1, '90.100.110.120', 1],
    ['not.specific.wildcard.io', 1, '9.10.11.12', 1], ['wildcard-2.io', 1, '13.14.15.16', 1], ['prefixwildcard-2.io', 1, '13.14.15.16', 1],
    ['Specific.Wildcard-2.IO', 1, '130.140.150.160', 1], ['simple-ipv6.io', 443, 'aa::bb', 8443],
  ])('%s:%d -> %s:%d', (host, port, ip, to) => {
    expect(resolveHostOverride(hosts, host, port)).toEqual({ host: ip, port: to });
  });
  it('leaves other names to the resolver', () => {
    expect(resolveHostOverride(hosts, 'only-port.io', 9999)).toBeUndefined();
    expect(resolveHostOverride(hosts, 'wildcard.io', 1)).toBeUndefined();
    expect(resolveHostOverride(hosts, 'simple-ipv6.io', 80)).toBeUndefined();
  });
});

describe('tlsAuth', () => {
  it('gives a host the first entry whose domains name it, else the first without domains', () => {
    const entries = [{ domains: ['a.test'] }, { domains: [] }, { domains: ['*.b.test', 'c.test'] }];
    expect(['a.test', 'x.b.test', 'deep.x.b.test', 'C.TEST', 'b.test', 'other'].map((h) => tlsAuthFor(entries, h))).toEqual([0, 2, 2, 2, 1, 1]);
    expect(tlsAuthFor([{ domains: ['a.test'] }], 'other')).toBe(-1);
  });

  it('reads certFile/keyFile through the reader: absolute paths kept, PEM in, every unreadable or bad file named', () => {
    const files: Record<string, string> = { '/s/c.pem': pki.client.cert, '/s/k.pem': pki.client.key, '/s/other.key': pki.stranger.key };
    const read = (p: string): string => {
      const t = files[p];
      if (t === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return t;
    };
    const o = parseScenarioSpec(spec({ tlsAuth: [{ certFile: 'c.pem', keyFile: 'k.pem' }, { cert: pki.client.cert, keyFile: 'missing.pem' }, { certFile: 'c.pem', keyFile: 'other.key' }] }), 's.json').options;
    const r = withTlsAuthFiles(o, ['options'], (p) => `/s/${p}`, read);
    expect(r.options.tlsAuth![0]).toEqual({ domains: [], certFile: '/s/c.pem', keyFile: '/s/k.pem', cert: pki.client.cert, key: pki.client.key });
    expect(r.problems).toEqual([
      { where: 'options.tlsAuth[1].keyFile', message: 'cannot read /s/missing.pem: ENOENT' },
      { where: 'options.tlsAuth[2].keyFile', message: 'private key does not match public key in the certificate' },
    ]);
    const none = parseScenarioSpec(spec({}), 's.json').options;
    expect(withTlsAuthFiles(none, ['options'], (p) => p, read).options).toBe(none);
  });
});

describe('cipher suites and versions', () => {
  it('knows exactly the names k6 knows (@types/k6 CipherSuite)', () => {
    const dts = readFileSync(join(REPO_ROOT, 'node_modules', '@types', 'k6', 'http', 'index.d.ts'), 'utf8');
    const union = /export type CipherSuite =([^;]+);/.exec(dts)![1]!;
    expect(Object.keys(TLS_CIPHER_SUITES).sort()).toEqual([...union.matchAll(/"([A-Z0-9_]+)"/g)].map((m) => m[1]).sort());
  });

  it('maps them to OpenSSL names with TLS 1.3\'s always on, and allows TLS 1.0/1.1 at OpenSSL\'s security level 0', () => {
    expect(tlsContextOptions({ tlsVersion: 'tls1.2', tlsCipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'] })).toEqual({
      minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:ECDHE-ECDSA-AES128-SHA',
    });
    expect(tlsContextOptions({ tlsVersion: { min: 'tls1.1' } })).toEqual({ minVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    expect(tlsContextOptions({})).toEqual({});
  });

  it('says which suites k6 knows that this Node\'s OpenSSL lacks (the engine\'s limit, not the spec\'s)', () => {
    const o = parseScenarioSpec(spec({ tlsCipherSuites: ['TLS_RSA_WITH_RC4_128_SHA', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'] }), 's.json').options;
    const problems = engineTransportProblems(o, 's.json');
    expect(problems.map((p) => p.where)).toEqual(['s.json: options.tlsCipherSuites[0]', 's.json: options.tlsCipherSuites[2]']);
    expect(problems[0]!.message).toMatch(/^TLS_RSA_WITH_RC4_128_SHA \(OpenSSL RC4-SHA\) is not available in this Node's OpenSSL .*--runner k6$/);
  });
});
