/**
 * The `handleSummary` export of caplab's k6 modules (generated scripts, script.ts, and wrappers of a team's own
 * script, wrapper.ts), as JavaScript source: it writes the end-of-test summary JSON where caplab reads it and prints
 * caplab's text summary with the embedded printer (summary-js.ts), so k6 output reads the same as the engine's.
 */
import { TEXT_SUMMARY_FUNCTION } from './summary-js.ts';

/**
 * Source of `export function handleSummary(data)`. The module must also contain TEXT_SUMMARY_JS (summary-js.ts),
 * which defines the printer it calls. `-e CAPLAB_SUMMARY=path` moves the JSON at run time (caplab points it into the
 * DC's results directory).
 * @param summaryFile where the JSON goes when CAPLAB_SUMMARY is not set (relative to k6's working directory)
 * @returns the function's source, JSDoc included, without a trailing newline
 * @example handleSummaryJs('summary.json') // 'export function handleSummary(data) {...}' with its JSDoc
 */
export function handleSummaryJs(summaryFile: string): string {
  return [
    '/** End of test: summary JSON for caplab (-e CAPLAB_SUMMARY=path to move it) and caplab\'s text summary on stdout. */',
    '/** @param {any} data */',
    'export function handleSummary(data) {',
    '  const colors = !data.options.noColor && data.state.isStdOutTTY === true;',
    '  /** @type {Record<string, string>} */',
    `  const out = { stdout: ${TEXT_SUMMARY_FUNCTION}(data, { colors: colors }) };`,
    `  out[__ENV.CAPLAB_SUMMARY || ${JSON.stringify(summaryFile)}] = JSON.stringify(data, null, 2) + '\\n';`,
    '  return out;',
    '}',
  ].join('\n');
}
