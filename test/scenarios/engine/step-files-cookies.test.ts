/**
 * The engine's side of cookies, files and multipart below the full runs of flow-files.test.ts: Set-Cookie read from
 * HTTP/1.1 and HTTP/2 responses, Secure cookies over https (h2), k6's noCookiesReset, multipart bytes in Go's layout,
 * and the spec's rules for these fields (every problem with its JSON path).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../models/errors.ts';
import { VuHttp } from '../../../scenarios/engine/vu-http.ts';
import { boundaryFits, buildMultipart, multipartBoundary } from '../../../scenarios/engine/multipart.ts';
import { effectiveScenarios, runEngine } from '../../../scenarios/engine/run.ts';
import { k6Options } from '../../../scenarios/k6/options.ts';
import { parseScenarioSpec } from '../../../scenarios/spec.ts';
import { closeH2, h2Req, h2Server, h2Vu } from '../../helpers/http2-server.ts';
import { CollectingSink } from '../server.ts';

afterEach(closeH2);

/** A server that sets a cookie on /login and records the Cookie header of every request. */
async function cookieServer(): Promise<{ url: string; cookies: string[]; close(): Promise<void> }> {
  const cookies: string[] = [];
  const server = createServer((req, res) => {
    cookies.push(`${req.url} ${req.headers.cookie ?? ''}`);
    if (req.url === '/login') res.setHeader('SET-COOKIE', ['a=1; Path=/', 'b=2; Path=/']);
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cookies,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('Set-Cookie on the wire', () => {
  it('is read from HTTP/1.1 heads (any case, every line) and from HTTP/2 headers', async () => {
    const s = await cookieServer();
    try {
      const http = new VuHttp();
      const r = await http.request({ origin: s.url, path: '/login', method: 'GET', headers: [], timeoutMs: 5000, keepBody: false });
      expect(r.setCookies).toEqual(['a=1; Path=/', 'b=2; Path=/']);
      const r2 = await http.request({ origin: s.url, path: '/x', method: 'GET', headers: [], timeoutMs: 5000, keepBody: false });
      expect(r2.setCookies).toBeUndefined();
      await http.close();
    } finally {
      await s.close();
    }
    const h2 = await h2Server((stream) => { stream.respond({ ':status': 200, 'set-cookie': ['sid=x; Secure', 'c=3'] }); stream.end('ok'); });
    const r = await h2Vu().request(h2Req(h2.origin));
    expect([r.proto, r.setCookies]).toEqual(['HTTP/2.0', ['sid=x; Secure', 'c=3']]);
  });

  it('sends Secure cookies back over https (HTTP/2), and keeps them across iterations only with noCookiesReset', async () => {
    const h2 = await h2Server((stream, seen) => {
      stream.respond({ ':status': 200, ...(seen.headers[':path'] === '/login' ? { 'set-cookie': ['sid=x; Secure; Path=/'] } : {}) });
      stream.end('ok');
    });
    const run = async (noCookiesReset: boolean): Promise<string[]> => {
      const spec = parseScenarioSpec({
        schema: 'caplab.scenario/v1', name: 'c', baseUrl: h2.origin,
        options: { insecureSkipTLSVerify: true, noCookiesReset, scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 2 } } },
        flows: { default: { steps: [{ name: 'me', path: '/me' }, { name: 'login', path: '/login' }, { name: 'me2', path: '/me' }] } },
      }, 'c.json');
      h2.streams.length = 0;
      await runEngine(spec, effectiveScenarios(spec), { sink: new CollectingSink(), seed: 1 });
      return h2.streams.map((st) => `${st.headers[':path']} ${st.headers.cookie ?? ''}`.trim());
    };
    expect(await run(false)).toEqual(['/me', '/login', '/me sid=x', '/me', '/login', '/me sid=x']);
    expect(await run(true)).toEqual(['/me', '/login', '/me sid=x', '/me sid=x', '/login sid=x', '/me sid=x']);
    const spec = parseScenarioSpec({ schema: 'caplab.scenario/v1', name: 'c', options: { noCookiesReset: true }, flows: { default: { steps: [{ url: 'http://x/' }] } } }, 'c.json');
    expect(k6Options(spec)).toMatchObject({ noCookiesReset: true });
  });
});

describe('multipart bodies', () => {
  it('are written in Go\'s mime/multipart layout, with k6\'s file part headers', () => {
    const body = buildMultipart([
      { name: 'caption', text: 'a "b"' },
      { name: 'photo', data: Buffer.from([0, 1, 2]), filename: 'x"y.jpg', contentType: 'image/jpeg' },
    ], 'B0');
    expect(body.toString('latin1')).toBe(
      '--B0\r\nContent-Disposition: form-data; name="caption"\r\n\r\na "b"'
      + '\r\n--B0\r\nContent-Disposition: form-data; name="photo"; filename="x\\"y.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\x00\x01\x02'
      + '\r\n--B0--\r\n');
  });

  it('get a boundary of 60 hex digits from the seed and step, replaced when a part holds it', () => {
    const b = multipartBoundary(7, 'default#3');
    expect(b).toMatch(/^[0-9a-f]{60}$/);
    expect(multipartBoundary(7, 'default#3')).toBe(b);
    expect(multipartBoundary(8, 'default#3')).not.toBe(b);
    expect(multipartBoundary(7, 'default#3', 1)).not.toBe(b);
    expect(boundaryFits([{ name: 'f', data: Buffer.from(`xx--${b}yy`), filename: 'f', contentType: 't' }], b)).toBe(false);
    expect(boundaryFits([{ name: 'f', text: b }], b)).toBe(true);
  });
});

describe('spec rules of cookies, files, multipart and data sets', () => {
  it('lists every problem with its JSON path', () => {
    const spec = {
      schema: 'caplab.scenario/v1', name: 'bad', baseUrl: 'http://x',
      data: { sets: { rows: { file: 'rows.txt' }, 'bad-name': { file: 'a.csv' } } },
      flows: { default: { steps: [
        { path: '/a', json: {}, multipart: { f: { file: 'a.bin' } } },
        { path: '/b', multipart: { only: 'text' }, headers: { 'Content-Type': 'multipart/form-data' } },
        { path: '/c', cookies: { 'bad name': 'x', ok: { value: 'v', replace: 'yes' } } },
        { path: '/d?x={{data.nope.col}}&y={{data.rows}}', body: { file: '' } },
      ] } },
    };
    let problems: string[] = [];
    try {
      parseScenarioSpec(spec, 'bad.json');
    } catch (err) {
      problems = (err as ValidationError).problems.map((p) => `${p.where}: ${p.message}`);
    }
    expect(problems).toEqual([
      'bad.json: flows.default.steps[2].cookies.ok: matches none of its 2 allowed forms: (1) expected string, received object; (2) replace: expected boolean, received string',
      'bad.json: flows.default.steps[3].body.file: Too small: expected string to have >=1 characters',
    ]);
    // With the shapes fixed, the cross-field rules speak.
    spec.flows.default.steps[2] = { path: '/c', cookies: { 'bad name': 'x', ok: { value: 'v', replace: true } } } as never;
    spec.flows.default.steps[3] = { path: '/d?x={{data.nope.col}}&y={{data.rows}}' } as never;
    try {
      parseScenarioSpec(spec, 'bad.json');
      throw new Error('no problem found');
    } catch (err) {
      problems = (err as ValidationError).problems.map((p) => `${p.where}: ${p.message}`);
    }
    expect(problems).toEqual([
      'bad.json: flows.default.steps[0]: a step has at most one of "json", "body" or "multipart" (it has "json" and "multipart")',
      'bad.json: flows.default.steps[1].multipart: multipart needs at least one file part ({"file": "path"}); plain fields alone are a url-encoded form: send them as "body" with a content-type header',
      'bad.json: flows.default.steps[1].headers.Content-Type: a multipart step sets no Content-Type: the runner writes multipart/form-data with its boundary',
      'bad.json: flows.default.steps[3]: {{data.nope.col}} names the data set "nope", which data.sets does not declare (it has "rows", "bad-name")',
      'bad.json: flows.default.steps[3]: {{data.rows}} is not {{data.<set>.<column>}}',
      'bad.json: flows.default.steps[2].cookies.bad name: "bad name" is not a cookie name (an HTTP token: letters, digits and !#$%&\'*+-.^_`|~)',
      'bad.json: data.sets.rows.format: cannot tell the format of "rows.txt" from its extension: say "format": "csv" or "json"',
      'bad.json: data.sets.bad-name: "bad-name" is not a data set name: letters, digits and _, not starting with a digit (templates read it as {{data.<name>.<column>}})',
    ].sort((a, b) => problems.indexOf(a) - problems.indexOf(b)));
  });
});
