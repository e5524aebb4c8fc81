/** Reading a Markdown report's tables back in tests. */
import { expect } from 'vitest';

/**
 * The table right under a heading, as rows of cells (header and rule rows included).
 * @param md the Markdown
 * @param heading the heading line, exactly
 * @returns the rows
 */
export function tableAfter(md: string, heading: string): string[][] {
  const lines = md.split('\n');
  let i = lines.indexOf(heading);
  expect(i, heading).toBeGreaterThanOrEqual(0);
  while (i < lines.length && !lines[i]!.startsWith('|')) i++;
  const rows: string[][] = [];
  for (; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(lines[i]!.slice(2, -2).split(' | '));
  return rows;
}
