/**
 * Escaping for the self-contained HTML report: text and attribute values, JSON data blocks and inlined scripts, so no
 * input (a tag value, a service name, a library's source) can end an element early or inject markup.
 */

/**
 * Escapes text for HTML content and double- or single-quoted attribute values.
 * @param s raw text
 * @returns escaped text
 * @example esc('<b> & "x"') // '&lt;b&gt; &amp; &quot;x&quot;'
 */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/**
 * Serialises data for a `<script type="application/json">` block: `<` becomes `\u003c` (so `</script>` and `<!--`
 * cannot appear), and U+2028/U+2029 are escaped as well, so the block is inert markup and JSON.parse reads it back.
 * @param value JSON-serialisable data
 * @returns JSON text safe inside the element
 * @example jsonForScript({ a: '</script>' }) // '{"a":"\\u003c/script>"}'
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * Makes JavaScript source safe to inline in a `<script>` element: `</script` and `<!--` are broken up in a way
 * that keeps the code's meaning (inside strings, regexes and comments `<\/` and `<\!` read as `</` and `<!`).
 * @param code JavaScript source (e.g. chart.js's UMD bundle)
 * @returns the source to put between `<script>` and `</script>`
 * @example inlineScript('x = "</script>"') // 'x = "<\\/script>"'
 */
export function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
