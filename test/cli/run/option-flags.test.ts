/**
 * k6's option flags on `caplab run` (k6 run's --user-agent, --no-connection-reuse, --no-vu-connection-reuse,
 * --max-redirects): each sets its option over the spec's, as k6's CLI flags do, checked on a real server on 127.0.0.1
 * that records each request's User-Agent and path and counts the connections it accepted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';

const dir = tempDir('caplab-run-option-flags-');
let server: Server;
let url = '';
let connections = 0;
let seen: { path: string; ua: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', ua: req.headers['user-agent'] });
    if (req.url === '/hop') res.writeHead(302, { location: '/end' }).end();
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  server.on('connection', () => { connections++; });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeFileSync(join(dir, 'spec.json'), JSON.stringify({
    schema: 'caplab.scenario/v1', name: 'flags', baseUrl: url, options: { userAgent: 'from-spec/1', scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 3 } } },
    flows: { default: { steps: [{ name: 'a', path: '/a' }, { name: 'hop', path: '/hop', expectedStatuses: [200, 302] }] } },
  }));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  removeDir(dir);
});
beforeEach(() => {
  connections = 0;
  seen = [];
});

const run = async (...flags: string[]) => {
  const r = await runCli(['--quiet', 'run', join(dir, 'spec.json'), ...flags]);
  expect(r.code, r.stderr).toBe(0);
};

describe('k6 option flags on caplab run', () => {
  it('without flags: the spec\'s userAgent, one kept-alive connection, redirects followed', async () => {
    await run();
    expect(new Set(seen.map((s) => s.ua))).toEqual(new Set(['from-spec/1']));
    expect(seen.map((s) => s.path)).toEqual(Array(3).fill(['/a', '/hop', '/end']).flat());
    expect(connections).toBe(1);
  });

  it('--user-agent wins over the spec, --max-redirects 0 follows none, --no-connection-reuse connects per request', async () => {
    await run('--user-agent', 'from-flag/2', '--max-redirects', '0', '--no-connection-reuse');
    expect(new Set(seen.map((s) => s.ua))).toEqual(new Set(['from-flag/2']));
    expect(seen.map((s) => s.path)).toEqual(Array(3).fill(['/a', '/hop']).flat());
    expect(connections).toBe(6);
  });

  it('--no-vu-connection-reuse: a new connection each iteration', async () => {
    await run('--no-vu-connection-reuse');
    expect(connections).toBe(3);
  });

  it('a --max-redirects that is not a whole number: 104 naming the flag, nothing sent', async () => {
    const r = await runCli(['--quiet', 'run', join(dir, 'spec.json'), '--max-redirects', 'ten']);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('--max-redirects: "ten" is not a whole number >= 0');
    expect(seen).toEqual([]);
  });
});
