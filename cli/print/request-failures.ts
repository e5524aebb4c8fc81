/**
 * The end-of-run note on failed requests: how many failed, the most frequent reasons (k6's error_code and error
 * tags, or the unexpected status) with their count and share of all requests, and what to do about the common
 * ones. A run whose every request failed TLS verification otherwise ends with a summary that only says
 * `http_req_failed 100%`. Pure: text in, text out.
 */
import type { FailureCount } from '../../scenarios/engine/metrics/failure-tally.ts';
import { textTable } from './table.ts';

/** What to try for k6 error codes a user can act on. */
const HINTS: Readonly<Record<string, string>> = {
  1310: 'the server\'s certificate is not signed by a CA this machine trusts (Go, and k6\'s log, say "x509: certificate signed by unknown authority"): '
    + 'trust its CA with NODE_EXTRA_CA_CERTS=<ca.pem> (Caddy\'s `tls internal` CA is pki/authorities/local/root.crt in its data directory), '
    + 'or set the k6 option `insecureSkipTLSVerify: true` (spec options, campaign.yaml or the catalog) to skip verification',
  1311: 'the server\'s certificate does not name the host of the URL (a DNS name is checked against its DNS names, an IP address against its IP SANs): '
    + 'use a URL whose host the certificate names, or set `insecureSkipTLSVerify: true`',
  1301: 'the server did not answer the TLS handshake with TLS: is it plain HTTP? Use an http:// URL',
  1212: 'nothing listens on that address and port: is the target up?',
  1101: 'the host name does not resolve',
  1050: 'no complete response within the request timeout (k6 `timeout`, default 60s)',
};

/** Rows shown at most. */
const TOP = 5;

function reasonOf(f: FailureCount): string {
  if (f.message !== '') return f.message;
  return Number(f.status) >= 400 ? `HTTP ${f.status}` : `unexpected status ${f.status}`;
}

function share(count: number, total: number): string {
  return `${(total > 0 ? (count / total) * 100 : 0).toFixed(2)}%`;
}

/**
 * Formats the note on a run's failed requests.
 * @param failures failed requests by reason, most frequent first (Registry.failures())
 * @param totalRequests every request of the run (http_reqs count), for the shares
 * @returns lines ending with a newline, or `''` when no request failed
 * @example formatRequestFailures([{ code: '1310', message: 'x509: unknown authority', status: '0', count: 40 }], 40)
 */
export function formatRequestFailures(failures: readonly FailureCount[], totalRequests: number): string {
  const failed = failures.reduce((t, f) => t + f.count, 0);
  if (failed === 0) return '';
  const shown = failures.slice(0, TOP);
  const rows = shown.map((f) => [f.code === '' ? '-' : f.code, String(f.count), share(f.count, totalRequests), reasonOf(f)]);
  const rest = failures.slice(TOP).reduce((t, f) => t + f.count, 0);
  if (rest > 0) rows.push(['', String(rest), share(rest, totalRequests), `${failures.length - TOP} other reason(s)`]);
  const lines = [
    `caplab: ${failed} of ${totalRequests} requests failed (${share(failed, totalRequests)}); most frequent errors:`,
    ...textTable(['error_code', 'count', 'share', 'error'], rows).split('\n').map((l) => `  ${l}`),
  ];
  const hinted = new Set<string>();
  for (const f of shown) {
    const hint = HINTS[f.code];
    if (hint !== undefined && !hinted.has(f.code)) {
      hinted.add(f.code);
      lines.push(`  ${f.code}: ${hint}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
