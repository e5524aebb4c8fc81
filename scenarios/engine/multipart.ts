/**
 * multipart/form-data bodies (RFC 7578) written byte for byte as k6 writes them: Go's mime/multipart Writer (parts
 * separated by `--boundary`, each with its headers in sorted order, closed by `--boundary--`), a form field as
 * `CreateFormField` (Content-Disposition with the name, no Content-Type), a file as k6's own part for `http.file`
 * (`form-data; name="<field>"; filename="<filename>"` and its Content-Type). Go draws a random boundary of 60 hex
 * digits; here the 60 hex digits come from the run's seed and the step, so a run's bytes are reproducible, and a
 * boundary found inside a part is replaced by the next one.
 */
import { hash32, streamKey } from '../../models/random.ts';

/** One part: a form field's text, or a file's bytes with its filename and content type. */
export type MultipartPart =
  | { name: string; text: string }
  | { name: string; data: Uint8Array; filename: string; contentType: string };

/** Go's quoteEscaper (mime/multipart and k6's http.file): `\` and `"` escaped with a backslash. */
function escapeQuotes(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/**
 * The k-th boundary of a step: 60 hex digits, as long as Go's random ones.
 * @param seed the run's seed
 * @param step the step's key (`<flow>#<index>`)
 * @param k 0 first; the next when the previous one occurs inside a part
 * @returns the boundary
 * @example multipartBoundary(1, 'default#0', 0).length // 60
 */
export function multipartBoundary(seed: number, step: string, k = 0): string {
  const key = streamKey(seed, `multipart:${step}`);
  let out = '';
  for (let i = 0; out.length < 60; i++) out += hash32(key, k * 16 + i).toString(16).padStart(8, '0');
  return out.slice(0, 60);
}

/**
 * The Content-Type header of a multipart body (Go's FormDataContentType; a hex boundary needs no quotes).
 * @param boundary the boundary
 * @returns `multipart/form-data; boundary=<boundary>`
 */
export function multipartContentType(boundary: string): string {
  return `multipart/form-data; boundary=${boundary}`;
}

/** The head of a part (from its separator to the blank line before its data). */
function partHead(p: MultipartPart, boundary: string, first: boolean): string {
  const sep = first ? `--${boundary}\r\n` : `\r\n--${boundary}\r\n`;
  if ('text' in p) return `${sep}Content-Disposition: form-data; name="${escapeQuotes(p.name)}"\r\n\r\n`;
  // k6 writes the field name of a file part as it is (only the filename is escaped).
  return `${sep}Content-Disposition: form-data; name="${p.name}"; filename="${escapeQuotes(p.filename)}"\r\nContent-Type: ${p.contentType}\r\n\r\n`;
}

/**
 * Whether a boundary can be used with these parts: it must not occur in any part's data.
 * @param parts the parts
 * @param boundary a candidate
 * @returns true when no part holds `--<boundary>`
 */
export function boundaryFits(parts: readonly MultipartPart[], boundary: string): boolean {
  const needle = Buffer.from(`--${boundary}`, 'latin1');
  for (const p of parts) {
    if ('text' in p ? p.text.includes(`--${boundary}`) : Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).includes(needle)) return false;
  }
  return true;
}

/**
 * Writes a multipart/form-data body.
 * @param parts the parts, in order
 * @param boundary the boundary (see {@link boundaryFits})
 * @returns the body bytes
 * @example buildMultipart([{ name: 'a', text: '1' }], 'b').toString() // '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n'
 */
export function buildMultipart(parts: readonly MultipartPart[], boundary: string): Buffer {
  const chunks: Uint8Array[] = [];
  parts.forEach((p, i) => {
    chunks.push(Buffer.from(partHead(p, boundary, i === 0), 'utf8'));
    chunks.push('text' in p ? Buffer.from(p.text, 'utf8') : p.data);
  });
  chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'));
  return Buffer.concat(chunks);
}
