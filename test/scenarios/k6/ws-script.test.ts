/**
 * The WebSocket step in generated k6 scripts: the script imports k6/ws only when a step opens a session, type-checks
 * against @types/k6 (checkJs, strict) with a control that must fail, and carries the step's actions, heartbeat and
 * check names exactly as the engine compiles them (scenarios/engine/compile.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFlows } from '../../../scenarios/engine/compile.ts';
import { buildK6Script } from '../../../scenarios/k6/script.ts';
import { parseScenarioSpec } from '../../../scenarios/spec.ts';
import { removeDir, tempDir } from '../../helpers/cli.ts';
import { k6TypeErrors } from './k6-typecheck.ts';

let dir = '';
beforeAll(() => { dir = tempDir('caplab-k6-ws-'); });
afterAll(() => removeDir(dir));

const wsSpec = (): unknown => ({
  schema: 'caplab.scenario/v1', name: 'push', baseUrl: 'http://127.0.0.1:8080',
  options: { scenarios: { hold: { executor: 'constant-vus', vus: 2, duration: '10s' } } },
  flows: {
    default: {
      steps: [
        { name: 'register', once: true, method: 'POST', path: '/v1/devices/register', json: { id: '{{user.id}}' }, extract: { token: '$.token' } },
        {
          name: 'push', path: '/v1/push?device={{user.id}}', headers: { Authorization: 'Bearer {{vars.token}}' },
          ws: {
            subprotocols: ['push.v1'], heartbeat: { every: '25s' },
            actions: [{ send: '{"hello":"{{user.id}}"}' }, { receive: { contains: 'welcome', timeout: '5s' } }, { ping: {} }, { hold: '30s' }, { receive: { timeout: '1s' } }],
          },
          checks: { status: 101 },
        },
      ],
    },
  },
});

describe('k6 script with a WebSocket step', () => {
  it('type-checks against @types/k6 with the session\'s runtime', async () => {
    const spec = parseScenarioSpec(wsSpec(), 'push.json');
    writeFileSync(join(dir, 'push.js'), buildK6Script(spec, { seed: 1 }));
    // A control: a call k6/ws does not have (0.48 has no clearTimeout) must fail, so a pass is not a silent no-op.
    writeFileSync(join(dir, 'control.js'), "import ws from 'k6/ws';\nws.connect('ws://x', {}, (s) => { s.clearTimeout(1); });\n");
    const errors = await k6TypeErrors(dir, ['push.js', 'control.js']);
    expect(errors.filter((l) => !l.startsWith('control.js'))).toEqual([]);
    expect(errors.some((l) => l.startsWith('control.js'))).toBe(true);
  });

  it('imports k6/ws only when a step opens a session', () => {
    const imports = (s: string): string[] => [...s.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]!);
    const script = buildK6Script(parseScenarioSpec(wsSpec(), 'push.json'), { seed: 1 });
    expect(imports(script)).toContain('k6/ws');
    expect(script).toContain("new Trend('caplab_ws_reply_duration', true)");
    const bare = parseScenarioSpec({ schema: 'caplab.scenario/v1', name: 'bare', flows: { default: { steps: [{ url: 'http://x/' }] } } }, 'bare.json');
    expect(imports(buildK6Script(bare, { seed: 1 }))).not.toContain('k6/ws');
  });

  it('carries the actions, heartbeat and check names as the engine compiles them', () => {
    const spec = parseScenarioSpec(wsSpec(), 'push.json');
    const script = buildK6Script(spec, { seed: 1 });
    const engine = compileFlows(spec, 1).get('default')!;
    const step = engine.kind === 'steps' ? engine.steps[1]! : undefined;
    expect(step?.ws?.receiveChecks).toEqual(['push: message 1 contains "welcome"', 'push: message 2']);
    for (const name of step!.ws!.receiveChecks) expect(script).toContain(JSON.stringify(name));
    expect(script).toContain('"heartbeat":{"every":25000}');
    expect(script).toContain('"subprotocols":["push.v1"]');
    expect(script).toMatch(/"hold":30000/);
  });
});

describe('spec validation of WebSocket steps', () => {
  it('lists every field a session cannot carry, with its path', () => {
    const bad = {
      schema: 'caplab.scenario/v1', name: 'bad',
      flows: { default: { steps: [{ name: 'x', url: 'ftp://h/', method: 'POST', json: {}, extract: { a: '$.a' }, checks: { bodyIncludes: 'y' }, ws: { actions: [{ shout: 'x' }] } }] } },
    };
    let problems: string[] = [];
    try {
      parseScenarioSpec(bad, 'bad.json');
    } catch (e) {
      problems = (e as { problems: { where: string; message: string }[] }).problems.map((p) => `${p.where}: ${p.message}`);
    }
    expect(problems).toEqual([expect.stringMatching(/bad\.json: flows\.default\.steps\[0\]\.ws\.actions\[0\]: a WebSocket action is one of/)]);
    const bad2 = { ...bad, flows: { default: { steps: [{ ...bad.flows.default.steps[0], ws: { actions: [{ send: 'x' }] } }] } } };
    try {
      parseScenarioSpec(bad2, 'bad.json');
      problems = [];
    } catch (e) {
      problems = (e as { problems: { where: string; message: string }[] }).problems.map((p) => `${p.where}: ${p.message}`);
    }
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/steps\[0\]\.json: a WebSocket step \(ws\) has no "json"/),
      expect.stringMatching(/steps\[0\]\.extract: a WebSocket step \(ws\) has no "extract"/),
      expect.stringMatching(/steps\[0\]\.method: a WebSocket step \(ws\) has no "method"/),
      expect.stringMatching(/steps\[0\]\.checks: a WebSocket step checks its handshake/),
      expect.stringMatching(/steps\[0\]\.url: a WebSocket step's url starts with ws:\/\//),
    ]));
  });
});
