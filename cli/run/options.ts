/**
 * The flags of `caplab run` as commander parses them, shared by the command, the run's planning (plan.ts) and the
 * k6 runner (k6.ts), in a module of its own so none of them imports another for it.
 */

/** Options of `caplab run` as commander parses them (strings as typed: plan.ts validates them). */
export interface RunOptions {
  /** `--vus`: VUs of the shortcut scenario. */
  vus?: string;
  /** `--duration`: the shortcut's duration, e.g. `30s`. */
  duration?: string;
  /** `--iterations`: the shortcut's shared iterations. */
  iterations?: string;
  /** `--execution-segment`, e.g. `0:1/2`. */
  executionSegment?: string;
  /** `--execution-segment-sequence`, e.g. `0,1/2,1`. */
  executionSegmentSequence?: string;
  /** `--tag name=value`, repeated. */
  tag?: string[];
  /** `--summary-json`: handleSummary's JSON. */
  summaryJson?: string;
  /** `--summary-export`: k6's flat summary. */
  summaryExport?: string;
  /** `-o/--out`, repeated: `json=FILE[.gz]`. */
  out?: string[];
  /** `--runner`: the embedded engine (default) or real k6. */
  runner?: 'engine' | 'k6';
  /** Worker threads sharing the test (execution segments of equal size); default: see data/defaults.json run. */
  workers?: string;
  /** k6's `--insecure-skip-tls-verify`: sets the spec's `insecureSkipTLSVerify` option. */
  insecureSkipTlsVerify?: boolean;
  /** k6's `--user-agent`: sets the spec's `userAgent` option. */
  userAgent?: string;
  /** False with k6's `--no-connection-reuse`: sets `noConnectionReuse`. */
  connectionReuse?: boolean;
  /** False with k6's `--no-vu-connection-reuse`: sets `noVUConnectionReuse`. */
  vuConnectionReuse?: boolean;
  /** k6's `--discard-response-bodies`: sets `discardResponseBodies`. */
  discardResponseBodies?: boolean;
  /** k6's `--max-redirects`: sets `maxRedirects`. */
  maxRedirects?: string;
  /** `-e/--env NAME=value`, repeated: `{{env.NAME}}` values over the process environment (k6's `-e`). */
  env?: string[];
  /** False with `--no-system-env` (k6's `--include-system-env-vars=false`): the process environment is not read. */
  systemEnv?: boolean;
}
