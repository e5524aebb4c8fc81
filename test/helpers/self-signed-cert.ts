/**
 * Test helper: a self-signed certificate for `localhost` and 127.0.0.1 made by openssl at test time (EC P-256, one
 * day), for HTTPS servers of node:https and node:http2 on 127.0.0.1. A missing openssl fails the test with the
 * install command: nothing is skipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A key and its certificate, PEM. */
export interface SelfSignedCert {
  key: Buffer;
  cert: Buffer;
}

/**
 * Makes a certificate with subjectAltName DNS:localhost and IP:127.0.0.1.
 * @returns the key and certificate
 * @throws {Error} when openssl is missing or fails
 */
export function selfSignedCert(): SelfSignedCert {
  const dir = mkdtempSync(join(tmpdir(), 'caplab-cert-'));
  try {
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ], { stdio: 'pipe', timeout: 30_000 });
    } catch (err) {
      throw new Error(`this test needs openssl to make a certificate (Debian: apt-get install -y openssl): ${(err as Error).message}`);
    }
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
