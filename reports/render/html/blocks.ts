/**
 * HTML building blocks of the report: data tables (the accessible, printable twin of every chart), chart figures
 * (a `<canvas data-chart>` the page script draws from the embedded data), and "not available" notes. Pure.
 */
import { esc } from './escape.ts';

/** A table cell: plain text, or text with a class (`num`, `ok`, `bad`, `warn`). */
export type Cell = string | { text: string; cls?: string };

const NUMERIC = /^[-+]?[\d.,]+\s?(%|ms|M|x|k)?$|^—$|^[A-Z]{3} [\d,]+$/;

/**
 * Renders a data table; cells that look numeric are right-aligned.
 * @param caption what the table shows
 * @param header column titles
 * @param rows cells
 * @param id element id of the table (optional)
 * @returns HTML
 * @example table('Nodes', ['dc', 'nodes'], [['singapore', '12']])
 */
export function table(caption: string, header: readonly string[], rows: readonly (readonly Cell[])[], id?: string): string {
  const td = (c: Cell): string => {
    const text = typeof c === 'string' ? c : c.text;
    const cls = [typeof c === 'string' ? '' : c.cls ?? '', NUMERIC.test(text) ? 'num' : ''].filter((x) => x !== '').join(' ');
    return `<td${cls ? ` class="${cls}"` : ''}>${esc(text)}</td>`;
  };
  return `<div class="table-wrap"><table${id ? ` id="${esc(id)}"` : ''}><caption>${esc(caption)}</caption>` +
    `<thead><tr>${header.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map(td).join('')}</tr>`).join('\n')}</tbody></table></div>`;
}

/**
 * A chart figure: the canvas the page script draws (by `key`), its caption, and its data table beside it.
 * @param key chart key the script knows, e.g. `nodes` or `usl:singapore`
 * @param label accessible name of the chart
 * @param caption text under the chart
 * @param tableHtml the chart's data as a table (from {@link table})
 * @param beside put the table beside the chart (true) or under it (false)
 * @returns HTML
 */
export function figure(key: string, label: string, caption: string, tableHtml: string, beside = false): string {
  const fig = `<figure><div class="chart"><canvas data-chart="${esc(key)}" role="img" aria-label="${esc(label)}"></canvas></div>` +
    `<figcaption>${esc(caption)}</figcaption></figure>`;
  return beside ? `<div class="pair">${fig}<div>${tableHtml}</div></div>` : `${fig}${tableHtml}`;
}

/**
 * A note saying a section's data is absent and why.
 * @param why reason
 * @returns HTML
 */
export function absent(why: string): string {
  return `<p class="absent">Not available: ${esc(why)}.</p>`;
}

/**
 * A measured/modeled/input tag.
 * @param kind the tag
 * @returns HTML
 */
export function kindTag(kind: string): string {
  return `<span class="tag ${esc(kind)}">${esc(kind)}</span>`;
}

/**
 * A pass/fail cell.
 * @param ok outcome (null: not judged)
 * @returns the cell
 */
export function passCell(ok: boolean | null): Cell {
  return ok === null ? { text: 'no data', cls: 'warn' } : ok ? { text: 'pass', cls: 'ok' } : { text: 'FAIL', cls: 'bad' };
}
