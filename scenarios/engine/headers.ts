/**
 * Reading response headers from the header lines the transport keeps (HttpResponse.head): a header's value as k6's
 * `res.headers[name]` gives it (Go joins a repeated header's values with ", ").
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
