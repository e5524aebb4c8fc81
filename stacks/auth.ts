/**
 * Tokens and secrets. Tokens are 256 random bits (crypto), handed to the client once and stored only as their
 * SHA-256, so a copy of the database grants nothing. Device secrets are stored the same way: both are
 * high-entropy random values, for which a fast hash is enough (a slow KDF such as scrypt protects guessable
 * passwords, and would burn this shared machine's CPU on every registration).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.ts';
import type { Store, UserRow } from './store.ts';

/**
 * SHA-256 of a string.
 * @param value token or secret
 * @returns 32-byte digest
 */
export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * A new random bearer token.
 * @returns 43 base64url characters (256 bits)
 */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Compares two digests in constant time.
 * @param a digest
 * @param b digest
 * @returns whether they are equal
 */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The user of a request's `Authorization: Bearer <token>` header.
 * @param req the request
 * @param store the data center's store
 * @returns the user
 * @throws {HttpError} 401 when the header is missing, malformed, or the token is unknown
 */
export function authenticate(req: IncomingMessage, store: Store): UserRow {
  const header = req.headers.authorization;
  if (header === undefined) {
    throw new HttpError(401, 'unauthorized', 'missing Authorization header (Bearer token)', {}, { 'WWW-Authenticate': 'Bearer' });
  }
  const m = /^Bearer (\S+)$/.exec(header.trim());
  return userOfToken(m?.[1], store);
}

/**
 * The user of a bearer token however it came (the `Authorization` header, or the `?token=` of a WebSocket handshake,
 * since browsers cannot set headers on one).
 * @param token the token, or undefined when the credentials carried none
 * @param store the data center's store
 * @returns the user
 * @throws {HttpError} 401 when the token is missing, malformed, or unknown
 */
export function userOfToken(token: string | undefined, store: Store): UserRow {
  const user = token !== undefined && /^[A-Za-z0-9_-]{20,200}$/.test(token) ? store.userByToken(sha256(token)) : undefined;
  if (!user) throw new HttpError(401, 'unauthorized', 'the bearer token is malformed or unknown', {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  return user;
}
