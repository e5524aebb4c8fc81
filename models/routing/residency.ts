/**
 * Data residency decisions: which data centers may store the personal data of a country's users. Rules are tried in
 * order and the first whose countries contain the country (or "*") decides.
 */
import type { Residency } from './settings.ts';

/** A residency decision for one country. */
export interface ResidencyDecision {
  /** Name of the deciding rule. */
  rule: string;
  /** Data centers the rule allows. */
  dcs: string[];
}

/**
 * The rule that governs a country's personal data.
 * @param residency the world's residency rules
 * @param country ISO 3166-1 alpha-2 code
 * @returns the deciding rule and its allowed DCs
 * @throws {Error} when no rule matches (the schema requires a final "*" rule, so only for unvalidated input)
 * @example residencyFor(rules, 'CN') // { rule: 'cn-data-stays-in-mainland', dcs: ['beijing'] }
 */
export function residencyFor(residency: Residency, country: string): ResidencyDecision {
  for (const r of residency.rules) {
    if (r.countries === '*' || r.countries.includes(country)) return { rule: r.name, dcs: [...r.dcs] };
  }
  throw new Error(`residencyFor: no rule matches country "${country}" (the world's residency rules need a final "*" rule)`);
}

/**
 * Whether a DC may store a country's personal data.
 * @param residency the world's residency rules
 * @param country ISO code
 * @param dc data center
 * @returns the decision plus `allowed`
 */
export function decideResidency(residency: Residency, country: string, dc: string): ResidencyDecision & { allowed: boolean } {
  const d = residencyFor(residency, country);
  return { ...d, allowed: d.dcs.includes(dc) };
}
