import { describe, expect, it } from 'vitest';
import { jsonErrorLocation, jsonErrorOffset, jsonErrorReason } from '../../models/json-syntax.ts';

const v8Position = (text: string): number | undefined => {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    const m = / at position (\d+)/.exec((err as Error).message);
    return m ? Number(m[1]) : -1;
  }
};

const VALID = ['{}', '[]', '0', '-1.5e+3', '"a\\u00e9\\n"', ' {"a": [1, {"b": null}, true, false], "c": "x"} ', '[[[[]]]]'];
const INVALID = [
  '{\n  "periods": [\n    {"period": "2012", "shipments": 7}\n    {"period": "2013"}\n  ]\n}\n',
  '{\n "a": 1,\n "b": x\n}',
  '{\n"a": 1,\n}',
  '{"a":\n',
  '[1,\n2,\n"abc\n',
  '[1 2]',
  '{"a" 1}',
  '01',
  '1.',
  '-',
  '1e',
  '1.5e+x',
  '[1,]',
  '"\\x"',
  '{"a": tru}',
  '{} {}',
  '',
];

describe('jsonErrorOffset', () => {
  it.each(VALID)('valid JSON %j has no error', (text) => {
    expect(jsonErrorOffset(text)).toBeUndefined();
  });

  // V8 gives a position for some errors: where it does, the scanner must agree with the real parser.
  it.each(INVALID)('invalid JSON %j: an offset, equal to V8\'s position where V8 names one', (text) => {
    const at = jsonErrorOffset(text);
    expect(at).toBeTypeOf('number');
    const v8 = v8Position(text);
    expect(v8).not.toBeUndefined();
    if (v8 !== -1) expect(at).toBe(v8);
  });

  it('finds the line V8 does not name (Node 20: "Unexpected token", "Unexpected end")', () => {
    expect(jsonErrorLocation('{\n "a": 1,\n "b": x\n}')).toEqual({ line: 3, column: 7 });
    expect(jsonErrorLocation('{"a":\n')).toEqual({ line: 2, column: 1 });
    expect(jsonErrorLocation('[1]')).toBeUndefined();
  });

  it('survives nesting deeper than the call stack', () => {
    expect(jsonErrorOffset(`${'['.repeat(200_000)}x`)).toBe(200_000);
  });

  it('keeps JSON.parse\'s reason on one line, without the quoted input or the position', () => {
    expect(jsonErrorReason('Unexpected token \'x\', "{\n "a": 1,\n "b": x\n}" is not valid JSON')).toBe('Unexpected token \'x\'');
    expect(jsonErrorReason('Expected \',\' or \']\' after array element in JSON at position 60')).toBe('Expected \',\' or \']\' after array element');
    expect(jsonErrorReason('Unexpected end of JSON input')).toBe('Unexpected end of JSON input');
    expect(jsonErrorReason('Unexpected token \'x\', ..."ipments": x},\n  ]\n}"... is not valid JSON')).toBe('Unexpected token \'x\'');
  });
});
