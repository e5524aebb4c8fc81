/**
 * Catalog flows that send files (`body.file`, `multipart` file parts), as a photo backup service does: the catalog
 * names each file by absolute path in the specs built from it (relative to the file the step is written in: the
 * catalog, or the flow file), loading the catalog lists every missing file with its service and step, and a spec
 * built from it and written in another folder (as a campaign writes its scenarios/) uploads the real bytes through
 * `caplab run` to a real server that parses the multipart body and hashes each part.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainData } from '../../cli/inputs/chain-data.ts';
import { loadCatalog } from '../../cli/inputs/catalog.ts';
import { loadPlacement } from '../../cli/inputs/routing.ts';
import { ValidationError } from '../../models/errors.ts';
import { chain } from '../../pipeline/chain.ts';
import { catalogSentFiles, resolveCatalog, validateCatalog } from '../../scenarios/catalog.ts';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { sha, startFilesServer } from './files-server.ts';

const dir = tempDir('caplab-catalog-files-');
let server: Awaited<ReturnType<typeof startFilesServer>>;
beforeAll(async () => {
  server = await startFilesServer();
});
afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

const photo = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 151) & 0xff));

describe('catalog flows that send files', () => {
  it('name their files absolutely: inline steps against the catalog, a flow file\'s steps against the flow file', () => {
    const value = {
      schema: 'caplab.catalog/v1',
      services: [
        { name: 'backup', flow: 'flows/backup.yaml', demand: { perDevicePerDay: 1 } },
        { name: 'fw', flow: { steps: [{ method: 'PUT', path: '/fw', body: { file: 'fw.bin' } }] }, demand: { perDevicePerDay: 1 } },
        { name: 'ok', flow: { steps: [{ path: '/x', body: 'text' }] }, demand: { perDevicePerDay: 1 } },
      ],
    };
    const { doc, raw, problems } = validateCatalog(value, '/c/catalog.yaml', 'engine');
    expect(problems).toEqual([]);
    const flows = new Map([['/c/flows/backup.yaml', { steps: [{ name: 'upload', method: 'POST', path: '/up', multipart: { note: 'hi', p: { file: '../photos/a.jpg' } } }] }]]);
    const catalog = resolveCatalog(doc!, raw!, '/c/catalog.yaml', { resolve: (p) => `/c/${p}`, flows });
    expect(catalogSentFiles(catalog)).toEqual([
      { file: '/c/photos/a.jpg', where: 'services[0] step 1 (upload) multipart.p.file' },
      { file: '/c/fw.bin', where: 'services[1] step 1 body.file' },
    ]);
    expect(catalog.services[0]!.flow!.steps[0]!.multipart).toEqual({ note: 'hi', p: { file: '/c/photos/a.jpg' } });
  });

  it('loading the catalog lists every file that is missing, with its service and step', async () => {
    const sub = join(dir, 'missing');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'catalog.json'), JSON.stringify({
      schema: 'caplab.catalog/v1',
      services: [
        { name: 'backup', flow: { steps: [{ name: 'upload', method: 'POST', path: '/up', multipart: { p: { file: 'a.jpg' } } }] }, demand: { perDevicePerDay: 1 } },
        { name: 'fw', flow: { steps: [{ method: 'PUT', path: '/fw', body: { file: 'fw.bin' } }] }, demand: { perDevicePerDay: 1 } },
      ],
    }));
    const err = await loadCatalog({ path: join(sub, 'catalog.json') }, 'engine').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems).toEqual([
      { where: `${join(sub, 'catalog.json')}: services[0] step 1 (upload) multipart.p.file`, message: `${join(sub, 'a.jpg')}: no such file` },
      { where: `${join(sub, 'catalog.json')}: services[1] step 1 body.file`, message: `${join(sub, 'fw.bin')}: no such file` },
    ]);
  });

  it('a spec built from the catalog, written in another folder, uploads the file\'s bytes through `caplab run`', async () => {
    const cat = join(dir, 'shop');
    mkdirSync(join(cat, 'flows'), { recursive: true });
    mkdirSync(join(cat, 'photos'), { recursive: true });
    writeFileSync(join(cat, 'photos', 'beach.jpg'), photo);
    writeFileSync(join(cat, 'flows', 'backup.json'), JSON.stringify({ steps: [
      { name: 'upload', method: 'POST', path: '/upload', headers: { 'X-Vu': '{{vu}}' }, multipart: { caption: 'beach', photo: { file: '../photos/beach.jpg', contentType: 'image/jpeg' } } },
    ] }));
    writeFileSync(join(cat, 'catalog.json'), JSON.stringify({ schema: 'caplab.catalog/v1', services: [{ name: 'backup', flow: 'flows/backup.json', demand: { perDevicePerDay: 1 } }] }));
    const catalog = await loadCatalog({ path: join(cat, 'catalog.json') }, 'engine');
    const data = chainData();
    const placement = await loadPlacement('seed-4dc', data.world);
    const c = chain({ catalog, observed: new Map(), placement }, data, 1);
    const built = c.scenarios({
      budgets: { doc: { schema: 'caplab.budgets/v1', defaults: { p95: '1s', errorRate: 0.5 } }, source: 'inline' },
      targets: { beijing: server.url, singapore: server.url, 'us-west-1': server.url, 'us-west-2': server.url }, quick: true, replay: false,
    });
    const elsewhere = join(dir, 'campaign', 'scenarios');
    mkdirSync(elsewhere, { recursive: true });
    const specPath = join(elsewhere, 'singapore-probe.json');
    writeFileSync(specPath, JSON.stringify(built.specs.singapore!.probe));
    writeFileSync(join(elsewhere, 'users-singapore.ndjson'), c.usersFiles(built.quarter, placement).singapore!);
    server.seen.length = 0;
    const r = await runCli(['--quiet', 'run', specPath, '--vus', '1', '--iterations', '2', '--summary-json', join(elsewhere, 'summary.json')]);
    expect(r.code, r.stderr).toBe(0);
    const uploads = server.seen.filter((s) => s.what.startsWith('POST /upload'));
    expect(uploads).toHaveLength(2);
    for (const u of uploads) {
      const parts = JSON.parse(/parts=(.*)$/.exec(u.what)![1]!) as { name: string; filename?: string; type?: string; sha: string; size: number }[];
      expect(parts).toEqual([
        { name: 'caption', sha: sha(Buffer.from('beach')), size: 5, text: 'beach' },
        { name: 'photo', filename: 'beach.jpg', type: 'image/jpeg', sha: sha(photo), size: photo.length },
      ]);
    }
    expect(JSON.parse(readFileSync(join(elsewhere, 'summary.json'), 'utf8')).metrics.http_req_failed.values.passes).toBe(0);
  }, 60_000);
});
