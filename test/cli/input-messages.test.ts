/**
 * Round 2 item 9 (inputs): a JSON syntax error names its line on Node 20 (whose messages mostly carry no position),
 * `caplab run script.js` says how a k6 script runs, a union-typed field says what it expected instead of "Invalid
 * input", and `demand fit --prometheus` never prints credentials and takes them from the environment.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';

const dir = tempDir('caplab-input-messages-');
afterAll(() => removeDir(dir));

describe('messages that say what is wrong', () => {
  it('a JSON syntax error Node 20 gives no position for ("Unexpected token") names the line and column', async () => {
    const file = join(dir, 'h.json');
    writeFileSync(file, '{\n  "periods": [\n    {"period": "2012", "shipments": x}\n  ]\n}\n');
    const { code, stderr } = await runCli(['forecast', '--history', file]);
    expect(stderr).toBe(`caplab: ${file}:3: not valid JSON (Unexpected token 'x', column 37)\n`);
    expect(code).toBe(104);
  });

  it('caplab run script.js says how a k6 script runs', async () => {
    const script = join(dir, 'script.js');
    writeFileSync(script, 'import http from "k6/http";\nexport default function () { http.get("http://127.0.0.1:9/"); }\n');
    const { code, stderr } = await runCli(['run', script]);
    expect(stderr).toContain(`${script}: this is a script: caplab runs a caplab.scenario/v1 spec`);
    expect(stderr).toContain('caplab run --runner k6 spec.json');
    expect(stderr).toContain('k6 run script.js');
    expect(stderr).not.toMatch(/not valid JSON/);
    expect(code).toBe(104);
  });

  it('a union-typed field (services[1].flow) says which forms it allows', async () => {
    const catalog = join(dir, 'catalog.json');
    writeFileSync(catalog, JSON.stringify({ schema: 'caplab.catalog/v1', services: [
      { name: 'a', flow: 'a.json', demand: { perDevicePerDay: 1 } },
      { name: 'b', flow: 42, demand: { perDevicePerDay: 1 } },
    ] }));
    const { code, stderr } = await runCli(['traffic', '--catalog', catalog, '--json']);
    const line = stderr.split('\n').find((l) => l.includes('services[1].flow'));
    expect(line).toBeDefined();
    expect(line).not.toMatch(/: Invalid input$/);
    expect(line).toMatch(/matches none of its 2 allowed forms: \(1\) expected object, received number; \(2\) expected string, received number/);
    expect(code).toBe(104);
  });
});

describe('caplab demand fit --prometheus credentials', () => {
  let server: Server;
  let base = '';
  const seen: IncomingHttpHeaders[] = [];
  const values = Array.from({ length: 13 }, (_, i) => [Date.UTC(2015, 1, 2, 10) / 1000 + i * 300, '20']);
  const matrix = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { dc: 'singapore', service: 'ota_check' }, values }] } });
  const ACCEPTED = new Set(['Bearer s3cret-token', `Basic ${Buffer.from('ops:pa55word').toString('base64')}`]);

  beforeAll(async () => {
    // A stand-in for an authenticating proxy in front of Prometheus: 401 unless the Authorization header is known.
    server = createServer((req, res) => {
      seen.push(req.headers);
      if (!ACCEPTED.has(req.headers.authorization ?? '')) {
        res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(matrix);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const fit = (url: string, env: Record<string, string> = {}) => runCli(['demand', 'fit', '--prometheus', url, '--query', 'rate(x[5m])',
    '--start', '2015-02-02T10:00:00Z', '--end', '2015-02-02T11:00:00Z', '--devices', 'singapore=864000', '--json'], { env });

  it('a URL with user:password is refused and the password is never printed', async () => {
    const before = seen.length;
    const { code, stdout, stderr } = await fit(`http://ops:pa55word@127.0.0.1:${base.split(':')[2]}`);
    expect(code).toBe(104);
    expect(`${stdout}${stderr}`).not.toContain('pa55word');
    expect(stderr).toContain('//***@127.0.0.1');
    expect(stderr).toMatch(/CAPLAB_PROMETHEUS_TOKEN.*CAPLAB_PROMETHEUS_USER and CAPLAB_PROMETHEUS_PASSWORD/);
    expect(seen.length).toBe(before); // nothing sent
  });

  it('without credentials a 401 says which variables to set', async () => {
    const { code, stderr } = await fit(base);
    expect(stderr).toMatch(/answered HTTP 401: it needs credentials; set CAPLAB_PROMETHEUS_TOKEN/);
    expect(code).toBe(104);
  });

  it.each([
    ['a bearer token', { CAPLAB_PROMETHEUS_TOKEN: 's3cret-token' }, 'Bearer s3cret-token'],
    ['basic auth', { CAPLAB_PROMETHEUS_USER: 'ops', CAPLAB_PROMETHEUS_PASSWORD: 'pa55word' }, `Basic ${Buffer.from('ops:pa55word').toString('base64')}`],
  ])('%s from the environment is sent, and not printed', async (_what, env, header) => {
    const { code, stdout, stderr } = await fit(base, env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(seen.at(-1)!.authorization).toBe(header);
    expect(`${stdout}${stderr}`).not.toMatch(/s3cret|pa55word/);
    expect(JSON.parse(stdout).services.ota_check.perDevicePerDay).toBeCloseTo(2, 5);
  });

  it('wrong credentials are refused by name, without echoing them', async () => {
    const { code, stderr } = await fit(base, { CAPLAB_PROMETHEUS_TOKEN: 'wrong-token' });
    expect(stderr).toMatch(/answered HTTP 401: the credentials were refused/);
    expect(stderr).not.toContain('wrong-token');
    expect(code).toBe(104);
  });
});
