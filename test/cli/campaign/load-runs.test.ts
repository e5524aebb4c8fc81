/**
 * The campaign's child `caplab run` arguments, run for real against a real server: the campaign's seed reaches the
 * child, so the engine's mix picks its flows from it (two seeds pick differently, the same seed picks the same).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childRunArgs } from '../../../cli/campaign/load-runs.ts';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';
import { startServer, type TestServer } from '../../scenarios/server.ts';

let server: TestServer;
const root = tempDir('caplab-load-runs-');
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
  removeDir(root);
});

/** The flows a probe picked, in order of its iterations (by the `name` tag of its requests). */
async function picks(seed: number, tag: string): Promise<string> {
  const dir = join(root, tag);
  mkdirSync(join(dir, 'scenarios'), { recursive: true });
  writeFileSync(join(dir, 'scenarios', 'x-probe.json'), JSON.stringify({
    schema: 'caplab.scenario/v1', name: 'seed-pick', baseUrl: server.url,
    options: { scenarios: { probe_1: { executor: 'per-vu-iterations', vus: 1, iterations: 40, exec: 'mixed', tags: { step: '1' } } } },
    flows: { a: { steps: [{ name: 'a', path: '/ok' }] }, b: { steps: [{ name: 'b', path: '/ok' }] }, mixed: { mix: { a: 1, b: 1 } } },
  }));
  const r = await runCli(childRunArgs({ dir, kind: 'probe', dc: 'x', seed, runner: 'engine' }));
  expect(r.code, r.stderr).toBe(0);
  const lines = gunzipSync(readFileSync(join(dir, 'capacity', 'x', 'points-probe.ndjson.gz'))).toString('utf8').split('\n');
  return lines.filter((l) => l.startsWith('{"type":"Point"') && l.includes('"metric":"http_reqs"'))
    .map((l) => (JSON.parse(l) as { data: { tags: { name: string } } }).data.tags.name).join('');
}

describe('campaign child runs', () => {
  it('pass the campaign\'s seed: two seeds pick the mix\'s flows differently, the same seed the same', async () => {
    const [one, oneAgain, two] = [await picks(11, 'one'), await picks(11, 'one-again'), await picks(12, 'two')];
    expect(one).toHaveLength(40);
    expect(oneAgain).toBe(one);
    // 40 fair picks agree by chance with probability 2^-40.
    expect(two).not.toBe(one);
    // Three child runs of 40 requests each: about 10 s idle, 30 s on a starved 2-core machine.
  }, 180_000);

  it('write capacity runs under capacity/<dc>/ and the replay under results/<dc>/, one worker each (engine)', () => {
    expect(childRunArgs({ dir: '/c', kind: 'refine-2', dc: 'sg', seed: 3, runner: 'engine' })).toEqual([
      '--quiet', '--seed', '3', 'run', '/c/scenarios/sg-refine-2.json', '--workers', '1',
      '-o', 'json=/c/capacity/sg/points-refine-2.ndjson.gz', '--summary-json', '/c/capacity/sg/summary-refine-2.json',
    ]);
    expect(childRunArgs({ dir: '/c', kind: 'replay', dc: 'sg', seed: 3, runner: 'k6' })).toEqual([
      '--quiet', '--seed', '3', 'run', '/c/scenarios/sg-replay.json', '--runner', 'k6',
      '-o', 'json=/c/results/sg/points.ndjson.gz', '--summary-json', '/c/results/sg/summary.json',
    ]);
  });
});
