/**
 * k6-operator manifests for a generated script: a `TestRun` (k6.io/v1alpha1) and the ConfigMaps holding the script
 * and the users file, ready for `kubectl apply`. Pure: texts in, YAML texts out.
 *
 * Layout. The operator mounts `spec.script.configMap` at /test and runs `k6 run /test/<file>`, so when script and
 * users fit in one ConfigMap (Kubernetes caps a ConfigMap's data at 1 MiB) both go there and the script opens the
 * users file next to itself, as it does locally. A wrapper of a team's script ships the script and its local modules
 * and data files (`files`, local-files.ts) in that same ConfigMap, beside the wrapper, as the operator's documentation
 * has multi-file tests do (text as `data`, bytes as `binaryData`); they must all fit in it. When they do not fit, the users file is split at line boundaries
 * into parts of at most 1 MiB each, one ConfigMap per part, projected into one directory of the runner pods, and the
 * script is told the part paths with `-e CAPLAB_USERS_FILES=...` (an argument, so the operator's initializer, which
 * runs `k6 inspect`/`k6 archive` with the same `-e` values, sees them too). User i stays line i of the whole file.
 *
 * Results. Every runner pod writes its k6 `--out json` points (gzipped) and its handleSummary JSON to a shared
 * ReadWriteMany PersistentVolumeClaim, named after the pod (`$(POD_NAME)`, which Kubernetes expands in the k6
 * command from the env var the TestRun defines), so `caplab merge` can combine the pods' raw points afterwards; a
 * small collector pod mounts the claim for `kubectl cp`.
 */
import { stringify } from 'yaml';

/** Kubernetes' limit on a ConfigMap's data (keys plus values), bytes. */
export const CONFIGMAP_LIMIT_BYTES = 1_048_576;

/** Where runner pods mount the results claim. */
export const RESULTS_DIR = '/results';

/** Where runner pods see the users parts when the users file is split. */
export const USERS_PARTS_DIR = '/caplab-users';

/** Inputs of {@link buildOperatorManifests}. */
export interface OperatorInput {
  /** TestRun name (a DNS-1123 label of at most 52 characters: the operator derives job and service names from it). */
  name: string;
  /** Number of k6 runner pods (the operator gives each an equal execution segment). */
  parallelism: number;
  /** Key of the script in its ConfigMap, e.g. `script.js`. */
  scriptFile: string;
  /** The script text. */
  script: string;
  /** The users NDJSON file the script opens, if any. */
  users?: { file: string; text: string };
  /**
   * Further files beside the script, in its ConfigMap: text as `data`, bytes as `binaryData` (the spec's own files the
   * script opens: bodies, multipart parts, data sets; a team's scripts, their modules and the files they open).
   */
  files?: readonly { file: string; text?: string; bytes?: Uint8Array }[];
  /** Extra k6 arguments (e.g. `-e BASE_URL=http://...`); values must not contain spaces (the operator splits on them). */
  arguments?: string[];
  /** Data budget per ConfigMap, bytes (default {@link CONFIGMAP_LIMIT_BYTES}); tests lower it. */
  limitBytes?: number;
  /** Size of the results claim (default `5Gi`). */
  resultsStorage?: string;
}

/** The manifests, as YAML texts. */
export interface OperatorManifests {
  /** ConfigMaps (script, and users or users parts), multi-document YAML. */
  configMaps: string;
  /** The results PersistentVolumeClaim and the TestRun, multi-document YAML. */
  testRun: string;
  /** A pod mounting the results claim for `kubectl cp`. */
  collector: string;
  /** Names of the objects, for RUN.md and messages. */
  names: { testRun: string; scriptConfigMap: string; usersConfigMaps: string[]; results: string; collector: string };
  /** The users parts' file names when split (in order), else empty. */
  usersParts: string[];
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * A TestRun name from free text: lower case, `[a-z0-9-]`, at most 40 characters.
 * @param text e.g. a scenario spec's name
 * @returns a valid name (`caplab` when nothing usable is left)
 * @example k8sName('Singapore Peak!') // 'singapore-peak'
 */
export function k8sName(text: string): string {
  const s = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').slice(0, 40).replace(/^-+|-+$/g, '');
  return s === '' ? 'caplab' : s;
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Splits NDJSON text at line boundaries into parts whose `key + text` stays within `limit` bytes.
 * @param text NDJSON
 * @param keyOf key (file name) of part i
 * @param limit bytes per part
 * @returns the parts, in order; concatenated they are `text`
 * @throws {Error} when one line alone is over the limit
 */
export function splitLines(text: string, keyOf: (i: number) => string, limit: number): string[] {
  const parts: string[] = [];
  let current: string[] = [];
  let size = 0;
  const room = (): number => limit - bytes(keyOf(parts.length));
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl + 1;
    const line = text.slice(start, end);
    const n = bytes(line);
    if (n > room()) throw new Error(`splitLines: line at offset ${start} is ${n} bytes, over the ${limit}-byte ConfigMap limit`);
    if (size + n > room()) {
      parts.push(current.join(''));
      current = [];
      size = 0;
    }
    current.push(line);
    size += n;
    start = end;
  }
  if (current.length > 0 || parts.length === 0) parts.push(current.join(''));
  return parts;
}

function configMap(name: string, data: Record<string, string>, binaryData: Record<string, string> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'caplab' } }, data,
    ...(Object.keys(binaryData).length > 0 ? { binaryData } : {}),
  };
}

function yamlDocs(docs: unknown[]): string {
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

/**
 * Builds the TestRun, ConfigMaps, results claim and collector pod.
 * @param input name, parallelism, script, users, extra arguments
 * @returns YAML texts and object names
 * @throws {Error} naming the bad value: an invalid name or key, parallelism below 1, an argument with a space, or a
 *   script that alone exceeds the ConfigMap limit
 */
export function buildOperatorManifests(input: OperatorInput): OperatorManifests {
  const limit = input.limitBytes ?? CONFIGMAP_LIMIT_BYTES;
  const { name, scriptFile, script, users } = input;
  const files = input.files ?? [];
  if (!LABEL.test(name) || name.length > 52) throw new Error(`buildOperatorManifests: name "${name}" is not a DNS-1123 label of at most 52 characters`);
  if (!Number.isInteger(input.parallelism) || input.parallelism < 1) throw new Error(`buildOperatorManifests: parallelism ${input.parallelism} is not a positive integer`);
  const keys = new Set<string>();
  for (const key of [scriptFile, ...(users ? [users.file] : []), ...files.map((f) => f.file)]) {
    if (!KEY.test(key)) throw new Error(`buildOperatorManifests: "${key}" is not a valid ConfigMap key ([-._a-zA-Z0-9]+)`);
    if (keys.has(key)) throw new Error(`buildOperatorManifests: the key "${key}" is used twice`);
    keys.add(key);
  }
  for (const a of input.arguments ?? []) {
    if (/\s/.test(a)) throw new Error(`buildOperatorManifests: argument "${a}" contains whitespace (k6-operator splits arguments on spaces)`);
  }
  const alone = bytes(scriptFile) + bytes(script);
  if (alone > limit) throw new Error(`buildOperatorManifests: the script is ${alone} bytes, over the ${limit}-byte ConfigMap limit`);
  // The files go beside the script (text in data, bytes base64 in binaryData), where it finds them as it does locally.
  const scriptSize = alone + files.reduce((t, f) => t + bytes(f.file) + (f.text !== undefined ? bytes(f.text) : Math.ceil((f.bytes?.length ?? 0) / 3) * 4), 0);
  if (scriptSize > limit) {
    throw new Error(`buildOperatorManifests: the script and its files (${files.map((f) => f.file).join(', ')}) are ${scriptSize} bytes in a ConfigMap, over its ${limit}-byte limit: mount the files into the runner pods another way (a volume at /test)`);
  }

  const names = {
    testRun: name,
    scriptConfigMap: `${name}-script`,
    usersConfigMaps: [] as string[],
    results: `${name}-results`,
    collector: `${name}-collect`,
  };
  const maps: Record<string, unknown>[] = [];
  const usersParts: string[] = [];
  const scriptData: Record<string, string> = { [scriptFile]: script };
  const binaryData: Record<string, string> = {};
  for (const f of files) {
    if (f.text !== undefined) scriptData[f.file] = f.text;
    else binaryData[f.file] = Buffer.from(f.bytes?.buffer ?? new ArrayBuffer(0), f.bytes?.byteOffset ?? 0, f.bytes?.byteLength ?? 0).toString('base64');
  }
  if (users && scriptSize + bytes(users.file) + bytes(users.text) <= limit) {
    scriptData[users.file] = users.text;
  } else if (users) {
    const keyOf = (i: number): string => `${users.file}.part-${String(i).padStart(3, '0')}`;
    splitLines(users.text, keyOf, limit).forEach((text, i) => {
      const cm = `${name}-users-${String(i).padStart(3, '0')}`;
      names.usersConfigMaps.push(cm);
      usersParts.push(keyOf(i));
      maps.push(configMap(cm, { [keyOf(i)]: text }));
    });
  }
  maps.unshift(configMap(names.scriptConfigMap, scriptData, binaryData));

  const args = [
    `--out json=${RESULTS_DIR}/$(POD_NAME).ndjson.gz`,
    `-e CAPLAB_SUMMARY=${RESULTS_DIR}/$(POD_NAME).summary.json`,
    ...(usersParts.length > 0 ? [`-e CAPLAB_USERS_FILES=${usersParts.map((p) => `${USERS_PARTS_DIR}/${p}`).join(',')}`] : []),
    ...(input.arguments ?? []),
  ];
  const volumes: Record<string, unknown>[] = [{ name: 'caplab-results', persistentVolumeClaim: { claimName: names.results } }];
  const volumeMounts: Record<string, unknown>[] = [{ name: 'caplab-results', mountPath: RESULTS_DIR }];
  if (usersParts.length > 0) {
    volumes.push({ name: 'caplab-users', projected: { sources: names.usersConfigMaps.map((cm) => ({ configMap: { name: cm } })) } });
    volumeMounts.push({ name: 'caplab-users', mountPath: USERS_PARTS_DIR, readOnly: true });
  }
  const pvc = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: names.results, labels: { 'app.kubernetes.io/managed-by': 'caplab' } },
    // Every runner pod writes here at once, possibly from different nodes.
    spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: input.resultsStorage ?? '5Gi' } } },
  };
  const testRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'caplab' } },
    spec: {
      parallelism: input.parallelism,
      script: { configMap: { name: names.scriptConfigMap, file: scriptFile } },
      arguments: args.join(' '),
      runner: {
        env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        volumes,
        volumeMounts,
      },
    },
  };
  const collector = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: names.collector, labels: { 'app.kubernetes.io/managed-by': 'caplab' } },
    spec: {
      restartPolicy: 'Never',
      containers: [{
        name: 'collect', image: 'busybox:1.36', command: ['sleep', '3600'],
        volumeMounts: [{ name: 'caplab-results', mountPath: RESULTS_DIR, readOnly: true }],
      }],
      volumes: [{ name: 'caplab-results', persistentVolumeClaim: { claimName: names.results, readOnly: true } }],
    },
  };
  return {
    configMaps: yamlDocs(maps),
    testRun: yamlDocs([pvc, testRun]),
    collector: yamlDocs([collector]),
    names,
    usersParts,
  };
}
