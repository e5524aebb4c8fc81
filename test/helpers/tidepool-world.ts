/** The small fictional world the CLI's world tests read: two sites, two countries, four quarters from 2027Q1. */

/**
 * A Tidepool Ledger world file (YAML).
 * @param driver the `driver:` value, as YAML
 * @param extra more top-level YAML appended (residency, shapes, move...)
 * @returns the file's text
 */
export function tidepoolWorld(driver: string, extra = ''): string {
  return `schema: caplab.world/v1
name: Tidepool Ledger
currency: EUR
countries:
  - { code: NG, name: Nigeria, timeZone: Africa/Lagos, share: 0.75 }
  - { code: PT, name: Portugal, timeZone: Europe/Lisbon, share: 0.25 }
sites:
  harbor: { label: Harbor, pricePerNodeMonth: 210, rttMs: { NG: 15, default: 140 } }
  cliff: { label: Cliff, pricePerNodeMonth: 260, rttMs: { PT: 10, default: 120 } }
fleet: { asOf: 2026Q4, nodes: { harbor: 2, cliff: 1 }, peakUtilization: 0.4 }
horizon: { first: 2027Q1, periods: 4, unit: quarters }
driver: ${driver}
${extra}`;
}
