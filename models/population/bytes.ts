/**
 * Writing NDJSON bytes straight into a buffer. Users are made at millions per second, where building strings and
 * then encoding them costs more than making the user; these helpers write digits and pre-encoded UTF-8 pieces in
 * place. Each takes the buffer and a position and returns the position after what it wrote.
 */

const HEX = new TextEncoder().encode('0123456789abcdef');
const B36 = new TextEncoder().encode('0123456789abcdefghijklmnopqrstuvwxyz');
const ZERO = 48;
// Digits are split with Math.floor and a multiply, not `%`: values above 2^31 are doubles, and `%` on doubles is a
// slow library call (measured ~10x slower here).

/**
 * Copies pre-encoded bytes (a byte loop for short pieces, where it beats `set`'s call overhead).
 * @param buf destination
 * @param pos write position
 * @param bytes bytes to copy
 * @returns position after the copy
 */
export function putBytes(buf: Uint8Array, pos: number, bytes: Uint8Array): number {
  const n = bytes.length;
  if (n > 24) {
    buf.set(bytes, pos);
    return pos + n;
  }
  for (let j = 0; j < n; j++) buf[pos++] = bytes[j]!;
  return pos;
}

/**
 * Writes a non-negative integer in decimal, without padding.
 * @param buf destination
 * @param pos write position
 * @param v integer in [0, 2^53)
 * @returns position after the digits
 */
export function putUint(buf: Uint8Array, pos: number, v: number): number {
  let digits = 1;
  for (let p = 10; p <= v; p *= 10) digits++;
  let end = pos + digits;
  for (let q = end - 1; q >= pos; q--) {
    const d = Math.floor(v / 10);
    buf[q] = ZERO + v - d * 10;
    v = d;
  }
  return end;
}

/**
 * Writes an integer as exactly `width` decimal digits, zero-padded.
 * @param buf destination
 * @param pos write position
 * @param v integer in [0, 10^width)
 * @param width number of digits
 * @returns position after the digits
 */
export function putFixedDecimal(buf: Uint8Array, pos: number, v: number, width: number): number {
  for (let q = pos + width - 1; q >= pos; q--) {
    const d = Math.floor(v / 10);
    buf[q] = ZERO + v - d * 10;
    v = d;
  }
  return pos + width;
}

/**
 * Writes a 32-bit unsigned integer as 7 base-36 digits (36^7 > 2^32: distinct values give distinct text).
 * @param buf destination
 * @param pos write position
 * @param u unsigned 32-bit integer
 * @returns position after the digits
 */
export function putBase36x7(buf: Uint8Array, pos: number, u: number): number {
  for (let q = pos + 6; q >= pos; q--) {
    const d = Math.floor(u / 36);
    buf[q] = B36[u - d * 36]!;
    u = d;
  }
  return pos + 7;
}

/**
 * Writes a 32-bit unsigned integer as 8 lower-case hex digits.
 * @param buf destination
 * @param pos write position
 * @param u unsigned 32-bit integer
 * @returns position after the digits
 */
export function putHex8(buf: Uint8Array, pos: number, u: number): number {
  for (let q = pos + 7; q >= pos; q--) {
    buf[q] = HEX[u & 15]!;
    u >>>= 4;
  }
  return pos + 8;
}

/**
 * Writes a number with at most one decimal given as tenths, the way JSON.stringify prints it (23 and 23.2, not
 * 23.0).
 * @param buf destination
 * @param pos write position
 * @param tenths value times ten, a non-negative integer
 * @returns position after the text
 */
export function putTenths(buf: Uint8Array, pos: number, tenths: number): number {
  const frac = tenths % 10;
  pos = putUint(buf, pos, (tenths - frac) / 10);
  if (frac === 0) return pos;
  buf[pos] = 46; // '.'
  buf[pos + 1] = ZERO + frac;
  return pos + 2;
}
