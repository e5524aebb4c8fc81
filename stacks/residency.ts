/**
 * Data residency: which data centers may store a country's personal data (the world's residency rules). The first rule
 * whose countries contain the user's country (or "*") decides.
 */
import { decideResidency } from '../models/routing/residency.ts';
import type { StackData } from './config.ts';
import { HttpError } from './http-error.ts';

// One definition of the rule lookup for the planner's routing and the stacks' 451: the model's.
export { decideResidency, type ResidencyDecision } from '../models/routing/residency.ts';

/**
 * Refuses a write that would store a country's personal data where its rule forbids.
 * @param rules the world's residency rules
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
