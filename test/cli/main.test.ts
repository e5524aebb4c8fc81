import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeFor, formatError, InputError, ScriptError } from '../../cli/errors.ts';
import { buildProgram } from '../../cli/main.ts';
import { ValidationError } from '../../models/errors.ts';
import { REPO_ROOT, runCli } from '../helpers/cli.ts';

const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('caplab binary: help, version, usage errors', () => {
  it('--help exits 0 and lists the global flags and the forecast command', async () => {
    const { code, stdout, stderr } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Usage: caplab \[options\] \[command\]/);
    for (const flag of ['--out-dir <dir>', '--seed <n>', '--quiet', '--verbose', '-V, --version']) expect(stdout).toContain(flag);
    expect(stdout).toMatch(/^\s+forecast \[options\]/m);
  });

  it('forecast --help exits 0 and lists its options', async () => {
    const { code, stdout } = await runCli(['forecast', '--help']);
    expect(code).toBe(0);
    for (const flag of ['--target <n>', '--horizon <quarter>', '--model <name>', '--history <file>', '--draws <n>', '--json']) expect(stdout).toContain(flag);
  });

  it('--version and -V print the package.json version', async () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const flag of ['--version', '-V']) {
      const { code, stdout } = await runCli([flag]);
      expect(code).toBe(0);
      expect(stdout).toBe(`${version}\n`);
    }
  });

  it('an unknown option exits 104 and says so on stderr', async () => {
    const { code, stdout, stderr } = await runCli(['--frobnicate']);
    expect(code).toBe(104);
    expect(stdout).toBe('');
    expect(stderr).toContain("unknown option '--frobnicate'");
    expect(stderr).toContain('(run with --help for usage)');
  });

  it('an unknown command exits 104', async () => {
    const { code, stderr } = await runCli(['frobnicate']);
    expect(code).toBe(104);
    expect(stderr).toContain("unknown command 'frobnicate'");
  });

  it('a bad --seed exits 104 naming the flag and the value', async () => {
    const { code, stderr } = await runCli(['--seed', 'abc', 'forecast']);
    expect(code).toBe(104);
    expect(stderr).toMatch(/--seed <n>.*'abc' is invalid/);
  });

  // commander shows help with exitCode 1 when the command is missing: a usage error (104); `caplab help` stays 0.
  it('running with no command is a usage error (non-zero exit)', async () => {
    const { code, stderr } = await runCli([]);
    expect(stderr).toContain('Usage: caplab');
    expect(code).not.toBe(0);
  });
});

describe('buildProgram (in process)', () => {
  it('declares the global options with their defaults', () => {
    const program = buildProgram();
    expect(program.name()).toBe('caplab');
    const outDir = program.options.find((o) => o.long === '--out-dir');
    expect(outDir?.defaultValue).toBe('caplab-out');
    expect(program.commands.map((c) => c.name())).toContain('forecast');
    expect(program.helpInformation()).toContain('forecast');
  });

  it('parses forecast flags with its parsers', async () => {
    const program = buildProgram();
    const forecast = program.commands.find((c) => c.name() === 'forecast')!;
    forecast.action(() => {}); // replace the lazy action: parse only
    await program.parseAsync(['node', 'caplab', '--seed', '12', 'forecast', '--target', '100M', '--horizon', '2016q2', '--draws', '1e3'], { from: 'node' });
    expect(program.opts().seed).toBe(12);
    expect(forecast.opts()).toMatchObject({ target: 100e6, horizon: '2016Q2', draws: 1000, model: 'auto', json: false });
  });
});

describe('exitCodeFor and formatError', () => {
  it('maps errors to the documented exit codes', () => {
    expect(exitCodeFor(new InputError('x'))).toBe(EXIT.invalidInput);
    expect(exitCodeFor(new ScriptError('x'))).toBe(107);
    expect(exitCodeFor(new ValidationError('v', [{ where: 'a', message: 'b' }]))).toBe(104);
    expect(exitCodeFor(new CommanderError(1, 'commander.unknownOption', 'bad'))).toBe(104);
    expect(exitCodeFor(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBe(0);
    expect(exitCodeFor(new CommanderError(0, 'commander.version', '0.1.0'))).toBe(0);
    expect(exitCodeFor(new Error('boom'))).toBe(1);
    expect(exitCodeFor('string')).toBe(1);
  });

  it('prints a validation error with one line per problem', () => {
    const err = new ValidationError('h.csv is invalid', [{ where: 'h.csv:3', message: 'shipments -5 is negative' }, { where: 'h.csv:4', message: 'period "x" is bad' }]);
    expect(formatError(err, false)).toBe('caplab: h.csv is invalid: 2 problems\n  h.csv:3: shipments -5 is negative\n  h.csv:4: period "x" is bad');
  });

  it('hides the stack of internal errors unless verbose', () => {
    const err = new Error('boom\nsecond line');
    expect(formatError(err, false)).toBe('caplab: internal error: boom\n  (run again with --verbose for the stack trace)');
    expect(formatError(err, true)).toContain(err.stack!);
    expect(formatError(new InputError('bad flag'), false)).toBe('caplab: bad flag');
  });
});
