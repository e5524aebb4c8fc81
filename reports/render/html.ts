/**
 * report.html: ONE self-contained file. chart.js is inlined (its source is passed in: only the CLI reads files), the
 * view model is embedded as JSON in `<script type="application/json">`, and a Content-Security-Policy forbids every
 * network fetch, so the page opens from file:// anywhere, offline. Every table is static HTML (readable with scripts
 * off and on paper); the charts are drawn by the page script from the same data. Pure: data in, string out.
 */
import { CLIENT_JS } from './html/client.ts';
import { esc, inlineScript, jsonForScript } from './html/escape.ts';
import { forecastSection, demandSection, placementSection } from './html/sections-model.ts';
import { loadSection } from './html/sections-load.ts';
import { buySection } from './html/sections-buy.ts';
import { optimizedSection } from './html/sections-optimized.ts';
import { sensitivitySection } from './html/sections-sensitivity.ts';
import { moveSection, resourcesSection } from './html/sections-resources.ts';
import { checksSection, fleetCheckParagraph, provenanceSection, recommendationSection } from './html/sections-plan.ts';
import { REPORT_CSS } from './html/styles.ts';
import type { ReportModel } from './model.ts';

/** What the HTML renderer needs besides the model. */
export interface HtmlOptions {
  /** chart.js v4 UMD bundle source (node_modules/chart.js/dist/chart.umd.min.js), inlined as is. */
  chartJs: string;
}

/** No network at view time: only inline scripts and styles, and data: images (chart.js may make them). */
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'";

/**
 * Renders the report page.
 * @param m view model (buildReportModel)
 * @param opts chart.js source
 * @returns the HTML document
 * @throws {TypeError} when the chart.js source is empty (the charts could not draw)
 * @example renderHtml(buildReportModel({ plan }), { chartJs: readFileSync(chartJsPath, 'utf8') })
 */
export function renderHtml(m: ReportModel, opts: HtmlOptions): string {
  if (typeof opts.chartJs !== 'string' || opts.chartJs.trim() === '') throw new TypeError('renderHtml: chartJs (the chart.js bundle source) is empty');
  // Resources and the move are listed only when the plan has them (an older plan's page stays as it was).
  const nav = [['buy', 'Plan to buy'], ...(m.resources ? [['resources', 'Resources']] : []), ...(m.move ? [['move', 'The move']] : []), ['recommendation', 'Least-regret sizing'], ['optimized', 'Optimized placement'], ['sensitivity', 'Sensitivity'], ['checks', 'Thresholds & budgets'], ['forecast', !m.forecast && m.demand?.driver && m.demand.driver.kind !== 'forecast' ? 'Demand driver' : 'Forecast'], ['demand', 'Demand'],
    ['placement', 'Placement'], ['load', 'Load results'], ['provenance', 'Provenance']]
    .map(([id, label]) => `<a href="#${id}">${label}</a>`).join('');
  const notes = m.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${esc(m.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header><h1>${esc(m.title)}</h1><nav>${nav}</nav>${notes}</header>
<main>
${fleetCheckParagraph(m)}
${buySection(m)}
${resourcesSection(m)}${moveSection(m)}${recommendationSection(m)}
${optimizedSection(m)}
${sensitivitySection(m)}
${checksSection(m)}
${forecastSection(m)}
${demandSection(m)}
${placementSection(m)}
${loadSection(m)}
${provenanceSection(m)}
</main>
<footer>Made by caplab. Self-contained: charts by chart.js (MIT), inlined; the data behind every chart is in the tables and in the JSON block of this file.</footer>
<script type="application/json" id="caplab-data">${jsonForScript(m)}</script>
<script>${inlineScript(opts.chartJs)}</script>
<script>${inlineScript(CLIENT_JS)}</script>
</body>
</html>
`;
}
