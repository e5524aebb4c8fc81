/**
 * k6's transport options in the generated script: k6's names and syntax (a `tlsVersion` object with both ends, as
 * @types/k6 has it), tlsAuth files read with k6's `open()` in the init context (the key is not copied into the
 * script), the script type-checked against @types/k6 with every option, and its `options` as k6 evaluates them
 * (the stand-ins' `open`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { k6Options, optionsJs } from '../../../scenarios/k6/options.ts';
import { buildK6Script } from '../../../scenarios/k6/script.ts';
import { parseScenarioSpec, type ScenarioSpec } from '../../../scenarios/spec.ts';
import { withTlsAuthFiles } from '../../../scenarios/transport-options.ts';
import { type TestPki, testPki } from '../../helpers/tls-certs.ts';
import { k6TypeErrors } from './k6-typecheck.ts';
import { withStandins } from './standins/runner.ts';

let pki: TestPki;
let dir: string;
beforeAll(() => {
  pki = testPki(['DNS:api.test']);
  dir = mkdtempSync(join(tmpdir(), 'caplab-k6-transport-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ALL = (): Record<string, unknown> => ({
  tlsVersion: { min: 'tls1.2' }, tlsCipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256'],
  tlsAuth: [{ domains: ['api.test'], certFile: 'certs/client.pem', keyFile: 'certs/client.key' }, { cert: pki.client.cert, key: pki.client.key }],
  hosts: { 'api.test': '127.0.0.1', 'api.test:8443': '127.0.0.1:9443' },
  userAgent: 'probe/1', noConnectionReuse: true, noVUConnectionReuse: true, discardResponseBodies: true, insecureSkipTLSVerify: false,
});

/** The spec with its tlsAuth files resolved under /certs-dir as the CLI does (PEM read from the test's PKI). */
function specWith(options: Record<string, unknown>): ScenarioSpec {
  const spec = parseScenarioSpec({ schema: 'caplab.scenario/v1', name: 'tls', options, flows: { default: { steps: [{ name: 'home', url: 'https://api.test:8443/' }] } } }, 'tls.json');
  const files: Record<string, string> = { '/certs-dir/certs/client.pem': pki.client.cert, '/certs-dir/certs/client.key': pki.client.key };
  const r = withTlsAuthFiles(spec.options, ['options'], (p) => `/certs-dir/${p}`, (p) => files[p]!);
  expect(r.problems).toEqual([]);
  return { ...spec, options: r.options };
}

describe('transport options in the generated k6 script', () => {
  it('are k6\'s options, as k6 names and writes them', () => {
    const o = k6Options(specWith(ALL()));
    expect(o).toMatchObject({
      tlsVersion: { min: 'tls1.2', max: 'tls1.3' }, tlsCipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256'],
      hosts: { 'api.test': '127.0.0.1', 'api.test:8443': '127.0.0.1:9443' },
      userAgent: 'probe/1', noConnectionReuse: true, noVUConnectionReuse: true, discardResponseBodies: true, insecureSkipTLSVerify: false,
    });
    expect(k6Options(specWith({ tlsVersion: 'tls1.3', userAgent: '' }))).toMatchObject({ tlsVersion: 'tls1.3', userAgent: '' });
    expect(Object.keys(k6Options(specWith({})))).toEqual(['summaryTrendStats']);
  });

  it('opens tlsAuth files in the init context, and keeps inline PEM inline', () => {
    const text = optionsJs(k6Options(specWith(ALL())));
    expect(text).toContain('"cert": open("/certs-dir/certs/client.pem")');
    expect(text).toContain('"key": open("/certs-dir/certs/client.key")');
    expect(text).toContain(JSON.stringify(pki.client.cert));
    // The file's key is not in the script, only its path.
    const onlyFiles = optionsJs(k6Options(specWith({ tlsAuth: (ALL().tlsAuth as unknown[]).slice(0, 1) })));
    expect(onlyFiles).not.toContain('PRIVATE KEY');
  });

  it('type-checks with tsc against @types/k6 with every option set', async () => {
    writeFileSync(join(dir, 'transport.js'), buildK6Script(specWith(ALL()), { seed: 1 }));
    writeFileSync(join(dir, 'versions.js'), buildK6Script(specWith({ tlsVersion: 'tls1.3' }), { seed: 1 }));
    // A control: an option of the wrong type must fail, so a passing check is not a silent no-op.
    writeFileSync(join(dir, 'control.js'), '/** @type {import(\'k6/options\').Options} */\nexport const options = { tlsVersion: { min: \'tls1.2\' }, noConnectionReuse: \'yes\' };\n');
    const errors = await k6TypeErrors(dir, ['transport.js', 'versions.js', 'control.js']);
    expect(errors.filter((l) => !l.startsWith('control.js'))).toEqual([]);
    expect(errors.filter((l) => l.startsWith('control.js')).length).toBeGreaterThan(0);
  }, 120_000);

  it('evaluates to the certificates and options k6 gets (open() under the stand-ins)', async () => {
    const script = buildK6Script(specWith(ALL()), { seed: 1 });
    const files = new Map([['/certs-dir/certs/client.pem', pki.client.cert], ['/certs-dir/certs/client.key', pki.client.key]]);
    const g = globalThis as Record<string, unknown>;
    g.__ENV = {};
    g.open = (name: string): string => {
      const t = files.get(name);
      if (t === undefined) throw new Error(`open: no such file ${name}`);
      return t;
    };
    const path = join(dir, 'eval.mjs');
    writeFileSync(path, withStandins(script));
    const mod = (await import(/* @vite-ignore */ path)) as { options: Record<string, unknown> };
    expect(mod.options.tlsAuth).toEqual([
      { domains: ['api.test'], cert: pki.client.cert, key: pki.client.key },
      { cert: pki.client.cert, key: pki.client.key },
    ]);
    expect(mod.options).toMatchObject({ userAgent: 'probe/1', hosts: { 'api.test': '127.0.0.1' }, noVUConnectionReuse: true });
  });
});
