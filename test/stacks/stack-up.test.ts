/** `caplab stack up` from the command line (durability across kill -9 and SIGTERM is in durability.test.ts). */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStackUpOptions } from '../../cli/commands/stack-up.ts';
import { CAPLAB_BIN, REPO_ROOT, removeDir, runCli, tempDir } from '../helpers/cli.ts';

describe('caplab stack up', () => {
  it('validates its options, listing every problem, with exit 104 and nothing started', async () => {
    const r = await runCli(['stack', 'up', '--dcs', 'mars,singapore', '--nodes', '0', '--port', '70000']);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('--dcs: unknown data center "mars"');
    expect(r.stderr).toContain('--nodes: "0"');
    expect(r.stderr).toContain('--port: "70000"');
    expect(r.stdout).toBe('');
  });

  it('defaults to all four data centers, one node, any free port', () => {
    expect(parseStackUpOptions({})).toEqual({ dcs: ['beijing', 'singapore', 'us-west-1', 'us-west-2'], nodes: 1, port: 0 });
    expect(() => parseStackUpOptions({ port: '65535', dcs: 'beijing,singapore' })).toThrow(/go past 65535/);
  });
});

describe('caplab stack up signals', () => {
  it('prints each URL, writes stacks.json, and exits 0 on SIGINT', async () => {
    const dir = tempDir('caplab-stack-up-');
    try {
      const child = spawn(process.execPath, [CAPLAB_BIN, '--out-dir', dir, 'stack', 'up', '--dcs', 'beijing,us-west-2', '--nodes', '2', '--no-wan'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.split('\n').length > 2) resolve();
        });
        void exited.then((code) => reject(new Error(`exited early with ${code}`)));
      });
      const lines = out.trim().split('\n').map((l) => l.split('\t'));
      expect(lines.map((l) => l[0])).toEqual(['beijing', 'us-west-2']);
      const file = JSON.parse(readFileSync(join(dir, 'stacks.json'), 'utf8'));
      expect(file).toMatchObject({ schema: 'caplab.stacks/v1', nodes: 2, wan: false, urls: Object.fromEntries(lines) });
      expect((await fetch(`${lines[0]![1]}/healthz`)).status).toBe(200);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      removeDir(dir);
    }
  });
});
