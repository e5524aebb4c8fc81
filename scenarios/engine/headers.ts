/**
 * Reading response headers from the header lines the transport keeps (HttpResponse.head): a header's value as k6's
 * `res.headers[name]` gives it (Go joins a repeated header's values with ", "), or each of its lines (Set-Cookie,
 * for the VU's cookie jar).
 */

/**
 * The value of a response header.
 * @param head header lines (`Name: value`, CRLF-separated), or undefined when none were kept
 * @param name header name, any case
 * @returns the value (repeated headers joined with ", ", surrounding spaces trimmed), or undefined when absent
 * @example headerValue('Location: /a\r\nX-Id: 1', 'location') // '/a'
 */
export function headerValue(head: string | undefined, name: string): string | undefined {
  if (head === undefined || head === '') return undefined;
  const want = name.toLowerCase();
  let out: string | undefined;
  for (const line of head.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0 || line.slice(0, colon).trim().toLowerCase() !== want) continue;
    const value = line.slice(colon + 1).trim();
    out = out === undefined ? value : `${out}, ${value}`;
  }
  return out;
}

/**
 * Each value of a response header, in order (Set-Cookie lines cannot be joined: their dates hold commas).
 * @param head header lines (`Name: value`, CRLF-separated), or undefined when none were kept
 * @param name header name, lower case
 * @returns the values, surrounding spaces trimmed (empty when absent)
 * @example headerValues('Set-Cookie: a=1\r\nSet-Cookie: b=2', 'set-cookie') // ['a=1', 'b=2']
 */
export function headerValues(head: string | undefined, name: string): string[] {
  const out: string[] = [];
  if (head === undefined || head === '') return out;
  for (const line of head.split('\n')) {
    const colon = line.indexOf(':');
    if (colon === name.length && line.slice(0, colon).toLowerCase() === name) out.push(line.slice(colon + 1).trim());
  }
  return out;
}
