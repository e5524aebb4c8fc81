import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildOperatorManifests, CONFIGMAP_LIMIT_BYTES, k8sName, splitLines } from '../../../scenarios/k6/operator.ts';

type Doc = Record<string, any>;
const docs = (text: string): Doc[] => parseAllDocuments(text).map((d) => {
  expect(d.errors).toEqual([]);
  return d.toJS() as Doc;
});
const dataBytes = (cm: Doc): number => Object.entries(cm.data as Record<string, string>).reduce((t, [k, v]) => t + Buffer.byteLength(k) + Buffer.byteLength(v), 0);

const SCRIPT = "import http from 'k6/http';\nexport default function () { http.get('http://x/'); }\n";
const user = (i: number): string => `${JSON.stringify({ id: `u1-${i}`, name: '王小明', country: 'SG', deviceSecret: 'ab'.repeat(16), pad: 'x'.repeat(200) })}\n`;

describe('k6-operator TestRun', () => {
  it('carries every field k6-operator requires, and how the pods write their NDJSON for caplab merge', () => {
    const m = buildOperatorManifests({ name: 'singapore-peak', parallelism: 4, scriptFile: 'script.js', script: SCRIPT, users: { file: 'users-sg.ndjson', text: user(0) }, arguments: ['-e', 'BASE_URL=http://sg.example:8080'] });
    const [pvc, tr] = docs(m.testRun);
    // TestRunSpec: script and parallelism are required; script.configMap.name is required, file names the key.
    expect(tr).toMatchObject({ apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', metadata: { name: 'singapore-peak' } });
    expect(tr!.spec.parallelism).toBe(4);
    expect(Number.isInteger(tr!.spec.parallelism)).toBe(true);
    expect(tr!.spec.script).toEqual({ configMap: { name: 'singapore-peak-script', file: 'script.js' } });
    expect(typeof tr!.spec.arguments).toBe('string');
    const args: string = tr!.spec.arguments;
    expect(args).toContain('--out json=/results/$(POD_NAME).ndjson.gz');
    expect(args).toContain('-e CAPLAB_SUMMARY=/results/$(POD_NAME).summary.json');
    expect(args).toContain('-e BASE_URL=http://sg.example:8080');
    expect(args).not.toContain('CAPLAB_USERS_FILES');
    // $(POD_NAME) is expanded by Kubernetes only when the container defines it.
    expect(tr!.spec.runner.env).toContainEqual({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    expect(tr!.spec.runner.volumes).toContainEqual({ name: 'caplab-results', persistentVolumeClaim: { claimName: 'singapore-peak-results' } });
    expect(tr!.spec.runner.volumeMounts).toContainEqual({ name: 'caplab-results', mountPath: '/results' });
    expect(pvc).toMatchObject({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'singapore-peak-results' }, spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '5Gi' } } } });
    const [collector] = docs(m.collector);
    expect(collector).toMatchObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'singapore-peak-collect' } });
    expect(collector!.spec.volumes[0].persistentVolumeClaim.claimName).toBe('singapore-peak-results');
  });

  it('keeps script and a small users file in one ConfigMap, as the script opens them side by side', () => {
    const users = user(0) + user(1);
    const m = buildOperatorManifests({ name: 'sg', parallelism: 1, scriptFile: 'script.js', script: SCRIPT, users: { file: 'users-sg.ndjson', text: users } });
    const maps = docs(m.configMaps);
    expect(maps).toHaveLength(1);
    expect(maps[0]).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sg-script', labels: { 'app.kubernetes.io/managed-by': 'caplab' } }, data: { 'script.js': SCRIPT, 'users-sg.ndjson': users } });
    expect(m.usersParts).toEqual([]);
  });

  it('splits users over the 1 MiB ConfigMap limit into line-aligned parts, mounted and passed to the script', () => {
    const lines = Array.from({ length: 6000 }, (_, i) => user(i));
    const text = lines.join('');
    expect(Buffer.byteLength(text)).toBeGreaterThan(CONFIGMAP_LIMIT_BYTES);
    const m = buildOperatorManifests({ name: 'sg', parallelism: 3, scriptFile: 'script.js', script: SCRIPT, users: { file: 'users-sg.ndjson', text } });
    const maps = docs(m.configMaps);
    expect(maps.length).toBeGreaterThan(2);
    expect(maps[0]!.data).toEqual({ 'script.js': SCRIPT });
    for (const cm of maps) {
      expect(cm.kind).toBe('ConfigMap');
      expect(dataBytes(cm)).toBeLessThanOrEqual(CONFIGMAP_LIMIT_BYTES);
      for (const v of Object.values(cm.data as Record<string, string>)) expect(v.endsWith('\n')).toBe(true);
    }
    const parts = maps.slice(1);
    expect(parts.map((cm) => Object.keys(cm.data)[0])).toEqual(m.usersParts);
    expect(parts.map((cm) => Object.values(cm.data)[0]).join('')).toBe(text);
    const tr = docs(m.testRun)[1]!;
    expect(tr.spec.arguments).toContain(`-e CAPLAB_USERS_FILES=${m.usersParts.map((p) => `/caplab-users/${p}`).join(',')}`);
    expect(tr.spec.runner.volumes).toContainEqual({ name: 'caplab-users', projected: { sources: m.names.usersConfigMaps.map((name) => ({ configMap: { name } })) } });
    expect(tr.spec.runner.volumeMounts).toContainEqual({ name: 'caplab-users', mountPath: '/caplab-users', readOnly: true });
  });

  it('ships a team script\'s files beside the wrapper in its ConfigMap: text as data, bytes as binaryData, all within the limit', () => {
    const files = [{ file: 'shop.js', text: 'export function browse() {}\n' }, { file: 'lib__p.js', text: 'export const p = 1;\n' }, { file: 'logo.png', bytes: Buffer.from('iVBORw0K', 'base64') }];
    const m = buildOperatorManifests({ name: 'shop', parallelism: 2, scriptFile: 'script.js', script: SCRIPT, files });
    const [cm] = docs(m.configMaps);
    expect(cm!.data).toEqual({ 'script.js': SCRIPT, 'shop.js': files[0]!.text, 'lib__p.js': files[1]!.text });
    expect(cm!.binaryData).toEqual({ 'logo.png': 'iVBORw0K' });
    expect(docs(m.testRun)[1]!.spec.script).toEqual({ configMap: { name: 'shop-script', file: 'script.js' } });
    expect(() => buildOperatorManifests({ name: 'shop', parallelism: 1, scriptFile: 'script.js', script: SCRIPT, files: [{ file: 'script.js', text: '' }] }))
      .toThrow('the key "script.js" is used twice');
    expect(() => buildOperatorManifests({ name: 'shop', parallelism: 1, scriptFile: 'script.js', script: SCRIPT, files: [{ file: 'lib/p.js', text: '' }] }))
      .toThrow('"lib/p.js" is not a valid ConfigMap key');
    expect(() => buildOperatorManifests({ name: 'shop', parallelism: 1, scriptFile: 'script.js', script: SCRIPT, limitBytes: 200, files: [{ file: 'big.json', text: 'x'.repeat(150) }] }))
      .toThrow(/the script and its files \(big\.json\) are \d+ bytes in a ConfigMap, over its 200-byte limit/);
  });

  it('rejects names, keys, parallelism and arguments k6-operator or Kubernetes would refuse', () => {
    const base = { name: 'ok', parallelism: 1, scriptFile: 'script.js', script: SCRIPT };
    expect(() => buildOperatorManifests({ ...base, name: 'Bad_Name' })).toThrow(/DNS-1123/);
    expect(() => buildOperatorManifests({ ...base, parallelism: 0 })).toThrow(/parallelism 0/);
    expect(() => buildOperatorManifests({ ...base, scriptFile: 'a/b.js' })).toThrow(/ConfigMap key/);
    expect(() => buildOperatorManifests({ ...base, arguments: ['-e X=a b'] })).toThrow(/whitespace/);
    expect(() => buildOperatorManifests({ ...base, script: 'x'.repeat(CONFIGMAP_LIMIT_BYTES) })).toThrow(/over the 1048576-byte/);
    expect(k8sName('Singapore Peak! (Q4)')).toBe('singapore-peak-q4');
    expect(k8sName('***')).toBe('caplab');
  });

  it('splitLines keeps line boundaries and the key within the limit', () => {
    expect(splitLines('a\nbb\nccc\n', () => 'k', 6)).toEqual(['a\nbb\n', 'ccc\n']);
    expect(splitLines('', () => 'k', 6)).toEqual(['']);
    expect(splitLines('x\ny', () => 'k', 4)).toEqual(['x\ny']);
    expect(splitLines('x\ny', () => 'k', 3)).toEqual(['x\n', 'y']);
    expect(() => splitLines('toolong\n', () => 'k', 6)).toThrow(/over the 6-byte/);
  });
});
