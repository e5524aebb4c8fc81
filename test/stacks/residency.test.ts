import { describe, expect, it } from 'vitest';
import { loadStackData } from '../../stacks/config.ts';
import { assertResidency, decideResidency } from '../../stacks/residency.ts';

const { residency } = loadStackData();

describe('residency rules', () => {
  it('keeps mainland-China users in beijing and international users out of it', () => {
    expect(decideResidency(residency, 'CN', 'beijing')).toMatchObject({ allowed: true, rule: 'cn-data-stays-in-mainland' });
    expect(decideResidency(residency, 'CN', 'singapore')).toMatchObject({ allowed: false, rule: 'cn-data-stays-in-mainland' });
    for (const dc of ['singapore', 'us-west-1', 'us-west-2']) expect(decideResidency(residency, 'IN', dc).allowed).toBe(true);
    expect(decideResidency(residency, 'US', 'beijing')).toMatchObject({ allowed: false, rule: 'international-data-out-of-beijing' });
  });

  it('throws a 451 naming the rule', () => {
    expect(() => assertResidency(residency, 'CN', 'us-west-2')).toThrow(expect.objectContaining({ status: 451, body: expect.objectContaining({ rule: 'cn-data-stays-in-mainland' }) }));
  });
});
