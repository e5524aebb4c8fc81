/**
 * The files a spec names, through the CLI: `caplab run` refuses bad ones before anything runs (exit 104, every problem
 * with its JSON path or its file's line), runs good ones on the engine and, with `--runner k6`, on the k6 stand-in
 * (test/helpers/k6-standin: the generated script with its files beside it, real HTTP) against the same real server,
 * which parses the multipart upload; `caplab k6 build` writes the files beside the script and into the ConfigMap.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';
import { installK6Standin } from '../../helpers/k6-standin/main.ts';
import { type Seen, sha, startFilesServer } from '../../scenarios/files-server.ts';

const dir = tempDir('caplab-spec-files-');
afterAll(() => removeDir(dir));
const photo = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) & 0xff));

function spec(baseUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema: 'caplab.scenario/v1', name: 'photo-backup', baseUrl,
    data: { sets: { albums: { file: 'albums.csv', pick: 'iteration' } } },
    options: { scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 2 } } },
    flows: { default: { steps: [
      { name: 'login', path: '/login?u=u{{iteration}}', headers: { 'X-Vu': '{{vu}}' } },
      { name: 'backup', method: 'POST', path: '/upload', headers: { 'X-Vu': '{{vu}}' }, cookies: { device: 'mi-4' },
        multipart: { album: '{{data.albums.title}}', photo: { file: 'img/p1.jpg', contentType: 'image/jpeg' } } },
    ] } },
    ...extra,
  };
}

describe('caplab run with files of the spec', () => {
  let server: Awaited<ReturnType<typeof startFilesServer>>;
  beforeAll(async () => {
    server = await startFilesServer();
    mkdirSync(join(dir, 'img'), { recursive: true });
    writeFileSync(join(dir, 'img', 'p1.jpg'), photo);
    writeFileSync(join(dir, 'albums.csv'), 'id,title\n1,Summer\n2,"Winter, Harbin"\n');
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec(server.url)));
  });
  afterAll(() => server.close());

  it('lists every bad file before running: missing files by JSON path, bad CSV rows by line, unknown columns (exit 104)', async () => {
    writeFileSync(join(dir, 'bad.csv'), 'id,title\n1,A\n2\n3,"x\n');
    writeFileSync(join(dir, 'notes.json'), '{"a": 1}');
    const bad = spec(server.url, { data: { sets: { albums: { file: 'bad.csv' }, notes: { file: 'notes.json' }, more: { file: 'missing.csv' } } } });
    const steps = (bad.flows as { default: { steps: Record<string, unknown>[] } }).default.steps;
    steps.push({ name: 'raw', method: 'PUT', path: '/raw', body: { file: 'nope.bin' } }, { name: 'cols', path: '/x?c={{data.albums.colour}}' });
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const r = await runCli(['run', join(dir, 'bad.json')]);
    expect(r.code, r.stderr).toBe(104);
    expect(r.stderr).toContain('data.sets.more.file: cannot read missing.csv');
    expect(r.stderr).toContain('flows.default.steps[2].body.file: cannot read nope.bin');
    const r2 = r;
    expect(r2.stderr).toMatch(/bad\.csv:3: data set "albums" \(data\.sets\.albums\): 1 field where the header has 2/);
    expect(r2.stderr).toMatch(/bad\.csv:4: data set "albums" \(data\.sets\.albums\): a quoted field is not closed/);
    expect(r2.stderr).toMatch(/notes\.json: data set "notes" \(data\.sets\.notes\): a JSON data set is an array of objects/);
    expect(server.seen).toEqual([]);
    writeFileSync(join(dir, 'missing.csv'), 'id\n1\n');
    writeFileSync(join(dir, 'nope.bin'), 'x');
    writeFileSync(join(dir, 'bad.csv'), 'id,title\n1,A\n');
    writeFileSync(join(dir, 'notes.json'), '[{"a": 1}]');
    const r3 = await runCli(['run', join(dir, 'bad.json')]);
    expect(r3.code, r3.stderr).toBe(104);
    expect(r3.stderr).toContain('flows.default.steps[3]: {{data.albums.colour}}: bad.csv has no column "colour" (its header: id, title)');
  });

  it('runs on the engine and on k6 (stand-in) with the same cookies, data and intact upload', async () => {
    const seen: Record<string, Seen[]> = {};
    for (const runner of ['engine', 'k6']) {
      server.seen.length = 0;
      const bin = installK6Standin(join(dir, 'bin'));
      const r = await runCli(['--quiet', 'run', '--runner', runner, join(dir, 'spec.json'), '--summary-json', join(dir, `${runner}-summary.json`)],
        { env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
      expect(r.code, `${runner}: ${r.stderr}`).toBe(0);
      seen[runner] = [...server.seen];
    }
    const upload = (iteration: number, album: string): string =>
      `POST /upload cookie=[device=mi-4; sid=s-u${iteration}] parts=${JSON.stringify([
        { name: 'album', sha: sha(Buffer.from(album)), size: Buffer.byteLength(album), text: album },
        { name: 'photo', filename: 'p1.jpg', type: 'image/jpeg', sha: sha(photo), size: photo.length },
      ])}`;
    expect(seen.engine!.map((s) => s.what)).toEqual([
      'GET /login?u=u0 cookie=[]', upload(0, 'Summer'), 'GET /login?u=u1 cookie=[]', upload(1, 'Winter, Harbin'),
    ]);
    expect(seen.k6).toEqual(seen.engine);
  });

  it('splits over worker threads (--workers 2) that share the files and rows: same uploads, intact', async () => {
    server.seen.length = 0;
    const parallel = spec(server.url, { options: { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 1 } } } });
    writeFileSync(join(dir, 'parallel.json'), JSON.stringify(parallel));
    const r = await runCli(['--quiet', 'run', '--workers', '2', join(dir, 'parallel.json'), '--summary-json', join(dir, 'parallel-summary.json')]);
    expect(r.code, r.stderr).toBe(0);
    const uploads = server.seen.filter((s) => s.what.startsWith('POST')).map((s) => s.what).sort();
    expect(uploads).toHaveLength(2);
    expect(uploads[0]).toContain(`"sha":"${sha(photo)}","size":${photo.length}`);
    expect(uploads.map((u) => /"text":"([^"]*)"/.exec(u)![1])).toEqual(['Summer', 'Winter, Harbin']);
    expect(uploads.map((u) => /sid=s-u\d/.exec(u)![0])).toEqual(['sid=s-u0', 'sid=s-u1']);
  });

  it('k6 build writes the files beside the script and into the script\'s ConfigMap', async () => {
    const out = join(dir, 'k6-out');
    const r = await runCli(['--quiet', '--out-dir', out, 'k6', 'build', join(dir, 'spec.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'p1.jpg')).equals(photo)).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'data-albums.json'), 'utf8'))).toEqual([{ id: '1', title: 'Summer' }, { id: '2', title: 'Winter, Harbin' }]);
    expect(readFileSync(join(out, 'script.js'), 'utf8')).toContain('"img/p1.jpg": open("p1.jpg", \'b\')');
    const maps = readFileSync(join(out, 'configmaps.yaml'), 'utf8').split(/^---$/m).map((d) => parseYaml(d) as { binaryData?: Record<string, string> });
    expect(Buffer.from(maps[0]!.binaryData!['p1.jpg']!, 'base64').equals(photo)).toBe(true);
    expect(Object.keys(maps[0]!.binaryData!).sort()).toEqual(['data-albums.json', 'p1.jpg']);
  });
});
