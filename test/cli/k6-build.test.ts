import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildK6Script } from '../../scenarios/k6/script.ts';
import { parseScenarioText } from '../../scenarios/spec.ts';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { installK6Standin } from '../helpers/k6-standin/main.ts';
import { respond, startRecordingServer } from '../scenarios/k6/responder.ts';
import { runWithStandins } from '../scenarios/k6/standins/runner.ts';

let dir: string;
beforeAll(() => { dir = tempDir('caplab-k6-build-'); });
afterAll(() => removeDir(dir));

const USERS = '{"id":"u0","deviceModel":"Mi 4"}\n{"id":"u1","deviceModel":"Mi 5"}\n';

function writeSpec(name: string, body: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({
    schema: 'caplab.scenario/v1', name: 'Singapore Peak', baseUrl: 'http://127.0.0.1:8080',
    options: { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 3, exec: 'mixed' } } },
    flows: {
      default: { steps: [{ name: 'ota', path: '/v1/ota?m={{user.deviceModel}}', checks: { status: 200 } }] },
      other: { steps: [{ name: 'other', path: '/other' }] },
      mixed: { mix: { default: 1, other: 1 } },
    },
    ...body,
  }));
  return path;
}

const yamlDocs = (path: string): Record<string, any>[] => parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as Record<string, any>);

describe('caplab k6 build', () => {
  it('writes the script, the users file it opens, the k6-operator manifests and RUN.md', async () => {
    mkdirSync(join(dir, 'specs'), { recursive: true });
    writeFileSync(join(dir, 'specs', 'users-sg.ndjson'), USERS);
    const spec = writeSpec('specs/peak.json', { data: { users: { file: 'users-sg.ndjson' } } });
    const out = join(dir, 'out1');
    const r = await runCli(['--out-dir', out, '--seed', '5', 'k6', 'build', spec, '--parallelism', '3', '--base-url', 'http://sg.example:8080']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['RUN.md', 'collect.yaml', 'configmaps.yaml', 'script.js', 'testrun.yaml', 'users-sg.ndjson']);
    // The script is the generator's output for this spec and seed (the generator's own tests run it).
    const parsed = parseScenarioText(readFileSync(spec, 'utf8'), spec);
    expect(readFileSync(join(out, 'script.js'), 'utf8')).toBe(buildK6Script(parsed, { seed: 5, usersFile: 'users-sg.ndjson' }));
    expect(readFileSync(join(out, 'users-sg.ndjson'), 'utf8')).toBe(USERS);
    const [cm] = yamlDocs(join(out, 'configmaps.yaml'));
    expect(cm!.metadata.name).toBe('singapore-peak-script');
    expect(Object.keys(cm!.data)).toEqual(['script.js', 'users-sg.ndjson']);
    const [pvc, tr] = yamlDocs(join(out, 'testrun.yaml'));
    expect(pvc!.kind).toBe('PersistentVolumeClaim');
    expect(tr).toMatchObject({ apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', metadata: { name: 'singapore-peak' }, spec: { parallelism: 3, script: { configMap: { name: 'singapore-peak-script', file: 'script.js' } } } });
    expect(tr!.spec.arguments).toContain('-e BASE_URL=http://sg.example:8080');
    // The out-dir holds everything the script opens: it runs from there (k6 stand-ins, files read from the dir).
    const run = await runWithStandins(readFileSync(join(out, 'script.js'), 'utf8'), new Map([['users-sg.ndjson', readFileSync(join(out, 'users-sg.ndjson'), 'utf8')]]), respond);
    expect(run.errors).toEqual([]);
    expect(run.requests.length).toBe(6);
    expect(run.requests.some((r) => r.url === 'http://127.0.0.1:8080/v1/ota?m=Mi%204')).toBe(true);
    const md = readFileSync(join(out, 'RUN.md'), 'utf8');
    for (const cmd of ['k6 run script.js -e BASE_URL=http://127.0.0.1:8080 --out json=points.ndjson', 'k6 inspect script.js',
      'kubectl apply --server-side -f configmaps.yaml', 'kubectl apply -f testrun.yaml', 'kubectl cp singapore-peak-collect:/results ./results',
      `caplab merge results/*.ndjson.gz --spec ${spec}`]) {
      expect(md).toContain(cmd);
    }
  });

  it('generates seed + count users as caplab run does, and takes --users and --name', async () => {
    const spec = writeSpec('gen.yaml.json', { data: { users: { seed: 3, count: 4, dc: 'singapore' } } });
    const out = join(dir, 'out2');
    const r = await runCli(['--out-dir', out, 'k6', 'build', spec, '--name', 'sg-probe']);
    expect(r.code).toBe(0);
    const lines = readFileSync(join(out, 'users-singapore.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(lines.map((u) => u.id)).toEqual(['u3-0', 'u3-1', 'u3-2', 'u3-3']);
    expect(yamlDocs(join(out, 'testrun.yaml'))[1]!.metadata.name).toBe('sg-probe');

    writeFileSync(join(dir, 'mine.ndjson'), USERS);
    const out3 = join(dir, 'out3');
    const r3 = await runCli(['--out-dir', out3, 'k6', 'build', spec, '--users', join(dir, 'mine.ndjson')]);
    expect(r3.code).toBe(0);
    expect(readFileSync(join(out3, 'mine.ndjson'), 'utf8')).toBe(USERS);
    expect(readFileSync(join(out3, 'script.js'), 'utf8')).toContain('"mine.ndjson"');
  });

  it('exits 104 listing every problem, and writes nothing', async () => {
    writeFileSync(join(dir, 'bad.ndjson'), '{"id":"u0"}\nnot json\n[1]\n');
    const spec = writeSpec('bad.json', {
      data: { users: { file: 'bad.ndjson' } },
      options: { scenarios: { s: { executor: 'per-vu-iterations', vus: 0, exec: 'nope' } } },
    });
    const out = join(dir, 'out-bad');
    const r = await runCli(['--out-dir', out, 'k6', 'build', spec, '--parallelism', 'two', '--name', 'Bad_Name', '--base-url', 'ftp://x']);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('options.scenarios.s.vus');
    expect(r.stderr).toContain('--parallelism: "two" is not a positive integer');
    expect(r.stderr).toContain('--name: "Bad_Name"');
    expect(r.stderr).toContain('--base-url: "ftp://x"');
    expect(existsSync(out)).toBe(false);

    // A valid spec whose users file has bad lines: each line named.
    const spec2 = writeSpec('bad-users.json', { data: { users: { file: 'bad.ndjson' } } });
    const r2 = await runCli(['--out-dir', out, 'k6', 'build', spec2]);
    expect(r2.code).toBe(104);
    expect(r2.stderr).toContain('bad.ndjson:2: not a JSON object');
    expect(r2.stderr).toContain('bad.ndjson:3: not a JSON object');
    expect(existsSync(out)).toBe(false);

    const r3 = await runCli(['--out-dir', out, 'k6', 'build', join(dir, 'missing.json')]);
    expect(r3.code).toBe(104);
    expect(r3.stderr).toContain('no such file');
    expect(existsSync(out)).toBe(false);
  });
});

describe('caplab k6 build of a spec whose flows are a team\'s own k6 script', () => {
  // The team's script imports a module from a subfolder and opens a JSON file from another; neither is beside it.
  const SHOP = [
    "import http from 'k6/http';",
    "import { check } from 'k6';",
    "import { SharedArray } from 'k6/data';",
    "import { pathOf } from './lib/paths.js';",
    '',
    "export const options = { vus: 10, duration: '10m', thresholds: { checks: ['rate>0.99'] } };",
    '',
    '// k6 reads the file once, in the init context; every VU shares the items.',
    "const items = new SharedArray('items', function () { return JSON.parse(open('./data/items.json')); });",
    '',
    'export function browse() {',
    '  const item = items[exec_index() % items.length];',
    "  const res = http.get(__ENV.SHOP_URL + pathOf(item.id), { tags: { name: 'item' } });",
    "  check(res, { 'item is 200': (r) => r.status === 200 });",
    '}',
    '',
    'let n = 0;',
    'function exec_index() { return n++; }',
    '',
  ].join('\n');
  const PATHS = "export function pathOf(id) { return '/items/' + id; }\n";
  const ITEMS = '[{"id":"p-7"},{"id":"p-9"}]\n';
  let team: string;
  beforeAll(() => {
    team = join(dir, 'team');
    mkdirSync(join(team, 'lib'), { recursive: true });
    mkdirSync(join(team, 'data'), { recursive: true });
    writeFileSync(join(team, 'shop.js'), SHOP);
    writeFileSync(join(team, 'lib', 'paths.js'), PATHS);
    writeFileSync(join(team, 'data', 'items.json'), ITEMS);
  });

  const teamSpec = (name: string, script: string): string => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify({
      schema: 'caplab.scenario/v1', name: 'Shop Probe',
      options: { scenarios: { probe: { executor: 'per-vu-iterations', vus: 1, iterations: 2, exec: 'mixed' } } },
      flows: { browse: { k6: { script, exec: 'browse' } }, mixed: { mix: { browse: 1 } } },
    }));
    return path;
  };

  it('ships the wrapper, the script, its module and its JSON in the ConfigMap, and the bundle runs from those files alone', async () => {
    const spec = teamSpec('shop-spec.json', 'team/shop.js');
    const out = join(dir, 'out-team');
    const r = await runCli(['--out-dir', out, '--seed', '3', 'k6', 'build', spec]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['RUN.md', 'collect.yaml', 'configmaps.yaml', 'data__items.json', 'lib__paths.js', 'script.js', 'shop.js', 'testrun.yaml']);
    const [cm] = yamlDocs(join(out, 'configmaps.yaml'));
    expect(Object.keys(cm!.data).sort()).toEqual(['data__items.json', 'lib__paths.js', 'script.js', 'shop.js']);
    expect(cm!.binaryData).toBeUndefined();
    // The wrapper imports the script beside it; the script's two paths to other folders now name their keys, and
    // nothing else of it changed.
    expect(cm!.data['script.js']).toContain("import * as user from './shop.js';");
    expect(cm!.data['shop.js']).toBe(SHOP.replace("'./lib/paths.js'", "'./lib__paths.js'").replace("'./data/items.json'", "'./data__items.json'"));
    expect(cm!.data['lib__paths.js']).toBe(PATHS);
    expect(cm!.data['data__items.json']).toBe(ITEMS);
    expect(readFileSync(join(team, 'shop.js'), 'utf8')).toBe(SHOP);
    const [, tr] = yamlDocs(join(out, 'testrun.yaml'));
    expect(tr!.spec.script).toEqual({ configMap: { name: 'shop-probe-script', file: 'script.js' } });
    const md = readFileSync(join(out, 'RUN.md'), 'utf8');
    expect(md).toContain("caplab's wrapper of the team's own\nk6 script team/shop.js");
    expect(md).toContain('| `lib__paths.js` | beside it: `lib/paths.js` |');
    expect(md).toContain('k6 run script.js --out json=points.ndjson');

    // What a runner pod has: the ConfigMap's files in one directory, nothing else; the stand-in k6 runs them there.
    const pod = join(dir, 'pod');
    mkdirSync(pod);
    for (const [key, text] of Object.entries(cm!.data as Record<string, string>)) writeFileSync(join(pod, key), text);
    const server = await startRecordingServer();
    try {
      const bin = installK6Standin(join(dir, 'standin-bin'));
      // Asynchronously: the server answering it lives in this process.
      const k6 = await new Promise<{ status: number | null; stderr: string }>((done, fail) => {
        const child = spawn('k6', ['run', '--out', 'json=points.ndjson', '-e', `SHOP_URL=${server.url}`, '-e', 'CAPLAB_SUMMARY=summary.json', 'script.js'], {
          cwd: pod, env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` }, stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (b: Buffer) => { stderr += b.toString('utf8'); });
        child.on('error', fail);
        child.on('close', (status) => done({ status, stderr }));
      });
      expect(k6.status, k6.stderr).toBe(0);
      // The items came from the JSON file, the path from the module.
      expect(server.seen.map((q) => q.url)).toEqual(['/items/p-7', '/items/p-9']);
      const points = readFileSync(join(pod, 'points.ndjson'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; metric: string; data: { tags: Record<string, string> } });
      const reqs = points.filter((p) => p.type === 'Point' && p.metric === 'http_reqs');
      expect(reqs.map((p) => [p.data.tags.service, p.data.tags.name, p.data.tags.scenario])).toEqual([['browse', 'item', 'probe'], ['browse', 'item', 'probe']]);
      // The script's own threshold was kept and judged.
      const summary = JSON.parse(readFileSync(join(pod, 'summary.json'), 'utf8'));
      expect(summary.metrics.checks.thresholds).toEqual({ 'rate>0.99': { ok: true } });
      expect(k6.stderr).toContain('caplab: k6 wrapper of ./shop.js: replaced by caplab\'s: vus, duration; kept: thresholds');
    } finally {
      await server.close();
    }
  });

  it('ships caplab\'s generated script of the spec\'s steps and its users beside the team\'s script when a spec mixes both', async () => {
    const server = await startRecordingServer();
    try {
      const spec = join(dir, 'mixed-spec.json');
      writeFileSync(spec, JSON.stringify({
        schema: 'caplab.scenario/v1', name: 'Shop Mixed', baseUrl: server.url,
        data: { users: { seed: 2, count: 2, dc: 'singapore' } },
        options: { scenarios: { probe: { executor: 'per-vu-iterations', vus: 1, iterations: 6, exec: 'mixed' } } },
        flows: {
          browse: { k6: { script: 'team/shop.js', exec: 'browse' } },
          ping: { steps: [{ name: 'ping', path: '/ping?u={{user.id}}' }] },
          mixed: { mix: { browse: 1, ping: 1 } },
        },
      }));
      const out = join(dir, 'out-mixed');
      const r = await runCli(['--out-dir', out, 'k6', 'build', spec]);
      expect(r.code, r.stderr).toBe(0);
      const [cm] = yamlDocs(join(out, 'configmaps.yaml'));
      expect(Object.keys(cm!.data).sort()).toEqual(['caplab-steps.js', 'data__items.json', 'lib__paths.js', 'script.js', 'shop.js', 'users-singapore.ndjson']);
      expect(cm!.data['script.js']).toContain("import * as module1 from './caplab-steps.js';");
      const md = readFileSync(join(out, 'RUN.md'), 'utf8');
      expect(md).toContain('| `caplab-steps.js` | caplab\'s generated script of the spec\'s flows of steps');
      expect(md).toContain(`k6 run script.js -e BASE_URL=${server.url} --out json=points.ndjson`);
      const pod = join(dir, 'pod-mixed');
      mkdirSync(pod);
      for (const [key, text] of Object.entries(cm!.data as Record<string, string>)) writeFileSync(join(pod, key), text);
      const bin = installK6Standin(join(dir, 'standin-bin'));
      const code = await new Promise<{ status: number | null; stderr: string }>((done, fail) => {
        // As in a runner pod, no BASE_URL in the environment (vitest sets one): the steps use the spec's.
        const { BASE_URL: _, ...env } = process.env;
        const child = spawn('k6', ['run', '-e', `SHOP_URL=${server.url}`, '-e', 'CAPLAB_SUMMARY=summary.json', 'script.js'], {
          cwd: pod, env: { ...env, PATH: `${bin}:${process.env.PATH ?? ''}` }, stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (b: Buffer) => { stderr += b.toString('utf8'); });
        child.on('error', fail);
        child.on('close', (status) => done({ status, stderr }));
      });
      expect(code.status, code.stderr).toBe(0);
      const urls = server.seen.map((q) => q.url);
      expect(urls).toHaveLength(6);
      expect(urls.some((u) => /^\/ping\?u=u2-[01]$/.test(u))).toBe(true);
      expect(urls.some((u) => /^\/items\/p-[79]$/.test(u))).toBe(true);
      expect(urls.every((u) => /^\/ping\?u=u2-[01]$/.test(u) || /^\/items\/p-[79]$/.test(u))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('refuses what it cannot ship, naming each file and line (exit 104), and writes nothing', async () => {
    writeFileSync(join(team, 'bad.js'), [
      "import http from 'k6/http';",
      "import { a } from '/opt/shared/a.js';",
      "import './missing.js';",
      "import _ from 'lodash';",
      'const f = open(__ENV.DATA_FILE);',
      "const g = open(`./data/${__ENV.X}.json`);",
      "const h = open('/etc/hosts');",
      'export function browse() {}',
      '',
    ].join('\n'));
    const spec = teamSpec('bad-team.json', 'team/bad.js');
    const out = join(dir, 'out-bad-team');
    const r = await runCli(['--out-dir', out, 'k6', 'build', spec]);
    expect(r.code).toBe(104);
    const bad = join(team, 'bad.js');
    expect(r.stderr).toContain(`${bad}:2: imports the absolute path "/opt/shared/a.js"`);
    expect(r.stderr).toContain(`${bad}:3: cannot read ${join(team, 'missing.js')}: no such file`);
    expect(r.stderr).toContain(`${bad}:4: imports "lodash", neither a k6 module`);
    expect(r.stderr).toContain(`${bad}:5: open() with a path that is not a string literal cannot be followed`);
    expect(r.stderr).toContain(`${bad}:6: open() with a path that is not a string literal`);
    expect(r.stderr).toContain(`${bad}:7: open() of the absolute path "/etc/hosts"`);
    expect(existsSync(out)).toBe(false);
  });
});
