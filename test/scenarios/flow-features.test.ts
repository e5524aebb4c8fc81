/**
 * Flow features of issue 24 item 4, each run for real by both runners against node:http servers on 127.0.0.1:0:
 * `caplab run` (the engine) and `caplab run --runner k6`, which runs the generated k6 script under the k6 stand-in
 * (test/helpers/k6-standin: the script's own runtime, real HTTP). Both must send the same requests and record the
 * same samples: {{env.*}} with k6's precedence, extract by header, regex and between, seeded {{random.*}} and
 * {{uuid}}, and redirects as k6 follows them. The generated scripts type-check against @types/k6.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildK6Script } from '../../scenarios/k6/script.ts';
import { parseScenarioSpec } from '../../scenarios/spec.ts';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { installK6Standin } from '../helpers/k6-standin/main.ts';
import { k6TypeErrors } from './k6/k6-typecheck.ts';

/** A request a server saw. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Recorder {
  url: string;
  seen: Seen[];
  server: Server;
}

type Handler = (req: Seen) => { status: number; headers?: Record<string, string | string[]>; body?: string };

async function startRecorder(handler: Handler): Promise<Recorder> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      const r = handler(s);
      res.writeHead(r.status, r.headers ?? {}).end(r.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

/** Server A: the features' endpoints. */
const handleA: Handler = (req): ReturnType<Handler> => {
  const path = req.url.split('?')[0]!;
  const vu = String(req.headers['x-vu'] ?? '0');
  if (path === '/login') {
    return {
      status: 200, headers: { 'X-Session': `s-${vu}`, 'X-Multi': ['a', 'b'], 'content-type': 'text/html' },
      body: `<html><input name="csrf" value="c-${vu}"><id>i-${vu}</id><empty></empty></html>`,
    };
  }
  if (path === '/items') return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"items":[{"sku":"a"},{"sku":"b"},3]}' };
  if (path === '/r/303') return { status: 303, headers: { Location: '/landing?from=303' } };
  if (path === '/r/307') return { status: 307, headers: { Location: '/echo' } };
  if (path === '/r/cross') return { status: 302, headers: { Location: `${b.url}/x` } };
  if (path === '/r/cookie') return { status: 302, headers: { 'Set-Cookie': ['hop=1; Path=/', 'scoped=2; Path=/r'], Location: '/landing?from=cookie' } };
  const loop = /^\/loop\/(\d+)$/.exec(path);
  if (loop) return { status: 302, headers: { Location: `/loop/${Number(loop[1]) + 1}` } };
  return { status: 200, body: 'ok' };
};

/** Server B: another origin, redirecting relatively once. */
const handleB: Handler = (req): ReturnType<Handler> => {
  if (req.url === '/x') return { status: 301, headers: { Location: '/y' } };
  return { status: 200, body: 'b-ok' };
};

const dir = tempDir('caplab-flow-features-');
const bin = installK6Standin(join(dir, 'bin'));
let a: Recorder;
let b: Recorder;

beforeAll(async () => {
  a = await startRecorder(handleA);
  b = await startRecorder(handleB);
});
afterAll(async () => {
  for (const r of [a, b]) { r.server.closeAllConnections(); await new Promise((res) => r.server.close(res)); }
  removeDir(dir);
});

interface RunOutcome {
  code: number;
  stderr: string;
  /** Requests server A and B saw during the run. */
  seenA: Seen[];
  seenB: Seen[];
  /** http_reqs points: "name method status expected_response", in order. */
  reqs: string[];
  /** The run's output files, as text. */
  outputs: string;
  /** The summary (handleSummary's shape). */
  summary: { root_group: { checks: { name: string; fails: number }[] } };
}

/** Runs a spec with one runner; returns what the servers saw and the http_reqs points. */
async function runWith(runner: 'engine' | 'k6', name: string, spec: Record<string, unknown>, args: string[] = [], env: Record<string, string> = {}): Promise<RunOutcome> {
  const specPath = join(dir, `${name}.json`);
  writeFileSync(specPath, JSON.stringify(spec));
  const points = join(dir, `${name}-${runner}.ndjson`);
  const summary = join(dir, `${name}-${runner}-summary.json`);
  const fromA = a.seen.length;
  const fromB = b.seen.length;
  const r = await runCli(['--seed', '5', 'run', '--runner', runner, specPath, '-o', `json=${points}`, '--summary-json', summary, ...args],
    { env: { PATH: `${bin}:${process.env.PATH ?? ''}`, ...env } });
  const lines = readFileSync(points, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; metric: string; data: { tags: Record<string, string> } });
  const reqs = lines.filter((p) => p.type === 'Point' && p.metric === 'http_reqs')
    .map((p) => `${p.data.tags.name} ${p.data.tags.method} ${p.data.tags.status} ${p.data.tags.expected_response}`);
  const summaryText = readFileSync(summary, 'utf8');
  return {
    code: r.code, stderr: r.stderr, seenA: a.seen.slice(fromA), seenB: b.seen.slice(fromB), reqs,
    outputs: readFileSync(points, 'utf8') + summaryText, summary: JSON.parse(summaryText) as RunOutcome['summary'],
  };
}

/** A request as both runners must send it (user-agent, host and lengths are transport details). */
function essence(s: Seen, headers: string[]): string {
  const h = Object.fromEntries(headers.filter((k) => s.headers[k] !== undefined).map((k) => [k, s.headers[k]]));
  return JSON.stringify([s.method, s.url, h, s.body]);
}

const sorted = (xs: string[]): string[] => [...xs].sort();

describe('{{env.*}}: -e over the process environment over the spec\'s env, a scenario\'s env over all (k6)', () => {
  const spec = (): Record<string, unknown> => ({
    schema: 'caplab.scenario/v1', name: 'env', baseUrl: a.url,
    env: { REGION: 'spec-region', TIER: 'spec-tier', SYS: 'spec-sys', WHO: 'spec-who' },
    options: { scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 2, env: { WHO: 'scenario-who' } } } },
    setup: { steps: [{ name: 'boot', path: '/echo?setup=1', headers: { 'X-Env': '{{env.REGION}}|{{env.TIER}}|{{env.SYS}}|{{env.WHO}}' } }] },
    flows: { default: { steps: [
      { name: 'env', method: 'POST', path: '/echo?r={{env.REGION}}', json: { region: '{{env.REGION}}', tier: '{{env.TIER}}', sys: '{{env.SYS}}', who: '{{env.WHO}}' } },
      { name: 'secret', path: '/echo?secret=1', headers: { Authorization: 'Bearer {{env.CAPLAB_T_TOKEN}}' } },
    ] } },
  });
  const processEnv = { CAPLAB_T_TOKEN: 'tok-secret-4711', SYS: 'system-sys', REGION: 'system-region', WHO: 'system-who' };
  const args = ['-e', 'REGION=cli-region', '-e', 'WHO=cli-who'];
  const keys = ['x-env', 'authorization', 'content-type'];

  it('renders the same values in both runners, and never writes an environment value into the outputs', async () => {
    const engine = await runWith('engine', 'env', spec(), args, processEnv);
    expect(engine.code, engine.stderr).toBe(0);
    const k6 = await runWith('k6', 'env', spec(), args, processEnv);
    expect(k6.code, k6.stderr).toBe(0);
    expect(engine.seenA.map((s) => essence(s, keys))).toEqual(k6.seenA.map((s) => essence(s, keys)));
    expect(engine.seenA[0]!.headers['x-env']).toBe('cli-region|spec-tier|system-sys|cli-who');
    expect(JSON.parse(engine.seenA[1]!.body)).toEqual({ region: 'cli-region', tier: 'spec-tier', sys: 'system-sys', who: 'scenario-who' });
    expect(engine.seenA[2]!.headers.authorization).toBe('Bearer tok-secret-4711');
    for (const r of [engine, k6]) expect(r.outputs).not.toContain('tok-secret-4711');
    // Worker threads get the run's environment too (setup runs in the parent, the iterations in the workers).
    const workers = await runWith('engine', 'env-workers', spec(), [...args, '--workers', '2'], processEnv);
    expect(workers.code, workers.stderr).toBe(0);
    expect(new Set(workers.seenA.map((s) => essence(s, keys)))).toEqual(new Set(engine.seenA.map((s) => essence(s, keys))));
  });

  it('with --no-system-env reads no process variable (k6 --include-system-env-vars=false): defaults apply, a missing one fails the iteration', async () => {
    const engine = await runWith('engine', 'env-nosys', spec(), [...args, '--no-system-env'], processEnv);
    const k6 = await runWith('k6', 'env-nosys', spec(), [...args, '--no-system-env'], processEnv);
    expect(engine.code, engine.stderr).toBe(0);
    expect(k6.code, k6.stderr).toBe(0);
    expect(engine.seenA.map((s) => essence(s, keys))).toEqual(k6.seenA.map((s) => essence(s, keys)));
    expect(JSON.parse(engine.seenA[1]!.body)).toMatchObject({ sys: 'spec-sys', region: 'cli-region' });
    expect(engine.seenA.some((s) => s.url.includes('secret'))).toBe(false);
    expect(engine.stderr).toContain('{{env.CAPLAB_T_TOKEN}} is not set');
    expect(k6.stderr).toContain('{{env.CAPLAB_T_TOKEN}} is not set');
  });

  it('compiles {{env.X}} to __ENV with the spec\'s env as defaults and no value from the environment', async () => {
    const out = join(dir, 'env-build');
    writeFileSync(join(dir, 'env-build.json'), JSON.stringify(spec()));
    const r = await runCli(['--out-dir', out, 'k6', 'build', join(dir, 'env-build.json')], { env: processEnv });
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(out, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => readFileSync(join(d.parentPath, d.name), 'utf8'));
    const script = files.find((t) => t.includes("from 'k6/http'"))!;
    expect(script).toContain('__ENV[name]');
    expect(script).toContain('"TIER": "spec-tier"');
    for (const text of files) for (const v of Object.values(processEnv)) expect(text).not.toContain(v);
  });

  it('refuses a -e name k6 refuses, listing every bad flag (exit 104)', async () => {
    writeFileSync(join(dir, 'env-bad.json'), JSON.stringify(spec()));
    const r = await runCli(['run', join(dir, 'env-bad.json'), '-e', '1BAD=x', '-e', 'A-B=y', '--vus', 'x']);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('invalid environment variable name "1BAD"');
    expect(r.stderr).toContain('invalid environment variable name "A-B"');
    expect(r.stderr).toContain('--vus');
  });
});

describe('extract by header, regex and between', () => {
  const spec = (): Record<string, unknown> => ({
    schema: 'caplab.scenario/v1', name: 'extract', baseUrl: a.url,
    options: { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 2 } } },
    flows: { default: { steps: [
      { name: 'login', once: true, path: '/login', headers: { 'X-Vu': '{{vu}}' },
        extract: { session: { header: 'x-session' }, multi: { header: 'X-Multi' }, csrf: { regex: 'name="csrf" value="([^"]+)"' }, id: { between: ['<id>', '</id>'] }, empty: { between: ['<empty>', '</empty>'] } } },
      { name: 'use', method: 'POST', path: '/echo', headers: { 'X-Vu': '{{vu}}', 'X-Session': '{{vars.session}}', 'X-Multi-Seen': '{{vars.multi}}' }, body: 'csrf={{vars.csrf}}&id={{vars.id}}&empty=[{{vars.empty}}]' },
      { name: 'miss', once: true, path: '/login', headers: { 'X-Vu': '{{vu}}' }, extract: { nope: { header: 'X-Nope' }, alsoNope: { regex: 'zz(\\d+)' } } },
      { name: 'after', path: '/echo?m={{vars.nope}}', headers: { 'X-Vu': '{{vu}}' } },
    ] } },
  });

  it('takes the same values in both runners; a failed extraction leaves the once-step to retry and the variable unset', async () => {
    const engine = await runWith('engine', 'extract', spec());
    const k6 = await runWith('k6', 'extract', spec());
    expect(engine.code, engine.stderr).toBe(0);
    expect(k6.code, k6.stderr).toBe(0);
    const keys = ['x-vu', 'x-session', 'x-multi-seen'];
    expect(sorted(engine.seenA.map((s) => essence(s, keys)))).toEqual(sorted(k6.seenA.map((s) => essence(s, keys))));
    const uses = engine.seenA.filter((s) => s.url === '/echo');
    expect(uses).toHaveLength(4);
    for (const u of uses) {
      const vu = String(u.headers['x-vu']);
      expect(u.headers['x-session']).toBe(`s-${vu}`);
      expect(u.headers['x-multi-seen']).toBe('a, b');
      expect(u.body).toBe(`csrf=c-${vu}&id=i-${vu}&empty=[]`);
    }
    // login once per VU; miss retried in every iteration; after never sent.
    expect(engine.seenA.filter((s) => s.url === '/login')).toHaveLength(2 + 4);
    expect(engine.seenA.some((s) => s.url.startsWith('/echo?m='))).toBe(false);
    for (const r of [engine, k6]) expect(r.stderr).toContain('{{vars.nope}} is not set');
    expect(sorted(engine.reqs)).toEqual(sorted(k6.reqs));
  });
});

describe('seeded {{random.*}} and {{uuid}}', () => {
  const spec = (): Record<string, unknown> => ({
    schema: 'caplab.scenario/v1', name: 'random', baseUrl: a.url,
    options: { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 3 } } },
    setup: { steps: [{ name: 'items', path: '/items', extract: { items: '$.items' } }] },
    flows: { default: { steps: [
      { name: 'rnd', method: 'POST', path: '/echo?q={{uuid}}&n={{random.int 1 6}}', headers: { 'X-Vu': '{{vu}}', 'X-It': '{{iteration}}', 'X-R': '{{random.int -1000000 1000000}}' },
        json: { n: '{{random.int 1 100}}', p: '{{random.pick red green "dark blue"}}', id: '{{uuid}}', item: '{{random.pick vars.items}}', s: 'x-{{random.int 1 6}}-{{random.int 1 6}}', nested: { a: ['{{uuid}}'] } } },
      { name: 'rnd2', method: 'POST', path: '/echo', headers: { 'X-Vu': '{{vu}}', 'X-It': '{{iteration}}' }, body: '{{uuid}} {{random.int 1 1000}}', cookies: { r: '{{random.int 1 1000000}}', u: '{{uuid}}' } },
    ] } },
  });
  // A step's cookies draw their own values too (cookie:<name> under the step's key), in both runners.
  const keys = ['x-vu', 'x-it', 'x-r', 'cookie'];
  const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('draws the same values for the same seed, VU and iteration in the engine and in the k6 script', async () => {
    const engine = await runWith('engine', 'random', spec());
    const k6 = await runWith('k6', 'random', spec());
    expect(engine.code, engine.stderr).toBe(0);
    expect(k6.code, k6.stderr).toBe(0);
    const e = sorted(engine.seenA.filter((s) => s.url !== '/items').map((s) => essence(s, keys)));
    expect(e).toHaveLength(12);
    expect(sorted(k6.seenA.filter((s) => s.url !== '/items').map((s) => essence(s, keys)))).toEqual(e);
    const bodies = engine.seenA.filter((s) => s.url.startsWith('/echo?')).map((s) => JSON.parse(s.body) as Record<string, any>);
    for (const body of bodies) {
      expect(body.n >= 1 && body.n <= 100 && Number.isInteger(body.n)).toBe(true);
      expect(['red', 'green', 'dark blue']).toContain(body.p);
      expect(body.id).toMatch(UUID_V4);
      expect([{ sku: 'a' }, { sku: 'b' }, 3]).toContainEqual(body.item);
      expect(body.s).toMatch(/^x-[1-6]-[1-6]$/);
    }
    expect(new Set(bodies.map((x) => x.id)).size).toBe(6);
    const cookies = engine.seenA.filter((x) => x.url === '/echo').map((x) => String(x.headers.cookie));
    expect(cookies).toHaveLength(6);
    for (const c of cookies) expect(c).toMatch(/^r=\d+; u=[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(cookies).size).toBe(6);
    // The same seed gives the same bytes again; another seed gives others.
    const again = await runWith('engine', 'random', spec());
    expect(sorted(again.seenA.filter((s) => s.url !== '/items').map((s) => essence(s, keys)))).toEqual(e);
    const fromA = a.seen.length;
    writeFileSync(join(dir, 'random-seed.json'), JSON.stringify(spec()));
    const other = await runCli(['--seed', '6', 'run', join(dir, 'random-seed.json')]);
    expect(other.code, other.stderr).toBe(0);
    expect(sorted(a.seen.slice(fromA).filter((s) => s.url !== '/items').map((s) => essence(s, keys)))).not.toEqual(e);
  });
});

describe('redirects: maxRedirects (default 10) and a step\'s redirects, as k6 follows them', () => {
  const spec = (): Record<string, unknown> => ({
    schema: 'caplab.scenario/v1', name: 'redirects', baseUrl: a.url,
    options: { scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 1 } } },
    flows: { default: { steps: [
      { name: 'see-other', method: 'POST', path: '/r/303', headers: { Authorization: 'Bearer t' }, json: { a: 1 }, checks: { status: 200 } },
      { name: 'temporary', method: 'PUT', path: '/r/307', body: 'keep me', checks: { status: 200 } },
      { name: 'cross', path: '/r/cross', headers: { Authorization: 'Bearer t' }, checks: { status: 200 }, extract: { where: { between: ['b-', 'k'] } } },
      { name: 'loop', path: '/loop/0', checks: { status: 302 } },
      { name: 'loop2', path: '/loop/100', redirects: 2, expectedStatuses: [200] },
      { name: 'nofollow', path: '/r/303', redirects: 0, checks: { status: 303 } },
    ] } },
  });
  const keys = ['authorization', 'referer', 'content-type'];

  it('sends the same chains in both runners, each request its own sample, and returns the last 3xx past the limit', async () => {
    const engine = await runWith('engine', 'redirects', spec());
    const k6 = await runWith('k6', 'redirects', spec());
    expect(engine.code, engine.stderr).toBe(0);
    expect(k6.code, k6.stderr).toBe(0);
    const norm = (r: RunOutcome, url: string): string[] => r.seenA.concat(r.seenB).map((s) => essence(s, keys).split(url).join('A').split(b.url).join('B'));
    expect(norm(k6, a.url)).toEqual(norm(engine, a.url));
    expect(k6.reqs).toEqual(engine.reqs);
    const seen = engine.seenA.map((s) => `${s.method} ${s.url}`);
    // 303 after a POST: a GET without the body; the step's headers (same host: Authorization too) and a Referer.
    const landing = engine.seenA.find((s) => s.url === '/landing?from=303')!;
    expect(landing).toMatchObject({ method: 'GET', body: '' });
    expect(landing.headers).toMatchObject({ authorization: 'Bearer t', referer: `${a.url}/r/303`, 'content-type': 'application/json' });
    // 307: same method and body, on the relative Location (another origin's path resolved against A).
    expect(engine.seenA.find((s) => s.url === '/echo')).toMatchObject({ method: 'PUT', body: 'keep me' });
    // Another host:port: Authorization dropped, Referer set; then B's relative redirect stays on B.
    expect(engine.seenB.map((s) => [s.url, s.headers.authorization, s.headers.referer])).toEqual([['/x', undefined, `${a.url}/r/cross`], ['/y', undefined, `${b.url}/x`]]);
    // The default limit: 10 redirects followed, the 11th 3xx returned (no error); redirects: 2 -> 3 requests.
    expect(seen.filter((s) => /^GET \/loop\/\d$|^GET \/loop\/10$/.test(s))).toHaveLength(11);
    expect(seen.filter((s) => s.startsWith('GET /loop/10') && s !== 'GET /loop/10')).toEqual(['GET /loop/100', 'GET /loop/101', 'GET /loop/102']);
    expect(engine.reqs).toEqual([
      'see-other POST 303 true', 'see-other GET 200 true',
      'temporary PUT 307 true', 'temporary PUT 200 true',
      'cross GET 302 true', 'cross GET 301 true', 'cross GET 200 true',
      ...Array(11).fill('loop GET 302 true'),
      'loop2 GET 302 false', 'loop2 GET 302 false', 'loop2 GET 302 false',
      'nofollow GET 303 true',
    ]);
    expect(engine.stderr).toMatch(/step "loop": stopped after 10 redirects and returned the redirection/);
    expect(engine.stderr).not.toMatch(/step "loop2": stopped/);
    // Checks read the last response in both.
    const checks = (r: RunOutcome): unknown => r.summary.root_group.checks.map((c) => [c.name, c.fails]);
    expect(checks(k6)).toEqual(checks(engine));
    expect(checks(engine)).toEqual([['see-other: status is 200', 0], ['temporary: status is 200', 0], ['cross: status is 200', 0], ['loop: status is 302', 0], ['nofollow: status is 303', 0]]);
  });

  it('stores each hop\'s Set-Cookie in the VU\'s jar and makes each hop\'s Cookie anew, as k6\'s CheckRedirect', async () => {
    const s = spec();
    (s.flows as { default: { steps: unknown[] } }).default.steps = [
      { name: 'hop', path: '/r/cookie', headers: { Cookie: 'mine=1' }, cookies: { own: 'o-{{vu}}' }, checks: { status: 200 } },
      { name: 'after', path: '/r/after' },
    ];
    const engine = await runWith('engine', 'redirect-cookies', s);
    const k6 = await runWith('k6', 'redirect-cookies', s);
    expect(engine.code, engine.stderr).toBe(0);
    expect(k6.code, k6.stderr).toBe(0);
    const cookies = (r: RunOutcome): unknown[] => r.seenA.map((x) => [x.url, x.headers.cookie]);
    expect(cookies(engine)).toEqual([
      ['/r/cookie', 'mine=1; own=o-1'],
      // The hop: the step's own Cookie header is not carried on; its cookies, then the jar's for the hop's URL.
      ['/landing?from=cookie', 'own=o-1; hop=1'],
      // The next step: the jar's cookies for its path (`scoped` is for /r: a longer path, first).
      ['/r/after', 'scoped=2; hop=1'],
    ]);
    expect(cookies(k6)).toEqual(cookies(engine));
    expect(k6.reqs).toEqual(engine.reqs);
  });

  it('follows options.maxRedirects when the step sets none', async () => {
    const s = spec();
    s.options = { ...(s.options as object), maxRedirects: 1 };
    (s.flows as { default: { steps: unknown[] } }).default.steps = [{ name: 'loop', path: '/loop/0' }];
    const engine = await runWith('engine', 'max-redirects', s);
    const k6 = await runWith('k6', 'max-redirects', s);
    expect(engine.reqs).toEqual(['loop GET 302 true', 'loop GET 302 true']);
    expect(k6.reqs).toEqual(engine.reqs);
    expect(engine.stderr).not.toMatch(/stopped after/);
  });
});

describe('the generated scripts', () => {
  it('type-check against @types/k6 with every feature in them', async () => {
    const spec = parseScenarioSpec({
      schema: 'caplab.scenario/v1', name: 'all', baseUrl: 'http://127.0.0.1:1', env: { A: 'x' },
      options: { maxRedirects: 3 },
      flows: { default: { steps: [
        { name: 's', method: 'POST', path: '/a?u={{uuid}}&e={{env.A}}', headers: { 'X-R': '{{random.int 1 9}}' }, redirects: 1,
          json: { p: '{{random.pick a b}}', l: '{{random.pick vars.l}}' }, extract: { h: { header: 'X-H' }, r: { regex: 'v=(\\d+)' }, b: { between: ['<', '>'] }, j: '$.x' } },
      ] } },
    }, 'all.json');
    writeFileSync(join(dir, 'all.js'), buildK6Script(spec, { seed: 3 }));
    expect(await k6TypeErrors(dir, ['all.js'])).toEqual([]);
  });
});
