/**
 * Plain-text tables for terminal output: columns padded to their widest cell, numbers right-aligned.
 */

/**
 * Renders rows as an aligned text table.
 * @param header column titles
 * @param rows cells (strings); a cell that looks numeric is right-aligned
 * @returns the table, lines joined with newlines, no trailing newline
 * @example textTable(['a', 'b'], [['x', '1']]) // "a  b\n-  -\nx  1"
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const numeric = (s: string): boolean => /^[-+]?[\d.,]+[%MKBkx]?$/.test(s);
  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => (numeric(cell) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * Formats a count of phones or devices in millions with one decimal: 61100000 -> "61.1M".
 * @param n count
 * @returns text
 */
export function millions(n: number): string {
  return `${(n / 1e6).toFixed(1)}M`;
}

/**
 * Formats a probability as a percentage: 0.734 -> "73%".
 * @param p probability in [0, 1]
 * @returns text
 */
export function percent(p: number): string {
  return `${Math.round(p * 100)}%`;
}
