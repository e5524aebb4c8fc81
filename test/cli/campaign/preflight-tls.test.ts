/**
 * The campaign's pre-flight speaks to a target the way its load will: through the engine's own client, with the
 * DC's k6 options (`insecureSkipTLSVerify`, `hosts`, `userAgent`, ...), and it names a failure in k6's words. Real Caddy with its own CA (`tls
 * internal`): without the option the pre-flight fails with k6's 1310 "x509: unknown authority";
 * with it, the same target passes.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../cli/inputs/catalog.ts';
import { preflightFailures } from '../../../cli/campaign/preflight.ts';
import type { Catalog } from '../../../scenarios/catalog.ts';
import { type RunningCaddy, startCaddy } from '../../helpers/caddy.ts';
import { removeDir, tempDir } from '../../helpers/cli.ts';

const dir = tempDir('caplab-preflight-tls-');
let caddy: RunningCaddy | undefined;
let catalog: Catalog;

beforeAll(async () => {
  caddy = await startCaddy(join(dir, 'caddy'));
  catalog = await loadCatalog({
    inline: {
      schema: 'caplab.catalog/v1', name: 'tls',
      services: [{ name: 'ping', flow: { steps: [{ name: 'ping', method: 'GET', path: '/', expectedStatuses: [200] }] }, demand: { perDevicePerDay: 1 } }],
    },
    source: 'catalog.yaml', baseDir: dir,
  }, 'engine');
}, 60_000);

afterAll(async () => {
  await caddy?.stop();
  removeDir(dir);
}, 30_000);

describe('campaign pre-flight over HTTPS (Caddy, tls internal)', () => {
  it('fails with k6\'s 1310 when the CA is not trusted, and passes with insecureSkipTLSVerify', async () => {
    const base = { targets: { singapore: [caddy!.url] }, catalog, users: { singapore: {} }, timeoutSeconds: 10 };
    const failed = await preflightFailures(base);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ dc: 'singapore', target: caddy!.url, service: 'ping', request: `GET ${caddy!.url}/` });
    expect(failed[0]!.error).toMatch(/^x509: unknown authority \(k6 error_code 1310, \w+\)$/);
    expect(await preflightFailures({ ...base, options: (dc) => ({ insecureSkipTLSVerify: dc === 'singapore' }) })).toEqual([]);
  }, 60_000);

  it('sends with the DC\'s k6 options: `hosts` reaches a node by name, `userAgent` is the header its load sends', async () => {
    // A site that answers only the load's User-Agent, by a name no DNS knows.
    const named = await startCaddy(join(dir, 'caddy-named'), {
      site: 'mesh.test', body: '@probe header User-Agent mesh-probe/1\n  respond @probe "ok" 200\n  respond "who are you" 403',
    });
    try {
      const target = `https://mesh.test:${named.port}`;
      const base = { targets: { oregon: [target] }, catalog, users: { oregon: {} }, timeoutSeconds: 10 };
      const all = { insecureSkipTLSVerify: true, hosts: { 'mesh.test': '127.0.0.1' }, userAgent: 'mesh-probe/1' };
      expect(await preflightFailures({ ...base, options: () => all })).toEqual([]);
      const { userAgent: _ua, ...noAgent } = all;
      const refused = await preflightFailures({ ...base, options: () => noAgent });
      expect(refused.map((f) => f.error)).toEqual(['HTTP 403: who are you']);
      const { hosts: _h, ...noHosts } = all;
      const unknown = await preflightFailures({ ...base, options: () => noHosts });
      expect(unknown).toHaveLength(1);
      expect(unknown[0]!.error).toMatch(/k6 error_code 110\d/);
    } finally {
      await named.stop();
    }
  }, 60_000);
});
