/**
 * Seeded random values in step templates: `{{random.int MIN MAX}}`, `{{random.pick a b c}}`,
 * `{{random.pick vars.list}}` (or `user.list`) and `{{uuid}}` (version 4). A value is a pure function of (seed, step,
 * where the placeholder sits in the step, VU, iteration): the same in the engine and in the generated k6 script, on
 * every execution segment, in any order.
 *
 * The derivation, written once here and mirrored by {@link RANDOM_JS} in the k6 runtime:
 * - step key = streamKey(seed, `random:<flow>#<step index>`) (setup: flow `::setup`);
 * - site key = {@link labelKey}(step key, label) for each templated field (`path`, `url`, `header:<name>`, `body`,
 *   `json<pointer>`), computed when the step is compiled;
 * - placeholder key = hash32(site key, n) for the n-th random placeholder (0-based) of that field's text;
 * - draw j of an iteration = hash32(hash32(hash32(placeholder key, vu), iteration), j), j = 0, 1, ...
 * The generator is the counter-based lowbias32 hash of models/random.ts (hash32), so no state moves between draws and
 * both runners compute each draw from its coordinates alone. Keys are computed in TypeScript and emitted into the k6
 * script as numbers; the script's runtime only does hash32 and the arithmetic below, in IEEE doubles as Node does.
 */
import { hash32, scramble32, streamKey, toUnit } from '../../models/random.ts';

/** A random placeholder, parsed. */
export type RandomCall =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'pick'; items: string[] }
  | { kind: 'pickFrom'; ref: string }
  | { kind: 'uuid' };

/** Widest `random.int` range: one 32-bit draw covers it. */
const MAX_SPAN = 4294967296;
const TOKEN = /"(?:[^"\\]|\\.)*"|\S+/g;
const REF = /^(user|vars)\.[A-Za-z_]\w*$/;

/**
 * Whether a placeholder's text is a random helper (`random.*` or `uuid`).
 * @param key the text between `{{` and `}}`, trimmed
 */
export function isRandomKey(key: string): boolean {
  return key === 'uuid' || key.startsWith('random.');
}

/**
 * Parses a random placeholder.
 * @param key the text between `{{` and `}}`, trimmed, e.g. `random.int 1 100`
 * @returns the call, or a problem (a sentence naming what is wrong)
 * @example parseRandomKey('random.pick a "b c"') // { kind: 'pick', items: ['a', 'b c'] }
 */
export function parseRandomKey(key: string): RandomCall | string {
  if (key === 'uuid') return { kind: 'uuid' };
  const tokens = key.match(TOKEN) ?? [];
  const [head, ...args] = tokens;
  if (head === 'random.int') {
    if (args.length !== 2) return `{{${key}}}: random.int takes two integers, MIN and MAX (both included)`;
    const [min, max] = args.map(Number) as [number, number];
    if (!args.every((a) => /^-?\d+$/.test(a)) || !Number.isSafeInteger(min) || !Number.isSafeInteger(max)) return `{{${key}}}: random.int takes two integers, MIN and MAX`;
    if (min > max) return `{{${key}}}: MIN ${min} is above MAX ${max}`;
    if (max - min + 1 > MAX_SPAN) return `{{${key}}}: the range holds more than 2^32 values`;
    return { kind: 'int', min, max };
  }
  if (head === 'random.pick') {
    if (args.length === 0) return `{{${key}}}: random.pick takes the values to pick from (random.pick a b c) or one list (random.pick vars.items)`;
    if (args.length === 1 && REF.test(args[0]!)) return { kind: 'pickFrom', ref: args[0]! };
    const items: string[] = [];
    for (const a of args) {
      if (!a.startsWith('"')) { items.push(a); continue; }
      try {
        items.push(JSON.parse(a) as string);
      } catch {
        return `{{${key}}}: ${a} is not a JSON string`;
      }
    }
    return { kind: 'pick', items };
  }
  return `unknown template {{${key}}} (random helpers: {{random.int MIN MAX}}, {{random.pick a b c}}, {{random.pick vars.list}}, {{uuid}})`;
}

/**
 * A step's random key.
 * @param seed the run's seed (`--seed`)
 * @param stepKey `<flow>#<index>` (compile.ts CompiledStep.key)
 * @returns unsigned 32-bit key
 */
export function stepRandomKey(seed: number, stepKey: string): number {
  return streamKey(seed, `random:${stepKey}`);
}

/**
 * The key of one templated field of a step.
 * @param key a step key ({@link stepRandomKey})
 * @param label the field: `path`, `url`, `header:<name>`, `body`, `json<pointer>`
 * @returns unsigned 32-bit key
 */
export function labelKey(key: number, label: string): number {
  let h = scramble32(key ^ 0x5bd1e995);
  for (let i = 0; i < label.length; i++) h = scramble32(h ^ label.charCodeAt(i));
  return h;
}

/**
 * The key of the n-th random placeholder of a field.
 * @param site the field's key ({@link labelKey}); undefined (a template compiled outside a step) counts as 0
 * @param n 0-based index among the field's random placeholders
 */
export function placeholderKey(site: number | undefined, n: number): number {
  return hash32(site ?? 0, n);
}

/** The j-th 32-bit draw of a placeholder in one iteration of one VU. */
export function draw(key: number, vu: number, iteration: number, j: number): number {
  return hash32(hash32(hash32(key, vu), iteration), j);
}

/**
 * A random placeholder's value.
 * @param call the parsed placeholder
 * @param key its placeholder key
 * @param vu test-wide VU number (0 in setup)
 * @param iteration test-wide iteration number (0 in setup)
 * @param list for `random.pick vars.x`: the value of the list it names
 * @returns the value (a number for random.int, a string for pick and uuid, an element for a list pick)
 * @throws {Error} when a list pick names a value that is not a non-empty list
 */
export function randomValue(call: RandomCall, key: number, vu: number, iteration: number, list?: unknown): unknown {
  switch (call.kind) {
    case 'int':
      return call.min + Math.floor(toUnit(draw(key, vu, iteration, 0)) * (call.max - call.min + 1));
    case 'pick':
      return call.items[Math.floor(toUnit(draw(key, vu, iteration, 0)) * call.items.length)];
    case 'pickFrom': {
      if (!Array.isArray(list) || list.length === 0) throw new Error(`{{random.pick ${call.ref}}}: ${call.ref} is not a non-empty list`);
      return list[Math.floor(toUnit(draw(key, vu, iteration, 0)) * list.length)];
    }
    case 'uuid': {
      const u = [0, 1, 2, 3].map((j) => draw(key, vu, iteration, j));
      u[1] = ((u[1]! & 0xffff0fff) | 0x00004000) >>> 0;
      u[2] = ((u[2]! & 0x3fffffff) | 0x80000000) >>> 0;
      const hex = u.map((x) => x.toString(16).padStart(8, '0')).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
  }
}

/**
 * The k6 runtime's twin of {@link randomValue} and {@link draw}: `caplabRandom(call, key, scope)`, with `call` as
 * k6/flow-data.ts emits it (`['int', min, max]`, `['pick', items]`, `['pickFrom', ref]`, `['uuid']`). Needs caplabHash32
 * and caplabToUnit (runtime-js.ts MIX_HASH_JS) and caplabGet.
 */
export const RANDOM_JS = String.raw`
/** @param {number} key @param {number} vu @param {number} iteration @param {number} j */
function caplabDraw(key, vu, iteration, j) {
  return caplabHash32(caplabHash32(caplabHash32(key, vu), iteration), j);
}

/**
 * A seeded random placeholder's value (scenarios/engine/random.ts randomValue).
 * @param {any[]} call @param {number} key @param {CaplabScope} scope @returns {unknown}
 */
function caplabRandom(call, key, scope) {
  const vu = scope.vu;
  const it = scope.iteration;
  if (call[0] === 'int') return call[1] + Math.floor(caplabToUnit(caplabDraw(key, vu, it, 0)) * (call[2] - call[1] + 1));
  if (call[0] === 'pick') return call[1][Math.floor(caplabToUnit(caplabDraw(key, vu, it, 0)) * call[1].length)];
  if (call[0] === 'pickFrom') {
    const list = caplabGet(scope, call[1]);
    if (!Array.isArray(list) || list.length === 0) throw new Error('{{random.pick ' + call[1] + '}}: ' + call[1] + ' is not a non-empty list');
    return list[Math.floor(caplabToUnit(caplabDraw(key, vu, it, 0)) * list.length)];
  }
  const u = [0, 1, 2, 3].map((j) => caplabDraw(key, vu, it, j));
  u[1] = ((u[1] & 0xffff0fff) | 0x00004000) >>> 0;
  u[2] = ((u[2] & 0x3fffffff) | 0x80000000) >>> 0;
  const hex = u.map((x) => ('00000000' + x.toString(16)).slice(-8)).join('');
  return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' + hex.slice(16, 20) + '-' + hex.slice(20);
}
`;

/**
 * A random call as the k6 runtime reads it (see {@link RANDOM_JS}).
 * @param call the parsed placeholder
 */
export function randomCallData(call: RandomCall): unknown[] {
  switch (call.kind) {
    case 'int': return ['int', call.min, call.max];
    case 'pick': return ['pick', call.items];
    case 'pickFrom': return ['pickFrom', call.ref];
    case 'uuid': return ['uuid'];
  }
}
