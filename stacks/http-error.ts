/**
 * The one error type a request handler throws: it carries the status and the `{error, detail}` body, so the server
 * turns every expected failure into a 4xx JSON response in one place.
 */
import type { ErrorBody } from './api.ts';

/** An HTTP error response: status, error code, detail and optional extra fields. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  /** HTTP status, 4xx (or 503 from the node). */
  readonly status: number;
  /** The JSON body to send. */
  readonly body: ErrorBody;
  /** Extra response headers, e.g. `Retry-After` or `Allow`. */
  readonly headers: Record<string, string>;

  /**
   * @param status HTTP status
   * @param error machine-readable code, e.g. `invalid_request`
   * @param detail one line naming the bad value
   * @param extra more body fields (`problems`, `rule`, `current`)
   * @param headers extra response headers
   */
  constructor(status: number, error: string, detail: string, extra: Partial<ErrorBody> = {}, headers: Record<string, string> = {}) {
    super(`${status} ${error}: ${detail}`);
    this.status = status;
    this.body = { error, detail, ...extra };
    this.headers = headers;
  }
}
