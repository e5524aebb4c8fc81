/**
 * Terminal output of `caplab gate`: one row per check (DC, service or metric, limit, measured, limit value, result,
 * source), then the verdict and the notes. Pure: outcome in, text out.
 */
import { dcLabel, fmtGateValue, type GateCheck, type GateOutcome } from '../../reports/gate.ts';
import { textTable } from './table.ts';

const verdictText = (c: GateCheck): string =>
  c.verdict === 'pass' ? 'pass' : c.verdict === 'fail' ? 'FAIL' : c.failing ? 'FAIL (no data)' : 'no data';

/**
 * Renders the gate's table and verdict.
 * @param outcome the gate's outcome
 * @param junitPath where junit.xml was written (shown last), if it was
 * @param budgets which budgets were used and why (shown first), if known
 * @returns text ending with a newline
 * @example formatGate(evaluateGate(budgets, runs), 'results/junit.xml', 'budgets.json (given with --budgets)')
 */
export function formatGate(outcome: GateOutcome, junitPath?: string, budgets?: string): string {
  const rows = outcome.checks.map((c) => [
    dcLabel(c.dc),
    c.kind === 'threshold' ? `threshold ${c.metric}` : c.service ?? '',
    c.limit,
    c.kind === 'threshold' ? (c.measured === null ? 'not in the summary' : fmtGateValue(c.measured, '')) : fmtGateValue(c.measured, c.unit),
    c.kind === 'threshold' ? (c.max === null ? '' : `${c.op} ${c.max}`) : `${c.op} ${fmtGateValue(c.max, c.unit)}`,
    verdictText(c),
    c.source ?? (c.kind === 'threshold' ? 'summary' : ''),
  ]);
  const lines: string[] = budgets === undefined ? [] : [`budgets: ${budgets}`];
  if (rows.length > 0) lines.push(textTable(['DC', 'service', 'limit', 'measured', 'must be', 'result', 'from'], rows), '');
  const { pass, fail, noData, failing } = outcome.counts;
  lines.push(outcome.ok
    ? `gate passed: ${pass} of ${outcome.checks.length} checks hold${noData > 0 ? `, ${noData} without data` : ''}`
    : `gate FAILED: ${failing} failing (${fail} broken${noData > 0 ? `, ${noData} without data${outcome.requireAll ? ' (--require-all)' : ''}` : ''}), ${pass} hold`);
  for (const c of outcome.checks) if (c.failing) lines.push(`  x ${c.message}`);
  for (const n of outcome.notes) lines.push(`note: ${n}`);
  if (junitPath !== undefined) lines.push(`wrote ${junitPath}`);
  return `${lines.join('\n')}\n`;
}
