/**
 * Test helper: a small PKI made by openssl at test time (EC P-256, one day) for mutual TLS: a CA, a server
 * certificate for the names and addresses asked, a client certificate signed by the CA, and a client certificate of
 * another CA (which a server trusting the first refuses). A missing openssl fails the test with the install command.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A key and its certificate, PEM text. */
export interface KeyPair {
  key: string;
  cert: string;
}

/** What {@link testPki} makes. */
export interface TestPki {
  /** The CA (trust it with `ca` on a server, or NODE_EXTRA_CA_CERTS in a client process). */
  ca: KeyPair;
  /** The server's certificate, signed by the CA, naming the hosts asked. */
  server: KeyPair;
  /** A client certificate signed by the CA (CN caplab-client). */
  client: KeyPair;
  /** A client certificate signed by another CA. */
  stranger: KeyPair;
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: 'pipe', timeout: 30_000 });
  } catch (err) {
    throw new Error(`this test needs openssl to make certificates (Debian: apt-get install -y openssl): ${(err as Error).message}`);
  }
}

/**
 * Makes the CA and certificates.
 * @param serverNames subjectAltName entries of the server certificate, e.g. `['DNS:api.test', 'IP:127.0.0.1']`
 * @returns PEM text of each
 */
export function testPki(serverNames: string[]): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'caplab-pki-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'];
  const f = (name: string): string => join(dir, name);
  try {
    for (const ca of ['ca', 'other-ca']) {
      openssl(['req', '-x509', ...ec, '-subj', `/CN=caplab ${ca}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
        '-keyout', f(`${ca}.key`), '-out', f(`${ca}.pem`)]);
    }
    const leaf = (name: string, ca: string, cn: string, ext: string[]): void => openssl([
      'req', '-x509', ...ec, '-CA', f(`${ca}.pem`), '-CAkey', f(`${ca}.key`), '-subj', `/CN=${cn}`, ...ext.flatMap((e) => ['-addext', e]),
      '-keyout', f(`${name}.key`), '-out', f(`${name}.pem`),
    ]);
    leaf('server', 'ca', 'caplab server', [`subjectAltName=${serverNames.join(',')}`, 'extendedKeyUsage=serverAuth', 'basicConstraints=critical,CA:FALSE']);
    leaf('client', 'ca', 'caplab-client', ['extendedKeyUsage=clientAuth', 'basicConstraints=critical,CA:FALSE']);
    leaf('stranger', 'other-ca', 'stranger', ['extendedKeyUsage=clientAuth', 'basicConstraints=critical,CA:FALSE']);
    const pair = (name: string): KeyPair => ({ key: readFileSync(f(`${name}.key`), 'utf8'), cert: readFileSync(f(`${name}.pem`), 'utf8') });
    return { ca: pair('ca'), server: pair('server'), client: pair('client'), stranger: pair('stranger') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
