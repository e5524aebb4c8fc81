import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCampaign, readCampaign } from '../../../cli/campaign/config.ts';
import { loadCatalog } from '../../../cli/inputs/catalog.ts';
import { ValidationError } from '../../../models/errors.ts';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';
import { testPki } from '../../helpers/tls-certs.ts';

describe('campaign.yaml', () => {
  it('reads the example that targets external URLs, resolving paths against the file', () => {
    const path = fileURLToPath(new URL('../../../examples/campaign-external.yaml', import.meta.url));
    const c = parseCampaign(readFileSync(path, 'utf8'), path);
    expect(c.targets?.singapore).toBe('https://sg.staging.example.com');
    expect(c.forecast?.history).toBe(fileURLToPath(new URL('../../../data/history.json', import.meta.url)));
    expect(c.runner).toBe('engine');
    expect(c.quarter).toBe('2015Q4');
  });

  it('accepts an empty file (every field has a default)', () => {
    expect(parseCampaign('', '/x/campaign.yaml')).toEqual({});
  });

  it('lists every problem with its path, and YAML syntax errors with their line', () => {
    const bad = 'seed: -1\nquarter: 2015Q5\ntargets:\n  singapore: ftp://x\nrunner: jmeter\nrateScale: 3\nunknown: 1\n';
    try {
      parseCampaign(bad, 'c.yaml');
      expect.unreachable();
    } catch (err) {
      const where = (err as ValidationError).problems.map((p) => p.where);
      expect(where).toEqual(expect.arrayContaining(['c.yaml: seed', 'c.yaml: quarter', 'c.yaml: targets.singapore', 'c.yaml: runner', 'c.yaml: rateScale', 'c.yaml: (root)']));
    }
    expect(() => parseCampaign('a: [1,\n', 'c.yaml')).toThrow(ValidationError);
  });

  it('takes k6\'s insecureSkipTLSVerify for every target or per DC of `targets`, naming a bad value or an unknown DC', () => {
    const targets = 'targets: { singapore: "https://127.0.0.1:8443", oregon: "https://10.0.0.2" }\n';
    expect(parseCampaign(`${targets}insecureSkipTLSVerify: true\n`, 'c.yaml').insecureSkipTLSVerify).toBe(true);
    expect(parseCampaign(`${targets}insecureSkipTLSVerify: { singapore: true }\n`, 'c.yaml').insecureSkipTLSVerify).toEqual({ singapore: true });
    const bad = readCampaign(`${targets}insecureSkipTLSVerify: yes please\n`, 'c.yaml').problems;
    expect(bad).toEqual([{ where: 'c.yaml: insecureSkipTLSVerify', message: 'must be true, false, or a map of DC -> true/false' }]);
    const typo = readCampaign(`${targets}insecureSkipTLSVerify: { singapur: true }\n`, 'c.yaml').problems;
    expect(typo).toEqual([{ where: 'c.yaml: insecureSkipTLSVerify.singapur', message: 'names no DC of `targets` (singapore, oregon)' }]);
  });

  it('takes k6 transport options per target, files relative to the campaign, and lists every problem of them at once', () => {
    const dir = tempDir('caplab-campaign-targets-');
    try {
      const pki = testPki(['DNS:api.test']);
      writeFileSync(join(dir, 'client.crt'), pki.client.cert);
      writeFileSync(join(dir, 'client.key'), pki.client.key);
      const text = [
        'targets:',
        '  singapore: https://sg.example.test',
        '  oregon:',
        '    url: https://api.test:8443',
        '    hosts: { api.test: 10.0.0.7 }',
        '    userAgent: mesh-probe/1',
        '    tlsVersion: { min: tls1.2 }',
        '    insecureSkipTLSVerify: true',
        '    tlsAuth: [{ domains: [api.test], certFile: client.crt, keyFile: client.key }]',
        '',
      ].join('\n');
      const c = parseCampaign(text, join(dir, 'campaign.yaml'));
      expect(c.targets).toEqual({ singapore: 'https://sg.example.test', oregon: 'https://api.test:8443' });
      expect(c.transport).toEqual({ oregon: {
        hosts: { 'api.test': '10.0.0.7' }, userAgent: 'mesh-probe/1', tlsVersion: { min: 'tls1.2' },
        tlsAuth: [{ domains: ['api.test'], certFile: join(dir, 'client.crt'), keyFile: join(dir, 'client.key') }],
      } });
      expect(c.insecureSkipTLSVerify).toEqual({ oregon: true });

      const bad = [
        'insecureSkipTLSVerify: false',
        'targets:',
        '  singapore: { url: "ftp://x", hosts: { "bad host!": 10.0.0.1 } }',
        '  oregon:',
        '    url: https://api.test',
        '    insecureSkipTLSVerify: true',
        '    tlsAuth: [{ domains: [api.test], certFile: missing.crt, keyFile: client.key }]',
        '  tokyo: { url: https://t.test, tlsVersion: tls9, retries: 3 }',
        '  paris: 42',
        '',
      ].join('\n');
      const problems = readCampaign(bad, join(dir, 'campaign.yaml')).problems.map((p) => p.where.replace(`${dir}/`, ''));
      expect(problems).toEqual(expect.arrayContaining([
        'campaign.yaml: targets.singapore.url', 'campaign.yaml: targets.singapore.hosts.bad host!', 'campaign.yaml: targets.tokyo.tlsVersion',
        'campaign.yaml: targets.tokyo', 'campaign.yaml: targets.paris', 'campaign.yaml: targets.oregon.insecureSkipTLSVerify',
      ]));
      const missing = readCampaign(bad.replace('insecureSkipTLSVerify: false\n', '').replace(/ {2}(singapore|tokyo|paris):.*\n/g, ''), join(dir, 'campaign.yaml')).problems;
      expect(missing).toEqual([{ where: `${join(dir, 'campaign.yaml')}: targets.oregon.tlsAuth[0].certFile`, message: `cannot read ${join(dir, 'missing.crt')}: ENOENT` }]);
    } finally {
      removeDir(dir);
    }
  });

  it('takes a catalog path (resolved against the file) or an inline catalog, and needs targets with either', () => {
    const targets = 'targets: { singapore: "http://127.0.0.1:8080" }\n';
    expect(readCampaign(`catalog: shop/catalog.yaml\n${targets}`, '/x/campaign.yaml')).toEqual({
      campaign: { catalog: '/x/shop/catalog.yaml', targets: { singapore: 'http://127.0.0.1:8080' } }, catalog: { path: '/x/shop/catalog.yaml' }, problems: [],
    });
    const inline = readCampaign(`catalog: { schema: caplab.catalog/v1, services: [] }\n${targets}`, '/x/campaign.yaml');
    expect(inline.catalog).toEqual({ inline: { schema: 'caplab.catalog/v1', services: [] }, source: '/x/campaign.yaml: catalog', baseDir: '/x' });
    // Without targets, the missing targets are listed with the campaign's other problems, and the catalog still read.
    const r = readCampaign('catalog: shop.yaml\nseed: -1\n', '/x/c.yaml');
    expect(r.campaign).toBeUndefined();
    expect(r.catalog).toEqual({ path: '/x/shop.yaml' });
    expect(r.problems.map((p) => p.where)).toEqual(['/x/c.yaml: seed', '/x/c.yaml: targets']);
    expect(r.problems[1]!.message).toMatch(/built-in stacks serve only the built-in API/);
    expect(readCampaign('catalog: { schema: caplab.budgets/v1 }\n' + targets, '/x/c.yaml').problems[0]!.where).toBe('/x/c.yaml: catalog');
  });

  it('reads the shop example: its campaign names its catalog, whose flows and curve load', async () => {
    const path = fileURLToPath(new URL('../../../examples/shop/campaign.yaml', import.meta.url));
    const read = readCampaign(readFileSync(path, 'utf8'), path);
    expect(read.problems).toEqual([]);
    const catalog = await loadCatalog(read.catalog, read.campaign!.runner);
    expect(catalog.name).toBe('shop');
    expect(catalog.services.map((s) => s.name)).toEqual(['search', 'checkout', 'health']);
    // The prelude signs in before checkout's own steps (read from flows/checkout.yaml); health skips it.
    expect(catalog.services[1]!.flow!.steps.map((s) => s.name)).toEqual(['login', 'cart_add', 'pay']);
    expect(catalog.services[2]!.flow!.steps.map((s) => s.name)).toEqual(['health']);
    expect(catalog.services[1]!.hourly).toHaveLength(24);
  });

  it('caplab campaign lists the campaign\'s and its catalog\'s problems together, exits 104 and writes nothing', async () => {
    const dir = tempDir('caplab-campaign-catalog-');
    try {
      writeFileSync(join(dir, 'catalog.yaml'), 'schema: caplab.catalog/v1\nservices:\n  - { name: Search, flow: { steps: [{ path: /s }] }, demand: { perDevicePerDay: 1 } }\n  - { name: cart, flow: flows/cart.yaml, demand: { perDevicePerDay: 1 } }\n');
      writeFileSync(join(dir, 'campaign.yaml'), 'catalog: catalog.yaml\nquarter: 2015Q9\n');
      const out = join(dir, 'out');
      const r = await runCli(['--out-dir', out, 'campaign', join(dir, 'campaign.yaml')]);
      expect(r.code).toBe(104);
      for (const where of [`${join(dir, 'campaign.yaml')}: quarter`, `${join(dir, 'campaign.yaml')}: targets`, `${join(dir, 'catalog.yaml')}: services[0].name`]) expect(r.stderr).toContain(where);
      expect(existsSync(out)).toBe(false);
    } finally {
      removeDir(dir);
    }
  });

  it('checks the optimized placement\'s intents and what-if sites before any load, and refuses them with a subset of DCs', async () => {
    const dir = tempDir('caplab-campaign-intents-');
    try {
      writeFileSync(join(dir, 'intents.json'), JSON.stringify({ schema: 'caplab.intents/v1', latency: { defaultBudgetMs: 80, penaltyPerRpsMs: 0.05, regions: { atlantis: 9 } }, survive: ['mumbai'] }));
      writeFileSync(join(dir, 'campaign.yaml'), 'intents: intents.json\ncandidates: nowhere.json\n');
      const out = join(dir, 'out');
      const r = await runCli(['--out-dir', out, 'campaign', join(dir, 'campaign.yaml')]);
      expect(r.code).toBe(104);
      expect(r.stderr).toContain(`${join(dir, 'intents.json')}: latency.regions.atlantis`);
      expect(r.stderr).toContain(`${join(dir, 'intents.json')}: survive[0]`);
      expect(r.stderr).toMatch(/cannot read candidates file .*nowhere\.json: no such file/);
      expect(existsSync(out)).toBe(false);
      expect(readCampaign('intents: i.json\ndcs: [singapore]\n', '/x/c.yaml').problems.map((p) => p.where)).toEqual(['/x/c.yaml: intents']);
    } finally {
      removeDir(dir);
    }
  });
});
