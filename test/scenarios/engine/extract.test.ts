/**
 * extract.ts and headers.ts: findBetween as k6 jslib's (a missing marker told apart from an empty value), regex
 * extracts with exactly one group, header values as k6's res.headers gives them; and the spec's validation of the new
 * step and option fields, every problem with its JSON path.
 */
import { describe, expect, it } from 'vitest';
import { compileExtract, findBetween, regexProblem } from '../../../scenarios/engine/extract.ts';
import { headerValue } from '../../../scenarios/engine/headers.ts';
import type { HttpResponse } from '../../../scenarios/engine/http-response.ts';
import { ValidationError } from '../../../models/errors.ts';
import { parseScenarioSpec } from '../../../scenarios/spec.ts';

const res = (head: string | undefined, body: string): HttpResponse => ({
  status: 200, body: Buffer.from(body), bodySize: body.length, endedAt: 0, ...(head === undefined ? {} : { head }),
  timings: { blocked: 0, connecting: 0, tlsHandshaking: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 },
});

describe('extract sources', () => {
  it('findBetween takes the first left marker and the next right one; a missing marker is no value', () => {
    expect(findBetween('a<id>1</id><id>2</id>', '<id>', '</id>')).toBe('1');
    expect(findBetween('</id>x<id>7</id>', '<id>', '</id>')).toBe('7');
    expect(findBetween('<e></e>', '<e>', '</e>')).toBe('');
    expect(findBetween('<id>1', '<id>', '</id>')).toBeUndefined();
    expect(findBetween('1</id>', '<id>', '</id>')).toBeUndefined();
  });

  it('a regex has exactly one capture group; its first match is the value', () => {
    expect(regexProblem('v=(\\d+)')).toBeUndefined();
    expect(regexProblem('(?:a)(b)')).toBeUndefined();
    expect(regexProblem('v=\\d+')).toMatch(/exactly one capture group.*has 0/);
    expect(regexProblem('(a)(b)')).toMatch(/has 2/);
    expect(regexProblem('(')).toMatch(/not a regular expression/);
    const e = compileExtract('v', { regex: 'v=(\\d+)' });
    expect(e.read(res(undefined, 'x v=12 v=13'), undefined, () => 'x v=12 v=13')).toBe('12');
    expect(e.read(res(undefined, 'none'), undefined, () => 'none')).toBeUndefined();
  });

  it('a header is found in any case, repeated values joined with ", " as k6 does', () => {
    const head = 'Content-Type: text/html\r\nX-Multi: a\r\nx-multi:  b \r\nX-Session: s1';
    expect(headerValue(head, 'x-session')).toBe('s1');
    expect(headerValue(head, 'X-MULTI')).toBe('a, b');
    expect(headerValue(head, 'X-None')).toBeUndefined();
    expect(headerValue(undefined, 'X-Session')).toBeUndefined();
    expect(compileExtract('s', { header: 'X-Session' }).read(res(head, ''), undefined, () => '')).toBe('s1');
    expect(compileExtract('j', '$.a').needs).toBe('json');
    expect(compileExtract('j', { json: '$.a' }).read(res(undefined, ''), { a: 1 }, () => '')).toBe(1);
  });
});

describe('spec validation of env, extract, redirects and random templates', () => {
  it('lists every problem with its JSON path', () => {
    const spec = {
      schema: 'caplab.scenario/v1', name: 'x', env: { 'A-B': 'x', OK: 'y' }, options: { maxRedirects: -1 },
      flows: { default: { steps: [{
        url: 'http://h/', redirects: 1.5,
        extract: { a: 'nope', b: { header: 'X', regex: '(a)' }, c: { regex: 'a' }, d: { between: ['a'] }, e: { header: 'bad name' } },
      }] } },
    };
    let problems: string[] = [];
    try {
      parseScenarioSpec(spec, 's.json');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      problems = err.problems.map((p) => `${p.where}: ${p.message}`);
    }
    expect(problems).toEqual(expect.arrayContaining([
      's.json: env.A-B: "A-B" is not an environment variable name (letters, digits and _, not starting with a digit)',
      expect.stringMatching(/^s\.json: options\.maxRedirects: /),
      expect.stringMatching(/^s\.json: flows\.default\.steps\[0\]\.redirects: /),
      's.json: flows.default.steps[0].extract.a: not a JSONPath like $.token or $.items[0].id',
      's.json: flows.default.steps[0].extract.b: an extract is a JSONPath string or an object with exactly one of "json", "header", "regex" or "between"',
      's.json: flows.default.steps[0].extract.c.regex: a regex extract has exactly one capture group (the value); this one has 0',
      expect.stringMatching(/^s\.json: flows\.default\.steps\[0\]\.extract\.d: an extract is/),
      's.json: flows.default.steps[0].extract.e.header: not a header name',
    ]));
    expect(problems).toHaveLength(8);
  });

  it('names each bad random template of a step', () => {
    const spec = {
      schema: 'caplab.scenario/v1', name: 'x',
      flows: { default: { steps: [{ url: 'http://h/{{random.int 5 1}}', json: { a: '{{random.pick}}', b: '{{random.float}}', c: '{{uuid}}' } }] } },
    };
    expect(() => parseScenarioSpec(spec, 's.json')).toThrow(ValidationError);
    try {
      parseScenarioSpec(spec, 's.json');
    } catch (err) {
      expect((err as ValidationError).problems.map((p) => `${p.where}: ${p.message}`)).toEqual([
        's.json: flows.default.steps[0]: {{random.int 5 1}}: MIN 5 is above MAX 1',
        's.json: flows.default.steps[0]: {{random.pick}}: random.pick takes the values to pick from (random.pick a b c) or one list (random.pick vars.items)',
        's.json: flows.default.steps[0]: unknown template {{random.float}} (random helpers: {{random.int MIN MAX}}, {{random.pick a b c}}, {{random.pick vars.list}}, {{uuid}})',
      ]);
    }
  });
});
