import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HardwareProfilesSchema, HardwareSchema } from '../../../models/capacity/hardware.ts';

const data = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../../../data/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }): string[] => (r.error?.issues ?? []).map((i) => i.path.join('.'));

describe('the one schema of data/hardware.json', () => {
  it('accepts the data file: node profiles, the sites and their prices being the world\'s', () => {
    expect(HardwareProfilesSchema.safeParse(data('hardware.json')).success).toBe(true);
    expect(paths(HardwareProfilesSchema.safeParse({ ...data('hardware.json'), dcs: {} }))).toEqual(['']);
  });

  it('lists every problem at once, the unknown profile too, with the stricter bounds of planner and stacks', () => {
    const r = HardwareSchema.safeParse({
      schema: 'caplab.hardware/v1',
      profiles: { p: { workers: 0, sigma: 2, kappa: 0, queue: 2_000_000 } },
      dcs: { x: { profile: 'q' }, y: { profile: 'constructor', pricePerNodeMonth: 0 } },
    });
    expect(paths(r)).toEqual(expect.arrayContaining([
      'currency', 'profiles.p.workers', 'profiles.p.sigma', 'profiles.p.queue', 'dcs.x.pricePerNodeMonth', 'dcs.x.profile',
      'dcs.y.pricePerNodeMonth', 'dcs.y.profile',
    ]));
  });
});
