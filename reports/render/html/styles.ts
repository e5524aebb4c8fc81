/**
 * The report's stylesheet: CSS custom properties for light and dark mode (prefers-color-scheme), a print layout
 * (A4 portrait, no interactive chrome, tables and charts kept whole), and tables readable on narrow screens.
 * The chart script reads the same properties, so charts follow the colour scheme.
 */

/** The stylesheet, inlined in `<style>`. */
export const REPORT_CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa;
  --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --accent: #0969da;
  --c1: #0969da; --c2: #cf222e; --c3: #1a7f37; --c4: #8250df; --c5: #bc4c00; --c6: #0598bc; --c7: #bf3989; --c8: #57606a;
  --band: rgba(9, 105, 218, 0.18);
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --line: #30363d; --panel: #161b22;
    --ok: #3fb950; --bad: #f85149; --warn: #d29922; --accent: #4493f8;
    --c1: #4493f8; --c2: #f85149; --c3: #3fb950; --c4: #a371f7; --c5: #f0883e; --c6: #39c5cf; --c7: #db61a2; --c8: #8d96a0;
    --band: rgba(68, 147, 248, 0.25);
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 16px; }
header { padding-top: 16px; }
h1 { font-size: 1.6em; margin: 0.3em 0; }
h2 { font-size: 1.3em; margin: 1.6em 0 0.4em; padding-top: 0.4em; border-top: 1px solid var(--line); }
h3 { font-size: 1.08em; margin: 1.2em 0 0.3em; }
p.lead { color: var(--muted); margin: 0.2em 0 0.8em; }
p.note, .absent { background: var(--panel); border-left: 4px solid var(--warn); padding: 6px 10px; }
.absent { border-left-color: var(--line); color: var(--muted); font-style: italic; }
nav { margin: 8px 0 0; font-size: 0.92em; }
nav a { color: var(--accent); margin-right: 12px; text-decoration: none; }
.table-wrap { overflow-x: auto; margin: 6px 0 12px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; min-width: 50%; }
caption { text-align: left; color: var(--muted); padding: 4px 0; caption-side: top; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; white-space: nowrap; }
th { background: var(--panel); font-weight: 600; white-space: normal; }
td.num, th.num { text-align: right; }
td.ok { color: var(--ok); font-weight: 600; }
td.bad { color: var(--bad); font-weight: 600; }
td.warn { color: var(--warn); font-weight: 600; }
.tag { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 0.85em; border: 1px solid var(--line); }
.tag.measured { color: var(--ok); border-color: var(--ok); }
.tag.modeled { color: var(--accent); border-color: var(--accent); }
.tag.input { color: var(--muted); }
.pair { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; align-items: start; }
@media (max-width: 900px) { .pair { grid-template-columns: minmax(0, 1fr); } }
figure { margin: 8px 0 12px; }
figure .chart { position: relative; height: 300px; }
figcaption { color: var(--muted); font-size: 0.9em; margin-top: 4px; }
section.dc { border: 1px solid var(--line); border-radius: 6px; padding: 4px 12px 8px; margin: 12px 0; }
footer { color: var(--muted); font-size: 0.85em; padding: 24px 16px; }
@media print {
  @page { size: A4 portrait; margin: 12mm; }
  :root { --bg: #ffffff; --fg: #000000; --muted: #444444; --line: #999999; --panel: #eeeeee; }
  body { font-size: 10pt; }
  nav { display: none; }
  header, main, footer { max-width: none; padding: 0; }
  h2 { break-before: auto; break-after: avoid; }
  h3 { break-after: avoid; }
  figure, table, section.dc { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  .pair { grid-template-columns: minmax(0, 1fr); }
  figure .chart { height: 220px; }
  th, td { white-space: normal; }
}
`;
