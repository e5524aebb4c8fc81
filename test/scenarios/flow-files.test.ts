/**
 * Cookies, files, multipart uploads and data sets end to end, on both runners against one real server on 127.0.0.1:
 * the engine (runEngine, with the files read by the CLI's reader from real files), and the generated k6 script
 * (type-checked against @types/k6, run by the stand-ins with real HTTP through the stand-in binary's sync client).
 * The server parses every multipart body itself and hashes the parts, so intact bytes are checked on the wire; per VU,
 * both runners must make the same requests with the same cookies, bodies and data values.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSpecFiles } from '../../cli/inputs/spec-files.ts';
import { effectiveScenarios, runEngine } from '../../scenarios/engine/run.ts';
import { k6BundleNames } from '../../scenarios/k6/bundle-files.ts';
import { buildK6Script } from '../../scenarios/k6/script.ts';
import { parseScenarioSpec, type ScenarioSpec } from '../../scenarios/spec.ts';
import { rowsOf } from '../../scenarios/data-files.ts';
import { removeDir, tempDir } from '../helpers/cli.ts';
import { createSyncHttp } from '../helpers/k6-standin/sync-http.ts';
import { k6TypeErrors } from './k6/k6-typecheck.ts';
import { runWithStandins } from './k6/standins/runner.ts';
import type { Responder } from './k6/standins/state.ts';
import { type FilesServer, type Seen, sha, startFilesServerThread } from './files-server.ts';
import { CollectingSink } from './server.ts';

/** Bytes a naive multipart writer would break: every byte value, CRLFs and dashes like a boundary's. */
function photoBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 151 + (i >> 8)) & 0xff;
  Buffer.from('\r\n--\r\n\r\n--xyz--\r\n').copy(b, 1000);
  return b;
}

function specOf(baseUrl: string): Record<string, unknown> {
  const vu = { 'X-Vu': '{{vu}}' };
  return {
    schema: 'caplab.scenario/v1', name: 'files', baseUrl,
    data: { sets: {
      people: { file: 'people.json', pick: 'vu' },
      photos: { file: 'photos.csv', pick: 'iteration' },
    } },
    options: { scenarios: { s: { executor: 'per-vu-iterations', vus: 3, iterations: 2 } } },
    flows: { default: { steps: [
      // A new iteration starts with an empty jar (k6's default), so this sees no cookie, whatever came before.
      { name: 'whoami_fresh', path: '/app/whoami', headers: vu },
      { name: 'login', path: '/login?u={{data.people.name}}', headers: vu },
      { name: 'whoami', path: '/app/whoami', headers: { ...vu, Cookie: 'pre=1' }, cookies: { trace: 't-{{iteration}}' } },
      { name: 'whoami_root', path: '/other', headers: vu, cookies: { sid: { value: 'forced', replace: true } } },
      { name: 'upload', method: 'POST', path: '/upload', headers: vu, multipart: {
        caption: '{{data.photos.caption}} by {{data.people.name}}',
        photo: { file: 'img/beach.jpg', contentType: 'image/jpeg' },
        meta: { file: 'meta.bin', filename: 'm "1".bin' },
      } },
      { name: 'raw', method: 'PUT', path: '/raw', headers: { ...vu, 'Content-Type': 'image/jpeg' }, body: { file: 'img/beach.jpg' } },
      { name: 'raw_default', method: 'PUT', path: '/raw?id={{data.photos.id}}', headers: vu, body: { file: 'meta.bin' } },
    ] } },
  };
}

describe('cookies, files, multipart and data sets on both runners', () => {
  let dir: string;
  let server: FilesServer;
  let spec: ScenarioSpec;
  const photo = photoBytes(300_000);
  const meta = Buffer.from('\x00\x01binary\r\n--meta--\r\n\xff', 'latin1');

  beforeAll(async () => {
    dir = tempDir('caplab-flow-files-');
    mkdirSync(join(dir, 'img'));
    writeFileSync(join(dir, 'img', 'beach.jpg'), photo);
    writeFileSync(join(dir, 'meta.bin'), meta);
    writeFileSync(join(dir, 'people.json'), JSON.stringify([{ name: 'ann' }, { name: 'bo' }]));
    writeFileSync(join(dir, 'photos.csv'), 'id,caption\r\n1,"Beach, at dusk"\r\n2,"A ""quoted"" caption"\r\n3,plain\r\n');
    server = await startFilesServerThread();
    spec = parseScenarioSpec(specOf(server.url), join(dir, 'spec.json'));
  });
  afterAll(async () => {
    await server.close();
    removeDir(dir);
  });

  it('the engine sends the jar\'s cookies, the files\' bytes intact and each iteration\'s data row', async () => {
    const files = await readSpecFiles(spec, join(dir, 'spec.json'));
    expect(rowsOf(files!.data.photos!).get(1)).toEqual({ id: '2', caption: 'A "quoted" caption' });
    await server.clear();
    const errors: string[] = [];
    await runEngine(spec, effectiveScenarios(spec), { sink: new CollectingSink(), seed: 5, files: files!, onError: (m) => errors.push(m) });
    expect(errors).toEqual([]);
    const seen = await server.seen();
    const vu1 = seen.filter((s) => s.vu === '1').map((s) => s.what);
    // VU 1 (user row 0, "ann"), iteration 0 (photo row 0).
    expect(vu1.slice(0, 4)).toEqual([
      'GET /app/whoami cookie=[]',
      'GET /login?u=ann cookie=[]',
      'GET /app/whoami cookie=[pre=1; trace=t-0; theme=dark; sid=s-ann]',
      'GET /other cookie=[sid=forced]',
    ]);
    const upload = JSON.parse(vu1[4]!.replace(/^.* parts=/, '')) as { name: string; filename?: string; type?: string; sha: string; size: number; text?: string }[];
    expect(upload).toEqual([
      { name: 'caption', sha: expect.any(String), size: 21, text: 'Beach, at dusk by ann' },
      { name: 'photo', filename: 'beach.jpg', type: 'image/jpeg', sha: sha(photo), size: photo.length },
      { name: 'meta', filename: 'm "1".bin', type: 'application/octet-stream', sha: sha(meta), size: meta.length },
    ].map((p) => (p.name === 'meta' ? { ...p, filename: 'm \\"1\\".bin' } : p)));
    expect(vu1[5]).toMatch(new RegExp(`^PUT /raw cookie=\\[sid=s-ann\\] type=image/jpeg sha=${sha(photo)} size=${photo.length}$`));
    expect(vu1[6]).toBe(`PUT /raw?id=1 cookie=[sid=s-ann] type=application/octet-stream sha=${sha(meta)} size=${meta.length}`);
    // Iteration 1 of VU 1 starts with an empty jar again, and reads photo row 1.
    expect(vu1[7]).toBe('GET /app/whoami cookie=[]');
    expect(vu1[13]).toMatch(/^PUT \/raw\?id=2 /);
    // VU 2 acts as "bo"; VU 3 wraps around to "ann".
    expect(seen.find((s) => s.vu === '2' && s.what.startsWith('GET /login'))!.what).toBe('GET /login?u=bo cookie=[]');
    expect(seen.find((s) => s.vu === '3' && s.what.startsWith('GET /login'))!.what).toBe('GET /login?u=ann cookie=[]');
  });

  it('the generated k6 script type-checks and makes the same requests, VU by VU, under the k6 stand-in', async () => {
    const names = k6BundleNames(spec, ['script.js']);
    expect(names).toEqual({ blobs: { 'img/beach.jpg': 'beach.jpg', 'meta.bin': 'meta.bin' }, data: { people: 'data-people.json', photos: 'data-photos.json' } });
    const script = buildK6Script(spec, { seed: 5, files: names });
    expect(script).toContain('"img/beach.jpg": open("beach.jpg", \'b\')');
    expect(script).toContain("new SharedArray(\"caplab data photos\"");
    writeFileSync(join(dir, 'script.js'), script);
    expect(await k6TypeErrors(dir, ['script.js'])).toEqual([]);

    const files = (await readSpecFiles(spec, join(dir, 'spec.json')))!;
    const bundle = new Map<string, string | Uint8Array>([
      ['beach.jpg', photo], ['meta.bin', meta],
      ...Object.entries(names.data).map(([set, file]) => [file, JSON.stringify(rowsOf(files.data[set]!).all())] as [string, string]),
    ]);
    await server.clear();
    await runEngine(spec, effectiveScenarios(spec), { sink: new CollectingSink(), seed: 5, files });
    const engine = await server.seen();
    await server.clear();
    const http = createSyncHttp();
    try {
      const responder: Responder = (method, _path, body, req) => {
        const r = http.request({ method, url: req.url, headers: req.headers, body: req.bodyBytes ?? (body === '' ? null : body), timeoutMs: 10_000 });
        return { status: r.status, body: r.body, headers: r.headers };
      };
      const k6 = await runWithStandins(script, bundle, responder);
      expect(k6.errors).toEqual([]);
    } finally {
      await http.close();
    }
    const byVu = (list: Seen[]): Record<string, string[]> => {
      const out: Record<string, string[]> = {};
      // k6's multipart boundary is its own (random): compare what the server parsed, which excludes it.
      for (const s of list) (out[s.vu] ??= []).push(s.what);
      return out;
    };
    expect(Object.keys(byVu(engine)).sort()).toEqual(['1', '2', '3']);
    expect(byVu(await server.seen())).toEqual(byVu(engine));
  });
});
