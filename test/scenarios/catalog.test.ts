import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG, loadCatalog } from '../../cli/inputs/catalog.ts';
import { ValidationError } from '../../models/errors.ts';
import { resolveCatalog, validateCatalog } from '../../scenarios/catalog.ts';
import { removeDir, tempDir } from '../helpers/cli.ts';

const dir = tempDir('caplab-catalog-');
afterAll(() => removeDir(dir));

const get = { steps: [{ name: 'search', method: 'GET', path: '/search?q={{user.name}}', expectedStatuses: [200] }] };

describe('validateCatalog', () => {
  it('lists every problem at once, each with its JSON path', () => {
    const { problems } = validateCatalog({
      schema: 'caplab.catalog/v1',
      services: [
        { name: 'search', flow: get, demand: { perDevicePerDay: 3 } },
        { name: 'search', flow: get, demand: { perDevicePerDay: 1 } },
        { name: 'checkout', demand: { perDevicePerDay: 1 } },
        { name: 'legacy', k6: { script: 'legacy.js', exec: 'buy' }, demand: { perDevicePerDay: 1 } },
      ],
    }, 'c.yaml', 'engine');
    expect(problems.map((p) => p.where)).toEqual(['c.yaml: services[1].name', 'c.yaml: services[2]', 'c.yaml: services[3].k6']);
    expect(problems[2]!.message).toMatch(/embedded engine cannot run/);
    // Under runner k6 the script is fine, and so it is for a command that runs nothing (traffic, plan).
    const k6Only = { schema: 'caplab.catalog/v1', services: [{ name: 'legacy', k6: { script: 'l.js' }, demand: { perDevicePerDay: 1 } }] };
    expect(validateCatalog(k6Only, 'c', 'k6').problems).toEqual([]);
    expect(validateCatalog(k6Only, 'c', undefined).problems).toEqual([]);
  });

  it('asks a push service (resources.connections) for one WebSocket step and no demand, and every other service for a demand', () => {
    const connections = { onlineShare: 0.5, heartbeatSeconds: 270, cpuMsPerHeartbeat: 0.1, memoryKiBPerConnection: 64, messagesPerDevicePerDay: 10 };
    const ws = { name: 'push', path: '/v1/push', ws: { actions: [{ hold: '1s' }] } };
    const { problems } = validateCatalog({
      schema: 'caplab.catalog/v1',
      services: [
        { name: 'ok', flow: { steps: [ws] }, resources: { connections } },
        { name: 'asked', flow: { steps: [ws] }, demand: { perDevicePerDay: 5 }, resources: { connections } },
        { name: 'two', flow: { steps: [ws, ws] }, resources: { connections } },
        { name: 'none', flow: { steps: [get.steps[0]] }, resources: { connections } },
        { name: 'nodemand', flow: get },
      ],
    }, 'c.yaml', 'engine');
    expect(problems.map((p) => p.where)).toEqual(['c.yaml: services[1].demand', 'c.yaml: services[2].flow.steps', 'c.yaml: services[3].flow.steps', 'c.yaml: services[4].demand']);
    expect(problems[0]!.message).toMatch(/messagesPerDevicePerDay/);
    expect(problems[1]!.message).toMatch(/exactly one WebSocket/);
  });

  it('reports schema problems with their paths', () => {
    const { doc, problems } = validateCatalog({ schema: 'caplab.catalog/v1', services: [{ name: 'Bad Name', flow: get, demand: { perDevicePerDay: -1 }, hourly: [1, 2] }] }, 'c.yaml', 'engine');
    expect(doc).toBeUndefined();
    const where = problems.map((p) => p.where);
    expect(where).toContain('c.yaml: services[0].name');
    expect(where).toContain('c.yaml: services[0].hourly');
    expect(where.some((w) => w.startsWith('c.yaml: services[0].demand'))).toBe(true);
  });
});

describe('resolveCatalog', () => {
  it('puts the prelude before each service (once), adds the catalog headers and tags steps with their service', () => {
    const value = {
      schema: 'caplab.catalog/v1',
      prelude: { steps: [{ name: 'login', method: 'POST', path: '/login', extract: { token: '$.t' } }] },
      headers: { Authorization: 'Bearer {{vars.token}}' },
      services: [
        { name: 'search', flow: get, demand: { perDevicePerDay: 3 } },
        { name: 'health', prelude: false, flow: { steps: [{ path: '/health' }] }, demand: { perDevicePerDay: 1 } },
      ],
    };
    const { doc, raw } = validateCatalog(value, 'c', 'engine');
    const c = resolveCatalog(doc!, raw!, 'c', { resolve: (p) => p, flows: new Map() });
    expect(c.services[0]!.flow!.steps).toEqual([
      { name: 'login', method: 'POST', path: '/login', extract: { token: '$.t' }, once: true, tags: { service: 'search' } },
      { ...get.steps[0], headers: { Authorization: 'Bearer {{vars.token}}' }, tags: { service: 'search' } },
    ]);
    expect(c.services[1]!.flow!.steps).toEqual([{ path: '/health', tags: { service: 'health' } }]);
    expect(c).not.toHaveProperty('insecureSkipTLSVerify');
  });

  it('keeps k6\'s insecureSkipTLSVerify for its services\' runs, and names the path of a value that is not a boolean', () => {
    const value = { schema: 'caplab.catalog/v1', insecureSkipTLSVerify: true, services: [{ name: 'search', flow: get, demand: { perDevicePerDay: 3 } }] };
    const { doc, raw } = validateCatalog(value, 'c', 'engine');
    expect(resolveCatalog(doc!, raw!, 'c', { resolve: (p) => p, flows: new Map() }).insecureSkipTLSVerify).toBe(true);
    const bad = validateCatalog({ ...value, insecureSkipTLSVerify: 'yes' }, 'c.yaml', 'engine');
    expect(bad.problems.map((p) => p.where)).toEqual(['c.yaml: insecureSkipTLSVerify']);
  });
});

describe('loadCatalog', () => {
  it('reads flow files relative to the catalog and names the ones missing or invalid, with the k6 script that is not there', async () => {
    mkdirSync(join(dir, 'flows'), { recursive: true });
    writeFileSync(join(dir, 'flows', 'search.yaml'), 'steps:\n  - path: /search\n');
    writeFileSync(join(dir, 'flows', 'bad.json'), JSON.stringify({ steps: [{ method: 'FETCH' }] }));
    writeFileSync(join(dir, 'catalog.yaml'), [
      'schema: caplab.catalog/v1',
      'services:',
      '  - { name: search, flow: flows/search.yaml, demand: { perDevicePerDay: 2 } }',
      '  - { name: bad, flow: flows/bad.json, demand: { perDevicePerDay: 2 } }',
      '  - { name: gone, flow: flows/gone.json, demand: { perDevicePerDay: 2 } }',
      '  - { name: legacy, k6: { script: nope.js }, demand: { perDevicePerDay: 2 } }',
    ].join('\n'));
    const err = await loadCatalog({ path: join(dir, 'catalog.yaml') }, 'k6').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const where = (err as ValidationError).problems.map((p) => p.where);
    expect(where).toEqual([`${join(dir, 'catalog.yaml')}: flow flows/gone.json`, `${join(dir, 'catalog.yaml')}: services[3].k6.script`]);
    // The rest fixed: the invalid flow file is named with its JSON path.
    writeFileSync(join(dir, 'catalog2.yaml'), 'schema: caplab.catalog/v1\nservices:\n  - { name: bad, flow: flows/bad.json, demand: { perDevicePerDay: 2 } }\n  - { name: search, flow: flows/search.yaml, demand: { perDevicePerDay: 2 } }\n');
    const err2 = await loadCatalog({ path: join(dir, 'catalog2.yaml') }, 'engine').catch((e: unknown) => e);
    expect((err2 as ValidationError).problems[0]!.where).toBe(`${join(dir, 'flows', 'bad.json')}: steps[0].method`);
  });

  it('loads the built-in catalog: the eight request services of the mobile-cloud API and its push channel, each registering its device once', async () => {
    const c = await loadCatalog(undefined, 'engine');
    // Named as traffic.json's modeled source names it, whatever the checkout's absolute path.
    expect(c.source).toBe('data/catalog.json');
    expect(DEFAULT_CATALOG.endsWith('/data/catalog.json')).toBe(true);
    expect(c.services.map((s) => s.name)).toEqual(['devices_register', 'contacts_sync', 'contacts_list', 'messages_post', 'messages_list', 'ota_check', 'photos_get', 'photos_post', 'push']);
    for (const s of c.services.slice(1)) {
      expect(s.flow!.steps[0]).toMatchObject({ name: 'devices_register', once: true, tags: { service: 'devices_register' } });
      expect(s.flow!.steps.at(-1)).toMatchObject({ name: s.name, headers: { Authorization: 'Bearer {{vars.token}}' }, tags: { service: s.name } });
    }
    expect(c.services.find((s) => s.name === 'photos_post')!.demand).toEqual({ usage: 'photosPerDay' });
    // The push channel makes no requests: no demand, one WebSocket step, planned by its connections.
    const push = c.services.find((s) => s.name === 'push')!;
    expect(push.demand).toBeUndefined();
    expect(push.flow!.steps.filter((st) => st.ws !== undefined)).toHaveLength(1);
    expect(push.resources!.connections).toMatchObject({ heartbeatSeconds: 270, maxPerNode: 150_000 });
  });
});
