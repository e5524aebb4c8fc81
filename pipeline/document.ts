/** A document a stage validates itself (intents, candidates, budgets), handed in parsed with the name messages use. */

/** A document as read, and how messages name it. */
export interface NamedDocument {
  /** The parsed JSON or YAML value, not yet validated. */
  doc: unknown;
  /** Its file as messages name it (e.g. `data/intents.json` for the built-in intents). */
  source: string;
}
