/**
 * End to end: `caplab scenarios build` on the defaults, then every spec on the embedded engine against the built-in
 * stacks (real servers on 127.0.0.1, real SQLite). Probe and sweep run against stacks with WAN off (next to the
 * node), the replay against stacks with WAN on; each run must exit 0, i.e. pass its thresholds at the default
 * budgets. Quick mode keeps the whole file near two minutes. A replay that fails its budgets while the host's CPUs were
 * contended (test/helpers/host-pressure.ts) measured the host and is run again, at most 3 times.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStacks, type RunningStacks } from '../../stacks/start.ts';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { judgedOnQuietHost } from '../helpers/host-pressure.ts';

const dir = tempDir('caplab-e2e-scenarios-');
let near: RunningStacks;
let far: RunningStacks;

beforeAll(async () => {
  near = await startStacks({ dataDir: join(dir, 'db-near'), wan: false });
  far = await startStacks({ dataDir: join(dir, 'db-far'), wan: true });
  writeFileSync(join(dir, 'near.json'), JSON.stringify(near.urls));
  writeFileSync(join(dir, 'far.json'), JSON.stringify(far.urls));
  for (const [name, targets] of [['near', 'near.json'], ['far', 'far.json']] as const) {
    const r = await runCli(['--quiet', '--out-dir', join(dir, name), 'scenarios', 'build', '--quick', '--targets', join(dir, targets)]);
    expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  await near?.stop();
  await far?.stop();
  removeDir(dir);
});

describe('scenarios build -> engine -> stacks', () => {
  it('writes probe, sweep and replay per DC with their users files', () => {
    const files = readdirSync(join(dir, 'far', 'scenarios')).sort();
    for (const dc of ['beijing', 'singapore', 'us-west-1', 'us-west-2']) {
      expect(files).toContain(`${dc}-probe.json`);
      expect(files).toContain(`${dc}-sweep.json`);
      expect(files).toContain(`${dc}-replay.json`);
      expect(files).toContain(`users-${dc}.ndjson`);
    }
  });

  it.each(['beijing', 'singapore', 'us-west-1', 'us-west-2'])('the %s replay passes its budgets on the stack', async (dc) => {
    const { result: r, log } = await judgedOnQuietHost(
      () => runCli(['--quiet', 'run', join(dir, 'far', 'scenarios', `${dc}-replay.json`), '--summary-json', join(dir, `${dc}-replay.json`)]),
      (x) => x.code === 0,
    );
    expect(r.code, `${log}\n${r.stdout.slice(-3000)}\n${r.stderr}`).toBe(0);
  }, 300_000);

  it('the singapore probe and sweep run against one node next to it', async () => {
    for (const kind of ['probe', 'sweep']) {
      const r = await runCli(['--quiet', 'run', join(dir, 'near', 'scenarios', `singapore-${kind}.json`), '-o', `json=${join(dir, `singapore-${kind}.ndjson`)}`]);
      expect(r.code, `${kind}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/http_reqs/);
    }
  }, 120_000);
});
