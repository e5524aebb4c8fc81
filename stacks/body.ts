/**
 * Reading and parsing request bodies with a byte limit, and validating them with zod into 400s that list every
 * problem with its JSON path.
 */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { formatPath } from '../models/validation.ts';
import { HttpError } from './http-error.ts';

/**
 * Reads a request body, refusing more than `limit` bytes without buffering them.
 * @param req the request
 * @param limit maximum bytes
 * @returns the body bytes (empty when there is none)
 * @throws {HttpError} 413 when the body (or its Content-Length) exceeds the limit; 400 when the client aborts
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(new HttpError(413, 'payload_too_large', `body of ${declared} bytes is over the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit && !done) {
        done = true;
        // Stop buffering but keep draining, so the 413 can still be written on this connection.
        chunks.length = 0;
        req.off('data', onData);
        req.resume();
        reject(new HttpError(413, 'payload_too_large', `body is over the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    req.on('error', (err) => {
      if (!done) {
        done = true;
        reject(new HttpError(400, 'bad_body', `could not read the body: ${err.message}`));
      }
    });
  });
}

/**
 * Parses a JSON body.
 * @param bytes body bytes
 * @param contentType the Content-Type header, if any
 * @returns the parsed value
 * @throws {HttpError} 415 for a non-JSON content type, 400 for an empty body or invalid JSON
 */
export function parseJsonBody(bytes: Buffer, contentType: string | undefined): unknown {
  if (contentType !== undefined && !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType.trim())) {
    throw new HttpError(415, 'unsupported_media_type', `Content-Type "${contentType.slice(0, 100)}" is not application/json`);
  }
  if (bytes.length === 0) throw new HttpError(400, 'invalid_json', 'the body is empty; a JSON object is required');
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (err) {
    throw new HttpError(400, 'invalid_json', `the body is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
}

/**
 * Validates a value (body or query) with a zod schema.
 * @param schema the schema
 * @param value untrusted value
 * @param where `body` or `query`, prefixed to each path
 * @returns the parsed data
 * @throws {HttpError} 400 `invalid_request` listing every problem with its path
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query'): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => ({ path: `${where}${i.path.length ? `.${formatPath(i.path)}` : ''}`, message: i.message }));
  const detail = problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`).join('; ') +
    (problems.length > 5 ? `; and ${problems.length - 5} more` : '');
  throw new HttpError(400, 'invalid_request', detail, { problems });
}
