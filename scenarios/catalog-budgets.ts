/**
 * A catalog's per-service budgets folded into a `caplab.budgets/v1` document, so the scenario builder, the gate and
 * the report judge a user's services by the one budgets format. A budgets file's own entry for a service (all DCs)
 * wins over the catalog's: the file is the campaign's explicit word.
 */
import type { Budgets } from './budgets.ts';
import type { Catalog } from './catalog.ts';

/**
 * Budgets with the catalog's service budgets added.
 * @param budgets validated budgets (file or default)
 * @param catalog resolved catalog
 * @returns a new document; services the budgets already name for every DC keep their entry
 * @example withCatalogBudgets(defaults, catalog).budgets.map((b) => b.service)
 */
export function withCatalogBudgets(budgets: Budgets, catalog: Catalog): Budgets {
  const named = new Set(budgets.budgets.filter((b) => b.dc === undefined).map((b) => b.service));
  const added = catalog.services.flatMap((s) => (s.budgets && !named.has(s.name) ? [{ service: s.name, ...s.budgets }] : []));
  return { ...budgets, budgets: [...budgets.budgets, ...added] };
}
