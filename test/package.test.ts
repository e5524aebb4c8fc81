/**
 * The package as a user gets it: `npm pack` (its prepare script builds dist/ with tsc), the tarball installed into an
 * empty folder without devDependencies, and the installed `caplab` run by plain node through npx: --version,
 * `forecast --json`, and `run --workers 2 -o json=` (both worker-thread entries, compiled, without tsx). The compiled
 * modules must find the installed package's own files (data/, the command that re-runs caplab), and no tsx or
 * typescript may be installed. Slow (tsc, and better-sqlite3 compiles from source at install): one pack and one
 * install for the whole file, in a temporary folder removed afterwards.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FROM_SOURCES, PACKAGE_ROOT, selfCommand } from '../cli/self.ts';
import { CAPLAB_BIN, REPO_ROOT, removeDir, tempDir } from './helpers/cli.ts';

const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment for npm in the scratch folder: without the npm_* variables an enclosing `npm test` sets (its
 * npm_config_local_prefix would point npm back at the repository), keeping where the registry and cache are.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig', 'npm_config_globalconfig']);
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_') || keep.has(k.toLowerCase())));
}

/** Runs a command to its end without blocking the test worker. */
function exec(command: string, args: string[], cwd: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...npmEnv(), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({
      code: code ?? (signal ? 129 : 1),
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
    }));
  });
}

/** Every package directory under a node_modules tree (nested ones too), as names like `tsx` or `@scope/name`. */
function installedNames(nodeModules: string): Set<string> {
  const names = new Set<string>();
  const visit = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name.startsWith('.')) continue;
      const entries = e.name.startsWith('@') ? readdirSync(join(dir, e.name)).map((n) => `${e.name}/${n}`) : [e.name];
      for (const name of entries) {
        names.add(name);
        const nested = join(dir, name, 'node_modules');
        if (existsSync(nested)) visit(nested);
      }
    }
  };
  visit(nodeModules);
  return names;
}

describe('where caplab finds itself, from the TypeScript sources', () => {
  it('the package root is the checkout, and a re-run goes through the development launcher (the current sources)', () => {
    expect(FROM_SOURCES).toBe(true);
    expect(PACKAGE_ROOT).toBe(REPO_ROOT.endsWith(sep) ? REPO_ROOT : REPO_ROOT + sep);
    expect(selfCommand(['--version'])).toEqual({ command: process.execPath, args: [CAPLAB_BIN, '--version'] });
  });
});

describe('the packed package, installed without devDependencies', () => {
  let scratch: string;
  let app: string;
  let installed: string;
  const caplab = (args: string[]): Promise<Ran> => exec('npx', ['--no', '--', 'caplab', ...args], app);

  beforeAll(async () => {
    scratch = tempDir('caplab-pack-');
    app = join(scratch, 'app');
    const packed = await exec('npm', ['pack', '--pack-destination', scratch, '--silent'], REPO_ROOT);
    expect(packed.code, packed.stderr).toBe(0);
    const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
    expect(tarball, packed.stdout).toBeDefined();
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'caplab-pack-test', private: true })}\n`);
    const install = await exec('npm', ['install', '--prefix', app, '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', join(scratch, tarball!)], app);
    expect(install.code, install.stderr).toBe(0);
    installed = realpathSync(join(app, 'node_modules', 'caplab'));
  }, 900_000);

  afterAll(() => {
    if (scratch !== undefined) removeDir(scratch);
  });

  it('ships the compiled CLI and the data, not the sources, tests or benchmarks', () => {
    const top = readdirSync(installed).sort();
    expect(top).toEqual(expect.arrayContaining(['data', 'dist', 'package.json']));
    for (const absent of ['cli', 'models', 'test', 'bench', 'bin', 'scripts', 'tsconfig.json']) expect(top).not.toContain(absent);
    expect(existsSync(join(installed, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(installed, 'data', 'history.json'))).toBe(true);
  });

  it('installs no tsx, typescript or other development tool', () => {
    const names = installedNames(join(app, 'node_modules'));
    expect(names.has('caplab')).toBe(true);
    for (const dev of ['tsx', 'typescript', 'esbuild', 'vitest', 'playwright-core']) expect(names.has(dev), dev).toBe(false);
  });

  it('npx caplab --version prints the package.json version', async () => {
    const r = await caplab(['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  }, 120_000);

  it('npx caplab forecast --json prints a forecast from the installed data/', async () => {
    const r = await caplab(['--out-dir', join(scratch, 'out'), 'forecast', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const forecast = JSON.parse(r.stdout) as { schema?: unknown };
    expect(forecast.schema).toBe('caplab.forecast/v1');
  }, 120_000);

  it('run --workers 2 -o json= starts the compiled worker and NDJSON-writer threads', async () => {
    let hits = 0;
    const server: Server = createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const spec = join(scratch, 'spec.json');
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      writeFileSync(spec, JSON.stringify({ schema: 'caplab.scenario/v1', name: 'pack', baseUrl, flows: { default: { steps: [{ name: 'ok', path: '/ok' }] } } }));
      const points = join(scratch, 'points.ndjson');
      const summary = join(scratch, 'summary.json');
      const r = await caplab(['--quiet', '--out-dir', join(scratch, 'out'), 'run', spec, '--workers', '2', '--vus', '2', '--iterations', '10', '-o', `json=${points}`, '--summary-json', summary]);
      expect(r.code, r.stderr).toBe(0);
      expect(hits).toBe(10);
      const s = JSON.parse(readFileSync(summary, 'utf8')) as { metrics: Record<string, { values: Record<string, number> }> };
      expect(s.metrics.http_reqs?.values.count).toBe(10);
      const lines = readFileSync(points, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; metric: string });
      expect(lines.filter((l) => l.type === 'Point' && l.metric === 'http_reqs')).toHaveLength(10);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 120_000);

  it('the compiled modules find the installed package: data/ for the CLI and the stacks, and the command that re-runs caplab', async () => {
    const dist = join(installed, 'dist');
    const probe = `
      const self = await import(${JSON.stringify(join(dist, 'cli', 'self.js'))});
      const data = await import(${JSON.stringify(join(dist, 'cli', 'data.js'))});
      const stacks = await import(${JSON.stringify(join(dist, 'stacks', 'config.js'))});
      const { fileURLToPath } = await import('node:url');
      console.log(JSON.stringify({ fromSources: self.FROM_SOURCES, root: self.PACKAGE_ROOT, data: data.DATA_DIR,
        stacks: fileURLToPath(stacks.STACK_DATA_DIR), rerun: self.selfCommand(['--version']) }));`;
    const r = await exec(process.execPath, ['--input-type=module', '-e', probe], app);
    expect(r.code, r.stderr).toBe(0);
    const found = JSON.parse(r.stdout) as { fromSources: boolean; root: string; data: string; stacks: string; rerun: { command: string; args: string[] } };
    expect(found).toEqual({
      fromSources: false,
      root: installed + sep,
      data: join(installed, 'data') + sep,
      stacks: join(installed, 'data') + sep,
      rerun: { command: process.execPath, args: [join(dist, 'cli', 'main.js'), '--version'] },
    });
    const again = await exec(found.rerun.command, found.rerun.args, app);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`${version}\n`);
  }, 120_000);
});
