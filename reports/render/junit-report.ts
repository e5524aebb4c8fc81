/**
 * junit.xml of a campaign: one suite per DC for its k6 thresholds (from results/<dc>/summary.json) and one suite per
 * DC for its budgets, written with the one JUnit writer (junit.ts). Pure.
 */
import { type BudgetResult, budgetCases, type JUnitSuite, renderJUnit, thresholdCases } from './junit.ts';
import type { DcResults } from './model.ts';

/**
 * Builds the suites: `thresholds <dc>` and `budgets <dc>`, DCs in name order; DCs with neither give no suite.
 * @param results per-DC results (only summaries are read)
 * @param budgets budget outcomes
 * @returns the suites
 * @example campaignSuites({ singapore: { summary } }, [])[0].name // 'thresholds singapore'
 */
export function campaignSuites(results: Readonly<Record<string, DcResults>>, budgets: readonly BudgetResult[]): JUnitSuite[] {
  const dcs = [...new Set([...Object.keys(results), ...budgets.map((b) => b.dc)])].sort();
  const suites: JUnitSuite[] = [];
  for (const dc of dcs) {
    const summary = results[dc]?.summary;
    if (summary) {
      const cases = thresholdCases(summary, `k6.thresholds.${dc}`);
      if (cases.length > 0) suites.push({ name: `thresholds ${dc}`, cases, timeS: summary.state.testRunDurationMs / 1000 });
    }
    const mine = budgets.filter((b) => b.dc === dc);
    if (mine.length > 0) suites.push({ name: `budgets ${dc}`, cases: budgetCases(mine) });
  }
  return suites;
}

/**
 * Renders junit.xml for a campaign.
 * @param results per-DC results
 * @param budgets budget outcomes
 * @returns JUnit XML text
 */
export function renderCampaignJUnit(results: Readonly<Record<string, DcResults>>, budgets: readonly BudgetResult[]): string {
  return renderJUnit(campaignSuites(results, budgets), 'caplab');
}
