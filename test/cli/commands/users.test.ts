import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CAPLAB_BIN, REPO_ROOT, removeDir, runCli, tempDir } from '../../helpers/cli.ts';

const dir = tempDir('caplab-users-');
afterAll(() => removeDir(dir));

describe('caplab users', () => {
  it('streams N NDJSON users to stdout and writes population.json', async () => {
    const out = join(dir, 'a');
    const r = await runCli(['--out-dir', out, 'users', '--count', '2000']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2000);
    expect(JSON.parse(lines[1999]!).id).toBe('u1-1999');
    const pop = JSON.parse(readFileSync(join(out, 'population.json'), 'utf8'));
    expect(pop.schema).toBe('caplab.population/v1');
    expect(pop.quarter).toBe('2015Q4');
  });

  it('same seed -> byte-identical users; another seed -> different users', async () => {
    const [a, b, c] = await Promise.all([
      runCli(['--seed', '7', 'users', '--count', '3000']),
      runCli(['--seed', '7', 'users', '--count', '3000']),
      runCli(['--seed', '8', 'users', '--count', '3000']),
    ]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(c.stdout).not.toBe(a.stdout);
  });

  it('shards k/n concatenated in order equal the whole run, also through --file', async () => {
    const whole = await runCli(['users', '--count', '1001']);
    const parts = await Promise.all([1, 2, 3].map((k) => runCli(['users', '--count', '1001', '--shard', `${k}/3`])));
    expect(parts.map((p) => p.stdout).join('')).toBe(whole.stdout);
    const file = join(dir, 'shard2.ndjson');
    const viaFile = await runCli(['--quiet', 'users', '--count', '1001', '--shard', '2/3', '--file', file]);
    expect(viaFile.code, viaFile.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(parts[1]!.stdout);
  });

  it('fills dc by routing and --dc keeps exactly the users routed there, in index order', async () => {
    const whole = await runCli(['users', '--count', '3000']);
    const users = whole.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; country: string; dc: string });
    expect(users.find((u) => u.country === 'CN')!.dc).toBe('beijing');
    expect(users.find((u) => u.country === 'IN')?.dc).toBe('singapore');
    const dcs = ['beijing', 'singapore', 'us-west-1', 'us-west-2'];
    const parts = await Promise.all(dcs.map((dc) => runCli(['users', '--count', '3000', '--dc', dc])));
    const lines = whole.stdout.trimEnd().split('\n');
    dcs.forEach((dc, k) => {
      const expected = lines.filter((_, i) => users[i]!.dc === dc).join('\n');
      expect(parts[k]!.stdout.trimEnd()).toBe(expected);
    });
    const before = await runCli(['users', '--count', '50', '--placement', 'beijing-only']);
    expect(before.stdout.trimEnd().split('\n').every((l) => JSON.parse(l).dc === 'beijing')).toBe(true);
    const bad = await runCli(['users', '--count', '5', '--dc', 'mars']);
    expect(bad.code).toBe(104);
    expect(bad.stderr).toMatch(/--dc mars is not a data center of placement seed-4dc/);
  });

  it('derives the same users from a forecast.json written by caplab forecast', async () => {
    const out = join(dir, 'f');
    expect((await runCli(['--out-dir', out, 'forecast'])).code).toBe(0);
    const [fromFile, computed] = await Promise.all([
      runCli(['users', '--count', '500', '--forecast', join(out, 'forecast.json')]),
      runCli(['users', '--count', '500']),
    ]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).toBe(computed.stdout);
  });

  it('rejects bad flags and inputs with exit 104 and writes nothing', async () => {
    const out = join(dir, 'bad');
    const badForecast = join(dir, 'bad-forecast.json');
    writeFileSync(badForecast, JSON.stringify({ schema: 'caplab.forecast/v2', seed: 'x', quarters: [] }));
    const file = join(out, 'users.ndjson');
    const cases: [string[], RegExp][] = [
      [['users', '--count', '0'], /count/],
      [['users', '--count', 'many'], /many/],
      [['users', '--count', '10', '--shard', '4/3'], /4\/3/],
      [['users', '--count', '10', '--quarter', '2015Q5'], /2015Q5/],
      [['users', '--count', '10', '--quarter', '2031Q1', '--file', file], /2031Q1 is outside the forecast/],
      [['users', '--count', '10', '--forecast', join(dir, 'missing.json')], /missing\.json/],
      [['users', '--count', '10', '--forecast', badForecast, '--file', file], /schema[\s\S]*seed[\s\S]*quarters/],
      [['users'], /--count/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['--out-dir', out, ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(104);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(out)).toBe(false);
  });

  it('stops quietly when the reader closes the pipe', () => {
    const r = spawnSync('bash', ['-c', `node ${CAPLAB_BIN} --out-dir ${join(dir, 'pipe')} users --count 5000000 | head -n 2; echo "status=\${PIPESTATUS[0]}"`], {
      cwd: REPO_ROOT, encoding: 'utf8',
    });
    expect(r.stdout.split('\n').filter((l) => l.startsWith('{'))).toHaveLength(2);
    expect(r.stdout).toMatch(/status=0/);
    expect(r.stderr).toBe('');
  });

  it('on SIGINT exits 105 and leaves no partial users file', async () => {
    const out = join(dir, 'int');
    const file = join(out, 'users.ndjson');
    const child = spawn(process.execPath, [CAPLAB_BIN, '--quiet', '--out-dir', out, 'users', '--count', '200000000', '--file', file], { cwd: REPO_ROOT });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    // Wait until streaming has begun (the temp file exists), then interrupt.
    for (let i = 0; i < 600 && !(existsSync(out) && readdirSync(out).some((f) => f.startsWith('users.ndjson'))); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(105);
    expect(stderr).toMatch(/interrupted/);
    expect(readdirSync(out).filter((f) => f.startsWith('users.ndjson'))).toEqual([]);
  });
});
