/**
 * Which DCs' specs get k6's insecureSkipTLSVerify: campaign.yaml per DC, then campaign.yaml for all, then the
 * catalog, then k6's default (false); and the spec option added without touching the rest.
 */
import { describe, expect, it } from 'vitest';
import { skipsTLSVerify, withInsecureSkipTLSVerify } from '../../scenarios/tls-verify.ts';

describe('insecureSkipTLSVerify for built specs', () => {
  it('takes the campaign\'s per-DC value, then its single value, then the catalog\'s, else false', () => {
    expect(skipsTLSVerify('oregon', undefined, undefined)).toBe(false);
    expect(skipsTLSVerify('oregon', undefined, true)).toBe(true);
    expect(skipsTLSVerify('oregon', false, true)).toBe(false);
    expect(skipsTLSVerify('oregon', true, false)).toBe(true);
    expect(skipsTLSVerify('oregon', { oregon: true }, false)).toBe(true);
    expect(skipsTLSVerify('oregon', { oregon: false }, true)).toBe(false);
    expect(skipsTLSVerify('singapore', { oregon: true }, true)).toBe(true);
    expect(skipsTLSVerify('singapore', { oregon: true }, undefined)).toBe(false);
  });

  it('adds the option to a spec\'s options, leaving the input as it was', () => {
    const spec = { schema: 'caplab.scenario/v1', options: { tags: { dc: 'x' } } };
    expect(withInsecureSkipTLSVerify(spec, true)).toEqual({ schema: 'caplab.scenario/v1', options: { tags: { dc: 'x' }, insecureSkipTLSVerify: true } });
    expect(spec.options).toEqual({ tags: { dc: 'x' } });
    expect(withInsecureSkipTLSVerify(spec, false)).toBe(spec);
  });
});
