/**
 * Data residency: which data centers may store a country's personal data (data/residency.json). The first rule
 * whose countries contain the user's country (or "*") decides.
 */
import type { StackData } from './config.ts';
import { HttpError } from './http-error.ts';

/** A residency decision. */
export interface ResidencyDecision {
  /** Whether the data center may store the country's data. */
  allowed: boolean;
  /** Name of the deciding rule. */
  rule: string;
  /** Data centers the rule allows. */
  dcs: string[];
}

/**
 * Decides whether `dc` may store personal data of users from `country`.
 * @param rules data/residency.json
 * @param country ISO 3166-1 alpha-2 code
 * @param dc data center name
 * @returns the decision with the deciding rule
 * @throws {Error} when no rule matches (the schema requires a final "*" rule, so only for unvalidated input)
 */
export function decideResidency(rules: StackData['residency'], country: string, dc: string): ResidencyDecision {
  for (const r of rules.rules) {
    if (r.countries === '*' || r.countries.includes(country)) return { allowed: r.dcs.includes(dc), rule: r.name, dcs: r.dcs };
  }
  throw new Error(`decideResidency: no rule matches country "${country}" (data/residency.json needs a final "*" rule)`);
}

/**
 * Refuses a write that would store a country's personal data where its rule forbids.
 * @param rules data/residency.json
 * @param country the data subject's country
 * @param dc the data center handling the write
 * @throws {HttpError} 451 naming the rule and the allowed data centers
 */
export function assertResidency(rules: StackData['residency'], country: string, dc: string): void {
  const d = decideResidency(rules, country, dc);
  if (!d.allowed) {
    throw new HttpError(451, 'residency_violation',
      `rule "${d.rule}": personal data of users from ${country} may be stored only in ${d.dcs.join(', ') || 'no data center'}, not ${dc}`,
      { rule: d.rule });
  }
}
