import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROUTE_NAMES, ServicesSchema } from '../../../models/capacity/services.ts';

const data = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../../../data/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }): string[] => (r.error?.issues ?? []).map((i) => i.path.join('.'));

describe('the one schema of data/services.json', () => {
  it('accepts the data file, with every route of the stacks', () => {
    const r = ServicesSchema.safeParse(data('services.json'));
    expect(r.success).toBe(true);
    expect(Object.keys(r.data!.routes).sort()).toEqual([...ROUTE_NAMES].sort());
  });

  it('refuses a missing route, a zero mean and a cv over 10, also on extra routes', () => {
    const file = data('services.json');
    const routes = { ...(file.routes as Record<string, unknown>) };
    delete routes.ota_check;
    const r = ServicesSchema.safeParse({ ...file, routes: { ...routes, photos_get: { meanMs: 0, cv: 11 }, extra: { meanMs: -1, cv: 0 } } });
    expect(paths(r)).toEqual(expect.arrayContaining(['routes.ota_check', 'routes.photos_get.meanMs', 'routes.photos_get.cv', 'routes.extra.meanMs']));
  });
});
