/**
 * k6's `insecureSkipTLSVerify` for the specs a campaign builds: set in campaign.yaml (for every target, or per DC)
 * or in the service catalog (for its services wherever they run), it becomes the option of each DC's probe, sweep
 * and replay specs, which both runners read (the engine, and k6 through the generated script's options).
 */

/** How campaign.yaml states it: one value for every target, or a value per DC (DCs left out: the catalog's). */
export type InsecureSkipTLSVerifySetting = boolean | Readonly<Record<string, boolean>>;

/**
 * Whether a DC's specs skip TLS verification: the campaign's per-DC value, else its single value, else the catalog's,
 * else false (k6's default).
 * @param dc the data center
 * @param campaign campaign.yaml `insecureSkipTLSVerify`
 * @param catalog the catalog's `insecureSkipTLSVerify`
 * @returns true when its specs get `insecureSkipTLSVerify: true`
 * @example skipsTLSVerify('oregon', { oregon: true }, undefined) // true
 */
export function skipsTLSVerify(dc: string, campaign: InsecureSkipTLSVerifySetting | undefined, catalog: boolean | undefined): boolean {
  if (typeof campaign === 'boolean') return campaign;
  return campaign?.[dc] ?? catalog ?? false;
}

/**
 * A spec object with `options.insecureSkipTLSVerify: true` added (the spec is not changed; others are returned as is).
 * @param spec a built spec (plain object with `options`)
 * @param skip whether to add it
 * @returns the spec to write
 */
export function withInsecureSkipTLSVerify(spec: Record<string, unknown>, skip: boolean): Record<string, unknown> {
  if (!skip) return spec;
  const options = (spec.options ?? {}) as Record<string, unknown>;
  return { ...spec, options: { ...options, insecureSkipTLSVerify: true } };
}
