/**
 * k6's transport options in the service catalog: validated as in a spec (every problem with its path), tlsAuth
 * files resolved against the catalog and read early by the CLI, and carried into every spec `caplab scenarios
 * build` writes, where `caplab run` reads them.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../cli/inputs/catalog.ts';
import { ValidationError } from '../../models/errors.ts';
import { resolveCatalog, validateCatalog } from '../../scenarios/catalog.ts';
import { parseScenarioSpec } from '../../scenarios/spec.ts';
import { REPO_ROOT, removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { type TestPki, testPki } from '../helpers/tls-certs.ts';

const dir = tempDir('caplab-catalog-transport-');
afterAll(() => removeDir(dir));
let pki: TestPki;
beforeAll(() => {
  pki = testPki(['DNS:api.test']);
  mkdirSync(join(dir, 'certs'));
  writeFileSync(join(dir, 'certs', 'client.pem'), pki.client.cert);
  writeFileSync(join(dir, 'certs', 'client.key'), pki.client.key);
});

const get = { steps: [{ name: 'search', method: 'GET', path: '/search' }] };
const catalog = (extra: Record<string, unknown>): Record<string, unknown> => ({ schema: 'caplab.catalog/v1', ...extra, services: [{ name: 'search', flow: get, demand: { perDevicePerDay: 3 } }] });
const OPTIONS = {
  tlsVersion: 'tls1.3', tlsAuth: [{ domains: ['api.test'], certFile: 'certs/client.pem', keyFile: 'certs/client.key' }],
  hosts: { 'api.test': '127.0.0.1' }, userAgent: 'catalog/1', noVUConnectionReuse: true,
};

describe('transport options in the catalog', () => {
  it('are kept for the runs of its services, tlsAuth files resolved against the catalog', () => {
    const { doc, raw, problems } = validateCatalog(catalog(OPTIONS), 'c.yaml', 'engine');
    expect(problems).toEqual([]);
    const c = resolveCatalog(doc!, raw!, 'c.yaml', { resolve: (p) => `/team/${p}`, flows: new Map() });
    expect(c.options).toEqual({ ...OPTIONS, tlsAuth: [{ domains: ['api.test'], certFile: '/team/certs/client.pem', keyFile: '/team/certs/client.key' }] });
    const none = validateCatalog(catalog({}), 'c.yaml', 'engine');
    expect(resolveCatalog(none.doc!, none.raw!, 'c.yaml', { resolve: (p) => p, flows: new Map() })).not.toHaveProperty('options');
  });

  it('names every bad value with its path', () => {
    const { problems } = validateCatalog(catalog({ tlsVersion: { min: 'tls1.3', max: 'tls1.2' }, hosts: { 'api.test': 'somewhere' }, tlsAuth: [{ cert: 'x' }], userAgent: 1 }), 'c.yaml', 'engine');
    expect(problems.map((p) => p.where).sort()).toEqual(['c.yaml: hosts.api.test', 'c.yaml: tlsAuth[0]', 'c.yaml: tlsVersion.min', 'c.yaml: userAgent']);
  });

  it('loadCatalog reads the tlsAuth files at once and names one it cannot read', async () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(catalog(OPTIONS)));
    expect((await loadCatalog({ path: good }, 'engine')).options!.tlsAuth![0]!.certFile).toBe(join(dir, 'certs', 'client.pem'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(catalog({ tlsAuth: [{ certFile: 'certs/client.pem', keyFile: 'certs/missing.key' }] })));
    const err = await loadCatalog({ path: bad }, 'engine').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems).toEqual([{ where: `${bad}: tlsAuth[0].keyFile`, message: `cannot read ${join(dir, 'certs', 'missing.key')}: ENOENT` }]);
  });

  it('caplab scenarios build puts them into every spec it writes (valid specs, absolute tlsAuth paths)', async () => {
    const file = join(dir, 'catalog-tls.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(join(REPO_ROOT, 'data', 'catalog.json'), 'utf8')), ...OPTIONS }));
    const out = join(dir, 'out');
    const r = await runCli(['--out-dir', out, 'scenarios', 'build', '--catalog', file]);
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(join(out, 'scenarios')).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const spec = JSON.parse(readFileSync(join(out, 'scenarios', f), 'utf8'));
      expect(spec.options, f).toMatchObject({ ...OPTIONS, tlsAuth: [{ domains: ['api.test'], certFile: join(dir, 'certs', 'client.pem'), keyFile: join(dir, 'certs', 'client.key') }] });
      expect(parseScenarioSpec(spec, f).options.userAgent).toBe('catalog/1');
    }
  }, 120_000);
});
