/**
 * Failed requests counted by why they failed, from the tags of `http_req_failed` samples whose value is 1: k6's
 * `error_code` and `error` for a request without a response, the status for one the flow did not expect. Bounded by
 * the number of distinct (code, message, status) triples, not by requests; adds up across workers exactly.
 */
import type { Tags } from './types.ts';

/** Failed requests of one kind. */
export interface FailureCount {
  /** k6's `error_code` tag (`''` when the request has none: an unexpected status below 400). */
  code: string;
  /** k6's `error` tag (`''` for a response). */
  message: string;
  /** The `status` tag (`'0'` without a response). */
  status: string;
  /** Failed requests of this kind. */
  count: number;
}

/** A running tally of failed requests (see the module comment). */
export class FailureTally {
  readonly #byKey = new Map<string, FailureCount>();

  /**
   * Counts failed requests with these tags.
   * @param tags the tags of a failed request's `http_req_failed` sample
   * @param n how many (default 1)
   */
  add(tags: Tags, n = 1): void {
    const code = tags.error_code ?? '';
    const message = tags.error ?? '';
    const status = tags.status ?? '';
    const key = `${code}\u0000${message}\u0000${status}`;
    const c = this.#byKey.get(key);
    if (c === undefined) this.#byKey.set(key, { code, message, status, count: n });
    else c.count += n;
  }

  /**
   * Adds another tally's counts (a worker's, a snapshot's).
   * @param counts what {@link list} returned there
   */
  merge(counts: readonly FailureCount[]): void {
    for (const c of counts) this.add({ error_code: c.code, error: c.message, status: c.status }, c.count);
  }

  /**
   * The counts, most frequent first (ties: lower code first, then message), as plain data.
   * @returns copies of the counts
   */
  list(): FailureCount[] {
    return [...this.#byKey.values()].map((c) => ({ ...c })).sort((a, b) =>
      b.count - a.count || a.code.localeCompare(b.code) || a.message.localeCompare(b.message) || a.status.localeCompare(b.status));
  }
}
