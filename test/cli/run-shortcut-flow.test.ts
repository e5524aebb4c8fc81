/**
 * `caplab run --vus/--duration/--iterations` on a spec without a `default` flow (as the campaign writes them): the
 * shortcut scenario runs the flow the spec's scenarios run, or a mix of them (scenarios/engine/shortcut-flow.ts),
 * against a real server, through the real CLI.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shortcutFlow } from '../../scenarios/engine/shortcut-flow.ts';
import { parseScenarioSpec } from '../../scenarios/spec.ts';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { startServer, type TestServer } from '../scenarios/server.ts';

let server: TestServer;
let dir: string;
beforeAll(async () => { server = await startServer(); dir = tempDir('caplab-run-shortcut-'); });
afterAll(async () => { await server.close(); removeDir(dir); });

const flows = {
  contacts: { steps: [{ name: 'contacts', path: '/ok?f=contacts' }] },
  ota: { steps: [{ name: 'ota', path: '/ok?f=ota' }] },
  photos: { steps: [{ name: 'photos', path: '/ok?f=photos' }] },
  mixed: { mix: { contacts: 3, ota: 1 } },
};

function specOf(scenarios: Record<string, unknown>): Record<string, unknown> {
  return { schema: 'caplab.scenario/v1', name: 'campaign-like', baseUrl: server.url, options: { scenarios }, flows };
}

function seenFlows(from: number): Set<string> {
  return new Set(server.seen.slice(from).map((s) => new URL(s.url, 'http://x').searchParams.get('f') ?? ''));
}

describe('caplab run shortcut flags on a spec without a default flow', () => {
  it('--vus 2 --duration 1s runs the flow every scenario runs (a campaign probe runs "mixed")', async () => {
    const path = join(dir, 'probe.json');
    writeFileSync(path, JSON.stringify(specOf({
      probe_1: { executor: 'constant-vus', vus: 1, duration: '1s', exec: 'mixed' },
      probe_2: { executor: 'constant-vus', vus: 2, duration: '1s', startTime: '1s', exec: 'mixed' },
    })));
    const from = server.seen.length;
    const r = await runCli(['run', path, '--vus', '2', '--duration', '1s', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(seenFlows(from)).toEqual(new Set(['contacts', 'ota']));
  }, 60_000);

  it('--iterations 40 runs a mix of the scenarios\' flows when they run different ones', async () => {
    const path = join(dir, 'two.json');
    writeFileSync(path, JSON.stringify(specOf({
      a: { executor: 'constant-vus', vus: 1, duration: '1s', exec: 'photos' },
      b: { executor: 'constant-vus', vus: 1, duration: '1s', exec: 'mixed' },
    })));
    const from = server.seen.length;
    const r = await runCli(['run', path, '--iterations', '40', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(server.seen.length - from).toBe(40);
    expect(seenFlows(from)).toEqual(new Set(['photos', 'contacts', 'ota']));
  }, 60_000);
});

describe('shortcutFlow', () => {
  const parse = (scenarios: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    parseScenarioSpec({ ...specOf(scenarios), flows: { ...flows, ...extra } }, 'spec');

  it('keeps k6\'s rule when there is a default flow', () => {
    const spec = parse({ a: { executor: 'constant-vus', vus: 1, duration: '1s', exec: 'ota' } }, { default: { steps: [{ path: '/' }] } });
    expect(shortcutFlow(spec)).toEqual({ spec, exec: 'default' });
  });

  it('weighs each scenario equally, a mix by its weights', () => {
    const spec = parse({
      a: { executor: 'constant-vus', vus: 1, duration: '1s', exec: 'photos' },
      b: { executor: 'constant-vus', vus: 1, duration: '1s', exec: 'mixed' },
    });
    const picked = shortcutFlow(spec);
    expect(picked.exec).toBe('default');
    expect(picked.spec.flows.default).toEqual({ mix: { photos: 1, contacts: 0.75, ota: 0.25 } });
    // The spec it was given is left as it was.
    expect(spec.flows.default).toBeUndefined();
  });
});
