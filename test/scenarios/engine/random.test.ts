/**
 * Seeded random helpers of step templates (scenarios/engine/random.ts): values are a pure function of (seed, step,
 * field, VU, iteration), well formed, and the k6 runtime's JavaScript (RANDOM_JS with the mix hash) computes exactly
 * the engine's values.
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { compileFlows } from '../../../scenarios/engine/compile.ts';
import { labelKey, parseRandomKey, placeholderKey, RANDOM_JS, randomCallData, randomValue, stepRandomKey } from '../../../scenarios/engine/random.ts';
import { compileJson, compileString, type TemplateScope } from '../../../scenarios/engine/template.ts';
import { MIX_HASH_JS } from '../../../scenarios/k6/runtime-js.ts';
import { parseScenarioSpec } from '../../../scenarios/spec.ts';

const scope = (vu: number, iteration: number, vars: Record<string, unknown> = {}): TemplateScope => ({ user: {}, vars, env: {}, iteration, vu, scenario: 's' });
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('random helpers', () => {
  it('parse {{random.int}}, {{random.pick}} (values or a list) and {{uuid}}, naming what is wrong', () => {
    expect(parseRandomKey('random.int -5 5')).toEqual({ kind: 'int', min: -5, max: 5 });
    expect(parseRandomKey('random.pick a "b c" d')).toEqual({ kind: 'pick', items: ['a', 'b c', 'd'] });
    expect(parseRandomKey('random.pick vars.items')).toEqual({ kind: 'pickFrom', ref: 'vars.items' });
    expect(parseRandomKey('uuid')).toEqual({ kind: 'uuid' });
    expect(parseRandomKey('random.int 5 1')).toMatch(/MIN 5 is above MAX 1/);
    expect(parseRandomKey('random.int 1')).toMatch(/takes two integers/);
    expect(parseRandomKey('random.int 1 2.5')).toMatch(/takes two integers/);
    expect(parseRandomKey('random.int 0 9999999999')).toMatch(/more than 2\^32/);
    expect(parseRandomKey('random.pick')).toMatch(/takes the values/);
    expect(parseRandomKey('random.float')).toMatch(/unknown template \{\{random\.float\}\}/);
  });

  it('give the same values for the same seed, VU and iteration, and others elsewhere', () => {
    const site = labelKey(stepRandomKey(7, 'default#0'), 'body');
    const t = compileString('{{random.int 1 1000000}} {{uuid}} {{random.pick a b c d e f g h}}', undefined, site);
    expect(t(scope(3, 11))).toBe(t(scope(3, 11)));
    const all = new Set<string>();
    for (let vu = 1; vu <= 20; vu++) for (let it = 0; it < 20; it++) all.add(t(scope(vu, it)));
    expect(all.size).toBe(400);
    const other = compileString('{{random.int 1 1000000}} {{uuid}} {{random.pick a b c d e f g h}}', undefined, labelKey(stepRandomKey(8, 'default#0'), 'body'));
    expect(other(scope(3, 11))).not.toBe(t(scope(3, 11)));
    // Two placeholders of one field draw apart.
    const two = compileString('{{uuid}}|{{uuid}}', undefined, site)(scope(1, 1)).split('|');
    expect(two[0]).not.toBe(two[1]);
  });

  it('stay in range, cover it, and make version-4 UUIDs', () => {
    const call = parseRandomKey('random.int -3 3');
    const seen = new Set<unknown>();
    for (let i = 0; i < 2000; i++) {
      const v = randomValue(call as never, 99, 1, i) as number;
      expect(Number.isInteger(v) && v >= -3 && v <= 3).toBe(true);
      seen.add(v);
    }
    expect(seen.size).toBe(7);
    for (let i = 0; i < 200; i++) expect(randomValue({ kind: 'uuid' }, 5, 2, i)).toMatch(UUID_V4);
  });

  it('pick from a list in vars or user, keeping the element\'s type in a JSON body', () => {
    const items = [{ sku: 'a' }, { sku: 'b' }, 3];
    const body = compileJson({ item: '{{random.pick vars.items}}', n: '{{random.int 1 9}}', s: 'n={{random.int 1 9}}' }, stepRandomKey(1, 'f#0'));
    const out = body(scope(1, 0, { items })) as { item: unknown; n: unknown; s: string };
    expect(items).toContainEqual(out.item);
    expect(typeof out.n).toBe('number');
    expect(out.s).toMatch(/^n=[1-9]$/);
    expect(() => body(scope(1, 0, { items: [] }))).toThrow(/vars\.items is not a non-empty list/);
    expect(() => body(scope(1, 0, {}))).toThrow(/\{\{vars\.items\}\} is not set/);
  });

  it('are computed the same by the k6 runtime\'s JavaScript as by the engine', () => {
    const ctx: Record<string, unknown> = {};
    runInNewContext(`${MIX_HASH_JS}\nfunction caplabGet(scope, key) { return scope.vars[key.slice(5)]; }\n${RANDOM_JS}\nthis.caplabRandom = caplabRandom;`, ctx);
    const jsRandom = ctx.caplabRandom as (call: unknown[], key: number, scope: unknown) => unknown;
    const calls = ['random.int 1 100', 'random.int -2147483648 2147483647', 'random.pick x y z', 'random.pick vars.items', 'uuid'];
    const items = ['p', 'q', 'r', 's'];
    for (const text of calls) {
      const call = parseRandomKey(text);
      if (typeof call === 'string') throw new Error(call);
      for (let i = 0; i < 300; i++) {
        const key = placeholderKey(labelKey(stepRandomKey(i, `flow#${i % 3}`), 'json/a'), i % 2);
        const vu = 1 + (i % 7);
        const it = i * 13;
        expect(jsRandom(randomCallData(call), key, { vu, iteration: it, vars: { items } })).toEqual(randomValue(call, key, vu, it, items));
      }
    }
  });

  it('draw per step: two steps with the same template give different values', () => {
    const spec = parseScenarioSpec({
      schema: 'caplab.scenario/v1', name: 'r',
      flows: { default: { steps: [{ url: 'http://h/{{uuid}}' }, { url: 'http://h/{{uuid}}' }] } },
    }, 'r.json');
    const flow = compileFlows(spec, 1).get('default');
    if (flow?.kind !== 'steps') throw new Error('no steps');
    const [a, b] = flow.steps.map((s) => s.target(scope(1, 0)).path);
    expect(a).toMatch(/^\/[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });
});
