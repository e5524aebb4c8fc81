import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildK6Script } from '../../scenarios/k6/script.ts';
import { parseScenarioText } from '../../scenarios/spec.ts';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { respond } from '../scenarios/k6/responder.ts';
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
